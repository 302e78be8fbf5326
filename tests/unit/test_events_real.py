"""Events on real footage (../shared/clips): a smile timed by eye, a blink, a faceless clip, a face that leaves the frame."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from rehearse.analysis.events import detect_events
from rehearse.config import Settings

# Timed by eye from the decoded frames of single_face.mp4 (30 fps; frame i is at i/30 s):
# frames 0-15 neutral; frame 16 (0.53 s) the lips first spread, 17 (0.57 s) clearly moving,
# 20-21 (0.67-0.70 s) full smile; it holds to frame 66 (2.20 s), relaxes over 67-69 and is
# nearly neutral at 70-71 (2.33-2.37 s). So the smile runs from about 0.55 s to about 2.32 s.
SMILE_ONSET_S = 0.55
SMILE_OFFSET_S = 2.32
# The one blink, by eye: lids lowering at frame 25 (0.83 s), shut at 26-27 (0.87-0.90 s),
# half open at 28 (0.93 s), open (smile-squinted) from 29 (0.97 s).
BLINK_ONSET_S = 0.83
BLINK_SHUT_S = (0.86, 0.91)
BY_EYE_TOLERANCE_S = 0.1  # +-3 frames: the eye judges the start of a gradual movement that well


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    return Settings(cache_dir=tmp_path_factory.mktemp("cache"))


def _analyse(path, settings):
    from rehearse.analysis.take import analyze_take

    return analyze_take(path, settings)


@pytest.mark.models
def test_single_face_smile_matches_the_frames(shared_clips, settings):
    analysis = _analyse(shared_clips / "single_face.mp4", settings)
    events = detect_events(analysis.signals, analysis.audio)
    smiles = [e for e in events if e.kind == "expression" and e.label == "smile"]
    assert len(smiles) == 1, events
    smile = smiles[0]
    print(f"single_face smile: {smile.start_s:.3f}-{smile.end_s:.3f} s (by eye {SMILE_ONSET_S}-{SMILE_OFFSET_S} s)")
    assert smile.start_s == pytest.approx(SMILE_ONSET_S, abs=BY_EYE_TOLERANCE_S)
    assert smile.end_s == pytest.approx(SMILE_OFFSET_S, abs=BY_EYE_TOLERANCE_S)
    assert smile.start_s < smile.apex_s < smile.end_s
    # no other expression and no emotion words anywhere
    assert [e.label for e in events if e.kind == "expression"] == ["smile"]
    blinks = [e for e in events if e.kind in ("blink", "eyes_closed")]
    assert len(blinks) == 1 and blinks[0].kind == "blink" and blinks[0].side == "both"
    assert blinks[0].start_s == pytest.approx(BLINK_ONSET_S, abs=BY_EYE_TOLERANCE_S)
    assert BLINK_SHUT_S[0] <= blinks[0].apex_s <= BLINK_SHUT_S[1]


@pytest.mark.models
def test_no_face_clip_gives_nothing_but_no_face(shared_clips, settings, tmp_path):
    analysis = _analyse(shared_clips / "no_face.mp4", settings)
    assert analysis.no_face
    assert detect_events(analysis.signals, analysis.audio) == []
    (tmp_path / "none.yaml").write_text("")  # no user settings (a missing REHEARSE_CONFIG is an error)
    env = {"REHEARSE_CACHE_DIR": str(settings.cache_dir), "REHEARSE_CONFIG": str(tmp_path / "none.yaml"),
           "PATH": "/usr/bin:/bin"}
    command = [sys.executable, "-m", "rehearse", "events", str(shared_clips / "no_face.mp4")]
    result = subprocess.run([*command, "--json"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["no_face"] is True and document["events"] == [] and document["face_coverage"] == 0.0
    text = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert text.returncode == 0 and "no face" in text.stdout and "Traceback" not in text.stderr


@pytest.mark.models
def test_face_lost_span_is_reported_and_holds_no_event(shared_clips, settings):
    analysis = _analyse(shared_clips / "face_noface.mov", settings)
    assert analysis.face_lost_spans, "the face leaves after about a quarter of the clip"
    lost = analysis.face_lost_spans[0]
    assert 1.5 < lost.start_s < 3.0 and lost.end_s == pytest.approx(analysis.duration_s, abs=0.1)
    events = detect_events(analysis.signals, analysis.audio)
    assert events, "the face part has a smile and a blink"
    for event in events:
        assert event.end_s <= lost.start_s + 1e-6 or event.start_s >= lost.end_s - 1e-6, event
    from rehearse.analysis.events import events_json

    document = events_json(analysis, events)
    assert document["face_lost"][0]["start_s"] == pytest.approx(lost.start_s, abs=1e-3)
