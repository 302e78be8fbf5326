"""The import rules: the core never imports textual; `--help` pays for none of textual, mediapipe, cv2.

Core modules are discovered from the source tree (everything under rehearse/ except rehearse/tui),
so a new module is covered the day it is added. The dynamic checks run in fresh interpreters; a
static check reads every module's imports (top level and inside functions) with `ast`.
"""

from __future__ import annotations

import ast
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import rehearse

PACKAGE_DIR = Path(rehearse.__file__).resolve().parent
REPO = PACKAGE_DIR.parent
HEAVY = ("textual", "mediapipe", "cv2")


def core_modules() -> list[str]:
    """Every module and package under rehearse/ except rehearse.tui and __main__, found without importing any."""
    found = ["rehearse"]

    def walk(path: Path, prefix: str) -> None:
        for info in pkgutil.iter_modules([str(path)]):
            name = f"{prefix}.{info.name}"
            # __main__ runs the program when imported (that is its job); the TUI may import textual
            if name == "rehearse.tui" or info.name == "__main__":
                continue
            found.append(name)
            if info.ispkg:
                walk(path / info.name, name)

    walk(PACKAGE_DIR, "rehearse")
    return sorted(found)


def run_python(code: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=180)


def test_core_module_discovery_finds_the_core_and_skips_the_tui():
    modules = core_modules()
    assert {"rehearse.cli", "rehearse.errors", "rehearse.breakdown.loader", "rehearse.commands.check"} <= set(modules)
    assert not [m for m in modules if m == "rehearse.tui" or m.startswith("rehearse.tui.")]


def test_importing_any_core_module_does_not_import_textual():
    # One interpreter imports the modules one by one and names the first that pulls textual in
    # (a module is blamed only for what appears right after its own import).
    code = f"""
import importlib, json, sys
result = {{"offender": None, "failed": {{}}}}
for name in {core_modules()!r}:
    try:
        importlib.import_module(name)
    except Exception as error:
        result["failed"][name] = f"{{type(error).__name__}}: {{error}}"
        continue
    if "textual" in sys.modules:
        result["offender"] = name
        break
print(json.dumps(result))
"""
    completed = run_python(code)
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout.splitlines()[-1])
    assert result["failed"] == {}, f"core modules that fail to import: {result['failed']}"
    assert result["offender"] is None, f"importing {result['offender']} imports textual"


def test_rehearse_help_imports_neither_textual_nor_mediapipe_nor_cv2():
    code = """
import contextlib, io, json, sys
from rehearse.cli import main
with contextlib.redirect_stdout(io.StringIO()) as shown:
    try:
        main(["--help"])
    except SystemExit:
        pass
print(json.dumps({"help": shown.getvalue(), "modules": sorted(sys.modules)}))
"""
    completed = run_python(code)
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout.splitlines()[-1])
    assert "check" in result["help"]  # the help really ran, with its subcommands
    loaded = {name.split(".")[0] for name in result["modules"]}
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def imports_in(path: Path) -> list[tuple[str, int, bool]]:
    """(top-level package imported, line, at module level?) for every import in a source file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    module_level = {id(node) for node in tree.body}
    # imports directly under `if TYPE_CHECKING:` / `try:` at top level also run at import time
    for node in tree.body:
        if isinstance(node, (ast.If, ast.Try)):
            module_level.update(id(child) for child in ast.walk(node))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found.extend((name.split(".")[0], node.lineno, id(node) in module_level) for name in names)
    return found


def test_only_the_tui_imports_textual_and_only_analysis_imports_mediapipe():
    offences = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        relative = path.relative_to(REPO).as_posix()
        for package, line, _module_level in imports_in(path):
            if package == "textual" and not relative.startswith("rehearse/tui/"):
                offences.append(f"{relative}:{line}: imports textual outside rehearse/tui/")
            if package == "mediapipe" and not relative.startswith("rehearse/analysis/"):
                offences.append(f"{relative}:{line}: imports mediapipe outside rehearse/analysis/ (landmark backends)")
    assert offences == []


def test_mediapipe_and_cv2_are_imported_lazily_inside_functions():
    offences = [
        f"{path.relative_to(REPO).as_posix()}:{line}: imports {package} at module level"
        for path in sorted(PACKAGE_DIR.rglob("*.py"))
        for package, line, module_level in imports_in(path)
        if package in ("mediapipe", "cv2") and module_level
    ]
    assert offences == []


def test_the_static_check_sees_imports_at_every_depth(tmp_path: Path):
    sample = tmp_path / "sample.py"
    sample.write_text("import cv2\nfrom textual.app import App\n\ndef f():\n    import mediapipe as mp\n")
    assert imports_in(sample) == [("cv2", 1, True), ("textual", 2, True), ("mediapipe", 5, False)]
