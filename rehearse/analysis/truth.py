"""Ground truth for `rehearse score`: a small YAML file, annotation records (an ELAN `.eaf`), or a rehearsal log.

Everything becomes `MarkedEvent`s (rehearse.analysis.scoring). The YAML format (the README shows
it in full):

    clip: single_face.mp4            # optional: which video this truth is for
    duration_s: 2.4                  # optional
    covers: [blink, expression]      # optional: kinds judged complete (default: the kinds present)
    events:
      - {kind: blink, start_s: 0.833, end_s: 1.033}
      - {kind: expression, label: smile, start_s: 0.533, end_s: 2.367, uncertain: true, note: fades}

An ELAN file is read by rehearse.export.annotations (one reader for every EAF): one tier per
kind, named as `export` names them (`blink`, `expression (smile)`, `hold (face)`, optionally
`WHO - ` before and `- overlap N` after); `truth_from_records` turns its records into truth. An
annotation whose text starts with `?` or `uncertain` is uncertain.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rehearse.analysis.events.model import EVENT_KINDS
from rehearse.analysis.scoring import MarkedEvent
from rehearse.errors import Location, RehearseError

TRUTH_KINDS = (*EVENT_KINDS, "face_lost")
LOG_KINDS = {"hold_start": "hold", "hesitation": "hesitation", "gesture": "gesture", "false_start": "false_start"}
"""Rehearsal-log entries that have a detected counterpart (beats, notes, flubs, circles do not)."""
_EVENT_FIELDS = {"kind", "start_s", "end_s", "label", "side", "scope", "region", "uncertain", "note", "frames",
                 "apex_frame", "apex_s"}
_FILE_FIELDS = {"clip", "frames", "duration_s", "fps", "source", "licence", "license", "annotator", "covers", "events",
                "time_convention"}


@dataclass(frozen=True)
class Truth:
    """A take's ground truth."""

    events: list[MarkedEvent]
    covers: list[str] | None = None
    """Kinds (or kind:labels) the annotator judged complete; None: the kinds present."""
    clip: str | None = None
    duration_s: float | None = None
    source: str = ""
    """Where the truth came from (the file, or `log of session N`)."""
    notes: list[str] = field(default_factory=list)


def load_truth_yaml(path: Path) -> Truth:
    """Read a YAML truth file; a bad file is a one-line RehearseError naming the file and the place."""
    path = Path(path)
    if not path.is_file():
        raise RehearseError("no such truth file", Location(path), hint="give a .yaml truth file or an ELAN .eaf")
    from rehearse.breakdown.yaml_source import (
        YamlSourceError,
        key_node_at,
        node_at,
        parse_yaml,
        position,
        read_text,
    )

    try:
        document = parse_yaml(read_text(path))
    except YamlSourceError as error:
        raise RehearseError(error.message, Location(path, error.line, error.column)) from None
    data = document.data

    def fail(message: str, where: tuple = (), hint: str | None = None, key: bool = False):
        node = (key_node_at(document.root, where) if key else node_at(document.root, where)[0]) if where else None
        line, column = position(node) if where else (None, None)
        raise RehearseError(message, Location(path, line, column), hint=hint)

    if not isinstance(data, dict) or not isinstance(data.get("events"), list):
        fail("a truth file is a mapping with an `events:` list", hint="see the README's truth format")
    unknown = sorted(set(data) - _FILE_FIELDS)
    if unknown:
        fail(f"unknown key {unknown[0]!r}", (unknown[0],), hint=f"known keys: {', '.join(sorted(_FILE_FIELDS))}", key=True)
    events = []
    for index, item in enumerate(data["events"]):
        where = ("events", index)
        if not isinstance(item, dict):
            fail("each event is a mapping with kind, start_s and end_s", where)
        unknown = sorted(set(item) - _EVENT_FIELDS)
        if unknown:
            fail(f"events[{index}]: unknown key {unknown[0]!r}", (*where, unknown[0]), key=True,
                 hint=f"known keys: {', '.join(sorted(_EVENT_FIELDS))}")
        kind = item.get("kind")
        if kind not in TRUTH_KINDS:
            fail(f"events[{index}].kind: {kind!r} is not a kind", (*where, "kind") if "kind" in item else where,
                 hint=f"one of {', '.join(TRUTH_KINDS)}")
        try:
            start, end = float(item["start_s"]), float(item["end_s"])
        except (KeyError, TypeError, ValueError):
            fail(f"events[{index}]: start_s and end_s must be numbers of seconds", where)
        if end < start or start < 0:
            fail(f"events[{index}]: needs 0 <= start_s <= end_s (got {start} .. {end})", (*where, "start_s"))
        events.append(MarkedEvent(
            kind=kind, start_s=start, end_s=end, label=_text(item.get("label")), side=_text(item.get("side")),
            scope=_text(item.get("scope")), uncertain=bool(item.get("uncertain", False)), note=str(item.get("note") or ""),
        ))
    covers = data.get("covers")
    if covers is not None and not (isinstance(covers, list) and all(isinstance(c, str) for c in covers)):
        fail("covers: a list of kinds (or kind:label)", ("covers",))
    duration = data.get("duration_s")
    return Truth(events, covers, _text(data.get("clip")), float(duration) if duration is not None else None, str(path))


def _text(value) -> str | None:
    return None if value is None else str(value)


def truth_from_records(records: list[dict], kinds, source: str, skipped=()) -> Truth:
    """Annotation records (`rehearse.export.annotations.read_annotations`: an ELAN file or a CSV,
    `{kind, detail, start_s, end_s, label, side, text}`) as truth; the kinds with a tier are the
    kinds it covers. An annotation whose text starts with `?` or `uncertain` is uncertain."""
    events = []
    for record in records:
        kind, detail = record["kind"], record.get("detail") or None
        text = (record.get("text") or "").strip()
        events.append(MarkedEvent(
            kind=kind, start_s=float(record["start_s"]), end_s=float(record["end_s"]),
            label=record.get("label") or (detail if kind in ("expression", "gesture") else None),
            side=record.get("side"), scope=detail if kind == "hold" else None,
            uncertain=text.startswith("?") or text.lower().startswith("uncertain"), note=text,
        ))
    notes = [f"left out: {reason}" for reason in skipped]
    return Truth(sorted(events, key=lambda e: e.start_s), covers=sorted(kinds), source=source, notes=notes)


def truth_from_log(entries, gesture_kinds: dict[str, str] | None = None, duration_s: float | None = None) -> Truth:
    """A rehearsal log (synced to the take) as truth: holds (start..stop), hesitations, gestures, false starts.

    `entries` are (time in the take, kind, text, beat) as `store.sync.synced_log_entries` gives
    them; `gesture_kinds` maps a tracked gesture's id to its kind (`head_turn` ...). Single key
    presses are points: a detection containing the press (or within the tolerance) matches it.
    """
    events, open_hold = [], None
    for t, kind, text, _beat in sorted(entries, key=lambda e: e[0]):
        if kind == "hold_start":
            open_hold = t
        elif kind == "hold_stop" and open_hold is not None:
            events.append(MarkedEvent("hold", open_hold, t, note="logged hold"))
            open_hold = None
        elif kind in ("hesitation", "false_start"):
            events.append(MarkedEvent(kind, t, t, note=f"logged {kind}"))
        elif kind == "gesture":
            label = (gesture_kinds or {}).get(text)
            label = None if label in ("lean", "other") else label  # the detector says lean_toward/away
            events.append(MarkedEvent("gesture", t, t, label=label, note=f"logged gesture {text}"))
    if open_hold is not None:  # a hold never stopped runs to the end of the take
        events.append(MarkedEvent("hold", open_hold, duration_s if duration_s is not None else open_hold, note="logged hold, never stopped"))
    # a supervisor logs the tracked gestures only: the log covers those, not every gesture kind
    return Truth(events, covers=sorted({e.key() for e in events}), source="rehearsal log")


def detected_events(events, face_lost_spans=()) -> list[MarkedEvent]:
    """A detector's `Event`s and the analysis's face-lost spans as MarkedEvents."""
    marked = [MarkedEvent(e.kind, e.start_s, e.end_s, label=e.label, side=e.side, scope=e.scope) for e in events]
    marked += [MarkedEvent("face_lost", s.start_s, s.end_s) for s in face_lost_spans]
    return sorted(marked, key=lambda e: e.start_s)


def score_take(truth: Truth, analysis, events, rule=None):
    """Scoreboard of a take's detected `events` (and face-lost spans) against `truth`.

    Edge errors are in frames of the take's typical frame interval (the median step between
    frame timestamps, so a variable-frame-rate take counts its usual frame).
    """
    import numpy as np

    from rehearse.analysis.scoring import MatchRule, score_events

    times = np.asarray(analysis.signals.times, dtype=float)
    frame_s = float(np.median(np.diff(times))) if times.size > 1 else 1.0 / max(analysis.nominal_fps, 1.0)
    return score_events(
        truth.events, detected_events(events, analysis.face_lost_spans), frame_s=frame_s,
        duration_s=analysis.duration_s, covers=truth.covers, rule=rule or MatchRule(),
    )
