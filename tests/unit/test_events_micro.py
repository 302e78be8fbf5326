"""Micro-movements scored against ground truth (interval F1 at IoU 0.5), and false ones on still footage with blinks and head motion."""

from __future__ import annotations

import numpy as np
import pytest
from tests_support.event_streams import make_stream
from tests_support.scoring import match

from rehearse.analysis.events import detect_events

MICRO_SIGNALS = ("brow_raise_left", "brow_raise_right", "brow_furrow", "lip_corner_left",
                 "lip_corner_right", "lip_press")


def _scenario(fps: float, vfr: bool, drop: float, seed: int, with_micros: bool = True):
    """A minute of face: micro-movements (0.15-0.45 s, 0.03-0.06 IOD), blinks, head turns and sway."""
    rng = np.random.default_rng(seed)
    micros, blinks, moves = [], [], []
    t = 1.0
    while t < 57.0:
        kind = rng.random()
        if kind < 0.5 and with_micros:
            name = str(rng.choice(MICRO_SIGNALS))
            sign = -1.0 if name in ("lip_press", "brow_furrow") else 1.0
            d = rng.uniform(0.15, 0.45)
            micros.append((t, d, name, sign * rng.uniform(0.03, 0.06)))
        elif kind < 0.8:
            d = rng.uniform(0.12, 0.4)
            blinks.append((t, d, "both"))
        else:
            d = rng.uniform(0.4, 1.2)
            yaw = sum(m[2] for m in moves)
            moves.append((t, d, float(-np.sign(yaw or 1.0) * rng.uniform(5.0, 25.0))))
        t += d + rng.uniform(0.6, 2.0)
    return make_stream(60.0, fps, micros=micros, blinks=blinks, head_moves=moves, head_wobble_deg=6.0,
                       vfr=vfr, drop_rate=drop, lost_rate=0.01 if drop else 0.0, seed=seed)


CASES = [(fps, vfr, drop) for fps in (24.0, 30.0, 60.0) for vfr, drop in ((False, 0.0), (True, 0.03))]


@pytest.mark.parametrize(("fps", "vfr", "drop"), CASES)
def test_micro_movement_interval_f1_at_iou_half(fps, vfr, drop):
    truth_n = detected = matched = 0
    for seed in range(2):
        track, truth = _scenario(fps, vfr, drop, seed=int(100 + seed * 13 + fps))
        micros = [e for e in detect_events(track) if e.kind == "micro_movement"]
        score = match(truth.micros, micros, min_iou=0.5)
        truth_n += score.truth
        detected += score.detected
        matched += score.matched
        for true_iv, found in score.pairs:  # the region is right
            region = next(r for s, e, r in truth.micros if s == true_iv.start_s)
            assert next(m for m in micros if m.start_s == found.start_s).region == region
        assert all(m.label is None for m in micros)  # never an emotion
        assert all(m.start_s < m.apex_s < m.end_s and m.end_s - m.start_s <= 0.5 for m in micros)
    precision, recall = matched / max(detected, 1), matched / truth_n
    f1 = 2 * precision * recall / (precision + recall)
    print(f"micro fps={fps:g} vfr={vfr}: truth={truth_n} P={precision:.3f} R={recall:.3f} F1@IoU0.5={f1:.3f}")
    assert f1 >= 0.8


@pytest.mark.parametrize(("fps", "vfr", "drop"), CASES)
def test_still_footage_with_blinks_and_head_motion_has_few_false_micro_movements(fps, vfr, drop):
    minutes = 0.0
    false = 0
    for seed in range(2):
        track, truth = _scenario(fps, vfr, drop, seed=int(200 + seed * 7 + fps), with_micros=False)
        assert truth.blinks  # the footage has blinks ...
        events = detect_events(track)
        assert sum(e.kind == "blink" for e in events) >= 0.9 * len(truth.blinks)
        false += sum(e.kind == "micro_movement" for e in events)
        minutes += float(track.times[-1]) / 60.0
    print(f"false micro-movements fps={fps:g} vfr={vfr}: {false / minutes:.2f} per minute")
    assert false / minutes <= 1.0


def test_a_big_brief_movement_is_not_micro():
    """A 0.30 IOD lip movement (a laugh's mouth, a tracker jump) is not a micro-movement; a
    0.04 IOD one at the same place is."""
    for amplitude, expected in ((0.04, 1), (0.30, 0)):
        track, truth = make_stream(8.0, 30.0, micros=[(4.0, 0.3, "lip_corner_left", amplitude)], seed=5)
        found = [e for e in detect_events(track) if e.kind == "micro_movement" and e.region == "mouth"]
        assert len(found) == expected, (amplitude, [(e.start_s, e.values) for e in found])
