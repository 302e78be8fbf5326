"""Workers exit within 2 s of a SIGKILL of the process that started them (issue 16 item 7)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from rehearse.parent_watch import process_alive

# The main process starts a pool the way worker_pool does (forkserver, worker_pool._worker_init),
# hands each worker a task that would run for a minute, prints the workers' pids and waits.
MAIN = r"""
import multiprocessing, os, sys, time
from concurrent.futures import ProcessPoolExecutor
from rehearse import worker_pool

def busy(_):
    time.sleep(60)
    return os.getpid()

def pid(_):
    return os.getpid()

if __name__ == "__main__":
    context = multiprocessing.get_context(worker_pool._start_method())
    pool = ProcessPoolExecutor(max_workers=2, mp_context=context, initializer=worker_pool._worker_init,
                               initargs=(context.Queue(), context.Event(), os.getpid()))
    pids = set()
    while len(pids) < 2:
        pids |= set(pool.map(pid, range(8)))
    for _ in range(2):
        pool.submit(busy, 0)
    print(" ".join(map(str, sorted(pids))), flush=True)
    time.sleep(120)
"""


def test_pool_workers_exit_soon_after_the_main_process_is_killed(tmp_path):
    script = tmp_path / "main.py"
    script.write_text(MAIN)
    main = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": os.getcwd()})
    try:
        line = main.stdout.readline()
        workers = [int(p) for p in line.split()]
        assert len(workers) == 2 and all(process_alive(p) for p in workers)
        os.kill(main.pid, signal.SIGKILL)
        killed_at = time.monotonic()
        while any(process_alive(p) for p in workers) and time.monotonic() - killed_at < 10:
            time.sleep(0.05)
        gone_after = time.monotonic() - killed_at
        assert not any(process_alive(p) for p in workers), "workers still running 10 s after the kill"
        assert gone_after < 2.0, f"workers took {gone_after:.2f} s to exit"
    finally:
        main.kill()
        main.wait()
        for pid in workers if "workers" in dir() else []:
            if process_alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_a_zombie_parent_counts_as_dead():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with open(f"/proc/{child.pid}/stat", "rb") as handle:
            if handle.read().rsplit(b")", 1)[-1].split()[0] == b"Z":
                break
        time.sleep(0.02)
    assert not process_alive(child.pid)  # exited, not yet reaped
    child.wait()
    assert not process_alive(child.pid)


# A pool started the way worker_pool and analysis.segments start theirs, but with no initializer:
# what SIGINT does in a worker before any of our code runs there.
BORN_IGNORING = r"""
import multiprocessing, signal
from concurrent.futures import ProcessPoolExecutor
from rehearse.parent_watch import start_forkserver_ignoring_ctrl_c

def ignores_ctrl_c():
    return signal.getsignal(signal.SIGINT) == signal.SIG_IGN

if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal, even if the test runner ignores it
    context = multiprocessing.get_context("forkserver")
    start_forkserver_ignoring_ctrl_c(context)
    with ProcessPoolExecutor(2, mp_context=context) as pool:
        print([f.result() for f in [pool.submit(ignores_ctrl_c) for _ in range(2)]])
    print(signal.getsignal(signal.SIGINT) is signal.default_int_handler)
"""


def test_pool_workers_ignore_ctrl_c_from_birth_and_the_main_process_does_not(tmp_path):
    """A Ctrl-C reaching the process group while a worker still imports must not raise a
    KeyboardInterrupt there (a traceback on the terminal and a broken pool)."""
    if "forkserver" not in __import__("multiprocessing").get_all_start_methods():
        import pytest

        pytest.skip("no forkserver start method on this platform (spawn: workers ignore Ctrl-C from their initializer)")
    script = tmp_path / "born.py"
    script.write_text(BORN_IGNORING)
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    workers, main = run.stdout.splitlines()
    assert workers == "[True, True]"
    assert main == "True"  # the main process still answers Ctrl-C


PRELOADED = r"""
import multiprocessing, os, sys
from concurrent.futures import ProcessPoolExecutor
from rehearse.parent_watch import start_forkserver_ignoring_ctrl_c

def fresh_worker():
    heavy = sorted(m for m in ("mediapipe", "cv2", "av", "rehearse.analysis.segments") if m in sys.modules)
    import numpy as np
    from mediapipe.python.solutions import face_mesh
    with face_mesh.FaceMesh(static_image_mode=True) as mesh:  # a graph of its own, after the fork
        found = mesh.process(np.zeros((64, 64, 3), np.uint8)).multi_face_landmarks
    matrix = np.arange(16.0).reshape(4, 4)  # BLAS works in the forked child
    return heavy, found is None, float((matrix @ matrix).sum()), os.getpid()

if __name__ == "__main__":
    context = multiprocessing.get_context("forkserver")
    start_forkserver_ignoring_ctrl_c(context)
    with ProcessPoolExecutor(2, mp_context=context) as pool:
        results = [f.result() for f in [pool.submit(fresh_worker) for _ in range(2)]]
    print(repr(results))
"""


def test_pool_workers_are_forked_with_the_heavy_modules_already_imported(tmp_path):
    """The fork server imports MediaPipe, OpenCV and PyAV once (FORKSERVER_PRELOAD), so a new
    worker does not pay ~1 s of imports; each still builds and runs its own MediaPipe graph."""
    import ast
    import multiprocessing

    import pytest

    if "forkserver" not in multiprocessing.get_all_start_methods():
        pytest.skip("no forkserver start method on this platform")
    script = tmp_path / "preloaded.py"
    script.write_text(PRELOADED)
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    results = ast.literal_eval(run.stdout.strip().splitlines()[-1])
    for heavy, no_face_in_black, matrix_sum, _ in results:
        assert heavy == ["av", "cv2", "mediapipe", "rehearse.analysis.segments"]
        assert no_face_in_black
        assert matrix_sum == 3920.0  # sum of (arange(16) as 4x4) squared, as numpy gives it here
