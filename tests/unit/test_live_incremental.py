"""IncrementalEvents: signals spliced pass by pass equal one computation over the whole stretch (face and
body path: Pose on its schedule, interpolated between samples; Hands searched and tracked), and events are
emitted once."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from rehearse.analysis.events import detect_events
from rehearse.analysis.events.stream_levels import BLOCK_S, HISTORY_S, warm_up_end_s
from rehearse.analysis.landmarks import LandmarkExtractor, tracks_from_frames
from rehearse.analysis.signals import compute_signals
from rehearse.config import Settings
from rehearse.live.incremental import LIVE_KINDS, MIN_HISTORY_S, IncrementalEvents, take_wide
from rehearse.live.settle import POSE, decided_end_s, reads
from rehearse.video.frames import iter_frames

TAKE = Path(__file__).resolve().parents[2] / "scenes" / "takes" / "01-1A-2.mp4"


@pytest.fixture(scope="module")
def take_frames():
    """01-1A-2's frames through the extractor on the offline schedule, as `rehearse watch` runs it."""
    settings = Settings().analysis
    with LandmarkExtractor(settings.landmarks) as extractor:
        return [extractor.process(f) for f in iter_frames(TAKE, max_width=settings.max_frame_width)]


def assert_same_signals(spliced, whole, first: int = 0, skip: tuple[str, ...] = ()) -> None:
    for name, values in whole.values.items():
        if name in skip:
            continue
        np.testing.assert_allclose(spliced.values[name][first:], np.asarray(values, np.float32)[first:],
                                   equal_nan=True, rtol=1e-5, atol=1e-6, err_msg=name)


@pytest.mark.slow
def test_signals_kept_between_passes_equal_the_whole_prefix_and_events_come_once(take_frames):
    """At every pass the signals (the cache of earlier passes plus the tail computed again) equal
    `compute_signals` on every frame so far: what an offline analysis of the recording up to then
    gives, stream-level normalisations included."""
    landmarks = Settings().analysis.landmarks
    frames = take_frames
    assert 0 < sum(f.pose_sampled for f in frames) < len(frames), "Pose runs on a schedule, not every frame"
    detector = IncrementalEvents(landmarks)
    emitted, checked = [], 0
    for i, frame in enumerate(frames):
        detector.add(frame)
        if detector.due():
            emitted += detector.update()
        if i in (60, 119, 150, len(frames) - 1):
            assert_same_signals(detector._signals(), compute_signals(tracks_from_frames(frames[:i + 1], landmarks)))
            checked += 1
    emitted += detector.finish()
    assert checked == 4
    assert np.isfinite(detector._signals().values["shoulder_turn"]).any(), "the body path ran (Pose found the shoulders)"
    assert {e.kind for e in emitted} >= {"blink", "hold", "gesture"}
    starts = [(e.kind, e.label, round(e.start_s, 2)) for e in emitted]
    assert len(starts) == len(set(starts)), "an event was emitted twice"
    assert all(e.kind in ("blink", "eyes_closed", "hold", "expression", "gesture") for e in emitted)
    assert all(e.scope in ("face", "body") for e in emitted if e.kind == "hold")


@pytest.mark.slow
def test_live_events_are_the_offline_events_of_the_same_frames_each_shown_at_its_settle_time(take_frames):
    """Fed the take's frames one by one, every event a pass makes final is the one `detect_events`
    finds on the whole take within a frame, none is missing, and each is final in stream time as
    soon as its detector's reach past its end has arrived (the next frame after it, as a pass is
    run then). Detectors that still read a take-wide level (`take_wide`) are left out."""
    settings = Settings()
    landmarks = settings.analysis.landmarks
    frames = take_frames
    frame_s = float(np.median(np.diff([f.t for f in frames])))
    detector = IncrementalEvents(landmarks)
    emitted = []
    for frame in frames:
        detector.add(frame)
        if detector.due():
            emitted += [(e, frame.t) for e in detector.update()]
    tracks = tracks_from_frames(frames, landmarks)
    offline = [e for e in detect_events(compute_signals(tracks), None, settings=settings.events, landmarks=tracks)
               if e.kind in LIVE_KINDS]

    def streamed(e) -> bool:
        return not take_wide(e)

    def same(a, b) -> bool:
        return ((a.kind, a.scope, a.label) == (b.kind, b.scope, b.label)
                and abs(a.start_s - b.start_s) <= frame_s * 1.01 and abs(a.end_s - b.end_s) <= frame_s * 1.01)

    warm_end = warm_up_end_s(frames[0].t)
    pose_s = landmarks.pose_every_n_frames * frame_s
    last = frames[-1].t
    wanted = [e for e in offline if streamed(e) and decided_end_s(e) + detector.settle_after_end(e) + pose_s <= last]
    assert "blink" in {e.kind for e in wanted}
    for e in wanted:
        assert any(same(e, live) for live, _ in emitted), f"offline {e.kind} {e.label or e.scope} {e.start_s}-{e.end_s} not emitted"
    for e, at in emitted:
        if streamed(e):
            assert any(same(e, o) for o in offline), f"live {e.kind} {e.label or e.scope} {e.start_s}-{e.end_s} not offline"
            settled = decided_end_s(e) + detector.settle_after_end(e)
            final = max(settled + (pose_s if POSE in reads(e, True) else 0.0), warm_end)
            assert settled - 1e-6 <= at <= final + frame_s * 1.01, (e, at)


@pytest.mark.slow
def test_a_stream_longer_than_the_history_keeps_offline_signals_where_its_levels_are_whole(take_frames):
    """The take played five times in a row (40 s) through a detector keeping the shortest history
    allowed: the front is trimmed, and the frames whose levels read a full HISTORY_S of kept frames
    (all but the first HISTORY_S kept) have the whole stream's signals; the levels need no more."""
    landmarks = Settings().analysis.landmarks
    length = take_frames[-1].t + (take_frames[-1].t - take_frames[-2].t)
    frames = [replace(f, index=k * len(take_frames) + f.index, t=k * length + f.t, body_motion_t=k * length + f.body_motion_t)
              for k in range(5) for f in take_frames]
    with pytest.raises(ValueError, match="history_s"):
        IncrementalEvents(landmarks, history_s=MIN_HISTORY_S - 1)
    detector = IncrementalEvents(landmarks, history_s=MIN_HISTORY_S, every_s=1.0)
    for frame in frames:
        detector.add(frame)
        if detector.due():
            detector.update()
    spliced = detector._signals()
    kept = spliced.times.size
    assert kept == len(detector.frames) < len(frames)
    whole = compute_signals(tracks_from_frames(frames, landmarks))
    tail = {name: values[-kept:] for name, values in whole.values.items()}
    first = int(np.searchsorted(spliced.times, spliced.times[0] + HISTORY_S + BLOCK_S))
    assert first < kept
    assert_same_signals(spliced, type(whole)(spliced.times, tail), first)


@pytest.mark.slow
def test_frames_a_found_hand_is_walked_back_over_are_computed_again_not_kept():
    """Fed as `rehearse watch` feeds it (each result as the extractor returns it, with how many
    of the latest it may still change): on the real close-up a hand found on the cheek is walked
    back over earlier frames, and the signals kept between passes still equal a whole recomputation."""
    from tests_support import real_clip_or_skip

    clip = real_clip_or_skip("WolfgangLanger_Pexels.mp4")
    settings = Settings().analysis
    # Searches 44 frames apart (0, 44, 88): the hand on the cheek (frame 58) is found at frame 88 and
    # walked back up to 30 frames (1.25 s), further than the 1 s behind the newest frame after
    # which signals are otherwise kept.
    landmarks = settings.landmarks.model_copy(update={"hands_search_every_n_frames": 44})
    detector = IncrementalEvents(landmarks)
    frames, emitted, open_counts = [], [], []
    with LandmarkExtractor(landmarks) as extractor:
        for frame in iter_frames(clip, max_width=settings.max_frame_width, end_s=5.0):
            frames.append(extractor.process(frame))
            open_counts.append(extractor.unsettled)
            detector.add(frames[-1], extractor.unsettled)
            if detector.due():
                emitted += detector.update()
    emitted += detector.finish()
    assert max(open_counts) > 24, "frames were held for a hand found later"
    spliced = detector._signals()
    whole = compute_signals(tracks_from_frames(frames, landmarks))
    for name in ("hand_face_left", "hand_face_right", "wrist_right_x", "tremor_right", "face_motion"):
        np.testing.assert_allclose(spliced.values[name], np.asarray(whole.values[name], np.float32), equal_nan=True,
                                   rtol=1e-5, atol=1e-6, err_msg=name)
    touches = [e for e in emitted if e.label == "hand_to_face"]
    assert touches and touches[0].start_s < 2.6, touches  # the truth by eye: 2.42 s


@pytest.mark.slow
def test_a_smile_whose_lips_close_is_emitted_within_a_second_of_its_end(take_frames):
    """A smile may be joined by a laugh up to laugh_bridge_s (1 s) after it while the lips stay
    parted, so its worst-case wait is 1.225 s; once the lips have closed after it nothing can join
    it, and live emits it then (the detector's `final_from_s`). 01-1A-2's frames fed one by one
    with blendshape scores put in (a resting face, a smile at 2.0-3.5 s with the lips parted until
    3.8 s, then closed): the smile is the offline one, emitted within 1 s of its end, never before
    the frame its final_from_s names and at most a pass (every_s) after it."""
    from rehearse.analysis.face_landmarker import BLENDSHAPE_NAMES, blendshape_index

    settings = Settings()
    landmarks = settings.analysis.landmarks
    rng = np.random.default_rng(7)

    def scored(frame):
        scores = np.clip(0.05 + 0.01 * rng.standard_normal(len(BLENDSHAPE_NAMES)), 0, 1)
        if 2.0 <= frame.t < 3.5:
            scores[[blendshape_index("mouthSmileLeft"), blendshape_index("mouthSmileRight")]] = 0.85
        if 2.0 <= frame.t < 3.8:
            scores[[blendshape_index(n) for n in ("mouthUpperUpLeft", "mouthUpperUpRight")]] = 0.6
        return replace(frame, blendshapes=scores.astype(np.float32))

    frames = [scored(f) for f in take_frames]
    frame_s = float(np.median(np.diff([f.t for f in frames])))
    detector = IncrementalEvents(landmarks)
    emitted = []
    for frame in frames:
        detector.add(frame)
        if detector.due():
            emitted += [(e, frame.t) for e in detector.update()]
    tracks = tracks_from_frames(frames, landmarks)
    offline = [e for e in detect_events(compute_signals(tracks), None, settings=settings.events, landmarks=tracks)
               if e.label == "smile"]
    assert [(e.start_s, e.end_s) for e in offline] == [(2.0, 3.5)], offline
    worst = settings.events.expression.laugh_bridge_s + 0.2
    assert offline[0].values["final_from_s"] - offline[0].end_s < worst
    live = [(e, at) for e, at in emitted if e.label == "smile"]
    assert len(live) == 1, emitted
    smile, at = live[0]
    assert (smile.start_s, smile.end_s, smile.values) == (offline[0].start_s, offline[0].end_s, offline[0].values)
    # a pass runs every every_s: the first whose frames reach final_from_s knows it
    assert smile.values["final_from_s"] - 1e-6 <= at <= smile.values["final_from_s"] + detector.every_s + frame_s * 1.01
    assert at - smile.end_s <= 1.0, f"emitted {at - smile.end_s:.3f} s after its end"


@pytest.mark.slow
def test_live_events_on_a_variable_frame_rate_stream_are_the_offline_events(take_frames):
    """The take played seven times in a row (56 s) on uneven frame times (each interval 0.5-1.5 x
    the take's, 1.5 x longer in the first 4 s: a phone in low light), fed frame by frame: every
    blink, closure, hold and expression a pass makes final is the one `detect_events` finds on the
    whole recording (its signals stored as float32, as the cache does) within a frame, every gesture
    within 2 frames, and none settled is missing, through the passes that read a later window of the
    history (after ~44 s: they size their windows by the stream's interval, `SignalTrack.frame_s`).
    Before, each pass sized its windows by the median interval of the frames it read: 5 offline
    holds were missing and 14 holds live only. A gesture's rest level reads the rest state of every
    earlier frame (`stream_levels.stream_rest_level`), which a window does not hold: passes read
    their window's front from the levels earlier passes read (`IncrementalEvents._rest_known`).
    Before, a window starting in a head turn took it for the rest: 2 head turns of 7 s to the other
    side and 3 lean_aways live only (the same at a constant frame rate)."""
    settings = Settings()
    landmarks = settings.analysis.landmarks
    loops, count = 7, 7 * len(take_frames)
    period = take_frames[-1].t + take_frames[1].t
    original = np.concatenate([k * period + np.array([f.t for f in take_frames]) for k in range(loops)])
    steps = np.diff(original) * np.random.default_rng(11).uniform(0.5, 1.5, count - 1)
    steps[np.cumsum(steps) < 4.0] *= 1.5
    times = np.concatenate(([0.0], np.cumsum(steps)))
    frames = [replace(f, index=k * len(take_frames) + f.index, t=float(times[k * len(take_frames) + f.index]),
                      body_motion_t=float(np.interp(k * period + f.body_motion_t, original, times)))
              for k in range(loops) for f in take_frames]
    detector = IncrementalEvents(landmarks, every_s=0.5)
    emitted = []
    for frame in frames:
        detector.add(frame)
        if detector.due():
            emitted += detector.update()
    tracks = tracks_from_frames(frames, landmarks)
    signals = compute_signals(tracks)
    signals = type(signals)(signals.times, {name: np.asarray(v, np.float32) for name, v in signals.values.items()})
    kinds = ("blink", "eyes_closed", "hold", "expression", "gesture")
    offline = [e for e in detect_events(signals, None, settings=settings.events, landmarks=tracks)
               if e.kind in kinds and not take_wide(e)]
    live = [e for e in emitted if e.kind in kinds and not take_wide(e)]
    frame_s = float(np.median(np.diff(times)))

    def same(a, b) -> bool:
        slack = frame_s * (2.01 if a.kind == "gesture" else 1.01)
        return ((a.kind, a.scope, a.label, a.side) == (b.kind, b.scope, b.label, b.side)
                and abs(a.start_s - b.start_s) <= slack and abs(a.end_s - b.end_s) <= slack)

    pose_s = landmarks.pose_every_n_frames * frame_s
    wanted = [e for e in offline if decided_end_s(e) + detector.settle_after_end(e) + pose_s + 0.5 <= times[-1]]
    missing = [e for e in wanted if not any(same(e, found) for found in live)]
    extra = [e for e in live if not any(same(e, o) for o in offline)]
    assert len(wanted) >= 40 and {e.kind for e in wanted} >= {"blink", "hold"}, wanted
    assert {e.label for e in wanted if e.kind == "gesture"} >= {"head_turn", "lean_toward"}, wanted
    later = HISTORY_S + BLOCK_S + 10.0
    assert any(e.start_s > later for e in live) and any(e.start_s > later for e in wanted if e.kind == "gesture"), (
        "passes read a later window")
    assert not missing and not extra, (
        [f"offline only: {e.kind} {e.label or e.scope} {e.start_s}-{e.end_s}" for e in missing]
        + [f"live only: {e.kind} {e.label or e.scope} {e.start_s}-{e.end_s}" for e in extra])
