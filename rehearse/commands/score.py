"""`rehearse score TAKE --truth FILE`: the detected events against ground truth, per kind.

    rehearse score take.mp4 --truth take.truth.yaml     precision, recall, F1, edge errors in frames
    rehearse score take.mp4 --truth annotations.eaf     an ELAN file: one tier per kind (or a .csv)
    rehearse score takes/01-1A-2.mp4 --log              the rehearsal log synced to the take as truth
    ... --json                                          the scoreboard as JSON

The matching rule is in rehearse.analysis.scoring (and the README). Misses and false detections
are listed with their times, so a script supervisor sees where the log and the tool disagree.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("take", metavar="TAKE", help="video file of the take")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--truth", type=Path, metavar="FILE", help="ground truth: a .yaml truth file or an ELAN .eaf")
    source.add_argument("--log", action="store_true", help="use the rehearsal log synced to this take as the truth")
    parser.add_argument("--project", type=Path, metavar="DIR", help="production folder (default: the one holding the file)")
    parser.add_argument("--json", action="store_true", help="print the scoreboard as JSON")


def run(args: argparse.Namespace) -> int:
    from rehearse import pipeline
    from rehearse.analysis.take import analyze_take
    from rehearse.analysis.truth import score_take
    from rehearse.config import load_settings

    truth = read_truth(args.truth) if args.truth is not None else None  # a bad file fails before any decoding
    plan = pipeline.plan_takes([args.take], args.project)
    for refusal in plan.refused:
        print(refusal.error, file=sys.stderr)
        return 1
    target = plan.targets[0]
    if truth is None:
        truth = _log_truth(plan.project, target)
        if truth is None:
            return 1
    settings = load_settings(plan.project.root if plan.project is not None else None)
    analysis = analyze_take(target.path, settings, label=target.label)
    detected = pipeline.take_events(target, analysis, plan.project, settings)
    board = score_take(truth, analysis, detected.events)
    if args.json:
        print(json.dumps({"take": target.label, "truth": truth.source, **board.to_json()}, indent=2))
    else:
        _print_board(target.label, truth, board)
    return 0


def read_truth(path: Path):
    """A truth file: YAML (rehearse.analysis.truth), or ELAN .eaf / .csv read as `import-annotations` reads them."""
    from rehearse.analysis.truth import load_truth_yaml, truth_from_records

    if path.suffix.lower() in (".eaf", ".csv", ".tsv"):
        from rehearse.export.annotations import read_annotations

        found = read_annotations(path)
        return truth_from_records(found.records, found.kinds, str(path), found.skipped)
    return load_truth_yaml(path)


def _log_truth(project, target):
    from rehearse.analysis.truth import truth_from_log
    from rehearse.store.sync import synced_log_entries

    if project is None or target.take is None:
        print(f"{target.path}: error: --log needs a take of a production (its scene lists this file)", file=sys.stderr)
        return None
    entries = synced_log_entries(project.root, target.take)
    if not entries:
        print(f"{target.path}: error: no rehearsal log is synced to this take "
              f"(run `rehearse log sync SCENE {target.path} --clap` or `--offset S` first)", file=sys.stderr)
        return None
    scene = project.scene(target.scene_id)
    gesture_kinds = {g.id: g.kind for g in scene.tracked_gestures} if scene is not None else {}
    return truth_from_log(entries, gesture_kinds, target.take.duration)


def _frames(values: list[float]) -> str:
    """Mean absolute error / the worst one with its sign (+ late, - early), in frames."""
    if not values:
        return ""
    mean = sum(abs(v) for v in values) / len(values)
    worst = max(values, key=abs)
    return f"{mean:.1f}/{worst:+.1f}" if abs(worst) < 10 else f"{mean:.0f}/{worst:+.0f}"


def _print_board(label: str, truth, board) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    console = Console()
    rule = board.rule
    console.print(f"{label} against {truth.source}: one frame = {1000 * board.frame_s:.1f} ms; a pair needs the same "
                  f"kind and IoU >= {rule.min_iou:g} or onsets within {1000 * rule.onset_tolerance_s:.0f} ms",
                  highlight=False)
    for note in truth.notes:
        console.print(note, highlight=False)
    console.print("edge errors in frames: mean absolute / worst (+ late, - early)", highlight=False)
    table = Table(title="scoreboard", title_justify="left", box=box.SIMPLE_HEAD, padding=0, show_edge=False, collapse_padding=True)
    widths = {"kind": 22, "truth": 5, "found": 5, "hits": 4, "P": 5, "R": 5, "F1": 5, "onset": 9, "offset": 9}
    for column, width in widths.items():
        table.add_column(column, justify="left" if column == "kind" else "right", no_wrap=True, min_width=width)
    for row in board.rows:
        table.add_row(row.key, str(row.truth), str(row.detected), str(row.hits), f"{row.precision:.2f}",
                      f"{row.recall:.2f}", f"{row.f1:.2f}", _frames(row.onset_errors_frames),
                      _frames(row.offset_errors_frames))
    console.print(table)
    for row in board.rows:
        for event in row.misses:
            console.print(f"missed {row.key} at {event.start_s:.3f}-{event.end_s:.3f} s", highlight=False)
        for event in row.false_positives:
            console.print(f"not in the truth: {row.key} at {event.start_s:.3f}-{event.end_s:.3f} s", highlight=False)
    for event in board.outside:
        console.print(f"outside the take (0-{board.duration_s:.3f} s): {event.kind} at {event.start_s:.3f}-{event.end_s:.3f} s",
                      highlight=False)
