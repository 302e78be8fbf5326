"""What the live screen shows of the newest analysed frame: `LiveState`, updated after each detection pass."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from rehearse.analysis.events import Event
from rehearse.analysis.tracks import SignalTrack

EXPRESSION_SIGNALS = {
    "smile": ("lip_corner_left", "lip_corner_right"),
    "brow raise": ("brow_raise_left", "brow_raise_right"),
    "mouth open": ("mouth_open",),
    "lip press": ("lip_press",),
}
"""Bars on the live screen: each is the mean of its signals' change from their median over the
frames the last detection pass read (all so far, at most its window: PASS_READS_S + MIN_HISTORY_S), in IOD."""


@dataclass
class LiveState:
    """What the face path shows at the newest analysed frame."""

    t_s: float = 0.0
    """Stream time of the newest analysed frame, in seconds."""
    face: bool = False
    """A face was tracked in the newest analysed frame."""
    holding_since_s: float | None = None
    """Start of the face hold still going on at the newest frame, in seconds; None when moving."""
    ended_hold: Event | None = None
    """The newest face hold the last pass saw end, before it is final (its edges may still move
    until its detector's reach has arrived); None when that pass saw none end."""
    expression_change: dict[str, float] = field(default_factory=dict)
    """Per EXPRESSION_SIGNALS bar: change from its median over the frames the last pass read, in IOD (+ = more)."""


def update_state(state: LiveState, events: list[Event], signals: SignalTrack, newest: float, reach_s: float) -> None:
    """The face hold going on at the newest frame (one ending within `reach_s` of it) and the
    expression bars, from a pass's events and signals."""
    faces = [e for e in events if e.kind == "hold" and e.scope == "face"]
    ongoing = [e for e in faces if e.end_s >= newest - reach_s]
    state.holding_since_s = ongoing[-1].start_s if ongoing else None
    ended = [e for e in faces if e.end_s < newest - reach_s]
    state.ended_hold = ended[-1] if ended else None
    change: dict[str, float] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for label, names in EXPRESSION_SIGNALS.items():
            deltas = []
            for name in names:
                values = np.asarray(signals[name], np.float64)
                if values.size and np.isfinite(values[-1]):
                    deltas.append(float(values[-1] - np.nanmedian(values)))
            if deltas:
                change[label] = float(np.mean(deltas))
    state.expression_change = change
