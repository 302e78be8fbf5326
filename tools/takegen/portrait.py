"""The public-domain portrait the takes are animated from, and its FaceMesh landmarks.

Source: scikit-image's `data.astronaut()` (NASA photo, public domain). The head and
shoulders (rows 0-300, columns 60-460) are upscaled so FaceMesh tracks the face well.
Sides: the actor faces a non-mirrored camera, so the actor's own LEFT is the IMAGE RIGHT
(larger x). Every side name in this package is the actor's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

CROP_ROWS = (0, 300)
CROP_COLS = (60, 460)

# FaceMesh indices (refine_landmarks=True). Which eye is the actor's left is decided from
# x at load time, never assumed: see `Portrait.eye_left`.
EYE_A_UPPER = [33, 246, 161, 160, 159, 158, 157, 173, 133]
EYE_A_LOWER = [33, 7, 163, 144, 145, 153, 154, 155, 133]
EYE_B_UPPER = [263, 466, 388, 387, 386, 385, 384, 398, 362]
EYE_B_LOWER = [263, 249, 390, 373, 374, 380, 381, 382, 362]
EYE_A_EAR = [33, 160, 158, 133, 153, 144]
EYE_B_EAR = [362, 385, 387, 263, 373, 380]
BROW_A = [70, 63, 105, 66, 107, 46, 53, 52, 65, 55]
BROW_B = [300, 293, 334, 296, 336, 276, 283, 282, 295, 285]
BROW_A_INNER = [107, 66, 55, 65]
BROW_B_INNER = [336, 296, 285, 295]
MOUTH_CORNER_A = 61
MOUTH_CORNER_B = 291
INNER_LIP_UPPER = [78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308]
INNER_LIP_LOWER = [78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308]
OUTER_LIP_LOWER = [61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291]
FACE_OVAL = [10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378,
             400, 377, 152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21,
             54, 103, 67, 109]
NOSE_TIP = 1
CHIN = 152


@dataclass(frozen=True)
class EyeIndices:
    """Landmark indices of one eye, named by the actor's own side."""

    upper: tuple[int, ...]
    lower: tuple[int, ...]
    ear: tuple[int, ...]
    brow: tuple[int, ...]
    brow_inner: tuple[int, ...]
    iris_centre: int
    corners: tuple[int, int]


@dataclass(frozen=True)
class Portrait:
    """The still image (RGB uint8), its landmarks in pixels (x, y, z) and side-resolved indices."""

    image: np.ndarray
    landmarks: np.ndarray
    eye_left: EyeIndices
    eye_right: EyeIndices
    mouth_corner_left: int
    mouth_corner_right: int

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return int(self.image.shape[1]), int(self.image.shape[0])

    @property
    def iod_px(self) -> float:
        """Inter-ocular distance (between the eye centres) in pixels."""
        return float(np.linalg.norm(self.eye_centre("left") - self.eye_centre("right")))

    def eye_centre(self, side: str) -> np.ndarray:
        eye = self.eye_left if side == "left" else self.eye_right
        return self.landmarks[list(eye.upper + eye.lower), :2].mean(axis=0)


def detect_face_landmarks(image_rgb: np.ndarray) -> np.ndarray | None:
    """FaceMesh (refine_landmarks) on one still: (478, 3) pixels, or None when no face."""
    import mediapipe as mp

    height, width = image_rgb.shape[:2]
    with mp.solutions.face_mesh.FaceMesh(
        static_image_mode=True, refine_landmarks=True, max_num_faces=1
    ) as mesh:
        result = mesh.process(image_rgb)
    if not result.multi_face_landmarks:
        return None
    points = result.multi_face_landmarks[0].landmark
    return np.array([[p.x * width, p.y * height, p.z * width] for p in points], dtype=np.float64)


@lru_cache(maxsize=4)
def load_portrait(width: int = 640, height: int = 480, zoom: float = 1.0) -> Portrait:
    """The cropped, upscaled astronaut and its landmarks; `zoom` > 1 frames tighter on the eyes."""
    import cv2
    from skimage import data

    crop = data.astronaut()[CROP_ROWS[0]:CROP_ROWS[1], CROP_COLS[0]:CROP_COLS[1]]
    image = cv2.resize(crop, (width, height), interpolation=cv2.INTER_CUBIC)
    if zoom != 1.0:
        first = detect_face_landmarks(image)
        if first is None:
            raise RuntimeError("FaceMesh found no face on the astronaut portrait")
        cx, cy = first[[33, 263], :2].mean(axis=0)
        matrix = np.array([[zoom, 0, width / 2 - zoom * cx], [0, zoom, height * 0.42 - zoom * cy]])
        image = cv2.warpAffine(image, matrix, (width, height), flags=cv2.INTER_CUBIC,
                               borderMode=cv2.BORDER_REFLECT)
    landmarks = detect_face_landmarks(image)
    if landmarks is None:
        raise RuntimeError(f"FaceMesh found no face on the portrait at zoom {zoom}")
    eye_a = EyeIndices(tuple(EYE_A_UPPER), tuple(EYE_A_LOWER), tuple(EYE_A_EAR), tuple(BROW_A),
                       tuple(BROW_A_INNER), 468, (33, 133))
    eye_b = EyeIndices(tuple(EYE_B_UPPER), tuple(EYE_B_LOWER), tuple(EYE_B_EAR), tuple(BROW_B),
                       tuple(BROW_B_INNER), 473, (263, 362))
    # The actor's own left eye is the one on the image right (larger x).
    a_is_image_right = landmarks[33, 0] > landmarks[263, 0]
    eye_left, eye_right = (eye_a, eye_b) if a_is_image_right else (eye_b, eye_a)
    corner_a_right = landmarks[MOUTH_CORNER_A, 0] > landmarks[MOUTH_CORNER_B, 0]
    corner_left, corner_right = ((MOUTH_CORNER_A, MOUTH_CORNER_B) if corner_a_right
                                 else (MOUTH_CORNER_B, MOUTH_CORNER_A))
    image.setflags(write=False)
    return Portrait(image, landmarks, eye_left, eye_right, corner_left, corner_right)
