"""Analysis on a Dask scheduler: a LocalCluster and a real `dask scheduler` with two `dask worker`
processes on 127.0.0.1 give what a local run gives, survive a worker killed mid-take, and say in
one line when a worker cannot see a take or the scheduler is gone."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from tests_support import SAMPLE_PRODUCTION

from rehearse.cluster import ClusterError, parse_scheduler
from rehearse.config import Settings

pytest.importorskip("distributed", reason="distributed (Dask) is not installed")

DASK_BIN = Path(sys.executable).parent / "dask"


def _production(tmp_path: Path, takes: list[str]) -> Path:
    """A copy of the sample production with only the named take files (and a fresh cache)."""
    folder = tmp_path / "production"
    shutil.copytree(SAMPLE_PRODUCTION, folder, ignore=shutil.ignore_patterns("*.mp4", ".rehearse"))
    for name in takes:
        shutil.copy2(SAMPLE_PRODUCTION / "takes" / name, folder / "takes" / name)
    return folder


def _targets(folder: Path, names: list[str]):
    from rehearse import pipeline

    plan = pipeline.plan_takes([str(folder / "takes" / n) for n in names], folder)
    assert not plan.refused
    return plan.targets


def _same_analysis(a, b) -> None:
    assert a.frame_count == b.frame_count
    assert np.array_equal(a.signals.times, b.signals.times)
    for name, values in a.signals.values.items():
        np.testing.assert_allclose(values, b.signals.values[name], atol=1e-5, equal_nan=True, err_msg=name)
    for part, track in a.landmarks.items():
        np.testing.assert_allclose(track.points, b.landmarks[part].points, atol=1e-5, err_msg=part)


def test_scheduler_spec_is_parsed_or_refused_in_one_line():
    assert parse_scheduler("local").local_workers == 2
    assert parse_scheduler("local:3").local_workers == 3
    assert parse_scheduler("10.0.0.5:8786").address == "tcp://10.0.0.5:8786"
    assert parse_scheduler("tls://h:1").address == "tls://h:1"
    for bad in ("local:0", "local:x", "", "a b"):
        with pytest.raises(ClusterError) as caught:
            parse_scheduler(bad)
        assert "\n" not in caught.value.one_line()


def test_distributed_is_not_imported_without_a_scheduler(tmp_path):
    folder = _production(tmp_path, [])
    code = (
        "import sys; from rehearse import pipeline; from rehearse.config import Settings;"
        f"pipeline.analyze_targets([], Settings(cache_dir={str(tmp_path / 'c')!r}));"
        "assert 'distributed' not in sys.modules and 'dask' not in sys.modules, 'dask imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=folder)


@pytest.mark.slow  # waits out a connect timeout to an unreachable scheduler (~30 s)
def test_unreachable_scheduler_is_one_line_and_cached_takes_never_connect(tmp_path):
    """No scheduler listens on the port: one line, exit 1. Refused and cached takes are settled
    before any connection, so a batch of only those never needs one."""
    port = _free_port()
    folder = _production(tmp_path, ["01-1A-1.mp4"])
    env = {**os.environ, "REHEARSE_CACHE_DIR": str(tmp_path / "cache"), "REHEARSE_CLUSTER__CONNECT_TIMEOUT_S": "2"}
    take = str(folder / "takes" / "01-1A-1.mp4")
    # The setting (here its REHEARSE_* variable) makes the scheduler the default.
    run = subprocess.run(
        [sys.executable, "-m", "rehearse", "analyze", take],
        capture_output=True, text=True, env={**env, "REHEARSE_CLUSTER__SCHEDULER": f"127.0.0.1:{port}"},
        cwd=folder, timeout=120,
    )
    assert run.returncode == 1
    errors = [line for line in run.stderr.splitlines() if not line.startswith("analyze: ")]  # progress
    assert len(errors) == 1 and "Traceback" not in run.stderr
    assert errors[0].startswith(f"tcp://127.0.0.1:{port}: error: cannot reach the scheduler")
    # Once cached locally, the same batch answers from the cache without a scheduler.
    subprocess.run([sys.executable, "-m", "rehearse", "analyze", take], check=True, env=env, cwd=folder,
                   capture_output=True, timeout=600)
    again = subprocess.run(
        [sys.executable, "-m", "rehearse", "analyze", take, "--scheduler", f"127.0.0.1:{port}", "--json"],
        capture_output=True, text=True, env=env, cwd=folder, timeout=120,
    )
    assert again.returncode == 0, again.stderr
    assert '"status": "cached"' in again.stdout


@pytest.mark.slow
@pytest.mark.models
def test_local_cluster_gives_the_local_result_and_caches_it_here(tmp_path):
    from rehearse import pipeline
    from rehearse.analysis.take import load_cached

    names = ["01-1A-1.mp4", "01-1A-2.mp4"]
    folder = _production(tmp_path, names)
    targets = _targets(folder, names)
    local = Settings(cache_dir=tmp_path / "local-cache")
    remote = Settings(cache_dir=tmp_path / "cluster-cache")
    updates = []
    on_cluster = pipeline.analyze_targets(targets, remote, scheduler="local:2", progress=updates.append)
    assert [o.status for o in on_cluster] == ["analyzed", "analyzed"], [o.error for o in on_cluster]
    here = pipeline.analyze_targets(targets, local)
    for a, b in zip(here, on_cluster, strict=True):
        _same_analysis(a.analysis, b.analysis)
        events_a = pipeline.take_events(a.target, a.analysis, None, local).events
        events_b = pipeline.take_events(b.target, b.analysis, None, remote).events
        assert [(e.kind, round(e.start_s, 4), round(e.end_s, 4)) for e in events_a] == [
            (e.kind, round(e.start_s, 4), round(e.end_s, 4)) for e in events_b
        ]
    # The client wrote the entries: a local re-run finds them without decoding.
    for target in targets:
        assert load_cached(target.path, remote) is not None
    # Progress came back from the workers: landmarks while running, done at the end, per take.
    stages = {(u.take, u.stage) for u in updates}
    for target in targets:
        assert (target.label, "landmarks") in stages and (target.label, "done") in stages


class _DaskProcesses:
    """A real `dask scheduler` and `dask worker`s on 127.0.0.1, stopped at the end."""

    def __init__(self, tmp_path: Path):
        self.tmp = tmp_path
        self.port = _free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.processes: list[subprocess.Popen] = []

    def start_scheduler(self) -> None:
        self._spawn([str(DASK_BIN), "scheduler", "--host", "127.0.0.1", "--port", str(self.port),
                     "--no-dashboard", "--no-show"])

    def start_worker(self, name: str, prefix: list[str] | None = None) -> subprocess.Popen:
        return self._spawn([*(prefix or []), str(DASK_BIN), "worker", self.address, "--nthreads", "1",
                            "--no-nanny", "--no-dashboard", "--name", name, "--host", "127.0.0.1"])

    def _spawn(self, command: list[str]) -> subprocess.Popen:
        log = open(self.tmp / f"dask-{len(self.processes)}.log", "wb")  # noqa: SIM115
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append(process)
        return process

    def wait_for_workers(self, count: int, timeout_s: float = 120) -> None:
        from distributed import Client

        with Client(self.address, timeout=timeout_s) as client:
            client.wait_for_workers(count, timeout=timeout_s)

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture
def dask_processes(tmp_path):
    if not DASK_BIN.exists():
        pytest.skip("the `dask` command is not installed beside this Python")
    processes = _DaskProcesses(tmp_path)
    yield processes
    processes.stop()


@pytest.mark.slow
@pytest.mark.models
def test_real_scheduler_survives_a_worker_killed_mid_take(tmp_path, dask_processes):
    from rehearse import pipeline

    names = ["01-1A-1.mp4", "01-1A-2.mp4", "01-1A-3.mp4"]
    folder = _production(tmp_path, names)
    targets = _targets(folder, names)
    dask_processes.start_scheduler()
    doomed = dask_processes.start_worker("doomed")
    dask_processes.start_worker("survivor")
    dask_processes.wait_for_workers(2)
    killed = threading.Event()

    def kill_on_first_frames(update) -> None:
        if update.stage == "landmarks" and update.frames_done and not killed.is_set():
            killed.set()
            os.kill(doomed.pid, signal.SIGKILL)

    settings = Settings(cache_dir=tmp_path / "cache")
    outcomes = pipeline.analyze_targets(
        targets, settings, scheduler=dask_processes.address, progress=kill_on_first_frames
    )
    assert killed.is_set() and doomed.poll() is not None
    assert [o.status for o in outcomes] == ["analyzed"] * 3, [o.error for o in outcomes]
    # Every result was cached whole by the client; nothing half-written is left behind.
    again = pipeline.analyze_targets(targets, settings)
    assert [o.status for o in again] == ["cached"] * 3
    leftovers = [p for p in (tmp_path / "cache").rglob("*") if p.is_file() and ".tmp" in p.name]
    assert leftovers == []


@pytest.mark.slow
def test_a_worker_that_cannot_see_the_take_names_itself_and_the_path(tmp_path, dask_processes):
    """The worker runs in its own mount namespace with an empty folder mounted over the takes:
    the client sees the file, the worker does not."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("needs root and unshare(1) to give a worker its own view of the file system")
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"unshare -m is not permitted here: {probe.stderr.decode().strip()}")
    from rehearse import pipeline

    folder = _production(tmp_path, ["01-1A-1.mp4"])
    takes = folder / "takes"
    dask_processes.start_scheduler()
    script = f"mount --make-rprivate / && mount -t tmpfs none {takes} && exec \"$0\" \"$@\""
    dask_processes.start_worker("blind", prefix=["unshare", "-m", "sh", "-c", script])
    dask_processes.wait_for_workers(1)
    targets = _targets(folder, ["01-1A-1.mp4"])
    started = time.monotonic()
    [outcome] = pipeline.analyze_targets(targets, Settings(cache_dir=tmp_path / "cache"), scheduler=dask_processes.address)
    assert outcome.status == "failed"
    assert "\n" not in outcome.error
    assert str(targets[0].path) in outcome.error and "worker tcp://127.0.0.1:" in outcome.error
    assert "cannot open" in outcome.error
    assert time.monotonic() - started < 60


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
@pytest.mark.models
def test_a_lost_scheduler_fails_only_the_unfinished_takes(tmp_path, dask_processes):
    from rehearse import pipeline

    names = ["01-1A-1.mp4", "01-1A-2.mp4"]
    folder = _production(tmp_path, names)
    targets = _targets(folder, names)
    dask_processes.start_scheduler()
    dask_processes.start_worker("only")
    dask_processes.wait_for_workers(1)
    scheduler = dask_processes.processes[0]

    def kill_scheduler_after_the_first_take(update) -> None:
        if update.stage == "done" and scheduler.poll() is None:
            os.killpg(scheduler.pid, signal.SIGKILL)

    settings = Settings(cache_dir=tmp_path / "cache")
    started = time.monotonic()
    first, second = pipeline.analyze_targets(
        targets, settings, scheduler=dask_processes.address, progress=kill_scheduler_after_the_first_take
    )
    assert first.status == "analyzed"
    assert second.status == "failed" and "\n" not in second.error
    assert "was lost" in second.error and str(targets[1].path) in second.error
    assert time.monotonic() - started < 180
    from rehearse.analysis.take import load_cached

    assert load_cached(targets[0].path, settings) is not None


@pytest.mark.slow
@pytest.mark.models
def test_a_long_take_goes_as_segments_and_equals_the_local_split(tmp_path):
    """With `cluster.segment_s` 4 s an 8 s take goes to two workers as two segments (the second
    decoded from 1 s before its seam); joined on the client it equals the same split run in this
    machine's worker processes, frame for frame."""
    from rehearse import pipeline
    from rehearse.analysis.take import analyze_take
    from rehearse.config import ClusterSettings

    names = ["01-1A-1.mp4"]
    folder = _production(tmp_path, names)
    [target] = _targets(folder, names)
    settings = Settings(cache_dir=tmp_path / "cluster-cache", cluster=ClusterSettings(segment_s=4.0))
    updates = []
    [outcome] = pipeline.analyze_targets([target], settings, scheduler="local:2", progress=updates.append)
    assert outcome.status == "analyzed", outcome.error
    local_split = analyze_take(target.path, Settings(cache_dir=tmp_path / "local-cache"), segments=2)
    _same_analysis(local_split, outcome.analysis)
    events_split = pipeline.take_events(target, local_split, None, settings).events
    events_cluster = pipeline.take_events(target, outcome.analysis, None, settings).events
    assert [(e.kind, round(e.start_s, 4), round(e.end_s, 4)) for e in events_split] == [
        (e.kind, round(e.start_s, 4), round(e.end_s, 4)) for e in events_cluster
    ]
    # Progress of both segments was summed into the take's own line, and reached its end.
    frames = [u.frames_done for u in updates if u.take == target.label and u.stage == "landmarks"]
    assert frames and max(frames) > outcome.analysis.frame_count // 2
    assert (target.label, "done") in {(u.take, u.stage) for u in updates}
