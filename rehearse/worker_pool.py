"""Several takes analysed at once in this machine's worker processes (`rehearse analyze --jobs N`).

Each worker runs `pipeline.analyze_one` (so consent and the cache work as in one process) and
reports through a queue, throttled by `pipeline.throttled`. Workers start by forkserver/spawn,
so MediaPipe's graphs are built in the worker and no thread state is forked; a worker ignores
Ctrl-C and stops at its next frame when the parent sets the stop event, so a stop never leaves a
half-written cache entry, and it exits within 2 s when the main process is killed.
"""

from __future__ import annotations

import multiprocessing
import os
import queue as queue_module
import signal
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

from rehearse.analysis import cache
from rehearse.config import Settings
from rehearse.errors import RehearseError
from rehearse.pipeline import Progress, TakeOutcome, TakeTarget, analyze_one, throttled


def _start_method() -> str:
    methods = multiprocessing.get_all_start_methods()
    return "forkserver" if "forkserver" in methods else "spawn"


def analyze_in_pool(
    targets: Sequence[TakeTarget], settings: Settings, jobs: int, *, force: bool = False,
    progress: Progress | None = None, should_stop: Callable[[], bool] | None = None, keep_analysis: bool = True,
) -> list[TakeOutcome]:
    """Analyse the targets one per worker process (`jobs` at once), in the order given."""
    from rehearse.parent_watch import start_forkserver_ignoring_ctrl_c

    context = multiprocessing.get_context(_start_method())
    start_forkserver_ignoring_ctrl_c(context)
    updates = context.Queue()
    stop = context.Event()
    outcomes: dict[int, TakeOutcome] = {}
    with ProcessPoolExecutor(
        max_workers=min(jobs, len(targets)), mp_context=context, initializer=_worker_init,
        initargs=(updates, stop, os.getpid(), cache.known_hashes()),
    ) as pool:
        futures: dict[Future, int] = {
            pool.submit(_worker_analyze, target, settings, force, keep_analysis): i for i, target in enumerate(targets)
        }
        pending = set(futures)
        try:
            while pending:
                done, pending = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
                _drain(updates, progress)
                for future in done:
                    outcomes[futures[future]] = _outcome_of(future, targets[futures[future]])
                if should_stop is not None and should_stop():
                    stop.set()
        except KeyboardInterrupt:
            stop.set()  # workers stop at their next frame; running cache writes finish atomically
            for future in pending:
                future.cancel()
            wait(pending)
            raise
        _drain(updates, progress)
    return [outcomes[i] for i in range(len(targets))]


def _outcome_of(future: Future, target: TakeTarget) -> TakeOutcome:
    try:
        return future.result()
    except RehearseError as error:
        return TakeOutcome(target, error=error.one_line(), status="failed")
    except Exception as error:  # a worker that died (e.g. killed) must not stop the batch
        return TakeOutcome(target, error=f"{target.path}: error: analysis crashed: {type(error).__name__}: {error}", status="failed")


def _drain(updates, progress: Progress | None) -> None:
    while True:
        try:
            update = updates.get_nowait()
        except (queue_module.Empty, OSError, EOFError):
            return
        if progress is not None:
            progress(update)


_worker_updates: Any = None
_worker_stop: Any = None


def _worker_init(updates, stop, parent_pid: int | None = None, hashes: dict | None = None) -> None:
    """Runs once in each worker: Ctrl-C goes to the parent, which sets `stop` instead. `hashes`:
    content hashes the parent already computed (planning the batch), not read again here.

    A worker reports only through `updates` and its returned outcome, so its native stderr
    (MediaPipe's C++ start-up log lines, which no setting silences) goes to /dev/null instead
    of breaking the parent's progress display.
    """
    global _worker_updates, _worker_stop
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if parent_pid is not None:
        from rehearse.parent_watch import watch_parent

        watch_parent(parent_pid)  # a kill -9 of the main process must not leave workers running
    _worker_updates, _worker_stop = updates, stop
    if hashes:
        cache.remember_hashes(hashes)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


def _worker_analyze(target: TakeTarget, settings: Settings, force: bool, keep_analysis: bool) -> TakeOutcome:
    return analyze_one(
        target, settings, force=force, progress=throttled(_worker_updates.put), should_stop=_worker_stop.is_set,
        keep_analysis=keep_analysis,
    )
