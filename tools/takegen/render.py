"""Render a `TakeSpec` to an MP4 (H.264 + AAC) and return its ground truth.

Per frame: landmark-driven warp (brows, lip corner, jaw, head yaw, idle sway) -> painted mouth
gap -> painted lids -> whole-frame lean (scale + shift) -> sensor noise. Strengths, in units of
the inter-ocular distance (IOD), live in `Strengths`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tools.takegen.paint import paint_lid, paint_mouth_gap, sample_skin, shift_iris
from tools.takegen.portrait import INNER_LIP_LOWER, Portrait, load_portrait
from tools.takegen.spec import Action, TakeSpec
from tools.takegen.speech import SAMPLE_RATE, synthesise
from tools.takegen.speech import envelope as speech_envelope
from tools.takegen.timeline import envelope, frame_times, truth_event

FRAME_SIZE = (640, 480)
NOISE_BANK_SIZE = 12


@dataclass(frozen=True)
class Strengths:
    """Peak displacement of each warp, in IOD (or degrees / scale where noted)."""

    brow_raise_iod: float = 0.18
    brow_furrow_iod: float = 0.15
    lip_corner_iod: float = 0.14
    jaw_open_iod: float = 0.18
    speech_jaw_open_iod: float = 0.16
    gaze_shift_iod: float = 0.1
    """Sideways iris travel at a full gaze shift (reads as gaze_h ~0.25)."""
    lean_scale: float = 0.08
    """Extra scale of the whole frame at a full lean toward camera (0.08 = 8% larger)."""
    idle_yaw_deg: float = 3.0
    """Idle head yaw amplitude at the default sway, degrees."""
    idle_brow_iod: float = 0.03
    idle_corner_iod: float = 0.02


STRENGTHS = Strengths()
SKIN_ABOVE_EYE_IOD = 0.2
"""Where lid skin colour is sampled: this far above the upper-lid centre."""


@dataclass
class _Scene:
    portrait: Portrait
    warper: object
    lid_indices: list[int]
    skin: dict[str, np.ndarray]


_SCENES: dict[float, _Scene] = {}


def _scene(zoom: float) -> _Scene:
    from tools.takegen.warps import MeshWarper

    if zoom not in _SCENES:
        portrait = load_portrait(*FRAME_SIZE, zoom=zoom)
        lids = [i for eye in (portrait.eye_left, portrait.eye_right) for i in eye.upper + eye.lower]
        skin = {}
        for side, eye in (("left", portrait.eye_left), ("right", portrait.eye_right)):
            above = portrait.landmarks[list(eye.upper), :2].mean(axis=0)
            skin[side] = sample_skin(portrait.image, above - (0, SKIN_ABOVE_EYE_IOD * portrait.iod_px))
        _SCENES[zoom] = _Scene(portrait, MeshWarper(portrait), lids, skin)
    return _SCENES[zoom]


def _speech_track(spec: TakeSpec, times: np.ndarray):
    """Mixed audio samples, per-line truth, and the on-camera mouth envelope per frame."""
    total = int(round(spec.duration_s * SAMPLE_RATE))
    mix = np.zeros(total, dtype=np.float32)
    lines, mouth = [], np.zeros_like(times)
    for line in spec.speech:
        spoken = synthesise(line.text, line.voice, line.words_per_minute)
        first = int(round(line.start_s * SAMPLE_RATE))
        stop = min(total, first + spoken.samples.size)
        mix[first:stop] += spoken.samples[: stop - first]
        lines.append({"speaker": line.speaker, "text": line.text,
                      "start_s": round(first / SAMPLE_RATE, 6), "end_s": round(stop / SAMPLE_RATE, 6),
                      "on_camera": line.on_camera})
        if line.on_camera:
            mouth = np.maximum(mouth, speech_envelope(spoken.samples, SAMPLE_RATE, times - first / SAMPLE_RATE))
    peak = np.abs(mix).max()
    if peak > 0.98:
        mix *= 0.98 / peak
    return mix, lines, mouth


def _idle_clock(times: np.ndarray, holds: np.ndarray) -> np.ndarray:
    """Time that stops inside holds, so idle sway freezes where it is instead of jumping.

    The interval from one frame to the next is still when it starts inside the hold: the pose
    stops changing at the hold's first frame and changes again right after its last, so the
    stillness spans exactly [start, end] as the truth says (counting the interval by the frame
    it ends on would freeze the frame before the hold and move the one before it ends)."""
    step = np.diff(times, prepend=times[0])
    held_before = np.concatenate([[0.0], holds[:-1]])
    return np.cumsum(step * (1 - held_before))


def _frame_displacement(scene: _Scene, spec: TakeSpec, levels: dict, i: int, idle_t: float,
                        phases: np.ndarray, mouth_level: float) -> np.ndarray:
    warper, iod = scene.warper, scene.portrait.iod_px
    s = STRENGTHS
    total = warper.zero()
    idle = spec.idle_sway_px
    if idle > 0:
        dx = idle * np.sin(2 * np.pi * 0.31 * idle_t + phases[0])
        dy = 0.6 * idle * np.sin(2 * np.pi * 0.23 * idle_t + phases[1])
        total += warper.translate_head(dx, dy)
        gain = idle / 1.2
        total += warper.head_yaw(gain * s.idle_yaw_deg * np.sin(2 * np.pi * 0.53 * idle_t + phases[2]))
        total += warper.brow_raise(gain * s.idle_brow_iod * iod * np.sin(2 * np.pi * 0.83 * idle_t + phases[3]),
                                   scene.lid_indices)
        total += warper.lip_corner("left", gain * s.idle_corner_iod * iod * np.sin(2 * np.pi * 0.71 * idle_t + phases[4]))
    jaw = 0.0
    for action, values in levels.items():
        level = values[i]
        if level <= 0:
            continue
        if action.kind == "brow_raise":
            total += warper.brow_raise(s.brow_raise_iod * iod * level * action.amount, scene.lid_indices)
        elif action.kind == "brow_furrow":
            total += warper.brow_furrow(s.brow_furrow_iod * iod * level * action.amount, scene.lid_indices)
        elif action.kind == "half_smile":
            sides = ("left", "right") if action.side == "both" else (action.side,)
            for side in sides:
                total += warper.lip_corner(side, s.lip_corner_iod * iod * level * action.amount)
        elif action.kind == "head_turn":
            sign = 1.0 if action.direction == "left" else -1.0
            total += warper.head_yaw(sign * action.degrees * level)
        elif action.kind in ("false_start", "mouth_open"):
            jaw = max(jaw, s.jaw_open_iod * level * action.amount)
    jaw = max(jaw, s.speech_jaw_open_iod * mouth_level)
    jaw_displacement = warper.jaw_open(jaw * iod) if jaw > 0 else None
    return total, jaw_displacement


def _eye_closure(levels: dict, i: int, side: str) -> float:
    closure = 0.0
    for action, values in levels.items():
        if action.kind in ("blink", "partial_blink", "eyes_closed") and action.side in (side, "both"):
            closure = max(closure, values[i] * action.amount)
    return closure


def _gaze_shift_px(levels: dict, i: int, iod_px: float) -> float:
    """Iris shift this frame, pixels; + = toward the actor's own left = image right."""
    shift = 0.0
    for action, values in levels.items():
        if action.kind == "gaze_shift" and values[i] > 0:
            sign = 1.0 if action.direction == "left" else -1.0
            shift += sign * STRENGTHS.gaze_shift_iod * iod_px * action.amount * values[i]
    return shift


def _lean_matrix(levels: dict, i: int, width: int, height: int) -> np.ndarray | None:
    scale = 1.0
    for action, values in levels.items():
        if action.kind == "lean" and values[i] > 0:
            sign = 1.0 if action.direction == "toward" else -1.0
            scale += sign * STRENGTHS.lean_scale * action.amount * values[i]
    if scale == 1.0:
        return None
    # Scale about a point above the face: leaning in, the head grows and drops a little.
    px, py = width / 2, 0.3 * height
    return np.array([[scale, 0, px * (1 - scale)], [0, scale, py * (1 - scale)]])


def render_frames(spec: TakeSpec, times: np.ndarray, levels: dict, mouth: np.ndarray):
    """Yield the take's RGB frames."""
    import cv2

    scene = _scene(spec.zoom)
    portrait = scene.portrait
    rng = np.random.default_rng(spec.seed)
    phases = rng.uniform(0, 2 * np.pi, 5)
    holds = np.zeros_like(times)
    for action, values in levels.items():
        if action.kind == "hold":
            holds = np.maximum(holds, values)
    idle_clock = _idle_clock(times, holds)
    width, height = portrait.size
    rest_lip = portrait.landmarks[INNER_LIP_LOWER, :2]
    # A bank of noise frames drawn once, picked per frame: the same statistics at a fraction
    # of the cost of drawing fresh noise for every frame.
    noise_bank = rng.normal(0, spec.sensor_noise, (NOISE_BANK_SIZE, height, width, 3)).astype(np.float32)
    for i in range(times.size):
        displacement, jaw_displacement = _frame_displacement(
            scene, spec, levels, i, idle_clock[i], phases, mouth[i])
        if jaw_displacement is not None:
            displacement = displacement + jaw_displacement
        image = scene.warper.apply(portrait.image, displacement)
        moved = portrait.landmarks[:, :2] + displacement[: portrait.landmarks.shape[0]]
        if jaw_displacement is not None:
            lip_closed = rest_lip + (displacement - jaw_displacement)[INNER_LIP_LOWER]
            image = paint_mouth_gap(image, lip_closed, moved[INNER_LIP_LOWER])
        gaze_px = _gaze_shift_px(levels, i, portrait.iod_px)
        for eye in (portrait.eye_left, portrait.eye_right):
            image = shift_iris(image, moved[list(eye.upper)], moved[list(eye.lower)], gaze_px)
        for side, eye in (("left", portrait.eye_left), ("right", portrait.eye_right)):
            closure = _eye_closure(levels, i, side)
            if closure > 0:
                image = paint_lid(image, moved[list(eye.upper)], moved[list(eye.lower)], closure,
                                  scene.skin[side], portrait.iod_px)
        matrix = _lean_matrix(levels, i, width, height)
        if matrix is not None:
            image = cv2.warpAffine(image, matrix, (width, height), flags=cv2.INTER_LINEAR,
                                   borderMode=cv2.BORDER_REFLECT)
        if spec.sensor_noise > 0:
            noise = noise_bank[rng.integers(NOISE_BANK_SIZE)]
            image = np.clip(image + noise, 0, 255).astype(np.uint8)
        yield image


def plan(spec: TakeSpec) -> tuple[np.ndarray, dict[Action, np.ndarray]]:
    """Frame times and each action's per-frame envelope."""
    times = frame_times(spec.fps, spec.duration_s)
    return times, {action: envelope(action, times, spec.fps) for action in spec.actions}


def truth_of(spec: TakeSpec, times: np.ndarray, levels: dict, lines: list[dict]) -> dict:
    """The ground-truth document (without the `verified` block)."""
    events = [e for a, v in levels.items() if (e := truth_event(a, times, v)) is not None]
    for line in lines:
        events.append({"kind": "speech", "start_s": line["start_s"], "end_s": line["end_s"],
                       "label": line["speaker"]})
    latency = None
    ordered = sorted(lines, key=lambda line: line["start_s"])
    for cue, reply in zip(ordered, ordered[1:], strict=False):
        if cue["speaker"] != reply["speaker"] and reply["on_camera"]:
            latency = round(reply["start_s"] - cue["end_s"], 6)
            events.append({"kind": "hesitation", "start_s": cue["end_s"], "end_s": reply["start_s"],
                           "latency_s": latency, "label": f"{cue['speaker']} -> {reply['speaker']}"})
            break
    events.sort(key=lambda e: (e["start_s"], e["kind"]))
    return {
        "take": spec.name,
        "fps": spec.fps,
        "duration_s": round(times.size / spec.fps, 6),
        "frame_count": int(times.size),
        "frame_size": list(FRAME_SIZE),
        "beat_marks": spec.beat_marks,
        "sides": "actor's own: left = image right (frontal, non-mirrored camera)",
        "time_convention": "frame PTS; start = first frame showing the action, end = first frame after it (exclusive)",
        "events": events,
        "speech": lines,
        "latency_s": latency,
        "spec": spec.model_dump(mode="json"),
    }


def render_take(spec: TakeSpec, out_path: Path | str) -> dict:
    """Render `spec` to `out_path` (MP4) and return its ground truth (not yet verified)."""
    from rehearse.video.audio import Audio
    from rehearse.video.writer import write_video

    times, levels = plan(spec)
    audio, lines, mouth = (_speech_track(spec, times) if spec.speech
                           else (None, [], np.zeros_like(times)))
    write_video(out_path, render_frames(spec, times, levels, mouth), fps=spec.fps,
                audio=Audio(audio, SAMPLE_RATE, 0.0) if audio is not None else None, crf=spec.crf)
    return truth_of(spec, times, levels, lines)
