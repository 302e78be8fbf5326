"""Markers: the moments an editor or researcher needs, gathered per take from events, flags and logs.

Every exporter (OTIO, EDL, ALE, EAF) writes from these plain records, so a moment lands at the
same frame in every format. Times are seconds from the take's first frame.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

# Marker colours by source/kind, from OTIO's MarkerColor names (which Avid and Resolve share).
EVENT_COLORS = {
    "blink": "CYAN",
    "eyes_closed": "CYAN",
    "expression": "YELLOW",
    "micro_movement": "PINK",
    "gaze_shift": "PURPLE",
    "hold": "GREEN",
    "hesitation": "ORANGE",
    "pause": "ORANGE",
    "false_start": "ORANGE",
    "gesture": "BLUE",
}
FLAG_COLOR = "RED"
LOG_COLOR = "WHITE"
BEAT_COLOR = "MAGENTA"


@dataclass(frozen=True)
class Marker:
    """One marked moment on a take."""

    t_s: float
    """Start, seconds from the take's first frame."""
    duration_s: float
    """Length in seconds (0 for a point)."""
    name: str
    """Short label shown on the timeline, e.g. `blink both` or `FLAG hand_side`."""
    note: str
    """A sentence with the measured values."""
    source: str
    """`event`, `flag`, `log` or `beat`."""
    kind: str
    """Event kind, flag kind, log entry kind, or `beat`."""
    color: str
    """Marker colour (OTIO MarkerColor name)."""
    who: str = ""
    """Character (or actor) the marker is about, for per-actor tiers."""
    detail: str = ""
    """What sets it apart from other markers of its kind that may overlap it: a hold's scope
    (`face`, `body`), an expression's or gesture's label (`smile`); empty otherwise."""


@dataclass(frozen=True)
class TakeMarkers:
    """A take with the facts editors log (scene, take, circled, camera report) and its markers."""

    scene_id: str
    label: str
    """Slate label, `1A-2`."""
    shot: str
    number: int
    status: str
    file: str
    """The take's file as written in the breakdown."""
    path: Path
    fps: float
    duration_s: float
    start_timecode: str = "00:00:00:00"
    camera: str = ""
    roll: str = ""
    notes: str = ""
    markers: tuple[Marker, ...] = field(default_factory=tuple)

    @property
    def circled(self) -> bool:
        return self.status == "circled"


def _seconds_text(seconds: float) -> str:
    return f"{seconds:.2f} s"


def event_marker(event, who: str = "") -> Marker:
    """A marker for a detected event (rehearse.analysis.events.Event)."""
    parts = [event.kind.replace("_", " ")]
    if event.label:
        parts.append(event.label.replace("_", " "))
    if event.side:
        parts.append(event.side)
    note = f"{' '.join(parts)} {_seconds_text(event.start_s)}-{_seconds_text(event.end_s)}"
    if event.latency_s is not None:
        note += f", reply latency {event.latency_s * 1000:.0f} ms"
    note += f", confidence {event.confidence:.2f}"
    if event.beat:
        note += f", beat {event.beat}"
    detail = event.scope if event.kind == "hold" else event.label if event.kind in ("expression", "gesture") else None
    return Marker(
        t_s=float(event.start_s),
        duration_s=max(0.0, float(event.end_s - event.start_s)),
        name=" ".join(parts),
        note=note,
        source="event",
        kind=event.kind,
        color=EVENT_COLORS.get(event.kind, "YELLOW"),
        who=who,
        detail=detail or "",
    )


def flag_marker(kind: str, t_s: float, message: str, severity: str = "", who: str = "") -> Marker:
    """A marker for a continuity flag."""
    name = f"FLAG {kind}" + (f" ({severity})" if severity else "")
    return Marker(float(t_s), 0.0, name, message, "flag", kind, FLAG_COLOR, who)


def log_marker(kind: str, t_s: float, text: str = "", beat: str | None = None) -> Marker:
    """A marker for a rehearsal-log entry already placed on the take's clock."""
    name = f"LOG {kind.replace('_', ' ')}"
    note = text or kind.replace("_", " ")
    if beat:
        note += f" (beat {beat})"
    return Marker(float(t_s), 0.0, name, note, "log", kind, LOG_COLOR)


def beat_markers(beat_marks: Mapping[str, float], summaries: Mapping[str, str] | None = None) -> list[Marker]:
    """One marker where each beat starts."""
    summaries = summaries or {}
    return [
        Marker(float(t), 0.0, f"BEAT {beat}", summaries.get(beat, f"beat {beat}"), "beat", "beat", BEAT_COLOR)
        for beat, t in beat_marks.items()
    ]


# `export --only` groups: what an editor asks for by name.
MARKER_GROUPS = {
    "flags": "continuity drift flags",
    "beats": "where each beat starts",
    "notes": "rehearsal-log entries (notes, flubs, circles ...) of a synced log",
    "holds": "detected holds",
    "events": "every detected event (blinks, holds, expressions, gestures ...)",
}
EDITOR_GROUPS = ("flags", "beats", "notes")
"""The default for editors' timelines (OTIO, EDL, ALE): a few markers that matter, not every blink."""


def in_groups(marker: Marker, groups: Iterable[str]) -> bool:
    """Whether `marker` belongs to one of the `export --only` groups."""
    groups = set(groups)
    source_group = {"flag": "flags", "beat": "beats", "log": "notes"}.get(marker.source)
    if source_group is not None:
        return source_group in groups
    return "events" in groups or ("holds" in groups and marker.kind == "hold")


def sorted_markers(markers: Iterable[Marker]) -> tuple[Marker, ...]:
    """Markers in time order (beats first at equal times, so a beat heads its moments)."""
    order = {"beat": 0, "flag": 1, "log": 2, "event": 3}
    return tuple(sorted(markers, key=lambda m: (m.t_s, order.get(m.source, 9), m.name)))
