"""The still/moving limit of a hold detector, per frame, as a stream knows it.

A hold is the face (or the body) moving slower than a limit, and the right limit depends on the
tracker's jitter, which changes with the camera, the frame rate and the framing. `stream_limit`
reads it for each frame from the frames before it (`stream_levels`' blocks and history, the
window running to the end of the frame's block), so a live rehearsal knows the same limit as an
offline analysis of the recording, and a hold is final a fixed time after its end:
- the split between the stream's still and moving speeds when its frames clearly have both
  (`split_still_from_moving`) over the last HISTORY_S - SPLIT_KEPT_S, kept SPLIT_KEPT_S once
  found (so a limit never depends on frames more than HISTORY_S back);
- else the fixed limit, raised above the tracker's still-state speed (for the face only once
  enough frames have been seen to read it, `floor_history_s`).

The windows slide a block at a time over a long take, so each keeps its values sorted as it
slides (`_SortedWindow`): a 10-minute take reads ~3000 windows of up to 30 s each.
"""

from __future__ import annotations

import math
from bisect import bisect_left, insort

import numpy as np

from rehearse.analysis.event_settings import HoldSettings
from rehearse.analysis.events.signal_ops import frames_for, rolling_percentile, stream_frame_s
from rehearse.analysis.events.stream_levels import BLOCK_S, HISTORY_S, level_windows, warm_up_end_s

SPLIT_MIN_BINS = 8
"""The still/moving histogram has about sqrt(frames) bins, at least this many."""
SPLIT_MIN_FRAMES = 5 * SPLIT_MIN_BINS
"""A split needs this many frames (5 a bin of the coarsest histogram): with fewer the valley test
passes by chance (measured: 20-frame windows of the rendered takes' idle motion split at 0.11
IOD/s where no hold is, and a split found once is kept)."""
SPLIT_KEPT_S = 10.0
"""A split found is kept this long (s) when later windows find none: a window's histogram losing
its valley broke the twins' holds mid-way. It is read over the HISTORY_S - SPLIT_KEPT_S before,
so the limit still depends on no frame more than HISTORY_S back (what a live pass reads)."""


def stream_limit(times: np.ndarray, speed: np.ndarray, fixed: float, settings: HoldSettings,
                 factor: float | None = None, *, split: bool = False, floor_waits: bool = False,
                 floor_capped: bool = False, frame_s: float | None = None) -> np.ndarray:
    """Per frame, the limit for `speed` as the stream knows it at the end of the frame's block
    (`windows_through_block`): the split between still and moving speeds there when there is a
    clear one (`split`), or the last one found in the SPLIT_KEPT_S before (one window's histogram
    losing its valley does not end a hold); else `fixed` raised to `factor` (default
    `noise_factor`) times the tracker's still-state speed there.

    Jitter makes a still face read as moving at a speed that grows with the frame rate; its
    level is the `noise_percentile` of the speed after a running median over `floor_window_s`
    (long enough to average the jitter, short enough for one hold to fill it), from the warm-up
    on; with `floor_waits` only over `floor_history_s` of frames or more: over less, a stream
    that has not held still yet reads its slowest movement as jitter (the face: the rendered
    takes' idle drift before their hold raised the limit over it, and an idle span merged into
    the hold; the body's motion energy and Pose need it early, their jitter is over the fixed
    limits on real footage). With `floor_capped` (the body's motion energy, read from the
    warm-up on) a floor over `max_still_factor` times `fixed` counts as that much: over a stream
    that has only moved so far, the floor is its slowest movement (a body moving at 40-80
    grey/s read as still), while a real still body's idle sway under camera noise reads 10-20.
    """
    width = frames_for(settings.floor_window_s, stream_frame_s(times) if frame_s is None else frame_s) | 1
    raise_by = settings.noise_factor if factor is None else factor
    needed_s = floor_history_s(settings) if floor_waits else 0.0
    floors: _SortedWindow | None = None  # read when first needed (a running median is not cheap)
    speeds = _SortedWindow(np.where(speed > 0, speed, np.nan))
    out = np.full(speed.shape[0], float(fixed))
    read: tuple[int, int] | None = None
    limit = float(fixed)
    last_split: tuple[float, float] | None = None  # (limit, stream time it was read at)
    windows = windows_through_block(times)
    split_windows = windows_through_block(times, HISTORY_S - SPLIT_KEPT_S)
    for (first, end, lo, hi), (_, _, split_lo, _) in zip(windows, split_windows, strict=True):
        if (lo, hi) != read:  # the warm-up's blocks share one window: read it once
            found = None
            if split:
                speeds.move(split_lo, hi)
                found = split_still_from_moving(speeds.sorted, settings, fixed)
                if found is not None:
                    last_split = (found, float(times[first]))
                elif last_split is not None and times[first] - last_split[1] <= SPLIT_KEPT_S + 1e-9:
                    found = last_split[0]
            if found is None:
                if floors is None:  # every frame's own median (`exact`): evaluated every width/8
                    # frames and interpolated (60 fps and over), a median read past the block's end
                    # and on a grid counted from the first frame given (another on a live window)
                    floors = _SortedWindow(rolling_percentile(speed, width, 50.0, exact=True))
                floors.move(lo, max(lo, hi - width // 2))  # medians whose own window ends inside
                floor = 0.0
                count = len(floors.sorted)
                if count and count * _mean_step(times, lo, hi) >= needed_s - 1e-9:
                    floor = _percentile(floors.sorted, settings.noise_percentile)
                    if floor_waits and floor > settings.max_still_factor * fixed:
                        floor = 0.0  # the slowest movement of a stretch without a hold, not jitter
                    elif floor_capped:  # no wait to tell them apart: at most the most jitter can be
                        floor = min(floor, settings.max_still_factor * fixed)
                found = max(float(fixed), raise_by * floor)
            limit, read = found, (lo, hi)
        out[first:end] = limit
    return out


def split_still_from_moving(speeds: list[float], settings: HoldSettings, floor: float) -> float | None:
    """The speed that separates still frames from moving ones among `speeds` (positive, sorted),
    when they clearly have both; None when they do not.

    Otsu's split of log speed finds the two populations; the limit sits midway between them
    (the geometric mean of their median speeds), at least `floor`. Read over the frames up to a
    hold's first ones, the still population is small and Otsu's split sits right above it, where
    the hold's own jitter would cross it. Two populations need: at least `min_still_fraction` of
    the frames still and a tenth moving, moving `min_contrast` times faster, the still ones no
    faster than `max_still_factor` times `floor` (the fixed limit), and a valley between them in
    the histogram (one skewed population has none)."""
    count = len(speeds)
    if count < SPLIT_MIN_FRAMES or speeds[0] == speeds[-1]:
        return None
    # In plain Python: a few dozen numbers, read once per block of a long take.
    bins = min(max(round(math.sqrt(count)), SPLIT_MIN_BINS), 32)
    first, last = math.log10(speeds[0]), math.log10(speeds[-1])
    step = (last - first) / bins
    edges = [first + step * i for i in range(bins)] + [last]  # as numpy's linspace
    below = [bisect_left(speeds, 10 ** e) for e in edges[1:-1]] + [count]
    counts = [below[0]] + [below[i] - below[i - 1] for i in range(1, bins)]
    centres = [(edges[i] + edges[i + 1]) / 2 for i in range(bins)]
    total_sum = sum(c * m for c, m in zip(counts, centres, strict=True))
    best, split, running = -1.0, None, 0.0
    for k in range(bins - 1):
        running += counts[k] * centres[k]
        if k == 0:
            continue  # as the split of the whole-take version: never below the first bin
        weight = below[k]
        if weight == 0 or weight == count:
            continue
        between = weight * (count - weight) * ((total_sum - running) / (count - weight) - running / weight) ** 2
        if between > best:
            best, split = between, k
    if split is None or split == bins - 1:
        return None
    still = below[split]
    if still < settings.min_still_fraction * count or count - still < 0.1 * count:
        return None
    low, high = _median(speeds, 0, still), _median(speeds, still, count)
    if high < settings.min_contrast * low or low > settings.max_still_factor * floor:
        return None
    # two populations leave a valley between them; one skewed population does not
    smooth = [(counts[max(i - 1, 0)] * (i > 0) + counts[i] + (counts[i + 1] if i + 1 < bins else 0)) / 3
              for i in range(bins)]
    valley = min(smooth[max(split - 1, 0):split + 2])
    if valley > settings.max_valley * min(max(smooth[:split + 1]), max(smooth[split + 1:])):
        return None
    return max(floor, math.sqrt(low * high))


def windows_through_block(times: np.ndarray, history_s: float = HISTORY_S) -> list[tuple[int, int, int, int]]:
    """`stream_levels.level_windows`, each block's window running to the block's end rather than
    its start: (first_frame, end_frame, window_start, window_end). The first hold of a stream
    whose jitter is over the fixed limit is recognised only once its still frames are in the
    window: read over the frames before its block, the hold's first block would be judged by
    the moving frames alone and its onset found a block late. This reads at most a block
    (BLOCK_S) past a frame (`holds.settle_after_end_s` counts it), and `history_s` back."""
    windows = level_windows(times)
    if not windows:
        return []
    warm_end_s = warm_up_end_s(float(times[0]))
    first, end, lo, hi = (np.array(column) for column in zip(*windows, strict=True))
    block_start = np.floor(times[first] / BLOCK_S + 1e-9) * BLOCK_S
    warm = block_start < warm_end_s - 1e-9  # the warm-up's blocks share the warm-up's level
    lo = np.where(warm, lo, np.searchsorted(times, block_start + BLOCK_S - history_s - 1e-9))
    hi = np.where(warm, hi, end)
    return list(zip(first.tolist(), end.tolist(), lo.tolist(), hi.tolist(), strict=True))


def floor_history_s(settings: HoldSettings) -> float:
    """How many seconds of frames the face's still floor waits for: its
    `noise_percentile` of running medians over `floor_window_s` reads a still span as short as
    one window only among at least this much (8 s with the defaults)."""
    if settings.noise_percentile <= 0:
        return settings.floor_window_s
    return settings.floor_window_s * 100.0 / settings.noise_percentile


class _SortedWindow:
    """The finite values of `values[lo:hi]`, sorted, for a window that slides forward."""

    def __init__(self, values: np.ndarray):
        self.values = np.asarray(values, dtype=float)
        self.sorted: list[float] = []
        self.lo = self.hi = 0

    def move(self, lo: int, hi: int) -> None:
        if lo < self.lo or hi < self.hi or lo >= self.hi:  # not a forward slide: read it afresh
            chosen = self.values[lo:hi]
            self.sorted = sorted(chosen[np.isfinite(chosen)].tolist())
        else:
            for value in self.values[self.hi:hi].tolist():
                if value == value and abs(value) != float("inf"):
                    insort(self.sorted, value)
            for value in self.values[self.lo:lo].tolist():
                if value == value and abs(value) != float("inf"):
                    del self.sorted[bisect_left(self.sorted, value)]
        self.lo, self.hi = lo, hi


def _median(values: list[float], start: int, stop: int) -> float:
    middle = (start + stop - 1) / 2
    return (values[int(np.floor(middle))] + values[int(np.ceil(middle))]) / 2


def _percentile(values: list[float], percentile: float) -> float:
    """numpy's default (linear) percentile of sorted `values`."""
    position = percentile / 100 * (len(values) - 1)
    below = int(np.floor(position))
    above = min(below + 1, len(values) - 1)
    return values[below] + (values[above] - values[below]) * (position - below)


def _mean_step(times: np.ndarray, lo: int, hi: int) -> float:
    return float(times[hi - 1] - times[lo]) / (hi - lo - 1) if hi - lo > 1 else 0.0
