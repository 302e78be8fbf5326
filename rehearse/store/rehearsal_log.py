"""Rehearsal logs: sessions, one entry per key, a resumable clock, undo, and exports.

A session is one run-through of one take: scene, shot and take number, with the camera's
timecode read at a known wall-clock instant (so every key press has a camera timecode too).
Leaving the log on purpose closes the session; a session left open was interrupted (a crash)
and is resumed. Every write is its own committed transaction, so an entry exists on disk before the screen
acknowledges it. The session clock is kept as start/pause wall-clock events, so after a crash
the clock is rebuilt exactly (a running clock keeps running through the crash: the rehearsal
on the floor did not stop while the laptop rebooted).
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone

from rehearse.breakdown.timecode import parse_seconds, to_timecode
from rehearse.store.db import write_transaction

# kind -> what it means on the log; the keys of the log screen map onto these.
ENTRY_KINDS: dict[str, str] = {
    "beat": "next beat",
    "hold_start": "hold starts",
    "hold_stop": "hold ends",
    "hesitation": "hesitation",
    "gesture": "tracked gesture (text = gesture id)",
    "flub": "flub",
    "false_start": "false start",
    "continuity": "continuity issue",
    "note": "free text note",
    "circle": "take circled",
    "ng": "take marked NG",
    "sync": "clap / slate (sync point)",
}


@dataclass(frozen=True)
class LogEntry:
    """One logged key press."""

    id: int
    session_id: int
    t_s: float
    beat_id: str | None
    kind: str
    text: str
    created_at: str
    undone: bool
    wall_s: float | None = None
    """time.time() of the key press (a note keeps the instant its key opened it)."""


@dataclass(frozen=True)
class LogSession:
    """One run-through logged for one scene, bound to a take (shot + number) when known."""

    id: int
    scene_id: str
    label: str
    created_at: str
    closed_at: str | None
    shot: str | None = None
    take_number: int | None = None
    timecode: str | None = None
    """Camera timecode `HH:MM:SS:FF` read at `timecode_wall_s`."""
    timecode_wall_s: float | None = None
    timecode_fps: float | None = None

    @property
    def take_label(self) -> str | None:
        """`1A-4`, as slated, when the session is bound to a take."""
        return f"{self.shot}-{self.take_number}" if self.shot and self.take_number else None

    def timecode_at(self, wall_s: float) -> str | None:
        """The camera timecode at a wall-clock instant (the camera's clock runs free)."""
        if not self.timecode or self.timecode_wall_s is None or not self.timecode_fps:
            return None
        start = parse_seconds(self.timecode, self.timecode_fps)
        return to_timecode((start + wall_s - self.timecode_wall_s) % 86_400, self.timecode_fps)


def time_of_day_timecode(fps: float, wall_s: float | None = None) -> str:
    """The local time of day as timecode: what a camera in free-run time-of-day mode shows."""
    moment = datetime.fromtimestamp(time.time() if wall_s is None else wall_s)
    seconds = moment.hour * 3600 + moment.minute * 60 + moment.second + moment.microsecond / 1e6
    return to_timecode(seconds, fps)


def _now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def start_session(
    connection: sqlite3.Connection,
    scene_id: str,
    label: str = "",
    *,
    shot: str | None = None,
    take_number: int | None = None,
    timecode: str | None = None,
    timecode_wall_s: float | None = None,
    fps: float | None = None,
) -> LogSession:
    """Open a new session for a scene, bound to a take when `shot` and `take_number` are given."""
    with write_transaction(connection):
        cursor = connection.execute(
            "INSERT INTO log_session (scene_id, label, created_at, shot, take_number, timecode,"
            " timecode_wall_s, timecode_fps) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (scene_id, label, _now_iso(), shot, take_number, timecode, timecode_wall_s, fps),
        )
    return get_session(connection, int(cursor.lastrowid))


def bind_take(
    connection: sqlite3.Connection,
    session_id: int,
    shot: str | None,
    take_number: int | None,
    timecode: str | None = None,
    timecode_wall_s: float | None = None,
    fps: float | None = None,
) -> LogSession:
    """(Re)bind a session to a take and the camera's timecode (the slate was read differently)."""
    with write_transaction(connection):
        connection.execute(
            "UPDATE log_session SET shot = ?, take_number = ?, timecode = ?, timecode_wall_s = ?,"
            " timecode_fps = ? WHERE id = ?",
            (shot, take_number, timecode, timecode_wall_s, fps, session_id),
        )
    return get_session(connection, session_id)


def next_take_number(connection: sqlite3.Connection, scene_id: str, shot: str, known_numbers=()) -> int:
    """The take number to offer for a shot: one past the breakdown's takes and the logged ones."""
    row = connection.execute(
        "SELECT MAX(take_number) FROM log_session WHERE scene_id = ? AND shot = ?", (scene_id, shot)
    ).fetchone()
    logged = int(row[0] or 0)
    return max([logged, *[int(n) for n in known_numbers]]) + 1


def get_session(connection: sqlite3.Connection, session_id: int) -> LogSession:
    row = connection.execute("SELECT * FROM log_session WHERE id = ?", (session_id,)).fetchone()
    if row is None:
        raise KeyError(session_id)
    return LogSession(**dict(row))


def open_sessions(connection: sqlite3.Connection, scene_id: str) -> list[LogSession]:
    """Sessions of a scene not ended on purpose, newest first (the one to resume after a crash)."""
    rows = connection.execute(
        "SELECT * FROM log_session WHERE scene_id = ? AND closed_at IS NULL ORDER BY id DESC",
        (scene_id,),
    ).fetchall()
    return [LogSession(**dict(row)) for row in rows]


def sessions_for_scene(connection: sqlite3.Connection, scene_id: str) -> list[LogSession]:
    """All sessions of a scene, oldest first."""
    rows = connection.execute(
        "SELECT * FROM log_session WHERE scene_id = ? ORDER BY id", (scene_id,)
    ).fetchall()
    return [LogSession(**dict(row)) for row in rows]


def all_sessions(connection: sqlite3.Connection) -> list[LogSession]:
    """Every session of every scene, oldest first (the day's report picks its day's)."""
    return [LogSession(**dict(row)) for row in connection.execute("SELECT * FROM log_session ORDER BY id")]


def resume_or_start(connection: sqlite3.Connection, scene_id: str) -> tuple[LogSession, bool]:
    """The newest open session of the scene (resumed=True), or a new one."""
    existing = open_sessions(connection, scene_id)
    if existing:
        return existing[0], True
    return start_session(connection, scene_id), False


def close_session(connection: sqlite3.Connection, session_id: int) -> None:
    with write_transaction(connection):
        connection.execute(
            "UPDATE log_session SET closed_at = ? WHERE id = ?", (_now_iso(), session_id)
        )


# --- the session clock -----------------------------------------------------------------------


def clock_event(connection: sqlite3.Connection, session_id: int, kind: str, wall_s: float | None = None) -> None:
    """Record that the clock started or paused (ignored when it is already in that state)."""
    with write_transaction(connection):
        last = connection.execute(
            "SELECT kind FROM clock_event WHERE session_id = ? ORDER BY id DESC LIMIT 1",
            (session_id,),
        ).fetchone()
        if (last["kind"] if last else "pause") == kind:
            return
        connection.execute(
            "INSERT INTO clock_event (session_id, kind, wall_s) VALUES (?, ?, ?)",
            (session_id, kind, time.time() if wall_s is None else wall_s),
        )


def clock_state(connection: sqlite3.Connection, session_id: int, wall_s: float | None = None) -> tuple[float, bool]:
    """(elapsed seconds on the session clock, running?) rebuilt from the stored events."""
    now = time.time() if wall_s is None else wall_s
    elapsed, running_since = 0.0, None
    for row in connection.execute(
        "SELECT kind, wall_s FROM clock_event WHERE session_id = ? ORDER BY id", (session_id,)
    ):
        if row["kind"] == "start":
            running_since = row["wall_s"]
        elif running_since is not None:
            elapsed += row["wall_s"] - running_since
            running_since = None
    if running_since is not None:
        elapsed += max(0.0, now - running_since)
    return elapsed, running_since is not None


# --- entries ---------------------------------------------------------------------------------


def add_entry(
    connection: sqlite3.Connection,
    session_id: int,
    kind: str,
    t_s: float,
    *,
    beat_id: str | None = None,
    text: str = "",
    wall_s: float | None = None,
) -> LogEntry:
    """Append an entry and commit it (durably) before returning it.

    `t_s` and `wall_s` are the session clock and the wall clock when the key was pressed (now
    when `wall_s` is not given); a note typed for a while keeps the instant its key opened it."""
    if kind not in ENTRY_KINDS:
        raise ValueError(f"unknown log entry kind {kind!r}")
    created = _now_iso()
    wall = time.time() if wall_s is None else float(wall_s)
    with write_transaction(connection):
        cursor = connection.execute(
            "INSERT INTO log_entry (session_id, t_s, beat_id, kind, text, created_at, wall_s)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (session_id, float(t_s), beat_id, kind, text, created, wall),
        )
    return LogEntry(int(cursor.lastrowid), session_id, float(t_s), beat_id, kind, text, created, False, wall)


def undo_last(connection: sqlite3.Connection, session_id: int) -> LogEntry | None:
    """Mark the newest live entry as undone (kept for the audit trail); returns it."""
    with write_transaction(connection):
        row = connection.execute(
            "SELECT * FROM log_entry WHERE session_id = ? AND undone = 0 ORDER BY id DESC LIMIT 1",
            (session_id,),
        ).fetchone()
        if row is None:
            return None
        connection.execute("UPDATE log_entry SET undone = 1 WHERE id = ?", (row["id"],))
    return _entry(row)


def entries(connection: sqlite3.Connection, session_id: int, *, include_undone: bool = False) -> list[LogEntry]:
    """A session's entries in the order they were logged."""
    query = "SELECT * FROM log_entry WHERE session_id = ?"
    if not include_undone:
        query += " AND undone = 0"
    return [_entry(row) for row in connection.execute(query + " ORDER BY id", (session_id,))]


def _entry(row: sqlite3.Row) -> LogEntry:
    values = dict(row)
    values["undone"] = bool(values["undone"])
    return LogEntry(**values)


def current_beat(beat_ids: list[str], logged: list[LogEntry]) -> str | None:
    """The beat the rehearsal is in: None before the first `beat` key, which starts beat one."""
    advances = sum(1 for entry in logged if entry.kind == "beat")
    if not beat_ids or advances == 0:
        return None
    return beat_ids[min(advances, len(beat_ids)) - 1]


def next_beat(beat_ids: list[str], logged: list[LogEntry]) -> str | None:
    """The beat the next `beat` key will start (None after the last one)."""
    advances = sum(1 for entry in logged if entry.kind == "beat")
    return beat_ids[advances] if advances < len(beat_ids) else None


# --- exports ---------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    "session_id", "shot", "take", "entry_id", "t_s", "timecode", "beat_id", "kind", "text", "created_at",
)


def export_rows(connection: sqlite3.Connection, scene_id: str) -> list[dict]:
    """Every live entry of every session of a scene, as flat rows."""
    rows = []
    for session in sessions_for_scene(connection, scene_id):
        for entry in entries(connection, session.id):
            rows.append(
                {
                    "session_id": session.id,
                    "shot": session.shot or "",
                    "take": session.take_number or "",
                    "entry_id": entry.id,
                    "t_s": round(entry.t_s, 3),
                    "timecode": (session.timecode_at(entry.wall_s) if entry.wall_s is not None else None) or "",
                    "beat_id": entry.beat_id or "",
                    "kind": entry.kind,
                    "text": entry.text,
                    "created_at": entry.created_at,
                }
            )
    return rows


def export_text(connection: sqlite3.Connection, scene_id: str, fmt: str) -> str:
    """The scene's log as CSV or JSON text."""
    rows = export_rows(connection, scene_id)
    if fmt == "json":
        sessions = [asdict(s) for s in sessions_for_scene(connection, scene_id)]
        return json.dumps({"scene": scene_id, "sessions": sessions, "entries": rows}, indent=2) + "\n"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()
