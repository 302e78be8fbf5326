"""Live body holds read from Pose do not wait for the hand walk-back (issue 20). In a close-up there is
no motion energy below the face, so a body hold reads Pose: the torso's angles and the wrists. A hand
found later is followed back over up to `hands_backfill_s` of earlier frames, but a wrist reads the
hand model only where it found the hand going forward (Pose's wrist elsewhere, walked-back frames
included), which a walk-back never changes; so a body hold is final at its own settle time (and the
next Pose sample) even while the extractor says the hands of its frames may still change.
Real close-up WolfgangLanger_Pexels.mp4 (`python -m tools.real_clips`), real models."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from tests_support import real_clip_or_skip

from rehearse.analysis.events import detect_events
from rehearse.analysis.events.stream_levels import warm_up_end_s
from rehearse.analysis.landmarks import FrameLandmarks, LandmarkExtractor, tracks_from_frames
from rehearse.analysis.signals import compute_signals
from rehearse.config import Settings
from rehearse.live.incremental import IncrementalEvents, take_wide
from rehearse.live.settle import decided_end_s
from rehearse.video.frames import iter_frames

pytestmark = [pytest.mark.models, pytest.mark.slow]


@pytest.fixture(scope="module")
def played():
    """The close-up's frames through the extractor as `rehearse watch` runs it, with how many of the
    latest results the extractor said a later found hand may still change after each frame."""
    clip = real_clip_or_skip("WolfgangLanger_Pexels.mp4")
    settings = Settings().analysis
    frames, unsettled = [], []
    with LandmarkExtractor(settings.landmarks) as extractor:
        for frame in iter_frames(clip, max_width=settings.max_frame_width):
            frames.append(extractor.process(frame))
            unsettled.append(extractor.unsettled)
    return frames, unsettled


def _body_holds(frames: list[FrameLandmarks], settings: Settings):
    tracks = tracks_from_frames(frames, settings.analysis.landmarks)
    events = detect_events(compute_signals(tracks, settings.analysis.signals), None, settings=settings.events,
                           landmarks=tracks)
    return [e for e in events if e.kind == "hold" and e.scope == "body"]


def _waving_hand(frames: list[FrameLandmarks], start_s: float, end_s: float,
                 walked_back: bool) -> list[FrameLandmarks]:
    """Copies of `frames` with a right hand waving across the picture (3 Hz, a fifth of its width)
    from `start_s` to `end_s` where no hand was found, as a hand found later and walked back over
    them sets it (`walked_back`), or as one found going forward."""
    def hand(t: float) -> np.ndarray:
        points = np.zeros((21, 3), np.float32)
        points[:, 0] = 0.5 + 0.2 * np.sin(2 * np.pi * 3 * t) + np.linspace(0, 0.05, 21)
        points[:, 1] = np.linspace(0.9, 0.7, 21)
        return points

    return [replace(f, right_hand=hand(f.t), right_hand_confidence=0.9, right_hand_walked_back=walked_back)
            if f.right_hand is None and start_s <= f.t < end_s else f for f in frames]


def test_a_pose_body_hold_is_emitted_at_its_settle_time_while_a_walk_back_may_still_come(played):
    frames, unsettled = played
    settings = Settings()
    detector = IncrementalEvents(settings.analysis.landmarks, settings.analysis.signals, settings.events)
    emitted = []
    for i, frame in enumerate(frames):
        detector.add(frame, unsettled[i])
        if detector.due():
            emitted += [(e, i) for e in detector.update()]
    assert not detector._body_from_energy, "a close-up: body holds are read from Pose, not motion energy"
    holds = [(e, i) for e, i in emitted if e.kind == "hold" and e.scope == "body" and not take_wide(e)]
    assert len(holds) >= 3, "the close-up has body holds read from Pose"
    frame_s = float(np.median(np.diff([f.t for f in frames])))
    pose_s = settings.analysis.landmarks.pose_every_n_frames * frame_s
    warm_end = warm_up_end_s(frames[0].t)
    offline = _body_holds(frames, settings)
    walk_pending = 0
    for event, i in holds:
        settled = max(decided_end_s(event) + detector.settle_after_end(event), warm_end)
        at = frames[i].t
        # Final once its own reach past its end and the next Pose sample have arrived (body signals
        # are interpolated between samples): not up to hands_backfill_s later.
        assert settled - 1e-6 <= at <= settled + pose_s + frame_s * 1.01, (event, at)
        # ... although the hands of frames it reads may then still be filled by a hand found later.
        hands_final_t = frames[i - unsettled[i]].t if unsettled[i] <= i else -np.inf
        walk_pending += hands_final_t < settled - 1e-6
        assert any(abs(o.start_s - event.start_s) <= frame_s * 1.01 and abs(o.end_s - event.end_s) <= frame_s * 1.01
                   for o in offline), f"live {event} not offline"
    assert walk_pending >= 3, "no body hold was emitted while hands before its settle time could still change"
    # A walk-back landing later with a hand waving over a hold's frames changes nothing; the same hand
    # found going forward ends the hold (the check can fail).
    def handless(e) -> bool:
        middle = (e.start_s + e.end_s) / 2
        return all(f.right_hand is None for f in frames if abs(f.t - middle) < 0.2)

    event = max((e for e, _ in holds if handless(e)), key=lambda e: e.end_s - e.start_s)
    middle = (event.start_s + event.end_s) / 2
    for walked_back, kept in ((True, True), (False, False)):
        after = _body_holds(_waving_hand(frames, middle - 0.2, middle + 0.2, walked_back), settings)
        same = [o for o in after if abs(o.start_s - event.start_s) <= frame_s * 1.01
                and abs(o.end_s - event.end_s) <= frame_s * 1.01]
        assert bool(same) == kept, (event, walked_back, [(o.start_s, o.end_s) for o in after])
