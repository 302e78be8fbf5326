"""Confirmed events (a person's corrections) in place of the detector's, kind by kind.

Each confirmed interval keeps what the detector measured about the event it corrects (the
detected event of its kind and label it overlaps most, e.g. a blink's side, a gesture's zone),
with the person's start and end; an interval with no such event is added as confirmed
(confidence 1). A detected event of a covered kind that no correction kept is dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rehearse.analysis.events.beats import assign_beats
from rehearse.analysis.events.model import Event


def apply_confirmed(
    detected: list[Event],
    kinds: Iterable[str],
    confirmed: Iterable[Mapping],
    beat_marks: Mapping[str, float] | None,
    duration_s: float,
) -> list[Event]:
    """`detected` with every event of `kinds` replaced by the `confirmed` records."""
    kinds = set(kinds)
    kept = [e for e in detected if e.kind not in kinds]
    pool = [e for e in detected if e.kind in kinds]
    used: set[int] = set()
    corrected = []
    for record in confirmed:
        start, end = float(record["start_s"]), float(record["end_s"])
        match = _best_overlap(pool, used, record, start, end)
        corrected.append(_confirmed_event(record, start, end, match))
    events = sorted(kept + corrected, key=lambda e: (e.start_s, e.end_s, e.kind))
    return assign_beats(events, beat_marks, duration_s) if beat_marks else events


def _same_kind(event: Event, record: Mapping) -> bool:
    detail = record.get("detail") or ""
    return event.kind == record["kind"] and (not detail or detail in (event.label, event.scope))


def _best_overlap(pool: list[Event], used: set[int], record: Mapping, start: float, end: float) -> Event | None:
    best, best_overlap, best_index = None, 0.0, -1
    for index, event in enumerate(pool):
        if index in used or not _same_kind(event, record):
            continue
        overlap = min(end, event.end_s) - max(start, event.start_s)
        # A point-like event (a frame long) still matches the correction that covers it.
        if overlap > best_overlap or (best is None and overlap >= 0):
            best, best_overlap, best_index = event, overlap, index
    if best is not None:
        used.add(best_index)
    return best


def _confirmed_event(record: Mapping, start: float, end: float, match: Event | None) -> Event:
    kind, detail = record["kind"], record.get("detail") or None
    update = {"start_s": start, "end_s": max(start, end), "confidence": 1.0}
    moved = match is None or abs(match.start_s - start) > 1e-3 or abs(match.end_s - end) > 1e-3
    if match is not None:
        base = match.model_dump()
        if moved:  # measured values (durations, depths) belonged to the old interval
            base.update(values={}, apex_s=match.apex_s if match.apex_s is not None and start <= match.apex_s <= end else None)
    else:
        base = {"kind": kind}
        if kind == "hold":
            base["scope"] = detail
        elif kind in ("expression", "gesture"):
            base["label"] = detail
    for field in ("side", "label"):
        if record.get(field):
            base[field] = record[field]
    if kind == "hesitation":
        update["latency_s"] = round(max(start, end) - start, 4)
    return Event(**{**base, **update})
