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
changed window changes the wait).
"""

from __future__ import annotations

from rehearse.analysis.event_settings import EventSettings
from rehearse.analysis.events import Event
from rehearse.analysis.events.gestures import settle_after_end_s as gesture_settle_s
from rehearse.analysis.face_signals import MOTION_MAX_SPAN_S
from rehearse.analysis.settings import SignalSettings

FACE, POSE, HANDS = "face", "pose", "hands"

FACE_GESTURES = ("head_turn", "nod", "shake")
"""Gestures read from the face alone (head yaw and pitch)."""
POSE_GESTURES = ("lean_toward", "lean_away", "shoulder_turn")
"""Gestures read from the torso (Pose) and the face's size (leans)."""

SIGNAL_REACH_S = MOTION_MAX_SPAN_S / 2
"""A frame's face speed is measured over a span of up to MOTION_MAX_SPAN_S centred on it."""


def reads(event: Event, body_from_energy: bool = True) -> tuple[str, ...]:
    """The inputs an event's detector reads: FACE, POSE, HANDS. A body hold reads the motion
    energy below the face when it was measured (`body_from_energy`), else Pose and the wrists."""
    if event.kind in ("blink", "eyes_closed"):
        return (FACE,)
    if event.kind == "hold":
        return (FACE,) if event.scope == "face" or body_from_energy else (FACE, POSE, HANDS)
    if event.kind == "expression":  # an expression under a hand is not read: hands too
        return (FACE, HANDS)
    if event.kind == "gesture":
        if event.label in FACE_GESTURES:
            return (FACE,)
        if event.label in POSE_GESTURES:
            return (FACE, POSE)
        return (FACE, POSE, HANDS)  # hand to face, collar, hand raise, tremor
    return (FACE, POSE, HANDS)


def decided_end_s(event: Event) -> float:
    """Where an event's settling is counted from: its end, or for an eye closure whose end was
    moved in to where the lids parted, where the score says the eyes opened (`score_end_s`):
    the end holds only if the lids do not meet again before that."""
    if event.kind == "eyes_closed":
        return max(event.end_s, float(event.values.get("score_end_s", event.end_s)))
    return event.end_s


def settle_after_end(event: Event, events: EventSettings, signals: SignalSettings, *,
                     geometry: bool = False) -> float:
    """How long (s) after its end an event's detector still reads frames that may change it.

    A hold: motion shorter than `bridge_s` does not end it, its speed is averaged over a centred
    `glitch_s` (the body's from Pose over `body_window_s` of `speed_span_s` differences) on
    spans of up to MOTION_MAX_SPAN_S, and its edge is fitted `edge_reach_s` either side.
    Blinks and eye closures: a face lost up to `max_gap_s` is bridged (from geometry, without
    blendshapes, the open EAR is read over a centred `local_window_s`), counted from
    `decided_end_s`. Expressions: scores are
    smoothed over a centred `smooth_s` and gaps up to `merge_gap_s` merged. Gestures: what
    `gestures.settle_after_end_s` says the detector reads (gaps bridged; a nod or shake waits for
    a next swing that may come, 2.65 s with the defaults), tremor's centred window besides."""
    if event.kind == "hold":
        hold = events.hold
        face = hold.bridge_s + hold.glitch_s / 2 + SIGNAL_REACH_S + hold.edge_reach_s
        if event.scope == "face":
            return face
        pose = hold.bridge_s + hold.body_window_s / 2 + hold.speed_span_s / 2
        return max(face, pose)
    if event.kind == "gesture":
        # What detect_gestures reads after an end, plus the signal's own reach: tremor is measured
        # over a centred window; the others (head yaw, torso angles, hand points) frame by frame.
        reach = signals.tremor_window_s / 2 if event.label == "tremor" else 0.0
        return gesture_settle_s(event.label or "", events.gesture) + reach
    if event.kind == "expression":
        expression = events.expression
        return max(expression.merge_gap_s + expression.smooth_s / 2, events.blink.max_gap_s) + SIGNAL_REACH_S
    # Blinks and closures: read against the open level of the frames before, and a face lost up
    # to max_gap_s is bridged. Without blendshapes (`geometry`) the open EAR is a centred window.
    blink = events.blink
    return blink.max_gap_s + SIGNAL_REACH_S + (blink.local_window_s / 2 if geometry else 0.0)
