"""A hand found after none was tracked keeps its side while it is walked back (hand_backfill.py)."""

from __future__ import annotations

import numpy as np

from rehearse.analysis.backends.hand_backfill import carry_sides, small_copy


def hand_at(x: float, y: float) -> np.ndarray:
    points = np.zeros((21, 3), dtype=np.float32)
    points[:, 0], points[:, 1] = x, y
    return points


def test_each_hand_keeps_the_side_of_the_nearest_hand_of_the_next_frame():
    last = {"right": hand_at(0.3, 0.5), "left": hand_at(0.7, 0.5)}
    sides = carry_sides([hand_at(0.68, 0.52), hand_at(0.33, 0.48)], last)
    assert float(sides["left"][0, 0]) == np.float32(0.68)
    assert float(sides["right"][0, 0]) == np.float32(0.33)


def test_a_lone_followed_hand_takes_only_its_own_side_and_one_hand_at_most():
    sides = carry_sides([hand_at(0.9, 0.9), hand_at(0.4, 0.5)], {"right": hand_at(0.42, 0.5)})
    assert list(sides) == ["right"] and float(sides["right"][0, 0]) == np.float32(0.4)
    assert carry_sides([], {"right": hand_at(0.4, 0.5)}) == {}


def test_kept_frames_are_small_copies_never_the_decoder_s_own_array():
    frame = np.zeros((1080, 1920, 3), dtype=np.uint8)
    small = small_copy(frame, 640)
    assert small.shape == (360, 640, 3)
    same_size = small_copy(small, 640)
    assert same_size.shape == small.shape and not np.shares_memory(same_size, small)


def test_the_walk_fills_frames_back_to_where_the_hand_is_lost_and_no_further():
    """Canned hands stand in for the graph here; the real walk is tested on the real close-up
    (test_hands_close_up.py, test_events_reencode.py)."""
    from rehearse.analysis.backends.hand_backfill import HandBackfill
    from rehearse.analysis.landmarks import FrameLandmarks, LandmarkSettings

    backfill = HandBackfill(LandmarkSettings(hands_backfill_s=0.5))
    frames = [FrameLandmarks(index=i, t=i / 10, image_size=(64, 36)) for i in range(12)]
    for frame in frames[:11]:
        backfill.keep(frame, np.full((36, 64, 3), frame.index, dtype=np.uint8))
    assert backfill.pending == 6  # 0.5 s back from frame 10: frames 5-10
    found = frames[11]
    found.right_hand, found.right_hand_confidence = hand_at(0.5, 0.5), 0.9
    # The graph follows the hand back to frame 8 and loses it at frame 7; a hand it would find
    # again further back (frame 6) is not taken.
    seen = {10: [hand_at(0.5, 0.52)], 9: [hand_at(0.5, 0.55), hand_at(0.9, 0.9)], 8: [hand_at(0.5, 0.6)],
            7: [], 6: [hand_at(0.5, 0.6)]}
    read = backfill.walk_back(found, lambda image: seen[int(image[0, 0, 0])])
    assert read == 4 and backfill.pending == 0
    assert [f.index for f in frames if f.right_hand is not None] == [8, 9, 10, 11]
    assert all(f.left_hand is None for f in frames)
    assert frames[9].right_hand_confidence == 0.9 and float(frames[9].right_hand[0, 0]) == np.float32(0.5)
    # The filled frames say so; the finding frame was found going forward.
    assert [f.index for f in frames if f.right_hand_walked_back] == [8, 9, 10]
    assert not any(f.left_hand_walked_back for f in frames)


class CannedGraph:
    """Stands in for a Hands graph: the hands "seen" in an image are looked up by its first pixel;
    `gate` holds the walk until the test lets it go (so the frames between are seen unsettled)."""

    def __init__(self, seen, gate):
        self.seen, self.gate, self.reads = seen, gate, []

    def reset(self):
        self.reads.append("reset")

    def close(self):
        pass


def test_a_walk_in_the_background_lands_later_the_same_fills_and_its_frames_stay_unsettled_until_then():
    """Canned hands (the real graphs: test_hands_close_up.py compares both walks on the real close-up)."""
    import threading

    from rehearse.analysis.backends.hand_backfill import BackgroundWalks, HandBackfill
    from rehearse.analysis.landmarks import FrameLandmarks, LandmarkSettings

    seen = {11: [hand_at(0.5, 0.5)], 10: [hand_at(0.5, 0.52)], 9: [hand_at(0.5, 0.55)], 8: [hand_at(0.5, 0.6)], 7: []}
    gate = threading.Event()
    graph = CannedGraph(seen, gate)

    def hands_of(g, image):
        gate.wait(10)
        g.reads.append(int(image[0, 0, 0]))
        return g.seen[int(image[0, 0, 0])]

    backfill = HandBackfill(LandmarkSettings(hands_backfill_s=0.5), BackgroundWalks(lambda: graph, hands_of))
    frames = [FrameLandmarks(index=i, t=i / 10, image_size=(64, 36)) for i in range(14)]
    for frame in frames[:11]:
        backfill.keep(frame, np.full((36, 64, 3), frame.index, dtype=np.uint8))
    found = frames[11]
    found.right_hand, found.right_hand_confidence = hand_at(0.5, 0.5), 0.9
    # Started, not walked: the caller's graph read nothing, frames 5-11 (and the 2 after) may change.
    assert backfill.walk_back(found, None, np.full((36, 64, 3), 11, dtype=np.uint8), number=11) == 0
    assert backfill.unsettled(frames_seen=14) == 9 and backfill.pending == 0
    backfill.land()
    assert all(f.right_hand is None for f in frames[:11]), "nothing lands before the walk is done"
    gate.set()
    backfill.land(wait=True)
    # Seeded on the finding frame from a restarted graph, then back to where the hand is lost.
    assert graph.reads == ["reset", 11, 10, 9, 8, 7]
    assert [f.index for f in frames if f.right_hand is not None] == [8, 9, 10, 11]
    assert frames[9].right_hand_confidence == 0.9 and backfill.unsettled(frames_seen=14) == 0
    assert [f.index for f in frames if f.right_hand_walked_back] == [8, 9, 10]
    backfill.close()
