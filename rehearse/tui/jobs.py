"""Long jobs the app runs in workers: take analysis and CLI commands (report, export).

Plain functions with progress and stop callbacks, no widgets; the heavy analysis imports happen
here, inside the worker thread, so the app's first screen never pays for mediapipe or cv2.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
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
    """Analyze takes one after another in a child process (results land in the cache).

    The analysis runs in another process, not a thread, so MediaPipe and decoding never hold
    the app's GIL and their logs never reach the app's terminal. Returns False if stopped
    early; a take that fails does not stop the rest, and failures are raised together at the
    end as one `JobError`.
    """
    count = max(1, len(takes))
    argv = [sys.executable, "-m", "rehearse.tui.jobs", str(project.root)]
    for take in takes:
        scene = next((s for s in project.scenes if take in s.takes), None)
        argv += [scene.id if scene else "", str(take_path(project, take)), take.label]
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True)
    failures: list[str] = []
    stopped = False
    index = 0
    try:
        while True:
            if should_stop() and not stopped:
                child.send_signal(signal.SIGTERM)  # the child stops at its next frame, caching nothing
                stopped = True
            ready, _, _ = select.select([child.stdout], [], [], 0.1)
            if not ready:
                if child.poll() is not None:
                    break
                continue
            line = child.stdout.readline()
            if not line:
                break
            message = json.loads(line)
            if "done" in message:
                index += 1
                if message.get("error") and message.get("status") != "stopped":
                    failures.append(message["error"])
                continue
            progress((index + (message.get("fraction") or 0.0)) / count, message.get("detail", ""))
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()
    if stopped:
        return False
    if failures:
        more = f" (and {len(failures) - 1} more of {len(takes)} takes)" if len(failures) > 1 else ""
        raise JobError(failures[0] + more)
    if child.returncode != 0 and index < len(takes):
        raise JobError(f"analysis process ended with status {child.returncode} after {index} of {len(takes)} takes")
    return True


def _detail(update: Any) -> str:
    where = f" {update.t_s:.1f} s" + (f" of {update.duration_s:.1f} s" if update.duration_s else "")
    return f"{update.take}: {update.stage}{where if update.stage == 'landmarks' else ''}"


def _child_main(argv: list[str]) -> int:
    """`python -m rehearse.tui.jobs ROOT SCENE PATH LABEL [SCENE PATH LABEL ...]`: analyze, printing JSON lines."""
    import time

    from rehearse.config import load_settings
    from rehearse.pipeline import TakeTarget, analyze_one

    stop = {"requested": False}
    # Background work: on a busy machine the app's own process must win the CPU to keep drawing.
    os.nice(10)
    signal.signal(signal.SIGTERM, lambda *_: stop.__setitem__("requested", True))
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    settings = load_settings(Path(argv[0]))
    last = [0.0, ""]

    def emit(update: Any) -> None:
        now = time.monotonic()
        if update.stage != last[1] or now - last[0] >= 0.1:  # at most ~10 lines a second
            last[0], last[1] = now, update.stage
            print(json.dumps({"fraction": update.fraction, "detail": _detail(update)}), flush=True)

    from rehearse.breakdown.loader import load_project
    from rehearse.pipeline import consent_refusal

    # The consent check runs here, not in the app: it needs the pipeline's imports, and the
    # app's process must stay light while a job runs.
    project, _problems = load_project(Path(argv[0]))
    triples = list(zip(argv[1::3], argv[2::3], argv[3::3], strict=True))
    for scene_id, path, label in triples:
        target = TakeTarget(Path(path), label)
        scene = project.scene(scene_id) if project is not None and scene_id else None
        refusal = consent_refusal(project, scene, target) if scene is not None else None
        if refusal is not None:
            print(json.dumps({"done": label, "status": "refused", "error": refusal.one_line()}), flush=True)
            continue
        outcome = analyze_one(
            target, settings, progress=emit, should_stop=lambda: stop["requested"], keep_analysis=False,
        )
        print(json.dumps({"done": label, "status": outcome.status, "error": outcome.error}), flush=True)
        if stop["requested"]:
            break
    return 0


def open_in_viewer(path: Path) -> str:
    """Open a written file with the desktop's viewer when there is a desktop; say where it is."""
    if sys.platform == "darwin":
        opener = ["open"]
    elif os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        opener = ["xdg-open"]
    else:
        return f"written: {path} (no desktop to open it here)"
    try:
        # Detached and silent: a viewer's output must never reach the app's terminal.
        subprocess.Popen([*opener, str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         stdin=subprocess.DEVNULL, start_new_session=True)
    except OSError:
        return f"written: {path} (could not start {opener[0]})"
    return f"opened {path}"


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


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1:]))
