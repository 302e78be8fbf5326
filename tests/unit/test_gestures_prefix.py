"""Gestures found on a prefix of a take are those of the whole take, once they have settled: the levels
they are read against depend only on earlier frames (what a live rehearsal can know)."""

from __future__ import annotations

import numpy as np
import pytest

from rehearse.analysis.event_settings import GestureSettings
from rehearse.analysis.events.gestures import detect_gestures, settle_after_end_s
from rehearse.analysis.events.stream_levels import warm_up_end_s
from rehearse.analysis.tracks import SignalTrack


def _prefix(analysis, count: int):
    """The take's signals and landmarks up to frame `count` (the whole take's signals, cut: this
    checks the detector's own reach; the signals' reach is the live side's)."""
    signals = SignalTrack(analysis.signals.times[:count],
                          {name: values[:count] for name, values in analysis.signals.values.items()})
    landmarks = {part: track.head(count) for part, track in analysis.landmarks.items()}
    return signals, landmarks


def _key(event) -> tuple:
    return event.label, event.side


def _final_at(event, settings) -> float:
    """Stream time from which the gesture is final: its settle time after its end, or sooner where
    the detector says so (a nod or shake no next swing can join any more: `final_from_s`, rounded
    to 0.1 ms like every event time, so up to half that after the frame it names)."""
    return min(event.end_s + settle_after_end_s(event.label, settings),
               event.values.get("final_from_s", float("inf")) - 1e-4)


@pytest.mark.models
def test_gestures_on_a_prefix_are_the_whole_takes_once_settled(sample_analyses):
    settings = GestureSettings()
    compared = 0
    for name, analysis in sample_analyses.items():
        times = analysis.signals.times
        frame = float(np.median(np.diff(times)))
        whole = detect_gestures(analysis.signals, settings, analysis.landmarks)
        assert whole or name == "03-3B-1", f"{name}: the sample takes turn the head and lean"
        ready = warm_up_end_s(float(times[0]))
        for cut_s in np.arange(1.0, times[-1], 0.25):
            count = int(np.searchsorted(times, cut_s, side="right"))
            newest = float(times[count - 1])
            signals, landmarks = _prefix(analysis, count)
            found = detect_gestures(signals, settings, landmarks)

            def settled(event, newest=newest, ready=ready):
                return max(_final_at(event, settings), ready) <= newest

            for event in [e for e in whole if settled(e)]:
                same = [p for p in found if _key(p) == _key(event) and abs(p.start_s - event.start_s) <= frame + 1e-6
                        and abs(p.end_s - event.end_s) <= frame + 1e-6]
                assert same, f"{name} cut at {newest:.3f} s: {event.label} {event.start_s}-{event.end_s} missing, {found}"
                compared += 1
            for event in [p for p in found if settled(p)]:
                assert any(_key(w) == _key(event) and abs(w.start_s - event.start_s) <= frame + 1e-6
                           and abs(w.end_s - event.end_s) <= frame + 1e-6 for w in whole), \
                    f"{name} cut at {newest:.3f} s: {event.label} {event.start_s}-{event.end_s} not in the whole take"
    assert compared >= 15, compared  # the head turns and leans of 1A-1..3 from the cuts after them


def test_nods_shakes_and_head_turns_on_a_prefix_are_the_whole_streams_once_settled():
    """The sample takes have no nods or shakes: a synthetic stream (measured FaceMesh noise) has two
    nods 0.7 s apart, a shake, and head turns around it (two of them no longer than a shake's swing);
    cut every 0.1 s, a gesture ending settle_after_end_s before the cut (a nod or shake: at or after
    its final_from_s) is the whole stream's (within 1 frame both ways). Near the cut the head's running level is read over the frames before only,
    and a head coming back from a turn looked like a swing back: a "shake" there swallowed the turn."""
    from tools.synthetic_streams import synthesize_signals

    settings = GestureSettings()
    truth = [{"kind": "gesture", "label": "nod", "start_s": 1.6, "end_s": 2.2},
             {"kind": "gesture", "label": "nod", "start_s": 2.9, "end_s": 3.6},
             {"kind": "gesture", "label": "head_turn", "side": "left", "start_s": 4.4, "end_s": 5.1},
             {"kind": "gesture", "label": "shake", "start_s": 6.0, "end_s": 7.0},
             {"kind": "gesture", "label": "head_turn", "side": "right", "start_s": 7.6, "end_s": 8.3},
             {"kind": "gesture", "label": "head_turn", "side": "left", "start_s": 9.0, "end_s": 10.2}]
    stream = synthesize_signals(truth, duration_s=11.5, fps=30.0, seed=0)
    times, frame = stream.times, 1 / 30.0
    whole = detect_gestures(stream, settings)
    assert sorted(e.label for e in whole) == ["head_turn"] * 3 + ["nod"] * 2 + ["shake"], whole
    assert min(e.end_s - e.start_s for e in whole if e.label == "head_turn") <= settings.nod_max_period_s
    compared = 0
    # every 0.1 s, and at the frame each nod or shake of the whole stream says it is final
    finals = [e.values["final_from_s"] + 1e-4 for e in whole if "final_from_s" in e.values]
    assert len(finals) == 3
    for cut_s in sorted([*np.arange(1.0, times[-1], 0.1), *finals]):
        count = int(np.searchsorted(times, cut_s, side="right"))
        prefix = SignalTrack(times[:count], {name: values[:count] for name, values in stream.values.items()})
        found = detect_gestures(prefix, settings)
        newest = float(times[count - 1])
        for ours, theirs in ((whole, found), (found, whole)):
            for event in ours:
                if _final_at(event, settings) > newest:
                    continue
                assert any(_key(e) == _key(event) and abs(e.start_s - event.start_s) <= frame + 1e-6
                           and abs(e.end_s - event.end_s) <= frame + 1e-6 for e in theirs), (newest, event, theirs)
                compared += 1
    assert compared >= 60, compared
