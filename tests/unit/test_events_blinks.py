"""Blink detection scored against ground truth on landmark-level streams (24/30/60 fps, VFR, dropped frames)."""

from __future__ import annotations

import numpy as np
import pytest
from tests_support.event_streams import make_stream
from tests_support.scoring import match

from rehearse.analysis.event_settings import BlinkSettings
from rehearse.analysis.events import EventSettings, detect_events
from rehearse.analysis.events.blinks import detect_blinks


def _scenario(fps: float, vfr: bool, drop: float, seed: int, duration_s: float = 60.0):
    """A minute of face with blinks (full, partial, winks), long closures, smiles and laughs."""
    rng = np.random.default_rng(seed)
    blinks, partial, closures, smiles, laughs = [], [], [], [], []
    t = 1.0
    while t < duration_s - 3:
        kind = rng.random()
        d = rng.uniform(0.12, 0.42)
        if kind < 0.08:
            closures.append((t, rng.uniform(0.8, 2.0)))
            t += closures[-1][1]
        elif kind < 0.2:
            partial.append((t, d))
            t += d
        elif kind < 0.26:
            blinks.append((t, d, str(rng.choice(["left", "right"]))))
            t += d
        elif kind < 0.31:
            smiles.append((t, t + rng.uniform(1.5, 3.0)))
            t = smiles[-1][1]
        elif kind < 0.35:
            laughs.append((t, t + rng.uniform(1.0, 2.5)))
            t = laughs[-1][1]
        else:
            blinks.append((t, d, "both"))
            t += d
        t += rng.uniform(0.8, 3.0)
    return make_stream(duration_s, fps, blinks=blinks, partial_blinks=partial, closures=closures,
                       smiles=smiles, laughs=laughs, head_wobble_deg=8.0, vfr=vfr, drop_rate=drop,
                       lost_rate=0.01 if drop else 0.0, seed=seed)


CASES = [(fps, vfr, drop) for fps in (24.0, 30.0, 60.0) for vfr, drop in ((False, 0.0), (True, 0.03))]


@pytest.mark.parametrize(("fps", "vfr", "drop"), CASES)
def test_blinks_precision_recall_onset_and_long_closures(fps, vfr, drop):
    truth_n = matched = detected = 0
    onset_frames: list[float] = []
    for seed in range(3):
        track, truth = _scenario(fps, vfr, drop, seed=int(seed * 11 + fps))
        events = detect_blinks(track, BlinkSettings())
        blinks = [e for e in events if e.kind == "blink"]
        closed = [e for e in events if e.kind == "eyes_closed"]
        score = match(truth.blinks, blinks)
        truth_n += score.truth
        matched += score.matched
        detected += score.detected
        onset_frames += score.onset_errors_frames(1.0 / fps)
        # a long closure is eyes_closed, never a blink
        assert match(truth.closures, blinks).matched == 0
        assert match(truth.closures, closed).matched == len(truth.closures)
        # a laugh squeezes the eyes part way again and again: neither blinks nor a closure
        laughs = [x for x in truth.expressions if x[2] == "laugh"]
        assert match(laughs, blinks + closed).matched == 0
        # sides: winks keep their side, two-eye blinks are `both`
        by_start = {round(t[0], 6): t[2] for t in truth.blinks}
        for true_iv, found in score.pairs:
            event = next(e for e in blinks if e.start_s == found.start_s)
            assert event.side == by_start[round(true_iv.start_s, 6)]
    precision, recall = matched / detected, matched / truth_n
    print(f"blinks fps={fps:g} vfr={vfr} drop={drop}: truth={truth_n} P={precision:.3f} R={recall:.3f} "
          f"onset mean={np.mean(onset_frames):.2f} max={np.max(onset_frames):.2f} frames")
    assert precision >= 0.95 and recall >= 0.95
    assert np.max(onset_frames) <= 2.0


def test_blink_event_carries_units_apex_and_depth():
    track, truth = make_stream(6.0, 30.0, blinks=[(2.0, 0.25, "both")], partial_blinks=[(4.0, 0.3)], seed=5)
    blinks = [e for e in detect_events(track) if e.kind == "blink"]
    assert [e.label for e in blinks] == ["full", "partial"]
    full = blinks[0]
    assert full.start_s < full.apex_s < full.end_s
    assert 150 < full.values["duration_ms"] < 350
    assert full.values["peak_depth"] > 0.6 and blinks[1].values["peak_depth"] < 0.6
    assert full.values["min_ear_left"] < 0.5 * full.values["baseline_ear_left"]


def test_neutral_span_sets_the_baseline():
    # An actor who squints through most of the take: the take's own percentile is the squint,
    # a marked neutral span gives the open eye, and the squint then reads as partial closure.
    track, _ = make_stream(10.0, 30.0, closures=[(2.0, 7.5)], blinks=[(0.6, 0.25, "both")], seed=2)
    from rehearse.analysis.tracks import TimeSpan

    with_neutral = [e for e in detect_events(track, neutral=TimeSpan(0.0, 1.5)) if e.kind == "eyes_closed"]
    assert len(with_neutral) == 1 and with_neutral[0].start_s == pytest.approx(2.0, abs=0.1)


def test_far_head_turn_suppresses_blinks():
    track, _ = make_stream(6.0, 30.0, blinks=[(2.0, 0.25, "both"), (4.0, 0.25, "both")], seed=1)
    track.values["head_yaw"] = np.where(track.times > 3.5, 60.0, 0.0)
    blinks = [e for e in detect_events(track, settings=EventSettings()) if e.kind == "blink"]
    assert len(blinks) == 1 and blinks[0].start_s < 3.0


@pytest.mark.parametrize("fps", [24.0, 30.0, 60.0])
def test_a_laugh_is_no_lip_press(fps):
    """A broad laugh (mouth opening with each "ha", lips stretched thin over it) is not a lip
    press. As on the real close-up, the jaw drags the lip centre down so the corners barely
    lift from it, and geometry does not read a smile that would hide the press."""
    track, _ = make_stream(10.0, fps, laughs=[(3.0, 6.0)], seed=int(fps))
    values = dict(track.values)
    laughing = (track.times >= 3.0) & (track.times <= 6.0)
    values["lip_press"] = np.where(laughing, values["lip_press"] - 0.08, values["lip_press"])  # thinned by the stretch
    for side in ("left", "right"):
        name = f"lip_corner_{side}"
        values[name] = np.where(laughing, values[name] - 0.08, values[name])
    from rehearse.analysis.tracks import SignalTrack

    events = detect_events(SignalTrack(track.times, values))
    assert not [e for e in events if e.label == "lip_press"], [(e.label, e.start_s) for e in events]
