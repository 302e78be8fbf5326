"""Actor profiles from generated takes against their ground truth; profile outliers; neutral calibration."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from rehearse.analysis.events import detect_events
from rehearse.analysis.tracks import TimeSpan
from rehearse.profiles.calibration import (
    choose_baseline,
    neutral_mark,
    neutral_marks,
    rest_levels,
    set_neutral_mark,
)
from rehearse.profiles.outliers import profile_outliers
from rehearse.profiles.profile import build_profile, take_figures
from rehearse.profiles.settings import ProfileSettings
from tools.synthetic_streams import synthesize_audio, synthesize_signals, synthesize_take

SAMPLE_TAKES = {"01-1A-1": ("1A-1", "01", ["ana"]), "01-1A-2": ("1A-2", "01", ["ana"]),
                "01-1A-3": ("1A-3", "01", ["ana"]), "03-3B-1": ("3B-1", "03", ["ana", "tom"])}


def _truth(sample_production: Path, stem: str) -> dict:
    return json.loads((sample_production / "takes" / f"{stem}.truth.json").read_text())


def _truth_blinks(truth: dict) -> int:
    return sum(1 for e in truth["events"] if e["kind"] in ("blink", "partial_blink"))


def _truth_latencies(truth: dict) -> list[float]:
    return [e["latency_s"] for e in truth["events"] if e["kind"] == "hesitation"]


def test_profile_of_generated_takes_matches_their_truth(sample_production):
    figures = []
    for stem, (label, scene, partners) in SAMPLE_TAKES.items():
        truth = _truth(sample_production, stem)
        signals, audio = synthesize_take(truth)
        beat_marks = truth.get("beat_marks") or None
        events = detect_events(signals, audio, beat_marks=beat_marks)
        figures.append(take_figures(label, scene, "maya", events, truth["duration_s"], partners=partners,
                                    signals=signals))
    profile = build_profile("Ines Varga", "maya", figures, character_name="MAYA")
    truths = {label: _truth(sample_production, stem) for stem, (label, _, _) in SAMPLE_TAKES.items()}
    for take in profile.takes:
        truth = truths[take.take]
        assert take.blinks == _truth_blinks(truth), take.take
        assert take.blink_rate_per_min == pytest.approx(_truth_blinks(truth) / (truth["duration_s"] / 60))
        assert len(take.latencies_s) == len(_truth_latencies(truth))
        for measured, expected in zip(take.latencies_s, _truth_latencies(truth), strict=True):
            assert measured == pytest.approx(expected, abs=0.1)
        turns = {(g["label"], g.get("side")) for g in truth["events"] if g["kind"] == "gesture" and g["label"] == "head_turn"}
        assert {(g.label, g.side) for g in take.gestures if g.label == "head_turn"} == turns
    total_blinks = sum(_truth_blinks(t) for t in truths.values())
    total_minutes = sum(t["duration_s"] for t in truths.values()) / 60
    assert profile.overall.blinks == total_blinks
    assert profile.overall.blink_rate_per_min == pytest.approx(total_blinks / total_minutes, rel=1e-3)
    # Scene 03 is the only one with Tom: the partner breakdown is that scene's takes.
    assert profile.by_partner["tom"].takes == ["3B-1"]
    assert profile.by_partner["ana"].takes == ["1A-1", "1A-2", "1A-3", "3B-1"]
    assert profile.by_scene["01"].blinks == sum(_truth_blinks(truths[x]) for x in ("1A-1", "1A-2", "1A-3"))
    head_turns = {(g.label, g.side): g for g in profile.gestures if g.label == "head_turn"}
    assert head_turns[("head_turn", "left")].count == 2 and head_turns[("head_turn", "left")].beats == ["01/b3"]
    assert head_turns[("head_turn", "right")].count == 1
    assert profile.overall.latency_s.count == 4


def _blink_events(rate_per_min: float, duration_s: float, rng: np.random.Generator) -> list[dict]:
    count = int(round(rate_per_min * duration_s / 60))
    # Evenly spread with jitter, never closer than 1.2 s, so every blink is a separate truth event.
    starts = np.linspace(1.0, duration_s - 1.5, count) + rng.uniform(-0.3, 0.3, count)
    return [{"kind": "blink", "start_s": float(s), "end_s": float(s) + 0.25, "apex_s": float(s) + 0.08, "side": "both"}
            for s in starts]


def _synthetic_figures(label: str, scene: str, partners: list[str], rate: float, seed: int, duration_s: float = 60.0):
    rng = np.random.default_rng(seed)
    events = _blink_events(rate, duration_s, rng)
    signals = synthesize_signals(events, duration_s=duration_s, fps=30.0, seed=seed)
    audio = synthesize_audio([], duration_s, seed=seed)
    detected = detect_events(signals, audio)
    return take_figures(label, scene, "maya", detected, duration_s, partners=partners, signals=signals), len(events)


def test_double_blink_rate_take_is_a_profile_flag_and_partners_differ():
    takes, truth_counts = [], {}
    plan = [("1A-1", "01", ["ana"], 12.0), ("1A-2", "01", ["ana"], 12.0), ("1A-3", "01", ["ana"], 12.0),
            ("2A-1", "02", ["tom"], 16.0), ("2A-2", "02", ["tom"], 16.0), ("1A-4", "01", ["ana"], 24.0)]
    for seed, (label, scene, partners, rate) in enumerate(plan):
        figures, count = _synthetic_figures(label, scene, partners, rate, seed)
        takes.append(figures)
        truth_counts[label] = count
    for figures in takes:
        assert figures.blinks == truth_counts[figures.take]
    profile = build_profile("Ines Varga", "maya", takes)
    # "Does she blink more with Tom than with Ana?" Ana: 12, 12, 12, 24 per min; Tom: 16, 16.
    assert profile.by_partner["ana"].blink_rate_per_min == pytest.approx(60 / 4, abs=0.5)
    assert profile.by_partner["tom"].blink_rate_per_min == pytest.approx(16, abs=0.5)
    assert profile.by_partner["ana"].blink_rate_per_take.median == pytest.approx(12, abs=0.5)
    flags = profile_outliers(profile)
    blink_flags = [f for f in flags if f.values.get("figure") == "blink_rate"]
    assert [f.take for f in blink_flags] == ["1A-4"]
    flag = blink_flags[0]
    assert flag.kind == "profile"
    assert flag.values["take_blinks_per_min"] == pytest.approx(24, abs=0.5)
    assert flag.values["profile_blinks_per_min"] == pytest.approx(68 / 5, abs=0.5)
    assert "1A-4" in flag.message and "24/min" in flag.message
    from rehearse.continuity.flags import FLAG_KINDS

    assert flag.kind in FLAG_KINDS


def test_a_circled_take_is_never_called_unlike_the_others():
    takes = [_synthetic_figures(label, "01", ["ana"], rate, seed)[0]
             for seed, (label, rate) in enumerate([("1A-1", 12.0), ("1A-2", 24.0), ("1A-3", 12.0), ("1A-4", 12.0)])]
    profile = build_profile("Ines Varga", "maya", takes)
    (plain,) = [f for f in profile_outliers(profile) if f.values["figure"] == "blink_rate"]
    assert plain.take == "1A-2" and "Take 1A-2 (scene 01) is unlike" in plain.message
    (circled,) = [f for f in profile_outliers(profile, references={("01", "1A-2")}) if f.values["figure"] == "blink_rate"]
    assert "unlike" not in circled.message
    assert circled.message.startswith("Ines Varga's other 3 takes differ from circled take 1A-2 (scene 01), the reference")


def test_no_profile_flag_needs_enough_other_takes():
    takes = [_synthetic_figures("1A-1", "01", ["ana"], 12.0, 1)[0], _synthetic_figures("1A-2", "01", ["ana"], 30.0, 2)[0]]
    profile = build_profile("Ines Varga", "maya", takes)
    assert profile_outliers(profile, ProfileSettings(min_other_takes=2)) == []
    assert [f.take for f in profile_outliers(profile, ProfileSettings(min_other_takes=1))
            if f.values["figure"] == "blink_rate"] == ["1A-1", "1A-2"]


def test_neutral_marks_are_stored_in_the_production_database(tmp_path):
    assert neutral_marks(tmp_path) == {}
    assert not (tmp_path / ".rehearse").exists()  # reading never creates the database
    set_neutral_mark(tmp_path, "takes/a.mp4", 0.5, 1.5)
    set_neutral_mark(tmp_path, "takes/a.mp4", 1.0, 2.0)  # replaced, not added
    assert neutral_mark(tmp_path, "takes/a.mp4") == TimeSpan(1.0, 2.0)
    assert neutral_mark(tmp_path, "takes/b.mp4") is None
    from rehearse.errors import RehearseError

    with pytest.raises(RehearseError, match="empty or negative"):
        set_neutral_mark(tmp_path, "takes/a.mp4", 2.0, 1.0)


def test_baseline_from_mark_profile_or_take():
    # The actor smiles through most of the take; only 2-3.5 s is at rest.
    events = [{"kind": "expression", "label": "smile", "start_s": 3.5, "end_s": 9.5, "apex_s": 6.0},
              {"kind": "expression", "label": "smile", "start_s": 0.0, "end_s": 2.0, "apex_s": 1.0}]
    signals = synthesize_signals(events, duration_s=10.0, fps=30.0, seed=3)
    at_rest = rest_levels(signals, TimeSpan(2.2, 3.3))
    own = rest_levels(signals)
    assert own[1] > at_rest[1] + 0.02  # the take's own median corner is the smile, not rest
    marked = choose_baseline(signals, TimeSpan(2.2, 3.3), None, 1.0, 1.0)
    assert marked.source == "neutral mark" and marked.describe() == "neutral mark 2.20-3.30 s"
    chosen = choose_baseline(signals, None, at_rest, 1.0, 5.0)
    assert chosen.source == "profile"
    assert chosen.span.start_s >= 1.9 and chosen.span.end_s <= 3.7
    assert chosen.lip_corner_rest_iod == pytest.approx(at_rest[1], abs=0.01)
    fallback = choose_baseline(signals, None, None, 1.0, 1.0)
    assert fallback.source == "take" and fallback.span is None and fallback.describe() == "take's own rest level"
