"""Worker processes that exit when the process that started them dies (no orphans after kill -9).

A pool worker started through forkserver is the forkserver's child, not the main process's, so
a SIGKILL of the main process leaves it running its take for minutes. `watch_parent(pid)`
starts a daemon thread that checks every `interval_s` whether `pid` is still alive (a zombie
counts as dead: it is only waiting to be reaped) and ends this process at once when it is not.
"""

from __future__ import annotations

import os
import threading
import time

CHECK_INTERVAL_S = 0.25


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
