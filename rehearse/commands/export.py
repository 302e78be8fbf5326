"""`rehearse export SCENE --format otio|edl|ale|eaf -o FILE|FOLDER [--only GROUPS]`: markers for
editors and ELAN.

Drift flags, beats and synced rehearsal-log entries (and detected events, when asked) become
markers on each take. `--only` picks the groups: flags, beats, notes, holds, events; editors'
formats default to flags,beats,notes, EAF (for annotators correcting detections) to all of them.
EAF holds one take per file, by design (an ELAN document links one video): -o FOLDER writes
`SCENE_TAKE.eaf` files there; -o FILE.eaf with several takes adds the take label to the name.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rehearse.export.files import output_argument
from rehearse.export.markers import MARKER_GROUPS

FORMATS = ("otio", "edl", "ale", "eaf")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from rehearse.export.markers import MARKER_GROUPS

    parser.description = __doc__
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("scene", metavar="SCENE", help="scene id")
    parser.add_argument("--format", choices=FORMATS, required=True, help="otio, edl, ale or eaf")
    parser.add_argument("-o", "--output", type=output_argument, required=True,
                        help="file to write; for eaf also a folder (one .eaf per take)")
    parser.add_argument("--only", default=None, metavar="GROUPS",
                        help=f"comma-separated: {', '.join(MARKER_GROUPS)} (default: flags,beats,notes; eaf: all)")
    parser.add_argument("--project", type=Path, default=None, help="production folder (default: here)")
    parser.add_argument("--no-drift", action="store_true", help="leave continuity flags out")


def run(args: argparse.Namespace) -> int:
    from rehearse.errors import Location, RehearseError
    from rehearse.export.collect import markers_for_scene
    from rehearse.export.files import check_output
    from rehearse.pipeline import require_project, require_scene
    from rehearse.scene_results import scene_results

    groups = _groups(args)
    if groups is None:
        return 2
    project = require_project(args.project)
    scene = require_scene(project, args.scene)
    if not (args.format == "eaf" and (args.output.is_dir() or not args.output.suffix)):
        # refuse before analysing the scene, not after (an eaf folder: per file)
        check_output(args.output, with_siblings=args.format == "eaf")
    results = scene_results(project, scene)
    flags = None if args.no_drift or not results.analysed else _drift_flags(project, scene, results)
    collected = markers_for_scene(results, flags_by_take=flags, groups=groups)
    for warning in collected.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if not collected.takes:
        raise RehearseError(f"scene {scene.id} has no recorded takes to export", Location(project.scene_files.get(scene.id)))
    written = _write(args.format, collected.takes, args.output, f"{project.production.title} - scene {scene.id}",
                     project.production.fps, scene.id)
    markers = sum(len(t.markers) for t in collected.takes)
    for path in written:
        print(f"wrote {path}")
    shown = ",".join(g for g in MARKER_GROUPS if g in groups)
    one_per_take = "; EAF holds one take per file" if args.format == "eaf" else ""
    print(f"{len(collected.takes)} takes, {markers} markers ({shown}){one_per_take}")
    return 0


def _groups(args: argparse.Namespace) -> tuple[str, ...] | None:
    """The marker groups asked for (None after a usage error)."""
    from rehearse.export.markers import EDITOR_GROUPS, MARKER_GROUPS

    if args.only is None:
        return tuple(MARKER_GROUPS) if args.format == "eaf" else EDITOR_GROUPS
    groups = tuple(g.strip() for g in args.only.split(",") if g.strip())
    unknown = [g for g in groups if g not in MARKER_GROUPS]
    if unknown or not groups:
        print(f"rehearse export: usage error: --only {args.only!r}: choose from {', '.join(MARKER_GROUPS)}",
              file=sys.stderr)
        return None
    return groups


def _drift_flags(project, scene, results) -> dict[str, list]:
    """Drift flags per take label, from the events already detected in `results`."""
    from rehearse.continuity.drift import drift_for_scene

    report = drift_for_scene(project, scene, results=results)
    by_take: dict[str, list] = {}
    for flag in report.flags:
        by_take.setdefault(flag.take, []).append(flag)
    return by_take


def _write(fmt: str, takes, output: Path, title: str, fps: float, scene_id: str) -> list[Path]:
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

        if output.is_dir() or not output.suffix:  # a folder: one file per take inside it
            paths = [output / f"{scene_id}_{take.label}.eaf" for take in takes]
            for take, path in zip(takes, paths, strict=True):
                write_eaf(take, path)
            return paths
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
