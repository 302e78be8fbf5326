"""A detection pass reads a bounded window of the history (PASS_READS_S + the levels' reach before it),
and the events it lets out are those a pass over the whole history gives (sample takes' real landmarks,
looped into a 70 s stream)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from rehearse.analysis.events import Event
from rehearse.analysis.landmarks import LandmarkExtractor
from rehearse.analysis.tracks import SignalTrack
from rehearse.config import Settings
from rehearse.live.incremental import (
    LONGEST_WIDENING_S,
    MIN_HISTORY_S,
    PASS_READS_S,
    IncrementalEvents,
    take_wide,
)
from rehearse.video.frames import iter_frames

TAKES = Path(__file__).resolve().parents[2] / "scenes" / "takes"


def _stream(seconds: float) -> list:
    settings = Settings().analysis
    once = []
    with LandmarkExtractor(settings.landmarks) as extractor:
        for name in ("01-1A-1.mp4", "01-1A-2.mp4"):
            offset = once[-1].t + 1 / 24 if once else 0.0
            once += [replace(extractor.process(f), t=f.t + offset) for f in iter_frames(TAKES / name, max_width=settings.max_frame_width)]
    span = once[-1].t + 1 / 24
    loops = int(seconds // span) + 1
    stream = [replace(f, t=f.t + k * span, index=k * len(once) + i) for k in range(loops) for i, f in enumerate(once)]
    return [f for f in stream if f.t < seconds]


def _key(event: Event) -> tuple:
    return (event.kind, event.label, event.scope, event.side)


def _stream_levels(event: Event) -> bool:
    """Its detector reads levels over the frames before each frame (stream_levels), not the whole
    take: those still `take_wide` read the pass's frames, so a window changes them by design."""
    return not take_wide(event)


@pytest.mark.slow
def test_a_pass_over_a_long_history_reads_its_window_and_lets_out_the_events_of_the_whole_history():
    settings = Settings()
    stream = _stream(70.0)
    compared = []
    for cut_s in (58.0, 64.0, 70.0):
        frames = [f for f in stream if f.t < cut_s]
        bounded = IncrementalEvents(settings.analysis.landmarks, settings.analysis.signals, settings.events)
        whole = IncrementalEvents(settings.analysis.landmarks, settings.analysis.signals, settings.events)
        for frame in frames:
            bounded.add(frame)
            whole.add(frame)
        newest = frames[-1].t
        snapshot = bounded._snapshot()
        events, signals = bounded._detect(snapshot)
        # The detectors read the window only: PASS_READS_S and the levels' reach before it.
        assert signals.times[0] == pytest.approx(newest - PASS_READS_S - MIN_HISTORY_S, abs=0.05)
        assert signals.times[0] > frames[0].t + 10
        # The reference: the same detectors over every frame kept (no window).
        whole._pass_start = lambda snapshot: 0
        reference, reference_signals = whole._detect(whole._snapshot())
        assert reference_signals.times[0] == frames[0].t
        let_out = [e for e in events if bounded._exact(e, snapshot, signals) and e.end_s <= newest - 1.5 and _stream_levels(e)]
        expected = [e for e in reference if e.start_s - 2.0 >= signals.times[0] + 30.2 and e.end_s <= newest - 1.5
                    and _stream_levels(e)]
        for a, b in ((expected, let_out), (let_out, expected)):
            for event in a:
                assert any(_key(event) == _key(other) and abs(event.start_s - other.start_s) <= 1 / 24 + 1e-6
                           and abs(event.end_s - other.end_s) <= 1 / 24 + 1e-6 for other in b), (cut_s, event)
        compared += expected
    assert len(compared) >= 4 and "blink" in {e.kind for e in compared}, compared
    # An event the last pass saw still going on widens the next window back to its start ...
    bounded._previous_events = [Event(kind="hold", scope="face", start_s=newest - 25.0, end_s=newest - 1.0)]
    assert frames[bounded._pass_start(snapshot)].t == pytest.approx(newest - 25.0 - MIN_HISTORY_S, abs=0.05)
    # ... by LONGEST_WIDENING_S at most; a longer one keeps the start the earlier pass found.
    long_hold = Event(kind="hold", scope="body", start_s=newest - 50.0, end_s=newest - 1.0, values={"duration_ms": 49000.0})
    bounded._previous_events = [long_hold]
    first = bounded._pass_start(snapshot)
    first_t = frames[first].t
    assert first_t == pytest.approx(newest - PASS_READS_S - LONGEST_WIDENING_S - MIN_HISTORY_S, abs=0.05)
    cut = Event(kind="hold", scope="body", start_s=newest - 49.0, end_s=newest - 0.5, values={"duration_ms": 1.0})  # levels not whole there
    carried = bounded._carry(cut, first_t)
    assert (carried.start_s, carried.end_s, carried.values["duration_ms"]) == (long_hold.start_s, cut.end_s, 49500.0)
    window = SignalTrack(np.array([f.t for f in frames[first:]]))
    assert bounded._exact(carried, snapshot, window)
    other = bounded._carry(cut.model_copy(update={"scope": "face"}), first_t)
    assert other.start_s == cut.start_s and not bounded._exact(other, snapshot, window)
