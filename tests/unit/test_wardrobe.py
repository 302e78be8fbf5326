"""Wardrobe and makeup continuity across scenes in story order, on the sample production and edited copies of it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rehearse.breakdown.loader import open_project
from rehearse.continuity.wardrobe import wardrobe_flags


@pytest.fixture
def production_copy(sample_production: Path, tmp_path: Path) -> Path:
    root = tmp_path / "production"
    root.mkdir()
    for path in sample_production.glob("*.yaml"):
        shutil.copy(path, root / path.name)
    return root


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_sample_production_is_continuous(sample_production: Path):
    # Scene 02 undoes Maya's top button at b3 and scene 03 changes it on purpose: no flag.
    assert wardrobe_flags(open_project(sample_production)) == []


def test_an_undeclared_change_names_both_scenes(production_copy: Path):
    _edit(production_copy / "03-kitchen-day.yaml",
          "    state: same grey cardigan, buttoned one hole off; she slept in it\n    changed_on_purpose: true\n",
          "    state: same grey cardigan, buttoned one hole off; she slept in it\n")
    flags = wardrobe_flags(open_project(production_copy))
    assert len(flags) == 1
    flag = flags[0]
    assert (flag.kind, flag.take, flag.reference) == ("wardrobe", "scene 03", "scene 02")
    assert flag.values["earlier_state"] == "grey wool cardigan, top button undone, left cuff frayed"
    assert "Scene 03" in flag.message and "scene 02 (changed at b3)" in flag.message
    assert "cardigan" in flag.message and "changed_on_purpose" in flag.message


def test_a_change_within_a_scene_carries_into_the_next(production_copy: Path):
    # Scene 02 states the cardigan as it was before 01... but 01 already had it buttoned: a
    # different wording of the same state is fine, a different state is not.
    _edit(production_copy / "02-stairwell-night.yaml",
          "    state: grey wool cardigan, buttoned to the top, left cuff frayed\n",
          "    state: grey wool cardigan, open, left cuff frayed\n")
    flags = wardrobe_flags(open_project(production_copy))
    assert [(f.take, f.reference, f.values["item"]) for f in flags] == [("scene 02", "scene 01", "cardigan")]
    assert flags[0].severity == "high"


def test_makeup_is_checked_and_wording_case_is_not_a_contradiction(production_copy: Path):
    _edit(production_copy / "02-stairwell-night.yaml",
          "    state: hair down, tucked behind the right ear\n",
          "    state: Hair down,  tucked behind the right ear.\n")
    assert wardrobe_flags(open_project(production_copy)) == []
    _edit(production_copy / "02-stairwell-night.yaml",
          "    state: Hair down,  tucked behind the right ear.\n",
          "    state: hair down, tucked behind the LEFT ear\n")
    flags = wardrobe_flags(open_project(production_copy))
    # Scene 02 contradicts 01, and scene 03 (behind the right ear again) contradicts 02.
    assert [(f.take, f.reference, f.values["department"]) for f in flags] == [
        ("scene 02", "scene 01", "makeup"), ("scene 03", "scene 02", "makeup")]
