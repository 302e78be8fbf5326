"""Small time-aware operations on per-frame signals shared by the event detectors.

Frames carry presentation timestamps (variable frame rate is normal), so windows are given
in seconds and turned into frame counts with one interval for the whole stream, read over its
warm-up (`stream_frame_s`): an interval read over the frames at hand (a prefix of a take, a live
pass's window) would give a variable-frame-rate stream other window widths than the whole take.
"""

from __future__ import annotations

import numpy as np

from rehearse.analysis.events.stream_levels import warm_up_end_s
from rehearse.analysis.tracks import SignalTrack


def frame_interval(times: np.ndarray) -> float:
    """Median interval between frames, in seconds (1/30 s when there are too few frames)."""
    if times.size < 2:
        return 1.0 / 30.0
    steps = np.diff(times)
    steps = steps[steps > 0]
    return float(np.median(steps)) if steps.size else 1.0 / 30.0


WARM_FRAMES_MIN = 3
"""The stream's frame interval is read over at least this many first frames (a stream under ~4
fps has fewer in its warm-up)."""


def stream_frame_s(times: np.ndarray) -> float:
    """The frame interval (s) every window of a stream starting at `times[0]` is sized by: the
    median interval of its warm-up (the frames before `stream_levels.warm_up_end_s`, known to a
    live stream ~0.6 s in, when its first levels are; at least its first WARM_FRAMES_MIN). The
    median over all the frames given changed with the frames a prefix holds: with 0.5-1.5x uneven
    spacing a 2 s window moved between 43 and 52 frames, and a body hold at 0.00-2.37 s read
    0.00-3.26 s on one prefix. On a constant frame rate it is the take's median interval."""
    if times.size == 0:
        return frame_interval(times)
    warm = int(np.searchsorted(times, warm_up_end_s(float(times[0])) - 1e-9))
    return frame_interval(times[: max(warm, WARM_FRAMES_MIN)])


def track_frame_s(track: SignalTrack) -> float:
    """The interval a track's windows are sized by: the stream's it carries (a live pass's window
    of a longer stream), else `stream_frame_s` of its own times."""
    return track.frame_s if track.frame_s is not None else stream_frame_s(track.times)


def frames_for(seconds: float, frame_s: float, minimum: int = 1) -> int:
    """How many frames span `seconds` at the stream's frame interval `frame_s` (`track_frame_s`)."""
    return max(minimum, int(round(seconds / frame_s)))


def signal(track: SignalTrack, name: str) -> np.ndarray:
    """A signal as float array, all NaN when the track does not have it."""
    if name in track:
        return np.asarray(track[name], dtype=float)
    return np.full(track.frame_count, np.nan)


def face_mask(track: SignalTrack) -> np.ndarray:
    """True where a face was tracked (face_present, else any eye value present)."""
    present = signal(track, "face_present")
    if np.all(np.isnan(present)):
        return ~np.isnan(signal(track, "eye_open_left"))
    return np.nan_to_num(present) > 0.5


def fill_gaps(times: np.ndarray, values: np.ndarray, max_gap_s: float) -> np.ndarray:
    """Linear interpolation across NaN runs no longer than `max_gap_s`; longer runs stay NaN."""
    values = np.asarray(values, dtype=float).copy()
    good = ~np.isnan(values)
    if good.sum() < 2 or good.all():
        return values
    filled = np.interp(times, times[good], values[good])
    for start, end in runs(~good):
        if start == 0 or end == values.size:
            continue
        if times[end] - times[start - 1] <= max_gap_s + 1e-9:
            values[start:end] = filled[start:end]
    return values


def filled_final_index(times: np.ndarray, good: np.ndarray, max_gap_s: float) -> np.ndarray:
    """Per frame: the first frame on which `fill_gaps(..., max_gap_s)` no longer changes its value
    (`good`: frames with a value; times.size where not within these frames). The frame itself
    when it has a value or lies in a leading gap (never filled); inside a gap, the frame that
    closes it or the first one more than `max_gap_s` after the value before it (left unfilled)."""
    n = times.size
    index = np.arange(n)
    good = np.asarray(good, dtype=bool)
    before = np.maximum.accumulate(np.where(good, index, -1)) if n else index
    after = np.minimum.accumulate(np.where(good, index, n)[::-1])[::-1] if n else index
    too_long = np.searchsorted(times, times[np.maximum(before, 0)] + max_gap_s + 1e-9, side="right")
    return np.where(good | (before < 0), index, np.maximum(index, np.minimum(after, too_long)))


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Index ranges [start, end) of consecutive True values."""
    mask = np.asarray(mask, dtype=bool)
    if mask.size == 0:
        return []
    padded = np.concatenate(([False], mask, [False]))
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def merged_runs(times: np.ndarray, mask: np.ndarray, gap_s: float) -> list[tuple[int, int]]:
    """Runs of True, with runs separated by at most `gap_s` seconds joined into one."""
    merged: list[list[int]] = []
    for first, last in runs(mask):
        if merged and times[first] - times[merged[-1][1] - 1] <= gap_s:
            merged[-1][1] = last
        else:
            merged.append([first, last])
    return [(a, b) for a, b in merged]


def same_length_width(width: int, size: int) -> int:
    """`width` capped for a centred `np.convolve(..., mode="same")` over `size` values: a kernel
    longer than the signal would make the result the kernel's length (a take of a few frames)."""
    if width <= size:
        return width
    return max(1, size if size % 2 else size - 1)


def moving_average(values: np.ndarray, width: int) -> np.ndarray:
    """Centred moving average over `width` frames that ignores NaN (NaN where all are NaN)."""
    if width <= 1:
        return np.asarray(values, dtype=float)
    good = ~np.isnan(values)
    kernel = np.ones(same_length_width(width, good.size))
    sums = np.convolve(np.where(good, values, 0.0), kernel, mode="same")
    counts = np.convolve(good.astype(float), kernel, mode="same")
    with np.errstate(invalid="ignore", divide="ignore"):
        out = sums / counts
    out[counts == 0] = np.nan
    return out


def rate(times: np.ndarray, values: np.ndarray, span_s: float, frame_s: float | None = None) -> np.ndarray:
    """Time derivative (unit per second) as a central difference over about `span_s` (in frames
    at the stream's interval `frame_s`, default `stream_frame_s(times)`).

    Differencing frames `span_s` apart rather than neighbours keeps tracker jitter, and the
    uneven spacing of variable-frame-rate video, from turning into large false speeds.
    """
    n = values.size
    out = np.full(n, np.nan)
    if n < 2:
        return out
    k = max(1, frames_for(span_s, stream_frame_s(times) if frame_s is None else frame_s) // 2)
    ahead = np.minimum(np.arange(n) + k, n - 1)
    behind = np.maximum(np.arange(n) - k, 0)
    dt = times[ahead] - times[behind]
    with np.errstate(invalid="ignore", divide="ignore"):
        out = (values[ahead] - values[behind]) / dt
    out[dt <= 0] = np.nan
    return out


def rolling_median(values: np.ndarray, width: int) -> np.ndarray:
    """Centred running median over `width` frames, ignoring NaN."""
    return rolling_percentile(values, width, 50.0)


def rolling_percentile(values: np.ndarray, width: int, percentile: float, *, exact: bool = False) -> np.ndarray:
    """Centred running percentile over `width` frames, ignoring NaN.

    Unless `exact`, wide windows are evaluated every width/8 frames and interpolated between:
    a slow level (an open-eye baseline) does not need a sort per frame.
    """
    n = values.size
    width = max(1, width | 1)
    half = width // 2
    padded = np.concatenate((np.full(half, np.nan), values, np.full(half, np.nan)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, width)
    stride = 1 if exact or width < 24 else width // 8
    if stride > 1:
        picks = np.unique(np.concatenate((np.arange(0, n, stride), [n - 1])))
        with _quiet():
            coarse = np.nanpercentile(windows[picks], percentile, axis=1)
        good = ~np.isnan(coarse)
        if good.sum() < 2:
            return np.full(n, np.nan) if not good.any() else np.full(n, coarse[good][0])
        return np.interp(np.arange(n), picks[good], coarse[good])
    with _quiet():
        if percentile == 50.0:
            out = np.nanmedian(windows, axis=1)
        else:
            out = np.nanpercentile(windows, percentile, axis=1)
    return out[:n]


def nan_mean_rows(rows: list[np.ndarray]) -> np.ndarray:
    """Per-frame mean over the given arrays, ignoring NaN (NaN where all are NaN)."""
    with _quiet():
        return np.nanmean(np.vstack(rows), axis=0)


def noise_level(values: np.ndarray) -> float:
    """Robust frame-to-frame noise (standard deviation) of a signal, from the MAD of differences."""
    steps = np.diff(values)
    steps = steps[~np.isnan(steps)]
    if steps.size < 3:
        return 0.0
    return step_noise(steps)


def step_noise(steps: np.ndarray) -> float:
    """`noise_level` from a signal's frame-to-frame steps already taken (NaN-free), so a stream
    level can read it over the steps before a frame."""
    mad = np.median(np.abs(steps - np.median(steps)))
    return float(1.4826 * mad / np.sqrt(2.0))


def wander_level(values: np.ndarray, lag: int) -> float:
    """Robust spread (standard deviation) of a signal's changes over `lag` frames, from the MAD.

    Frame-to-frame noise misses a signal that drifts by itself over a few frames (a painted
    brow under the tracker, compression blocks): its changes over a lag show it, while an
    expression that holds adds only its edges, which the median ignores."""
    if lag < 1 or values.size <= lag:
        return 0.0
    steps = values[lag:] - values[:-lag]
    steps = steps[~np.isnan(steps)]
    if steps.size < 3:
        return 0.0
    mad = np.median(np.abs(steps - np.median(steps)))
    return float(1.4826 * mad / np.sqrt(2.0))


def baseline_value(
    values: np.ndarray, usable: np.ndarray, neutral: np.ndarray | None, percentile: float = 50.0
) -> float:
    """The actor's resting value: median over the neutral span if given, else a percentile
    over usable frames. NaN when there is nothing to learn from."""
    pool = values[usable & ~np.isnan(values)]
    if neutral is not None:
        chosen = values[neutral & usable & ~np.isnan(values)]
        if chosen.size >= 3:
            return float(np.median(chosen))
    if pool.size == 0:
        return float("nan")
    return float(np.percentile(pool, percentile))


def crossing_time(times: np.ndarray, values: np.ndarray, i_low: int, i_high: int, level: float) -> float:
    """Time where `values` crosses `level` between frames i_low and i_high (linear interpolation)."""
    a, b = values[i_low], values[i_high]
    if np.isnan(a) or np.isnan(b) or a == b:
        return float(times[i_high])
    frac = float(np.clip((level - a) / (b - a), 0.0, 1.0))
    return float(times[i_low] + frac * (times[i_high] - times[i_low]))


def extent(
    times: np.ndarray, strength: np.ndarray, apex: int, level: float
) -> tuple[float, float, int, int]:
    """Onset and offset around an apex: where `strength` falls back below `level`.

    Returns (start_s, end_s, first_index, last_index_inclusive); the times are interpolated
    between frames so they do not snap to the frame grid.
    """
    n = strength.size
    i = apex
    while i > 0 and not np.isnan(strength[i - 1]) and strength[i - 1] > level:
        i -= 1
    j = apex
    while j < n - 1 and not np.isnan(strength[j + 1]) and strength[j + 1] > level:
        j += 1
    start = crossing_time(times, strength, i - 1, i, level) if i > 0 else float(times[0])
    end = crossing_time(times, strength, j + 1, j, level) if j < n - 1 else float(times[-1])
    return start, end, i, j


def ramp_edges(
    times: np.ndarray, strength: np.ndarray, apex: int, low: float, high: float
) -> tuple[float, float]:
    """Onset and offset found by extending the rise and the fall back to zero.

    The rise is the line through the crossings of `low` and `high` (absolute levels below the
    peak); where it meets zero is the onset. A threshold crossing alone would sit late on a
    gradual onset by a fraction of the rise time; the extension removes most of that bias.
    """
    s_low, e_low, first, last = extent(times, strength, apex, low)
    # The ramp is the lid's FIRST rise through `high` after it passed `low`, and its LAST fall
    # before it passes `low` again: a long closure dips and recovers inside (tears, squeezing),
    # and a ramp measured from the apex's own crossing would extend the edge by seconds.
    up = first
    while up < apex and not strength[up] > high:
        up += 1
    down = last
    while down > apex and not strength[down] > high:
        down -= 1
    s_high = crossing_time(times, strength, up - 1, up, high) if up > 0 else float(times[0])
    e_high = crossing_time(times, strength, down + 1, down, high) if down < strength.size - 1 else float(times[-1])
    share = low / (high - low)
    start = s_low - max(0.0, s_high - s_low) * share
    end = e_low + max(0.0, e_low - e_high) * share
    return start, end


def time_mask(times: np.ndarray, start_s: float, end_s: float) -> np.ndarray:
    """True for frames whose time lies in [start_s, end_s)."""
    return (times >= start_s) & (times < end_s)


class _quiet:
    """Silence numpy's 'All-NaN slice' warnings inside a block."""

    def __enter__(self):
        import warnings

        self._ctx = warnings.catch_warnings()
        self._ctx.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *exc):
        return self._ctx.__exit__(*exc)
