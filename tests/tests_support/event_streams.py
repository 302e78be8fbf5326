"""Landmark-level signal streams with known events (MediaPipe-like noise, dropped frames, 24/30/60 fps, VFR).

`make_stream` builds a SignalTrack whose events are placed exactly, so detectors can be scored
against ground truth quickly; the rendered sample takes are the proof on the real model path.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rehearse.analysis.tracks import SignalTrack

# Per-frame noise (standard deviation) of FaceMesh-derived signals on a still, well-lit face.
NOISE = {
    "eye_open": 0.008, "brow": 0.004, "lip_corner": 0.004, "mouth_width": 0.006,
    "lip_press": 0.004, "mouth_open": 0.004, "gaze": 0.03, "angle_deg": 0.6,
}
REST = {
    "brow_raise_left": 0.36, "brow_raise_right": 0.35, "brow_furrow": 0.42,
    "lip_corner_left": 0.0, "lip_corner_right": 0.0, "mouth_width": 0.78,
    "lip_press": 0.16, "mouth_open": 0.01, "gaze_h": 0.0, "gaze_v": 0.0,
}


@dataclass
class Truth:
    """Ground truth placed in a stream (intervals in seconds)."""

    blinks: list[tuple[float, float, str]] = field(default_factory=list)
    closures: list[tuple[float, float]] = field(default_factory=list)
    micros: list[tuple[float, float, str]] = field(default_factory=list)
    expressions: list[tuple[float, float, str]] = field(default_factory=list)
    gaze: list[tuple[float, float, str]] = field(default_factory=list)
    holds: list[tuple[float, float]] = field(default_factory=list)


def frame_times(duration_s: float, fps: float, rng, vfr: bool = False, drop_rate: float = 0.0) -> np.ndarray:
    """Presentation times: constant or jittered intervals, with some frames dropped (time gaps)."""
    n = int(duration_s * fps * 1.6) + 2
    steps = np.full(n, 1.0 / fps)
    if vfr:
        steps = steps * rng.uniform(0.6, 1.4, n)
    times = np.concatenate(([0.0], np.cumsum(steps)))
    times = times[times < duration_s]
    if drop_rate > 0:
        keep = rng.random(times.size) >= drop_rate
        keep[0] = True
        times = times[keep]
    return times


def _cosine_bump(times, start, duration):
    """0 -> 1 -> 0 raised cosine over [start, start + duration]."""
    x = (times - start) / duration
    return np.where((x >= 0) & (x <= 1), 0.5 * (1 - np.cos(2 * np.pi * np.clip(x, 0, 1))), 0.0)


def _blink_shape(times, start, duration, closing=0.3, plateau=0.1):
    """Lid closure 0..1: fast half-cosine closing, a short plateau, slower opening."""
    x = (times - start) / duration
    out = np.zeros_like(times)
    close = (x >= 0) & (x < closing)
    out[close] = 0.5 * (1 - np.cos(np.pi * x[close] / closing))
    held = (x >= closing) & (x < closing + plateau)
    out[held] = 1.0
    opening = (x >= closing + plateau) & (x <= 1)
    rest = 1 - closing - plateau
    out[opening] = 0.5 * (1 + np.cos(np.pi * (x[opening] - closing - plateau) / rest))
    return out


def _step(times, start, duration):
    """0 -> 1 half-cosine step over [start, start + duration], then 1."""
    x = np.clip((times - start) / duration, 0, 1)
    return 0.5 * (1 - np.cos(np.pi * x))


def make_stream(
    duration_s: float = 20.0,
    fps: float = 30.0,
    *,
    blinks: list[tuple[float, float, str]] = (),
    partial_blinks: list[tuple[float, float]] = (),
    closures: list[tuple[float, float]] = (),
    micros: list[tuple[float, float, str, float]] = (),
    smiles: list[tuple[float, float]] = (),
    laughs: list[tuple[float, float]] = (),
    gaze: list[tuple[float, str]] = (),
    head_moves: list[tuple[float, float, float]] = (),
    head_wobble_deg: float = 0.0,
    vfr: bool = False,
    drop_rate: float = 0.0,
    lost_rate: float = 0.0,
    noise: float = 1.0,
    seed: int = 0,
) -> tuple[SignalTrack, Truth]:
    """A face stream with events at known times.

    blinks: (start, duration, side); micros: (start, duration, signal, amplitude IOD);
    smiles: (start, end); gaze: (time, direction) 60 ms saccades; head_moves: (start, duration,
    yaw change deg) at constant speed. The head holds still outside head_moves (truth holds).
    """
    rng = np.random.default_rng(seed)
    t = frame_times(duration_s, fps, rng, vfr, drop_rate)
    n = t.size
    truth = Truth()
    base_ear = rng.uniform(0.26, 0.34)
    closure = {"left": np.zeros(n), "right": np.zeros(n)}
    for start, dur, side in blinks:
        shape = _blink_shape(t, start, dur)
        for eye in ("left", "right"):
            if side in (eye, "both"):
                closure[eye] = np.maximum(closure[eye], 0.8 * shape)
        truth.blinks.append((start, start + dur, side))
    for start, dur in partial_blinks:
        shape = _blink_shape(t, start, dur)
        for eye in closure:
            closure[eye] = np.maximum(closure[eye], 0.45 * shape)
        truth.blinks.append((start, start + dur, "both"))
    for start, dur in closures:
        shape = np.clip(_step(t, start, 0.1) - _step(t, start + dur - 0.12, 0.12), 0, 1)
        for eye in closure:
            closure[eye] = np.maximum(closure[eye], 0.85 * shape)
        truth.closures.append((start, start + dur))
    values: dict[str, np.ndarray] = {name: np.full(n, rest) for name, rest in REST.items()}
    for start, end in smiles:
        lift = _step(t, start, 0.25) - _step(t, end - 0.25, 0.25)
        values["lip_corner_left"] += 0.08 * lift
        values["lip_corner_right"] += 0.08 * lift
        values["mouth_width"] += 0.10 * lift
        for eye in closure:  # cheeks push the lids up: a squint, not a blink
            closure[eye] = np.maximum(closure[eye], 0.2 * lift)
        truth.expressions.append((start, end, "smile"))
    for start, end in laughs:
        lift = _step(t, start, 0.15) - _step(t, end - 0.2, 0.2)
        values["lip_corner_left"] += 0.10 * lift
        values["lip_corner_right"] += 0.10 * lift
        values["mouth_open"] += 0.15 * lift * (0.6 + 0.4 * np.sin(2 * np.pi * 4.0 * t))
        # each "ha" squeezes the eyes part way: partial closures that are not blinks
        pulses = np.clip(np.sin(2 * np.pi * 4.0 * (t - start)), 0, None) ** 2 * lift
        for eye in closure:
            closure[eye] = np.maximum(closure[eye], 0.25 * lift + 0.2 * pulses)
        truth.expressions.append((start, end, "laugh"))
    for start, dur, name, amplitude in micros:
        values[name] = values[name] + amplitude * _cosine_bump(t, start, dur)
        region = "brows" if name.startswith("brow") else "mouth"
        truth.micros.append((start, start + dur, region))
    for when, direction in gaze:
        axis = "gaze_h" if direction in ("left", "right") else "gaze_v"
        sign = 1.0 if direction in ("left", "up") else -1.0
        values[axis] = values[axis] + sign * 0.35 * _step(t, when, 0.06)
        truth.gaze.append((when, when + 0.06, direction))
    yaw = np.zeros(n)
    still_from = 0.0
    for start, dur, change in sorted(head_moves):
        yaw += change * np.clip((t - start) / dur, 0, 1)
        truth.holds.append((still_from, start))
        still_from = start + dur
    truth.holds.append((still_from, float(t[-1]) + float(np.median(np.diff(t)))))
    if head_wobble_deg:
        yaw += head_wobble_deg * np.sin(2 * np.pi * 0.3 * t + 1.0)
    pitch = 0.5 * head_wobble_deg * np.sin(2 * np.pi * 0.21 * t)
    values["head_yaw"] = yaw
    values["head_pitch"] = pitch
    values["head_roll"] = np.zeros(n)
    # Foreshortening leaks head rotation into the 2-D measures a little, as it does in FaceMesh.
    values["mouth_width"] = values["mouth_width"] * np.cos(np.radians(yaw))
    for eye in closure:
        values[f"eye_open_{eye}"] = base_ear * (1 - closure[eye]) * (1 - 0.002 * np.abs(pitch))
    scale = {"eye_open": NOISE["eye_open"], "brow": NOISE["brow"], "lip_corner": NOISE["lip_corner"],
             "mouth_width": NOISE["mouth_width"], "lip_press": NOISE["lip_press"],
             "mouth_open": NOISE["mouth_open"], "gaze": NOISE["gaze"], "head": NOISE["angle_deg"]}
    for name in list(values):
        key = next((k for k in scale if name.startswith(k)), None)
        if key:
            values[name] = values[name] + noise * scale[key] * rng.standard_normal(n)
    values["lip_corner_asymmetry"] = values["lip_corner_left"] - values["lip_corner_right"]
    rotation = np.abs(np.gradient(yaw, t)) + np.abs(np.gradient(pitch, t))
    # jitter over face_motion's ~67 ms span (a position error: it does not grow with fps), plus turns
    values["face_motion"] = 0.12 * np.abs(1 + 0.5 * rng.standard_normal(n)) + 0.01 * rotation
    values["face_present"] = np.ones(n)
    values["face_confidence"] = np.full(n, 0.95)
    values["iod_px"] = np.full(n, 120.0) + rng.standard_normal(n)
    if lost_rate > 0:
        lost = rng.random(n) < lost_rate
        for name in values:
            values[name] = np.where(lost, np.nan, values[name])
        values["face_present"] = np.where(lost, 0.0, 1.0)
        values["face_confidence"] = np.where(lost, 0.0, 0.95)
    return SignalTrack(times=t, values=values), truth
