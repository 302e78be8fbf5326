"""Blinks (per eye and both eyes) and long eye closures, from closure depth against the actor's baseline.

With the Face Landmarker model installed, closure depth is read from its eyeBlink scores (see
`_blendshape_depths`). Without it (geometry), closure depth is 1 - EAR / open-eye EAR, with the open-eye EAR learnt per eye from the take (a
high percentile over face-present frames) or from a marked neutral span, so a narrow-eyed
actor and a wide-eyed one are measured alike. A closure of 100-500 ms is a blink (`full` or
`partial` by its depth); longer is `eyes_closed`. A shallow closure while the lip corners are
up is the cheeks pushing the lids during a smile or laugh and is not counted.
"""

from __future__ import annotations

import numpy as np

from rehearse.analysis.event_settings import BlinkSettings
from rehearse.analysis.events.model import Event
from rehearse.analysis.events.signal_ops import (
    baseline_value,
    extent,
    face_mask,
    fill_gaps,
    frames_for,
    nan_mean_rows,
    noise_level,
    ramp_edges,
    rolling_percentile,
    runs,
    signal,
)
from rehearse.analysis.tracks import LandmarkTrack, SignalTrack


def closure_depths(
    track: SignalTrack, settings: BlinkSettings, neutral: np.ndarray | None = None,
    blendshapes: LandmarkTrack | None = None,
) -> dict[str, np.ndarray]:
    """Per-eye closure depth (0 open .. 1 shut) and their mean, NaN where no face; keys
    `left`, `right`, `both`, plus `baseline_left`/`baseline_right` as one-element arrays.
    With a blendshapes track the depths come from its eyeBlink scores, else from the EAR."""
    if blendshapes is not None:
        return _blendshape_depths(track, settings, neutral, blendshapes)
    times = track.times
    present = face_mask(track)
    depths: dict[str, np.ndarray] = {}
    for side in ("left", "right"):
        ear = np.where(present, signal(track, f"eye_open_{side}"), np.nan)
        base = baseline_value(ear, present, neutral, settings.baseline_percentile)
        ear = fill_gaps(times, ear, settings.max_gap_s)
        # The open level right now: a smile's cheeks or a tired lid lower it for seconds, and
        # a blink must be measured from where the lid was, not from the take's widest eye.
        local = rolling_percentile(ear, frames_for(settings.local_window_s, times, 3),
                                   settings.baseline_percentile)
        local = np.clip(np.nan_to_num(local, nan=base), settings.local_floor * base, base)
        depth = np.clip(1.0 - ear / local, 0.0, 1.0) if base > 0 else np.full_like(ear, np.nan)
        depths[side] = depth
        depths[f"baseline_{side}"] = np.array([base])
    depths["both"] = nan_mean_rows([depths["left"], depths["right"]])
    return depths


def _blendshape_depths(
    track: SignalTrack, settings: BlinkSettings, neutral: np.ndarray | None, blendshapes: LandmarkTrack
) -> dict[str, np.ndarray]:
    """Closure depth from the eyeBlink scores: 0 at the eye's open score right now (the median
    over `blendshape_window_s`, so a smile's squint or a downward look that lifts the score for a
    second is the open level; frames more than half way to shut are left out, so neither a blink nor a
    long closure moves it), 1 at `blendshape_shut_score`. The score is the network's
    reading of the whole eye, trained on real faces, so it is not fooled by an EAR that a
    squint or a turned head lowers."""
    from rehearse.analysis.backends.blendshapes import blendshape_index

    times = track.times
    present = face_mask(track) & blendshapes.mask
    scores = np.asarray(blendshapes.points, dtype=float)[:, :, 0]
    depths: dict[str, np.ndarray] = {}
    for side, name in (("left", "eyeBlinkLeft"), ("right", "eyeBlinkRight")):
        score = np.where(present, scores[:, blendshape_index(name)], np.nan)
        base = baseline_value(score, present, neutral, 100.0 - settings.baseline_percentile)
        score = fill_gaps(times, score, settings.max_gap_s)
        # the open level: frames already half way to shut are closures, not the open eye
        half_shut = base + 0.5 * (settings.blendshape_shut_score - base)
        open_only = np.where(score < half_shut, score, np.nan)
        local = rolling_percentile(open_only, frames_for(settings.blendshape_window_s, times, 3), 50.0)
        local = np.clip(np.nan_to_num(local, nan=base), base, max(base, half_shut))
        span = np.maximum(settings.blendshape_shut_score - local, 1e-3)
        depths[side] = np.clip((score - local) / span, 0.0, 1.0)
        depths[f"baseline_{side}"] = np.array([base])
    depths["both"] = nan_mean_rows([depths["left"], depths["right"]])
    return depths


def detect_blinks(
    track: SignalTrack, settings: BlinkSettings, neutral: np.ndarray | None = None,
    blendshapes: LandmarkTrack | None = None,
) -> list[Event]:
    """Blink and eyes_closed events, with side (left/right/both), apex and depth values.

    With `blendshapes` (the Face Landmarker model's scores) the closure depth is read from the
    eyeBlink scores; without, from the eye aspect ratio (geometry, less reliable)."""
    times = track.times
    if times.size < 3:
        return []
    depths = closure_depths(track, settings, neutral, blendshapes)
    both = depths["both"]
    if np.all(np.isnan(both)):
        return []
    present = face_mask(track)
    yaw = np.abs(signal(track, "head_yaw"))
    smile = _smile_lift(track, present, neutral)
    threshold = max(settings.detect_depth, settings.noise_factor * noise_level(both))
    events: list[Event] = []
    reached = -1  # last frame of the previous closure above its low ramp level
    for first, last in runs(np.nan_to_num(both) > threshold):
        apex = first + int(np.nanargmax(both[first:last]))
        if apex <= reached:
            continue  # one closure reached twice through noise: the lid never passed the low level
        peak = float(both[apex])
        _, _, i0, i1 = extent(times, both, apex, settings.edge_fraction * peak)
        start, end = ramp_edges(times, both, apex, settings.ramp_low * peak, settings.ramp_high * peak)
        if events:
            # the lid reopened past the low level in between: a second closure, which starts
            # no earlier than the first one ended (a blink right after a long closure is a blink)
            start = max(start, events[-1].end_s)
        duration = end - start
        if duration < settings.min_duration_s:
            continue
        reached = extent(times, both, apex, settings.ramp_low * peak)[3]
        window = slice(i0, i1 + 1)
        peaks = {side: float(np.nanmax(depths[side][window])) for side in ("left", "right")
                 if not np.all(np.isnan(depths[side][window]))}
        side = _side(peaks, settings.side_depth)
        side_peak = max(peaks.values()) if side != "both" else peak
        max_yaw = float(np.nanmax(yaw[window])) if not np.all(np.isnan(yaw[window])) else 0.0
        if max_yaw > settings.yaw_hard_deg:
            continue
        confidence = 1.0
        if max_yaw > settings.yaw_soft_deg:
            span = max(settings.yaw_hard_deg - settings.yaw_soft_deg, 1e-6)
            confidence *= 1.0 - 0.7 * (max_yaw - settings.yaw_soft_deg) / span
        lost = 1.0 - float(present[window].mean())
        confidence *= 1.0 - 0.6 * lost
        smiling = float(np.nanmax(smile[window])) > settings.smile_lift_iod if not np.all(
            np.isnan(smile[window])) else False
        full = side_peak >= settings.full_depth
        if smiling and not full:
            continue  # cheek-raise squint of a smile or laugh, not a lid closure
        if smiling:
            confidence *= 0.8
        baseline = "baseline_eye_blink_score" if blendshapes is not None else "baseline_ear"
        values = {
            "duration_ms": round(duration * 1000.0, 1),
            "peak_depth": round(side_peak, 3),
            f"{baseline}_left": round(float(depths["baseline_left"][0]), 4),
            f"{baseline}_right": round(float(depths["baseline_right"][0]), 4),
        }
        for eye in ("left", "right"):
            ear = signal(track, f"eye_open_{eye}")[window]
            if not np.all(np.isnan(ear)):
                values[f"min_ear_{eye}"] = round(float(np.nanmin(ear)), 4)
        if duration > settings.max_duration_s:
            kind, label = "eyes_closed", None
        else:
            kind = "blink"
            label = "full" if full else "partial"
            if not full:
                confidence *= 0.85
        events.append(Event(kind=kind, start_s=round(start, 4), end_s=round(end, 4),
                            apex_s=round(float(times[apex]), 4), confidence=round(confidence, 3),
                            side=side, label=label, values=values))
    return events


def _side(peaks: dict[str, float], side_depth: float) -> str:
    closed = [side for side, depth in peaks.items() if depth >= side_depth]
    if len(closed) == 1 and len(peaks) == 2:
        return closed[0]
    if len(peaks) == 1:
        return next(iter(peaks))
    return "both"


def _smile_lift(track: SignalTrack, present: np.ndarray, neutral: np.ndarray | None) -> np.ndarray:
    """Mean lip-corner lift over the take's baseline (IOD), NaN where unknown."""
    lifts = []
    for side in ("left", "right"):
        corner = np.where(present, signal(track, f"lip_corner_{side}"), np.nan)
        lifts.append(corner - baseline_value(corner, present, neutral, 50.0))
    return nan_mean_rows(lifts)
