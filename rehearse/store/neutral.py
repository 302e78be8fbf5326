"""Neutral marks: one stored rest span per take file (`neutral_mark`, migration 4 in db.py)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from rehearse.store.db import connect, database_path, write_transaction


def store_neutral_span(production_root: Path, take_file: str, start_s: float, end_s: float) -> None:
    """Store (or replace) the take's neutral span, in seconds from its first frame."""
    connection = connect(production_root)
    try:
        with write_transaction(connection):
            connection.execute(
                "INSERT OR REPLACE INTO neutral_mark (take_file, start_s, end_s, created_at) VALUES (?, ?, ?, ?)",
                (take_file, float(start_s), float(end_s), datetime.now(timezone.utc).isoformat(timespec="seconds")),
            )
    finally:
        connection.close()


def stored_neutral_spans(production_root: Path | None) -> dict[str, tuple[float, float]]:
    """Every stored neutral span: take file -> (start_s, end_s). Reading never creates the database."""
    if production_root is None or not database_path(production_root).exists():
        return {}
    connection = connect(production_root)
    try:
        rows = connection.execute("SELECT take_file, start_s, end_s FROM neutral_mark").fetchall()
    finally:
        connection.close()
    return {row["take_file"]: (float(row["start_s"]), float(row["end_s"])) for row in rows}
