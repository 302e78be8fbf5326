"""`rehearse drift SCENE` / `rehearse drift --takes REF.mp4 OTHER.mp4`: continuity flags against a reference take.

Text output is one sentence per flag, grouped by take, then a summary; `--json` prints
`{"reference", "takes", "flags": [...]}`. Exit code 0 whether or not drift is found (drift is a
finding, not a failure); 1 when the comparison could not be made.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scene", metavar="SCENE", nargs="?", help="scene id")
    parser.add_argument("--project", type=Path, default=None, help="production folder (default: here)")
    parser.add_argument("--reference", metavar="TAKE", default=None,
                        help="take to compare with (label like 1A-2, number or file; default: the circled take)")
    parser.add_argument("--takes", nargs="+", type=Path, metavar="FILE", default=None,
                        help="compare files outside a production: the first is the reference")
    parser.add_argument("--json", action="store_true", help="print JSON instead of sentences")
    parser.add_argument("--profiles", action="store_true",
                        help="also flag takes far outside their actor's other takes (kind `profile`)")


def run(args: argparse.Namespace) -> int:
    from rehearse.errors import Location, RehearseError

    if args.takes is not None:
        if args.scene is not None:
            raise RehearseError("give a SCENE or --takes FILES, not both", Location(Path.cwd()),
                                hint="rehearse drift --takes REFERENCE.mp4 OTHER.mp4")
        if len(args.takes) < 2:
            raise RehearseError("--takes needs a reference file and at least one other", Location(args.takes[0]),
                                hint="rehearse drift --takes REFERENCE.mp4 OTHER.mp4")
        from rehearse.scene_results import files_drift

        # Files of a production are planned as its takes, so they get its consent check.
        report = files_drift(list(args.takes), getattr(args, "project", None), progress=_progress_printer())
    else:
        report = _scene_report(args)
    timecodes = _flag_timecodes(args, report)
    if args.json:
        document = report.json_document()
        for row, timecode in zip(document.get("flags", []), timecodes, strict=False):
            row["take_tc"] = timecode
        print(json.dumps(document, indent=2))
    else:
        _print_text(report, timecodes)
    if args.takes is not None and report.warnings:
        # A file that could not be analysed was not compared: "no drift" would be a false all-clear.
        compared = len(report.takes)
        print(f"drift: error: {len(report.warnings)} of {len(args.takes) - 1} file(s) could not be compared"
              + ("; nothing was compared" if not compared else ""), file=sys.stderr)
        return 1
    return 0


def _flag_timecodes(args: argparse.Namespace, report) -> list[str]:
    """Each flag's camera timecode in its take (from the camera report's start timecode and the
    shot's frame rate, else the production's); "" when the take has none."""
    if args.takes is not None or args.scene is None:
        return ["" for _ in report.flags]
    from rehearse.breakdown.timecode import camera_timecode
    from rehearse.pipeline import require_project, require_scene

    project = require_project(args.project)
    scene = require_scene(project, args.scene)
    rates = {shot.id: shot.frame_rate for shot in scene.shots}
    takes = {take.label: take for take in scene.takes}
    codes = []
    for flag in report.flags:
        take = takes.get(flag.take)
        if take is None or flag.take_s is None:
            codes.append("")
            continue
        fps = rates.get(take.shot) or project.production.fps
        codes.append(camera_timecode(take.camera_report.start_timecode, fps, flag.take_s))
    return codes


def _scene_report(args: argparse.Namespace):
    from rehearse.errors import Location, RehearseError
    from rehearse.pipeline import require_project, require_scene
    from rehearse.scene_results import scene_drift

    if args.scene is None:
        raise RehearseError("name a scene, or compare files with --takes", Location(Path.cwd()),
                            hint="rehearse drift 01 --project DIR")
    project = require_project(args.project)
    scene = require_scene(project, args.scene)
    if not getattr(args, "profiles", False):
        return scene_drift(project, scene, reference=args.reference, progress=_progress_printer())
    from rehearse.config import load_settings
    from rehearse.scene_results import scene_profile_flags, scene_results

    settings = load_settings(project.root)
    results = scene_results(project, scene, settings, progress=_progress_printer())
    report = scene_drift(project, scene, settings, reference=args.reference, results=results)
    rank = {label: i for i, label in enumerate([report.reference, *report.takes])}
    flags = sorted([*report.flags, *scene_profile_flags(project, results, settings)],
                   key=lambda f: rank.get(f.take, len(rank)))  # stable: each take's own order is kept
    return report.model_copy(update={"flags": flags})


def _progress_printer():
    """One stderr line when a take starts being analysed (cached takes print nothing)."""
    announced: set[str] = set()

    def show(update) -> None:
        if update.stage == "landmarks" and update.take not in announced:
            announced.add(update.take)
            print(f"analysing {update.take} ...", file=sys.stderr, flush=True)

    return show


def _print_text(report, timecodes: list[str]) -> None:
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    title = f"Scene {report.scene}" if report.scene else "Files"
    if report.reference:
        print(f"{title}: reference take {report.reference}; compared {', '.join(report.takes) or 'no other take'}")
    else:
        print(f"{title}: no reference take; checked {', '.join(report.takes) or 'no take'} against the breakdown")
    current = None
    for flag, timecode in zip(report.flags, timecodes, strict=True):
        if flag.take != current:
            current = flag.take
            print(f"\n{flag.take}:")
        where = f" (TC {timecode})" if timecode else ""
        print(f"  [{flag.severity}]{where} {flag.message}")
    counts = Counter(f.kind for f in report.flags)
    per_take = Counter(f.take for f in report.flags)
    print()
    if not report.flags:
        print("No drift flagged." if report.takes or not report.reference else "Nothing compared: no other take could be analysed.")
        return
    kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
    takes = ", ".join(f"{label}: {n}" for label, n in per_take.items())
    print(f"{len(report.flags)} flags ({kinds}); by take: {takes}")
