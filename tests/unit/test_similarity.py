"""Windowed DTW and Procrustes gesture similarity: invariant to tempo, scale, position and rotation, not to shape or mirroring."""

from __future__ import annotations

import numpy as np
import pytest

from rehearse.continuity.similarity import best_rotation, dtw, gesture_distance, gesture_similarity


def reach(n: int = 50, tempo_warp: float = 0.0) -> np.ndarray:
    """A hand path: out to the right, up, and a hook back left (2-D, image fractions)."""
    u = np.linspace(0, 1, n)
    u = u + tempo_warp * np.sin(np.pi * u) / np.pi  # uneven speed along the same path
    return np.stack([0.3 * np.sin(np.pi * u) + 0.1 * u, -0.4 * u + 0.05 * np.sin(3 * np.pi * u)], axis=1)


def transformed(points, scale=1.0, shift=(0.0, 0.0), degrees=0.0):
    angle = np.radians(degrees)
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    return points @ rotation.T * scale + np.asarray(shift)


def test_dtw_of_a_sequence_with_itself_is_zero_on_the_diagonal():
    a = reach()
    cost, path = dtw(a, a, 0.1)
    assert cost == pytest.approx(0.0)
    assert path == [(i, i) for i in range(len(a))]


def test_dtw_absorbs_tempo_but_the_window_limits_how_far():
    a = np.sin(np.linspace(0, 3 * np.pi, 60))[:, None]
    slower = np.sin(np.linspace(0, 3 * np.pi, 75))[:, None]
    cost, _ = dtw(a, slower, 0.25)
    assert cost < 0.05
    # Shifted by a third of the sequence: a wide band can warp onto it, a narrow band cannot.
    shifted = np.roll(a, 20, axis=0)
    wide, _ = dtw(a, shifted, 0.5)
    narrow, _ = dtw(a, shifted, 0.05)
    assert narrow > 3 * wide


@pytest.mark.parametrize(("scale", "shift", "degrees", "n", "warp"), [
    (1.0, (0, 0), 0, 50, 0.0),
    (1.25, (0.1, -0.05), 0, 50, 0.0),
    (0.8, (0, 0), 12, 50, 0.0),
    (1.0, (0, 0), 0, 62, 0.4),  # 20% slower and unevenly paced
    (1.2, (-0.1, 0.1), -10, 40, -0.3),
])
def test_same_gesture_is_similar_under_tempo_scale_position_and_rotation(scale, shift, degrees, n, warp):
    a = reach()
    b = transformed(reach(n, warp), scale, shift, degrees)
    b = b + np.random.default_rng(1).normal(0, 0.002, b.shape)
    assert gesture_similarity(a, b) > 0.85


def test_different_gestures_and_mirrored_gestures_are_not_similar():
    a = reach()
    u = np.linspace(0, 1, 50)
    circle = np.stack([np.cos(2 * np.pi * u), np.sin(2 * np.pi * u)], axis=1) * 0.2
    assert gesture_similarity(a, circle) < 0.5
    mirrored = a * np.array([-1.0, 1.0])
    # Rotation may not undo a reflection: the other hand's path stays different ...
    assert gesture_distance(a, mirrored) > 3 * gesture_distance(a, transformed(reach(55, 0.2), 1.1, (0.2, 0), 8))
    # ... unless the caller mirrors it back on purpose.
    assert gesture_similarity(a, mirrored * np.array([-1.0, 1.0])) > 0.95


def test_best_rotation_is_proper():
    rng = np.random.default_rng(0)
    points = rng.normal(size=(20, 2))
    rotation = best_rotation(points * np.array([-1.0, 1.0]), points)
    assert np.linalg.det(rotation) == pytest.approx(1.0)


def test_too_short_or_empty_paths_are_not_similar():
    assert gesture_similarity(np.zeros((1, 2)), reach()) == 0.0
    assert gesture_similarity(np.full((10, 2), np.nan), reach()) == 0.0
