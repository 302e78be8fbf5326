"""Benchmark (b): full default analysis of a 1080p24 take from real footage, against decode-only of the same file in the same run.

    .venv/bin/python benchmarks/bench_full_analysis.py [--seconds 30] [--runs before,default,split,reference] [CLIP ...]

The default clip is made here with PyAV: ../shared/clips/single_face.mp4 (a real 640x360
close-up) played forward and back, upscaled to 1920x1080 and encoded at 24 fps (H.264),
`--seconds` long. Each run is `analyze_take(force=True)` (decode, landmarks, signals, audio:
the real path):

- before: the schedule before issue 15 (Pose every frame, Hands only on a raised wrist, no
  motion energy), one process;
- default: the default schedule (Pose every 4th frame and while the body moves, Hands
  searched every 6th frame, motion energy every frame), one process;
- no_backfill: the default without keeping small copies of the frames to walk a newly found
  hand back over (hand_backfill.py): its cost is default against this;
- split: the default schedule with the take split in two time segments in two processes
  (what `rehearse analyze` does by default for a lone take from ~14 s up on two cores: see
  rehearse/batch_plan.py and bench_parallel.py);
- reference: Pose and Hands on every frame, one process (the equivalence reference).

Targets (issue 15): default or split >= 2.5x real time (>= 60 fps on 24 fps footage); holds
(face and body), blinks and gestures within 2 frames of the reference. The machine may be
shared: every speed is printed with decode-only fps measured just before and after that run
and the load average, and the ratio analysis fps / decode fps is the number to compare between
machines (a quiet 2-core machine decodes this clip at ~180 fps, so 60 fps is a ratio of
~0.33). CPU time per frame (this process and its segment workers) is printed too: it moves
far less with other people's load than wall time does.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rehearse.analysis.settings import AnalysisSettings  # noqa: E402
from rehearse.analysis.take import analyze_take  # noqa: E402
from rehearse.config import Settings  # noqa: E402

RUNS = {
    "before": ({"pose_every_n_frames": 1, "hands_search_every_n_frames": 10**9,
                "motion_energy": {"enabled": False}}, 1),
    "default": ({}, 1),
    "no_backfill": ({"hands_backfill_s": 0}, 1),  # the default without walking found hands back
    "split": ({}, 2),
    "reference": ({"pose_every_n_frames": 1, "hands": "always"}, 1),
}
KINDS = ("hold", "blink", "gesture")


def real_1080p_clip(seconds: float) -> Path:
    """single_face.mp4 forward and back, upscaled to 1080p, 24 fps, `seconds` long (made once)."""
    import cv2

    from rehearse.video.frames import iter_frames
    from rehearse.video.writer import write_video

    source = Path(__file__).resolve().parents[2] / "shared" / "clips" / "single_face.mp4"
    if not source.exists():
        sys.exit(f"{source} not found: put ../shared/clips beside the project, or name a clip")
    out = Path(tempfile.gettempdir()) / "rehearse-bench" / f"real_single_face_1080p24_{seconds:g}s.mp4"
    if out.exists():
        return out
    out.parent.mkdir(exist_ok=True)
    frames = [f.image for f in iter_frames(source)]
    there_and_back = frames + frames[-2:0:-1]
    count = round(seconds * 24)
    upscaled = (cv2.resize(there_and_back[i % len(there_and_back)], (1920, 1080), interpolation=cv2.INTER_CUBIC)
                for i in range(count))
    write_video(out, upscaled, fps=24.0, crf=20, preset="veryfast")
    return out


def cpu_seconds() -> float:
    """CPU time (user + system) of this process and its finished children, s."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def decode_fps(clip: Path) -> tuple[float, float]:
    """(frames per second, CPU ms per frame) to decode the file (PyAV, threaded, no colour conversion)."""
    from rehearse.video.frames import frame_times

    cpu, started = cpu_seconds(), time.perf_counter()
    count = frame_times(clip).size
    return count / (time.perf_counter() - started), 1000 * (cpu_seconds() - cpu) / count


def event_differences(reference: list, other: list, fps: float) -> tuple[float, list[str]]:
    """Largest edge difference (frames) between events paired per kind/label/side/scope in
    time order, and the keys whose counts differ."""
    worst, unmatched = 0.0, []
    keys = {(e.kind, e.label, e.side, e.scope) for e in reference + other}
    for key in sorted(keys, key=str):
        mine = sorted((e for e in reference if (e.kind, e.label, e.side, e.scope) == key), key=lambda e: e.start_s)
        theirs = sorted((e for e in other if (e.kind, e.label, e.side, e.scope) == key), key=lambda e: e.start_s)
        if len(mine) != len(theirs):
            unmatched.append(f"{'/'.join(str(k) for k in key if k)} {len(mine)} vs {len(theirs)}")
            continue
        for a, b in zip(mine, theirs, strict=True):
            worst = max(worst, abs(a.start_s - b.start_s) * fps, abs(a.end_s - b.end_s) * fps)
    return worst, unmatched


def bench(clip: Path, runs: list[str]) -> None:
    from rehearse.analysis.events import detect_events

    results, loads, decodes, cpu_ms = {}, {}, {}, {}
    with tempfile.TemporaryDirectory() as cache_dir:
        for name in runs:
            landmarks, segments = RUNS[name]
            settings = Settings(cache_dir=Path(cache_dir) / name, analysis=AnalysisSettings(landmarks=landmarks))
            before = decode_fps(clip)  # decode-only around each run: the machine's load moves
            cpu = cpu_seconds()
            results[name] = analyze_take(clip, settings, force=True, segments=segments)
            workers = sum(results[name].extra.get("segment_worker_cpu_s", []))  # not our children
            cpu_ms[name] = 1000 * (cpu_seconds() - cpu + workers) / results[name].frame_count
            loads[name] = os.getloadavg()[0]
            after = decode_fps(clip)
            decodes[name] = ((before[0] + after[0]) / 2, (before[1] + after[1]) / 2)
    first = next(iter(results.values()))
    print(f"clip: {clip.name} ({first.width}x{first.height}, {first.measured_fps:.0f} fps, "
          f"{first.duration_s:.1f} s, {first.frame_count} frames); cores {os.cpu_count()}")
    for name, result in results.items():
        fps = result.frame_count / result.analysis_seconds
        decode, decode_cpu = decodes[name]
        print(f"  {name:9s}: {fps:5.1f} fps = {result.realtime_factor:.2f}x real time; decode-only {decode:5.0f} fps "
              f"-> analysis/decode {fps / decode:.3f}; CPU {cpu_ms[name]:.0f} ms/frame (decode-only "
              f"{decode_cpu:.1f}); load average {loads[name]:.1f}")
    if "reference" not in results:
        return
    reference = results["reference"]
    events = {name: [e for e in detect_events(r.signals, r.audio, landmarks=r.landmarks) if e.kind in KINDS]
              for name, r in results.items()}
    counts = {kind: sum(e.kind == kind for e in events["reference"]) for kind in KINDS}
    print(f"  reference events: {counts}")
    for name in results:
        if name == "reference":
            continue
        worst, unmatched = event_differences(events["reference"], events[name], reference.measured_fps)
        print(f"  {name} vs reference: worst edge {worst:.1f} frames (goal <= 2)"
              + (f"; counts differ: {', '.join(unmatched)}" if unmatched else "; same events"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--runs", default="before,default,split,reference",
                        help=f"comma-separated, from {', '.join(RUNS)}")
    parser.add_argument("clips", nargs="*", type=Path, help="clips to use (default: the real 1080p24 upscale)")
    args = parser.parse_args()
    runs = [name for name in args.runs.split(",") if name]
    unknown = [name for name in runs if name not in RUNS]
    if unknown:
        parser.error(f"unknown run(s): {', '.join(unknown)}")
    clips = list(args.clips) or [real_1080p_clip(args.seconds)]
    # Warm-up: imports, model files and the page cache, on the first second of the clip.
    import itertools

    from rehearse.analysis.landmarks import extract_landmarks
    from rehearse.video.frames import iter_frames

    extract_landmarks(itertools.islice(iter_frames(clips[0]), 24))
    for clip in clips:
        bench(clip, runs)


if __name__ == "__main__":
    main()
