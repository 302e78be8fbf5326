"""Signals from exact synthetic landmarks: registry coverage, body angles, hand-to-face, tremor band."""

from __future__ import annotations

import numpy as np
import pytest

from rehearse.analysis.body_signals import high_band_energy, torso_angles
from rehearse.analysis.signals import compute_signals
from rehearse.analysis.tracks import SIGNALS, LandmarkTrack

SIZE = (1000, 1000)  # square image: normalised units map to px alike on both axes


def pose_track(times, poses):
    points = np.stack(poses).astype(np.float32)
    return LandmarkTrack("pose", np.asarray(times, float), points, np.ones(len(poses), np.float32), SIZE)


def upright_pose():
    pose = np.zeros((33, 4), dtype=np.float32)
    pose[:, 3] = 0.99
    pose[11, :3], pose[12, :3] = (0.6, 0.4, 0.0), (0.4, 0.4, 0.0)  # left shoulder on image right
    pose[23, :3], pose[24, :3] = (0.58, 0.8, 0.0), (0.42, 0.8, 0.0)
    pose[15, :3], pose[16, :3] = (0.65, 0.7, 0.0), (0.35, 0.7, 0.0)
    pose[19, :3], pose[20, :3] = (0.66, 0.75, 0.0), (0.34, 0.75, 0.0)
    return pose


def test_every_registered_signal_is_produced_even_without_a_face():
    tracks = {"pose": pose_track([0.0, 0.04], [upright_pose(), upright_pose()])}
    signals = compute_signals(tracks)
    assert set(signals.values) == set(SIGNALS)
    assert signals.frame_count == 2
    assert np.isnan(signals["eye_open_left"]).all()
    assert not signals["face_present"].any()
    assert signals["body_present"].all()
    assert signals["wrist_left_x"][0] == pytest.approx(0.65)
    assert signals["fingertip_right_y"][0] == pytest.approx(0.75)  # pose 20 without a hands model
    assert np.isnan(signals["tremor_left"]).all()  # no hands model: tremor is not measured


def _tilt_upper_body(pose, dx, dz=0.0):
    tilted = pose.copy()
    tilted[[11, 12], 0] += dx
    tilted[[11, 12], 2] += dz
    return tilted


def test_torso_angles_follow_the_actors_own_sides():
    upright = upright_pose()
    width = np.array([1000.0, 1000.0, 1000.0])

    def angles(pose):
        px = pose[None, :, :3].astype(float) * width
        px[pose[None, :, 3] < 0.5] = np.nan
        return {k: float(v[0]) for k, v in torso_angles(px).items()}

    base = angles(upright)
    assert base["lean_side"] == pytest.approx(0.0, abs=1e-3)
    assert base["shoulder_roll"] == pytest.approx(0.0, abs=1e-3)
    # Shoulders move toward image right = the actor's left (they face the camera): + lean.
    toward_left = angles(_tilt_upper_body(upright, 0.1))
    assert toward_left["lean_side"] == pytest.approx(np.degrees(np.arctan2(100, 400)), abs=0.1)
    # The same geometry seen from behind (left/right landmarks swapped in the image) reads
    # as a lean to the actor's right.
    behind = upright.copy()
    behind[[11, 12, 23, 24]] = upright[[12, 11, 24, 23]]
    assert angles(_tilt_upper_body(behind, 0.1))["lean_side"] < -10
    # Shoulders closer to the camera than the hips (smaller z) = leaning forward.
    assert angles(_tilt_upper_body(upright, 0.0, dz=-0.2))["lean_forward"] == pytest.approx(
        np.degrees(np.arctan2(200, 400)), abs=0.1)
    left_up = upright.copy()
    left_up[11, 1] -= 0.05
    assert angles(left_up)["shoulder_roll"] > 10
    left_back = upright.copy()
    left_back[11, 2] += 0.1
    assert angles(left_back)["shoulder_turn"] > 20


def test_tremor_band_separates_a_shake_from_a_slow_move():
    fps, amplitude = 30.0, 0.05
    times = np.arange(16) / fps
    shake = np.stack([amplitude * np.sin(2 * np.pi * 8.0 * times), np.zeros_like(times)], axis=1)
    slow = np.stack([amplitude * np.sin(2 * np.pi * 1.0 * times), np.zeros_like(times)], axis=1)
    shake_energy = high_band_energy(times, shake, 4.0, 6)
    slow_energy = high_band_energy(times, slow, 4.0, 6)
    # The mean square of a sine is A^2 / 2; a 0.5 s window leaks some of it out of the band.
    assert shake_energy == pytest.approx(amplitude**2 / 2, rel=0.35)
    assert slow_energy < shake_energy / 20
    # 6 fps cannot see 4 Hz: no number rather than a wrong one.
    assert np.isnan(high_band_energy(np.arange(4) / 6.0, shake[:4], 4.0, 3))


def _face_track(times, iod_px=100.0):
    """A flat synthetic face: eye corners IOD apart, every other point on the eye line."""
    face = np.full((len(times), 478, 3), 0.5, dtype=np.float32)
    half = iod_px / 2 / SIZE[0]
    face[:, [33, 133], 0] = 0.5 - half
    face[:, [263, 362], 0] = 0.5 + half
    face[:, [61, 291], 1] = 0.6
    face[:, 61, 0], face[:, 291, 0] = 0.47, 0.53
    return LandmarkTrack("face", np.asarray(times, float), face, np.ones(len(times), np.float32), SIZE)


def test_hand_to_face_and_tremor_from_a_shaking_hand_near_the_face():
    fps = 30.0
    times = np.arange(30) / fps
    hand = np.zeros((30, 21, 3), dtype=np.float32)
    # Index tip 0.1 image widths (= 1 IOD of 100 px) right of the nearest face point, shaking at 8 Hz.
    hand[:, :, 0] = 0.55 + 0.1
    hand[:, :, 1] = 0.5
    hand[:, 8, 0] += 0.005 * np.sin(2 * np.pi * 8.0 * times)
    hand[:, [4, 12, 16, 20], 0] += 0.02  # the other fingertips are further away
    hand[:3] = np.nan  # the hand enters at frame 3
    left = LandmarkTrack("left_hand", times, hand, (~np.isnan(hand[:, 0, 0])).astype(np.float32), SIZE)
    pose = pose_track(times, [upright_pose()] * 30)
    signals = compute_signals({"face": _face_track(times), "pose": pose, "left_hand": left})
    assert signals["iod_px"][0] == pytest.approx(100.0, rel=1e-4)
    assert np.nanmin(signals["hand_face_left"]) == pytest.approx(0.95, abs=0.06)
    assert np.isnan(signals["hand_face_right"]).all() or (signals["hand_face_right"] > 1).all()
    tremor = signals["tremor_left"]
    # Amplitude 0.005 width = 5 px = 0.05 IOD -> mean square ~0.00125 IOD^2.
    assert np.nanmedian(tremor[8:22]) == pytest.approx(0.05**2 / 2, rel=0.4)
    # No tremor where the hand is absent, nor where the 0.5 s window reaches back into the
    # frames before it entered (frame 9's window starts at 0.05 s, before frame 3 at 0.1 s).
    assert np.isnan(tremor[:10]).all()
    assert np.isfinite(tremor[10:]).all()
    assert np.isnan(signals["tremor_right"]).all()


def _posed_face(rvec, size=(1280, 720), distance_cm=60.0):
    """A face track whose pose points are the canonical face, turned by `rvec` (Rodrigues,
    OpenCV camera axes) and projected through the same pinhole camera the signals assume."""
    import cv2

    from rehearse.analysis.face_signals import HEAD_MODEL_POINTS

    width, height = size
    model = np.array(list(HEAD_MODEL_POINTS.values()))
    rotation, _ = cv2.Rodrigues(np.radians(np.asarray(rvec, float)))
    camera_points = model @ rotation.T + np.array([0.0, 0.0, distance_cm])
    u = width * camera_points[:, 0] / camera_points[:, 2] + width / 2
    v = width * camera_points[:, 1] / camera_points[:, 2] + height / 2
    face = np.full((1, 478, 3), 0.5, dtype=np.float32)
    face[0, list(HEAD_MODEL_POINTS), 0] = u / width
    face[0, list(HEAD_MODEL_POINTS), 1] = v / height
    return LandmarkTrack("face", np.array([0.0]), face, np.ones(1, np.float32), size)


@pytest.mark.parametrize(
    ("rvec", "expected"),
    [
        ((0, 0, 0), {"head_yaw": 0, "head_pitch": 0, "head_roll": 0}),
        ((0, -20, 0), {"head_yaw": 20, "head_pitch": 0, "head_roll": 0}),  # nose to image right
        ((-15, 0, 0), {"head_yaw": 0, "head_pitch": 15, "head_roll": 0}),  # nose up
        ((0, 0, 10), {"head_yaw": 0, "head_pitch": 0, "head_roll": 10}),  # image-right eye lower
    ],
)
def test_head_angles_and_their_signs_on_an_exactly_posed_face(rvec, expected):
    signals = compute_signals({"face": _posed_face(rvec)})
    for name, degrees in expected.items():
        assert signals[name][0] == pytest.approx(degrees, abs=0.5), name


def test_face_motion_ignores_head_translation():
    times = np.arange(5) * 0.04  # 25 fps: each frame's span runs from the frame before to the one after
    track = _face_track(times)
    rng = np.random.default_rng(3)
    track.points[:, :, :2] += rng.normal(0, 0.02, size=(1, 478, 2)).astype(np.float32)  # a 2D "face"
    track.points[1:, :, 0] += 0.05  # the whole head slides 50 px between frames 0 and 1
    track.points[3:, 61:100, 1] += 0.01  # from frame 3: part of the face moves 10 px (0.1 IOD)
    signals = compute_signals({"face": track})
    motion = signals["face_motion"]
    assert motion[0] == pytest.approx(0.0, abs=1e-3)  # one-sided span at the start: frames 0-1
    assert motion[1] == pytest.approx(0.0, abs=1e-3)  # frames 0-2: a slide only
    # 39 of 478 points move 10 px within frame 2's span (frames 1-3, 0.08 s); removing the
    # centroid shift moves the rest by 10 px x 39/478 the other way.
    moved, count, shift = 39, 478, 10.0
    mean_px = (moved * shift * (1 - moved / count) + (count - moved) * shift * moved / count) / count
    assert motion[2] == pytest.approx(mean_px / signals["iod_px"][2] / 0.08, rel=0.01)
    assert motion[3] == pytest.approx(mean_px / signals["iod_px"][3] / 0.08, rel=0.01)  # frames 2-4
    assert motion[4] == pytest.approx(0.0, abs=1e-3)


@pytest.mark.parametrize("fps", [24.0, 30.0, 60.0])
def test_face_motion_of_a_jittering_still_face_does_not_grow_with_the_frame_rate(fps):
    # Jitter is a position error per frame; a per-frame speed would read it 2.5x larger at 60
    # fps than at 24 and drown a live face's idle movement. Over the span it stays put.
    times = np.arange(int(2 * fps)) / fps
    track = _face_track(times)
    rng = np.random.default_rng(5)
    track.points[:, :, :2] += rng.normal(0, 0.0005, size=(times.size, 1, 2)).astype(np.float32) * [1, 0]
    track.points[:, :, :2] += rng.normal(0, 0.0005, size=(times.size, 478, 2)).astype(np.float32)
    motion = compute_signals({"face": track})["face_motion"]
    span = (4 if fps == 60.0 else 2) / fps  # one frame either side at 24 and 30, two at 60
    # mean |difference of two independent 2D Gaussian errors| per point, 0.5 px per axis
    expected_iod = 0.0005 * SIZE[0] * np.sqrt(2) * np.sqrt(np.pi / 2) / 100.0
    assert np.nanmedian(motion) == pytest.approx(expected_iod / span, rel=0.2)


def test_face_motion_spans_a_lost_frame_but_not_a_lost_second():
    times = np.arange(60) / 30.0
    track = _face_track(times)
    track.points[:, :, 0] += (np.arange(60) * 0.001)[:, None].astype(np.float32)  # a steady slide
    track.points[20:40, 100:200, 1] += (np.arange(20) * 0.001)[:, None].astype(np.float32)
    track.confidence[10] = 0  # one frame lost
    track.confidence[30:60] = 0  # the face gone for a second
    motion = compute_signals({"face": track})["face_motion"]
    assert np.isnan(motion[10]) and np.isnan(motion[30:]).all()
    assert np.isfinite(motion[:10]).all() and np.isfinite(motion[11:30]).all()
    assert motion[9] == pytest.approx(0.0, abs=1e-3) and motion[11] == pytest.approx(0.0, abs=1e-3)
    assert motion[25] > 0.05


def test_depth_angles_prefer_world_landmarks():
    times = [0.0, 0.04]
    image_pose = upright_pose()
    image_pose[11, 2] = 0.3  # the image landmarks' z claims a strong turn ...
    world = np.zeros((33, 4), dtype=np.float32)
    world[:, 3] = 0.99
    world[11, :3], world[12, :3] = (0.2, -0.5, -0.05), (-0.2, -0.5, 0.05)  # ... metres say a small one
    world[23, :3], world[24, :3] = (0.1, 0.0, 0.0), (-0.1, 0.0, 0.0)
    tracks = {
        "pose": pose_track(times, [image_pose] * 2),
        "pose_world": LandmarkTrack("pose_world", np.asarray(times), np.stack([world] * 2), np.ones(2, np.float32), SIZE),
    }
    signals = compute_signals(tracks)
    # left shoulder 10 cm nearer the camera than the right over 40 cm: turned toward the camera,
    # i.e. the left shoulder forward (negative "left shoulder back").
    assert signals["shoulder_turn"][0] == pytest.approx(np.degrees(np.arctan2(-0.1, 0.4)), abs=0.01)
    assert signals["lean_forward"][0] == pytest.approx(0.0, abs=0.01)
    without_world = compute_signals({"pose": tracks["pose"]})
    assert without_world["shoulder_turn"][0] > 30


def test_face_motion_memory_does_not_grow_with_the_take():
    """face_motion's temporaries come in fixed blocks: no copy of the take's (N, 478, 2) points
    (a 10-minute take's largest array), also when some frames have no face."""
    import tracemalloc

    from rehearse.analysis.face_signals import face_motion

    rng = np.random.default_rng(2)
    peaks = []
    for frames in (3000, 9000):
        px = rng.random((frames, 478, 2), dtype=np.float32) * 500
        times = np.arange(frames) / 24.0
        present = np.ones(frames, bool)
        present[::50] = False
        tracemalloc.start()
        face_motion(px, np.full(frames, 60.0), times, present)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] < 1.25 * peaks[0], [f"{p / 2**20:.0f} MB" for p in peaks]


def test_body_scale_without_a_face_reads_only_earlier_frames():
    """Where the face is lost, body distances are scaled by the median IOD of the frames before
    (stream_levels), so frames played later, a face twice as large here, do not change it."""
    from rehearse.analysis.signals import _reference_iod

    times = np.arange(0, 12, 1 / 30)
    iod = np.where(times < 5, 60.0, np.nan)
    iod[times >= 8] = 120.0  # the face comes back, closer
    scale = _reference_iod(times, iod, None, 0.4)
    lost = (times >= 5) & (times < 8)
    assert np.allclose(scale[lost], 60.0)
    prefix = _reference_iod(times[:200], iod[:200], None, 0.4)
    assert np.array_equal(prefix, scale[:200])
    # no face at all yet: the shoulders' median width so far, x the ratio
    pose = np.full((times.size, 33, 3), np.nan)
    pose[:, 11, :2], pose[:, 12, :2] = (100.0, 200.0), (300.0, 200.0)
    no_face = _reference_iod(times, np.full(times.size, np.nan), pose, 0.4)
    assert np.allclose(no_face[30:], 80.0)


def test_lid_gap_with_times_reads_the_iris_size_of_earlier_frames_only():
    from rehearse.analysis.face_signals import LEFT_EYE_LIDS, LEFT_IRIS_RING, lid_gap

    rng = np.random.default_rng(3)
    n = 300
    times = np.arange(n) / 30
    px = np.zeros((n, 478, 2), np.float32)
    iod = np.full(n, 60.0)
    iris = np.where(times < 6, 12.0, 18.0) * (1 + 0.05 * rng.standard_normal(n))  # the ring grows later
    for k, (dx, dy) in zip(LEFT_IRIS_RING, ((-1, 0), (0, -1), (1, 0), (0, 1)), strict=True):
        px[:, k] = np.stack([dx * iris / 2, dy * iris / 2], axis=1)
    px[:, LEFT_EYE_LIDS[0], 1], px[:, LEFT_EYE_LIDS[1], 1] = -9.0, 0.0
    up = np.tile([0.0, -1.0], (n, 1))
    whole = lid_gap(px, LEFT_EYE_LIDS, LEFT_IRIS_RING, iod, up, times)
    prefix = lid_gap(px[:150], LEFT_EYE_LIDS, LEFT_IRIS_RING, iod[:150], up[:150], times[:150])
    assert np.array_equal(prefix, whole[:150])
    assert abs(np.median(whole[30:150]) - 0.75) < 0.02  # 9 px lids apart, 12 px iris
    # over all frames given (no times), the later larger iris changes the early frames
    assert not np.allclose(lid_gap(px, LEFT_EYE_LIDS, LEFT_IRIS_RING, iod, up)[:150], prefix)
