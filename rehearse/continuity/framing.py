"""Framing in close-ups: is the face channel (brows, eyes, mouth corners) cut by the frame edge?

Measured per frame from the face landmarks (normalised image coordinates), so it needs no
decoding. A beat is flagged when the take cuts the face channel in a clearly larger share of
its frames than the reference does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from rehearse.continuity.flags import DriftFlag, take_name

if TYPE_CHECKING:
    from rehearse.continuity.align import Alignment
    from rehearse.continuity.compare import ComparedTake
    from rehearse.continuity.settings import DriftSettings

FACE_CHANNEL = {
    "brows": (70, 63, 105, 66, 107, 336, 296, 334, 293, 300),
    "eyes": (33, 133, 159, 145, 362, 263, 386, 374),
    "mouth corners": (61, 291),
}
"""FaceMesh landmark indices of what a close-up must keep in frame."""


def face_channel_cut(face_points: np.ndarray, margin: float = 0.01) -> np.ndarray:
    """Per frame, True when any face-channel landmark lies within `margin` of (or past) an edge.

    `face_points` is (frames, 478, 2 or 3) in fractions of the image; frames without a face
    (NaN) count as not cut: losing the face is reported elsewhere.
    """
    points = np.asarray(face_points, dtype=float)
    if points.ndim != 3 or points.shape[1] < 468:
        return np.zeros(points.shape[0] if points.ndim else 0, dtype=bool)
    indices = [i for group in FACE_CHANNEL.values() for i in group]
    xy = points[:, indices, :2]
    with np.errstate(invalid="ignore"):
        outside = (xy < margin) | (xy > 1.0 - margin)
    return outside.any(axis=(1, 2)) & ~np.isnan(xy).all(axis=(1, 2))


def cut_parts(face_points: np.ndarray, margin: float = 0.01) -> list[str]:
    """Which face-channel parts are cut in one frame's points (478, 2+)."""
    parts = []
    for part, indices in FACE_CHANNEL.items():
        xy = np.asarray(face_points, dtype=float)[list(indices), :2]
        with np.errstate(invalid="ignore"):
            if ((xy < margin) | (xy > 1.0 - margin)).any():
                parts.append(part)
    return parts


def _fraction(take: ComparedTake, start: float, end: float) -> tuple[float, float | None]:
    """(fraction of frames cut in [start, end), time of the first cut frame)."""
    if take.face_cut is None or take.signals is None:
        return 0.0, None
    times = take.signals.times
    inside = (times >= start) & (times < end)
    if not inside.any():
        return 0.0, None
    cut = np.asarray(take.face_cut, dtype=bool)[inside]
    first = float(times[inside][np.argmax(cut)]) if cut.any() else None
    return float(cut.mean()), first


def framing_flags(reference: ComparedTake, other: ComparedTake, alignment: Alignment, settings: DriftSettings) -> list[DriftFlag]:
    """`framing` flags for beats where a close-up cuts the face channel more than the reference."""
    size = other.shot_size or reference.shot_size
    if size not in settings.close_up_sizes or other.face_cut is None:
        return []
    flags = []
    for span in alignment.spans:
        take_fraction, first = _fraction(other, span.take_start, span.take_end)
        ref_fraction, _ = _fraction(reference, span.ref_start, span.ref_end)
        limit = settings.framing_cut_fraction
        if take_fraction <= limit or take_fraction - ref_fraction <= limit:
            continue
        where = take_name(other.label) + (f", {span.beat}" if span.beat else "")
        flags.append(DriftFlag(
            kind="framing", severity="high" if take_fraction > 0.5 else "medium", beat=span.beat,
            take=other.label, reference=reference.label, reference_s=round(span.ref_start, 3),
            take_s=None if first is None else round(first, 3),
            values={"take_cut_fraction": round(take_fraction, 3), "reference_cut_fraction": round(ref_fraction, 3),
                    "shot_size": size},
            message=(f"{where}: in the {size} the frame edge cuts {other.who}'s brows, eyes or mouth corners "
                     f"in {take_fraction:.0%} of the beat from {first:.1f} s; reference take {reference.label}: "
                     f"{ref_fraction:.0%}."),
        ))
    return flags
