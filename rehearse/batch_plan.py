"""How a batch of takes uses this machine's cores: one take per worker process, or each long take
split in time across the workers, decided per batch by an estimate of the batch's wall time.

`choose_plan(durations_s, workers)` is the rule (pure); `plan_batch(targets, settings, jobs)` gives
it the batch (durations from the containers, cached and refused takes counted as free) and the
workers this machine can run (`usable_workers`: cores, and memory at `WORKER_PEAK_MB` each).

Costs are in seconds of take that one process analyses in that time (so the machine's speed
cancels out), measured on the 1080p24 upscale of a real clip (benchmarks/bench_full_analysis.py,
quiet 2-core machine): a 60 s take alone 2.04x real time and split in two 3.08x; a 20 s take
1.89x and 2.28x. These fit `GRAPH_START_S` = 2 and `WORKER_START_S` = 8:
- in this process, a take costs its duration + `GRAPH_START_S` (MediaPipe builds its graphs);
- split in `w` segments, a take costs `WORKER_START_S` (new processes import and build graphs)
  + duration / w + `SEAM_OVERLAP_S` (each later segment decodes 1 s before its seam): so a
  single take is split from ~14 s up on two cores;
- in a pool, takes go longest first to the least busy worker; each worker pays `WORKER_START_S`
  once and `GRAPH_START_S` per take; the batch lasts as long as the busiest worker.
The cheaper plan wins (a tie: the pool, which has no seams).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rehearse.config import Settings
    from rehearse.pipeline import TakeTarget

GRAPH_START_S = 2.0
"""Building MediaPipe's graphs for one take, in seconds of take analysed (fit, see above)."""
WORKER_START_S = 8.0
"""Starting worker processes (imports, graphs) for a split take or a pool, in seconds of take analysed."""
SEAM_OVERLAP_S = 1.0
"""Each later segment is decoded from this long before its seam, s (as `analysis.take.SEAM_OVERLAP_S`)."""
WORKER_PEAK_MB = 600.0
"""Peak memory of one analysing process on a 1080p take, MB (benchmarks/bench_memory.py)."""
PARENT_MB = 300.0
"""Memory this process keeps while workers run (the joined results of a split take), MB."""


@dataclass(frozen=True)
class BatchPlan:
    """How to run a batch: `mode` "one process" (here, take after take), "pool" (one take per
    worker process, `workers` at once) or "split" (take after take, each take with `segments`
    > 1 cut in time across that many worker processes)."""

    mode: str
    """"one process", "pool" or "split"."""
    workers: int
    """Processes analysing at once."""
    segments: tuple[int, ...]
    """Per take (in the batch's order), the time segments it is cut into (1: not cut)."""
    estimate_s: float
    """The plan's estimated cost, in seconds of take one process analyses in that time."""


def split_cost_s(duration_s: float, workers: int) -> float:
    """One take cut into `workers` time segments, each in its own new process."""
    return WORKER_START_S + duration_s / workers + SEAM_OVERLAP_S


def pool_cost_s(durations_s: Sequence[float], workers: int) -> float:
    """Takes longest first onto the least busy of `workers` processes: the busiest one's load."""
    loads = [WORKER_START_S] * max(1, workers)
    for duration in sorted(durations_s, reverse=True):
        loads[loads.index(min(loads))] += duration + GRAPH_START_S
    return max(loads)


def split_segments(durations_s: Sequence[float], workers: int) -> tuple[int, ...]:
    """Per take, the segments the "split" plan cuts it into: `workers` when that is estimated to
    finish sooner than one process, else 1."""
    return tuple(workers if d > 0 and split_cost_s(d, workers) < d + GRAPH_START_S else 1 for d in durations_s)


def choose_plan(durations_s: Sequence[float], workers: int) -> BatchPlan:
    """The cheapest plan for takes of these durations (s; 0 for a take that costs nothing: cached,
    refused, unreadable) on `workers` processes."""
    count = len(durations_s)
    alone = sum(d + GRAPH_START_S for d in durations_s if d > 0)
    if workers <= 1 or not any(d > 0 for d in durations_s):
        return BatchPlan("one process", 1, (1,) * count, alone)
    segments = split_segments(durations_s, workers)
    split = sum(split_cost_s(d, workers) if k > 1 else (d + GRAPH_START_S if d > 0 else 0.0)
                for d, k in zip(durations_s, segments, strict=True))
    working = [d for d in durations_s if d > 0]
    pool = pool_cost_s(working, min(workers, len(working))) if len(working) > 1 else float("inf")
    best = min(alone, split, pool)
    if pool == best:
        return BatchPlan("pool", min(workers, len(working)), (1,) * count, pool)
    if split == best and any(k > 1 for k in segments):
        return BatchPlan("split", workers, segments, split)
    return BatchPlan("one process", 1, (1,) * count, alone)


def usable_workers(cores: int, available_mb: float | None) -> int:
    """Processes worth running at once: one per core, as many as memory holds at `WORKER_PEAK_MB`
    each beside this process (unknown memory: cores alone); at least 1."""
    workers = max(1, cores)
    if available_mb is not None:
        workers = min(workers, int((available_mb - PARENT_MB) // WORKER_PEAK_MB))
    return max(1, workers)


def machine_cores() -> int:
    """Cores this process may run on (its CPU affinity, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def available_memory_mb() -> float | None:
    """The kernel's estimate of memory available without swapping (MemAvailable), MB; None if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def plan_batch(targets: Sequence[TakeTarget], settings: Settings, jobs: int | None = None, *,
               force: bool = False) -> BatchPlan:
    """The plan for these targets: `jobs` None picks the workers from this machine (cores and
    memory), a number is the user's. Takes answered from the cache (unless `force`), refused
    takes and files that cannot be probed count 0 (they cost a cache read or one line)."""
    workers = jobs if jobs is not None else usable_workers(machine_cores(), available_memory_mb())
    if workers <= 1:
        return choose_plan([0.0] * len(targets), 1)
    return choose_plan([_work_s(target, settings, force) for target in targets], workers)


def _work_s(target: TakeTarget, settings: Settings, force: bool) -> float:
    """Seconds of video this take will have analysed (0 when it will not be)."""
    from rehearse.analysis.take import is_cached
    from rehearse.errors import RehearseError
    from rehearse.pipeline import consent_refusal
    from rehearse.video.probe import probe

    try:
        if consent_refusal(target) is not None or (not force and is_cached(target.path, settings)):
            return 0.0
        return float(probe(target.path).duration_s or 0.0)
    except (RehearseError, OSError):
        return 0.0
