"""Corrections round-trip through ELAN: export an .eaf, move a hold's end with pympi-ling (as an
annotator would in ELAN), import it, and drift, the report and the next export all see the
corrected time. The real path: the sample takes analysed by MediaPipe, the CLI in subprocesses.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from tests_support import SAMPLE_PRODUCTION

pytestmark = [pytest.mark.models, pytest.mark.slow]

HOLD_TIER_END = " - hold (face)"


def _rehearse(root, env, *args):
    done = subprocess.run([sys.executable, "-m", "rehearse", *args, "--project", str(root)],
                          capture_output=True, text=True, timeout=900, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    return done


@pytest.fixture(scope="module")
def production(tmp_path_factory, sample_cache):
    from tests_support import copy_cache

    root = tmp_path_factory.mktemp("roundtrip") / "production"
    shutil.copytree(SAMPLE_PRODUCTION, root)
    env = {**os.environ, "REHEARSE_CACHE_DIR": str(copy_cache(sample_cache, root.parent / "cache"))}
    return root, env


def _b2_face_hold(eaf):
    tier = next(t for t in eaf.get_tier_names() if t.endswith(HOLD_TIER_END))
    # The b2 hold of 1A-3 starts near 1.5 s (it was rushed: 0.5 s for a 1.2 s target).
    start, end, value = next(a[:3] for a in eaf.get_annotation_data_for_tier(tier) if 1300 <= a[0] <= 1800)
    return tier, start, end, value


def test_an_eaf_correction_is_what_drift_report_and_export_see(production, tmp_path):
    from pympi.Elan import Eaf

    root, env = production
    out = tmp_path / "eaf"
    done = _rehearse(root, env, "export", "01", "--format", "eaf", "-o", str(out))
    assert "EAF holds one take per file" in done.stdout
    assert sorted(p.name for p in out.iterdir()) == ["01_1A-1.eaf", "01_1A-2.eaf", "01_1A-3.eaf"]
    before = json.loads(_rehearse(root, env, "drift", "01", "--json").stdout)
    assert any(f["take"] == "1A-3" and f["kind"] == "hold" for f in before["flags"])

    # The annotator drags the end of 1A-3's rushed hold out to 2.70 s (1.2 s, on target), in ELAN.
    eaf = Eaf(str(out / "01_1A-3.eaf"))
    tier, start, end, value = _b2_face_hold(eaf)
    assert end - start < 900  # as detected: rushed
    eaf.remove_annotation(tier, (start + end) / 2)
    eaf.add_annotation(tier, start, start + 1200, value)
    edited = tmp_path / "corrected.eaf"
    eaf.to_file(str(edited))

    done = _rehearse(root, env, "import-annotations", str(edited))
    assert "take 1A-3 (scene 01)" in done.stdout and "confirmed events" in done.stdout

    after = json.loads(_rehearse(root, env, "drift", "01", "--json").stdout)
    assert not any(f["take"] == "1A-3" and f["kind"] == "hold" for f in after["flags"])
    assert {f["kind"] for f in after["flags"] if f["take"] == "1A-3"} >= {"head_turn"}  # the rest stays

    report = tmp_path / "report.json"
    _rehearse(root, env, "report", "01", "--format", "json", "-o", str(report))
    b2 = next(b for b in json.loads(report.read_text())["scenes"][0]["beats"] if b["id"] == "b2")
    take3 = next(t for t in b2["takes"] if t["take"] == "1A-3")
    assert take3["on_target"] is True

    again = tmp_path / "again"
    _rehearse(root, env, "export", "01", "--format", "eaf", "-o", str(again))
    _, start2, end2, _ = _b2_face_hold(Eaf(str(again / "01_1A-3.eaf")))
    assert (start2, end2) == (start, start + 1200)
