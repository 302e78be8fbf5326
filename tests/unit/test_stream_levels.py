"""Stream levels: a frame's level reads only frames before it (after the warm-up), the same
for a whole take as for any prefix of it, so live and offline agree."""

import numpy as np
import pytest

from rehearse.analysis.events.stream_levels import (
    BLOCK_S,
    HISTORY_S,
    WARM_S,
    level_windows,
    stream_baseline,
    stream_percentile,
    stream_wander,
    warm_up_end_s,
)


def _take(seconds: float, fps: float = 24.0, start: float = 0.0):
    rng = np.random.default_rng(3)
    times = start + np.arange(int(seconds * fps)) / fps
    return times, rng.normal(size=times.size).cumsum()


def test_a_prefix_of_the_take_reads_the_same_levels_as_the_whole_take():
    times, values = _take(40)
    whole = stream_percentile(times, values, None, 20.0)
    for cut in (15, 37, 240, 700, times.size - 1):  # from the warm-up's end on (frame 15 at 24 fps)
        part = stream_percentile(times[:cut], values[:cut], None, 20.0)
        assert np.array_equal(part, whole[:cut], equal_nan=True), cut


def test_a_level_reads_only_frames_before_its_block_after_the_warm_up():
    times, values = _take(10)
    for first, end, lo, hi in level_windows(times):
        block_start = np.floor(times[first] / BLOCK_S + 1e-9) * BLOCK_S
        if block_start >= warm_up_end_s(times[0]) - 1e-9:
            assert times[hi - 1] < block_start <= times[hi] if hi < times.size else True
            assert times[lo] >= block_start - HISTORY_S - 1e-9
        else:
            assert (lo, hi) == (0, int(np.searchsorted(times, warm_up_end_s(times[0]) - 1e-9)))
        assert all(np.floor(times[first:end] / BLOCK_S + 1e-9) == np.floor(times[first] / BLOCK_S + 1e-9))


def test_warm_up_frames_share_the_level_of_the_first_half_second():
    times, values = _take(3)
    levels = stream_percentile(times, values, None, 50.0)
    warm = times < warm_up_end_s(times[0]) - 1e-9
    assert np.allclose(levels[warm], np.median(values[warm]))
    assert warm_up_end_s(0.0) == pytest.approx(WARM_S)


def test_the_level_follows_a_change_only_after_it_happened():
    times = np.arange(0, 20, 1 / 25)
    values = np.where(times < 10, 1.0, 5.0)
    levels = stream_percentile(times, values, None, 100.0)
    assert np.all(levels[times < 10.0 - 1e-9] == 1.0)  # the future does not leak back
    assert np.all(levels[times >= 10.2 - 1e-9] == 5.0)  # from the next block on


def test_history_bounds_the_window_and_unusable_frames_are_left_out():
    times = np.arange(0, 100, 1 / 10)
    values = np.where(times < 50, 1.0, 3.0)
    usable = times % 2 < 1.5
    levels = stream_percentile(times, values, usable, 50.0)
    assert levels[-1] == 3.0  # the first 50 s are more than HISTORY_S ago
    none = stream_percentile(times, values, np.zeros_like(usable), 50.0)
    assert np.isnan(none).all()


def test_a_marked_neutral_span_is_one_fixed_level():
    times, values = _take(5)
    neutral = (times > 3) & (times < 4)
    base = stream_baseline(times, values, np.ones_like(neutral), neutral)
    assert np.allclose(base, np.median(values[neutral]))
    open_levels = stream_baseline(times, values, np.ones_like(neutral), None, 90.0)
    assert np.array_equal(open_levels, stream_percentile(times, values, None, 90.0))


def test_percentile_of_is_numpys_percentile_to_the_bit():
    from rehearse.analysis.events.stream_levels import percentile_of

    rng = np.random.default_rng(4)
    for n in (1, 2, 3, 8, 51, 720):
        for pct in (0.0, 20.0, 25.0, 50.0, 75.0, 99.5, 100.0):
            pool = rng.standard_normal(n)
            assert percentile_of(pool, pct) == float(np.percentile(pool, pct))


def test_wander_is_the_spread_of_the_changes_seen_so_far():
    """Noise that doubles at 10 s raises the wander only once frames after 10 s were seen; a
    prefix reads the same wander as the whole take."""
    rng = np.random.default_rng(7)
    times = np.arange(0, 20, 1 / 25)
    values = np.where(times < 10, 1.0, 2.0) * rng.normal(size=times.size)
    wander = stream_wander(times, values, 1)
    early, late = wander[(times > 5) & (times < 10)], wander[times > 19.5]
    assert early == pytest.approx(1.0, rel=0.2)  # the MAD of steps of unit noise, / sqrt 2
    assert late.min() > 1.3 * early.max()
    assert np.array_equal(stream_wander(times[:300], values[:300], 1), wander[:300])
    assert not stream_wander(times[:2], values[:2], 1).any()  # too few changes: 0, not NaN



@pytest.mark.xfail(strict=True, reason=(
    "known gap, measured 2026-11-30: stream_rest_level's rest state carries over from every earlier "
    "frame, so a live pass's window that starts during a head turn (its warm-up reads the turned head "
    "as rest) keeps that rest for as long as a turn recurs within HISTORY_S; live's _exact assumes "
    "levels are whole HISTORY_S + a block after the window's start. 01-1A-2 looped 7x at 24 fps: "
    "live emitted 7 s head turns to the other side and lean_aways the recording does not have"))
def test_a_rest_level_read_from_a_later_window_is_the_whole_streams_after_its_history():
    """A head at rest (2 deg, tracker noise) that turns 20 deg for 0.6 s every 8 s, 56 s long: the rest
    level of a window starting anywhere (a live pass reads the last ~44 s) is the whole stream's once
    HISTORY_S + a block have passed. Windows starting at 5.4-6.0 s, inside a turn, read the turned
    head as the rest ~20 deg off to the end."""
    from rehearse.analysis.events.stream_levels import stream_rest_level

    times = np.arange(int(56 * 24)) / 24
    yaw = 2.0 + np.random.default_rng(0).normal(0, 0.8, times.size)
    yaw[(times % 8.0 >= 5.7) & (times % 8.0 < 6.3)] -= 20.0
    whole = stream_rest_level(times, yaw, None, 6.0)
    for start_s in np.arange(0.0, 8.0, 0.1):
        first = int(np.searchsorted(times, start_s))
        window = stream_rest_level(times[first:], yaw[first:], None, 6.0)
        whole_from = int(np.searchsorted(times, times[first] + HISTORY_S + BLOCK_S))
        np.testing.assert_allclose(window[whole_from - first:], whole[whole_from:], atol=1e-9,
                                   err_msg=f"window from {start_s:.1f} s")
