"""Smiles, nods and shakes say from which stream time they can no longer change (`values["final_from_s"]`),
read from the frames the detector was given, so live can show them before the worst-case wait (issue 20).

A smile may be joined by a laugh up to `laugh_bridge_s` after it while the lips stay parted: once
they have closed it is final. A nod or shake may grow by a swing starting up to nod_max_period_s
after its last: once none can have started (or each that did lasted too long for a swing) it is
final.
Checked on small synthetic streams cut at every frame: an event a prefix says is final is the
whole stream's (same edges, same final_from_s), and every event of the whole stream final at a
cut is on that prefix; in particular at the cuts just after each event's final_from_s.
"""

from __future__ import annotations

import numpy as np
import pytest

from rehearse.analysis.event_settings import ExpressionSettings, GestureSettings
from rehearse.analysis.events.expressions import detect_blendshape_expressions
from rehearse.analysis.events.expressions import settle_after_end_s as smile_worst_s
from rehearse.analysis.events.gestures import SWING_LEVEL_S, detect_gestures
from rehearse.analysis.events.gestures import settle_after_end_s as swing_worst_s
from rehearse.analysis.face_landmarker import BLENDSHAPE_NAMES, blendshape_index
from rehearse.analysis.tracks import LandmarkTrack, SignalTrack

SMILE = ("mouthSmileLeft", "mouthSmileRight")
LIPS_PARTED = ("mouthUpperUpLeft", "mouthUpperUpRight", "mouthLowerDownLeft", "mouthLowerDownRight")


def _scores(duration_s: float, fps: float, seed: int = 5) -> tuple[np.ndarray, np.ndarray]:
    times = np.arange(0.0, duration_s, 1.0 / fps)
    rng = np.random.default_rng(seed)
    return times, np.clip(0.05 + 0.01 * rng.standard_normal((times.size, len(BLENDSHAPE_NAMES))), 0, 1)


def _set(times, scores, names, start, end, value):
    inside = (times >= start) & (times < end)
    for name in names:
        scores[inside, blendshape_index(name)] = value


def _smiles(times, scores, count=None):
    count = count or times.size
    shapes = LandmarkTrack("blendshapes", times[:count], scores[:count, :, None], np.ones(count), (640, 480))
    return [e for e in detect_blendshape_expressions(times[:count], shapes, ExpressionSettings()) if e.label == "smile"]


def _same(a, b) -> bool:
    return (a.label, a.start_s, a.end_s, a.values) == (b.label, b.start_s, b.end_s, b.values)


def _prefix_problems(times, detect, first: int = 10) -> tuple[list[str], int]:
    """Events final by their own final_from_s on a prefix that the whole stream does not give
    identically, and the other way round; and how many were compared."""
    whole = detect(times.size)
    problems, compared = [], 0
    for count in range(first, times.size + 1):
        part, newest = detect(count), float(times[count - 1])
        for found, other, where in ((whole, part, "whole only"), (part, whole, "prefix only")):
            for e in found:
                if e.values["final_from_s"] <= newest + 1e-4:  # times are rounded to 0.1 ms
                    compared += 1
                    if not any(_same(e, o) for o in other):
                        problems.append(f"cut at {newest:.3f}: {e.label} {e.start_s}-{e.end_s} {e.values} {where}")
    return problems, compared


def test_a_smile_whose_lips_close_is_final_soon_and_one_a_laugh_joins_is_not_final_in_the_dip():
    times, scores = _scores(9.0, 24.0)
    _set(times, scores, SMILE, 1.0, 3.0, 0.85)  # lips parted until 3.3 s, then closed: final then
    _set(times, scores, LIPS_PARTED, 1.0, 3.3, 0.6)
    _set(times, scores, SMILE, 4.5, 6.0, 0.85)  # a laugh: the smile dips 6.0-6.6 s with the lips parted
    _set(times, scores, SMILE, 6.6, 7.5, 0.85)
    _set(times, scores, LIPS_PARTED, 5.5, 7.0, 0.6)
    found = _smiles(times, scores)
    assert [(e.start_s, e.end_s) for e in found] == [(1.0, 3.0), (4.5, 7.5)]
    closed, laugh = found
    worst = smile_worst_s("smile", ExpressionSettings())
    # final once the closed lips' reading at 3.33 s is (its running median: 2 frames at 24 fps)
    assert closed.values["final_from_s"] - closed.end_s <= 0.45 < worst
    # the laugh's lips were closed from 7.0 s, when the smile is still on: nothing joins it after 7.5 s
    assert laugh.values["final_from_s"] - laugh.end_s <= 0.4
    # in the dip the first part of the laugh is a smile ending at 6.0 s that may still be joined
    dip = _smiles(times, scores, int(np.searchsorted(times, 6.5)))
    assert [(e.start_s, e.end_s) for e in dip] == [(1.0, 3.0), (4.5, 6.0)]
    assert dip[1].values["final_from_s"] == round(6.0 + worst, 4) > 6.5
    problems, compared = _prefix_problems(times, lambda count: _smiles(times, scores, count))
    assert not problems, "; ".join(problems)
    assert compared > 100


def _head(duration_s: float, swings: list[tuple[float, float, float]], fps: float = 30.0, seed: int = 3) -> SignalTrack:
    """Head pitch (deg): tracker noise plus half-sine swings (start_s, end_s, peak_deg); a swing
    over 0.6 s is a slow move held flat at its peak between quick ramps."""
    times = np.arange(0.0, duration_s, 1.0 / fps)
    pitch = 0.3 * np.random.default_rng(seed).standard_normal(times.size)
    for start, end, peak in swings:
        inside = (times >= start) & (times < end)
        shape = np.sin(np.pi * (times[inside] - start) / (end - start))
        pitch[inside] += peak * (np.minimum(1.0, 4 * shape) if end - start > 0.6 else shape)
    return SignalTrack(times, {"head_pitch": pitch, "head_yaw": 0.3 * np.random.default_rng(seed + 1).standard_normal(times.size)})


def _nods(stream: SignalTrack, count: int | None = None, settings: GestureSettings | None = None):
    count = count or stream.times.size
    prefix = SignalTrack(stream.times[:count], {name: v[:count] for name, v in stream.values.items()})
    return [e for e in detect_gestures(prefix, settings or GestureSettings()) if e.label in ("nod", "shake")]


def test_a_nod_is_final_when_no_next_swing_started_and_not_before_a_late_swing_joins_it():
    settings = GestureSettings()
    worst = swing_worst_s("nod", settings)
    # a nod (down, up) at 2 s; a chin-down swing at 6 s and a late second swing starting ~0.55 s
    # after it (within nod_max_period_s: one nod); a chin-down swing at 10 s followed 0.3 s later by
    # a slow head lift held for 0.75 s (longer than a swing: it does not count; shorter than half the
    # level's window, so it is read as an excursion, not as the level)
    stream = _head(14.0, [(2.0, 2.3, -10.0), (2.3, 2.6, 8.0), (6.0, 6.3, -10.0), (6.75, 7.05, 9.0),
                          (10.0, 10.3, -10.0), (10.6, 11.35, 12.0)])
    nods = _nods(stream)
    assert [(e.label, e.values["swings"]) for e in nods] == [("nod", 2.0), ("nod", 2.0), ("nod", 1.0)], nods
    lone, late, lifted = nods
    for nod in (lone, late):
        # the frames where a next swing could start are known quiet whatever follows them once
        # the last swing's own pose-flip check and level are final: a half level window (0.8 s)
        assert nod.values["final_from_s"] - nod.end_s == pytest.approx(SWING_LEVEL_S / 2, abs=1e-3)
    # the head lift started within nod_max_period_s and is known too long for a swing 0.6 s later
    assert worst > lifted.values["final_from_s"] - lifted.end_s > settings.nod_max_period_s + SWING_LEVEL_S / 2 + 0.1
    # before the late swing the nod at 6 s is its first swing, and not final
    early = [e for e in _nods(stream, int(np.searchsorted(stream.times, 6.8))) if e.start_s > 5.0]
    assert [e.values["swings"] for e in early] == [1.0]
    assert early[0].values["final_from_s"] > 6.8
    problems, compared = _prefix_problems(stream.times, lambda count: _nods(stream, count), first=30)
    assert not problems, "; ".join(problems)
    assert compared > 100


def _random_head(seed: int, fps: float) -> SignalTrack:
    """8 s of head pitch and yaw with random swings (0.15-0.9 s, 4-14 deg, random gaps), the face
    lost now and then, a pose flip or a jaw opening in some."""
    rng = np.random.default_rng(seed)
    times = np.arange(0.0, 8.0, 1.0 / fps)
    pitch, yaw = (rng.normal(0.0, rng.uniform(0.2, 1.0), times.size) for _ in range(2))
    start = rng.uniform(0.3, 1.5)
    while start < 7.5:
        length, peak = rng.uniform(0.15, 0.9), rng.choice([-1, 1]) * rng.uniform(4.0, 14.0)
        angle = pitch if rng.random() < 0.5 else yaw
        inside = (times >= start) & (times < start + length)
        angle[inside] += peak * np.sin(np.pi * (times[inside] - start) / length)
        start += length + rng.exponential(0.5)
    mouth = np.abs(rng.normal(0.0, 0.01, times.size))
    for _ in range(rng.integers(0, 4)):
        lost = rng.integers(0, times.size - 10)
        pitch[lost:lost + rng.integers(1, 12)] = yaw[lost:lost + rng.integers(1, 12)] = np.nan
    if rng.random() < 0.3:
        pitch[rng.integers(0, times.size - 3)] += 60.0  # the pose fit flips for a frame
    if rng.random() < 0.3:
        opened = rng.integers(0, times.size - 20)
        mouth[opened:opened + 10] += 0.08
    return SignalTrack(times, {"head_pitch": pitch, "head_yaw": yaw, "mouth_open": mouth})


@pytest.mark.slow
def test_random_nods_and_shakes_are_final_as_they_say():
    """Random head streams at 24, 25, 30 and 60 fps (faces lost, pose flips, jaw openings) cut at
    every frame: every nod or shake final by its final_from_s is the whole stream's, and none is
    final later than the worst-case wait; also with nod_max_period_s longer than half the running
    level's window (a prefix once took its last frame for the last one a swing could start on). (Measured over 48 such streams: 14,320 comparisons,
    none differs; the 71 nods and shakes final before the stream's end are final 0.79-1.42 s after
    it, median 0.82 s, instead of 2.2 s; with the 2 s level before: 1.0-1.52 s, median 1.0 s.)"""
    compared, ends = 0, []
    slow = GestureSettings(nod_max_period_s=1.4)  # a next swing may start after the level is whole
    for seed, fps, settings in ((1, 25.0, None), (2, 30.0, None), (3, 60.0, None), (8, 24.0, None), (1, 25.0, slow)):
        stream = _random_head(seed, fps)
        problems, count = _prefix_problems(
            stream.times, lambda count, stream=stream, settings=settings: _nods(stream, count, settings), first=30)
        assert not problems, "; ".join(problems)
        compared += count
        worst = swing_worst_s("nod", settings or GestureSettings())
        ends += [(e.values["final_from_s"] - e.end_s, worst) for e in _nods(stream, None, settings)]
    assert compared > 300 and len(ends) >= 5
    assert all(end <= worst + 1e-6 for end, worst in ends)
