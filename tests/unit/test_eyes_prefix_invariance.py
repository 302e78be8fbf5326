"""Blinks, eye closures and the face signals read on a prefix of a take are those of the whole take.

A live rehearsal detects on the frames played so far. When a detector reads a level over the
whole take (the open-eye baseline), a prefix gives other events than the
whole take and live disagrees with the offline analysis of the recording. Here, on real signals
(the sample takes analysed with the real models, the real clips, among them the crying close-up
that opens with the eyes shut for five seconds), each take is cut at several times T: every blink
or closure live would call final by T (its end, or the score's own end, plus the settle time, or
sooner where the event says so: `final_from_s`) is the whole take's exactly, both ways, and each
is also cut at exactly that time; every signal of a frame more than its reach before T is the same.
"""

from __future__ import annotations

import numpy as np
import pytest
from tests_support import REAL_CLIPS_CACHE, SHARED_CLIPS, real_clip_or_skip

from rehearse.analysis.event_settings import BlinkSettings, EventSettings
from rehearse.analysis.events import Event, blendshapes_of
from rehearse.analysis.events.blinks import detect_blinks
from rehearse.analysis.events.stream_levels import warm_up_end_s
from rehearse.analysis.face_signals import MOTION_MAX_SPAN_S
from rehearse.analysis.settings import SignalSettings
from rehearse.analysis.signals import compute_signals
from rehearse.analysis.tracks import LandmarkTrack, SignalTrack
from rehearse.live.settle import decided_end_s, settle_after_end

pytestmark = pytest.mark.slow

SIGNAL_REACH_S = 2 * MOTION_MAX_SPAN_S
"""How far after a frame its face signals read (the motion span; live recomputes this margin)."""


def _cut_tracks(tracks: dict[str, LandmarkTrack], n: int) -> dict[str, LandmarkTrack]:
    return {part: t.head(n) for part, t in tracks.items()}


def _final_by(event: Event, cut_s: float, geometry: bool) -> bool:
    """Live calls the event final once the frames up to `cut_s` have arrived: its decided end (a
    closure's end moved in to where the lids parted holds only once the score says open) plus
    its settle time, or sooner where the detector said so."""
    settle = settle_after_end(event, EventSettings(), SignalSettings(), geometry=geometry)
    return decided_end_s(event) + settle <= cut_s + 1e-9


def _prefix_differences(signals: SignalTrack, tracks: dict[str, LandmarkTrack], step_s: float) -> list[str]:
    """Eye events that differ between a prefix and the whole take, for prefixes cut every `step_s`:
    every event final by the cut must be the whole take's exactly, both ways. Without a
    blendshapes track: the geometry route."""
    times = signals.times
    settings = BlinkSettings()
    geometry = "blendshapes" not in tracks
    whole = detect_blinks(signals, settings, None, blendshapes_of(tracks, times))
    problems = []
    for cut_s in np.arange(0.6, float(times[-1]), step_s):
        n = int(np.searchsorted(times, cut_s, side="right"))
        prefix = SignalTrack(times[:n], {name: v[:n] for name, v in signals.values.items()})
        found = detect_blinks(prefix, settings, None, blendshapes_of(_cut_tracks(tracks, n), prefix.times))
        for event in whole:
            if _final_by(event, cut_s, geometry) and event not in found:
                problems.append(f"cut at {cut_s:.2f} s: {event.kind} {event.start_s:.4f}-{event.end_s:.4f} missing")
        for event in found:
            if _final_by(event, cut_s, geometry) and event not in whole:
                problems.append(f"cut at {cut_s:.2f} s: {event.kind} {event.start_s:.4f}-{event.end_s:.4f} "
                                "not in the whole take")
    return problems


def _signal_differences(tracks: dict[str, LandmarkTrack], cuts: int = 5) -> list[str]:
    whole = compute_signals(tracks)
    times = whole.times
    problems = []
    for cut_s in np.linspace(1.0, float(times[-1]), cuts, endpoint=False):
        n = int(np.searchsorted(times, cut_s, side="right"))
        prefix = compute_signals(_cut_tracks(tracks, n))
        m = int(np.searchsorted(times, cut_s - SIGNAL_REACH_S, side="right"))
        for name, values in prefix.values.items():
            a, b = whole.values[name][:m], values[:m]
            same = (np.isnan(a) & np.isnan(b)) | (np.abs(a - b) <= 1e-6 * (1 + np.abs(a)))
            if not same.all():
                problems.append(f"cut at {cut_s:.2f} s: {name} differs at {times[np.flatnonzero(~same)[0]]:.3f} s")
    return problems


@pytest.mark.models
def test_sample_takes_blinks_and_closures_on_a_prefix_are_the_whole_takes(sample_analyses):
    problems, compared = [], 0
    for name, analysis in sample_analyses.items():
        problems += [f"{name}: {p}" for p in _prefix_differences(analysis.signals, analysis.landmarks, 0.2)]
        compared += len(detect_blinks(analysis.signals, BlinkSettings(), None,
                                      blendshapes_of(analysis.landmarks, analysis.signals.times)))
    assert compared >= 8, "the sample takes have blinks and a closure to compare"
    assert not problems, "\n".join(problems)


@pytest.mark.models
def test_geometry_route_settles_after_its_open_level_window(sample_analyses):
    """Without blendshapes the open EAR is followed over a centred `local_window_s`: an EAR blink
    is final half that window after its end (live shows the blendshape route)."""
    problems = []
    for name, analysis in sample_analyses.items():
        geometry = {part: t for part, t in analysis.landmarks.items() if part != "blendshapes"}
        problems += [f"{name}: {p}" for p in _prefix_differences(analysis.signals, geometry, 0.4)]
    assert not problems, "\n".join(problems)


@pytest.mark.models
def test_sample_takes_face_signals_on_a_prefix_are_the_whole_takes(sample_analyses):
    problems = []
    for name, analysis in sample_analyses.items():
        problems += [f"{name}: {p}" for p in _signal_differences(analysis.landmarks)]
    assert not problems, "\n".join(problems[:20])


def _settle_cut_differences(signals: SignalTrack, tracks: dict[str, LandmarkTrack]) -> tuple[int, list[str]]:
    """(events compared, differences): each blink or closure of the whole take against the events
    of the take cut at exactly the moment live calls it final (its decided end plus its settle
    time, or the warm-up's end), that frame included. Without a blendshapes track: geometry."""
    times = signals.times
    settings = BlinkSettings()
    whole = detect_blinks(signals, settings, None, blendshapes_of(tracks, times))
    geometry = "blendshapes" not in tracks
    compared, problems = 0, []
    for event in whole:
        settle = settle_after_end(event, EventSettings(), SignalSettings(), geometry=geometry)
        cut_s = max(decided_end_s(event) + settle, warm_up_end_s(float(times[0])))
        if cut_s > times[-1]:
            continue  # the take ends first: nothing later can change it
        n = int(np.searchsorted(times, cut_s + 1e-9, side="right"))
        prefix = SignalTrack(times[:n], {name: v[:n] for name, v in signals.values.items()})
        found = detect_blinks(prefix, settings, None, blendshapes_of(_cut_tracks(tracks, n), prefix.times))
        compared += 1
        if event not in found:
            near = [f"{f.kind} {f.side} {f.label} {f.start_s:.4f}-{f.end_s:.4f} confidence {f.confidence}"
                    for f in found if abs(f.start_s - event.start_s) < 0.3]
            problems.append(f"cut at {cut_s:.3f} s: {event.kind} {event.side} {event.label} "
                            f"{event.start_s:.4f}-{event.end_s:.4f} confidence {event.confidence} came out as {near}")
    return compared, problems


@pytest.mark.models
def test_blinks_and_closures_cut_at_their_settle_time_are_the_whole_takes(sample_analyses, real_clips):
    """Live emits a blink the moment the frames up to its settle time have arrived, and says it is
    final: on every real clip and sample take the event read then must be the whole take's, to the
    last digit (side, label, confidence and values too)."""
    if not real_clips:
        pytest.skip(f"no real clip found in {SHARED_CLIPS} or {REAL_CLIPS_CACHE}")
    compared, problems = 0, []
    for name, analysis in {**sample_analyses, **real_clips}.items():
        n, found = _settle_cut_differences(analysis.signals, analysis.landmarks)
        compared += n
        problems += [f"{name}: {p}" for p in found]
        geometry = {part: t for part, t in analysis.landmarks.items() if part != "blendshapes"}
        n, found = _settle_cut_differences(analysis.signals, geometry)
        compared += n
        problems += [f"{name} (geometry): {p}" for p in found]
    assert compared >= 40, f"only {compared} blinks and closures compared"
    assert not problems, "\n".join(problems)


@pytest.mark.models
def test_crying_close_up_blinks_and_closures_on_a_prefix_are_the_whole_clips(real_clips):
    """The close-up opens looking down and then squeezes the eyes shut for five seconds: read over
    the frames so far, the open eye is not known before 6 s. Its closure (0.63-5.88 s by eye) and
    its blinks must still come out the same on every prefix."""
    real_clip_or_skip("WolfgangLanger_Pexels.mp4")
    analysis = real_clips["WolfgangLanger_Pexels.mp4"]
    whole = detect_blinks(analysis.signals, BlinkSettings(), None,
                          blendshapes_of(analysis.landmarks, analysis.signals.times))
    closures = [e for e in whole if e.kind == "eyes_closed"]
    assert closures and abs(closures[0].start_s - 0.6256) < 0.1 and abs(closures[0].end_s - 5.8809) < 0.15
    problems = _prefix_differences(analysis.signals, analysis.landmarks, 0.25)
    assert not problems, "\n".join(problems)
    assert not _signal_differences(analysis.landmarks)
