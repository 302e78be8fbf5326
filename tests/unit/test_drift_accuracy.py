"""Drift accuracy on landmark-level take pairs with known changes (F1 and false-drift rate).

Each trial draws a fresh noisy take of the same performance (new seed, slightly different
framing) as the reference and another with or without one known change; the detectors run for
real on both streams, then `compare_takes`. Figures are printed with `-s`.
"""

from __future__ import annotations

import zlib

import numpy as np
import pytest
from tests_support.drift_streams import SCENE, Variation, make_take, with_gesture

from rehearse.continuity.compare import compare_takes
from rehearse.continuity.settings import DriftSettings

SETTINGS = DriftSettings()
TRIALS = 12
"""Pairs with the change and pairs without, per measure."""


def f1(true_positive: int, false_positive: int, false_negative: int) -> float:
    if true_positive == 0:
        return 0.0
    precision = true_positive / (true_positive + false_positive)
    recall = true_positive / (true_positive + false_negative)
    return 2 * precision * recall / (precision + recall)


def _nuisance(rng, seed: int, marks: bool = True) -> Variation:
    """A fresh take of the same performance: new noise, its own tempo (+-15%), some reframing."""
    return Variation(seed=seed, tempo=float(rng.uniform(0.85, 1.15)), scale=float(rng.uniform(0.9, 1.1)),
                     shift=(float(rng.uniform(-0.05, 0.05)), float(rng.uniform(-0.05, 0.05))), marks=marks)


def _score(kind: str, make_changed, marks: bool = True) -> tuple[float, tuple[int, int, int]]:
    """F1 of flags of `kind` over TRIALS changed pairs and TRIALS unchanged pairs."""
    rng = np.random.default_rng(zlib.crc32(kind.encode()) + marks)
    tp = fp = fn = 0
    for trial in range(2 * TRIALS):
        changed = trial % 2 == 0
        reference = make_take(SCENE, _nuisance(rng, 10 * trial, marks), "2")
        performance = make_changed(rng) if changed else SCENE
        other = make_take(performance, _nuisance(rng, 10 * trial + 1, marks), "4")
        flagged = any(f.kind == kind for f in compare_takes(reference, other, settings=SETTINGS))
        tp += changed and flagged
        fn += changed and not flagged
        fp += flagged and not changed
    return f1(tp, fp, fn), (tp, fp, fn)


def _swap_hand(rng):
    index = int(rng.choice([0, 2, 3]))
    side = SCENE.gestures[index].side
    return with_gesture(SCENE, index, side="left" if side == "right" else "right")


def _lean(rng):
    from dataclasses import replace

    beat_start = float(rng.choice([3.0, 6.0, 9.0]))
    degrees = float(rng.uniform(10.0, 14.0)) * float(rng.choice([-1.0, 1.0]))
    return replace(SCENE, leans=((beat_start + 0.1, beat_start + 2.9, degrees),))


def _shift_onset(rng):
    index = int(rng.choice([0, 1, 2, 3]))
    shift = float(rng.uniform(0.25, 0.45)) * float(rng.choice([-1.0, 1.0]))
    return with_gesture(SCENE, index, start_s=SCENE.gestures[index].start_s + shift)


@pytest.mark.slow  # a few seconds of DTW per pair on a quiet machine
@pytest.mark.parametrize("marks", [True, False], ids=["beat_marks", "dtw"])
@pytest.mark.parametrize(("kind", "change", "minimum"), [
    ("hand_side", _swap_hand, 0.95),
    ("lean", _lean, 0.9),
    ("timing", _shift_onset, 0.9),
])
def test_drift_f1_on_landmark_level_pairs(kind, change, minimum, marks):
    score, counts = _score(kind, change, marks)
    how = "beat marks" if marks else "DTW"
    print(f"\n{kind} ({how}): F1 {score:.3f} (tp, fp, fn) = {counts} over {2 * TRIALS} pairs")
    assert score >= minimum, f"{kind} F1 {score:.3f} < {minimum} (tp, fp, fn = {counts})"


@pytest.mark.slow
@pytest.mark.parametrize("marks", [True, False], ids=["beat_marks", "dtw"])
def test_tempo_scale_and_position_alone_are_not_drift(marks):
    rng = np.random.default_rng(7 if marks else 8)
    variations = []
    for trial in range(TRIALS):
        kind = trial % 4
        base = dict(seed=100 + trial, marks=marks)
        if kind == 0:
            variations.append(Variation(tempo=float(rng.choice([0.8, 1.2])), **base))
        elif kind == 1:
            variations.append(Variation(scale=float(rng.choice([0.8, 1.25])), **base))
        elif kind == 2:
            variations.append(Variation(shift=(float(rng.uniform(-0.1, 0.1)), float(rng.uniform(-0.06, 0.06))), **base))
        else:
            variations.append(Variation(tempo=float(rng.uniform(0.8, 1.2)), scale=float(rng.uniform(0.8, 1.25)),
                                        shift=(float(rng.uniform(-0.1, 0.1)), 0.0), **base))
    false = []
    for trial, variation in enumerate(variations):
        reference = make_take(SCENE, Variation(seed=200 + trial, marks=marks), "2")
        flags = compare_takes(reference, make_take(SCENE, variation, "4"), settings=SETTINGS)
        if flags:
            false.append((variation, [f.message for f in flags]))
    rate = len(false) / len(variations)
    print(f"\nfalse drift ({'beat marks' if marks else 'DTW'}): {rate:.1%} of {len(variations)} pairs")
    assert rate <= 0.05, false[:3]


def test_identical_copy_gives_no_flags():
    take = make_take(SCENE, Variation(seed=3))
    assert compare_takes(take, take, settings=SETTINGS) == []


def test_mirrored_copy_reports_every_side_flipped():
    reference = make_take(SCENE, Variation(seed=4), "2")
    mirror = make_take(SCENE, Variation(seed=4, mirror=True), "2-mirror")
    flags = compare_takes(reference, mirror, settings=SETTINGS)
    kinds = sorted(f.kind for f in flags)
    assert kinds == ["hand_side", "hand_side", "hand_side", "head_turn"], [f.message for f in flags]
    first = next(f for f in flags if f.kind == "hand_side")
    assert first.values["reference_side"] == "right" and first.values["take_side"] == "left"
    assert "LEFT hand" in first.message and "RIGHT hand" in first.message
    # The mirrored path is the same movement made with the other hand.
    assert first.values["mirrored_similarity"] > 0.8
