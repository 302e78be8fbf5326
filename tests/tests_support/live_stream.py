"""A test sender: a take re-encoded (x264, zerolatency) as MPEG-TS over UDP, paced by its own timestamps.

`UdpSender(path, port).start()` sends from a thread, the way a monitor feed or an SDI/NDI bridge
would: each frame leaves when its time comes (wall clock), with a keyframe every second, so a
receiver that joins late starts at the next one. `pause_at_s`/`pause_s` make the sender go
silent for a while (a stall) and then carry on with the stream clock running on, as a camera
feed does after a cable is re-plugged.
"""

from __future__ import annotations

import threading
import time
from fractions import Fraction
from pathlib import Path


def free_udp_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def udp_port_bound(port: int) -> bool:
    """A receiver has bound this UDP port (it has opened the stream): read from /proc, no packet sent."""
    needle = f":{port:04X} "
    for table in ("/proc/net/udp", "/proc/net/udp6"):
        try:
            if needle in Path(table).read_text():
                return True
        except OSError:
            pass
    return False


def wait_until_bound(port: int, alive, timeout_s: float = 120.0) -> None:
    """Wait for a receiver to bind `port`; `alive()` False (it died) or the timeout fails the test."""
    deadline = time.monotonic() + timeout_s
    while not udp_port_bound(port):
        assert alive(), "the receiver exited before opening its socket"
        assert time.monotonic() < deadline, "the receiver never opened its socket"
        time.sleep(0.05)


def _fitted(frame, width: int, height: int):
    """The frame scaled to fit width x height keeping its shape, centred on black (yuv420p)."""
    import av
    import numpy as np

    if (frame.width, frame.height) == (width, height):
        return frame.reformat(format="yuv420p")
    scale = min(width / frame.width, height / frame.height)
    inner_w, inner_h = (max(2, round(frame.width * scale / 2) * 2), max(2, round(frame.height * scale / 2) * 2))
    picture = frame.reformat(width=inner_w, height=inner_h, format="rgb24").to_ndarray()
    canvas = np.zeros((height, width, 3), np.uint8)
    top, left = (height - inner_h) // 2, (width - inner_w) // 2
    canvas[top:top + inner_h, left:left + inner_w] = picture
    return av.VideoFrame.from_ndarray(canvas, format="rgb24").reformat(format="yuv420p")


class UdpSender:
    """Streams one take to udp://127.0.0.1:PORT in a thread (`start`, `join`)."""

    def __init__(self, path: Path, port: int, *, pause_at_s: float | None = None, pause_s: float = 0.0,
                 start_delay_s: float = 0.0, size: tuple[int, int] | None = None):
        self.path = Path(path)
        self.port = port
        self.pause_at_s = pause_at_s
        self.pause_s = pause_s
        self.start_delay_s = start_delay_s
        self.size = size
        """(width, height) of the sent picture (e.g. 1280x720), None to keep it: the take is scaled to fit
        and padded with black (pillarboxed), as a monitor feed carries a 4:3 picture, never stretched
        (a stretched face reads to the head-pose fit as a head pitched ~40 degrees)."""
        self.frames_sent = 0
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="udp-sender", daemon=True)

    def start(self) -> UdpSender:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def _run(self) -> None:
        try:
            self._send()
        except BaseException as exc:  # the test reads it: a sender failure must not look like a receiver bug
            self.error = exc

    def _send(self) -> None:
        import av

        if self._stop.wait(self.start_delay_s):
            return
        source = av.open(str(self.path))
        in_stream = source.streams.video[0]
        rate = in_stream.average_rate or Fraction(25)
        out = av.open(f"udp://127.0.0.1:{self.port}?pkt_size=1316", mode="w", format="mpegts")
        stream = out.add_stream("libx264", rate=rate)
        stream.width, stream.height = self.size or (in_stream.codec_context.width, in_stream.codec_context.height)
        stream.pix_fmt = "yuv420p"
        stream.codec_context.gop_size = max(1, round(float(rate)))
        stream.options = {"preset": "ultrafast", "tune": "zerolatency", "crf": "18"}
        time_base = Fraction(in_stream.time_base)
        start_pts = in_stream.start_time or 0
        started = time.monotonic()
        paused = False
        try:
            for frame in source.decode(in_stream):
                if self._stop.is_set():
                    break
                t = float((frame.pts - start_pts) * time_base)
                if self.pause_at_s is not None and not paused and t >= self.pause_at_s:
                    paused = True
                    if self._stop.wait(self.pause_s):
                        break
                # The stream clock runs on through a pause: frames after it are later by pause_s.
                shift = self.pause_s if paused else 0.0
                wait = started + t + shift - time.monotonic()
                if wait > 0 and self._stop.wait(wait):
                    break
                new = _fitted(frame, stream.width, stream.height)
                new.pts = round((t + shift) * float(rate))
                new.time_base = Fraction(1) / rate
                for packet in stream.encode(new):
                    out.mux(packet)
                self.frames_sent += 1
            for packet in stream.encode():
                out.mux(packet)
        finally:
            out.close()
            source.close()
