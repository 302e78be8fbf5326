"""`rehearse events TAKE`: blinks, expressions, micro-movements, gaze shifts, holds, hesitations and gestures of one take.

    rehearse events takes/01-1A-2.mp4            a table of events and a per-beat summary
    rehearse events ~/dailies/x.mov --json       any video file, inside a production or not

Inside a production the take's entry in its scene (found by file) gives the beat marks, the
line cues and the target holds. A video with no face gives a clean `no face` result.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("take", metavar="TAKE", help="video file of the take")
    parser.add_argument("--project", type=Path, metavar="DIR", help="production folder (default: the one holding the file)")
    parser.add_argument("--json", action="store_true", help="print the events and beat summaries as JSON")


def run(args: argparse.Namespace) -> int:
    from rehearse import pipeline
    from rehearse.analysis.events import beat_summaries, events_json
    from rehearse.config import load_settings

    plan = pipeline.plan_takes([args.take], args.project)
    for refusal in plan.refused:
        print(refusal.error, file=sys.stderr)
        return 1
    target = plan.targets[0]
    settings = load_settings(plan.project.root if plan.project is not None else None)
    outcome = pipeline.analyze_one(target, settings)
    if outcome.analysis is None:
        print(outcome.error, file=sys.stderr)
        return 1
    analysis = outcome.analysis
    for warning in outcome.warnings:
        print(warning, file=sys.stderr)
    scene = plan.project.scene(target.scene_id) if plan.project is not None and target.scene_id else None
    detected = pipeline.take_events(target, analysis, plan.project, settings)
    events, beat_marks = detected.events, detected.beat_marks
    beats = beat_summaries(events, beat_marks, analysis.duration_s, scene) if beat_marks else []
    document = events_json(analysis, events, beats, take_label=target.label)
    if args.json:
        print(json.dumps(document, indent=2))
    else:
        _print_tables(document)
    return 0


WIDE_TABLE_COLUMNS = 110
"""From this terminal width on, the events table adds end, apex and confidence columns."""


def _measured(event: dict, wide: bool) -> str:
    """The event's main measurement in plain words (all of them with --json)."""
    if event.get("latency_s") is not None:
        return f"reply {event['latency_s']:.2f} s"
    values = {k: v for k, v in event.get("values", {}).items() if k != "duration_ms"}
    if not wide:
        return ""  # raw detector figures (peak_depth ...) are for the wide table and --json
    return next((f"{k.replace('_', ' ')} {v:g}" for k, v in values.items() if isinstance(v, (int, float))), "")


def _print_tables(document: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    head = (f"{document['take']}: {document['duration_s']:.2f} s at {document['fps']:.2f} fps, "
            f"face in {100 * document['face_coverage']:.0f}% of frames")
    console.print(head, highlight=False)
    if document["no_face"]:
        console.print("no face: no face was found in this take, so there are no face events", highlight=False)
    elif document.get("note"):
        console.print(f"note: {document['note']}", highlight=False)
    for span in document["face_lost"]:
        console.print(f"face lost {span['start_s']:.2f}-{span['end_s']:.2f} s", highlight=False)
    wide = console.width >= WIDE_TABLE_COLUMNS
    if document["events"]:
        table = Table(title="events (times in seconds)", title_justify="left")
        # At 80 columns only what a reader needs stays (times in seconds, never cut); end, apex
        # and confidence come back on a wide terminal, and --json carries everything.
        columns = ["kind", "what", "side", "start", "length"]
        columns += ["end", "apex", "conf"] if wide else []
        columns += ["beat", "measured"]
        for column in columns:
            table.add_column(column, justify="right" if column in ("start", "length", "end", "apex", "conf") else "left",
                             no_wrap=column != "measured", overflow="fold", min_width=12 if column == "measured" else None)
        for event in document["events"]:
            what = (event.get("label") or event.get("scope") or event.get("region") or "").replace("_", " ")
            if event.get("target"):
                what = f"{what} {event['target']}"
            if event["kind"] == "gesture" and event.get("region") and wide:
                what = f"{what} ({event['region']})"
            measured = _measured(event, wide)
            cells = [event["kind"].replace("_", " "), what, event.get("side", ""), f"{event['start_s']:.2f}",
                     f"{event['end_s'] - event['start_s']:.2f}"]
            if wide:
                cells += [f"{event['end_s']:.2f}", f"{event['apex_s']:.2f}" if event.get("apex_s") is not None else "",
                          f"{event['confidence']:.2f}"]
            table.add_row(*cells, event.get("beat", ""), measured)
        console.print(table)
    elif not document["no_face"]:
        console.print("no events found", highlight=False)
    if document["beats"]:
        from rehearse.breakdown.timecode import rate_or_count

        table = Table(title="beats", title_justify="left")
        for column in ("beat", "from s", "to s", "blinks", "hold", "target hold", "reply"):
            table.add_column(column, no_wrap=column != "target hold", min_width=16 if column == "blinks" else None,
                             justify="right" if column.endswith(" s") else "left")
        for beat in document["beats"]:
            target = beat["hold_target"]
            table.add_row(
                beat["beat"], f"{beat['start_s']:.2f}", f"{beat['end_s']:.2f}",
                rate_or_count(beat["blinks"], beat["end_s"] - beat["start_s"], "blink"),
                f"{beat['holds'][0]:.2f} s" if beat["holds"] else "",
                f"{target['target_s']:.2f} s: {target['verdict']}" if target else "",
                ", ".join(f"{x:.2f} s" for x in beat["latencies_s"]),
            )
        console.print(table)
