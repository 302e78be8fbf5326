"""`rehearse render TAKE -o OUT.mp4`: the take with landmarks and event labels drawn on, with progress."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rehearse.export.files import output_argument


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("take", metavar="TAKE", help="video file (inside a production or not)")
    parser.add_argument("-o", "--output", type=output_argument, required=True,
                        help="annotated video to write (.mp4, .mov, .m4v or .mkv)")
    parser.add_argument("--project", type=Path, default=None, help="production folder (default: the take's)")


def run(args: argparse.Namespace) -> int:
    from rehearse import pipeline
    from rehearse.analysis.take import ProgressUpdate
    from rehearse.commands.analyze import ProgressView
    from rehearse.config import load_settings
    from rehearse.errors import Location, RehearseError
    from rehearse.export.files import atomic_output, check_output
    from rehearse.render import render_take

    plan = pipeline.plan_takes([args.take], args.project)
    for refusal in plan.refused:
        raise RehearseError(refusal.error.split(": error: ", 1)[-1], Location(args.take))
    target = plan.targets[0]
    takes = [target.path]
    if plan.project is not None:
        takes += [plan.project.take_path(t) for s in plan.project.scenes for t in s.takes]
    check_output(args.output, video=True, protect=takes)  # before the analysis, not after it
    settings = load_settings(plan.project.root if plan.project is not None else None)
    with ProgressView([target.label]) as view:
        outcome = pipeline.analyze_one(target, settings, progress=view.update)
        if outcome.error:
            print(outcome.error, file=sys.stderr)
            return 1
        analysis = outcome.analysis
        detected = pipeline.take_events(target, analysis, plan.project, settings)
        events, marks = detected.events, detected.beat_marks

        def rendered(frames_done: int, t_s: float) -> None:
            view.update(ProgressUpdate(target.label, "render", frames_done, t_s, analysis.duration_s))

        with atomic_output(args.output, video=True, protect=takes) as temporary:
            count = render_take(target.path, temporary, analysis, events, marks, progress=rendered)
    print(f"wrote {args.output}: {count} frames, {len(events)} events drawn")
    return 0
