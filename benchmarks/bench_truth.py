"""The truth scoreboard per face backend, on real clips and on the rendered sample takes: `python benchmarks/bench_truth.py`.

    python benchmarks/bench_truth.py                       every backend that can run here
    python benchmarks/bench_truth.py --backend geometry    FaceMesh geometry only
    python benchmarks/bench_truth.py --task PATH           the Face Landmarker model for `blendshapes`/`landmarker`
    python benchmarks/bench_truth.py --json                the rows as JSON

Real clips: every tests/data/real/NAME.truth.yaml whose clip is in ../shared/clips or in
.cache/real-clips (`python -m tools.real_clips`). Rendered takes: scenes/takes/*.truth.json
(tools/takegen), analysed inside the sample production so they get their beat marks and line
cues. Backends: `geometry` is FaceMesh with the geometric expression and blink rules (blendshapes
off); with the Face Landmarker model installed (`rehearse models install`, or --task PATH)
`blendshapes` is the default route (the model's blendshape network on FaceMesh's landmarks) and
`landmarker` the Face Landmarker task itself. Each row is one
clip and kind under the matching rule of rehearse.analysis.scoring; the last table pools every
real clip per kind. Analyses are cached, so a second run is quick.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from rehearse import pipeline  # noqa: E402
from rehearse.analysis.scoring import MarkedEvent  # noqa: E402
from rehearse.analysis.take import analyze_take  # noqa: E402
from rehearse.analysis.truth import Truth, load_truth_yaml, score_take  # noqa: E402
from rehearse.config import load_settings  # noqa: E402

REAL_TRUTH = REPO / "tests" / "data" / "real"
CLIP_FOLDERS = (REPO.parent / "shared" / "clips", REPO / ".cache" / "real-clips")
SAMPLE_TAKES = REPO / "scenes" / "takes"
RENDERED_KINDS = {"blink": "blink", "partial_blink": "blink", "eyes_closed": "eyes_closed", "hold": "hold",
                  "expression": "expression", "gesture": "gesture", "hesitation": "hesitation",
                  "false_start": "false_start", "gaze_shift": "gaze_shift"}


def real_cases() -> list[tuple[str, Path, Truth]]:
    cases = []
    for path in sorted(REAL_TRUTH.glob("*.truth.yaml")):
        truth = load_truth_yaml(path)
        clip = next((folder / truth.clip for folder in CLIP_FOLDERS if (folder / truth.clip).is_file()), None)
        if clip is None:
            print(f"skipped {path.name}: {truth.clip} not found (python -m tools.real_clips)", file=sys.stderr)
            continue
        cases.append(("real", clip, truth))
    return cases


def rendered_cases() -> list[tuple[str, Path, Truth]]:
    cases = []
    for path in sorted(SAMPLE_TAKES.glob("*.truth.json")):
        data = json.loads(path.read_text())
        events = [MarkedEvent(RENDERED_KINDS[e["kind"]], e["start_s"], e["end_s"], label=e.get("label"),
                              side=e.get("side"), scope=e.get("scope"))
                  for e in data["events"] if e["kind"] in RENDERED_KINDS]
        cases.append(("rendered", SAMPLE_TAKES / f"{data['take']}.mp4", Truth(events, source=path.name)))
    return cases


def backends(task: Path | None) -> dict[str, dict]:
    """backend name -> the landmark settings it changes: geometry (blendshapes off), and with
    the Face Landmarker model installed (or --task) the default route (its blendshape network
    on FaceMesh) and the Face Landmarker task itself."""
    from rehearse.analysis.model_files import find_model

    found: dict[str, dict] = {"geometry": {"blendshapes": "off"}}
    model = find_model(task)
    if model is not None:
        found["blendshapes"] = {"blendshapes": "facemesh", "face_landmarker_task": task}
        found["landmarker"] = {"blendshapes": "landmarker", "face_landmarker_task": task}
    else:
        print("blendshapes: no face_landmarker.task installed (rehearse models install, or --task PATH); "
              "only geometry runs", file=sys.stderr)
    return found


def score_case(clip: Path, truth: Truth, backend: dict):
    plan = pipeline.plan_takes([str(clip)], SAMPLE_TAKES.parent if clip.parent == SAMPLE_TAKES else None)
    target = plan.targets[0]
    settings = load_settings(plan.project.root if plan.project is not None else None)
    landmarks = settings.analysis.landmarks.model_copy(update=backend)
    settings = settings.model_copy(update={"analysis": settings.analysis.model_copy(update={"landmarks": landmarks})})
    analysis = analyze_take(target.path, settings, label=target.label)
    events = pipeline.take_events(target, analysis, plan.project, settings).events
    return score_take(truth, analysis, events), analysis


def _frames(values: list[float]) -> str:
    if not values:
        return "-"
    return f"{sum(abs(v) for v in values) / len(values):.1f}/{max(values, key=abs):+.1f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("geometry", "blendshapes", "landmarker"), action="append")
    parser.add_argument("--task", type=Path, help="face_landmarker.task for the blendshapes backend")
    parser.add_argument("--only", choices=("real", "rendered"), help="only real clips or only rendered takes")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    from rehearse.native_stderr import quiet_native_stderr

    quiet_native_stderr()  # MediaPipe's C++ start-up lines would bury the progress lines
    cases = ([] if args.only == "rendered" else real_cases()) + ([] if args.only == "real" else rendered_cases())
    rows, pooled, real_minutes = [], {}, {}
    for backend, changes in backends(args.task).items():
        if args.backend and backend not in args.backend:
            continue
        for where, clip, truth in cases:
            board, analysis = score_case(clip, truth, changes)
            for row in board.rows:
                rows.append({"backend": backend, "set": where, "clip": clip.name, **row.to_json()})
                if where == "real":
                    total = pooled.setdefault((backend, row.key), {"truth": 0, "detected": 0, "hits": 0, "on": [], "off": []})
                    total["truth"] += row.truth
                    total["detected"] += row.detected
                    total["hits"] += row.hits
                    total["on"] += row.onset_errors_frames
                    total["off"] += row.offset_errors_frames
            if where == "real":
                real_minutes[backend] = real_minutes.get(backend, 0.0) + board.duration_s / 60
            for event in board.outside:
                rows.append({"backend": backend, "set": where, "clip": clip.name, "kind": f"OUTSIDE {event.kind}",
                             "start_s": event.start_s, "end_s": event.end_s})
            print(f"{backend:11} {clip.name}: analysed at {analysis.realtime_factor:.2f}x real time"
                  f"{' (cached)' if analysis.from_cache else ''}", file=sys.stderr)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"{'backend':11} {'set':8} {'clip':26} {'kind':22} {'truth':>5} {'found':>5} {'hits':>4} "
          f"{'P':>5} {'R':>5} {'onset fr':>10} {'offset fr':>10}")
    for r in rows:
        if r["kind"].startswith("OUTSIDE"):
            print(f"{r['backend']:11} {r['set']:8} {r['clip']:26} {r['kind']} at {r['start_s']:.3f}-{r['end_s']:.3f} s")
            continue
        print(f"{r['backend']:11} {r['set']:8} {r['clip']:26} {r['kind']:22} {r['truth']:5d} {r['detected']:5d} "
              f"{r['hits']:4d} {r['precision']:5.2f} {r['recall']:5.2f} {_frames(r['onset_error_frames']):>10} "
              f"{_frames(r['offset_error_frames']):>10}")
    print("\nall real clips pooled (edge errors: mean absolute / worst signed, frames)")
    for (backend, key), t in sorted(pooled.items()):
        precision = t["hits"] / t["detected"] if t["detected"] else 1.0
        recall = t["hits"] / t["truth"] if t["truth"] else 1.0
        print(f"{backend:11} {key:22} truth {t['truth']:3d} found {t['detected']:3d} hits {t['hits']:3d} "
              f"P {precision:.2f} R {recall:.2f} onset {_frames(t['on'])} offset {_frames(t['off'])}")
    for backend, minutes in real_minutes.items():
        false = sum(t["detected"] - t["hits"] for (b, key), t in pooled.items() if b == backend and key.startswith("expression"))
        print(f"{backend:11} false expressions on real clips: {false} in {60 * minutes:.1f} s "
              f"({false / minutes if minutes else 0.0:.1f} per minute; target <= 1)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
