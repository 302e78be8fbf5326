"""Take-bound logging driven with Pilot on a real production folder and real SQLite.

Each run-through is its own session bound to shot and take; `r` starts the next take with its
own clock, leaving closes the session, `o`/`x` write the take's status into the scene's YAML
(every other byte kept), and a note keeps the time of the key that opened it.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from rehearse.breakdown.loader import open_project
from rehearse.store import connect
from rehearse.store.rehearsal_log import clock_state, entries, open_sessions, sessions_for_scene
from rehearse.tui.log_app import RehearsalLogApp, take_options

PRODUCTION = """\
title: Log test
fps: 25
characters:
  - {id: maya, name: MAYA, actor: Test Actor, consent: true}
"""
# Comments, a flow mapping, a quoted value and odd spacing: all must survive a status write.
SCENE = """\
# Scene 01 -- the lie.   (comment kept byte for byte)
id: "01"
heading: INT. KITCHEN - NIGHT
characters: [maya]
beats:
  - {id: b1, summary: Ana asks, lines: [{character: maya, text: "Did you sign it?"}]}
  - {id: b2, summary: Maya lies}
shots:
  - {id: 1A, size: CU, subject: maya}   # the close-up
takes:
  - shot: 1A
    number: 1
    file: takes/01-1A-1.mp4     # first pass
    status: hold
    notes: >-
      Good hold; the smile came a touch early.

  - shot: 1A
    number: 2
    file: takes/01-1A-2.mp4
    camera_report: {camera: A, start_timecode: "21:06:32:00"}

# trailing comment
"""


def _production(tmp_path):
    (tmp_path / "production.yaml").write_text(PRODUCTION)
    (tmp_path / "01-kitchen.yaml").write_text(SCENE)
    project = open_project(tmp_path)
    return project, project.scene("01")


def _app(project, scene, **take):
    return RehearsalLogApp(project.root, scene, **take_options(project, scene), **take)


def test_two_run_throughs_are_two_take_bound_sessions(tmp_path):
    project, scene = _production(tmp_path)
    scene_file = tmp_path / "01-kitchen.yaml"

    async def day():
        app = _app(project, scene, timecode="21:10:00:00")
        async with app.run_test(size=(100, 30)) as pilot:
            screen = app.log_screen
            assert screen.session.take_label == "1A-3"  # the next take of 1A is offered
            assert "take 1A-3" in str(screen.query_one("#slate").render())
            assert "TC 21:10:0" in str(screen.query_one("#slate").render())
            await pilot.press("space", "n")
            await pilot.pause(0.3)
            await pilot.press("n", "o")  # circle 1A-3: a new take entry in the YAML
            first = screen.session_id
            await pilot.press("r")  # the next run-through
            assert screen.session_id != first
            assert screen.session.take_label == "1A-4"
            assert clock_state(screen.connection, screen.session_id) == (0.0, False)
            assert screen.query_one("#entries").row_count == 0
            await pilot.press("space", "n", "x")  # 1A-4 is NG
            await pilot.press("q")  # ends take 1A-4's session

    asyncio.run(day())
    connection = connect(tmp_path)
    sessions = sessions_for_scene(connection, "01")
    assert [(s.take_label, s.closed_at is not None) for s in sessions] == [("1A-3", True), ("1A-4", True)]
    assert sessions[0].timecode == "21:10:00:00" and sessions[0].timecode_fps == 25
    assert sessions[1].timecode > "21:10:00:00"  # the camera's clock ran on into the next take
    assert [e.kind for e in entries(connection, sessions[0].id)] == ["beat", "beat", "circle"]
    assert [e.kind for e in entries(connection, sessions[1].id)] == ["beat", "ng"]
    reloaded = open_project(tmp_path).scene("01")
    assert {t.label: t.status for t in reloaded.takes} == {
        "1A-1": "hold", "1A-2": "unmarked", "1A-3": "circled", "1A-4": "ng"}
    assert reloaded.takes[2].file == "takes/01-1A-3.mp4"
    assert scene_file.read_text().startswith(SCENE.split("\n# trailing")[0].rstrip("\n"))

    async def next_day():
        app = _app(project, reloaded)
        async with app.run_test() as pilot:
            assert not app.resumed  # both takes were ended: a new session, not session 1's clock
            assert app.log_screen.session.take_label == "1A-5"
            assert clock_state(app.log_screen.connection, app.log_screen.session_id)[0] == 0.0
            await pilot.press("n")

    asyncio.run(next_day())
    assert [s.take_label for s in open_sessions(connect(tmp_path), "01")] == ["1A-5"]


def test_circle_and_ng_rewrite_only_the_status_value(tmp_path):
    project, scene = _production(tmp_path)
    scene_file = tmp_path / "01-kitchen.yaml"
    before = scene_file.read_bytes()

    async def mark():
        app = _app(project, scene, take_number=1)
        async with app.run_test() as pilot:
            await pilot.press("o")
            assert b"status: circled" in scene_file.read_bytes()
            await pilot.press("x")
            await pilot.pause()

    asyncio.run(mark())
    after = scene_file.read_bytes()
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b]
    assert changed == [(b"    status: hold", b"    status: ng")]

    async def take_two_and_undo():
        app = _app(project, open_project(tmp_path).scene("01"), take_number=2)
        async with app.run_test() as pilot:
            await pilot.press("o")  # take 2 has no status line: one is added under `number:`
            await pilot.pause()
            added = scene_file.read_bytes()
            assert added.replace(b"    number: 2\n    status: circled\n", b"    number: 2\n") == after
            await pilot.press("u")  # undo puts its previous status back
            await pilot.pause()

    asyncio.run(take_two_and_undo())
    assert open_project(tmp_path).scene("01").takes[1].status == "unmarked"


def test_undo_of_a_circle_on_a_take_the_log_added_takes_the_entry_out_again(tmp_path):
    project, scene = _production(tmp_path)
    scene_file = tmp_path / "01-kitchen.yaml"
    before = scene_file.read_bytes()

    async def circle_and_undo():
        app = _app(project, scene, take_number=3)  # take 3 is not in the breakdown yet
        async with app.run_test() as pilot:
            await pilot.press("o")
            await pilot.pause()
            assert [t.number for t in open_project(tmp_path).scene("01").takes] == [1, 2, 3]
            await pilot.press("u")
            await pilot.pause()
            assert "out of 01-kitchen.yaml again" in str(app.screen.query_one("#status").content)

    asyncio.run(circle_and_undo())
    assert scene_file.read_bytes() == before  # comments, blank lines and all


def test_a_note_gets_the_time_of_its_key_not_of_enter(tmp_path):
    project, scene = _production(tmp_path)

    async def note():
        app = _app(project, scene)
        async with app.run_test() as pilot:
            await pilot.press("space")
            await pilot.pause(0.2)
            await pilot.press("t")
            opened = time.time()  # the key was handled by now
            await pilot.pause(0.8)  # typing takes a while
            await pilot.press(*"late smile")
            entering = time.time()
            await pilot.press("enter")
            await pilot.pause()
            return opened, entering

    opened, entering = asyncio.run(note())
    connection = connect(tmp_path)
    session = open_sessions(connection, "01")[0]
    (logged,) = entries(connection, session.id)
    assert logged.text == "late smile"
    assert logged.wall_s <= opened and entering - logged.wall_s >= 0.8
    # t_s is the session clock at that key, not at Enter (the clock ran all along).
    assert logged.t_s == pytest.approx(clock_state(connection, session.id, logged.wall_s)[0], abs=0.005)
    assert clock_state(connection, session.id, entering)[0] - logged.t_s >= 0.8


def test_a_session_logged_before_take_binding_resumes_bound_after_the_upgrade(tmp_path):
    import sqlite3

    from rehearse.store.db import MIGRATIONS, database_path
    from rehearse.store.rehearsal_log import export_rows

    project, scene = _production(tmp_path)
    path = database_path(tmp_path)
    path.parent.mkdir()
    old = sqlite3.connect(path)
    for script in MIGRATIONS[:4]:  # the schema before sessions had a take
        old.executescript(script)
    old.execute("PRAGMA user_version = 4")
    old.execute("INSERT INTO log_session (scene_id, created_at) VALUES ('01', '2026-01-01T00:00:00+00:00')")
    old.execute("INSERT INTO log_entry (session_id, t_s, kind, created_at) VALUES (1, 2.5, 'flub', 'x')")
    old.commit()
    old.close()
    assert export_rows(connect(tmp_path), "01")[0] | {"created_at": ""} == {
        "session_id": 1, "shot": "", "take": "", "entry_id": 1, "t_s": 2.5, "timecode": "", "beat_id": "",
        "kind": "flub", "text": "", "created_at": ""}

    async def resume():
        app = _app(project, scene)
        async with app.run_test() as pilot:
            assert app.resumed and app.log_screen.session_id == 1  # interrupted: resumed, not replaced
            assert app.log_screen.session.take_label == "1A-3"  # and bound to the take offered
            await pilot.press("n")

    asyncio.run(resume())
    assert [e.kind for e in entries(connect(tmp_path), 1)] == ["flub", "beat"]


@pytest.mark.slow
@pytest.mark.skipif(__import__("shutil").which("tmux") is None, reason="tmux is not installed (scripts/test installs it)")
def test_two_run_throughs_in_a_real_terminal(tmp_path):
    """`rehearse log` for real in tmux: take 1A-3 circled, `r`, take 1A-4 NG, `q` leaves."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    project, _ = _production(tmp_path)
    socket, rehearse = f"rehearse-takes-{os.getpid()}", Path(sys.executable).with_name("rehearse")

    def tmux(*args):
        return subprocess.run(["tmux", "-L", socket, *args], check=True, capture_output=True, text=True).stdout

    def wait_for(needle):
        deadline = time.monotonic() + 60  # generous: CI is a loaded 2-core machine
        while time.monotonic() < deadline:
            screen = tmux("capture-pane", "-p", "-t", "log")
            if needle in screen:
                return screen
            time.sleep(0.05)
        raise AssertionError(f"{needle!r} never appeared:\n{screen}")

    tmux("new-session", "-d", "-s", "keeper", "sleep 600")
    try:
        tmux("new-session", "-d", "-s", "log", "-x", "100", "-y", "30",
             f"{rehearse} log 01 --tc 10:00:00:00 --project {tmp_path}; sleep 600")
        wait_for("take 1A-3  TC 10:00:0")
        for key in ("Space", "n", "o"):
            tmux("send-keys", "-t", "log", key)
        wait_for("take 1A-3 is circled")
        tmux("send-keys", "-t", "log", "r")
        wait_for("take 1A-4  TC 10:00:")
        tmux("send-keys", "-t", "log", "x")
        wait_for("take 1A-4 is ng")
        tmux("send-keys", "-t", "log", "q")
        deadline = time.monotonic() + 20
        while open_sessions(connect(tmp_path), "01") and time.monotonic() < deadline:
            time.sleep(0.1)  # q ends the take's session, then leaves
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True)
    sessions = sessions_for_scene(connect(tmp_path), "01")
    assert [(s.take_label, s.closed_at is not None) for s in sessions] == [("1A-3", True), ("1A-4", True)]
    takes = {t.label: t.status for t in open_project(tmp_path).scene("01").takes}
    assert takes["1A-3"] == "circled" and takes["1A-4"] == "ng"
