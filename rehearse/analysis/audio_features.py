"""Audio features of a take on a fixed hop: RMS level (dBFS) and energy voice activity, plus speech spans.

How `speech` is decided (an energy VAD; no model, so it also fires on loud non-speech noise):

1. RMS level of a `window_s` window every `hop_s`, in dBFS (`rms_db`; digital silence -120 dB).
2. An adaptive noise floor: the `noise_floor_percentile` of the levels within a sliding
   `noise_window_s` window, so a floor that drifts (air conditioning switching on) is followed.
   Limitation: speech with no pause at all for most of that window lifts the floor (an energy
   VAD cannot tell a sustained voice from sustained noise); real dialogue pauses often enough.
3. A window is voiced when it is `speech_margin_db` above that floor and louder than
   `min_level_db` (so near-digital silence never counts, whatever the floor).
4. Hangover: speech stays on for `hangover_s` after the level drops, bridging stop consonants.
   `speech_segments` removes the hangover again from each segment's end, so segment ends are
   the last voiced window, not the hangover's end (latencies must not be biased by it).

Times are window centres on the video frames' clock (`Audio.start_s` is already on it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from rehearse.analysis.settings import AudioSettings
from rehearse.analysis.tracks import AudioFeatures, TimeSpan

if TYPE_CHECKING:
    from rehearse.video.audio import Audio

SILENCE_DB = -120.0
_CHUNK_WINDOWS = 20000  # windows per vectorized chunk: bounds memory on long takes


def empty_audio_features(sample_rate: int = 0) -> AudioFeatures:
    """Features of a take without audio: empty arrays, `has_audio` False."""
    empty = np.zeros(0, np.float32)
    return AudioFeatures(times=empty, rms_db=empty.copy(), speech=np.zeros(0, np.uint8), sample_rate=sample_rate)


def audio_features(
    audio: Audio | None, *, hop_s: float | None = None, settings: AudioSettings | None = None
) -> AudioFeatures:
    """RMS level and voice activity of `audio` every `hop_s` seconds (default from settings: 10 ms)."""
    settings = settings or AudioSettings()
    hop_s = settings.hop_s if hop_s is None else hop_s
    if audio is None or len(audio.samples) == 0:
        return empty_audio_features(0 if audio is None else audio.sample_rate)
    rate = int(audio.sample_rate)
    hop = max(1, round(hop_s * rate))
    window = max(hop, round(settings.window_s * rate))
    rms_db = _rms_db(np.asarray(audio.samples, dtype=np.float32), window, hop)
    times = (audio.start_s + (np.arange(rms_db.size) * hop + window / 2) / rate).astype(np.float64)
    floor = _noise_floor(rms_db, hop / rate, settings)
    voiced = (rms_db > floor + settings.speech_margin_db) & (rms_db > settings.min_level_db)
    speech = _hangover(voiced, round(settings.hangover_s * rate / hop))
    return AudioFeatures(times=times, rms_db=rms_db, speech=speech.astype(np.uint8), sample_rate=rate)


def speech_segments(
    features: AudioFeatures,
    *,
    min_speech_s: float | None = None,
    min_silence_s: float | None = None,
    hangover_s: float | None = None,
) -> list[TimeSpan]:
    """Spans of speech: gaps under `min_silence_s` bridged, bursts under `min_speech_s` dropped.

    A segment starts half a hop before its first voiced window's centre and ends half a hop after
    its last voiced one (the hangover, `hangover_s`, is taken off again). Defaults: AudioSettings.
    """
    defaults = AudioSettings()
    min_speech_s = defaults.min_speech_s if min_speech_s is None else min_speech_s
    min_silence_s = defaults.min_silence_s if min_silence_s is None else min_silence_s
    hangover_s = defaults.hangover_s if hangover_s is None else hangover_s
    if not features.has_audio:
        return []
    times = features.times
    half_hop = float(np.median(np.diff(times))) / 2 if times.size > 1 else 0.005
    spans: list[list[float]] = []
    for first, last in _runs(features.speech.astype(bool)):
        start = float(times[first]) - half_hop
        end = float(times[last]) + half_hop
        if last < times.size - 1:  # a run cut by the end of the take has no hangover to remove
            end = max(start + 2 * half_hop, end - hangover_s)
        if spans and start - spans[-1][1] < min_silence_s:
            spans[-1][1] = end
        else:
            spans.append([start, end])
    return [TimeSpan(s, e) for s, e in spans if e - s >= min_speech_s]


def _rms_db(samples: np.ndarray, window: int, hop: int) -> np.ndarray:
    """RMS in dBFS of windows of `window` samples every `hop` samples (the last may be partial)."""
    count = max(1, (samples.size - 1) // hop + 1)
    padded = np.zeros(count * hop + window, np.float32)
    padded[: samples.size] = samples
    squares = np.lib.stride_tricks.sliding_window_view(padded, window)[::hop][:count]
    rms = np.empty(count, np.float64)
    for start in range(0, count, _CHUNK_WINDOWS):
        chunk = squares[start : start + _CHUNK_WINDOWS].astype(np.float64)
        rms[start : start + chunk.shape[0]] = np.sqrt(np.mean(chunk * chunk, axis=1))
    with np.errstate(divide="ignore"):
        level = 20.0 * np.log10(rms)
    return np.maximum(level, SILENCE_DB).astype(np.float32)


def _noise_floor(rms_db: np.ndarray, hop_s: float, settings: AudioSettings) -> np.ndarray:
    """Sliding-percentile noise floor, evaluated every ~0.25 s and interpolated in between."""
    pct = settings.noise_floor_percentile
    half = max(1, round(settings.noise_window_s / hop_s / 2))
    step = max(1, round(0.25 / hop_s))
    centres = np.arange(0, rms_db.size, step)
    local = np.array([np.percentile(rms_db[max(0, c - half) : c + half + 1], pct) for c in centres])
    floor = np.interp(np.arange(rms_db.size), centres, local)
    return floor.astype(np.float32)


def _hangover(voiced: np.ndarray, hops: int) -> np.ndarray:
    """Keep speech on for `hops` windows after each voiced window."""
    if hops <= 0 or not voiced.any():
        return voiced
    # index of the last voiced window at or before each position
    last_voiced = np.where(voiced, np.arange(voiced.size), -1)
    last_voiced = np.maximum.accumulate(last_voiced)
    return (last_voiced >= 0) & (np.arange(voiced.size) - last_voiced <= hops)


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) indices of each run of True."""
    if flags.size == 0:
        return []
    edges = np.diff(np.concatenate(([0], flags.astype(np.int8), [0])))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1) - 1
    return list(zip(starts.tolist(), ends.tolist(), strict=True))
