"""Which face regions a tracked hand lies on, frame by frame, so expressions are not read from under a hand.

FaceMesh keeps placing every landmark when a hand covers part of the face: the points under the
hand follow its face model, and the blendshape network and the geometric rules read those
guesses (or the skin the fingers push) as movement. On the real crying close-up the fingers on
the glabella gave browDown 0.6-0.7 on one side for 0.7 s while the hand was there, and nowhere
else in the 6 s of crying. A region is covered in a frame when any point of a tracked hand
(joints and fingertips lie along the fingers' middle) is within `hand_cover_iod` of one of the
region's points.

Only hands found as their frame was analysed count (`LandmarkTrack.found_forward`), not those a
hand found later was walked back over (hand_backfill.py): so a frame's cover is final when the
frame arrives, and a live expression need not wait up to `hands_backfill_s` for a walk-back.
The walk-back gives a touch its onset where the palm detector missed the hand; measured on the
real crying close-up and its x264, mpeg4 and 2/3 copies (and every other clip: no walk-back
there), the expressions are the same either way: the walked-back frames (2 on the original and
x264 copy, 26 over the mouth, 1.08 s, on the mpeg4 and downscaled ones) hold no expression.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from rehearse.analysis.events.model import Event
from rehearse.analysis.tracks import LandmarkTrack

# FaceMesh points of each region an expression is read from.
COVER_REGIONS: dict[str, tuple[int, ...]] = {
    "brows": (70, 63, 105, 66, 107, 55, 65, 52, 53, 46, 336, 296, 334, 293, 300, 285, 295, 282, 283, 276),
    "mouth": (61, 291, 0, 17, 13, 14, 37, 267, 84, 314, 78, 308),
}
REGION_OF_LABEL = {"brow_raise": "brows", "brow_furrow": "brows", "smile": "mouth", "half_smile": "mouth",
                   "lip_press": "mouth", "jaw_drop": "mouth"}
HAND_PARTS = ("left_hand", "right_hand")
EYE_CORNERS = ((33, 133), (362, 263))
CHUNK_FRAMES = 1024
"""Frames measured at once: bounds the memory of the distance arrays on long takes."""


def covered_regions(landmarks: Mapping[str, LandmarkTrack] | None, frames: int, cover_iod: float) -> dict[str, np.ndarray]:
    """region -> per-frame True where a hand found going forward lies on it (all False without face or hands)."""
    covered = {region: np.zeros(frames, dtype=bool) for region in COVER_REGIONS}
    face = (landmarks or {}).get("face")
    if face is None or face.points.shape[0] != frames or face.points.shape[1] < 468:
        return covered
    scale = np.asarray(face.image_size[:2], dtype=float)
    for part in HAND_PARTS:
        hand = (landmarks or {}).get(part)
        if hand is None or hand.points.shape[0] != frames:
            continue
        tracked = np.flatnonzero(hand.found_forward & (np.asarray(face.mask) > 0))
        for chunk in np.array_split(tracked, tracked.size // CHUNK_FRAMES + 1):
            if chunk.size == 0:
                continue
            points = face.points[chunk, :, :2] * scale
            fingers = hand.points[chunk, :, :2] * scale
            iod = np.linalg.norm(points[:, list(EYE_CORNERS[0])].mean(1) - points[:, list(EYE_CORNERS[1])].mean(1), axis=1)
            for region, index in COVER_REGIONS.items():
                gaps = np.linalg.norm(points[:, list(index), None, :] - fingers[:, None, :, :], axis=3).min(axis=(1, 2))
                covered[region][chunk] |= np.nan_to_num(gaps, nan=np.inf) < cover_iod * np.nan_to_num(iod)
    return covered


def under_a_hand(event: Event, times: np.ndarray, covered: Mapping[str, np.ndarray]) -> bool:
    """True when the event's face region was covered by a hand for more than half of its frames."""
    region = REGION_OF_LABEL.get(event.label or "")
    if region is None or region not in covered:
        return False
    inside = (times >= event.start_s) & (times < event.end_s)
    return bool(inside.any() and covered[region][inside].mean() > 0.5)
