"""Assembles per-frame landmark results into one `LandmarkTrack` per part, interpolating skipped Pose frames."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from rehearse.analysis.tracks import LandmarkTrack

if TYPE_CHECKING:
    from rehearse.analysis.landmarks import FrameLandmarks
    from rehearse.analysis.settings import LandmarkSettings

FACE_POINTS = 478  # with refined eyes/iris (FaceMesh refine_landmarks, Face Landmarker)
FACE_POINTS_UNREFINED = 468
POSE_POINTS = 33
HAND_POINTS = 21


def _interpolate_pose(times: np.ndarray, poses: list[np.ndarray | None], sampled: list[bool]):
    """Fill frames where Pose did not run: linear between two found samples, else the nearest
    sample (masked if that sample found no body). Returns (points (N,33,4), confidence (N,))."""
    count = len(poses)
    points = np.full((count, POSE_POINTS, 4), np.nan, dtype=np.float32)
    sample_idx = [i for i in range(count) if sampled[i]]
    for i in sample_idx:
        if poses[i] is not None:
            points[i] = poses[i]
    if sample_idx:
        sample_arr = np.array(sample_idx)
        for i in range(count):
            if sampled[i]:
                continue
            after_pos = np.searchsorted(sample_arr, i)
            before = sample_arr[after_pos - 1] if after_pos > 0 else None
            after = sample_arr[after_pos] if after_pos < len(sample_arr) else None
            if before is not None and after is not None and poses[before] is not None and poses[after] is not None:
                span = times[after] - times[before]
                w = 0.0 if span <= 0 else (times[i] - times[before]) / span
                points[i] = (1 - w) * poses[before] + w * poses[after]
                continue
            candidates = [s for s in (before, after) if s is not None]
            nearest = min(candidates, key=lambda s: abs(times[s] - times[i]))
            if poses[nearest] is not None:
                points[i] = poses[nearest]
    found = ~np.isnan(points[:, 0, 0])
    # Mean visibility is MediaPipe's own per-landmark score; floor it so found frames are > 0.
    confidence = np.where(found, np.maximum(np.nan_to_num(points[:, :, 3]).mean(axis=1), 1e-3), 0.0)
    return points, confidence.astype(np.float32)


def _stack(parts: list[np.ndarray | None], shape: tuple[int, ...]) -> np.ndarray:
    out = np.full((len(parts), *shape), np.nan, dtype=np.float32)
    for i, part in enumerate(parts):
        if part is not None:
            out[i] = part
    return out


def tracks_from_frames(results: list[FrameLandmarks], settings: LandmarkSettings) -> dict[str, LandmarkTrack]:
    """Assemble per-frame results into one `LandmarkTrack` per part (pose interpolated):
    "face", "left_hand", "right_hand", "pose", "pose_world", "body_motion" (motion energy and its
    span's middle time per frame, (N, 1, 2)) and "blendshapes" with the Face Landmarker backend
    (route "facemesh" adds it in `extract_landmarks`). With Pose off the pose parts are present
    and fully masked."""
    times = np.array([r.t for r in results], dtype=np.float64)
    refined = settings.refine_iris or (settings.blendshapes == "landmarker" and bool(settings.blendshape_model))
    face_points = FACE_POINTS if refined else FACE_POINTS_UNREFINED
    size = results[0].image_size if results else (0, 0)
    tracks = {
        "face": LandmarkTrack(
            "face", times, _stack([r.face for r in results], (face_points, 3)),
            np.array([r.face_confidence for r in results], dtype=np.float32), size,
        ),
        "left_hand": LandmarkTrack(
            "left_hand", times, _stack([r.left_hand for r in results], (HAND_POINTS, 3)),
            np.array([r.left_hand_confidence for r in results], dtype=np.float32), size,
        ),
        "right_hand": LandmarkTrack(
            "right_hand", times, _stack([r.right_hand for r in results], (HAND_POINTS, 3)),
            np.array([r.right_hand_confidence for r in results], dtype=np.float32), size,
        ),
    }
    sampled = [r.pose_sampled for r in results]
    pose_points, pose_conf = _interpolate_pose(times, [r.pose for r in results], sampled)
    tracks["pose"] = LandmarkTrack("pose", times, pose_points, pose_conf, size)
    # Pose's metric 3D estimate (metres, hip centre = origin, y down, nearer the camera = more
    # negative z): steadier for depth angles than the image landmarks' relative z.
    world_points, world_conf = _interpolate_pose(times, [r.pose_world for r in results], sampled)
    tracks["pose_world"] = LandmarkTrack("pose_world", times, world_points, world_conf, size)
    if settings.motion_energy.enabled:
        # Energy and the time it was measured at (the middle of its span), per frame.
        energy = np.array([[r.body_motion, r.body_motion_t] for r in results], dtype=np.float32).reshape(-1, 1, 2)
        conf = np.isfinite(energy[:, 0, 0]).astype(np.float32)
        tracks["body_motion"] = LandmarkTrack("body_motion", times, energy, conf, size)
    if settings.blendshapes != "off" and settings.blendshape_model:
        from rehearse.analysis.backends.blendshapes import BLENDSHAPE_NAMES

        shapes = _stack([r.blendshapes for r in results], (len(BLENDSHAPE_NAMES),))[:, :, None]
        conf = np.array([1.0 if r.blendshapes is not None else 0.0 for r in results], dtype=np.float32)
        tracks["blendshapes"] = LandmarkTrack("blendshapes", times, shapes, conf, size)
    return tracks
