"""Events a person confirmed for a take (corrected in ELAN, or a CSV), stored per take file.

They override the detector for the event kinds the import covered: drift, reports and exports
all get a take's events from `pipeline.take_events`, which applies them. Stored as plain
records (this layer knows no Event model); importing again for a take replaces its set.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from rehearse.store.db import write_transaction


@dataclass(frozen=True)
class ConfirmedSet:
    """A take's confirmed events and the kinds they stand for."""

    take_file: str
    kinds: tuple[str, ...]
    """Event kinds the import covered: detections of these kinds are replaced (even by none)."""
    events: tuple[dict, ...]
    """Records with kind, start_s, end_s and optional detail, side, label, text."""
    source: str
    """The imported file."""
    imported_at: str


def store_confirmed(connection: sqlite3.Connection, take_file: str, kinds, events, source: str) -> ConfirmedSet:
    """Store (replacing any earlier import) a take's confirmed events."""
    kinds, events = tuple(sorted(set(kinds))), tuple(dict(e) for e in events)
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    with write_transaction(connection):
        connection.execute(
            "INSERT OR REPLACE INTO confirmed_events (take_file, kinds, events, source, imported_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (take_file, json.dumps(list(kinds)), json.dumps(list(events)), source, stamp),
        )
    return ConfirmedSet(take_file, kinds, events, source, stamp)


def clear_confirmed(connection: sqlite3.Connection, take_file: str) -> bool:
    """Forget a take's confirmed events (detections count again); True if there were any."""
    with write_transaction(connection):
        cursor = connection.execute("DELETE FROM confirmed_events WHERE take_file = ?", (take_file,))
    return cursor.rowcount > 0


def confirmed_for_take(connection: sqlite3.Connection, take_file: str) -> ConfirmedSet | None:
    row = connection.execute("SELECT * FROM confirmed_events WHERE take_file = ?", (take_file,)).fetchone()
    if row is None:
        return None
    return ConfirmedSet(row["take_file"], tuple(json.loads(row["kinds"])), tuple(json.loads(row["events"])),
                        row["source"], row["imported_at"])


def confirmed_events(production_root: Path, take_file: str) -> ConfirmedSet | None:
    """A take's confirmed events, without creating a database where there is none."""
    from rehearse.store.db import connect, database_path

    if not database_path(production_root).exists():
        return None
    connection = connect(production_root)
    try:
        return confirmed_for_take(connection, take_file)
    finally:
        connection.close()
