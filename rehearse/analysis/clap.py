"""Find a clap or slate stick in a take's audio: the sharpest, loudest onset.

A clap rises from the room tone to its peak in a few milliseconds, much faster than speech
(a voice takes tens of milliseconds to swell). We score each 2 ms step by how far its level
jumps above the loudest of the 4-12 ms before it, and take the best; confidence is how far that
jump stands above the second-best onset.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

STEP_S = 0.002
RISE_WINDOW_S = (0.004, 0.012)
MIN_JUMP_DB = 18.0
SEPARATION_S = 0.25


@dataclass(frozen=True)
class ClapDetection:
    """Where the clap is in the audio."""

    t_s: float
    jump_db: float
    confidence: float


def find_clap(samples: np.ndarray, sample_rate: int, *, start_s: float = 0.0) -> ClapDetection | None:
    """The clap's onset time (seconds, on the audio clock offset by `start_s`), or None."""
    step = max(1, int(round(STEP_S * sample_rate)))
    usable = samples[: (samples.size // step) * step].astype(np.float64)
    if usable.size < step * 4:
        return None
    energy = (usable.reshape(-1, step) ** 2).mean(axis=1)
    level_db = 10 * np.log10(energy + 1e-12)
    near, far = (int(round(s / STEP_S)) for s in RISE_WINDOW_S)
    # The loudest level just before each step: only a near-instant rise clears it by much.
    padded = np.concatenate([np.full(far, level_db[0]), level_db])
    windows = np.lib.stride_tricks.sliding_window_view(padded, far - near + 1)
    before = windows[: level_db.size].max(axis=1)
    jump = level_db - before
    best = int(np.argmax(jump))
    if jump[best] < MIN_JUMP_DB:
        return None
    separation = int(round(SEPARATION_S / STEP_S))
    others = jump.copy()
    others[max(0, best - separation) : best + separation] = -np.inf
    runner_up = float(np.max(others)) if np.isfinite(others).any() else 0.0
    margin = float(jump[best]) - max(runner_up, 0.0)
    confidence = float(np.clip(margin / MIN_JUMP_DB, 0.0, 1.0))
    return ClapDetection(t_s=start_s + best * step / sample_rate, jump_db=float(jump[best]), confidence=confidence)
