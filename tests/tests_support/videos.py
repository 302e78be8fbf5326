"""Small media files made with PyAV for input tests."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np


def textured_frames(count: int, width: int, height: int) -> list[np.ndarray]:
    """`count` frames of a seeded random texture sliding 3 px a frame (something to encode)."""
    rng = np.random.default_rng(7)
    base = rng.integers(0, 255, (height, width, 3), dtype=np.uint8)
    return [np.roll(base, 3 * i, axis=1) for i in range(count)]


def audio_only(path: Path) -> Path:
    """A one-second AAC file with no video stream at `path`."""
    rate = 16000
    with av.open(str(path), "w") as container:
        stream = container.add_stream("aac", rate=rate, layout="mono")
        samples = (0.3 * np.sin(2 * np.pi * 220 * np.arange(rate) / rate)).astype(np.float32)
        for start in range(0, rate, 1024):
            frame = av.AudioFrame.from_ndarray(samples[start : start + 1024].reshape(1, -1), format="fltp", layout="mono")
            frame.sample_rate, frame.pts, frame.time_base = rate, start, Fraction(1, rate)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def transcode(source: Path, target: Path, codec: str, *, scale: float = 1.0, mirror: bool = False) -> Path:
    """Re-encode every frame of `source` (PTS kept) with `codec` at its usual quality (libx264 CRF 23,
    else ffmpeg's mpeg4 defaults), scaled by `scale`, mirrored with `mirror`."""
    import cv2

    with av.open(str(source)) as src, av.open(str(target), "w") as dst:
        stream_in = src.streams.video[0]
        width = int(round(stream_in.width * scale / 2)) * 2
        height = int(round(stream_in.height * scale / 2)) * 2
        if codec == "libx264":
            out = dst.add_stream("libx264", rate=stream_in.average_rate, options={"crf": "23", "preset": "veryfast"})
        else:  # ffmpeg's mpeg4 defaults (what `ffmpeg -c:v mpeg4` gives): visibly blocky
            out = dst.add_stream("mpeg4", rate=stream_in.average_rate)
        out.width, out.height, out.pix_fmt = width, height, "yuv420p"
        out.time_base = stream_in.time_base
        for frame in src.decode(stream_in):
            image = frame.to_ndarray(format="rgb24")
            if mirror:
                image = np.ascontiguousarray(image[:, ::-1])
            if scale != 1.0:
                image = cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)
            new = av.VideoFrame.from_ndarray(image, format="rgb24")
            new.pts, new.time_base = frame.pts, frame.time_base
            dst.mux(out.encode(new))
        dst.mux(out.encode())
    return target
