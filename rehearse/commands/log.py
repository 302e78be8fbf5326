"""`rehearse log`: log a rehearsal from the keyboard, export the log, sync it to a take.

    rehearse log SCENE [--shot 1A] [--take N] [--tc HH:MM:SS:FF]
                                                log one run-through: the next take of the shot is
                                                offered, the camera timecode is time of day unless
                                                given; q ends the take, r starts the next one
                                                (an interrupted take resumes after a crash)
    rehearse log export SCENE [--format csv|json] [-o FILE]
    rehearse log sync SCENE TAKE_FILE (--offset S | --clap) [--session N]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rehearse.errors import Location, RehearseError
from rehearse.export.files import output_argument


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.description = __doc__
    parser.add_argument("words", nargs="+", metavar="SCENE | export SCENE | sync SCENE TAKE_FILE")
    parser.add_argument("--project", type=Path, default=None, help="production folder (default: here)")
    parser.add_argument("--format", choices=("csv", "json"), default="csv", help="export format")
    parser.add_argument("-o", "--output", type=output_argument, default=None, help="export to this file")
    parser.add_argument("--offset", type=float, default=None, help="sync: session time at the take's first frame, s")
    parser.add_argument("--clap", action="store_true", help="sync: find the offset from the clap in the take's audio")
    parser.add_argument("--session", type=int, default=None,
                        help="sync: session id (default: the newest logged for that take, else the newest)")
    parser.add_argument("--shot", default=None, help="log: the shot being rehearsed (default: the last logged, else the first)")
    parser.add_argument("--take", type=int, default=None, help="log: the take number (default: the next one)")
    parser.add_argument("--tc", default=None, metavar="HH:MM:SS:FF", help="log: the camera's timecode now (default: time of day)")


def run(args: argparse.Namespace) -> int:
    from rehearse.pipeline import require_project, require_scene

    action, rest = (args.words[0], args.words[1:]) if args.words[0] in ("export", "sync") else ("open", args.words)
    if action == "open" and len(rest) > 1:
        print(f"rehearse log: usage error: unknown action {rest[0]!r} (use `log SCENE`, `log export SCENE` "
              "or `log sync SCENE TAKE`)", file=sys.stderr)
        return 2
    if action == "open" and not (sys.stdin.isatty() and sys.stdout.isatty()):
        print("rehearse log: error: logging a rehearsal needs a terminal (stdin and stdout are not one); "
              "run it in a terminal, or use `rehearse log export`", file=sys.stderr)
        return 1
    project = require_project(args.project)
    expected = {"open": 1, "export": 1, "sync": 2}[action]
    if len(rest) != expected:
        print(f"rehearse log: usage error: `{action}` takes {expected} argument(s)", file=sys.stderr)
        return 2
    scene = require_scene(project, rest[0])
    if action == "open":
        return _open(project, scene, args)
    if action == "export":
        return _export(project, scene.id, args)
    return _sync(project, scene, rest[1], args)


def _open(project, scene, args: argparse.Namespace) -> int:
    from rehearse.tui.keymap import load_keymap
    from rehearse.tui.log_app import RehearsalLogApp, take_options

    if args.shot is not None and scene.shots and scene.shot(args.shot) is None:
        shots = ", ".join(s.id for s in scene.shots)
        raise RehearseError(f"scene {scene.id} has no shot {args.shot!r}", Location(project.scene_files.get(scene.id)),
                            hint=f"shots: {shots}")
    if args.tc is not None:
        from rehearse.breakdown.timecode import parse_seconds

        try:
            parse_seconds(args.tc, project.production.fps)
        except ValueError:
            raise RehearseError(f"--tc {args.tc!r} is not a timecode", hint="write it as HH:MM:SS:FF") from None
    if args.take is not None and args.take < 1:
        raise RehearseError(f"--take {args.take} is not a take number", hint="takes are numbered from 1")
    RehearsalLogApp(project.root, scene, keymap=load_keymap(project.root), shot=args.shot, take_number=args.take,
                    timecode=args.tc, **take_options(project, scene)).run()
    return 0


def _export(project, scene_id: str, args: argparse.Namespace) -> int:
    from rehearse.store import connect
    from rehearse.store.rehearsal_log import export_text

    text = export_text(connect(project.root), scene_id, args.format)
    if args.output is None:
        sys.stdout.write(text)
    else:
        from rehearse.export.files import write_text_atomic

        write_text_atomic(args.output, text)
        print(f"wrote {args.output}")
    return 0


def _sync(project, scene, take_file: str, args: argparse.Namespace) -> int:
    from rehearse.breakdown.take_files import find_take
    from rehearse.store import connect
    from rehearse.store.rehearsal_log import sessions_for_scene
    from rehearse.store.sync import beat_marks_from_log, clap_offset, link_take

    named = find_take(project, take_file) or find_take(project, f"{scene.id}/{take_file}")
    take = named.take if named is not None and named.scene.id == scene.id else next(
        (t for t in scene.takes if Path(t.file).name == take_file), None)
    if take is None:
        raise RehearseError(f"scene {scene.id} has no take {take_file!r}", Location(project.scene_files.get(scene.id)),
                            hint="name it as 1A-2, 01/1A-2, or its file (relative to here or the production, or absolute)")
    connection = connect(project.root)
    sessions = sessions_for_scene(connection, scene.id)
    # A session logged as this very take is the one to sync, unless one is named.
    of_take = [s for s in sessions if s.shot == take.shot and s.take_number == take.number]
    default = (of_take or sessions or [None])[-1]
    session = next((s for s in sessions if s.id == args.session), None) if args.session else default
    if session is None:
        raise RehearseError(f"no logged session for scene {scene.id}", hint="log one with `rehearse log SCENE`")
    if (args.offset is None) == (not args.clap):
        print("rehearse log: usage error: give exactly one of --offset S or --clap", file=sys.stderr)
        return 2
    confidence = None
    if args.clap:
        from rehearse.analysis.clap import find_clap
        from rehearse.video.audio import read_audio

        path = project.take_path(take)
        audio = read_audio(path)
        clap = find_clap(audio.samples, audio.sample_rate, start_s=audio.start_s) if audio else None
        if clap is None:
            raise RehearseError("no clap found in the take's audio", Location(path), hint="set the offset by hand with --offset")
        offset = clap_offset(connection, session.id, clap.t_s)
        if offset is None:
            raise RehearseError(f"session {session.id} has no sync (clap) entry", hint="press the sync key on the clap, or use --offset")
        confidence = clap.confidence
    else:
        offset = args.offset
    sync = link_take(connection, session.id, take.file, offset, method="clap" if args.clap else "manual", confidence=confidence)
    marks = beat_marks_from_log(connection, sync, take.duration)
    shown = ", ".join(f"{beat} {t:.2f} s" for beat, t in marks.items()) or "none"
    print(f"session {session.id} -> {take.label}: offset {offset:.3f} s; beat marks: {shown}")
    return 0
