"""Where a gesture's movement is in a take: its path (for Procrustes-DTW shape similarity) and
the lag that best lines up two performances of it (for onset shifts).

Onset times from threshold crossings move with a gesture's amplitude and ramp; the lag of the
whole movement, with the beat's tempo removed, is what a script supervisor means by "late".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from rehearse.analysis.events.model import Event
from rehearse.continuity.similarity import gesture_similarity

if TYPE_CHECKING:
    from rehearse.continuity.align import Alignment
    from rehearse.continuity.compare import TakeData

HAND_GESTURES = ("hand_to_face", "hand_to_collar", "hand_raise")


def trajectory(take: TakeData, event: Event) -> np.ndarray | None:
    """The moving part's path during a gesture: fingertip (x, y) for hands, (yaw, pitch) for the head."""
    if take.signals is None:
        return None
    if event.label in HAND_GESTURES and event.side in ("left", "right"):
        names = (f"fingertip_{event.side}_x", f"fingertip_{event.side}_y")
    elif event.label in ("head_turn", "nod", "shake"):
        names = ("head_yaw", "head_pitch")
    elif event.label == "shoulder_turn":
        names = ("shoulder_turn", "shoulder_roll")
    else:
        return None
    if not all(n in take.signals for n in names):
        return None
    times = take.signals.times
    inside = (times >= event.start_s) & (times <= event.end_s)
    if inside.sum() < 3:
        return None
    return np.stack([np.asarray(take.signals[n], dtype=float)[inside] for n in names], axis=1)


def path_similarity(reference: TakeData, ref_event: Event, other: TakeData, event: Event, window: float,
                mirrored: bool) -> float | None:
    a, b = trajectory(reference, ref_event), trajectory(other, event)
    if a is None or b is None:
        return None
    if mirrored:
        b = b * np.array([-1.0, 1.0])  # the other hand: mirror x before comparing shapes
    return round(gesture_similarity(a, b, window_fraction=window), 3)


MOVEMENT_SIGNALS = {"head_turn": "head_yaw", "shake": "head_yaw", "nod": "head_pitch",
                    "shoulder_turn": "shoulder_turn", "hand_raise": "wrist_{side}_y"}
"""Signal whose course over a gesture times it (hand-to-face and collar: fingertip distance)."""
SHIFT_STEP_S = 0.01
MIN_MOVEMENT_CORRELATION = 0.6


def _movement_signal(take: TakeData, event: Event) -> np.ndarray | None:
    name = MOVEMENT_SIGNALS.get(event.label or "", "hand_face_{side}" if event.label in HAND_GESTURES else "")
    name = name.format(side=event.side)
    if take.signals is None or not name or name not in take.signals:
        return None
    return np.asarray(take.signals[name], dtype=float)


def movement_shift(reference: TakeData, ref_event: Event, other: TakeData, match: Event,
                    alignment: Alignment, search_s: float) -> float | None:
    """Lag (s, + = later in the take) that best lines up the gesture's movement, tempo removed."""
    ref_values, take_values = _movement_signal(reference, ref_event), _movement_signal(other, match)
    if ref_values is None or take_values is None:
        return None
    ref_times, take_times = reference.signals.times, other.signals.times
    ref_good, take_good = ~np.isnan(ref_values), ~np.isnan(take_values)
    if ref_good.sum() < 4 or take_good.sum() < 4:
        return None
    margin = 0.5
    grid = np.arange(ref_event.start_s - margin, ref_event.end_s + margin, SHIFT_STEP_S)
    pattern = np.interp(grid, ref_times[ref_good], ref_values[ref_good])
    mapped = np.array([alignment.to_take(t) for t in grid])
    if pattern.std() < 1e-9:
        return None
    pattern = (pattern - pattern.mean()) / pattern.std()
    best, best_lag = -1.0, None
    for lag in np.arange(-search_s, search_s + SHIFT_STEP_S / 2, SHIFT_STEP_S):
        window = np.interp(mapped + lag, take_times[take_good], take_values[take_good])
        spread = window.std()
        if spread < 1e-9:
            continue
        score = float(np.mean(pattern * (window - window.mean()) / spread))
        if score > best:
            best, best_lag = score, float(lag)
    if best < MIN_MOVEMENT_CORRELATION or best_lag is None:
        return None
    return best_lag
