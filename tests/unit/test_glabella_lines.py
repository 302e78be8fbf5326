"""The glabella patch reads vertical lines between the brows, follows the head's roll, and ignores
horizontal ones (a raised brow's forehead lines); the furrow detector reads a rise of it."""

from __future__ import annotations

import math

import numpy as np

from rehearse.analysis.backends.glabella import (
    BETWEEN_BROWS,
    CHIN,
    EYE_CORNERS,
    INNER_BROWS,
    NOSE_BRIDGE,
    glabella_lines,
)
from rehearse.analysis.event_settings import ExpressionSettings
from rehearse.analysis.events.expressions import detect_blendshape_expressions
from rehearse.analysis.tracks import LandmarkTrack

SIZE = 400  # px, square frame
IOD = 120.0  # px between the eye centres


def _face(roll_deg: float = 0.0) -> np.ndarray:
    """The points the patch uses, for an upright face centred in the frame, rolled by `roll_deg`."""
    layout = {EYE_CORNERS[0][0]: (-80, 0), EYE_CORNERS[0][1]: (-40, 0), EYE_CORNERS[1][0]: (40, 0),
              EYE_CORNERS[1][1]: (80, 0), BETWEEN_BROWS: (0, -30), NOSE_BRIDGE: (0, 0), CHIN: (0, 200),
              INNER_BROWS[0][0]: (-30, -25), INNER_BROWS[0][1]: (-28, -40),
              INNER_BROWS[1][0]: (30, -25), INNER_BROWS[1][1]: (28, -40)}
    turn = math.radians(roll_deg)
    rotation = np.array([[math.cos(turn), -math.sin(turn)], [math.sin(turn), math.cos(turn)]])
    face = np.full((478, 3), 0.5)
    for index, offset in layout.items():
        face[index, :2] = (np.array([SIZE / 2, SIZE / 2]) + rotation @ np.array(offset, dtype=float)) / SIZE
    return face


def _stripes(vertical: bool, roll_deg: float = 0.0, period_px: int = 12) -> np.ndarray:
    """Grey stripes over the whole frame, along the face's vertical (or horizontal) axis."""
    ys, xs = np.mgrid[0:SIZE, 0:SIZE].astype(float) - SIZE / 2
    turn = math.radians(roll_deg)
    across = xs * math.cos(turn) + ys * math.sin(turn)  # along the rolled eye line
    down = -xs * math.sin(turn) + ys * math.cos(turn)
    phase = across if vertical else down
    grey = (128 + 60 * np.sign(np.sin(2 * math.pi * phase / period_px))).astype(np.uint8)
    return np.repeat(grey[:, :, None], 3, axis=2)


def test_vertical_lines_read_horizontal_ones_do_not():
    flat = np.full((SIZE, SIZE, 3), 128, dtype=np.uint8)
    assert glabella_lines(flat, _face()) == 0.0
    vertical = glabella_lines(_stripes(vertical=True), _face())
    horizontal = glabella_lines(_stripes(vertical=False), _face())
    assert vertical > 10 * max(horizontal, 0.1), (vertical, horizontal)


def test_the_patch_turns_with_the_head():
    upright = glabella_lines(_stripes(vertical=True), _face())
    rolled = glabella_lines(_stripes(vertical=True, roll_deg=30), _face(roll_deg=30))
    across = glabella_lines(_stripes(vertical=False, roll_deg=30), _face(roll_deg=30))
    assert abs(rolled - upright) < 0.25 * upright, (upright, rolled)
    assert across < 0.2 * rolled, (across, rolled)


def test_brows_together_leave_no_patch():
    face = _face()
    for right, left in zip(*INNER_BROWS, strict=True):
        face[right, 0] = face[left, 0] = face[BETWEEN_BROWS, 0]
    assert math.isnan(glabella_lines(_stripes(vertical=True), face))


def test_no_face_scale_no_value():
    face = _face()
    face[list(EYE_CORNERS[1])] = face[list(EYE_CORNERS[0])].mean(axis=0)  # both eyes on one point
    face[list(EYE_CORNERS[0])] = face[list(EYE_CORNERS[1])]
    assert math.isnan(glabella_lines(_stripes(vertical=True), face))


def _still_blendshapes(frames: int) -> LandmarkTrack:
    from rehearse.analysis.backends.blendshapes import BLENDSHAPE_NAMES

    scores = np.full((frames, len(BLENDSHAPE_NAMES), 1), 0.05, dtype=np.float32)
    return LandmarkTrack("blendshapes", np.arange(frames) / 25.0, scores, np.ones(frames, np.float32), (640, 360))


def test_a_rise_of_the_lines_is_a_furrow_and_a_wobble_is_not():
    frames = 250
    times = np.arange(frames) / 25.0
    rng = np.random.default_rng(4)
    lines = 0.6 + 0.02 * rng.standard_normal(frames)
    shapes = _still_blendshapes(frames)
    assert not detect_blendshape_expressions(times, shapes, ExpressionSettings(), glabella_lines=lines)
    wobble = lines.copy()
    wobble[100:140] *= 2.0  # twice as strong for 1.6 s: under the 150 % rise
    assert not detect_blendshape_expressions(times, shapes, ExpressionSettings(), glabella_lines=wobble)
    furrowed = lines.copy()
    furrowed[100:175] *= 4.0  # 3 s of deep lines
    found = detect_blendshape_expressions(times, shapes, ExpressionSettings(), glabella_lines=furrowed)
    assert [e.label for e in found] == ["brow_furrow"]
    assert abs(found[0].start_s - 4.0) <= 0.1 and abs(found[0].end_s - 7.0) <= 0.1
    hidden = furrowed.copy()
    hidden[100:175] = np.nan  # under a hand: not read
    assert not detect_blendshape_expressions(times, shapes, ExpressionSettings(), glabella_lines=hidden)
