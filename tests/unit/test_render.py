"""`rehearse render` on a real face: same frames at the same times, landmarks drawn, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from rehearse.video.frames import frame_times, iter_frames

pytestmark = pytest.mark.models


def test_render_draws_on_every_frame_and_keeps_times(shared_clips, tmp_path):
    source = shared_clips / "single_face.mp4"
    output = tmp_path / "annotated.mp4"
    done = subprocess.run(
        [sys.executable, "-m", "rehearse", "render", str(source), "-o", str(output)],
        capture_output=True, text=True, timeout=300, env={**os.environ, "REHEARSE_CACHE_DIR": str(tmp_path / "cache")},
    )
    assert done.returncode == 0, done.stderr
    assert "wrote" in done.stdout
    original, annotated = frame_times(source), frame_times(output)
    assert annotated.size == original.size
    assert np.allclose(annotated, original, atol=1e-3)
    first_in = next(iter_frames(source)).image.astype(int)
    first_out = next(iter_frames(output)).image.astype(int)
    changed = np.abs(first_in[: first_out.shape[0], : first_out.shape[1]] - first_out).sum(axis=2) > 60
    # Lines are drawn (face contours, the time label) but most of the picture is untouched.
    assert 0.002 < changed.mean() < 0.2


def test_render_refuses_to_overwrite_its_input(shared_clips, tmp_path):
    source = tmp_path / "take.mp4"
    source.write_bytes((shared_clips / "single_face.mp4").read_bytes())
    done = subprocess.run(
        [sys.executable, "-m", "rehearse", "render", str(source), "-o", str(source)],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 1 and "overwrite" in done.stderr and "Traceback" not in done.stderr
