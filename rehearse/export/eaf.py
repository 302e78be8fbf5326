"""ELAN EAF (via pympi-ling): one tier per actor and event kind, plus beats, flags and log tiers.

One file holds one take (an EAF links one video). Tier names read back (rehearse.export.annotations):
`Maya (Ines Duarte) - blink`, `... - hold (face)` / `... - hold (body)` and `... - expression (smile)`
for kinds whose kinds overlap by nature, and `... - blink - overlap 2` for a second annotation that
overlaps one on its tier (ELAN allows no overlap on a tier), so every time stays exact.
"""

from __future__ import annotations

from pathlib import Path

from rehearse.export.markers import TakeMarkers

MIMETYPES = {".mp4": "video/mp4", ".mov": "video/quicktime", ".m4v": "video/mp4", ".wav": "audio/x-wav"}


OVERLAP = " - overlap "


def tier_name(marker, take_default_who: str) -> str:
    """`Maya (Ines Duarte) - blink`, `... - hold (face)` for events; `beats`, `flags`, `log` for the rest."""
    if marker.source == "event":
        detail = f" ({marker.detail})" if marker.detail else ""
        return f"{marker.who or take_default_who} - {marker.kind}{detail}"
    return {"beat": "beats", "flag": "flags", "log": "log"}.get(marker.source, marker.source)


def build_eaf(take: TakeMarkers, who: str = "actor"):
    """A `pympi.Elan.Eaf` for one take, linked to its video."""
    from pympi.Elan import Eaf

    eaf = Eaf(author="rehearse")
    eaf.remove_tier("default")
    path = Path(take.path).resolve()
    eaf.add_linked_file(path.as_uri(), relpath=path.name, mimetype=MIMETYPES.get(path.suffix.lower(), "video/mp4"))
    frame_ms = 1000.0 / take.fps
    last_end: dict[str, int] = {}
    for marker in take.markers:
        start = round(marker.t_s * 1000)
        # ELAN needs end > start; a point marker spans one frame.
        end = max(start + max(1, round(frame_ms)), round((marker.t_s + marker.duration_s) * 1000))
        # Annotations on one tier may not overlap in ELAN: an overlapping one goes to a
        # numbered sibling tier, so every time stays exact.
        base = tier_name(marker, who)
        tier, copy = base, 1
        while last_end.get(tier, -1) > start:
            copy += 1
            tier = f"{base}{OVERLAP}{copy}"
        if tier not in eaf.tiers:
            eaf.add_tier(tier, part=(marker.who or who) if marker.source == "event" else None)
        eaf.add_annotation(tier, start, end, marker.note)
        last_end[tier] = end
    return eaf


def write_eaf(take: TakeMarkers, path: Path, who: str = "actor") -> None:
    """Write one take's EAF through the safe output writer (atomic; never onto a take or a breakdown)."""
    from pympi.Elan import to_string

    from rehearse.export.files import write_bytes_atomic

    # pympi's own to_file would rename an existing file to `.bak`; the writer replaces it atomically.
    write_bytes_atomic(path, to_string(build_eaf(take, who), encoding="UTF-8"))
