"""The truth scoreboard: the matching rule's edge cases, truth files (YAML, ELAN via pympi, the log) and their errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests_support import REAL_TRUTH, SHARED_CLIPS

from rehearse.analysis.scoring import MarkedEvent, MatchRule, match, score_events
from rehearse.analysis.truth import truth_from_log
from rehearse.commands.score import read_truth
from rehearse.errors import RehearseError

FRAME = 1 / 30


def blink(start, end, **kw) -> MarkedEvent:
    return MarkedEvent("blink", start, end, **kw)


def board(truth, detected, covers=None, duration=10.0, rule=None):
    return score_events(truth, detected, frame_s=FRAME, duration_s=duration, covers=covers, rule=rule or MatchRule())


def test_a_pair_needs_iou_at_the_threshold_or_close_onsets():
    rule = MatchRule(min_iou=0.5, onset_tolerance_s=0.05)
    truth = [blink(1.0, 2.0)]
    # IoU exactly at the threshold: [1, 1.5] covers half of [1, 2]
    assert board(truth, [blink(1.0, 1.5)], rule=rule).row("blink").hits == 1
    # IoU 0.33 and onsets 0.5 s apart: no pair, one miss and one false detection
    row = board(truth, [blink(1.5, 2.5)], rule=rule).row("blink")
    assert (row.hits, len(row.misses), len(row.false_positives)) == (0, 1, 1)
    # no overlap at all but the onset 40 ms away (a short blink detected late): a pair
    row = board([blink(1.0, 1.03)], [blink(1.04, 1.12)], rule=rule).row("blink")
    assert row.hits == 1 and row.onset_errors_frames == [pytest.approx(1.2)]


def test_pairs_are_one_to_one_and_the_better_overlap_wins():
    truth = [blink(1.0, 1.2)]
    detected = [blink(0.95, 1.1), blink(1.0, 1.2)]
    row = board(truth, detected).row("blink")
    assert row.hits == 1 and row.pairs[0][1] == detected[1]
    assert row.false_positives == [detected[0]] and row.precision == 0.5 and row.recall == 1.0
    # two truth events, one long detection over both: it pairs once
    row = board([blink(1.0, 1.2), blink(1.3, 1.5)], [blink(1.0, 1.5)], rule=MatchRule(min_iou=0.0)).row("blink")
    assert row.hits == 1 and len(row.misses) == 1


def test_uncertain_truth_is_neither_hit_nor_miss():
    truth = [blink(1.0, 1.2), blink(3.0, 3.2, uncertain=True), blink(5.0, 5.2, uncertain=True)]
    detected = [blink(1.0, 1.2), blink(3.0, 3.2)]
    row = board(truth, detected).row("blink")
    assert (row.truth, row.detected, row.hits) == (1, 1, 1)
    assert row.misses == [] and row.false_positives == []
    assert row.precision == row.recall == 1.0


def test_kinds_and_labels_must_agree():
    truth = [MarkedEvent("expression", 1.0, 3.0, label="smile")]
    detected = [MarkedEvent("expression", 1.0, 3.0, label="lip_press"), MarkedEvent("blink", 1.0, 1.2)]
    result = board(truth, detected, covers=["expression"])
    assert result.row("expression:smile").recall == 0.0
    assert result.row("expression:lip_press").false_positives == [detected[0]]
    assert result.row("blink") is None, "blinks are not covered by this truth"
    assert result.false_per_minute("expression") == pytest.approx(6.0)
    # a truth that marks holds without a scope takes a hold of either scope
    held = board([MarkedEvent("hold", 2.0, 4.0)], [MarkedEvent("hold", 2.1, 4.0, scope="face")])
    assert held.row("hold").hits == 1


def test_a_point_matches_the_detection_that_contains_it_and_has_no_offset_error():
    truth = [MarkedEvent("hesitation", 2.5, 2.5)]
    inside = board(truth, [MarkedEvent("hesitation", 1.0, 3.0)]).row("hesitation")
    assert inside.hits == 1 and inside.offset_errors_frames == []
    far = board(truth, [MarkedEvent("hesitation", 3.0, 4.0)], rule=MatchRule(onset_tolerance_s=0.25)).row("hesitation")
    assert far.hits == 0


def test_covered_kinds_without_truth_count_every_detection_as_false():
    result = board([], [blink(1.0, 1.2)], covers=["blink", "face_lost"])
    row = result.row("blink")
    assert (row.truth, row.detected, row.precision, row.recall) == (0, 1, 0.0, 1.0)


def test_detections_outside_the_take_are_listed():
    result = board([blink(0.0, 0.2)], [blink(-0.41, 0.2), blink(9.9, 10.2)], duration=10.0)
    assert [(e.start_s, e.end_s) for e in result.outside] == [(-0.41, 0.2), (9.9, 10.2)]


def test_edge_errors_are_signed_frames():
    row = board([blink(1.0, 2.0)], [blink(1.1, 1.9)]).row("blink")
    assert row.onset_errors_frames == [pytest.approx(3.0)] and row.offset_errors_frames == [pytest.approx(-3.0)]
    assert row.to_json()["onset_error_frames"] == [3.0]


def test_match_keeps_the_any_overlap_default_the_detector_tests_use():
    assert match([(0.0, 1.0)], [(0.99, 2.0)]).matched == 1
    assert match([(0.0, 1.0)], [(0.99, 2.0)], min_iou=0.5).matched == 0


# -- truth files ---------------------------------------------------------------------------------


def test_yaml_truth_loads_and_uncertain_and_covers_come_through(tmp_path):
    path = tmp_path / "t.truth.yaml"
    path.write_text("clip: x.mp4\ncovers: [blink]\nevents:\n"
                    "  - {kind: blink, start_s: 1.0, end_s: 1.2}\n"
                    "  - {kind: expression, label: smile, start_s: 2, end_s: 3, uncertain: true, note: fades}\n")
    truth = read_truth(path)
    assert truth.covers == ["blink"] and truth.clip == "x.mp4"
    assert truth.events[1] == MarkedEvent("expression", 2.0, 3.0, label="smile", uncertain=True, note="fades")


@pytest.mark.parametrize(("text", "expected"), [
    ("events:\n  - {kind: blinc, start_s: 1, end_s: 2}\n", ":2:12: error: events[0].kind: 'blinc' is not a kind"),
    ("events:\n  - {kind: blink, start_s: 2, end_s: 1}\n", ":2:28: error: events[0]: needs 0 <= start_s <= end_s"),
    ("events:\n  - {kind: blink, start: 2, end_s: 1}\n", ":2:19: error: events[0]: unknown key 'start'"),
    ("clip: x\nevent: []\n", "error: a truth file is a mapping with an `events:` list"),
    ("events: [\n", "error:"),
])
def test_a_bad_truth_file_is_one_line_naming_file_and_place(tmp_path, text, expected):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(RehearseError) as caught:
        read_truth(path)
    line = caught.value.one_line()
    assert line.startswith(str(path)) and expected in line and "\n" not in line


def test_a_missing_or_foreign_truth_file_is_refused(tmp_path):
    with pytest.raises(RehearseError, match="no such truth file"):
        read_truth(tmp_path / "nope.yaml")
    (tmp_path / "t.csv").write_text("x,y\n1,2\n")
    with pytest.raises(RehearseError, match="needs the columns kind"):
        read_truth(tmp_path / "t.csv")


def write_eaf(path: Path, tiers: dict[str, list[tuple[int, int, str]]]) -> None:
    from pympi.Elan import Eaf

    eaf = Eaf(author="annotator")
    eaf.remove_tier("default")
    for tier, spans in tiers.items():
        eaf.add_tier(tier)
        for start, end, value in spans:
            eaf.add_annotation(tier, start, end, value)
    eaf.to_file(str(path))


def test_an_elan_file_is_truth_one_tier_per_kind(tmp_path):
    path = tmp_path / "a.eaf"
    write_eaf(path, {
        "blink": [(833, 1033, ""), (4000, 4150, "? partial")],
        "expression (smile)": [(533, 2367, "broad")],
        "Maya - gesture (head_turn)": [(5000, 6000, "")],
        "hold (face)": [(7000, 8000, "")],
        "Maya speech": [(100, 900, "Of course I did.")],
    })
    truth = read_truth(path)
    assert [(e.kind, e.label, e.scope, e.start_s, e.end_s, e.uncertain) for e in truth.events] == [
        ("expression", "smile", None, 0.533, 2.367, False),
        ("blink", None, None, 0.833, 1.033, False),
        ("blink", None, None, 4.0, 4.15, True),
        ("gesture", "head_turn", None, 5.0, 6.0, False),
        ("hold", None, "face", 7.0, 8.0, False),
    ]
    assert truth.covers == ["blink", "expression", "gesture", "hold"]
    assert len(truth.notes) == 1 and "Maya speech" in truth.notes[0]


def test_a_broken_elan_file_is_one_line(tmp_path):
    path = tmp_path / "broken.eaf"
    path.write_text("<ANNOTATION_DOCUMENT><TIER")
    with pytest.raises(RehearseError) as caught:
        read_truth(path)
    assert caught.value.one_line().startswith(f"{path}: error: not a readable ELAN file")


def test_a_rehearsal_log_becomes_holds_points_and_gestures():
    entries = [(0.5, "beat", "", "b1"), (1.0, "hold_start", "", "b1"), (2.2, "hold_stop", "", "b1"),
               (3.0, "hesitation", "", "b2"), (4.0, "gesture", "turn_away", "b2"), (5.0, "hold_start", "", "b3")]
    truth = truth_from_log(entries, {"turn_away": "head_turn"}, duration_s=6.0)
    assert [(e.kind, e.start_s, e.end_s, e.label) for e in truth.events] == [
        ("hold", 1.0, 2.2, None), ("hesitation", 3.0, 3.0, None), ("gesture", 4.0, 4.0, "head_turn"),
        ("hold", 5.0, 6.0, None),
    ]
    assert truth.covers == ["gesture:head_turn", "hesitation", "hold"]


@pytest.mark.slow
def test_every_real_truth_file_loads_and_its_frames_match_its_times():
    """The annotations' frame numbers and seconds agree with the clip's decoded timestamps."""
    import numpy as np

    from rehearse.video.frames import frame_times

    files = sorted(REAL_TRUTH.glob("*.truth.yaml"))
    assert len(files) >= 5
    for path in files:
        truth = read_truth(path)
        assert truth.events, path
        clip = SHARED_CLIPS / truth.clip
        if not clip.is_file():
            clip = REAL_TRUTH.parents[2] / ".cache" / "real-clips" / truth.clip
        if not clip.is_file():
            continue
        import yaml

        raw = yaml.safe_load(path.read_text())
        times = frame_times(clip)
        assert raw["frames"] == len(times), path
        step = float(np.median(np.diff(times)))
        assert raw["duration_s"] == pytest.approx(times[-1] + step, abs=1e-3)
        for item in raw["events"]:
            first, after = item["frames"]
            assert item["start_s"] == pytest.approx(times[first], abs=1e-3), (path.name, item)
            end = times[after] if after < len(times) else times[-1] + step
            assert item["end_s"] == pytest.approx(end, abs=1e-3), (path.name, item)
