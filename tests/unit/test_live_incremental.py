"""IncrementalEvents: signals spliced pass by pass equal one computation over the whole stretch (face and
body path: Pose on its schedule, interpolated between samples; Hands searched and tracked), and events are
emitted once."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rehearse.analysis.landmarks import LandmarkExtractor, tracks_from_frames
from rehearse.analysis.signals import compute_signals
from rehearse.config import Settings
from rehearse.live.incremental import IncrementalEvents
from rehearse.video.frames import iter_frames

TAKE = Path(__file__).resolve().parents[2] / "scenes" / "takes" / "01-1A-2.mp4"


@pytest.mark.slow
def test_signals_kept_between_passes_equal_a_whole_recomputation_and_events_come_once():
    settings = Settings().analysis
    landmarks = settings.landmarks  # the offline schedule, as `rehearse watch` runs it
    with LandmarkExtractor(landmarks) as extractor:
        frames = [extractor.process(f) for f in iter_frames(TAKE, max_width=settings.max_frame_width)]
    assert 0 < sum(f.pose_sampled for f in frames) < len(frames), "Pose runs on a schedule, not every frame"
    detector = IncrementalEvents(landmarks, history_s=6.0)  # shorter than the take: the front is trimmed
    emitted = []
    for frame in frames:
        detector.add(frame)
        if detector.due():
            emitted += detector.update()
    emitted += detector.finish()
    spliced = detector._signals()
    # The reference is the whole take's signals (what an offline analysis has) over the frames kept.
    whole = compute_signals(tracks_from_frames(frames, landmarks))
    kept = spliced.times.size
    assert kept == len(detector.frames) < len(frames)
    # Lid gaps are scaled by the median iris size of the frames they are computed over: live's are
    # those of the frames it keeps (the history), recomputed every pass, never spliced.
    over_kept = compute_signals(tracks_from_frames(frames[-kept:], landmarks))
    for name, values in whole.values.items():
        reference = over_kept.values[name] if name.startswith("lid_gap") else values[-kept:]
        np.testing.assert_allclose(spliced.values[name], np.asarray(reference, np.float32), equal_nan=True,
                                   rtol=1e-5, atol=1e-6, err_msg=name)
    assert np.isfinite(spliced.values["shoulder_turn"]).any(), "the body path ran (Pose found the shoulders)"
    assert {e.kind for e in emitted} >= {"blink", "hold", "gesture"}
    starts = [(e.kind, e.label, round(e.start_s, 2)) for e in emitted]
    assert len(starts) == len(set(starts)), "an event was emitted twice"
    assert all(e.kind in ("blink", "eyes_closed", "hold", "expression", "gesture") for e in emitted)
    assert all(e.scope in ("face", "body") for e in emitted if e.kind == "hold")


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
