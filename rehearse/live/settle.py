"""When a live event can no longer change: how far past its end each detector reads, and which inputs.

An offline detector decides an event's end from the frames around it: a centred window averages
a speed, a twitch shorter than a bridge does not end a hold, an edge is fitted a little either
side. Levels (a baseline, a still limit) are read over the frames before a frame's block
(`stream_levels`), never after it. So an event found on the frames up to t is the event the
whole take gives once t is at least `settle_after_end` past its end, and once the warm-up's
shared level is known (`stream_levels.warm_up_end_s`).

"Frames up to t" means frames whose inputs are final: the face path's every frame as it comes;
body signals only up to the newest Pose sample (offline interpolates between samples, so the
frames after the last one still change); hands only before the frames a hand found later may
still be walked back over (`LandmarkExtractor.unsettled`). `reads(event)` says which inputs a
kind's detector uses, `settle_after_end` how far past the end it reads (from the settings, so a
changed window changes the wait), or less where the detector names the time from which the event
can no longer change (`known_final`: a smile after its lips closed, a nod or shake once no next
swing can start).

Expressions read the hands only through `hand_cover`, which counts hands found going forward:
a walk-back fills only frames where no hand was found, so those hands are final on arrival and
an expression waits for the face alone. Body holds read from Pose read the hands only through
the wrists (`wrist_*`), which take the hand model's wrist only where it found the hand going
forward (Pose's elsewhere, walked-back frames included: `body_signals.hand_points`), so they wait
for Pose alone. Touches and tremor read every hand frame, walked-back ones too (the walk-back
gives a touch its onset where the palm detector missed it), and so do hand raises (a raise
overlapping a touch is not one): they wait for frames a later walk-back may still fill: none while
a hand is tracked after the event (a walk-back only fills frames after the last one with a hand),
up to `hands_backfill_s` after the last hand was seen otherwise.
"""

from __future__ import annotations

from rehearse.analysis.event_settings import EventSettings
from rehearse.analysis.events import Event
from rehearse.analysis.events.blinks import settle_after_end_s as blink_settle_s
from rehearse.analysis.events.expressions import settle_after_end_s as expression_settle_s
from rehearse.analysis.events.gestures import settle_after_end_s as gesture_settle_s
from rehearse.analysis.events.holds import settle_after_end_s as hold_settle_s
from rehearse.analysis.face_signals import MOTION_MAX_SPAN_S
from rehearse.analysis.settings import SignalSettings

FACE, POSE, HANDS = "face", "pose", "hands"

FACE_GESTURES = ("head_turn", "nod", "shake")
"""Gestures read from the face alone (head yaw and pitch)."""
POSE_GESTURES = ("lean_toward", "lean_away", "shoulder_turn")
"""Gestures read from the torso (Pose) and the face's size (leans)."""

SIGNAL_REACH_S = MOTION_MAX_SPAN_S / 2
"""A frame's face speed is measured over a span of up to MOTION_MAX_SPAN_S centred on it."""
ENERGY_REACH_S = 0.05
"""A frame's motion energy is interpolated between measurements over a frame and the next: one
frame ahead (at 20 fps or more)."""


def reads(event: Event, body_from_energy: bool = True) -> tuple[str, ...]:
    """The inputs an event's detector reads: FACE, POSE, HANDS. A body hold reads the motion
    energy below the face when it was measured (`body_from_energy`), else Pose and the wrists
    (a hand's wrist only where it was found going forward: final on arrival, no HANDS wait)."""
    if event.kind in ("blink", "eyes_closed"):
        return (FACE,)
    if event.kind == "hold":
        return (FACE,) if event.scope == "face" or body_from_energy else (FACE, POSE)
    if event.kind == "expression":  # the hand cover reads hands found going forward: final on arrival
        return (FACE,)
    if event.kind == "gesture":
        if event.label in FACE_GESTURES:
            return (FACE,)
        if event.label in POSE_GESTURES:
            return (FACE, POSE)
        return (FACE, POSE, HANDS)  # hand to face, collar, hand raise, tremor
    return (FACE, POSE, HANDS)


def decided_end_s(event: Event) -> float:
    """Where an event's settling is counted from: its end, or for an eye closure (or a blink that
    was one) whose end was moved in to where the lids parted, where the score says the eyes opened
    (`score_end_s`): the end holds only if the lids do not meet again before that."""
    if event.kind in ("blink", "eyes_closed"):
        return max(event.end_s, float(event.values.get("score_end_s", event.end_s)))
    return event.end_s


def known_final(event: Event, worst_s: float) -> float:
    """How long after `decided_end_s` its detector may still change the event: `worst_s` (what it
    reads after an end at most), or less where the detector said, from the frames it was given,
    the stream time from which the event can no longer change (`values["final_from_s"]`, the same
    on every stretch of frames holding that time: a smile whose lips closed, no laugh can join it;
    a nod or shake whose next swing can no longer start)."""
    known = event.values.get("final_from_s")
    if known is None:
        return worst_s
    return min(worst_s, max(0.0, float(known) - decided_end_s(event)))


def settle_after_end(event: Event, events: EventSettings, signals: SignalSettings, *,
                     geometry: bool = False, body_from_energy: bool = True) -> float:
    """How long (s) after its end an event's detector still reads frames that may change it.

    A hold: `holds.settle_after_end_s` (a twitch shorter than `bridge_s` is bridged, a still run
    may reach back over `edge_reach_s`, speeds are averaged over a centred window and compared
    with a limit read to the end of their block), plus the face speed's span.
    Blinks and eye closures: `blinks.settle_after_end_s` (the frame after the end, the open level
    half its window ahead, a lost face bridged), counted from `decided_end_s`, or what the event
    says it read (`final_from_s`). Expressions:
    `expressions.settle_after_end_s` (gaps merged, a centred smoothing; a smile waits for a laugh
    that may still join it, 1.225 s at most). Gestures: what
    `gestures.settle_after_end_s` says the detector reads (gaps bridged; a nod or shake waits for
    a next swing that may come, 2.2 s at most with the defaults), tremor's centred window besides.
    Less where the detector says when the event became final (`known_final`)."""
    if event.kind == "hold":
        # What detect_holds reads after an end, plus the signal's own reach: the face's speed over
        # a span centred on its frame; the motion energy below the face is measured between a frame
        # and the next (ENERGY_REACH_S); Pose's body signals are final once a later sample came.
        if event.scope == "face":
            return hold_settle_s("face", events.hold) + SIGNAL_REACH_S
        if body_from_energy:
            return hold_settle_s("body", events.hold, True) + ENERGY_REACH_S
        return hold_settle_s("body", events.hold, False)
    if event.kind == "gesture":
        # What detect_gestures reads after an end, plus the signal's own reach: tremor is measured
        # over a centred window; the others (head yaw, torso angles, hand points) frame by frame.
        reach = signals.tremor_window_s / 2 if event.label == "tremor" else 0.0
        return known_final(event, gesture_settle_s(event.label or "", events.gesture)) + reach
    if event.kind == "expression":  # scores and lip geometry are read frame by frame
        return known_final(event, expression_settle_s(event.label, events.expression))
    # Blinks and closures say when they are final from the frames they read (the frame after the
    # end, at any frame rate; the warm-up's last frame for one in the first second): taken as it
    # is, the worst case (10 fps or more, after the warm-up) only where an event does not say.
    known = event.values.get("final_from_s")
    if known is None:
        return blink_settle_s(events.blink, geometry)
    return max(0.0, float(known) - decided_end_s(event))
