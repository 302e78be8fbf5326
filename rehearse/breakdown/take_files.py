"""One way to name a take, and one rule for which take files can be read.

`find_take(project, name)` accepts whatever a user types for a take: its label (`1A-3`), its
scene and label (`01/1A-3`), its file as written in the scene (`takes/01-1A-3.mp4`), a path
relative to the current folder or to the production folder, or an absolute path.

`take_file_problem(path)` says why a path cannot be read as a take, before anything opens it:
a symlink loop, a NUL byte, a folder, a FIFO, a device (`/dev/urandom` never ends; a FIFO
blocks until someone writes) or, for a file named in a breakdown, a path outside the
production folder. Every command (`check`, `analyze`, `events` ...) asks this one function,
so they all say the same thing: "not a regular video file (...)".
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rehearse.errors import Location, VideoError

if TYPE_CHECKING:
    from rehearse.breakdown.models import Scene, Take
    from rehearse.breakdown.project import Project

NOT_REGULAR = "not a regular video file"
_STDIN_NAMES = ("/dev/stdin", "/dev/fd/", "/proc/self/fd/")


def take_file_problem(path: Path | str, production_root: Path | None = None) -> str | None:
    """Why `path` cannot be read as a video file, or None when it is a regular file.

    With `production_root`, a path that resolves outside that folder is a problem too (a
    breakdown's `file:` names a take of this production, not `/dev/urandom` or `../../x`).
    A missing file is `video file not found`.
    """
    text = str(path)
    if text == "-" or text.startswith(_STDIN_NAMES):
        return f"{NOT_REGULAR} (piped input is not supported: save the video to a file and name that)"
    if "\x00" in text:
        return f"{NOT_REGULAR} (its name holds a NUL byte)"
    try:
        info = os.stat(text)
    except FileNotFoundError:
        if os.path.islink(text):
            return f"{NOT_REGULAR} (a symlink to a missing file)"
        return "video file not found"
    except OSError as exc:
        if exc.errno is not None and exc.errno == 40:  # ELOOP
            return f"{NOT_REGULAR} (a symlink loop)"
        return f"{NOT_REGULAR} ({exc.strerror or exc})"
    except ValueError:
        return f"{NOT_REGULAR} (the name cannot be used)"
    mode = info.st_mode
    kind = (
        "a folder" if stat.S_ISDIR(mode) else
        "a FIFO (named pipe)" if stat.S_ISFIFO(mode) else
        "a character device" if stat.S_ISCHR(mode) else
        "a block device" if stat.S_ISBLK(mode) else
        "a socket" if stat.S_ISSOCK(mode) else
        None if stat.S_ISREG(mode) else "not a file"
    )
    if kind is not None:
        return f"{NOT_REGULAR} ({kind})"
    if production_root is not None and not _inside(Path(text), Path(production_root)):
        return f"{NOT_REGULAR} (it lies outside the production folder)"
    return None


def check_take_file(path: Path | str, production_root: Path | None = None) -> None:
    """Raise a one-line `VideoError` naming `path` when `take_file_problem` finds one."""
    problem = take_file_problem(path, production_root)
    if problem is None:
        return
    shown = Path(str(path).replace("\x00", "\\0"))
    if problem == "video file not found":
        raise VideoError(problem, Location(shown), hint="check the path or the take's `file:` in the breakdown")
    raise VideoError(problem, Location(shown), hint="name a video file (e.g. takes/01-1A-1.mp4)")


def _inside(path: Path, root: Path) -> bool:
    try:
        real, base = path.resolve(), root.resolve()
    except (OSError, RuntimeError, ValueError):
        return False
    return real == base or base in real.parents


@dataclass(frozen=True)
class NamedTake:
    """A take of the production found from what the user typed."""

    scene: Scene
    take: Take
    path: Path
    """The take's video file (production folder / take.file)."""


def find_take(project: Project, name: str, cwd: Path | None = None) -> NamedTake | None:
    """The take `name` stands for: `1A-3`, `01/1A-3`, its `file:`, or a path (cwd- or production-relative, or absolute).

    None when nothing matches. A label used in two scenes is a `VideoError` asking for `SCENE/LABEL`.
    """
    name = name.strip()
    if not name or "\x00" in name:
        return None
    takes = [(scene, take) for scene in project.scenes for take in scene.takes]
    scene_id, _, label = name.partition("/")
    if label and "/" not in label:
        found = [(s, t) for s, t in takes if s.id == scene_id and t.label == label]
        if found:
            return _named(project, *found[0])
    by_label = [(s, t) for s, t in takes if t.label == name]
    if len(by_label) > 1:
        scenes = ", ".join(f"{s.id}/{t.label}" for s, t in by_label)
        raise VideoError(f"take {name} is in more than one scene", Location(project.root), hint=f"name one of {scenes}")
    if by_label:
        return _named(project, *by_label[0])
    by_file = [(s, t) for s, t in takes if t.file == name]
    if by_file:
        return _named(project, *by_file[0])
    candidates = [Path(name).expanduser()]
    if not candidates[0].is_absolute():
        candidates = [Path(cwd or Path.cwd()) / name, project.root / name]
    by_path = {_real(project.take_path(t)): (s, t) for s, t in takes}
    for candidate in candidates:
        match = by_path.get(_real(candidate))
        if match is not None:
            return _named(project, *match)
    return None


def take_path_for(name: str, project: Project | None, cwd: Path | None = None) -> Path:
    """Where a typed path points: as typed when it exists (or is absolute), else under the production folder."""
    path = Path(name).expanduser()
    if path.is_absolute() or project is None:
        return path
    here = Path(cwd or Path.cwd()) / path
    if os.path.lexists(here):
        return path
    beside = project.root / path
    return beside if os.path.lexists(beside) else path


def _named(project: Project, scene: Scene, take: Take) -> NamedTake:
    return NamedTake(scene, take, project.take_path(take))


def _real(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):
        return path.absolute()
