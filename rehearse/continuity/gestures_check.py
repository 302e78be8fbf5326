"""Verify the breakdown's tracked gestures in a take: found, missing, early, late or wrong side.

Each `TrackedGesture` names a detector (`kind`), the actor's own side, a beat and an onset
window after the beat starts (plus a tolerance). The take's gesture events are searched over
the whole beat (widened by the tolerance) so an early or late gesture is reported as such
rather than as missing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rehearse.analysis.events.model import Event
from rehearse.breakdown.models import TrackedGesture
from rehearse.continuity.flags import DriftFlag, gesture_phrase, severity_for, side_word, take_name

EVENT_LABELS: dict[str, tuple[str, ...]] = {
    "hand_to_face": ("hand_to_face",),
    "hand_to_collar": ("hand_to_collar",),
    "hand_raise": ("hand_raise",),
    "lean": ("lean_toward", "lean_away"),
    "shoulder_turn": ("shoulder_turn",),
    "head_turn": ("head_turn",),
    "nod": ("nod",),
    "shake": ("shake",),
}
"""Tracked-gesture kind -> gesture event labels that show it (`other` cannot be verified)."""

SIDE_FLAG_KIND = {"hand": "hand_side", "head": "head_turn", "shoulders": "shoulder", "torso": "lean"}


@dataclass(frozen=True)
class GestureCheck:
    """The verdict on one tracked gesture in one take."""

    gesture: str
    """Tracked gesture id."""
    status: str
    """`found`, `missing`, `early`, `late`, `wrong_side` or `unverifiable`."""
    beat: str
    beat_start_s: float
    window: tuple[float, float]
    """Expected onset window in the take, absolute seconds."""
    onset_s: float | None = None
    """Onset of the matching gesture in the take, seconds."""
    side: str | None = None
    """Side of the matching gesture (actor's own)."""


def _side_of(gesture: TrackedGesture) -> str:
    return str(getattr(gesture.side, "value", gesture.side))


def _side_ok(wanted: str, found: str | None) -> bool:
    return wanted in ("either",) or found == wanted or (wanted == "both" and found == "both")


def check_gesture(gesture: TrackedGesture, events: Sequence[Event],
                  beat_spans: Mapping[str, tuple[float, float]]) -> GestureCheck:
    """Verdict for one tracked gesture against a take's events and beat spans (absolute s)."""
    span = beat_spans.get(gesture.beat)
    if span is None:
        return GestureCheck(gesture.id, "unverifiable", gesture.beat, 0.0, (0.0, 0.0))
    start, end = span
    window_start = start + gesture.window_start
    window_end = start + gesture.window_end if gesture.window_end is not None else end
    labels = EVENT_LABELS.get(gesture.kind)
    if not labels:
        return GestureCheck(gesture.id, "unverifiable", gesture.beat, start, (window_start, window_end))
    tol = gesture.tolerance
    candidates = [e for e in events if e.kind == "gesture" and e.label in labels
                  and start - tol <= e.start_s < end + tol]
    if not candidates:
        return GestureCheck(gesture.id, "missing", gesture.beat, start, (window_start, window_end))

    def distance(event: Event) -> float:
        return max(window_start - event.start_s, 0.0, event.start_s - window_end)

    wanted = _side_of(gesture)
    checks_side = wanted not in ("either",) and gesture.kind != "lean"
    right_side = [e for e in candidates if not checks_side or _side_ok(wanted, e.side)]
    best = min(right_side or candidates, key=distance)
    status = "found"
    if checks_side and not right_side:
        status = "wrong_side"
    elif best.start_s < window_start - tol:
        status = "early"
    elif best.start_s > window_end + tol:
        status = "late"
    return GestureCheck(gesture.id, status, gesture.beat, start, (window_start, window_end),
                        best.start_s, best.side)


def tracked_gesture_flags(take_label: str, who: str, gestures: Sequence[TrackedGesture],
                          events: Sequence[Event], beat_spans: Mapping[str, tuple[float, float]],
                          high_factor: float = 2.5) -> list[DriftFlag]:
    """Flags for every tracked gesture not found as the breakdown describes it."""
    flags = []
    for gesture in gestures:
        check = check_gesture(gesture, events, beat_spans)
        if check.status in ("found", "unverifiable"):
            continue
        w0, w1 = check.window
        window_words = (f"{gesture.window_start:.1f}-"
                        f"{gesture.window_end:.1f} s" if gesture.window_end is not None
                        else f"from {gesture.window_start:.1f} s") + f" into {gesture.beat}"
        values: dict[str, float | str] = {
            "gesture": gesture.id, "status": check.status, "expected_side": _side_of(gesture),
            "window_start_s": round(w0, 3), "window_end_s": round(w1, 3), "tolerance_s": gesture.tolerance,
        }
        name = take_name(take_label)
        if check.status == "missing":
            kind, severity = "missing", "high"
            message = (f"{name}, {gesture.beat}: tracked gesture `{gesture.id}` ({gesture.description}) "
                       f"not seen; {who} should make it {window_words}.")
        elif check.status == "wrong_side":
            kind = SIDE_FLAG_KIND.get(gesture.body_part, "hand_side")
            severity = "high"
            values["take_side"] = check.side or "unknown"
            label = EVENT_LABELS[gesture.kind][0]
            message = (f"{name}, {gesture.beat}: {gesture_phrase(label, check.side, who)} at "
                       f"{check.onset_s:.1f} s; the breakdown's `{gesture.id}` is to the "
                       f"{side_word(_side_of(gesture))} ({gesture.description}).")
        else:
            kind = "timing"
            off = (w0 - check.onset_s) if check.status == "early" else (check.onset_s - w1)
            severity = severity_for(off, gesture.tolerance, high_factor)
            values["off_by_s"] = round(off, 3)
            message = (f"{name}, {gesture.beat}: `{gesture.id}` starts at {check.onset_s:.1f} s, "
                       f"{off:.2f} s {'before' if check.status == 'early' else 'after'} its window "
                       f"({window_words}, ± {gesture.tolerance:.2f} s).")
        if check.onset_s is not None:
            values["take_onset_s"] = round(check.onset_s, 3)
            values["onset_into_beat_s"] = round(check.onset_s - check.beat_start_s, 3)
        flags.append(DriftFlag(kind=kind, severity=severity, beat=gesture.beat, take=take_label,
                               reference="breakdown", reference_s=round(w0, 3),
                               take_s=check.onset_s if check.onset_s is not None else round(w0, 3),
                               values=values, message=message))
    return flags
