"""Neutral calibration: neutral marks stored per take, rest levels, and the baseline each take used.

Where a neutral segment is declared: in the production's SQLite store (`neutral_mark`, one row
per take file, migration 4 in `rehearse/store/db.py`), set with
`rehearse actor neutral TAKE START END`. Not in the scene YAML: marking rest is a measurement
decision taken while reviewing (like beat marks from a log), the user's YAML is never rewritten
by the app, and `rehearse actor forget` can delete the marks with the rest of the actor's data.

A take's baseline (the resting eye openness and mouth-corner position its blink and expression
thresholds are relative to) comes from, in order:

1. `neutral mark`: the take's own marked neutral span;
2. `profile`: when other takes of the actor have neutral marks, the window of this take (1 s by
   default) whose rest levels are closest to the profile's, with a still face;
3. `take`: the take's own rest statistics (a high percentile of eye openness, the median corner).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rehearse.analysis.events.signal_ops import baseline_value, face_mask, signal, time_mask
from rehearse.analysis.tracks import SignalTrack, TimeSpan
from rehearse.errors import Location, RehearseError

OPEN_EYE_PERCENTILE = 75.0
"""Without a neutral span, the open-eye rest level is this percentile of EAR (as the blink detector does)."""


@dataclass(frozen=True)
class Baseline:
    """Which baseline a take's thresholds were relative to, and the rest levels measured there."""

    source: str
    """`neutral mark`, `profile` or `take`."""
    span: TimeSpan | None
    """The neutral span used (marked or chosen from the profile); none for `take`."""
    eye_open_rest: float | None
    """Eye aspect ratio at rest, mean of both eyes (EAR, ~0.3 open)."""
    lip_corner_rest_iod: float | None
    """Mouth-corner lift at rest, mean of both corners (IOD, up = positive)."""

    def describe(self) -> str:
        """`neutral mark 0.00-1.20 s`, `profile 3.00-4.00 s` or `take's own rest level`."""
        if self.span is None:
            return "take's own rest level"
        return f"{self.source} {self.span.start_s:.2f}-{self.span.end_s:.2f} s"

    def row(self) -> dict:
        """JSON-able form."""
        return {
            "source": self.source, "description": self.describe(),
            "start_s": None if self.span is None else round(self.span.start_s, 3),
            "end_s": None if self.span is None else round(self.span.end_s, 3),
            "eye_open_rest_ear": _round(self.eye_open_rest), "lip_corner_rest_iod": _round(self.lip_corner_rest_iod),
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)


# -- stored neutral marks ----------------------------------------------------------------------


def set_neutral_mark(production_root: Path, take_file: str, start_s: float, end_s: float) -> TimeSpan:
    """Store (or replace) the neutral span of a take, named by its file as in the scene YAML."""
    from rehearse.store.neutral import store_neutral_span

    if not (0 <= start_s < end_s):
        raise RehearseError(
            f"neutral span {start_s:g}-{end_s:g} s is empty or negative", Location(Path(production_root) / take_file),
            hint="give START < END, in seconds from the take's first frame",
        )
    store_neutral_span(production_root, take_file, start_s, end_s)
    return TimeSpan(float(start_s), float(end_s))


def neutral_mark(production_root: Path | None, take_file: str) -> TimeSpan | None:
    """The take's stored neutral span, or None (a production without a database has none)."""
    marks = neutral_marks(production_root)
    return marks.get(take_file)


def neutral_marks(production_root: Path | None) -> dict[str, TimeSpan]:
    """Every stored neutral span: take file -> span. Reading never creates the database."""
    from rehearse.store.neutral import stored_neutral_spans

    return {take_file: TimeSpan(start, end) for take_file, (start, end) in stored_neutral_spans(production_root).items()}


# -- rest levels and the choice of baseline ----------------------------------------------------


def rest_levels(signals: SignalTrack, span: TimeSpan | None = None) -> tuple[float | None, float | None]:
    """(eye openness at rest in EAR, mouth-corner lift at rest in IOD), over `span` if given."""
    if signals.times.size == 0:
        return None, None
    present = face_mask(signals)
    neutral = time_mask(signals.times, span.start_s, span.end_s) if span is not None else None
    ear = np.nanmean(np.vstack([signal(signals, "eye_open_left"), signal(signals, "eye_open_right")]), axis=0) \
        if present.any() else signal(signals, "eye_open_left")
    corner = np.nanmean(np.vstack([signal(signals, "lip_corner_left"), signal(signals, "lip_corner_right")]), axis=0) \
        if present.any() else signal(signals, "lip_corner_left")
    eye = baseline_value(ear, present, neutral, OPEN_EYE_PERCENTILE)
    mouth = baseline_value(corner, present, neutral, 50.0)
    return (None if np.isnan(eye) else eye), (None if np.isnan(mouth) else mouth)


def profile_neutral_span(
    signals: SignalTrack, eye_rest: float, corner_rest: float, window_s: float, max_motion: float
) -> TimeSpan | None:
    """The window of the take whose rest levels are closest to the profile's, with a still face."""
    times = signals.times
    if times.size < 3 or times[-1] - times[0] < window_s:
        return None
    present = face_mask(signals)
    ear = np.nanmean(np.vstack([signal(signals, "eye_open_left"), signal(signals, "eye_open_right")]), axis=0)
    corner = np.nanmean(np.vstack([signal(signals, "lip_corner_left"), signal(signals, "lip_corner_right")]), axis=0)
    motion = signal(signals, "face_motion")
    best, best_cost = None, np.inf
    step = window_s / 4
    start = float(times[0])
    while start + window_s <= float(times[-1]) + 1e-9:
        inside = (times >= start) & (times < start + window_s)
        if inside.sum() >= 3 and present[inside].all():
            window_motion = np.nanmedian(motion[inside]) if np.any(~np.isnan(motion[inside])) else 0.0
            if window_motion <= max_motion:
                # Relative EAR error, plus corner error in units of a typical smile lift (0.05 IOD).
                cost = abs(np.nanmedian(ear[inside]) - eye_rest) / max(eye_rest, 1e-6) \
                    + abs(np.nanmedian(corner[inside]) - corner_rest) / 0.05
                if cost < best_cost:
                    best, best_cost = TimeSpan(start, start + window_s), cost
        start += step
    return best


def choose_baseline(
    signals: SignalTrack,
    marked: TimeSpan | None,
    profile_rest: tuple[float, float] | None,
    window_s: float,
    max_motion: float,
) -> Baseline:
    """The take's baseline: its neutral mark, else a profile-matched window, else its own rest level."""
    if marked is not None:
        return Baseline("neutral mark", marked, *rest_levels(signals, marked))
    if profile_rest is not None:
        span = profile_neutral_span(signals, profile_rest[0], profile_rest[1], window_s, max_motion)
        if span is not None:
            return Baseline("profile", span, *rest_levels(signals, span))
    return Baseline("take", None, *rest_levels(signals))
