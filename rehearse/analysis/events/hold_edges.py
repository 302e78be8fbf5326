"""Where a face hold really starts and ends, between frames.

`face_motion` is the speed over a centred span of frames (`face_signals.motion_span_frames`),
so across the instant T where movement stops it ramps from the moving level to the still one
over one span, and passes half way at T. `refine_edges` moves each edge of the still mask to
the split with the most evidence for that step; `edge_times` then reads T off the frames
around the split at sub-frame precision, so an edge does not snap to whichever frame the
noise tipped.
"""

from __future__ import annotations

import numpy as np

from rehearse.analysis.events.signal_ops import frames_for, runs
from rehearse.analysis.face_signals import motion_span_frames

EdgeTimes = tuple[dict[int, float], dict[int, float]]
"""(first still frame -> start time, first moving frame after the hold -> end time)."""


def refine_edges(times: np.ndarray, still: np.ndarray, motion: np.ndarray, limit: float, reach_s: float) -> None:
    """Move each hold edge of `still` (in place) to the split with the most evidence, time
    under the half-way speed minus time over it, on its still side, within `reach_s` of the
    windowed decision. Each frame counts for its duration, so variable frame rate does not
    weigh short frames more."""
    step = np.diff(times, prepend=times[0] - (times[1] - times[0]))
    reach = frames_for(reach_s, times)
    half = _half_span(times)
    spans = runs(still)
    for index, (first, last) in enumerate(spans):
        onset_level, offset_level = _half_way_levels(times, motion, first, last, half, limit)
        floor = spans[index - 1][1] + 1 if index else 0  # never reach into the neighbouring holds
        ceiling = spans[index + 1][0] - 1 if index + 1 < len(spans) else times.size
        middle = (first + last) // 2
        low, high = max(floor, first - reach), min(middle, first + reach)
        if high > low and onset_level is not None:
            evidence = np.nan_to_num((onset_level - motion[low:high]) * step[low:high])
            onset = low + int(np.argmax(np.cumsum(evidence[::-1])[::-1]))
            still[low:onset] = False
            still[onset:high] = True
        low, high = max(middle, last - reach), min(ceiling, last + reach)
        if high > low and offset_level is not None:
            evidence = np.nan_to_num((offset_level - motion[low:high]) * step[low:high])
            offset = low + int(np.argmax(np.cumsum(evidence))) + 1
            still[low:offset] = True
            still[offset:high] = False


def edge_times(times: np.ndarray, still: np.ndarray, motion: np.ndarray, limit: float,
               settle_fraction: float) -> EdgeTimes:
    """Sub-frame start and end times of the holds in `still`, where the speed beside them says.

    A frame whose span [a, b] straddles the instant T reads the still level plus the moving
    level's excess times the share of the span that moved: (T - a) / (b - a) before an onset,
    (b - T) / (b - a) after an offset. T is the instant, within two frames of the mask's split,
    whose shares best fit the frames around it (least squares, the moving level fitted too).
    After a face stops, FaceMesh keeps reporting a little movement for about 0.1 s while its
    tracking settles (on the rendered takes up to half the speed before the stop): frames after
    an onset may read up to `settle_fraction` of the moving level without counting against it.
    """
    before, after = motion_span_frames(times)
    a, b = times[before], times[after]
    half = float(np.median(b - a)) / 2
    starts: dict[int, float] = {}
    ends: dict[int, float] = {}
    for first, last in runs(still):
        still_level, moving_before, moving_after = _levels(times, motion, first, last, half)
        if first > 0 and _clear(still_level, moving_before, limit):
            found = _fit_edge(times, motion, a, b, first, still_level, half, True, settle_fraction)
            if found is not None:
                starts[first] = found
        if last < times.size and _clear(still_level, moving_after, limit):
            found = _fit_edge(times, motion, a, b, last, still_level, half, False, settle_fraction)
            if found is not None:
                ends[last] = found
    return starts, ends


def _fit_edge(times, motion, a, b, split: int, still_level: float, half: float, onset: bool,
              settle_fraction: float) -> float | None:
    """The instant, between the frames two before and one after `split` (the first frame on
    the other side), whose ramp of shares best fits the speeds of the frames it can touch."""
    low, high = times[max(split - 2, 0)], times[min(split + 1, times.size - 1)]
    margin = half + 0.25 * float(np.median(np.diff(times)))  # later movement says nothing of it
    near = np.flatnonzero((times >= low - margin) & (times <= high + margin) & ~np.isnan(motion))
    if near.size < 3:
        return None
    excess = motion[near] - still_level
    width = np.maximum(b[near] - a[near], 1e-9)
    best, best_error = None, np.inf
    for instant in np.arange(low, high + 5e-4, 1e-3):
        moved = (instant - a[near]) if onset else (b[near] - instant)
        share = np.clip(moved / width, 0.0, 1.0)
        weight = float(share @ share)
        if weight == 0:
            continue
        excess_level = max(float(share @ excess) / weight, 0.0)
        residual = excess - excess_level * share
        if onset:  # FaceMesh settling after the stop is not movement (see edge_times)
            settled = share == 0
            residual[settled] = np.maximum(residual[settled] - settle_fraction * excess_level, 0.0)
        error = float(np.sum(residual**2))
        if error < best_error:
            best, best_error = float(instant), error
    return best


def _half_span(times: np.ndarray) -> float:
    """Half the typical span face_motion is measured over, in seconds."""
    before, after = motion_span_frames(times)
    return float(np.median(times[after] - times[before])) / 2


def _levels(times: np.ndarray, motion: np.ndarray, first: int, last: int, half: float) -> tuple[float, float, float]:
    """Median speed inside the hold away from its edges, and just outside each edge (beyond
    the ramp, within about a span: later movement says nothing about this edge)."""
    start, end = times[first], times[min(last, times.size - 1)]
    inside = (times >= start + half) & (times < times[last - 1] - half)
    inside[:first] = inside[last:] = False
    moving_before = (times >= start - 2.5 * half) & (times <= start - half)
    moving_after = (times >= end + half) & (times <= end + 2.5 * half)
    return _median(motion[inside]), _median(motion[moving_before]), _median(motion[moving_after])


def _half_way_levels(times, motion, first: int, last: int, half: float,
                     limit: float) -> tuple[float | None, float | None]:
    """The speed half way between still and moving at the onset and at the offset (None where
    the frames beside the edge are not clearly moving: then the windowed decision stands)."""
    still_level, moving_before, moving_after = _levels(times, motion, first, last, half)
    return tuple((still_level + moving) / 2 if _clear(still_level, moving, limit) else None
                 for moving in (moving_before, moving_after))


def _clear(still_level: float, moving_level: float, limit: float) -> bool:
    return not (np.isnan(still_level) or np.isnan(moving_level)) and moving_level > max(limit, still_level)


def _median(values: np.ndarray) -> float:
    good = values[~np.isnan(values)]
    return float(np.median(good)) if good.size else float("nan")
