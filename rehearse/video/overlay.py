"""Draw landmarks, the beat and the events in progress onto a frame (for `rehearse render`).

Coordinates come normalised (0-1) from the landmark tracks. Labels name what was measured
(`blink both`, `hold 1.20 s`), never an emotion.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# A few FaceMesh contours (eyes, brows, lips, face oval) drawn as polylines: enough to see
# what the tracker follows without hiding the performance.
FACE_CONTOURS: dict[str, tuple[int, ...]] = {
    "right_eye": (33, 246, 161, 160, 159, 158, 157, 173, 133, 155, 154, 153, 145, 144, 163, 7, 33),
    "left_eye": (263, 466, 388, 387, 386, 385, 384, 398, 362, 382, 381, 380, 374, 373, 390, 249, 263),
    "right_brow": (70, 63, 105, 66, 107),
    "left_brow": (300, 293, 334, 296, 336),
    "lips": (61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291, 375, 321, 405, 314, 17, 84, 181, 91, 146, 61),
    "oval": (10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377,
             152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109, 10),
}
POSE_BONES = ((11, 12), (11, 13), (13, 15), (12, 14), (14, 16), (11, 23), (12, 24), (23, 24))
HAND_BONES = ((0, 1), (1, 2), (2, 3), (3, 4), (0, 5), (5, 6), (6, 7), (7, 8), (5, 9), (9, 10),
              (10, 11), (11, 12), (9, 13), (13, 14), (14, 15), (15, 16), (13, 17), (17, 18),
              (18, 19), (19, 20), (0, 17))
FACE_COLOR = (80, 220, 255)
POSE_COLOR = (120, 255, 120)
HAND_COLOR = (255, 170, 60)
TEXT_COLOR = (255, 255, 255)


def _pixels(points: np.ndarray, width: int, height: int) -> np.ndarray:
    return np.stack([points[:, 0] * width, points[:, 1] * height], axis=1).round().astype(np.int32)


def draw_overlay(
    image: np.ndarray,
    face: np.ndarray | None,
    pose: np.ndarray | None,
    hands: Sequence[np.ndarray | None],
    lines: Sequence[str],
) -> np.ndarray:
    """A copy of `image` (RGB) with landmarks and up to a few text lines at the top left."""
    import cv2

    canvas = np.ascontiguousarray(image.copy())
    height, width = canvas.shape[:2]
    thickness = max(1, round(width / 640))
    if face is not None and np.isfinite(face[:, :2]).all():
        pixels = _pixels(face, width, height)
        for contour in FACE_CONTOURS.values():
            cv2.polylines(canvas, [pixels[list(contour)]], False, FACE_COLOR, thickness, cv2.LINE_AA)
    if pose is not None:
        pixels = _pixels(np.nan_to_num(pose, nan=-1.0), width, height)
        for a, b in POSE_BONES:
            if np.isfinite(pose[[a, b], :2]).all():
                cv2.line(canvas, tuple(pixels[a]), tuple(pixels[b]), POSE_COLOR, thickness, cv2.LINE_AA)
    for hand in hands:
        if hand is None or not np.isfinite(hand[:, :2]).all():
            continue
        pixels = _pixels(hand, width, height)
        for a, b in HAND_BONES:
            cv2.line(canvas, tuple(pixels[a]), tuple(pixels[b]), HAND_COLOR, thickness, cv2.LINE_AA)
    scale = max(0.4, width / 1400)
    line_height = round(28 * scale / 0.6)
    for row, text in enumerate(lines):
        origin = (10, 10 + line_height * (row + 1))
        # A dark outline keeps the label readable on any background.
        cv2.putText(canvas, text, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), thickness + 2, cv2.LINE_AA)
        cv2.putText(canvas, text, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, TEXT_COLOR, thickness, cv2.LINE_AA)
    return canvas
