"""The cache never stores a wrong analysis, and a cache that cannot be written costs one line (issue 16 item 2)."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from tests_support.videos import textured_frames

from rehearse.analysis import cache
from rehearse.analysis.take import analyze_take, load_cached
from rehearse.config import Settings
from rehearse.errors import VideoError
from rehearse.video.writer import write_video


def _video(path: Path, frames: int, shift: int = 0) -> Path:
    images = textured_frames(frames + shift, 96, 64)[shift:]
    return write_video(path, images, fps=24)


def test_a_file_swapped_during_analysis_is_not_cached(tmp_path):
    take = _video(tmp_path / "take.mp4", 48)
    replacement = _video(tmp_path / "longer.mp4", 144, shift=5)
    settings = Settings(cache_dir=tmp_path / "cache")
    swapped = []

    def progress(update):
        # a quarter of the way through the frames, the copy on disk is replaced (a re-export lands)
        if update.stage == "landmarks" and update.frames_done >= 12 and not swapped:
            os.replace(replacement, take)
            swapped.append(update.frames_done)

    with pytest.raises(VideoError) as caught:
        analyze_take(take, settings, progress=progress)
    assert swapped and "changed while it was being analysed" in caught.value.one_line()
    assert str(take) in caught.value.one_line() and "\n" not in caught.value.one_line()
    assert not list((tmp_path / "cache").glob("*.json")), "an entry was stored for a file that changed"
    # the file now on disk analyses as itself: 144 frames, 6.00 s, not the 2.00 s original
    analysis = analyze_take(take, settings)
    assert analysis.frame_count == 144 and analysis.duration_s == pytest.approx(6.0)
    assert load_cached(take, settings).frame_count == 144


def test_touching_a_file_during_analysis_still_caches(tmp_path):
    take = _video(tmp_path / "take.mp4", 24)
    settings = Settings(cache_dir=tmp_path / "cache")

    def progress(update):
        if update.stage == "landmarks" and update.frames_done == 6:
            os.utime(take, ns=(1, 1))  # same bytes, new mtime: the hash says it is the same file

    analyze_take(take, settings, progress=progress)
    assert load_cached(take, settings) is not None


def test_a_hand_edited_entry_of_the_wrong_shape_is_analysed_again(tmp_path):
    take = _video(tmp_path / "take.mp4", 12)
    settings = Settings(cache_dir=tmp_path / "cache")
    analyze_take(take, settings)
    entry = next((tmp_path / "cache").glob("*.json"))
    meta = json.loads(entry.read_text())
    for broken in ([meta], {**meta, "landmark_parts": "face"}, {**meta, "face_lost_spans": 3}):
        entry.write_text(json.dumps(broken))
        again = analyze_take(take, settings)
        assert not again.from_cache and again.frame_count == 12
        meta = json.loads(entry.read_text())  # re-analysis rewrote a good entry


def test_a_cache_folder_that_is_a_file_warns_once_and_keeps_the_result(tmp_path):
    take = _video(tmp_path / "take.mp4", 12)
    blocker = tmp_path / "cachefile"
    blocker.write_text("not a folder")
    analysis = analyze_take(take, Settings(cache_dir=blocker))
    assert analysis.frame_count == 12
    warnings = analysis.extra["warnings"]
    assert len(warnings) == 1 and "analysis not cached" in warnings[0] and str(blocker) in warnings[0]
    assert blocker.read_text() == "not a folder"


def test_a_full_disk_while_caching_is_one_line_and_the_batch_goes_on(tmp_path):
    """The file-size limit makes every cache write fail the way a full disk does (EFBIG), for
    real, in a child process: both takes are analysed, each gets one warning line, exit 0."""
    first, second = _video(tmp_path / "a.mp4", 12), _video(tmp_path / "b.mp4", 12, shift=2)

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))

    done = subprocess.run(
        [sys.executable, "-m", "rehearse", "analyze", str(first), str(second), "--json"],
        capture_output=True, text=True, preexec_fn=limit, timeout=300,
        env={**os.environ, "REHEARSE_CACHE_DIR": str(tmp_path / "cache")},
    )
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert [r["status"] for r in rows] == ["no face", "no face"] and all(r["frames"] == 12 for r in rows)
    lines = [line for line in done.stderr.splitlines() if "analysis not cached" in line]
    assert len(lines) == 2, done.stderr
    assert not list((tmp_path / "cache").glob("*.json"))
    assert not cache.temp_files(tmp_path / "cache")
