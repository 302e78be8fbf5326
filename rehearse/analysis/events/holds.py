"""Holds: spans where the face, or the body, stays still for at least `min_duration_s`.

Face stillness: non-rigid face motion (`face_motion`) and head rotation speed both under their
limits. Body stillness: torso angles (lean, shoulders) and both wrists under theirs. Speeds are
derivatives of lightly smoothed signals; each limit is raised to `noise_factor` times the
take's own speed noise so a noisy tracker does not break every hold.
"""

from __future__ import annotations

import numpy as np

from rehearse.analysis.events.model import Event
from rehearse.analysis.events.settings import HoldSettings
from rehearse.analysis.events.signal_ops import (
    face_mask,
    fill_gaps,
    frames_for,
    merged_runs,
    moving_average,
    rolling_median,
    runs,
    signal,
)
from rehearse.analysis.tracks import SignalTrack


def _speed(track: SignalTrack, names: tuple[str, ...], width: int) -> np.ndarray | None:
    """Root-sum-square of the time derivatives of the named signals (their unit per second)."""
    times = track.times
    total = None
    for name in names:
        values = fill_gaps(times, signal(track, name), 0.2)
        if np.all(np.isnan(values)):
            continue
        rate = np.gradient(moving_average(values, width), times)
        total = rate**2 if total is None else total + np.nan_to_num(rate) ** 2
    return None if total is None else np.sqrt(total)


def _limit(speed: np.ndarray, limit: float, settings: HoldSettings) -> float:
    """The limit, raised above the tracker's still-state speed (a low percentile of speed)."""
    good = speed[~np.isnan(speed)]
    floor = float(np.percentile(good, settings.noise_percentile)) if good.size else 0.0
    return max(limit, settings.noise_factor * floor)


def still_masks(track: SignalTrack, settings: HoldSettings) -> dict[str, np.ndarray]:
    """scope -> per-frame True where that scope is still (only scopes the track can measure)."""
    times = track.times
    width = frames_for(settings.smooth_s, times)
    masks: dict[str, np.ndarray] = {}
    present = face_mask(track)
    if present.any():
        ratio = np.zeros(times.size)
        head = _speed(track, ("head_yaw", "head_pitch", "head_roll"), width)
        if head is not None:
            ratio = np.fmax(ratio, np.nan_to_num(head, nan=np.inf) / _limit(head, settings.head_speed_max_deg_s, settings))
        motion = signal(track, "face_motion")
        if not np.all(np.isnan(motion)):
            # a running median drops one-frame tracker glitches without blurring where motion stops
            motion = rolling_median(fill_gaps(times, motion, 0.2), frames_for(settings.glitch_s, times))
            ratio = np.fmax(ratio, np.nan_to_num(motion, nan=np.inf) / _limit(motion, settings.face_motion_max, settings))
        ratio[~present] = np.inf
        still = _hysteresis(ratio <= 1.0, ratio <= settings.release_ratio)
        for first, last in merged_runs(times, still, settings.bridge_s):
            still[first:last] = True  # a twitch shorter than bridge_s does not end a hold
        masks["face"] = still & present
    body_present = np.nan_to_num(signal(track, "body_present")) > 0.5
    if body_present.any():
        still = body_present.copy()
        angles = _speed(track, ("lean_forward", "lean_side", "shoulder_turn", "shoulder_roll"), width)
        if angles is not None:
            still &= np.nan_to_num(angles, nan=np.inf) <= _limit(
                angles, settings.body_angle_speed_max_deg_s, settings)
        for side in ("left", "right"):
            wrist = _speed(track, (f"wrist_{side}_x", f"wrist_{side}_y"), width)
            if wrist is not None:
                still &= np.nan_to_num(wrist, nan=0.0) <= _limit(
                    wrist, settings.wrist_speed_max, settings)
        if angles is not None:  # body presence alone says nothing about stillness
            masks["body"] = still
    return masks


def _hysteresis(enter: np.ndarray, stay: np.ndarray) -> np.ndarray:
    """Still from the first frame under the limit until the first frame over the release
    limit: tracker jitter just over the limit inside a hold does not end it."""
    out = np.zeros(enter.size, dtype=bool)
    for first, last in runs(stay):
        hits = np.flatnonzero(enter[first:last])
        if hits.size:
            out[first + hits[0]:last] = True
    return out


def detect_holds(track: SignalTrack, settings: HoldSettings) -> list[Event]:
    """hold events with scope face|body and duration."""
    times = track.times
    if times.size < 3:
        return []
    step = float(np.median(np.diff(times)))
    events: list[Event] = []
    for scope, still in still_masks(track, settings).items():
        for first, last in runs(still):
            start = float(times[first])
            # a hold ends where motion starts: the first moving frame, or the end of the take
            end = float(times[last]) if last < times.size else float(times[-1]) + step
            duration = end - start
            if duration < settings.min_duration_s:
                continue
            events.append(Event(kind="hold", scope=scope, start_s=round(start, 4), end_s=round(end, 4),
                                confidence=1.0, values={"duration_ms": round(duration * 1000, 1)}))
    return sorted(events, key=lambda e: (e.start_s, e.scope))
