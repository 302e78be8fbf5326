"""Plain containers passed between analysis stages: landmark tracks, signal tracks, audio features.

Times are always the frames' presentation timestamps in seconds (exact under variable frame
rate), never `index / fps`. A frame where a detector found nothing is a masked frame
(confidence 0, values NaN), not an error. Sides (`left`, `right`) are the actor's own.

`SIGNALS` is the registry of per-frame signal names and their units: landmark code must
produce exactly these names and event detectors read only these names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# name -> (unit, meaning). Distances are divided by the inter-ocular distance (IOD: between
# the eye centres) so they do not change with framing; "IOD" below is that unit.
SIGNALS: dict[str, tuple[str, str]] = {
    # face
    "face_present": ("0/1", "1 when a face was tracked in this frame"),
    "face_confidence": ("0-1", "face tracking confidence (0 when lost)"),
    "iod_px": ("px", "inter-ocular distance in pixels (scale of the face in frame)"),
    "eye_open_left": ("EAR", "eye aspect ratio of the actor's left eye (~0.3 open, <0.1 shut)"),
    "eye_open_right": ("EAR", "eye aspect ratio of the actor's right eye"),
    "brow_raise_left": ("IOD", "left brow height above the left eye"),
    "brow_raise_right": ("IOD", "right brow height above the right eye"),
    "brow_furrow": ("IOD", "distance between the inner brow ends (smaller = furrowed)"),
    "lip_corner_left": ("IOD", "left mouth-corner lift relative to the lip centre (up = positive)"),
    "lip_corner_right": ("IOD", "right mouth-corner lift relative to the lip centre"),
    "lip_corner_asymmetry": ("IOD", "lip_corner_left - lip_corner_right"),
    "mouth_width": ("IOD", "distance between the mouth corners"),
    "lip_press": ("IOD", "visible lip thickness, upper + lower (smaller = pressed)"),
    "mouth_open": ("IOD", "gap between the inner lips"),
    "gaze_h": ("-1..1", "iris between the eye corners; + = toward the actor's own left"),
    "gaze_v": ("-1..1", "iris between the lids; + = up (NaN while the eye is shut)"),
    "lid_gap_left": ("iris", "upper-to-lower lid distance of the actor's left eye in iris diameters (~0.8 open, ~0.25 looking down, <0.1 shut)"),
    "lid_gap_right": ("iris", "the same for the actor's right eye"),
    "head_yaw": ("deg", "head turn; + = toward the actor's own left (solvePnP, approx. +-5 deg absolute)"),
    "head_pitch": ("deg", "head nod; + = chin up"),
    "head_roll": ("deg", "head tilt; + = toward the actor's own left shoulder"),
    "glabella_lines": ("grey/%IOD", "vertical wrinkle lines between the brows: mean horizontal grey-level gradient per 1 % IOD in a patch between the inner brow ends, above the nose bridge (a furrow's lines raise it; backends/glabella.py)"),
    "face_motion": ("IOD/s", "mean landmark speed after removing head translation, over a ~67 ms centred span"),
    # body
    "body_present": ("0/1", "1 when a body pose was tracked in this frame"),
    "body_motion": ("grey/s", "motion energy of the shoulders and torso below the face: mean grey-level change per second of a 160 px wide grey frame (NaN: region not in frame or no face)"),
    "lean_forward": ("deg", "torso lean toward camera (+) or away (-), from shoulder/hip depth (approximate)"),
    "lean_side": ("deg", "torso lean sideways; + = toward the actor's own left"),
    "shoulder_roll": ("deg", "shoulder-line tilt in the image; + = left shoulder higher"),
    "shoulder_turn": ("deg", "shoulder-line turn away from the camera plane; + = left shoulder back (approximate)"),
    "wrist_left_x": ("0-1", "actor's left wrist, x as a fraction of image width"),
    "wrist_left_y": ("0-1", "actor's left wrist, y as a fraction of image height"),
    "wrist_right_x": ("0-1", "actor's right wrist, x"),
    "wrist_right_y": ("0-1", "actor's right wrist, y"),
    "fingertip_left_x": ("0-1", "actor's left index fingertip, x (hands model, else pose)"),
    "fingertip_left_y": ("0-1", "actor's left index fingertip, y"),
    "fingertip_right_x": ("0-1", "actor's right index fingertip, x"),
    "fingertip_right_y": ("0-1", "actor's right index fingertip, y"),
    "hand_face_left": ("IOD", "distance from the nearest left fingertip to the nearest face point"),
    "hand_face_right": ("IOD", "distance from the right fingertips to the nearest face point"),
    "tremor_left": ("IOD^2", "fingertip energy above 4 Hz over a 0.5 s window, left hand (hands model only; NaN when not tracked through the window)"),
    "tremor_right": ("IOD^2", "fingertip energy above 4 Hz over a 0.5 s window, right hand"),
}

# Audio features are on their own clock (fixed hop), not per video frame.
AUDIO_SIGNALS: dict[str, tuple[str, str]] = {
    "rms_db": ("dBFS", "RMS level in a 20 ms window"),
    "speech": ("0/1", "1 where voice activity is detected"),
}


@dataclass
class LandmarkTrack:
    """Landmarks of one part (face, pose, left_hand, right_hand) for every analysed frame.

    `points` is (frames, landmarks, 3): x, y as fractions of image width/height, z as the
    model gives it. Frames where the part was not found hold NaN and confidence 0.
    """

    part: str
    times: np.ndarray
    points: np.ndarray
    confidence: np.ndarray
    image_size: tuple[int, int]
    walked_back: np.ndarray | None = None
    """Hands: per frame, True where the hand was not found going forward but set by following a
    hand found later back over it (hand_backfill.py); None: every found frame was found going
    forward (other parts, tracks built by hand)."""

    @property
    def mask(self) -> np.ndarray:
        """True for frames where the part was found."""
        return self.confidence > 0

    @property
    def found_forward(self) -> np.ndarray:
        """True for frames where the part was found as the frame was analysed: a later walk-back
        never changes these (it only fills frames where no hand was found)."""
        if self.walked_back is None:
            return self.mask
        return self.mask & ~np.asarray(self.walked_back, dtype=bool)

    def head(self, count: int) -> LandmarkTrack:
        """The same track up to frame `count` (as a stream has it then), walked-back flags included."""
        walked = None if self.walked_back is None else self.walked_back[:count]
        return LandmarkTrack(self.part, self.times[:count], self.points[:count], self.confidence[:count],
                             self.image_size, walked)

    def window(self, first: int) -> LandmarkTrack:
        """The same track from frame `first` on."""
        walked = None if self.walked_back is None else self.walked_back[first:]
        return LandmarkTrack(self.part, self.times[first:], self.points[first:], self.confidence[first:],
                             self.image_size, walked)


@dataclass
class SignalTrack:
    """Per-frame named signals (see `SIGNALS`), NaN where unavailable."""

    times: np.ndarray
    values: dict[str, np.ndarray] = field(default_factory=dict)
    frame_s: float | None = None
    """The frame interval (s) the detectors size their windows by, when these frames are a later
    window of a longer stream (a live pass): the stream's, read over its warm-up
    (`signal_ops.stream_frame_s`). None: read from `times` (they start where the stream does)."""
    rest_levels: dict[str, np.ndarray] | None = None
    """The actor's rest level per frame of the signals gestures are measured from, when these
    frames are a later window of a longer stream (a live pass): read with the levels earlier passes
    read over the whole stream (`gestures.gesture_rest_levels`). None: read from these frames."""

    def __getitem__(self, name: str) -> np.ndarray:
        return self.values[name]

    def __contains__(self, name: str) -> bool:
        return name in self.values

    @property
    def frame_count(self) -> int:
        return int(self.times.shape[0])

    def unit(self, name: str) -> str:
        """Unit of a signal, from the registry."""
        return SIGNALS[name][0]


@dataclass
class AudioFeatures:
    """Audio features on a fixed hop: `times` are window centres in seconds."""

    times: np.ndarray
    rms_db: np.ndarray
    speech: np.ndarray
    sample_rate: int

    @property
    def has_audio(self) -> bool:
        return self.times.size > 0


@dataclass
class TimeSpan:
    """A span of a take in seconds, end exclusive."""

    start_s: float
    end_s: float

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s
