"""What a take contains: timed actions and speech lines (frozen models), plus short constructors.

Sides and directions are the actor's own: `left` is the IMAGE RIGHT for a frontal,
non-mirrored camera. A head turn `direction="left"` moves the nose toward the image right.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ActionKind = Literal[
    "blink", "partial_blink", "eyes_closed", "brow_raise", "brow_furrow", "half_smile",
    "head_turn", "lean", "hold", "false_start", "mouth_open", "gaze_shift",
]
Side = Literal["left", "right", "both"]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Action(Frozen):
    """One timed movement. Its envelope ramps in over `ramp_in_s`, holds, ramps out over `ramp_out_s`."""

    kind: ActionKind
    """What moves (see the module docstring of `tools.takegen.render` for each warp)."""
    start_s: float
    """When the movement begins, seconds from the first frame."""
    end_s: float
    """When it is fully back at rest (for `hold`: when stillness ends)."""
    side: Side = "both"
    """Actor's own side for eyes and lip corners; `both` for both eyes."""
    amount: float = 1.0
    """Peak strength, 0-1 (a partial blink of 0.5 closes the eye half way)."""
    direction: Literal["left", "right", "toward", "away"] | None = None
    """Head turn and gaze shift: actor's own left/right. Lean: toward/away from camera."""
    degrees: float = 20.0
    """Head turn angle at the peak, degrees."""
    ramp_in_s: float = 0.2
    """Time from rest to the peak, seconds."""
    ramp_out_s: float = 0.2
    """Time from the end of the peak back to rest, seconds."""


class SpeechLine(Frozen):
    """A spoken line, synthesised with espeak-ng and placed so its trimmed speech starts at `start_s`."""

    speaker: str
    """Character name (e.g. Ana, Maya)."""
    text: str
    """What is said."""
    start_s: float
    """Where the first audible sample lands, seconds."""
    voice: str = "en"
    """espeak-ng voice (`-v`), e.g. en+f3."""
    words_per_minute: int = 165
    """espeak-ng speed (`-s`)."""
    on_camera: bool = False
    """True when the filmed actor speaks: her mouth opens with the syllables."""


class TakeSpec(Frozen):
    """Everything needed to render one take reproducibly."""

    name: str
    """Take name, e.g. 01-1A-1 (the file stem)."""
    fps: float = 24.0
    """Frame rate, frames per second (constant)."""
    duration_s: float = 4.0
    """Length of the take, seconds."""
    beat_marks: dict[str, float] = Field(default_factory=dict)
    """Beat id -> start time in the take, seconds."""
    actions: tuple[Action, ...] = ()
    """Timed movements."""
    speech: tuple[SpeechLine, ...] = ()
    """Spoken lines (audio track; on-camera lines also move the mouth)."""
    idle_sway_px: float = 1.2
    """Amplitude of the slow idle head drift outside holds, pixels (a live face is never still)."""
    sensor_noise: float = 1.5
    """Standard deviation of per-frame pixel noise, grey levels."""
    zoom: float = 1.0
    """Framing: 1 = close-up (head and shoulders); larger = tighter on the eyes."""
    seed: int = 0
    """Seed for the sway phase and sensor noise."""
    crf: int = 28
    """H.264 constant rate factor."""


def blink(at_s: float, side: Side = "both", close_s: float = 0.075, open_s: float = 0.15) -> Action:
    """A full blink whose apex (fully shut) lands on the frame nearest `at_s`."""
    return Action(kind="blink", start_s=at_s - close_s, end_s=at_s + open_s, side=side,
                  ramp_in_s=close_s, ramp_out_s=open_s)


def partial_blink(at_s: float, amount: float = 0.5, side: Side = "both") -> Action:
    """A blink that closes the eye only to `amount` (0.5 = half way)."""
    return Action(kind="partial_blink", start_s=at_s - 0.075, end_s=at_s + 0.15, side=side,
                  amount=amount, ramp_in_s=0.075, ramp_out_s=0.15)


def eyes_closed(start_s: float, end_s: float, side: Side = "both") -> Action:
    """Eyes shut from `start_s` (closing) to `end_s` (open again)."""
    return Action(kind="eyes_closed", start_s=start_s, end_s=end_s, side=side,
                  ramp_in_s=0.08, ramp_out_s=0.15)


def hold(start_s: float, end_s: float) -> Action:
    """Stillness: no idle sway and no movement between `start_s` and `end_s`."""
    return Action(kind="hold", start_s=start_s, end_s=end_s, ramp_in_s=0, ramp_out_s=0)


def brow_raise(start_s: float, end_s: float, amount: float = 1.0) -> Action:
    return Action(kind="brow_raise", start_s=start_s, end_s=end_s, amount=amount)


def brow_furrow(start_s: float, end_s: float, amount: float = 1.0) -> Action:
    return Action(kind="brow_furrow", start_s=start_s, end_s=end_s, amount=amount)


def half_smile(start_s: float, end_s: float, side: Side = "left", amount: float = 1.0) -> Action:
    """One lip corner up and out, on the actor's own `side`."""
    return Action(kind="half_smile", start_s=start_s, end_s=end_s, side=side, amount=amount,
                  ramp_in_s=0.3, ramp_out_s=0.3)


def head_turn(start_s: float, end_s: float, direction: Literal["left", "right"] = "left",
              degrees: float = 20.0) -> Action:
    """Head yaw toward the actor's own `direction`, held, then back."""
    return Action(kind="head_turn", start_s=start_s, end_s=end_s, direction=direction,
                  degrees=degrees, ramp_in_s=0.35, ramp_out_s=0.35)


def lean(start_s: float, end_s: float, direction: Literal["toward", "away"] = "toward",
         amount: float = 1.0) -> Action:
    """Whole-frame scale and shift of the head and shoulders: leaning toward or away from camera."""
    return Action(kind="lean", start_s=start_s, end_s=end_s, direction=direction, amount=amount,
                  ramp_in_s=0.4, ramp_out_s=0.4)


def false_start(start_s: float, end_s: float) -> Action:
    """The mouth opens and closes without a sound."""
    return Action(kind="false_start", start_s=start_s, end_s=end_s, ramp_in_s=0.08, ramp_out_s=0.1)


def gaze_shift(start_s: float, end_s: float, direction: Literal["left", "right"] = "left",
               amount: float = 1.0) -> Action:
    """Both irises slide toward the actor's own `direction` (painted: the eye content moves)."""
    return Action(kind="gaze_shift", start_s=start_s, end_s=end_s, direction=direction,
                  amount=amount, ramp_in_s=0.06, ramp_out_s=0.1)
