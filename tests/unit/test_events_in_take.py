"""No event starts before 0 or ends after the take's last frame (issue 14 item 4, issue 16 item 5)."""

from __future__ import annotations

import pytest
from tests_support.event_streams import make_stream

from rehearse.analysis.events import Event, clamp_to_take, detect_events


def test_clamp_pulls_edges_in_and_drops_events_outside():
    events = [
        Event(kind="eyes_closed", start_s=5.7, end_s=6.12, apex_s=6.05, values={"duration_ms": 420.0}),
        Event(kind="eyes_closed", start_s=-0.41, end_s=0.6, apex_s=-0.2),
        Event(kind="pause", start_s=6.2, end_s=6.5),
        Event(kind="blink", start_s=1.0, end_s=1.2, apex_s=1.1),
    ]
    kept = clamp_to_take(events, 6.0)
    assert [(e.start_s, e.end_s, e.apex_s) for e in kept] == [(5.7, 6.0, 6.0), (0.0, 0.6, 0.0), (1.0, 1.2, 1.1)]
    assert kept[0].values["duration_ms"] == pytest.approx(300.0)
    assert kept[2] is events[3]  # an event already inside is left as it is


@pytest.mark.parametrize("fps", [24.0, 30.0, 60.0])
def test_detected_events_stay_inside_a_take_that_starts_and_ends_mid_closure(fps):
    # Eyes closed at the first frame and still closed at the last one, head moving at both ends.
    track, _ = make_stream(6.0, fps, closures=[(-0.5, 1.2), (5.4, 1.5)], smiles=[(5.0, 7.0)],
                           blinks=[(2.0, 0.2, "both")], head_moves=[(0.0, 0.4, 12.0), (5.7, 0.5, -15.0)], seed=3)
    end = float(track.times[-1]) + 1.0 / fps
    events = detect_events(track)
    assert events, "the stream has events"
    assert any(e.kind == "eyes_closed" for e in events)
    for event in events:
        assert 0.0 <= event.start_s <= event.end_s <= end + 1e-9, event
        assert event.apex_s is None or 0.0 <= event.apex_s <= end + 1e-9, event


def test_audio_that_runs_past_the_last_frame_gives_no_event_past_it():
    # 3 s of picture, 8 s of sound: speech 0.5-2.0 s and 2.8-4.0 s. The reply starts while the
    # picture still runs and the pause between them ends after it; nothing may end after 3 s.
    import numpy as np

    from rehearse.analysis.tracks import AudioFeatures

    track, _ = make_stream(3.0, 30.0, seed=1)
    times = np.arange(0.005, 8.0, 0.01)
    speech = ((times > 0.5) & (times < 2.0)) | ((times > 3.6) & (times < 5.0))
    audio = AudioFeatures(times, np.where(speech, -20.0, -70.0).astype(np.float32), speech.astype(np.uint8), 16000)
    end = float(track.times[-1]) + 1.0 / 30.0
    events = detect_events(track, audio)
    gaps = [e for e in events if e.kind in ("hesitation", "pause")]
    assert gaps and all(e.end_s <= end + 1e-9 for e in gaps), gaps


def test_exports_put_no_marker_past_the_clips_end():
    from rehearse.export.collect import markers_inside_clip
    from rehearse.export.markers import Marker

    def marker(t_s: float, duration_s: float) -> Marker:
        return Marker(t_s, duration_s, "beat b3", "", "beat", "beat", "MAGENTA")

    kept, outside = markers_inside_clip([marker(1.0, 0.0), marker(5.5, 1.0), marker(6.5, 0.0), marker(9.0, 0.0)], 6.0)
    assert outside == 2
    assert [(m.t_s, m.duration_s) for m in kept] == [(1.0, 0.0), (5.5, 0.5)]


def test_rates_use_the_span_the_take_covers():
    from rehearse.analysis.events import beat_summaries

    blinks = [Event(kind="blink", start_s=t, end_s=t + 0.2, beat="b2") for t in (4.5, 5.2)]
    summaries = {s.beat: s for s in beat_summaries(blinks, {"b1": 0.0, "b2": 4.0, "b3": 7.0}, 6.0)}
    assert summaries["b2"].blink_rate_per_min == 60.0  # 2 blinks in the 2 s of picture, not in 3 s
    assert summaries["b3"].blink_rate_per_min == 0.0  # its mark is past the last frame: no picture
