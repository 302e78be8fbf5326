"""Ground truth for `rehearse score`: a small YAML file, an ELAN `.eaf` (one tier per kind), or a rehearsal log.

Everything becomes `MarkedEvent`s (rehearse.analysis.scoring). The YAML format (the README shows
it in full):

    clip: single_face.mp4            # optional: which video this truth is for
    duration_s: 2.4                  # optional
    covers: [blink, expression]      # optional: kinds judged complete (default: the kinds present)
    events:
      - {kind: blink, start_s: 0.833, end_s: 1.033}
      - {kind: expression, label: smile, start_s: 0.533, end_s: 2.367, uncertain: true, note: fades}

In an EAF each tier is a kind (`blink`, `eyes_closed`, `face_lost`, `hold`, `hold:face`) or a
kind and label (`expression:smile`, `gesture:head_turn`); a bare expression or gesture label
(`smile`, `head_turn`) is read as that. An annotation whose text starts with `?` or `uncertain`
is uncertain.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rehearse.analysis.events.model import EVENT_KINDS
from rehearse.analysis.scoring import MarkedEvent
from rehearse.errors import Location, RehearseError

TRUTH_KINDS = (*EVENT_KINDS, "face_lost")
EXPRESSION_LABELS = ("smile", "half_smile", "brow_raise", "brow_furrow", "lip_press", "jaw_drop")
GESTURE_LABELS = ("head_turn", "nod", "shake", "hand_to_face", "hand_raise", "hand_to_collar", "lean_toward",
                  "lean_away", "shoulder_turn")
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


def load_truth(path: Path) -> Truth:
    """Read a truth file (.yaml/.yml or .eaf); a bad file is a one-line RehearseError naming it."""
    path = Path(path)
    if not path.is_file():
        raise RehearseError("no such truth file", Location(path), hint="give a .yaml truth file or an ELAN .eaf")
    if path.suffix.lower() == ".eaf":
        return _load_eaf(path)
    if path.suffix.lower() in (".yaml", ".yml"):
        return _load_yaml(path)
    raise RehearseError(f"truth files are .yaml or .eaf, not {path.suffix or 'a file without suffix'}", Location(path))


def _load_yaml(path: Path) -> Truth:
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


def tier_kind(tier: str) -> tuple[str, str | None] | None:
    """(kind, label-or-scope) a tier name stands for; None for a tier that is no kind (a speaker, notes)."""
    name = tier.strip().split(" ")[0]  # `blink 2`: a second tier of one kind (overlaps go there in ELAN)
    kind, _, detail = name.partition(":")
    if kind in TRUTH_KINDS:
        return kind, detail or None
    if name in EXPRESSION_LABELS:
        return "expression", name
    if name in GESTURE_LABELS:
        return "gesture", name
    return None


def _load_eaf(path: Path) -> Truth:
    from pympi.Elan import Eaf

    try:
        eaf = Eaf(str(path))
    except Exception as error:  # pympi raises bare exceptions of several kinds on a broken file
        raise RehearseError(f"not a readable ELAN file ({type(error).__name__}: {error})", Location(path)) from None
    events, skipped = [], []
    for tier in sorted(eaf.get_tier_names()):
        meaning = tier_kind(tier)
        if meaning is None:
            skipped.append(tier)
            continue
        kind, detail = meaning
        for start_ms, end_ms, value, *_ in eaf.get_annotation_data_for_tier(tier):
            text = (value or "").strip()
            events.append(MarkedEvent(
                kind=kind, start_s=start_ms / 1000.0, end_s=end_ms / 1000.0,
                label=detail if kind != "hold" else None, scope=detail if kind == "hold" else None,
                uncertain=text.startswith("?") or text.lower().startswith("uncertain"), note=text,
            ))
    notes = [f"tiers that are no event kind were left out: {', '.join(skipped)}"] if skipped else []
    return Truth(sorted(events, key=lambda e: e.start_s), source=str(path), notes=notes)


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
    return Truth(events, covers=sorted({e.kind for e in events}), source="rehearsal log")


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
