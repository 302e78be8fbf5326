"""A live picture source: a camera, a network stream or a file played at real speed, read in a thread.

`LiveSource` opens SOURCE through PyAV (imported lazily), reads its packets in a background
thread, copies them unchanged into a recording when one is asked for (no re-encoding; the
recording is flushed packet by packet so a kill leaves a playable file), decodes them, and
queues the decoded frames for the analysis: a frame more than `max_behind_s` of stream time
older than the newest one received is dropped and counted instead of analysed (as MediaPipe's
LIVE_STREAM mode drops frames while busy), so what is shown is never more than about that
far behind the picture, and a short burst (a network hiccup) is caught up without a gap. A file read without
`realtime` is not a live picture: nothing is dropped and the reader waits for the analysis.

A stream that stops sending is reopened until it comes back; the frame times stay on the
stream's own clock, so a take's times are the same before and after the gap.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import deque
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from rehearse.errors import Location, VideoError

log = logging.getLogger(__name__)

_FILE_QUEUE_FRAMES = 8  # decoded frames held ahead of the analysis when reading a file flat out
NETWORK_SCHEMES = ("udp", "rtp", "rtsp", "srt", "tcp", "http", "https", "rtmp")
_URL_PASSWORD = re.compile(r"(://[^/@:\s]*):[^@/\s]*@")
_QUERY_PASSWORD = re.compile(r"([?&](?:passphrase|password|pass|pwd)=)[^&\s]*", re.IGNORECASE)


def shown_source(text: str) -> str:
    """`text` with any password in a stream URL masked (`rtsp://user:***@camera/...`, SRT's
    `passphrase=***`): the slate, errors and summaries are read on a monitor in a room full of
    people, and camera passwords are usually the building's."""
    return _QUERY_PASSWORD.sub(r"\1***", _URL_PASSWORD.sub(r"\1:***@", text))


@dataclass(frozen=True)
class SourceSpec:
    """How FFmpeg is asked to open a SOURCE argument."""

    source: str
    """What the user typed."""
    url: str
    """What FFmpeg opens: a path, a device or a URL."""
    format: str | None
    """FFmpeg input format to force (`v4l2` for a camera), None to let it probe."""
    live: bool
    """True for cameras and network streams (frames arrive on their own clock)."""

    @property
    def shown(self) -> str:
        """The source as it may be shown: `source` with any password masked (`shown_source`)."""
        return shown_source(self.source)


def source_spec(source: str) -> SourceSpec:
    """Read a SOURCE argument: `/dev/videoN`, `v4l2:N`, `scheme://...` or a file path.

    Raises VideoError (one line) for a file that does not exist or a scheme FFmpeg would not
    treat as a stream."""
    if source.startswith("v4l2:"):
        device = source[5:]
        url = f"/dev/video{device}" if device.isdigit() else device
        return _camera(SourceSpec(source, url, "v4l2", True))
    if source.startswith("/dev/video"):
        return _camera(SourceSpec(source, source, "v4l2", True))
    if "://" in source:
        scheme = source.split("://", 1)[0].lower()
        if scheme == "file":
            return source_spec(source[7:])
        if scheme not in NETWORK_SCHEMES:
            raise VideoError(f"'{scheme}://' is not a stream rehearse watches", Location(shown_source(source)),
                             hint="use udp://, rtp://, rtsp://, srt://, a camera (/dev/video0, v4l2:0) or a file")
        return SourceSpec(source, source, None, True)
    path = Path(source)
    if not path.exists():
        raise VideoError("no such file or camera", Location(source),
                         hint="give a file, a camera (/dev/video0, v4l2:0) or a stream URL (udp://@:5000)")
    if not path.is_file():
        raise VideoError("not a video file", Location(source), hint="give a file, a camera or a stream URL")
    return SourceSpec(source, str(path), None, False)


def _camera(spec: SourceSpec) -> SourceSpec:
    """The camera spec, once its device is there and ours to read (else one line saying which
    and what to do), before any model loads."""
    import errno
    import os
    import stat

    device = Path(spec.url)
    try:
        mode = device.stat().st_mode
    except OSError as exc:
        if exc.errno != errno.ENOENT:
            raise VideoError(f"cannot open the camera: {exc.strerror}", Location(spec.shown)) from exc
        present = sorted(str(p) for p in Path("/dev").glob("video*"))
        hint = (f"cameras on this machine: {', '.join(present)}" if present else
                "this machine has no camera, nothing in /dev/video*: plug one in, or send its picture as a stream (udp://@:5000)")
        raise VideoError(f"no camera {spec.url}", Location(spec.shown), hint=hint) from exc
    if not stat.S_ISCHR(mode):
        raise VideoError(f"{spec.url} is not a camera device", Location(spec.shown),
                         hint="name a camera (/dev/video0, v4l2:0), a stream URL or a file")
    if not os.access(device, os.R_OK | os.W_OK):
        raise VideoError(f"no permission to use the camera {spec.url}", Location(spec.shown),
                         hint="add yourself to the video group (sudo usermod -aG video $USER) and log in again")
    return spec


@dataclass
class ReceivedFrame:
    """One decoded frame handed to the analysis, with when it arrived."""

    index: int
    """Position among all frames decoded from the source (dropped ones included)."""
    t: float
    """Presentation time in seconds on the stream's clock, 0 at the first frame."""
    frame: Any
    """The av.VideoFrame (converted to RGB only if the analysis takes it)."""
    aspect: float
    """Pixel aspect of the stream (1 = square pixels)."""
    arrived_wall_s: float
    """time.monotonic() when the frame was decoded."""


class LiveSource:
    """Reads SOURCE in a thread; `take(timeout)` returns the next frame still recent enough.

    `open_timeout_s`: how long the first open (and each reopen attempt) waits for a picture.
    `read_timeout_s`: a read that gets nothing for this long counts as a lost signal and the
    source is reopened. `record`: a file the received packets are copied into, unchanged.
    """

    def __init__(self, spec: SourceSpec, *, realtime: bool = False, open_timeout_s: float = 10.0,
                 read_timeout_s: float = 2.0, record: Path | None = None, max_behind_s: float = 0.5,
                 keep_first_s: float = 0.0):
        self.spec = spec
        self.keep_first_s = keep_first_s
        """Frames this close to the stream's first one (stream time, s) are never dropped: the
        burst read while probing a live source lands there, and levels read over a stream's
        first frames (stream_levels.WARM_S) must see each of them, as offline does."""
        self._first_t: float | None = None
        self.realtime = realtime
        self.drops = spec.live or realtime
        self.open_timeout_s = open_timeout_s
        self.read_timeout_s = read_timeout_s
        self.record_path = record
        self.max_behind_s = max_behind_s
        self.frames_decoded = 0
        self.analysis_s = max_behind_s / 2
        """How long analysing a frame takes lately, in seconds (the reader of `take` updates it:
        `analysed`); a frame is dropped once its wait plus this would exceed the budget."""
        self.frames_dropped = 0
        """Frames decoded but skipped: more than max_behind_s behind the newest when their turn came."""
        self.reopens = 0
        self.ended = False
        """The source has no more frames (end of file, or stopped)."""
        self.error: str | None = None
        """Why reading stopped early, one line (None when it ended normally)."""
        self.last_packet_wall_s: float | None = None
        self.newest_t: float | None = None
        """Stream time (s) of the newest frame decoded, analysed or not: the picture arriving now."""
        self._queue: deque[ReceivedFrame] = deque()
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._origin_pts: int | None = None
        self._output: Any = None
        self._out_stream: Any = None
        self._out_sound: Any = None
        self._record_started = False

    # -- life cycle ----------------------------------------------------------------------------

    def start(self) -> None:
        """Open the source (raising VideoError in one line when it cannot be) and start reading."""
        container = self._open(self.open_timeout_s, first=True)
        self._thread = threading.Thread(target=self._read_loop, args=(container,), name="live-source", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop reading and close the recording (it stays playable)."""
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=self.read_timeout_s + 5)
        self._close_recording()

    def take(self, timeout_s: float) -> ReceivedFrame | None:
        """The oldest frame not too far behind, waiting up to `timeout_s`; None when none came."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while not self._queue and not self.ended:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(left)
            if not self._queue:
                return None
            newest, now = self._queue[-1].t, time.monotonic()
            # Skip a frame that has a newer one behind it and is too far behind the picture: in
            # stream time (a burst), or waiting so long that analysing it (as long as the last
            # frames took) would show it more than the budget late.
            waited_max = max(0.05, min(self.max_behind_s / 2, self.max_behind_s - 2 * self.analysis_s))
            if self._first_t is None:
                self._first_t = self._queue[0].t
            while self.drops and len(self._queue) > 1 and self._queue[0].t - self._first_t >= self.keep_first_s and (
                    newest - self._queue[0].t > self.max_behind_s
                    or now - self._queue[0].arrived_wall_s > waited_max):
                self._queue.popleft()
                self.frames_dropped += 1
            frame = self._queue.popleft()
            self._cond.notify_all()
            return frame

    def analysed(self, seconds: float) -> None:
        """A taken frame was analysed in `seconds` (wall clock): followed as a running mean."""
        self.analysis_s = 0.8 * self.analysis_s + 0.2 * seconds

    # -- reading (background thread) -------------------------------------------------------------

    def _open(self, timeout_s: float, *, first: bool) -> Any:
        import av

        try:
            container = av.open(self.spec.url, format=self.spec.format, timeout=(timeout_s, self.read_timeout_s),
                                options=_input_options(self.spec))
        except (av.error.FFmpegError, OSError, ValueError) as exc:
            reason = " ".join(str(getattr(exc, "strerror", None) or exc).split())
            if self.spec.format == "v4l2" and getattr(exc, "errno", None) == 16:  # EBUSY
                reason = "the camera is in use by another program"
            if self.spec.format == "v4l2" and getattr(exc, "errno", None) == 25:  # ENOTTY: no video4linux ioctls
                reason = f"{self.spec.url} is not a camera (not a video4linux device)"
            if isinstance(exc, av.error.ExitError) or "Immediate exit" in reason:
                reason = f"nothing received in {timeout_s:g} s"
            hint = _open_hint(self.spec)
            if "Protocol not found" in reason:
                scheme = self.spec.url.split("://", 1)[0]
                reason = f"this FFmpeg build (inside PyAV) cannot read {scheme}://"
                hint = f"relay it as MPEG-TS over UDP: ffmpeg -i '{shown_source(self.spec.url)}' -c copy -f mpegts udp://127.0.0.1:5000"
            raise VideoError(f"cannot open the source: {reason}", Location(self.spec.shown), hint=hint) from exc
        if not container.streams.video:
            container.close()
            raise VideoError("the source has no video stream", Location(self.spec.shown),
                             hint="send the camera's picture, not only its sound")
        if first and self.record_path is not None:
            self._open_recording(container.streams.video[0], _sound(container))
        return container

    def _read_loop(self, container: Any) -> None:
        try:
            while not self._stop.is_set():
                finished = self._read_until_gap(container)
                container.close()
                if finished or self._stop.is_set():
                    break
                container = self._reopen()
                if container is None:
                    break
        except Exception as exc:  # a bug or an FFmpeg failure: say it, the analysis ends cleanly
            log.exception("live source stopped")
            self.error = " ".join(str(exc).split())
        finally:
            with self._cond:
                self.ended = True
                self._cond.notify_all()

    def _reopen(self) -> Any | None:
        """Open the source again after a gap (the stream stopped sending); None once stopped."""
        while not self._stop.is_set():
            try:
                container = self._open(self.read_timeout_s, first=False)
            except VideoError:
                continue
            self.reopens += 1
            return container
        return None

    def _read_until_gap(self, container: Any) -> bool:
        """Read packets until the source ends (True) or stops sending (False: reopen it)."""
        import av

        stream = container.streams.video[0]
        # Frame threads hold back one frame per thread (FFmpeg counts the host's cores, 20+ in a
        # container): a second of delay on a live picture. Slice threads add none.
        stream.thread_type = "SLICE" if self.spec.live else "AUTO"
        time_base = Fraction(stream.time_base)
        from rehearse.video.probe import pixel_aspect

        aspect = pixel_aspect(stream)
        paced_from: tuple[float, float] | None = None
        try:
            sound = _sound(container)
            for packet in container.demux(*([stream, sound] if sound is not None else [stream])):
                if self._stop.is_set():
                    return True
                self.last_packet_wall_s = time.monotonic()
                if packet.stream.type == "audio":
                    self._record(packet, video=False)  # sound is recorded, never analysed here
                    continue
                try:
                    frames = packet.decode()
                except av.error.FFmpegError:
                    frames = []  # a damaged packet (or frames before the first keyframe after a gap)
                # After decoding: muxing hands the packet to the recording's stream.
                self._record(packet)
                for frame in frames:
                    if frame.pts is None:
                        continue
                    if self._origin_pts is None:
                        self._origin_pts = int(frame.pts)
                    t = float((int(frame.pts) - self._origin_pts) * time_base)
                    if self.realtime:
                        paced_from = paced_from or (time.monotonic() - t, t)
                        wait = paced_from[0] + t - time.monotonic()
                        if wait > 0 and self._stop.wait(wait):
                            return True
                    self._hand_over(ReceivedFrame(self.frames_decoded, t, frame, aspect, time.monotonic()))
                    self.frames_decoded += 1
        except av.error.ExitError:
            return not self.spec.live  # the read timed out: a live source has stalled
        except av.error.EOFError:
            return True
        except av.error.FFmpegError as exc:
            if not self.spec.live:
                raise
            log.info("%s: read failed (%s); reopening", self.spec.shown, exc)
            return False
        return not self.spec.live  # a stream "ends" when its sender stops: wait for it to resume

    def _hand_over(self, received: ReceivedFrame) -> None:
        self.newest_t = received.t
        with self._cond:
            if not self.drops:  # a file as fast as the analysis goes: wait, never drop
                while len(self._queue) >= _FILE_QUEUE_FRAMES and not self._stop.is_set():
                    self._cond.wait(0.1)
            self._queue.append(received)
            self._cond.notify_all()

    # -- recording (packets copied as they come) ---------------------------------------------

    def _open_recording(self, in_stream: Any, sound: Any | None) -> None:
        import av

        path = self.record_path
        assert path is not None
        options = {"flush_packets": "1"}
        if path.suffix.lower() in (".mp4", ".mov", ".m4v"):
            # Fragmented: every keyframe closes a fragment, so a killed recording still plays.
            options["movflags"] = "frag_keyframe+empty_moov+default_base_moof"
        try:
            self._output = av.open(str(path), mode="w", options=options)
            self._out_stream = self._output.add_stream_from_template(in_stream)
            if sound is not None:
                self._out_sound = self._output.add_stream_from_template(sound)
        except (av.error.FFmpegError, OSError, ValueError) as exc:
            raise VideoError(f"cannot record: {' '.join(str(exc).split())}", Location(path),
                             hint="record to a .ts or .mp4 in a folder you can write to") from exc

    def _record(self, packet: Any, *, video: bool = True) -> None:
        if self._output is None or packet.dts is None and packet.pts is None:
            return
        if not video:
            # Sound before the first picture is left out, so both tracks start together.
            if self._out_sound is not None and self._record_started:
                packet.stream = self._out_sound
                self._output.mux(packet)
            return
        if not self._record_started:
            if not packet.is_keyframe:
                return  # a recording starts on a keyframe so its first frame decodes
            self._record_started = True
        packet.stream = self._out_stream
        self._output.mux(packet)

    def _close_recording(self) -> None:
        if self._output is not None:
            try:
                self._output.close()
            finally:
                self._output = None


def _sound(container: Any) -> Any | None:
    """The source's first audio stream, recorded alongside the picture (None when it has none)."""
    return container.streams.audio[0] if container.streams.audio else None


def _input_options(spec: SourceSpec) -> dict[str, str]:
    """FFmpeg options that keep a live picture live: small probe, no input buffering to speak of."""
    if spec.format == "v4l2":
        return {}
    if not spec.live:
        return {}
    # Not fflags=nobuffer: it throws away the packets read while probing, i.e. the take's first
    # second (and the recording's first keyframe); the mailbox drops the burst they cause.
    options = {"probesize": "200000", "analyzeduration": "200000"}
    if spec.url.startswith("udp://"):
        options.update(fifo_size="1000000", overrun_nonfatal="1")
    if spec.url.startswith("rtsp://"):
        options["rtsp_transport"] = "tcp"
    return options


def _open_hint(spec: SourceSpec) -> str:
    if spec.format == "v4l2":
        return "check the camera is plugged in and not used by another program (ls /dev/video*)"
    if spec.live:
        return "check the sender is running and sends to this address and port"
    return "the file is damaged or not a video"
