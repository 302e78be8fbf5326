"""The test suite's own layout: test modules share code through `tests_support`, never by
importing each other or a conftest (with two conftest.py files the name means whichever
loaded last, and importing a test module runs its tests' imports twice)."""

from __future__ import annotations

import ast

from tests_support import REPO


def _imported_modules(path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def test_no_test_module_imports_another_test_module_or_a_conftest():
    tests = REPO / "tests"
    local = {p.stem for p in tests.rglob("*.py") if "tests_support" not in p.parts}
    offenders = {}
    for path in sorted(tests.rglob("*.py")):
        bad = sorted(_imported_modules(path) & (local | {"conftest"}))
        if bad:
            offenders[str(path.relative_to(REPO))] = bad
    assert not offenders, offenders
    assert {p.stem for p in (tests / "tests_support").glob("*.py")} >= {"__init__", "scoring"}
