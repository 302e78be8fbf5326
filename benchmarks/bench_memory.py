"""Benchmark (d): peak RSS of a full analysis of 1080p takes of growing length, its slope per minute,
the 10-minute figure, and where the memory goes.

    .venv/bin/python benchmarks/bench_memory.py [--minutes 1,2,10] [--components] [--tracemalloc] [--segments 2]

Generates each take once into $TMPDIR/rehearse-bench (48 distinct swaying frames of the
astronaut portrait, cycled, encoded with x264 ultrafast so generation stays cheap), then runs
`analyze_take(force=True)` on each in a fresh child process that samples its own RSS every
0.1 s and reports the peak (ru_maxrss), the RSS by stage (audio / landmarks at 10 % steps /
signals / saving) and, with --tracemalloc, the peak of Python and numpy allocations and their
largest sites. Frames are never held, so what may grow with length is only the per-frame
results (float32 track columns: ~7 KB a frame at 1080p) and the audio.

The issue's target is a 10-minute take at <= 600 MiB. A 10-minute run takes long on a shared
machine; give `--minutes 1,2` and the script extrapolates from the measured slope (least
squares over the lengths given) and says so. `--components` first builds the parts one at a
time in a child (imports, decoder, each MediaPipe graph, the blendshape interpreter, the decode
queue) and prints what each adds.
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
TARGET_MIB = 600.0

CHILD = """
import json, resource, sys, threading, time, tracemalloc
from pathlib import Path

def rss_mib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20

state = {"stage": "start", "fraction": 0.0}
by_stage = {}
def sample():
    while True:
        key = state["stage"] if state["stage"] != "landmarks" else f"landmarks {int(state['fraction'] * 10) * 10:3d}%"
        by_stage[key] = max(by_stage.get(key, 0.0), rss_mib())
        time.sleep(0.1)
threading.Thread(target=sample, daemon=True).start()
trace = sys.argv[4] == "1"
if trace:
    tracemalloc.start(8)
from rehearse.analysis.take import analyze_take
from rehearse.config import Settings
def progress(update):
    state["stage"], state["fraction"] = update.stage, update.fraction or 0.0
started = time.perf_counter()
analysis = analyze_take(Path(sys.argv[1]), Settings(cache_dir=Path(sys.argv[2])), force=True,
                        segments=int(sys.argv[3]), progress=progress)
elapsed = time.perf_counter() - started
arrays = sum(t.points.nbytes + t.confidence.nbytes + t.times.nbytes for t in analysis.landmarks.values())
arrays += sum(v.nbytes for v in analysis.signals.values.values()) + analysis.audio.rms_db.nbytes * 3
out = {"peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
       "worker_peak_rss_mb": max(analysis.extra.get("segment_worker_peak_rss_mb") or [0.0]),
       "frames": analysis.frame_count, "seconds": elapsed, "result_mb": arrays / 2**20,
       "by_stage": by_stage}
if trace:
    snapshot = tracemalloc.take_snapshot()
    out["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
    out["traced_top"] = [f"{s.size / 2**20:6.1f} MiB  {s.traceback[0].filename.split('rehearse/')[-1]}:{s.traceback[0].lineno}"
                         for s in snapshot.statistics("lineno")[:6]]
print(json.dumps(out))
"""

COMPONENTS = """
import sys, time
from pathlib import Path
import numpy as np

def rss_mib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20
last = rss_mib()
def step(name):
    global last
    now = rss_mib()
    print(f"  {name:44s} +{now - last:6.1f} MiB  (RSS {now:6.1f})", flush=True)
    last = now

from rehearse.analysis.take import analyze_take  # noqa: F401
step("python, numpy, rehearse")
import av, cv2
from rehearse.analysis.backends.mediapipe_import import import_mediapipe
mp = import_mediapipe()  # as the analysis imports it (without matplotlib)
step("PyAV, OpenCV, MediaPipe imported")
from rehearse.analysis.prefetch import prefetched
from rehearse.analysis.settings import LandmarkSettings
from rehearse.video.frames import iter_frames
frames = iter_frames(Path(sys.argv[1]), max_width=1920)
image = next(frames).image
step("decoder open, first 1080p frame (threads' buffers)")
face = mp.solutions.face_mesh.FaceMesh(static_image_mode=False, max_num_faces=1, refine_landmarks=True)
for _ in range(6):
    face.process(image)
step("FaceMesh graph (refined), 6 frames")
pose = mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1, smooth_landmarks=True)
for _ in range(3):
    pose.process(image)
step("Pose graph (complexity 1), 3 frames")
hands = mp.solutions.hands.Hands(static_image_mode=False, max_num_hands=2, model_complexity=1)
for _ in range(3):
    hands.process(image)
step("Hands graph, 3 frames")
from rehearse.analysis.landmarks import blendshape_network_task
task = blendshape_network_task(LandmarkSettings())
if task is not None:
    from rehearse.analysis.backends.blendshapes import SUBSET_INDEX, BlendshapeNetwork
    network = BlendshapeNetwork(task)
    network.scores(np.random.rand(len(SUBSET_INDEX), 2).astype(np.float32) * 500)
    step("blendshape interpreter (litert), 1 run")
depth = int(sys.argv[2])
with prefetched(frames, depth) as ahead:
    for _ in range(100):
        next(ahead)
        time.sleep(0.01)
    time.sleep(0.5)
    step(f"decode thread, queue of {depth} frames, 100 frames through")
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


def measure(path: Path, cache_dir: Path, segments: int = 1, trace: bool = False) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), str(cache_dir), str(segments), "1" if trace else "0"],
        capture_output=True, text=True, check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", default="1,2,10", help="take lengths to measure, comma-separated (default 1,2,10)")
    parser.add_argument("--segments", type=int, default=1,
                        help="analyse each take in this many time segments (worker processes; their peak is printed too)")
    parser.add_argument("--components", action="store_true", help="first print what each part adds, built one at a time")
    parser.add_argument("--tracemalloc", action="store_true", help="trace Python/numpy allocations (slower)")
    args = parser.parse_args()
    lengths = sorted({float(m) for m in args.minutes.split(",")})
    folder = Path(tempfile.gettempdir()) / "rehearse-bench"
    folder.mkdir(exist_ok=True)
    started = time.perf_counter()
    takes = {m: make_long_take(folder / f"long_1080p24_{m:g}min.mp4", m) for m in lengths}
    print(f"takes ready in {time.perf_counter() - started:.0f} s: {', '.join(p.name for p in takes.values())}")
    if args.components:
        from rehearse.analysis.settings import AnalysisSettings

        depth = AnalysisSettings().decode_prefetch_frames
        print("components (each built after the ones above, in one child process):")
        subprocess.run([sys.executable, "-c", COMPONENTS, str(takes[lengths[0]]), str(depth)], check=True,
                       stderr=subprocess.DEVNULL)
    results = {}
    with tempfile.TemporaryDirectory() as cache_dir:
        for minutes, path in takes.items():
            r = results[minutes] = measure(path, Path(cache_dir), args.segments, args.tracemalloc)
            workers = f" (largest worker {r['worker_peak_rss_mb']:.0f} MiB)" if args.segments > 1 else ""
            print(
                f"{minutes:g} min: {r['frames']} frames, peak RSS {r['peak_rss_mb']:.0f} MiB{workers} "
                f"= {r['peak_rss_mb'] / TARGET_MIB:.2f} of the {TARGET_MIB:.0f} MiB target, per-frame results "
                f"{r['result_mb']:.1f} MiB, analysed in {r['seconds']:.0f} s ({r['frames'] / r['seconds']:.1f} fps)"
            )
            stages = r["by_stage"]
            print("   RSS by stage: " + ", ".join(f"{k.strip()} {v:.0f}" for k, v in stages.items() if k != "start"))
            if args.tracemalloc:
                print(f"   Python+numpy allocations peaked at {r['traced_peak_mb']:.0f} MiB; largest at the end:")
                for line in r["traced_top"]:
                    print(f"     {line}")
    if len(results) < 2:
        return
    xs = list(results)
    peaks = [results[m]["peak_rss_mb"] for m in xs]
    mean_x, mean_y = sum(xs) / len(xs), sum(peaks) / len(peaks)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, peaks, strict=True)) / sum((x - mean_x) ** 2 for x in xs)
    result_slope = (results[xs[-1]]["result_mb"] - results[xs[0]]["result_mb"]) / (xs[-1] - xs[0])
    at_10 = mean_y + slope * (10.0 - mean_x)
    how = "measured" if 10.0 in results else f"extrapolated from {', '.join(f'{m:g}' for m in xs)} min"
    if 10.0 in results:
        at_10 = results[10.0]["peak_rss_mb"]
    print(
        f"peak RSS slope {slope:.1f} MiB per minute of take (per-frame results grow {result_slope:.1f} MiB/min); "
        f"10-minute take: {at_10:.0f} MiB ({how}) = {at_10 / TARGET_MIB:.2f} of the {TARGET_MIB:.0f} MiB target"
    )


if __name__ == "__main__":
    main()
