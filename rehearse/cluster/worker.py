"""What runs on a Dask worker: a whole take's analysis, or the landmarks of one time segment.

A worker is sent a path, the settings and the content hash the client read; it reads the video
from shared storage itself. User-caused failures come back as a value, ("error", one line), so
nothing depends on an exception surviving the trip; only crashes raise, and those the scheduler
may retry on another worker.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

from rehearse.errors import RehearseError

PROGRESS_INTERVAL_S = 0.25
"""A worker sends at most this often per take (a change of stage always goes)."""


def _open_problem(path: Path, expected_content: str, where: str) -> str | None:
    """One line when this worker cannot read the file the client means, else None."""
    from rehearse.analysis import cache

    if not path.is_file() or not os.access(path, os.R_OK):
        return (
            f"{path}: error: {where} cannot open this file; put the takes on storage every worker "
            "mounts at the same path (nothing is shipped from the client)"
        )
    try:
        content = cache.content_hash(path)
    except OSError as error:
        return f"{path}: error: {where} cannot read this file: {error.strerror}"
    if content != expected_content:
        return (
            f"{path}: error: {where} sees a different file at this path than the client does; "
            "sync the shared storage and run again"
        )
    return None


def analyze_remote(path_text: str, label: str, settings: Any, expected_content: str, topic: str):
    """A whole take: ("ok", (arrays, meta)) for the client's cache entry, or ("error", one line)."""
    from distributed import get_worker

    from rehearse.analysis import cache
    from rehearse.analysis.take import ProgressUpdate, analyze_uncached, entry_from_analysis
    from rehearse.native_stderr import quiet_native_stderr
    from rehearse.pipeline import throttled

    worker = get_worker()
    where = f"worker {worker.address}"
    path = Path(path_text)
    before = cache.file_identity(path) if path.is_file() else None
    problem = _open_problem(path, expected_content, where)
    if problem is not None:
        return "error", problem
    quiet_native_stderr()
    send = throttled(lambda update: worker.log_event(topic, dataclasses.asdict(update)), PROGRESS_INTERVAL_S)
    try:
        analysis = analyze_uncached(path, label, expected_content, settings, send, None)
    except RehearseError as error:
        return "error", error.one_line()
    if cache.changed_since(path, before, expected_content):
        return "error", f"{path}: error: changed on {where} while it was being analysed; nothing was cached"
    send(ProgressUpdate(label, "saving", analysis.frame_count, analysis.duration_s, analysis.duration_s))
    return "ok", entry_from_analysis(analysis)


def analyze_segment_remote(
    path_text: str, label: str, analysis_settings: Any, segment: int,
    bounds: tuple[float, float, float | None], expected_content: str, topic: str,
):
    """One time segment of a long take: ("ok", its per-frame landmarks) or ("error", one line).
    The client joins the segments and finishes the take (signals, audio) as a local split does."""
    import time

    from distributed import get_worker

    from rehearse.analysis.segments import analyse_segment
    from rehearse.native_stderr import quiet_native_stderr

    worker = get_worker()
    problem = _open_problem(Path(path_text), expected_content, f"worker {worker.address}")
    if problem is not None:
        return "error", problem
    quiet_native_stderr()
    last = [0.0]

    def send(segment_index: int, frames: int, t_s: float) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_INTERVAL_S:
            last[0] = now
            worker.log_event(topic, {"take": label, "segment": segment_index, "frames_done": frames, "t_s": t_s})

    try:
        frames = analyse_segment(Path(path_text), analysis_settings, segment, bounds, report=send)
    except RehearseError as error:
        return "error", error.one_line()
    return "ok", frames
