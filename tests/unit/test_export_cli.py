"""`rehearse export` end to end on a small production with a recorded take and a synced log."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rehearse.store import connect
from rehearse.store.rehearsal_log import add_entry, start_session
from rehearse.store.sync import link_take
from rehearse.video.writer import write_video

PRODUCTION = "title: Export test\nfps: 24\ncharacters: [{id: maya, name: MAYA, actor: Ines Duarte, consent: true}]\n"
SCENE = """\
id: "01"
heading: INT. KITCHEN - NIGHT
characters: [maya]
beats: [{id: b1, summary: one}, {id: b2, summary: two}]
shots: [{id: 1A, size: CU, subject: maya, beats: [b1, b2]}]
takes:
  - {shot: 1A, number: 1, file: takes/t1.mp4, status: circled, beat_marks: {b1: 0s, b2: 1.25s}}
  - {shot: 1A, number: 2, file: takes/t2.mp4}
  - {shot: 1A, number: 3, file: takes/not-yet.mp4}
"""


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    root = tmp_path_factory.mktemp("production")
    (root / "production.yaml").write_text(PRODUCTION)
    (root / "01.yaml").write_text(SCENE)
    (root / "takes").mkdir()
    for name in ("t1.mp4", "t2.mp4"):
        frames = (np.full((64, 96, 3), 30 + 2 * i, np.uint8) for i in range(60))
        write_video(root / "takes" / name, frames, fps=24)
    connection = connect(root)
    session = start_session(connection, "01")
    add_entry(connection, session.id, "beat", 10.5, beat_id="b1")
    add_entry(connection, session.id, "beat", 11.0, beat_id="b2")
    add_entry(connection, session.id, "flub", 11.5, beat_id="b2", text="dropped the cup")
    link_take(connection, session.id, "takes/t2.mp4", 10.0)
    return root


def _export(root, fmt, out):
    return subprocess.run(
        [sys.executable, "-m", "rehearse", "export", "01", "--format", fmt, "-o", str(out), "--project", str(root)],
        capture_output=True, text=True, timeout=300,
    )


def test_otio_export_has_breakdown_beats_and_synced_log_markers(production, tmp_path):
    import opentimelineio as otio

    done = _export(production, "otio", tmp_path / "s.otio")
    assert done.returncode == 0, done.stderr
    assert "not-yet.mp4 is not recorded yet" in done.stderr
    clips = otio.adapters.read_from_file(str(tmp_path / "s.otio")).find_clips()
    assert [c.name for c in clips] == ["1A-1", "1A-2"]
    first = {(m.name, m.marked_range.start_time.to_frames()) for m in clips[0].markers}
    assert {("BEAT b1", 0), ("BEAT b2", 30)} <= first
    second = {(m.name, m.marked_range.start_time.to_frames()) for m in clips[1].markers}
    # Logged beats become the take's beat marks through the sync offset; log entries become markers.
    assert {("BEAT b1", 12), ("BEAT b2", 24), ("LOG flub", 36)} <= second


@pytest.mark.parametrize("fmt", ["edl", "ale", "eaf"])
def test_every_format_writes(production, tmp_path, fmt):
    done = _export(production, fmt, tmp_path / f"s.{fmt}")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    written = [Path(line.split(" ", 1)[1]) for line in done.stdout.splitlines() if line.startswith("wrote ")]
    assert written and all(path.exists() and path.stat().st_size > 0 for path in written)
    if fmt == "eaf":  # two recorded takes: one EAF each
        assert sorted(p.name for p in written) == ["s_1A-1.eaf", "s_1A-2.eaf"]


def test_an_unknown_scene_is_one_line(production, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "rehearse", "export", "99", "--format", "otio", "-o", str(tmp_path / "x"),
         "--project", str(production)], capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 1 and len(done.stderr.strip().splitlines()) == 1


def test_exporting_again_replaces_files_and_leaves_nothing_else(production, tmp_path):
    for _ in range(2):
        assert _export(production, "eaf", tmp_path / "s.eaf").returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s_1A-1.eaf", "s_1A-2.eaf"]
    assert all(p.stat().st_mode & 0o044 for p in tmp_path.iterdir()), "exports are readable like any file"


def test_only_picks_marker_groups_and_eaf_takes_a_folder(production, tmp_path):
    import opentimelineio as otio

    done = subprocess.run(
        [sys.executable, "-m", "rehearse", "export", "01", "--format", "otio", "-o", str(tmp_path / "b.otio"),
         "--only", "beats", "--project", str(production)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "(beats)" in done.stdout
    names = {m.name for c in otio.adapters.read_from_file(str(tmp_path / "b.otio")).find_clips() for m in c.markers}
    assert names == {"BEAT b1", "BEAT b2"}  # the synced log's flub is a note: left out
    bad = subprocess.run(
        [sys.executable, "-m", "rehearse", "export", "01", "--format", "otio", "-o", str(tmp_path / "x.otio"),
         "--only", "beats,blinks", "--project", str(production)], capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1 and "blinks" in bad.stderr
    done = _export(production, "eaf", tmp_path / "elan")
    assert done.returncode == 0, done.stderr
    assert "EAF holds one take per file" in done.stdout
    assert sorted(p.name for p in (tmp_path / "elan").iterdir()) == ["01_1A-1.eaf", "01_1A-2.eaf"]
