"""Clap detection on audio with room tone, speech-like bursts and a clap at a known time."""

from __future__ import annotations

import numpy as np
import pytest

from rehearse.analysis.clap import find_clap

RATE = 16000


def _scene_audio(clap_at_s: float | None, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    audio = rng.normal(0, 0.003, int(RATE * 6)).astype(np.float32)  # room tone
    for start in (0.8, 2.9, 4.4):  # voiced bursts that rise over tens of milliseconds
        n = int(RATE * 0.6)
        envelope = np.sin(np.linspace(0, np.pi, n)) ** 2
        t = np.arange(n) / RATE
        voice = 0.3 * envelope * np.sin(2 * np.pi * 180 * t) * (1 + 0.5 * np.sin(2 * np.pi * 4 * t))
        audio[int(start * RATE) : int(start * RATE) + n] += voice.astype(np.float32)
    if clap_at_s is not None:
        n = int(RATE * 0.05)
        clap = rng.normal(0, 0.6, n) * np.exp(-np.arange(n) / (RATE * 0.008))
        audio[int(clap_at_s * RATE) : int(clap_at_s * RATE) + n] += clap.astype(np.float32)
    return np.clip(audio, -1, 1)


@pytest.mark.parametrize("clap_at_s", [0.37, 2.0, 5.1])
def test_finds_the_clap_within_5_ms(clap_at_s):
    found = find_clap(_scene_audio(clap_at_s), RATE)
    assert found is not None
    assert abs(found.t_s - clap_at_s) <= 0.005
    assert found.confidence > 0.5


def test_speech_alone_is_not_a_clap():
    assert find_clap(_scene_audio(None), RATE) is None


def test_the_audio_clock_offset_is_applied():
    found = find_clap(_scene_audio(0.4), RATE, start_s=0.5)
    assert found is not None
    assert abs(found.t_s - 0.9) <= 0.005
