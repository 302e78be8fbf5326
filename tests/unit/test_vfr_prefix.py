"""Variable frame rate: a prefix of a take, and a live pass's later window of a stream, give the
whole take's events once they have settled.

Windows are given in seconds and turned into frame counts with one interval for the whole stream,
read over its warm-up (`signal_ops.stream_frame_s`); a live pass's window carries the stream's
(`SignalTrack.frame_s`). Read as the median interval of the frames at hand, as before, a prefix
of a variable-frame-rate take, or a window that starts later, got other window widths than the
whole take: its holds, blinks, expressions and gestures moved. Real phone footage is variable
frame rate (`../shared/clips/face_noface.mov` runs at 30 fps for its first half second, 24 after).

Checked on the sample takes' real landmarks with the frames re-timed unevenly (each interval 0.5
to 1.5 times the nominal, and the first 4 s at 2/3 of the rate, as a phone in low light), their
signals computed from the re-timed landmarks, and on a synthetic stream of nods and shakes.
"""

from __future__ import annotations

import numpy as np
import pytest

from rehearse.analysis.event_settings import EventSettings, GestureSettings
from rehearse.analysis.events import Event, blendshapes_of, detect_events
from rehearse.analysis.events.blinks import closure_depths
from rehearse.analysis.events.gestures import detect_gestures, settle_after_end_s
from rehearse.analysis.events.signal_ops import stream_frame_s
from rehearse.analysis.events.stream_levels import BLOCK_S, HISTORY_S, warm_up_end_s
from rehearse.analysis.settings import SignalSettings
from rehearse.analysis.signals import compute_signals
from rehearse.analysis.tracks import LandmarkTrack, SignalTrack
from rehearse.live.incremental import LIVE_KINDS, LONGEST_REACH_S, take_wide
from rehearse.live.settle import decided_end_s, settle_after_end

SETTINGS = EventSettings()


def _uneven_times(count: int, frame_s: float, seed: int) -> np.ndarray:
    """`count` frame times from 0: each interval 0.5-1.5 x `frame_s`, 1.5 x longer in the first 4 s."""
    steps = frame_s * np.random.default_rng(seed).uniform(0.5, 1.5, count - 1)
    steps[np.cumsum(steps) < 4.0] *= 1.5
    return np.concatenate(([0.0], np.cumsum(steps)))


def _stream(tracks: list[dict[str, LandmarkTrack]], seed: int) -> tuple[SignalTrack, dict[str, LandmarkTrack]]:
    """The takes' landmarks back to back on uneven frame times, and their signals."""
    parts = sorted(tracks[0])
    count = sum(t[parts[0]].times.size for t in tracks)
    times = _uneven_times(count, float(np.median(np.diff(tracks[0][parts[0]].times))), seed)
    joined = {part: LandmarkTrack(part, times, np.concatenate([t[part].points for t in tracks]),
                                  np.concatenate([t[part].confidence for t in tracks]), tracks[0][part].image_size)
              for part in parts}
    signals = compute_signals(joined)
    # the cache stores signals as float32 and offline events are detected on that
    return SignalTrack(times, {name: np.asarray(v, np.float32) for name, v in signals.values.items()}), joined


def _frames(signals: SignalTrack, tracks: dict[str, LandmarkTrack], first: int, end: int):
    sliced = SignalTrack(signals.times[first:end], {name: v[first:end] for name, v in signals.values.items()})
    return sliced, {part: LandmarkTrack(part, t.times[first:end], t.points[first:end], t.confidence[first:end],
                                        t.image_size) for part, t in tracks.items()}


def _events(signals: SignalTrack, tracks: dict[str, LandmarkTrack]) -> list[Event]:
    """What live shows, but expressions read from the face's geometry: those still read the take's
    resting geometry (`incremental.take_wide`), so no prefix is sure to give them (the sample takes'
    resting faces saturate mouthSmile: their smiles come from geometry)."""
    return [e for e in detect_events(signals, None, settings=SETTINGS, landmarks=tracks)
            if e.kind in LIVE_KINDS and not take_wide(e)]


def _settled_by(event: Event, newest: float) -> bool:
    return decided_end_s(event) + settle_after_end(event, SETTINGS, SignalSettings()) <= newest


def _key(event: Event) -> tuple:
    return event.kind, event.label, event.scope, event.side


def _unmatched(ours: list[Event], theirs: list[Event], frame: float) -> list[Event]:
    return [e for e in ours if not any(_key(o) == _key(e) and abs(o.start_s - e.start_s) <= frame * 1.01
                                       and abs(o.end_s - e.end_s) <= frame * 1.01 for o in theirs)]


@pytest.mark.models
def test_events_on_a_prefix_of_a_variable_frame_rate_take_are_the_whole_takes(sample_analyses):
    """Each sample take re-timed, cut every 0.4 s: every blink, closure, hold, expression and gesture
    settled at the cut (the live side's settle time after its end, and the warm-up known) is the
    whole take's within a frame, both ways. Failed before the stream-wide interval: holds moved
    (01-1A-1: a face hold 0.135-0.613 s read 0.135-0.781 s on prefixes; a 2 s window 43-52 frames)."""
    problems, compared, kinds = [], 0, set()
    for seed, (name, analysis) in enumerate(sample_analyses.items()):
        signals, tracks = _stream([analysis.landmarks], seed)
        times = signals.times
        frame = float(np.median(np.diff(times)))
        whole = _events(signals, tracks)
        ready = warm_up_end_s(float(times[0]))
        for cut_s in np.arange(1.0, float(times[-1]), 0.4):
            count = int(np.searchsorted(times, cut_s, side="right"))
            newest = float(times[count - 1])
            found = _events(*_frames(signals, tracks, 0, count))
            settled = [e for e in whole if _settled_by(e, newest) and ready <= newest]
            missing = _unmatched(settled, found, frame)
            extra = _unmatched([e for e in found if _settled_by(e, newest) and ready <= newest], whole, frame)
            problems += [f"{name} cut at {newest:.2f} s: {e.kind} {e.label or e.scope} {e.start_s:.3f}-{e.end_s:.3f} "
                         f"{where}" for where, group in (("whole take only", missing), ("prefix only", extra))
                         for e in group]
            compared += len(settled)
            kinds |= {e.kind for e in settled}
    assert kinds >= {"blink", "hold", "expression", "gesture"}, kinds
    assert compared >= 300, compared
    assert not problems, "\n".join(problems[:20])


@pytest.mark.models
def test_events_in_a_live_pass_window_of_a_variable_frame_rate_stream_are_the_whole_streams(sample_analyses):
    """01-1A-1..3 back to back twice (48 s), re-timed: a live pass reads a window of the last frames
    (`IncrementalEvents`, PASS_READS_S) with the stream's frame interval. Every event whose levels
    the window reads whole (it starts HISTORY_S + a block + the longest reach after the window's
    first frame, the live side's `_exact`) is the whole stream's within a frame, both ways, and so
    is every frame's blink depth there (blendshapes, what live shows). Failed before: the window's
    own median interval sized the windows (holds: 2 face holds moved; blinks: the open level's
    width came from the window's first 0.6 s, 114-167 frames' depths differed by up to 0.02)."""
    takes = [sample_analyses[name].landmarks for name in ("01-1A-1", "01-1A-2", "01-1A-3")] * 2
    signals, tracks = _stream(takes, seed=7)
    times = signals.times
    frame = float(np.median(np.diff(times)))
    whole = _events(signals, tracks)
    whole_depths = closure_depths(signals, SETTINGS.blink, None, blendshapes_of(tracks, times))["both"]
    stream_s = stream_frame_s(times)
    problems, compared, kinds = [], 0, set()
    for start_s in (1.3, 3.1, 5.0):
        first = int(np.searchsorted(times, start_s))
        window, window_tracks = _frames(signals, tracks, first, times.size)
        window.frame_s = stream_s
        found = _events(window, window_tracks)
        exact_from = float(times[first]) + HISTORY_S + BLOCK_S + LONGEST_REACH_S
        depths = closure_depths(window, SETTINGS.blink, None, blendshapes_of(window_tracks, window.times))["both"]
        lo, hi = int(np.searchsorted(times, exact_from)), int(np.searchsorted(times, times[-1] - LONGEST_REACH_S))
        differ = ~np.isclose(depths[lo - first:hi - first], whole_depths[lo:hi], rtol=0, atol=1e-9, equal_nan=True)
        if differ.any():
            problems.append(f"window from {times[first]:.2f} s: blink depth differs on {int(differ.sum())} frames "
                            f"of {hi - lo}, first at {times[lo + int(np.argmax(differ))]:.3f} s")

        def exact(event: Event, exact_from: float = exact_from) -> bool:
            return event.start_s >= exact_from

        missing = _unmatched([e for e in whole if exact(e)], found, frame)
        extra = _unmatched([e for e in found if exact(e)], whole, frame)
        problems += [f"window from {times[first]:.2f} s: {e.kind} {e.label or e.scope} {e.start_s:.3f}-{e.end_s:.3f} "
                     f"{where}" for where, group in (("whole stream only", missing), ("window only", extra))
                     for e in group]
        compared += sum(1 for e in whole if exact(e))
        kinds |= {e.kind for e in whole if exact(e)}
    assert kinds >= {"blink", "hold", "expression", "gesture"}, kinds
    assert compared >= 30, compared
    assert not problems, "\n".join(problems[:20])


@pytest.mark.parametrize("seed", [2, 3])
def test_nods_and_shakes_on_a_prefix_of_a_variable_frame_rate_stream_are_the_whole_streams(seed):
    """The sample takes do not nod: a synthetic stream (measured FaceMesh noise) with two nods, a
    shake and head turns, its frames 0.5-1.5 x 1/30 s apart and 1.5 x further apart after 4 s (a
    phone dropping its rate in low light), cut every 0.1 s. The nods' running level is read over a
    centred SWING_LEVEL_S (2 s then): sized by the median interval of the frames at hand, its width moved with the cut
    (before: 186 and 14 of ~810 comparisons differed with these two draws)."""
    from tools.synthetic_streams import synthesize_signals

    settings = GestureSettings()
    truth = [{"kind": "gesture", "label": "nod", "start_s": 1.6, "end_s": 2.2},
             {"kind": "gesture", "label": "nod", "start_s": 2.9, "end_s": 3.6},
             {"kind": "gesture", "label": "head_turn", "side": "left", "start_s": 4.4, "end_s": 5.1},
             {"kind": "gesture", "label": "shake", "start_s": 6.0, "end_s": 7.0},
             {"kind": "gesture", "label": "head_turn", "side": "right", "start_s": 7.6, "end_s": 8.3},
             {"kind": "gesture", "label": "head_turn", "side": "left", "start_s": 9.0, "end_s": 10.2}]
    drawn = synthesize_signals(truth, duration_s=11.5, fps=30.0, vfr=True, seed=seed)
    steps = np.diff(drawn.times)
    steps[drawn.times[1:] > 4.0] *= 1.5
    times = np.concatenate(([0.0], np.cumsum(steps)))
    stream = SignalTrack(times, drawn.values)
    frame = float(np.median(np.diff(times)))
    whole = detect_gestures(stream, settings)
    assert {"nod", "shake"} <= {e.label for e in whole}, whole
    problems, compared = [], 0
    for cut_s in np.arange(1.0, float(times[-1]), 0.1):
        count = int(np.searchsorted(times, cut_s, side="right"))
        newest = float(times[count - 1])
        found = detect_gestures(SignalTrack(times[:count], {n: v[:count] for n, v in stream.values.items()}), settings)

        def settled(event: Event, newest: float = newest) -> bool:
            return event.end_s <= newest - settle_after_end_s(event.label, settings)

        problems += [f"cut at {newest:.2f} s: {e.label} {e.start_s:.3f}-{e.end_s:.3f} {where}"
                     for where, group in (("whole only", _unmatched([e for e in whole if settled(e)], found, frame)),
                                          ("prefix only", _unmatched([e for e in found if settled(e)], whole, frame)))
                     for e in group]
        compared += sum(1 for e in whole if settled(e) and e.label in ("nod", "shake"))
    assert compared >= 40, compared
    assert not problems, "\n".join(problems[:20])


def test_the_stream_frame_interval_is_the_takes_at_a_constant_rate_and_the_same_on_every_prefix():
    """`stream_frame_s`: on a constant frame rate the take's median interval (so windows on such
    takes are as before), from the warm-up's frames on the same for every prefix of an uneven
    stream, and read over the first frames when the warm-up holds fewer than two (a 2 fps stream
    read 1/30 s, the default for one frame)."""
    from rehearse.analysis.events.signal_ops import frame_interval

    for fps in (23.976, 24.0, 25.0, 29.97, 30.0, 50.0, 59.94, 60.0):
        times = np.round(np.arange(600) / fps, 6)  # timestamps as a decoder gives them, rounded
        assert stream_frame_s(times) == pytest.approx(frame_interval(times), abs=1e-6), fps
    times = _uneven_times(400, 1 / 30, seed=3)
    warm = int(np.searchsorted(times, warm_up_end_s(0.0)))
    assert len({stream_frame_s(times[:n]) for n in range(warm, times.size)}) == 1
    assert stream_frame_s(times) != frame_interval(times)  # the whole take's median is not the warm-up's
    assert stream_frame_s(np.arange(10) * 0.5) == 0.5
