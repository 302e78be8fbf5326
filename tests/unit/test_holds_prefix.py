"""Holds found on a prefix of a take are those of the whole take, once they have settled: the hold
limits are read from earlier frames (what a live rehearsal can know), not over the whole take."""

from __future__ import annotations

import numpy as np
import pytest

from rehearse.analysis.event_settings import EventSettings
from rehearse.analysis.events.holds import detect_holds
from rehearse.analysis.events.stream_levels import warm_up_end_s
from rehearse.analysis.settings import SignalSettings
from rehearse.analysis.tracks import SignalTrack
from rehearse.live.settle import settle_after_end


def _same(a, b, frame: float) -> bool:
    return (a.scope == b.scope and abs(a.start_s - b.start_s) <= frame + 1e-6
            and abs(a.end_s - b.end_s) <= frame + 1e-6)


@pytest.mark.models
def test_holds_on_a_prefix_are_the_whole_takes_once_settled(sample_analyses):
    """Cut every 0.25 s: each face and body hold ending the live side's settling time before the cut
    (`settle.settle_after_end`, 0.5 s for a hold with the defaults) is the whole take's within a
    frame, both ways. The whole take's signals are cut, so this checks the detector's own reach
    (the signals' reach is the live side's). With the limits read over the whole take it failed
    at the first cut after the first hold (01-1A-1 cut at 1.25 s: a face hold at 0.07-0.53 s that
    the later motion removes); cut every 0.5 s, 62 holds differed, body holds also moving by 2-3
    frames as the take's still/moving split moved."""
    settings = EventSettings()
    compared = 0
    for name, analysis in sample_analyses.items():
        times = analysis.signals.times
        frame = float(np.median(np.diff(times)))
        whole = detect_holds(analysis.signals, settings.hold)
        assert {e.scope for e in whole} == {"face", "body"}, f"{name}: the sample takes hold still"
        ready = warm_up_end_s(float(times[0]))
        for cut_s in np.arange(1.0, times[-1], 0.25):
            count = int(np.searchsorted(times, cut_s, side="right"))
            newest = float(times[count - 1])
            prefix = SignalTrack(times[:count], {k: v[:count] for k, v in analysis.signals.values.items()})
            found = detect_holds(prefix, settings.hold)

            def settled(event, newest=newest, ready=ready):
                return max(event.end_s, ready) <= newest - settle_after_end(event, settings, SignalSettings())

            for event in [e for e in whole if settled(e)]:
                assert any(_same(p, event, frame) for p in found), \
                    f"{name} cut at {newest:.3f} s: {event.scope} hold {event.start_s}-{event.end_s} missing, {found}"
                compared += 1
            for event in [p for p in found if settled(p)]:
                assert any(_same(w, event, frame) for w in whole), \
                    f"{name} cut at {newest:.3f} s: {event.scope} hold {event.start_s}-{event.end_s} not in the whole take"
    assert compared >= 100, compared
