"""Live gesture rest levels: a detection pass's cost of reading them with the levels earlier passes
carried (`rest_carry`), against reading them over its window alone (the code before, which also got
them wrong after ~44 s), on a 120 s stream.

    python benchmarks/bench_live_rest.py

01-1A-2's frames (FaceMesh and the body path, as `rehearse watch` runs them) looped to 120 s,
times running on, fed to `IncrementalEvents` with a pass every second up to 110 s, then every 0.2 s
(as live runs them): for each pass from 110 s on, the wall time of the whole pass and of its rest
levels (`carry_rest_levels` on the pass's window, with the carried levels and with none). Numbers
depend on the machine's load (printed): never asserted.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from rehearse.analysis.landmarks import LandmarkExtractor  # noqa: E402
from rehearse.config import Settings  # noqa: E402
from rehearse.live import incremental  # noqa: E402
from rehearse.live.incremental import IncrementalEvents  # noqa: E402
from rehearse.video.frames import iter_frames  # noqa: E402

STREAM_S = 120.0
MEASURED_FROM_S = 110.0


def main() -> None:
    settings = Settings()
    take = REPO / "scenes" / "takes" / "01-1A-2.mp4"
    with LandmarkExtractor(settings.analysis.landmarks) as extractor:
        once = [extractor.process(f) for f in iter_frames(take, max_width=settings.analysis.max_frame_width)]
    span = once[-1].t - once[0].t + (once[-1].t - once[-2].t)
    loops = int(np.ceil(STREAM_S / span))
    stream = [replace(f, t=f.t + k * span, index=f.index + k * len(once), body_motion_t=f.body_motion_t + k * span)
              for k in range(loops) for f in once]
    stream = [f for f in stream if f.t < STREAM_S]
    timings: dict[str, list[float]] = {"carried": [], "window alone": []}
    carry = incremental.carry_rest_levels

    def timed(signals, first, known, **kw):
        started = time.perf_counter()
        carry(signals, first, {}, **kw)
        timings["window alone"].append(time.perf_counter() - started)
        started = time.perf_counter()
        out = carry(signals, first, known, **kw)
        timings["carried"].append(time.perf_counter() - started)
        return out

    detector = IncrementalEvents(settings.analysis.landmarks, every_s=1.0)
    passes = []
    for frame in stream:
        measured = frame.t >= MEASURED_FROM_S
        if measured:
            detector.every_s = 0.2
            incremental.carry_rest_levels = timed
        detector.add(frame)
        if detector.due():
            detector.update()
            if measured:
                passes.append(detector.pass_seconds[-1])
    incremental.carry_rest_levels = carry
    carried, alone = (statistics.median(timings[k]) for k in ("carried", "window alone"))
    print(f"{STREAM_S:.0f} s stream, {len(passes)} passes from {MEASURED_FROM_S:.0f} s "
          f"(load average {os.getloadavg()[0]:.1f}): pass median {1000 * statistics.median(passes):.0f} ms "
          f"(both rest level readings included); rest levels median {1000 * carried:.1f} ms carried, "
          f"{1000 * alone:.1f} ms over the window alone: ratio {alone / carried:.2f}x")


if __name__ == "__main__":
    main()
