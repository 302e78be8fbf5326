"""Events detected while a take plays: the offline detectors re-run over recent frames, each event emitted once final.

`IncrementalEvents` keeps the landmarks of the frames analysed so far (up to `history_s`),
and every `every_s` of stream time turns them into signals and runs `detect_events` on them,
exactly as an offline analysis does on a whole take. Times are the frames' own stream times,
so they are those an offline analysis of the recording gives.

When an event can no longer change (`update()` emits it then; `finish()` emits what is left
when the stream ends):
- its end lies far enough before the newest frame for what its detector reads after an end
  (`settle_after_end`: the span speeds, the bridge over a twitch, the edge fit's reach; 0.5 s for a hold,
  0.3 s for the others with the default settings) and the previous pass found it too;
- and it does not hang on a take-wide level the stream has not settled yet. A hold is decided
  against the take's still level (its limit is raised above the still frames' jitter, or set at
  the split between still and moving frames), which the first second of a stream cannot know: a
  slow idle drift there reads as still. So a hold is final early only if it also comes out the
  same under the lowest limit the detector ever uses (`face_motion_max`, `body_motion_max`):
  more frames can only move the limit up from there, and a hold found under both is still
  there. Others wait until the frames span LEVELS_SETTLED_S, as do gestures measured from the
  take's baseline (leans, hand raises, shoulder and head turns). Blinks and eye closures are read
  against the open level of the last second (`blendshape_window_s`), hand to face against a
  fixed distance, nods and shakes against a running level: they need only the frames before
  them, FIRST_PASS_S.
"""

from __future__ import annotations

import threading
import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from rehearse.analysis.events import Event, EventSettings, detect_events
from rehearse.analysis.events.gestures import FROM_TAKE_BASELINE, SWING_LEVEL_S
from rehearse.analysis.events.holds import detect_holds
from rehearse.analysis.face_signals import MOTION_MAX_SPAN_S
from rehearse.analysis.landmarks import FrameLandmarks, LandmarkSettings, tracks_from_frames
from rehearse.analysis.signals import SignalSettings, compute_signals
from rehearse.analysis.tracks import LandmarkTrack, SignalTrack

FIRST_PASS_S = 0.5
"""Frames must span this much stream time (s) before the first detection pass (a blink's open
level is read over the half second before it at least)."""

LEVELS_SETTLED_S = 2.0
"""After this much stream time (s) the take-wide levels (the hold limit's still level) are taken
as settled: every event is then final once it settled after its end. Before it, only events that
do not depend on them are (see the module docstring). Measured on the sample takes: with 1 s a
slow idle drift at the stream's start read as a 0.5 s face hold the whole take does not have."""

MIN_FRAMES = 10
"""Fewer frames than this are never run through the detectors (their windows need a few)."""

_SIGNAL_SETTLED_S = 1.0
"""Signals of frames this far (s) behind the newest no longer change (> 2 x MOTION_MAX_SPAN_S)."""

LIVE_KINDS = ("blink", "eyes_closed", "hold", "expression", "gesture")
"""What is shown live: blinks, eye closures, holds (face, and body from the motion energy below
the face), expressions and gestures (hand to face, hand raises, leans, shoulder turns, head
turns, nods and shakes: the body path, Pose and Hands on the offline schedule)."""

EXPRESSION_SIGNALS = {
    "smile": ("lip_corner_left", "lip_corner_right"),
    "brow raise": ("brow_raise_left", "brow_raise_right"),
    "mouth open": ("mouth_open",),
    "lip press": ("lip_press",),
}
"""Bars on the live screen: each is the mean of its signals' change from their median so far (IOD)."""


@dataclass
class LiveState:
    """What the face path shows at the newest analysed frame."""

    t_s: float = 0.0
    """Stream time of the newest analysed frame, in seconds."""
    face: bool = False
    """A face was tracked in the newest analysed frame."""
    holding_since_s: float | None = None
    """Start of the face hold still going on at the newest frame, in seconds; None when moving."""
    expression_change: dict[str, float] = field(default_factory=dict)
    """Per EXPRESSION_SIGNALS bar: change from the take's median so far, in IOD (+ = more)."""


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


def _frame_s(frames: list[FrameLandmarks]) -> float:
    """The frame interval (s): median over the newest frames."""
    times = np.array([f.t for f in frames[-30:]])
    return float(np.median(np.diff(times))) if times.size > 1 else 0.04


def _same(a: Event, b: Event, slack_s: float) -> bool:
    return (a.kind == b.kind and a.label == b.label and a.scope == b.scope
            and abs(a.start_s - b.start_s) <= slack_s and abs(a.end_s - b.end_s) <= slack_s)


def _take_wide_signals(values: dict[str, np.ndarray], tracks: dict[str, LandmarkTrack]) -> None:
    """The lid gaps over every frame kept: `face_signals.lid_gap` scales them by the take's median
    iris size, so the tail's own median would read them ~3 % off (not spliced, recomputed)."""
    from rehearse.analysis.face_signals import (
        LEFT_EYE_LIDS,
        LEFT_IRIS_RING,
        RIGHT_EYE_LIDS,
        RIGHT_IRIS_RING,
        face_axes,
        face_pixels,
        lid_gap,
    )

    face = tracks.get("face")
    if face is None or face.points.shape[1] <= max(LEFT_IRIS_RING + RIGHT_IRIS_RING) or "lid_gap_left" not in values:
        return
    px = face_pixels(face.points, face.image_size)
    _, _, iod, _, up = face_axes(px)
    for name, lids, ring in (("lid_gap_left", LEFT_EYE_LIDS, LEFT_IRIS_RING), ("lid_gap_right", RIGHT_EYE_LIDS, RIGHT_IRIS_RING)):
        values[name] = np.asarray(lid_gap(px, lids, ring, iod, up), np.float32)


class IncrementalEvents:
    """Feed `add(frame_landmarks)` in time order; `update()` returns the events that became final."""

    def __init__(self, landmark_settings: LandmarkSettings, signal_settings: SignalSettings | None = None,
                 event_settings: EventSettings | None = None, *, settle_s: float | None = None,
                 every_s: float = 0.2, history_s: float = 120.0,
                 beat_marks: Mapping[str, float] | None = None, kinds: tuple[str, ...] = LIVE_KINDS,
                 hold_scopes: tuple[str, ...] = ("face", "body")):
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
        self._last_pass_t: float | None = None
        self._previous: list[Event] = []
        self._cached: dict[str, np.ndarray] = {}
        self._cached_count = 0
        self._trimmed = 0
        self._unsettled = 0
        """Frames trimmed from the front so far (history_s): a pass's snapshot is shifted by the
        ones trimmed while it ran."""
        self._lock = threading.Lock()
        self.pass_seconds: list[float] = []
        """Wall time of each detection pass, in seconds (signals + detectors)."""

    def add(self, frame: FrameLandmarks, unsettled: int = 0) -> None:
        """One analysed frame (later than the last one added); safe while a pass runs in another
        thread. `unsettled`: how many of the latest frames the extractor may still change (a hand
        found later is walked back over them: `LandmarkExtractor.unsettled`); their signals are
        computed again by every pass until they are settled."""
        with self._lock:
            self.frames.append(frame)
            self._unsettled = unsettled
            oldest = frame.t - self.history_s
            if self.frames[0].t < oldest:
                drop = sum(1 for f in self.frames if f.t < oldest)
                self.frames = self.frames[drop:]
                self._cached = {name: v[drop:] for name, v in self._cached.items()}
                self._cached_count = max(0, self._cached_count - drop)
                self._trimmed += drop
        self.state.t_s = frame.t
        self.state.face = frame.face is not None

    def due(self) -> bool:
        """A detection pass is due (every `every_s` of stream time)."""
        if not self.frames:
            return False
        return self._last_pass_t is None or self.frames[-1].t - self._last_pass_t >= self.every_s

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
        newest = frames[-1].t
        events, signals = self._detect(snapshot)
        self._update_state(events, signals, newest, frames)
        frame_s = _frame_s(frames)
        settled = frames[-1].t - frames[0].t >= LEVELS_SETTLED_S
        floor_holds = [] if settled else self._holds_at_lowest_limit(signals)
        final = [e for e in events if e.end_s <= newest - self.settle_after_end(e)
                 and any(_same(e, p, frame_s) for p in self._previous)
                 and (settled or not self._needs_settled_levels(e, floor_holds, frame_s))]
        self._previous = events
        return self._new(final, frame_s)

    def finish(self) -> list[Event]:
        """The stream ended: every event not yet emitted is final now (call once no pass runs)."""
        with self._lock:
            if not self._enough():
                return []
            snapshot = self._snapshot()
        events, _ = self._detect(snapshot)
        return self._new(events, _frame_s(snapshot.frames))

    # -- inside ---------------------------------------------------------------------------------

    def _enough(self) -> bool:
        """The detectors need FIRST_PASS_S of frames before anything can be final."""
        return len(self.frames) >= MIN_FRAMES and self.frames[-1].t - self.frames[0].t >= FIRST_PASS_S

    def settle_after_end(self, event: Event) -> float:
        """How long after its end an event can still change: `settle_s` when given, else what its
        detector reads after an end. A hold: motion shorter than `bridge_s` does not end it, its
        speed is averaged over `glitch_s` and measured over spans of up to MOTION_MAX_SPAN_S, both
        centred, and its edge is fitted `edge_reach_s` either side (0.5 s with the defaults). Other
        kinds: a face lost for up to the blink's `max_gap_s` is bridged, and the span speeds."""
        if self.settle_s is not None:
            return self.settle_s
        if event.kind == "hold":
            hold = self.event_settings.hold
            return hold.bridge_s + hold.glitch_s / 2 + MOTION_MAX_SPAN_S / 2 + hold.edge_reach_s
        if event.kind == "gesture":
            if event.label in ("nod", "shake"):  # swings from the head's running, centred level
                return SWING_LEVEL_S / 2 + MOTION_MAX_SPAN_S / 2
            # hand gaps bridged (0.2 s), tremor over a centred window
            return max(0.2, self.signal_settings.tremor_window_s / 2) + MOTION_MAX_SPAN_S / 2
        return self.event_settings.blink.max_gap_s + MOTION_MAX_SPAN_S / 2

    def _needs_settled_levels(self, event: Event, floor_holds: list[Event], frame_s: float) -> bool:
        """The event hangs on a take-wide level the stream has not settled yet: a hold the lowest
        hold limit does not find the same, or a gesture measured from the take's baseline."""
        if event.kind == "hold":
            return not any(_same(event, f, frame_s) for f in floor_holds)
        return event.kind == "gesture" and event.label in FROM_TAKE_BASELINE

    def _holds_at_lowest_limit(self, signals: SignalTrack) -> list[Event]:
        """The holds found with the limits at their lowest (`face_motion_max`, `body_motion_max`):
        not raised above a still level, no still/moving split of the take (contrast never met)."""
        lowest = self.event_settings.hold.model_copy(update={
            "noise_factor": 0.0, "body_noise_factor": 0.0, "min_contrast": float("inf")})
        return [e for e in detect_holds(signals, lowest) if e.scope in self.hold_scopes]

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
                         self._unsettled)

    def _detect(self, snapshot: _Snapshot) -> tuple[list[Event], SignalTrack]:
        started = time.perf_counter()
        # Every part over every frame kept, as an offline analysis hands them to the detectors
        # (blendshapes; the face and pose for the hand-to-face zone and collar touches).
        tracks = tracks_from_frames(snapshot.frames, self.landmark_settings)
        signals = self._signals(tracks, snapshot)
        events = detect_events(signals, None, settings=self.event_settings, landmarks=tracks,
                               beat_marks=self.beat_marks or None)
        events = [e for e in events if e.kind in self.kinds and (e.kind != "hold" or e.scope in self.hold_scopes)]
        self.pass_seconds.append(time.perf_counter() - started)
        return events, signals

    def _signals(self, tracks: dict[str, LandmarkTrack] | None = None, snapshot: _Snapshot | None = None) -> SignalTrack:
        """Signals of every frame kept, as `compute_signals` gives them over the whole stretch.

        Every face signal depends only on frames within MOTION_MAX_SPAN_S of it, so the frames
        older than `_SIGNAL_SETTLED_S` are kept from earlier passes and only the tail is computed
        again (with a margin before it): a pass costs the same after an hour as after a minute.
        Body signals also depend on the Pose samples either side (interpolated between them) and
        tremor on a centred `tremor_window_s` (0.5 s): both inside the same reach."""
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
        tail = compute_signals(tracks_from_frames(frames[margin_start:], self.landmark_settings), self.signal_settings)
        skip = kept - margin_start
        # The cache stores signals as float32 and offline events are detected on that: do the same.
        values = {}
        for name, column in tail.values.items():
            fresh = np.asarray(column[skip:], np.float32)
            old = cached.get(name)
            values[name] = np.concatenate([old[:kept], fresh]) if old is not None and kept else fresh
        _take_wide_signals(values, tracks if tracks is not None else tracks_from_frames(frames, self.landmark_settings))
        # Frames the extractor may still change count as new: signals this close to them stay open.
        first_open = times[max(0, len(frames) - max(1, snapshot.unsettled))]
        settled = int(np.searchsorted(times, first_open - _SIGNAL_SETTLED_S))
        if samples.size:
            settled = min(settled, int(samples[-1]))
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
        reach = 2 * _frame_s(frames)
        ongoing = [e for e in events if e.kind == "hold" and e.scope == "face" and e.end_s >= newest - reach]
        self.state.holding_since_s = ongoing[-1].start_s if ongoing else None
        change: dict[str, float] = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            for label, names in EXPRESSION_SIGNALS.items():
                deltas = []
                for name in names:
                    values = np.asarray(signals[name], np.float64)
                    if values.size and np.isfinite(values[-1]):
                        deltas.append(float(values[-1] - np.nanmedian(values)))
                if deltas:
                    change[label] = float(np.mean(deltas))
        self.state.expression_change = change
