"""MediaPipe is imported without matplotlib (~31 MB per analysing process), and matplotlib still
works as usual afterwards (the report's plots) and for mediapipe's own plotting helper."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.models

SCRIPT = """
import sys
from rehearse.analysis.backends.mediapipe_import import import_mediapipe

mp = import_mediapipe()
assert "matplotlib" not in sys.modules and "matplotlib.pyplot" not in sys.modules, "matplotlib was imported"
face_mesh = mp.solutions.face_mesh.FaceMesh(refine_landmarks=True)
face_mesh.close()
assert import_mediapipe() is mp and "matplotlib" not in sys.modules

import matplotlib
matplotlib.use("Agg")
from matplotlib import pyplot as plt
figure = plt.figure()
assert type(sys.modules["matplotlib"]).__name__ == "module" and plt.__name__ == "matplotlib.pyplot"
drawing_plt = mp.solutions.drawing_utils.plt  # the stand-in mediapipe kept: it reaches the real pyplot
assert drawing_plt.figure is plt.figure
print("ok")
"""


def test_mediapipe_leaves_matplotlib_out_until_something_uses_it():
    run = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and run.stdout.strip().endswith("ok"), run.stderr[-2000:]
