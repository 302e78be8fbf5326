"""CMX 3600 EDL: one event per take, Avid `* LOC:` locators and DaVinci Resolve marker comments.

Record times run from 01:00:00:00, takes cut end to end. Each marker is written twice: as an
Avid locator (`* LOC: <source TC> <COLOR> <NAME>`, which Avid and OTIO's cmx_3600 reader take)
and as Resolve's marker comment (` |C:ResolveColor<Color> |M:<name> |D:<frames>`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rehearse.breakdown.timecode import to_timecode
from rehearse.export.markers import TakeMarkers

RECORD_START_S = 3600.0
# EDL lines are ASCII, fixed-width-ish; names must not break the line structure.
_UNSAFE = re.compile(r"[^A-Za-z0-9 ._:,()'+/-]")
RESOLVE_COLORS = {
    "RED": "Red", "PINK": "Pink", "ORANGE": "Orange", "YELLOW": "Yellow", "GREEN": "Green",
    "CYAN": "Cyan", "BLUE": "Blue", "PURPLE": "Purple", "MAGENTA": "Fuchsia", "WHITE": "Cream",
    "BLACK": "Sand",
}


def _safe(text: str, limit: int = 60) -> str:
    return " ".join(_UNSAFE.sub(" ", text).split())[:limit]


def reel_name(take: TakeMarkers) -> str:
    """Up to 8 characters, as CMX 3600 allows: the take label without punctuation."""
    return re.sub(r"[^A-Za-z0-9]", "", take.label).upper()[:8] or "AX"


def edl_text(takes: Sequence[TakeMarkers], title: str, fps: float) -> str:
    """The EDL as text (CRLF-free; editors accept LF)."""
    lines = [f"TITLE: {_safe(title, 70)}", "FCM: NON-DROP FRAME", ""]
    record = round(RECORD_START_S * fps)
    for number, take in enumerate(takes, start=1):
        source_in = round(_start_seconds(take) * fps)
        length = max(1, round(take.duration_s * fps))
        lines.append(
            f"{number:03d}  {reel_name(take):<8} V     C        "
            f"{to_timecode(source_in / fps, fps)} {to_timecode((source_in + length) / fps, fps)} "
            f"{to_timecode(record / fps, fps)} {to_timecode((record + length) / fps, fps)}"
        )
        lines.append(f"* FROM CLIP NAME: {_safe(take.path.name, 70)}")
        for marker in take.markers:
            at = (source_in + round(marker.t_s * fps)) / fps
            lines.append(f"* LOC: {to_timecode(at, fps)} {marker.color:<7} {_safe(marker.name).upper()}")
            duration_frames = max(1, round(marker.duration_s * fps))
            color = RESOLVE_COLORS.get(marker.color, "Blue")
            lines.append(f" |C:ResolveColor{color} |M:{_safe(marker.name)} |D:{duration_frames}")
        lines.append("")
        record += length
    return "\n".join(lines)


def _start_seconds(take: TakeMarkers) -> float:
    from rehearse.breakdown.timecode import parse_seconds

    return parse_seconds(take.start_timecode or "00:00:00:00", take.fps)
