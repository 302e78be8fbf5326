"""Gestures matched one to one between a take and the reference: missing, extra, side-swapped
and moved gestures (`gesture_flags`), part of `compare.compare_takes`.

A gesture counts as made when the movement is there even if the detector's threshold was not
crossed in this take (`movement.movement_made`); a moved onset is timed on the whole movement's
lag, not on threshold crossings, which move with amplitude.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rehearse.analysis.events.model import Event
from rehearse.continuity.flags import (
    DriftFlag,
    beat_flag,
    beat_place,
    gesture_phrase,
    severity_for,
    side_word,
    span_at,
)
from rehearse.continuity.movement import (
    HAND_GESTURES,
    movement_made,
    movement_shift,
    path_similarity,
)

if TYPE_CHECKING:
    from rehearse.continuity.align import Alignment
    from rehearse.continuity.compare import ComparedTake
    from rehearse.continuity.settings import DriftSettings

MATCHED_GESTURES = ("hand_to_face", "hand_to_collar", "hand_raise", "head_turn", "shoulder_turn", "nod", "shake",
                    "lean_toward", "lean_away")
"""Gesture labels matched one to one between takes."""
LEAN_LABELS = ("lean_toward", "lean_away")
"""A lean missing or added is a `lean` flag; its onset is not timed (a lean builds slowly)."""
SIDE_KIND = {"head_turn": "head_turn", "shoulder_turn": "shoulder"}


def gesture_flags(reference: ComparedTake, other: ComparedTake, alignment: Alignment, settings: DriftSettings) -> list[DriftFlag]:
    """Missing, extra, side-swapped and moved gestures."""
    ref_gestures = _gestures(reference, settings)
    take_gestures = _gestures(other, settings)
    unmatched = list(take_gestures)
    flags = []
    for ref_event in ref_gestures:
        span = span_at(alignment, ref_event.start_s)
        expected = alignment.to_take(ref_event.start_s)
        candidates = [e for e in unmatched if e.label == ref_event.label
                      and abs(e.start_s - expected) <= settings.match_window_s
                      and not _owned_by_another(e, ref_event, ref_gestures, alignment)]
        if not candidates:
            if movement_made(reference, ref_event, other, alignment.to_take, settings.match_window_s):
                continue  # made, just under the detector's threshold in this take
            flags.append(beat_flag("lean" if ref_event.label in LEAN_LABELS else "missing", "high", span, other, reference, ref_event.start_s, expected,
                               {"gesture": ref_event.label or "", "reference_side": ref_event.side or ""},
                               f"{beat_place(other, span)}: gesture missing — in reference take {reference.label} "
                               f"{gesture_phrase(ref_event.label, ref_event.side, other.who)} at "
                               f"{ref_event.start_s:.1f} s; nothing like it near {expected:.1f} s here."))
            continue
        match = min(candidates, key=lambda e: (e.side != ref_event.side, abs(e.start_s - expected)))
        unmatched.remove(match)
        shift = match.start_s - expected
        lag = movement_shift(reference, ref_event, other, match, alignment, settings.match_window_s)
        if lag is not None:
            # Threshold crossings move with amplitude and ramp; the whole movement's lag does not.
            shift = lag
        values: dict[str, float | str] = {
            "gesture": ref_event.label, "reference_side": ref_event.side or "", "take_side": match.side or "",
            "reference_onset_s": round(ref_event.start_s, 3), "take_onset_s": round(match.start_s, 3),
            "onset_shift_ms": round(shift * 1000, 1),
        }
        if span is not None:
            values["reference_into_beat_s"] = round(ref_event.start_s - span.ref_start, 3)
            values["take_into_beat_s"] = round(match.start_s - span.take_start, 3)
        if match.side != ref_event.side and ref_event.side in ("left", "right", "both"):
            kind = "hand_side" if ref_event.label in HAND_GESTURES else SIDE_KIND.get(ref_event.label, "hand_side")
            similarity = path_similarity(reference, ref_event, other, match, settings.dtw_window_fraction, True)
            if similarity is not None:
                values["mirrored_similarity"] = similarity
            flags.append(beat_flag(kind, "high", span, other, reference, ref_event.start_s, match.start_s, values,
                               f"{beat_place(other, span)}: {gesture_phrase(match.label, match.side, other.who)} at "
                               f"{match.start_s:.1f} s; reference take {reference.label} "
                               f"{_side_clause(ref_event)} at {ref_event.start_s:.1f} s."))
            continue
        similarity = path_similarity(reference, ref_event, other, match, settings.dtw_window_fraction, False)
        if similarity is not None:
            values["similarity"] = similarity
        if abs(shift) > settings.onset_tolerance_s and ref_event.label not in LEAN_LABELS:
            into = (f" ({values['take_into_beat_s']:.2f} s into the beat, reference "
                    f"{values['reference_into_beat_s']:.2f} s)") if span is not None else ""
            flags.append(beat_flag("timing", severity_for(abs(shift), settings.onset_tolerance_s, settings.severity_high_factor),
                               span, other, reference, ref_event.start_s, match.start_s, values,
                               f"{beat_place(other, span)}: {gesture_phrase(match.label, match.side, other.who)} "
                               f"{abs(shift):.2f} s {'late' if shift > 0 else 'early'} at {match.start_s:.1f} s"
                               f"{into}; reference take {reference.label} at {ref_event.start_s:.1f} s."))
    for event in unmatched:
        if movement_made(other, event, reference, alignment.to_ref, settings.match_window_s):
            continue
        span = alignment.span_for_take(event.start_s) or (alignment.spans[0] if alignment.spans else None)
        flags.append(beat_flag("lean" if event.label in LEAN_LABELS else "extra", "medium", span, other, reference, None, event.start_s,
                           {"gesture": event.label or "", "take_side": event.side or ""},
                           f"{beat_place(other, span)}: {gesture_phrase(event.label, event.side, other.who)} at "
                           f"{event.start_s:.1f} s; reference take {reference.label} has no such gesture here."))
    return flags


def _owned_by_another(candidate: Event, ref_event: Event, ref_gestures: list[Event], alignment: Alignment) -> bool:
    """A gesture on the other side than `ref_event` that another reference gesture of its own label
    and side lies nearer to (a turn back the other way just after): that one's, not a swap of this."""
    if candidate.side == ref_event.side:
        return False
    distance = abs(candidate.start_s - alignment.to_take(ref_event.start_s))
    return any(other is not ref_event and other.label == candidate.label and other.side == candidate.side
               and abs(candidate.start_s - alignment.to_take(other.start_s)) < distance for other in ref_gestures)


def _gestures(take: ComparedTake, settings: DriftSettings) -> list[Event]:
    """Matchable gestures; shoulder turns only where the pose was tracked with confidence."""
    out = []
    for event in take.events:
        if event.kind != "gesture" or event.label not in MATCHED_GESTURES:
            continue
        if event.label == "shoulder_turn":
            trusted = take.body_trusted(event.start_s, event.end_s + 1e-6, settings.min_body_confidence)
            if trusted is None or not trusted.any():
                continue
        out.append(event)
    return out


def _side_clause(event: Event) -> str:
    phrase = gesture_phrase(event.label, event.side, "X")[2:]
    if event.label in HAND_GESTURES:
        return f"uses the {side_word(event.side)} hand" if event.side != "both" else "uses both hands"
    return phrase
