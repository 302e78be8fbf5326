"""Load a production's YAML into frozen models, reporting every problem as file:line:column.

`load_project` and `load_files` never raise for the user's mistakes: they return the project
(None when there is any error) and every problem across every file, so one bad file does not
hide the others. `open_project` is the shortcut for commands that need a valid project.
"""

from __future__ import annotations

import typing
from pathlib import Path

from pydantic import BaseModel, ValidationError

from rehearse.breakdown.consent import actor_name
from rehearse.breakdown.fields import DEFAULT_FPS
from rehearse.breakdown.folders import PRODUCTION_FILE, find_production_folder
from rehearse.breakdown.models import Production, Scene
from rehearse.breakdown.project import (
    Problem,
    Project,
    ProjectLoadError,
    scene_files_in,
    story_order,
)
from rehearse.breakdown.references import FileProblems, check_scene, did_you_mean
from rehearse.breakdown.yaml_source import (
    YamlDocument,
    YamlSourceError,
    parse_yaml,
    paused_gc,
    read_text,
)
from rehearse.errors import Location

__all__ = ["load_project", "load_files", "load_scene_file", "load_production_file", "open_project"]

_WHAT_A_FILE_HOLDS = {
    Scene: "a scene mapping (id:, heading:, beats: ...)",
    Production: "a production mapping (title:, fps:, characters: ...)",
}


def open_project(root: Path) -> Project:
    """The project at `root`, or ProjectLoadError naming the first error."""
    project, problems = load_project(root)
    if project is None:
        first = next((p for p in problems if p.is_error), None)
        errors = sum(p.is_error for p in problems)
        message = first.message if first else f"cannot load the production at {root}"
        raise ProjectLoadError(
            message,
            first.location if first else Location(root),
            hint=f"{errors} error(s) in all; run `rehearse check {root}` to list them",
        )
    return project


def load_project(root: Path) -> tuple[Project | None, list[Problem]]:
    """Load the production at or above `root` (`find_production_folder`): production.yaml and every scene file."""
    root = Path(root)
    found = find_production_folder(root)
    if found is None:
        hint = "create it with title: and characters:" if root.is_dir() else "no such folder"
        return None, [Problem("error", f"no {PRODUCTION_FILE} in this folder ({hint})", Location(root))]
    return _load(found, found / PRODUCTION_FILE, scene_files_in(found), whole_production=True)


def load_files(paths: list[Path], production_root: Path | None = None) -> tuple[Project | None, list[Problem]]:
    """Load and check just these files; production.yaml is taken from `production_root` or found beside them.

    A folder among `paths` stands for every scene file of that production.
    """
    paths = [Path(p) for p in paths]
    if production_root is None:
        production_root = _guess_root(paths)
    scene_paths: list[Path] = []
    for path in paths:
        if path.is_dir():
            root = find_production_folder(path) or path
            scene_paths.extend(scene_files_in(root))
        elif path.name != PRODUCTION_FILE:
            scene_paths.append(path)
    if production_root is None:
        problems = [
            Problem(
                "warning",
                f"no {PRODUCTION_FILE} found beside these files; characters and story days are not "
                f"checked and timecode uses {DEFAULT_FPS:g} fps",
                Location(paths[0] if paths else None),
            )
        ]
        for path in scene_paths:
            problems.extend(load_scene_file(path, None)[1])
        return None, problems
    return _load(production_root, production_root / PRODUCTION_FILE, scene_paths)


def load_production_file(path: Path) -> tuple[Production | None, list[Problem]]:
    """Read and validate production.yaml."""
    document, report = _read(path)
    if document is None:
        return None, report.problems
    production = _validate(Production, document, report, {})
    if production is not None:
        for section in ("characters", "story_days"):
            seen: set[str] = set()
            for i, item in enumerate(getattr(production, section)):
                if item.id in seen:
                    report.error((section, i, "id"), f"id {item.id!r} is used twice")
                seen.add(item.id)
    if report.problems:
        return None, report.problems
    if production is not None:
        # A warning: the production loads, but this actor's takes are refused analysis. An
        # explicit `consent: false` is the user's decision and needs no reminder.
        for i, character in enumerate(production.characters):
            if character.consent is None:
                report.warning(
                    ("characters", i),
                    f"{actor_name(character)} has no `consent:`, which means not given: their "
                    "takes are not analysed until you set `consent: true` (once the actor agrees)",
                )
    return production, report.problems


def load_scene_file(
    path: Path, production: Production | None, production_root: Path | None = None
) -> tuple[Scene | None, list[Problem]]:
    """Read one scene file, validate it with the production's fps and check its cross-references.

    Take files are looked for under `production_root` when it is given.
    """
    document, report = _read(path)
    if document is None:
        return None, report.problems
    fps = production.fps if production is not None else DEFAULT_FPS
    scene = _validate(Scene, document, report, {"fps": fps})
    if scene is None:
        return None, report.problems
    check_scene(scene, report, production, production_root)
    report.problems.sort(key=lambda p: (p.location.line or 0, p.location.column or 0))
    has_errors = any(p.is_error for p in report.problems)
    return (None if has_errors else scene), report.problems


def _load(
    root: Path, production_path: Path, scene_paths: list[Path], *, whole_production: bool = False
) -> tuple[Project | None, list[Problem]]:
    with paused_gc():
        return _load_files(root, production_path, scene_paths, whole_production)


def _load_files(
    root: Path, production_path: Path, scene_paths: list[Path], whole_production: bool
) -> tuple[Project | None, list[Problem]]:
    production, problems = load_production_file(production_path)
    scenes: list[Scene] = []
    scene_files: dict[str, Path] = {}
    for path in scene_paths:
        scene, scene_problems = load_scene_file(path, production, root)
        problems.extend(scene_problems)
        if scene is None:
            continue
        if scene.id in scene_files:
            report = FileProblems(path, _reparse_root(path))
            report.error(("id",), f"scene id {scene.id!r} is also used by {scene_files[scene.id]}; give each scene its own id")
            problems.extend(report.problems)
            continue
        scenes.append(scene)
        scene_files[scene.id] = path
    if production is not None and whole_production:
        scene_ids = sorted(scene_files)
        for i, scene_id in enumerate(production.script_order):
            if scene_id not in scene_files:
                report = FileProblems(production_path, _reparse_root(production_path))
                report.warning(("script_order", i), f"no scene {scene_id!r} was loaded" + did_you_mean(scene_id, scene_ids, "scenes"))
                problems.extend(report.problems)
        if not scene_paths:
            problems.append(Problem("warning", f"no scene files beside {PRODUCTION_FILE} or in scenes/", Location(root)))
    if production is None or any(p.is_error for p in problems):
        return None, problems
    return Project(root, production, story_order(scenes, production), scene_files), problems


def _guess_root(paths: list[Path]) -> Path | None:
    for path in paths:
        root = find_production_folder(path if path.is_dir() else path.parent)
        if root is not None:
            return root
    return None


def _reparse_root(path: Path):
    # Only for the rare cross-file problem: the first parse's nodes were not kept.
    try:
        return parse_yaml(read_text(path)).root
    except (OSError, YamlSourceError):
        return None


def _read(path: Path) -> tuple[YamlDocument | None, FileProblems]:
    report = FileProblems(path, None)
    try:
        document = parse_yaml(read_text(path))
    except FileNotFoundError:
        report.problems.append(Problem("error", "file not found", Location(path)))
        return None, report
    except IsADirectoryError:
        report.problems.append(Problem("error", "is a folder, expected a YAML file", Location(path)))
        return None, report
    except OSError as error:
        report.problems.append(Problem("error", f"cannot read the file: {error.strerror}", Location(path)))
        return None, report
    except YamlSourceError as error:
        report.problems.append(Problem("error", error.message, Location(path, error.line, error.column)))
        return None, report
    report.root = document.root
    return document, report


def _validate(model: type[BaseModel], document: YamlDocument, report: FileProblems, context: dict):
    expected = _WHAT_A_FILE_HOLDS[model]
    if document.data is None:
        report.problems.append(Problem("error", f"file is empty; expected {expected}", Location(report.path, 1, 1)))
        return None
    if not isinstance(document.data, dict):
        report.error((), f"expected {expected}, got {_kind(document.data)}")
        return None
    try:
        return model.model_validate(document.data, context=context)
    except ValidationError as error:
        for detail in error.errors(include_url=False):
            _report_validation_error(model, detail, report)
        # pydantic reports in field order; a reader goes down the file
        report.problems.sort(key=lambda p: (p.location.line or 0, p.location.column or 0))
        return None


def _report_validation_error(model: type[BaseModel], detail: dict, report: FileProblems) -> None:
    loc = tuple(detail["loc"])
    kind = detail["type"]
    if kind == "extra_forbidden":
        valid = list(_fields_at(model, loc[:-1]))
        key = loc[-1]
        report.error(loc, f"unknown key {key!r}" + did_you_mean(key, valid, "valid keys"), at_key=True)
        return
    if kind == "missing":
        report.error(loc[:-1], f"missing required key {loc[-1]!r}")
        return
    if loc and loc[-1] == "[key]":
        report.error(loc[:-1], f"key {loc[-2]!r}: {_expected(detail)}", at_key=True)
        return
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        keys = _fields_at(model, loc)
        with_keys = f" with keys {', '.join(keys)}" if keys else ""
        report.error(loc, f"expected a mapping{with_keys}, got {_shown(detail.get('input'))}")
        return
    if kind == "list_type":
        report.error(loc, f"expected a list (`- item` lines or [a, b]), got {_shown(detail.get('input'))}")
        return
    report.error(loc, _expected(detail))


def _expected(detail: dict) -> str:
    message = detail["msg"]
    if detail["type"] == "string_pattern_mismatch" and detail.get("ctx", {}).get("pattern", "").startswith("^[A-Za-z0-9]"):
        message = "Input should be an id: letters, digits, '_', '.' or '-', starting with a letter or digit"
    if message.startswith("Value error, "):
        return message.removeprefix("Value error, ")
    if message.startswith("Input should be "):
        message = "expected " + message.removeprefix("Input should be ")
        if message.startswith(("expected less", "expected greater")):
            message = message.replace("expected ", "expected a value ", 1)
    elif message.startswith("String should "):
        message = "expected a text that should " + message.removeprefix("String should ")
    return f"{message}, got {_shown(detail.get('input'))}"


def _shown(value: object) -> str:
    shown = repr(value) if not isinstance(value, (dict, list)) else _kind(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _kind(value: object) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"


def _fields_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """Field names of the model found by following `loc` from `model` (empty if none)."""
    kind: object = model
    for element in loc:
        kind = _unwrap(kind)
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            if element not in kind.model_fields:
                continue  # pydantic's own loc parts (union member names)
            kind = kind.model_fields[element].annotation
        elif typing.get_origin(kind) is list and isinstance(element, int):
            kind = typing.get_args(kind)[0]
        elif typing.get_origin(kind) is dict:
            kind = typing.get_args(kind)[1]
    kind = _unwrap(kind)
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return list(kind.model_fields)
    return []


def _unwrap(kind: object) -> object:
    while True:
        origin = typing.get_origin(kind)
        if origin is typing.Annotated:
            kind = typing.get_args(kind)[0]
        elif origin is typing.Union or type(kind).__name__ == "UnionType":
            members = [k for k in typing.get_args(kind) if k is not type(None)]
            if len(members) != 1:
                return kind
            kind = members[0]
        else:
            return kind
