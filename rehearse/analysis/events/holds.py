"""Holds: spans where the face, or the body, stays still for at least `min_duration_s`.

Face (`face_hold_spans`): `face_motion` (mean landmark speed, head rotation included) averaged
over a short window, time-weighted so variable frame rate does not change it, decides still or
moving frame by frame. A stream that holds has two populations of speed, still (tracker jitter)
and moving; the limit is the split between them, or `face_motion_max` raised above the jitter
floor when there is no clear split, each read per frame from the frames before it
(`hold_limits.stream_limit`), so a prefix of a take gives the same holds as the whole take once
they settled (`settle_after_end_s`) and a live rehearsal shows what an offline analysis finds.
Each edge is then fitted between frames on the unwindowed speed (`hold_edges.fit_edge`, one
model for every edge).
Body (`body_hold_spans`): any per-frame body motion signal against a limit: the motion energy
below the face where measured (`energy_body_motion`, every frame); else from pose, torso angle
and wrist speeds over a longer window against their own limits (`pose_body_motion`).
Motion shorter than `bridge_s` (a glitch, a twitch) does not end a hold.
"""

from __future__ import annotations

import numpy as np

from rehearse.analysis.event_settings import HoldSettings
from rehearse.analysis.events.hold_edges import fit_hold_edges
from rehearse.analysis.events.hold_limits import stream_limit
from rehearse.analysis.events.model import Event
from rehearse.analysis.events.signal_ops import (
    face_mask,
    fill_gaps,
    frames_for,
    merged_runs,
    rate,
    runs,
    same_length_width,
    signal,
    stream_frame_s,
    track_frame_s,
)
from rehearse.analysis.events.stream_levels import BLOCK_S
from rehearse.analysis.tracks import SignalTrack


def settle_after_end_s(scope: str, settings: HoldSettings, body_from_energy: bool = True) -> float:
    """How long after its end (s of stream time) a hold found on the frames so far can still
    change, from what `detect_holds` reads after an end (the signals' own reach is not counted).

    A face hold's end is decided by the frames up to `bridge_s` after it (a shorter twitch is
    bridged); a still run starting within `edge_reach_s` of it may reach back over the gap
    (`_onsets_under_the_holds_limit`). Each of those frames is read averaged over a centred
    `glitch_s` against a limit read up to the end of its BLOCK_S block (`hold_limits`). A body
    hold from the motion energy is read the same way, without the reach back; from Pose, its
    speeds are `speed_span_s` differences averaged over a centred `body_window_s`."""
    limit_reach = BLOCK_S + settings.glitch_s / 2
    if scope == "face":
        return max(settings.bridge_s, settings.edge_reach_s) + limit_reach
    if body_from_energy:
        return settings.bridge_s + limit_reach
    return settings.bridge_s + BLOCK_S + settings.body_window_s / 2 + settings.speed_span_s / 2


def _speed(track: SignalTrack, names: tuple[str, ...], span_s: float) -> np.ndarray | None:
    """Root-sum-square of the time derivatives of the named signals (their unit per second),
    each differenced over `span_s` so per-frame tracker jitter does not read as movement."""
    times, frame_s = track.times, track_frame_s(track)
    total = None
    for name in names:
        values = fill_gaps(times, signal(track, name), 0.2)
        if np.all(np.isnan(values)):
            continue
        speed = rate(times, values, span_s, frame_s)
        total = speed**2 if total is None else total + np.nan_to_num(speed) ** 2
    return None if total is None else np.sqrt(total)


def _windowed_speed(times: np.ndarray, speed: np.ndarray, window_s: float, frame_s: float) -> np.ndarray:
    """Time-weighted mean speed over a centred window of about `window_s` (in frames at the
    stream's interval `frame_s`)."""
    if times.size < 2:
        return speed
    step = np.diff(times, prepend=times[0] - (times[1] - times[0]))
    distance = np.where(np.isnan(speed), 0.0, speed * step)
    span = np.where(np.isnan(speed), 0.0, step)
    width = same_length_width(max(1, frames_for(window_s, frame_s) | 1), times.size)
    kernel = np.ones(width)
    moved = np.convolve(distance, kernel, mode="same")
    elapsed = np.convolve(span, kernel, mode="same")
    with np.errstate(invalid="ignore", divide="ignore"):
        out = moved / elapsed
    out[elapsed == 0] = np.nan
    return out


def face_hold_spans(times: np.ndarray, motion: np.ndarray, present: np.ndarray,
                    settings: HoldSettings, frame_s: float | None = None) -> list[tuple[float, float]]:
    """(start_s, end_s) of every face hold (any length) from per-frame `face_motion` (IOD/s,
    NaN where the face is lost) and `present` (the face was found); windows in frames at the
    stream's interval `frame_s` (default: `stream_frame_s(times)`)."""
    if not present.any() or np.all(np.isnan(motion)):
        return []
    frame_s = stream_frame_s(times) if frame_s is None else frame_s
    # Distance moved over a short window divided by its duration: jitter (a distance per
    # frame) then reads the same under variable frame rate, and averages down.
    filled_motion = fill_gaps(times, motion, 0.2)
    windowed = _windowed_speed(times, filled_motion, settings.glitch_s, frame_s)
    limit = stream_limit(times, windowed, settings.face_motion_max, settings, split=True, floor_waits=True,
                         frame_s=frame_s)
    ratio = np.nan_to_num(windowed, nan=np.inf) / limit
    ratio[~present] = np.nan  # decided by the frames around it (bridged below)
    filled = fill_gaps(times, ratio, settings.lost_bridge_s)
    still = _hysteresis(np.nan_to_num(filled, nan=np.inf) <= 1.0,
                        np.nan_to_num(filled, nan=np.inf) <= settings.release_ratio)
    still = _onsets_under_the_holds_limit(times, np.nan_to_num(filled, nan=np.inf) * limit, limit, still,
                                          settings)
    for first, last in merged_runs(times, still, settings.bridge_s):
        still[first:last] = True  # a twitch shorter than bridge_s does not end a hold
    for first, last in runs(~present):  # a face lost for longer than a tracker hiccup is no hold
        if times[min(last, times.size - 1)] - times[max(first - 1, 0)] > settings.lost_bridge_s:
            still[first:last] = False
    return fit_hold_edges(times, filled_motion, still, limit, settings, frame_s=frame_s)


def _onsets_under_the_holds_limit(times: np.ndarray, speed: np.ndarray, limit: np.ndarray, still: np.ndarray,
                                  settings: HoldSettings) -> np.ndarray:
    """`still`, each run of still frames reaching back over the frames before it that are under
    the highest limit its frames were judged by. A stream's first hold raises the limit (its
    still frames are the first the still/moving split sees), so the frames where it began were
    judged by the lower limit before it.

    The reach back stops `max(bridge_s, edge_reach_s)` after the run before it ends (clear of
    the bridge over a twitch and of that end's fit), so an end never depends on a later run's
    limit; only a run starting within `edge_reach_s` of it joins it, when the frames between
    are under the limit of the run's first frame (a stop that jitter broke into pieces). A run's
    own start may depend on its later frames: a hold is final only after its end.
    """
    clearance_s = max(settings.bridge_s, settings.edge_reach_s)
    groups: list[list] = []  # [start, end, highest limit, earliest start allowed]
    for first, last in runs(still):
        if groups and times[first] - times[groups[-1][1]] <= settings.edge_reach_s \
                and np.all(speed[groups[-1][1]:first] <= limit[first]):
            group = groups[-1]
            group[1], group[2] = last, max(group[2], float(np.max(limit[first:last])))
        else:
            bound = times[groups[-1][1]] + clearance_s if groups else -np.inf
            group = [first, last, float(np.max(limit[first:last])), bound]
            groups.append(group)
        while group[0] > 0 and speed[group[0] - 1] <= group[2] and times[group[0] - 1] >= group[3]:
            group[0] -= 1
    out = np.zeros_like(still)
    for start, end, _, _ in groups:
        out[start:end] = True
    return out


def pose_body_motion(track: SignalTrack, settings: HoldSettings) -> np.ndarray | None:
    """Per-frame body motion from pose, as a multiple of its limit (still at 1 or under): the
    faster of torso angle speed and each wrist's speed over `body_window_s`, each against its
    limit raised above its own jitter floor as the stream knows it (`hold_limits.stream_limit`). NaN where the body is not seen; None when the
    track has no torso angles (body presence alone says nothing about stillness)."""
    times, frame_s = track.times, track_frame_s(track)
    width = settings.speed_span_s
    angles = _speed(track, ("lean_forward", "lean_side", "shoulder_turn", "shoulder_roll"), width)
    if angles is None:
        return None
    angles = _windowed_speed(times, angles, settings.body_window_s, frame_s)
    ratio = np.nan_to_num(angles, nan=np.inf) / stream_limit(
        times, angles, settings.body_angle_speed_max_deg_s, settings, settings.body_noise_factor, frame_s=frame_s)
    for side in ("left", "right"):
        wrist = _speed(track, (f"wrist_{side}_x", f"wrist_{side}_y"), width)
        if wrist is not None:
            wrist = _windowed_speed(times, wrist, settings.body_window_s, frame_s)
            ratio = np.fmax(ratio, np.nan_to_num(wrist, nan=0.0) / stream_limit(
                times, wrist, settings.wrist_speed_max, settings, settings.body_noise_factor, frame_s=frame_s))
    body_present = np.nan_to_num(signal(track, "body_present")) > 0.5
    return np.where(body_present, ratio, np.nan)


def energy_body_motion(track: SignalTrack, settings: HoldSettings) -> np.ndarray | None:
    """Per-frame body motion from its motion energy below the face (`body_motion`, measured on
    every frame whatever the Pose schedule), as a multiple of its limit (still at 1 or under):
    the stream's own still/moving split, or `body_motion_max` raised above its still level, read
    per frame over the frames before (`hold_limits.stream_limit`). NaN where it was not measured (no face, the region out of frame); None when never measured."""
    energy = signal(track, "body_motion")
    if not np.isfinite(energy).any():
        return None
    times, frame_s = track.times, track_frame_s(track)
    windowed = _windowed_speed(times, energy, settings.glitch_s, frame_s)
    limit = stream_limit(times, windowed, settings.body_motion_max, settings, settings.body_noise_factor,
                          split=True, floor_capped=True, frame_s=frame_s)
    return np.where(np.isfinite(energy), windowed / limit, np.nan)


def body_hold_spans(times: np.ndarray, motion: np.ndarray, settings: HoldSettings,
                    limit: float = 1.0) -> list[tuple[float, float]]:
    """(start_s, end_s) of every body hold (any length): frames whose `motion` (any per-frame
    body motion signal, NaN where the body is not seen) is at most `limit`, with motion shorter
    than `bridge_s` bridged. A hold ends at its first moving frame (or after the take's last)."""
    still = np.nan_to_num(motion, nan=np.inf) <= limit
    for first, last in merged_runs(times, still, settings.bridge_s):
        still[first:last] = True  # a twitch shorter than bridge_s does not end a hold
    step = float(np.median(np.diff(times))) if times.size > 1 else 0.0
    return [(float(times[first]), float(times[last]) if last < times.size else float(times[-1]) + step)
            for first, last in runs(still)]


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
    spans: dict[str, list[tuple[float, float]]] = {}
    present = face_mask(track)
    if present.any():
        spans["face"] = face_hold_spans(times, signal(track, "face_motion"), present, settings, track_frame_s(track))
    body = energy_body_motion(track, settings)
    if body is None:
        body = pose_body_motion(track, settings)
    if body is not None:
        spans["body"] = body_hold_spans(times, body, settings)
    events: list[Event] = []
    for scope, found in spans.items():
        for start, end in found:
            duration = end - start
            if duration < settings.min_duration_s:
                continue
            events.append(Event(kind="hold", scope=scope, start_s=round(start, 4), end_s=round(end, 4),
                                confidence=1.0, values={"duration_ms": round(duration * 1000, 1)}))
    return sorted(events, key=lambda e: (e.start_s, e.scope))
