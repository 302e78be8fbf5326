"""Confirmed events (imported corrections) replace detections of their kinds; CSV and EAF readers."""

from __future__ import annotations

import pytest

from rehearse.analysis.events.confirmed import apply_confirmed
from rehearse.analysis.events.model import Event
from rehearse.errors import RehearseError
from rehearse.export.annotations import read_annotations
from rehearse.export.markers import EDITOR_GROUPS, Marker, in_groups

DETECTED = [
    Event(kind="blink", start_s=0.58, end_s=0.75, side="both", label="full", values={"min_ear": 0.1}, confidence=0.8),
    Event(kind="blink", start_s=3.00, end_s=3.12, side="both", label="partial", confidence=0.4),
    Event(kind="hold", start_s=1.5, end_s=2.0, scope="face", confidence=0.9),
    Event(kind="hold", start_s=1.4, end_s=2.3, scope="body", confidence=0.9),
    Event(kind="gesture", start_s=4.6, end_s=5.1, label="head_turn", side="right"),
]
MARKS = {"b1": 0.0, "b2": 1.5, "b3": 4.5}


def test_confirmed_kinds_replace_detections_and_keep_what_was_measured():
    confirmed = [
        {"kind": "hold", "detail": "face", "start_s": 1.5, "end_s": 2.7},  # the end moved
        {"kind": "blink", "detail": "", "start_s": 0.58, "end_s": 0.75},  # unchanged
        {"kind": "blink", "detail": "", "start_s": 6.0, "end_s": 6.1, "side": "left"},  # missed by the detector
    ]
    events = apply_confirmed(DETECTED, {"blink", "hold"}, confirmed, MARKS, 8.0)
    assert [(e.kind, e.start_s, e.end_s, e.beat) for e in events] == [
        ("blink", 0.58, 0.75, "b1"), ("hold", 1.5, 2.7, "b2"), ("gesture", 4.6, 5.1, "b3"), ("blink", 6.0, 6.1, "b3")]
    kept_blink, hold, gesture, new_blink = events
    assert kept_blink.label == "full" and kept_blink.values == {"min_ear": 0.1} and kept_blink.confidence == 1.0
    assert hold.scope == "face" and hold.values == {}  # measured over the old interval: dropped
    assert gesture == DETECTED[4].model_copy(update={"beat": "b3"})  # a kind not covered stays detected
    assert new_blink.side == "left" and new_blink.confidence == 1.0
    # The body hold and the false partial blink are gone: their kinds were confirmed without them.
    assert not any(e.kind == "hold" and e.scope == "body" for e in events)


def test_a_csv_of_corrections_is_read_and_bad_rows_are_one_line(tmp_path):
    good = tmp_path / "fixes.csv"
    good.write_text("kind,start_s,end_s,side,label\nblink,0.5,0.7,left,\nexpression,2,3,,smile\nhold,1.5,2.7,,\n")
    found = read_annotations(good)
    assert found.kinds == {"blink", "expression", "hold"}
    assert found.records[0] | {"text": ""} == {"kind": "blink", "detail": "", "start_s": 0.5, "end_s": 0.7,
                                                "text": "", "side": "left"}
    assert found.records[1]["label"] == "smile"
    bad = tmp_path / "bad.csv"
    bad.write_text("kind,start_s,end_s\nblink,0.5,zero\n")
    with pytest.raises(RehearseError) as error:
        read_annotations(bad)
    assert str(error.value.location).endswith("bad.csv:2") and "seconds" in error.value.one_line()
    bad.write_text("kind,start_s,end_s\nsmirk,0.5,0.7\n")
    with pytest.raises(RehearseError, match="not an event kind"):
        read_annotations(bad)


def test_export_only_groups():
    def marker(source, kind):
        return Marker(0.0, 0.0, kind, kind, source, kind, "RED")

    every = [marker("flag", "hold"), marker("beat", "beat"), marker("log", "note"),
             marker("event", "hold"), marker("event", "blink")]
    assert [m.source for m in every if in_groups(m, EDITOR_GROUPS)] == ["flag", "beat", "log"]
    assert [(m.source, m.kind) for m in every if in_groups(m, ["holds"])] == [("event", "hold")]
    assert len([m for m in every if in_groups(m, ["events", "flags"])]) == 3


def test_import_annotations_stores_a_csv_for_the_take_named_and_refuses_in_one_line(tmp_path, capsys):
    from rehearse.cli import main
    from rehearse.store.confirmed import confirmed_events

    (tmp_path / "production.yaml").write_text("title: T\nfps: 24\ncharacters: [{id: maya, name: MAYA, actor: A}]\n")
    (tmp_path / "01.yaml").write_text('id: "01"\nheading: X\ncharacters: [maya]\nbeats: [{id: b1, summary: s}]\n'
                                      "shots: [{id: 1A, size: CU}]\n"
                                      "takes: [{shot: 1A, number: 1, file: takes/a.mp4, duration: 8s}]\n")
    fixes = tmp_path / "fixes.csv"
    fixes.write_text("kind,start_s,end_s\nblink,1.0,1.1\nhold,2,3.2\n")
    for name in ("1A-1", "01/1A-1", "takes/a.mp4", str(tmp_path / "takes" / "a.mp4")):
        assert main(["import-annotations", str(fixes), "--take", name, "--project", str(tmp_path)]) == 0
    assert "take 1A-1 (scene 01): 2 confirmed events (blink 1, hold 1)" in capsys.readouterr().out
    stored = confirmed_events(tmp_path, "takes/a.mp4")
    assert stored.kinds == ("blink", "hold") and [e["start_s"] for e in stored.events] == [1.0, 2.0]

    fixes.write_text("kind,start_s,end_s\nblink,7.9,8.5\n")  # past the take's 8 s
    assert main(["import-annotations", str(fixes), "--take", "1A-1", "--project", str(tmp_path)]) == 1
    assert main(["import-annotations", str(fixes), "--take", "9Z-9", "--project", str(tmp_path)]) == 1
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 2 and "outside the take" in errors[0] and "no take matches '9Z-9'" in errors[1]
    assert confirmed_events(tmp_path, "takes/a.mp4") == stored  # a refused import changes nothing
    assert main(["import-annotations", str(fixes), "--take", "1A-1", "--clear", "--project", str(tmp_path)]) == 0
    assert confirmed_events(tmp_path, "takes/a.mp4") is None
