"""`rehearse actor list|show|forget|neutral`: actor profiles, what is stored per actor, deleting it, neutral marks.

    rehearse actor list                    per actor: takes, landmark caches, stills, reports, rows
    rehearse actor show "Ines Varga"       the profile (blinks, holds, latencies, gestures ...) by
                                           scene and partner, the baseline each take used, outliers
    rehearse actor forget "Ines Varga"     delete every derived file and row, after confirmation
    rehearse actor neutral 1A-2 0 1.2      mark 0-1.2 s of take 1A-2 as the actor at rest

NAME is the actor's name, the character id or the character's name. Nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--project", type=Path, metavar="DIR", help="production folder (default: the one here)")
    actions = parser.add_subparsers(dest="actor_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="what is stored per actor")
    listing.add_argument("--json", action="store_true", help="print as JSON")
    show = actions.add_parser("show", help="the actor's profile across takes and scenes")
    show.add_argument("name", metavar="NAME", help="actor name, character id or character name")
    show.add_argument("--json", action="store_true", help="print the profile and its outlier flags as JSON")
    forget = actions.add_parser("forget", help="delete every derived file and database row for the actor")
    forget.add_argument("name", metavar="NAME", help="actor name, character id or character name")
    forget.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    neutral = actions.add_parser("neutral", help="mark a neutral (rest) span of a take as its baseline")
    neutral.add_argument("take", metavar="TAKE", help="take label (1A-2) or its file as in the scene YAML")
    neutral.add_argument("start", metavar="START", help="start of the span (2.5, 2.5s, 450ms or timecode)")
    neutral.add_argument("end", metavar="END", help="end of the span")
    for sub in (listing, show, forget, neutral):
        sub.add_argument("--project", type=Path, metavar="DIR", default=argparse.SUPPRESS,
                         help="production folder (default: the one here)")


def _project(args: argparse.Namespace):
    from rehearse.errors import Location, RehearseError
    from rehearse.pipeline import find_project

    project = find_project(args.project)
    if project is None:
        raise RehearseError("no production here", Location(Path.cwd()),
                            hint="run inside a production folder or pass --project DIR")
    return project


def run(args: argparse.Namespace) -> int:
    project = _project(args)
    command = {"list": _list, "show": _show, "forget": _forget, "neutral": _neutral}[args.actor_command]
    return command(project, args)


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def _list(project, args) -> int:
    from rehearse.profiles.data import actor_data

    stored = [actor_data(project, character) for character in project.production.characters]
    if args.json:
        print(json.dumps({"production": project.production.title, "actors": [d.json_row() for d in stored]}, indent=2))
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{project.production.title}: stored per actor (all on this machine)", title_justify="left")
    for column in ("actor", "character", "consent", "takes", "landmark caches", "stills", "reports", "db rows"):
        table.add_column(column)
    for data in stored:
        consent = {True: "yes", False: "NO", None: "not given: not analysed"}[data.consent]
        table.add_row(data.actor, data.character, consent, f"{data.recorded} recorded / {len(data.takes)}",
                      f"{data.count('landmark cache')} files, {_megabytes(sum(f.size_bytes for f in data.files if f.kind == 'landmark cache'))}",
                      str(data.count("still")), str(data.count("report") + data.count("file")), str(len(data.rows)))
    Console().print(table)
    return 0


def _show(project, args) -> int:
    from rehearse.config import load_settings
    from rehearse.profiles.collect import find_character, profile_settings
    from rehearse.profiles.outliers import circled_takes, profile_outliers
    from rehearse.scene_results import actor_profile

    character = find_character(project, args.name)
    settings = load_settings(project.root)
    profile = actor_profile(project, character, settings)
    flags = profile_outliers(profile, profile_settings(settings), circled_takes(project))
    if args.json:
        print(json.dumps({"profile": profile.json_document(), "flags": [f.json_row() for f in flags]}, indent=2))
        return 0

    print_profile(profile, flags)
    return 0


def _forget(project, args) -> int:
    from rehearse.profiles.collect import find_character
    from rehearse.profiles.data import actor_data, forget_actor

    character = find_character(project, args.name)
    planned = actor_data(project, character)
    if not planned.files and not planned.rows:
        print(f"nothing stored for {character.actor} ({character.id})")
        return 0
    print(f"{character.actor} ({character.id}): {len(planned.files)} files ({_megabytes(planned.size_bytes)}) "
          f"and {len(planned.rows)} database rows will be deleted:")
    for stored in planned.files:
        print(f"  {stored.kind}: {stored.path}")
    for row in planned.rows:
        print(f"  row {row.table}: {row.what}")
    if not args.yes:
        try:
            answer = input(f"delete all of this for {character.actor}? [y/N] ")
        except EOFError:
            answer = ""
        if answer.strip().lower() not in ("y", "yes"):
            print("nothing deleted")
            return 1
    removed = forget_actor(project, character)
    tables = sorted({r.table for r in removed.rows})
    print(f"removed {len(removed.files)} files ({_megabytes(removed.size_bytes)}: "
          f"{removed.count('landmark cache')} landmark caches, {removed.count('still')} stills, "
          f"{removed.count('report') + removed.count('file')} reports/other) and {len(removed.rows)} database rows"
          + (f" ({', '.join(tables)})" if tables else "") + f" for {character.actor}; take videos and YAML untouched")
    return 0


def _neutral(project, args) -> int:
    from rehearse.breakdown.take_files import find_take
    from rehearse.breakdown.timecode import TimeFormatError, parse_seconds
    from rehearse.errors import Location, RehearseError
    from rehearse.profiles.calibration import set_neutral_mark

    named = find_take(project, args.take)
    take = named.take if named is not None else next(
        (t for s in project.scenes for t in s.takes if Path(args.take).name == Path(t.file).name), None)
    if take is None:
        raise RehearseError(f"no take `{args.take}` in this production", Location(project.root),
                            hint="name it as 1A-2, 01/1A-2, or its file (relative to here or the production, or absolute)")
    try:
        start = parse_seconds(args.start, project.production.fps)
        end = parse_seconds(args.end, project.production.fps)
    except TimeFormatError as error:
        print(f"rehearse actor neutral: usage error: {error}", file=sys.stderr)
        return 2
    length = _take_length(project, take)
    if length is not None and end > length + 1e-6:
        raise RehearseError(f"neutral span {start:g}-{end:g} s ends after the take ({length:.2f} s long)",
                            Location(project.take_path(take)), hint="give a span inside the take")
    span = set_neutral_mark(project.root, take.file, start, end)
    print(f"take {take.label}: neutral span {span.start_s:.2f}-{span.end_s:.2f} s stored; "
          "its blink and expression thresholds now use it as the baseline")
    return 0


def _take_length(project, take) -> float | None:
    """The take's length in seconds: its analysis (decoded frames), else the breakdown's
    `duration`, else what the container declares; None when none is known."""
    from rehearse.analysis.take import load_cached
    from rehearse.config import load_settings
    from rehearse.errors import RehearseError
    from rehearse.video.probe import probe

    path = project.take_path(take)
    analysis = load_cached(path, load_settings(project.root))
    if analysis is not None:
        return analysis.duration_s
    if take.duration is not None:
        return float(take.duration)
    try:
        return probe(path).duration_s
    except RehearseError:
        return None


def print_profile(profile, flags: list) -> None:
    """Print the profile, the baseline of each take and the outlier flags."""
    from rich.console import Console
    from rich.table import Table

    from rehearse.profiles.text import degrees, expressions, rate, seconds, summary_rows

    console = Console()
    low, high = profile.conversational_blink_range_per_min
    console.print(f"{profile.actor} as {profile.character_name} ({profile.character}): {len(profile.takes)} analysed "
                  f"takes; blink rates in conversation are usually {low:.0f}-{high:.0f}/min", highlight=False)
    table = Table(title="figures", title_justify="left")
    for column in ("over", "takes", "blinks", "holds (median, p10-p90, n)", "reply latency", "expressions",
                   "lean", "shoulder turn"):
        table.add_column(column)
    for name, summary in summary_rows(profile):
        table.add_row(name, str(len(summary.takes)), rate(summary), seconds(summary.hold_s), seconds(summary.latency_s),
                      expressions(summary), degrees(summary.lean_deg), degrees(summary.shoulder_turn_deg))
    console.print(table)
    if profile.gestures:
        gestures = Table(title="most frequent gestures", title_justify="left")
        for column in ("gesture", "side", "times", "beats"):
            gestures.add_column(column)
        for gesture in profile.gestures:
            gestures.add_row(gesture.label, gesture.side or "-", str(gesture.count), ", ".join(gesture.beats) or "-")
        console.print(gestures)
    takes = Table(title="takes and the baseline each used", title_justify="left")
    for column in ("take", "scene", "blinks/min", "holds", "baseline", "eye at rest", "corner at rest"):
        takes.add_column(column)
    for figures in profile.takes:
        base = figures.baseline
        takes.add_row(figures.take, figures.scene, f"{figures.blink_rate_per_min:.1f}", str(len(figures.hold_durations_s)),
                      base.get("description", "-"),
                      "-" if base.get("eye_open_rest_ear") is None else f"{base['eye_open_rest_ear']:.3f} EAR",
                      "-" if base.get("lip_corner_rest_iod") is None else f"{base['lip_corner_rest_iod']:+.3f} IOD")
    console.print(takes)
    for line in profile.skipped:
        console.print(f"skipped {line}", highlight=False)
    if flags:
        for flag in flags:
            console.print(f"{flag.severity}: {flag.message}", highlight=False)
    else:
        console.print("no take falls far outside the profile", highlight=False)
