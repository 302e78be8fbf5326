"""A take's audio as float32 mono samples, with the first sample's time on the frames' clock."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class Audio:
    """Mono audio samples and where they sit on the video clock."""

    samples: np.ndarray
    """float32 mono samples in [-1, 1]."""
    sample_rate: int
    """Samples per second (Hz)."""
    start_s: float = 0.0
    """Time of the first sample in seconds, on the same clock as `Frame.t` (video t=0)."""

    @property
    def duration_s(self) -> float:
        """Length of the samples in seconds."""
        return len(self.samples) / float(self.sample_rate)


def read_audio(path: Path | str, *, sample_rate: int = 16000) -> Audio | None:
    """Decode the first audio stream, downmixed to mono and resampled to `sample_rate` Hz.

    Returns None when the file has no audio stream. Raises VideoError when the file cannot be
    opened. A truncated audio stream yields the samples decoded before the damage.
    """
    import av

    from rehearse.video.probe import clock_origin_s, open_container

    path = Path(path)
    with open_container(path) as container:
        if not container.streams.audio:
            return None
        stream = container.streams.audio[0]
        origin_s = clock_origin_s(container)
        resampler = av.AudioResampler(format="flt", layout="mono", rate=sample_rate)
        chunks: list[np.ndarray] = []
        first_s: float | None = None
        rejected = 0
        try:
            for packet in container.demux(stream):
                try:
                    frames = packet.decode()
                except av.error.FFmpegError:
                    rejected += 1  # a damaged packet: skip it, keep the rest
                    continue
                for frame in frames:
                    if first_s is None and frame.pts is not None:
                        first_s = float(frame.pts * frame.time_base)
                    for out in resampler.resample(frame):
                        chunks.append(out.to_ndarray().reshape(-1))
        except av.error.FFmpegError as exc:  # truncated: keep what decoded
            log.warning("%s: audio decoding stopped early: %s", path, exc)
        if rejected:
            log.warning("%s: skipped %d damaged audio packets", path, rejected)
        for out in resampler.resample(None):
            chunks.append(out.to_ndarray().reshape(-1))
        declared = _declared_sample_count(stream, sample_rate)
    samples = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)
    if declared is not None and declared < len(samples):
        # The encoder pads the last frame; the container's duration says where the sound ends.
        samples = samples[:declared]
    np.clip(samples, -1.0, 1.0, out=samples)
    start_s = (first_s if first_s is not None else origin_s) - origin_s
    return Audio(samples=samples, sample_rate=sample_rate, start_s=start_s)


def _declared_sample_count(stream, sample_rate: int) -> int | None:
    """Samples the container says the stream presents, at `sample_rate`; None when it does not say."""
    if not stream.duration or stream.time_base is None:
        return None
    return round(float(stream.duration * stream.time_base) * sample_rate)
