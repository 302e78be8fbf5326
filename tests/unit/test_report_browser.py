"""The HTML report in a real browser (Debian's Chromium, headless): what a director sees first.

The sample production's scene 01 (three takes, four planned drifts on take 1A-3) is analysed
with the real models, its report is opened in Chromium, and the screenshot and the browser's own
layout are checked: the summary and the flags come first, flags carry face stills of the reference
and the take, and no still is a blank "no reference" box when the reference take has the gesture.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from tests_support import SAMPLE_PRODUCTION

pytestmark = [pytest.mark.models, pytest.mark.slow]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# As root in a container: no sandbox, no GPU, nothing reaching the network.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars"]
WIDTH, HEIGHT = 1200, 1600


def chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess:
    return subprocess.run([CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def report_html(tmp_path_factory) -> Path:
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (scripts/test installs it with apt)")
    out = tmp_path_factory.mktemp("browser") / "01.html"
    env = {**os.environ, "REHEARSE_CACHE_DIR": str(out.parent / "cache")}
    done = subprocess.run([sys.executable, "-m", "rehearse", "report", "01", "--format", "html", "-o", str(out),
                           "--project", str(SAMPLE_PRODUCTION)], capture_output=True, text=True, timeout=900, env=env)
    assert done.returncode == 0, done.stderr
    return out


def test_summary_and_flags_come_first_in_a_real_browser(report_html, tmp_path):
    # Chromium lays the page out; a copy with a measuring script reports where things landed.
    probe = tmp_path / "probe.html"
    probe.write_text(report_html.read_text().replace("</body>", """<script>
      const yOf = (q) => Math.round(document.querySelector(q).getBoundingClientRect().top + scrollY);
      document.body.dataset.layout = [yOf('#summary'), yOf('.flag'), yOf('h3 + table, details'),
        document.querySelectorAll('.flag img').length,
        [...document.images].filter(i => i.complete && i.naturalWidth > 0).length, document.images.length].join(',');
    </script></body>"""))
    dom = chromium([f"--window-size={WIDTH},{HEIGHT}", "--dump-dom", probe.as_uri()], tmp_path / "profile-dom")
    found = re.search(r'data-layout="([\d,]+)"', dom.stdout)
    assert found, dom.stderr[-500:]
    summary_y, first_flag_y, first_table_y, flag_images, loaded, images = map(int, found[1].split(","))
    assert summary_y < 250, "the summary is the first thing on the page"
    assert first_flag_y < HEIGHT, f"the first flag is on the first screen (was ~1,800 px down), at {first_flag_y} px"
    assert first_flag_y < first_table_y, "flags come before the tables"
    assert flag_images == 4 and loaded == images > 4, "every flag has its still and every picture loads"

    # The screenshot a person would see: the summary's tint and a high flag's red bar are in it.
    shot = tmp_path / "report.png"
    done = chromium([f"--window-size={WIDTH},{HEIGHT}", f"--screenshot={shot}", report_html.as_uri()],
                    tmp_path / "profile-shot")
    assert shot.is_file(), done.stderr[-500:]
    import cv2

    image = cv2.cvtColor(cv2.imread(str(shot)), cv2.COLOR_BGR2RGB)
    assert image.shape[:2] == (HEIGHT, WIDTH)

    def rows_with(rgb, tolerance=6):
        match = np.all(np.abs(image.astype(int) - rgb) <= tolerance, axis=2)
        return np.flatnonzero(match.sum(axis=1) > 20)

    summary_rows = rows_with((0xF7, 0xF7, 0xF2))
    flag_bar_rows = rows_with((0xB0, 0x00, 0x20), tolerance=10)
    assert summary_rows.size and summary_rows.min() < 250
    assert flag_bar_rows.size and flag_bar_rows.min() < HEIGHT


def test_flag_stills_show_the_reference_face_beside_the_take(report_html):
    import cv2

    html = report_html.read_text()
    flags = re.findall(r"<div class='flag sev-(\w+)' id=flag-01-\d+><p>.*?</p>(<img[^>]*>)?", html, flags=re.S)
    assert len(flags) == 4 and all(img for _, img in flags)
    for severity, img in flags:
        data = base64.b64decode(re.search(r"base64,([^\"]+)", img)[1])
        still = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        assert still.shape[0] >= 300, "a face crop tall enough to see a lip corner"
        # two tiles with a white gap: both hold a picture (no flat box), including the head
        # turn, measured against the breakdown, whose reference take 1A-2 turns the right way
        columns = np.flatnonzero(np.all(still >= 250, axis=(0, 2)))
        assert columns.size, "two tiles side by side"
        left, right = still[:, : columns[0]], still[:, columns[-1] + 1:]
        for tile in (left, right):
            assert tile.std() > 25, f"{severity} flag: a tile is a flat box"
    assert "no reference" not in html
