"""Rows of the production's database that belong to one actor (for `rehearse actor forget`).

Found by their takes' files (neutral marks, log syncs) or by naming the actor (log sessions and
entries whose text matches); deleted with SQLite's secure delete, then the WAL is checkpointed
and the file vacuumed, so deleted text does not linger on disk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rehearse.store.db import connect, database_path, write_transaction


@dataclass(frozen=True)
class StoredRow:
    """A database row derived from the actor's takes or naming them."""

    table: str
    key: str
    """The row's id (or take file), as the table keys it."""
    what: str
    """The row in words, for the confirmation list."""


def actor_rows(production_root: Path, take_files: list[str], names: re.Pattern) -> list[StoredRow]:
    """Rows keyed by one of `take_files`, and log sessions/entries whose text matches `names`."""
    if not database_path(production_root).exists():
        return []
    rows: list[StoredRow] = []
    connection = connect(production_root)
    try:
        marks = ",".join("?" * len(take_files))
        if take_files:
            for row in connection.execute(f"SELECT * FROM neutral_mark WHERE take_file IN ({marks})", take_files):
                rows.append(StoredRow("neutral_mark", row["take_file"],
                                      f"neutral mark {row['start_s']:.2f}-{row['end_s']:.2f} s on {row['take_file']}"))
            for row in connection.execute(f"SELECT * FROM take_sync WHERE take_file IN ({marks})", take_files):
                rows.append(StoredRow("take_sync", f"{row['session_id']}:{row['take_file']}",
                                      f"log session {row['session_id']} synced to {row['take_file']}"))
        for row in connection.execute("SELECT id, label FROM log_session"):
            if names.search(row["label"] or ""):
                rows.append(StoredRow("log_session", str(row["id"]),
                                      f"log session {row['id']} `{row['label']}` (and its entries)"))
        for row in connection.execute("SELECT id, session_id, text FROM log_entry"):
            if names.search(row["text"] or ""):
                rows.append(StoredRow("log_entry", str(row["id"]),
                                      f"log entry {row['id']} (session {row['session_id']}): {row['text']}"))
    finally:
        connection.close()
    return rows


def delete_rows(production_root: Path, rows: list[StoredRow]) -> None:
    """Delete these rows for good (secure delete, WAL checkpoint, vacuum)."""
    if not rows:
        return
    connection = connect(production_root)
    try:
        connection.execute("PRAGMA secure_delete = ON")
        with write_transaction(connection):
            for row in rows:
                if row.table == "neutral_mark":
                    connection.execute("DELETE FROM neutral_mark WHERE take_file = ?", (row.key,))
                elif row.table == "take_sync":
                    session_id, take_file = row.key.split(":", 1)
                    connection.execute("DELETE FROM take_sync WHERE session_id = ? AND take_file = ?",
                                       (int(session_id), take_file))
                elif row.table == "log_session":
                    connection.execute("DELETE FROM log_session WHERE id = ?", (int(row.key),))
                elif row.table == "log_entry":
                    connection.execute("DELETE FROM log_entry WHERE id = ?", (int(row.key),))
        # Deleted rows linger in the WAL and in free pages until these run.
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("VACUUM")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
