"""Face measurements used to verify rendered takes: FaceMesh on frames, then a few signals.

These mirror the definitions in `rehearse.analysis.tracks.SIGNALS` (EAR, brow height and
lip-corner lift in IOD units, a yaw proxy) so a fixture is checked with the same meaning
the analysis uses, without depending on the analysis code under test.
"""

from __future__ import annotations

import numpy as np

from rehearse.analysis.face_signals import head_pose_deg
from tools.takegen.portrait import INNER_LIP_LOWER, INNER_LIP_UPPER, NOSE_TIP, Portrait

FACE_SIDE_A = 234
FACE_SIDE_B = 454


def ear(points: np.ndarray, indices: tuple[int, ...]) -> float:
    """Eye aspect ratio from six points (corner, upper, upper, corner, lower, lower)."""
    p = points[list(indices), :2]
    vertical = np.linalg.norm(p[1] - p[5]) + np.linalg.norm(p[2] - p[4])
    return float(vertical / (2 * np.linalg.norm(p[0] - p[3])))


def face_signals(points: np.ndarray, portrait: Portrait) -> dict[str, float]:
    """Signals of one frame's landmarks (pixels), sides the actor's own."""
    eyes = {side: points[list(eye.upper + eye.lower), :2].mean(axis=0)
            for side, eye in (("left", portrait.eye_left), ("right", portrait.eye_right))}
    iod = float(np.linalg.norm(eyes["left"] - eyes["right"]))
    lip_centre_y = (points[INNER_LIP_UPPER, 1].mean() + points[INNER_LIP_LOWER, 1].mean()) / 2
    nose_x = points[NOSE_TIP, 0]
    side_a, side_b = points[FACE_SIDE_A, 0], points[FACE_SIDE_B, 0]
    left_x, right_x = max(side_a, side_b), min(side_a, side_b)
    return {
        "iod_px": iod,
        "eye_open_left": ear(points, portrait.eye_left.ear),
        "eye_open_right": ear(points, portrait.eye_right.ear),
        "brow_raise_left": float(eyes["left"][1] - points[list(portrait.eye_left.brow), 1].mean()) / iod,
        "brow_raise_right": float(eyes["right"][1] - points[list(portrait.eye_right.brow), 1].mean()) / iod,
        "brow_furrow": float(abs(points[list(portrait.eye_left.brow_inner), 0].mean()
                                 - points[list(portrait.eye_right.brow_inner), 0].mean())) / iod,
        "lip_corner_left": float(lip_centre_y - points[portrait.mouth_corner_left, 1]) / iod,
        "lip_corner_right": float(lip_centre_y - points[portrait.mouth_corner_right, 1]) / iod,
        "mouth_open": float(points[14, 1] - points[13, 1]) / iod,
        # + when the nose sits toward the image right of the face = turned to the actor's left
        "yaw_proxy": float((nose_x - (left_x + right_x) / 2) / (left_x - right_x)),
        "gaze_h": gaze_h(points, portrait),
        # the analysis's own head pose (solvePnP), + = toward the actor's left
        "head_yaw_deg": float(head_pose_deg(points[None, :, :2], portrait.size)[0][0]),
    }


def gaze_h(points: np.ndarray, portrait: Portrait) -> float:
    """Iris position between the eye corners, -1..1, + toward the actor's left (image right)."""
    offsets = []
    for eye in (portrait.eye_left, portrait.eye_right):
        a, b = points[list(eye.corners), 0]
        offsets.append((points[eye.iris_centre, 0] - (a + b) / 2) / (abs(a - b) / 2))
    return float(np.mean(offsets))


class FaceMeshRunner:
    """FaceMesh in video mode over a sequence of RGB frames."""

    def __init__(self, static: bool = False):
        import mediapipe as mp

        self._mesh = mp.solutions.face_mesh.FaceMesh(
            static_image_mode=static, refine_landmarks=True, max_num_faces=1
        )

    def landmarks(self, image_rgb: np.ndarray) -> np.ndarray | None:
        height, width = image_rgb.shape[:2]
        result = self._mesh.process(image_rgb)
        if not result.multi_face_landmarks:
            return None
        return np.array([[p.x * width, p.y * height, p.z * width]
                         for p in result.multi_face_landmarks[0].landmark])

    def close(self) -> None:
        self._mesh.close()

    def __enter__(self) -> FaceMeshRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
