"""`rehearse report SCENE|--all --format html|md|csv|json -o FILE`: the continuity report to hand out.

`rehearse report --day [YYYY-MM-DD] [--format md|json] [-o FILE]`: the day's progress (takes,
circled takes, notes and flags per scene), printed unless -o is given."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rehearse.export.files import output_argument
from rehearse.report.write import FORMATS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenes", nargs="*", metavar="SCENE", help="scene ids (or --all)")
    parser.add_argument("--all", action="store_true", help="every scene, in story order")
    parser.add_argument("--day", nargs="?", const="today", default=None, metavar="YYYY-MM-DD",
                        help="the day's progress from the rehearsal log (default day: today)")
    parser.add_argument("--format", choices=FORMATS, default=None,
                        help="html (default), md, csv or json; --day: md (default) or json")
    parser.add_argument("-o", "--output", type=output_argument, default=None,
                        help="file to write (required but with --day)")
    parser.add_argument("--project", type=Path, default=None, help="production folder (default: here)")


def run(args: argparse.Namespace) -> int:
    from rehearse.export.files import check_output
    from rehearse.pipeline import require_project, require_scene
    from rehearse.report.write import write_report

    if args.day is not None:
        return _day(args)
    if bool(args.scenes) == args.all or args.output is None:
        print("rehearse report: usage error: name scene ids or give --all (not both), and -o FILE", file=sys.stderr)
        return 2
    args.format = args.format or "html"
    project = require_project(args.project)
    scenes = list(project.scenes) if args.all else [require_scene(project, scene_id) for scene_id in args.scenes]
    scenes = list({scene.id: scene for scene in scenes}.values())  # `report 01 01` reports the scene once
    check_output(args.output, with_siblings=args.format == "md")  # refuse before minutes of analysis, not after
    written = write_report(project, scenes, args.output, args.format)
    for warning in written.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(written.summary)
    return 0


def _day(args: argparse.Namespace) -> int:
    from datetime import date

    from rehearse.pipeline import require_project
    from rehearse.report.day import build_day, render_day_markdown

    if args.scenes or args.all or args.format not in (None, "md", "json"):
        print("rehearse report: usage error: --day takes no scene ids, and --format md or json", file=sys.stderr)
        return 2
    try:
        day = date.today() if args.day == "today" else date.fromisoformat(args.day)
    except ValueError:
        print(f"rehearse report: usage error: --day {args.day!r} is not a date (YYYY-MM-DD)", file=sys.stderr)
        return 2
    project = require_project(args.project)
    report = build_day(project, day)
    if args.format == "json":
        import json

        text = json.dumps(report, indent=2) + "\n"
    else:
        text = render_day_markdown(report)
    if args.output is None:
        sys.stdout.write(text)
        return 0
    from rehearse.export.files import write_text_atomic

    write_text_atomic(args.output, text)
    takes = sum(len(s["takes"]) for s in report["scenes"])
    print(f"wrote {args.output}: {len(report['scenes'])} scene(s), {takes} take(s) on {day.isoformat()}")
    return 0
