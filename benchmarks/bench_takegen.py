"""Measure how fast fixtures are made: render_take (video) and synthesize_signals (landmark level).

Run: `python benchmarks/bench_takegen.py`. Renders a 3 s, 30 fps take with blinks, a hold, a
brow raise, a head turn and a half-smile (after one warm-up render that pays for loading the
portrait, FaceMesh and the mesh), then builds the same events as a synthetic signal stream,
and prints seconds per clip second for both and their ratio.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tools.takegen

from tools.synthetic_streams import synthesize_signals  # noqa: E402
from tools.takegen import (  # noqa: E402
    TakeSpec,
    blink,
    brow_raise,
    half_smile,
    head_turn,
    hold,
    render_take,
)

SPEC = TakeSpec(name="bench", fps=30.0, duration_s=3.0, actions=(
    blink(0.4), hold(0.7, 1.6), brow_raise(1.7, 2.3), head_turn(1.9, 2.9, "left"),
    half_smile(2.0, 2.9, "left"),
))


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        render_take(SPEC, Path(folder) / "warm.mp4")
        started = time.perf_counter()
        truth = render_take(SPEC, Path(folder) / "bench.mp4")
        render_s = time.perf_counter() - started
    started = time.perf_counter()
    repeats = 50
    for seed in range(repeats):
        synthesize_signals(truth["events"], duration_s=SPEC.duration_s, fps=SPEC.fps, seed=seed)
    synthetic_s = (time.perf_counter() - started) / repeats
    print(f"render_take: {render_s:.2f} s for a {SPEC.duration_s:.1f} s clip "
          f"({render_s / SPEC.duration_s:.2f} s per clip second)")
    print(f"synthesize_signals: {synthetic_s * 1000:.1f} ms for the same events "
          f"({synthetic_s / SPEC.duration_s * 1000:.2f} ms per clip second)")
    print(f"ratio render / synthetic: {render_s / synthetic_s:.0f}x")


if __name__ == "__main__":
    main()
