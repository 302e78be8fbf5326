"""How fast the event detectors run against real time: `python benchmarks/bench_events.py`.

Builds a 10-minute synthetic take (measured FaceMesh noise, blinks, holds, expressions,
gestures, speech) at 30 and 60 fps and prints seconds of take analysed per second of CPU.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tools.synthetic_streams

from rehearse.analysis.events import detect_events  # noqa: E402
from tools.synthetic_streams import synthesize_audio, synthesize_signals  # noqa: E402


def _events(duration_s: float, seed: int = 0) -> tuple[list[dict], list[tuple[float, float]]]:
    rng = np.random.default_rng(seed)
    events, speech, t = [], [], 1.0
    while t < duration_s - 5:
        kind = rng.choice(["blink", "hold", "expression", "gesture", "speech"])
        if kind == "blink":
            events.append({"kind": "blink", "start_s": t, "apex_s": t + 0.07, "end_s": t + 0.25})
            t += 0.3
        elif kind == "hold":
            events.append({"kind": "hold", "start_s": t, "end_s": t + 1.5})
            t += 1.5
        elif kind == "expression":
            events.append({"kind": "expression", "label": "brow_raise", "start_s": t, "end_s": t + 1.0})
            t += 1.0
        elif kind == "gesture":
            events.append({"kind": "gesture", "label": "head_turn", "side": "left", "start_s": t, "end_s": t + 1.2})
            t += 1.2
        else:
            speech.append((t, t + 1.5))
            t += 1.5
        t += float(rng.uniform(0.5, 2.0))
    return events, speech


def main() -> None:
    duration = 600.0
    events, speech = _events(duration)
    audio = synthesize_audio(speech, duration)
    for fps in (30.0, 60.0):
        signals = synthesize_signals(events, duration_s=duration, fps=fps, seed=1)
        started = time.process_time()
        found = detect_events(signals, audio)
        spent = time.process_time() - started
        print(f"{fps:g} fps, {duration:.0f} s take: {len(found)} events in {spent:.2f} s CPU "
              f"= {duration / spent:.0f}x real time")


if __name__ == "__main__":
    main()
