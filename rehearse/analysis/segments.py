"""One take's landmarks from two (or more) time segments analysed in parallel worker processes.

A take split at seams is analysed by one process per segment; each starts `overlap_s` before
its segment so that its trackers (FaceMesh and Hands tracking, Pose's landmark filter, the
motion-energy span) have settled by the seam, and its frames before the seam are dropped. The
per-frame results are joined in time order and assembled once (`TrackRecorder`), so Pose
is interpolated across the seam as in a single run and no event can be split or doubled by it:
events are detected on the joined take. Workers send progress through a queue and stop when
the stop event is set; frames never cross process boundaries, only per-frame landmarks do.

Known limit (measured): FaceMesh tracks each frame from a region placed by the previous
frame's landmarks, so after the seam the second process follows its own region history and
its landmarks stay a little apart from a single run's for the rest of the take (face_motion up
to ~0.013 IOD/s on a real 1080p close-up). On the rendered take and a 7 s real clip every event
matches within 2 frames (tests/unit/test_speed_equivalence.py); on a 20 s real close-up of a
man who is hardly ever still, 2 of 16 face holds on the edge of the still limit differed (a
0.2 s hold lost, two holds 3 frames apart joined) while blinks and body holds matched.
A hand first found by the next segment within `hands_backfill_s` after a seam is not walked back
over the frames before the seam (the segment that kept them ended there); not measured on a clip.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue as queue_module
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any

from rehearse.analysis.backends.assembly import TrackRecorder
from rehearse.analysis.landmarks import FrameLandmarks, LandmarkExtractor
from rehearse.analysis.tracks import LandmarkTrack


def segment_bounds(duration_s: float, segments: int, overlap_s: float) -> list[tuple[float, float, float | None]]:
    """(decode from, keep from, end before) per segment, in seconds; the last has no end."""
    seams = [duration_s * k / segments for k in range(1, segments)]
    starts = [0.0, *seams]
    ends: list[float | None] = [*seams, None]
    return [(max(0.0, start - overlap_s) if k else 0.0, start, end) for k, (start, end) in enumerate(zip(starts, ends, strict=True))]


_updates: Any = None
_stop: Any = None


def _worker_init(updates, stop) -> None:
    """Runs once per worker process: report through `updates`, stop on `stop`, and keep
    MediaPipe's native start-up lines off the parent's terminal."""
    import signal

    global _updates, _stop
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _updates, _stop = updates, stop
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


def analyse_segment(
    path: Path, analysis_settings, segment: int, bounds: tuple[float, float, float | None],
    report: Callable[[int, int, float], None] | None = None,
    sink: Callable[[FrameLandmarks], None] | None = None,
) -> list[FrameLandmarks]:
    """Landmarks of the frames from `keep` (inclusive) to `end` (exclusive), tracked from `decode_from`.
    Progress goes to `report(segment, frames kept, t)`, else to this pool worker's queue. With
    `sink`, each kept frame goes there instead of into the returned list, once a hand found later
    can no longer be walked back over it (`LandmarkExtractor.unsettled`): a sink records it then."""
    from collections import deque

    from rehearse.analysis.prefetch import prefetched
    from rehearse.video.frames import iter_frames

    decode_from, keep, end = bounds
    frames = iter_frames(path, max_width=analysis_settings.max_frame_width, start_s=decode_from, end_s=end)
    kept: list[FrameLandmarks] = []
    held: deque[FrameLandmarks] = deque()
    count = 0

    def keep_frame(result: FrameLandmarks) -> None:
        nonlocal count
        if result.t >= keep:
            (sink or kept.append)(result)
            count += 1

    with prefetched(frames, analysis_settings.decode_prefetch_frames) as ahead, \
            LandmarkExtractor(analysis_settings.landmarks) as extractor:
        for done, frame in enumerate(ahead, 1):
            if _stop is not None and _stop.is_set():
                break
            result = extractor.process(frame)
            held.append(result)
            while len(held) > extractor.unsettled:
                keep_frame(held.popleft())
            if done % 12 == 0:
                if report is not None:
                    report(segment, count, result.t)
                elif _updates is not None:
                    with contextlib.suppress(Exception):
                        _updates.put((segment, count, result.t))
    for result in held:
        keep_frame(result)
    return kept


def _segment_and_cpu(path: Path, analysis_settings, segment: int,
                     bounds: tuple[float, float, float | None]) -> tuple[dict[str, Any], float]:
    """`analyse_segment` in a pool worker, recorded into track columns (`TrackRecorder.part`:
    arrays, not a pickled object per frame), and the CPU seconds it took (for benchmarks: the
    workers are the fork server's children, not ours, so our rusage does not see them)."""
    import resource
    import time

    from rehearse.analysis.backends.assembly import TrackRecorder, expected_frame_count
    from rehearse.video.probe import probe

    cpu = time.process_time()
    info = probe(path)
    _, keep, end = bounds
    span_s = (end if end is not None else (info.duration_s or 0.0)) - keep
    recorder = TrackRecorder(analysis_settings.landmarks, expected_frame_count(span_s, info.nominal_fps))
    analyse_segment(path, analysis_settings, segment, bounds, sink=recorder.add)
    part = recorder.part()
    part["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    return part, time.process_time() - cpu


def extract_landmarks_in_segments(
    path: Path,
    analysis_settings,
    duration_s: float,
    *,
    segments: int = 2,
    overlap_s: float = 1.0,
    progress: Callable[[int, float], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    worker_cpu_s: list[float] | None = None,
    worker_peak_mb: list[float] | None = None,
) -> dict[str, LandmarkTrack]:
    """Like `extract_landmarks` over the whole take, in `segments` worker processes (their CPU
    seconds are appended to `worker_cpu_s` and their peak memory, MiB, to `worker_peak_mb` when
    given: the workers are the fork server's children, so our rusage sees neither)."""
    from rehearse.parent_watch import start_forkserver_ignoring_ctrl_c

    context = multiprocessing.get_context("forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn")
    start_forkserver_ignoring_ctrl_c(context)
    updates = context.Queue()
    stop = context.Event()
    bounds = segment_bounds(duration_s, segments, overlap_s)
    done = [0] * segments
    last_t = [0.0] * segments

    def drain() -> None:
        while True:
            try:
                segment, frames, t = updates.get_nowait()
            except (queue_module.Empty, OSError, EOFError):
                return
            done[segment], last_t[segment] = frames, t
            if progress is not None:
                progress(sum(done), min(last_t[-1], max(last_t)))

    with ProcessPoolExecutor(max_workers=segments, mp_context=context, initializer=_worker_init,
                             initargs=(updates, stop)) as pool:
        futures = [pool.submit(_segment_and_cpu, path, analysis_settings, k, b) for k, b in enumerate(bounds)]
        pending = set(futures)
        try:
            while pending:
                _, pending = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
                drain()
                if should_stop is not None and should_stop():
                    stop.set()
        except KeyboardInterrupt:
            stop.set()  # the workers ignore Ctrl-C: they stop at their next frame, then we raise
            wait(pending)
            raise
        results = [future.result() for future in futures]
        del futures  # each future holds its part too
    if worker_cpu_s is not None:
        worker_cpu_s.extend(cpu for _, cpu in results)
    if worker_peak_mb is not None:
        worker_peak_mb.extend(part["peak_rss_mb"] for part, _ in results)
    joined = TrackRecorder(analysis_settings.landmarks, sum(part["count"] for part, _ in results))
    while results:  # the joined columns become the only copy, part by part
        joined.extend(results.pop(0)[0])
    tracks = joined.tracks()
    if progress is not None and joined.count:
        progress(joined.count, float(tracks["face"].times[-1]))
    return tracks
