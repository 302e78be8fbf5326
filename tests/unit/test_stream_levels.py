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



def test_a_rest_level_read_from_a_later_window_with_its_front_known_is_the_whole_streams():
    """A head at rest (2 deg, tracker noise) that turns 20 deg for 0.6 s every 8 s, 56 s long. A later
    window of it (a live pass reads the last ~44 s) read alone takes the turned head for the rest, for
    good, when it starts inside a turn (its warm-up reads it; windows from 5.4-6.0 s were ~20 deg off to
    the end). Read with the levels of its first HISTORY_S + a block known from before (a live pass: from
    earlier passes over the whole stream), a window starting anywhere has the whole stream's level at
    every frame, the known part ending on a block's edge or inside a block alike."""
    from rehearse.analysis.events.stream_levels import levels_read_before_s, stream_rest_level

    times = np.arange(int(56 * 24)) / 24
    yaw = 2.0 + np.random.default_rng(0).normal(0, 0.8, times.size)
    yaw[(times % 8.0 >= 5.7) & (times % 8.0 < 6.3)] -= 20.0
    whole = stream_rest_level(times, yaw, None, 6.0)
    alone_off = 0
    for start_s in np.arange(0.0, 8.0, 0.1):
        first = int(np.searchsorted(times, start_s))
        whole_from = int(np.searchsorted(times, times[first] + HISTORY_S + BLOCK_S))
        alone = stream_rest_level(times[first:], yaw[first:], None, 6.0)
        alone_off += int(np.abs(alone[whole_from - first:] - whole[whole_from:]).max() > 10.0)
        for known_to in (whole_from, whole_from + 2, whole_from + 200):
            window = stream_rest_level(times[first:], yaw[first:], None, 6.0, known=whole[first:known_to])
            np.testing.assert_array_equal(window, whole[first:], err_msg=f"window from {start_s:.1f} s")
    assert alone_off >= 5, "windows starting in a turn read alone keep the turned head as the rest"
    # a frame's level reads only the frames before `levels_read_before_s` (what live keeps as final)
    before = levels_read_before_s(times, times[0])
    assert before[0] == before[19] == warm_up_end_s(0.0) < before[20] and before[-1] == pytest.approx(55.8)
    for frame in (5, 14, 20, 400, 700, 1300):
        for moved_from, same in ((before[frame], True), (before[frame] - BLOCK_S, False)):
            moved = np.where(times >= moved_from - 1e-9, 5.0, yaw)  # still within `near` of the rest
            level = stream_rest_level(times, moved, None, 6.0)[frame]
            assert (level == whole[frame]) == same, (frame, moved_from)
