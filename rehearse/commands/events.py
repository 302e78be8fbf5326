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
    if document["events"]:
        table = Table(title="events", title_justify="left")
        for column in ("kind", "what", "side", "start s", "end s", "dur ms", "apex s", "conf", "beat", "measured"):
            table.add_column(column, justify="right" if column[0] in "sdac" and column != "side" else "left")
        for event in document["events"]:
            what = event.get("label") or event.get("scope") or event.get("region") or ""
            if event["kind"] == "gesture" and event.get("region"):
                what = f"{what} ({event['region']})"
            if event.get("target"):
                what = f"{what} {event['target']}"
            # the main measurement only; --json carries them all
            measured = next((f"{k}={v:g}" for k, v in event.get("values", {}).items() if k != "duration_ms"), "")
            if event.get("latency_s") is not None:
                measured = f"latency {1000 * event['latency_s']:.0f} ms"
            table.add_row(
                event["kind"], what, event.get("side", ""), f"{event['start_s']:.3f}", f"{event['end_s']:.3f}",
                f"{1000 * (event['end_s'] - event['start_s']):.0f}",
                f"{event['apex_s']:.3f}" if event.get("apex_s") is not None else "",
                f"{event['confidence']:.2f}", event.get("beat", ""), measured,
            )
        console.print(table)
    elif not document["no_face"]:
        console.print("no events found", highlight=False)
    if document["beats"]:
        table = Table(title="beats", title_justify="left")
        for column in ("beat", "start s", "end s", "blinks", "blinks/min", "longest hold ms", "vs target hold", "latencies ms", "pauses"):
            table.add_column(column)
        for beat in document["beats"]:
            target = beat["hold_target"]
            table.add_row(
                beat["beat"], f"{beat['start_s']:.2f}", f"{beat['end_s']:.2f}", str(beat["blinks"]),
                f"{beat['blink_rate_per_min']:.0f}",
                f"{1000 * beat['holds'][0]:.0f}" if beat["holds"] else "",
                f"{1000 * target['target_s']:.0f} ms: {target['verdict']}" if target else "",
                ", ".join(f"{1000 * x:.0f}" for x in beat["latencies_s"]), str(beat["pauses"]),
            )
        console.print(table)
