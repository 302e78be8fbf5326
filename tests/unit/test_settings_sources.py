"""Settings files go through the breakdowns' hardened YAML reader, and sections reach the detectors.

`rehearse.yaml` and the user config: duplicate keys, Python tags and bad values are one
`file:line:column` error each. The user's audio settings (not the defaults) decide speech spans,
which hesitations and pauses are measured on.
"""

from __future__ import annotations

import numpy as np
import pytest

from rehearse.analysis.events import detect_events, speech_spans
from rehearse.analysis.settings import AnalysisSettings, AudioSettings
from rehearse.analysis.tracks import AudioFeatures
from rehearse.config import load_settings
from rehearse.errors import ConfigError


@pytest.fixture
def production(tmp_path, monkeypatch):
    user = tmp_path / "user.yaml"
    user.write_text("")
    monkeypatch.setenv("REHEARSE_CONFIG", str(user))
    root = tmp_path / "prod"
    root.mkdir()
    return root


@pytest.mark.parametrize("text, where, words", [
    ("events:\n  hold: {}\nevents:\n  blink: {}\n", ":3:1", "duplicate key"),
    ("analysis:\n  audio: !!python/object:os.system {}\n", ":2:10", "tag"),
    ("analysis:\n  audio:\n    hop_s: -1\n", ":3:5", "setting `analysis.audio.hop_s`"),
    ("analysis: [1, 2\n", ":2:1", "not valid YAML"),
])
def test_rehearse_yaml_errors_are_one_line_with_line_and_column(production, text, where, words):
    (production / "rehearse.yaml").write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_settings(production)
    line = caught.value.one_line()
    assert line.startswith(f"{production / 'rehearse.yaml'}{where}: error:"), line
    assert words in line and "\n" not in line


def test_the_user_config_is_read_the_same_way(production, tmp_path):
    (tmp_path / "user.yaml").write_text("drift:\n  lag_tolerance_s: 1\ndrift:\n  lag_tolerance_s: 2\n")
    with pytest.raises(ConfigError, match="duplicate key"):
        load_settings(production)


def _two_lines_of_speech() -> AudioFeatures:
    """Speech 1.0-3.0 s and 3.6-6.0 s (a 0.6 s gap), silence elsewhere, on a 10 ms hop."""
    times = np.arange(0.005, 8.0, 0.01)
    speech = ((times > 1.0) & (times < 3.0)) | ((times > 3.6) & (times < 6.0))
    return AudioFeatures(times, np.where(speech, -20.0, -70.0).astype(np.float32), speech.astype(np.uint8), 16000)


def test_speech_spans_and_hesitations_use_the_audio_settings_passed_down():
    audio = _two_lines_of_speech()
    assert len(speech_spans(audio, AudioSettings())) == 2
    bridged = AudioSettings(min_silence_s=1.0)  # a user who bridges gaps under 1 s
    assert len(speech_spans(audio, bridged)) == 1
    default_kinds = [e.kind for e in detect_events(_silent_face(), audio) if e.kind in ("pause", "hesitation")]
    user_kinds = [e.kind for e in detect_events(_silent_face(), audio, analysis_settings=AnalysisSettings(audio=bridged))
                  if e.kind in ("pause", "hesitation")]
    assert default_kinds != user_kinds


def _silent_face():
    from rehearse.analysis.tracks import SignalTrack

    times = np.arange(0.0, 8.0, 1 / 24)
    return SignalTrack(times, {})
