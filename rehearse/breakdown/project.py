"""A loaded production (`Project`), the problems found while loading it, and where productions live.

A production folder holds `production.yaml` and scene files, either beside it or in `scenes/`.
Take files are relative to that folder; `breakdown/folders.py` finds it. `rehearse.yaml` beside them is user config, not a scene.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from rehearse.breakdown.folders import PRODUCTION_FILE, SCENES_FOLDER
from rehearse.breakdown.models import Character, Production, Scene, Take
from rehearse.errors import BreakdownError, Location

CONFIG_FILE = "rehearse.yaml"


@dataclass(frozen=True)
class Problem:
    """One problem found in a breakdown file, at a 1-based line and column."""

    severity: str
    """`error` (the production cannot be used) or `warning` (it can, but look)."""
    message: str
    """What is wrong and what was expected, naming the field path (e.g. `beats[2].hold.duration`)."""
    location: Location = field(default_factory=Location)
    """The file, line and column."""

    @property
    def is_error(self) -> bool:
        """True for errors, False for warnings."""
        return self.severity == "error"

    def one_line(self, relative_to: Path | None = None) -> str:
        """Compiler-style `file:line:col: severity: message`, the path relative to `relative_to` if given."""
        location = self.location
        if relative_to is not None and location.path is not None:
            location = Location(display_path(Path(location.path), relative_to), location.line, location.column)
        where = str(location)
        text = f"{where}: {self.severity}: {self.message}" if where else f"{self.severity}: {self.message}"
        # One problem per line, always: editors and grep read them that way.
        return " ".join(text.split())


def display_path(path: Path, base: Path) -> str:
    """`path` relative to `base` when it lies below it, else as given."""
    try:
        return os.path.relpath(path, base) if path.is_absolute() and path.resolve().is_relative_to(base.resolve()) else str(path)
    except (OSError, ValueError):
        return str(path)


class ProjectLoadError(BreakdownError):
    """The production has errors; the message is the first one (`rehearse check` lists them all)."""


@dataclass(frozen=True)
class Project:
    """A production loaded and cross-checked: its settings, its scenes in story order, their files."""

    root: Path
    """The production folder (holds production.yaml); take files are relative to it."""
    production: Production
    """The production file's contents."""
    scenes: tuple[Scene, ...]
    """Scenes in story order: by story day, then script order, then id."""
    scene_files: dict[str, Path]
    """Scene id -> the file it was read from."""

    def scene(self, scene_id: str) -> Scene | None:
        """The scene with this id, or None."""
        return next((s for s in self.scenes if s.id == scene_id), None)

    def take_path(self, take: Take) -> Path:
        """The take's video file (root / take.file); it may not exist yet."""
        return self.root / take.file

    def character(self, character_id: str) -> Character | None:
        """The character with this id, or None."""
        return self.production.character(character_id)

    @property
    def beat_count(self) -> int:
        """Beats across all scenes."""
        return sum(len(s.beats) for s in self.scenes)

    @property
    def take_count(self) -> int:
        """Takes across all scenes."""
        return sum(len(s.takes) for s in self.scenes)


def story_order(scenes: list[Scene], production: Production) -> tuple[Scene, ...]:
    """Scenes sorted by story day, then script order, then id; unknown days and ids go last."""
    day_index = {day.id: i for i, day in enumerate(production.story_days)}
    script_index = {scene_id: i for i, scene_id in enumerate(production.script_order)}
    last_day, last_script = len(day_index), len(script_index)
    return tuple(
        sorted(
            scenes,
            key=lambda s: (
                day_index.get(s.story_day, last_day) if s.story_day else last_day,
                script_index.get(s.id, last_script),
                s.id,
            ),
        )
    )


def scene_files_in(root: Path) -> list[Path]:
    """Scene YAML files of a production: `*.yaml`/`*.yml` beside production.yaml and in `scenes/`."""
    files: list[Path] = []
    for folder in (root, root / SCENES_FOLDER):
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if (
                path.suffix in (".yaml", ".yml")
                and path.name not in (PRODUCTION_FILE, CONFIG_FILE)
                and not path.name.startswith(".")
                and (path.is_file() or not path.is_dir())  # a FIFO or device is an error, not skipped
            ):
                files.append(path)
    return files
