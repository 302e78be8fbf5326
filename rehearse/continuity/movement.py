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
    from rehearse.continuity.compare import ComparedTake

HAND_GESTURES = ("hand_to_face", "hand_to_collar", "hand_raise")


def trajectory(take: ComparedTake, event: Event) -> np.ndarray | None:
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


def path_similarity(reference: ComparedTake, ref_event: Event, other: ComparedTake, event: Event, window: float,
                mirrored: bool) -> float | None:
    a, b = trajectory(reference, ref_event), trajectory(other, event)
    if a is None or b is None:
        return None
    if mirrored:
        b = b * np.array([-1.0, 1.0])  # the other hand: mirror x before comparing shapes
    return round(gesture_similarity(a, b, window_fraction=window), 3)


MOVEMENT_SIGNALS = {"head_turn": "head_yaw", "shake": "head_yaw", "nod": "head_pitch",
                    "shoulder_turn": "shoulder_turn", "hand_raise": "wrist_{side}_y",
                    "lean_toward": "lean_forward", "lean_away": "lean_forward"}
"""Signal whose course over a gesture times it (hand-to-face and collar: fingertip distance;
a lean without a measured angle: the face's scale, `iod_px`)."""
SHIFT_STEP_S = 0.01
MIN_MOVEMENT_CORRELATION = 0.6
"""Below this correlation the two movements are not the same one (no lag is trusted)."""
LAG_REFINE_S = 0.4
"""A matched gesture's movement lag is looked for this far (s) either side of its onset shift."""
MIN_AMPLITUDE_RATIO = 0.5
"""A movement at least this fraction of the other's size counts as made (under a threshold)."""


def _movement_signal(take: ComparedTake, event: Event) -> np.ndarray | None:
    name = MOVEMENT_SIGNALS.get(event.label or "", "hand_face_{side}" if event.label in HAND_GESTURES else "")
    name = name.format(side=event.side)
    if take.signals is None or not name:
        return None
    if name == "lean_forward" and (name not in take.signals or np.isnan(take.signals[name]).all()):
        name = "iod_px"
    if name not in take.signals:
        return None
    return np.asarray(take.signals[name], dtype=float)


def best_lag(source: ComparedTake, event: Event, target: ComparedTake, to_target, search_s: float,
             target_event: Event | None = None, around_s: float = 0.0) -> tuple[float, float, float] | None:
    """(lag s, correlation, amplitude ratio) of `event`'s movement in `source` found in `target`,
    searched within `search_s` of `around_s`.

    `to_target` maps a source time onto the target's clock (tempo removed); the lag is + when
    the target moves later. `target_event` names the side to read in the target (default: the
    event's own side, so a movement made with the other hand is not found).
    """
    source_values = _movement_signal(source, event)
    target_values = _movement_signal(target, target_event or event)
    if source_values is None or target_values is None:
        return None
    source_times, target_times = source.signals.times, target.signals.times
    source_good, target_good = ~np.isnan(source_values), ~np.isnan(target_values)
    if source_good.sum() < 4 or target_good.sum() < 4:
        return None
    margin = 0.5
    grid = np.arange(event.start_s - margin, event.end_s + margin, SHIFT_STEP_S)
    pattern = np.interp(grid, source_times[source_good], source_values[source_good])
    mapped = np.array([to_target(t) for t in grid])
    spread_source = pattern.std()
    if spread_source < 1e-9:
        return None
    pattern = (pattern - pattern.mean()) / spread_source
    best = (-1.0, 0.0, 0.0)
    for lag in around_s + np.arange(-search_s, search_s + SHIFT_STEP_S / 2, SHIFT_STEP_S):
        window = np.interp(mapped + lag, target_times[target_good], target_values[target_good])
        spread = window.std()
        if spread < 1e-9:
            continue
        score = float(np.mean(pattern * (window - window.mean()) / spread))
        if score > best[0]:
            best = (score, float(lag), float(spread / spread_source))
    score, lag, ratio = best
    return lag, score, ratio


def movement_shift(reference: ComparedTake, ref_event: Event, other: ComparedTake, match: Event,
                   alignment: Alignment, search_s: float) -> float | None:
    """Lag (s, + = later in the take) that best lines up the gesture's movement, tempo removed.

    Searched around the matched onsets' own shift (within `LAG_REFINE_S`): the match already
    says where the movement is, and a turn that is held and then undone also lines up, worse
    but well enough, a second away with its own return."""
    onset_shift = match.start_s - alignment.to_take(ref_event.start_s)
    found = best_lag(reference, ref_event, other, alignment.to_take, min(search_s, LAG_REFINE_S), match,
                     around_s=onset_shift)
    if found is None or found[1] < MIN_MOVEMENT_CORRELATION:
        return None
    return found[0]


def movement_made(source: ComparedTake, event: Event, target: ComparedTake, to_target, search_s: float) -> bool:
    """True when `target` makes `event`'s movement near the mapped time, the same way round and
    at least half as large, even if its own detector did not fire (a threshold just missed)."""
    found = best_lag(source, event, target, to_target, search_s)
    return found is not None and found[1] >= MIN_MOVEMENT_CORRELATION and found[2] >= MIN_AMPLITUDE_RATIO
