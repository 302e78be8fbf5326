"""What is stored about each actor, and forgetting it: cache entries, stills, reports and database rows.

Everything rehearse keeps stays on this machine: the production's `.rehearse/` folder (the
analysis cache, the SQLite database, and any stills or reports written there) and the
configured or user cache folder. An actor's data is everything derived from the takes on their
character (the shot's subject, else the scene's first character) plus anything that names them:

- cache entries (`<content hash>-...npz/.json`) whose content hash or recorded video path is one
  of their takes', and temp files of those entries;
- other files under `.rehearse/` (stills, reports) whose name carries a take's file stem, a
  content hash or the actor's name, or whose text names the actor;
- database rows: neutral marks and log-to-take syncs of their take files, and rehearsal-log
  entries or sessions whose text names the actor.

`forget_actor` deletes all of it, then checkpoints the WAL and vacuums the database with
`secure_delete` on, so deleted rows do not linger in free pages or the journal. The take videos
themselves and the scene YAML are the production's own material and are never touched.
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from rehearse.profiles.collect import actor_takes
from rehearse.store.actor_rows import StoredRow

TEXT_SUFFIXES = {".html", ".htm", ".md", ".csv", ".json", ".txt", ".otio", ".edl", ".ale", ".eaf", ".xml", ".yaml"}
STILL_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".gif", ".svg"}
DATABASE_NAMES = {"rehearse.db", "rehearse.db-wal", "rehearse.db-shm", "rehearse.db-journal"}


@dataclass(frozen=True)
class StoredFile:
    """A file derived from the actor's takes or naming them."""

    kind: str
    """`landmark cache`, `still`, `report` or `file`."""
    path: Path
    size_bytes: int


@dataclass
class ActorData:
    """Everything stored about one actor."""

    actor: str
    character: str
    consent: bool | None
    takes: list[str] = field(default_factory=list)
    """Labels of the takes on the actor's character."""
    recorded: int = 0
    """How many of those takes have a video file."""
    files: list[StoredFile] = field(default_factory=list)
    rows: list[StoredRow] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(1 for f in self.files if f.kind == kind)

    @property
    def size_bytes(self) -> int:
        return sum(f.size_bytes for f in self.files)

    def json_row(self) -> dict:
        """JSON-able form (`rehearse actor list --json`)."""
        return {
            "actor": self.actor, "character": self.character, "consent": self.consent,
            "takes": len(self.takes), "recorded": self.recorded,
            "landmark_caches": self.count("landmark cache"), "stills": self.count("still"),
            "reports": self.count("report"), "other_files": self.count("file"), "bytes": self.size_bytes,
            "database_rows": len(self.rows),
            "files": [str(f.path) for f in self.files],
            "rows": [{"table": r.table, "key": r.key, "what": r.what} for r in self.rows],
        }


def name_pattern(actor: str) -> re.Pattern:
    """The actor's full name, or any part of it of 3+ letters, as a whole word (case-insensitive)."""
    parts = [actor.strip()] + [p for p in re.split(r"\s+", actor.strip()) if len(p) >= 3]
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(p) for p in parts if p) + r")(?!\w)", re.IGNORECASE)


def _cache_folders(project, paths: list[Path], settings) -> list[Path]:
    from rehearse.analysis.cache import cache_dir_for, user_cache_dir

    configured = getattr(settings, "cache_dir", None) if settings is not None else None
    folders = {project.root / ".rehearse" / "cache", user_cache_dir()}
    folders |= {cache_dir_for(path, configured) for path in paths}
    return sorted(f for f in folders if f.is_dir())


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return path.absolute()


def actor_data(project, character, settings=None) -> ActorData:
    """What is stored about the actor playing `character`."""
    from rehearse.analysis.cache import content_hash

    pairs = actor_takes(project, character.id)
    data = ActorData(character.actor, character.id, character.consent, [t.label for _, t in pairs])
    paths = [project.take_path(take) for _, take in pairs]
    data.recorded = sum(1 for p in paths if p.is_file())
    hashes = set()
    for path in paths:
        with contextlib.suppress(OSError):
            if path.is_file():
                hashes.add(content_hash(path))
    resolved = {_resolved(p) for p in paths}
    stems = {Path(take.file).stem for _, take in pairs}
    names = name_pattern(character.actor)
    seen: set[Path] = set()
    for folder in _cache_folders(project, paths, settings):
        for entry in sorted(folder.iterdir()):
            if entry.is_file() and _cache_entry_matches(entry, hashes, resolved):
                seen.add(entry)
                data.files.append(StoredFile("landmark cache", entry, entry.stat().st_size))
    state = project.root / ".rehearse"
    if state.is_dir():
        for path in sorted(p for p in state.rglob("*") if p.is_file()):
            if path in seen or path.name in DATABASE_NAMES or (state / "cache") in path.parents:
                continue
            if _other_file_matches(path, stems, hashes, names):
                kind = "still" if path.suffix.lower() in STILL_SUFFIXES else (
                    "report" if path.suffix.lower() in TEXT_SUFFIXES else "file")
                data.files.append(StoredFile(kind, path, path.stat().st_size))
    data.rows = _rows(project, [take.file for _, take in pairs], names)
    return data


def _cache_entry_matches(entry: Path, hashes: set[str], resolved: set[Path]) -> bool:
    name = entry.name.removeprefix(".tmp-")
    if any(name.startswith(h) for h in hashes):
        return True
    if entry.suffix == ".json":
        with contextlib.suppress(OSError, ValueError):
            meta = json.loads(entry.read_text(encoding="utf-8"))
            return meta.get("content_hash") in hashes or _resolved(Path(meta.get("video_path", ""))) in resolved
    if entry.suffix == ".npz":
        sibling = entry.with_suffix(".json")
        return sibling.is_file() and _cache_entry_matches(sibling, hashes, resolved)
    return False


def _other_file_matches(path: Path, stems: set[str], hashes: set[str], names: re.Pattern) -> bool:
    if any(s and s in path.name for s in stems | hashes) or names.search(path.name.replace("_", " ").replace("-", " ")):
        return True
    if path.suffix.lower() in TEXT_SUFFIXES:
        with contextlib.suppress(OSError):
            text = path.read_bytes()[:50_000_000].decode("utf-8", "replace")
            return bool(names.search(text)) or any(h and h in text for h in hashes | stems)
    return False


def _rows(project, take_files: list[str], names: re.Pattern) -> list[StoredRow]:
    from rehearse.store.actor_rows import actor_rows

    return actor_rows(project.root, take_files, names)


def forget_actor(project, character, settings=None) -> ActorData:
    """Delete every file and row `actor_data` finds; returns what was removed."""
    from rehearse.store.actor_rows import delete_rows

    data = actor_data(project, character, settings)
    for stored in data.files:
        with contextlib.suppress(FileNotFoundError):
            stored.path.unlink()
    delete_rows(project.root, data.rows)
    return data
