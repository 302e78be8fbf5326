"""Beat alignment and per-beat summaries: blinks, holds against the breakdown's target (early/late), latencies."""

from __future__ import annotations

import pytest

from rehearse.analysis.events import Event, beat_summaries
from rehearse.analysis.events.beats import assign_beats, compare_hold
from rehearse.breakdown.models import Beat, Scene, TargetHold


def _scene() -> Scene:
    return Scene(id="01", heading="INT. KITCHEN - NIGHT", beats=[
        Beat(id="b1", summary="Ana asks."),
        Beat(id="b2", summary="Maya holds.", hold=TargetHold(duration=1.2, tolerance=0.2)),
        Beat(id="b3", summary="Maya lies.", hold=TargetHold(duration=1.0, tolerance=0.1)),
    ])


def test_compare_hold_says_how_early_or_late():
    assert compare_hold(0.7, 1.2, 0.2).verdict == "ended 0.50 s early"
    late = compare_hold(1.6, 1.2, 0.2)
    assert late.verdict == "ended 0.40 s late" and late.end_offset_s == pytest.approx(0.4) and not late.on_target
    assert compare_hold(1.3, 1.2, 0.2).on_target
    assert compare_hold(None, 1.2, 0.2).verdict == "no hold (target 1.20 s)"


def test_beat_summaries_count_blinks_compare_holds_and_collect_latencies():
    marks = {"b1": 0.0, "b2": 2.0, "b3": 5.0}
    events = [
        Event(kind="blink", start_s=0.5, end_s=0.7, side="both"),
        Event(kind="eyes_closed", start_s=1.0, end_s=1.8, side="both"),  # not a blink
        Event(kind="blink", start_s=2.1, end_s=2.3, side="left"),
        Event(kind="hold", scope="face", start_s=2.5, end_s=3.2),
        Event(kind="hold", scope="body", start_s=2.0, end_s=4.9),  # the face hold is compared
        Event(kind="hesitation", start_s=4.6, end_s=5.4, latency_s=0.8),  # reply lands in b3
        Event(kind="hold", scope="face", start_s=6.0, end_s=7.45),
    ]
    summaries = beat_summaries(assign_beats(events, marks, 8.0), marks, 8.0, _scene())
    b1, b2, b3 = summaries
    assert (b1.blinks, b2.blinks, b3.blinks) == (1, 1, 0)
    assert b1.blink_rate_per_min == pytest.approx(30.0) and b1.hold_target is None
    assert b2.holds == [pytest.approx(0.7)] and b2.hold_target.verdict == "ended 0.50 s early"
    assert b3.hold_target.verdict == "ended 0.45 s late" and b3.latencies_s == [0.8]
    assert (b1.start_s, b1.end_s, b3.end_s) == (0.0, 2.0, 8.0)


def test_a_hold_belongs_to_the_beat_that_holds_most_of_it():
    marks = {"b1": 0.0, "b2": 1.5, "b3": 4.5}
    events = [
        Event(kind="hold", scope="face", start_s=1.479, end_s=2.05),  # settles 21 ms before b2's mark
        Event(kind="hold", scope="face", start_s=4.0, end_s=4.6),  # mostly before b3's mark
        Event(kind="blink", start_s=1.49, end_s=1.6, side="both"),  # onset events keep their onset's beat
    ]
    beats = [e.beat for e in assign_beats(events, marks, 6.0)]
    assert beats == ["b2", "b2", "b1"]
    b2 = beat_summaries(assign_beats(events, marks, 6.0), marks, 6.0, _scene())[1]
    assert b2.holds == [pytest.approx(0.6), pytest.approx(0.571)] and b2.hold_target.measured_s == pytest.approx(0.6)
