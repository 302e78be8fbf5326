"""Benchmark (c): `rehearse analyze --jobs 2` vs `--jobs 1`, wall-time speed-up, over 4 takes and over one long take.

    .venv/bin/python benchmarks/bench_parallel.py [--seconds 6] [--width 800] [--long-seconds 30]

Four takes: `--jobs 2` runs one take per worker. One long take (the real 1080p24 upscale of
bench_full_analysis.py): `--jobs 2` splits it in two time segments analysed by two workers
with a 1 s overlap (analysis/segments.py). The batch rule picks per batch: several takes go
across workers, a single take is split.

Generates 4 different takes (the astronaut portrait swaying with different phases, 24 fps)
into $TMPDIR/rehearse-bench, then runs the real CLI as a user would, with `--force` and a
fresh cache folder, once with one job and once with two, and prints jobs-1 time / jobs-2 time.
On 2 cores the ceiling is 2.0; worker start-up (importing MediaPipe in each) and the decode
thread already overlapping work in `--jobs 1` keep it lower.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_face_path import make_clip  # noqa: E402
from bench_full_analysis import real_1080p_clip  # noqa: E402


def run_cli(takes: list[Path], jobs: int) -> float:
    with tempfile.TemporaryDirectory() as cache_dir:
        env = dict(os.environ, REHEARSE_CACHE_DIR=cache_dir)
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "rehearse", "analyze", "--force", "--jobs", str(jobs), *map(str, takes)],
            check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--width", type=int, default=800)
    parser.add_argument("--long-seconds", type=float, default=30.0, help="the single long take (0: skip)")
    args = parser.parse_args()
    height = args.width * 9 // 16 // 2 * 2
    folder = Path(tempfile.gettempdir()) / "rehearse-bench"
    folder.mkdir(exist_ok=True)
    takes = [
        make_clip(folder / f"par_{args.width}w_{args.seconds:g}s_{seed}.mp4", args.seconds, 24.0, args.width, height, seed=seed)
        for seed in range(4)
    ]
    run_cli(takes[:1], 1)  # warm-up: imports, model files, page cache
    one = run_cli(takes, 1)
    two = run_cli(takes, 2)
    total_s = 4 * args.seconds
    print(f"4 takes of {args.seconds:g} s at {args.width}x{height}, 24 fps ({total_s:g} s of footage), cores: {os.cpu_count()}")
    print(f"--jobs 1: {one:.1f} s ({total_s / one:.2f}x real time)")
    print(f"--jobs 2: {two:.1f} s ({total_s / two:.2f}x real time)")
    print(f"speed-up --jobs 2 / --jobs 1: {one / two:.2f}x (load average {os.getloadavg()[0]:.1f})")
    if args.long_seconds > 0:
        long_take = real_1080p_clip(args.long_seconds)
        one = run_cli([long_take], 1)
        two = run_cli([long_take], 2)
        print(f"one take of {args.long_seconds:g} s at 1920x1080, 24 fps (real footage upscaled):")
        print(f"--jobs 1: {one:.1f} s ({args.long_seconds / one:.2f}x real time)")
        print(f"--jobs 2 (split in two segments): {two:.1f} s ({args.long_seconds / two:.2f}x real time)")
        print(f"speed-up: {one / two:.2f}x (load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
