"""Reproducible sample takes with ground truth, animated from a public-domain portrait.

`render_take(spec, out_path) -> truth dict` renders any `TakeSpec`; `verify_take` runs
FaceMesh on the result and adds the measured `verified` block. Sides are the actor's own
(left = image right). See tools/takegen/README.md.
"""

from __future__ import annotations

import json
from pathlib import Path

from tools.takegen.spec import (
    Action,
    SpeechLine,
    TakeSpec,
    blink,
    brow_furrow,
    brow_raise,
    eyes_closed,
    false_start,
    gaze_shift,
    half_smile,
    head_turn,
    hold,
    lean,
    partial_blink,
)

__all__ = [
    "Action", "SpeechLine", "TakeSpec", "blink", "brow_furrow", "brow_raise", "eyes_closed",
    "false_start", "gaze_shift", "half_smile", "head_turn", "hold", "lean", "partial_blink", "render_take",
    "verify_take", "generate_sample",
]


def render_take(spec: TakeSpec, out_path: Path | str) -> dict:
    """Render `spec` to an MP4 at `out_path` and return its ground truth (see README)."""
    from tools.takegen.render import render_take as _render

    return _render(spec, out_path)


def verify_take(spec: TakeSpec, out_path: Path | str, truth: dict) -> dict:
    """Measure the rendered file with FaceMesh; returns `truth` with a `verified` block added."""
    from tools.takegen.verify import verify_truth

    return truth | {"verified": verify_truth(out_path, truth, zoom=spec.zoom)}


def generate_sample(name: str, out_dir: Path | str) -> dict:
    """Render, verify and write one sample take and its NAME.truth.json."""
    from tools.takegen.samples import SAMPLE_TAKES

    spec = SAMPLE_TAKES[name]()
    out_dir = Path(out_dir)
    video = out_dir / f"{name}.mp4"
    truth = verify_take(spec, video, render_take(spec, video))
    (out_dir / f"{name}.truth.json").write_text(json.dumps(truth, indent=2) + "\n")
    return truth
