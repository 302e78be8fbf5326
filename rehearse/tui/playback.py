"""Playing a take at real speed in the terminal: frames paced by the wall clock, late ones dropped.

Plain generators, no widgets: the take screen runs `paced_frames` in a thread worker and posts
each frame it yields. As MediaPipe's live mode does, a frame that comes too late is dropped
rather than shown late, so the cursor always follows real time.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

PLAY_WIDTH_PX = 480
"""Frames are decoded at most this wide for playback: a terminal cell shows far fewer pixels."""
LATE_S = 0.05
"""A frame more than this late is dropped (its time still moves the cursor)..."""
REDRAW_S = 0.1
"""... unless nothing was drawn for this long: when decoding is slower than real time the picture
still moves (about 10 frames a second) instead of freezing."""


def video_frames(path: Path, start_s: float) -> Iterator[tuple[float, Any]]:
    """(time s, RGB image) of every frame from `start_s` on, decoded in order."""
    from rehearse.video.frames import iter_frames

    for frame in iter_frames(path, max_width=PLAY_WIDTH_PX):
        if frame.t >= start_s - 1e-6:
            yield frame.t, frame.image


def still_frames(reader: Callable[[Path, float], Any], path: Path, times: Iterable[float]) -> Iterator[tuple[float, Any]]:
    """(time s, image) at the given frame times, each read on its own (a still reader)."""
    for t in times:
        yield t, reader(path, t)


def paced_frames(
    frames: Iterable[tuple[float, Any]],
    start_s: float,
    end_s: float,
    should_stop: Callable[[], bool],
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[tuple[float, Any | None]]:
    """Yield (time s, image or None) when each frame is due on the wall clock from `start_s`.

    A frame that is already more than `LATE_S` late comes with image None (the cursor moves but
    the still is not redrawn), unless no frame was drawn for `REDRAW_S`. Stops at `end_s`, at
    the last frame, or when `should_stop`.
    """
    began = clock()
    drawn_at = began
    for t, image in frames:
        if should_stop() or t > end_s + 1e-6:
            return
        if t < start_s - 1e-6:
            continue
        due = began + (t - start_s)
        now = clock()
        if due > now:
            sleep(due - now)
        now = clock()
        if now - due <= LATE_S or now - drawn_at >= REDRAW_S:
            drawn_at = now
            yield t, image
        else:
            yield t, None
