"""Tracked gestures from the breakdown, verified in landmark-level takes: found, missing, early, late, wrong side."""

from __future__ import annotations

import pytest
from tests_support.drift_streams import SCENE, Variation, make_take, with_gesture

from rehearse.analysis.events.beats import beat_spans
from rehearse.breakdown.models import TrackedGesture
from rehearse.continuity.compare import compare_takes
from rehearse.continuity.gestures_check import check_gesture, tracked_gesture_flags

# SCENE: right hand to face at 1.8 s (b1), head turn left at 4.0 s (b2 starts 3.0 s).
HAND = TrackedGesture(id="face_touch", character="maya", description="touches her face with her right hand",
                      kind="hand_to_face", body_part="hand", side="right", beat="b1",
                      window_start=1.5, window_end=2.2, tolerance=0.25)
TURN = TrackedGesture(id="turn_away", character="maya", description="turns her head to her own left",
                      kind="head_turn", body_part="head", side="left", beat="b2",
                      window_start=0.7, window_end=1.4, tolerance=0.25)


def _spans(take):
    return {b: (s, e) for b, s, e in beat_spans(take.beat_marks, take.duration_s)}


@pytest.mark.parametrize(("performance", "gesture", "status"), [
    (SCENE, HAND, "found"),
    (SCENE, TURN, "found"),
    (with_gesture(SCENE, 0, side="left"), HAND, "wrong_side"),
    (with_gesture(SCENE, 1, side="right"), TURN, "wrong_side"),
    (with_gesture(SCENE, 0, start_s=0.6), HAND, "early"),
    (with_gesture(SCENE, 1, start_s=4.9), TURN, "late"),
    (with_gesture(SCENE, 0, kind="hand_raise"), HAND, "missing"),
])
def test_tracked_gesture_verdicts(performance, gesture, status):
    take = make_take(performance, Variation(seed=5))
    check = check_gesture(gesture, take.events, _spans(take))
    assert check.status == status, check
    if status != "missing":
        assert check.onset_s is not None


def test_side_either_accepts_both_hands_and_other_is_unverifiable():
    take = make_take(with_gesture(SCENE, 0, side="left"), Variation(seed=6))
    assert check_gesture(HAND.model_copy(update={"side": "either"}), take.events, _spans(take)).status == "found"
    other = HAND.model_copy(update={"kind": "other"})
    assert check_gesture(other, take.events, _spans(take)).status == "unverifiable"


def test_tracked_flags_say_what_the_breakdown_wanted():
    take = make_take(with_gesture(SCENE, 1, side="right"), Variation(seed=7), "1A-4")
    flags = tracked_gesture_flags("1A-4", "Maya", [HAND, TURN], take.events, _spans(take))
    assert [(f.kind, f.beat, f.reference) for f in flags] == [("head_turn", "b2", "breakdown")]
    assert "RIGHT" in flags[0].message and "`turn_away` is to the LEFT" in flags[0].message
    late = make_take(with_gesture(SCENE, 0, start_s=2.9), Variation(seed=8), "1A-5")
    flags = tracked_gesture_flags("1A-5", "Maya", [HAND], late.events, _spans(late))
    assert [f.kind for f in flags] == ["timing"] and "after its window" in flags[0].message
    assert flags[0].values["off_by_s"] > 0.25


def test_compare_takes_reports_a_tracked_side_swap_once():
    reference = make_take(SCENE, Variation(seed=9), "1A-2")
    other = make_take(with_gesture(SCENE, 1, side="right"), Variation(seed=10), "1A-3")
    flags = compare_takes(reference, other, tracked_gestures=[TURN])
    assert [(f.kind, f.reference) for f in flags] == [("head_turn", "breakdown")]
    # Without the breakdown, the same swap is found against the reference take.
    flags = compare_takes(reference, other)
    assert [(f.kind, f.reference) for f in flags] == [("head_turn", "1A-2")]
    assert "Take 1A-3, b2: Maya turns the head to the actor's own RIGHT" in flags[0].message


def test_a_gesture_under_the_detectors_threshold_is_not_missing():
    from dataclasses import replace

    import numpy as np

    from rehearse.analysis.tracks import SignalTrack

    reference = make_take(SCENE, Variation(seed=11), "1A-2")
    other = make_take(SCENE, Variation(seed=12), "1A-4")
    # The detector missed the head turn in the other take, but the head still turned.
    missed = replace(other, events=[e for e in other.events if e.label != "head_turn"])
    assert compare_takes(reference, missed) == []
    # Take the movement itself away too: now the turn is missing.
    values = dict(other.signals.values)
    values["head_yaw"] = np.random.default_rng(0).normal(0, 0.6, values["head_yaw"].size)
    still = replace(missed, signals=SignalTrack(other.signals.times, values))
    flags = compare_takes(reference, still)
    assert [(f.kind, f.beat) for f in flags] == [("missing", "b2")]
    assert "gesture missing" in flags[0].message and "turns the head to the actor's own LEFT" in flags[0].message
