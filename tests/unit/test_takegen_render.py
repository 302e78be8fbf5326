"""render_take on a custom spec: the file, its truth, and FaceMesh agreeing with both."""

from __future__ import annotations

import numpy as np
import pytest

from rehearse.video.frames import frame_times, iter_frames
from tools.takegen import (
    TakeSpec,
    blink,
    brow_raise,
    gaze_shift,
    half_smile,
    head_turn,
    hold,
    lean,
    partial_blink,
    render_take,
    verify_take,
)
from tools.takegen.render import plan, render_frames

SPEC = TakeSpec(
    name="custom", fps=30.0, duration_s=3.0, seed=11,
    actions=(
        blink(0.4, side="right"),
        gaze_shift(0.5, 0.68, "left"),
        hold(0.7, 1.6),
        partial_blink(1.7, 0.5),
        brow_raise(1.8, 2.4),
        head_turn(1.9, 2.9, "left"),
        half_smile(2.0, 2.9, "right"),
        lean(2.2, 3.0, "away"),
    ),
)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    path = tmp_path_factory.mktemp("takegen") / "custom.mp4"
    truth = render_take(SPEC, path)
    return path, verify_take(SPEC, path, truth)


@pytest.mark.models
def test_custom_take_renders_and_verifies(rendered):
    path, truth = rendered
    assert truth["frame_count"] == 90
    np.testing.assert_allclose(frame_times(path), np.arange(90) / 30.0, atol=1e-6)
    verified = truth["verified"]
    assert verified["all_passed"], [c for c in verified["events"] if not c["passed"]]
    by_kind = {(c["kind"], c["label"]): c for c in verified["events"]}
    one_eye = by_kind[("blink", None)]
    assert one_eye["apex_ear"]["right"] < 0.12 and one_eye["other_eye_ear"] > 0.2
    assert 0.12 <= min(by_kind[("partial_blink", None)]["apex_ear"].values()) <= 0.26
    # The actor's right corner is the IMAGE LEFT one: it is the one that lifted.
    lifts = by_kind[("expression", "half_smile")]["corner_lift_iod"]
    assert lifts["right"] > lifts["left"] + 0.02
    assert by_kind[("gesture", "head_turn")]["yaw_proxy_change"] > 0.06
    assert by_kind[("gesture", "lean_away")]["face_scale_change"] < -0.03
    assert by_kind[("gaze_shift", None)]["gaze_h_change"] > 0.1  # toward the actor's left
    assert truth["speech"] == [] and truth["latency_s"] is None


@pytest.mark.models
def test_actor_left_turn_moves_the_nose_to_image_right(rendered):
    path, truth = rendered
    turn = next(e for e in truth["events"] if e.get("label") == "head_turn")
    frames = {round(f.t, 6): f.image for f in iter_frames(path)}
    from tools.takegen.measure import FaceMeshRunner

    with FaceMeshRunner(static=True) as runner:
        before = runner.landmarks(frames[0.0])
        during = runner.landmarks(frames[turn["apex_s"]])
    assert during[1, 0] - before[1, 0] > 5  # nose tip x, pixels


def test_truth_times_are_frame_times_and_rendering_is_reproducible():
    times, levels = plan(SPEC)
    first = list(render_frames(SPEC, times[:3], {a: v[:3] for a, v in levels.items()}, np.zeros(3)))
    again = list(render_frames(SPEC, times[:3], {a: v[:3] for a, v in levels.items()}, np.zeros(3)))
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    blink_levels = next(v for a, v in levels.items() if a.kind == "blink")
    apex = int(np.argmax(blink_levels))
    assert blink_levels[apex] == 1.0 and times[apex] == pytest.approx(0.4)
    hold_levels = next(v for a, v in levels.items() if a.kind == "hold")
    assert times[hold_levels > 0][0] == pytest.approx(0.7) and times[hold_levels > 0][-1] < 1.6
