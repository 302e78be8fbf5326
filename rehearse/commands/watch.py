"""`rehearse watch SOURCE`: watch a camera, a stream or a file as it plays; blinks and holds as they happen.

    rehearse watch /dev/video0 --scene 01 --take-as 1A-4 --record takes/01-1A-4.ts
    rehearse watch udp://@:5000 --no-ui --events-jsonl events.jsonl --duration 60
    rehearse watch takes/01-1A-2.mp4 --realtime

SOURCE is a camera (/dev/video0, v4l2:0), a stream (udp://, rtp://, rtsp://, srt://) or a file
(with --realtime it plays at its own speed). --no-ui writes one JSON event per line as each
becomes final, with `emitted_after_end_s` (wall-clock delay from the event's end to its
emission) and `emitted_at_s` (stream time then), and prints a JSON summary at the end (frames
received, analysed and dropped, where frames were skipped, emit delay and display lag).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.description = __doc__
    parser.add_argument("source", metavar="SOURCE", help="camera, stream URL or video file")
    parser.add_argument("--realtime", action="store_true", help="play a file at its own speed (as a camera would)")
    parser.add_argument("--no-ui", action="store_true", help="no screen: events as JSON lines (for scripts)")
    parser.add_argument("--events-jsonl", type=Path, metavar="FILE", help="append each event to FILE as it is emitted")
    parser.add_argument("--duration", type=float, metavar="S", help="stop after S seconds of stream time")
    parser.add_argument("--record", type=Path, metavar="FILE", help="record the received picture (.ts or .mp4), unchanged")
    parser.add_argument("--scene", help="the scene being rehearsed (with --take-as: add the take to it)")
    parser.add_argument("--take-as", metavar="SHOT-N", help="the take this is, e.g. 1A-4 (with --scene)")
    parser.add_argument("--project", type=Path, help="production folder (default: the one here)")
    parser.add_argument("--open-timeout", type=float, default=10.0, metavar="S", help="wait S s for a picture (default 10)")
    parser.add_argument("--give-up", type=float, default=60.0, metavar="S",
                        help="stop after S s without signal (default 60; 0 = never)")


def run(args: argparse.Namespace) -> int:
    from rehearse.errors import RehearseError
    from rehearse.live.session import WatchOptions, check_record_path

    if args.duration is not None and args.duration <= 0:
        print("rehearse watch: error: --duration must be more than 0 s", file=sys.stderr)
        return 2
    if (args.scene is None) != (args.take_as is None):
        print("rehearse watch: error: --scene and --take-as go together (e.g. --scene 01 --take-as 1A-4)",
              file=sys.stderr)
        return 2
    live_take = None
    try:
        from rehearse.live.source import source_spec

        # What can be told before any picture (no such file or camera, a scheme not watched) is one
        # line now, before models load or a screen opens.
        source_spec(args.source)
        if args.scene is not None:
            from rehearse.live.take_binding import bind_live_take

            live_take = bind_live_take(args.project, args.scene, args.take_as, args.record)
            args.record = live_take.record
        else:
            from rehearse.live.take_binding import watch_refusal
            from rehearse.pipeline import find_project

            source = Path(args.source)
            start = source.resolve().parent if source.is_file() else None
            refusal = watch_refusal(find_project(args.project, start), args.source)
            if refusal is not None:
                raise refusal
            if args.record is not None:
                check_record_path(args.record)
    except RehearseError as error:
        print(error.one_line(), file=sys.stderr)
        return 1
    options = WatchOptions(args.source, realtime=args.realtime, duration_s=args.duration, record=args.record,
                           open_timeout_s=args.open_timeout, give_up_s=args.give_up or None)
    args.live_take = live_take
    from rehearse.native_stderr import quiet_native_stderr

    # MediaPipe's C++ start-up lines go to fd 2; they must not land in the JSON lines' terminal
    # nor across the screen.
    quiet = quiet_native_stderr()
    try:
        if not args.no_ui:
            if args.events_jsonl is not None:
                print("rehearse watch: error: --events-jsonl needs --no-ui", file=sys.stderr)
                return 2
            from rehearse.tui.live_app import run_live_app

            if quiet:
                # Textual draws on sys.__stderr__ (fd 2, now /dev/null): give it the terminal back.
                sys.__stderr__ = sys.stderr
            return run_live_app(options, args)
        return _headless(options, args)
    except RehearseError as error:
        print(error.one_line(), file=sys.stderr)
        return 1
    finally:
        if live_take is not None:
            live_take.close()


def _headless(options, args: argparse.Namespace) -> int:
    from rehearse.analysis.events import event_row
    from rehearse.config import load_settings
    from rehearse.live.session import watch
    from rehearse.live.source import shown_source

    live_take = args.live_take
    settings = load_settings(live_take.project.root if live_take is not None else args.project)
    out = args.events_jsonl.open("a", encoding="utf-8") if args.events_jsonl is not None else sys.stdout
    cpu_started: float | None = None  # process CPU time at the first analysed frame
    lags: list[float] = []
    delays: list[float] = []
    arrivals: list[tuple[float, float]] = []  # (stream t, wall time the frame arrived), analysed frames
    last = None
    try:
        for update in watch(options, settings):
            last = update
            if update.status == "live":
                if cpu_started is None:
                    cpu_started = time.process_time()
                if live_take is not None and not live_take.added:
                    live_take.add_to_breakdown()  # the recording has begun: the take exists now
                lags.append(update.lag_s)
                arrivals.append((update.state.t_s, update.emitted_wall_s - update.lag_s))
            elif update.status == "no signal":
                print(f"rehearse watch: no signal from {shown_source(options.source)} (waiting)", file=sys.stderr)
            for event in update.events:
                row = event_row(event)
                delay = _delay_after_end(event.end_s, update.emitted_wall_s, arrivals)
                row["emitted_after_end_s"] = round(delay, 3)
                row["emitted_at_s"] = round(update.state.t_s, 4)
                delays.append(delay)
                out.write(json.dumps(row) + "\n")
                out.flush()
    except KeyboardInterrupt:
        pass
    finally:
        if out is not sys.stdout:
            out.close()
    summary = {
        "source": shown_source(options.source),
        "status": last.status if last else "ended",
        "reason": last.reason if last else None,
        "stream_s": round(last.state.t_s, 3) if last else 0.0,
        "frames_received": last.frames_received if last else 0,
        "frames_analysed": last.frames_analysed if last else 0,
        "frames_dropped": last.frames_dropped if last else 0,
        "events": len(delays),
        "emit_delay_median_s": round(statistics.median(delays), 3) if delays else None,
        "emit_delay_max_s": round(max(delays), 3) if delays else None,
        "display_lag_median_s": round(statistics.median(lags), 3) if lags else None,
        "display_lag_max_s": round(max(lags), 3) if lags else None,
        # CPU of this process (MediaPipe's threads and the detection passes included) per analysed
        # frame after the first: what the machine's load changes little, unlike drops and lag.
        "cpu_ms_per_frame": round(1000 * (time.process_time() - cpu_started) / (last.frames_analysed - 1), 1)
        if cpu_started is not None and last is not None and last.frames_analysed > 1 else None,
        "detection_pass_max_s": round(last.detection_pass_max_s, 3) if last else None,
        "skipped_spans": _skipped_spans([t for t, _ in arrivals]),
        "arrivals_over_s": round(arrivals[-1][1] - arrivals[0][1], 3) if arrivals else 0.0,
        "first_frame_s": round(arrivals[0][0], 4) if arrivals else None,
        "recorded": str(options.record) if options.record else None,
        "take": f"{live_take.scene.id}/{live_take.label}" if live_take is not None and live_take.added else None,
    }
    print(json.dumps(summary), file=sys.stderr if args.events_jsonl is None else sys.stdout)
    if last is not None and last.reason and not last.frames_received:
        print(f"rehearse watch: error: {shown_source(options.source)}: {last.reason}", file=sys.stderr)
        return 1
    return 0


def _skipped_spans(times: list[float]) -> list[list[float]]:
    """Stream-time spans (s) between analysed frames further apart than 1.5 frame intervals:
    where frames were dropped (or the signal was lost)."""
    if len(times) < 3:
        return []
    step = statistics.median(b - a for a, b in zip(times, times[1:], strict=False))
    return [[round(a, 4), round(b, 4)] for a, b in zip(times, times[1:], strict=False) if b - a > 1.5 * step]


def _delay_after_end(end_s: float, emitted_wall_s: float, arrivals: list[tuple[float, float]]) -> float:
    """Wall time from the arrival of the last analysed frame at or before the event's end to its
    emission (the event had ended by then; a dropped frame can only make this longer)."""
    import bisect

    index = bisect.bisect_right(arrivals, (end_s, float("inf"))) - 1
    arrived = arrivals[max(index, 0)][1] if arrivals else time.monotonic()
    return emitted_wall_s - arrived
