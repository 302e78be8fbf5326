"""A hold limit read on part of a stream (a prefix, or a live pass's later window) is the whole
stream's wherever it reads only frames that part has: each block's limit reads the frames up to
the block's end and HISTORY_S back (`hold_limits.stream_limit`), nothing after."""

from __future__ import annotations

import numpy as np
import pytest

from rehearse.analysis.event_settings import HoldSettings
from rehearse.analysis.events.hold_limits import stream_limit
from rehearse.analysis.events.stream_levels import BLOCK_S, HISTORY_S


def _idle_speed(fps: int, seconds: float) -> tuple[np.ndarray, np.ndarray]:
    """Jitter with bursts of movement and no clear still/moving split: the floor sets the limit."""
    rng = np.random.default_rng(1)
    times = np.arange(int(seconds * fps)) / fps
    speed = np.abs(rng.normal(0, 1, times.size)) * 0.3 + 0.02 + 0.5 * (np.sin(times * 1.3) > 0.3) * rng.random(times.size)
    return times, speed


@pytest.mark.parametrize("fps", [30, 60, 120])
def test_the_floor_limit_of_a_prefix_is_the_whole_streams(fps):
    """At 60 fps the floor's running median (25 frames) was evaluated every third frame and
    interpolated: a block's floor read up to 3 frames past the block's end, and the last block of
    a prefix got another limit than the whole stream's."""
    times, speed = _idle_speed(fps, 40.0)
    settings = HoldSettings()
    whole = stream_limit(times, speed, 0.01, settings, 3.0)
    for cut_s in np.arange(2.0, 39.0, BLOCK_S):
        n = int(np.searchsorted(times, cut_s - 1e-9))  # the frames before a block's start
        prefix = stream_limit(times[:n], speed[:n], 0.01, settings, 3.0)
        assert np.array_equal(prefix, whole[:n]), f"cut at {cut_s:.1f} s"


@pytest.mark.parametrize("fps", [30, 60])
def test_the_floor_limit_of_a_later_window_is_the_whole_streams(fps):
    """A live pass reads a window starting later in the stream; frames whose levels read only
    frames of that window get the whole stream's limit, whichever frame the window starts on."""
    times, speed = _idle_speed(fps, 70.0)
    settings = HoldSettings()
    whole = stream_limit(times, speed, 0.01, settings, 3.0)
    for start in (1, 7, 101, 302):
        part = stream_limit(times[start:], speed[start:], 0.01, settings, 3.0)
        whole_levels = times[start:] >= times[start] + HISTORY_S + 2 * BLOCK_S
        assert np.array_equal(part[whole_levels], whole[start:][whole_levels]), f"window from frame {start}"
