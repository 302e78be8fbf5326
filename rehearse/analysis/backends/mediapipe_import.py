"""MediaPipe imported without the plotting library it loads and never uses here.

`import mediapipe` runs `mediapipe.python.solutions.drawing_utils`, which imports
`matplotlib.pyplot` for one 3D plotting helper: ~31 MB of every analysing process's memory
(benchmarks/bench_memory.py) for a function rehearse never calls. While mediapipe is imported,
`matplotlib` and `matplotlib.pyplot` are stand-ins that import the real modules on first use;
they are taken out of `sys.modules` right after, so any later `import matplotlib` (the report's
plots) gets the real library as usual.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

_DEFERRED = ("matplotlib", "matplotlib.pyplot")


class _ImportedOnUse(types.ModuleType):
    """Stands for a module; the first attribute asked for imports the real one."""

    def __getattr__(self, attr: str) -> Any:
        for name in _DEFERRED:  # still inside the import window: make way for the real modules
            if isinstance(sys.modules.get(name), _ImportedOnUse):
                del sys.modules[name]
        return getattr(importlib.import_module(self.__name__), attr)


def import_mediapipe() -> Any:
    """The `mediapipe` module (imported once; matplotlib left out unless something else uses it)."""
    if "mediapipe" in sys.modules:
        return sys.modules["mediapipe"]
    stand_ins: dict[str, types.ModuleType] = {}
    if not any(name in sys.modules for name in _DEFERRED):
        stand_ins = {name: _ImportedOnUse(name) for name in _DEFERRED}
        stand_ins["matplotlib"].pyplot = stand_ins["matplotlib.pyplot"]  # `import matplotlib.pyplot as plt`
        sys.modules.update(stand_ins)
    try:
        import mediapipe
    finally:
        for name, stand_in in stand_ins.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]
    return mediapipe
