"""Gestures: hand to face (with zone) and to collar, hand raise, lean, shoulder turn, head turn, nod, shake, tremor.

Displacements are measured from the actor's rest level as a stream knows it (the median of the
earlier frames that were at rest: `stream_levels.stream_rest_level`), so a prefix of a take gives
the same gestures as the whole take up to a settling time; sides are the actor's own. The hand-to-face zone and the collar need landmark positions
(`face` and `pose` parts); without them the zone is left out and collar touches are not looked for.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from rehearse.analysis.event_settings import GestureSettings
from rehearse.analysis.events.model import Event
from rehearse.analysis.events.signal_ops import (
    fill_gaps,
    filled_final_index,
    frames_for,
    rolling_median,
    rolling_percentile,
    runs,
    same_length_width,
    signal,
    track_frame_s,
)
from rehearse.analysis.events.stream_levels import stream_rest_level
from rehearse.analysis.events.swing_final import SwingReadings, final_from_s
from rehearse.analysis.tracks import LandmarkTrack, SignalTrack

# FaceMesh landmark groups for the hand-to-face zone.
FACE_ZONES: dict[str, tuple[int, ...]] = {
    "mouth": (13, 14, 61, 291, 0, 17),
    "nose": (1, 4, 5, 195, 98, 327),
    "eye": (33, 133, 159, 145, 362, 263, 386, 374),
    "cheek": (50, 280, 205, 425, 123, 352),
}
POSE_LEFT_SHOULDER, POSE_RIGHT_SHOULDER = 11, 12

SWING_LEVEL_S = 1.6
"""Nods and shakes are swings away from the head's running median over this long (s, centred).
A centred median keeps a move longer than half its window (a turn, a ramp) and drops a shorter
one, so it must be over twice nod_max_period_s; a nod or shake is final only once its last swing's
level is whole (half the window after its end), so shorter is sooner for live. 1.6 s rather than
2 s: the close-up's real nod has the same edges, final 0.88 s after its end instead of 0.96 s;
the synthetic gesture streams 216 of 216 matched instead of 215 (a shake found), false ones 3 as
before. Not shorter: 1.2-1.3 s read the jaw closing after carphone's open mouth as a nod, 1.4-1.5 s
found two one-frame nods on the close-up. A level mostly behind the frame (1.5 s before, 0.5 s
after) is worse: it lags at the start and end of every turn, whose edges read as swings (on
streams with turns and shakes at 24-60 fps, shakes found 88 -> 77 of 96, false ones 26 -> 62)."""
SWING_REACH_S = 1 / 2
"""How far ahead (x SWING_LEVEL_S) the running level reads: half its window. It is evaluated at
every frame (`rolling_percentile(exact=True)`): evaluated every eighth of the window it read an
eighth further, and its grid of evaluated frames counted from the first frame given, so a live
pass over a later window of the stream got other levels, and other swings, than the whole take."""

GAP_FILL_S = 0.2
"""Body and head signals are bridged over gaps up to this long (s)."""
TOUCH_GAP_FILL_S = 0.15
"""Hand-to-face distances are bridged over gaps up to this long (s)."""
SCALE_SMOOTH_S = 0.15
"""The face's size is a running median over this long (s, centred) before leans are read from it."""

HEAD_SPEED_MAX_DEG_S = 1000.0
"""A head angle moving faster than this between two frames did not move: the pose fit jumped
between two solutions (the fastest voluntary head rotations are several hundred deg/s; a face
stretched 4:3 -> 16:9 reads as pitched ~40 deg up or down, the sign flipping frame to frame at
~1900 deg/s, which chained into a 5.7 s "nod")."""

FROM_REST_LEVEL = ("hand_raise", "lean_toward", "lean_away", "shoulder_turn", "head_turn")
"""Gestures measured from the actor's rest level (`_displacement`: a stream level, read from the
frames before); the others (hand to face, collar, tremor, nod, shake) are read against fixed or
running levels."""


def settle_after_end_s(label: str, settings: GestureSettings) -> float:
    """How long after its end (s of stream time) a gesture found on the frames so far can still
    change, from what `detect_gestures` reads after an end (the signals' own reach is not counted).

    Levels read only earlier frames (`_displacement`), so most gestures wait only for a gap bridged
    after them. A nod or shake ends with its last swing, and the next swing may start up to
    nod_max_period_s later and must be over within as long again to count (2 x nod_max_period_s);
    each swing is read against the head's running level, centred over SWING_LEVEL_S, so it reaches
    SWING_REACH_S x SWING_LEVEL_S ahead. That is the worst case: a nod or shake says in
    `values["final_from_s"]` when no next swing can start any more (`swing_final`).

    Not counted: a head turn no longer than nod_max_period_s that turns out to be a swing of a
    shake found later (up to a shake's settling time after it) is dropped then. Waiting that long
    for every short turn would put head turns 2.2 s behind; a stream shows it and the shake."""
    if label in ("nod", "shake"):
        return 2 * settings.nod_max_period_s + SWING_REACH_S * SWING_LEVEL_S + GAP_FILL_S
    if label in ("hand_to_face", "hand_to_collar"):
        return TOUCH_GAP_FILL_S
    if label == "tremor":
        return 0.0
    if label in ("lean_toward", "lean_away"):  # leans from the face's size are smoothed too
        return GAP_FILL_S + SCALE_SMOOTH_S / 2
    return GAP_FILL_S  # hand raise (and the touches it must not overlap), shoulder and head turns


def _spans(times: np.ndarray, active: np.ndarray, min_s: float) -> list[tuple[int, int, float, float]]:
    """Runs of `active` lasting at least min_s: (first, last_exclusive, start_s, end_s)."""
    out = []
    step = float(np.median(np.diff(times))) if times.size > 1 else 0.0
    for first, last in runs(active):
        start = float(times[first])
        end = float(times[last]) if last < times.size else float(times[-1]) + step
        if end - start >= min_s:
            out.append((first, last, start, end))
    return out


def _event(label, start, end, side=None, apex=None, values=None, confidence=0.9, region=None) -> Event:
    values = dict(values or {})
    values["duration_ms"] = round((end - start) * 1000, 1)
    return Event(kind="gesture", label=label, side=side, start_s=round(start, 4), end_s=round(end, 4),
                 apex_s=None if apex is None else round(apex, 4), confidence=confidence, values=values,
                 region=region)


REST_NEAR: dict[str, Callable[[GestureSettings], float]] = {
    "head_yaw": lambda s: s.head_turn_deg,
    "lean_forward": lambda s: s.lean_deg,
    "shoulder_turn": lambda s: s.shoulder_turn_deg,
    "wrist_left_y": lambda s: s.raise_height,
    "wrist_right_y": lambda s: s.raise_height,
    "mouth_open": lambda s: s.jaw_artifact_iod,
    "iod_px": lambda s: np.log1p(s.lean_scale),
}
"""The signals measured from the actor's rest level, each with how near its level a frame counts as
at rest (the gesture's own threshold). The face's size (`iod_px`) is read on a log scale: at rest
within lean_scale either way."""


def gesture_rest_levels(track: SignalTrack, settings: GestureSettings,
                        known: Mapping[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Per signal of REST_NEAR: its rest level per frame (`stream_rest_level`; the face's size as a
    log). `known`: levels of the first frames read before (by earlier live passes over the whole
    stream). Handed to `detect_gestures` as `track.rest_levels`, the detectors read these."""
    known = known or {}
    return {name: _read_rest_level(track, name, settings, known.get(name)) for name in REST_NEAR}


def _read_rest_level(track: SignalTrack, name: str, settings: GestureSettings,
                     known: np.ndarray | None = None) -> np.ndarray:
    """The rest level of one signal of REST_NEAR over the raw frames (a gap filled later does not
    move it); `track.rest_levels`' when it has one for every frame."""
    given = (track.rest_levels or {}).get(name)
    if given is not None and given.size == track.frame_count:
        return given
    raw = signal(track, name)
    if name == "iod_px":
        with np.errstate(divide="ignore", invalid="ignore"):
            return stream_rest_level(track.times, np.log(raw), raw > 0, REST_NEAR[name](settings), known=known)
    return stream_rest_level(track.times, raw, None, REST_NEAR[name](settings), known=known)


def _displacement(track: SignalTrack, name: str, settings: GestureSettings) -> np.ndarray:
    """The signal (gaps up to 0.2 s filled) minus its rest level (`_read_rest_level`)."""
    raw = signal(track, name)
    return fill_gaps(track.times, raw, GAP_FILL_S) - _read_rest_level(track, name, settings)


def detect_gestures(
    track: SignalTrack, settings: GestureSettings, landmarks: Mapping[str, LandmarkTrack] | None = None
) -> list[Event]:
    """gesture events with label, side and measured values."""
    times = track.times
    if times.size < 3:
        return []
    landmarks = landmarks or {}
    events: list[Event] = []
    touches: list[tuple[float, float]] = []
    for side in ("left", "right"):
        distance = fill_gaps(times, signal(track, f"hand_face_{side}"), TOUCH_GAP_FILL_S)
        for first, last, start, end in _spans(times, np.nan_to_num(distance, nan=np.inf) < settings.hand_face_iod,
                                               settings.min_duration_s):
            apex = first + int(np.nanargmin(distance[first:last]))
            zone = _face_zone(track, landmarks.get("face"), side, apex)
            values = {"min_distance_iod": round(float(distance[apex]), 3)}
            events.append(_event("hand_to_face", start, end, side, float(times[apex]), values, region=zone))
            touches.append((start, end))
        events.extend(_collar(track, landmarks.get("pose"), side, settings, touches))
        lift = -_displacement(track, f"wrist_{side}_y", settings)
        for first, last, start, end in _spans(times, np.nan_to_num(lift) > settings.raise_height,
                                               settings.min_duration_s):
            if any(s < end and start < e for s, e in touches):
                continue
            apex = first + int(np.nanargmax(lift[first:last]))
            events.append(_event("hand_raise", start, end, side, float(times[apex]),
                                 {"lift_image_fraction": round(float(lift[apex]), 3)}))
        energy = signal(track, f"tremor_{side}")
        for first, last, start, end in _spans(times, np.nan_to_num(energy) > settings.tremor_energy,
                                               settings.tremor_min_s):
            events.append(_event("tremor", start, end, side, None,
                                 {"peak_energy_iod2": round(float(np.nanmax(energy[first:last])), 5)}))
    leans = _sustained(track, "lean_forward", settings, settings.lean_deg, settings.lean_min_s,
                       ("lean_toward", "lean_away"), None)
    events.extend(leans if leans or not np.all(np.isnan(signal(track, "lean_forward")))
                  else _scale_leans(track, settings))
    events.extend(_sustained(track, "shoulder_turn", settings, settings.shoulder_turn_deg, settings.lean_min_s,
                             ("shoulder_turn", "shoulder_turn"), ("left", "right")))
    mouth = _once(lambda: _displacement(track, "mouth_open", settings))
    yaw_swings, yaw_final = _swings(track, "head_yaw", settings, mouth)
    shakes = _grouped(yaw_swings, settings, "shake", alternating=True, final_from=yaw_final)
    pitch_swings, pitch_final = _swings(track, "head_pitch", settings, mouth)
    nods = _grouped(pitch_swings, settings, "nod", alternating=False, final_from=pitch_final)
    # A turn no longer than a shake's swing (nod_max_period_s) inside a shake is one of its swings;
    # a longer one is the head turned, kept. Only swings whose running level is read over its whole
    # window (ending SWING_REACH_S x SWING_LEVEL_S before the last frame) count here: nearer the last
    # frame it is read over the frames before only, and a head coming back from a turn looks like a
    # swing back.
    settled = times[-1] - SWING_REACH_S * SWING_LEVEL_S
    settled_shakes = _grouped([w for w in yaw_swings if w[1] <= settled], settings, "shake", alternating=True)
    turns = [e for e in _sustained(track, "head_yaw", settings, settings.head_turn_deg, settings.head_turn_min_s,
                                   ("head_turn", "head_turn"), ("left", "right"))
             if e.end_s - e.start_s > settings.nod_max_period_s
             or not any(s.start_s < e.end_s and e.start_s < s.end_s for s in settled_shakes)]
    events.extend(shakes + nods + turns)
    return sorted(events, key=lambda e: e.start_s)


def _sustained(track, name, settings, threshold, min_s, labels, sides) -> list[Event]:
    """Runs where a signal stays beyond +-threshold of its rest level: (label, side) by sign."""
    times = track.times
    disp = _displacement(track, name, settings)
    if np.all(np.isnan(disp)):
        return []
    out = []
    for sign, label, side in ((1, labels[0], sides[0] if sides else None),
                              (-1, labels[1], sides[1] if sides else None)):
        for first, last, start, end in _spans(times, np.nan_to_num(sign * disp) > threshold, min_s):
            apex = first + int(np.nanargmax(sign * disp[first:last]))
            out.append(_event(label, start, end, side, float(times[apex]),
                              {"peak_deg": round(float(disp[apex]), 2)}))
    return out


def _once(make: Callable[[], np.ndarray]) -> Callable[[], np.ndarray]:
    """`make()` computed at the first call only (a level not every take needs)."""
    made: list[np.ndarray] = []

    def get() -> np.ndarray:
        if not made:
            made.append(make())
        return made[0]
    return get


def _swings(track, name, settings: GestureSettings,
            mouth: Callable[[], np.ndarray]) -> tuple[list[tuple], Callable[[float, str], float]]:
    """Brief excursions (each shorter than nod_max_period_s) beyond nod_deg from the running level,
    not made by the jaw (`mouth`: the mouth's opening from its rest level) or a pose flip:
    (start_s, end_s, sign, peak_deg); and `final_from(end_s, label)`: the stream time from which a
    nod or shake ending at end_s can no longer change (`swing_final`)."""
    times = track.times
    raw = signal(track, name)
    angle = fill_gaps(times, raw, GAP_FILL_S)
    if np.all(np.isnan(angle)):
        return [], lambda end_s, label: round(end_s + settle_after_end_s(label, settings), 4)
    width = frames_for(SWING_LEVEL_S, track_frame_s(track), minimum=5) | 1
    level = rolling_percentile(angle, width, 50.0, exact=True)
    disp = angle - level
    # A pose flip anywhere in the level's window leaves the level between the two poses: no swing
    # is read against it.
    with np.errstate(invalid="ignore", divide="ignore"):
        jumped = np.r_[False, np.abs(np.diff(angle)) > HEAD_SPEED_MAX_DEG_S * np.diff(times)]
    jumped = np.convolve(jumped.astype(float), np.ones(same_length_width(width, times.size)), mode="same") > 0
    swings, excursions = [], []
    for sign in (1, -1):
        for first, last, start, end in _spans(times, np.nan_to_num(sign * disp) > settings.nod_deg, 0.0):
            excursions.append((start, end))
            if end - start > settings.nod_max_period_s:
                continue
            if jumped[first:last + 1].any():
                continue  # the pose fit flipped (faster than a head turns) in or around it
            if np.nanmax(np.nan_to_num(mouth()[first:last])) > settings.jaw_artifact_iod:
                continue  # an opening jaw moves FaceMesh's pitch estimate; the head did not nod
            swings.append((start, end, sign, float(np.nanmax(np.abs(disp[first:last])))))
    readings = SwingReadings(times, angle, disp, width if times.size >= width else 0,
                             filled_final_index(times, ~np.isnan(raw), GAP_FILL_S),
                             filled_final_index(times, ~np.isnan(signal(track, "mouth_open")), GAP_FILL_S),
                             excursions, settings.nod_deg)

    def final_from(end_s: float, label: str) -> float:
        return final_from_s(readings, end_s, settings.nod_max_period_s,
                            round(end_s + settle_after_end_s(label, settings), 4))
    return sorted(swings), final_from


def _grouped(swings: list[tuple], settings: GestureSettings, label: str, alternating: bool,
             final_from: Callable[[float, str], float] | None = None) -> list[Event]:
    """Swings each following the last within nod_max_period_s, as one nod (a chin-down swing in
    it) or shake (swings both ways); `final_from` (end_s, label): when one can no longer change
    (`values["final_from_s"]`)."""
    groups: list[list[tuple]] = []
    for swing in swings:
        if groups and swing[0] - groups[-1][-1][1] <= settings.nod_max_period_s:
            groups[-1].append(swing)
        else:
            groups.append([swing])
    out = []
    for group in groups:
        signs = [g[2] for g in group]
        if alternating and (len(group) < 2 or all(s == signs[0] for s in signs)):
            continue
        if not alternating and all(s > 0 for s in signs):
            continue  # a nod brings the chin down (pitch falls); a lone chin lift is not a nod
        peak = max(g[3] for g in group)
        values = {"swings": float(len(group)), "peak_deg": round(peak, 2)}
        if final_from is not None:
            values["final_from_s"] = final_from(group[-1][1], label)
        out.append(_event(label, group[0][0], group[-1][1], None, None, values))
    return out


def _scale_leans(track: SignalTrack, settings: GestureSettings) -> list[Event]:
    """Leans from the face's size when no torso is tracked: bigger = toward the camera."""
    times = track.times
    iod = fill_gaps(times, signal(track, "iod_px"), GAP_FILL_S)
    good = iod[~np.isnan(iod)]
    if good.size < 3:
        return []
    yaw = _displacement(track, "head_yaw", settings)
    # a head turn shrinks the inter-ocular distance too: only frames facing the usual way count
    facing = np.abs(np.nan_to_num(yaw)) < 0.5 * settings.head_turn_deg
    # the face's rest size, on a log scale so that "at rest" is within lean_scale either way
    rest = np.exp(_read_rest_level(track, "iod_px", settings))
    change = rolling_median(iod, frames_for(SCALE_SMOOTH_S, track_frame_s(track), minimum=3)) / rest - 1.0
    out = []
    for sign, label in ((1, "lean_toward"), (-1, "lean_away")):
        active = (np.nan_to_num(sign * change) > settings.lean_scale) & facing
        for first, last, start, end in _spans(times, active, settings.lean_min_s):
            apex = first + int(np.nanargmax(sign * change[first:last]))
            out.append(_event(label, start, end, None, float(times[apex]),
                              {"scale_change_pct": round(100 * float(change[apex]), 1)}, confidence=0.6))
    return out


def _face_zone(track: SignalTrack, face: LandmarkTrack | None, side: str, frame: int) -> str | None:
    """Nearest face zone to the fingertip in this frame (needs face landmarks on the same frames)."""
    if face is None or face.points.shape[0] != track.frame_count or face.points.shape[1] < 468:
        return None
    tip = np.array([signal(track, f"fingertip_{side}_x")[frame], signal(track, f"fingertip_{side}_y")[frame]])
    if np.isnan(tip).any() or not face.mask[frame]:
        return None
    scale = np.array(face.image_size[:2], dtype=float)
    points = face.points[frame, :, :2] * scale
    tip = tip * scale
    distances = {zone: float(np.min(np.linalg.norm(points[list(idx)] - tip, axis=1)))
                 for zone, idx in FACE_ZONES.items()}
    return min(distances, key=distances.get)


def _collar(track, pose: LandmarkTrack | None, side: str, settings: GestureSettings, touches) -> list[Event]:
    """Fingertip near the collar point (between the shoulders, a little up), not at the face."""
    if pose is None or pose.points.shape[0] != track.frame_count or pose.points.shape[1] <= POSE_RIGHT_SHOULDER:
        return []
    times = track.times
    left = pose.points[:, POSE_LEFT_SHOULDER, :2]
    right = pose.points[:, POSE_RIGHT_SHOULDER, :2]
    width = np.linalg.norm(left - right, axis=1)
    collar = (left + right) / 2
    collar[:, 1] -= 0.1 * width
    tip = np.stack([signal(track, f"fingertip_{side}_x"), signal(track, f"fingertip_{side}_y")], axis=1)
    distance = np.linalg.norm(tip - collar, axis=1) / np.where(width > 0, width, np.nan)
    out = []
    for first, last, start, end in _spans(times, np.nan_to_num(distance, nan=np.inf) < settings.collar_radius,
                                          settings.min_duration_s):
        if any(s < end and start < e for s, e in touches):
            continue
        apex = first + int(np.nanargmin(distance[first:last]))
        out.append(_event("hand_to_collar", start, end, side, float(times[apex]),
                          {"min_distance_shoulder_widths": round(float(distance[apex]), 3)}))
    return out
