"""When a nod or shake can no longer change, read from the frames the detector was given (live, issue 20).

A nod or shake (`gestures._grouped`) grows by a swing that starts within nod_max_period_s of its
last one: an excursion of the head angle more than nod_deg from its running level (a centred
median over `width` frames), over within nod_max_period_s, not given up as a jaw or a pose flip.
So once no excursion has started within that time, it is final, provided what it was read from
is final too. `final_from_s` names the first frame from which that holds, using only the frames
up to it, so any prefix of a take holding that frame gives the same time as the whole take.

Two ways to know, the earlier counts:
- every frame up to the horizon (nod_max_period_s after the end; for an excursion that started
  by then, until it is known too long or given up) read against its whole running level, i.e.
  `width` // 2 frames later;
- sooner, where the frames near the newest read against a level not yet whole are known not to
  be excursions whatever the missing frames hold: the median of the known values with every
  missing one taken as far below (or above) as can be bounds the level, and the angle lies
  within nod_deg of both bounds.
Never before the last swing's own pose-flip check and level are final (`width` // 2 frames after
its end, as a flip there gives the swing up), nor before the mouth's reading over the swings is
(the jaw check), nor before the stream holds `width` frames (over fewer the pose-flip check reads
all of them, `signal_ops.same_length_width`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

FAR = 1e9
"""A missing frame's angle (deg) taken as far below or above every real one when bounding a level."""


@dataclass(frozen=True)
class SwingReadings:
    """What `gestures._swings` read on the frames given, to tell when a nod or shake is final."""

    times: np.ndarray
    angle: np.ndarray
    """The head angle, gaps filled (deg)."""
    away: np.ndarray
    """The angle minus its running level (deg)."""
    width: int
    """Frames of the centred running level and of the pose-flip check; 0: fewer frames than that
    (the flip check then reads every frame)."""
    angle_final: np.ndarray
    """Per frame, the first frame from which its filled angle no longer changes (`filled_final_index`)."""
    mouth_final: np.ndarray
    """The same for the mouth's opening (the jaw check)."""
    excursions: list[tuple[float, float]]
    """Every excursion beyond nod_deg either way, swing or not: (start_s, end_s)."""
    nod_deg: float


def final_from_s(readings: SwingReadings, end_s: float, max_period_s: float, worst_s: float) -> float:
    """Stream time from which a nod or shake whose last swing ends at end_s can no longer change
    (see the module docstring); `worst_s` (its end plus the longest wait) when these frames cannot tell."""
    times, n = readings.times, readings.times.size
    if not readings.width:
        return worst_s
    half = readings.width // 2
    end = int(np.searchsorted(times, end_s))
    if end >= n or times[end] != end_s:
        return worst_s  # the last swing runs to the newest frame
    decided = end_s + max_period_s
    for start, stop in readings.excursions:
        if start >= end_s and start - end_s <= max_period_s:
            decided = max(decided, min(stop, start + max_period_s))
    # the frames read up to a time (s): those at it or before, and one more for rounding
    horizon = int(np.searchsorted(times, decided + 1e-9, side="right"))
    reach = int(np.searchsorted(times, end_s + max_period_s + 1e-9, side="right"))  # the first frame no swing joins from
    whole = _final(readings.angle_final, horizon + half)
    floor = _final(readings.angle_final, end + half)
    jaw = _final(readings.mouth_final, end - 1) if end else 0
    if floor is None or jaw is None:
        return worst_s
    # fewer frames than the window read the pose-flip check otherwise (`width` 0 here): not before
    floor = max(floor, readings.width - 1)
    whole = None if whole is None else max(whole, readings.width - 1)
    for cut in range(floor, n if whole is None else whole):
        if _quiet_until(readings, end, reach, cut, half):
            return round(min(worst_s, float(times[max(cut, jaw)])), 4)
    jaw = _final(readings.mouth_final, horizon)  # excursions given up as the jaw, up to the horizon
    if whole is None or jaw is None:
        return worst_s
    return round(min(worst_s, float(times[max(whole, jaw)])), 4)


def _final(final: np.ndarray, index: int) -> int | None:
    """The frame from which the reading of frame `index` is final, None when not within the frames."""
    if index >= final.size or final[index] >= final.size:
        return None
    return int(final[index])


def _quiet_until(readings: SwingReadings, first: int, stop: int, cut: int, half: int) -> bool:
    """On the frames up to `cut` alone, is every frame in [first, stop) known not to be an
    excursion, and frame `stop` there (no later frame falls before it)? False also when one is
    known to be an excursion."""
    if cut < stop:
        return False  # a frame a swing could still start on may come: not before the first one past them
    angle, known = readings.angle, readings.angle_final <= cut
    for m in range(first, stop):
        if not known[m]:
            return False
        if np.isnan(angle[m]):
            continue  # an angle never filled is no excursion
        if m + half <= cut and known[min(m + half, known.size - 1)]:
            if abs(np.nan_to_num(readings.away[m])) > readings.nod_deg:
                return False  # an excursion: the plain rule decides
            continue
        lo_i, hi_i = max(0, m - half), m + half + 1
        seen = np.arange(lo_i, min(hi_i, cut + 1))
        seen = seen[known[seen]]
        values = angle[seen]
        missing = hi_i - lo_i - seen.size
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            low = np.nanmedian(np.concatenate((values, np.full(missing, -FAR))))
            high = np.nanmedian(np.concatenate((values, np.full(missing, FAR))))
        if not (angle[m] - low <= readings.nod_deg and high - angle[m] <= readings.nod_deg):
            return False
    return True
