"""Live expressions do not wait for the hand walk-back (issue 20): a hand found later is followed back
over up to `hands_backfill_s` of earlier frames, but the expressions' hand cover reads only hands found
going forward, which a walk-back never changes; so an expression is final at its own settle time even
while the extractor says the hands of its frames may still change (sample take 01-1A-1, real models)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rehearse.analysis.events import detect_events
from rehearse.analysis.events.hand_cover import COVER_REGIONS, REGION_OF_LABEL
from rehearse.analysis.events.stream_levels import warm_up_end_s
from rehearse.analysis.landmarks import FrameLandmarks, LandmarkExtractor, tracks_from_frames
from rehearse.analysis.signals import compute_signals
from rehearse.config import Settings
from rehearse.live.incremental import IncrementalEvents, take_wide
from rehearse.live.settle import decided_end_s
from rehearse.video.frames import iter_frames

TAKE = Path(__file__).resolve().parents[2] / "scenes" / "takes" / "01-1A-1.mp4"

pytestmark = [pytest.mark.models, pytest.mark.slow]


@pytest.fixture(scope="module")
def played():
    """01-1A-1's frames through the extractor as `rehearse watch` runs it, with how many of the latest
    results the extractor said a later found hand may still change after each frame."""
    settings = Settings().analysis
    frames, unsettled = [], []
    with LandmarkExtractor(settings.landmarks) as extractor:
        for frame in iter_frames(TAKE, max_width=settings.max_frame_width):
            frames.append(extractor.process(frame))
            unsettled.append(extractor.unsettled)
    return frames, unsettled


def _events(frames: list[FrameLandmarks], settings: Settings):
    tracks = tracks_from_frames(frames, settings.analysis.landmarks)
    return detect_events(compute_signals(tracks, settings.analysis.signals), None, settings=settings.events,
                         landmarks=tracks)


def _hand_on(frames: list[FrameLandmarks], region: str, start_s: float, end_s: float,
             walked_back: bool) -> list[FrameLandmarks]:
    """Copies of `frames` with a right hand lying on the face region from `start_s` to `end_s`, as a
    hand found later and walked back over them sets it (`walked_back`), or as one found going forward."""
    from dataclasses import replace

    on = np.resize(np.array(COVER_REGIONS[region]), 21)  # each hand point on a point of the region
    return [replace(f, right_hand=f.face[on].copy(), right_hand_confidence=0.9, right_hand_walked_back=walked_back)
            if f.face is not None and start_s <= f.t < end_s else f for f in frames]


def test_an_expression_is_emitted_at_its_settle_time_while_a_walk_back_may_still_come(played):
    frames, unsettled = played
    settings = Settings()
    detector = IncrementalEvents(settings.analysis.landmarks, settings.analysis.signals, settings.events)
    emitted = []
    for i, frame in enumerate(frames):
        detector.add(frame, unsettled[i])
        if detector.due():
            emitted += [(e, i) for e in detector.update()]
    expressions = [(e, i) for e, i in emitted if e.kind == "expression" and not take_wide(e)]
    assert expressions, "the sample take has expressions read from blendshapes"
    frame_s = float(np.median(np.diff([f.t for f in frames])))
    warm_end = warm_up_end_s(frames[0].t)
    offline = _events(frames, settings)
    walk_pending = 0
    for event, i in expressions:
        settled = decided_end_s(event) + detector.settle_after_end(event)
        at = frames[i].t
        # Final as soon as its own reach past its end has arrived: not up to hands_backfill_s later.
        assert max(settled, warm_end) - 1e-6 <= at <= max(settled, warm_end) + frame_s * 1.01, (event, at)
        # ... although the hands of frames it reads may then still be filled by a hand found later:
        # the newest frame whose hands were final lay before its settle time.
        hands_final_t = frames[i - unsettled[i]].t if unsettled[i] <= i else -np.inf
        walk_pending += hands_final_t < settled - 1e-6
        assert any(o.kind == "expression" and o.label == event.label and abs(o.start_s - event.start_s) <= frame_s * 1.01
                   and abs(o.end_s - event.end_s) <= frame_s * 1.01 for o in offline), f"live {event} not offline"
        # A walk-back landing later with a hand over the expression's own face region changes nothing;
        # the same hand found going forward would have hidden it (the check can fail).
        region = REGION_OF_LABEL[event.label]
        for walked_back, kept in ((True, True), (False, False)):
            after = _events(_hand_on(frames, region, event.start_s, event.end_s, walked_back), settings)
            same = [o for o in after if o.kind == "expression" and o.label == event.label
                    and abs(o.start_s - event.start_s) <= frame_s * 1.01 and abs(o.end_s - event.end_s) <= frame_s * 1.01]
            assert bool(same) == kept, (event, walked_back, [(o.label, o.start_s, o.end_s) for o in after if o.kind == "expression"])
    assert walk_pending, "no expression was emitted while hands before its settle time could still change"
