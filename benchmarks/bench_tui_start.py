"""Cold start of the terminal app to its first screen (goal <= 0.8 s), and UI stalls during analysis.

Run: `python benchmarks/bench_tui_start.py [--runs 5] [--stall]`. Each run starts a fresh
Python process that opens the app headless on the sample production at 80x24 and reports
the moment the first screen has been drawn; the time counted is from process launch to that
moment, so interpreter start-up and every import are included. With `--stall` (needs
../shared/clips) it also analyses a real take from the take screen while a timer samples the
event loop every 10 ms, and prints the longest stall: the UI must never block > 100 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GOAL_S = 0.8
STALL_GOAL_MS = 100.0

# "First paint" = the production screen's first frame (the production still loading); "first
# screen" = the frame after its table holds the scenes (call_after_refresh runs after a paint).
# Workers started by the screen (counting analysed takes) are not waited for.
FIRST_SCREEN = """
import json, sys, time
from rehearse.tui.app import create_app
from rehearse.tui.screens.production import ProductionScreen
seen = {}
original_mount, original_fill = ProductionScreen.on_mount, ProductionScreen._fill
def on_mount(self):
    original_mount(self)
    def painted():
        seen["first_paint"] = time.time()
        seen["heavy_first_paint"] = [m for m in ("mediapipe", "cv2") if m in sys.modules]
    self.call_after_refresh(painted)
def fill(self):
    original_fill(self)
    def painted():
        if "ready" not in seen and self.query_one("#scenes").row_count:
            seen["ready"] = time.time()
            seen["cpu_s"] = time.process_time()
            seen["rows"] = self.query_one("#scenes").row_count
            seen["heavy"] = [m for m in ("mediapipe", "cv2") if m in sys.modules]
    self.call_after_refresh(painted)
ProductionScreen.on_mount, ProductionScreen._fill = on_mount, fill
app = create_app(sys.argv[1] if len(sys.argv) > 1 else None, watch=False)
async def first_screen(pilot):
    while "ready" not in seen:
        await pilot.pause(0.01)
    await app.workers.wait_for_complete()
    after_workers = [m for m in ("mediapipe", "cv2") if m in sys.modules]
    print(json.dumps(dict(seen, screen=type(app.screen).__name__, heavy_after_workers=after_workers)))
    app.exit()
app.run(headless=True, size=(80, 24), auto_pilot=first_screen)
"""

HELLO_TEXTUAL = """
import json, time
from textual.app import App
from textual.widgets import Static
seen = {}
class Hello(App):
    def compose(self):
        yield Static("hello")
    def on_mount(self):
        self.call_after_refresh(lambda: seen.update(ready=time.time(), cpu_s=time.process_time()))
async def first_screen(pilot):
    while "ready" not in seen:
        await pilot.pause(0.01)
    print(json.dumps(seen))
    pilot.app.exit()
Hello().run(headless=True, size=(80, 24), auto_pilot=first_screen)
"""

BARE_PYTHON = "import json, time; print(json.dumps({'ready': time.time(), 'cpu_s': time.process_time()}))"

STALL = """
import asyncio, json, sys, time
from rehearse.tui.app import create_app
from rehearse.tui.screens.take import TakeScreen
app = create_app(sys.argv[1], watch=False)
async def analyse(pilot):
    while app.project is None:  # the production loads in a worker after the first frame
        await pilot.pause(0.05)
    scene = app.project.scenes[0]
    app.push_screen(TakeScreen(scene.id, scene.takes[0].label))
    await pilot.pause(0.3)
    gaps = []
    last = time.perf_counter()
    while len(gaps) < 200:  # 2 s idle first: what the machine's own load costs
        await asyncio.sleep(0.01)
        now = time.perf_counter()
        gaps.append((now - last - 0.01) * 1000)
        last = now
    idle_max = max(gaps)
    gaps = []
    started = time.perf_counter()
    app.screen.action_analyze_take()
    last = time.perf_counter()
    while app.job_state is not None or time.perf_counter() - started < 0.5:
        await asyncio.sleep(0.01)
        now = time.perf_counter()
        gaps.append((now - last - 0.01) * 1000)
        last = now
    job_s = time.perf_counter() - started
    after = []  # the take screen then reloads its data (cache + event detection) and its still
    ended = time.perf_counter()
    while time.perf_counter() - ended < 3.0:
        await asyncio.sleep(0.01)
        now = time.perf_counter()
        after.append((now - last - 0.01) * 1000)
        last = now
    print(json.dumps({"idle_max_ms": idle_max, "after_max_ms": max(after), "job_s": job_s, "max_ms": max(gaps), "p99_ms": sorted(gaps)[int(len(gaps) * 0.99)],
                      "seconds": time.perf_counter() - started, "samples": len(gaps),
                      "screen": type(app.screen).__name__}))
    app.exit()
app.run(headless=True, size=(80, 24), auto_pilot=analyse)
"""


def first_screen_once(root: Path | None, code: str = FIRST_SCREEN) -> dict:
    launched = time.time()
    argv = [sys.executable, "-c", code] + ([str(root)] if root else [])
    out = subprocess.run(argv, capture_output=True, text=True, cwd=REPO, check=True, timeout=120)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["cold_start_s"] = result["ready"] - launched
    if "first_paint" in result:
        result["first_paint_s"] = result["first_paint"] - launched
    return result


def stall_run(clip: Path) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "prod"
        (root / "takes").mkdir(parents=True)
        (root / "takes" / clip.name).symlink_to(clip)
        (root / "production.yaml").write_text(
            "title: Stall bench\ncharacters: [{id: a, name: A, actor: Someone, consent: true}]\n"
        )
        (root / "01.yaml").write_text(
            "id: '01'\nheading: INT. ROOM - DAY\ncharacters: [a]\nbeats: [{id: b1, summary: Smiles.}]\n"
            "shots: [{id: 1A, size: CU}]\n"
            f"takes: [{{shot: 1A, number: 1, file: takes/{clip.name}, beat_marks: {{b1: 0s}}}}]\n"
        )
        env = dict(os.environ, REHEARSE_CACHE_DIR=str(Path(tmp) / "cache"))
        out = subprocess.run(
            [sys.executable, "-c", STALL, str(root)], capture_output=True, text=True, cwd=REPO, env=env,
            check=True, timeout=600,
        )
        return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--stall", action="store_true", help="also measure UI stalls during a real analysis")
    args = parser.parse_args()
    first_screen_once(None)  # warm the OS file cache; "cold" means a fresh interpreter, not a cold disk
    results = [first_screen_once(None) for _ in range(args.runs)]
    times = [r["cold_start_s"] for r in results]
    median = statistics.median(times)
    print(f"first screen: {results[0]['screen']} with {results[0]['rows']} scenes, sample production, 80x24, "
          f"{args.runs} runs")
    paints = [r["first_paint_s"] for r in results]
    print(f"cold start to first paint (production still loading): median {statistics.median(paints):.3f} s")
    print(f"cold start to first screen: median {median:.3f} s, min {min(times):.3f} s, max {max(times):.3f} s "
          f"(goal <= {GOAL_S} s: {'met' if median <= GOAL_S else 'NOT met'}; ratio {median / GOAL_S:.2f} of goal)")
    bare_runs = [first_screen_once(None, BARE_PYTHON) for _ in range(args.runs)]
    hello_runs = [first_screen_once(None, HELLO_TEXTUAL) for _ in range(args.runs)]
    bare = statistics.median(r["cold_start_s"] for r in bare_runs)
    hello = statistics.median(r["cold_start_s"] for r in hello_runs)
    cpu = statistics.median(r["cpu_s"] for r in results)
    hello_cpu = statistics.median(r["cpu_s"] for r in hello_runs)
    # CPU time is what this program costs; wall time also counts waiting for a busy machine.
    print(f"CPU time to first screen (all threads, interpreter start included): median {cpu:.3f} s; "
          f"one-widget Textual app {hello_cpu:.3f} s ({cpu / hello_cpu:.2f}x)")
    print(f"same machine, same moment: bare python start {bare:.3f} s, a one-widget Textual app {hello:.3f} s; "
          f"rehearse adds {median - hello:.3f} s over the Textual floor ({median / hello:.2f}x)")
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        # measured 2026-11-30: CPU to first screen 0.496 s with it set, 0.453 s with .pyc files
        print("note: PYTHONDONTWRITEBYTECODE is set here, so every start compiles rehearse's modules from "
              "source (~40 ms CPU); an installed rehearse has its .pyc files")
    print(f"heavy modules at first screen: {results[0]['heavy'] or 'none'}; "
          f"after the first workers: {results[0]['heavy_after_workers'] or 'none'}")
    if args.stall:
        clip = REPO.parent / "shared" / "clips" / "single_face.mp4"
        if not clip.exists():
            print(f"stall: skipped, {clip} not found")
        else:
            stall = stall_run(clip)
            print(f"analysis of {clip.name} from the take screen: {stall['job_s']:.1f} s, "
                  f"event-loop stall max {stall['max_ms']:.0f} ms (idle app before it: {stall['idle_max_ms']:.0f} ms), p99 {stall['p99_ms']:.0f} ms over "
                  f"{stall['samples']} samples (goal < {STALL_GOAL_MS:.0f} ms: "
                  f"{'met' if stall['max_ms'] < STALL_GOAL_MS else 'NOT met'}); ended on {stall['screen']}")
            print(f"reloading the take screen after it (cache, events, still): stall max {stall['after_max_ms']:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
