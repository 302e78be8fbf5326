"""Checks of the landmark-level drift streams themselves (tests_support.drift_streams)."""

from __future__ import annotations

from tests_support.drift_streams import (
    SCENE,
    Variation,
    make_take,
)

from rehearse.analysis.tracks import SIGNALS


def test_stream_names_are_registered_and_gestures_are_detected():
    take = make_take(SCENE)
    assert set(take.signals.values) <= set(SIGNALS)
    found = sorted((e.label, e.side, round(e.start_s, 1)) for e in take.events if e.kind == "gesture")
    assert [(label, side) for label, side, _ in found] == sorted(
        [("hand_to_face", "right"), ("head_turn", "left"), ("hand_raise", "left"), ("hand_to_face", "left")])
    for label, side, start in found:
        truth = next(g for g in SCENE.gestures if g.kind == label and g.side == side)
        assert abs(start - truth.start_s) < 0.4


def test_mirrored_stream_swaps_sides():
    take = make_take(SCENE, Variation(mirror=True))
    sides = {(e.label, e.side) for e in take.events if e.kind == "gesture"}
    assert ("hand_to_face", "left") in sides and ("hand_to_face", "right") in sides
    assert ("head_turn", "right") in sides and ("hand_raise", "right") in sides
