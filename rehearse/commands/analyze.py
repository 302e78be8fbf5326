"""`rehearse analyze`: decode takes, extract landmarks, signals and audio features (cached), with progress.

    rehearse analyze                      every take of the production in this folder
    rehearse analyze 01 03                all takes of scenes 01 and 03 whose files exist
    rehearse analyze ~/dailies/x.mov      any video file, inside a production or not
    rehearse analyze --jobs 1 --force     one take after another in this process; ignore the cache

Progress bars go to stderr (plain lines when stderr is not a terminal); the summary table (or,
with --json, a JSON list of per-take summaries and errors) goes to stdout. One broken take is a
one-line error and the others still finish; the exit code is 1 if any take failed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("targets", nargs="*", metavar="TAKE_OR_SCENE", help="video files and/or scene ids (default: all takes)")
    parser.add_argument("--project", type=Path, metavar="DIR", help="production folder (default: the one in this folder)")
    parser.add_argument(
        "--jobs", "-j", type=int, default=None, metavar="N",
        help="worker processes (default: one per core, as memory allows); the batch decides whether "
        "they take one take each or split a long take in time; 1: one take after another here",
    )
    parser.add_argument(
        "--scheduler", metavar="ADDRESS",
        help="analyse on a Dask scheduler (tcp://host:8786) or a LocalCluster (local[:N]); default: the "
        "cluster.scheduler setting, else this machine",
    )
    parser.add_argument("--force", action="store_true", help="analyse again even when a cached result exists")
    parser.add_argument("--json", action="store_true", help="print per-take summaries as JSON")


def run(args: argparse.Namespace) -> int:
    from rehearse import pipeline
    from rehearse.config import load_settings

    if args.jobs is not None and args.jobs < 1:
        print("rehearse analyze: usage error: --jobs must be 1 or more", file=sys.stderr)
        return 2
    plan = pipeline.plan_takes(args.targets, args.project)
    settings = load_settings(plan.project.root if plan.project is not None else None)
    for warning in plan.warnings:
        print(warning, file=sys.stderr)
    for refusal in plan.refused:
        print(refusal.error, file=sys.stderr)
    stop = threading.Event()
    with ProgressView([t.label for t in plan.targets]) as view, ctrl_c_stops(stop):
        outcomes = pipeline.analyze_targets(
            plan.targets, settings, jobs=args.jobs, force=args.force, progress=view.update, keep_analysis=False,
            scheduler=args.scheduler, should_stop=stop.is_set,
        )
    for outcome in outcomes:
        for warning in outcome.warnings:
            print(warning, file=sys.stderr)
        if outcome.error:
            print(outcome.error, file=sys.stderr)
    if stop.is_set():
        raise KeyboardInterrupt  # the command line's one answer to Ctrl-C: "interrupted", exit 130
    everything = outcomes + plan.refused
    if args.json:
        print(json.dumps([_json_row(o) for o in everything], indent=2))
    elif everything:
        _print_table(everything)
    else:
        print("analyze: no takes to analyze", file=sys.stderr)
    return 1 if any(not o.ok for o in everything) else 0


@contextlib.contextmanager
def ctrl_c_stops(stop: threading.Event) -> Iterator[None]:
    """The first Ctrl-C sets `stop`: every runner (this process, the worker pool, time segments,
    a Dask scheduler) stops at its next frame and no cache entry is cut short; a second Ctrl-C
    interrupts at once. A flag cannot be lost the way a KeyboardInterrupt can (raised inside a
    finalizer it is printed and swallowed, and the run went on to exit 0 under load)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)
    if previous == signal.SIG_IGN:  # started ignoring Ctrl-C (`nohup`, a shell's background job): stay so
        yield
        return

    def first_ctrl_c(signum, frame) -> None:
        stop.set()
        signal.signal(signal.SIGINT, previous)

    signal.signal(signal.SIGINT, first_ctrl_c)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _json_row(outcome) -> dict[str, Any]:
    row: dict[str, Any] = {"take": outcome.target.label, "file": str(outcome.target.path), "status": outcome.status}
    if outcome.target.scene_id is not None:
        row["scene"] = outcome.target.scene_id
    if outcome.summary:
        row.update(outcome.summary)
        row["take"] = outcome.target.label
    row["error"] = outcome.error
    return row


def _print_table(outcomes) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="analysis", title_justify="left")
    longest = max((len(o.target.label) for o in outcomes), default=4)
    table.add_column("take", no_wrap=True, min_width=min(longest, 40))
    for name, justify in [
        ("frames", "right"), ("face coverage", "right"), ("duration", "right"),
        ("processing speed", "right"), ("status", "left"),
    ]:
        table.add_column(name, justify=justify)
    for outcome in outcomes:
        s = outcome.summary
        if s is None:
            table.add_row(outcome.target.label, "-", "-", "-", "-", outcome.status)
            continue
        # seconds of video per second of work: "0.4 x real time" says how long a day's takes take
        speed = f"{s['duration_s'] / s['analysis_s']:.2f} x real time" if s.get("analysis_s") else "-"
        table.add_row(
            outcome.target.label,
            str(s["frames"]),
            f"{100 * s['face_coverage']:.0f} %",
            f"{s['duration_s']:.2f} s",
            speed + (" (earlier run)" if s.get("cached") else ""),
            outcome.status,
        )
    console = Console()
    if not console.is_terminal:
        console = Console(width=120)  # piped output: do not squeeze take names into 80 columns
    console.print(table)


class ProgressView:
    """A rich progress bar per take on a terminal, else plain lines at stage changes and 25 % steps."""

    def __init__(self, labels: list[str]):
        self.labels = labels
        self.interactive = sys.stderr.isatty()
        self._progress = None
        self._tasks: dict[str, Any] = {}
        self._last: dict[str, tuple[str, int]] = {}

    def __enter__(self) -> ProgressView:
        if self.interactive and self.labels:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                Progress,
                TaskProgressColumn,
                TextColumn,
                TimeRemainingColumn,
            )

            self._progress = Progress(
                TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                TextColumn("{task.fields[detail]}"), TimeRemainingColumn(),
                console=Console(stderr=True), transient=False,
            )
            self._progress.start()
            for label in self.labels:
                self._tasks[label] = self._progress.add_task(label, total=1.0, detail="waiting")
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def update(self, update) -> None:
        fraction = update.fraction
        detail = f"{update.stage}, {update.frames_done} frames" if update.frames_done else update.stage
        if self._progress is not None and update.take in self._tasks:
            self._progress.update(self._tasks[update.take], completed=fraction or 0.0, detail=detail)
            return
        quarter = int((fraction or 0.0) * 4)
        if self._last.get(update.take) == (update.stage, quarter):
            return
        self._last[update.take] = (update.stage, quarter)
        percent = f" {100 * fraction:.0f}%" if fraction is not None and update.stage == "landmarks" else ""
        frames = f" ({update.frames_done} frames)" if update.frames_done else ""
        print(f"analyze: {update.take}: {update.stage}{percent}{frames}", file=sys.stderr, flush=True)
