"""Per-frame results recorded straight into track columns (TrackRecorder): what a take's
analysis keeps in memory per frame. Checked against plain stacking of the same frames."""

from __future__ import annotations

import numpy as np
import pytest

from rehearse.analysis.backends.assembly import (
    RESERVED_FRAMES_MAX,
    TrackRecorder,
    expected_frame_count,
)
from rehearse.analysis.landmarks import FrameLandmarks, LandmarkSettings, tracks_from_frames


def _frames(count: int, seed: int = 3) -> list[FrameLandmarks]:
    rng = np.random.default_rng(seed)
    frames = []
    for i in range(count):
        frame = FrameLandmarks(i, i / 24, (1920, 1080))
        if i % 7 != 3:  # some frames lose the face
            frame.face = rng.random((478, 3), dtype=np.float32)
            frame.face_confidence = 1.0
            frame.blendshapes = rng.random(52, dtype=np.float32)
        if i % 5 == 0:
            frame.right_hand, frame.right_hand_confidence = rng.random((21, 3), dtype=np.float32), 0.9
            frame.right_hand_walked_back = i % 10 == 0  # a hand found later, followed back
        frame.pose_sampled = i % 4 == 0
        if frame.pose_sampled and i % 12 != 8:
            frame.pose = rng.random((33, 4), dtype=np.float32)
            frame.pose_world = rng.random((33, 4), dtype=np.float32)
        frame.body_motion, frame.body_motion_t = float(rng.random()), i / 24 - 1 / 48
        frames.append(frame)
    return frames


def _stacked(parts, shape):
    return np.stack([np.full(shape, np.nan, np.float32) if p is None else p for p in parts])


@pytest.mark.parametrize("capacity", [1, 5, 40, 1000])
def test_recorded_tracks_equal_plain_stacking_whatever_the_reserved_size(capacity):
    frames = _frames(40)
    settings = LandmarkSettings(face_landmarker_task="model.task")
    recorder = TrackRecorder(settings, capacity)
    for frame in frames:
        recorder.add(frame)
    tracks = recorder.tracks()
    times = np.array([f.t for f in frames])
    assert tracks["face"].times.dtype == np.float64 and np.array_equal(tracks["face"].times, times)
    assert np.array_equal(tracks["face"].points, _stacked([f.face for f in frames], (478, 3)), equal_nan=True)
    assert np.array_equal(tracks["face"].confidence, [f.face_confidence for f in frames])
    assert np.array_equal(tracks["right_hand"].points, _stacked([f.right_hand for f in frames], (21, 3)), equal_nan=True)
    assert np.isnan(tracks["left_hand"].points).all() and not tracks["left_hand"].confidence.any()
    assert np.array_equal(tracks["right_hand"].walked_back, [f.right_hand_walked_back for f in frames])
    assert tracks["right_hand"].walked_back.any() and not tracks["left_hand"].walked_back.any()
    assert np.array_equal(tracks["right_hand"].found_forward, [i % 5 == 0 and i % 10 != 0 for i in range(40)])
    energy = tracks["body_motion"].points
    assert energy.shape == (40, 1, 2) and np.allclose(energy[:, 0, 0], [f.body_motion for f in frames])
    shapes = tracks["blendshapes"]
    assert np.array_equal(shapes.points[:, :, 0], _stacked([f.blendshapes for f in frames], (52,)), equal_nan=True)
    assert np.array_equal(shapes.confidence, [f.blendshapes is not None for f in frames])
    # Pose: samples kept, frames between two found samples interpolated linearly.
    pose = tracks["pose"].points
    assert np.array_equal(pose[0], frames[0].pose) and np.array_equal(pose[4], frames[4].pose)
    assert np.allclose(pose[2], (frames[0].pose + frames[4].pose) / 2, atol=1e-6)
    for name, track in tracks_from_frames(frames, settings).items():
        assert np.array_equal(track.points, tracks[name].points, equal_nan=True), name


def test_reserved_rows_follow_the_containers_claim_within_bounds():
    assert expected_frame_count(60.0, 24.0) == int(60 * 24 * 1.02) + 2
    assert expected_frame_count(None, 24.0) == 0 and expected_frame_count(60.0, 0.0) == 0
    assert expected_frame_count(10 * 24 * 3600.0, 24.0) == RESERVED_FRAMES_MAX  # a container claiming 10 days


def test_segments_recorded_apart_and_joined_equal_one_recording():
    """A split take's workers each record their segment and send `part()` (pickled, as between
    processes); the joined recorder gives the tracks one recorder of the whole take gives,
    Pose interpolated across the seam."""
    import pickle

    frames = _frames(40)
    settings = LandmarkSettings(face_landmarker_task="model.task")
    whole = TrackRecorder(settings, 40)
    for frame in frames:
        whole.add(frame)
    parts = []
    for segment in (frames[:17], frames[17:]):
        recorder = TrackRecorder(settings, 4)  # grows while recording
        for frame in segment:
            recorder.add(frame)
        parts.append(pickle.loads(pickle.dumps(recorder.part())))
    assert len(pickle.dumps(parts[0])) < 17 * 8000  # the used rows only, no reserved capacity
    joined = TrackRecorder(settings, 1)
    for part in parts:
        joined.extend(part)
    expected, got = whole.tracks(), joined.tracks()
    assert expected.keys() == got.keys()
    for name in expected:
        for field in ("times", "points", "confidence"):
            assert np.array_equal(getattr(expected[name], field), getattr(got[name], field), equal_nan=True), (name, field)
        assert (expected[name].walked_back is None) == (got[name].walked_back is None), name
        if expected[name].walked_back is not None:
            assert np.array_equal(expected[name].walked_back, got[name].walked_back), name
        assert got[name].image_size == (1920, 1080)
    assert got["right_hand"].walked_back.any()
