"""`rehearse export SCENE --format otio|edl|ale|eaf -o FILE`: markers for editors and ELAN.

Events, drift flags and synced rehearsal-log entries become markers on each take. EAF holds one
take per file: with several takes, FILE's name gets the take label (`scene01_1A-2.eaf`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

FORMATS = ("otio", "edl", "ale", "eaf")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scene", metavar="SCENE", help="scene id")
    parser.add_argument("--format", choices=FORMATS, required=True, help="otio, edl, ale or eaf")
    parser.add_argument("-o", "--output", type=Path, required=True, help="file to write")
    parser.add_argument("--project", type=Path, default=None, help="production folder (default: here)")
    parser.add_argument("--no-drift", action="store_true", help="leave continuity flags out")


def run(args: argparse.Namespace) -> int:
    from rehearse.errors import Location, RehearseError
    from rehearse.export.collect import markers_for_scene
    from rehearse.pipeline import require_project, require_scene
    from rehearse.scene_results import scene_results

    project = require_project(args.project)
    scene = require_scene(project, args.scene)
    results = scene_results(project, scene)
    flags = None if args.no_drift or not results.analysed else _drift_flags(project, scene, results)
    collected = markers_for_scene(results, flags_by_take=flags)
    for warning in collected.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if not collected.takes:
        raise RehearseError(f"scene {scene.id} has no recorded takes to export", Location(project.scene_files.get(scene.id)))
    written = _write(args.format, collected.takes, args.output, f"{project.production.title} - scene {scene.id}",
                     project.production.fps)
    markers = sum(len(t.markers) for t in collected.takes)
    for path in written:
        print(f"wrote {path}")
    print(f"{len(collected.takes)} takes, {markers} markers")
    return 0


def _drift_flags(project, scene, results) -> dict[str, list]:
    """Drift flags per take label, from the events already detected in `results`."""
    from rehearse.continuity.drift import drift_for_scene

    report = drift_for_scene(project, scene, results=results)
    by_take: dict[str, list] = {}
    for flag in report.flags:
        by_take.setdefault(flag.take, []).append(flag)
    return by_take


def _write(fmt: str, takes, output: Path, title: str, fps: float) -> list[Path]:
    from rehearse.export.files import write_text_atomic

    if fmt == "otio":
        from rehearse.export.otio import write_otio

        write_otio(takes, output, title)
    elif fmt == "edl":
        from rehearse.export.edl import edl_text

        write_text_atomic(output, edl_text(takes, title, fps))
    elif fmt == "ale":
        from rehearse.export.ale import ale_text

        write_text_atomic(output, ale_text(takes, fps))
    else:
        from rehearse.export.eaf import write_eaf

        if len(takes) == 1:
            write_eaf(takes[0], output)
            return [output]
        paths = []
        for take in takes:
            path = output.with_name(f"{output.stem}_{take.label}{output.suffix or '.eaf'}")
            write_eaf(take, path)
            paths.append(path)
        return paths
    return [output]
