"""Crash safety of the rehearsal log: the real app in tmux, killed with SIGKILL at random points.

After every restart, each entry that was acknowledged on screen before the kill is still in the
database. Runs `rehearse log` for real in a real terminal (tmux), 20 times.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rehearse.store import connect
from rehearse.store.rehearsal_log import entries, open_sessions

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (scripts/test installs it)"),
]

KILLS = 20
KEYS = list("nefscoxh12")  # no undo: every entry seen on screen must survive
ROW = re.compile(r"^\W*(\d+)\s+\d+\.\d+ s\s")

PRODUCTION = """\
title: Crash test
fps: 24
characters:
  - {id: maya, name: MAYA, actor: Test Actor, consent: true}
  - {id: ana, name: ANA, actor: Test Actor Two, consent: true}
"""
SCENE = """\
id: "01"
heading: INT. KITCHEN - NIGHT
characters: [maya, ana]
beats:
  - {id: b1, summary: Ana asks, lines: [{character: ana, text: "Did you sign it?"}]}
  - {id: b2, summary: Maya lies, lines: [{character: maya, text: Of course I did.}]}
  - {id: b3, summary: She turns away}
tracked_gestures:
  - {id: turn_away, character: maya, description: turns away, body_part: head, beat: b3}
  - {id: collar, character: maya, description: touches collar, body_part: hand, beat: b2}
"""


def _tmux(socket: str, *args: str) -> str:
    # A private tmux server (-L), so a user's own tmux sessions are never touched.
    return subprocess.run(["tmux", "-L", socket, *args], check=True, capture_output=True, text=True).stdout


def _wait_for(socket: str, session: str, needle: str, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = _tmux(socket, "capture-pane", "-p", "-t", session)
        if needle in text:
            return text
        time.sleep(0.05)
    raise AssertionError(f"{needle!r} never appeared on screen:\n{text}")


def _acknowledged_ids(screen_text: str) -> set[int]:
    return {int(m.group(1)) for line in screen_text.splitlines() if (m := ROW.match(line))}


def test_every_acknowledged_entry_survives_sigkill(tmp_path: Path):
    (tmp_path / "production.yaml").write_text(PRODUCTION)
    (tmp_path / "01.yaml").write_text(SCENE)
    rehearse = Path(sys.executable).with_name("rehearse")
    command = f"{rehearse} log 01 --project {tmp_path}"
    random_keys = random.Random(7)
    socket = f"rehearse-crash-{os.getpid()}"
    acknowledged: set[int] = set()
    # A session that outlives the app's, so the tmux server never shuts down between runs.
    _tmux(socket, "new-session", "-d", "-s", "keeper", "sleep 3600")
    try:
        for attempt in range(KILLS):
            session = f"run{attempt}"
            _tmux(socket, "new-session", "-d", "-s", session, "-x", "110", "-y", "60", command)
            _wait_for(socket, session, "session")
            for _ in range(random_keys.randint(1, 12)):
                _tmux(socket, "send-keys", "-t", session, random_keys.choice(KEYS))
                if random_keys.random() < 0.5:
                    time.sleep(random_keys.uniform(0, 0.08))
            if attempt % 2:
                time.sleep(0.4)  # let the screen catch up, so the test sees entries acknowledged
            acknowledged |= _acknowledged_ids(_tmux(socket, "capture-pane", "-p", "-t", session))
            pid = int(_tmux(socket, "display-message", "-p", "-t", session, "#{pane_pid}").strip())
            assert b"rehearse" in Path(f"/proc/{pid}/cmdline").read_bytes(), "kill the app itself"
            os.kill(pid, signal.SIGKILL)
            # The pane's process is gone, so tmux usually closes the session by itself.
            subprocess.run(["tmux", "-L", socket, "kill-session", "-t", session], capture_output=True)
            connection = connect(tmp_path)
            sessions = open_sessions(connection, "01")
            assert len(sessions) == 1, "a crashed session must be resumed, not replaced"
            stored = {e.id for e in entries(connection, sessions[0].id)}
            connection.close()
            missing = acknowledged - stored
            assert not missing, f"after kill {attempt + 1}: entries {sorted(missing)} were shown but lost"
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True)
    assert len(acknowledged) >= KILLS // 2, "the test must actually see entries acknowledged on screen"
    print(f"{KILLS} SIGKILLs, {len(acknowledged)} acknowledged entries, none lost")

