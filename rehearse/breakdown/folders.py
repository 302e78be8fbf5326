"""Where a production lives: the one rule every command and the app use to find its folder.

A production folder holds `production.yaml`, either directly or in its `scenes/` subfolder (the
repository's layout). `find_production_folder` starts at a folder (default: the current one)
and walks up its parents, like git looks for `.git`, so `rehearse analyze`, `rehearse open` and
every other command find the same production from any subfolder of it (e.g. `takes/`).

Only `pathlib` here: the terminal app calls this before its first frame and must not wait for
the breakdown models to be built.
"""

from __future__ import annotations

from pathlib import Path

PRODUCTION_FILE = "production.yaml"
SCENES_FOLDER = "scenes"


def production_folder_at(path: Path) -> Path | None:
    """The production folder at exactly `path` or `path/scenes` (a file: its folder), or None.

    For a folder the user named (`--project DIR`, `rehearse check DIR`): no walking up.
    """
    path = Path(path)
    if path.is_file():
        path = path.parent
    for candidate in (path, path / SCENES_FOLDER):
        if (candidate / PRODUCTION_FILE).is_file():
            return candidate
    return None


def find_production_folder(start: Path | None = None) -> Path | None:
    """The production folder at `start` (default: cwd) or the nearest parent, or None.

    Each folder on the way up is checked with `production_folder_at`, so from inside a
    production's `takes/` the production is found, and from a repository holding the sample in
    `scenes/` the sample is found.
    """
    start = Path.cwd() if start is None else Path(start)
    if start.is_file():
        start = start.parent
    try:
        start = start.resolve()
    except OSError:
        start = start.absolute()
    for folder in (start, *start.parents):
        found = production_folder_at(folder)
        if found is not None:
            return found
    return None


def bundled_sample_production() -> Path:
    """The sample production shipped in the repository (`scenes/`)."""
    import rehearse

    return Path(rehearse.__file__).resolve().parent.parent / SCENES_FOLDER
