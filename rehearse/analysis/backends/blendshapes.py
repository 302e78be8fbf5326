"""52 blendshape scores per frame from 478 face landmarks, with the blendshape network inside `face_landmarker.task`.

The Face Landmarker task runs this same network (`face_blendshapes.tflite`) on its own
landmarks. Its input is 146 of the 478 points, as (x, y) in pixels of the analysed image; its
output is the 52 scores in `BLENDSHAPE_NAMES` order. Feeding it FaceMesh's landmarks (the same
478-point topology, with refined eyes and iris) gives blendshapes at FaceMesh's speed: the
network costs 0.3-2 ms a frame (route (b) in benchmarks/bench_blendshape_route.py, which
compares it with the Face Landmarker task itself). The extractor scores each frame right after
its face (`LandmarkExtractor._run_blendshape_network`).

The runtime is LiteRT (`ai-edge-litert`, imported lazily), the maintained TFLite interpreter.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

# The 52 blendshape categories in the network's output order (names as MediaPipe gives them).
# Their Left/Right are the actor's own (checked on single_face.jpg: eyeBlinkLeft is the higher
# score on the eye whose EAR is lower, and a mirrored image swaps them).
BLENDSHAPE_NAMES: tuple[str, ...] = (
    "_neutral", "browDownLeft", "browDownRight", "browInnerUp", "browOuterUpLeft",
    "browOuterUpRight", "cheekPuff", "cheekSquintLeft", "cheekSquintRight", "eyeBlinkLeft",
    "eyeBlinkRight", "eyeLookDownLeft", "eyeLookDownRight", "eyeLookInLeft", "eyeLookInRight",
    "eyeLookOutLeft", "eyeLookOutRight", "eyeLookUpLeft", "eyeLookUpRight", "eyeSquintLeft",
    "eyeSquintRight", "eyeWideLeft", "eyeWideRight", "jawForward", "jawLeft", "jawOpen",
    "jawRight", "mouthClose", "mouthDimpleLeft", "mouthDimpleRight", "mouthFrownLeft",
    "mouthFrownRight", "mouthFunnel", "mouthLeft", "mouthLowerDownLeft", "mouthLowerDownRight",
    "mouthPressLeft", "mouthPressRight", "mouthPucker", "mouthRight", "mouthRollLower",
    "mouthRollUpper", "mouthShrugLower", "mouthShrugUpper", "mouthSmileLeft", "mouthSmileRight",
    "mouthStretchLeft", "mouthStretchRight", "mouthUpperUpLeft", "mouthUpperUpRight",
    "noseSneerLeft", "noseSneerRight",
)

# The network's input points, in order (MediaPipe's face_blendshapes_graph.cc,
# kLandmarksSubsetIdxs): contours of lips, eyes, brows and face, plus the ten iris points.
LANDMARK_SUBSET: tuple[int, ...] = (
    0, 1, 4, 5, 6, 7, 8, 10, 13, 14, 17, 21, 33, 37, 39,
    40, 46, 52, 53, 54, 55, 58, 61, 63, 65, 66, 67, 70, 78, 80,
    81, 82, 84, 87, 88, 91, 93, 95, 103, 105, 107, 109, 127, 132, 133,
    136, 144, 145, 146, 148, 149, 150, 152, 153, 154, 155, 157, 158, 159, 160,
    161, 162, 163, 168, 172, 173, 176, 178, 181, 185, 191, 195, 197, 234, 246,
    249, 251, 263, 267, 269, 270, 276, 282, 283, 284, 285, 288, 291, 293, 295,
    296, 297, 300, 308, 310, 311, 312, 314, 317, 318, 321, 323, 324, 332, 334,
    336, 338, 356, 361, 362, 365, 373, 374, 375, 377, 378, 379, 380, 381, 382,
    384, 385, 386, 387, 388, 389, 390, 397, 398, 400, 402, 405, 409, 415, 454,
    466, 468, 469, 470, 471, 472, 473, 474, 475, 476, 477,
)
SUBSET_INDEX = np.array(LANDMARK_SUBSET)
NETWORK_MEMBER = "face_blendshapes.tflite"


def blendshape_index(name: str) -> int:
    """Column of a blendshape in the "blendshapes" track."""
    return BLENDSHAPE_NAMES.index(name)


class BlendshapeNetwork:
    """The blendshape network of a `face_landmarker.task`: `scores(points_px)` -> (52,)."""

    def __init__(self, task_path: Path):
        from ai_edge_litert.interpreter import Interpreter

        with zipfile.ZipFile(task_path) as bundle:
            network = bundle.read(NETWORK_MEMBER)
        # One thread: analysis runs one take per core (--jobs), and the network is ~2 ms.
        self._interpreter = Interpreter(model_content=network, num_threads=1)
        self._interpreter.allocate_tensors()
        self._input = self._interpreter.get_input_details()[0]["index"]
        self._output = self._interpreter.get_output_details()[0]["index"]

    def scores(self, points_px: np.ndarray) -> np.ndarray:
        """52 scores (0-1) for one face: `points_px` is (146, 2) x, y in pixels."""
        self._interpreter.set_tensor(self._input, np.asarray(points_px, np.float32)[None])
        self._interpreter.invoke()
        return np.array(self._interpreter.get_tensor(self._output), dtype=np.float32).reshape(-1)


__all__ = ["BLENDSHAPE_NAMES", "LANDMARK_SUBSET", "BlendshapeNetwork", "blendshape_index"]
