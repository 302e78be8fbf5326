"""The resting blendshape scores the expressions are read against, as a stream knows them.

Each blendshape an expression reads (`BLENDSHAPE_CHANNELS`, and those that part the lips) has a
resting score per frame, read over the frames before it (`stream_levels.stream_baseline`), and
a label a resting face already saturates cannot be read from the scores on those frames
(`saturated_frames`): `expressions` reads it from geometry there.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from rehearse.analysis.event_settings import ExpressionSettings
from rehearse.analysis.events.stream_levels import stream_baseline
from rehearse.analysis.tracks import LandmarkTrack

# label -> blendshapes whose mean score (over its resting score, `resting_scores`) is the expression's strength
BLENDSHAPE_CHANNELS: dict[str, tuple[str, ...]] = {
    "smile": ("mouthSmileLeft", "mouthSmileRight"),
    "brow_raise": ("browInnerUp", "browOuterUpLeft", "browOuterUpRight"),
    "brow_furrow": ("browDownLeft", "browDownRight"),
    "lip_press": ("mouthPressLeft", "mouthPressRight"),
    "jaw_drop": ("jawOpen",),
}


LIPS_PARTING = ("jawOpen", "mouthLowerDownLeft", "mouthLowerDownRight", "mouthUpperUpLeft", "mouthUpperUpRight")
"""Blendshapes that part the lips (a laugh, an open mouth: not a grimace, not a press)."""


def resting_scores(times: np.ndarray, blendshapes: LandmarkTrack, settings: ExpressionSettings,
                   neutral: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """blendshape name -> its resting score per frame, as the stream knows it (`stream_baseline`:
    the marked neutral span, else the `rest_percentile` of the usable frames before), for every
    blendshape the expressions read."""
    from rehearse.analysis.backends.blendshapes import BLENDSHAPE_NAMES

    scores = np.asarray(blendshapes.points, dtype=float)[:, :, 0]
    names = dict.fromkeys([n for group in BLENDSHAPE_CHANNELS.values() for n in group] + list(LIPS_PARTING))
    return {name: stream_baseline(times, scores[:, BLENDSHAPE_NAMES.index(name)], blendshapes.mask, neutral,
                                  settings.rest_percentile) for name in names}


def saturated_frames(times: np.ndarray, blendshapes: LandmarkTrack, settings: ExpressionSettings,
                     neutral: np.ndarray | None = None, rests: Mapping[str, np.ndarray] | None = None,
                     ) -> dict[str, np.ndarray]:
    """label -> per frame, True where the blendshapes cannot show the expression: a channel whose
    resting score (`resting_scores`, given or read here) is already within `blendshape_score`
    of 1 (a face that rests in a smile) cannot rise by it. Those frames' labels are read from
    geometry instead."""
    rests = rests if rests is not None else resting_scores(times, blendshapes, settings, neutral)
    blind: dict[str, np.ndarray] = {}
    for label, names in BLENDSHAPE_CHANNELS.items():
        frames = np.zeros(times.size, dtype=bool)
        for name in names:
            frames |= np.nan_to_num(rests[name]) + settings.blendshape_score > 1.0
        blind[label] = frames
    blind["half_smile"] = blind["smile"]
    return blind
