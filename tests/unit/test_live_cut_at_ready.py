"""Holds, expressions and gestures read at the moment live calls them final are the whole take's.

Live (`rehearse.live.incremental`) emits an event at the first frame at or after its ready time:
its decided end plus `settle.settle_after_end` (or sooner where the detector says so:
`final_from_s`), and never before the warm-up's shared level is known (`warm_up_end_s`). Here,
on the sample takes and the real clips (real models), every hold, expression and gesture of the
whole take is compared, to the last digit (times, side, confidence, values), with what
`detect_events` finds on the frames up to exactly that frame, every input final up to it (the
whole take's signals and landmarks, walked-back hands included, cut there), and with what it
finds when those frames are followed by another future (SPLICED_S of the take's frames from
elsewhere, restamped to follow on: a jump, as a cut of the camera gives): a final event does not
depend on any frame after it.

Events in a stream's first second read levels shared over the warm-up's frames, whose signals
may look ahead (a centred median): to put many events there, each take is also played as a
stream starting at later frames (every START_STEP_S), and the events ending in such a stream's
first EARLY_S are compared the same way. Blinks and closures: test_eyes_prefix_invariance.
Expressions from the face's geometry alone still read the take's resting geometry (`take_wide`:
live waits LEVELS_SETTLED_S for them): not compared.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from tests_support import REAL_CLIPS_CACHE, SHARED_CLIPS

from rehearse.analysis.event_settings import EventSettings
from rehearse.analysis.events import Event, detect_events
from rehearse.analysis.events.stream_levels import warm_up_end_s
from rehearse.analysis.settings import SignalSettings
from rehearse.analysis.tracks import LandmarkTrack, SignalTrack
from rehearse.live.incremental import take_wide
from rehearse.live.settle import decided_end_s, settle_after_end

pytestmark = [pytest.mark.models, pytest.mark.slow]

KINDS = ("hold", "expression", "gesture")
START_STEP_S = 0.3
"""A take is also played as a stream starting this often (s of its own time)."""
EARLY_S = 1.5
SPLICED_S = 3.0
"""The other future a prefix is also followed by: this many seconds of the take's own frames."""
"""Events ending this soon after a later stream start are compared (the warm-up's and just after)."""


def _window(signals: SignalTrack, tracks: dict[str, LandmarkTrack], first: int, end: int):
    """The take's frames [first, end) as a stream holds them: signals and every landmark track
    (walked-back flags included)."""
    cut = SignalTrack(signals.times[first:end], {name: v[first:end] for name, v in signals.values.items()})
    parts = {part: LandmarkTrack(t.part, t.times[first:end], t.points[first:end], t.confidence[first:end],
                                 t.image_size, None if t.walked_back is None else t.walked_back[first:end])
             for part, t in tracks.items()}
    return cut, parts


def _spliced(signals: SignalTrack, tracks: dict[str, LandmarkTrack], n: int):
    """The frames [0, n) followed by SPLICED_S of the take's frames from its middle (from its start
    when the cut lies past the middle), restamped a frame interval apart after frame n - 1."""
    times = signals.times
    start = times.size // 2 if n < times.size // 2 else 0
    count = min(times.size - start, int(round(SPLICED_S / float(np.median(np.diff(times))))))
    stamps = np.r_[times[:n], times[n - 1] + float(np.median(np.diff(times))) * np.arange(1, count + 1)]
    picked = np.r_[np.arange(n), np.arange(start, start + count)]
    spliced = SignalTrack(stamps, {name: v[picked] for name, v in signals.values.items()})
    parts = {part: LandmarkTrack(t.part, stamps, t.points[picked], t.confidence[picked], t.image_size,
                                 None if t.walked_back is None else t.walked_back[picked])
             for part, t in tracks.items()}
    return spliced, parts


def _key(event: Event) -> tuple:
    return event.kind, event.scope, event.label


def _ready_cut_differences(signals: SignalTrack, tracks: dict[str, LandmarkTrack], first: int,
                           early_s: float | None, compared: Counter) -> list[str]:
    """The stream starting at frame `first`: each of its holds, expressions and gestures (those
    ending within `early_s` of its start, when given) against the events found on its frames up
    to the first one at or after the moment live calls it final."""
    signals, tracks = _window(signals, tracks, first, signals.times.size)
    times = signals.times
    body_from_energy = bool(np.isfinite(signals.values.get("body_motion", np.array([np.nan]))).any())
    geometry = "blendshapes" not in tracks
    warm = warm_up_end_s(float(times[0]))
    problems = []
    for event in detect_events(signals, None, landmarks=tracks):
        if event.kind not in KINDS or take_wide(event):
            continue
        if early_s is not None and event.end_s > times[0] + early_s:
            continue
        settle = settle_after_end(event, EventSettings(), SignalSettings(), geometry=geometry,
                                  body_from_energy=body_from_energy)
        ready = max(decided_end_s(event) + settle, warm)
        if ready > times[-1]:
            continue  # the take ends first: nothing later can change it
        n = int(np.searchsorted(times, ready - 1e-9, side="left")) + 1  # live's pass holds that frame
        compared[_key(event)] += 1
        for future, (cut, cut_tracks) in (("", _window(signals, tracks, 0, n)),
                                          (" then another future", _spliced(signals, tracks, n))):
            found = detect_events(cut, None, landmarks=cut_tracks)
            if event not in found:
                near = [f"{f.start_s:.4f}-{f.end_s:.4f} {f.side} confidence {f.confidence} {f.values}"
                        for f in found if _key(f) == _key(event) and abs(f.start_s - event.start_s) < 1.0]
                problems.append(f"stream from {times[0]:.3f} s, cut at {times[n - 1]:.3f} s (ready {ready:.3f})"
                                f"{future}: {_key(event)} {event.side} {event.start_s:.4f}-{event.end_s:.4f} "
                                f"confidence {event.confidence} {event.values} came out as {near}")
    return problems


def _take_differences(signals: SignalTrack, tracks: dict[str, LandmarkTrack], compared: Counter) -> list[str]:
    problems = _ready_cut_differences(signals, tracks, 0, None, compared)
    times = signals.times
    for start_s in np.arange(float(times[0]) + START_STEP_S, float(times[-1]) - EARLY_S, START_STEP_S):
        first = int(np.searchsorted(times, start_s - 1e-9))
        problems += _ready_cut_differences(signals, tracks, first, EARLY_S, compared)
    return problems


def test_holds_expressions_and_gestures_cut_when_live_calls_them_final_are_the_whole_takes(
        sample_analyses, real_clips):
    """Face and body holds, blendshape expressions, head turns, nods, leans, shoulder turns,
    hand-to-face and tremor, to the last digit. Measured: 295 events (230 holds, 17
    expressions, 48 gestures), 0 differ, either future; with every settle time
    0.05 s shorter the nods, the shake and a smile differ (their `final_from_s`), 0.3 s shorter
    head turns, leans and hand-to-face too; with the cut one frame short of live's pass
    (frames at or before the ready time only) 5 nods differed in `final_from_s` alone (it names a
    frame time, rounded to 0.1 ms)."""
    if not real_clips:
        pytest.skip(f"no real clip found in {SHARED_CLIPS} or {REAL_CLIPS_CACHE}")
    compared: Counter = Counter()
    problems = []
    for name, analysis in {**sample_analyses, **real_clips}.items():
        problems += [f"{name}: {p}" for p in _take_differences(analysis.signals, dict(analysis.landmarks), compared)]
    kinds = {kind for kind, _, _ in compared}
    assert kinds == set(KINDS), f"compared only {dict(compared)}"
    assert sum(n for (kind, _, _), n in compared.items() if kind == "gesture") >= 20, dict(compared)
    assert not problems, "\n".join(problems)


@pytest.mark.xfail(strict=True, reason="a face hold's end fit is bounded by the next still run's first frame "
                   "(hold_edges.fit_hold_edges: ceiling), and whether a run starts there is decided by frames "
                   "past the hold's settle time")
def test_a_face_hold_end_does_not_move_after_its_settle_time_when_the_face_was_lost_before_it(sample_analyses):
    """Found by losing the face for 0.14 s across the warm-up's end (a tracker dropout) on streams
    starting every 0.1 s of the sample takes and real clips: 2 of 708 face holds read at their
    ready frame were not the whole stream's. 01-1A-2 played from 5.625 s (warm-up's end 6.4 s):
    the whole stream's face hold 6.56-6.7907 s (ready at 7.366 s, 0.575 s after its end) ends at
    6.7857 s on the frames up to 7.375 s and 7.4167 s: whether a still run starts right after the
    hold (its first frame bounds the end's fit, `fit_hold_edges`' ceiling) is decided by frames
    after the ready time. Not fixed: the fit or the hold's settle time must count that run."""
    from rehearse.analysis.events.holds import detect_holds

    signals = sample_analyses["01-1A-2"].signals
    first = int(np.searchsorted(signals.times, signals.times[0] + 5.6 - 1e-9))
    times = signals.times[first:]
    warm = warm_up_end_s(float(times[0]))
    lost = (times > warm - 0.07) & (times < warm + 0.07)
    values = {}
    for name, column in signals.values.items():
        column = np.array(column[first:], dtype=float)
        column[lost] = 0.0 if name == "face_present" else np.nan
        values[name] = column
    stream = SignalTrack(times, values)
    settings = EventSettings()
    holds = [h for h in detect_holds(stream, settings.hold) if h.scope == "face" and 6.5 < h.start_s < 6.6]
    assert len(holds) == 1
    ready = holds[0].end_s + settle_after_end(holds[0], settings, SignalSettings())
    moved = []
    for n in range(int(np.searchsorted(times, ready - 1e-9)) + 1, times.size + 1):
        prefix = SignalTrack(times[:n], {name: v[:n] for name, v in values.items()})
        if holds[0] not in detect_holds(prefix, settings.hold):
            moved.append(f"{times[n - 1]:.4f}")
    assert not moved, f"the hold {holds[0].start_s}-{holds[0].end_s} differs on the frames up to {moved}"
