"""Takes of only a few frames: every detector answers (no hold is shorter than its minimum),
never a traceback. The windowed speeds once convolved a kernel longer than the take, which
gave arrays of the kernel's length (IndexError / broadcast errors on 3-4 frame takes)."""

from __future__ import annotations

import numpy as np
import pytest

from rehearse.analysis.event_settings import EventSettings
from rehearse.analysis.events import detect_events
from rehearse.analysis.events.holds import detect_holds
from rehearse.analysis.events.signal_ops import moving_average
from rehearse.analysis.tracks import SIGNALS, SignalTrack


def few_frames(count: int, seed: int) -> SignalTrack:
    """Every signal, random levels, some NaN gaps, a face and a body in most frames, at 24 fps."""
    rng = np.random.default_rng(seed)
    values = {}
    for name in SIGNALS:
        value = rng.random(count) * rng.choice([0.01, 0.1, 1.0, 10.0])
        if seed % 3 == 0:
            value[rng.random(count) < 0.3] = np.nan
        values[name] = value
    values["face_present"] = (rng.random(count) < 0.9).astype(float)
    values["body_present"] = (rng.random(count) < 0.9).astype(float)
    return SignalTrack(np.arange(count) / 24.0, values)


@pytest.mark.parametrize("count", range(1, 13))
def test_a_take_of_a_few_frames_gives_no_hold_and_no_traceback(count):
    settings = EventSettings()
    for seed in range(6):
        track = few_frames(count, seed)
        holds = detect_holds(track, settings.hold)
        assert all(e.end_s - e.start_s >= settings.hold.min_duration_s for e in holds)
        assert all(e.kind != "hold" or e.end_s - e.start_s >= settings.hold.min_duration_s
                   for e in detect_events(track, settings=settings))


def test_moving_average_keeps_the_length_of_a_short_signal():
    values = np.array([1.0, np.nan, 3.0])
    assert moving_average(values, 9).shape == (3,)
    assert moving_average(values, 9)[1] == pytest.approx(2.0)
