"""The app's first screen must not import mediapipe or cv2 (checked in a fresh interpreter)."""

from __future__ import annotations

import json
import subprocess
import sys

FIRST_SCREEN = """
import json, sys
from rehearse.tui.app import create_app
from rehearse.tui.screens.production import ProductionScreen
seen = {}
original_fill = ProductionScreen._fill
def fill(self):
    original_fill(self)
    def painted():
        if "rows" not in seen and self.query_one("#scenes").row_count:
            seen["rows"] = self.query_one("#scenes").row_count
            seen["heavy"] = sorted(m for m in ("mediapipe", "cv2") if m in sys.modules)
    self.call_after_refresh(painted)
ProductionScreen._fill = fill
app = create_app(sys.argv[1], watch=False)
async def first_screen(pilot):
    while "rows" not in seen:
        await pilot.pause(0.01)
    await app.workers.wait_for_complete()
    seen["heavy_after_workers"] = sorted(m for m in ("mediapipe", "cv2") if m in sys.modules)
    print(json.dumps(seen))
    app.exit()
app.run(headless=True, size=(80, 24), auto_pilot=first_screen)
"""


def test_first_screen_imports_neither_mediapipe_nor_cv2(sample_production, repo_root):
    out = subprocess.run(
        [sys.executable, "-c", FIRST_SCREEN, str(sample_production)],
        capture_output=True, text=True, cwd=repo_root, timeout=120, check=True,
    )
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["rows"] >= 3  # the sample production's scenes are on screen
    assert seen["heavy"] == []
    # Counting analysed takes reads the cache only: still no model or OpenCV import.
    assert seen["heavy_after_workers"] == []


def test_open_command_module_imports_no_textual():
    code = "import sys, rehearse.cli, rehearse.commands.open_app; print(sorted(m for m in ('textual', 'mediapipe', 'cv2') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "[]"


def test_open_with_bad_keymap_prints_one_line_and_exits_1(tmp_path, repo_root):
    from tests_support.tui_canned import write_production

    root = write_production(tmp_path / "prod")
    (root / "rehearse.yaml").write_text("keymap:\n  scene.analyse: z\n")
    out = subprocess.run(
        [sys.executable, "-m", "rehearse", "open", str(root)], capture_output=True, text=True, timeout=60,
        cwd=repo_root,
    )
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert lines[0].endswith("rehearse.yaml: error: keymap: unknown binding id `scene.analyse` (did you mean scene.analyze?)")


def test_open_a_missing_folder_is_one_line(tmp_path, repo_root):
    out = subprocess.run(
        [sys.executable, "-m", "rehearse", "open", str(tmp_path / "nope")], capture_output=True, text=True,
        timeout=60, cwd=repo_root,
    )
    assert out.returncode == 1
    assert out.stderr.strip() == f"error: no such folder: {tmp_path / 'nope'} (give the production folder, or no argument)"
