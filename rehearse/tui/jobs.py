"""Long jobs the app runs in workers: take analysis and CLI commands (report, export).

Plain functions with progress and stop callbacks, no widgets; the heavy analysis imports happen
here, inside the worker thread, so the app's first screen never pays for mediapipe or cv2.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any

from rehearse.errors import RehearseError
from rehearse.tui.data import take_path


class JobError(RehearseError):
    """A job started from the app failed; the message is the command's own last line."""


def analyze_takes(
    project: Any,
    takes: list,
    progress: Callable[[float, str], None],
    should_stop: Callable[[], bool],
) -> bool:
    """Analyze takes one after another (results land in the cache); False if stopped early."""
    from rehearse.analysis.take import AnalysisCancelled, analyze_take
    from rehearse.config import load_settings

    settings = load_settings(project.root)
    count = max(1, len(takes))
    for index, take in enumerate(takes):
        if should_stop():
            return False

        def report(update: Any, _index: int = index) -> None:
            fraction = update.fraction or 0.0
            where = f" {update.t_s:.1f} s" + (f" of {update.duration_s:.1f} s" if update.duration_s else "")
            detail = f"{update.take}: {update.stage}{where if update.stage == 'landmarks' else ''}"
            progress((_index + fraction) / count, detail)

        progress(index / count, f"{take.label}: starting")
        try:
            analyze_take(take_path(project, take), settings, progress=report, should_stop=should_stop, label=take.label)
        except AnalysisCancelled:
            return False
    return not should_stop()


def run_cli(argv: list[str], timeout_s: float = 600.0) -> str:
    """Run `rehearse ARGV` in a child process; its last output line, or a JobError on failure."""
    completed = subprocess.run(
        [sys.executable, "-m", "rehearse", *argv],
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
    out_lines = [line for line in completed.stdout.splitlines() if line.strip()]
    err_lines = [line for line in completed.stderr.splitlines() if line.strip()]
    if completed.returncode != 0:
        last = err_lines[-1] if err_lines else f"exit status {completed.returncode}"
        raise JobError(f"`rehearse {' '.join(argv)}` failed: {last}")
    return out_lines[-1] if out_lines else "done"
