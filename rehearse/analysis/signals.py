"""Turns landmark tracks into a `SignalTrack`: every name in `SIGNALS`, per frame, with its unit.

`compute_signals(tracks)` takes the dict `extract_landmarks` returns (parts "face", "pose",
"pose_world", "left_hand", "right_hand"; any may be missing) and fills every signal in `SIGNALS`, NaN where
the part it needs was not found. Face maths lives in face_signals.py, body maths in
body_signals.py; the thresholds both use are in `SignalSettings`.
"""

from __future__ import annotations

import warnings

import numpy as np

from rehearse.analysis.body_signals import (
    hand_points,
    hand_to_face,
    pose_pixels,
    torso_angles,
    tremor,
    world_metres,
)
from rehearse.analysis.face_signals import face_signals
from rehearse.analysis.motion_energy import on_frame_times
from rehearse.analysis.settings import SignalSettings
from rehearse.analysis.tracks import SIGNALS, LandmarkTrack, SignalTrack

L_SHOULDER, R_SHOULDER = 11, 12


def _frame_count(tracks: dict[str, LandmarkTrack]) -> tuple[np.ndarray, tuple[int, int]]:
    for part in ("face", "pose", "left_hand", "right_hand"):
        if part in tracks:
            return np.asarray(tracks[part].times, dtype=np.float64), tracks[part].image_size
    raise ValueError("compute_signals needs at least one of the face, pose or hand tracks")


def _reference_iod(times: np.ndarray, face_iod: np.ndarray, pose_px: np.ndarray | None, ratio: float) -> np.ndarray:
    """Per-frame scale for body distances: the face's IOD where seen, else the median IOD as the
    stream knows it (over the frames before, `stream_levels`), else the median shoulder width so
    known x ratio. Read so, a frame's scale never changes with frames played after it (a live
    rehearsal computes the same signals as an offline analysis)."""
    from rehearse.analysis.events.stream_levels import stream_statistic

    if np.isfinite(face_iod).all():
        return face_iod
    scale = np.where(np.isfinite(face_iod), face_iod, stream_statistic(times, face_iod, None, np.median))
    if pose_px is None or np.isfinite(scale).all():
        return scale
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        width = np.linalg.norm(pose_px[:, L_SHOULDER, :2] - pose_px[:, R_SHOULDER, :2], axis=1)
    return np.where(np.isfinite(scale), scale, stream_statistic(times, width, None, np.median) * ratio)


def compute_signals(tracks: dict[str, LandmarkTrack], settings: SignalSettings | None = None) -> SignalTrack:
    """Every signal in `SIGNALS` for every frame of a take (NaN where unavailable)."""
    settings = settings or SignalSettings()
    times, image_size = _frame_count(tracks)
    frames = times.shape[0]
    nan = np.full(frames, np.nan)
    values: dict[str, np.ndarray] = {}

    face = tracks.get("face")
    face_points = None
    if face is not None:
        values.update(face_signals(face.points, face.confidence, times, image_size, settings.closed_eye_ear))
        face_points = face.points
    else:
        values["face_present"] = np.zeros(frames)
        values["face_confidence"] = np.zeros(frames)
    face_iod = values.get("iod_px", nan)

    pose = tracks.get("pose")
    pose_px = None
    if pose is not None:
        pose_px = pose_pixels(pose.points, image_size, settings.min_pose_visibility)
        values["body_present"] = pose.mask.astype(np.float64)
        world = tracks.get("pose_world")
        world_m = world_metres(world.points, settings.min_pose_visibility) if world is not None else None
        values.update(torso_angles(pose_px, world_m))
    else:
        values["body_present"] = np.zeros(frames)
        pose_px = np.full((frames, 33, 3), np.nan)
    lines = tracks.get("glabella_lines")
    if lines is not None:
        values["glabella_lines"] = np.where(lines.mask, lines.points[:, 0, 0], np.nan).astype(np.float64)
    motion = tracks.get("body_motion")
    if motion is not None:
        values["body_motion"] = on_frame_times(
            times, motion.points[:, 0, 0].astype(np.float64), motion.points[:, 0, 1].astype(np.float64))

    scale = _reference_iod(times, face_iod, pose_px, settings.iod_per_shoulder_width)
    width, height = image_size
    for side in ("left", "right"):
        hand_track = tracks.get(f"{side}_hand")
        hand = hand_track.points if hand_track is not None else None
        walked = hand_track.walked_back if hand_track is not None else None
        wrist, index_tip, tips, from_hand = hand_points(side, hand, pose_px, image_size, walked)
        values[f"wrist_{side}_x"] = wrist[:, 0] / width
        values[f"wrist_{side}_y"] = wrist[:, 1] / height
        values[f"fingertip_{side}_x"] = index_tip[:, 0] / width
        values[f"fingertip_{side}_y"] = index_tip[:, 1] / height
        values[f"hand_face_{side}"] = hand_to_face(tips, face_points, face_iod, image_size)
        # Tremor only from the hands model: interpolated/smoothed pose points have no real
        # high-frequency content, so measuring them would report a false calm.
        with np.errstate(invalid="ignore", divide="ignore"):
            tip_iod = index_tip / scale[:, None]
        values[f"tremor_{side}"] = tremor(
            times, tip_iod, from_hand & np.isfinite(tip_iod).all(axis=1), settings.tremor_window_s,
            settings.tremor_cutoff_hz, settings.tremor_min_samples,
        )

    for name in SIGNALS:
        values.setdefault(name, nan.copy())
    return SignalTrack(times=times, values={name: np.asarray(v, dtype=np.float64) for name, v in values.items()})
