"""The committed sample takes: their truth JSON agrees with the files, the scene YAML and the generator."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import yaml

from rehearse.video.audio import read_audio
from rehearse.video.frames import frame_times
from tools.takegen.render import plan, truth_of
from tools.takegen.samples import SAMPLE_TAKES
from tools.takegen.speech import trim_silence

TAKE_NAMES = sorted(SAMPLE_TAKES)


def _truth(sample_production, name: str) -> dict:
    return json.loads((sample_production / "takes" / f"{name}.truth.json").read_text())


def _events(truth: dict, kind: str, label: str | None = None) -> list[dict]:
    return [e for e in truth["events"] if e["kind"] == kind and (label is None or e.get("label") == label)]


@pytest.mark.parametrize("name", TAKE_NAMES)
def test_truth_matches_the_encoded_file(sample_production, name):
    truth = _truth(sample_production, name)
    video = sample_production / "takes" / f"{name}.mp4"
    times = frame_times(video)
    assert truth["frame_count"] == times.size
    # Every frame sits exactly at i / fps, so truth times (frame PTS) are exact.
    np.testing.assert_allclose(times, np.arange(times.size) / truth["fps"], atol=1e-6)
    assert truth["verified"]["all_passed"], [c for c in truth["verified"]["events"] if not c["passed"]]
    assert video.stat().st_size < 400_000
    for event in truth["events"]:
        if event["kind"] not in ("speech", "hesitation"):
            for key in ("start_s", "end_s", "apex_s"):
                if key in event:
                    frame = event[key] * truth["fps"]
                    assert abs(frame - round(frame)) < 1e-3, (event, key)
        assert event["start_s"] < event["end_s"] <= truth["duration_s"] + 1e-9


@pytest.mark.parametrize("name", TAKE_NAMES)
def test_speech_edges_are_where_the_audio_is(sample_production, name):
    truth = _truth(sample_production, name)
    audio = read_audio(sample_production / "takes" / f"{name}.mp4", sample_rate=22050)
    assert audio is not None
    for line in truth["speech"]:
        first = int((line["start_s"] - 0.2 - audio.start_s) * audio.sample_rate)
        last = int((line["end_s"] + 0.2 - audio.start_s) * audio.sample_rate)
        segment = audio.samples[max(first, 0):last]
        voiced = trim_silence(segment, audio.sample_rate)
        offset = next(i for i in range(segment.size) if segment[i] == voiced[0])
        start = audio.start_s + (max(first, 0) + offset) / audio.sample_rate
        assert start == pytest.approx(line["start_s"], abs=0.02)
        assert start + voiced.size / audio.sample_rate == pytest.approx(line["end_s"], abs=0.02)
    cue, reply = truth["speech"][0], truth["speech"][1]
    assert truth["latency_s"] == pytest.approx(reply["start_s"] - cue["end_s"], abs=1e-6)


def test_beat_marks_match_the_scene_yaml(sample_production):
    takes = {}
    for scene in ("01-kitchen-night.yaml", "03-kitchen-day.yaml"):
        for take in yaml.safe_load((sample_production / scene).read_text())["takes"]:
            takes[take["file"]] = take
    for name in TAKE_NAMES:
        take = takes[f"takes/{name}.mp4"]
        truth = _truth(sample_production, name)
        marks = {beat: float(str(value).rstrip("s")) for beat, value in take["beat_marks"].items()}
        assert truth["beat_marks"] == marks
        assert truth["duration_s"] == float(str(take["duration"]).rstrip("s"))


def test_take_three_drifts_from_the_circled_take(sample_production):
    one, two, three = (_truth(sample_production, f"01-1A-{n}") for n in (1, 2, 3))
    hold = {n: _events(t, "hold")[0] for n, t in ((1, one), (2, two), (3, three))}
    lengths = {n: h["end_s"] - h["start_s"] for n, h in hold.items()}
    assert lengths[1] == pytest.approx(1.2, abs=0.05)
    assert lengths[2] == pytest.approx(1.3, abs=0.05)
    assert lengths[3] == pytest.approx(0.5, abs=0.05)
    for take in (one, two):
        assert _events(take, "gesture", "head_turn")[0]["side"] == "left"
        assert _events(take, "expression", "half_smile")[0]["side"] == "left"
        # a blink lands just before the lie
        reply = take["speech"][1]["start_s"]
        assert any(0 < reply - b["apex_s"] < 0.4 for b in _events(take, "blink"))
    assert _events(three, "gesture", "head_turn")[0]["side"] == "right"
    assert not _events(three, "expression", "half_smile")
    assert len(_events(three, "blink")) == len(_events(two, "blink")) + 1
    assert three["latency_s"] < one["latency_s"] < two["latency_s"]
    turn = _events(two, "gesture", "head_turn")[0]
    assert 0.5 <= turn["start_s"] - two["beat_marks"]["b3"] <= 1.5


def test_scene_three_take_has_the_eye_events(sample_production):
    truth = _truth(sample_production, "03-3B-1")
    assert truth["fps"] == 60.0 and truth["frame_count"] == 360
    assert _events(truth, "partial_blink")[0]["amount"] == 0.5
    assert any(b["side"] == "left" for b in _events(truth, "blink"))
    closed = _events(truth, "eyes_closed")[0]
    assert closed["end_s"] - closed["start_s"] > 0.6
    assert _events(truth, "expression", "brow_furrow")


@pytest.mark.parametrize("name", TAKE_NAMES)
def test_committed_truth_is_what_the_generator_plans(sample_production, name):
    """The movement events in the committed JSON come from the generator's current specs."""
    committed = _truth(sample_production, name)
    spec = SAMPLE_TAKES[name]()
    times, levels = plan(spec)
    planned = truth_of(spec, times, levels, committed["speech"])
    assert planned["events"] == committed["events"]
    assert planned["spec"] == committed["spec"]


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed (apt-get install espeak-ng)")
def test_speech_synthesis_reproduces_the_committed_lines(sample_production):
    from tools.takegen.speech import SAMPLE_RATE, synthesise

    truth = _truth(sample_production, "01-1A-1")
    spec = SAMPLE_TAKES["01-1A-1"]()
    for line, placed in zip(spec.speech, truth["speech"], strict=True):
        spoken = synthesise(line.text, line.voice, line.words_per_minute)
        assert placed["end_s"] - placed["start_s"] == pytest.approx(spoken.duration_s, abs=2 / SAMPLE_RATE)
