"""Assembles per-frame landmark results into one `LandmarkTrack` per part, interpolating skipped Pose frames."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from rehearse.analysis.tracks import LandmarkTrack

if TYPE_CHECKING:
    from rehearse.analysis.landmarks import FrameLandmarks
    from rehearse.analysis.settings import LandmarkSettings

FACE_POINTS = 478  # with refined eyes/iris (FaceMesh refine_landmarks, Face Landmarker)
FACE_POINTS_UNREFINED = 468
POSE_POINTS = 33
HAND_POINTS = 21


def _interpolate_pose(times: np.ndarray, poses: list[np.ndarray | None], sampled: list[bool]):
    """Fill frames where Pose did not run: linear between two found samples, else the nearest
    sample (masked if that sample found no body). Returns (points (N,33,4), confidence (N,))."""
    count = len(poses)
    points = np.full((count, POSE_POINTS, 4), np.nan, dtype=np.float32)
    sample_idx = [i for i in range(count) if sampled[i]]
    for i in sample_idx:
        if poses[i] is not None:
            points[i] = poses[i]
    if sample_idx:
        sample_arr = np.array(sample_idx)
        for i in range(count):
            if sampled[i]:
                continue
            after_pos = np.searchsorted(sample_arr, i)
            before = sample_arr[after_pos - 1] if after_pos > 0 else None
            after = sample_arr[after_pos] if after_pos < len(sample_arr) else None
            if before is not None and after is not None and poses[before] is not None and poses[after] is not None:
                span = times[after] - times[before]
                w = 0.0 if span <= 0 else (times[i] - times[before]) / span
                points[i] = (1 - w) * poses[before] + w * poses[after]
                continue
            candidates = [s for s in (before, after) if s is not None]
            nearest = min(candidates, key=lambda s: abs(times[s] - times[i]))
            if poses[nearest] is not None:
                points[i] = poses[nearest]
    found = ~np.isnan(points[:, 0, 0])
    # Mean visibility is MediaPipe's own per-landmark score; floor it so found frames are > 0.
    confidence = np.where(found, np.maximum(np.nan_to_num(points[:, :, 3]).mean(axis=1), 1e-3), 0.0)
    return points, confidence.astype(np.float32)


RESERVED_FRAMES_MAX = 200_000
"""At most this many frames' rows are reserved up front (2.3 h at 24 fps): a container that
claims days reserves no more; a longer take grows its columns as it goes."""


def expected_frame_count(duration_s: float | None, nominal_fps: float | None) -> int:
    """Frames the container's duration and rate promise (+2 %), to size the per-frame columns;
    0 when unknown. Only a hint: frames are always counted by decoding."""
    if not duration_s or not nominal_fps or duration_s <= 0 or nominal_fps <= 0:
        return 0
    return min(RESERVED_FRAMES_MAX, int(duration_s * nominal_fps * 1.02) + 2)


class _Column:
    """One per-frame float32 array written row by row as frames arrive: no per-frame Python
    objects are kept, and the track is a view of it (no second copy when the take ends). Rows
    are allocated with `np.empty`, so capacity reserved for frames that never come (a container
    that over-declares its length) is address space, not memory; when frames outnumber the
    capacity, it doubles (one copy)."""

    def __init__(self, shape: tuple[int, ...], capacity: int, dtype: type = np.float32):
        self.shape = shape
        self.rows = np.empty((max(1, capacity), *shape), dtype=dtype)

    def put(self, index: int, value: np.ndarray | float | None) -> None:
        if index >= len(self.rows):
            grown = np.empty((2 * len(self.rows), *self.shape), dtype=self.rows.dtype)
            grown[: len(self.rows)] = self.rows
            self.rows = grown
        self.rows[index] = np.nan if value is None else value

    def put_rows(self, index: int, rows: np.ndarray) -> None:
        if index + len(rows) > len(self.rows):
            grown = np.empty((max(2 * len(self.rows), index + len(rows)), *self.shape), dtype=self.rows.dtype)
            grown[:index] = self.rows[:index]
            self.rows = grown
        self.rows[index:index + len(rows)] = rows

    def view(self, count: int) -> np.ndarray:
        return self.rows[:count]


class TrackRecorder:
    """Per-frame results recorded as they come, then one `LandmarkTrack` per part (`tracks()`).

    Each frame's face, hands, blendshapes, confidences and motion energy go straight into
    float32 columns; only Pose samples (a few per second) are kept as arrays, for the
    interpolation. So a take's per-frame memory is its tracks alone (a 1080p take: ~7 KB a frame),
    not a list of frame objects plus the tracks stacked from it at the end."""

    def __init__(self, settings: LandmarkSettings, expected_frames: int = 0):
        self.settings = settings
        refined = settings.refine_iris or (settings.blendshapes == "landmarker" and bool(settings.blendshape_model))
        self.face_points = FACE_POINTS if refined else FACE_POINTS_UNREFINED
        capacity = max(1, expected_frames)
        self.count = 0
        self.image_size: tuple[int, int] = (0, 0)
        self._times = _Column((), capacity, np.float64)
        self._face = _Column((self.face_points, 3), capacity)
        self._face_confidence = _Column((), capacity)
        self._hands = {side: _Column((HAND_POINTS, 3), capacity) for side in ("left_hand", "right_hand")}
        self._hand_confidence = {side: _Column((), capacity) for side in ("left_hand", "right_hand")}
        self._hand_walked = {side: _Column((), capacity, np.bool_) for side in ("left_hand", "right_hand")}
        self._energy = _Column((2,), capacity) if settings.motion_energy.enabled else None
        self._lines = _Column((), capacity)
        self._shapes: _Column | None = None
        if settings.blendshapes != "off" and settings.blendshape_model:
            from rehearse.analysis.backends.blendshapes import BLENDSHAPE_NAMES

            self._shapes = _Column((len(BLENDSHAPE_NAMES),), capacity)
            self._shape_found = _Column((), capacity)
        self._poses: list[np.ndarray | None] = []
        self._world: list[np.ndarray | None] = []
        self._sampled: list[bool] = []

    def add(self, result: FrameLandmarks) -> None:
        """Record one frame's results (frames in time order)."""
        i = self.count
        if i == 0:
            self.image_size = result.image_size
        self._times.put(i, result.t)
        self._face.put(i, result.face)
        self._face_confidence.put(i, result.face_confidence)
        # Each hand before its walked-back flag: a walk landing between the two reads (a live walk
        # lands from the main thread while a pass records in another) leaves an empty hand flagged,
        # never a walked-back hand counted as found going forward (events/hand_cover.py).
        self._hands["left_hand"].put(i, result.left_hand)
        self._hand_confidence["left_hand"].put(i, result.left_hand_confidence)
        self._hand_walked["left_hand"].put(i, result.left_hand_walked_back)
        self._hands["right_hand"].put(i, result.right_hand)
        self._hand_confidence["right_hand"].put(i, result.right_hand_confidence)
        self._hand_walked["right_hand"].put(i, result.right_hand_walked_back)
        if self._energy is not None:
            self._energy.put(i, (result.body_motion, result.body_motion_t))
        self._lines.put(i, result.glabella_lines)
        if self._shapes is not None:
            self._shapes.put(i, result.blendshapes)
            self._shape_found.put(i, 1.0 if result.blendshapes is not None else 0.0)
        self._poses.append(result.pose)
        self._world.append(result.pose_world)
        self._sampled.append(result.pose_sampled)
        self.count += 1

    def _columns(self) -> dict[str, _Column]:
        columns = {"times": self._times, "face": self._face, "face_confidence": self._face_confidence}
        for side in ("left_hand", "right_hand"):
            columns[side], columns[f"{side}_confidence"] = self._hands[side], self._hand_confidence[side]
            columns[f"{side}_walked_back"] = self._hand_walked[side]
        if self._energy is not None:
            columns["body_motion"] = self._energy
        columns["glabella_lines"] = self._lines
        if self._shapes is not None:
            columns["blendshapes"], columns["blendshapes_found"] = self._shapes, self._shape_found
        return columns

    def part(self) -> dict[str, Any]:
        """The frames recorded so far, to join with others in another process (`extend`): the
        columns' used rows (a pickle carries nothing more) and the Pose samples."""
        return {
            "count": self.count, "image_size": self.image_size,
            "columns": {name: column.view(self.count) for name, column in self._columns().items()},
            "poses": self._poses, "world": self._world, "sampled": self._sampled,
        }

    def extend(self, part: dict[str, Any]) -> None:
        """Append frames another recorder recorded (`part()`; the next time segment of the take)."""
        if part["count"] == 0:
            return
        if self.count == 0:
            self.image_size = tuple(part["image_size"])
        for name, column in self._columns().items():
            column.put_rows(self.count, part["columns"][name])
        self._poses += part["poses"]
        self._world += part["world"]
        self._sampled += part["sampled"]
        self.count += part["count"]

    def tracks(self) -> dict[str, LandmarkTrack]:
        """One `LandmarkTrack` per part: "face", "left_hand", "right_hand" (with the frames a hand
        found later was walked back over, `walked_back`), "pose", "pose_world"
        (Pose interpolated between samples), "body_motion" (motion energy and its span's middle
        time per frame, (N, 1, 2)), "glabella_lines" (backends/glabella.py, (N, 1, 1)) and "blendshapes" when a blendshape model is set. With Pose
        off the pose parts are present and fully masked."""
        n, size = self.count, self.image_size
        times = self._times.view(n)
        tracks = {"face": LandmarkTrack("face", times, self._face.view(n), self._face_confidence.view(n), size)}
        for side in ("left_hand", "right_hand"):
            tracks[side] = LandmarkTrack(side, times, self._hands[side].view(n), self._hand_confidence[side].view(n), size,
                                         self._hand_walked[side].view(n))
        pose_points, pose_conf = _interpolate_pose(times, self._poses, self._sampled)
        tracks["pose"] = LandmarkTrack("pose", times, pose_points, pose_conf, size)
        # Pose's metric 3D estimate (metres, hip centre = origin, y down, nearer the camera = more
        # negative z): steadier for depth angles than the image landmarks' relative z.
        world_points, world_conf = _interpolate_pose(times, self._world, self._sampled)
        tracks["pose_world"] = LandmarkTrack("pose_world", times, world_points, world_conf, size)
        if self._energy is not None:
            energy = self._energy.view(n).reshape(-1, 1, 2)
            conf = np.isfinite(energy[:, 0, 0]).astype(np.float32)
            tracks["body_motion"] = LandmarkTrack("body_motion", times, energy, conf, size)
        lines = self._lines.view(n).reshape(-1, 1, 1)
        tracks["glabella_lines"] = LandmarkTrack("glabella_lines", times, lines,
                                                 np.isfinite(lines[:, 0, 0]).astype(np.float32), size)
        if self._shapes is not None:
            shapes = self._shapes.view(n)[:, :, None]
            tracks["blendshapes"] = LandmarkTrack("blendshapes", times, shapes, self._shape_found.view(n), size)
        return tracks


def tracks_from_frames(results: list[FrameLandmarks], settings: LandmarkSettings) -> dict[str, LandmarkTrack]:
    """Assemble a list of per-frame results into one `LandmarkTrack` per part (see
    `TrackRecorder.tracks`; the same columns a take recorded frame by frame gets)."""
    recorder = TrackRecorder(settings, len(results))
    for result in results:
        recorder.add(result)
    return recorder.tracks()
