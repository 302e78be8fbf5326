"""Benchmark (d): peak RSS of a full analysis of a 1-minute vs a 10-minute 1080p take.

    .venv/bin/python benchmarks/bench_memory.py [--minutes 10]

Generates both takes once into $TMPDIR/rehearse-bench (48 distinct swaying frames of the
astronaut portrait, cycled, encoded with x264 ultrafast so generation stays cheap), then runs
`analyze_take(force=True)` on each in a fresh child process that reports its own peak RSS
(ru_maxrss). Frames are never held, so what may grow with length is only the per-frame
results (float32 landmark and signal arrays) and the audio; the script prints that expected
size next to the measured growth.
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_face_path import portrait_frames  # noqa: E402

FPS = 24.0

CHILD = """
import json, resource, sys, time
from pathlib import Path
from rehearse.analysis.take import analyze_take
from rehearse.config import Settings
started = time.perf_counter()
analysis = analyze_take(Path(sys.argv[1]), Settings(cache_dir=Path(sys.argv[2])), force=True,
                        segments=int(sys.argv[3]))
elapsed = time.perf_counter() - started
arrays = sum(t.points.nbytes + t.confidence.nbytes + t.times.nbytes for t in analysis.landmarks.values())
arrays += sum(v.nbytes for v in analysis.signals.values.values()) + analysis.audio.rms_db.nbytes * 3
print(json.dumps({"peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "worker_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                  "frames": analysis.frame_count, "seconds": elapsed, "result_mb": arrays / 2**20}))
"""


def make_long_take(path: Path, minutes: float) -> Path:
    from rehearse.video.writer import write_video

    if path.exists():
        return path
    cycle = list(portrait_frames(2.0, FPS, motion=2.0))
    frames = itertools.islice(itertools.cycle(cycle), round(minutes * 60 * FPS))
    partial = path.with_suffix(".part.mp4")
    write_video(partial, frames, fps=FPS, crf=28, preset="ultrafast")
    partial.replace(path)
    return path


def measure(path: Path, cache_dir: Path, segments: int = 1) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), str(cache_dir), str(segments)], capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--segments", type=int, default=1,
                        help="analyse each take in this many time segments (worker processes; their peak is printed too)")
    args = parser.parse_args()
    folder = Path(tempfile.gettempdir()) / "rehearse-bench"
    folder.mkdir(exist_ok=True)
    started = time.perf_counter()
    short = make_long_take(folder / "long_1080p24_1min.mp4", 1.0)
    long = make_long_take(folder / f"long_1080p24_{args.minutes:g}min.mp4", args.minutes)
    print(f"takes ready in {time.perf_counter() - started:.0f} s: {short.name}, {long.name}")
    with tempfile.TemporaryDirectory() as cache_dir:
        results = {}
        for name, path in [("1 min", short), (f"{args.minutes:g} min", long)]:
            results[name] = measure(path, Path(cache_dir), args.segments)
            r = results[name]
            workers = f" (largest worker {r['worker_peak_rss_mb']:.0f} MB)" if args.segments > 1 else ""
            print(
                f"{name}: {r['frames']} frames, peak RSS {r['peak_rss_mb']:.0f} MB{workers}, "
                f"per-frame results {r['result_mb']:.1f} MB, analysed in {r['seconds']:.0f} s "
                f"({r['frames'] / r['seconds']:.1f} fps)"
            )
    (a, b) = results.values()
    growth = b["peak_rss_mb"] - a["peak_rss_mb"]
    extra_minutes = args.minutes - 1.0
    print(
        f"peak RSS ratio {args.minutes:g} min / 1 min = {b['peak_rss_mb'] / a['peak_rss_mb']:.2f}; "
        f"growth {growth:.0f} MB = {growth / extra_minutes:.1f} MB per extra minute "
        f"(per-frame results grow {(b['result_mb'] - a['result_mb']) / extra_minutes:.1f} MB/min; "
        f"one 1080p RGB frame is {1920 * 1080 * 3 / 2**20:.1f} MB, a minute of them "
        f"{1920 * 1080 * 3 * FPS * 60 / 2**30:.1f} GB)"
    )


if __name__ == "__main__":
    main()
