"""The blendshape expression rules that read the smile as part of the whole face, and the
wander floor, on small score streams (no model): a crying grimace is not a smile, an
open-mouthed laugh continues one, and a channel that drifts by itself is not an expression."""

from __future__ import annotations

import numpy as np

from rehearse.analysis.event_settings import ExpressionSettings
from rehearse.analysis.events.expressions import detect_blendshape_expressions
from rehearse.analysis.events.model import Event
from rehearse.analysis.face_landmarker import BLENDSHAPE_NAMES, blendshape_index
from rehearse.analysis.tracks import LandmarkTrack

FPS = 24.0


def _stream(duration_s: float = 10.0, seed: int = 5):
    times = np.arange(0.0, duration_s, 1.0 / FPS)
    rng = np.random.default_rng(seed)
    scores = np.clip(0.05 + 0.01 * rng.standard_normal((times.size, len(BLENDSHAPE_NAMES))), 0, 1)
    return times, scores


def _set(times, scores, names, start, end, value):
    inside = (times >= start) & (times < end)
    for name in names:
        scores[inside, blendshape_index(name)] = value


SMILE = ("mouthSmileLeft", "mouthSmileRight")
LIPS_PARTED = ("mouthUpperUpLeft", "mouthUpperUpRight", "mouthLowerDownLeft", "mouthLowerDownRight")


def _expressions(times, scores, closures=()):
    shapes = LandmarkTrack("blendshapes", times, scores[:, :, None], np.ones(times.size), (640, 480))
    found = detect_blendshape_expressions(times, shapes, ExpressionSettings(), closures=list(closures))
    return [(e.label, round(e.start_s, 2), round(e.end_s, 2)) for e in found]


def _closed(start, end):
    return Event(kind="eyes_closed", start_s=start, end_s=end, side="both")


def test_a_lip_pull_with_the_eyes_held_shut_and_the_lips_closed_is_crying_not_a_smile():
    times, scores = _stream()
    _set(times, scores, SMILE, 1.0, 4.0, 0.85)  # what the model reads on a crying grimace
    _set(times, scores, SMILE, 6.0, 8.0, 0.85)  # a closed-lip smile with the eyes open
    assert _expressions(times, scores, [_closed(0.5, 4.5)]) == [("smile", 6.0, 8.0)]
    # the same pull without the closure is a smile
    assert [e[0] for e in _expressions(times, scores)] == ["smile", "smile"]


def test_a_laugh_with_the_eyes_shut_is_still_a_smile():
    times, scores = _stream()
    _set(times, scores, SMILE, 1.0, 4.0, 0.9)
    _set(times, scores, LIPS_PARTED, 1.0, 4.0, 0.7)  # the mouth open in laughter
    assert _expressions(times, scores, [_closed(0.5, 4.5)]) == [("smile", 1.0, 4.0)]


def test_an_open_mouthed_laugh_continues_the_smile():
    times, scores = _stream()
    _set(times, scores, SMILE, 1.0, 7.0, 0.85)
    _set(times, scores, SMILE, 3.0, 3.6, 0.1)  # the model's mouthSmile falls as the jaw opens
    _set(times, scores, LIPS_PARTED, 2.5, 4.0, 0.6)
    assert _expressions(times, scores) == [("smile", 1.0, 7.0)]


def test_two_smiles_stay_two_when_the_lips_close_between_them_or_the_gap_is_long():
    times, scores = _stream()
    _set(times, scores, SMILE, 1.0, 3.0, 0.85)
    _set(times, scores, SMILE, 3.6, 5.0, 0.85)  # lips closed through the gap
    _set(times, scores, SMILE, 7.5, 9.5, 0.85)
    _set(times, scores, LIPS_PARTED, 4.8, 7.7, 0.6)  # parted, but 2.5 s is longer than a laugh's dip
    assert [round(e[1], 1) for e in _expressions(times, scores)] == [1.0, 3.6, 7.5]


def test_a_channel_that_wanders_by_itself_needs_a_rise_above_its_wander():
    times, scores = _stream(12.0)
    rng = np.random.default_rng(9)
    # browDown flickering between 0.05 and 0.5 every few frames all take long (a painted brow
    # under the tracker): its 0.45 rises are its noise, not furrows
    level = 0.05 + 0.45 * (rng.random(times.size // 4 + 1) > 0.5)
    for name in ("browDownLeft", "browDownRight"):
        scores[:, blendshape_index(name)] = np.repeat(level, 4)[: times.size]
    assert "brow_furrow" not in [e[0] for e in _expressions(times, scores)]
    # the same rise on a quiet channel is a furrow
    times, scores = _stream(12.0)
    _set(times, scores, ("browDownLeft", "browDownRight"), 4.0, 6.0, 0.5)
    assert _expressions(times, scores) == [("brow_furrow", 4.0, 6.0)]


def _face_and_hand(times, hand_at: tuple[float, float] | None, start: float, end: float):
    """A face track (eyes 0.2 apart, brows above them, mouth below) and a right hand whose
    fingertips rest at `hand_at` (normalized x, y) from `start` to `end`."""
    from rehearse.analysis.events.hand_cover import COVER_REGIONS

    face = np.full((times.size, 478, 3), 0.5)
    for index, x in ((33, 0.35), (133, 0.45), (362, 0.55), (263, 0.65)):
        face[:, index, :2] = (x, 0.45)
    face[:, list(COVER_REGIONS["brows"]), :2] = (0.5, 0.38)
    face[:, list(COVER_REGIONS["mouth"]), :2] = (0.5, 0.7)
    hand = np.zeros((times.size, 21, 3))
    on = (times >= start) & (times < end) if hand_at is not None else np.zeros(times.size, dtype=bool)
    if hand_at is not None:
        hand[:, :, :2] = hand_at
        hand[:, 0, 1] = 1.3  # the wrist below the frame, as in a close-up
    return {"face": LandmarkTrack("face", times, face, np.ones(times.size), (640, 640)),
            "right_hand": LandmarkTrack("right_hand", times, hand, on.astype(float), (640, 640))}


def test_a_hand_on_the_brows_covers_the_brows_not_the_mouth():
    from rehearse.analysis.events.hand_cover import covered_regions

    times = np.arange(0.0, 4.0, 1.0 / FPS)
    covered = covered_regions(_face_and_hand(times, (0.5, 0.40), 1.0, 2.0), times.size, 0.25)
    assert covered["brows"].sum() == ((times >= 1.0) & (times < 2.0)).sum()
    assert not covered["mouth"].any()
    # fingers half an eye distance away cover nothing
    assert not any(m.any() for m in covered_regions(_face_and_hand(times, (0.5, 0.28), 1.0, 2.0), times.size, 0.25).values())


def test_only_hands_found_going_forward_cover_the_face_not_those_walked_back_later():
    """A hand found later and walked back over earlier frames (hand_backfill.py) leaves those frames
    uncovered: a frame's cover is then final when it arrives, so live expressions need not wait for
    a walk-back (live/settle.py)."""
    from rehearse.analysis.events.hand_cover import covered_regions

    times = np.arange(0.0, 4.0, 1.0 / FPS)
    landmarks = _face_and_hand(times, (0.5, 0.40), 1.0, 2.0)
    hand = landmarks["right_hand"]
    walked = (times >= 1.0) & (times < 1.5)  # found at 1.5 s, followed back to 1.0 s
    landmarks["right_hand"] = LandmarkTrack("right_hand", times, hand.points, hand.confidence, hand.image_size, walked)
    assert np.array_equal(landmarks["right_hand"].mask, (times >= 1.0) & (times < 2.0))
    covered = covered_regions(landmarks, times.size, 0.25)["brows"]
    assert np.array_equal(covered, (times >= 1.5) & (times < 2.0))
    assert np.array_equal(landmarks["right_hand"].window(30).walked_back, walked[30:])


def test_an_expression_read_from_under_a_hand_is_not_reported():
    from rehearse.analysis.events import detect_events
    from tools.synthetic_streams import synthesize_signals

    signals = synthesize_signals([], duration_s=8.0, fps=FPS, seed=2)
    times = signals.times
    _, scores = _stream(8.0)
    scores = scores[: times.size]
    _set(times, scores, ("browDownLeft", "browDownRight"), 2.0, 3.0, 0.6)
    _set(times, scores, ("browDownLeft", "browDownRight"), 5.0, 6.0, 0.6)
    landmarks = _face_and_hand(times, (0.5, 0.40), 1.8, 3.2)  # fingers on the glabella around the first
    landmarks["blendshapes"] = LandmarkTrack("blendshapes", times, scores[:, :, None], np.ones(times.size), (640, 640))
    furrows = [(round(e.start_s, 1), round(e.end_s, 1)) for e in detect_events(signals, landmarks=landmarks)
               if e.kind == "expression" and e.label == "brow_furrow"]
    assert furrows == [(5.0, 6.0)]


def test_speech_between_two_smiles_does_not_join_them():
    times, scores = _stream()
    _set(times, scores, SMILE, 1.0, 3.0, 0.85)
    _set(times, scores, SMILE, 3.8, 6.0, 0.85)
    for syllable in np.arange(3.0, 3.8, 0.2):  # lips part and close with each syllable
        _set(times, scores, LIPS_PARTED, syllable, syllable + 0.1, 0.6)
    assert [round(e[1], 1) for e in _expressions(times, scores)] == [1.0, 3.8]
