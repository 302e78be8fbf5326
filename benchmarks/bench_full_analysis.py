"""Benchmark (b): full analysis (face + pose + hands) fps divided by the clip's fps, and whether
the speed schedule moves event timings: scheduled vs every-frame results on the same clip.

    .venv/bin/python benchmarks/bench_full_analysis.py [--seconds 8] [--width 1920] [CLIP ...]

Clips: the sample take scenes/takes/01-1A-1.mp4 (800x600, real blinks, hold, head turn, speech)
and a generated 1080p 24 fps clip of a swaying portrait (the body moves).

Runs `analyze_take` (decode, landmarks, signals, audio: the real path) with the default schedule
(Pose every Nth frame, interpolated; Hands gated) and with everything every frame
(`pose_every_n_frames=1`, `hands="always"`). Goal: scheduled fps / clip fps >= 1.0. Timing
agreement: for each body and face signal that moves, the frames where it crosses its midpoint
(halfway between its 10th and 90th percentile) in the every-frame run are matched to the
scheduled run's crossings in the same direction, and its extrema are compared; events from
`detect_events` are matched by kind/label/side. Goal: all within 2 frames.
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

from rehearse.analysis.take import analyze_take  # noqa: E402
from rehearse.config import AnalysisSettings, Settings  # noqa: E402

SIGNALS_COMPARED = [
    "lean_forward", "lean_side", "shoulder_roll", "shoulder_turn", "wrist_left_x", "wrist_left_y",
    "wrist_right_x", "wrist_right_y", "head_yaw", "head_roll", "eye_open_left", "mouth_width",
]


def crossings(values: np.ndarray, threshold: float) -> list[tuple[int, int]]:
    """(frame index, direction) where the signal crosses the threshold (NaN frames skipped)."""
    above = values > threshold
    valid = ~np.isnan(values)
    out = []
    for i in range(1, values.size):
        if valid[i] and valid[i - 1] and above[i] != above[i - 1]:
            out.append((i, 1 if above[i] else -1))
    return out


def crossing_errors(reference: np.ndarray, scheduled: np.ndarray) -> list[int]:
    """Frame differences from each reference crossing to the nearest scheduled one (same direction)."""
    valid = reference[~np.isnan(reference)]
    if valid.size < 10:
        return []
    low, high = np.percentile(valid, [10, 90])
    if high - low < 1e-6:
        return []
    threshold = (low + high) / 2
    theirs = crossings(scheduled, threshold)
    errors = []
    for index, direction in crossings(reference, threshold):
        same = [j for j, d in theirs if d == direction]
        errors.append(min((abs(j - index) for j in same), default=reference.size))
    return errors


def event_errors(reference: list, scheduled: list, fps: float) -> list[int]:
    """Onset differences in frames between events matched by kind, label and side."""
    errors = []
    for event in reference:
        same = [e for e in scheduled if (e.kind, e.label, e.side) == (event.kind, event.label, event.side)]
        errors.append(min((round(abs(e.start_s - event.start_s) * fps) for e in same), default=999))
    return errors


def bench(clip: Path) -> int:
    """Print speed and timing agreement for one clip; returns the worst timing difference (frames)."""
    with tempfile.TemporaryDirectory() as cache_dir:
        base = Settings(cache_dir=Path(cache_dir))
        every_frame = Settings(
            cache_dir=Path(cache_dir),
            analysis=AnalysisSettings(landmarks={"pose_every_n_frames": 1, "hands": "always"}),
        )
        scheduled = analyze_take(clip, base, force=True)
        reference = analyze_take(clip, every_frame, force=True)
    clip_fps = scheduled.measured_fps
    print(f"clip: {clip.name} ({scheduled.width}x{scheduled.height}, {clip_fps:.0f} fps, "
          f"{scheduled.duration_s:.1f} s, {scheduled.frame_count} frames)")
    for name, result, settings in [("scheduled (default)", scheduled, base), ("every frame", reference, every_frame)]:
        fps = result.frame_count / result.analysis_seconds
        lm = settings.analysis.landmarks
        print(
            f"  {name}: pose every {lm.pose_every_n_frames} frame(s), hands {lm.hands}: {fps:.1f} fps "
            f"-> {fps / clip_fps:.2f}x real time (goal >= 1.0 for the default)"
        )
    worst = 0
    print("  signal midpoint crossings, every-frame vs scheduled (frames):")
    for name in SIGNALS_COMPARED:
        if name not in reference.signals:
            continue
        ref, sch = reference.signals[name], scheduled.signals[name]
        errors = crossing_errors(ref, sch)
        if not errors or np.isnan(ref).all() or np.isnan(sch).all():
            continue
        extrema = max(abs(int(np.nanargmax(ref)) - int(np.nanargmax(sch))), abs(int(np.nanargmin(ref)) - int(np.nanargmin(sch))))
        worst = max(worst, max(errors))
        print(f"    {name}: {len(errors)} crossings, max {max(errors)}, median {np.median(errors):.0f}; extrema off by {extrema}")
    from rehearse.analysis.events import detect_events

    ref_events = detect_events(reference.signals, reference.audio, landmarks=reference.landmarks)
    sch_events = detect_events(scheduled.signals, scheduled.audio, landmarks=scheduled.landmarks)
    errors = event_errors(ref_events, sch_events, clip_fps)
    kinds = sorted({f"{e.kind}{'/' + e.label if e.label else ''}" for e in ref_events})
    print(f"  events: {len(ref_events)} every-frame, {len(sch_events)} scheduled ({', '.join(kinds) or 'none'}); "
          f"onset differences max {max(errors, default=0)} frames")
    worst = max([worst, *errors])
    print(f"  worst timing difference: {worst} frames (goal <= 2)")
    return worst


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
