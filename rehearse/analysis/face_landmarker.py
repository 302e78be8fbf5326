"""Face backend of route "landmarker": MediaPipe Face Landmarker (Tasks API, VIDEO mode) with 52 blendshapes.

Used when `LandmarkSettings.blendshapes` is "landmarker" and the model is installed (see
model_files.py). The default route runs the same model's blendshape network on FaceMesh's
landmarks instead (backends/blendshapes.py), which measured 2-4x faster.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from rehearse.analysis.backends.blendshapes import BLENDSHAPE_NAMES, blendshape_index
from rehearse.errors import RehearseError


class FaceLandmarkerBackend:
    """Face Landmarker in VIDEO mode: `detect(image, t)` -> ((478, 3) | None, (52,) | None)."""

    def __init__(self, task_path: Path, min_detection_confidence: float = 0.5, min_tracking_confidence: float = 0.5):
        task_path = Path(task_path)
        if not task_path.is_file():
            raise RehearseError(
                f"{task_path}: face landmarker model not found",
                hint="point face_landmarker_task at a face_landmarker.task file, or unset it to use FaceMesh",
            )
        from rehearse.analysis.backends.mediapipe_import import import_mediapipe

        import_mediapipe()  # first, so that its plotting library stays out
        from mediapipe.tasks.python import BaseOptions, vision

        options = vision.FaceLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(task_path)),
            running_mode=vision.RunningMode.VIDEO,
            num_faces=1,
            min_face_detection_confidence=min_detection_confidence,
            min_face_presence_confidence=min_tracking_confidence,
            min_tracking_confidence=min_tracking_confidence,
            output_face_blendshapes=True,
        )
        self._landmarker = vision.FaceLandmarker.create_from_options(options)
        self._last_ms = -1

    def detect(self, image: np.ndarray, t: float) -> tuple[np.ndarray | None, np.ndarray | None]:
        import mediapipe as mp

        # VIDEO mode needs strictly increasing integer milliseconds; VFR times can round equal.
        ms = max(int(round(t * 1000.0)), self._last_ms + 1)
        self._last_ms = ms
        mp_image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(image))
        result = self._landmarker.detect_for_video(mp_image, ms)
        if not result.face_landmarks:
            return None, None
        face = np.array([(p.x, p.y, p.z) for p in result.face_landmarks[0]], dtype=np.float32)
        shapes = None
        if result.face_blendshapes:
            scores = {c.category_name: c.score for c in result.face_blendshapes[0]}
            shapes = np.array([scores.get(name, np.nan) for name in BLENDSHAPE_NAMES], dtype=np.float32)
        return face, shapes

    def close(self) -> None:
        self._landmarker.close()


__all__ = ["BLENDSHAPE_NAMES", "FaceLandmarkerBackend", "blendshape_index"]
