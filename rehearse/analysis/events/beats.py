"""Aligning events to beats by the take's beat marks, and the per-beat summary (blinks, holds vs target, latencies)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING

from rehearse.analysis.events.model import BeatSummary, Event, HoldComparison

if TYPE_CHECKING:
    from rehearse.breakdown.models import Scene


def beat_spans(beat_marks: Mapping[str, float], duration_s: float) -> list[tuple[str, float, float]]:
    """(beat id, start_s, end_s) in time order; a beat ends where the next begins or the take ends."""
    order = sorted(beat_marks.items(), key=lambda kv: kv[1])
    spans = []
    for k, (beat_id, start) in enumerate(order):
        end = order[k + 1][1] if k + 1 < len(order) else max(duration_s, start)
        spans.append((beat_id, float(start), float(end)))
    return spans


def beat_at(spans: list[tuple[str, float, float]], t: float) -> str | None:
    """The beat a time falls in (before the first mark: none)."""
    current = None
    for beat_id, start, _ in spans:
        if t >= start - 1e-9:
            current = beat_id
    return current


def beat_holding(spans: list[tuple[str, float, float]], start_s: float, end_s: float) -> str | None:
    """The beat that holds most of [start_s, end_s] (ties and zero length: the onset's beat)."""
    best, best_overlap = beat_at(spans, start_s), 0.0
    for beat_id, start, end in spans:
        overlap = min(end, end_s) - max(start, start_s)
        if overlap > best_overlap + 1e-9:
            best, best_overlap = beat_id, overlap
    return best


def beat_hold(events, beat_id: str, start_s: float | None, end_s: float | None, *, scope: str | None = "face",
              min_s: float = 0.0):
    """A beat's hold, the one rule (reports, `rehearse events`, the take screen, drift): the
    longest hold that belongs to the beat, at least `min_s` long, of `scope` when the beat has
    one of that scope, else of any scope. A hold belongs to the beat it is tagged with
    (`assign_beats`: the beat that holds most of it); an untagged one (no beat marks when its
    events were detected) to the beat its onset falls in, [start_s, end_s)."""
    def belongs(event) -> bool:
        if event.beat is not None:
            return event.beat == beat_id
        return start_s is not None and end_s is not None and start_s - 1e-9 <= event.start_s < end_s

    holds = [e for e in events if e.kind == "hold" and e.end_s - e.start_s >= min_s and belongs(e)]
    scoped = [e for e in holds if e.scope == scope] or holds
    return max(scoped, key=lambda e: e.end_s - e.start_s, default=None)


def assign_beats(events: list[Event], beat_marks: Mapping[str, float] | None, duration_s: float) -> list[Event]:
    """Events with `beat` set to the beat their onset falls in; a hesitation: the beat of the
    reply it delays; a hold: the beat that holds most of it (a hold that settles a few
    milliseconds before the beat's mark is still that beat's hold)."""
    if not beat_marks:
        return list(events)
    spans = beat_spans(beat_marks, duration_s)

    def beat_of(event: Event) -> str | None:
        if event.kind == "hesitation":
            return beat_at(spans, event.end_s)
        if event.kind == "hold":
            return beat_holding(spans, event.start_s, event.end_s)
        return beat_at(spans, event.start_s)

    return [e.model_copy(update={"beat": beat_of(e)}) for e in events]


def attach_lean_targets(events: list[Event], scene: Scene | None, character: str | None = None) -> list[Event]:
    """Leans with the character they are toward or away from, from the blocking's leans of
    the same beat and direction (the camera cannot tell who stands where); `character`, the
    actor on camera (the shot's subject), picks among several characters' leans."""
    if scene is None or not scene.blocking.leans:
        return list(events)
    out = []
    for event in events:
        if event.kind == "gesture" and event.label in ("lean_toward", "lean_away") and event.beat:
            direction = event.label.removeprefix("lean_")
            candidates = [le for le in scene.blocking.leans
                          if le.beat == event.beat and le.direction == direction and le.target
                          and (character is None or le.character == character)]
            lean = candidates[0] if candidates else None
            if lean is not None:
                event = event.model_copy(update={"target": lean.target})
        out.append(event)
    return out


def compare_hold(measured_s: float | None, target_s: float, tolerance_s: float) -> HoldComparison:
    """A measured hold against its target: how early or late it ended, in seconds."""
    if measured_s is None:
        return HoldComparison(target_s=target_s, tolerance_s=tolerance_s, measured_s=None,
                              end_offset_s=None, on_target=False,
                              verdict=f"no hold (target {target_s:.2f} s)")
    offset = measured_s - target_s
    on_target = abs(offset) <= tolerance_s + 1e-9
    if on_target:
        verdict = f"on target ({offset:+.2f} s)"
    elif offset < 0:
        verdict = f"ended {-offset:.2f} s early"
    else:
        verdict = f"ended {offset:.2f} s late"
    return HoldComparison(target_s=target_s, tolerance_s=tolerance_s, measured_s=round(measured_s, 4),
                          end_offset_s=round(offset, 4), on_target=on_target, verdict=verdict)


def beat_summaries(
    events: list[Event],
    beat_marks: Mapping[str, float],
    duration_s: float,
    scene: Scene | None = None,
    *,
    hold_scope: str = "face",
) -> list[BeatSummary]:
    """One summary per beat mark: blinks, holds (against the scene's target hold), latencies.

    The hold compared with the target is the beat's hold (`beat_hold`: the longest `hold_scope`
    hold of the beat, any scope when the beat has none of that scope).
    """
    summaries = []
    for beat_id, start, end in beat_spans(beat_marks, duration_s):
        inside = [e for e in events if (e.beat == beat_id if e.beat is not None
                                        else start - 1e-9 <= e.start_s < end)]
        blinks = sum(1 for e in inside if e.kind == "blink")
        # The rate is over the part of the beat the take actually covers: a beat whose next mark
        # (or its own) lies past the last frame has fewer seconds of picture than its span.
        covered_s = min(end, duration_s) - max(start, 0.0) if duration_s > 0 else end - start
        length_min = max(covered_s, 0.0) / 60.0
        holds = sorted((e for e in inside if e.kind == "hold"), key=lambda e: e.duration_s, reverse=True)
        scoped = [e for e in holds if e.scope == hold_scope] or holds
        target = None
        beat = scene.beat(beat_id) if scene is not None else None
        if beat is not None and beat.hold is not None:
            hold = beat_hold(events, beat_id, start, end, scope=hold_scope)
            target = compare_hold(hold.duration_s if hold else None, beat.hold.duration, beat.hold.tolerance)
        summaries.append(BeatSummary(
            beat=beat_id, start_s=round(start, 4), end_s=round(end, 4), blinks=blinks,
            blink_rate_per_min=round(blinks / length_min, 1) if length_min > 0 else 0.0,
            holds=[round(e.duration_s, 4) for e in scoped],
            hold_target=target,
            latencies_s=[e.latency_s for e in inside if e.kind == "hesitation" and e.latency_s is not None],
            pauses=sum(1 for e in inside if e.kind == "pause"),
            event_counts=dict(Counter(e.kind for e in inside)),
        ))
    return summaries
