"""Body motion energy below the face: frame differencing on a small grey crop of the shoulders and torso.

This is Motion Energy Analysis (MEA, Ramseyer & Tschacher), the standard measure of body
movement in nonverbal-behaviour research: how much the pixels of a fixed body region change
between frames. It costs one resize of the frame to a small grey image, so it runs on every
frame while Pose (~30 ms a run) need not: body holds are timed from it at frame accuracy.

Why a span and not consecutive frames: the per-pixel noise of a camera and its codec is the
same between any two frames, while movement adds up with time. Differencing frames ~67 ms
apart (the nearest earlier frame at least `span_s` back, as `face_motion` does) keeps the
still level the same at 24, 30 and 60 fps; the value is that change per second, stamped at
the middle of the span.

The region: from the chin down `depth_faces` face heights, `width_faces` face widths wide,
centred under the face, from the face box of the current frame (or the last one seen, for up
to `face_memory_s`). Both frames of a pair are cut with the same region, so the region
following the head does not itself read as movement. A region with too little of it inside
the frame (an extreme close-up) gives NaN: unknown, not still.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from rehearse.analysis.settings import MotionEnergySettings


def region_below_face(face: np.ndarray, size: tuple[int, int], settings: MotionEnergySettings) -> tuple[int, int, int, int] | None:
    """(x0, y0, x1, y1) of the torso region in an image of `size` (width, height) px, under the
    face whose normalised landmarks are `face`; None when too little of it is in frame."""
    width, height = size
    xs, ys = face[:, 0], face[:, 1]
    fx0, fx1, fy0, fy1 = float(np.nanmin(xs)), float(np.nanmax(xs)), float(np.nanmin(ys)), float(np.nanmax(ys))
    face_w, face_h = (fx1 - fx0) * width, (fy1 - fy0) * height
    if not (face_w > 0 and face_h > 0):
        return None
    centre = (fx0 + fx1) / 2 * width
    want = (centre - face_w * settings.width_faces / 2, fy1 * height,
            centre + face_w * settings.width_faces / 2, fy1 * height + face_h * settings.depth_faces)
    x0, y0 = max(0, int(round(want[0]))), max(0, int(round(want[1])))
    x1, y1 = min(width, int(round(want[2]))), min(height, int(round(want[3])))
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None
    inside = (x1 - x0) * (y1 - y0) / ((want[2] - want[0]) * (want[3] - want[1]))
    return (x0, y0, x1, y1) if inside >= settings.min_inside_fraction else None


def small_grey(image: np.ndarray, width: int) -> np.ndarray:
    """`image` (H x W x 3 RGB uint8) shrunk to `width` px (area average) and turned grey, uint8."""
    import cv2

    height = max(1, round(image.shape[0] * width / image.shape[1]))
    small = cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)


class MotionEnergyMeter:
    """Feeds on frames in time order; gives each frame's body motion energy (grey levels/s) and
    the time it belongs to (the middle of its span)."""

    def __init__(self, settings: MotionEnergySettings | None = None):
        self.settings = settings or MotionEnergySettings()
        self._recent: deque[tuple[float, np.ndarray]] = deque()
        self._face: np.ndarray | None = None
        self._face_t = -np.inf
        self._energies: deque[tuple[float, float]] = deque()

    def moving(self, t: float, energy: float) -> bool | None:
        """Whether the body moves at `t` by its energy against the recent still level (None:
        not measured). Feed every frame's energy in time order."""
        settings = self.settings
        while self._energies and t - self._energies[0][0] > settings.floor_window_s:
            self._energies.popleft()
        if not np.isfinite(energy):
            return None
        self._energies.append((t, energy))
        floor = min(value for _, value in self._energies)
        return energy > max(settings.moving_min, settings.moving_factor * floor)

    def remember_face(self, t: float, face: np.ndarray) -> None:
        """The face (normalised landmarks) found at `t`: it places the region from now on."""
        if np.isfinite(face[:, :2]).all():
            self._face, self._face_t = face, t

    def measure(self, t: float, grey: np.ndarray) -> tuple[float, float]:
        """(energy, time) for the frame at `t` with small grey image `grey`, the region placed
        by the last face remembered: NaN energy when there is no recent face or the region is
        out of frame (unknown at that time), and a NaN time as well when there is no earlier
        frame a span back (nothing measured)."""
        settings = self.settings
        earlier = None
        while self._recent and t - self._recent[0][0] >= settings.span_s:
            earlier = self._recent.popleft()  # keep the nearest frame at least a span back
        if earlier is not None:
            self._recent.appendleft(earlier)
        self._recent.append((t, grey))
        if earlier is None:
            return float("nan"), float("nan")  # nothing to compare with yet: no time either
        before_t, before = earlier
        middle = (t + before_t) / 2
        if self._face is None or t - self._face_t > settings.face_memory_s:
            return float("nan"), middle
        region = region_below_face(self._face, (grey.shape[1], grey.shape[0]), settings)
        if region is None:
            return float("nan"), middle
        x0, y0, x1, y1 = region
        change = np.abs(grey[y0:y1, x0:x1].astype(np.int16) - before[y0:y1, x0:x1].astype(np.int16))
        return float(change.mean()) / (t - before_t), middle


def on_frame_times(times: np.ndarray, energy: np.ndarray, stamps: np.ndarray) -> np.ndarray:
    """Energies measured at span middles `stamps`, read at the frames' own `times`: linear
    between the two measurements around a frame, NaN when either of them is missing (face
    lost, region out of frame). Entries with a NaN stamp measured nothing and are ignored.
    `stamps` (one per frame) lie half a span before their frames' `times`, so the frames before the first or after the last measurement take its value when within one
    half span of it."""
    out = np.full(times.shape, np.nan)
    measured = np.isfinite(energy) & np.isfinite(stamps)
    reach_s = float(np.max(times[measured] - stamps[measured])) if measured.any() else 0.0
    timed = np.isfinite(stamps)
    energy, stamps = energy[timed], stamps[timed]
    if stamps.size == 0:
        return out
    order = np.argsort(stamps, kind="stable")
    stamp, value = stamps[order], energy[order]
    after = np.searchsorted(stamp, times, side="right")
    before = after - 1
    exact = (before >= 0) & (stamp[np.maximum(before, 0)] == times)
    out[exact] = value[before[exact]]
    between = ~exact & (before >= 0) & (after < stamp.size)
    lo, hi = before[between], after[between]
    span = stamp[hi] - stamp[lo]
    weight = np.where(span > 0, (times[between] - stamp[lo]) / np.where(span > 0, span, 1.0), 0.0)
    out[between] = (1 - weight) * value[lo] + weight * value[hi]  # NaN when either side is NaN
    first, last = stamp[0], stamp[-1]
    head = (times < first) & (first - times <= reach_s)
    tail = (times > last) & (times - last <= reach_s)
    out[head], out[tail] = value[0], value[-1]
    return out
