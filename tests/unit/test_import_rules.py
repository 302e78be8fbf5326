"""The import rules: the layer table, where sqlite3/SQL, rich/textual and cv2/mediapipe may live,
and that `--help` and the core pay for none of textual, mediapipe, cv2.

`LAYERS` is ARCHITECTURE.md's table (and YAML is read only by `breakdown/yaml_source.py`): a module imports only from its own layer or the layers
below, counting imports under `TYPE_CHECKING` and lazy ones inside functions (read with `ast`,
relative imports resolved). `rule_violations` checks a tree of sources, so the same finder runs
on the real package and on small fake trees that show each rule fails when broken. Core
modules are discovered from the source tree, so a new module is covered the day it is added
(and one missing from the table is itself a violation).
"""

from __future__ import annotations

import ast
import json
import os
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

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


# -- the layer table ----------------------------------------------------------------------------

LAYERS: dict[str, int] = {
    # 0 base: errors, settings sections (leaf modules) and config, which loads them through the
    # hardened YAML reader (a leaf too); small leaves anything may use.
    "": 0, "errors": 0, "config": 0, "native_stderr": 0, "parent_watch": 0,
    "breakdown.yaml_source": 0, "analysis.settings": 0, "analysis.event_settings": 0,
    "continuity.settings": 0, "profiles.settings": 0,
    "analysis.model_files": 0,  # where the model file is: its hash is part of the analysis settings' key
    # 1 inputs
    "breakdown": 1, "video": 1, "store": 1,
    # 2 measure
    "analysis": 2,
    # 3 compare
    "continuity": 3, "profiles": 3,
    # 4 flow: plan, analyse (here or on a Dask scheduler), events, scene results, drift
    "pipeline": 4, "scene_results": 4, "worker_pool": 4, "batch_plan": 4, "cluster": 4, "live": 4,
    # 5 outputs
    "report": 5, "export": 5, "render": 5,
    # 6 faces
    "commands": 6, "cli": 6, "tui": 6, "__main__": 6,
}
SQL_HOME = ("store",)
TERMINAL_HOME = ("commands", "tui", "cli")
TERMINAL_PACKAGES = {"rich", "textual", "textual_image"}
VISION_HOME = ("video", "analysis")
VISION_PACKAGES = {"cv2", "mediapipe"}
YAML_READER = "breakdown.yaml_source"
YAML_LOADERS = {"safe_load", "load", "full_load", "unsafe_load", "compose", "safe_load_all", "load_all"}
SQL = re.compile(r"\b(SELECT\s.+\sFROM|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM"
                 r"|CREATE\s+(TABLE|INDEX)|DROP\s+TABLE|PRAGMA\s+\w+)", re.S)


def layer_of(module: str) -> int | None:
    """The layer of `rehearse.x.y` by the longest entry of `LAYERS` that names it or a package of it."""
    name = module.removeprefix("rehearse").removeprefix(".")
    parts = name.split(".") if name else []
    for end in range(len(parts), -1, -1):
        key = ".".join(parts[:end])
        if key in LAYERS and (key or not parts):
            return LAYERS[key]
    return None


def _within(module: str, homes: tuple[str, ...]) -> bool:
    name = module.removeprefix("rehearse.")
    return any(name == home or name.startswith(home + ".") for home in homes)


def _module_level_nodes(tree: ast.Module) -> set[int]:
    """Nodes that run at import time: the module body, and what sits in its top-level if/try/with."""
    found = {id(node) for node in tree.body}
    for node in tree.body:
        if isinstance(node, (ast.If, ast.Try, ast.With)):
            found.update(id(child) for child in ast.walk(node))
    return found


def _imported(node: ast.AST, module: str, is_package: bool, known: set[str]) -> list[str]:
    """Full names of the modules an import statement imports (relative ones resolved)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level:
        package = module.split(".") if is_package else module.split(".")[:-1]
        base = ".".join(package[: len(package) - node.level + 1])
        source = f"{base}.{node.module}" if node.module else base
    else:
        source = node.module or ""
    # `from rehearse import pipeline` imports the module rehearse.pipeline
    return [f"{source}.{alias.name}" if f"{source}.{alias.name}" in known else source for alias in node.names]


def rule_violations(sources: dict[str, str]) -> list[str]:
    """Every broken import rule in a tree of sources (path relative to the repo -> text)."""
    modules = {}
    for path, text in sources.items():
        parts = path.removesuffix(".py").split("/")
        is_package = parts[-1] == "__init__"
        modules[".".join(parts[:-1] if is_package else parts)] = (path, text, is_package)
    known = set(modules)
    found = []
    for module, (path, text, is_package) in sorted(modules.items()):
        layer = layer_of(module)
        if layer is None:
            found.append(f"{path}: not in the layer table (add it to LAYERS and ARCHITECTURE.md)")
            continue
        tree = ast.parse(text, filename=path)
        module_level = _module_level_nodes(tree)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in YAML_LOADERS
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "yaml"
                    and not _within(module, (YAML_READER,))):
                found.append(f"{path}:{node.lineno}: YAML read outside the hardened reader (breakdown/yaml_source.py)")
            if (isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value)
                    and not _within(module, SQL_HOME)):
                found.append(f"{path}:{node.lineno}: SQL outside store/")
            for name in _imported(node, module, is_package, known):
                top = name.split(".")[0]
                where = f"{path}:{node.lineno}"
                if top == "rehearse":
                    target = layer_of(name)
                    if target is not None and target > layer:
                        found.append(f"{where}: layer {layer} imports {name} (layer {target})")
                elif top == "sqlite3" and not _within(module, SQL_HOME):
                    found.append(f"{where}: sqlite3 outside store/")
                elif top in TERMINAL_PACKAGES and not _within(module, TERMINAL_HOME):
                    found.append(f"{where}: {top} outside commands/, tui/ and cli.py")
                elif top in VISION_PACKAGES:
                    if not _within(module, VISION_HOME):
                        found.append(f"{where}: {top} outside video/ and analysis/")
                    if id(node) in module_level:
                        found.append(f"{where}: {top} imported at module level (import it inside the function)")
    return found


def package_sources() -> dict[str, str]:
    return {path.relative_to(REPO).as_posix(): path.read_text(encoding="utf-8")
            for path in sorted(PACKAGE_DIR.rglob("*.py"))}


def test_the_package_keeps_every_import_rule():
    assert rule_violations(package_sources()) == []


FAKE_BASE = {
    "rehearse/__init__.py": "",
    "rehearse/config.py": "from rehearse.analysis.settings import AnalysisSettings\n",
    "rehearse/analysis/__init__.py": "",
    "rehearse/analysis/settings.py": "from rehearse.errors import RehearseError\n",
    "rehearse/analysis/take.py": "from rehearse.config import Settings\nfrom rehearse.video.frames import iter_frames\n",
    "rehearse/analysis/landmarks.py": "def run():\n    import mediapipe as mp\n",
    "rehearse/video/__init__.py": "",
    "rehearse/video/frames.py": "def f():\n    import cv2\n",
    "rehearse/store/__init__.py": "",
    "rehearse/store/db.py": "import sqlite3\nQUERY = 'SELECT take_file FROM neutral_mark'\n",
    "rehearse/continuity/__init__.py": "",
    "rehearse/continuity/drift.py": "from rehearse.analysis.take import analyze_take\n",
    "rehearse/profiles/__init__.py": "",
    "rehearse/profiles/text.py": "def sparkline(values):\n    return ''\n",
    "rehearse/pipeline.py": "from rehearse.continuity.drift import drift_for_scene\n",
    "rehearse/scene_results.py": "from rehearse import pipeline\n",
    "rehearse/report/__init__.py": "",
    "rehearse/report/images.py": "from rehearse.video.frames import iter_frames\n",
    "rehearse/commands/__init__.py": "",
    "rehearse/commands/actor.py": "from rich.console import Console\nfrom rehearse.scene_results import x\n",
    "rehearse/errors.py": "",
}


def test_loading_settings_runs_only_the_base_layer():
    """The static table counts a module's own imports; Python also runs every package
    `__init__` on the way to a leaf. Importing config (and so every settings section) must load
    no module above layer 0, or a settings leaf inside a heavy package would drag its detectors
    (and any cycle back to config) in with it."""
    code = (
        "import json, sys; import rehearse.config; "
        "print(json.dumps(sorted(m for m in sys.modules if m == 'rehearse' or m.startswith('rehearse.'))))"
    )
    completed = run_python(code)
    assert completed.returncode == 0, completed.stderr
    loaded = json.loads(completed.stdout.splitlines()[-1])
    above = [m for m in loaded if (layer_of(m) or 0) > 0 and not _package_of_a_leaf(m)]
    assert above == [], above


def _package_of_a_leaf(module: str) -> bool:
    """`rehearse.analysis` itself is run on the way to `rehearse.analysis.settings`: allowed
    when the package's `__init__` imports nothing (a docstring, `__all__`)."""
    path = PACKAGE_DIR.joinpath(*module.split(".")[1:], "__init__.py")
    return path.exists() and not imports_in(path)


def test_the_fake_base_tree_keeps_the_rules():
    assert rule_violations(FAKE_BASE) == []


@pytest.mark.parametrize("path, text, expected", [
    # continuity calling back up to the flow layer, three ways
    ("rehearse/continuity/drift.py", "from rehearse.scene_results import SceneResults\n",
     "layer 3 imports rehearse.scene_results (layer 4)"),
    ("rehearse/continuity/drift.py", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
     "    from rehearse.pipeline import TakeTarget\n", "layer 3 imports rehearse.pipeline (layer 4)"),
    ("rehearse/continuity/drift.py", "def f():\n    from ..pipeline import analyze_one\n",
     "layer 3 imports rehearse.pipeline (layer 4)"),
    ("rehearse/profiles/collect.py", "def f():\n    from rehearse import scene_results\n",
     "layer 3 imports rehearse.scene_results (layer 4)"),
    # config importing the analysis backends (the old cycle)
    ("rehearse/config.py", "from rehearse.analysis.landmarks import LandmarkSettings\n",
     "layer 0 imports rehearse.analysis.landmarks (layer 2)"),
    ("rehearse/analysis/settings.py", "def f():\n    from rehearse.analysis.take import x\n",
     "layer 0 imports rehearse.analysis.take (layer 2)"),
    # SQL and sqlite3 outside store/
    ("rehearse/profiles/data.py", "import sqlite3\n", "sqlite3 outside store/"),
    ("rehearse/profiles/calibration.py", "def f(c):\n    c.execute('SELECT take_file, start_s FROM neutral_mark')\n",
     "SQL outside store/"),
    ("rehearse/profiles/data.py", "def f(c):\n    c.execute('DELETE FROM log_entry WHERE id = ?', (1,))\n",
     "SQL outside store/"),
    # printing with rich or drawing with textual outside the faces
    ("rehearse/profiles/text.py", "def show():\n    from rich.console import Console\n",
     "rich outside commands/, tui/ and cli.py"),
    ("rehearse/pipeline.py", "from textual.message import Message\n", "textual outside commands/, tui/ and cli.py"),
    ("rehearse/report/images.py", "def f():\n    from textual_image.renderable import Image\n",
     "textual_image outside commands/, tui/ and cli.py"),
    # cv2 / mediapipe: only in video/ and analysis/, and only lazily
    ("rehearse/report/images.py", "def f():\n    import cv2\n", "cv2 outside video/ and analysis/"),
    ("rehearse/video/frames.py", "import cv2\n", "cv2 imported at module level"),
    ("rehearse/analysis/landmarks.py", "import mediapipe as mp\n", "mediapipe imported at module level"),
    ("rehearse/tui/app.py", "def f():\n    import mediapipe\n", "mediapipe outside video/ and analysis/"),
    # every YAML file through the one hardened reader
    ("rehearse/config.py", "import yaml\ndef read(text):\n    return yaml.safe_load(text)\n",
     "YAML read outside the hardened reader"),
    # a module nobody placed in the table
    ("rehearse/newthing.py", "", "not in the layer table"),
])
def test_each_rule_fails_when_broken(path, text, expected):
    tree = {**FAKE_BASE, "rehearse/tui/__init__.py": "", path: text}
    found = rule_violations(tree)
    assert any(expected in line and line.startswith(path) for line in found), found
