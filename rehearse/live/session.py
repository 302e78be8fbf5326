"""A live rehearsal watched frame by frame: `watch(options)` yields what to show, as it happens.

The loop takes the newest frame from the `LiveSource` (older ones were dropped and counted
when the analysis fell behind), runs the face and body paths on it (the same `LandmarkExtractor`,
schedule and frame conversion an offline analysis uses), feeds `IncrementalEvents` (whose
detection passes run in a thread of their own), and yields one `LiveUpdate` per analysed frame
(with the events a finished pass made final) and per change of signal. It
prints nothing: the command line writes JSON lines, the terminal app draws a screen.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from rehearse.analysis.events import Event
from rehearse.analysis.events.stream_levels import BLOCK_S, WARM_S
from rehearse.config import Settings
from rehearse.errors import Location, VideoError
from rehearse.live.incremental import IncrementalEvents, LiveState
from rehearse.live.source import LiveSource, source_spec


@dataclass(frozen=True)
class WatchOptions:
    """What to watch and how."""

    source: str
    """A file, a camera (/dev/video0, v4l2:0) or a stream URL (udp://, rtp://, rtsp://, srt://)."""
    realtime: bool = False
    """Play a file at its own speed (frames dropped when the analysis falls behind)."""
    duration_s: float | None = None
    """Stop after this much stream time, in seconds (None: until the source ends or is stopped)."""
    record: Path | None = None
    """Copy the received packets into this file (.ts or .mp4), without re-encoding."""
    open_timeout_s: float = 10.0
    """How long to wait for a picture when opening the source, in seconds."""
    stall_s: float = 1.0
    """No frame for this long (wall clock) shows "no signal", in seconds."""
    give_up_s: float | None = 60.0
    """Stop when there has been no signal for this long, in seconds (None: wait for ever)."""
    settle_s: float | None = None
    """An event is emitted once its end is this far behind the newest frame, in seconds (None:
    what its detector reads after an event's end, see IncrementalEvents.settle_after_end)."""
    beat_marks: dict[str, float] = field(default_factory=dict)
    """Beat id -> mark (s, stream time) known so far, for tagging events."""


@dataclass
class LiveUpdate:
    """One step of a live session: the status line, the newest frame's state and new events."""

    status: str
    """`live`, `no signal`, `ended` or `stopped`."""
    state: LiveState
    """The face path at the newest analysed frame."""
    events: list[Event]
    """Events that became final at this step (each is emitted once)."""
    emitted_wall_s: float
    """time.monotonic() when this update was made."""
    lag_s: float = 0.0
    """Wall time from the analysed frame's arrival to this update, in seconds (display lag)."""
    frames_analysed: int = 0
    frames_dropped: int = 0
    """Frames received but skipped because the analysis was behind."""
    frames_received: int = 0
    reason: str | None = None
    """Why the session ended early (one line), when it did."""
    detection_pass_max_s: float = 0.0
    """The longest detection pass so far, wall-clock seconds (events wait up to two of them)."""
    received_t_s: float | None = None
    """Stream time of the newest frame received, analysed or not, in seconds: the picture arriving
    now, which `state` (the frame the analysis has reached) follows up to the display lag behind."""
    stream_to_wall_s: float | None = None
    """Wall clock (monotonic) minus stream time, taken at the first frame: an event ending at
    stream time t was on screen at about t + this (used for `emitted_after_end_s`)."""


def watch(options: WatchOptions, settings: Settings | None = None,
          should_stop: Callable[[], bool] | None = None) -> Iterator[LiveUpdate]:
    """Watch a source until it ends, `duration_s` of stream time has passed, the signal has been
    gone for `give_up_s`, or `should_stop()` turns true. Raises VideoError (one line) when the
    source cannot be opened."""
    from rehearse.analysis.landmarks import LandmarkExtractor, LandmarkSettings
    from rehearse.video.frames import Frame, frame_to_rgb

    settings = settings or Settings()
    analysis = settings.analysis
    # The offline schedule (issue 15): motion energy every frame (body holds), Pose every Nth
    # frame and whenever the body moves (interpolated between), Hands searched every Nth frame
    # while a face is in frame and tracked once found. Frames the analysis cannot keep up with
    # are dropped and counted by the source, never queued.
    landmark_settings: LandmarkSettings = analysis.landmarks
    detector = IncrementalEvents(landmark_settings, analysis.signals, settings.events,
                                 settle_s=options.settle_s, beat_marks=options.beat_marks)
    source = LiveSource(source_spec(options.source), realtime=options.realtime,
                        open_timeout_s=options.open_timeout_s, read_timeout_s=max(options.stall_s, 0.5),
                        record=options.record, keep_first_s=WARM_S + BLOCK_S)
    analysed = 0
    offset: float | None = None
    last_frame_wall = time.monotonic()
    signal = True

    def update(status: str, events: list[Event], lag: float = 0.0, reason: str | None = None) -> LiveUpdate:
        return LiveUpdate(status, detector.state, events, time.monotonic(), lag, analysed,
                          source.frames_dropped, source.frames_decoded, reason,
                          max(detector.pass_seconds, default=0.0), received_t_s=source.newest_t,
                          stream_to_wall_s=offset)

    # Detection passes run in their own thread beside the models (MediaPipe and numpy release the
    # interpreter), one at a time: a pass never holds up the picture, and uses the second core.
    passes = ThreadPoolExecutor(max_workers=1, thread_name_prefix="live-events")
    pending: Future | None = None

    def ready() -> list[Event]:
        """Events of the pass that has finished (none while it runs)."""
        nonlocal pending
        if pending is None or not pending.done():
            return []
        done, pending = pending, None
        return done.result()

    def last() -> list[Event]:
        """The stream is over: the running pass's events, then everything left (once the hand
        walk-backs still running have landed)."""
        nonlocal pending
        events = pending.result() if pending is not None else []
        pending = None
        extractor.settle()
        return events + detector.finish()

    try:
        # A hand found after none was tracked is walked back over the earlier frames in a thread,
        # not inside the frame that found it (~36 Hands calls, a ~1 s stall of the picture).
        with LandmarkExtractor(landmark_settings, walk_in_background=True) as extractor:
            # Load the models before the first frame arrives (seconds under load); the empty
            # picture they run on leaves nothing behind (LandmarkExtractor.warm_up).
            extractor.warm_up()
            detector.warm_up()
            source.start()
            last_frame_wall = time.monotonic()
            while True:
                if should_stop is not None and should_stop():
                    yield update("stopped", last())
                    return
                received = source.take(timeout_s=min(0.2, options.stall_s))
                now = time.monotonic()
                if received is None:
                    if source.ended:
                        yield update("ended", last(), reason=source.error)
                        return
                    silent = now - last_frame_wall
                    if silent >= options.stall_s and signal:
                        signal = False
                        yield update("no signal", ready())
                    if options.give_up_s is not None and silent >= options.give_up_s:
                        reason = f"no signal for {options.give_up_s:g} s"
                        yield update("ended", last(), reason=reason)
                        return
                    continue
                if options.duration_s is not None and received.t >= options.duration_s:
                    yield update("ended", last())
                    return
                last_frame_wall = now
                if offset is None:
                    offset = received.arrived_wall_s - received.t
                signal = True
                image = frame_to_rgb(received.frame, analysis.max_frame_width, received.aspect)
                detector.add(extractor.process(Frame(received.index, received.t, image)), extractor.unsettled)
                source.analysed(time.monotonic() - now)
                analysed += 1
                events = ready()
                if pending is None and detector.due():
                    pending = passes.submit(detector.update)
                yield update("live", events, time.monotonic() - received.arrived_wall_s)
    finally:
        source.stop()
        passes.shutdown(wait=True, cancel_futures=True)


def check_record_path(path: Path) -> None:
    """Refuse a recording path that would overwrite a take or cannot be written, in one line."""
    if path.suffix.lower() not in (".ts", ".mp4", ".mov", ".mkv", ".m4v"):
        raise VideoError("a recording must be .ts, .mp4, .mov or .mkv", Location(path),
                         hint="MPEG-TS (.ts) survives a crash best")
    if path.exists():
        raise VideoError("already exists; a recording never overwrites a file", Location(path),
                         hint="choose a new name")
    if not path.parent.is_dir():
        raise VideoError("the folder does not exist", Location(path.parent), hint="create it first")
