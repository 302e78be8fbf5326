"""Syncing a logged rehearsal to a recorded take through the clap in the take's audio.

A real H.264/AAC take is written with a clap at a known time; the log has its sync key pressed
on the clap and beat keys after it. `rehearse log sync --clap` must find the offset and turn the
logged beats into the take's beat marks.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from rehearse.store import connect
from rehearse.store.rehearsal_log import add_entry, start_session
from rehearse.store.sync import beat_marks_from_log, sync_for_take
from rehearse.video.audio import Audio
from rehearse.video.writer import write_video

RATE = 48000
CLAP_IN_TAKE_S = 1.30
SYNC_KEY_AT_S = 41.70  # session clock when the supervisor pressed the sync key on the clap


def _take_with_clap(path):
    rng = np.random.default_rng(3)
    samples = rng.normal(0, 0.004, int(RATE * 4.0)).astype(np.float32)
    n = int(RATE * 0.04)
    clap = rng.normal(0, 0.7, n) * np.exp(-np.arange(n) / (RATE * 0.006))
    start = int(CLAP_IN_TAKE_S * RATE)
    samples[start : start + n] += clap.astype(np.float32)
    frames = (np.full((96, 128, 3), 40 + i % 50, np.uint8) for i in range(96))
    write_video(path, frames, fps=24, audio=Audio(np.clip(samples, -1, 1), RATE))


PRODUCTION = "title: Sync test\nfps: 24\ncharacters: [{id: maya, name: MAYA, actor: A, consent: true}]\n"
SCENE = """\
id: "01"
heading: INT. KITCHEN - NIGHT
characters: [maya]
beats: [{id: b1, summary: one}, {id: b2, summary: two}]
shots: [{id: 1A, size: CU, beats: [b1, b2]}]
takes: [{shot: 1A, number: 1, file: takes/t1.mp4, duration: 4s}]
"""


def test_clap_sync_turns_logged_beats_into_take_beat_marks(tmp_path):
    (tmp_path / "production.yaml").write_text(PRODUCTION)
    (tmp_path / "01.yaml").write_text(SCENE)
    (tmp_path / "takes").mkdir()
    _take_with_clap(tmp_path / "takes" / "t1.mp4")
    connection = connect(tmp_path)
    session = start_session(connection, "01")
    add_entry(connection, session.id, "sync", SYNC_KEY_AT_S)
    add_entry(connection, session.id, "beat", SYNC_KEY_AT_S + 0.5, beat_id="b1")
    add_entry(connection, session.id, "beat", SYNC_KEY_AT_S + 2.0, beat_id="b2")

    done = subprocess.run(
        [sys.executable, "-m", "rehearse", "log", "sync", "01", "takes/t1.mp4", "--clap", "--project", str(tmp_path)],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    sync = sync_for_take(connect(tmp_path), "takes/t1.mp4")
    assert sync.method == "clap"
    # AAC encoder priming is compensated by the decoder; the clap must land within 10 ms.
    assert sync.offset_s == pytest.approx(SYNC_KEY_AT_S - CLAP_IN_TAKE_S, abs=0.010)
    marks = beat_marks_from_log(connect(tmp_path), sync, duration_s=4.0)
    assert marks["b1"] == pytest.approx(CLAP_IN_TAKE_S + 0.5, abs=0.010)
    assert marks["b2"] == pytest.approx(CLAP_IN_TAKE_S + 2.0, abs=0.010)
    assert "offset" in done.stdout


def test_sync_without_a_session_is_one_line(tmp_path):
    (tmp_path / "production.yaml").write_text(PRODUCTION)
    (tmp_path / "01.yaml").write_text(SCENE)
    done = subprocess.run(
        [sys.executable, "-m", "rehearse", "log", "sync", "01", "takes/t1.mp4", "--offset", "3", "--project", str(tmp_path)],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 1
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
