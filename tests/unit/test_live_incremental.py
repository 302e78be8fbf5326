"""IncrementalEvents: signals spliced pass by pass equal one computation over the whole stretch, and events are emitted once."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rehearse.analysis.landmarks import FrameLandmarks, LandmarkSettings, tracks_from_frames
from rehearse.analysis.signals import compute_signals
from rehearse.analysis.take import analyze_take
from rehearse.config import Settings
from rehearse.live.incremental import IncrementalEvents

TAKE = Path(__file__).resolve().parents[2] / "scenes" / "takes" / "01-1A-2.mp4"


@pytest.mark.slow
def test_signals_kept_between_passes_equal_a_whole_recomputation_and_events_come_once(tmp_path):
    face = analyze_take(TAKE, Settings(cache_dir=tmp_path)).landmarks["face"]
    settings = LandmarkSettings(pose=False, hands="never")
    detector = IncrementalEvents(settings, history_s=6.0)  # shorter than the take: the front is trimmed
    emitted, frames = [], []
    for i, t in enumerate(face.times):
        frames.append(FrameLandmarks(i, float(t), face.image_size, face=face.points[i] if face.mask[i] else None,
                                     face_confidence=float(face.confidence[i])))
        detector.add(frames[-1])
        if detector.due():
            emitted += detector.update()
    emitted += detector.finish()
    spliced = detector._signals()
    # The reference is the whole take's signals (what an offline analysis has) over the frames kept.
    whole = compute_signals(tracks_from_frames(frames, settings))
    kept = spliced.times.size
    assert kept == len(detector.frames) < face.times.size
    for name, values in whole.values.items():
        np.testing.assert_allclose(spliced.values[name], np.asarray(values[-kept:], np.float32), equal_nan=True,
                                   err_msg=name)
    assert {e.kind for e in emitted} >= {"blink", "hold"}
    starts = [(e.kind, e.label, round(e.start_s, 2)) for e in emitted]
    assert len(starts) == len(set(starts)), "an event was emitted twice"
    assert all(e.kind in ("blink", "eyes_closed", "hold", "expression") for e in emitted)
    assert all(e.scope in ("face", "body") for e in emitted if e.kind == "hold")
