"""Real MediaPipe models on real footage: faces found and lost, plausible signals, actor's sides."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from rehearse.analysis.landmarks import LandmarkExtractor, LandmarkSettings, extract_landmarks
from rehearse.analysis.signals import compute_signals
from rehearse.analysis.tracks import SIGNALS

pytestmark = pytest.mark.models

FACE_ONLY = LandmarkSettings(pose=False, hands="never")


def decode(path, max_frames=None):
    """Frames with presentation times, read with PyAV (kept local: tests must not depend on
    the video module's pace)."""
    import av

    frames = []
    with av.open(str(path)) as container:
        for index, frame in enumerate(container.decode(video=0)):
            if max_frames is not None and index >= max_frames:
                break
            frames.append(SimpleNamespace(index=index, t=float(frame.time), image=frame.to_ndarray(format="rgb24")))
    return frames


def still(image, t=0.0):
    return SimpleNamespace(index=0, t=t, image=np.ascontiguousarray(image))


def test_single_face_tracked_every_frame_with_open_eyes_and_a_smile(shared_clips):
    frames = decode(shared_clips / "single_face.mp4")
    tracks = extract_landmarks(frames, LandmarkSettings())
    assert set(tracks) >= {"face", "pose", "left_hand", "right_hand"}
    face = tracks["face"]
    assert face.points.shape == (72, 478, 3)
    assert face.mask.all()
    assert np.array_equal(face.times, [f.t for f in frames])
    signals = compute_signals(tracks)
    assert set(SIGNALS) <= set(signals.values)
    for side in ("left", "right"):
        ear = signals[f"eye_open_{side}"]
        # Open eyes read 0.2-0.4 EAR; the actor blinks once, around frames 26-28 (~0.9 s).
        open_frames = (ear > 0.2) & (ear < 0.4)
        assert open_frames.mean() > 0.9, ear
        assert ear[24:31].min() < 0.15
        assert np.all((ear[:20] > 0.2) & (ear[:20] < 0.4))
    width = signals["mouth_width"]
    neutral, smile = np.median(width[:10]), np.max(width)
    # The README: neutral -> broad smile -> back. A broad smile widens the mouth by far more
    # than landmark jitter (measured 0.70 -> 1.11 IOD).
    assert smile > neutral * 1.3
    assert np.argmax(width) > 10
    assert np.nanmedian(signals["lip_corner_left"][width > 1.0]) > np.nanmedian(signals["lip_corner_left"][:10]) + 0.05
    # A near-frontal face: yaw small, and no frame jumps to a mirrored solution.
    assert np.all(np.abs(signals["head_yaw"]) < 15)
    assert signals["body_present"].all()
    assert np.array_equal(tracks["pose_world"].mask, tracks["pose"].mask)
    # A frontal seated man: the depth angles are approximate (measured 11-14 deg of shoulder
    # turn), not wild; lean needs the hips, which are out of frame.
    assert np.all(np.abs(signals["shoulder_turn"]) < 20)
    assert np.isnan(signals["lean_forward"]).all()


def test_no_face_clip_is_masked_not_an_error(shared_clips):
    frames = decode(shared_clips / "no_face.mp4")
    tracks = extract_landmarks(frames, FACE_ONLY)
    face = tracks["face"]
    assert len(frames) == 95
    assert not face.mask.any()
    assert np.isnan(face.points).all()
    signals = compute_signals(tracks)
    assert not signals["face_present"].any()
    assert np.isnan(signals["eye_open_left"]).all()


def test_face_lost_when_the_title_card_starts(shared_clips):
    frames = decode(shared_clips / "face_noface.mov")
    tracks = extract_landmarks(frames, FACE_ONLY)
    mask = tracks["face"].mask
    # Ground truth by eye: the man is on screen through frame 71 (t = 2.37 s of 6.36 s, so
    # the README's "~1/4" is loose) and frame 72 is the first frame of the title card.
    assert mask[:72].all()
    assert not mask[72:].any()
    assert np.isnan(tracks["face"].points[72:]).all()
    # VFR: the track keeps the decoder's presentation times, not index / fps.
    assert np.array_equal(tracks["face"].times, [f.t for f in frames])
    assert len(np.unique(np.round(np.diff(tracks["face"].times), 3))) > 2


def _face_signals_of(image):
    with LandmarkExtractor(FACE_ONLY) as extractor:
        result = extractor.process(still(image))
    assert result.face is not None
    tracks = {
        "face": SimpleNamespace(
            points=result.face[None], confidence=np.array([1.0]), times=np.array([0.0]),
            image_size=result.image_size, mask=np.array([True]),
        )
    }
    return compute_signals(tracks)


def _astronaut_crop():
    import cv2
    from skimage import data

    # FIXTURES.md: the head-and-shoulders crop, upscaled, gives a face FaceMesh tracks well.
    return cv2.resize(data.astronaut()[0:300, 60:460], (800, 600), interpolation=cv2.INTER_CUBIC)


def _single_face_jpg(shared_clips):
    import av

    with av.open(str(shared_clips / "single_face.jpg")) as container:
        return next(container.decode(video=0)).to_ndarray(format="rgb24")


def test_flip_swaps_left_and_right_on_a_real_photo(shared_clips):
    image = _single_face_jpg(shared_clips)
    plain = _face_signals_of(image)
    flipped = _face_signals_of(image[:, ::-1])
    # Measured on this photo: eyes (0.195 / 0.228 EAR) and lip corners (0.133 / 0.091 IOD)
    # differ by more than FaceMesh's own mirror inconsistency (~0.03), so a swap shows.
    for left, right in [("eye_open_left", "eye_open_right"), ("lip_corner_left", "lip_corner_right")]:
        plain_gap = plain[left][0] - plain[right][0]
        flipped_gap = flipped[left][0] - flipped[right][0]
        assert abs(plain_gap) > 0.02
        assert np.sign(flipped_gap) == -np.sign(plain_gap), (left, plain_gap, flipped_gap)
    assert np.sign(flipped["lip_corner_asymmetry"][0]) == -np.sign(plain["lip_corner_asymmetry"][0])
    # By eye, the man's nose points to image left, i.e. toward his own right: yaw < 0.
    assert plain["head_yaw"][0] < -3
    assert flipped["head_yaw"][0] > 3
    assert np.sign(flipped["gaze_h"][0]) == -np.sign(plain["gaze_h"][0])
    assert flipped["mouth_width"][0] == pytest.approx(plain["mouth_width"][0], abs=0.05)


def test_astronaut_flip_and_known_roll():
    import cv2

    image = _astronaut_crop()
    plain = _face_signals_of(image)
    flipped = _face_signals_of(np.ascontiguousarray(image[:, ::-1]))
    assert np.sign(flipped["head_yaw"][0]) == -np.sign(plain["head_yaw"][0])
    assert flipped["head_roll"][0] == pytest.approx(-plain["head_roll"][0], abs=2.0)
    # Rotating the picture 10 deg clockwise (as displayed) tilts her head toward image right,
    # her own left shoulder for a frontal camera: roll must rise by ~10 deg.
    height, width = image.shape[:2]
    clockwise = cv2.getRotationMatrix2D((width / 2, height / 2), -10.0, 1.0)
    tilted = _face_signals_of(cv2.warpAffine(image, clockwise, (width, height), borderMode=cv2.BORDER_REFLECT))
    assert tilted["head_roll"][0] - plain["head_roll"][0] == pytest.approx(10.0, abs=2.5)
    assert tilted["eye_open_left"][0] == pytest.approx(plain["eye_open_left"][0], abs=0.04)


def test_schedule_on_real_footage_pose_every_third_frame_hands_gated(shared_clips):
    frames = decode(shared_clips / "single_face.mp4", max_frames=24)
    with LandmarkExtractor(LandmarkSettings(pose_every_n_frames=3, hands="auto")) as extractor:
        results = [extractor.process(frame) for frame in frames]
    sampled = [r.index for r in results if r.pose_sampled]
    # Pose runs on frames 0, 3, 6, ... and on frames where the shoulders' motion energy says the
    # body moves (he breaks into a smile and his shoulders rise), never on all of them.
    assert set(range(0, 24, 3)) <= set(sampled) and len(sampled) < 24
    moving = [r.index for r in results if r.pose_sampled and r.index % 3]
    assert all(np.isfinite(results[i].body_motion) for i in moving)
    assert all(r.pose is not None for r in results if r.pose_sampled)
    # Head-and-shoulders shot, wrists below the frame (unknown, not lowered): Hands searches
    # every 6th frame while the face is in frame, and finds nothing.
    assert [r.index for r in results if r.hands_ran] == [0, 6, 12, 18]
    assert not any(r.left_hand is not None or r.right_hand is not None for r in results)


def test_hands_model_runs_and_finds_no_hand_in_a_head_and_shoulders_shot(shared_clips):
    # No footage with visible hands ships with the project; this proves the real Hands graph
    # runs on real frames and does not invent a hand (assignment is tested on geometry).
    frames = decode(shared_clips / "single_face.mp4", max_frames=6)
    tracks = extract_landmarks(frames, LandmarkSettings(pose=False, hands="always"))
    assert not tracks["left_hand"].mask.any() and not tracks["right_hand"].mask.any()
    assert tracks["face"].mask.all()


def test_pose_of_a_body_lying_in_a_title_card_is_rejected(shared_clips):
    # no_face.mp4 is an animated title: MediaPipe Pose reports a small body lying along the
    # lettering (torso ~90 deg from upright) from about frame 24 on. Upright check on: no body.
    frames = decode(shared_clips / "no_face.mp4", max_frames=48)
    kept = extract_landmarks(frames, LandmarkSettings(hands="never"))
    assert not kept["pose"].mask.any()
    unchecked = extract_landmarks(frames, LandmarkSettings(hands="never", max_torso_tilt_deg=180))
    assert unchecked["pose"].mask.sum() > 10


def test_progress_stop_and_hand_probes_without_pose(shared_clips):
    frames = decode(shared_clips / "single_face.mp4", max_frames=12)
    seen: list[tuple[int, float]] = []
    tracks = extract_landmarks(
        frames, FACE_ONLY, progress=lambda done, t: seen.append((done, t)), should_stop=lambda: len(seen) >= 5
    )
    # Stopping returns the frames done so far, with their own times.
    assert [done for done, _ in seen] == [1, 2, 3, 4, 5]
    assert [t for _, t in seen] == [f.t for f in frames[:5]]
    assert tracks["face"].points.shape[0] == 5
    # Pose off, hands "auto": Hands probes on its search schedule (every 3rd frame here) until
    # it finds a hand, instead of paying for palm detection on every frame.
    with LandmarkExtractor(LandmarkSettings(pose=False, hands="auto", hands_search_every_n_frames=3)) as extractor:
        ran = [extractor.process(frame).hands_ran for frame in frames[:9]]
    assert ran == [True, False, False] * 3


def test_unrefined_facemesh_gives_468_points_and_no_gaze(shared_clips):
    frames = decode(shared_clips / "single_face.mp4", max_frames=3)
    tracks = extract_landmarks(frames, LandmarkSettings(refine_iris=False, pose=False, hands="never"))
    assert tracks["face"].points.shape == (3, 468, 3)
    signals = compute_signals(tracks)
    assert np.isnan(signals["gaze_h"]).all()
    assert np.all((signals["eye_open_left"] > 0.2) & (signals["eye_open_left"] < 0.4))


def test_small_face_in_a_wide_frame_is_found_in_a_crop_around_the_pose_head(shared_clips):
    import cv2

    # The real clip at half size in the middle of a 1920x1080 frame: IOD ~34 px, under the
    # ~3% of frame width that FaceMesh's short-range detector needs.
    wide = []
    for frame in decode(shared_clips / "single_face.mp4", max_frames=10):
        canvas = np.full((1080, 1920, 3), 128, np.uint8)
        canvas[450:630, 800:1120] = cv2.resize(frame.image, (320, 180), interpolation=cv2.INTER_AREA)
        wide.append(SimpleNamespace(index=frame.index, t=frame.t, image=canvas))
    plain = extract_landmarks(wide, LandmarkSettings(hands="never", face_crop_from_pose=False))
    assert not plain["face"].mask.any()
    with LandmarkExtractor(LandmarkSettings(hands="never")) as extractor:
        results = [extractor.process(frame) for frame in wide]
    assert all(r.face is not None and r.face_from_crop for r in results)
    signals = compute_signals(extract_landmarks(wide, LandmarkSettings(hands="never")))
    assert np.all(np.abs(signals["iod_px"] - 34.5) < 3)
    assert np.all((signals["eye_open_left"] > 0.2) & (signals["eye_open_left"] < 0.4))
    # Landmarks map back to the full frame: the face sits inside the pasted picture.
    face = results[0].face
    assert face[:, 0].min() > 800 / 1920 and face[:, 0].max() < 1120 / 1920
    assert face[:, 1].min() > 450 / 1080 and face[:, 1].max() < 630 / 1080
