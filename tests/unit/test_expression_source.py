"""Every output says once when expressions, blinks and eye closure come from geometry (no Face Landmarker model)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from rehearse.analysis.events import GEOMETRY_NOTE, detect_events, events_json
from rehearse.analysis.landmarks import LandmarkSettings
from rehearse.analysis.model_files import find_model
from rehearse.config import AnalysisSettings, Settings

pytestmark = pytest.mark.models


def _settings(cache, route: str) -> Settings:
    return Settings(cache_dir=cache, analysis=AnalysisSettings(landmarks=LandmarkSettings(blendshapes=route)))


def test_events_json_and_table_say_where_expressions_come_from(shared_clips, tmp_path):
    from rehearse.analysis.take import analyze_take
    from rehearse.tui.data import _source_note

    clip = shared_clips / "single_face.mp4"
    geometry = analyze_take(clip, _settings(tmp_path, "off"))
    document = events_json(geometry, detect_events(geometry.signals, geometry.audio, landmarks=geometry.landmarks))
    assert document["expressions_from"] == "geometry" and document["note"] == GEOMETRY_NOTE
    assert _source_note(geometry) == GEOMETRY_NOTE  # the take screen's timeline shows it
    if find_model() is not None:
        shapes = analyze_take(clip, _settings(tmp_path, "facemesh"))
        document = events_json(shapes, detect_events(shapes.signals, shapes.audio, landmarks=shapes.landmarks))
        assert document["expressions_from"] == "blendshapes" and "note" not in document
        assert _source_note(shapes) == ""
    env = {**os.environ, "REHEARSE_CACHE_DIR": str(tmp_path), "REHEARSE_ANALYSIS__LANDMARKS__BLENDSHAPES": "off"}
    env.pop("REHEARSE_CONFIG", None)
    shown = subprocess.run([sys.executable, "-m", "rehearse", "events", str(clip)], capture_output=True,
                           text=True, env=env, cwd=tmp_path, timeout=300)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.count("expressions, blinks and eye closure come from face geometry") == 1
    as_json = subprocess.run([sys.executable, "-m", "rehearse", "events", str(clip), "--json"],
                             capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert json.loads(as_json.stdout)["note"] == GEOMETRY_NOTE
