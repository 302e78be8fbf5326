"""Synthetic signal streams with known ground truth: fast, exhaustive fixtures for event detectors.

`synthesize_signals(events, duration_s=...)` builds a `SignalTrack` (every name in `SIGNALS`)
from timed ground-truth events, the same event dicts the rendered sample takes carry in their
`*.truth.json` (kind, start_s, end_s, apex_s, side, label, amount, degrees). Noise is
MediaPipe-like: the standard deviations in `NOISE_STD` were measured by running FaceMesh (video
mode) on 60 jittered copies of the astronaut still (sub-pixel shifts, pixel noise) and passing
the points through `face_signals`; `python -m tools.takegen.noise` reproduces them. Dropped
frames (face lost: present 0, values NaN), 24/30/60 fps and variable frame rate are options.
The rendered sample takes are quieter than this model (a locked-off camera on a face that is
exactly still: in their holds face_motion reads ~0.005 IOD/s and EAR varies by ~0.002), so a
detector that passes here has margin there; `noise=0.1` approximates them.

`synthesize_audio(speech_spans, duration_s)` builds matching `AudioFeatures`; `synthesize_take(truth)`
builds both from a rendered sample take's truth JSON.
Sides are the actor's own. Nothing here imports cv2 or mediapipe. It lives in `tools/`, not in the
installed package: only tests, benchmarks and tools use it.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from rehearse.analysis.face_signals import face_motion
from rehearse.analysis.tracks import SIGNALS, AudioFeatures, SignalTrack

# Measured standard deviation of each signal on a still face (FaceMesh 0.10.21, astronaut
# portrait at 640x480, IOD ~67 px, jitter 0.4 px, pixel noise 1.5 grey levels).
NOISE_STD: dict[str, float] = {
    "iod_px": 0.30,
    "eye_open_left": 0.0082, "eye_open_right": 0.0119,
    "brow_raise_left": 0.0034, "brow_raise_right": 0.0034, "brow_furrow": 0.0085,
    "lip_corner_left": 0.0041, "lip_corner_right": 0.0049,
    "mouth_width": 0.0076, "lip_press": 0.0040, "mouth_open": 0.0046,
    "gaze_h": 0.013, "gaze_v": 0.019,
    "head_yaw": 0.30, "head_pitch": 0.60, "head_roll": 0.20,
    # body signals: not measured here (no pose on the still); small, plausible values
    "lean_forward": 0.5, "lean_side": 0.3, "shoulder_roll": 0.3, "shoulder_turn": 0.5,
    "wrist_left_x": 0.003, "wrist_left_y": 0.003, "wrist_right_x": 0.003, "wrist_right_y": 0.003,
    "fingertip_left_x": 0.004, "fingertip_left_y": 0.004,
    "fingertip_right_x": 0.004, "fingertip_right_y": 0.004,
    "hand_face_left": 0.02, "hand_face_right": 0.02, "lid_gap": 0.03,
}
JITTER_IOD_PER_FRAME = 0.0077
"""Mean landmark jitter between two frames of a still face (IOD, measured frame to frame): the
tracker's position error, drawn afresh each frame. Its spread (0.48 of the mean, measured) is
what a 2D Gaussian position error gives (0.52): the mesh jitters as a whole, not point by point."""

# Neutral values of the astronaut portrait as FaceMesh reads it, except a closed mouth.
DEFAULT_BASELINE: dict[str, float] = {
    "face_present": 1.0, "face_confidence": 1.0, "iod_px": 67.3,
    "eye_open_left": 0.30, "eye_open_right": 0.30,
    "brow_raise_left": 0.344, "brow_raise_right": 0.354, "brow_furrow": 0.484,
    "lip_corner_left": 0.05, "lip_corner_right": 0.05, "mouth_width": 1.0,
    "lip_press": 0.20, "mouth_open": 0.02, "gaze_h": 0.0, "gaze_v": 0.0,
    "head_yaw": 0.0, "head_pitch": 0.0, "head_roll": 0.0,
    "face_motion": 0.6,
    "body_present": 1.0, "lean_forward": 0.0, "lean_side": 0.0, "shoulder_roll": 0.0,
    "shoulder_turn": 0.0, "wrist_left_x": 0.62, "wrist_left_y": 0.95, "wrist_right_x": 0.38,
    "wrist_right_y": 0.95, "fingertip_left_x": 0.62, "fingertip_left_y": 0.93,
    "fingertip_right_x": 0.38, "fingertip_right_y": 0.93, "hand_face_left": 3.0,
    "hand_face_right": 3.0, "tremor_left": 0.0, "tremor_right": 0.0,
}
"""`face_motion` here is the idle movement of a live face (IOD/s) before jitter is added."""


class SyntheticShapes(BaseModel):
    """Sizes and timings of synthetic movements (defaults chosen to match the rendered takes)."""

    model_config = ConfigDict(frozen=True)

    closed_ear: float = Field(default=0.05)
    """EAR of a fully shut eye."""
    open_lid_gap: float = Field(default=0.8)
    """Lid gap (iris diameters) of an open eye, as FaceMesh reads real faces (0.6-0.9)."""
    shut_lid_gap: float = Field(default=0.03)
    """Lid gap of a shut eye (-0.03-0.13 measured on a real close-up)."""
    blink_close_s: float = Field(default=0.07)
    """Time from onset to full closure of a blink (fast), seconds."""
    blink_duration_s: float = Field(default=0.25)
    """Whole blink when the event gives no end, seconds (opening is the slow part)."""
    ramp_s: float = Field(default=0.2)
    """Onset and offset time of expressions and gestures, seconds."""
    brow_raise_iod: float = Field(default=0.06)
    brow_furrow_iod: float = Field(default=0.05)
    corner_lift_iod: float = Field(default=0.08)
    lip_press_iod: float = Field(default=0.08)
    jaw_drop_iod: float = Field(default=0.25)
    false_start_open_iod: float = Field(default=0.12)
    speech_open_iod: float = Field(default=0.10)
    syllable_hz: float = Field(default=4.0)
    """Mouth opening rhythm while an on-camera line is spoken."""
    head_turn_deg: float = Field(default=20.0)
    nod_deg: float = Field(default=8.0)
    lean_deg: float = Field(default=10.0)
    lean_scale_per_deg: float = Field(default=0.008)
    """Relative change of iod_px per degree of lean toward the camera."""
    gaze_shift: float = Field(default=0.5)
    motion_per_iod: float = Field(default=0.15)
    """face_motion (IOD/s) per IOD/s of an expression signal's change (a few landmarks move)."""
    motion_per_closure: float = Field(default=0.012)
    """face_motion (IOD/s) per unit/s of eye closure (lid points only)."""
    motion_per_degree: float = Field(default=0.015)
    """face_motion (IOD/s) per deg/s of head or torso rotation (every landmark moves)."""
    tremor_energy: float = Field(default=0.02)
    idle_head_deg: float = Field(default=1.5)
    """Slow idle head sway (yaw; pitch at half) outside face holds, degrees: a live face never stops."""
    idle_body_deg: float = Field(default=1.0)
    """Slow idle torso sway (lean, side lean, shoulder roll) outside body holds, degrees."""


SHAPES = SyntheticShapes()
SIDES = ("left", "right")


def _times(duration_s: float, fps: float, vfr: bool, rng: np.random.Generator) -> np.ndarray:
    if not vfr:
        return np.arange(int(round(duration_s * fps))) / fps
    # Irregular frame intervals between 0.5x and 1.5x the nominal one, as phones record.
    steps = rng.uniform(0.5, 1.5, int(duration_s * fps * 2) + 2) / fps
    times = np.concatenate([[0.0], np.cumsum(steps)])
    return np.round(times[times < duration_s], 6)


def _ramp(times: np.ndarray, start: float, peak_start: float, peak_end: float, end: float) -> np.ndarray:
    """0..1: raised-cosine rise from start to peak_start, flat, raised-cosine fall to end."""
    out = np.zeros_like(times)
    rise = (times > start) & (times < peak_start)
    out[rise] = 0.5 - 0.5 * np.cos(np.pi * (times[rise] - start) / max(peak_start - start, 1e-9))
    out[(times >= peak_start) & (times <= peak_end)] = 1.0
    fall = (times > peak_end) & (times < end)
    out[fall] = 0.5 + 0.5 * np.cos(np.pi * (times[fall] - peak_end) / max(end - peak_end, 1e-9))
    return out


def _span_shape(times: np.ndarray, event: dict, shapes: SyntheticShapes) -> np.ndarray:
    start, end = float(event["start_s"]), float(event["end_s"])
    ramp = min(shapes.ramp_s, (end - start) / 3)
    return _ramp(times, start, start + ramp, end - ramp, end)


def _blink_shape(times: np.ndarray, event: dict, shapes: SyntheticShapes) -> np.ndarray:
    """Fast close, slower open; `apex_s` (if given) is where the eye is most closed."""
    start = float(event["start_s"])
    if event["kind"] == "eyes_closed":
        end = float(event["end_s"])
        return _ramp(times, start, start + shapes.blink_close_s, end - 2 * shapes.blink_close_s, end)
    apex = float(event.get("apex_s", start + shapes.blink_close_s))
    end = float(event.get("end_s", start + shapes.blink_duration_s))
    return _ramp(times, start, apex, apex, max(end, apex + 1e-3))


def _sides(event: dict) -> tuple[str, ...]:
    side = event.get("side", "both")
    return SIDES if side in (None, "both") else (side,)


def _apply_event(event: dict, times: np.ndarray, offsets: dict[str, np.ndarray],
                 holds: tuple[list, list], shapes: SyntheticShapes) -> None:
    kind, label = event["kind"], event.get("label")
    amount = float(event.get("amount", 1.0))
    sign = 1.0 if event.get("side", "left") in ("left", None, "both") else -1.0

    def add(name: str, values: np.ndarray) -> None:
        offsets[name] = offsets.get(name, 0.0) + values

    if kind in ("blink", "partial_blink", "eyes_closed"):
        depth = float(event.get("amount", 0.5)) if kind == "partial_blink" else 1.0
        shape = _blink_shape(times, event, shapes) * depth
        for side in _sides(event):
            # Stored as a fraction of closure; turned into EAR against the baseline later.
            offsets[f"closure_{side}"] = np.maximum(offsets.get(f"closure_{side}", 0.0), shape)
        return
    if kind == "hold":
        span = (float(event["start_s"]), float(event["end_s"]))
        scope = event.get("scope") or "both"
        if scope in ("face", "both"):
            holds[0].append(span)
        if scope in ("body", "both"):
            holds[1].append(span)
        return
    shape = _span_shape(times, event, shapes) * amount
    if kind == "false_start":
        add("mouth_open", shapes.false_start_open_iod * shape)
    elif kind == "speech" and event.get("on_camera"):
        syllables = np.abs(np.sin(np.pi * shapes.syllable_hz * (times - event["start_s"])))
        add("mouth_open", shapes.speech_open_iod * syllables * (shape > 0))
    elif kind == "gaze_shift":
        add("gaze_h", sign * shapes.gaze_shift * shape)
    elif kind == "expression":
        if label == "brow_raise":
            for side in SIDES:
                add(f"brow_raise_{side}", shapes.brow_raise_iod * shape)
        elif label == "brow_furrow":
            add("brow_furrow", -shapes.brow_furrow_iod * shape)
        elif label in ("half_smile", "smile"):
            sides = SIDES if label == "smile" else _sides(event)
            for side in sides:
                add(f"lip_corner_{side}", shapes.corner_lift_iod * shape)
            add("mouth_width", 0.5 * shapes.corner_lift_iod * len(sides) * shape)
        elif label == "lip_press":
            add("lip_press", -shapes.lip_press_iod * shape)
        elif label == "jaw_drop":
            add("mouth_open", shapes.jaw_drop_iod * shape)
    elif kind == "gesture":
        degrees = float(event.get("degrees", shapes.head_turn_deg))
        if label == "head_turn":
            add("head_yaw", sign * degrees * shape)
        elif label in ("nod", "shake"):
            wave = np.sin(2 * np.pi * 2.0 * (times - event["start_s"]))
            add("head_pitch" if label == "nod" else "head_yaw", shapes.nod_deg * wave * shape)
        elif label in ("lean_toward", "lean_away"):
            lean = float(event.get("degrees", shapes.lean_deg)) * (1 if label == "lean_toward" else -1)
            add("lean_forward", lean * shape)
            offsets["iod_scale"] = offsets.get("iod_scale", 0.0) + shapes.lean_scale_per_deg * lean * shape
        elif label == "shoulder_turn":
            add("shoulder_turn", sign * degrees * shape)
        elif label in ("hand_to_face", "hand_to_collar", "hand_raise", "tremor"):
            for side in _sides(event) if event.get("side") else ("right",):
                _hand(side, label, shape, times, add, shapes)


def _hand(side: str, label: str, shape: np.ndarray, times: np.ndarray, add, shapes: SyntheticShapes) -> None:
    base_face = DEFAULT_BASELINE[f"hand_face_{side}"]
    if label == "hand_to_face":
        add(f"hand_face_{side}", (0.1 - base_face) * shape)
        add(f"wrist_{side}_y", -0.45 * shape)
        add(f"fingertip_{side}_y", -0.55 * shape)
    elif label == "hand_to_collar":
        add(f"hand_face_{side}", (1.0 - base_face) * shape)
        add(f"wrist_{side}_y", -0.3 * shape)
        add(f"fingertip_{side}_y", -0.35 * shape)
    elif label == "hand_raise":
        add(f"wrist_{side}_y", -0.6 * shape)
        add(f"fingertip_{side}_y", -0.65 * shape)
    elif label == "tremor":
        add(f"tremor_{side}", shapes.tremor_energy * shape)


def synthesize_signals(
    events: list[dict],
    *,
    duration_s: float,
    fps: float = 30.0,
    vfr: bool = False,
    noise: float = 1.0,
    drop_rate: float = 0.0,
    seed: int = 0,
    baseline: dict | None = None,
    idle: float = 1.0,
    shapes: SyntheticShapes = SHAPES,
    tracker_lag_s: float = 0.0,
) -> SignalTrack:
    """A `SignalTrack` whose movements are exactly `events` (truth-JSON event dicts).

    `noise` scales the measured MediaPipe noise (0 = clean); `drop_rate` is the fraction of
    frames where the face is lost (face_present 0, face signals NaN); `vfr` draws irregular
    frame times around `fps`. `baseline` overrides neutral values (e.g. a squintier actor's EAR).
    `idle` scales the slow sway of head and torso outside holds (0 = a mannequin).
    `tracker_lag_s` makes the tracker follow the face with a first-order lag (FaceMesh's settling).
    """
    rng = np.random.default_rng(seed)
    base = DEFAULT_BASELINE | (baseline or {})
    times = _times(duration_s, fps, vfr, rng)
    frames = times.size
    offsets: dict[str, np.ndarray] = {}
    holds: tuple[list, list] = ([], [])  # face, body hold spans
    for event in events:
        _apply_event(event, times, offsets, holds, shapes)
    clocks = np.stack([_idle_clock(times, spans) for spans in holds])  # face, body
    _add_idle_sway(clocks, offsets, shapes, rng, idle)
    values: dict[str, np.ndarray] = {}
    for name in SIGNALS:
        if name in ("face_motion", "lip_corner_asymmetry", "body_motion", *OWN_NOISE_STREAM) \
                or name.startswith("lid_gap_"):
            continue
        clean = np.full(frames, float(base.get(name, 0.0))) + offsets.get(name, 0.0)
        if name.startswith("eye_open_"):
            closure = offsets.get(f"closure_{name.rsplit('_', 1)[1]}", np.zeros(frames))
            clean = clean - closure * (clean - shapes.closed_ear)
        if name == "iod_px":
            clean = clean * (1 + offsets.get("iod_scale", 0.0))
        values[name] = clean + rng.normal(0, noise * NOISE_STD.get(name, 0.0), frames)
    values["lip_corner_asymmetry"] = values["lip_corner_left"] - values["lip_corner_right"]
    # The lid gap (iris diameters) follows the lids as the EAR does; its own noise stream leaves
    # every other signal's draws as they were before it existed.
    gap_rng = np.random.default_rng([seed, 7])
    for side in ("left", "right"):
        closure = offsets.get(f"closure_{side}", np.zeros(frames))
        gap = shapes.open_lid_gap - closure * (shapes.open_lid_gap - shapes.shut_lid_gap)
        values[f"lid_gap_{side}"] = gap + gap_rng.normal(0, noise * NOISE_STD["lid_gap"], frames)
    # Signals added after the streams were fixed draw from their own generator: a draw from the
    # shared one (even with zero noise) would move every later signal's noise, and with it the
    # detections the event tests pin (a 60 fps lean was lost that way).
    for index, name in enumerate(OWN_NOISE_STREAM):
        own_rng = np.random.default_rng([seed, 100 + index])
        values[name] = (np.full(frames, float(base.get(name, 0.0))) + offsets.get(name, 0.0)
                        + own_rng.normal(0, noise * NOISE_STD.get(name, 0.0), frames))
    # Motion energy is a pixel measure these streams do not model: unknown, so body holds come
    # from the torso angles and wrists here.
    values["body_motion"] = np.full(frames, np.nan)
    face_lost = rng.random(frames) < drop_rate
    values["face_motion"] = _face_motion(times, offsets, clocks[0], base, noise, rng, shapes, ~face_lost,
                                         tracker_lag_s)
    values["face_present"] = np.where(face_lost, 0.0, 1.0)
    values["face_confidence"] = np.where(face_lost, 0.0, np.clip(values["face_confidence"], 0, 1))
    for name in SIGNALS:
        if name not in ("face_present", "face_confidence") and _is_face_signal(name):
            values[name] = np.where(face_lost, np.nan, values[name])
    return SignalTrack(times=times, values={name: values[name].astype(np.float64) for name in SIGNALS})


OWN_NOISE_STREAM = ("glabella_lines",)
"""Signals with a noise generator of their own (see synthesize_signals); the lid gaps have theirs."""


def _is_face_signal(name: str) -> bool:
    return list(SIGNALS).index(name) < list(SIGNALS).index("body_present")


IDLE_SWAY = (  # signal, part (0 face, 1 body), share of the amplitude, frequency (Hz)
    ("head_yaw", 0, 1.0, 0.37), ("head_pitch", 0, 0.5, 0.29),
    ("lean_forward", 1, 1.0, 0.21), ("lean_side", 1, 0.6, 0.33), ("shoulder_roll", 1, 0.5, 0.27),
)


def _idle_clock(times: np.ndarray, spans: list[tuple[float, float]]) -> np.ndarray:
    """Time outside the hold spans up to each frame (exact, not rounded to frames): idle
    movement runs on this clock, so it stops at the very instant a hold starts."""
    held = np.zeros_like(times)
    merged: list[list[float]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    for start, end in merged:
        held += np.clip(times - start, 0.0, end - start)
    return times - held


def _add_idle_sway(clocks: np.ndarray, offsets, shapes: SyntheticShapes, rng, idle: float) -> None:
    """Slow sinusoidal sway on the idle clocks, so a hold freezes the pose it starts in."""
    for name, part, share, hz in IDLE_SWAY:
        amplitude = (shapes.idle_head_deg if part == 0 else shapes.idle_body_deg) * share * idle
        sway = amplitude * np.sin(2 * np.pi * hz * clocks[part] + rng.uniform(0, 2 * np.pi))
        offsets[name] = offsets.get(name, 0.0) + sway


def _face_motion(times, offsets, clock, base, noise, rng, shapes: SyntheticShapes, seen,
                 tracker_lag_s: float) -> np.ndarray:
    """face_motion as the package measures it from what the tracker reports (IOD/s).

    A physical model of the face and the tracker, with nothing taken from the detectors: the
    face travels along a path (idle movement on the idle clock, which stops at the very instant
    a hold starts, plus every face movement of the events); the tracker reports each frame's
    position with a position error drawn afresh per frame (`JITTER_IOD_PER_FRAME`), after a
    first-order lag of `tracker_lag_s` (0 = it follows at once). The reported points go through
    `face_signals.face_motion`, the same measurement video goes through, so whatever span that
    measurement uses shapes these streams as it shapes real ones.
    """
    frames = times.size
    # Path length travelled up to each frame (IOD): a face's landmarks move by the change of
    # every signal times its gain, whatever its sign, so movements never cancel.
    path = base["face_motion"] * clock
    for name, offset in offsets.items():
        if not isinstance(offset, np.ndarray) or name == "iod_scale":
            continue
        if name.startswith("closure_"):
            gain = shapes.motion_per_closure
        elif name not in SIGNALS or not _is_face_signal(name):
            continue  # torso and hands are not face landmarks
        elif name.startswith("head_"):
            gain = shapes.motion_per_degree
        else:
            gain = shapes.motion_per_iod
        path = path + gain * np.concatenate([[0.0], np.cumsum(np.abs(np.diff(offset)))])
    if tracker_lag_s > 0:
        reported = np.empty_like(path)
        reported[0] = path[0]
        follow = 1.0 - np.exp(-np.diff(times, prepend=times[0]) / tracker_lag_s)
        for i in range(1, frames):
            reported[i] = reported[i - 1] + follow[i] * (path[i] - reported[i - 1])
        path = reported
    # Two points mirrored about the face's centre: after the measurement takes the centroid out,
    # each moves by the path plus a 2D Gaussian position error drawn per frame, whose mean
    # frame-to-frame displacement is JITTER_IOD_PER_FRAME (a Rayleigh mean of sigma * sqrt(pi)).
    jitter = rng.normal(0, noise * JITTER_IOD_PER_FRAME / np.sqrt(np.pi), (frames, 2))
    point = jitter.copy()
    point[:, 0] += path
    points = np.stack([point, -point], axis=1)
    return face_motion(points, np.ones(frames), times, seen)


def synthesize_audio(
    speech_spans: list,
    duration_s: float,
    *,
    hop_s: float = 0.010,
    sample_rate: int = 16000,
    floor_db: float = -62.0,
    speech_db: float = -22.0,
    seed: int = 0,
) -> AudioFeatures:
    """Audio features with voice exactly inside `speech_spans` ((start_s, end_s) pairs or dicts).

    The level is a noise floor around `floor_db` with speech at about `speech_db`, modulated by
    a 4 Hz syllable rhythm that never dips to the floor inside a span; `speech` is 1 inside.
    """
    rng = np.random.default_rng(seed)
    times = (np.arange(int(round(duration_s / hop_s))) + 0.5) * hop_s
    rms_db = floor_db + rng.normal(0, 1.5, times.size)
    speech = np.zeros(times.size, dtype=np.uint8)
    for span in speech_spans:
        start, end = (span["start_s"], span["end_s"]) if isinstance(span, dict) else span
        inside = (times >= start) & (times < end)
        rhythm = 6.0 * np.abs(np.sin(np.pi * 4.0 * (times[inside] - start)))
        rms_db[inside] = speech_db - 6.0 + rhythm + rng.normal(0, 1.0, int(inside.sum()))
        speech[inside] = 1
    return AudioFeatures(times=times, rms_db=rms_db, speech=speech, sample_rate=sample_rate)


def synthesize_take(truth: dict, **options) -> tuple[SignalTrack, AudioFeatures]:
    """Signals and audio for a rendered take's truth JSON (`scenes/takes/*.truth.json`).

    The landmark-level twin of the video: the same events at the same times, so a detector can
    be checked on both and the two results compared. `options` go to `synthesize_signals`.
    """
    events = [e for e in truth["events"] if e["kind"] != "speech"]
    for line in truth.get("speech", []):
        events.append({"kind": "speech", "start_s": line["start_s"], "end_s": line["end_s"],
                       "label": line["speaker"], "on_camera": bool(line.get("on_camera"))})
    options.setdefault("fps", truth["fps"])
    signals = synthesize_signals(events, duration_s=truth["duration_s"], **options)
    audio = synthesize_audio([(line["start_s"], line["end_s"]) for line in truth.get("speech", [])],
                             truth["duration_s"], seed=options.get("seed", 0))
    return signals, audio
