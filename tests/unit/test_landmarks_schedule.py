"""Hand side assignment, the Hands gate and pose interpolation, on exact landmark geometry."""

from __future__ import annotations

import numpy as np
import pytest

from rehearse.analysis.backends.handedness import assign_hands_to_sides, side_from_label
from rehearse.analysis.landmarks import (
    FrameLandmarks,
    LandmarkSettings,
    pose_moved,
    torso_tilt_deg,
    tracks_from_frames,
    wrist_raised,
)


def pose_with(left_wrist=None, right_wrist=None, hips_y=0.9, visibility=0.99):
    """A (33, 4) pose: shoulders at y 0.4, hips at `hips_y`, wrists where given (else unseen)."""
    pose = np.zeros((33, 4), dtype=np.float32)
    pose[:, 3] = visibility
    pose[11, :2], pose[12, :2] = (0.6, 0.4), (0.4, 0.4)  # actor's left shoulder on image right
    pose[23, :2], pose[24, :2] = (0.58, hips_y), (0.42, hips_y)
    for index, where in ((15, left_wrist), (16, right_wrist)):
        if where is None:
            pose[index, 3] = 0.0
        else:
            pose[index, :2] = where
    return pose


def hand_at(x, y):
    points = np.zeros((21, 3), dtype=np.float32)
    points[:, 0], points[:, 1] = x, y
    points[8, 1] = y - 0.05  # index tip above the wrist
    return points


def test_mediapipe_labels_are_mirrored_for_a_film_camera():
    assert side_from_label("Left") == "right"
    assert side_from_label("Right") == "left"
    sides = assign_hands_to_sides([(hand_at(0.3, 0.5), "Left", 0.9)], pose=None)
    assert list(sides) == ["right"]


def test_pose_wrists_decide_over_the_label():
    # The actor's left wrist (pose 15) is on image right; the hand there comes labelled
    # "Left" (which alone would mean the actor's right): the pose wins.
    pose = pose_with(left_wrist=(0.7, 0.5), right_wrist=(0.3, 0.8))
    sides = assign_hands_to_sides([(hand_at(0.71, 0.5), "Left", 0.8)], pose)
    assert list(sides) == ["left"]
    assert sides["left"][1] == pytest.approx(0.8)


def test_crossed_arms_follow_the_wrists_not_the_image_side():
    # Arms crossed: the actor's left wrist is on image LEFT.
    pose = pose_with(left_wrist=(0.35, 0.5), right_wrist=(0.65, 0.5))
    near_left, near_right = hand_at(0.36, 0.52), hand_at(0.64, 0.49)
    sides = assign_hands_to_sides([(near_right, "Left", 0.9), (near_left, "Right", 0.9)], pose)
    assert sides["left"][0] is near_left
    assert sides["right"][0] is near_right


def test_one_visible_wrist_takes_the_nearer_hand():
    pose = pose_with(left_wrist=(0.7, 0.5), right_wrist=None)
    far, near = hand_at(0.2, 0.5), hand_at(0.69, 0.51)
    sides = assign_hands_to_sides([(far, "Right", 0.9), (near, "Right", 0.9)], pose)
    assert sides["left"][0] is near
    assert sides["right"][0] is far
    # A lone hand far from the only visible wrist is not forced onto that wrist's side.
    alone = assign_hands_to_sides([(far, "Left", 0.9)], pose)
    assert list(alone) == ["right"]


def test_two_hands_with_one_label_and_no_pose_split_by_image_side():
    a, b = hand_at(0.2, 0.5), hand_at(0.8, 0.5)
    sides = assign_hands_to_sides([(b, "Left", 0.9), (a, "Left", 0.7)], pose=None)
    assert sides["right"][0] is a  # frontal actor: their right hand is on image left
    assert sides["left"][0] is b


def test_hands_gate_opens_when_a_wrist_is_above_the_hips():
    assert not wrist_raised(pose_with(left_wrist=(0.6, 0.95), right_wrist=(0.4, 0.97)), 0.5)
    assert wrist_raised(pose_with(left_wrist=(0.6, 0.5), right_wrist=(0.4, 0.97)), 0.5)
    assert not wrist_raised(pose_with(), 0.5)  # no wrist visible
    close_shot = pose_with(left_wrist=(0.6, 0.95))
    close_shot[[23, 24], 3] = 0.0  # hips out of frame: any visible wrist opens the gate
    assert wrist_raised(close_shot, 0.5)


def _frame(i, t, pose=None, sampled=False):
    return FrameLandmarks(index=i, t=t, image_size=(640, 360), pose=pose, pose_sampled=sampled)


def test_pose_between_samples_is_interpolated_at_the_frames_own_times():
    a = pose_with(left_wrist=(0.6, 0.5), right_wrist=(0.4, 0.5))
    b = a.copy()
    b[15, 0] = 0.9
    # Variable frame rate: frame 1 sits at a third of the way from frame 0 to frame 2.
    frames = [_frame(0, 0.0, a, True), _frame(1, 0.01, None, False), _frame(2, 0.03, b, True)]
    tracks = tracks_from_frames(frames, LandmarkSettings())
    pose = tracks["pose"]
    assert pose.points[1, 15, 0] == pytest.approx(0.6 + (0.9 - 0.6) / 3, abs=1e-5)
    assert pose.mask.all()
    assert np.array_equal(pose.times, [0.0, 0.01, 0.03])


def test_frames_next_to_a_lost_body_take_the_nearest_sample():
    a = pose_with(left_wrist=(0.6, 0.5))
    frames = [_frame(0, 0.0, a, True), _frame(1, 0.04, None, False), _frame(2, 0.2, None, True),
              _frame(3, 0.21, None, False)]
    pose = tracks_from_frames(frames, LandmarkSettings())["pose"]
    assert pose.mask.tolist() == [True, True, False, False]
    assert np.isnan(pose.points[3]).all()
    face = tracks_from_frames(frames, LandmarkSettings())["face"]
    assert face.points.shape == (4, 478, 3) and not face.mask.any()


def test_torso_tilt_reads_upright_and_lying_bodies():
    upright = pose_with(left_wrist=(0.6, 0.5))
    assert torso_tilt_deg(upright, aspect=16 / 9) == pytest.approx(0.0, abs=1e-4)
    lying = upright.copy()
    lying[[11, 12], :2] = [(0.3, 0.45), (0.3, 0.55)]
    lying[[23, 24], :2] = [(0.6, 0.45), (0.6, 0.55)]
    assert torso_tilt_deg(lying, aspect=16 / 9) == pytest.approx(90.0, abs=1e-4)
    assert torso_tilt_deg(lying, aspect=16 / 9) > LandmarkSettings().max_torso_tilt_deg


def test_a_fast_wrist_forces_the_next_pose_sample():
    before = pose_with(left_wrist=(0.6, 0.5), right_wrist=(0.4, 0.5))
    small, large = before.copy(), before.copy()
    small[15, 0] += 0.02
    large[15, 0] += 0.10
    threshold = LandmarkSettings().pose_force_motion
    assert not pose_moved(before, small, threshold, 0.5)
    assert pose_moved(before, large, threshold, 0.5)
    unseen = large.copy()
    unseen[15, 3] = 0.1  # a jump of a landmark Pose cannot see is not motion
    assert not pose_moved(before, unseen, threshold, 0.5)
    assert not pose_moved(None, large, threshold, 0.5)
