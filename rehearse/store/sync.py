"""Link a logged rehearsal session to a recorded take, so logged beats become beat marks.

The offset is session-clock time at the take's first frame: `take_time = session_time - offset`.
It is set by hand or found from a clap: the log's `sync` entry (the key pressed on the clap)
against the clap's onset in the take's audio.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone

from rehearse.store.db import write_transaction
from rehearse.store.rehearsal_log import entries


@dataclass(frozen=True)
class TakeSync:
    """A session linked to a take."""

    session_id: int
    take_file: str
    offset_s: float
    method: str
    confidence: float | None


def link_take(
    connection: sqlite3.Connection,
    session_id: int,
    take_file: str,
    offset_s: float,
    *,
    method: str = "manual",
    confidence: float | None = None,
) -> TakeSync:
    """Store (or replace) the session's link to a take."""
    with write_transaction(connection):
        connection.execute(
            "INSERT OR REPLACE INTO take_sync (session_id, take_file, offset_s, method, confidence,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (session_id, take_file, float(offset_s), method, confidence,
             datetime.now(timezone.utc).isoformat(timespec="milliseconds")),
        )
    return TakeSync(session_id, take_file, float(offset_s), method, confidence)


def sync_for_take(connection: sqlite3.Connection, take_file: str) -> TakeSync | None:
    """The newest link to this take, if any."""
    row = connection.execute(
        "SELECT * FROM take_sync WHERE take_file = ? ORDER BY created_at DESC LIMIT 1", (take_file,)
    ).fetchone()
    if row is None:
        return None
    return TakeSync(row["session_id"], row["take_file"], row["offset_s"], row["method"], row["confidence"])


def clap_offset(connection: sqlite3.Connection, session_id: int, clap_in_take_s: float) -> float | None:
    """Offset from the session's last `sync` entry and the clap found in the take, or None."""
    sync_entries = [e for e in entries(connection, session_id) if e.kind == "sync"]
    if not sync_entries:
        return None
    return sync_entries[-1].t_s - clap_in_take_s


def beat_marks_from_log(
    connection: sqlite3.Connection, sync: TakeSync, duration_s: float | None = None
) -> dict[str, float]:
    """Beat id -> time in the take, from the session's `beat` entries (first press wins)."""
    marks: dict[str, float] = {}
    for entry in entries(connection, sync.session_id):
        if entry.kind != "beat" or not entry.beat_id or entry.beat_id in marks:
            continue
        t = entry.t_s - sync.offset_s
        if t < 0 or (duration_s is not None and t > duration_s):
            continue
        marks[entry.beat_id] = round(t, 3)
    return marks


def effective_beat_marks(production_root, take, duration_s: float | None = None) -> tuple[dict[str, float], str]:
    """The take's beat marks and where they came from: the breakdown's, else a synced log's.

    Returns (marks, source) with source `breakdown`, `log` or `none`. Reading the log never
    creates a database: a production without `.rehearse/` simply has no logged marks.
    """
    from rehearse.store.db import database_path

    if take.beat_marks:
        return dict(take.beat_marks), "breakdown"
    if not database_path(production_root).exists():
        return {}, "none"
    from rehearse.store.db import connect

    connection = connect(production_root)
    try:
        sync = sync_for_take(connection, take.file)
        if sync is None:
            return {}, "none"
        marks = beat_marks_from_log(connection, sync, duration_s or take.duration)
    finally:
        connection.close()
    return marks, ("log" if marks else "none")


def synced_log_entries(production_root, take) -> list[tuple[float, str, str, str | None]]:
    """(time in the take, kind, text, beat) for each live entry of the session synced to a take."""
    from rehearse.store.db import connect, database_path

    if not database_path(production_root).exists():
        return []
    connection = connect(production_root)
    try:
        sync = sync_for_take(connection, take.file)
        if sync is None:
            return []
        return [
            (entry.t_s - sync.offset_s, entry.kind, entry.text, entry.beat_id)
            for entry in entries(connection, sync.session_id)
            if entry.t_s - sync.offset_s >= 0
        ]
    finally:
        connection.close()
