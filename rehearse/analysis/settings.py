"""The analysis settings section: landmarks, signals, audio and the take-level options.

A leaf module (it imports only pydantic and `errors`; `blendshape_model` looks the model file
up lazily through the leaf `model_files`), so `config` can load it without importing the
analysis backends, and the analysis code can import `config` without a cycle. Every field here
changes an analysis result (except `SPEED_ONLY_FIELDS` in config) and is part of the cache key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, field_validator

from rehearse.errors import RehearseError

__all__ = ["AnalysisSettings", "AudioSettings", "LandmarkSettings", "MotionEnergySettings", "Section", "SignalSettings"]


class Section(BaseModel):
    """Base for settings sections: immutable, unknown keys rejected, fields documented."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


class MotionEnergySettings(Section):
    """Where and how body motion energy is measured."""

    enabled: bool = True
    """Measure `body_motion` on every frame (body holds are timed from it). Default on."""
    grey_width_px: int = Field(default=160, ge=32, le=640)
    """Frames are shrunk to this width (aspect kept) and turned grey before differencing, px.
    Shrinking averages sensor and codec noise away; 160 px keeps a shoulder ~20 px wide."""
    span_s: float = Field(default=0.06, gt=0, le=0.5)
    """Frames at least this far apart are differenced (the nearest earlier frame), s."""
    width_faces: float = Field(default=3.0, gt=0)
    """Region width in face-box widths, centred under the face."""
    depth_faces: float = Field(default=1.0, gt=0)
    """Region depth below the chin in face-box heights (shoulders and upper chest)."""
    min_inside_fraction: float = Field(default=0.2, gt=0, le=1)
    """Less of the region than this inside the frame: no measurement (NaN)."""
    face_memory_s: float = Field(default=1.0, ge=0)
    """A face lost for up to this long still places the region (its last box), s."""
    moving_min: float = Field(default=8.0, ge=0)
    """The body counts as moving (so Pose samples this frame) above this energy, grey/s ...
    (a rendered still body reads 0-1, a seated real actor's idle sway 8-20)"""
    moving_factor: float = Field(default=6.0, ge=1)
    """... and above this many times the lowest energy of the last `floor_window_s`."""
    floor_window_s: float = Field(default=2.0, gt=0)
    """How far back the still level (lowest energy) is looked for, s."""


class LandmarkSettings(BaseModel):
    """Which landmark models run, how often, and with which confidence thresholds."""

    model_config = ConfigDict(frozen=True)

    refine_iris: bool = True
    """FaceMesh with refined eyes, lips and iris (478 points). Gaze needs it; default on."""
    pose: bool = True
    """Run MediaPipe Pose (model_complexity 1, the model bundled in the wheel). Default on."""
    hands: Literal["auto", "always", "never"] = "auto"
    """Hands: "auto" runs only when a wrist is raised or a hand was just seen; "always" every
    frame (slow); "never" uses pose wrists/fingertips only. Default "auto"."""
    hands_model_complexity: Literal[0, 1] = 1
    """MediaPipe Hands model: 1 = hand_landmark_full, 0 = lite (both bundled). Default 1."""
    pose_every_n_frames: int = Field(default=8, ge=1)
    """Pose runs on every Nth frame, and on every frame where the shoulders' motion energy says
    the body moves clearly (`motion_energy`), interpolated in between (1 = every frame).
    Default 8. Pose is the costliest model (~30 ms a run on 2 cores); Pose samples carry the
    frame's own time into its landmark filter, body holds are timed from motion energy on
    every frame, and on the rendered and real test takes every event (holds, blinks, lean and
    head-turn gestures) stays within 2 frames of the every-frame run (tests/unit/
    test_speed_equivalence.py; the old every-3rd-frame schedule moved body holds by 20+
    frames). benchmarks/bench_full_analysis.py measures the speed."""
    pose_force_motion: float = Field(default=0.04, gt=0)
    """A wrist or shoulder moving more than this (normalised image units: widths/heights)
    between two pose samples forces Pose on the next frame too (fast gestures are not interpolated). Default 0.04."""
    hand_raise_margin: float = Field(default=0.0)
    """Hands gate: a wrist counts as raised when it is above the hip line minus this fraction
    of the image height (positive = must be higher). Default 0.0 (at or above the hips)."""
    max_torso_tilt_deg: float = Field(default=60.0, gt=0, le=180)
    """A pose whose torso (hip centre to shoulder centre, in the image) leans more than this from
    upright is rejected as not a body. Measured on the shared clips: Pose "finds" a body lying
    at ~90 deg in animated title cards and texture, while seated and standing actors read 0-2
    deg. Set 180 to keep poses of actors lying down. Default 60 deg."""
    min_pose_visibility: float = Field(default=0.5, ge=0, le=1)
    """Pose landmarks below this visibility are not used for gating or hand assignment."""
    max_num_hands: int = Field(default=2, ge=1, le=2)
    """At most this many hands are tracked (the actor's two). Default 2."""
    min_detection_confidence: float = Field(default=0.5, ge=0, le=1)
    """Detector score needed to start tracking a face/body/hand. MediaPipe default 0.5."""
    min_tracking_confidence: float = Field(default=0.5, ge=0, le=1)
    """Tracking score below which a part counts as lost and is re-detected. Default 0.5."""
    face_crop_from_pose: bool = True
    """When FaceMesh finds no face in the full frame, look again in a crop around the head Pose
    found, and follow the face with crops while it is found. FaceMesh's detector misses faces
    with an inter-ocular distance under ~3% of the frame width (measured), i.e. most shots
    wider than a medium close-up. Default on (costs one more FaceMesh run on such frames)."""
    blendshapes: Literal["facemesh", "landmarker", "off"] = "facemesh"
    """Where the 52 blendshape scores (expressions, blinks, eye closure) come from. "facemesh":
    the blendshape network of the Face Landmarker model run on FaceMesh's own landmarks (same
    478-point topology; measured on the real clips: smile scores correlate 0.99 with the Face
    Landmarker's, at FaceMesh's speed, 2-4x the Face Landmarker's: see
    benchmarks/bench_blendshape_route.py). "landmarker": the Face Landmarker task replaces
    FaceMesh. "off": geometry only. Without the model installed (`rehearse models`), analysis
    reads expressions from geometry and says so. Default "facemesh"."""
    hands_search_every_n_frames: int = Field(default=6, ge=1)
    """With hands "auto": while a face is in frame and no hand is tracked, Hands looks for one at
    least every this many frames, whatever Pose says: in a close-up the wrists are below the
    frame (unknown, not lowered) while a hand may rest on the face. Once found, a hand is
    tracked on every frame. Each search costs one Hands run (~25 ms); 6 frames is 250 ms at
    24 fps. Default 6."""
    hands_backfill_s: float = Field(default=1.5, ge=0)
    """When Hands finds a hand after none was tracked, it follows that hand backwards over the
    frames of up to this many seconds before (kept as small copies meanwhile), so the hand's
    onset is the first frame it can be tracked in, not the first search whose palm detector
    passed: on compressed copies the palm score of a hand on the face sat under the threshold
    for 1 s (measured, hand_backfill.py). 0 turns it off. Default 1.5 s."""
    hands_backfill_width_px: int = Field(default=640, ge=160)
    """Width (px) of the kept frames for the backwards walk (Hands reads 192-224 px inputs).
    Default 640."""
    close_up_width_px: int | None = Field(default=None, ge=160)
    """While the face is large, FaceMesh, Pose and Hands read one copy of the frame shrunk to
    this width (px; one area resize per frame) instead of the full frame: their networks see
    192-256 px crops, so a large face loses little, while each run copies and warps a quarter
    of the pixels. Measured on the real 1080p close-up (bench_full_analysis.py clip, 12 s):
    FaceMesh -26 %, Pose -15 %, Hands -12 % per run, but the whole analysis only ~9 % faster,
    and face-hold edges moved by up to 3.5 frames against full-size frames (face_motion is
    noisier at half size on a barely-still face). Smaller faces and the search after a lost
    face always use the full frame. Default None (always the full frame): it did not pay."""
    close_up_min_face_px: int = Field(default=200, ge=32)
    """Face width (px, in the shrunk frame) from which the shrunk frame is used."""
    motion_energy: MotionEnergySettings = Field(default_factory=MotionEnergySettings)
    """Body motion energy below the face on every frame (see motion_energy.py)."""
    face_landmarker_task: Path | None = None
    """A `face_landmarker.task` file to use instead of the installed one (a machine without
    network: copy the file over and point here, or `rehearse models install --from FILE`).
    None: the model `scripts/setup-env` installed, if any."""

    @field_validator("blendshapes", mode="before")
    @classmethod
    def _off_in_yaml(cls, value: Any) -> Any:
        # YAML reads a bare `off` (or `no`) as false: that is what the user meant.
        return "off" if value is False else value

    @computed_field  # type: ignore[prop-decorator]
    @property
    def blendshape_model(self) -> str:
        """The model actually used ("" when none): part of the cache key, so installing the
        model analyses takes anew."""
        from rehearse.analysis.model_files import MODEL_SHA256, find_model

        if self.blendshapes == "off":
            return ""
        try:
            found = find_model(self.face_landmarker_task)
        except RehearseError:
            return f"invalid:{self.face_landmarker_task}"
        return f"face_landmarker.task:{MODEL_SHA256[:16]}" if found is not None else ""


class SignalSettings(BaseModel):
    """Thresholds used while turning landmarks into signals."""

    model_config = ConfigDict(frozen=True)

    closed_eye_ear: float = Field(default=0.12, gt=0)
    """Below this eye aspect ratio the iris is hidden: gaze_v is NaN. Default 0.12 EAR."""
    min_pose_visibility: float = Field(default=0.5, ge=0, le=1)
    """Pose landmarks MediaPipe scores below this visibility are treated as not seen. Default 0.5."""
    tremor_cutoff_hz: float = Field(default=4.0, gt=0)
    """Fingertip motion above this frequency counts as tremor. Default 4 Hz."""
    tremor_window_s: float = Field(default=0.5, gt=0)
    """Window (centred on each frame) over which tremor energy is measured. Default 0.5 s."""
    tremor_min_samples: int = Field(default=6, ge=4)
    """A tremor window needs at least this many tracked frames. Default 6."""
    iod_per_shoulder_width: float = Field(default=0.16, gt=0)
    """When no face is seen in the whole take, body distances are scaled by shoulder width x
    this ratio (adult IOD ~6.3 cm / shoulder width ~40 cm). Default 0.16."""


class AudioSettings(Section):
    """Energy voice-activity detection on the take's audio track (see audio_features.py)."""

    hop_s: float = Field(default=0.010, gt=0, le=0.1)
    """Hop between analysis windows, in seconds (the audio features' clock)."""
    window_s: float = Field(default=0.020, gt=0, le=0.2)
    """Length of each RMS window, in seconds."""
    sample_rate: int = Field(default=16000, ge=8000, le=96000)
    """Sample rate the audio is resampled to before analysis, in Hz."""
    speech_margin_db: float = Field(default=9.0, gt=0, le=60)
    """A window is speech when its level is this many dB above the noise floor."""
    noise_floor_percentile: float = Field(default=10.0, ge=0, le=50)
    """Percentile of window levels taken as the noise floor within the adaptive window."""
    noise_window_s: float = Field(default=4.0, gt=0, le=60)
    """Length of the sliding window the noise floor adapts over, in seconds."""
    min_level_db: float = Field(default=-55.0, le=0)
    """Windows quieter than this (dBFS) are never speech, whatever the floor."""
    hangover_s: float = Field(default=0.080, ge=0, le=1)
    """Speech stays on this long after the level drops, bridging stop consonants, in seconds."""
    min_speech_s: float = Field(default=0.080, ge=0, le=2)
    """Shorter bursts are dropped by `speech_segments` (clicks, bumps), in seconds."""
    min_silence_s: float = Field(default=0.150, ge=0, le=5)
    """Shorter gaps between speech are bridged by `speech_segments`, in seconds."""


class AnalysisSettings(Section):
    """Everything that changes an analysis result; its hash is part of the cache key."""

    landmarks: LandmarkSettings = Field(default_factory=LandmarkSettings)
    """MediaPipe backends and their schedule (used by rehearse/analysis/landmarks.py)."""
    signals: SignalSettings = Field(default_factory=SignalSettings)
    """Thresholds used when turning landmarks into signals (used by rehearse/analysis/signals.py)."""
    audio: AudioSettings = Field(default_factory=AudioSettings)
    """Voice-activity detection on the audio track."""
    max_frame_width: int | None = Field(default=1920, ge=64)
    """Frames wider than this are downscaled (aspect kept) before the landmark models, in px.
    Landmarks are normalized to the image, so results stay comparable. Measured on a 1080p
    take (benchmarks/bench_face_path.py), downscaling to 960 or 640 px did not speed analysis up
    (the models crop and resize internally; PyAV's scaler costs about what it saves) and it
    shrinks faces in wide shots below FaceMesh's 192 px crop, so only frames above 1080p
    (4K, 6K) are reduced, where converting full frames to RGB is the cost. None: never."""
    decode_prefetch_frames: int = Field(default=3, ge=0, le=256)
    """Frames decoded ahead in a thread while the models run (0: decode inline). Does not
    change results, only speed (see benchmarks/bench_face_path.py) and memory: each waiting
    1080p frame is 6 MB (decoding runs ~4x faster than analysis, so a few frames keep the
    models fed; 8 frames held ~30 MB more)."""
    face_lost_min_s: float = Field(default=0.25, ge=0, le=10)
    """A run of face-less frames at least this long is reported as a face-lost span, in seconds."""
    no_face_max_coverage: float = Field(default=0.0, ge=0, le=1)
    """A take whose face coverage is at most this fraction is reported as `no face`."""
