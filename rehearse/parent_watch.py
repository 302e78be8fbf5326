"""Worker processes that exit when the process that started them dies (no orphans after kill -9).

A pool worker started through forkserver is the forkserver's child, not the main process's, so
a SIGKILL of the main process leaves it running its take for minutes. `watch_parent(pid)`
starts a daemon thread that checks every `interval_s` whether `pid` is still alive (a zombie
counts as dead: it is only waiting to be reaped) and ends this process at once when it is not.
`start_forkserver_ignoring_ctrl_c` makes pool workers ignore Ctrl-C from their first instruction.
"""

from __future__ import annotations

import os
import threading
import time

CHECK_INTERVAL_S = 0.25
FORKSERVER_PRELOAD = ("__main__", "numpy", "cv2", "av", "mediapipe", "rehearse.analysis.segments",
                      "rehearse.worker_pool")
"""Modules the fork server imports before it forks any worker ("__main__": the default)."""


def process_alive(pid: int) -> bool:
    """True while `pid` runs (not a zombie)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            state = handle.read().rsplit(b")", 1)[-1].split()[0]
        return state not in (b"Z", b"X")
    except FileNotFoundError:
        return False
    except (OSError, IndexError):
        pass  # no /proc (macOS): ask the kernel
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def watch_parent(pid: int, interval_s: float = CHECK_INTERVAL_S) -> threading.Thread:
    """Exit this process (status 70) soon after `pid` dies; returns the watching thread."""

    def watch() -> None:
        while process_alive(pid):
            time.sleep(interval_s)
        os._exit(70)  # nothing to save: a worker's cache writes are atomic, partial work is dropped

    thread = threading.Thread(target=watch, name=f"watch-parent-{pid}", daemon=True)
    thread.start()
    return thread


def start_forkserver_ignoring_ctrl_c(context) -> None:
    """Start `context`'s fork server (if it is one and not running yet) with Ctrl-C ignored.

    Pool workers ignore Ctrl-C (the parent stops them through an event, so no cache entry is
    cut short), but only from their initializer on: a Ctrl-C reaching the whole process group
    while a worker is still importing printed a KeyboardInterrupt traceback from it and broke
    the pool. A signal ignored when a program starts stays ignored, so a fork server started
    like this has children that ignore Ctrl-C from birth. Only the main thread may change
    signal handlers; elsewhere (the app's worker threads, where no Ctrl-C arrives) this does
    nothing."""
    import signal

    if context.get_start_method() != "forkserver" or threading.current_thread() is not threading.main_thread():
        return
    from multiprocessing import forkserver

    # Each worker the fork server forks starts with these already imported (~1 s of imports
    # per worker otherwise). Safe to fork after: importing them starts no thread besides
    # OpenBLAS's pool, which numpy re-creates after a fork; no MediaPipe graph exists yet
    # (each worker builds its own). A module that fails to import is skipped by the server.
    context.set_forkserver_preload(list(FORKSERVER_PRELOAD))
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, previous)  # (a Ctrl-C in these few milliseconds is lost)
