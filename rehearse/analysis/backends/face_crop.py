"""Square image regions around a head (from Pose or from the last face) and mapping crop landmarks back.

FaceMesh's face detector is short-range: measured on single_face.mp4 frames pasted smaller into
a larger frame, it misses faces whose inter-ocular distance is under ~3% of the frame width
(found at 48 px IOD in 1280x720, missed at 48 px in 1920x1080 and at 34 px in 1280x720). Wider
shots are common on set, so when the full frame yields no face, the extractor looks again in a
crop around the head Pose found, then keeps following the face with crops while it is found.
"""

from __future__ import annotations

import numpy as np

HEAD_POINTS = (0, 2, 5, 7, 8, 9, 10)  # nose, eyes, ears, mouth corners (Pose)
POSE_NOSE, POSE_LEFT_EAR, POSE_RIGHT_EAR, POSE_LEFT_EYE, POSE_RIGHT_EYE = 0, 7, 8, 2, 5

Roi = tuple[int, int, int, int]  # x0, y0, x1, y1 in px, end exclusive


def _square(cx: float, cy: float, side: float, image_size: tuple[int, int]) -> Roi | None:
    width, height = image_size
    half = side / 2
    x0, y0 = max(0, int(round(cx - half))), max(0, int(round(cy - half)))
    x1, y1 = min(width, int(round(cx + half))), min(height, int(round(cy + half)))
    if x1 - x0 < 16 or y1 - y0 < 16:  # nothing a face model can read
        return None
    return x0, y0, x1, y1


def roi_from_pose(pose: np.ndarray | None, image_size: tuple[int, int], min_visibility: float,
                  head_widths: float = 3.0) -> Roi | None:
    """A square around the head Pose sees, `head_widths` times the ear-to-ear distance (or
    twice the eye distance times that, when an ear is hidden); None without a visible nose."""
    if pose is None or pose[POSE_NOSE, 3] < min_visibility:
        return None
    width, height = image_size
    scale = np.array([width, height], dtype=np.float64)
    head = [i for i in HEAD_POINTS if pose[i, 3] >= min_visibility]
    centre = (pose[head, :2].astype(np.float64) * scale).mean(axis=0)
    ears = np.linalg.norm((pose[POSE_LEFT_EAR, :2] - pose[POSE_RIGHT_EAR, :2]) * scale)
    eyes = np.linalg.norm((pose[POSE_LEFT_EYE, :2] - pose[POSE_RIGHT_EYE, :2]) * scale)
    head_width = max(float(ears), 2.0 * float(eyes))
    return _square(float(centre[0]), float(centre[1]), head_width * head_widths, image_size)


def roi_from_face(face: np.ndarray, image_size: tuple[int, int], margin: float = 2.0) -> Roi | None:
    """A square `margin` times the size of the face's landmark box, on its centre."""
    width, height = image_size
    xs, ys = face[:, 0] * width, face[:, 1] * height
    side = max(float(xs.max() - xs.min()), float(ys.max() - ys.min())) * margin
    return _square(float(xs.mean()), float(ys.mean()), side, image_size)


def to_full_frame(points: np.ndarray, roi: Roi, image_size: tuple[int, int]) -> np.ndarray:
    """Landmarks normalised to the crop -> normalised to the full frame (z scales with x)."""
    width, height = image_size
    x0, y0, x1, y1 = roi
    out = points.astype(np.float32).copy()
    out[:, 0] = (points[:, 0] * (x1 - x0) + x0) / width
    out[:, 1] = (points[:, 1] * (y1 - y0) + y0) / height
    out[:, 2] = points[:, 2] * (x1 - x0) / width
    return out
