"""Write RGB frames (constant rate or exact per-frame times) and optional mono audio to H.264/AAC MP4 or MOV.

Video is H.264 yuv420p without B-frames, so each frame's presentation time is exactly the one
given (rounded to the stream time base: 1/fps for a constant rate, 1/90000 s for explicit
times). Audio is AAC; its first sample is placed at `audio.start_s` on the video clock (video
t = 0), and the encoder's priming delay is removed by the muxer's edit list, so a reader sees the
audio where it was put. The file is written to a temporary name and renamed when complete, so an
interrupted write never leaves a half file under the final name.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from fractions import Fraction
from pathlib import Path

import numpy as np

from rehearse.video.audio import Audio

VFR_TIME_BASE = Fraction(1, 90000)
"""Time base for explicit per-frame times: any multiple of 1 ms (and of 1/24, 1/25, 1/30 s) is exact."""

_AUDIO_LOOKAHEAD_S = 0.5  # mux audio this far ahead of the video so packets stay interleaved


def write_video(
    path: Path | str,
    frames: Iterable[np.ndarray],
    *,
    fps: float | None = None,
    times: Sequence[float] | None = None,
    audio: Audio | None = None,
    crf: int = 18,
    preset: str = "veryfast",
    rotation_deg: int = 0,
    mirror: bool = False,
) -> Path:
    """Encode `frames` (H x W x 3 uint8 RGB, even W and H) and return the written path.

    Give exactly one of `fps` (constant rate, frame i at i / fps s) or `times` (one presentation
    time in seconds per frame, strictly increasing: variable frame rate). `rotation_deg`
    (0/90/180/270, clockwise) is stored as display-matrix metadata, as a phone does for portrait;
    `mirror` adds a horizontal flip after the turn (a front camera's mirror flag).
    Readers put t = 0 at the first frame: with `times[0]` = 0.5 the frames read back at
    `times - 0.5` and the audio's start_s shifts by the same 0.5 s, so sync is kept.
    """
    import av

    if (fps is None) == (times is None):
        raise ValueError("write_video needs exactly one of fps= or times=")
    if rotation_deg % 90:
        raise ValueError(f"rotation_deg must be a multiple of 90, got {rotation_deg}")
    path = Path(path)
    if fps is not None:
        rate = Fraction(fps).limit_denominator(1001)
        time_base = 1 / rate
        pts_of = lambda i: i  # noqa: E731
    else:
        rate = None
        time_base = VFR_TIME_BASE
        times = [float(t) for t in times]
        if len(times) > 1 and float(np.min(np.diff(times))) <= 0:
            raise ValueError("write_video times must be strictly increasing")
        pts_of = lambda i: round(times[i] / time_base)  # noqa: E731

    tmp = path.with_name(f".{path.stem}.partial{path.suffix}")
    # faststart puts the index first: a copy cut short still plays up to the cut.
    container = av.open(str(tmp), mode="w", options={"movflags": "+faststart"})
    try:
        video = None
        audio_out = _AudioMuxer(container, audio) if audio is not None else None
        count = 0
        for index, image in enumerate(frames):
            if times is not None and index >= len(times):
                raise ValueError(f"more frames than times ({len(times)})")
            image = np.ascontiguousarray(image)
            if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
                raise ValueError(f"frame {index}: expected H x W x 3 uint8 RGB, got {image.shape} {image.dtype}")
            if video is None:
                video = _add_video_stream(container, image, rate, time_base, crf, preset, rotation_deg, mirror)
            elif (image.shape[1], image.shape[0]) != (video.width, video.height):
                raise ValueError(f"frame {index}: size {image.shape[1]}x{image.shape[0]} differs from the first frame")
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts = pts_of(index)
            frame.time_base = time_base
            for packet in video.encode(frame):
                container.mux(packet)
            if audio_out is not None:
                audio_out.mux_until(float(frame.pts * time_base) + _AUDIO_LOOKAHEAD_S)
            count += 1
        if video is None:
            raise ValueError("write_video got no frames")
        if times is not None and count != len(times):
            raise ValueError(f"{count} frames but {len(times)} times")
        for packet in video.encode():
            container.mux(packet)
        if audio_out is not None:
            audio_out.finish()
        container.close()
    except BaseException:
        container.close()
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, path)
    return path


def _add_video_stream(container, image, rate, time_base, crf, preset, rotation_deg, mirror):
    height, width = image.shape[:2]
    if width % 2 or height % 2:
        raise ValueError(f"H.264 yuv420p needs an even width and height, got {width}x{height}")
    options = {"crf": str(crf), "preset": preset, "bf": "0"}
    stream = container.add_stream("libx264", rate=rate, options=options)
    stream.width, stream.height = width, height
    stream.pix_fmt = "yuv420p"
    stream.time_base = time_base
    stream.codec_context.time_base = time_base
    if rotation_deg % 360 or mirror:
        # The display matrix angle is counter-clockwise; ours is the clockwise turn a player applies.
        stream.set_display_rotation(-rotation_deg % 360, hflip=mirror)
    return stream


class _AudioMuxer:
    """Feeds AAC frames to the container in step with the video, starting at `audio.start_s`."""

    def __init__(self, container, audio: Audio):
        import av

        self._av = av
        self.container = container
        self.rate = int(audio.sample_rate)
        samples = np.asarray(audio.samples, dtype=np.float32).reshape(-1)
        offset = round(audio.start_s * self.rate)
        if offset < 0:  # audio that starts before video t=0 is cut at t=0
            samples, offset = samples[-offset:], 0
        self.samples = np.clip(samples, -1.0, 1.0)
        self.first_pts = offset
        self.stream = container.add_stream("aac", rate=self.rate, layout="mono")
        self.stream.time_base = Fraction(1, self.rate)
        self.frame_size = 1024  # AAC-LC frame length in samples
        self.position = 0

    def mux_until(self, until_s: float) -> None:
        """Encode samples whose time is before `until_s` (s, video clock)."""
        if until_s == float("inf"):
            limit = len(self.samples)
        else:
            limit = max(0, round(until_s * self.rate) - self.first_pts)
        while self.position < min(limit, len(self.samples)):
            chunk = self.samples[self.position : self.position + self.frame_size]
            frame = self._av.AudioFrame.from_ndarray(chunk.reshape(1, -1), format="fltp", layout="mono")
            frame.sample_rate = self.rate
            frame.pts = self.first_pts + self.position
            frame.time_base = Fraction(1, self.rate)
            for packet in self.stream.encode(frame):
                self.container.mux(packet)
            self.position += len(chunk)

    def finish(self) -> None:
        self.mux_until(float("inf"))
        for packet in self.stream.encode():
            self.container.mux(packet)
