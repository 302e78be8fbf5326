"""`rehearse open [DIR]`: the terminal app on the production in DIR (default: this folder, else the sample)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "directory", nargs="?", type=Path, default=None,
        help="production folder (default: this folder or a parent; else the bundled sample)",
    )
    parser.add_argument("--theme", choices=("dark", "light"), default=None, help="colour theme (default dark)")
    parser.add_argument(
        "--stills", choices=("auto", "graphics", "halfblock"), default=None,
        help="how to draw frames: terminal graphics (textual-image) or half blocks (default auto; "
        "env REHEARSE_STILLS)",
    )
    parser.add_argument("--no-watch", action="store_true", help="do not reload YAML edited on disk")


def _graphics_stills(choice: str) -> bool:
    """Whether to draw stills with terminal graphics; auto asks textual-image what the terminal can do."""
    if choice == "halfblock" or not sys.stdout.isatty():
        return False
    if choice == "auto" and (os.environ.get("TMUX") or os.environ.get("TERM", "").startswith(("screen", "tmux"))):
        return False  # multiplexers pass neither sixel nor the kitty protocol reliably
    try:
        # textual-image must probe the terminal before Textual takes the screen over.
        from textual_image import renderable
    except ImportError:
        return False
    # textual-image picked its renderer from the terminal's answers: sixel or kitty's TGP draw pixels.
    return renderable.Image.__module__.rsplit(".", 1)[-1] in ("sixel", "tgp") or choice == "graphics"


def run(args: argparse.Namespace) -> int:
    from rehearse.tui.app import create_app

    choice = args.stills or os.environ.get("REHEARSE_STILLS", "auto")
    start = args.directory
    if start is not None and not start.is_dir():
        from rehearse.errors import RehearseError

        raise RehearseError(f"no such folder: {start}", hint="give the production folder, or no argument")
    app = create_app(start, theme=args.theme, watch=not args.no_watch, graphics_stills=_graphics_stills(choice))
    from rehearse.native_stderr import quiet_native_stderr

    # Analysis runs in the app's own threads: MediaPipe's C++ start-up lines must not land on
    # the screen. Textual draws on sys.__stderr__, so it follows Python's stderr to the
    # terminal's own descriptor while descriptor 2 goes to /dev/null.
    if quiet_native_stderr():
        sys.__stderr__ = sys.stderr
    app.run()
    return 0
