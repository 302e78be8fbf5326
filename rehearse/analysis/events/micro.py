"""Micro-movements: brief (< 500 ms) localized face movements with onset, apex, offset and region.

Each regional signal is compared with its own running median over `window_s` (at least twice
the longest micro-movement, so a brief movement leaves the median alone while slow changes and
macro expressions are followed). A residual that passes `detect_sigma` times its robust noise
is a candidate. Candidates during fast head rotation (whole-head motion) and eye-region
candidates overlapping a blink are dropped. They are described by region only: a
micro-movement is never labelled with an emotion.
"""

from __future__ import annotations

import numpy as np

from rehearse.analysis.event_settings import MicroSettings
from rehearse.analysis.events.model import Event
from rehearse.analysis.events.signal_ops import (
    extent,
    face_mask,
    fill_gaps,
    frames_for,
    merged_runs,
    moving_average,
    rate,
    rolling_percentile,
    signal,
    time_mask,
    track_frame_s,
)
from rehearse.analysis.tracks import SignalTrack

REGIONS: dict[str, tuple[str, ...]] = {
    "brows": ("brow_raise_left", "brow_raise_right", "brow_furrow"),
    "eyes": ("eye_open_left", "eye_open_right"),
    "mouth": ("lip_corner_left", "lip_corner_right", "mouth_width", "lip_press"),
}


def head_speed(track: SignalTrack, span_s: float) -> np.ndarray:
    """Angular speed of the head (deg/s) from yaw, pitch and roll, differenced over span_s."""
    times = track.times
    total = np.zeros(times.size)
    for name in ("head_yaw", "head_pitch", "head_roll"):
        angle = fill_gaps(times, signal(track, name), 0.2)
        if np.all(np.isnan(angle)) or times.size < 2:
            continue
        total += np.nan_to_num(rate(times, angle, span_s, track_frame_s(track))) ** 2
    return np.sqrt(total)


def detect_micro_movements(
    track: SignalTrack,
    settings: MicroSettings,
    blinks: list[Event] = (),
    speech: list[tuple[float, float]] = (),
    blink_depth: float = 0.3,
) -> list[Event]:
    """Micro-movement events (region, apex, peak displacement in IOD; eyes: fraction of the open eye).

    `blink_depth`: an eye-region closure this deep (fraction of the open eye) is a blink.
    """
    times = track.times
    if times.size < 5:
        return []
    present = face_mask(track)
    window = frames_for(settings.window_s, track_frame_s(track), minimum=5)
    smooth = frames_for(settings.smooth_s, track_frame_s(track))
    rotation = head_speed(track, 0.15)
    events: list[Event] = []
    for region, names in REGIONS.items():
        strength, amplitude = _region_strength(track, names, present, window, smooth)
        if strength is None:
            continue
        for first, last in merged_runs(times, np.nan_to_num(strength) > settings.detect_sigma,
                                       settings.merge_gap_s):
            apex = first + int(np.nanargmax(strength[first:last]))
            if amplitude[apex] < settings.min_amplitude_iod:
                continue
            if region != "eyes" and amplitude[apex] > settings.max_amplitude_iod:
                continue  # too big to be micro (eyes: a fraction of the open eye, capped as a blink below)
            if apex in (0, times.size - 1):
                continue  # the running median is one-sided at the take's ends: no apex there
            level = settings.edge_fraction * float(strength[apex])
            start, end, i0, i1 = extent(times, np.nan_to_num(strength), apex, level)
            duration = end - start
            if not settings.min_duration_s <= duration <= settings.max_duration_s:
                continue
            if events and events[-1].region == region and start < events[-1].end_s:
                continue
            near = time_mask(times, start - settings.head_margin_s, end + settings.head_margin_s)
            if near.any() and float(rotation[near].max()) > settings.head_speed_max_deg_s:
                continue
            if present[i0:i1 + 1].mean() < 0.8:
                continue  # the face was mostly lost: the residual is interpolation, not movement
            if region in ("eyes", "brows") and _near(blinks, start, end, settings.blink_margin_s):
                continue  # the lids, and the brows with them, moving in a blink
            if region == "eyes" and amplitude[apex] >= blink_depth:
                continue  # a lid closure is a blink (maybe suppressed by a head turn), not a micro-movement
            if region in ("mouth", "eyes") and _near_spans(speech, start, end):
                continue  # talking moves the lips, and the cheeks push the lower lids
            events.append(Event(
                kind="micro_movement", region=region,
                start_s=round(start, 4), end_s=round(end, 4), apex_s=round(float(times[apex]), 4),
                confidence=round(float(np.clip(strength[apex] / (2 * settings.detect_sigma), 0.3, 1.0)), 3),
                values={"duration_ms": round(duration * 1000, 1),
                        "peak_displacement_iod": round(float(amplitude[apex]), 4)},
            ))
    return sorted(events, key=lambda e: e.start_s)


def _region_strength(track, names, present, window, smooth):
    """Per frame: the largest residual in noise units over the region's signals, and in IOD."""
    strengths, amplitudes = [], []
    for name in names:
        raw = np.where(present, signal(track, name), np.nan)
        if np.all(np.isnan(raw)):
            continue
        raw = fill_gaps(track.times, raw, 0.15)
        residual = moving_average(raw - rolling_percentile(raw, window, 50.0, exact=True), smooth)
        good = residual[~np.isnan(residual)]
        if good.size < 5:
            continue
        sigma = 1.4826 * float(np.median(np.abs(good - np.median(good))))
        scale = np.nanmedian(np.abs(raw)) if name.startswith("eye_open") else 1.0
        sigma = max(sigma, 1e-4 * max(scale, 1e-3))
        strengths.append(np.abs(residual) / sigma)
        # eye openness is an EAR, not IOD: express its residual relative to the open eye
        amplitudes.append(np.abs(residual) / scale if name.startswith("eye_open") else np.abs(residual))
    if not strengths:
        return None, None
    stack = np.vstack(strengths)
    best = np.nanargmax(np.nan_to_num(stack, nan=-1.0), axis=0)
    cols = np.arange(stack.shape[1])
    return stack[best, cols], np.vstack(amplitudes)[best, cols]


def _near(events, start: float, end: float, margin: float) -> bool:
    return any(e.start_s - margin < end and start < e.end_s + margin
               for e in events if e.kind in ("blink", "eyes_closed"))


def _near_spans(spans, start: float, end: float) -> bool:
    return any(s < end and start < e for s, e in spans)
