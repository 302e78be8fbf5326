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
from rehearse.export.write import FORMATS


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
    from rehearse.export.files import check_output
    from rehearse.export.markers import MARKER_GROUPS
    from rehearse.export.write import export_scene
    from rehearse.pipeline import require_project, require_scene

    groups = _groups(args)
    if groups is None:
        return 2
    project = require_project(args.project)
    scene = require_scene(project, args.scene)
    if not (args.format == "eaf" and (args.output.is_dir() or not args.output.suffix)):
        # refuse before analysing the scene, not after (an eaf folder: per file)
        check_output(args.output, with_siblings=args.format == "eaf")
    exported = export_scene(project, scene, args.format, args.output, drift=not args.no_drift, groups=groups)
    for warning in exported.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for path in exported.paths:
        print(f"wrote {path}")
    shown = ",".join(g for g in MARKER_GROUPS if g in groups)
    one_per_take = "; EAF holds one take per file" if args.format == "eaf" else ""
    print(f"{exported.summary} ({shown}){one_per_take}")
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
