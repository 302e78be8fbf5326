"""compare_takes rules on hand-made events: holds against reference and target, blink rate, expressions, alignment."""

from __future__ import annotations

import numpy as np
import pytest

from rehearse.analysis.events.beats import beat_spans
from rehearse.analysis.events.model import Event
from rehearse.analysis.tracks import SignalTrack
from rehearse.breakdown.models import Beat, TargetHold
from rehearse.continuity.align import align_takes
from rehearse.continuity.compare import ComparedTake, compare_takes
from rehearse.continuity.settings import DriftSettings

MARKS = {"b1": 0.0, "b2": 2.0, "b3": 5.0}
BEATS = [Beat(id="b1", summary="asks"), Beat(id="b2", summary="holds", hold=TargetHold(duration=1.2, tolerance=0.3)),
         Beat(id="b3", summary="smiles", expressions=["half_smile"])]


def hold(start, end, scope="face"):
    return Event(kind="hold", start_s=start, end_s=end, scope=scope)


def blink(at):
    return Event(kind="blink", start_s=at, end_s=at + 0.2, label="full")


def half_smile(start, end, side="left", peak=0.11):
    return Event(kind="expression", label="half_smile", side=side, start_s=start, end_s=end,
                 values={"peak_displacement_iod": peak, "threshold_iod": 0.035})


def take(label, events, marks=MARKS, duration=8.0):
    return ComparedTake(label=label, events=events, signals=None, beat_marks=dict(marks), duration_s=duration, who="Maya")


REFERENCE = [blink(0.6), hold(2.1, 3.4), half_smile(5.5, 6.8)]


def flags_of(events, marks=MARKS, duration=8.0, reference=REFERENCE):
    return compare_takes(take("1A-2", reference), take("1A-4", events, marks, duration), beats=BEATS)


def test_same_events_no_flags():
    assert flags_of(list(REFERENCE)) == []


@pytest.mark.parametrize(("hold_event", "flagged"), [
    (hold(2.05, 3.35), False),
    (hold(2.0, 2.6), True),  # rushed: 0.6 s against 1.3 s
    (hold(2.1, 4.2), True),  # long, and off target
    (hold(2.1, 3.4, scope="body"), True),  # body stillness is not the face hold asked for
])
def test_hold_against_reference_and_target(hold_event, flagged):
    flags = [f for f in flags_of([blink(0.6), hold_event, half_smile(5.5, 6.8)]) if f.kind == "hold"]
    assert bool(flags) == flagged
    if flags:
        assert flags[0].beat == "b2" and flags[0].values["target_hold_s"] == 1.2
        assert "target 1.2 s ± 0.3 s" in flags[0].message


def test_a_hold_played_slower_with_the_whole_beat_is_not_drift():
    # b2 lasts 3.6 s instead of 3.0 s (20% slower): a 1.48 s hold is the reference's 1.3 s hold
    # at the new tempo, and still on the 1.2 s +- 0.3 s target.
    marks = {"b1": 0.0, "b2": 2.0, "b3": 5.6}
    flags = flags_of([blink(0.6), hold(2.1, 3.58), half_smile(6.1, 7.4)], marks, 8.6)
    assert [f.kind for f in flags if f.kind == "hold"] == []
    # Slower still, the same proportion of the beat misses the director's target: flagged.
    flags = flags_of([blink(0.6), hold(2.1, 3.7), half_smile(6.1, 7.4)], marks, 8.6)
    assert [f.values["take_hold_s"] for f in flags if f.kind == "hold"] == [1.6]


def test_untargeted_beats_do_not_compare_holds():
    reference = REFERENCE + [hold(0.2, 1.8)]
    assert [f for f in flags_of(list(REFERENCE), reference=reference) if f.kind == "hold"] == []
    settings = DriftSettings(holds_only_with_target=False)
    flags = compare_takes(take("1A-2", reference), take("1A-4", list(REFERENCE)), beats=BEATS, settings=settings)
    assert [(f.kind, f.beat) for f in flags] == [("hold", "b1")]


def test_extra_blink_and_missing_half_smile():
    flags = flags_of([blink(0.6), hold(2.1, 3.4), blink(6.0)])
    assert sorted((f.kind, f.beat) for f in flags) == [("blink_rate", "b3"), ("expression", "b3")]
    expression = next(f for f in flags if f.kind == "expression")
    assert expression.message == ("Take 1A-4, b3: the half-smile is gone — reference take 1A-2 shows it at "
                                  "5.5 s (expected near 5.5 s here).")


def test_half_smile_on_the_other_side_and_weak_or_unlisted_expressions():
    flags = flags_of([blink(0.6), hold(2.1, 3.4), half_smile(5.6, 6.7, side="right")])
    assert [f.kind for f in flags] == ["expression"] and "on the RIGHT" in flags[0].message
    weak = [REFERENCE[0], REFERENCE[1], half_smile(5.5, 6.8, peak=0.05)]  # 1.4x threshold: noise level
    assert flags_of([blink(0.6), hold(2.1, 3.4)], reference=weak) == []
    unlisted = REFERENCE + [Event(kind="expression", label="brow_furrow", start_s=0.5, end_s=1.5,
                                  values={"peak_displacement_iod": 0.1, "threshold_iod": 0.025})]
    assert flags_of(list(REFERENCE), reference=unlisted) == []


def test_beat_alignment_by_marks_and_by_dtw():
    alignment = align_takes(MARKS, 8.0, None, {"b1": 0.0, "b2": 2.4, "b3": 6.0}, 9.6, None)
    assert alignment.method == "beat_marks"
    assert alignment.to_take(3.5) == pytest.approx(2.4 + 1.5 * 1.2)
    t = np.arange(0, 8, 1 / 30)
    yaw = 25 * np.exp(-((t - 3.0) / 0.4) ** 2) - 15 * np.exp(-((t - 6.0) / 0.5) ** 2)
    slower = np.arange(0, 9.6, 1 / 30)
    yaw_slow = 25 * np.exp(-((slower / 1.2 - 3.0) / 0.4) ** 2) - 15 * np.exp(-((slower / 1.2 - 6.0) / 0.5) ** 2)
    dtw = align_takes(MARKS, 8.0, SignalTrack(t, {"head_yaw": yaw}), {}, 9.6, SignalTrack(slower, {"head_yaw": yaw_slow}))
    assert dtw.method == "dtw" and [s.beat for s in dtw.spans] == ["b1", "b2", "b3"]
    assert dtw.spans[1].take_start == pytest.approx(2.4, abs=0.15)
    assert dtw.spans[1].tempo == pytest.approx(1.2, abs=0.03)
    assert beat_spans({"b2": 3.0, "b1": 0.0}, 5.0) == [("b1", 0.0, 3.0), ("b2", 3.0, 5.0)]
