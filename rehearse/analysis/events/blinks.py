"""Blinks (per eye and both eyes) and long eye closures, from closure depth against the actor's baseline.

With the Face Landmarker model installed, closure depth is read from its eyeBlink scores (see
`_blendshape_depths`). Without it (geometry), closure depth is 1 - EAR / open-eye EAR, with the
open-eye EAR learnt per eye (a high percentile over the face-present frames before each frame,
`stream_levels`, so a live rehearsal reads the same level as the offline analysis) or from a
marked neutral span, so a narrow-eyed actor and a wide-eyed one are measured alike. A closure
of 100-500 ms is a blink (`full` or `partial` by its depth); longer is `eyes_closed`. A shallow
closure while the lip corners are up is the cheeks pushing the lids during a smile or laugh and
is not counted.

Looking down lowers the upper lid with the gaze: the eyeBlink score rises and the EAR falls as
if the eye were closing, yet a slit of iris still shows. A long closure is therefore held to the
frames where the lids meet (`lid_gap`, in iris diameters, from the refined FaceMesh points);
blinks are not, since at 24-30 fps FaceMesh's lid points trail a fast blink and rarely meet.
"""

from __future__ import annotations

import math

import numpy as np

from rehearse.analysis.event_settings import BlinkSettings
from rehearse.analysis.events.model import Event
from rehearse.analysis.events.signal_ops import (
    crossing_time,
    extent,
    face_mask,
    fill_gaps,
    nan_mean_rows,
    ramp_edges,
    runs,
    signal,
    step_noise,
)
from rehearse.analysis.events.stream_levels import stream_baseline, stream_statistic, warm_up_end_s
from rehearse.analysis.tracks import LandmarkTrack, SignalTrack


def closure_depths(
    track: SignalTrack, settings: BlinkSettings, neutral: np.ndarray | None = None,
    blendshapes: LandmarkTrack | None = None,
) -> dict[str, np.ndarray]:
    """Per-eye closure depth (0 open .. 1 shut) and their mean, NaN where no face; keys
    `left`, `right`, `both`, plus `baseline_left`/`baseline_right`, the open-eye baseline per
    frame as the stream knows it (read over the frames before it, `stream_levels`). With a
    blendshapes track the depths come from its eyeBlink scores, else from the EAR."""
    if blendshapes is not None:
        return _blendshape_depths(track, settings, neutral, blendshapes)
    times = track.times
    present = face_mask(track)
    met, wide = _lids_meet(track, settings)
    depths: dict[str, np.ndarray] = {}
    for side in ("left", "right"):
        ear = np.where(present, signal(track, f"eye_open_{side}"), np.nan)
        # The EAR has no scale of its own (a narrow eye is not a closing one): the open eye is
        # learnt from frames whose lids are well apart when the stream has seen some, else from
        # every frame whose lids do not meet (a take opening with lowered lids has no other).
        base = stream_baseline(times, ear, present & wide, neutral, settings.baseline_percentile)
        base = np.where(np.isnan(base), stream_baseline(times, ear, present & ~met, neutral,
                                                        settings.baseline_percentile), base)
        # The open level right now: a smile's cheeks or a tired lid lower it for seconds, and
        # a blink must be measured from where the lid was, not from the take's widest eye. Read
        # over the frames seen, exactly half its window ahead (`settle_after_end_s`).
        local = running_percentile(times, ear, settings.local_window_s / 2, settings.baseline_percentile)
        ear = fill_gaps(times, ear, settings.max_gap_s)
        local = np.clip(np.where(np.isnan(local), base, local), settings.local_floor * base, base)
        with np.errstate(invalid="ignore", divide="ignore"):
            depths[side] = np.where(base > 0, np.clip(1.0 - ear / local, 0.0, 1.0), np.nan)
        depths[f"baseline_{side}"] = base
    depths["both"] = nan_mean_rows([depths["left"], depths["right"]])
    return depths


def settle_after_end_s(settings: BlinkSettings, geometry: bool = False) -> float:
    """How long after its end (s of stream time) a blink or closure found on the frames so far
    can still change: what `detect_blinks` reads after it, counted from the score's own end
    (`score_end_s` in its values when a long closure's edges were moved in to where the lids
    met, `settle.decided_end_s`). That edge is interpolated against the frame after it
    (NEXT_FRAME_S); each frame's depth reads the open level half its window ahead
    (`running_percentile`), and the score of a face lost up to `max_gap_s` is bridged with the
    frame after the loss. The checks on the closure's frames (side, head turn, lost face, smile)
    read no frame after that end. Without blendshapes the open EAR is read the same way over
    `local_window_s`. With the defaults 0.6 s (blendshapes), 1.35 s (geometry); each event says
    in `values["final_from_s"]` when it is final from the frame it really read last (its end
    ramp's frame after the low level is often before the end; in a stream's first second, the
    warm-up's last frame, whose depth its noise level reads): 0.48-0.53 s on the real clips."""
    return NEXT_FRAME_S + _depth_reach_s(settings, geometry)


def _depth_reach_s(settings: BlinkSettings, geometry: bool) -> float:
    """How far after a frame its closure depth reads: the open level half its window ahead, the
    score (or EAR) of a lost face bridged up to `max_gap_s`."""
    window = settings.local_window_s if geometry else settings.blendshape_window_s
    return max(settings.max_gap_s, window / 2)


NEXT_FRAME_S = 0.1
"""A closure's end is interpolated between its last frame over the low ramp level and the frame
after it, which comes at most this long after the end in streams of 10 fps or more."""


def running_percentile(times: np.ndarray, values: np.ndarray, half_s: float, percentile: float = 50.0) -> np.ndarray:
    """Per frame, a percentile (numpy's linear one) of the non-NaN values of the frames from
    `half_s` before it to `half_s` after it, by their timestamps (NaN where there are none). Exact
    on every frame and in time, so a frame's level reads no frame more than `half_s` after it
    however the frames are spaced (variable frame rate) and wherever the frames handed in begin
    (a live pass); a level read every few frames and interpolated read up to that stride further."""
    n = values.size
    out = np.full(n, np.nan)
    edge = 1e-6  # timestamps from a rational time base: a frame exactly half_s away is inside
    first = np.searchsorted(times, times - half_s - edge, side="left")
    stop = np.searchsorted(times, times + half_s + edge, side="right")
    for rows in np.array_split(np.arange(n), max(1, n // 4096)):  # a window row per frame: bound the memory
        if rows.size == 0:
            continue
        index = first[rows, None] + np.arange(int((stop[rows] - first[rows]).max()))[None, :]
        window = np.where(index < stop[rows, None], values[np.minimum(index, n - 1)], np.nan)
        window.sort(axis=1)  # NaN last
        count = np.count_nonzero(~np.isnan(window), axis=1)
        rank = np.maximum(count - 1, 0) * (percentile / 100.0)
        below = np.floor(rank).astype(int)
        at = np.arange(rows.size)
        low, high = window[at, below], window[at, np.minimum(below + 1, np.maximum(count - 1, 0))]
        with np.errstate(invalid="ignore"):
            out[rows] = np.where(count > 0, low + (high - low) * (rank - below), np.nan)
    return out


def _blendshape_depths(
    track: SignalTrack, settings: BlinkSettings, neutral: np.ndarray | None, blendshapes: LandmarkTrack
) -> dict[str, np.ndarray]:
    """Closure depth from the eyeBlink scores: 0 at the eye's open score right now (the median
    over `blendshape_window_s`, so a smile's squint or a downward look that lifts the score for a
    second is the open level; frames more than half way from `blendshape_open_max` to shut are left
    out, so neither a blink nor a long closure moves it), 1 at `blendshape_shut_score`. The score is the network's
    reading of the whole eye, trained on real faces, so it is not fooled by an EAR that a
    squint or a turned head lowers. The open level never sits above `blendshape_open_max`: read
    over a stretch of shut or lowered lids (a take that opens with the eyes shut) it would be
    the closure's own score."""
    from rehearse.analysis.backends.blendshapes import blendshape_index

    times = track.times
    present = face_mask(track) & blendshapes.mask
    met, _ = _lids_meet(track, settings)
    scores = np.asarray(blendshapes.points, dtype=float)[:, :, 0]
    depths: dict[str, np.ndarray] = {}
    for side, name in (("left", "eyeBlinkLeft"), ("right", "eyeBlinkRight")):
        score = np.where(present, scores[:, blendshape_index(name)], np.nan)
        base = stream_baseline(times, score, present & ~met, neutral, 100.0 - settings.baseline_percentile)
        base = np.minimum(base, settings.blendshape_open_max)
        # the open level: frames already half way to shut are closures, not the open eye. Half
        # way from the highest score an open eye has (a smile's squint, blendshape_open_max), not
        # from the resting level: read over the frames before a smile, the rest is the neutral eye
        # (0.08-0.11 on single_face.mp4), and half way from it (0.33) cut through the squinted
        # open eye (0.27-0.34), so an encode's noise moved its frames in and out of the open level.
        # Read over the frames seen (before lost frames are filled), so it reaches exactly half
        # its window past a frame, whatever the face does later (`settle_after_end_s`).
        half_shut = settings.blendshape_open_max + 0.5 * (settings.blendshape_shut_score - settings.blendshape_open_max)
        open_only = np.where(score < half_shut, score, np.nan)
        local = running_percentile(times, open_only, settings.blendshape_window_s / 2)
        score = fill_gaps(times, score, settings.max_gap_s)
        local = np.clip(np.where(np.isnan(local), base, local), base, np.maximum(base, half_shut))
        span = np.maximum(settings.blendshape_shut_score - local, 1e-3)
        depths[side] = np.clip((score - local) / span, 0.0, 1.0)
        depths[f"baseline_{side}"] = base
    depths["both"] = nan_mean_rows([depths["left"], depths["right"]])
    return depths


def detect_blinks(
    track: SignalTrack, settings: BlinkSettings, neutral: np.ndarray | None = None,
    blendshapes: LandmarkTrack | None = None,
) -> list[Event]:
    """Blink and eyes_closed events, with side (left/right/both), apex and depth values.

    With `blendshapes` (the Face Landmarker model's scores) the closure depth is read from the
    eyeBlink scores; without, from the eye aspect ratio (geometry, less reliable)."""
    times = track.times
    if times.size < 3:
        return []
    depths = closure_depths(track, settings, neutral, blendshapes)
    both = depths["both"]
    if np.all(np.isnan(both)):
        return []
    present = face_mask(track)
    yaw = np.abs(signal(track, "head_yaw"))
    smiling_frames = _smiling(track, present, neutral, blendshapes, settings)
    # the depth's own noise as the stream knows it (its frame-to-frame steps before each frame)
    steps = np.r_[np.nan, np.diff(both)]
    noise = stream_statistic(times, steps, None, step_noise, min_count=3)
    threshold = np.maximum(settings.detect_depth, settings.noise_factor * np.nan_to_num(noise))
    # Both eyes' mean. The nearer-shut eye alone measured worse: the Face Landmarker task's
    # smoothed mesh lets one eye drift under the level 4 frames before the real closure (onset
    # -3.0 frames against -1.8). The mean's cost: a hand over one eye at a closure's end can read
    # that eye open and move the end early (the crying close-up's hand leaves in time).
    gap = nan_mean_rows([signal(track, "lid_gap_left"), signal(track, "lid_gap_right")])
    # the warm-up's frames share one depth noise level, read over their depths: each reads the
    # open level ahead, so a closure whose threshold is that level reads up to its last frame's
    warm_last = float(times[max(0, int(np.searchsorted(times, warm_up_end_s(float(times[0])) - 1e-9)) - 1)])
    events: list[Event] = []
    reached = -1  # last frame of the previous closure above its low ramp level
    for first, last in runs(np.nan_to_num(both) > threshold):
        apex = first + int(np.nanargmax(both[first:last]))
        if apex <= reached:
            continue  # one closure reached twice through noise: the lid never passed the low level
        peak = float(both[apex])
        _, _, i0, i1 = extent(times, both, apex, settings.edge_fraction * peak)
        start, end = ramp_edges(times, both, apex, settings.ramp_low * peak, settings.ramp_high * peak)
        if events:
            # the lid reopened past the low level in between: a second closure, which starts
            # no earlier than the first one ended (a blink right after a long closure is a blink)
            start = max(start, events[-1].end_s)
        score_end = end
        if end - start > settings.max_duration_s:
            start, end = _lids_met(times, gap, start, end, settings)
        duration = end - start
        if duration < settings.min_duration_s:
            continue
        reached = extent(times, both, apex, settings.ramp_low * peak)[3]
        # the closure's frames for the checks below: over edge_fraction of the peak, up to the
        # score's end (a lid that lingers just above it after the ramp, as in a squint, could
        # reach any distance past the end, and a live stream could not know when it is final)
        by_end = int(np.searchsorted(times, score_end, side="right")) - 1
        i1 = min(i1, by_end)
        window = slice(i0, i1 + 1)
        # the last frame whose depth the event read: the frame after its end ramp's low level (the
        # end is interpolated against it), or the closure's frames up to the score's end
        read_last = max(float(times[min(max(reached + 1, by_end), times.size - 1)]), warm_last)
        peaks = {side: float(np.nanmax(depths[side][window])) for side in ("left", "right")
                 if not np.all(np.isnan(depths[side][window]))}
        side = _side(peaks, settings.side_depth)
        side_peak = max(peaks.values()) if side != "both" else peak
        max_yaw = float(np.nanmax(yaw[window])) if not np.all(np.isnan(yaw[window])) else 0.0
        if max_yaw > settings.yaw_hard_deg:
            continue
        confidence = 1.0
        if max_yaw > settings.yaw_soft_deg:
            span = max(settings.yaw_hard_deg - settings.yaw_soft_deg, 1e-6)
            confidence *= 1.0 - 0.7 * (max_yaw - settings.yaw_soft_deg) / span
        lost = 1.0 - float(present[window].mean())
        confidence *= 1.0 - 0.6 * lost
        smiling = bool(smiling_frames[window].any())
        full = side_peak >= settings.full_depth
        if smiling and not full:
            continue  # cheek-raise squint of a smile or laugh, not a lid closure
        if smiling:
            confidence *= 0.8
        baseline = "baseline_eye_blink_score" if blendshapes is not None else "baseline_ear"
        values = {
            "duration_ms": round(duration * 1000.0, 1),
            "peak_depth": round(side_peak, 3),
            f"{baseline}_left": round(float(depths["baseline_left"][apex]), 4),
            f"{baseline}_right": round(float(depths["baseline_right"][apex]), 4),
        }
        for eye in ("left", "right"):
            ear = signal(track, f"eye_open_{eye}")[window]
            if not np.all(np.isnan(ear)):
                values[f"min_ear_{eye}"] = round(float(np.nanmin(ear)), 4)
        if duration > settings.max_duration_s or score_end > end:
            # An end moved in to where the lids parted holds only while the score stays closed
            # without the lids meeting again: it is final once the score says the eyes opened
            # (a closure moved in to a blink's length too).
            values["score_end_s"] = round(max(score_end, end), 4)
        # final once that frame's depth is (rounded up: the frame at the exact time must be in)
        values["final_from_s"] = math.ceil((read_last + _depth_reach_s(settings, blendshapes is None)) * 1e4) / 1e4
        if duration > settings.max_duration_s:
            kind, label = "eyes_closed", None
        else:
            kind = "blink"
            label = "full" if full else "partial"
            if not full:
                confidence *= 0.85
        events.append(Event(kind=kind, start_s=round(start, 4), end_s=round(end, 4),
                            apex_s=round(float(times[apex]), 4), confidence=round(confidence, 3),
                            side=side, label=label, values=values))
    return events


def _lids_met(times: np.ndarray, gap: np.ndarray, start: float, end: float,
              settings: BlinkSettings) -> tuple[float, float]:
    """A long closure's edges moved in to where the lids meet, where the lids stayed lowered but
    apart (looking down) for longer than a lid's fall beside it; (start, start) when they never
    meet. Unchanged without iris points (lid gap unknown)."""
    inside = np.flatnonzero((times >= start) & (times <= end))
    known = inside[~np.isnan(gap[inside])]
    if known.size == 0:
        return start, end
    shut = known[gap[known] <= settings.shut_lid_gap]
    if shut.size == 0:
        return start, start  # lowered lids all along: looking down, not shut
    shut_level = float(np.median(gap[shut]))
    met = _lid_travel_edge(times, gap, known[known < shut[0]], shut_level, forward=True)
    parted = _lid_travel_edge(times, gap, known[known > shut[-1]], shut_level, forward=False)
    if met is not None and met - start > settings.lowered_lid_min_s:
        start = met
    if parted is not None and end - parted > settings.lowered_lid_min_s:
        end = parted
    return start, max(start, end)


def _lid_travel_edge(times: np.ndarray, gap: np.ndarray, lowered: np.ndarray, shut_level: float,
                     forward: bool) -> float | None:
    """When the lids left their lowered level for the shut one (`forward`: `lowered` are the
    frames before the first shut frame), or left the shut level for the lowered one (`lowered`
    after the last shut frame): the line through the travel's 25 % and 75 % points, extended
    to the lowered level, as `ramp_edges` does for the score (a crossing alone sits late by
    part of the travel). Crossings are searched outward from the shut frames, so a later dip
    of the lids does not count. None without such a travel."""
    if lowered.size == 0:
        return None
    level = float(np.median(gap[lowered]))
    if level <= shut_level:
        return None
    high, low = level - 0.25 * (level - shut_level), level - 0.75 * (level - shut_level)
    outward = lowered[::-1] if forward else lowered  # nearest the shut frames first
    inner = 1 if forward else -1  # the neighbour on the shut side
    above_low, above_high = outward[gap[outward] > low], outward[gap[outward] > high]
    if above_low.size == 0 or above_high.size == 0:
        return None
    k_low, k_high = int(above_low[0]), int(above_high[0])
    t_low = crossing_time(times, gap, k_low, k_low + inner, low)
    t_high = crossing_time(times, gap, k_high, k_high + inner, high)
    return t_high - 0.5 * (t_low - t_high)


def _lids_meet(track: SignalTrack, settings: BlinkSettings) -> tuple[np.ndarray, np.ndarray]:
    """(met, wide): frames where the lids meet (both eyes' mean `lid_gap` at most
    `shut_lid_gap`), shut eyes left out of the open-eye baseline, and frames where they are
    `open_lid_gap` apart or more (unknown gap counts as wide, not met). Read over the whole
    take, a long closure was a small share of it; read over the frames before each frame, a take
    that opens with the eyes shut for seconds would make the shut eye the open one."""
    gap = np.nan_to_num(nan_mean_rows([signal(track, "lid_gap_left"), signal(track, "lid_gap_right")]), nan=np.inf)
    return gap <= settings.shut_lid_gap, gap >= settings.open_lid_gap


def _side(peaks: dict[str, float], side_depth: float) -> str:
    closed = [side for side, depth in peaks.items() if depth >= side_depth]
    if len(closed) == 1 and len(peaks) == 2:
        return closed[0]
    if len(peaks) == 1:
        return next(iter(peaks))
    return "both"


def _smiling(track: SignalTrack, present: np.ndarray, neutral: np.ndarray | None,
             blendshapes: LandmarkTrack | None, settings: BlinkSettings) -> np.ndarray:
    """Frames where the actor smiles or laughs: both lip corners lifted over their resting level
    and, with the model, its mouthSmile score over its resting score too. The corners are
    measured from the middle of the inner lips, which drops with the jaw, so an open-mouthed
    shout lifts them as a smile does: on a real clip a blink during a shout read as a smile's
    squint (corner lift 0.046-0.053 IOD) while the network's mouthSmile stayed at 0.12-0.16."""
    times = track.times
    lifts = []
    for side in ("left", "right"):
        corner = np.where(present, signal(track, f"lip_corner_{side}"), np.nan)
        lifts.append(corner - stream_baseline(times, corner, present, neutral, settings.smile_rest_percentile))
    smiling = np.nan_to_num(nan_mean_rows(lifts), nan=-np.inf) > settings.smile_lift_iod
    if blendshapes is not None:
        from rehearse.analysis.backends.blendshapes import blendshape_index

        scores = np.asarray(blendshapes.points, dtype=float)[:, :, 0]
        usable = present & blendshapes.mask
        smile = np.where(usable, (scores[:, blendshape_index("mouthSmileLeft")]
                                  + scores[:, blendshape_index("mouthSmileRight")]) / 2, np.nan)
        lift = smile - stream_baseline(times, smile, usable, neutral, 25.0)
        smiling &= np.nan_to_num(lift, nan=-np.inf) > settings.smile_blendshape_score
    return smiling
