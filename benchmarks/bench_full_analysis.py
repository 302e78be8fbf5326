"""Benchmark (b): full analysis (face + pose + hands) fps divided by the clip's fps, and whether
the speed schedule moves event timings: scheduled vs every-frame results on the same clip.

    .venv/bin/python benchmarks/bench_full_analysis.py [--seconds 8] [--width 1920] [CLIP ...]

Clips: the sample take scenes/takes/01-1A-1.mp4 (800x600, real blinks, hold, head turn, speech)
and a generated 1080p 24 fps clip of a swaying portrait (the body moves).

Runs `analyze_take` (decode, landmarks, signals, audio: the real path) with the default schedule
(Pose every Nth frame, interpolated; Hands gated), with Pose on every frame (Hands still gated:
isolates the Pose schedule), and with everything every frame (`hands="always"` too). Goal:
scheduled fps / clip fps >= 1.0. Timing agreement: for each signal that really moves (swing over
6x its frame-to-frame noise), crossings of its midpoint band (hysteresis) in the reference run
are matched to the scheduled run's; events from `detect_events` are matched by kind, label and
side. Goal: all within 2 frames.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_face_path import make_clip  # noqa: E402

from rehearse.analysis.settings import AnalysisSettings  # noqa: E402
from rehearse.analysis.take import analyze_take  # noqa: E402
from rehearse.config import Settings  # noqa: E402

SIGNALS_COMPARED = [
    "lean_forward", "lean_side", "shoulder_roll", "shoulder_turn", "wrist_left_x", "wrist_left_y",
    "wrist_right_x", "wrist_right_y", "head_yaw", "head_roll", "eye_open_left", "mouth_width",
]


def crossings(values: np.ndarray, low: float, high: float) -> list[tuple[int, int]]:
    """(frame, direction) where the signal passes from below `low` to above `high` or back
    (hysteresis, so sensor noise around one threshold is not counted); NaN frames skipped."""
    out = []
    state = 0
    for i, value in enumerate(values):
        if np.isnan(value):
            continue
        if value > high and state <= 0:
            if state < 0:
                out.append((i, 1))
            state = 1
        elif value < low and state >= 0:
            if state > 0:
                out.append((i, -1))
            state = -1
    return out


def crossing_errors(reference: np.ndarray, scheduled: np.ndarray) -> list[int]:
    """Frame differences from each reference crossing to the nearest scheduled one (same
    direction). Only signals whose swing (10th-90th percentile) is over 6x their frame-to-frame
    noise are compared: crossings of pure noise say nothing about timing."""
    valid = reference[~np.isnan(reference)]
    if valid.size < 10:
        return []
    low, high = np.percentile(valid, [10, 90])
    noise = 1.4826 * np.median(np.abs(np.diff(valid)))
    if high - low <= 6 * noise or high - low < 1e-6:
        return []
    band = (high - low) / 4
    middle = (low + high) / 2
    theirs = crossings(scheduled, middle - band / 2, middle + band / 2)
    errors = []
    for index, direction in crossings(reference, middle - band / 2, middle + band / 2):
        same = [j for j, d in theirs if d == direction]
        errors.append(min((abs(j - index) for j in same), default=reference.size))
    return errors


def event_errors(reference: list, scheduled: list, fps: float) -> dict[str, list[int]]:
    """Per kind/label/side: onset differences (frames) from each reference event to the nearest
    scheduled event of the same kind, label and side (999: none found)."""
    errors: dict[str, list[int]] = {}
    for event in reference:
        key = "/".join(str(x) for x in (event.kind, event.label, event.side) if x)
        same = [e for e in scheduled if (e.kind, e.label, e.side) == (event.kind, event.label, event.side)]
        errors.setdefault(key, []).append(min((round(abs(e.start_s - event.start_s) * fps) for e in same), default=999))
    return errors


def bench(clip: Path) -> int:
    """Print speed and timing agreement for one clip; returns the worst timing difference (frames)."""
    runs = {
        "scheduled (default)": {},
        "pose every 3rd frame, interpolated (faster option)": {"pose_every_n_frames": 3},
        "every frame (pose every frame, hands always)": {"pose_every_n_frames": 1, "hands": "always"},
    }
    reference_name = "every frame (pose every frame, hands always)"
    results = {}
    with tempfile.TemporaryDirectory() as cache_dir:
        for name, landmarks in runs.items():
            settings = Settings(cache_dir=Path(cache_dir), analysis=AnalysisSettings(landmarks=landmarks))
            results[name] = analyze_take(clip, settings, force=True)
    scheduled = results["scheduled (default)"]
    clip_fps = scheduled.measured_fps
    print(f"clip: {clip.name} ({scheduled.width}x{scheduled.height}, {clip_fps:.0f} fps, "
          f"{scheduled.duration_s:.1f} s, {scheduled.frame_count} frames)")
    for name, result in results.items():
        fps = result.frame_count / result.analysis_seconds
        print(f"  {name}: {fps:.1f} fps -> {fps / clip_fps:.2f}x real time" + (" (goal >= 1.0)" if result is scheduled else ""))
    from rehearse.analysis.events import detect_events

    events = {name: detect_events(r.signals, r.audio, landmarks=r.landmarks) for name, r in results.items()}
    reference = results[reference_name]
    worst_by_run = {}
    for name in list(runs)[:-1]:
        worst = 0
        print(f"  {name} vs {reference_name}:")
        for signal in SIGNALS_COMPARED:
            if signal not in reference.signals:
                continue
            errors = crossing_errors(reference.signals[signal], results[name].signals[signal])
            if errors:
                worst = max(worst, max(errors))
                print(f"    signal {signal}: {len(errors)} crossings, max {max(errors)}, median {np.median(errors):.0f} frames")
        for key, errors in event_errors(events[reference_name], events[name], clip_fps).items():
            worst = max(worst, max(errors))
            print(f"    event {key}: {len(errors)}, onset differences {sorted(errors)} frames (999: missing)")
        print(f"    events: {len(events[name])} vs {len(events[reference_name])} every frame; worst {worst} frames")
        worst_by_run[name] = worst
    print(f"  worst timing difference of the default schedule: {worst_by_run['scheduled (default)']} frames (goal <= 2)")
    return worst_by_run["scheduled (default)"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--width", type=int, default=1920)
    parser.add_argument("clips", nargs="*", type=Path, help="clips to use (default: sample take 01-1A-1 and a generated 1080p clip)")
    args = parser.parse_args()
    clips = list(args.clips)
    if not clips:
        sample = Path(__file__).resolve().parent.parent / "scenes" / "takes" / "01-1A-1.mp4"
        if sample.exists():
            clips.append(sample)
        height = args.width * 9 // 16 // 2 * 2
        folder = Path(tempfile.gettempdir()) / "rehearse-bench"
        folder.mkdir(exist_ok=True)
        name = f"body_{args.width}w_24fps_{args.seconds:g}s.mp4"
        clips.append(make_clip(folder / name, args.seconds, 24.0, args.width, height, seed=3, motion=3.0))
    with tempfile.TemporaryDirectory() as cache_dir:  # warm-up: imports, model load, page cache
        analyze_take(clips[0], Settings(cache_dir=Path(cache_dir)))
    for clip in clips:
        bench(clip)

if __name__ == "__main__":
    main()
