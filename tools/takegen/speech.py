"""Speech for takes: espeak-ng lines, trimmed to their real speech boundaries, mixed on a timeline."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SAMPLE_RATE = 22050
TRIM_THRESHOLD_DB = -40.0
"""A 10 ms window quieter than this (relative to full scale) counts as silence when trimming."""
TRIM_WINDOW_S = 0.010


@dataclass(frozen=True)
class SpokenAudio:
    """A synthesised line: mono float32 samples in -1..1, trimmed to audible speech."""

    samples: np.ndarray
    sample_rate: int

    @property
    def duration_s(self) -> float:
        return self.samples.shape[0] / self.sample_rate


def espeak_available() -> bool:
    return shutil.which("espeak-ng") is not None


def synthesise(text: str, voice: str = "en", words_per_minute: int = 165) -> SpokenAudio:
    """Run espeak-ng and trim leading/trailing silence (window RMS below `TRIM_THRESHOLD_DB`)."""
    if not espeak_available():
        raise RuntimeError("espeak-ng is not installed (apt-get install -y espeak-ng)")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "line.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(words_per_minute), "-w", str(path), text],
                       check=True, capture_output=True)
        with wave.open(str(path)) as wav:
            rate = wav.getframerate()
            raw = np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16)
    samples = raw.astype(np.float32) / 32768.0
    if rate != SAMPLE_RATE:
        positions = np.arange(0, samples.size, rate / SAMPLE_RATE)
        samples = np.interp(positions, np.arange(samples.size), samples).astype(np.float32)
    return SpokenAudio(trim_silence(samples, SAMPLE_RATE), SAMPLE_RATE)


def trim_silence(samples: np.ndarray, rate: int) -> np.ndarray:
    """Cut to the first and last 10 ms windows louder than the threshold (sample-exact edges)."""
    window = int(rate * TRIM_WINDOW_S)
    count = samples.size // window
    rms = np.sqrt((samples[: count * window].reshape(count, window) ** 2).mean(axis=1) + 1e-12)
    loud = np.nonzero(20 * np.log10(rms) > TRIM_THRESHOLD_DB)[0]
    if loud.size == 0:
        return samples[:0]
    first, last = loud[0] * window, (loud[-1] + 1) * window
    # Tighten to the first/last sample above the threshold amplitude inside those windows.
    level = 10 ** (TRIM_THRESHOLD_DB / 20)
    segment = samples[first:last]
    above = np.nonzero(np.abs(segment) > level)[0]
    return segment[above[0]: above[-1] + 1].copy()


def envelope(samples: np.ndarray, rate: int, times_s: np.ndarray, smoothing_s: float = 0.05) -> np.ndarray:
    """Amplitude envelope (0-1, peak-normalised) of `samples` at `times_s` (relative to sample 0)."""
    window = max(1, int(rate * smoothing_s))
    power = np.convolve(samples**2, np.ones(window) / window, mode="same")
    level = np.sqrt(power)
    peak = level.max() if level.size else 0.0
    if peak <= 0:
        return np.zeros_like(times_s)
    index = np.clip(np.round(times_s * rate).astype(int), 0, level.size - 1)
    inside = (times_s >= 0) & (times_s < level.size / rate)
    return np.where(inside, level[index] / peak, 0.0)
