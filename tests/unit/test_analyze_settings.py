"""Settings (rehearse/config.py): defaults, user file < production file < REHEARSE_* env, and errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from rehearse.config import Settings, load_settings, settings_key
from rehearse.errors import ConfigError


def _files(tmp_path: Path, user: str | None = None, production: str | None = None) -> tuple[Path, Path]:
    user_file = tmp_path / "user.yaml"
    root = tmp_path / "film"
    root.mkdir()
    if user is not None:
        user_file.write_text(user)
    if production is not None:
        (root / "rehearse.yaml").write_text(production)
    return user_file, root


def test_defaults_without_files_or_env(tmp_path):
    settings = load_settings(None, env={}, user_config=tmp_path / "absent.yaml")
    assert settings == Settings()
    assert settings.analysis.audio.hop_s == 0.010 and settings.cache_dir is None


def test_layers_user_then_production_then_env(tmp_path):
    user, root = _files(
        tmp_path,
        user="analysis:\n  audio: {speech_margin_db: 12, hop_s: 0.02}\nkeymap: {mark_beat: m}\n",
        production="analysis:\n  audio: {speech_margin_db: 15}\n  landmarks: {pose_every_n_frames: 2}\n",
    )
    env = {"REHEARSE_ANALYSIS__AUDIO__HOP_S": "0.005", "REHEARSE_CACHE_DIR": "/tmp/rc", "HOME": "/x"}
    settings = load_settings(root, env=env, user_config=user)
    assert settings.analysis.audio.speech_margin_db == 15  # production beats user
    assert settings.analysis.audio.hop_s == 0.005  # env beats both
    assert settings.analysis.landmarks.pose_every_n_frames == 2
    assert settings.keymap == {"mark_beat": "m"}
    assert settings.cache_dir == Path("/tmp/rc")
    assert settings_key(settings) != settings_key(Settings())


@pytest.mark.parametrize(
    ("production", "env", "expected"),
    [
        ("analysis:\n  audio: {hop_s: fast}\n", {}, ["rehearse.yaml", "analysis.audio.hop_s"]),
        ("analysis:\n  nonsense: 1\n", {}, ["rehearse.yaml", "analysis.nonsense"]),
        ("analysis: [1, 2\n", {}, ["rehearse.yaml:2", "not valid YAML"]),
        ("- a list\n", {}, ["rehearse.yaml:1", "mapping"]),
        ("", {"REHEARSE_ANALYSIS__FACE_LOST_MIN_S": "-1"}, ["REHEARSE_ANALYSIS__FACE_LOST_MIN_S", "face_lost_min_s"]),
    ],
)
def test_bad_settings_are_one_line_errors_naming_the_source_and_key(tmp_path, production, env, expected):
    user, root = _files(tmp_path, production=production)
    with pytest.raises(ConfigError) as caught:
        load_settings(root, env=env, user_config=user)
    line = caught.value.one_line()
    assert "\n" not in line
    for word in expected:
        assert word in line, line
