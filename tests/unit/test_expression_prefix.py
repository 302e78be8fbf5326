"""Expressions decided on any prefix of a take are the whole take's (issue 20: live = offline).

With blendshapes every level an expression is compared with is read over the frames before it
(stream_levels), so detecting on the frames up to a time T gives, for every expression that ends
at least its settle time (`settle_after_end_s`) before T, the same expression as the whole take,
within a frame, and no other. Checked on the sample takes' real signals (FaceMesh and its
blendshapes; their resting face saturates mouthSmile, so their smiles come from geometry) and on
the real crying close-up, whose laugh is one smile across an open-mouthed dip (the longest
settle). The closures the rules read are the whole take's cut at T, so only the expression
detector is under test here. A smile that says it is final sooner (`final_from_s`: its lips
closed, no laugh can join it) is held to it, also at a cut right at that time. Geometry alone still reads the take's resting levels: not checked.
"""

from __future__ import annotations

import numpy as np
import pytest

from rehearse.analysis.event_settings import EventSettings
from rehearse.analysis.events import blendshapes_of
from rehearse.analysis.events.blinks import detect_blinks
from rehearse.analysis.events.expressions import face_expressions, settle_after_end_s
from rehearse.analysis.events.hand_cover import covered_regions
from rehearse.analysis.events.model import Event
from rehearse.analysis.tracks import LandmarkTrack, SignalTrack

pytestmark = [pytest.mark.models, pytest.mark.slow]

SETTINGS = EventSettings()
ROUNDING_S = 1e-4
"""Event times are rounded to 0.1 ms: the frame at a final_from_s may lie up to half that before it."""


def _prefix(analysis, count: int) -> tuple[SignalTrack, dict[str, LandmarkTrack]]:
    """The take's signals and landmarks up to frame `count` (as a stream has them then)."""
    times = analysis.signals.times[:count]
    signals = SignalTrack(times, {name: values[:count] for name, values in analysis.signals.values.items()})
    landmarks = {part: track.head(count) for part, track in analysis.landmarks.items()}
    return signals, landmarks


def _expressions(signals, landmarks, closures) -> list[Event]:
    covered = covered_regions(landmarks, signals.times.size, SETTINGS.expression.hand_cover_iod)
    return face_expressions(signals, blendshapes_of(landmarks, signals.times), SETTINGS.expression, None,
                            closures, covered)


def _final_at(event: Event) -> float:
    """Stream time from which the expression is final: its settle time after its end, or sooner
    where the detector says so (a smile whose lips closed: `final_from_s`)."""
    return min(event.end_s + settle_after_end_s(event.label, SETTINGS.expression),
               event.values.get("final_from_s", float("inf")))


def _differences(analysis, cuts) -> list[str]:
    """Expressions settled before a cut that the prefix and the whole take do not both give; the
    cuts given and those at each of the whole take's final_from_s (the first frame there)."""
    times = analysis.signals.times
    frame = float(np.median(np.diff(times)))
    closures = detect_blinks(analysis.signals, SETTINGS.blink, None, blendshapes_of(analysis.landmarks, times))
    problems = []
    whole = _expressions(analysis.signals, analysis.landmarks, closures)
    cuts = sorted({*cuts, *(e.values["final_from_s"] + ROUNDING_S for e in whole if "final_from_s" in e.values)})
    for cut in cuts:
        count = int(np.searchsorted(times, cut, side="right"))
        newest = float(times[count - 1])
        signals, landmarks = _prefix(analysis, count)
        shut = [c.model_copy(update={"end_s": min(c.end_s, newest)}) for c in closures if c.start_s < newest]
        part = _expressions(signals, landmarks, shut)
        for found, other, where in ((whole, part, "whole take only"), (part, whole, "prefix only")):
            for e in found:
                if _final_at(e) > newest + ROUNDING_S:
                    continue
                if not any(o.label == e.label and o.side == e.side and abs(o.start_s - e.start_s) <= frame + 1e-6
                           and abs(o.end_s - e.end_s) <= frame + 1e-6 for o in other):
                    problems.append(f"cut at {newest:.2f} s: {e.label} {e.start_s:.2f}-{e.end_s:.2f} s {where}")
    return problems


def test_expressions_on_a_prefix_are_the_whole_takes(sample_analyses):
    problems, checked = [], 0
    for name, analysis in sample_analyses.items():
        end = float(analysis.signals.times[-1])
        problems += [f"{name}: {p}" for p in _differences(analysis, np.arange(0.7, end, 0.4))]
        checked += 1
    assert checked == 4
    assert not problems, "; ".join(problems)


def test_the_laugh_on_a_prefix_of_the_real_closeup_is_the_whole_takes(tmp_path):
    """The crying close-up's laugh dips below a smile for ~0.6 s while the mouth is open: a prefix
    cut in the dip ends the smile there; once `laugh_bridge_s` has passed it is the one smile."""
    from tests_support import real_clip_or_skip

    from rehearse.analysis.take import analyze_take
    from rehearse.config import Settings

    clip = real_clip_or_skip("WolfgangLanger_Pexels.mp4")
    analysis = analyze_take(clip, Settings(cache_dir=tmp_path))
    problems = _differences(analysis, np.arange(1.0, float(analysis.signals.times[-1]), 0.4))
    assert not problems, "; ".join(problems)
