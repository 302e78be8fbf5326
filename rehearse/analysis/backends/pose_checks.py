"""Checks on one pose sample: did it move a lot, is it an upright body, is a wrist raised."""

from __future__ import annotations

import numpy as np

POSE_LEFT_WRIST, POSE_RIGHT_WRIST = 15, 16
POSE_LEFT_SHOULDER, POSE_RIGHT_SHOULDER = 11, 12
POSE_LEFT_HIP, POSE_RIGHT_HIP = 23, 24


def pose_moved(before: np.ndarray | None, after: np.ndarray | None, threshold: float, min_visibility: float) -> bool:
    """True when a wrist or shoulder seen in both pose samples moved more than `threshold`
    (normalised image units: x in image widths, y in image heights) between them."""
    if before is None or after is None:
        return False
    joints = [POSE_LEFT_WRIST, POSE_RIGHT_WRIST, POSE_LEFT_SHOULDER, POSE_RIGHT_SHOULDER]
    seen = (before[joints, 3] >= min_visibility) & (after[joints, 3] >= min_visibility)
    if not seen.any():
        return False
    moved = np.linalg.norm(after[joints, :2] - before[joints, :2], axis=1)[seen]
    return bool(moved.max() > threshold)


def torso_tilt_deg(pose: np.ndarray, aspect: float) -> float:
    """Angle (deg) of the hip-centre -> shoulder-centre line from image-upright. Uses the
    positions even when the hips are out of frame: Pose extrapolates them straight below."""
    shoulders = (pose[POSE_LEFT_SHOULDER, :2] + pose[POSE_RIGHT_SHOULDER, :2]) / 2
    hips = (pose[POSE_LEFT_HIP, :2] + pose[POSE_RIGHT_HIP, :2]) / 2
    dx, dy = float(shoulders[0] - hips[0]) * aspect, float(shoulders[1] - hips[1])
    return float(np.degrees(np.arctan2(abs(dx), -dy)))


def wrist_raised(pose: np.ndarray, min_visibility: float, margin: float = 0.0) -> bool:
    """True when a visible pose wrist is above the hip line (or the hips are out of frame
    below, as in a close shot: then any visible wrist counts)."""
    wrists = pose[[POSE_LEFT_WRIST, POSE_RIGHT_WRIST]]
    visible = wrists[:, 3] >= min_visibility
    if not visible.any():
        return False
    hips = pose[[POSE_LEFT_HIP, POSE_RIGHT_HIP]]
    hips_seen = hips[:, 3] >= min_visibility
    if not hips_seen.any():
        return True
    hip_y = float(hips[hips_seen, 1].mean())
    return bool((wrists[visible, 1] < hip_y - margin).any())
