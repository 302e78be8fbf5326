"""Long jobs the app runs in its thread workers: take analysis, reports and exports.

Each job calls the same functions as the commands (`pipeline.analyze_targets`, `report.write`,
`export.write`), in the app's own process: no child `rehearse` process, no JSON over a pipe.
Plain functions with a progress callback (fraction, detail) and a stop check, no widgets; the
app's worker turns progress into replaceable `JobProgress` messages and passes the worker's
`is_cancelled` as the stop check. Heavy imports (mediapipe, cv2) happen here, inside the worker
thread, so the app's first screen never pays for them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rehearse.errors import RehearseError

JobProgressCallback = Callable[[float, str], None]
"""(fraction of the whole job done 0..1, what it is doing now)."""


class JobError(RehearseError):
    """A job started from the app failed; the message is the first take's (or step's) own line."""


def analyze_takes(project: Any, takes: list, progress: JobProgressCallback, should_stop: Callable[[], bool]) -> bool:
    """Analyse takes of the production one after another (results land in the cache).

    Through `pipeline.analyze_targets`, so consent is checked where every analysis starts.
    Returns False if stopped early; a take that fails does not stop the rest, and failures are
    raised together at the end as one `JobError`.
    """
    from rehearse.config import load_settings
    from rehearse.pipeline import analyze_targets, take_target, throttled

    targets = []
    for take in takes:
        scene = next(s for s in project.scenes if take in s.takes)
        targets.append(take_target(project, scene, take))
    labels = [t.label for t in targets]
    count = max(1, len(targets))

    def report(update: Any) -> None:
        index = labels.index(update.take) if update.take in labels else 0
        progress((index + (update.fraction or 0.0)) / count, describe(update))

    outcomes = analyze_targets(targets, load_settings(project.root), progress=throttled(report),
                               should_stop=should_stop, keep_analysis=False)
    if should_stop() or any(o.status == "stopped" for o in outcomes):
        return False
    failures = [o.error for o in outcomes if o.error]
    if failures:
        more = f" (and {len(failures) - 1} more of {len(takes)} takes)" if len(failures) > 1 else ""
        raise JobError(failures[0] + more)
    return True


def describe(update: Any) -> str:
    """`1A-2: landmarks 3.1 s of 8.0 s`: one take's progress as the app's job line shows it."""
    where = f" {update.t_s:.1f} s" + (f" of {update.duration_s:.1f} s" if update.duration_s else "")
    return f"{update.take}: {update.stage}{where if update.stage == 'landmarks' else ''}"


def write_report(project: Any, scene_ids: list[str] | None, output: Path, progress: JobProgressCallback,
                 should_stop: Callable[[], bool]) -> str:
    """The HTML report of these scenes (None: every scene) written to `output`, as `rehearse report` does."""
    from rehearse.report.write import write_report as write

    scenes = list(project.scenes) if scene_ids is None else [project.scene(s) for s in scene_ids]
    written = write(project, scenes, output, "html", progress=_analysis_progress(progress, should_stop))
    return written.summary


def export_markers(project: Any, scene_id: str, fmt: str, output: Path, progress: JobProgressCallback,
                   should_stop: Callable[[], bool]) -> str:
    """The scene's markers for editors written to `output`, as `rehearse export` does."""
    from rehearse.export.write import export_scene

    exported = export_scene(project, project.scene(scene_id), fmt, output,
                            progress=_analysis_progress(progress, should_stop))
    return exported.summary


def _analysis_progress(progress: JobProgressCallback, should_stop: Callable[[], bool]) -> Callable[[Any], None]:
    """A take-progress callback for a report or export: shows the take being analysed, stops on cancel."""
    from rehearse.analysis.take import AnalysisCancelled
    from rehearse.pipeline import throttled

    def report(update: Any) -> None:
        if should_stop():
            raise AnalysisCancelled(f"{update.take}: stopped")
        progress(update.fraction or 0.0, describe(update))

    return throttled(report)


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
