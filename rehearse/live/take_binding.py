"""A watched take bound to the production: its recording, its scene YAML entry and its rehearsal log.

`bind_live_take(project_dir, scene, "1A-4", record)` checks everything before the picture is
opened (the scene and shot exist, the take is new, the recording path is free). When the first
frame arrives (the recording has begun), `add_to_breakdown()` writes the take into the scene
YAML (comments and other bytes kept, atomically), opens a log session bound to the take and
links it to the recording with offset 0: logged times are the stream's own times, so logged
beats are the take's beat marks without a sync step. Each key is committed to SQLite as it is
pressed (`log`), so a kill loses none, and a source that never opens leaves nothing behind.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from rehearse.breakdown.models import Scene
from rehearse.breakdown.project import Project
from rehearse.errors import ConsentError, Location, RehearseError
from rehearse.store.db import Connection
from rehearse.store.rehearsal_log import LogEntry, LogSession

_TAKE_NAME = re.compile(r"^(?P<shot>[A-Za-z0-9_.]+)-(?P<number>\d+)$")


@dataclass
class LiveTake:
    """The take being recorded live and where its data goes."""

    project: Project
    scene: Scene
    shot: str
    number: int
    record: Path
    """The recording (absolute path)."""
    take_file: str
    """The recording as the scene YAML names it (relative to the production folder)."""
    connection: Connection
    session: LogSession | None = None
    """The log session, opened with the first frame (None before)."""
    added: bool = False
    """The take has been written into the scene YAML (and its log session opened)."""

    @property
    def label(self) -> str:
        return f"{self.shot}-{self.number}"

    def log(self, kind: str, t_s: float, *, beat_id: str | None = None, text: str = "") -> LogEntry:
        """Log a key at stream time `t_s` (committed before this returns)."""
        from rehearse.store.rehearsal_log import add_entry

        if self.session is None:
            raise RehearseError("not logged: waiting for the first picture", hint="press it again once it shows")
        return add_entry(self.connection, self.session.id, kind, t_s, beat_id=beat_id, text=text)

    def undo(self) -> LogEntry | None:
        from rehearse.store.rehearsal_log import undo_last

        return undo_last(self.connection, self.session.id) if self.session is not None else None

    def entries(self) -> list[LogEntry]:
        from rehearse.store.rehearsal_log import entries

        return entries(self.connection, self.session.id) if self.session is not None else []

    def beat_marks(self) -> dict[str, float]:
        """Beat id -> mark (s, stream time) logged so far, as the recorded take's beat marks will read."""
        from rehearse.store.sync import TakeSync, beat_marks_from_log

        if self.session is None:
            return {}
        return beat_marks_from_log(self.connection, TakeSync(self.session.id, self.take_file, 0.0, "manual", 1.0))

    def add_to_breakdown(self) -> None:
        """The recording has begun: write the take into its scene YAML (status `unmarked`) and
        open its log session, linked to the recording (once)."""
        if self.added:
            return
        from rehearse.breakdown.take_status import set_take_status
        from rehearse.store.rehearsal_log import start_session
        from rehearse.store.sync import link_take

        set_take_status(self.project.scene_files[self.scene.id], self.shot, self.number, "unmarked",
                        new_file=self.take_file)
        self.added = True
        self.session = start_session(self.connection, self.scene.id, f"live {self.label}", shot=self.shot,
                                     take_number=self.number, fps=self.project.production.fps)
        # The schema knows `manual` and `clap`; a live link is an offset given, not found (and exact).
        link_take(self.connection, self.session.id, self.take_file, 0.0, method="manual", confidence=1.0)

    def close(self) -> None:
        from rehearse.store.rehearsal_log import close_session

        if self.session is not None:
            close_session(self.connection, self.session.id)
        self.connection.close()


def bind_live_take(project_dir: Path | None, scene_id: str, take_as: str, record: Path | None) -> LiveTake:
    """Check and prepare a live take; one-line RehearseError when anything is wrong."""
    from rehearse.pipeline import require_project, require_scene
    from rehearse.store.db import connect

    project = require_project(project_dir)
    scene = require_scene(project, scene_id)
    refusal = watch_refusal(project, None, scene, f"take {take_as} of scene {scene.id} not watched")
    if refusal is not None:
        raise refusal
    match = _TAKE_NAME.match(take_as)
    if match is None:
        raise RehearseError(f"--take-as {take_as!r} is not a take name", hint="write it as SHOT-N, e.g. 1A-4")
    shot, number = match["shot"], int(match["number"])
    if scene.shots and scene.shot(shot) is None:
        raise RehearseError(f"scene {scene.id} has no shot {shot!r}", Location(project.scene_files.get(scene.id)),
                            hint="shots: " + ", ".join(s.id for s in scene.shots))
    taken = [t for t in scene.takes if t.shot == shot and t.number == number]
    if taken:
        used = {t.number for t in scene.takes if t.shot == shot}
        free = next(n for n in range(1, len(used) + 2) if n not in used)
        raise RehearseError(f"take {shot}-{number} is already in scene {scene.id} ({taken[0].file})",
                            Location(project.scene_files.get(scene.id)), hint=f"record it as {shot}-{free}")
    if record is None:
        record = project.root / "takes" / f"{scene.id}-{shot}-{number}.ts"
    record = record if record.is_absolute() else Path.cwd() / record
    if not record.parent.is_dir():
        record.parent.mkdir(parents=True, exist_ok=True)
    from rehearse.live.session import check_record_path

    check_record_path(record)
    root = project.root.resolve()
    resolved = record.resolve()
    take_file = os.path.relpath(resolved, root) if resolved.is_relative_to(root) else str(resolved)
    return LiveTake(project, scene, shot, number, resolved, take_file, connect(project.root))


def watch_refusal(project: Project | None, source: str | None, scene: Scene | None = None,
                  what: str | None = None) -> ConsentError | None:
    """Why SOURCE may not be watched (someone who may be on camera has not consented), or None.

    Watching analyses whoever is on camera as it plays, so it follows the rule a recorded take
    follows (`breakdown.consent`: only `consent: true` allows analysis), asked here once for the
    command, its headless mode and the app. Who may be on camera: the scene's cast when a scene
    is given; for a file that is a take of the production, that take's scene's cast (the check
    `rehearse analyze` makes); for a camera or stream in a
    production without a scene, every character of the production. Outside any production
    there is no cast to ask, as for a loose file given to `rehearse analyze`.
    """
    from rehearse.breakdown.consent import cast_refusal, scene_cast

    if project is None:
        return None
    if scene is None and source is not None and "://" not in source and not source.startswith(("/dev/", "v4l2:")):
        from rehearse.breakdown.take_files import find_take

        named = find_take(project, source)
        if named is not None:
            scene, what = named.scene, what or f"take {named.take.label} not watched"
    if scene is not None:
        cast = scene_cast(project, scene)
        what = what or f"scene {scene.id} not watched"
    else:
        cast = tuple(project.production.characters)
        what = what or f"{source} not watched (no --scene: everyone in the production may be on camera)"
    return cast_refusal(cast, project.root, what)
