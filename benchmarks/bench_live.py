"""Live rehearsal on this machine: a sample take streamed over UDP (MPEG-TS, x264 zerolatency) at 720p and at
its own size, watched by `rehearse watch --no-ui` (face and body path); prints display lag, dropped frames,
CPU per analysed frame, emit delay and how many blinks, holds and gestures match the offline analysis of
the recording within 2 frames.

    python benchmarks/bench_live.py [TAKE] [--sizes 1280x720,native]

Numbers are measured in this run (the machine's load changes them: they are printed, never asserted).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EARLY_S = 2.0
"""Events ending in the first this-many seconds of the stream are reported apart (before levels
were read as a stream knows them, they waited for 2 s of picture)."""
sys.path.insert(0, str(REPO / "tests"))  # the UDP sender the tests use

from tests_support.live_stream import UdpSender, free_udp_port, wait_until_bound  # noqa: E402

from rehearse.analysis.events import detect_events  # noqa: E402
from rehearse.analysis.take import analyze_take  # noqa: E402
from rehearse.config import Settings  # noqa: E402


def run(take: Path, size: tuple[int, int] | None, folder: Path, duration: float = 7.5) -> None:
    port = free_udp_port()
    events_file, recording = folder / "events.jsonl", folder / "take.ts"
    for path in (events_file, recording):
        path.unlink(missing_ok=True)
    watcher = subprocess.Popen(
        [sys.executable, "-m", "rehearse", "watch", f"udp://127.0.0.1:{port}", "--no-ui", "--events-jsonl",
         str(events_file), "--record", str(recording), "--duration", str(duration), "--give-up", "10"],
        env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_until_bound(port, lambda: watcher.poll() is None)
    sender = UdpSender(take, port, size=size).start()
    out, _ = watcher.communicate(timeout=300)
    sender.stop()
    summary = json.loads(out.strip().splitlines()[-1])
    rows = [json.loads(line) for line in events_file.read_text().splitlines()]
    settings = Settings(cache_dir=folder / "cache")  # the offline schedule, as watch runs it
    analysis = analyze_take(recording, settings)
    offline = detect_events(analysis.signals, None, settings=settings.events, landmarks=analysis.landmarks)
    frame = 1 / analysis.measured_fps

    def compared(kind, scope, end):
        return end <= duration - 0.6 and kind in ("blink", "eyes_closed", "hold", "gesture", "expression")

    live = [r for r in rows if compared(r["kind"], r.get("scope"), r["end_s"])]
    wanted = [e for e in offline if compared(e.kind, e.scope, e.end_s)]
    def key(kind, scope, label):
        return kind, scope, label if kind in ("gesture", "expression") else None

    def seen(e) -> bool:
        return any(key(r["kind"], r.get("scope"), r.get("label")) == key(e.kind, e.scope, e.label)
                   and abs(r["start_s"] - e.start_s) <= 2 * frame + 1e-6 and abs(r["end_s"] - e.end_s) <= 2 * frame + 1e-6
                   for r in live)

    hits = sum(seen(e) for e in wanted)
    early = [r["emitted_after_end_s"] for r in rows if r["end_s"] < EARLY_S]
    later = [r["emitted_after_end_s"] for r in rows if r["end_s"] >= EARLY_S]
    label = f"{size[0]}x{size[1]}" if size else f"{analysis.width}x{analysis.height} (native)"
    print(f"{label}: analysed {summary['frames_analysed']}/{summary['frames_received']} frames, "
          f"dropped {summary['frames_dropped']} ({summary['frames_dropped'] / max(1, summary['frames_received']):.0%}), "
          f"{summary['cpu_ms_per_frame']} ms CPU per analysed frame (load average {os.getloadavg()[0]:.1f}); "
          f"display lag median {summary['display_lag_median_s']} s, max {summary['display_lag_max_s']} s; "
          f"emit delay median {summary['emit_delay_median_s']} s, max {summary['emit_delay_max_s']} s "
          f"({summary['events']} events; ending in the first {EARLY_S:g} s: max {max(early, default=float('nan')):.3f} s, "
          f"later: max {max(later, default=float('nan')):.3f} s); live vs offline blinks, eye closures, holds (face, body), gestures and expressions within 2 frames: "
          f"{hits}/{len(wanted)} "
          f"(live found {len(live)})")
    for e in wanted:
        if not seen(e):
            near = [f"{r['start_s']:.3f}-{r['end_s']:.3f}" for r in live if key(r["kind"], r.get("scope"), r.get("label")) == key(e.kind, e.scope, e.label)
                    and r["start_s"] < e.end_s + 0.5 and e.start_s - 0.5 < r["end_s"]]
            print(f"  offline {e.kind} {e.scope or e.label or ''} {e.start_s:.3f}-{e.end_s:.3f} s not live within 2 frames"
                  f" (live nearby: {', '.join(near) or 'none'})")
    # Per kind: how many live events and the longest emit delay.
    for kind in sorted({(r["kind"], r.get("scope") or r.get("label")) for r in rows}, key=str):
        delays = [r["emitted_after_end_s"] for r in rows if (r["kind"], r.get("scope") or r.get("label")) == kind]
        print(f"  {kind[0]} {kind[1] or ''}: {len(delays)} live, emit delay max {max(delays):.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("take", nargs="?", type=Path, default=REPO / "scenes" / "takes" / "01-1A-1.mp4")
    parser.add_argument("--sizes", default="1280x720,native")
    parser.add_argument("--duration", type=float, default=7.5, help="seconds of stream watched (the sample takes are 8 s)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for text in args.sizes.split(","):
            size = None if text == "native" else tuple(int(v) for v in text.split("x"))
            run(args.take, size, Path(tmp), args.duration)


if __name__ == "__main__":
    main()
