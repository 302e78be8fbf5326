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
and when Hands finds a hand, a second Hands graph runs over them backwards from the finding
frame, tracking the hand until it is lost; those frames get the hand. Measured on the same clip:
the walk stops at frame 58 (the annotated first touch) on the original and on its x264, mpeg4
and 2/3-downscaled copies alike.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
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
        self._graphs: dict[int, Any] = {}  # one Hands graph per number of hands to follow

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

    def forget(self) -> None:
        self._kept.clear()

    def walk_back(self, found: FrameLandmarks, image: np.ndarray) -> int:
        """`found` is a frame where Hands just found a hand after none was tracked: track its
        hands backwards over the kept frames, filling each frame's empty sides until the hand
        is lost. Returns how many frames got a hand; the kept frames are dropped."""
        seeds = {side: getattr(found, f"{side}_hand") for side in SIDES}
        last = {side: points for side, points in seeds.items() if points is not None}
        if not self._kept or not last:
            self._kept.clear()
            return 0
        graph = self._graph(len(last))
        filled = 0
        try:
            if not self._hands_in(graph, small_copy(image, self.settings.hands_backfill_width_px)):
                return 0  # the seed's palm is not found on the small copy: nothing to follow
            for kept in reversed(self._kept):
                sides = carry_sides(self._hands_in(graph, kept.image), last)
                sides = {side: points for side, points in sides.items() if side in last}
                if not sides:
                    break
                for side, points in sides.items():
                    if getattr(kept.result, f"{side}_hand") is None:
                        setattr(kept.result, f"{side}_hand", points)
                        setattr(kept.result, f"{side}_hand_confidence", getattr(found, f"{side}_hand_confidence"))
                last = sides  # a side once lost is not picked up again
                filled += 1
        finally:
            graph.reset()  # the next walk starts from its own seed
            self._kept.clear()
        return filled

    def _hands_in(self, graph: Any, image: np.ndarray) -> list[np.ndarray]:
        from rehearse.analysis.landmarks import _landmark_array

        found = graph.process(image)
        return [_landmark_array(hand.landmark) for hand in found.multi_hand_landmarks or []]

    def _graph(self, hands: int) -> Any:
        if hands not in self._graphs:
            import mediapipe as mp

            self._graphs[hands] = mp.solutions.hands.Hands(
                static_image_mode=False,
                max_num_hands=hands,
                model_complexity=self.settings.hands_model_complexity,
                min_detection_confidence=self.settings.min_detection_confidence,
                min_tracking_confidence=self.settings.min_tracking_confidence,
            )
        return self._graphs[hands]

    def close(self) -> None:
        for graph in self._graphs.values():
            graph.close()
        self._graphs.clear()
        self._kept.clear()
