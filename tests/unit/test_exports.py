"""Every export is read back by an independent parser, and marker times survive to the frame."""

from __future__ import annotations

from pathlib import Path

import pytest

from rehearse.export.ale import COLUMNS, ale_text
from rehearse.export.eaf import write_eaf
from rehearse.export.edl import edl_text
from rehearse.export.markers import (
    Marker,
    TakeMarkers,
    beat_markers,
    flag_marker,
    log_marker,
    sorted_markers,
)
from rehearse.export.otio import write_otio


def _marker(t, kind="blink", duration=0.2, name=None):
    return Marker(t, duration, name or kind, f"{kind} at {t}", "event", kind, "CYAN", "maya")


def _takes(tmp_path: Path, fps: float = 24.0) -> list[TakeMarkers]:
    takes = []
    for number, (offsets, status) in enumerate([((0.0, 1.5, 4.5), "hold"), ((0.0, 1.6, 4.4), "circled")], start=1):
        markers = [*beat_markers(dict(zip(["b1", "b2", "b3"], offsets, strict=True)))]
        markers += [_marker(0.81 + number / 10), _marker(2.04, "hold", 1.21), _marker(2.10, "hold", 0.9)]
        markers += [flag_marker("hand_side", 5.27, "Take 2: Maya touches her collar with her LEFT hand", "high")]
        markers += [log_marker("hesitation", 3.333, "long pause, <script>alert(1)</script>", "b2")]
        takes.append(
            TakeMarkers(
                scene_id="01", label=f"1A-{number}", shot="1A", number=number, status=status,
                file=f"takes/01-1A-{number}.mp4", path=tmp_path / f"01-1A-{number}.mp4", fps=fps,
                duration_s=8.0, start_timecode="10:00:00:00" if number == 1 else "", camera="A",
                roll="A003", notes="rushed the hold\tbadly", markers=sorted_markers(markers),
            )
        )
    return takes


def _frame(t: float, fps: float) -> int:
    return round(t * fps)


def test_otio_reads_back_with_every_marker_on_its_frame(tmp_path):
    import opentimelineio as otio

    takes = _takes(tmp_path)
    write_otio(takes, tmp_path / "scene.otio", "Scene 01")
    timeline = otio.adapters.read_from_file(str(tmp_path / "scene.otio"))
    clips = list(timeline.find_clips())
    assert [c.name for c in clips] == ["1A-1", "1A-2"]
    for take, clip in zip(takes, clips, strict=True):
        start = clip.source_range.start_time
        read = [(m.name, (m.marked_range.start_time - start).to_frames()) for m in clip.markers]
        assert read == [(m.name, _frame(m.t_s, take.fps)) for m in take.markers]
        assert clip.metadata["rehearse"]["circled"] == take.circled
    assert clips[0].source_range.start_time.to_timecode() == "10:00:00:00"


def test_edl_reads_back_through_the_cmx3600_adapter(tmp_path):
    import opentimelineio as otio

    takes = _takes(tmp_path)
    path = tmp_path / "scene.edl"
    path.write_text(edl_text(takes, "Scene 01 <rehearse>", 24.0))
    timeline = otio.adapters.read_from_file(str(path), adapter_name="cmx_3600", rate=24)
    clips = list(timeline.find_clips())
    assert len(clips) == 2
    for take, clip in zip(takes, clips, strict=True):
        start = clip.source_range.start_time
        got = [(m.marked_range.start_time - start).to_frames() for m in clip.markers]
        assert got == [_frame(m.t_s, 24.0) for m in take.markers]
        assert clip.markers[-1].color in {"CYAN", "RED", "WHITE", "MAGENTA"}
        assert clip.duration().to_frames() == 192
        comments = clip.metadata["cmx_3600"]["comments"]
        assert any(c.startswith("|C:ResolveColor") for c in comments)
    flag = next(m for m in clips[1].markers if m.name.startswith("FLAG"))
    assert flag.color == "RED" and "HAND_SIDE" in flag.name


def test_edl_at_a_high_frame_rate_keeps_frames(tmp_path):
    import opentimelineio as otio

    takes = _takes(tmp_path, fps=60.0)
    path = tmp_path / "hfr.edl"
    path.write_text(edl_text(takes, "HFR", 60.0))
    clip = otio.adapters.read_from_file(str(path), adapter_name="cmx_3600", rate=60).find_clips()[0]
    start = clip.source_range.start_time
    assert [(m.marked_range.start_time - start).to_frames() for m in clip.markers] == [
        _frame(m.t_s, 60.0) for m in takes[0].markers
    ]


def read_ale(text: str) -> tuple[dict[str, str], list[dict[str, str]]]:
    """A small ALE reader following Avid's published layout (Heading / Column / Data)."""
    lines = text.split("\n")
    assert lines[0] == "Heading"
    heading: dict[str, str] = {}
    index = 1
    while lines[index] != "Column":
        if lines[index]:
            key, value = lines[index].split("\t")
            heading[key] = value
        index += 1
    columns = lines[index + 1].split("\t")
    assert lines[index + 2] == "" and lines[index + 3] == "Data"
    rows = []
    for line in lines[index + 4 :]:
        if not line:
            continue
        values = line.split("\t")
        assert len(values) == len(columns), f"row has {len(values)} cells for {len(columns)} columns"
        rows.append(dict(zip(columns, values, strict=True)))
    return heading, rows


def test_ale_follows_avids_layout(tmp_path):
    takes = _takes(tmp_path)
    heading, rows = read_ale(ale_text(takes, 24.0))
    assert heading["FIELD_DELIM"] == "TABS" and heading["FPS"] == "24"
    assert [r["Name"] for r in rows] == ["1A-1", "1A-2"]
    assert [r["Circled"] for r in rows] == ["", "Yes"]
    assert rows[0]["Start"] == "10:00:00:00" and rows[0]["End"] == "10:00:08:00"
    assert rows[0]["Scene"] == "01" and rows[1]["Take"] == "2"
    assert "rushed the hold badly" in rows[0]["Notes"] and "flag: Take 2" in rows[1]["Notes"]
    assert set(COLUMNS) >= {"Scene", "Take", "Circled", "Notes"}


def test_eaf_reads_back_with_pympi(tmp_path):
    from pympi.Elan import Eaf

    take = _takes(tmp_path)[0]
    write_eaf(take, tmp_path / "take.eaf", who="Maya")
    eaf = Eaf(str(tmp_path / "take.eaf"))
    assert "beats" in eaf.get_tier_names() and "flags" in eaf.get_tier_names()
    assert "maya - blink" in eaf.get_tier_names()
    holds = sorted(eaf.get_annotation_data_for_tier("maya - hold") + eaf.get_annotation_data_for_tier("maya - hold - overlap 2"))
    assert [(round(s / 1000 * 24), round(e / 1000 * 24)) for s, e, _ in holds] == [(49, 78), (50, 72)]
    every = [a for tier in eaf.get_tier_names() for a in eaf.get_annotation_data_for_tier(tier)]
    assert sorted(round(a[0] / 1000 * 24) for a in every) == sorted(_frame(m.t_s, 24) for m in take.markers)
    assert eaf.media_descriptors[0]["MEDIA_URL"].endswith("01-1A-1.mp4")


@pytest.mark.parametrize("fmt", ["edl", "ale"])
def test_text_exports_hold_no_control_characters(tmp_path, fmt):
    takes = _takes(tmp_path)
    text = edl_text(takes, "x", 24) if fmt == "edl" else ale_text(takes, 24)
    assert all(ch == "\n" or ch == "\t" or ch >= " " for ch in text)
