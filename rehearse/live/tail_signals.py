"""The signals of a live stream's newest frames, as `compute_signals` gives them over the whole stream.

A live pass keeps the signals of settled frames from earlier passes and computes only the tail
again (`IncrementalEvents._signals`). Most signals read only frames near their own, but a few
are scaled by a level read over the frames before each frame (`stream_levels`, up to HISTORY_S
back): the lid gaps (the median iris size per IOD) and, where the face is lost, the body scale
tremor is measured in (the median IOD, else shoulder width). Computed over the tail alone those
levels would read a few frames instead of the stream's; so they are computed over the frames
their levels read (`lead_in`): the lid gaps on every pass (cheap: a few points per frame), the
whole tail again only when a tail frame without a face has a hand in it (rare).
"""

from __future__ import annotations

import numpy as np

from rehearse.analysis.events.stream_levels import BLOCK_S, HISTORY_S
from rehearse.analysis.landmarks import FrameLandmarks, LandmarkSettings, tracks_from_frames
from rehearse.analysis.settings import SignalSettings
from rehearse.analysis.signals import compute_signals


def lead_in(times: np.ndarray, first: int) -> int:
    """Index of the first frame the levels of frames[first:] read: HISTORY_S before the block of
    frames[first], or the first frame kept."""
    start = np.floor(times[first] / BLOCK_S + 1e-9) * BLOCK_S - HISTORY_S
    return int(np.searchsorted(times, start - 1e-9))


def tail_signals(frames: list[FrameLandmarks], first: int, landmarks: LandmarkSettings,
                 settings: SignalSettings) -> dict[str, np.ndarray]:
    """Every signal of frames[first:], equal to `compute_signals` over all `frames` there."""
    times = np.array([f.t for f in frames])
    lead = lead_in(times, first)
    tail = frames[first:]
    lost_with_hand = any(f.face is None and (f.left_hand is not None or f.right_hand is not None) for f in tail)
    if lost_with_hand:  # tremor's scale where the face is lost reads the levels: all of it
        whole = compute_signals(tracks_from_frames(frames[lead:], landmarks), settings)
        return {name: column[first - lead:] for name, column in whole.values.items()}
    values = dict(compute_signals(tracks_from_frames(tail, landmarks), settings).values)
    if "lid_gap_left" in values and any(f.face is not None for f in tail):
        values.update(_lid_gaps(frames[lead:], first - lead))
    return values


def _lid_gaps(frames: list[FrameLandmarks], first: int) -> dict[str, np.ndarray]:
    """The lid gaps of frames[first:], their iris size read over all `frames` (`face_signals.lid_gap`)."""
    from rehearse.analysis.face_signals import (
        LEFT_EYE_LIDS,
        LEFT_IRIS_RING,
        RIGHT_EYE_LIDS,
        RIGHT_IRIS_RING,
        face_axes,
        face_pixels,
        lid_gap,
    )

    faces = [f.face for f in frames if f.face is not None]
    if not faces or faces[0].shape[0] <= max(LEFT_IRIS_RING + RIGHT_IRIS_RING):
        return {}
    # The face column as the track recorder fills it (float32, NaN where no face).
    points = np.full((len(frames), *faces[0].shape), np.nan, np.float32)
    for i, frame in enumerate(frames):
        if frame.face is not None:
            points[i] = frame.face
    present = np.array([f.face_confidence for f in frames], np.float32) > 0
    times = np.array([f.t for f in frames])
    px = face_pixels(points, frames[-1].image_size)
    _, _, iod, _, up = face_axes(px)
    out = {}
    for name, lids, ring in (("lid_gap_left", LEFT_EYE_LIDS, LEFT_IRIS_RING), ("lid_gap_right", RIGHT_EYE_LIDS, RIGHT_IRIS_RING)):
        gap = lid_gap(px, lids, ring, iod, up, times)
        out[name] = np.where(present, gap, np.nan)[first:]
    return out

