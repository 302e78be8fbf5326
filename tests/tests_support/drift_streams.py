"""Landmark-level take pairs for drift tests: face + body + hand signals with known gestures.

`make_take(performance, variation)` renders a `Performance` (gestures, leans, blinks on the
reference clock) into a SignalTrack with MediaPipe-like noise, optionally played at another
tempo, framed larger or elsewhere, mirrored, or with one gesture moved, swapped or leaned.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from rehearse.analysis.events import detect_events
from rehearse.analysis.tracks import SignalTrack
from rehearse.continuity.compare import ComparedTake
from tests_support.event_streams import make_stream

HAND_REST = {"left": (0.68, 0.92), "right": (0.32, 0.92)}
"""Fingertip rest positions (image fractions): the actor's left hand is on the image right."""
FACE_POINT = {"left": (0.55, 0.42), "right": (0.45, 0.42)}
MIRRORED_NEGATE = ("head_yaw", "head_roll", "lean_side", "shoulder_turn", "shoulder_roll", "gaze_h",
                   "lip_corner_asymmetry")


@dataclass(frozen=True)
class Gesture:
    """A hand or head gesture on the reference clock."""

    kind: str
    """hand_to_face, hand_raise or head_turn."""
    side: str
    start_s: float
    duration_s: float = 1.2


@dataclass(frozen=True)
class Performance:
    """What the actor does, on the reference clock."""

    duration_s: float = 12.0
    beats: dict[str, float] = field(default_factory=lambda: {"b1": 0.0, "b2": 3.0, "b3": 6.0, "b4": 9.0})
    gestures: tuple[Gesture, ...] = ()
    leans: tuple[tuple[float, float, float], ...] = ()
    """(start_s, end_s, degrees toward camera)."""
    blinks: tuple[float, ...] = (1.1, 4.6, 7.4, 10.3)


@dataclass(frozen=True)
class Variation:
    """How one take differs from the performance as written."""

    tempo: float = 1.0
    """Take time = reference time * tempo (1.2 = 20% slower)."""
    scale: float = 1.0
    """Actor larger (>1) or smaller in frame, about the frame centre."""
    shift: tuple[float, float] = (0.0, 0.0)
    """Actor moved in frame, image fractions."""
    mirror: bool = False
    noise: float = 1.0
    fps: float = 30.0
    seed: int = 0
    marks: bool = True
    """False: the take carries no beat marks (aligned by DTW)."""


def _ramp(t: np.ndarray, start: float, end: float, ramp: float = 0.3) -> np.ndarray:
    up = np.clip((t - start) / ramp, 0, 1)
    down = np.clip((end - t) / ramp, 0, 1)
    shape = np.minimum(up, down)
    return 0.5 * (1 - np.cos(np.pi * shape))


def make_take(performance: Performance, variation: Variation = Variation(), label: str = "take") -> ComparedTake:
    """A ComparedTake with real detected events from a synthetic stream."""
    v = variation
    rng = np.random.default_rng(v.seed + 1000)
    tempo = v.tempo
    duration = performance.duration_s * tempo
    head_moves = []
    for g in performance.gestures:
        if g.kind == "head_turn":
            sign = 1.0 if g.side == "left" else -1.0
            head_moves += [(g.start_s * tempo, 0.35 * tempo, 28.0 * sign),
                           ((g.start_s + g.duration_s) * tempo, 0.35 * tempo, -28.0 * sign)]
    track, _ = make_stream(duration, v.fps, blinks=[(b * tempo, 0.2, "both") for b in performance.blinks],
                           head_moves=head_moves, noise=v.noise, seed=v.seed)
    t = track.times
    n = t.size
    values = dict(track.values)
    tips = {side: [np.full(n, HAND_REST[side][0]), np.full(n, HAND_REST[side][1])] for side in ("left", "right")}
    wrist_lift = {side: np.zeros(n) for side in ("left", "right")}
    for g in performance.gestures:
        start, end = g.start_s * tempo, (g.start_s + g.duration_s) * tempo
        shape = _ramp(t, start, end, 0.3 * tempo)
        if g.kind == "hand_to_face":
            for axis in (0, 1):
                tips[g.side][axis] += (FACE_POINT[g.side][axis] - HAND_REST[g.side][axis]) * shape
        elif g.kind == "hand_raise":
            wrist_lift[g.side] += 0.3 * shape
            tips[g.side][1] -= 0.3 * shape
    lean = np.zeros(n)
    for start, end, degrees in performance.leans:
        lean += degrees * _ramp(t, start * tempo, end * tempo, 0.4 * tempo)
    for side in ("left", "right"):
        x, y = tips[side]
        face_x, face_y = FACE_POINT[side]
        # distance in IOD: ~0.12 image fraction per IOD at scale 1 (a head-and-shoulders close-up)
        values[f"hand_face_{side}"] = np.hypot(x - face_x, y - face_y) / 0.12 + 0.1 + 0.04 * v.noise * rng.standard_normal(n)
        values[f"fingertip_{side}_x"] = x + 0.003 * v.noise * rng.standard_normal(n)
        values[f"fingertip_{side}_y"] = y + 0.003 * v.noise * rng.standard_normal(n)
        values[f"wrist_{side}_x"] = x + 0.003 * v.noise * rng.standard_normal(n)
        values[f"wrist_{side}_y"] = y + 0.05 - 0.0 * wrist_lift[side] + 0.003 * v.noise * rng.standard_normal(n)
        values[f"tremor_{side}"] = np.abs(0.0002 * v.noise * rng.standard_normal(n))
    values["lean_forward"] = 2.0 + lean + 1.0 * v.noise * rng.standard_normal(n)
    values["lean_side"] = -1.0 + 1.0 * v.noise * rng.standard_normal(n)
    values["shoulder_turn"] = 3.0 + 1.5 * v.noise * rng.standard_normal(n)
    values["shoulder_roll"] = 0.5 + 0.8 * v.noise * rng.standard_normal(n)
    values["body_present"] = np.ones(n)
    for name in list(values):
        if name.endswith("_x") or name.endswith("_y"):
            values[name] = 0.5 + (values[name] - 0.5) * v.scale + (v.shift[0] if name.endswith("_x") else v.shift[1])
    values["iod_px"] = values["iod_px"] * v.scale
    if v.mirror:
        values = mirrored(values)
    signals = SignalTrack(times=t, values=values)
    marks = {b: s * tempo for b, s in performance.beats.items()} if v.marks else {}
    events = detect_events(signals, None, beat_marks=marks or None)
    return ComparedTake(label=label, events=events, signals=signals, beat_marks=marks, duration_s=duration,
                    who="Maya", body_confidence=np.full(n, 0.95))


def mirrored(values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Signals of the same take seen in a mirror: left and right swap, x flips, yaw-like angles negate."""
    out = {}
    for name, array in values.items():
        other = name.replace("left", "@").replace("right", "left").replace("@", "right")
        array = np.asarray(array, dtype=float)
        if name in MIRRORED_NEGATE:
            array = -array
        if name.endswith("_x"):
            array = 1.0 - array
        out[other] = array
    return out


def with_gesture(performance: Performance, index: int, **changes) -> Performance:
    """The performance with gesture `index` changed (side, start_s ...)."""
    gestures = list(performance.gestures)
    gestures[index] = replace(gestures[index], **changes)
    return replace(performance, gestures=tuple(gestures))


SCENE = Performance(gestures=(
    Gesture("hand_to_face", "right", 1.8),
    Gesture("head_turn", "left", 4.0, 1.5),
    Gesture("hand_raise", "left", 7.0),
    Gesture("hand_to_face", "left", 9.8),
))
