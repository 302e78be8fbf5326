"""The rehearsal-log store: migrations, durability rules, concurrent writers, undo, the clock, exports."""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import sqlite3

import pytest

from rehearse.store import connect, database_path
from rehearse.store.db import MIGRATIONS, schema_version
from rehearse.store.rehearsal_log import (
    add_entry,
    clock_event,
    clock_state,
    current_beat,
    entries,
    export_text,
    resume_or_start,
    start_session,
    undo_last,
)
from rehearse.store.sync import beat_marks_from_log, clap_offset, link_take, sync_for_take


def test_new_database_is_wal_and_fully_migrated(tmp_path):
    connection = connect(tmp_path)
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert connection.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert schema_version(connection) == len(MIGRATIONS)
    assert database_path(tmp_path).exists()


def test_old_schema_is_upgraded_in_place_keeping_its_rows(tmp_path):
    path = database_path(tmp_path)
    path.parent.mkdir()
    old = sqlite3.connect(path)
    old.executescript(MIGRATIONS[0])
    old.execute("PRAGMA user_version = 1")
    old.execute(
        "INSERT INTO log_session (scene_id, created_at) VALUES ('01', '2026-01-01T00:00:00Z')"
    )
    old.commit()
    old.close()
    connection = connect(tmp_path)
    assert schema_version(connection) == len(MIGRATIONS)
    assert connection.execute("SELECT scene_id FROM log_session").fetchone()[0] == "01"
    connection.execute("SELECT * FROM take_sync")  # the table added by a later migration


def test_a_newer_schema_is_refused_with_one_line(tmp_path):
    connect(tmp_path).execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(Exception) as raised:
        connect(tmp_path)
    assert "newer" in str(raised.value) and "\n" not in str(raised.value)


def test_a_corrupt_database_file_gives_a_one_line_error(tmp_path):
    path = database_path(tmp_path)
    path.parent.mkdir()
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(Exception) as raised:
        connect(tmp_path)
    message = str(raised.value)
    assert "rehearse.db" in message and "\n" not in message


def test_entries_undo_and_current_beat(tmp_path):
    connection = connect(tmp_path)
    session = start_session(connection, "01")
    beats = ["b1", "b2", "b3"]
    add_entry(connection, session.id, "beat", 0.5, beat_id="b1")
    add_entry(connection, session.id, "hesitation", 1.0, beat_id="b1")
    add_entry(connection, session.id, "beat", 2.0, beat_id="b2")
    assert current_beat(beats, entries(connection, session.id)) == "b2"
    undone = undo_last(connection, session.id)
    assert undone.kind == "beat" and undone.beat_id == "b2"
    live = entries(connection, session.id)
    assert [e.kind for e in live] == ["beat", "hesitation"]
    assert current_beat(beats, live) == "b1"
    assert len(entries(connection, session.id, include_undone=True)) == 3


def test_clock_is_rebuilt_from_its_events_after_a_crash(tmp_path):
    connection = connect(tmp_path)
    session = start_session(connection, "02")
    clock_event(connection, session.id, "start", wall_s=100.0)
    clock_event(connection, session.id, "start", wall_s=101.0)  # already running: ignored
    clock_event(connection, session.id, "pause", wall_s=110.0)
    clock_event(connection, session.id, "start", wall_s=200.0)
    connection.close()
    reopened = connect(tmp_path)
    resumed, was_resumed = resume_or_start(reopened, "02")
    assert was_resumed and resumed.id == session.id
    elapsed, running = clock_state(reopened, session.id, wall_s=205.0)
    assert running and elapsed == pytest.approx(15.0)


def _writer(root: str, session_id: int, count: int, tag: str) -> None:
    connection = connect(root)
    for index in range(count):
        add_entry(connection, session_id, "note", float(index), text=f"{tag}-{index}")
    connection.close()


def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    connection = connect(tmp_path)
    session = start_session(connection, "01")
    context = multiprocessing.get_context("spawn")
    writers = [
        context.Process(target=_writer, args=(str(tmp_path), session.id, 150, tag))
        for tag in ("a", "b")
    ]
    for process in writers:
        process.start()
    for process in writers:
        process.join(60)
        assert process.exitcode == 0
    texts = {e.text for e in entries(connection, session.id)}
    assert texts == {f"{tag}-{i}" for tag in ("a", "b") for i in range(150)}
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_exports_read_back(tmp_path):
    connection = connect(tmp_path)
    session = start_session(connection, "01")
    add_entry(connection, session.id, "beat", 1.25, beat_id="b1")
    add_entry(connection, session.id, "note", 2.5, beat_id="b1", text='she said, "no"\nthen left')
    rows = list(csv.DictReader(io.StringIO(export_text(connection, "01", "csv"))))
    assert [r["kind"] for r in rows] == ["beat", "note"]
    assert rows[1]["text"] == 'she said, "no"\nthen left'
    assert float(rows[0]["t_s"]) == 1.25
    document = json.loads(export_text(connection, "01", "json"))
    assert document["entries"][1]["beat_id"] == "b1"


def test_logged_beats_become_take_beat_marks_through_the_offset(tmp_path):
    connection = connect(tmp_path)
    session = start_session(connection, "01")
    add_entry(connection, session.id, "sync", 10.0)
    add_entry(connection, session.id, "beat", 10.5, beat_id="b1")
    add_entry(connection, session.id, "beat", 13.0, beat_id="b2")
    offset = clap_offset(connection, session.id, clap_in_take_s=1.5)
    assert offset == pytest.approx(8.5)
    link_take(connection, session.id, "takes/01-1A-1.mp4", offset, method="clap", confidence=0.9)
    sync = sync_for_take(connection, "takes/01-1A-1.mp4")
    assert beat_marks_from_log(connection, sync) == {"b1": 2.0, "b2": 4.5}


def test_breakdown_beat_marks_win_and_logged_ones_fill_in(tmp_path):
    from rehearse.breakdown.models import Take
    from rehearse.store.sync import effective_beat_marks, synced_log_entries

    marked = Take(shot="1A", number=1, file="takes/a.mp4", beat_marks={"b1": 0.5})
    unmarked = Take(shot="1A", number=2, file="takes/b.mp4")
    assert effective_beat_marks(tmp_path, unmarked) == ({}, "none")
    assert not (tmp_path / ".rehearse").exists(), "reading must not create a database"
    connection = connect(tmp_path)
    session = start_session(connection, "01")
    add_entry(connection, session.id, "beat", 5.0, beat_id="b1")
    add_entry(connection, session.id, "note", 6.0, beat_id="b1", text="late")
    link_take(connection, session.id, "takes/b.mp4", 4.0)
    assert effective_beat_marks(tmp_path, marked) == ({"b1": 0.5}, "breakdown")
    assert effective_beat_marks(tmp_path, unmarked) == ({"b1": 1.0}, "log")
    assert synced_log_entries(tmp_path, unmarked) == [(1.0, "beat", "", "b1"), (2.0, "note", "late", "b1")]
