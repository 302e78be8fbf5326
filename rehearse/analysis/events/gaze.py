"""Gaze shifts: the eyes travel to a new position, reported by direction on the actor's own sides.

The fixation level before and after each frame is a median over `window_s`; where the two
differ by at least `min_shift` the eyes moved. The shift's onset and offset are where the
smoothed gaze leaves the old level and reaches the new one. Frames inside a blink are
ignored (the iris is hidden and its position is noise).
"""

from __future__ import annotations

import numpy as np

from rehearse.analysis.event_settings import GazeSettings
from rehearse.analysis.events.model import Event
from rehearse.analysis.events.signal_ops import (
    face_mask,
    fill_gaps,
    frames_for,
    rolling_median,
    runs,
    signal,
    track_frame_s,
)
from rehearse.analysis.tracks import SignalTrack

# axis -> (signal, side for a positive change, side for a negative change)
AXES = {"h": ("gaze_h", "left", "right"), "v": ("gaze_v", "up", "down")}


def detect_gaze_shifts(
    track: SignalTrack, settings: GazeSettings, blinks: list[Event] = ()
) -> list[Event]:
    """gaze_shift events with side (left/right/up/down) and the travel in gaze units."""
    times = track.times
    if times.size < 5:
        return []
    present = face_mask(track)
    hidden = np.zeros(times.size, dtype=bool)
    for blink in blinks:
        hidden |= (times >= blink.start_s - 0.03) & (times <= blink.end_s + 0.03)
    width = frames_for(settings.window_s, track_frame_s(track), minimum=3)
    candidates: list[tuple[float, float, float, str, dict]] = []
    for axis, (name, positive, negative) in AXES.items():
        gaze = np.where(present & ~hidden, signal(track, name), np.nan)
        if np.all(np.isnan(gaze)):
            continue
        gaze = fill_gaps(times, gaze, 0.6)
        smooth = rolling_median(gaze, 3)
        before, after = _levels(gaze, width)
        change = after - before
        for first, last in runs(np.abs(np.nan_to_num(change)) >= settings.min_shift):
            centre = first + int(np.nanargmax(np.abs(change[first:last])))
            old, new = before[centre], after[centre]
            travel = new - old
            start, end = _travel_edges(times, smooth, centre, old, new, width, settings.edge_fraction)
            candidates.append((start, end, abs(travel), positive if travel > 0 else negative,
                               {"travel": round(float(travel), 3), "axis": 0.0 if axis == "h" else 1.0}))
    candidates.sort()
    events: list[Event] = []
    for start, end, size, side, values in candidates:
        if events and start - events[-1].end_s < settings.min_separation_s:
            if size > abs(events[-1].values["travel"]):  # diagonal shift: keep the larger axis
                events[-1] = _event(start, end, side, values, settings)
            continue
        events.append(_event(start, end, side, values, settings))
    return events


def _event(start, end, side, values, settings: GazeSettings) -> Event:
    values = {"travel": values["travel"], "duration_ms": round((end - start) * 1000, 1)}
    confidence = float(np.clip(abs(values["travel"]) / (2 * settings.min_shift), 0.4, 1.0))
    return Event(kind="gaze_shift", start_s=round(start, 4), end_s=round(end, 4),
                 apex_s=round((start + end) / 2, 4), side=side, confidence=round(confidence, 3),
                 values=values)


def _levels(values: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Median of the `width` frames before and after each frame."""
    n = values.size
    padded = np.concatenate((np.full(width, np.nan), values, np.full(width, np.nan)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, width)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        medians = np.nanmedian(windows, axis=1)
    before = medians[0:n]
    after = medians[width + 1:width + 1 + n]
    return before, after


def _travel_edges(times, smooth, centre, old, new, width, fraction):
    """Onset: last frame near the old level before the centre; offset: first near the new level."""
    n = smooth.size
    travel = new - old
    progress = (smooth - old) / travel if travel else np.zeros(n)
    i = centre
    lo = max(0, centre - 2 * width)
    while i > lo and not (np.nan_to_num(progress[i], nan=0.0) <= fraction):
        i -= 1
    j = centre
    hi = min(n - 1, centre + 2 * width)
    while j < hi and not (np.nan_to_num(progress[j], nan=1.0) >= 1.0 - fraction):
        j += 1
    return float(times[i]), float(times[j])
