"""The sample production's takes: scene 01 shot 1A (takes 1-3) and scene 03 shot 3B (take 1).

Names, frame rates, durations and beat marks are fixed: `scenes/*.yaml` refers to them.
Take 3 of 1A drifts on purpose (rushed hold, head turn to the actor's own RIGHT, no
half-smile, one extra blink) so continuity checks have something real to find.
"""

from __future__ import annotations

from tools.takegen.spec import (
    SpeechLine,
    TakeSpec,
    blink,
    brow_furrow,
    brow_raise,
    eyes_closed,
    false_start,
    gaze_shift,
    half_smile,
    head_turn,
    hold,
    lean,
    partial_blink,
)

BEATS_01_1A = {"b1": 0.0, "b2": 1.5, "b3": 4.5, "b4": 6.5}
BEATS_03_3B = {"b1": 0.0, "b2": 3.0}
CUE = "Did you sign it?"
REPLY = "Of course I did."
ANA_VOICE = "en+f3"
MAYA_VOICE = "en+f4"


def _scene_01(take: int, cue_at: float, reply_at: float, actions: tuple) -> TakeSpec:
    return TakeSpec(
        name=f"01-1A-{take}", fps=24.0, duration_s=8.0, beat_marks=BEATS_01_1A, seed=take,
        actions=actions,
        speech=(
            SpeechLine(speaker="Ana", text=CUE, start_s=cue_at, voice=ANA_VOICE),
            SpeechLine(speaker="Maya", text=REPLY, start_s=reply_at, voice=MAYA_VOICE, on_camera=True),
        ),
    )


def take_01_1a_1() -> TakeSpec:
    """Hold 1.2 s, blink just before the lie, turn to her own left, half-smile a touch early."""
    return _scene_01(1, 0.25, 3.05, (
        blink(0.62),
        hold(1.55, 2.75),
        blink(2.85),
        brow_raise(4.6, 5.4),
        head_turn(5.5, 6.4, "left"),
        half_smile(6.55, 7.6, "left"),
        lean(6.7, 7.9, "toward"),
    ))


def take_01_1a_2() -> TakeSpec:
    """The circled take: hold 1.3 s, a soundless false start, blink, then the lie."""
    return _scene_01(2, 0.2, 3.35, (
        blink(0.7),
        hold(1.5, 2.8),
        false_start(2.85, 3.1),
        blink(3.2),
        brow_raise(4.65, 5.45),
        head_turn(5.55, 6.45, "left"),
        half_smile(6.75, 7.75, "left"),
        lean(6.8, 7.9, "toward"),
    ))


def take_01_1a_3() -> TakeSpec:
    """NG: hold rushed to 0.5 s, no blink before the lie, turn to her own RIGHT, no half-smile, extra blinks."""
    return _scene_01(3, 0.22, 2.1, (
        blink(0.6),
        hold(1.5, 2.0),
        blink(3.45),
        brow_raise(4.6, 5.4),
        head_turn(5.5, 6.4, "right"),
        blink(7.1),
        lean(6.8, 7.9, "toward"),
    ))


def take_03_3b_1() -> TakeSpec:
    """60 fps, framed tight on the eyes: partial, one-eye and on-the-word blinks, a glance, eyes shut, furrow, hold."""
    return TakeSpec(
        name="03-3B-1", fps=60.0, duration_s=6.0, beat_marks=BEATS_03_3B, seed=31, zoom=2.2,
        actions=(
            partial_blink(0.4, 0.5),
            brow_furrow(0.6, 1.5),
            blink(1.2, side="left"),
            gaze_shift(1.55, 1.95, "right"),  # a glance toward Tom as he starts
            blink(2.15),  # lands on "nothing", before Tom has finished the line
            eyes_closed(2.45, 3.2),
            hold(3.25, 5.25),
        ),
        speech=(
            SpeechLine(speaker="Tom", text="There's nothing here, May.", start_s=1.6, voice="en"),
            SpeechLine(speaker="Maya", text="I know.", start_s=5.35, voice=MAYA_VOICE, on_camera=True),
        ),
    )


SAMPLE_TAKES = {
    "01-1A-1": take_01_1a_1,
    "01-1A-2": take_01_1a_2,
    "01-1A-3": take_01_1a_3,
    "03-3B-1": take_03_3b_1,
}
