"""Benchmark: 8 takes on a Dask scheduler with 2 single-thread workers vs `--jobs 1` and `--jobs 2`.

    .venv/bin/python benchmarks/bench_cluster.py [--seconds 6] [--width 800]

Generates 8 different takes (the astronaut portrait swaying with different phases, 24 fps),
starts a real `dask scheduler` and two `dask worker --nthreads 1` processes on 127.0.0.1 (their
start-up is timed apart), then runs the real CLI as a user would, with `--force` and a fresh
cache folder: `--jobs 1`, `--jobs 2`, and `--scheduler tcp://127.0.0.1:PORT`. It prints the
wall times, the ratios, and the scheduling overhead per take: the cluster's worker-seconds
(2 x wall) less the analysis seconds the workers report, divided by the takes. On one 2-core
machine the cluster can at best match `--jobs 2`; the overhead is what a take pays for the
round trip (submission, progress events, the ~10 MB/min result coming back, the client's
cache write), which is what decides how it scales to N machines.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_face_path import make_clip  # noqa: E402

TAKES = 8


def run_cli(takes: list[Path], *options: str) -> tuple[float, list[dict]]:
    with tempfile.TemporaryDirectory() as cache_dir:
        env = dict(os.environ, REHEARSE_CACHE_DIR=cache_dir)
        started = time.perf_counter()
        run = subprocess.run(
            [sys.executable, "-m", "rehearse", "analyze", "--force", "--json", *options, *map(str, takes)],
            check=True, env=env, capture_output=True, text=True,
        )
        return time.perf_counter() - started, json.loads(run.stdout)


def start_cluster(log_dir: Path) -> tuple[str, list[subprocess.Popen], float]:
    dask = str(Path(sys.executable).parent / "dask")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    started = time.perf_counter()
    commands = [[dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard", "--no-show"]]
    commands += [[dask, "worker", address, "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1"]] * 2
    processes = []
    for index, command in enumerate(commands):
        log = open(log_dir / f"dask-{index}.log", "wb")  # noqa: SIM115
        processes.append(subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
    from distributed import Client

    with Client(address, timeout=60) as client:
        client.wait_for_workers(2, timeout=120)
    return address, processes, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--width", type=int, default=800)
    args = parser.parse_args()
    height = args.width * 9 // 16 // 2 * 2
    folder = Path(tempfile.gettempdir()) / "rehearse-bench"
    folder.mkdir(exist_ok=True)
    takes = [
        make_clip(folder / f"par_{args.width}w_{args.seconds:g}s_{seed}.mp4", args.seconds, 24.0, args.width, height, seed=seed)
        for seed in range(TAKES)
    ]
    run_cli(takes[:1])  # warm-up: imports, model files, page cache
    address, processes, startup_s = start_cluster(folder)
    try:
        one, _ = run_cli(takes, "--jobs", "1")
        two, _ = run_cli(takes, "--jobs", "2")
        cluster, rows = run_cli(takes, "--scheduler", address)
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
    total_s = TAKES * args.seconds
    analysis_s = sum(row.get("analysis_s") or 0.0 for row in rows)
    overhead = (2 * cluster - analysis_s) / TAKES
    load = os.getloadavg()[0]
    print(f"{TAKES} takes of {args.seconds:g} s at {args.width}x{height}, 24 fps ({total_s:g} s of footage), "
          f"cores: {os.cpu_count()}, load average at the end: {load:.1f}")
    print(f"scheduler + 2 workers started in {startup_s:.1f} s (not counted below)")
    print(f"--jobs 1:            {one:6.1f} s ({total_s / one:.2f}x real time)")
    print(f"--jobs 2:            {two:6.1f} s ({total_s / two:.2f}x real time)")
    print(f"--scheduler (2 x 1): {cluster:6.1f} s ({total_s / cluster:.2f}x real time)")
    print(f"ratio cluster / --jobs 1: {one / cluster:.2f}x faster; cluster / --jobs 2: {two / cluster:.2f}x")
    print(f"scheduling overhead per take: {overhead:.2f} s of worker time "
          f"({2 * cluster:.1f} worker-s, {analysis_s:.1f} s analysing)")


if __name__ == "__main__":
    main()
