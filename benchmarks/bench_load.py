"""Measure loading + validating a 500-scene production with `load_project`, against a 1 s budget.

Run: `python benchmarks/bench_load.py [SCENES]`. Each generated scene is realistic: 8 beats with
lines and holds, blocking, wardrobe, lighting, 3 shots, 4 takes with beat marks in seconds and
timecode, and 2 tracked gestures. Prints wall and CPU time, scenes per second and the ratio to the budget.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from rehearse.breakdown.loader import load_project
from rehearse.breakdown.yaml_source import _Composer

BUDGET_S = 1.0
SCENES = 500
RUNS = 5


def production_yaml(scene_count: int) -> str:
    order = ", ".join(f'"{i:03d}"' for i in range(scene_count))
    return f"""title: Benchmark Production
fps: 24
characters:
  - {{id: maya, name: MAYA, actor: Actor One, consent: true}}
  - {{id: ana, name: ANA, actor: Actor Two, consent: true}}
  - {{id: tom, name: TOM, actor: Actor Three}}
story_days: [{{id: D1, label: Day 1}}, {{id: D2, label: Day 2}}, {{id: D3, label: Day 3}}]
script_order: [{order}]
"""


def scene_yaml(index: int) -> str:
    beats = []
    for b in range(1, 9):
        speaker = ("maya", "ana", "tom")[b % 3]
        beats.append(
            f"""  - id: b{b}
    summary: Beat {b} of scene {index}, where {speaker} wants something and does not say it.
    intent: {speaker} wants the other to look away first.
    subtext: Nothing is settled.
    lines:
      - character: {speaker}
        text: "Line {b}: Did you sign it, or did you only say you would?"
      - character: maya
        text: Of course I did.
    hold: {{duration: {0.5 + b / 10:.1f}s, tolerance: 250ms, character: maya}}
    expressions: [half_smile, brow_raise]
    gestures: [collar_touch]
"""
        )
    takes = []
    for t in range(1, 5):
        marks = ", ".join(f"b{b}: {(b - 1) * 3.5 + t / 10:.2f}s" for b in range(1, 8))
        takes.append(
            f"""  - shot: {index}A
    number: {t}
    file: takes/{index:03d}-{t}.mp4
    status: {"circled" if t == 4 else "ng"}
    beat_marks: {{{marks}, b8: "00:00:{25 + t:02d}:12"}}
    duration: 40s
    camera_report: {{camera: A, roll: A00{t}, start_timecode: "10:00:{t:02d}:00"}}
    notes: Take {t}.
"""
        )
    return f"""id: "{index:03d}"
heading: INT. KITCHEN {index} - NIGHT
story_day: D{index % 3 + 1}
characters: [maya, ana, tom]
synopsis: Scene {index}. Two sisters and a page that is not signed.
beats:
{"".join(beats)}blocking:
  marks: [{{id: A, description: by the sink}}, {{id: B, description: the door}}]
  moves:
    - {{beat: b2, character: maya, from_mark: A, to_mark: B, description: crosses to the door}}
    - {{beat: b6, character: ana, to_mark: A}}
  leans:
    - {{beat: b4, character: maya, direction: away, target: ana, degrees: 12}}
wardrobe:
  - {{character: maya, item: cardigan, state: buttoned, changes_at: b5, new_state: open}}
makeup:
  - {{character: ana, item: hair, state: tied back}}
lighting:
  - {{key_side: left, quality: soft, color_temperature_k: 3200, practicals: [lamp], mood: warm}}
  - {{key_side: top, quality: hard, beat: b7}}
shots:
  - {{id: {index}A, size: MCU, subject: maya, lens_mm: 50, beats: [b1, b2, b3, b4, b5, b6, b7, b8]}}
  - {{id: {index}B, size: OTS, subject: ana, lens_mm: 35, beats: [b2, b3]}}
  - {{id: {index}C, size: WS, lens_mm: 24, movement: dolly, beats: [b1, b8]}}
takes:
{"".join(takes)}tracked_gestures:
  - {{id: collar_touch, character: maya, description: right hand to collar, kind: hand_to_collar, body_part: hand, side: right, beat: b2, window_start: 0s, window_end: 1.5s}}
  - {{id: look_away, character: ana, description: looks down and left, kind: head_turn, body_part: head, beat: b6}}
"""


def main() -> int:
    scene_count = int(sys.argv[1]) if len(sys.argv) > 1 else SCENES
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "production.yaml").write_text(production_yaml(scene_count))
        (root / "scenes").mkdir()
        for index in range(scene_count):
            (root / "scenes" / f"{index:03d}.yaml").write_text(scene_yaml(index))
        size_kib = sum(p.stat().st_size for p in (root / "scenes").iterdir()) / 1024
        load_project(root)  # warm-up: imports, pydantic schema build, file cache
        timings, cpu_timings = [], []
        for _ in range(RUNS):
            started, cpu_started = time.perf_counter(), time.process_time()
            project, problems = load_project(root)
            timings.append(time.perf_counter() - started)
            cpu_timings.append(time.process_time() - cpu_started)
    errors = [p for p in problems if p.is_error]
    if project is None or errors:
        print("load failed:", *(p.one_line() for p in errors[:5]), sep="\n  ")
        return 1
    best = min(timings)
    print(f"parser: {_Composer.__mro__[1].__module__}.{_Composer.__mro__[1].__name__}")
    print(
        f"{scene_count} scenes ({size_kib:.0f} KiB of YAML, {project.beat_count} beats, "
        f"{project.take_count} takes, {len(problems)} warnings), best of {RUNS}: "
        f"{best * 1000:.0f} ms wall (median {statistics.median(timings) * 1000:.0f} ms), "
        f"{min(cpu_timings) * 1000:.0f} ms CPU"
    )
    # Wall time is what a user waits; CPU time is the same work without other processes' noise.
    print(
        f"{scene_count / best:.0f} scenes/s; {best / BUDGET_S:.2f}x the {BUDGET_S:g} s budget "
        f"(CPU: {min(cpu_timings) / BUDGET_S:.2f}x)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
