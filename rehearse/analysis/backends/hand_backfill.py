"""Walks a newly found hand back in time, so its onset is the first frame it can be tracked in.

While no hand is tracked, Hands runs only on some frames (a search every few frames in a
close-up, or when Pose shows a raised wrist), and each search needs MediaPipe's palm detector
to pass its threshold. So the frame where a hand is first found depends on the search phase
and, on a compressed copy, on a palm score that hovers about the threshold: measured on the real
crying close-up (WolfgangLanger_Pexels.mp4) the palm scores of the hand on the face were
0.64-0.84 on the original at frames 58-60 but 0.31-0.48 on its mpeg4 copy for a whole second
(frames 59-83), so the first search to succeed there was 26 frames late. Once found, the
hand-landmark model follows the hand from its own previous position, with no palm detector,
and that holds on every copy.

So the frames seen while no hand is tracked are kept (small copies, for `hands_backfill_s`),
and when Hands finds a hand, the same Hands graph, whose tracking state then holds that hand,
runs over them backwards from the finding frame until the hand is lost; those frames get the
hand. The graph is then restarted on the finding frame (a palm search there, as the search that
found it), so the frames after it are tracked as before; no second graph (~80 MB) is needed. Measured on the same clip:
the walk stops at frame 58 (the annotated first touch) on the original and on its x264, mpeg4
and 2/3-downscaled copies alike.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Callable

    from rehearse.analysis.landmarks import FrameLandmarks
    from rehearse.analysis.settings import LandmarkSettings

SIDES = ("left", "right")


@dataclass
class _Kept:
    result: FrameLandmarks
    image: np.ndarray  # at most `hands_backfill_width_px` wide


def small_copy(image: np.ndarray, width: int) -> np.ndarray:
    """A copy of `image` at most `width` px wide (the frame itself may be reused by the
    decoder, so it is always copied). Bilinear, not area: this runs on every frame without a
    tracked hand, and a 1080p frame to 640 px cost 0.5 ms of CPU bilinear against 3 ms by area
    (measured); Hands resamples to 192-224 px inputs anyway."""
    if image.shape[1] <= width:
        return image.copy()
    import cv2

    height = max(1, round(image.shape[0] * width / image.shape[1]))
    return cv2.resize(image, (width, height), interpolation=cv2.INTER_LINEAR)


def _centre(points: np.ndarray) -> np.ndarray:
    return points[:, :2].mean(axis=0)


def carry_sides(found: list[np.ndarray], last: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Give each hand found in a frame the side of the nearest hand of the next frame (`last`,
    side -> landmarks): a tracked hand keeps its side, it does not change hands."""
    sides: dict[str, np.ndarray] = {}
    pairs = sorted(
        ((float(np.linalg.norm(_centre(points) - _centre(known))), side, i)
         for i, points in enumerate(found) for side, known in last.items()),
    )
    used: set[int] = set()
    for _, side, i in pairs:
        if side not in sides and i not in used:
            sides[side] = found[i]
            used.add(i)
    return sides


class HandBackfill:
    """Keeps the recent frames without a tracked hand and walks a found hand back over them."""

    def __init__(self, settings: LandmarkSettings):
        self.settings = settings
        self._kept: deque[_Kept] = deque()

    @property
    def enabled(self) -> bool:
        return self.settings.hands != "never" and self.settings.hands_backfill_s > 0

    @property
    def pending(self) -> int:
        """How many of the latest results a later frame may still change."""
        return len(self._kept)

    def keep(self, result: FrameLandmarks, image: np.ndarray) -> None:
        """Remember a frame with no tracked hand (dropping frames older than the window)."""
        if not self.enabled:
            return
        self._kept.append(_Kept(result, small_copy(image, self.settings.hands_backfill_width_px)))
        while self._kept and result.t - self._kept[0].result.t > self.settings.hands_backfill_s:
            self._kept.popleft()

    def walk_back(self, found: FrameLandmarks, hands_in: Callable[[np.ndarray], list[np.ndarray]]) -> int:
        """`found` is a frame where Hands just found a hand after none was tracked, and
        `hands_in(image)` runs the same Hands graph on one more image (its tracking state now
        holds that hand): follow the hand backwards over the kept frames, filling each frame's
        empty sides until the hand is lost. Returns how many frames the graph read (its state
        then belongs to the oldest of them); the kept frames are dropped."""
        last = {side: points for side in SIDES if (points := getattr(found, f"{side}_hand")) is not None}
        kept, self._kept = self._kept, deque()
        read = 0
        for frame in reversed(kept if last else ()):
            read += 1
            sides = carry_sides(hands_in(frame.image), last)
            sides = {side: points for side, points in sides.items() if side in last}
            if not sides:
                break
            for side, points in sides.items():
                if getattr(frame.result, f"{side}_hand") is None:
                    setattr(frame.result, f"{side}_hand", points)
                    setattr(frame.result, f"{side}_hand_confidence", getattr(found, f"{side}_hand_confidence"))
            last = sides  # a side once lost is not picked up again
        return read

    def close(self) -> None:
        self._kept.clear()
