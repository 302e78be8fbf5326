"""Blendshape route (a) Face Landmarker task vs (b) FaceMesh landmarks + the model's blendshape network: speed, agreement, events.

    .venv/bin/python benchmarks/bench_blendshape_route.py [--seconds 6]

Per clip (the real clips in ../shared/clips when present, the rendered sample takes, and a
generated 1080p 24 fps portrait clip for speed): both routes run on the same decoded frames.
Prints each route's fps and its ratio to decode-only fps, the Pearson correlation per
blendshape of (b) against (a) (blendshapes that move on that clip: max score of (a) > 0.2),
and the blink / eyes_closed / expression events that differ between the two routes (matched
by kind, label and side with onsets within 2 frames). Last, the full analysis of the 1080p clip
per route (blendshapes off, (b), (a)) against decode alone: (b) is the default because it reads
the same events as (a) on the real clips at FaceMesh's speed (measured: see the README).
Also scores the real crying close-up when tools/real_clips fetched it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_face_path import make_clip  # noqa: E402
from rehearse.analysis.backends.blendshapes import BLENDSHAPE_NAMES  # noqa: E402
from rehearse.analysis.landmarks import LandmarkSettings, extract_landmarks  # noqa: E402
from rehearse.analysis.model_files import find_model  # noqa: E402
from rehearse.video.frames import iter_frames  # noqa: E402

FACE_KINDS = ("blink", "eyes_closed", "expression")


def decode(path: Path) -> tuple[list, float]:
    started = time.perf_counter()
    frames = list(iter_frames(path))
    return frames, len(frames) / (time.perf_counter() - started)


def run_route(frames, route: str):
    settings = LandmarkSettings(pose=False, hands="never", blendshapes=route)
    started = time.perf_counter()
    tracks = extract_landmarks(frames, settings)
    return tracks, len(frames) / (time.perf_counter() - started)


def face_events(tracks):
    from rehearse.analysis.events import detect_events
    from rehearse.analysis.signals import compute_signals

    signals = compute_signals(tracks)
    return [e for e in detect_events(signals, landmarks=tracks) if e.kind in FACE_KINDS]


def differing(first, second, frame_s: float):
    def key(e):
        return (e.kind, e.label, e.side)

    unmatched = list(second)
    only_first = []
    for event in first:
        match = next((o for o in unmatched if key(o) == key(event) and abs(o.start_s - event.start_s) <= 2 * frame_s
                      and abs(o.end_s - event.end_s) <= 2 * frame_s), None)
        if match is None:
            only_first.append(event)
        else:
            unmatched.remove(match)
    return only_first, unmatched


def describe(event) -> str:
    name = "/".join(x for x in (event.kind, event.label, event.side) if x)
    return f"{name} {event.start_s:.2f}-{event.end_s:.2f} s"


def compare(path: Path) -> None:
    frames, decode_fps = decode(path)
    (a, fps_a), (b, fps_b) = run_route(frames, "landmarker"), run_route(frames, "facemesh")
    height, width = frames[0].image.shape[:2]
    print(f"\n{path.name} ({len(frames)} frames, {width}x{height}): decode {decode_fps:.0f} fps; "
          f"(a) landmarker {fps_a:.1f} fps = {fps_a / decode_fps:.2f}x decode; "
          f"(b) facemesh+network {fps_b:.1f} fps = {fps_b / decode_fps:.2f}x decode; (b)/(a) = {fps_b / fps_a:.2f}")
    shapes_a, shapes_b = a["blendshapes"], b["blendshapes"]
    both = shapes_a.mask & shapes_b.mask
    print(f"  faces: (a) {int(shapes_a.mask.sum())}, (b) {int(shapes_b.mask.sum())}, both {int(both.sum())}")
    if both.sum() >= 5:
        sa, sb = shapes_a.points[both, :, 0], shapes_b.points[both, :, 0]
        rows = []
        for k, name in enumerate(BLENDSHAPE_NAMES):
            if sa[:, k].max() <= 0.2 or sa[:, k].std() < 1e-3 or sb[:, k].std() < 1e-3:
                continue
            rows.append(f"{name} {np.corrcoef(sa[:, k], sb[:, k])[0, 1]:.2f}")
        print("  correlation (b) vs (a): " + ", ".join(rows))
    frame_s = float(np.median(np.diff(shapes_a.times))) if shapes_a.times.size > 1 else 0.04
    only_a, only_b = differing(face_events(a), face_events(b), frame_s)
    print(f"  events only with (a): {[describe(e) for e in only_a] or 'none'}")
    print(f"  events only with (b): {[describe(e) for e in only_b] or 'none'}")


def full_analysis(clip: Path, cache: Path) -> None:
    """The whole take analysis (decode, Pose, face, Hands gate, signals) per route on one clip,
    against decode alone: what the default route costs where the speed target is measured."""
    from rehearse.analysis.settings import AnalysisSettings, LandmarkSettings
    from rehearse.analysis.take import analyze_take
    from rehearse.config import Settings

    _, decode_fps = decode(clip)
    print(f"\nfull analysis of {clip.name} (decode alone {decode_fps:.0f} fps):")
    for route in ("off", "facemesh", "landmarker"):
        settings = Settings(cache_dir=cache, analysis=AnalysisSettings(landmarks=LandmarkSettings(blendshapes=route)))
        analysis = analyze_take(clip, settings, force=True)
        fps = analysis.frame_count / analysis.analysis_seconds
        print(f"  blendshapes={route:10s} {fps:5.1f} fps = {fps / decode_fps:.2f}x decode, "
              f"{analysis.realtime_factor:.2f}x real time")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6.0, help="length of the generated 1080p clip")
    args = parser.parse_args()
    if find_model() is None:
        print("face_landmarker.task is not installed: run `rehearse models install`")
        return 1
    clips = sorted((ROOT / "scenes" / "takes").glob("*.mp4"))
    shared = ROOT.parent / "shared" / "clips"
    clips = [shared / n for n in ("single_face.mp4", "face_noface.mov", "noface_face.mov") if (shared / n).is_file()] + clips
    crying = ROOT / ".cache" / "real-clips" / "WolfgangLanger_Pexels.mp4"  # python -m tools.real_clips
    if crying.is_file():
        clips.insert(0, crying)
    with tempfile.TemporaryDirectory() as tmp:
        clips.append(make_clip(Path(tmp) / "portrait_1080p24.mp4", args.seconds))
        for clip in clips:
            compare(clip)
        full_analysis(clips[-1], Path(tmp) / "cache")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
