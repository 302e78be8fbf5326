"""Measure decoding to RGB with PyAV (rehearse.video) against OpenCV: speed on 1080p, time accuracy on VFR.

Run: `python benchmarks/bench_decode.py [SECONDS]`. Writes a 1080p 24 fps H.264 clip (moving
picture, SECONDS long, default 4) into a temporary folder, decodes it to RGB arrays with
`rehearse.video.frames.iter_frames` (PyAV, threaded), with PyAV single-threaded, and with
`cv2.VideoCapture` + BGR->RGB, best of three runs each, and prints frames per second and the
PyAV/OpenCV ratio. Then checks timestamps: on a generated VFR clip with known times and on
../shared/clips/*.mov when present, it prints the largest error of PyAV's PTS times, of
OpenCV's CAP_PROP_POS_MSEC and of index / fps.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from rehearse.video.frames import frame_times, iter_frames
from rehearse.video.writer import write_video

WIDTH, HEIGHT, FPS = 1920, 1080, 24
REPEATS = 3
SHARED_CLIPS = Path(__file__).resolve().parent.parent.parent / "shared" / "clips"


def moving_frames(count: int):
    """A gradient with a moving bright square and mild noise: realistic work for the decoder."""
    rng = np.random.default_rng(0)
    ys, xs = np.mgrid[0:HEIGHT, 0:WIDTH]
    base = np.stack([xs * 255 // WIDTH, ys * 255 // HEIGHT, (xs + ys) * 255 // (WIDTH + HEIGHT)], -1)
    base = base.astype(np.uint8)
    for i in range(count):
        image = base.copy()
        x = (i * 37) % (WIDTH - 200)
        image[400:600, x : x + 200] = 255
        image[::8, ::8] = rng.integers(0, 256, image[::8, ::8].shape, dtype=np.uint8)
        yield image


def best_fps(decode, path: Path) -> tuple[float, int]:
    best = 0.0
    count = 0
    for _ in range(REPEATS):
        start = time.perf_counter()
        count = decode(path)
        best = max(best, count / (time.perf_counter() - start))
    return best, count


def decode_rehearse(path: Path) -> int:
    return sum(1 for _ in iter_frames(path))


def decode_pyav_single_thread(path: Path) -> int:
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return sum(1 for frame in container.decode(stream) if frame.to_ndarray(format="rgb24").size)


def decode_opencv(path: Path) -> int:
    import cv2

    capture = cv2.VideoCapture(str(path))
    count = 0
    while True:
        ok, bgr = capture.read()
        if not ok:
            break
        cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        count += 1
    capture.release()
    return count


def opencv_times(path: Path) -> tuple[np.ndarray, float]:
    import cv2

    capture = cv2.VideoCapture(str(path))
    fps = capture.get(cv2.CAP_PROP_FPS)
    times = []
    while capture.grab():
        times.append(capture.get(cv2.CAP_PROP_POS_MSEC) / 1000.0)
    capture.release()
    return np.asarray(times), fps


def report_times(label: str, path: Path, truth: np.ndarray) -> None:
    ours = frame_times(path)
    cv_times, cv_fps = opencv_times(path)
    n = min(len(truth), len(ours), len(cv_times))

    def worst(times):
        return float(np.abs(times[:n] - truth[:n]).max()) * 1000

    print(f"{label}: {len(truth)} frames; frames decoded PyAV {len(ours)}, OpenCV {len(cv_times)}")
    print(f"  largest time error: PyAV PTS {worst(ours):.6f} ms, OpenCV POS_MSEC "
          f"{worst(cv_times):.1f} ms, index/fps {worst(np.arange(n) / cv_fps):.1f} ms")


def packet_times(path: Path) -> np.ndarray:
    """Ground truth for a real clip: presented packet timestamps, demuxed without decoding."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        start = stream.start_time or 0
        pts = sorted(p.pts for p in container.demux(stream)
                     if p.pts is not None and not p.is_discard and p.pts >= start)
        return np.asarray([float((p - start) * stream.time_base) for p in pts])


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 4.0
    with tempfile.TemporaryDirectory() as folder:
        clip = Path(folder) / "bench_1080p24.mp4"
        start = time.perf_counter()
        write_video(clip, moving_frames(round(seconds * FPS)), fps=FPS, crf=20)
        print(f"wrote {clip.name}: {WIDTH}x{HEIGHT} {FPS} fps, {seconds:g} s, "
              f"{clip.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - start:.1f} s")
        ours, n_ours = best_fps(decode_rehearse, clip)
        single, _ = best_fps(decode_pyav_single_thread, clip)
        opencv, n_cv = best_fps(decode_opencv, clip)
        print(f"decode to RGB, best of {REPEATS} ({n_ours} frames; OpenCV {n_cv}):")
        print(f"  PyAV (rehearse.video, threaded): {ours:7.1f} fps")
        print(f"  PyAV single thread:              {single:7.1f} fps")
        print(f"  OpenCV VideoCapture + cvtColor:  {opencv:7.1f} fps")
        print(f"  ratio PyAV/OpenCV: {ours / opencv:.2f}x   (threading gain {ours / single:.2f}x)")

        gaps = np.random.default_rng(1).choice([0.021, 0.033, 0.042, 0.050, 0.083], size=59)
        truth = np.concatenate([[0.0], np.cumsum(gaps)])
        vfr = Path(folder) / "vfr.mov"
        small = (np.full((240, 320, 3), i % 256, np.uint8) for i in range(len(truth)))
        write_video(vfr, small, times=truth)
        report_times("generated VFR", vfr, truth)
    for name in ("face_noface.mov", "noface_face.mov"):
        path = SHARED_CLIPS / name
        if path.exists():
            report_times(name, path, packet_times(path))


if __name__ == "__main__":
    main()
