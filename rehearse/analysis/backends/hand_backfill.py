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

Each side filled so is flagged (`<side>_hand_walked_back`, a track's `walked_back`): the
expressions' hand cover reads only hands found going forward, which no walk-back changes, so a
live expression need not wait for one (events/hand_cover.py, live/settle.py).

Live cannot hold the picture that long (up to ~36 Hands calls, ~1 s, inside one frame): there the
walk runs in a thread on a second Hands graph (`BackgroundWalks`), with the same results.
"""

from __future__ import annotations

import threading
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

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


def found_sides(found: FrameLandmarks) -> dict[str, np.ndarray]:
    """Side -> landmarks of the hands found in a frame."""
    return {side: points for side in SIDES if (points := getattr(found, f"{side}_hand")) is not None}


def walk(kept: Iterable[_Kept], found: FrameLandmarks,
         hands_in: Callable[[np.ndarray], list[np.ndarray]]) -> tuple[list[tuple[FrameLandmarks, dict]], int]:
    """Follow the hands of `found` backwards over `kept` (oldest first) with `hands_in` (a Hands
    graph whose tracking state holds them): for each frame the hand is still followed into, the
    attributes to set on its result (only its empty sides, flagged walked back); and how many
    frames the graph read."""
    last = found_sides(found)
    fills: list[tuple[FrameLandmarks, dict]] = []
    read = 0
    for frame in reversed(list(kept) if last else ()):
        read += 1
        sides = carry_sides(hands_in(frame.image), last)
        sides = {side: points for side, points in sides.items() if side in last}
        if not sides:
            break
        fill = {}
        for side, points in sides.items():
            if getattr(frame.result, f"{side}_hand") is None:
                fill[f"{side}_hand"] = points
                fill[f"{side}_hand_confidence"] = getattr(found, f"{side}_hand_confidence")
                fill[f"{side}_hand_walked_back"] = True
        fills.append((frame.result, fill))
        last = sides  # a side once lost is not picked up again
    return fills, read


class HandBackfill:
    """Keeps the recent frames without a tracked hand and walks a found hand back over them."""

    def __init__(self, settings: LandmarkSettings, background: BackgroundWalks | None = None):
        self.settings = settings
        self._kept: deque[_Kept] = deque()
        self.background = background if self.enabled else None
        """Walks in a thread on a graph of its own (live), else inside the finding frame."""

    @property
    def enabled(self) -> bool:
        return self.settings.hands != "never" and self.settings.hands_backfill_s > 0

    @property
    def pending(self) -> int:
        """How many of the latest results a later found hand may still change."""
        return len(self._kept)

    def unsettled(self, frames_seen: int) -> int:
        """How many of the latest results may still change after `frames_seen` frames: those a
        later found hand may be walked back over, and those of a walk still running."""
        oldest = self.background.oldest_open if self.background is not None else None
        return len(self._kept) if oldest is None else max(len(self._kept), frames_seen - oldest)

    def keep(self, result: FrameLandmarks, image: np.ndarray) -> None:
        """Remember a frame with no tracked hand (dropping frames older than the window)."""
        if not self.enabled:
            return
        self._kept.append(_Kept(result, small_copy(image, self.settings.hands_backfill_width_px)))
        while self._kept and result.t - self._kept[0].result.t > self.settings.hands_backfill_s:
            self._kept.popleft()

    def take(self) -> deque[_Kept]:
        """The kept frames, oldest first; none are kept after this."""
        kept, self._kept = self._kept, deque()
        return kept

    def walk_back(self, found: FrameLandmarks, hands_in: Callable[[np.ndarray], list[np.ndarray]],
                  image: np.ndarray | None = None, number: int = 0) -> int:
        """`found` is a frame where Hands just found a hand after none was tracked, and
        `hands_in(image)` runs the same Hands graph on one more image (its tracking state now
        holds that hand): follow the hand backwards over the kept frames, filling each frame's
        empty sides until the hand is lost. Returns how many frames the graph read (its state
        then belongs to the oldest of them); the kept frames are dropped.

        With `background`, the walk starts in its thread instead, on its own graph, from `image`
        (the finding frame as the graph read it; `number`: that frame's number), and 0 is returned:
        the caller's graph read nothing more, its state is still the finding frame's."""
        if self.background is not None:
            kept = self.take()
            if kept and found_sides(found):
                self.background.start(kept, found, image.copy(), number - len(kept))
            return 0
        fills, read = walk(self.take(), found, hands_in)
        for result, fill in fills:
            vars(result).update(fill)
        return read

    def load(self) -> None:
        if self.background is not None:
            self.background.load()

    def land(self, wait: bool = False) -> None:
        """Set the hands of the walks finished in the background (with `wait`: of all of them)."""
        if self.background is not None:
            self.background.land(wait)

    def close(self) -> None:
        self._kept.clear()
        if self.background is not None:
            self.background.close()


class BackgroundWalks:
    """Walks found hands back on a Hands graph of its own, in a thread, so a live picture does not
    wait for it: a walk reads up to `hands_backfill_s` of frames (~36 Hands calls, ~1 s) and inside
    one frame that was a stall (display lag, dropped frames, events late).

    The walk graph is seeded the way the forward graph is when the walk runs on it: restarted and
    run on the finding frame (a palm search there, as the search that found the hand), so its
    tracking state holds the same hand and it reads the same frames back with the same results
    (a test compares them with the walk inside the frame). The results land on the main thread,
    at the next `land()`, all of one walk at once; until then its frames are counted unsettled.
    Costs a second Hands graph (~80 MB): for live only, offline walks inside the frame."""

    def __init__(self, new_graph: Callable[[], Any], hands_of: Callable[[Any, np.ndarray], list[np.ndarray]]):
        self._new_graph = new_graph
        self._hands_of = hands_of  # (graph, image) -> the hands the graph finds in one more image
        self._graph: Any = None
        self._lock = threading.Lock()  # the graph is built by whichever thread needs it first
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hand-walk")
        self._running: deque[tuple[Future, int]] = deque()  # (walk, its oldest frame's number), oldest first
        self.walks = 0
        self.frames_read = 0

    def load(self) -> None:
        """Build the walk's graph now (0.3-1 s under load) rather than when a hand first appears."""
        self._ready_graph()

    def _ready_graph(self) -> Any:
        with self._lock:
            if self._graph is None:
                self._graph = self._new_graph()
            return self._graph

    def start(self, kept: deque[_Kept], found: FrameLandmarks, seed_image: np.ndarray, oldest: int) -> None:
        """Walk `found`'s hands back over `kept` (oldest first, its first frame numbered `oldest`)
        from `seed_image`, the finding frame's picture as the forward graph read it (a copy)."""

        def run() -> list[tuple[FrameLandmarks, dict]]:
            graph = self._ready_graph()
            graph.reset()
            self._hands_of(graph, seed_image)
            fills, read = walk(kept, found, lambda image: self._hands_of(graph, image))
            self.frames_read += read
            return fills

        self.walks += 1
        self._running.append((self._executor.submit(run), oldest))

    @property
    def oldest_open(self) -> int | None:
        """Number of the oldest frame a walk still running may change (None: no walk runs)."""
        return self._running[0][1] if self._running else None

    def land(self, wait: bool = False) -> None:
        """Set the hands of every finished walk (oldest first) on their frames; with `wait`, wait
        for all. Each frame's sides change in one dict update: a detection pass reading it from
        another thread sees the frame before or after, never half of it."""
        while self._running and (wait or self._running[0][0].done()):
            future, _ = self._running.popleft()
            for result, fill in future.result():
                vars(result).update(fill)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
        self._running.clear()
        if self._graph is not None:
            self._graph.close()
            self._graph = None
