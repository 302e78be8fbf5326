"""Avid Log Exchange (ALE): one row per take with scene, take, circled and notes columns.

Layout as Avid publishes it: a `Heading` section of tab-separated key/value lines, a `Column`
section with one line of column names, and a `Data` section with one tab-separated row per clip,
sections separated by blank lines. Values never hold tabs or line breaks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from rehearse.breakdown.timecode import parse_seconds, to_timecode
from rehearse.export.markers import TakeMarkers

COLUMNS = (
    "Name", "Tracks", "Start", "End", "Tape", "Source File", "Scene", "Take", "Shot",
    "Camera", "Camroll", "Circled", "Status", "Notes", "Flags", "Events",
)


def _cell(text: object) -> str:
    return " ".join(str(text).replace("\t", " ").split())


def _notes(take: TakeMarkers) -> str:
    flags = [m.note for m in take.markers if m.source == "flag"]
    logged = [m.note for m in take.markers if m.source == "log"]
    parts = [take.notes] if take.notes else []
    parts += [f"flag: {text}" for text in flags]
    parts += [f"log: {text}" for text in logged]
    return "; ".join(parts)


def _event_counts(take: TakeMarkers) -> str:
    counts = Counter(m.kind for m in take.markers if m.source == "event")
    return ", ".join(f"{kind} {count}" for kind, count in sorted(counts.items()))


def ale_text(takes: Sequence[TakeMarkers], fps: float, *, video_format: str = "1080") -> str:
    """The ALE file as text."""
    rate = f"{fps:g}"
    lines = ["Heading", "FIELD_DELIM\tTABS", f"VIDEO_FORMAT\t{video_format}", "AUDIO_FORMAT\t48khz",
             f"FPS\t{rate}", "", "Column", "\t".join(COLUMNS), "", "Data"]
    for take in takes:
        start = parse_seconds(take.start_timecode or "00:00:00:00", take.fps)
        end = start + round(take.duration_s * fps) / fps
        row = {
            "Name": take.label,
            "Tracks": "V",
            "Start": to_timecode(start, fps),
            "End": to_timecode(end, fps),
            "Tape": take.roll or take.label,
            "Source File": take.path.name,
            "Scene": take.scene_id,
            "Take": take.number,
            "Shot": take.shot,
            "Camera": take.camera,
            "Camroll": take.roll,
            "Circled": "Yes" if take.circled else "",
            "Status": take.status,
            "Notes": _notes(take),
            "Flags": sum(1 for m in take.markers if m.source == "flag"),
            "Events": _event_counts(take),
        }
        lines.append("\t".join(_cell(row[column]) for column in COLUMNS))
    return "\n".join(lines) + "\n"
