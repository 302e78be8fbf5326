"""Blink detection scored against ground truth on landmark-level streams (24/30/60 fps, VFR, dropped frames)."""

from __future__ import annotations

import numpy as np
import pytest
from tests_support.event_streams import make_stream
from tests_support.scoring import match

from rehearse.analysis.event_settings import BlinkSettings
from rehearse.analysis.events import EventSettings, detect_events
from rehearse.analysis.events.blinks import detect_blinks


def _scenario(fps: float, vfr: bool, drop: float, seed: int, duration_s: float = 60.0):
    """A minute of face with blinks (full, partial, winks), long closures, smiles and laughs."""
    rng = np.random.default_rng(seed)
    blinks, partial, closures, smiles, laughs = [], [], [], [], []
    t = 1.0
    while t < duration_s - 3:
        kind = rng.random()
        d = rng.uniform(0.12, 0.42)
        if kind < 0.08:
            closures.append((t, rng.uniform(0.8, 2.0)))
            t += closures[-1][1]
        elif kind < 0.2:
            partial.append((t, d))
            t += d
        elif kind < 0.26:
            blinks.append((t, d, str(rng.choice(["left", "right"]))))
            t += d
        elif kind < 0.31:
            smiles.append((t, t + rng.uniform(1.5, 3.0)))
            t = smiles[-1][1]
        elif kind < 0.35:
            laughs.append((t, t + rng.uniform(1.0, 2.5)))
            t = laughs[-1][1]
        else:
            blinks.append((t, d, "both"))
            t += d
        t += rng.uniform(0.8, 3.0)
    return make_stream(duration_s, fps, blinks=blinks, partial_blinks=partial, closures=closures,
                       smiles=smiles, laughs=laughs, head_wobble_deg=8.0, vfr=vfr, drop_rate=drop,
                       lost_rate=0.01 if drop else 0.0, seed=seed)


CASES = [(fps, vfr, drop) for fps in (24.0, 30.0, 60.0) for vfr, drop in ((False, 0.0), (True, 0.03))]


@pytest.mark.parametrize(("fps", "vfr", "drop"), CASES)
def test_blinks_precision_recall_onset_and_long_closures(fps, vfr, drop):
    truth_n = matched = detected = 0
    onset_frames: list[float] = []
    for seed in range(3):
        track, truth = _scenario(fps, vfr, drop, seed=int(seed * 11 + fps))
        events = detect_blinks(track, BlinkSettings())
        blinks = [e for e in events if e.kind == "blink"]
        closed = [e for e in events if e.kind == "eyes_closed"]
        score = match(truth.blinks, blinks)
        truth_n += score.truth
        matched += score.matched
        detected += score.detected
        onset_frames += score.onset_errors_frames(1.0 / fps)
        # a long closure is eyes_closed, never a blink
        assert match(truth.closures, blinks).matched == 0
        assert match(truth.closures, closed).matched == len(truth.closures)
        # a laugh squeezes the eyes part way again and again: neither blinks nor a closure
        laughs = [x for x in truth.expressions if x[2] == "laugh"]
        assert match(laughs, blinks + closed).matched == 0
        # sides: winks keep their side, two-eye blinks are `both`
        by_start = {round(t[0], 6): t[2] for t in truth.blinks}
        for true_iv, found in score.pairs:
            event = next(e for e in blinks if e.start_s == found.start_s)
            assert event.side == by_start[round(true_iv.start_s, 6)]
    precision, recall = matched / detected, matched / truth_n
    print(f"blinks fps={fps:g} vfr={vfr} drop={drop}: truth={truth_n} P={precision:.3f} R={recall:.3f} "
          f"onset mean={np.mean(onset_frames):.2f} max={np.max(onset_frames):.2f} frames")
    assert precision >= 0.95 and recall >= 0.95
    assert np.max(onset_frames) <= 2.0


def test_blink_event_carries_units_apex_and_depth():
    track, truth = make_stream(6.0, 30.0, blinks=[(2.0, 0.25, "both")], partial_blinks=[(4.0, 0.3)], seed=5)
    blinks = [e for e in detect_events(track) if e.kind == "blink"]
    assert [e.label for e in blinks] == ["full", "partial"]
    full = blinks[0]
    assert full.start_s < full.apex_s < full.end_s
    assert 150 < full.values["duration_ms"] < 350
    assert full.values["peak_depth"] > 0.6 and blinks[1].values["peak_depth"] < 0.6
    assert full.values["min_ear_left"] < 0.5 * full.values["baseline_ear_left"]


def test_neutral_span_sets_the_baseline():
    # An actor who squints through most of the take: the take's own percentile is the squint,
    # a marked neutral span gives the open eye, and the squint then reads as partial closure.
    track, _ = make_stream(10.0, 30.0, closures=[(2.0, 7.5)], blinks=[(0.6, 0.25, "both")], seed=2)
    from rehearse.analysis.tracks import TimeSpan

    with_neutral = [e for e in detect_events(track, neutral=TimeSpan(0.0, 1.5)) if e.kind == "eyes_closed"]
    assert len(with_neutral) == 1 and with_neutral[0].start_s == pytest.approx(2.0, abs=0.1)


def test_far_head_turn_suppresses_blinks():
    track, _ = make_stream(6.0, 30.0, blinks=[(2.0, 0.25, "both"), (4.0, 0.25, "both")], seed=1)
    track.values["head_yaw"] = np.where(track.times > 3.5, 60.0, 0.0)
    blinks = [e for e in detect_events(track, settings=EventSettings()) if e.kind == "blink"]
    assert len(blinks) == 1 and blinks[0].start_s < 3.0


@pytest.mark.parametrize("fps", [24.0, 30.0, 60.0])
def test_a_laugh_is_no_lip_press(fps):
    """A broad laugh (mouth opening with each "ha", lips stretched thin over it) is not a lip
    press. As on the real close-up, the jaw drags the lip centre down so the corners barely
    lift from it, and geometry does not read a smile that would hide the press."""
    track, _ = make_stream(10.0, fps, laughs=[(3.0, 6.0)], seed=int(fps))
    values = dict(track.values)
    laughing = (track.times >= 3.0) & (track.times <= 6.0)
    values["lip_press"] = np.where(laughing, values["lip_press"] - 0.08, values["lip_press"])  # thinned by the stretch
    for side in ("left", "right"):
        name = f"lip_corner_{side}"
        values[name] = np.where(laughing, values[name] - 0.08, values[name])
    from rehearse.analysis.tracks import SignalTrack

    events = detect_events(SignalTrack(track.times, values))
    assert not [e for e in events if e.label == "lip_press"], [(e.label, e.start_s) for e in events]


def _looking_down(track, spans, shut=None, seed=0, with_gap=True):
    """The stream with the lids lowered by a downward gaze over `spans` (the EAR falls to 30 %
    of open, as on a real close-up) and, with `with_gap`, the lid gap in iris diameters: 0.8
    open, 0.25 looking down (a slit of iris shows), 0.03 shut during `shut` (start, end)."""
    t = track.times
    down = np.zeros_like(t)
    for start, end in spans:
        down = np.maximum(down, np.clip((t - start) / 0.15, 0, 1) * np.clip((end - t) / 0.15, 0, 1))
    closed = np.zeros_like(t)
    if shut is not None:
        closed = np.clip((t - shut[0]) / 0.1, 0, 1) * np.clip((shut[1] - t) / 0.1, 0, 1)
    rng = np.random.default_rng(seed)
    for eye in ("left", "right"):
        ear = track[f"eye_open_{eye}"]
        base = float(np.nanpercentile(ear, 75))
        track.values[f"eye_open_{eye}"] = np.minimum(ear, base * (1 - 0.7 * down))
        if with_gap:
            gap = 0.8 - 0.55 * down - (0.77 - 0.55 * down) * closed
            track.values[f"lid_gap_{eye}"] = gap + rng.normal(0, 0.02, t.size)
    return track


@pytest.mark.parametrize("fps", [24.0, 30.0, 60.0])
@pytest.mark.parametrize("lowered_s", [0.0, 0.6, 1.5])
def test_a_long_closure_starts_and_ends_where_the_lids_meet_not_where_a_downward_gaze_lowered_them(fps, lowered_s):
    # Eyes look down (lids lowered, EAR and eyeBlink read "closing"), shut 4.0-6.0 s, open
    # looking down again: the closure is the time the lids meet, both edges within 2 frames.
    closure = (4.0, 6.0)
    for with_gap in (True, False):
        track, _ = make_stream(10.0, fps, closures=[(4.0, 2.0)], seed=int(fps))
        spans = [(closure[0] - lowered_s, closure[1] + lowered_s)] if lowered_s else []
        track = _looking_down(track, spans, shut=closure, seed=int(fps), with_gap=with_gap)
        closed = [e for e in detect_blinks(track, BlinkSettings()) if e.kind == "eyes_closed"]
        assert len(closed) == 1, closed
        onset, offset = (closed[0].start_s - closure[0]) * fps, (closed[0].end_s - closure[1]) * fps
        if with_gap or not lowered_s:
            assert abs(onset) <= 2.0 and abs(offset) <= 2.0, (onset, offset)
        else:  # without the lid gap the lowered lids are read as shut: what the gap fixes
            assert onset < -0.8 * lowered_s * fps and offset > 0.8 * lowered_s * fps


@pytest.mark.parametrize("fps", [24.0, 60.0])
def test_eyes_looking_down_for_seconds_are_no_closure(fps):
    track, _ = make_stream(8.0, fps, blinks=[(6.5, 0.25, "both")], seed=3)
    track = _looking_down(track, [(2.0, 4.5)], seed=3)
    events = detect_blinks(track, BlinkSettings())
    assert [e.kind for e in events] == ["blink"]
    assert events[0].start_s == pytest.approx(6.5, abs=2 / fps)
    bare, _ = make_stream(8.0, fps, blinks=[(6.5, 0.25, "both")], seed=3)
    bare = _looking_down(bare, [(2.0, 4.5)], seed=3, with_gap=False)
    assert "eyes_closed" in [e.kind for e in detect_blinks(bare, BlinkSettings())]


def _with_blendshapes(track, smile_score):
    """The stream's blendshape track: eyeBlink follows the EAR (0.05 open, 0.65 shut) and
    mouthSmile is `smile_score(times)` (per frame)."""
    from rehearse.analysis.backends.blendshapes import BLENDSHAPE_NAMES
    from rehearse.analysis.tracks import LandmarkTrack

    t = track.times
    scores = np.zeros((t.size, len(BLENDSHAPE_NAMES), 1))
    for side in ("Left", "Right"):
        ear = track[f"eye_open_{side.lower()}"]
        closure = np.clip(1 - ear / np.nanpercentile(ear, 75), 0, 1)
        scores[:, BLENDSHAPE_NAMES.index(f"eyeBlink{side}"), 0] = 0.05 + 0.6 * closure
        scores[:, BLENDSHAPE_NAMES.index(f"mouthSmile{side}"), 0] = smile_score(t)
    return LandmarkTrack("blendshapes", t, scores, np.ones(t.size), (640, 360))


@pytest.mark.parametrize("fps", [24.0, 30.0])
def test_a_partial_blink_during_a_shout_is_a_blink_and_during_a_smile_a_squint(fps):
    # An open-mouthed shout drops the middle of the lips with the jaw, so the lip corners,
    # measured from there, lift as in a smile: the network's mouthSmile tells the two apart.
    track, truth = make_stream(6.0, fps, partial_blinks=[(3.0, 0.2)], seed=4)
    shout = (track.times > 2.0) & (track.times < 4.5)
    for side in ("left", "right"):
        track.values[f"lip_corner_{side}"] = track[f"lip_corner_{side}"] + 0.06 * shout
    track.values["mouth_open"] = track["mouth_open"] + 0.12 * shout
    shouting = _with_blendshapes(track, lambda t: np.full(t.size, 0.05) + 0.08 * shout)
    found = [e for e in detect_blinks(track, BlinkSettings(), blendshapes=shouting) if e.kind == "blink"]
    assert len(found) == 1 and found[0].start_s == pytest.approx(3.0, abs=2 / fps)
    smiling = _with_blendshapes(track, lambda t: np.full(t.size, 0.05) + 0.8 * shout)
    assert [e for e in detect_blinks(track, BlinkSettings(), blendshapes=smiling) if e.kind == "blink"] == []
    # geometry alone cannot tell: the shout's blink is read as a smile's squint
    assert [e for e in detect_blinks(track, BlinkSettings()) if e.kind == "blink"] == []


def test_the_open_level_reads_exactly_half_its_window_ahead_in_time():
    """The open level (`running_percentile`) is numpy's percentile over the frames within half_s
    either side of each frame by their timestamps, on every frame, however unevenly spaced: a
    value more than half_s after a frame never changes that frame's level, and the first frame
    handed in does not matter (the strided grid it replaced moved both)."""
    from rehearse.analysis.events.blinks import running_percentile

    rng = np.random.default_rng(7)
    times = np.cumsum(rng.uniform(0.01, 0.06, 600))  # variable frame rate, 17-100 fps
    values = rng.normal(size=times.size)
    values[rng.random(times.size) < 0.2] = np.nan  # lost face, never a whole window
    half = 0.5
    for percentile in (50.0, 75.0):
        level = running_percentile(times, values, half, percentile)
        inside = [np.abs(times - t) <= half + 1e-6 for t in times]
        expected = np.array([np.nanpercentile(values[m], percentile) for m in inside])
        assert np.allclose(level, expected, rtol=0, atol=1e-12, equal_nan=True)
        for k in (100, 350):
            later = times > times[k] + half + 1e-6
            changed = np.where(later, values + 5.0, values)
            assert running_percentile(times, changed, half, percentile)[k] == level[k]
            tail = running_percentile(times[k - 80:], values[k - 80:], half, percentile)
            assert tail[80] == level[k]
