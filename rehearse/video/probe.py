"""What a video file holds (size after rotation, streams, what the container claims), and how it is opened.

The clock: every time this package reports (`Frame.t`, `Audio.start_s`) is in seconds relative
to the video stream's declared start (`start_time`), so the first frame of an ordinary take is
t = 0 and a stream whose first frame is later than its declared start keeps that offset. For a
file without video the audio stream's start is the origin.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rehearse.errors import Location, VideoError

_FIX_UNREADABLE = "re-export the take as H.264 MP4 or MOV, or point the breakdown at the right file"


@dataclass(frozen=True)
class VideoInfo:
    """What a video file holds; the container's claims are informative, never trusted for counting."""

    path: Path
    width: int
    """Display width in square px, after rotation (stored width times the pixel aspect)."""
    height: int
    """Display height in px, after rotation."""
    rotation_deg: int
    """Clockwise rotation (0/90/180/270 deg) a player applies for display, from the display matrix."""
    nominal_fps: float
    """Average frame rate the container declares (frames/s); informative only, times come from PTS."""
    duration_s: float | None
    """Duration the container declares (s); may be wrong."""
    container_frame_count: int | None
    """Frame count the container claims; may lie (decode to count)."""
    has_video: bool
    has_audio: bool
    codec: str
    """Video codec name (e.g. h264), or the audio codec's when there is no video."""


def video_error(path: Path, message: str, hint: str = _FIX_UNREADABLE) -> VideoError:
    """A one-line VideoError naming the file."""
    return VideoError(message, Location(path), hint=hint)


@contextlib.contextmanager
def open_container(path: Path | str) -> Iterator:
    """Open `path` for reading with PyAV, turning every way it can fail into a one-line VideoError."""
    import av

    path = Path(path)
    if not path.exists():
        raise video_error(path, "video file not found", "check the take's file path in the breakdown")
    if path.is_dir():
        raise video_error(path, "is a directory, not a video file", "name the video file itself")
    if path.stat().st_size == 0:
        raise video_error(path, "video file is empty (0 bytes)", "copy the take again from the card")
    try:
        container = av.open(str(path), mode="r")
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise video_error(path, f"not a video FFmpeg can read ({error_reason(exc)})") from exc
    try:
        yield container
    finally:
        container.close()


def error_reason(exc: BaseException) -> str:
    """FFmpeg's own short reason, on one line (without errno numbers or function names)."""
    text = getattr(exc, "strerror", None) or str(exc)
    return " ".join(str(text).split())


def clock_origin_s(container) -> float:
    """The time (s, container clock) that this package reports as t = 0; see the module docstring."""
    for streams in (container.streams.video, container.streams.audio):
        if streams:
            stream = streams[0]
            if stream.start_time is not None:
                return float(stream.start_time * stream.time_base)
    return 0.0


def pixel_aspect(stream) -> float:
    """Width of one stored pixel over its height (the sample aspect ratio; 1 when unset).

    HDV (1440x1080 shown as 1920x1080), DV and anamorphic captures store non-square pixels:
    measured as stored, an eye would be narrower than it is and a head turn would read wrong."""
    for ratio in (getattr(stream, "sample_aspect_ratio", None),
                  getattr(stream.codec_context, "sample_aspect_ratio", None)):
        if ratio:
            value = float(ratio)
            if 0.1 < value < 10:
                return value
    return 1.0


def square_width(stored_width: int, aspect: float) -> int:
    """The width in square pixels of `stored_width` pixels of pixel `aspect`."""
    return stored_width if abs(aspect - 1.0) <= 1e-3 else max(1, round(stored_width * aspect))


def rotation_from_matrix_deg(ccw_deg: float | int | None) -> int:
    """Clockwise display rotation (0/90/180/270) from FFmpeg's counter-clockwise display-matrix angle."""
    if ccw_deg is None:
        return 0
    return int(round(-float(ccw_deg) / 90.0)) * 90 % 360


def probe(path: Path | str) -> VideoInfo:
    """Read a file's header (and decode its first frame, for the rotation) without trusting counts."""
    import av

    path = Path(path)
    with open_container(path) as container:
        video = container.streams.video[0] if container.streams.video else None
        audio = container.streams.audio[0] if container.streams.audio else None
        if video is None and audio is None:
            raise video_error(path, "has neither a video nor an audio stream")
        duration_s = float(container.duration) / av.time_base if container.duration else None
        if video is None:
            return VideoInfo(
                path=path, width=0, height=0, rotation_deg=0, nominal_fps=0.0,
                duration_s=duration_s, container_frame_count=None, has_video=False,
                has_audio=True, codec=audio.codec_context.name,
            )
        if video.duration is not None and video.time_base is not None:
            duration_s = float(video.duration * video.time_base)
        rotation = 0
        try:
            for frame in container.decode(video):
                rotation = rotation_from_matrix_deg(frame.rotation)
                break
        except av.error.FFmpegError:
            pass  # an undecodable first frame is iter_frames' error to report, with its count
        # frames are decoded to square pixels
        width = square_width(video.codec_context.width, pixel_aspect(video))
        height = video.codec_context.height
        if rotation in (90, 270):
            width, height = height, width
        rate = video.average_rate or video.guessed_rate
        return VideoInfo(
            path=path,
            width=int(width),
            height=int(height),
            rotation_deg=rotation,
            nominal_fps=float(rate) if rate else 0.0,
            duration_s=duration_s,
            container_frame_count=int(video.frames) if video.frames else None,
            has_video=True,
            has_audio=audio is not None,
            codec=video.codec_context.name,
        )
