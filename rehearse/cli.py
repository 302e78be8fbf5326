"""The `rehearse` command line: parses arguments and hands each subcommand to its module.

Subcommand modules are imported only when that subcommand runs, so `rehearse --help` stays
fast and never imports mediapipe, cv2 or textual. Each module in `rehearse/commands/` provides
`add_arguments(parser)` and `run(args) -> int`. Exit codes: 0 clean, 1 problems found or a
command failed, 2 usage errors, 130 interrupted (Ctrl-C), 141 the reader of the output left.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import sys
from collections.abc import Sequence

from rehearse import __version__
from rehearse.errors import RehearseError

# name -> (module under rehearse.commands, one-line help). Order is the order `--help` shows.
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "open": ("open_app", "open the terminal app on a production (default: this folder)"),
    "check": ("check", "validate scene breakdowns and print one line per problem"),
    "import": ("import_fountain", "scaffold scene YAML from a Fountain screenplay"),
    "analyze": ("analyze", "decode takes and extract landmarks and signals (cached)"),
    "events": ("events", "detect blinks, holds, hesitations, gestures ... in one take"),
    "drift": ("drift", "compare takes beat by beat and flag continuity drift"),
    "log": ("log", "log a live rehearsal from the keyboard, crash-safe"),
    "watch": ("watch", "watch a camera or stream live: blinks and holds as they happen, recorded"),
    "report": ("report", "write a continuity report (html, md, csv, json)"),
    "export": ("export", "export markers for editors (otio, edl, ale, eaf)"),
    "import-annotations": ("import_annotations", "corrected events back from ELAN (.eaf) or .csv, as confirmed"),
    "render": ("render", "draw landmarks and events onto a take"),
    "score": ("score", "score a take's detected events against ground truth (yaml, eaf or the log)"),
    "actor": ("actor", "actor profiles, stored data and deletion"),
    "models": ("models", "show or install the model files analysis uses"),
}


ANALYSING = {"analyze", "events", "drift", "report", "export", "render", "actor", "score"}
"""Subcommands that may run MediaPipe in this process (its C++ start-up lines are silenced)."""


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with one line (no usage dump) on a usage error."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: usage error: {message} (see `{self.prog} --help`)\n")


def _available(module_name: str) -> bool:
    return importlib.util.find_spec(f"rehearse.commands.{module_name}") is not None


def build_parser() -> argparse.ArgumentParser:
    """The full parser. Subcommand arguments come from their modules, imported lazily."""
    parser = _Parser(
        prog="rehearse",
        description="Measure rehearsal takes and keep continuity, from the terminal.",
    )
    parser.add_argument("--version", action="version", version=f"rehearse {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        if not _available(module_name):
            continue
        sub = subparsers.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(_module=module_name)
        _command_module(module_name).add_arguments(sub)
    return parser


def _command_module(module_name: str):
    return importlib.import_module(f"rehearse.commands.{module_name}")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `rehearse` console script.

    A reader that goes away early (`rehearse check | head -3`) ends the command quietly with
    141, as a shell reports a process stopped by SIGPIPE, instead of a BrokenPipeError traceback.
    """
    try:
        try:
            return _main(argv)
        finally:
            # The last buffered output is written here, not in Python's exit flush, where a
            # closed pipe would print "Exception ignored ... BrokenPipeError".
            sys.stdout.flush()
    except BrokenPipeError:
        _discard_stdout()
        return 141


def _discard_stdout() -> None:
    """Point stdout at /dev/null: what is still buffered for the reader that left is dropped."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (AttributeError, OSError, ValueError):  # a test's captured stdout has no descriptor
        pass


def _main(argv: Sequence[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not argv and _available("open_app"):
        argv = ["open"]
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    from rehearse.config import unknown_env_warnings

    for warning in unknown_env_warnings():
        print(warning, file=sys.stderr)
    if args.command in ANALYSING:
        from rehearse.native_stderr import quiet_native_stderr

        quiet_native_stderr()
    try:
        return int(_command_module(args._module).run(args) or 0)
    except RehearseError as error:
        print(error.one_line(), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("rehearse: interrupted", file=sys.stderr)
        return 130
