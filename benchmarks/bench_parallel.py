"""Benchmark (c): the batch plan on 2 cores: each batch run take after take in one process, one take
per worker (pool) and each long take split in time (split), against decode-only of the same files.

    .venv/bin/python benchmarks/bench_parallel.py [--seconds 6] [--width 800] [--long-seconds 30]

Batches: four short takes (the astronaut portrait swaying with different phases, 24 fps, made
into $TMPDIR/rehearse-bench), one long take (the real 1080p24 upscale of bench_full_analysis.py)
and the long take with two short ones. Each plan runs through the product's own code
(`pipeline.analyze_one`, `worker_pool.analyze_in_pool`, `analyze_one(segments=2)`) with
`force=True` and a fresh cache; what `rehearse analyze` would pick (`batch_plan.plan_batch` with
this machine's cores and memory) is marked. The machine may be shared, so every time is printed
as a ratio to decode-only of the same files measured just before and after (PyAV, threaded, no
colour conversion): footage seconds per wall second divided by decode-only's, so 1.0 would
mean analysis as fast as decoding. The plan is right when its mark sits on the best ratio.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_face_path import make_clip  # noqa: E402
from bench_full_analysis import real_1080p_clip  # noqa: E402

from rehearse.config import Settings  # noqa: E402

PLANS = ("one process", "pool", "split")


def decode_s(takes: list[Path]) -> float:
    """Wall seconds to decode every frame of the takes (no colour conversion)."""
    from rehearse.video.frames import frame_times

    started = time.perf_counter()
    for take in takes:
        frame_times(take)
    return time.perf_counter() - started


def run_plan(takes: list[Path], plan: str, workers: int = 2) -> float:
    """Wall seconds to analyse the takes with this plan (fresh cache, force)."""
    from rehearse import batch_plan, pipeline
    from rehearse.video.probe import probe

    targets = [pipeline.TakeTarget(take, take.name) for take in takes]
    with tempfile.TemporaryDirectory() as cache_dir:
        settings = Settings(cache_dir=Path(cache_dir))
        started = time.perf_counter()
        if plan == "pool":
            from rehearse.worker_pool import analyze_in_pool

            outcomes = analyze_in_pool(targets, settings, workers, force=True, keep_analysis=False)
        else:
            durations = [probe(take).duration_s or 0.0 for take in takes]
            segments = batch_plan.split_segments(durations, workers) if plan == "split" else (1,) * len(takes)
            outcomes = [pipeline.analyze_one(t, settings, force=True, keep_analysis=False, segments=k)
                        for t, k in zip(targets, segments, strict=True)]
        elapsed = time.perf_counter() - started
    failed = [o.error for o in outcomes if o.error]
    if failed:
        sys.exit(f"analysis failed: {failed[0]}")
    return elapsed


def bench_batch(name: str, takes: list[Path]) -> None:
    from rehearse import batch_plan, pipeline
    from rehearse.video.probe import probe

    footage_s = sum(probe(take).duration_s or 0.0 for take in takes)
    chosen = batch_plan.plan_batch([pipeline.TakeTarget(t, t.name) for t in takes], Settings(), None, force=True)
    print(f"{name}: {len(takes)} take(s), {footage_s:.0f} s of footage; rehearse analyze picks "
          f"'{chosen.mode}' on {chosen.workers} worker(s) (segments {chosen.segments})")
    ratios = {}
    for plan in PLANS:
        if plan == "pool" and len(takes) < 2:
            continue
        before = decode_s(takes)
        wall = run_plan(takes, plan)
        after = decode_s(takes)
        decode = (before + after) / 2
        ratios[plan] = decode / wall
        print(f"  {plan:11s}: {wall:6.1f} s = {footage_s / wall:.2f}x real time; decode-only {decode:.1f} s -> "
              f"analysis/decode {ratios[plan]:.3f} (load average {os.getloadavg()[0]:.1f})"
              + ("   <- the default" if plan == chosen.mode else ""))
    best = max(ratios, key=ratios.get)
    verdict = "the default's plan was the fastest" if best == chosen.mode else (
        f"fastest: {best}, {ratios[best] / ratios.get(chosen.mode, float('nan')):.2f}x the default's")
    print(f"  {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6.0, help="length of each short take")
    parser.add_argument("--width", type=int, default=800, help="width of the short takes")
    parser.add_argument("--long-seconds", type=float, default=30.0, help="the long take (0: skip its batches)")
    args = parser.parse_args()
    height = args.width * 9 // 16 // 2 * 2
    folder = Path(tempfile.gettempdir()) / "rehearse-bench"
    folder.mkdir(exist_ok=True)
    short = [
        make_clip(folder / f"par_{args.width}w_{args.seconds:g}s_{seed}.mp4", args.seconds, 24.0, args.width, height, seed=seed)
        for seed in range(4)
    ]
    print(f"workers usable: {batch_plan_cores()}, load average {os.getloadavg()[0]:.1f}")
    run_plan(short[:1], "one process")  # warm-up: imports, model files, page cache
    bench_batch(f"four short takes ({args.width}x{height})", short)
    if args.long_seconds > 0:
        long_take = real_1080p_clip(args.long_seconds)
        bench_batch("one long take (1080p24, real footage upscaled)", [long_take])
        bench_batch("the long take and two short ones", [long_take, *short[:2]])


def batch_plan_cores() -> int:
    from rehearse.batch_plan import available_memory_mb, machine_cores, usable_workers

    return usable_workers(machine_cores(), available_memory_mb())


if __name__ == "__main__":
    main()
