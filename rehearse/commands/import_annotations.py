"""`rehearse import-annotations FILE.eaf|FILE.csv [--take TAKE]`: corrections back in as confirmed events.

Correct a take's events in ELAN (export them with `rehearse export SCENE --format eaf -o FOLDER`),
save, and import the file: its event tiers become the take's confirmed events, which replace the
detected events of those kinds in drift, reports, exports and the app. Importing again replaces
the take's earlier import; `--clear` forgets it (the detections count again).

The take is found from the EAF's linked video, or named with --take: `1A-3`, `01/1A-3`, or the
video's path (relative to the production folder, or absolute). A CSV always needs --take.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from rehearse.errors import Location, RehearseError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.description = __doc__
    parser.add_argument("file", type=Path, metavar="FILE", help=".eaf (ELAN) or .csv with kind,start_s,end_s")
    parser.add_argument("--take", default=None, help="the take: 1A-3, 01/1A-3 or its video path (default: the EAF's video)")
    parser.add_argument("--project", type=Path, default=None, help="production folder (default: here)")
    parser.add_argument("--clear", action="store_true", help="forget the take's confirmed events instead")


def run(args: argparse.Namespace) -> int:
    from rehearse.pipeline import require_project
    from rehearse.store import connect
    from rehearse.store.confirmed import clear_confirmed, store_confirmed

    project = require_project(args.project)
    if args.clear:
        name = args.take
        if name is None and args.file.suffix.lower() == ".eaf" and args.file.is_file():
            from rehearse.export.annotations import read_annotations

            name = next(iter(read_annotations(args.file).media), None)
        scene, take = find_take(project, name or str(args.file), args.file)
        cleared = clear_confirmed(connect(project.root), take.file)
        print(f"take {take.label} (scene {scene.id}): " + ("confirmed events forgotten" if cleared else "had none"))
        return 0
    from rehearse.export.annotations import read_annotations

    found = read_annotations(args.file)
    if args.take is None and not found.media:
        raise RehearseError("the file names no video to find the take by", Location(args.file),
                            hint="name the take with --take 1A-3")
    scene, take = find_take(project, args.take or found.media[0], args.file)
    for note in found.skipped:
        print(f"{args.file}: warning: {note}; skipped", file=sys.stderr)
    if not found.kinds:
        if args.file.suffix.lower() == ".eaf":
            raise RehearseError("no event tiers to import", Location(args.file),
                                hint="tiers are named `WHO - KIND` as `rehearse export --format eaf` writes them")
        raise RehearseError("no events to import", Location(args.file), hint="one row per event: kind,start_s,end_s")
    limit = take.duration
    outside = [r for r in found.records if r["start_s"] < 0 or (limit is not None and r["end_s"] > limit + 1e-6)]
    if outside:
        first = outside[0]
        raise RehearseError(f"{len(outside)} annotation(s) outside the take (first: {first['kind']} "
                            f"{first['start_s']:.3f}-{first['end_s']:.3f} s)", Location(args.file),
                            hint="keep annotations inside the video's length")
    store_confirmed(connect(project.root), take.file, found.kinds, found.records, str(args.file.resolve()))
    counts = Counter(r["kind"] for r in found.records)
    shown = ", ".join(f"{kind} {counts.get(kind, 0)}" for kind in sorted(found.kinds))
    print(f"take {take.label} (scene {scene.id}): {len(found.records)} confirmed events ({shown}) from {args.file}")
    print(f"they replace the detected {', '.join(sorted(found.kinds))} events in drift, reports and exports")
    return 0


def find_take(project, name: str, source: Path):
    """(scene, take) named by a label (`1A-3`, `01/1A-3`) or a video path; one-line error when none.

    A linked video moved since the export (another machine) is still found by its file name."""
    from rehearse.breakdown.take_files import find_take as named_take

    named = named_take(project, name)
    if named is not None:
        return named.scene, named.take
    matches = [(s, t) for s in project.scenes for t in s.takes if project.take_path(t).name == Path(name).name]
    if len(matches) == 1:
        return matches[0]
    labels = ", ".join(f"{s.id}/{t.label}" for s, t in matches)
    raise RehearseError(
        f"{'no take' if not matches else 'more than one take'} matches {name!r}" + (f" ({labels})" if labels else ""),
        Location(source), hint="name it with --take SCENE/TAKE, e.g. --take 01/1A-3")
