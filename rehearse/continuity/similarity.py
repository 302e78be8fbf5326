"""Windowed dynamic time warping (Sakoe-Chiba) and Procrustes-normalised gesture similarity.

Two performances of one gesture differ in tempo (DTW absorbs it), in where the actor sits in
frame and how large she is (translation and scale are removed) and in a slight camera or body
rotation (the best rotation is removed, reflections are not: a mirrored gesture is a different
hand). What remains is the shape of the movement.
"""

from __future__ import annotations

import numpy as np


def resample(points: np.ndarray, count: int) -> np.ndarray:
    """(n, d) samples -> (count, d) by linear interpolation over the sample index."""
    points = np.asarray(points, dtype=float)
    if points.ndim == 1:
        points = points[:, None]
    n = points.shape[0]
    if n == count:
        return points.copy()
    if n == 1:
        return np.repeat(points, count, axis=0)
    source = np.linspace(0.0, 1.0, n)
    target = np.linspace(0.0, 1.0, count)
    return np.stack([np.interp(target, source, points[:, k]) for k in range(points.shape[1])], axis=1)


def dtw(a: np.ndarray, b: np.ndarray, window_fraction: float = 0.25) -> tuple[float, list[tuple[int, int]]]:
    """Mean Euclidean cost along the best warping path of a (n, d) onto b (m, d), and the path.

    The Sakoe-Chiba band keeps |i/n - j/m| within `window_fraction` (at least the length
    difference), so a sequence cannot be matched by collapsing it onto one sample.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.ndim == 1:
        a = a[:, None]
    if b.ndim == 1:
        b = b[:, None]
    n, m = a.shape[0], b.shape[0]
    if n == 0 or m == 0:
        return float("inf"), []
    band = max(int(np.ceil(window_fraction * max(n, m))), abs(n - m) + 1, 1)
    cost = np.full((n + 1, m + 1), np.inf)
    cost[0, 0] = 0.0
    local = np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2))
    local = np.nan_to_num(local, nan=0.0)
    for i in range(1, n + 1):
        centre = int(round((i - 1) * (m - 1) / max(n - 1, 1)))
        lo, hi = max(1, centre + 1 - band), min(m, centre + 1 + band)
        for j in range(lo, hi + 1):
            best = min(cost[i - 1, j], cost[i, j - 1], cost[i - 1, j - 1])
            cost[i, j] = local[i - 1, j - 1] + best
    if not np.isfinite(cost[n, m]):
        return float("inf"), []
    path = [(n - 1, m - 1)]
    i, j = n, m
    while (i, j) != (1, 1):
        steps = [(cost[i - 1, j - 1], i - 1, j - 1), (cost[i - 1, j], i - 1, j), (cost[i, j - 1], i, j - 1)]
        _, i, j = min((c, p, q) for c, p, q in steps if p >= 1 and q >= 1)
        path.append((i - 1, j - 1))
    path.reverse()
    return float(cost[n, m] / len(path)), path


def normalise(points: np.ndarray) -> np.ndarray:
    """Remove translation (centroid) and scale (RMS distance to the centroid) from (n, d) points."""
    points = np.asarray(points, dtype=float)
    centred = points - np.nanmean(points, axis=0)
    size = float(np.sqrt(np.nanmean((centred ** 2).sum(axis=1))))
    return centred / size if size > 1e-9 else centred


def best_rotation(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The proper rotation R (det +1) minimising |source @ R - target| (Kabsch)."""
    h = source.T @ target
    u, _, vt = np.linalg.svd(h)
    d = np.sign(np.linalg.det(u @ vt)) or 1.0
    correction = np.eye(h.shape[0])
    correction[-1, -1] = d
    return u @ correction @ vt


def gesture_distance(a: np.ndarray, b: np.ndarray, *, window_fraction: float = 0.25,
                     samples: int = 40) -> float:
    """Shape distance of two trajectories (n, d): 0 for the same movement at any tempo, scale,
    position or in-plane rotation; about 1.4 for unrelated movements (unit-RMS shapes)."""
    a = _clean(a)
    b = _clean(b)
    if a.shape[0] < 2 or b.shape[0] < 2:
        return float("inf")
    a = normalise(resample(a, samples))
    b = normalise(resample(b, samples))
    _, path = dtw(a, b, window_fraction)
    # Rotation from the DTW-matched pairs, then warp again: tempo and rotation together.
    for _ in range(2):
        ia = np.array([p[0] for p in path])
        ib = np.array([p[1] for p in path])
        b = normalise(b @ best_rotation(b[ib], a[ia]))
        distance, path = dtw(a, b, window_fraction)
    return distance


def gesture_similarity(a: np.ndarray, b: np.ndarray, *, window_fraction: float = 0.25) -> float:
    """1 for the same movement shape, falling to 0 for unrelated ones (see gesture_distance)."""
    distance = gesture_distance(a, b, window_fraction=window_fraction)
    if not np.isfinite(distance):
        return 0.0
    return float(max(0.0, 1.0 - distance / 1.0))


def _clean(points: np.ndarray) -> np.ndarray:
    points = np.asarray(points, dtype=float)
    if points.ndim == 1:
        points = points[:, None]
    return points[~np.isnan(points).any(axis=1)]
