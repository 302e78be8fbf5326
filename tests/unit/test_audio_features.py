"""Audio features: RMS level, energy voice activity with an adaptive floor, and speech spans."""

from __future__ import annotations

import shutil
import subprocess
import wave

import numpy as np
import pytest

from rehearse.analysis.audio_features import audio_features, speech_segments
from rehearse.analysis.settings import AudioSettings
from rehearse.video.audio import Audio

RATE = 16000


def _noise(seconds: float, level_db: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(int(seconds * RATE)) * 10 ** (level_db / 20)).astype(np.float32)


def _voice(seconds: float, level_db: float = -20.0) -> np.ndarray:
    """A buzzy, syllable-modulated harmonic tone: energy like speech, with no silent gaps."""
    t = np.arange(int(seconds * RATE)) / RATE
    tone = sum(np.sin(2 * np.pi * 140 * k * t) / k for k in range(1, 6))
    envelope = 0.6 + 0.4 * np.sin(2 * np.pi * 4 * t) ** 2
    tone = tone * envelope
    return (tone / np.sqrt(np.mean(tone**2)) * 10 ** (level_db / 20)).astype(np.float32)


def _place(base: np.ndarray, piece: np.ndarray, at_s: float) -> None:
    start = int(at_s * RATE)
    base[start : start + piece.size] += piece


def test_levels_and_clock():
    samples = _noise(2.0, -40.0)
    features = audio_features(Audio(samples, RATE, start_s=0.5))
    assert features.sample_rate == RATE
    assert abs(float(np.median(features.rms_db)) - (-40.0)) < 1.0  # dBFS of white noise at -40
    assert np.allclose(np.diff(features.times), 0.010)
    assert features.times[0] == pytest.approx(0.5 + 0.010, abs=1e-6)  # first 20 ms window's centre
    assert features.times[-1] <= 2.5 + 0.02


def test_speech_spans_are_found_within_20_ms():
    samples = _noise(6.0, -50.0)
    truth = [(0.80, 1.90), (3.00, 3.45), (4.60, 5.70)]
    for start, end in truth:
        _place(samples, _voice(end - start), start)
    features = audio_features(Audio(samples, RATE))
    spans = speech_segments(features)
    assert len(spans) == len(truth)
    for span, (start, end) in zip(spans, truth, strict=True):
        assert abs(span.start_s - start) <= 0.020
        assert abs(span.end_s - end) <= 0.020


def test_floor_adapts_to_rising_noise():
    """Noise rises 25 dB at 3 s: within half the floor window the rise is no longer speech, and
    speech 12 dB above the new noise is still found."""
    samples = np.concatenate([_noise(3.0, -60.0, 1), _noise(9.0, -35.0, 2)])
    _place(samples, _voice(0.8, -23.0), 9.0)
    settings = AudioSettings()
    spans = speech_segments(audio_features(Audio(samples, RATE), settings=settings))
    adapted_by = 3.0 + settings.noise_window_s / 2 + 0.1
    assert all(span.end_s <= adapted_by for span in spans if span.start_s < 8.0), spans
    voice = [span for span in spans if span.start_s >= 8.0]
    assert len(voice) == 1
    assert abs(voice[0].start_s - 9.0) <= 0.03 and abs(voice[0].end_s - 9.8) <= 0.03


def test_short_gaps_bridged_and_clicks_dropped():
    samples = _noise(4.0, -55.0)
    _place(samples, _voice(0.5), 0.5)
    _place(samples, _voice(0.5), 1.1)  # a 100 ms gap: one phrase
    _place(samples, _voice(0.03), 3.0)  # a 30 ms click
    spans = speech_segments(audio_features(Audio(samples, RATE)))
    assert len(spans) == 1
    assert spans[0].start_s == pytest.approx(0.5, abs=0.02)
    assert spans[0].end_s == pytest.approx(1.6, abs=0.02)
    # with bridging off the two halves come back apart
    assert len(speech_segments(audio_features(Audio(samples, RATE)), min_silence_s=0.05)) == 2


def test_digital_silence_and_no_audio():
    silent = audio_features(Audio(np.zeros(RATE, np.float32), RATE))
    assert not silent.speech.any()
    assert np.all(silent.rms_db == -120.0)
    none = audio_features(None)
    assert not none.has_audio and speech_segments(none) == []
    assert audio_features(Audio(np.zeros(0, np.float32), RATE)).times.size == 0


def test_hop_follows_settings():
    features = audio_features(Audio(_noise(1.0, -30.0), RATE), settings=AudioSettings(hop_s=0.02))
    assert np.allclose(np.diff(features.times), 0.02)


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed (scripts/test installs it)")
def test_real_synthesized_speech_with_known_pause(tmp_path):
    """Two espeak-ng lines with a 700 ms silence between: the pause is measured within 50 ms."""
    pieces = []
    for index, text in enumerate(["Did you sign it?", "Of course I did."]):
        out = tmp_path / f"{index}.wav"
        subprocess.run(["espeak-ng", "-w", str(out), text], check=True, capture_output=True)
        with wave.open(str(out)) as wav:
            rate = wav.getframerate()
            data = np.frombuffer(wav.readframes(wav.getnframes()), np.int16).astype(np.float32) / 32768
        voiced = np.flatnonzero(np.abs(data) > 0.01)  # trim espeak's own leading/trailing silence
        pieces.append(data[voiced[0] : voiced[-1] + 1])
    gap = np.zeros(int(0.7 * rate), np.float32)
    lead = np.zeros(int(0.3 * rate), np.float32)
    samples = np.concatenate([lead, pieces[0], gap, pieces[1], lead])
    samples += np.random.default_rng(3).standard_normal(samples.size).astype(np.float32) * 1e-3
    features = audio_features(Audio(samples, rate))
    spans = speech_segments(features, min_silence_s=0.3)
    assert len(spans) == 2, spans
    cue_end = (lead.size + pieces[0].size) / rate
    reply_start = cue_end + gap.size / rate
    assert abs(spans[0].end_s - cue_end) <= 0.05
    assert abs(spans[1].start_s - reply_start) <= 0.05
    assert abs((spans[1].start_s - spans[0].end_s) - 0.7) <= 0.05
