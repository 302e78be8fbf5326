"""Align a take with the reference take: by beat marks, or by dynamic time warping when marks are missing.

With beat marks on both takes, each beat of the reference maps onto the same beat of the take,
linearly inside the beat (so a beat played slower is not drift). A take without marks is
aligned by DTW on its face and body signals; the warping path is then reduced to one tempo
and offset (a straight-line fit), because a free warp would also absorb the very onset shifts
we are looking for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from rehearse.analysis.events.beats import beat_spans
from rehearse.analysis.tracks import SignalTrack
from rehearse.continuity.similarity import dtw

ALIGN_SIGNALS = (
    "head_yaw", "head_pitch", "lean_forward", "lean_side", "shoulder_turn", "brow_raise_left",
    "brow_raise_right", "lip_corner_left", "lip_corner_right", "mouth_open", "eye_open_left",
    "eye_open_right", "wrist_left_y", "wrist_right_y", "hand_face_left", "hand_face_right",
)
"""Signals DTW aligns on; each is scaled to unit spread so no unit dominates."""

TEMPO_LIMITS = (0.5, 2.0)
"""A take more than twice as fast or slow as the reference is not the same performance."""


@dataclass(frozen=True)
class BeatSpan:
    """One beat in both takes: where it starts and ends in the reference and in the take, in s."""

    beat: str | None
    ref_start: float
    ref_end: float
    take_start: float
    take_end: float

    @property
    def tempo(self) -> float:
        """Take length / reference length of the beat (1.2 = played 20% slower)."""
        ref = self.ref_end - self.ref_start
        return (self.take_end - self.take_start) / ref if ref > 0 else 1.0

    def to_take(self, t_ref: float) -> float:
        """Where a reference time of this beat falls in the take, in seconds."""
        return self.take_start + (t_ref - self.ref_start) * self.tempo

    def contains_ref(self, t: float) -> bool:
        return self.ref_start <= t < self.ref_end

    def contains_take(self, t: float) -> bool:
        return self.take_start <= t < self.take_end


@dataclass(frozen=True)
class Alignment:
    """How a take lines up with the reference: beat spans in both, and the method used."""

    method: str
    """`beat_marks`, `dtw` or `duration` (no signals to warp on: stretched end to end)."""
    spans: tuple[BeatSpan, ...]

    def span_for_ref(self, t: float) -> BeatSpan | None:
        return next((s for s in self.spans if s.contains_ref(t)), self.spans[-1] if self.spans and t >= self.spans[-1].ref_end else None)

    def span_for_take(self, t: float) -> BeatSpan | None:
        return next((s for s in self.spans if s.contains_take(t)), self.spans[-1] if self.spans and t >= self.spans[-1].take_end else None)

    def to_take(self, t_ref: float) -> float:
        """A reference time mapped onto the take, in seconds."""
        span = self.span_for_ref(t_ref) or (self.spans[0] if self.spans else None)
        return t_ref if span is None else span.to_take(t_ref)

    def to_ref(self, t_take: float) -> float:
        """A take time mapped back onto the reference, in seconds."""
        span = self.span_for_take(t_take) or (self.spans[0] if self.spans else None)
        if span is None:
            return t_take
        return span.ref_start + (t_take - span.take_start) / (span.tempo or 1.0)


def feature_matrix(signals: SignalTrack, rate_hz: float, duration_s: float,
                   scale: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(times, (n, k) features resampled at rate_hz, per-channel scale used)."""
    times = np.arange(0.0, max(duration_s, 1.0 / rate_hz), 1.0 / rate_hz)
    columns = []
    for name in ALIGN_SIGNALS:
        values = np.asarray(signals[name], dtype=float) if name in signals else np.full(signals.frame_count, np.nan)
        good = ~np.isnan(values)
        if good.sum() < 2:
            columns.append(np.full(times.size, np.nan))
            continue
        column = np.interp(times, signals.times[good], values[good])
        columns.append(column - np.median(column))
    matrix = np.stack(columns, axis=1)
    if scale is None:
        present = ~np.isnan(matrix).all(axis=0)
        scale = np.full(matrix.shape[1], np.nan)
        scale[present] = np.nanstd(matrix[:, present], axis=0)
        scale = np.where(np.isfinite(scale) & (scale > 1e-6), scale, np.nan)
    return times, matrix / scale, scale


def fit_tempo(reference: SignalTrack, take: SignalTrack, ref_duration: float, take_duration: float,
              rate_hz: float, window_fraction: float) -> tuple[float, float] | None:
    """(offset_s, tempo) with take_t = offset + tempo * ref_t, from a DTW path; None without signals."""
    ref_times, ref_features, scale = feature_matrix(reference, rate_hz, ref_duration)
    take_times, take_features, _ = feature_matrix(take, rate_hz, take_duration, scale)
    usable = ~(np.isnan(ref_features).all(axis=0) | np.isnan(take_features).all(axis=0))
    if not usable.any() or ref_times.size < 4 or take_times.size < 4:
        return None
    a = np.nan_to_num(ref_features[:, usable])
    b = np.nan_to_num(take_features[:, usable])
    _, path = dtw(a, b, window_fraction)
    if not path:
        return None
    ia = np.array([p[0] for p in path])
    ib = np.array([p[1] for p in path])
    tempo, offset = _theil_sen(ref_times[ia], take_times[ib])
    # The DTW line is a starting point: flat stretches of a take warp freely, so the tempo
    # and offset are refined where the features agree best along a straight line.
    tempo, offset = _refine_line(a, b, ref_times, rate_hz, tempo, offset)
    if not TEMPO_LIMITS[0] <= tempo <= TEMPO_LIMITS[1]:
        return None
    return float(offset), float(tempo)


def _theil_sen(x: np.ndarray, y: np.ndarray, pairs: int = 4000) -> tuple[float, float]:
    """Robust line y = tempo * x + offset: the median of pairwise slopes (sampled), then of offsets."""
    rng = np.random.default_rng(0)
    i = rng.integers(0, x.size, pairs)
    j = rng.integers(0, x.size, pairs)
    dx = x[j] - x[i]
    keep = np.abs(dx) > 0.25 * (x.max() - x.min())
    tempo = float(np.median((y[j] - y[i])[keep] / dx[keep])) if keep.any() else 1.0
    return tempo, float(np.median(y - tempo * x))


def _refine_line(a: np.ndarray, b: np.ndarray, ref_times: np.ndarray, rate_hz: float,
                 tempo: float, offset: float) -> tuple[float, float]:
    """Tempo (+-0.25, 0.01 steps) and offset (+-0.6 s) minimising the mean feature distance."""
    best = (np.inf, tempo, offset)
    # Reference moments mapped outside the take cost what an unrelated moment would, so a
    # line cannot win by stretching its quiet parts off the end.
    outside_cost = float(np.abs(a - np.median(a, axis=0)).mean()) * 1.4
    for candidate_tempo in np.arange(tempo - 0.35, tempo + 0.3501, 0.01):
        for candidate_offset in np.arange(offset - 0.6, offset + 0.6001, 1.0 / rate_hz):
            index = np.rint((candidate_offset + candidate_tempo * ref_times) * rate_hz).astype(int)
            inside = (index >= 0) & (index < b.shape[0])
            if inside.mean() < 0.6:
                continue
            distance = np.abs(a[inside] - b[index[inside]]).mean(axis=1).sum()
            cost = float((distance + (~inside).sum() * outside_cost) / inside.size)
            if cost < best[0]:
                best = (cost, float(candidate_tempo), float(candidate_offset))
    return best[1], best[2]


def align_takes(
    reference_marks: Mapping[str, float],
    reference_duration: float,
    reference_signals: SignalTrack | None,
    take_marks: Mapping[str, float],
    take_duration: float,
    take_signals: SignalTrack | None,
    *,
    rate_hz: float = 10.0,
    window_fraction: float = 0.25,
) -> Alignment:
    """Beat spans of the take against the reference (see the module docstring)."""
    ref_spans = beat_spans(reference_marks, reference_duration)
    take_spans = {b: (s, e) for b, s, e in beat_spans(take_marks, take_duration)}
    shared = [span for span in ref_spans if span[0] in take_spans]
    if shared:
        return Alignment("beat_marks", tuple(
            BeatSpan(b, s, e, *take_spans[b]) for b, s, e in shared))
    fit = None
    if reference_signals is not None and take_signals is not None:
        fit = fit_tempo(reference_signals, take_signals, reference_duration, take_duration,
                        rate_hz, window_fraction)
    method = "dtw"
    if fit is None:
        method = "duration"
        fit = (0.0, take_duration / reference_duration if reference_duration > 0 else 1.0)
    offset, tempo = fit
    if not ref_spans and take_marks:
        # Only the take is marked: carry its marks back onto the reference clock.
        ref_spans = [(b, (s - offset) / tempo, (e - offset) / tempo)
                     for b, s, e in beat_spans(take_marks, take_duration)]
    if not ref_spans:
        ref_spans = [(None, 0.0, reference_duration)]
    spans = tuple(BeatSpan(b, s, e, offset + tempo * s, offset + tempo * e) for b, s, e in ref_spans)
    return Alignment(method, spans)
