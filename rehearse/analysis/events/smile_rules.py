"""The rules that read a smile as part of the whole face (FACS: a smile is AU6+12), shared by the
geometric and the blendshape detectors (`expressions`): an open-mouthed laugh continues a smile,
and a lip pull with the eyes squeezed shut and the lips closed is crying, not a smile."""

from __future__ import annotations

import numpy as np


def laugh_bridged(times: np.ndarray, runs: list[tuple[int, int]], lips_parted: np.ndarray,
                  longest_s: float) -> list[tuple[int, int]]:
    """Smile runs joined across gaps of at most `longest_s` in which the lips stay parted."""
    joined: list[tuple[int, int]] = []
    for first, last in runs:
        if joined and times[first] - times[joined[-1][1] - 1] <= longest_s and lips_parted[joined[-1][1]:first].all():
            joined[-1] = (joined[-1][0], last)
        else:
            joined.append((first, last))
    return joined


def grimace(start: float, end: float, shut: list[tuple[float, float]], lips_parted: np.ndarray) -> bool:
    """A lip-corner pull held mostly with the eyes shut and the lips closed: crying, not a smile.

    FACS: a smile is AU6+12, the eyes narrowed by the cheeks but open; crying squeezes the eyes
    shut (AU6/7+43 with AU4) and stretches, presses or pulls down the closed lips (AU15/17/20),
    which the blendshape model and the lip-corner geometry both read as a lift. Laughter may
    shut the eyes too, but it opens the mouth. Measured on the real crying close-up
    (WolfgangLanger_Pexels): mouthSmile 0.8-0.9 with both eyes shut and mouthUpperUp,
    mouthLowerDown and jawOpen under 0.06 for 2.9 s; every real smile we have parts the lips.
    """
    inside = sum(max(0.0, min(end, e) - max(start, s)) for s, e in shut)
    return inside > 0.5 * (end - start) and lips_parted.mean() < 0.5
