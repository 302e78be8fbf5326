"""Compare one take with the reference take, beat by beat: `compare_takes(reference, other) -> [DriftFlag]`.

Works on plain data (`ComparedTake`: events, signals, beat marks, framing and lighting samples), so
it is tested on synthetic landmark-level streams as well as on analysed video. Every time a flag
quotes is a time in its own take; tempo changes are removed by the alignment (align.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from rehearse.analysis.events.model import Event
from rehearse.analysis.tracks import SignalTrack
from rehearse.breakdown.models import Beat, TrackedGesture
from rehearse.continuity.align import Alignment, align_takes
from rehearse.continuity.flags import (
    DriftFlag,
    beat_flag,
    beat_place,
    expression_word,
    severity_for,
    side_word,
    span_at,
)
from rehearse.continuity.framing import framing_flags
from rehearse.continuity.gesture_match import gesture_flags
from rehearse.continuity.gestures_check import tracked_gesture_flags
from rehearse.continuity.lighting import LightingSample, lighting_flags
from rehearse.continuity.settings import DriftSettings


@dataclass(frozen=True)
class ComparedTake:
    """What the comparison needs of one take: plain data, no video."""

    label: str
    """Take label (`1A-2`) or file name."""
    events: Sequence[Event]
    """Detected events, times in this take's seconds."""
    signals: SignalTrack | None
    """Per-frame signals (for angles, trajectories and DTW); None if not available."""
    beat_marks: dict[str, float] = field(default_factory=dict)
    """Beat id -> start in this take, in seconds (empty: aligned by DTW)."""
    duration_s: float = 0.0
    """Length of the take, in seconds."""
    shot_size: str | None = None
    """Shot size (CU, MS ...), for the framing check."""
    who: str = "The actor"
    """Who the sentences name (the shot's subject)."""
    face_cut: np.ndarray | None = None
    """Per signal frame, True where a face-channel landmark is cut by the frame edge."""
    lighting: dict[str | None, LightingSample] = field(default_factory=dict)
    """Beat id -> light measured on the face in that beat."""
    body_confidence: np.ndarray | None = None
    """Per signal frame, pose confidence 0-1 (None: every frame trusted)."""

    def body_trusted(self, start: float, end: float, minimum: float) -> np.ndarray | None:
        """Mask of signal frames in [start, end) whose pose confidence reaches `minimum`."""
        if self.signals is None:
            return None
        times = self.signals.times
        inside = (times >= start) & (times < end)
        if self.body_confidence is not None:
            inside &= np.nan_to_num(np.asarray(self.body_confidence, dtype=float)) >= minimum
        return inside


def _events_in(events: Sequence[Event], kind: str, start: float, end: float) -> list[Event]:
    return [e for e in events if e.kind == kind and start <= e.start_s < end]


def hold_flags(reference: ComparedTake, other: ComparedTake, alignment: Alignment, settings: DriftSettings,
               beats: dict[str, Beat]) -> list[DriftFlag]:
    """The longest hold of each beat against the reference's (tempo removed) and the target."""
    flags = []
    for span in alignment.spans:
        beat = beats.get(span.beat or "")
        target = beat.hold if beat is not None else None
        if target is None and settings.holds_only_with_target:
            continue
        ref_hold, take_hold = _reference_hold(reference, span, settings), None
        if ref_hold is None:
            continue
        # Like with like: a face hold against face holds (body stillness is measured apart),
        # and the one that starts where the reference's does, not a later still moment.
        expected = span.to_take(ref_hold.start_s)
        take_hold = _longest_hold(other, max(span.take_start, expected - settings.match_window_s),
                                  min(span.take_end, expected + settings.match_window_s), settings, ref_hold.scope)
        ref_len = ref_hold.duration_s
        take_len = take_hold.duration_s if take_hold else 0.0
        drift = take_len / span.tempo - ref_len
        off_target = target is not None and abs(take_len - target.duration) > target.tolerance
        ref_on_target = target is None or abs(ref_len - target.duration) <= target.tolerance
        # On the director's target, only a larger difference from the reference is drift.
        tolerance = settings.hold_tolerance_s * (settings.hold_on_target_factor
                                                 if target is not None and not off_target else 1.0)
        if abs(drift) <= tolerance and not (off_target and ref_on_target):
            continue
        values: dict[str, float | str] = {"reference_hold_s": round(ref_len, 3), "take_hold_s": round(take_len, 3),
                                          "drift_s": round(drift, 3)}
        target_words = ""
        if target is not None:
            values["target_hold_s"] = target.duration
            values["target_tolerance_s"] = target.tolerance
            target_words = f" (target {target.duration:.1f} s ± {target.tolerance:.1f} s)"
        how = "rushed" if drift < 0 else "long"
        measured = f"lasts {take_len:.1f} s" if take_hold else "is gone"
        flags.append(beat_flag("hold", severity_for(drift, settings.hold_tolerance_s, settings.severity_high_factor),
                           span, other, reference, ref_hold.start_s,
                           take_hold.start_s if take_hold else span.to_take(ref_hold.start_s), values,
                           f"{beat_place(other, span)}: hold {how} — {other.who}'s hold {measured}"
                           f"{' from ' + format(take_hold.start_s, '.1f') + ' s' if take_hold else ''}; reference take "
                           f"{reference.label} held {ref_len:.1f} s from {ref_hold.start_s:.1f} s{target_words}."))
    return flags


def _reference_hold(reference: ComparedTake, span, settings: DriftSettings) -> Event | None:
    """The reference's hold in this beat: the beat's hold (`beat_hold`, the one rule), face
    before body; beat spans from DTW (no beat marks) have no id, so the onset's span decides."""
    from rehearse.analysis.events.beats import beat_hold

    if span.beat is None:
        return _longest_hold(reference, span.ref_start, span.ref_end, settings)
    return beat_hold(reference.events, span.beat, span.ref_start, span.ref_end, min_s=settings.min_hold_s)


def _longest_hold(take: ComparedTake, start: float, end: float, settings: DriftSettings,
                  scope: str | None = None) -> Event | None:
    """The longest hold starting in [start, end): face holds first, else body holds. For the
    compared take, the hold that matches the reference's (a window around its onset)."""
    # A hold settling a moment before the beat's mark still belongs to the beat.
    holds = [e for e in _events_in(take.events, "hold", start - settings.hold_tolerance_s, end)
             if e.duration_s >= settings.min_hold_s]
    scopes = [scope] if scope is not None else ["face", "body", None]
    for wanted in scopes:
        found = [e for e in holds if e.scope == wanted]
        if found:
            return max(found, key=lambda e: e.duration_s)
    return None


def _beat_mean(take: ComparedTake, name: str, start: float, end: float, min_confidence: float) -> float | None:
    if take.signals is None or name not in take.signals:
        return None
    trusted = take.body_trusted(start, end, min_confidence)
    values = np.asarray(take.signals[name], dtype=float)[trusted]
    values = values[~np.isnan(values)]
    if values.size < 3:
        return None
    low, high = np.percentile(values, [10, 90])
    trimmed = values[(values >= low) & (values <= high)]
    return float(np.mean(trimmed if trimmed.size else values))


ANGLE_CHECKS = (
    ("lean", "lean_forward", "lean toward camera", "lean_deg"),
    ("lean", "lean_side", "sideways lean", "lean_deg"),
    ("shoulder", "shoulder_turn", "shoulder turn", "shoulder_deg"),
)


def angle_flags(reference: ComparedTake, other: ComparedTake, alignment: Alignment, settings: DriftSettings) -> list[DriftFlag]:
    """Beat-mean lean and shoulder angles against the reference's."""
    flags = []
    for span in alignment.spans:
        for kind, name, words, setting in ANGLE_CHECKS:
            ref_value = _beat_mean(reference, name, span.ref_start, span.ref_end, settings.min_body_confidence)
            take_value = _beat_mean(other, name, span.take_start, span.take_end, settings.min_body_confidence)
            if ref_value is None or take_value is None:
                continue
            tolerance = getattr(settings, setting)
            change = take_value - ref_value
            if abs(change) <= tolerance:
                continue
            values = {f"reference_{name}_deg": round(ref_value, 1), f"take_{name}_deg": round(take_value, 1),
                      "change_deg": round(change, 1), "tolerance_deg": tolerance}
            middle = (span.take_start + span.take_end) / 2
            flags.append(beat_flag(kind, severity_for(change, tolerance, settings.severity_high_factor), span, other,
                               reference, (span.ref_start + span.ref_end) / 2, middle, values,
                               f"{beat_place(other, span)}: {other.who}'s {words} averages {take_value:+.1f}° "
                               f"against {ref_value:+.1f}° in reference take {reference.label} "
                               f"({change:+.1f}°)."))
    return flags


def blink_flags(reference: ComparedTake, other: ComparedTake, alignment: Alignment, settings: DriftSettings) -> list[DriftFlag]:
    """Blink counts and rates per beat against the reference's."""
    flags = []
    for span in alignment.spans:
        ref_blinks = _events_in(reference.events, "blink", span.ref_start, span.ref_end)
        take_blinks = _events_in(other.events, "blink", span.take_start, span.take_end)
        ref_minutes = max(span.ref_end - span.ref_start, 1e-6) / 60
        take_minutes = max(span.take_end - span.take_start, 1e-6) / 60
        ref_rate, take_rate = len(ref_blinks) / ref_minutes, len(take_blinks) / take_minutes
        count_change = len(take_blinks) - len(ref_blinks)
        if (abs(count_change) < settings.blink_count_change
                or abs(take_rate - ref_rate) < settings.blink_rate_change_per_min):
            continue
        times = ", ".join(f"{b.start_s:.1f}" for b in take_blinks) or "none"
        extra = "extra blink" if count_change == 1 else f"{count_change:+d} blinks"
        values = {"reference_blinks": float(len(ref_blinks)), "take_blinks": float(len(take_blinks)),
                  "reference_rate_per_min": round(ref_rate, 1), "take_rate_per_min": round(take_rate, 1)}
        first = take_blinks[0].start_s if take_blinks else span.take_start
        flags.append(beat_flag("blink_rate", "low" if abs(count_change) == 1 else "medium", span, other, reference,
                           ref_blinks[0].start_s if ref_blinks else span.ref_start, first, values,
                           f"{beat_place(other, span)}: {extra if count_change > 0 else 'fewer blinks'} — "
                           f"{len(take_blinks)} blink(s) (at {times} s), against {len(ref_blinks)} in reference "
                           f"take {reference.label}{_rates(take_rate, ref_rate, span.take_end - span.take_start)}."))
    return flags


def expression_flags(reference: ComparedTake, other: ComparedTake, alignment: Alignment, settings: DriftSettings,
                     beats: dict[str, Beat] | None = None) -> list[DriftFlag]:
    """Expressions of the reference that the take does not show near the same moment (in a
    scene, only those its beats list: see `expressions_from_breakdown`)."""
    flags = []
    wanted = None
    if beats and settings.expressions_from_breakdown:
        wanted = {}
        for span in alignment.spans:
            beat = beats.get(span.beat or "")
            if beat is not None:
                wanted[span] = set(beat.expressions)
    take_expressions = [e for e in other.events if e.kind == "expression"]
    for ref_event in reference.events:
        if ref_event.kind != "expression" or ref_event.duration_s < settings.expression_min_s:
            continue
        peak, threshold = ref_event.values.get("peak_displacement_iod"), ref_event.values.get("threshold_iod")
        if peak is None:  # read from blendshapes: the score's rise over rest, and the rise needed
            peak, threshold = (ref_event.values.get("peak_blendshape_score"),
                               ref_event.values.get("threshold_blendshape_score"))
        if peak is not None and threshold and abs(peak) < settings.expression_min_strength * threshold:
            continue
        span = span_at(alignment, ref_event.start_s)
        if wanted is not None:
            # The beat that lists the expression may start while it is already on the face.
            listing = [s for s, labels in wanted.items() if ref_event.label in labels
                       and s.ref_start < ref_event.end_s and ref_event.start_s < s.ref_end]
            if not listing:
                continue
            span = listing[0]
        start, end = alignment.to_take(ref_event.start_s), alignment.to_take(ref_event.end_s)
        near = [e for e in take_expressions if e.label == ref_event.label
                and e.start_s < end + settings.match_window_s and start - settings.match_window_s < e.end_s]
        word = expression_word(ref_event.label)
        if near and (ref_event.side is None or any(e.side == ref_event.side for e in near)):
            continue
        values = {"expression": ref_event.label or "", "reference_onset_s": round(ref_event.start_s, 3)}
        if near:
            values["take_side"] = near[0].side or ""
            message = (f"{beat_place(other, span)}: the {word} is on the {side_word(near[0].side)} at "
                       f"{near[0].start_s:.1f} s; reference take {reference.label} has it on the "
                       f"{side_word(ref_event.side)} at {ref_event.start_s:.1f} s.")
            take_s = near[0].start_s
        else:
            message = (f"{beat_place(other, span)}: the {word} is gone — reference take {reference.label} "
                       f"shows it at {ref_event.start_s:.1f} s (expected near {start:.1f} s here).")
            take_s = start
        flags.append(beat_flag("expression", "medium", span, other, reference, ref_event.start_s, take_s, values, message))
    return flags


def compare_takes(reference: ComparedTake, other: ComparedTake, *, settings: DriftSettings | None = None,
                  tracked_gestures: Sequence[TrackedGesture] = (), beats: Sequence[Beat] = ()) -> list[DriftFlag]:
    """Every drift of `other` against `reference`, in time order (tracked gestures are checked in `other`)."""
    settings = settings or DriftSettings()
    alignment = align_takes(reference.beat_marks, reference.duration_s, reference.signals,
                            other.beat_marks, other.duration_s, other.signals,
                            rate_hz=settings.dtw_rate_hz, window_fraction=settings.dtw_window_fraction)
    beat_map = {b.id: b for b in beats}
    tracked = tracked_gesture_flags(other.label, other.who, tracked_gestures, other.events,
                                    {s.beat: (s.take_start, s.take_end) for s in alignment.spans if s.beat},
                                    settings.severity_high_factor)
    flags = list(tracked)
    for found in gesture_flags(reference, other, alignment, settings):
        # The breakdown's verdict on a tracked gesture already says it; do not say it twice.
        if not any(t.kind == found.kind and t.beat == found.beat for t in tracked):
            flags.append(found)
    flags += hold_flags(reference, other, alignment, settings, beat_map)
    angles = angle_flags(reference, other, alignment, settings)
    # A lean measured as an angle says more than the lean gesture it also shows up as.
    leaning = {f.beat for f in angles if f.kind == "lean"}
    flags = [f for f in flags if not (f.kind == "lean" and f.beat in leaning)] + angles
    flags += blink_flags(reference, other, alignment, settings)
    flags += expression_flags(reference, other, alignment, settings, beat_map)
    flags += framing_flags(reference, other, alignment, settings)
    flags += lighting_flags(reference, other, alignment, settings)
    return sorted(flags, key=lambda f: (f.take_s if f.take_s is not None else -1.0, f.kind))


def _rates(take_rate: float, ref_rate: float, span_s: float) -> str:
    """` (14 vs 9 per minute)` over a beat long enough for a rate to mean something, else nothing
    (the counts already say it: one blink in 1.5 s is no "40 per minute")."""
    from rehearse.breakdown.timecode import MIN_RATE_SPAN_S

    return f" ({take_rate:.0f} vs {ref_rate:.0f} per minute)" if span_s >= MIN_RATE_SPAN_S else ""
