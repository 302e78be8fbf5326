"""Where a face hold really starts and ends, between frames: one fit per edge.

`face_motion` is the speed over a centred span of frames (`face_signals.motion_span_frames`:
frame i reads the displacement from a_i to b_i over b_i - a_i). A face that stops at the
instant T leaves each frame reading the still level and the moving level's share of its span
that was still moving, (T - a_i) / (b_i - a_i) for an onset, (b_i - T) / (b_i - a_i) for an
offset, clipped to 0..1: across T the speed ramps over one span.

`fit_hold_edges` takes the windowed still/moving decision, which only says roughly where each
edge is, and `fit_edge` finds T within `edge_reach_s` of it: the candidate instant whose ramp
best fits a fixed set of frames around it (weighted least squares, the still level and spread
read inside the hold, the moving level fitted for each candidate). Frames count by their
relative error, which also keeps FaceMesh's settling after a stop (up to half the speed before,
for about 0.1 s on the rendered takes) from dragging an onset: no separate allowance is needed.
"""

from __future__ import annotations

import numpy as np

from rehearse.analysis.event_settings import HoldSettings
from rehearse.analysis.events.signal_ops import runs, stream_frame_s
from rehearse.analysis.face_signals import motion_span_frames, motion_span_s

STEP_S = 1e-3
"""Candidate instants are this far apart (well under a frame at any frame rate)."""
EPS_S = 1e-9
"""Frames this close (s) to a bound count as on it: the bounds come from medians of frame
intervals, whose last bits depend on how many frames there are, and a frame exactly one
interval away must not count on one take and not on its prefix."""
RELATIVE_SPREAD = 0.5
"""A speed reading's spread as a fraction of it: tracker jitter's is 0.48 of its mean (measured
on FaceMesh), and a moving face's speed varies at least as much."""


def fit_hold_edges(times: np.ndarray, motion: np.ndarray, still: np.ndarray, limit: float | np.ndarray,
                   settings: HoldSettings, span_frames: tuple[np.ndarray, np.ndarray] | None = None,
                   frame_s: float | None = None) -> list[tuple[float, float]]:
    """(start_s, end_s) of each hold of the per-frame `still` decision, its edges fitted between
    frames on `motion` (face_motion, gaps filled). `span_frames` are the frames each speed was
    measured between (default: the measurement's own, `motion_span_frames`). An edge whose
    moving side is not clearly moving, or that is the take's first or last frame, stays on the
    frame the decision gives (a hold ends at its first moving frame, or after the last frame).
    `limit` is the still/moving limit, one for the take or one per frame (as the stream knew it
    then): an edge's moving side is clear above the limit of its moving frame next to the hold.
    The ramp frames left out of the levels either side of an edge are those within half a span
    of it, and a fit reads a span's worth of frames either side of its reach: the span
    `face_motion` reads at the stream's frame interval `frame_s` (default `stream_frame_s(times)`),
    one for the stream, so a prefix reads the same frames (their median span moved with the
    frames a variable-frame-rate prefix holds)."""
    limits = np.broadcast_to(np.asarray(limit, dtype=float), times.shape)
    before, after = span_frames if span_frames is not None else motion_span_frames(times)
    a, b = times[before], times[after]
    span = motion_span_s(stream_frame_s(times) if frame_s is None else frame_s)
    half = span / 2
    step = float(np.median(np.diff(times))) if times.size > 1 else 0.0
    spans = runs(still)
    out = []
    for index, (first, last) in enumerate(spans):
        start = float(times[first])
        end = float(times[last]) if last < times.size else float(times[-1]) + step
        still_level, still_spread, moving_before, moving_after = _levels(times, motion, first, last, half,
                                                                         settings.edge_reach_s)
        middle = (start + float(times[last - 1])) / 2  # an edge never crosses the middle of its hold
        if first > 0 and _clear(still_level, moving_before, float(limits[first - 1])):
            floor = float(times[spans[index - 1][1]]) if index else float(times[0])
            start = fit_edge(times, motion, a, b, start, True, (floor, middle), still_level, still_spread,
                             settings.edge_reach_s, span)
        if last < times.size and _clear(still_level, moving_after, float(limits[last])):
            ceiling = float(times[spans[index + 1][0]]) if index + 1 < len(spans) else float(times[-1])
            end = fit_edge(times, motion, a, b, end, False, (middle, ceiling), still_level, still_spread,
                           settings.edge_reach_s, span)
        if out and start < out[-1][1]:  # two holds fitted into the short gap between them
            start = out[-1][1]
        out.append((start, end))
    return out


def fit_edge(times: np.ndarray, motion: np.ndarray, a: np.ndarray, b: np.ndarray, rough: float, onset: bool,
             bounds: tuple[float, float], still_level: float, still_spread: float, reach_s: float,
             context: float) -> float:
    """The instant within `reach_s` of `rough` (and inside `bounds`) where the face stopped
    (`onset`) or started moving again: the one whose ramp best fits the frames around (those
    within `context`, the stream's motion span, of the candidates)."""
    low, high = max(rough - reach_s, bounds[0]), min(rough + reach_s, bounds[1])
    if high <= low:
        return rough
    candidates = np.arange(low, high + STEP_S / 2, STEP_S)
    # The same frames judge every candidate: those whose span reaches into [low, high], and a
    # span's worth either side that anchors both levels; nothing beyond the bounds.
    width = np.maximum(b - a, 1e-9)
    near = np.flatnonzero((b >= low - context - EPS_S) & (a <= high + context + EPS_S)
                          & (times >= bounds[0] - EPS_S) & (times <= bounds[1] + EPS_S) & ~np.isnan(motion))
    if near.size < 3:
        return rough
    speed = motion[near]
    moved = (candidates[:, None] - a[near]) if onset else (b[near] - candidates[:, None])
    share = np.clip(moved / width[near], 0.0, 1.0) ** 2  # squared share that moved, (candidate, frame)
    # Each frame counts by its relative error (a reading's spread is about RELATIVE_SPREAD of
    # it, never less than the still frames'), so a faster movement further out (an eye opening
    # just before the stop, speech just after) does not outweigh the frames where it stopped.
    spread = np.maximum(RELATIVE_SPREAD * speed, max(still_spread, 0.1 * still_level, 1e-9))
    # Jitter and movement add as vectors in random directions: a frame reads about
    # sqrt(still^2 + moving^2 * share^2). The moving level (squared) is a weighted least-squares
    # fit on squared speeds, whose error is about twice the speed times the speed's error.
    fit = share / (2 * np.maximum(speed, spread) * spread) ** 2
    weight = np.einsum("cf,cf->c", fit, share)
    moving2 = np.maximum(fit @ (speed**2 - still_level**2) / np.maximum(weight, 1e-300), 0.0)
    residual = speed - np.sqrt(still_level**2 + moving2[:, None] * share)
    error = residual**2 @ (1.0 / spread**2)
    error[weight == 0] = np.inf
    return float(candidates[int(np.argmin(error))])


def _levels(times: np.ndarray, motion: np.ndarray, first: int, last: int, half: float,
            reach_s: float) -> tuple[float, float, float, float]:
    """Median speed inside the hold away from its edges and its spread there (the still frames'
    root mean square deviation), and median speed outside each edge: beyond the ramp, over as
    far as the edge may move (the windowed decision puts an onset late and an offset early by a
    fraction of its window; movement further out says nothing about this edge)."""
    start, end = times[first], times[min(last, times.size - 1)]
    inside = (times >= start + half - EPS_S) & (times < times[last - 1] - half + EPS_S)
    inside[:first] = inside[last:] = False
    moving_before = (times >= start - reach_s - half - EPS_S) & (times <= start - half + EPS_S)
    moving_after = (times >= end + half - EPS_S) & (times <= end + reach_s + half + EPS_S)
    still = motion[inside & ~np.isnan(motion)]
    level = _median(still)
    spread = float(np.sqrt(np.mean((still - level) ** 2))) if still.size else float("nan")
    return level, spread, _median(motion[moving_before]), _median(motion[moving_after])


def _clear(still_level: float, moving_level: float, limit: float) -> bool:
    return not (np.isnan(still_level) or np.isnan(moving_level)) and moving_level > max(limit, still_level)


def _median(values: np.ndarray) -> float:
    good = values[~np.isnan(values)]
    return float(np.median(good)) if good.size else float("nan")
