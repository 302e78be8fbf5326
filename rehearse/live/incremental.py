"""Events detected while a take plays: the offline detectors re-run over recent frames, each event emitted once final.

`IncrementalEvents` keeps the landmarks of the frames analysed so far (up to `history_s`),
and every `every_s` of stream time turns them into signals and runs `detect_events` on them,
exactly as an offline analysis does on a whole take. Times are the frames' own stream times,
so they are those an offline analysis of the recording gives.

An event is final (`update()` emits it then; `finish()` emits what is left when the stream
ends) once the frames its detector reads after its end have arrived (`settle.settle_after_end`,
counted from the newest frame whose inputs are final, `settle.reads`) and the warm-up's shared
level is known (`stream_levels.warm_up_end_s`): detectors read their levels over the frames
before each frame's block (`stream_levels`), so later frames cannot change it. A pass is run
every `every_s`, and as soon as an event seen by the last pass reaches that time.

Events of detectors that still read a level over the whole take (`take_wide`) cannot be final
before the take ends: for them the stream waits LEVELS_SETTLED_S.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from rehearse.analysis.events import Event, EventSettings, detect_events
from rehearse.analysis.events.signal_ops import WARM_FRAMES_MIN, stream_frame_s
from rehearse.analysis.events.stream_levels import BLOCK_S, HISTORY_S, warm_up_end_s
from rehearse.analysis.face_signals import MOTION_MAX_SPAN_S
from rehearse.analysis.landmarks import FrameLandmarks, LandmarkSettings, tracks_from_frames
from rehearse.analysis.signals import SignalSettings
from rehearse.analysis.tracks import SignalTrack
from rehearse.live.rest_carry import carry_rest_levels
from rehearse.live.settle import FACE, HANDS, POSE, decided_end_s, reads, settle_after_end
from rehearse.live.state import LiveState, update_state
from rehearse.live.tail_signals import tail_signals

FIRST_PASS_S = 0.5
"""Frames must span this much stream time (s) before the first detection pass (a blink's open
level is read over the half second before it at least)."""

LEVELS_SETTLED_S = 2.0
"""Events of a `take_wide` detector wait until the frames span this much stream time (s): its level
is read over the whole take and taken as settled then (only expressions from the face's geometry
now). Measured when holds still read take-wide limits: with 1 s a slow idle drift at the stream's
start read as a 0.5 s face hold the whole take does not have."""

def take_wide(event: Event) -> bool:
    """The event's detector still reads a level over the whole take, so it may change as long as
    the take runs: an expression read from the face's geometry (its resting geometry is the
    take's, `expressions.expression_strengths`; blendshape expressions read stream levels). Such
    events wait for LEVELS_SETTLED_S of picture."""
    return event.kind == "expression" and "peak_displacement_iod" in event.values


MIN_FRAMES = 10
"""Fewer frames than this are never run through the detectors (their windows need a few)."""

_SIGNAL_SETTLED_S = 1.0
"""Signals of frames this far (s) behind the newest no longer change (> 2 x MOTION_MAX_SPAN_S)."""

LONGEST_REACH_S = 2.0
"""No detector reads further than this (s) either side of a frame (the longest, the centred running
level nods and shakes are read against, reads SWING_LEVEL_S / 2 = 0.8 s): the history kept must hold
HISTORY_S of levels before it."""

MIN_HISTORY_S = HISTORY_S + BLOCK_S + LONGEST_REACH_S
"""Less history than this would read some frames' levels over fewer frames than offline does."""

PASS_READS_S = 10.0
"""The detectors of a pass read the frames of the last PASS_READS_S (from the start of an event
the last pass saw ending in them, if earlier: LONGEST_WIDENING_S) and the MIN_HISTORY_S before, not
all the history kept: events there are decided as over the whole history (their levels read
HISTORY_S back), and a pass costs the same after two minutes as after a minute (measured:
benchmarks/bench_live_hands.py). Longer than any event's wait for its inputs and settling (hands
walked back: up to ~3 s)."""

LONGEST_WIDENING_S = 20.0
"""An event still going on widens the window back to its start by at most this (s). A longer one (a
long body hold) keeps the start an earlier pass found while it was inside that pass's window."""

LIVE_KINDS = ("blink", "eyes_closed", "hold", "expression", "gesture")
"""What is shown live: blinks, eye closures, holds (face, and body from the motion energy below
the face), expressions and gestures (hand to face, hand raises, leans, shoulder turns, head
turns, nods and shakes: the body path, Pose and Hands on the offline schedule)."""

@dataclass(frozen=True)
class _Snapshot:
    """What a detection pass reads, taken at once under the lock."""

    frames: list[FrameLandmarks]
    trimmed: int
    """Frames trimmed from the front before this snapshot."""
    cached: dict[str, np.ndarray]
    """Signals of the first `cached_count` frames, kept from earlier passes."""
    cached_count: int
    unsettled: int = 0
    """How many of the latest frames the extractor may still change."""
    rest_known: Mapping[str, np.ndarray] | None = None
    """Gesture rest levels of the first frames, final (`IncrementalEvents._rest_known`)."""


def _frame_s(frames: list[FrameLandmarks]) -> float:
    """The frame interval (s): median over the newest frames."""
    times = np.array([f.t for f in frames[-30:]])
    return float(np.median(np.diff(times))) if times.size > 1 else 0.04


def _same(a: Event, b: Event, slack_s: float) -> bool:
    return (a.kind == b.kind and a.label == b.label and a.scope == b.scope
            and abs(a.start_s - b.start_s) <= slack_s and abs(a.end_s - b.end_s) <= slack_s)


class IncrementalEvents:
    """Feed `add(frame_landmarks)` in time order; `update()` returns the events that became final."""

    def __init__(self, landmark_settings: LandmarkSettings, signal_settings: SignalSettings | None = None,
                 event_settings: EventSettings | None = None, *, settle_s: float | None = None,
                 every_s: float = 0.2, history_s: float = 120.0,
                 beat_marks: Mapping[str, float] | None = None, kinds: tuple[str, ...] = LIVE_KINDS,
                 hold_scopes: tuple[str, ...] = ("face", "body")):
        if history_s < MIN_HISTORY_S:
            raise ValueError(f"history_s must be at least {MIN_HISTORY_S:g} s (levels are read over "
                             f"{HISTORY_S:g} s before a frame), not {history_s:g}")
        self.landmark_settings = landmark_settings
        self.signal_settings = signal_settings or SignalSettings()
        self.event_settings = event_settings or EventSettings()
        self.settle_s = settle_s
        self.every_s = every_s
        self.history_s = history_s
        self.beat_marks = dict(beat_marks or {})
        self.kinds = kinds
        self.hold_scopes = hold_scopes
        self.frames: list[FrameLandmarks] = []
        self.emitted: list[Event] = []
        self.state = LiveState()
        self._first_t: float | None = None
        """Stream time of the first frame added (the warm-up's levels are read from it)."""
        self._frame_s: float | None = None
        """The stream's frame interval, read over its warm-up once that has arrived: the detectors
        size their windows by it (`signal_ops.stream_frame_s`), and a pass's window of the history
        does not start where the stream does."""
        self._last_pass_t: float | None = None
        self._wake_t = float("inf")
        """Stream time at which an event the last pass saw becomes final: a pass is due then."""
        self._body_from_energy = True
        """The last pass read body holds from the motion energy (every frame), not from Pose."""
        self._geometry = landmark_settings.blendshapes == "off"
        """The last pass had no blendshape scores: blinks and expressions come from geometry."""
        self._cached: dict[str, np.ndarray] = {}
        self._cached_count = 0
        self._trimmed = 0
        """Frames trimmed from the front so far (history_s): a pass's snapshot is shifted by the
        ones trimmed while it ran."""
        self._unsettled = 0
        self._rest_known: dict[str, np.ndarray] = {}
        """Gesture rest levels (`gestures.gesture_rest_levels`) of the first frames kept, read by
        earlier passes once every frame before them had final signals: final. A frame's rest level
        reads the rest state of every earlier frame (`stream_levels.stream_rest_level`), so a pass
        over a later window reads its front's levels from here, not from its own frames."""
        self._previous_events: list[Event] = []
        """Events the last pass decided as offline does (an open one widens the next window)."""
        self._carried: set[int] = set()
        """ids of this pass's events whose start an earlier pass found (`_carry`)."""
        self._lock = threading.Lock()
        self.pass_seconds: list[float] = []
        """Wall time of each detection pass, in seconds (signals + detectors)."""

    def add(self, frame: FrameLandmarks, unsettled: int = 0) -> None:
        """One analysed frame (later than the last one added); safe while a pass runs in another
        thread. `unsettled`: how many of the latest frames the extractor may still change (a hand
        found later is walked back over them: `LandmarkExtractor.unsettled`); their signals are
        computed again by every pass until they are settled."""
        with self._lock:
            if self._first_t is None:
                self._first_t = frame.t
            if (self._frame_s is None and frame.t >= warm_up_end_s(self._first_t)
                    and len(self.frames) >= WARM_FRAMES_MIN):
                # every frame of the warm-up is here: never dropped (`LiveSource`), not yet trimmed
                self._frame_s = stream_frame_s(np.array([f.t for f in self.frames]))
            self.frames.append(frame)
            self._unsettled = unsettled
            oldest = frame.t - self.history_s
            if self.frames[0].t < oldest:
                drop = sum(1 for f in self.frames if f.t < oldest)
                self.frames = self.frames[drop:]
                self._cached = {name: v[drop:] for name, v in self._cached.items()}
                self._cached_count = max(0, self._cached_count - drop)
                self._rest_known = {name: v[drop:] for name, v in self._rest_known.items()}
                self._trimmed += drop
        self.state.t_s = frame.t
        self.state.face = frame.face is not None

    def due(self) -> bool:
        """A detection pass is due: `every_s` of stream time since the last one, or an event the
        last pass saw has become final (its settle time is reached)."""
        if not self.frames:
            return False
        newest = self.frames[-1].t
        return self._last_pass_t is None or newest - self._last_pass_t >= self.every_s or newest >= self._wake_t

    def update(self) -> list[Event]:
        """Run the detectors over the frames kept; the events that became final, in time order.

        Reads a snapshot of the frames, so `add` may go on in another thread meanwhile (the live
        session runs passes beside the models); one pass at a time."""
        with self._lock:
            if not self._enough():
                return []
            snapshot = self._snapshot()
            self._last_pass_t = snapshot.frames[-1].t
        frames = snapshot.frames
        events, signals = self._detect(snapshot)
        self._update_state(events, signals, frames[-1].t, frames)
        frame_s = _frame_s(frames)
        self._body_from_energy = bool(np.isfinite(signals.values.get("body_motion", np.array([np.nan]))).any())
        self._geometry = self.landmark_settings.blendshapes == "off" or all(f.blendshapes is None for f in frames)
        final_at = self._final_at(snapshot)
        settled = frames[-1].t - frames[0].t >= LEVELS_SETTLED_S or self._trimmed > 0
        final, wake = [], float("inf")
        for event in events:
            ready = self._ready_at(event, final_at)
            if not settled and take_wide(event):
                ready = max(ready, frames[0].t + LEVELS_SETTLED_S)
            if ready <= frames[-1].t:
                final.append(event)
            elif not self._was_emitted(event, frame_s):
                wake = min(wake, ready)
        fresh = self._new([e for e in final if self._exact(e, snapshot, signals)], frame_s)
        self._wake_t = wake
        return fresh

    def finish(self) -> list[Event]:
        """The stream ended: every event not yet emitted is final now (call once no pass runs)."""
        with self._lock:
            if not self._enough():
                return []
            snapshot = self._snapshot()
        events, signals = self._detect(snapshot)
        return self._new([e for e in events if self._exact(e, snapshot, signals)], _frame_s(snapshot.frames))

    # -- inside ---------------------------------------------------------------------------------

    def _enough(self) -> bool:
        """The detectors need FIRST_PASS_S of frames before anything can be final."""
        return len(self.frames) >= MIN_FRAMES and self.frames[-1].t - self.frames[0].t >= FIRST_PASS_S

    def settle_after_end(self, event: Event) -> float:
        """How long after its end an event can still change: `settle_s` when given, else what its
        detector reads after an end (`settle.settle_after_end`)."""
        if self.settle_s is not None:
            return self.settle_s
        return settle_after_end(event, self.event_settings, self.signal_settings, geometry=self._geometry,
                                body_from_energy=self._body_from_energy)

    def _final_at(self, snapshot: _Snapshot) -> dict[str, float]:
        """Per input (face, pose, hands): the newest frame time whose values no longer change. Body
        signals are interpolated between Pose samples (the frames after the last one still move);
        hands may still be walked back over the extractor's unsettled frames."""
        frames = snapshot.frames
        newest = frames[-1].t
        sampled = [f.t for f in frames[-64:] if f.pose_sampled] if self.landmark_settings.pose else []
        open_from = len(frames) - snapshot.unsettled
        hands = frames[open_from - 1].t if snapshot.unsettled and open_from > 0 else newest
        if snapshot.unsettled >= len(frames):
            hands = -float("inf")
        return {FACE: newest, POSE: sampled[-1] if sampled else newest, HANDS: hands}

    def _ready_at(self, event: Event, final_at: Mapping[str, float]) -> float:
        """Stream time of the newest frame at which `event` is final (see the module docstring)."""
        settle = self.settle_after_end(event)
        waits = max(final_at[FACE] - final_at[part] for part in reads(event, self._body_from_energy))
        warm = warm_up_end_s(self._first_t if self._first_t is not None else 0.0)
        return max(decided_end_s(event) + settle + waits, warm)

    def _exact(self, event: Event, snapshot: _Snapshot, signals: SignalTrack) -> bool:
        """The event's frames read their levels over as many frames as offline does: once the front
        of the history is trimmed, or the pass read a later window of it (`signals`, PASS_READS_S),
        its first HISTORY_S read fewer (those events were shown before), unless an earlier pass
        found its start (`_carry`)."""
        first_t = float(signals.times[0])
        whole = snapshot.trimmed == 0 and first_t <= snapshot.frames[0].t
        return whole or event.start_s - LONGEST_REACH_S >= first_t + HISTORY_S + BLOCK_S or id(event) in self._carried

    def _carry(self, event: Event, first_t: float) -> Event:
        """An event starting where this window's levels are not whole that the last pass decided
        too, starting earlier (a long hold running through the window's front): its start is that
        pass's."""
        if event.start_s - LONGEST_REACH_S >= first_t + HISTORY_S + BLOCK_S:
            return event
        for seen in self._previous_events:
            if ((seen.kind, seen.label, seen.scope, seen.side) == (event.kind, event.label, event.scope, event.side)
                    and seen.start_s < event.start_s <= seen.end_s + BLOCK_S):
                values = dict(event.values)
                if "duration_ms" in values:
                    values["duration_ms"] = round((event.end_s - seen.start_s) * 1000, 1)
                carried = event.model_copy(update={"start_s": seen.start_s, "values": values})
                self._carried.add(id(carried))
                return carried
        return event

    def _was_emitted(self, event: Event, frame_s: float) -> bool:
        return any(_same(event, old, frame_s * 1.01) for old in self.emitted)

    def warm_up(self) -> None:
        """Run the detectors once over a few face-less frames (nothing kept): the first pass of a
        stream otherwise pays for their first call (~0.3 s measured), late by that much."""
        spare = IncrementalEvents(self.landmark_settings, self.signal_settings, self.event_settings)
        for i in range(MIN_FRAMES * 3):
            spare.add(FrameLandmarks(i, i / 25, (64, 48)))
        spare.update()

    def _snapshot(self) -> _Snapshot:
        """The frames kept and the signals cached for them, as they are now (hold the lock)."""
        return _Snapshot(list(self.frames), self._trimmed, self._cached, min(self._cached_count, len(self.frames)),
                         self._unsettled, self._rest_known)

    def _pass_start(self, snapshot: _Snapshot) -> int:
        """Index of the first frame the detectors read this pass (PASS_READS_S)."""
        frames = snapshot.frames
        newest = frames[-1].t
        reads_from = newest - PASS_READS_S
        starts = [e.start_s for e in self._previous_events if e.end_s >= reads_from]
        reads_from = max(min([reads_from, *starts]), reads_from - LONGEST_WIDENING_S)
        start = reads_from - MIN_HISTORY_S
        if frames[0].t >= start:
            return 0
        return int(np.searchsorted(np.array([f.t for f in frames]), start))

    def _detect(self, snapshot: _Snapshot) -> tuple[list[Event], SignalTrack]:
        started = time.perf_counter()
        # Every part over every frame kept, as an offline analysis hands them to the detectors
        # (blendshapes; the face and pose for the hand-to-face zone and collar touches).
        # Assembled from a Pose sample at or before the window (Pose is interpolated between samples).
        signals = self._signals(snapshot)
        first = self._pass_start(snapshot)
        sampled = [i for i in range(first, -1, -1) if snapshot.frames[i].pose_sampled][:1] if first else []
        start = sampled[0] if sampled else 0
        tracks = tracks_from_frames(snapshot.frames[start:], self.landmark_settings)
        if first:  # the detectors read the pass's window only (PASS_READS_S)
            cut = first - start
            tracks = {part: track.window(cut) for part, track in tracks.items()}
            signals = SignalTrack(signals.times[first:], {name: v[first:] for name, v in signals.values.items()})
        # Before the warm-up has arrived the frames start where the stream does: read from them.
        signals.frame_s = self._frame_s
        if "gesture" in self.kinds:
            signals.rest_levels = self._rest_levels(snapshot, signals, first)
        events = detect_events(signals, None, settings=self.event_settings, landmarks=tracks,
                               beat_marks=self.beat_marks or None)
        events = [e for e in events if e.kind in self.kinds and (e.kind != "hold" or e.scope in self.hold_scopes)]
        self._carried = set()
        if first:
            events = [self._carry(e, float(signals.times[0])) for e in events]
        self._previous_events = [e for e in events if self._exact(e, snapshot, signals)]
        self.pass_seconds.append(time.perf_counter() - started)
        return events, signals

    def _rest_levels(self, snapshot: _Snapshot, signals: SignalTrack, first: int) -> dict[str, np.ndarray]:
        """The gesture rest levels of the pass's window (from frame `first`), its front's read by
        earlier passes; those now final are kept for the next (`rest_carry`)."""
        times = np.array([f.t for f in snapshot.frames])
        settled = self._settled_count(snapshot, times)
        levels, kept = carry_rest_levels(
            signals, first, snapshot.rest_known or {}, settings=self.event_settings.gesture,
            first_s=self._first_t if self._first_t is not None else times[0],
            final_before_s=times[settled] if settled < times.size else float("inf"),
            from_stream_start=snapshot.trimmed == 0)
        with self._lock:
            shift = self._trimmed - snapshot.trimmed
            self._rest_known = {name: v[shift:] for name, v in kept.items()}
        return levels

    def _settled_count(self, snapshot: _Snapshot, times: np.ndarray) -> int:
        """How many of the snapshot's first frames have final signals (kept between passes)."""
        frames = snapshot.frames
        # Frames the extractor may still change count as new: signals this close to them stay open.
        first_open = times[max(0, len(frames) - max(1, snapshot.unsettled))]
        settled = int(np.searchsorted(times, first_open - _SIGNAL_SETTLED_S))
        samples = [i for i, f in enumerate(frames) if f.pose_sampled] if self.landmark_settings.pose else []
        return min(settled, samples[-1]) if samples else settled

    def _signals(self, snapshot: _Snapshot | None = None) -> SignalTrack:
        """Signals of every frame kept, as `compute_signals` gives them over the whole stretch.

        Every face signal depends only on frames within MOTION_MAX_SPAN_S of it, so the frames
        older than `_SIGNAL_SETTLED_S` are kept from earlier passes and only the tail is computed
        again (with a margin before it): a pass costs the same after an hour as after a minute.
        Body signals also depend on the Pose samples either side (interpolated between them) and
        tremor on a centred `tremor_window_s` (0.5 s): both inside the same reach. Signals scaled by
        a stream level read the frames before the tail too (`tail_signals`)."""
        if snapshot is None:
            with self._lock:
                snapshot = self._snapshot()
        # Frames trimmed from the front since the snapshot are counted in `_trimmed`: the cache is
        # shifted by as many when it is stored back.
        frames, trimmed, cached, kept = snapshot.frames, snapshot.trimmed, snapshot.cached, snapshot.cached_count
        times = np.array([f.t for f in frames])
        margin_start = int(np.searchsorted(times, times[kept] - 2 * MOTION_MAX_SPAN_S)) if kept < len(frames) else kept
        samples = np.flatnonzero([f.pose_sampled for f in frames]) if self.landmark_settings.pose else np.array([], int)
        if samples.size:
            # A body signal between two Pose samples is interpolated from both: the tail starts at a
            # sample (so its frames interpolate as before) and frames after the last one stay open.
            before = samples[samples <= margin_start]
            margin_start = int(before[-1]) if before.size else 0
        tail = tail_signals(frames, margin_start, self.landmark_settings, self.signal_settings)
        skip = kept - margin_start
        # The cache stores signals as float32 and offline events are detected on that: do the same.
        values = {}
        for name, column in tail.items():
            fresh = np.asarray(column[skip:], np.float32)
            old = cached.get(name)
            values[name] = np.concatenate([old[:kept], fresh]) if old is not None and kept else fresh
        settled = self._settled_count(snapshot, times)
        with self._lock:
            shift = self._trimmed - trimmed
            self._cached = {name: v[shift:settled] for name, v in values.items()}
            self._cached_count = max(0, settled - shift)
        return SignalTrack(times, values)

    def _new(self, final: list[Event], frame_s: float) -> list[Event]:
        """Events not emitted before (an event seen again with edges moved by under a frame is the same)."""
        slack = frame_s * 1.01
        fresh = []
        for event in final:
            if any(_same(event, old, slack) or (event.kind == old.kind and event.label == old.label
                   and event.scope == old.scope and event.start_s < old.end_s and old.start_s < event.end_s) for old in self.emitted):
                continue
            fresh.append(event)
            self.emitted.append(event)
        return sorted(fresh, key=lambda e: e.start_s)

    def _update_state(self, events: list[Event], signals: SignalTrack, newest: float,
                      frames: list[FrameLandmarks]) -> None:
        update_state(self.state, events, signals, newest, 2 * _frame_s(frames))
