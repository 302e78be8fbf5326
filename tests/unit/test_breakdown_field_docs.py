"""Every field of every breakdown model has a docstring in the source.

pydantic no longer copies them into `Field.description` (`use_attribute_docstrings` re-tokenizes
each class's source and cost the app's first screen ~70 ms), so they are checked here instead.
"""

from __future__ import annotations

import ast
import inspect
import textwrap

from rehearse.breakdown import models
from rehearse.breakdown.fields import Record


def _documented_fields(cls: type) -> tuple[set[str], set[str]]:
    """(fields declared in the class body, those followed by a docstring)."""
    body = ast.parse(textwrap.dedent(inspect.getsource(cls))).body[0].body
    declared, documented = set(), set()
    for statement, following in zip(body, body[1:] + [None], strict=True):
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            declared.add(statement.target.id)
            if (isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant)
                    and isinstance(following.value.value, str) and following.value.value.strip()):
                documented.add(statement.target.id)
    return declared, documented


def test_every_breakdown_field_has_a_docstring():
    record_models = [cls for cls in vars(models).values()
                     if isinstance(cls, type) and issubclass(cls, Record) and cls is not Record]
    assert len(record_models) >= 15
    undocumented = []
    for cls in record_models:
        declared, documented = _documented_fields(cls)
        # every pydantic field is declared in this class's own body or a parent's (none are built)
        inherited = set().union(*(_documented_fields(base)[0] for base in cls.__mro__[1:]
                                  if isinstance(base, type) and issubclass(base, Record) and base is not Record))
        assert set(cls.model_fields) <= declared | inherited, cls.__name__
        undocumented += [f"{cls.__name__}.{name}" for name in sorted(declared - documented)]
    assert undocumented == []
