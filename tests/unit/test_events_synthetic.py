"""Detectors on `tools.synthetic_streams` streams (measured FaceMesh noise) built from the sample takes' truth: holds, latency, blinks at 24/30/60 fps, VFR, dropped frames; gestures and gaze."""

from __future__ import annotations

import json

import numpy as np
import pytest
from tests_support.scoring import match

from rehearse.analysis.events import detect_events
from tools.synthetic_streams import synthesize_audio, synthesize_signals, synthesize_take

TAKES = ("01-1A-1", "01-1A-2", "01-1A-3", "03-3B-1")
VARIANTS = [(fps, vfr, drop) for fps in (24.0, 30.0, 60.0) for vfr, drop in ((False, 0.0), (True, 0.03))]


@pytest.fixture(scope="module")
def truths(sample_production_path):
    return {name: json.loads((sample_production_path / "takes" / f"{name}.truth.json").read_text()) for name in TAKES}


@pytest.fixture(scope="module")
def sample_production_path():
    from tests_support import SAMPLE_PRODUCTION

    return SAMPLE_PRODUCTION


@pytest.mark.parametrize(("fps", "vfr", "drop"), VARIANTS)
def test_holds_latency_and_blinks_on_synthetic_twins(truths, fps, vfr, drop):
    onsets, offsets, durations, latencies, blink_onsets = [], [], [], [], []
    blink_truth = blink_found = blink_detected = 0
    for seed, (name, truth) in enumerate(truths.items()):
        signals, audio = synthesize_take(truth, fps=fps, vfr=vfr, drop_rate=drop, seed=seed + int(fps))
        events = detect_events(signals, audio, beat_marks=truth["beat_marks"])
        holds = [e for e in events if e.kind == "hold" and e.scope == "face"]
        true_holds = [e for e in truth["events"] if e["kind"] == "hold"]
        score = match(true_holds, holds)
        assert score.matched == len(true_holds) and score.false_positives == 0, (name, holds)
        onsets += [abs(e) * fps for e in score.onset_errors_s()]
        offsets += [abs(e) * fps for e in score.offset_errors_s()]
        durations += [abs((d.end_s - d.start_s) - (t.end_s - t.start_s)) for t, d in score.pairs]
        (true_latency,) = [e for e in truth["events"] if e["kind"] == "hesitation"]
        found = [e for e in events if e.kind == "hesitation"]
        latencies.append(min(abs(e.latency_s - true_latency["latency_s"]) for e in found))
        true_blinks = [e for e in truth["events"] if e["kind"] in ("blink", "partial_blink")]
        blinks = score_blinks = match(true_blinks, [e for e in events if e.kind == "blink"])
        blink_truth += blinks.truth
        blink_found += blinks.matched
        blink_detected += blinks.detected
        blink_onsets += score_blinks.onset_errors_frames(1.0 / fps)
    print(f"synthetic fps={fps:g} vfr={vfr} drop={drop}: hold onset max {max(onsets):.1f} / offset max "
          f"{max(offsets):.1f} frames, duration err max {1000 * max(durations):.0f} ms; latency err max "
          f"{1000 * max(latencies):.1f} ms; blinks P={blink_found / blink_detected:.2f} "
          f"R={blink_found / blink_truth:.2f} onset max {max(blink_onsets):.1f} frames")
    assert max(onsets) <= 2.0 and max(offsets) <= 2.0
    assert max(durations) <= 0.100
    assert max(latencies) <= 0.050
    assert blink_found == blink_truth == blink_detected
    assert max(blink_onsets) <= 2.0


@pytest.mark.slow
def test_hold_edges_over_many_noise_draws(truths):
    """Five noise draws of every variant: every hold found but one, no false hold, and the 2-frame
    target met on every edge found.

    Measured with the one-fit edge model over ten draws (480 edges): max 1.4 frames, 95th
    percentile 0.8; mean offsets within +0.4 frames at 60 fps (movement that speeds up after a
    hold still pulls its end a little late). The three chained corrections before it: max 2.1.
    The hold limit is read from the frames before each frame (what a live rehearsal knows), so a
    stream's first hold, on these streams' jitter (over the fixed limit), is found only once the
    still/moving split sees enough of its still frames. One draw of 120 (01-1A-3's 0.5 s hold at
    30 fps, draw 4, whose first third reads twice its still level) leaves too few for a split
    before it ends; the whole take's split (read over frames not yet played) found it. Over
    twenty draws (480 holds): that one missed, and two onsets late, 11 and 3 frames (24 fps VFR,
    draws 13 and 16; in 13 a stop broken by a gap 9 ms longer than `edge_reach_s`); every other
    edge within 1.5 frames (take-wide limits: none missed or late)."""
    errors, durations, missed = [], [], []
    for draw in range(5):
        for fps, vfr, drop in VARIANTS:
            for seed, (name, truth) in enumerate(truths.items()):
                signals, audio = synthesize_take(truth, fps=fps, vfr=vfr, drop_rate=drop,
                                                 seed=seed + int(fps) + 1000 * draw)
                events = detect_events(signals, audio, beat_marks=truth["beat_marks"])
                holds = [e for e in events if e.kind == "hold" and e.scope == "face"]
                score = match([e for e in truth["events"] if e["kind"] == "hold"], holds)
                assert score.false_positives == 0, (name, fps, vfr, draw, holds)
                if score.matched != 1:
                    missed.append((name, fps, vfr, draw))
                errors += [abs(e) * fps for e in score.onset_errors_s() + score.offset_errors_s()]
                durations += [abs((d.end_s - d.start_s) - (t.end_s - t.start_s)) for t, d in score.pairs]
    errors = np.array(errors)
    within = float(np.mean(errors <= 2.0))
    print(f"hold edges over {errors.size}: {100 * within:.1f} % within 2 frames, max {errors.max():.1f}, "
          f"95th percentile {np.percentile(errors, 95):.2f} frames; duration error max {1000 * max(durations):.0f} ms")
    assert within == 1.0
    assert max(durations) <= 0.100
    assert len(missed) <= 1, missed


def _gesture_stream(events, fps=30.0, seed=0):
    return synthesize_signals(events, duration_s=12.0, fps=fps, seed=seed)


@pytest.mark.parametrize("fps", [24.0, 30.0, 60.0])
def test_gestures_have_labels_and_the_actors_sides(fps):
    truth = [
        {"kind": "gesture", "label": "head_turn", "side": "left", "start_s": 0.5, "end_s": 1.7},
        {"kind": "gesture", "label": "head_turn", "side": "right", "start_s": 2.2, "end_s": 3.4},
        {"kind": "gesture", "label": "hand_to_face", "side": "right", "start_s": 4.0, "end_s": 5.2},
        {"kind": "gesture", "label": "hand_raise", "side": "left", "start_s": 5.8, "end_s": 7.0},
        {"kind": "gesture", "label": "lean_toward", "start_s": 7.4, "end_s": 8.8},
        {"kind": "gesture", "label": "tremor", "side": "left", "start_s": 9.2, "end_s": 10.4},
        {"kind": "gesture", "label": "nod", "start_s": 10.6, "end_s": 11.6},
    ]
    events = [e for e in detect_events(_gesture_stream(truth, fps)) if e.kind == "gesture"]
    for true_event in truth:
        found = [e for e in events if e.label == true_event["label"]]
        score = match([true_event], found, min_iou=0.3)
        assert score.matched == 1, (true_event, [(e.label, e.start_s, e.end_s) for e in events])
        event = next(e for e in found if e.start_s == score.pairs[0][1].start_s)
        if true_event["label"] != "nod" and "side" in true_event:
            assert event.side == true_event["side"], (true_event, event)
    # nothing else fires: every gesture found is one of the truth's
    assert match(truth, events).false_positives == 0, [(e.label, e.start_s) for e in events]


def test_shake_is_not_a_head_turn_and_lean_away_has_its_label():
    truth = [
        {"kind": "gesture", "label": "shake", "start_s": 1.0, "end_s": 2.5},
        {"kind": "gesture", "label": "lean_away", "start_s": 4.0, "end_s": 5.5},
    ]
    labels = [e.label for e in detect_events(_gesture_stream(truth)) if e.kind == "gesture"]
    assert labels == ["shake", "lean_away"]


@pytest.mark.parametrize("fps", [24.0, 60.0])
def test_gaze_shifts_by_direction(fps):
    truth = [
        {"kind": "gaze_shift", "side": "left", "start_s": 1.0, "end_s": 3.0},
        {"kind": "gaze_shift", "side": "right", "start_s": 5.0, "end_s": 7.0},
    ]
    shifts = [e for e in detect_events(synthesize_signals(truth, duration_s=9.0, fps=fps, seed=4))
              if e.kind == "gaze_shift"]
    # each excursion is a shift out and a shift back
    assert [e.side for e in shifts] == ["left", "right", "right", "left"]
    assert shifts[0].start_s == pytest.approx(1.0, abs=0.15) and shifts[2].start_s == pytest.approx(5.0, abs=0.15)


def test_latency_from_line_cues_without_a_face():
    # A radio play: no face, two lines in beat b1 and one in b2 spoken by another character.
    audio = synthesize_audio([(0.5, 1.5), (1.9, 2.6), (3.4, 4.0)], 5.0)
    from rehearse.breakdown.models import LineCue

    cues = {"b1": [LineCue(character="ana", text="Did you?"), LineCue(character="ana", text="Did you sign it?")],
            "b2": [LineCue(character="maya", text="Of course.")]}
    signals = synthesize_signals([], duration_s=5.0, drop_rate=1.0)
    events = detect_events(signals, audio, beat_marks={"b1": 0.0, "b2": 3.0}, line_cues=cues)
    pauses = [e for e in events if e.kind == "pause"]
    replies = [e for e in events if e.kind == "hesitation"]
    assert len(pauses) == 1 and pauses[0].start_s == pytest.approx(1.5, abs=0.02)
    assert len(replies) == 1 and replies[0].latency_s == pytest.approx(0.8, abs=0.03)
    assert replies[0].label == "line_cues" and replies[0].beat == "b2"
    assert not [e for e in events if e.kind not in ("pause", "hesitation")]


def test_settings_are_all_documented_and_configurable(monkeypatch, tmp_path):
    from pydantic import BaseModel

    from rehearse.analysis.event_settings import EventSettings
    from rehearse.config import load_settings

    def walk(model):
        for name, info in type(model).model_fields.items():
            assert info.description, f"{type(model).__name__}.{name} has no docstring"
            value = getattr(model, name)
            if isinstance(value, BaseModel):
                walk(value)

    walk(EventSettings())
    monkeypatch.setenv("REHEARSE_EVENTS__BLINK__MAX_DURATION_S", "0.3")
    settings = load_settings(None, user_config=tmp_path / "none.yaml")
    assert settings.events.blink.max_duration_s == 0.3
    # a 400 ms closure is then eyes_closed, not a blink
    track = synthesize_signals([{"kind": "blink", "start_s": 1.0, "apex_s": 1.1, "end_s": 1.4}], duration_s=3.0)
    kinds = [e.kind for e in detect_events(track, settings=settings.events) if e.kind in ("blink", "eyes_closed")]
    assert kinds == ["eyes_closed"]
    assert [e.kind for e in detect_events(track) if e.kind in ("blink", "eyes_closed")] == ["blink"]
    assert np.isfinite(settings.events.hold.min_duration_s)


def test_expressions_from_blendshapes_when_the_face_landmarker_is_on():
    from rehearse.analysis.face_landmarker import BLENDSHAPE_NAMES, blendshape_index
    from rehearse.analysis.tracks import LandmarkTrack

    signals = synthesize_signals([], duration_s=8.0, fps=30.0, seed=3)
    times = signals.times
    rng = np.random.default_rng(3)
    scores = np.clip(0.05 + 0.03 * rng.standard_normal((times.size, len(BLENDSHAPE_NAMES))), 0, 1)

    def bump(name, start, end, peak):
        inside = (times >= start) & (times < end)
        scores[inside, blendshape_index(name)] += peak

    bump("mouthSmileLeft", 1.0, 2.5, 0.6)
    bump("mouthSmileRight", 1.0, 2.5, 0.6)
    bump("mouthSmileRight", 4.0, 5.0, 0.5)  # one side only: the actor's right
    bump("browDownLeft", 6.0, 7.0, 0.5)
    bump("browDownRight", 6.0, 7.0, 0.5)
    shapes = LandmarkTrack("blendshapes", times, scores[:, :, None], np.ones(times.size), (640, 480))
    found = [(e.label, e.side, round(e.start_s, 1), round(e.end_s, 1))
             for e in detect_events(signals, landmarks={"blendshapes": shapes}) if e.kind == "expression"]
    assert found == [("smile", None, 1.0, 2.5), ("half_smile", "right", 4.0, 5.0), ("brow_furrow", None, 6.0, 7.0)]


def test_hand_to_face_zone_from_face_landmarks():
    from rehearse.analysis.events.gestures import FACE_ZONES
    from rehearse.analysis.tracks import LandmarkTrack

    truth = [{"kind": "gesture", "label": "hand_to_face", "side": "left", "start_s": 1.0, "end_s": 2.5}]
    signals = synthesize_signals(truth, duration_s=4.0, fps=30.0, seed=2)
    frames = signals.frame_count
    points = np.full((frames, 478, 3), 0.5)
    rng = np.random.default_rng(0)
    points[:, :, :2] = 0.45 + 0.1 * rng.random((478, 2))  # a face around the image centre
    for zone, (x, y) in {"mouth": (0.5, 0.58), "nose": (0.5, 0.5), "eye": (0.45, 0.44), "cheek": (0.4, 0.52)}.items():
        points[:, list(FACE_ZONES[zone]), 0] = x
        points[:, list(FACE_ZONES[zone]), 1] = y
    # the left fingertip rests on the cheek while the hand is at the face
    at_face = (signals.times >= 1.0) & (signals.times < 2.5)
    signals.values["fingertip_left_x"] = np.where(at_face, 0.41, 0.62)
    signals.values["fingertip_left_y"] = np.where(at_face, 0.53, 0.93)
    face = LandmarkTrack("face", signals.times, points, np.ones(frames), (640, 480))
    (touch,) = [e for e in detect_events(signals, landmarks={"face": face}) if e.label == "hand_to_face"]
    assert touch.side == "left" and touch.region == "cheek"


def test_events_modules_import_no_cv2_mediapipe_or_textual():
    import subprocess
    import sys

    code = ("import sys, rehearse.analysis.events, rehearse.commands.events; "
            "print(sorted(m for m in ('cv2', 'mediapipe', 'textual') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("fps", [24.0, 30.0, 60.0])
def test_body_holds_around_a_lean(fps):
    # The torso is still, leans (0.2 s ramps), stays leaned, comes back: three body holds.
    lean = {"kind": "gesture", "label": "lean_toward", "start_s": 3.0, "end_s": 5.0}
    signals = synthesize_signals([lean], duration_s=10.0, fps=fps, seed=1)
    holds = [(e.start_s, e.end_s) for e in detect_events(signals) if e.kind == "hold" and e.scope == "body"]
    assert len(holds) == 3, holds
    (a0, a1), (b0, b1), (c0, c1) = holds
    assert a0 == pytest.approx(0.0, abs=0.05) and c1 == pytest.approx(10.0, abs=0.1)
    # each ramp (0.2 s) plus the 0.4 s speed window is the only motion
    for edge, truth in ((a1, 3.0), (b0, 3.2), (b1, 4.8), (c0, 5.0)):
        assert edge == pytest.approx(truth, abs=0.3)


def test_hand_to_collar_needs_pose_shoulders():
    from rehearse.analysis.tracks import LandmarkTrack

    truth = [{"kind": "gesture", "label": "hand_to_collar", "side": "right", "start_s": 1.0, "end_s": 2.5}]
    signals = synthesize_signals(truth, duration_s=4.0, fps=30.0, seed=5)
    frames = signals.frame_count
    pose = np.full((frames, 33, 3), np.nan)
    pose[:, 11, :2] = (0.62, 0.80)  # actor's left shoulder (image right)
    pose[:, 12, :2] = (0.38, 0.80)
    at_collar = (signals.times >= 1.0) & (signals.times < 2.5)
    signals.values["fingertip_right_x"] = np.where(at_collar, 0.49, 0.38)
    signals.values["fingertip_right_y"] = np.where(at_collar, 0.79, 0.93)
    track = LandmarkTrack("pose", signals.times, pose, np.ones(frames), (640, 480))
    assert not [e for e in detect_events(signals) if e.label == "hand_to_collar"]  # no pose: not looked for
    (touch,) = [e for e in detect_events(signals, landmarks={"pose": track}) if e.label == "hand_to_collar"]
    assert touch.side == "right" and touch.start_s == pytest.approx(1.0, abs=0.05)
    assert touch.end_s == pytest.approx(2.5, abs=0.05)


@pytest.mark.parametrize(("fps", "vfr"), [(24.0, False), (30.0, True), (60.0, False)])
def test_geometric_expressions_with_labels_and_sides(fps, vfr):
    """Every macro expression from face geometry alone (no blendshapes), at its own time,
    with the actor's own side for a half-smile, and nothing else."""
    truth = [
        {"kind": "expression", "label": "smile", "start_s": 0.5, "end_s": 1.7},
        {"kind": "expression", "label": "half_smile", "side": "left", "start_s": 2.3, "end_s": 3.3},
        {"kind": "expression", "label": "half_smile", "side": "right", "start_s": 3.9, "end_s": 4.9},
        {"kind": "expression", "label": "brow_raise", "start_s": 5.5, "end_s": 6.5},
        {"kind": "expression", "label": "brow_furrow", "start_s": 7.1, "end_s": 8.1},
        {"kind": "expression", "label": "lip_press", "start_s": 8.7, "end_s": 9.7},
        {"kind": "expression", "label": "jaw_drop", "start_s": 10.3, "end_s": 11.3},
    ]
    signals = synthesize_signals(truth, duration_s=12.5, fps=fps, vfr=vfr, seed=int(fps))
    found = [e for e in detect_events(signals) if e.kind == "expression"]
    for true_event in truth:
        same = [e for e in found if e.label == true_event["label"]]
        score = match([true_event], same, min_iou=0.5)
        assert score.matched == 1, (true_event, [(e.label, e.start_s, e.end_s) for e in found])
        if true_event["label"] == "half_smile":
            (event,) = [e for e in same if e.start_s == score.pairs[0][1].start_s]
            assert event.side == true_event["side"]
    assert match(truth, found).false_positives == 0, [(e.label, e.start_s, e.end_s) for e in found]
