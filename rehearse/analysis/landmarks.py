"""MediaPipe landmark backends: face (FaceMesh or Face Landmarker), pose and hands per frame, with a speed schedule.

`LandmarkExtractor.process(frame)` runs the models on one RGB frame; `extract_landmarks(frames)`
runs a whole take and returns one `LandmarkTrack` per part ("face", "pose", "pose_world",
"left_hand", "right_hand", and "blendshapes" when the Face Landmarker model is installed).

Schedule (why: every-frame face+pose+hands runs at ~0.4x real time on 2 cores):
- the face model and body motion energy (motion_energy.py, one small grey resize) run on
  every frame;
- Pose runs on every `pose_every_n_frames`-th frame, on every frame whose motion energy says
  the body moves, and on the very next frame whenever a wrist or shoulder moved more than
  `pose_force_motion` between two pose samples; frames in between get linearly interpolated
  landmarks (their times stay the frames' exact times);
- Hands (with `hands="auto"`) runs on every frame while a hand is tracked, when the last pose
  sample shows a wrist raised above the hip line, and otherwise searches every
  `hands_search_every_n_frames` frames while a face is in frame: a wrist below the frame or
  unseen is unknown, not lowered (a hand resting on the face in a close-up). A hand found after
  none was tracked is followed backwards over the frames since (hand_backfill.py), so its onset
  does not depend on which search first passed the palm detector. Hands sees the full frame: its palm detector works at a fixed 192 px
  input, so a crop around the wrist would not make it cheaper, and once a hand is tracked
  MediaPipe already skips palm detection and runs only on the hand's own region.

Sides are the ACTOR's own. MediaPipe Hands labels assume a mirrored (selfie) image, so on a
normal camera its "Left" is the actor's right hand; we swap the label, and when a pose sample is
available we instead assign each detected hand to the nearest pose wrist (Pose is person-centric:
landmark 15 is the actor's left wrist, 16 the right). Mediapipe is imported lazily.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from rehearse.analysis.backends.assembly import (
    FACE_POINTS,
    HAND_POINTS,
    POSE_POINTS,
    TrackRecorder,
    tracks_from_frames,
)
from rehearse.analysis.backends.face_crop import Roi, roi_from_face, roi_from_pose, to_full_frame
from rehearse.analysis.backends.glabella import glabella_lines
from rehearse.analysis.backends.graphs import (
    blendshape_network_task,
    landmarker_task,
    new_face_landmarker,
    new_face_mesh,
    new_hands,
    new_pose,
)
from rehearse.analysis.backends.hand_backfill import BackgroundWalks, HandBackfill
from rehearse.analysis.backends.handedness import assign_hands_to_sides
from rehearse.analysis.backends.pose_checks import pose_moved, torso_tilt_deg, wrist_raised
from rehearse.analysis.motion_energy import MotionEnergyMeter, small_grey
from rehearse.analysis.settings import LandmarkSettings
from rehearse.analysis.tracks import LandmarkTrack

__all__ = [
    "FACE_POINTS", "HAND_POINTS", "POSE_POINTS", "FrameLandmarks", "LandmarkExtractor",
    "LandmarkSettings", "blendshape_network_task", "extract_landmarks", "landmarker_task", "pose_moved", "torso_tilt_deg", "tracks_from_frames", "wrist_raised",
]



@dataclass
class FrameLandmarks:
    """What the models found in one frame. Arrays hold x, y as fractions of the image
    width/height and z as the model gives it; a part that was not found is None."""

    index: int
    t: float
    image_size: tuple[int, int]  # (width, height) in px
    face: np.ndarray | None = None  # (478, 3)
    face_confidence: float = 0.0
    face_from_crop: bool = False  # found in a crop around the head (small face in a wide shot)
    pose: np.ndarray | None = None  # (33, 4): x, y, z, visibility
    pose_sampled: bool = False  # Pose ran on this frame (False: to be interpolated)
    pose_rejected: bool = False  # Pose returned a body that failed the upright check
    pose_world: np.ndarray | None = None  # (33, 4): metric x, y, z (m, hip centre origin), visibility
    left_hand: np.ndarray | None = None  # (21, 3), actor's left
    left_hand_confidence: float = 0.0
    right_hand: np.ndarray | None = None  # (21, 3), actor's right
    right_hand_confidence: float = 0.0
    left_hand_walked_back: bool = False  # set by a hand found later and followed back (hand_backfill.py)
    right_hand_walked_back: bool = False
    hands_ran: bool = False
    blendshapes: np.ndarray | None = None  # (52,) scores 0-1
    body_motion: float = float("nan")  # motion energy below the face, grey levels/s
    body_motion_t: float = float("nan")  # the time it belongs to (middle of its span), s
    glabella_lines: float = float("nan")  # vertical wrinkle energy between the brows (backends/glabella.py)


def _landmark_array(landmarks: Any, with_visibility: bool = False) -> np.ndarray:
    if with_visibility:
        return np.array([(p.x, p.y, p.z, p.visibility) for p in landmarks], dtype=np.float32)
    return np.array([(p.x, p.y, p.z) for p in landmarks], dtype=np.float32)


class LandmarkExtractor:
    """Holds the MediaPipe graphs for one take (tracking state carries across frames).

    Use as a context manager; graphs are created on first use. Frames must come in time order.
    `walk_in_background` (live): hand walk-backs run in a thread, landing at a later `process`.
    """

    def __init__(self, settings: LandmarkSettings | None = None, *, walk_in_background: bool = False):
        self.settings = settings or LandmarkSettings()
        self._face_mesh: Any = None
        self._crop_face_mesh: Any = None
        self._face_roi: Roi | None = None
        self._face_landmarker: Any = None
        self._network: Any = None  # blendshape network on FaceMesh's landmarks (route "facemesh")
        self._network_checked = False
        self._pose: Any = None
        self._hands: Any = None
        walks = BackgroundWalks(lambda: new_hands(self.settings), _hands_found) if walk_in_background else None
        self._backfill = HandBackfill(self.settings, walks)
        self._start_stream()

    def _start_stream(self) -> None:
        """What the frames seen so far leave behind (the graphs aside): schedules, the motion
        energy's earlier frames, the last face's place and size. Set once here for every stream."""
        self._frames_seen = 0
        self._last_pose_sample: np.ndarray | None = None
        self._frames_since_pose = 0
        self._force_pose_next = False
        self._hand_seen_last_run = False
        self._frames_since_hand_search = 0
        self._face_in_frame = False
        self._motion = MotionEnergyMeter(self.settings.motion_energy)
        self._body_moving = False
        self._face_width_px = 0.0  # the last full-frame face's width, px of the full frame

    def __enter__(self) -> LandmarkExtractor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- model construction (lazy: importing mediapipe costs ~1 s) -------------------------

    def _face_model(self) -> Any:
        task = landmarker_task(self.settings)
        if task is not None:
            if self._face_landmarker is None:
                self._face_landmarker = new_face_landmarker(task, self.settings)
            return self._face_landmarker
        if self._face_mesh is None:
            self._face_mesh = new_face_mesh(self.settings)
        return self._face_mesh

    def _crop_face_model(self) -> Any:
        # A second graph: its tracking state lives in crop coordinates, the main one's in
        # full-frame coordinates.
        if self._crop_face_mesh is None:
            self._crop_face_mesh = new_face_mesh(self.settings)
        return self._crop_face_mesh

    def _pose_model(self) -> Any:
        if self._pose is None:
            self._pose = new_pose(self.settings)
        return self._pose

    def _hands_model(self) -> Any:
        if self._hands is None:
            self._hands = new_hands(self.settings)
        return self._hands

    def load_models(self) -> None:
        """Build every graph the schedule may call now rather than on first use (each takes
        0.3-1 s under load): a live picture would stall that long the first time a hand is looked for."""
        self._face_model()
        if self.settings.pose:
            self._pose_model()
        if self.settings.hands != "never":
            self._hands_model()  # the hand walk-back runs on this graph too (offline)
            self._backfill.load()

    def warm_up(self) -> None:
        """Build the graphs and run them once on an empty picture (a live stream's first frames
        would otherwise pay for their first calls), then start the stream afresh: the empty
        picture must not be the motion energy's earlier frame (a black frame ~1 s back read as
        ~100 grey/s of body motion at the first frames, raising the body hold limit for the
        whole stream at 720p) nor count in the Pose and Hands schedules."""
        from rehearse.video.frames import Frame

        self.load_models()
        self.process(Frame(-1, -1.0, np.zeros((480, 640, 3), np.uint8)))
        self._backfill.take()
        self._start_stream()

    # -- one frame --------------------------------------------------------------------------

    def process(self, frame: Any) -> FrameLandmarks:
        """Run the scheduled models on one frame (`.index`, `.t` seconds, `.image` RGB uint8)."""
        self._backfill.land()  # walks finished in the background since the last frame
        image = np.ascontiguousarray(frame.image)
        height, width = image.shape[:2]
        result = FrameLandmarks(
            index=int(getattr(frame, "index", self._frames_seen)),
            t=float(frame.t),
            image_size=(width, height),
        )
        model_image = self._close_up_image(image)
        if self.settings.motion_energy.enabled:
            # Placed by the last face seen (one frame old at most while tracked): measured
            # before Pose so that body movement can call for a Pose sample on this frame.
            grey = small_grey(model_image, self.settings.motion_energy.grey_width_px)
            result.body_motion, result.body_motion_t = self._motion.measure(result.t, grey)
            self._body_moving = bool(self._motion.moving(result.t, result.body_motion))
        # Pose first: a face too small for FaceMesh's full-frame detector is looked for around
        # the head this frame's pose sample found.
        if self.settings.pose:
            self._run_pose_if_scheduled(model_image, result)
        self._run_face(image, result, model_image)
        if result.face is not None and result.blendshapes is None:
            self._run_blendshape_network(result)
        if result.face is not None:  # the furrow's lines are texture, not landmarks: read while the frame is here
            result.glabella_lines = glabella_lines(image, result.face)
        self._face_in_frame = result.face is not None
        self._face_width_px = 0.0
        if result.face is not None:
            self._motion.remember_face(result.t, result.face)
            if not result.face_from_crop:
                xs = result.face[:, 0]
                self._face_width_px = float(np.nanmax(xs) - np.nanmin(xs)) * width
        was_tracking = self._hand_seen_last_run
        if self._hands_wanted():
            self._run_hands(model_image, result)
            self._frames_since_hand_search = 0
        else:
            self._frames_since_hand_search += 1
        if not self._hand_seen_last_run:
            self._backfill.keep(result, model_image)
        elif not was_tracking and self._backfill.walk_back(result, self._hands_in, model_image, self._frames_seen):
            # Found now, after frames without, and walked back so that its onset is where it can
            # first be tracked; the walk left the graph on an older frame: start again from this one.
            self._hands_model().reset()
            self._hand_seen_last_run = bool(self._hands_in(model_image))
        self._frames_seen += 1
        return result

    @property
    def unsettled(self) -> int:
        """How many of the latest results may still change (a hand found later, or a walk still
        running in the background, sets hands on them: hand_backfill.py): hold them before recording."""
        return self._backfill.unsettled(self._frames_seen)

    def settle(self) -> None:
        """Wait for the walks running in the background and set their hands (the stream ended)."""
        self._backfill.land(wait=True)

    def _close_up_image(self, image: np.ndarray) -> np.ndarray:
        """The frame the models read: shrunk while the last face was large enough (see
        `close_up_width_px`), else the frame itself."""
        target = self.settings.close_up_width_px
        width = image.shape[1]
        if target is None or width <= target:
            return image
        if self._face_width_px * target / width < self.settings.close_up_min_face_px:
            return image
        import cv2

        height = max(1, round(image.shape[0] * target / width))
        return cv2.resize(image, (target, height), interpolation=cv2.INTER_AREA)

    def _run_face(self, image: np.ndarray, result: FrameLandmarks, model_image: np.ndarray | None = None) -> None:
        """Face on `model_image` (the frame or its close-up copy); crops around a small face
        are cut from the full-size `image`."""
        if model_image is None:
            model_image = image
        model = self._face_model()
        if self._face_landmarker is not None:
            face, blendshapes = model.detect(model_image, result.t)
            if face is not None:
                result.face, result.face_confidence, result.blendshapes = face, 1.0, blendshapes
            return
        # The solutions API exposes no per-frame face score: a face it returns has passed
        # min_tracking_confidence, so a found face is reported as confidence 1.
        if self._face_roi is None:
            found = model.process(model_image)
            if found.multi_face_landmarks:
                result.face = _landmark_array(found.multi_face_landmarks[0].landmark)
                result.face_confidence = 1.0
                return
            if not self.settings.face_crop_from_pose:
                return
            roi = roi_from_pose(self._last_pose_sample, result.image_size, self.settings.min_pose_visibility)
        else:
            roi = self._face_roi
        self._face_roi = None
        if roi is None:
            return
        x0, y0, x1, y1 = roi
        found = self._crop_face_model().process(np.ascontiguousarray(image[y0:y1, x0:x1]))
        if found.multi_face_landmarks:
            face = to_full_frame(_landmark_array(found.multi_face_landmarks[0].landmark), roi, result.image_size)
            result.face, result.face_confidence, result.face_from_crop = face, 1.0, True
            # Follow the face with crops while it is found; when lost, start again full frame.
            self._face_roi = roi_from_face(face, result.image_size)

    def _run_blendshape_network(self, result: FrameLandmarks) -> None:
        """Route "facemesh": the model's blendshape network on this frame's FaceMesh points
        (normalised to the full frame, so a close-up copy or a crop reads the same)."""
        if not self._network_checked:
            self._network_checked = True
            task = blendshape_network_task(self.settings)
            if task is not None and result.face.shape[0] == FACE_POINTS:
                from rehearse.analysis.backends.blendshapes import BlendshapeNetwork

                self._network = BlendshapeNetwork(task)
        if self._network is not None:
            from rehearse.analysis.backends.blendshapes import SUBSET_INDEX

            scale = np.asarray(result.image_size, dtype=np.float32)
            result.blendshapes = self._network.scores(result.face[SUBSET_INDEX, :2] * scale)

    def _run_pose_if_scheduled(self, image: np.ndarray, result: FrameLandmarks) -> None:
        due = (
            self._frames_seen == 0
            or self._force_pose_next
            or self._body_moving
            or self._frames_since_pose + 1 >= self.settings.pose_every_n_frames
        )
        if not due:
            self._frames_since_pose += 1
            return
        model = self._pose_model()
        # Pose smooths landmarks over time with the graph's packet timestamps; the solutions
        # API stamps each call 1/30 s after the last, so skipped frames (and 24 or 60 fps)
        # would bend its filter in time. Stamp each sample with its frame's own time instead
        # (must increase: frames come in time order).
        stamp_us = int(round(result.t * 1e6))
        if stamp_us > model._simulated_timestamp:
            model._simulated_timestamp = stamp_us - 33333  # process() adds 33333 before use
        found = model.process(image)
        pose = None
        if found.pose_landmarks:
            pose = _landmark_array(found.pose_landmarks.landmark, with_visibility=True)
            aspect = image.shape[1] / image.shape[0]
            if torso_tilt_deg(pose, aspect) > self.settings.max_torso_tilt_deg:
                pose, result.pose_rejected = None, True
            elif found.pose_world_landmarks:
                result.pose_world = _landmark_array(found.pose_world_landmarks.landmark, with_visibility=True)
        result.pose, result.pose_sampled = pose, True
        self._force_pose_next = self.settings.pose_every_n_frames > 1 and pose_moved(
            self._last_pose_sample, pose, self.settings.pose_force_motion, self.settings.min_pose_visibility
        )
        self._last_pose_sample = pose
        self._frames_since_pose = 0

    def _hands_wanted(self) -> bool:
        mode = self.settings.hands
        if mode == "never":
            return False
        if mode == "always" or self._hand_seen_last_run:
            return True
        pose = self._last_pose_sample if self.settings.pose else None
        if pose is not None and wrist_raised(pose, self.settings.min_pose_visibility, self.settings.hand_raise_margin):
            return True
        # A wrist Pose cannot see (below the frame, low visibility) is unknown, not lowered: a
        # hand may be on the face. Search on a schedule while there is a face to touch (with
        # Pose off there are no wrists at all: the same schedule from the first frame).
        search_due = self._frames_seen == 0 or self._frames_since_hand_search + 1 >= self.settings.hands_search_every_n_frames
        return search_due and (self._face_in_frame or not self.settings.pose)

    def _run_hands(self, image: np.ndarray, result: FrameLandmarks) -> None:
        found = self._hands_model().process(image)
        result.hands_ran = True
        hands: list[tuple[np.ndarray, str, float]] = []
        for landmarks, handedness in zip(
            found.multi_hand_landmarks or [], found.multi_handedness or [], strict=False
        ):
            label = handedness.classification[0]
            hands.append((_landmark_array(landmarks.landmark), label.label, float(label.score)))
        self._hand_seen_last_run = bool(hands)
        pose = result.pose if result.pose is not None else self._last_pose_sample
        aspect = image.shape[1] / image.shape[0]
        sides = assign_hands_to_sides(hands, pose, self.settings.min_pose_visibility, aspect)
        for side, (points, score) in sides.items():
            if side == "left":
                result.left_hand, result.left_hand_confidence = points, score
            else:
                result.right_hand, result.right_hand_confidence = points, score

    def _hands_in(self, image: np.ndarray) -> list[np.ndarray]:
        """The hands the Hands graph finds in one more image (landmarks only)."""
        return _hands_found(self._hands_model(), image)

    def close(self) -> None:
        """Release the MediaPipe graphs."""
        for model in (self._face_mesh, self._crop_face_mesh, self._pose, self._hands, self._face_landmarker):
            if model is not None:
                model.close()
        self._face_mesh = self._crop_face_mesh = self._pose = self._hands = self._face_landmarker = None
        self._backfill.close()


def _hands_found(graph: Any, image: np.ndarray) -> list[np.ndarray]:
    """The hands a Hands graph finds in one more image (landmarks only)."""
    found = graph.process(image)
    return [_landmark_array(hand.landmark) for hand in found.multi_hand_landmarks or []]


def extract_landmarks(
    frames: Iterable[Any],
    settings: LandmarkSettings | None = None,
    *,
    progress: Callable[[int, float], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    expected_frames: int = 0,
) -> dict[str, LandmarkTrack]:
    """Run the landmark models over a take's frames (in time order).

    `progress(frames_done, t_seconds)` is called after each frame. When `should_stop()` turns
    true, extraction stops and the frames processed so far are returned (the caller decides
    whether a partial result is worth keeping; it should not be cached as complete).
    Each frame's results go straight into the tracks' columns (`TrackRecorder`), sized for
    `expected_frames` (the container's claim; more frames only cost a copy).
    """
    settings = settings or LandmarkSettings()
    recorder = TrackRecorder(settings, expected_frames)
    held: deque[FrameLandmarks] = deque()  # results a later frame may still give a hand
    with LandmarkExtractor(settings) as extractor:
        for frame in frames:
            if should_stop is not None and should_stop():
                break
            result = extractor.process(frame)
            held.append(result)
            while len(held) > extractor.unsettled:
                recorder.add(held.popleft())
            if progress is not None:
                progress(recorder.count + len(held), result.t)
    for result in held:
        recorder.add(result)
    return recorder.tracks()


def assemble_tracks(results: list[FrameLandmarks], settings: LandmarkSettings) -> dict[str, LandmarkTrack]:
    """One `LandmarkTrack` per part from per-frame results in time order (Pose interpolated);
    blendshapes were scored per frame by the extractor (either route)."""
    return tracks_from_frames(results, settings)
