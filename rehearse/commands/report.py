"""`rehearse report SCENE|--all --format html|md|csv|json -o FILE`: the continuity report to hand out."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenes", nargs="*", metavar="SCENE", help="scene ids (or --all)")
    parser.add_argument("--all", action="store_true", help="every scene, in story order")
    parser.add_argument("--format", choices=("html", "md", "csv", "json"), default="html")
    parser.add_argument("-o", "--output", type=Path, required=True, help="file to write")
    parser.add_argument("--project", type=Path, default=None, help="production folder (default: here)")


def run(args: argparse.Namespace) -> int:
    from rehearse.export.files import write_text_atomic
    from rehearse.pipeline import require_project, require_scene
    from rehearse.report.build import build_report

    if bool(args.scenes) == args.all:
        print("rehearse report: usage error: name scene ids or give --all (not both)", file=sys.stderr)
        return 2
    project = require_project(args.project)
    scenes = list(project.scenes) if args.all else [require_scene(project, scene_id) for scene_id in args.scenes]
    report = build_report(project, scenes, images=args.format in ("html", "md"))
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.format == "html":
        from rehearse.report.html import render_html

        text = render_html(report)
    elif args.format == "md":
        from rehearse.report.tables import render_markdown

        image_dir = args.output.with_name(args.output.stem + "_files")
        text = render_markdown(report, image_dir, image_dir.name)
    elif args.format == "csv":
        from rehearse.report.tables import render_csv

        text = render_csv(report)
    else:
        from rehearse.report.tables import render_json

        text = render_json(report)
    write_text_atomic(args.output, text)
    flags = sum(len(s["flags"]) + len(s["wardrobe"]) for s in report.data["scenes"])
    print(f"wrote {args.output}: {len(scenes)} scene(s), {flags} flag(s)")
    return 0
