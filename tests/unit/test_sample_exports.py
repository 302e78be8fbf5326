"""The bundled sample production exports in every format, and each reads back with its parser.

Runs the real path: the sample takes are analysed (MediaPipe), events detected, take 1A-3's
deliberate drift flagged, and all of it written as OTIO, EDL, ALE and EAF and as a report.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from tests_support import SAMPLE_PRODUCTION

pytestmark = pytest.mark.models


@pytest.fixture(scope="module")
def exported(tmp_path_factory, sample_cache):
    from tests_support import copy_cache

    out = tmp_path_factory.mktemp("sample-exports")
    env = {**os.environ, "REHEARSE_CACHE_DIR": str(copy_cache(sample_cache, out / "cache"))}
    runs = {}
    for fmt in ("otio", "edl", "ale", "eaf"):
        runs[fmt] = subprocess.run(
            [sys.executable, "-m", "rehearse", "export", "01", "--format", fmt, "-o", str(out / f"s01.{fmt}"),
             "--project", str(SAMPLE_PRODUCTION)], capture_output=True, text=True, timeout=900, env=env,
        )
    runs["report"] = subprocess.run(
        [sys.executable, "-m", "rehearse", "report", "--all", "--format", "json", "-o", str(out / "report.json"),
         "--project", str(SAMPLE_PRODUCTION)], capture_output=True, text=True, timeout=900, env=env,
    )
    return out, runs


def test_every_format_is_written(exported):
    _, runs = exported
    for name, done in runs.items():
        assert done.returncode == 0, f"{name}: {done.stderr[-2000:]}"
        assert "Traceback" not in done.stderr


def test_otio_and_edl_carry_the_drift_flags_of_take_3(exported):
    import opentimelineio as otio

    out, _ = exported
    clips = otio.adapters.read_from_file(str(out / "s01.otio")).find_clips()
    assert [c.name for c in clips] == ["1A-1", "1A-2", "1A-3"]
    flags = [m for m in clips[2].markers if m.name.startswith("FLAG")]
    assert {m.metadata["rehearse"]["kind"] for m in flags} >= {"hold", "head_turn"}
    assert not [m for m in clips[1].markers if m.name.startswith("FLAG")], "the reference has no flags"
    edl_clips = otio.adapters.read_from_file(str(out / "s01.edl"), adapter_name="cmx_3600", rate=24).find_clips()
    for otio_clip, edl_clip in zip(clips, edl_clips, strict=True):
        start_otio, start_edl = otio_clip.source_range.start_time, edl_clip.source_range.start_time
        assert sorted((m.marked_range.start_time - start_otio).to_frames() for m in otio_clip.markers) == sorted(
            (m.marked_range.start_time - start_edl).to_frames() for m in edl_clip.markers)


def test_ale_and_eaf_read_back(exported):
    from pympi.Elan import Eaf

    out, _ = exported
    lines = (out / "s01.ale").read_text().splitlines()
    columns = lines[lines.index("Column") + 1].split("\t")
    rows = [dict(zip(columns, line.split("\t"), strict=True)) for line in lines[lines.index("Data") + 1 :] if line]
    assert [(r["Name"], r["Circled"]) for r in rows] == [("1A-1", ""), ("1A-2", "Yes"), ("1A-3", "")]
    eaf = Eaf(str(out / "s01_1A-3.eaf"))
    assert "flags" in eaf.get_tier_names()
    assert any(t.endswith(" - blink") for t in eaf.get_tier_names())


def test_report_json_has_the_flags_and_the_holds(exported):
    out, _ = exported
    report = json.loads((out / "report.json").read_text())
    scene = report["scenes"][0]
    assert scene["reference"] == "1A-2"
    assert {f["kind"] for f in scene["flags"]} >= {"hold", "head_turn"}
    b2 = next(b for b in scene["beats"] if b["id"] == "b2")
    verdicts = {t["take"]: t["on_target"] for t in b2["takes"]}
    assert verdicts["1A-2"] is True and verdicts["1A-3"] is False
