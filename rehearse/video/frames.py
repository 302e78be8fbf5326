"""Decoded frames with exact presentation times (VFR-safe), display rotation applied, as RGB arrays.

Decoding uses PyAV (see benchmarks/bench_decode.py for the measurement against OpenCV): each
frame's time comes from its own PTS and the stream time base, never from index / fps, and
frames are counted by decoding, never from the container's claimed count. Times are seconds
relative to the video stream's declared start (see `rehearse.video.probe`), so the first frame
of an ordinary take is t = 0.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from rehearse.errors import VideoError
from rehearse.video.probe import (
    error_reason,
    frame_orientation,
    open_container,
    pixel_aspect,
    rgb_conversion,
    square_width,
    video_error,
)

log = logging.getLogger(__name__)

_TIME_EPS_S = 1e-9  # float slack when comparing a requested time with exact frame times
_FIX_NO_VIDEO = (
    "analysis needs the camera's file, not an audio-only recording; if this is the camera's file "
    "it is cut short: copy it again from the card"
)
_TRUNCATION_SLACK_S = 0.5  # how far the last frame may end before the declared duration


@dataclass(frozen=True, eq=False)
class Frame:
    """One decoded frame and when it is shown."""

    index: int
    """Position among ALL decoded frames (0-based); a stride skips indices, it does not renumber."""
    t: float
    """Presentation time in seconds, exact from the frame's PTS, relative to the stream start."""
    image: np.ndarray
    """H x W x 3 uint8 RGB, display rotation applied (and downscaled when max_width was given)."""


def _video_stream(path: Path, container):
    if not container.streams.video:
        raise video_error(path, "has no video stream", _FIX_NO_VIDEO)
    stream = container.streams.video[0]
    stream.thread_type = "AUTO"  # frame + slice threads: ~2x faster on two cores
    return stream


def _start_pts(stream) -> int | None:
    return int(stream.start_time) if stream.start_time is not None else None


def _decoded(path: Path, container, stream) -> Iterator[tuple[int, float, object]]:
    """(index, t_seconds, av.VideoFrame) for every decodable frame, in presentation order.

    A packet the decoder rejects is skipped (the frames after it still count); when the
    demuxer itself cannot go on (a truncated file) decoding stops with the frames so far.
    """
    import av

    time_base = Fraction(stream.time_base)
    start_pts = _start_pts(stream)
    index = 0
    last_t: float | None = None
    fallback_step = 1.0 / float(stream.average_rate or stream.guessed_rate or 25)
    rejected = 0
    first_error: BaseException | None = None
    try:
        for packet in container.demux(stream):
            try:
                frames = packet.decode()
            except av.error.FFmpegError as exc:
                rejected += 1
                first_error = first_error or exc
                continue
            for frame in frames:
                pts = frame.pts
                if pts is None:  # no timestamp at all: the only case where a time is inferred
                    t = 0.0 if last_t is None else last_t + fallback_step
                else:
                    if start_pts is None:
                        start_pts = int(pts)
                    t = float((int(pts) - start_pts) * time_base)
                last_t = t
                yield index, t, frame
                index += 1
    except av.error.FFmpegError as exc:
        if index == 0:
            raise video_error(path, f"no frame could be decoded ({error_reason(exc)})") from exc
        log.warning("%s: decoding stopped after %d frames (file damaged or truncated): %s",
                    path, index, error_reason(exc))
        return
    if index == 0:
        reason = error_reason(first_error) if first_error else "the video stream is empty or damaged"
        raise video_error(path, f"no frame could be decoded ({reason})")
    if rejected:
        log.warning("%s: skipped %d damaged video packets (%s); %d frames decoded",
                    path, rejected, error_reason(first_error), index)
    declared_s = float(stream.duration * time_base) if stream.duration else None
    if declared_s is not None and last_t is not None and last_t + _TRUNCATION_SLACK_S < declared_s:
        log.warning("%s: frames end at %.3f s but the container declares %.3f s: the file may be "
                    "truncated", path, last_t, declared_s)


def frame_to_rgb(frame, max_width: int | None, aspect: float = 1.0) -> np.ndarray:
    """RGB array of `frame` in square pixels (stretched by the pixel `aspect`), downscaled so the
    displayed width is at most max_width, then turned and mirrored as its display matrix says."""
    orientation = frame_orientation(frame)
    square_w = square_width(frame.width, aspect)
    coded_h = frame.height
    display_w, display_h = (coded_h, square_w) if orientation.transpose else (square_w, coded_h)
    if max_width is not None and display_w > max_width:
        scale = max_width / display_w
        display_w, display_h = max_width, max(1, round(display_h * scale))
    width, height = (display_h, display_w) if orientation.transpose else (display_w, display_h)
    # One explicit conversion (matrix, range, chroma) for every codec and size: see rgb_conversion.
    scaled = (width, height) != (frame.width, frame.height)
    image = frame.reformat(width=width, height=height, format="rgb24", interpolation="AREA" if scaled else None,
                           **rgb_conversion(frame)).to_ndarray()
    return orientation.apply(image)


def iter_frames(
    path: Path | str, *, stride: int = 1, max_width: int | None = None, start_s: float = 0.0, end_s: float | None = None
) -> Iterator[Frame]:
    """Yield every `stride`-th decoded frame (index 0, stride, 2*stride, ...) in presentation order.

    With `start_s` > 0 decoding seeks to the keyframe before it and yields frames from `start_s`
    on, with the same indices and times as a decode from the start; `end_s` stops before the
    first frame at or after it. A truncated or damaged file yields the frames before the damage
    and stops (with a logged warning); VideoError only when no frame at all can be decoded or
    the file is not a video.
    """
    if stride < 1:
        raise ValueError(f"stride must be >= 1, got {stride}")
    if max_width is not None and max_width < 1:
        raise ValueError(f"max_width must be >= 1 px, got {max_width}")
    path = Path(path)
    with open_container(path) as container:
        stream = _video_stream(path, container)
        aspect = pixel_aspect(stream)
        offset, table = 0, None
        if start_s > 0:
            # Frame indices after a seek come from the packet table, read before seeking (it
            # demuxes the same container).
            offset, table = None, _pts_table(path, container, stream)
            time_base = Fraction(stream.time_base)
            container.seek((_start_pts(stream) or 0) + int(Fraction(start_s) / time_base), stream=stream, backward=True)
        for local, t, frame in _decoded(path, container, stream):
            if t < start_s - _TIME_EPS_S:
                continue  # decoded from the keyframe before start_s
            if end_s is not None and t >= end_s - _TIME_EPS_S:
                return
            if offset is None:  # after a seek: the frame's place among all frames
                offset = bisect.bisect_left(table, frame.pts) - local
            index = offset + local
            if index % stride == 0:
                yield Frame(index=index, t=t, image=frame_to_rgb(frame, max_width, aspect))


def frame_times(path: Path | str, *, stride: int = 1) -> np.ndarray:
    """Presentation times (s, float64) of every `stride`-th frame, decoded but never converted to RGB."""
    if stride < 1:
        raise ValueError(f"stride must be >= 1, got {stride}")
    path = Path(path)
    with open_container(path) as container:
        stream = _video_stream(path, container)
        times = [t for index, t, _ in _decoded(path, container, stream) if index % stride == 0]
    return np.asarray(times, dtype=np.float64)


def read_frame_at(path: Path | str, t: float) -> Frame | None:
    """The frame on screen at time `t` (s): the last frame with time <= t, decoded exactly.

    Seeks to the keyframe before `t` and decodes forward, so the result is the same frame
    `iter_frames` yields, index included. None when `t` is before the first frame or after the
    last frame has finished showing.
    """
    path = Path(path)
    if t < 0:
        return None
    with open_container(path) as container:
        stream = _video_stream(path, container)
        time_base = Fraction(stream.time_base)
        start_pts = _start_pts(stream) or 0
        target_pts = start_pts + int(Fraction(t) / time_base)
        outcome, found = _decode_up_to(path, container, stream, t, seek_pts=target_pts)
        if outcome == "before":
            # The seek index overshot (or seeking failed): decode from the start instead.
            outcome, found = _decode_up_to(path, container, stream, t, seek_pts=start_pts)
        if outcome != "found":
            return None
        best_t, best = found
        image = frame_to_rgb(best, None, pixel_aspect(stream))
        index = _index_of_pts(path, container, stream, best.pts)
    return Frame(index=index, t=best_t, image=image)


def _decode_up_to(path, container, stream, t, *, seek_pts):
    """Seek to `seek_pts`, decode forward and find the frame on screen at `t`.

    Returns ("found", (t, frame)), ("before", None) when the first frame decoded is already later
    than `t` (or nothing decoded), or ("after", None) when `t` is past the end of the last frame.
    """
    import av

    try:
        container.seek(seek_pts, stream=stream, backward=True)
    except av.error.FFmpegError:
        return "before", None
    best = best_t = None
    last_end = None
    try:
        for _, frame_t, frame in _decoded(path, container, stream):
            if frame_t > t + _TIME_EPS_S:
                return ("found", (best_t, best)) if best is not None else ("before", None)
            best, best_t = frame, frame_t
            duration = frame.duration or None
            last_end = frame_t + float(duration * Fraction(stream.time_base)) if duration else None
    except VideoError:
        pass  # nothing decodable after this seek point
    if best is None:
        return "before", None
    # Past the last frame: still on screen while within its duration (or one nominal frame).
    if last_end is None:
        rate = stream.average_rate or stream.guessed_rate or 25
        last_end = best_t + 1.0 / float(rate)
    return ("found", (best_t, best)) if t < last_end else ("after", None)


def _index_of_pts(path: Path, container, stream, pts) -> int:
    """How many frames come before `pts`, from the file's presented-packet table (no decoding),
    read once per file version: a report's stills of one take then cost one demux, not one each."""
    return bisect.bisect_left(_pts_table(path, container, stream), pts)


def _pts_table(path: Path, container, stream) -> list[int]:
    """The file's presented-packet table (see `_presented_pts`), cached per file version."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    table = _PTS_TABLES.get(key)
    if table is None:
        table = _presented_pts(container, stream)
        if len(_PTS_TABLES) >= _PTS_TABLES_KEPT:
            _PTS_TABLES.pop(next(iter(_PTS_TABLES)))
        _PTS_TABLES[key] = table
    return table


_PTS_TABLES: dict[tuple[str, int, int], list[int]] = {}
_PTS_TABLES_KEPT = 16
"""Packet tables of this many file versions are kept (a few KB per minute of video)."""


def _presented_pts(container, stream) -> list[int]:
    """Sorted presentation timestamps of the frames a player shows (edit-list pre-roll and
    discarded packets left out)."""
    container.seek(_start_pts(stream) or 0, stream=stream, backward=True)
    start = _start_pts(stream)
    table = []
    for packet in container.demux(stream):
        if packet.pts is None or packet.is_discard:
            continue
        if start is not None and packet.pts < start:
            continue  # edit-list pre-roll: decoded but never presented
        table.append(int(packet.pts))
    return sorted(table)
