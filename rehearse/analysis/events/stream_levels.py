"""Take-wide levels as a stream knows them: each frame's level is read from the frames before it.

A detector often compares a frame with the take's own level (the open eyes' baseline, the
tracker's still-state jitter, the actor's resting posture). Read over the whole take, that level
depends on frames not yet played, so a live rehearsal cannot know an event is final until the
take ends, and an offline analysis of the recording disagrees with what was shown live. Read
here, a frame's level depends only on the frames before it, so both give the same events and a
live event is final a short, fixed time after its end.

How (the same offline and live):
- time is cut into blocks of BLOCK_S on a grid from stream time 0; the frames of one block share
  a level, read over the usable frames in the HISTORY_S before the block starts;
- the first WARM_S of a stream (from its first frame, rounded up to the grid) have no past to read:
  their blocks share the level of those first WARM_S seconds, so an event there is final at the
  latest WARM_S after the stream starts plus its own settling time;
- a block whose window holds fewer than `min_count` usable frames gets NaN (nothing to read).

Values that are themselves windowed (a centred mean) reach a little ahead of their frame: the
live side counts that reach in each detector's settling time, not here.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

BLOCK_S = 0.2
"""Frames share a level in blocks of this many seconds (grid from stream time 0)."""
WARM_S = 0.6
"""The first this-many seconds of a stream share the level read over themselves (no past yet).
On the block grid; no later than a hold's own settling after an end at 0.1 s, so a live event
there is not made later by it."""
HISTORY_S = 30.0
"""A level is read over at most this many seconds before its block (a long take's light, framing
and the actor's state move; a live rehearsal keeps this much history, not the whole take)."""


def level_windows(times: np.ndarray, *, block_s: float = BLOCK_S, warm_s: float = WARM_S,
                  history_s: float = HISTORY_S) -> list[tuple[int, int, int, int]]:
    """(first_frame, end_frame, window_start, window_end) per block that has frames: the frames
    [first_frame, end_frame) share the level read over frames [window_start, window_end)."""
    times = np.asarray(times, dtype=float)
    if times.size == 0:
        return []
    step = block_s
    blocks = np.floor(times / step + 1e-9).astype(np.int64)
    ready = np.ceil((times[0] + warm_s) / step - 1e-9) * step  # end of the warm-up, on the grid
    warm_end = int(np.searchsorted(times, ready - 1e-9))
    out = []
    starts = np.flatnonzero(np.r_[True, blocks[1:] != blocks[:-1]])
    ends = np.r_[starts[1:], times.size]
    for first, end in zip(starts, ends, strict=True):
        block_start = blocks[first] * step
        if block_start < ready - 1e-9:
            out.append((int(first), int(end), 0, warm_end))
            continue
        lo = int(np.searchsorted(times, block_start - history_s - 1e-9))
        hi = int(np.searchsorted(times, block_start - 1e-9))
        out.append((int(first), int(end), lo, hi))
    return out


def stream_statistic(times: np.ndarray, values: np.ndarray, usable: np.ndarray | None,
                     statistic: Callable[[np.ndarray], float], *, min_count: int = 1,
                     block_s: float = BLOCK_S, warm_s: float = WARM_S,
                     history_s: float = HISTORY_S) -> np.ndarray:
    """Per frame: `statistic` of the usable, finite `values` in its block's window (see module
    docstring); NaN where the window has fewer than `min_count` of them. `statistic` gets a 1-D
    float array and returns a float."""
    values = np.asarray(values, dtype=float)
    good = np.isfinite(values) if usable is None else (np.asarray(usable, bool) & np.isfinite(values))
    out = np.full(values.shape[0], np.nan)
    last: tuple[int, int] | None = None
    level = float("nan")
    for first, end, lo, hi in level_windows(times, block_s=block_s, warm_s=warm_s, history_s=history_s):
        if (lo, hi) != last:  # warm-up blocks share one window: read it once
            pool = values[lo:hi][good[lo:hi]]
            level = float(statistic(pool)) if pool.size >= max(1, min_count) else float("nan")
            last = (lo, hi)
        out[first:end] = level
    return out


def stream_percentile(times: np.ndarray, values: np.ndarray, usable: np.ndarray | None,
                      percentile: float, *, min_count: int = 1, **window) -> np.ndarray:
    """Per frame: the `percentile` of the usable values before it (see `stream_statistic`)."""
    return stream_statistic(times, values, usable, lambda pool: percentile_of(pool, percentile),
                            min_count=min_count, **window)


def percentile_of(pool: np.ndarray, percentile: float) -> float:
    """`np.percentile(pool, percentile)` (linear), to the bit, from one partial sort: a stream
    level reads a pool per 0.2 s block, and np.percentile's general path cost ~10x as much
    (112 vs 10 us on 720 values), most of a live detection pass's blink and smile levels."""
    n = pool.size
    position = percentile / 100.0 * (n - 1)
    low = int(np.floor(position))
    high = min(low + 1, n - 1)
    part = np.partition(pool, (low, high) if high != low else low)
    a, b = part[low], part[high]
    t = position - low
    # numpy's own interpolation (lerp from the nearer end), so the result is the same float
    return float(b - (b - a) * (1 - t)) if t >= 0.5 else float(a + (b - a) * t)


def stream_baseline(times: np.ndarray, values: np.ndarray, usable: np.ndarray,
                    neutral: np.ndarray | None, percentile: float = 50.0) -> np.ndarray:
    """The actor's resting value per frame, as `signal_ops.baseline_value` reads it for a whole
    take: the median over a marked neutral span when one is given (a fixed level the breakdown
    names beforehand, the same for every frame), else the `percentile` of the usable frames before
    each frame (`stream_percentile`)."""
    values = np.asarray(values, dtype=float)
    if neutral is not None:
        chosen = values[neutral & usable & ~np.isnan(values)]
        if chosen.size >= 3:
            return np.full(values.shape[0], float(np.median(chosen)))
    return stream_percentile(times, values, usable, percentile)


def stream_wander(times: np.ndarray, values: np.ndarray, lag: int) -> np.ndarray:
    """Per frame: the robust spread (standard deviation, from the MAD) of the signal's changes
    over `lag` frames, read over the frames before it (`stream_statistic`); 0 with fewer than 3.
    lag 1 is `signal_ops.noise_level`'s frame-to-frame noise, a longer lag `wander_level`'s
    drift, as the stream knows them (a change is counted at its later frame)."""
    values = np.asarray(values, dtype=float)
    steps = np.full(values.size, np.nan)
    if lag >= 1 and values.size > lag:
        steps[lag:] = values[lag:] - values[:-lag]
    return np.nan_to_num(stream_statistic(times, steps, None, _robust_sd, min_count=3), nan=0.0)


def _robust_sd(steps: np.ndarray) -> float:
    mad = percentile_of(np.abs(steps - percentile_of(steps, 50.0)), 50.0)
    return float(1.4826 * mad / np.sqrt(2.0))


def warm_up_end_s(first_s: float, *, block_s: float = BLOCK_S, warm_s: float = WARM_S) -> float:
    """Stream time (s) at which the warm-up's shared level is known: the frames before it read it."""
    return float(np.ceil((first_s + warm_s) / block_s - 1e-9) * block_s)


def levels_read_before_s(times: np.ndarray, first_s: float, *, block_s: float = BLOCK_S,
                         warm_s: float = WARM_S) -> np.ndarray:
    """Per frame: the stream time before which lie all the frames its level is read over (its
    block's start; the warm-up's end for the warm-up's blocks). Once every frame before it is final,
    so is the frame's level. `first_s`: the stream's first frame time."""
    times = np.asarray(times, dtype=float)
    block_start = np.floor(times / block_s + 1e-9) * block_s
    return np.maximum(block_start, warm_up_end_s(first_s, block_s=block_s, warm_s=warm_s))


def stream_rest_level(times: np.ndarray, values: np.ndarray, usable: np.ndarray | None, near: float, *,
                      known: np.ndarray | None = None, block_s: float = BLOCK_S, warm_s: float = WARM_S,
                      history_s: float = HISTORY_S) -> np.ndarray:
    """Per frame: the actor's resting value, read as `stream_statistic` reads a median, but over the
    frames of the window that were themselves at rest (within `near` of their own level); over all
    the window's usable frames when none was (the warm-up, or a posture held the whole window).

    A plain median of the past moves to a gesture that fills half its window: a head turn held
    from 0.5 s to 1.7 s becomes the first second's level and reads as over by 1.1 s. Frames away
    from the rest level do not pull it. Each block's level depends only on the frames before it
    (and their own levels, read the same way), so a prefix of a stream gets the same levels.

    That reaches back through every earlier frame: a later window of a stream (a live pass) reads
    other levels, for good, when it starts inside a gesture (its warm-up takes the gesture for the
    rest). `known`: the levels of the first `known.size` frames, read before over the whole stream
    (by earlier live passes): their blocks take them, and later blocks read the rest state of those
    frames from them, so the window's levels are the whole stream's wherever its later blocks' own
    HISTORY_S lies inside the window."""
    values = np.asarray(values, dtype=float)
    good = np.isfinite(values) if usable is None else (np.asarray(usable, bool) & np.isfinite(values))
    out = np.full(values.shape[0], np.nan)
    rest = np.zeros(values.shape[0], bool)
    windows = level_windows(times, block_s=block_s, warm_s=warm_s, history_s=history_s)
    known_count = 0 if known is None else min(int(np.asarray(known).size), values.shape[0])
    if known_count:  # the blocks starting among the known frames share their first frame's level
        firsts = np.array([w[0] for w in windows])
        blocks = int(np.searchsorted(firsts, known_count))
        known_end = windows[blocks - 1][1]
        out[:known_end] = np.asarray(known, float)[np.repeat(firsts[:blocks], np.diff(np.r_[firsts[:blocks], known_end]))]
        rest[:known_end] = good[:known_end] & (np.abs(values[:known_end] - out[:known_end]) <= near)
        windows = windows[blocks:]
    last: tuple[int, int] | None = None
    level = float("nan")
    for first, end, lo, hi in windows:
        if (lo, hi) != last:
            window, quiet = good[lo:hi], rest[lo:hi]
            pool = values[lo:hi][quiet] if quiet.any() else values[lo:hi][window]
            level = _median(pool) if pool.size else float("nan")
            last = (lo, hi)
        out[first:end] = level
        rest[first:end] = good[first:end] & (np.abs(values[first:end] - level) <= near)
    return out


def _median(pool: np.ndarray) -> float:
    """np.median of a non-empty 1-D array, without its per-call overhead (a level per block)."""
    half = pool.size // 2
    part = np.partition(pool, half)
    if pool.size % 2:
        return float(part[half])
    return float((part[half] + part[:half].max()) / 2)
