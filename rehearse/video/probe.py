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
    mirrored: bool = False
    """True when the display matrix also mirrors the picture (decoded frames are mirrored, as shown)."""


def video_error(path: Path, message: str, hint: str = _FIX_UNREADABLE) -> VideoError:
    """A one-line VideoError naming the file."""
    return VideoError(message, Location(path), hint=hint)


@contextlib.contextmanager
def open_container(path: Path | str) -> Iterator:
    """Open `path` for reading with PyAV, turning every way it can fail into a one-line VideoError."""
    import av

    from rehearse.breakdown.take_files import check_take_file

    path = Path(path)
    check_take_file(path)  # a FIFO, device or folder never reaches FFmpeg (it would block or fail late)
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


@dataclass(frozen=True)
class Orientation:
    """How a frame is turned for display: FFmpeg's display matrix, axis-aligned (all 8 EXIF orientations).

    Display pixel = stored pixel moved by the matrix's 2x2 part: the stored array is transposed
    (a quarter turn), then its rows and/or columns are reversed. A mirror (a selfie camera's
    flip) is a reversal of columns, not half a turn.
    """

    transpose: bool = False
    """Rows and columns swap (a 90 or 270 deg turn, possibly with a mirror)."""
    flip_rows: bool = False
    """The display's rows are in reverse order after the transpose."""
    flip_cols: bool = False
    """The display's columns are in reverse order after the transpose."""

    @property
    def mirrored(self) -> bool:
        """True when the display is a mirror image of the stored picture (the matrix flips handedness)."""
        return self.transpose == (self.flip_rows == self.flip_cols)

    @property
    def rotation_deg(self) -> int:
        """The clockwise turn (0/90/180/270 deg) a player applies, after undoing a horizontal mirror."""
        transpose, rows, cols = self.transpose, self.flip_rows, self.flip_cols
        if self.mirrored:
            cols = not cols  # mirroring the display back reverses its columns once more
        if not transpose:
            return 180 if rows and cols else 0
        return 90 if cols else 270

    def apply(self, image):
        """The stored H x W (x C) array turned as it is displayed."""
        import numpy as np

        if self.transpose:
            image = np.swapaxes(image, 0, 1)
        if self.flip_rows:
            image = image[::-1]
        if self.flip_cols:
            image = image[:, ::-1]
        return np.ascontiguousarray(image) if (self.transpose or self.flip_rows or self.flip_cols) else image


UPRIGHT = Orientation()


def orientation_from_matrix(values) -> Orientation:
    """The orientation of FFmpeg's 3x3 display matrix (9 ints, 16.16 fixed point; row-vector form).

    A stored pixel (x, y), y pointing down, is displayed at x' = a*x + c*y, y' = b*x + d*y for
    matrix [a, b, u, c, d, v, ...]. A matrix that is not a quarter turn or mirror is rounded to
    the nearest one (phones write exact ones).
    """
    a, b, c, d = (float(values[i]) for i in (0, 1, 3, 4))
    if abs(a) + abs(d) >= abs(b) + abs(c):
        return Orientation(False, d < 0, a < 0)
    return Orientation(True, b < 0, c < 0)


def frame_orientation(frame) -> Orientation:
    """The display orientation of a decoded PyAV frame, from its display-matrix side data."""
    import struct

    try:
        from av.sidedata.sidedata import SideDataContainer, Type

        # Not `frame.side_data`: that caches a container holding the frame on the frame itself,
        # a reference cycle that keeps every decoded 1080p frame (3 MB) alive until the cyclic
        # GC runs (decode-only RSS climbed ~700 MB in 400 frames; benchmarks/bench_memory.py).
        data = next((item for item in SideDataContainer(frame) if item.type == Type.DISPLAYMATRIX), None)
    except (ImportError, AttributeError, TypeError):
        data = None
    if data is not None:
        raw = bytes(data)
        if len(raw) >= 36:
            return orientation_from_matrix(struct.unpack("<9i", raw[:36]))
    rotation = rotation_from_matrix_deg(getattr(frame, "rotation", 0))
    return {0: UPRIGHT, 90: Orientation(True, False, True), 180: Orientation(False, True, True),
            270: Orientation(True, True, False)}[rotation]


_UNSPECIFIED_SPACE = 2  # AVCOL_SPC_UNSPECIFIED
_BT709, _BT601_625, _BT601_525 = 1, 5, 6
_FULL_RANGE = 2  # AVCOL_RANGE_JPEG


def rgb_conversion(frame) -> dict:
    """How to turn a decoded YUV frame into the RGB the models see: `VideoFrame.reformat` options.

    Every codec's frames go through the same explicit conversion, so one picture gives the
    models the same pixels whatever it was encoded with:
    - the colour matrix is the stream's own; an untagged one (MPEG-4 Part 2 cannot store a tag)
      is BT.709 for HD sizes and BT.601 below, as players show it (swscale alone would take
      BT.601 for every size, shifting an HD take's skin tones);
    - the range is the stream's own (full-range `yuvj`/`pc` from phones and some HEVC/AV1
      encodes), limited when untagged, and the output is full-range RGB;
    - chroma is upsampled and rounded the same way whether or not the frame is also scaled.
    """
    space = getattr(frame, "colorspace", _UNSPECIFIED_SPACE)
    if space in (_UNSPECIFIED_SPACE, 0, None) or space not in (_BT709, _BT601_625, _BT601_525):
        hd = frame.width >= 1280 or frame.height > 576
        matrix = "ITU709" if hd else "ITU601"
        if space not in (_UNSPECIFIED_SPACE, 0, None):
            matrix = None  # another tagged matrix (BT.2020, FCC ...): swscale knows it from the frame
    else:
        matrix = "ITU709" if space == _BT709 else "ITU601"
    full = getattr(frame, "color_range", 0) == _FULL_RANGE or frame.format.name.startswith("yuvj")
    options = {"src_color_range": "JPEG" if full else "MPEG", "dst_color_range": "JPEG"}
    if matrix is not None:
        options["src_colorspace"] = matrix
    return options


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
        orientation = UPRIGHT
        try:
            for frame in container.decode(video):
                orientation = frame_orientation(frame)
                break
        except av.error.FFmpegError:
            pass  # an undecodable first frame is iter_frames' error to report, with its count
        # frames are decoded to square pixels
        width = square_width(video.codec_context.width, pixel_aspect(video))
        height = video.codec_context.height
        if orientation.transpose:
            width, height = height, width
        rate = video.average_rate or video.guessed_rate
        return VideoInfo(
            path=path,
            width=int(width),
            height=int(height),
            rotation_deg=orientation.rotation_deg,
            mirrored=orientation.mirrored,
            nominal_fps=float(rate) if rate else 0.0,
            duration_s=duration_s,
            container_frame_count=int(video.frames) if video.frames else None,
            has_video=True,
            has_audio=audio is not None,
            codec=video.codec_context.name,
        )
