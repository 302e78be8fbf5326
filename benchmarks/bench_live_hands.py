"""Live speed around hands: the hand walk-back's stall, and the detection pass's cost against history.

    python benchmarks/bench_live_hands.py [walk] [passes] [live]

walk: the real close-up where a hand comes to the face (WolfgangLanger_Pexels.mp4, 640x360, scaled
to 1280x720 as a 720p stream delivers it) through `LandmarkExtractor.process` frame by frame, the
hand walk-back inside the finding frame (offline) and in the background (live): the longest
`process` call (the stall: the picture waits for it) against the median, and whether both give
the same hands. Run with the offline schedule and with searches
36 frames apart (a hand found 1.5 s late, as on the clip's mpeg4 copy where palm searches fail for a
second: the walk reads ~36 frames).

passes: `IncrementalEvents.update` (one detection pass) over 10, 60 and 120 s of kept history (a
sample take's frames looped, times running on), as `rehearse watch` runs it (the detectors read
PASS_READS_S and the levels' reach before it), against the same pass over every frame kept.

live: `rehearse watch` (in this process) on the close-up streamed over UDP at 1280x720 (x264
zerolatency, paced by its timestamps), hands searched every SEARCH_EVERY frames so that the walk is long:
display lag (median, max; max over the 2 s after the hand comes), frames dropped, CPU per analysed
frame. Run it with PYTHONPATH pointing at another checkout to measure that code the same way.

Numbers are measured in this run and depend on the machine's load (printed with each): never asserted.
"""

from __future__ import annotations

import os
import statistics
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "tests" / "unit"))

from rehearse.analysis.landmarks import LandmarkExtractor  # noqa: E402
from rehearse.config import Settings  # noqa: E402
from rehearse.video.frames import Frame, iter_frames  # noqa: E402

CLIP = "WolfgangLanger_Pexels.mp4"
SEARCH_EVERY = 24
"""live: hands searched this many analysed frames apart, so that a hand is found late and walked back far."""


def _load() -> str:
    return f"load average {os.getloadavg()[0]:.1f}"


def _frames(path: Path, end_s: float, size: tuple[int, int] | None) -> list[Frame]:
    import cv2

    return [Frame(f.index, f.t, cv2.resize(f.image, size, interpolation=cv2.INTER_LINEAR) if size else f.image)
            for f in iter_frames(path, end_s=end_s)]


def _run(frames: list[Frame], background: bool, search_every: int | None = None) -> tuple[list[float], list]:
    landmarks = Settings().analysis.landmarks
    if search_every is not None:
        landmarks = landmarks.model_copy(update={"hands_search_every_n_frames": search_every})
    seconds, results = [], []
    open_since: tuple[int, float] | None = None  # (frame, wall time) a background walk started
    with LandmarkExtractor(landmarks, walk_in_background=background) as extractor:
        extractor.load_models()
        extractor.warm_up()  # as watch warms up
        walks = extractor._backfill.background
        for i, frame in enumerate(frames):
            started = time.perf_counter()
            results.append(extractor.process(frame))
            seconds.append(time.perf_counter() - started)
            running = walks is not None and walks.oldest_open is not None
            if running and open_since is None:
                open_since = (i, started)
            elif not running and open_since is not None:
                LANDED.append((i - open_since[0], started - open_since[1]))
                open_since = None
        extractor.settle()
    return seconds, results


LANDED: list[tuple[int, float]] = []
"""Background walks: (frames, wall seconds) from the frame that started one to the frame it landed in."""


def _hands(results: list) -> list[tuple]:
    return [(r.left_hand is not None, r.right_hand is not None) for r in results]


def _same(a: list, b: list) -> bool:
    for x, y in zip(a, b, strict=True):
        for side in ("left_hand", "right_hand"):
            p, q = getattr(x, side), getattr(y, side)
            if (p is None) != (q is None) or (p is not None and not np.array_equal(p, q)):
                return False
    return True


def walk() -> None:
    from tests_support import REAL_CLIPS_CACHE, SHARED_CLIPS

    clip = next((folder / CLIP for folder in (SHARED_CLIPS, REAL_CLIPS_CACHE) if (folder / CLIP).is_file()), None)
    if clip is None:
        print(f"walk: {CLIP} not found (python -m tools.real_clips)")
        return
    frames = _frames(clip, 6.0, (1280, 720))
    for search_every in (None, 36):
        inline_s, inline = _run(frames, False, search_every)
        LANDED.clear()
        background_s, walked = _run(frames, True, search_every)
        hands = _hands(inline)
        found = [i for i in range(1, len(hands)) if any(hands[i]) and not any(hands[i - 1])]
        # The finding frame is the one after the walked-back ones: where both hands first appear.
        finding = [i + next((k for k in range(len(hands) - i) if inline[i + k].hands_ran), 0) for i in found]
        name = ("searches on the offline schedule" if search_every is None else
                f"searches every {search_every} frames (a hand found late, as when palm searches fail)")
        print(f"walk, {name}, 1280x720, {len(frames)} frames ({_load()}): hand appears at frames {found}; "
              f"process() median {1000 * statistics.median(inline_s):.0f} ms, p95 {1000 * _p95(inline_s):.0f} ms; "
              f"the walks' frames {finding}: inside the frame {_ms(inline_s, finding)} ms, "
              f"in the background {_ms(background_s, finding)} ms (then median {1000 * statistics.median(background_s):.0f} ms, "
              f"p95 {1000 * _p95(background_s):.0f} ms); longest call inline {1000 * max(inline_s):.0f} ms, "
              f"background {1000 * max(background_s):.0f} ms, ratio {max(inline_s) / max(background_s):.1f}x; "
              f"same hands on every frame: {_same(inline, walked)}; the background walks landed "
              + ", ".join(f"{n} frames ({1000 * wall:.0f} ms) after they started" for n, wall in LANDED))


def _p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


def _ms(seconds: list[float], frames: list[int]) -> str:
    return ", ".join(f"{1000 * seconds[i]:.0f}" for i in frames)


def passes() -> None:
    from rehearse.live.incremental import IncrementalEvents

    settings = Settings().analysis
    take = REPO / "scenes" / "takes" / "01-1A-2.mp4"
    with LandmarkExtractor(settings.landmarks) as extractor:
        once = [extractor.process(f) for f in iter_frames(take, max_width=settings.max_frame_width)]
    span = once[-1].t - once[0].t + (once[-1].t - once[-2].t)
    for history_s in (10.0, 60.0, 120.0):
        loops = int(np.ceil(history_s / span))
        stream = [replace(f, t=f.t + k * span, index=f.index + k * len(once)) for k in range(loops) for f in once]
        stream = [f for f in stream if f.t < history_s]
        timings = {}
        for mode in ("window", "whole history"):
            detector = IncrementalEvents(settings.landmarks, settings.signals, Settings().events)
            if mode == "whole history":  # the pass before PASS_READS_S: detectors over every frame kept
                detector._pass_start = lambda snapshot: 0
            for frame in stream[:-5]:
                detector.add(frame)
            detector.update()  # the signals of the older frames cached, as after earlier passes
            timings[mode] = []
            for frame in stream[-5:]:
                detector.add(frame)
                started = time.perf_counter()
                detector.update()
                timings[mode].append(time.perf_counter() - started)
        window, whole = (statistics.median(timings[m]) for m in ("window", "whole history"))
        print(f"passes, {history_s:.0f} s of history ({len(detector.frames)} frames, {_load()}): detection pass "
              f"median {1000 * window:.0f} ms (max {1000 * max(timings['window']):.0f}) reading its window, "
              f"{1000 * whole:.0f} ms (max {1000 * max(timings['whole history']):.0f}) over the whole history: "
              f"ratio {whole / window:.2f}x")


def live() -> None:
    from tests_support import REAL_CLIPS_CACHE, SHARED_CLIPS
    from tests_support.live_stream import UdpSender, free_udp_port, wait_until_bound

    from rehearse.live.session import WatchOptions, watch

    clip = next((folder / CLIP for folder in (SHARED_CLIPS, REAL_CLIPS_CACHE) if (folder / CLIP).is_file()), None)
    if clip is None:
        print(f"live: {CLIP} not found (python -m tools.real_clips)")
        return
    settings = Settings.model_validate({"analysis": {"landmarks": {"hands_search_every_n_frames": SEARCH_EVERY}}})
    from rehearse.analysis.backends import hand_backfill

    # Instrument (not change) the walk-back: how many frames it had, and its time inside the frame.
    walks, walk_back = [], hand_backfill.HandBackfill.walk_back

    def timed_walk_back(self, found, *args, **kwargs):
        started, kept = time.perf_counter(), self.pending
        read = walk_back(self, found, *args, **kwargs)
        if kept:
            walks.append((found.t, kept, time.perf_counter() - started))
        return read

    hand_backfill.HandBackfill.walk_back = timed_walk_back
    port = free_udp_port()
    options = WatchOptions(f"udp://127.0.0.1:{port}", duration_s=9.0, give_up_s=10.0, open_timeout_s=60.0)
    sender = UdpSender(clip, port, size=(1280, 720))
    # The sender starts once watch has opened its socket (the models load first).
    starter = threading.Thread(target=lambda: (wait_until_bound(port, lambda: True), sender.start()), daemon=True)
    starter.start()
    lags, last, cpu_started, first_analysed, hands_shown = [], None, None, 0, []
    try:
        for update in watch(options, settings):
            last = update
            if update.status == "live":
                if cpu_started is None:
                    cpu_started, first_analysed = time.process_time(), update.frames_analysed
                lags.append((update.state.t_s, update.lag_s))
                hands_shown += [(update.state.t_s, 1)] if update.events and any(e.label == "hand_to_face" for e in update.events) else []
    finally:
        sender.stop()
    if not lags or last is None:
        print("live: no frames")
        return
    cpu_ms = 1000 * (time.process_time() - cpu_started) / max(1, last.frames_analysed - first_analysed)
    around = [lag for t, lag in lags if 2.4 <= t <= 4.4]  # the hand comes at 2.42 s
    values = [lag for _, lag in lags]
    import rehearse

    print(f"live ({Path(rehearse.__file__).parent.parent}), {CLIP} at 1280x720 over UDP, hands searched every {SEARCH_EVERY} frames ({_load()}): analysed "
          f"{last.frames_analysed}/{last.frames_received}, dropped {last.frames_dropped} "
          f"({last.frames_dropped / max(1, last.frames_received):.0%}), {cpu_ms:.1f} ms CPU per analysed frame; "
          f"display lag median {statistics.median(values):.3f} s, max {max(values):.3f} s, "
          f"max over 2.4-4.4 s (the hand comes) {max(around, default=float('nan')):.3f} s; "
          f"hand first shown at {min((t for t, _ in hands_shown), default=float('nan')):.2f} s; walks back "
          + ", ".join(f"at {t:.2f} s over {kept} kept frames: {1000 * took:.0f} ms inside the frame, that frame's "
                      f"display lag {max((lag for u, lag in lags if abs(u - t) < 1e-6), default=float('nan')):.3f} s"
                      for t, kept, took in walks))


def main() -> None:
    parts = sys.argv[1:] or ["walk", "passes", "live"]
    if "walk" in parts:
        walk()
    if "passes" in parts:
        passes()
    if "live" in parts:
        live()


if __name__ == "__main__":
    main()
