"""Checks of the landmark-level event streams themselves (tests_support.event_streams)."""

from __future__ import annotations

import numpy as np
import pytest
from tests_support.event_streams import make_stream

from rehearse.analysis.tracks import SIGNALS


def test_stream_uses_only_registered_signal_names():
    track, _ = make_stream(5.0)
    assert set(track.values) <= set(SIGNALS)


@pytest.mark.parametrize("fps", [24.0, 30.0, 60.0])
def test_vfr_stream_has_jittered_intervals_and_drops(fps):
    track, _ = make_stream(10.0, fps, vfr=True, drop_rate=0.05, seed=3)
    steps = np.diff(track.times)
    assert steps.min() < 0.8 / fps and steps.max() > 1.5 / fps
    assert np.all(steps > 0)


def test_blink_truth_closes_the_eye_at_its_apex():
    track, truth = make_stream(5.0, 60.0, blinks=[(2.0, 0.3, "both")], noise=0.0)
    start, end, _ = truth.blinks[0]
    apex = np.argmin(track["eye_open_left"])
    assert start < track.times[apex] < end
    assert track["eye_open_left"][apex] < 0.3 * np.median(track["eye_open_left"])
