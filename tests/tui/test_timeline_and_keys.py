"""Pure parts of the app: timeline drawing, hold verdicts, the half-block still, the keymap table."""

from __future__ import annotations

import numpy as np
import pytest
from tests_support.tui_canned import canned_signals

from rehearse.breakdown.models import Scene, Take
from rehearse.errors import ConfigError
from rehearse.tui.data import EventView, TakeData
from rehearse.tui.keymap import KEYS, validate_keymap
from rehearse.tui.widgets.still import half_block_rows
from rehearse.tui.widgets.timeline import (
    LABEL_WIDTH,
    HoldResult,
    hold_results,
    render_timeline,
    sparkline,
)

SCENE = Scene.model_validate(
    {
        "id": "01",
        "heading": "INT. KITCHEN - NIGHT",
        "beats": [
            {"id": "b1", "summary": "asks"},
            {"id": "b2", "summary": "holds", "hold": {"duration": "1.2s", "tolerance": "0.3s"}},
            {"id": "b3", "summary": "turns", "hold": {"duration": "1.0s"}},
        ],
        "takes": [{"shot": "1A", "number": 1, "file": "t.mp4", "beat_marks": {"b1": 0, "b2": 2.0, "b3": 4.0}}],
    }
)
TAKE: Take = SCENE.takes[0]


def data_with(events, signals=None) -> TakeData:
    return TakeData(TAKE, TAKE.file, signals if signals is not None else canned_signals(1.0), events, 8.0)


def test_hold_verdicts_against_target_and_tolerance():
    """The take screen says what reports and `rehearse events` say (`beats.compare_hold`)."""
    from rehearse.analysis.events.beats import compare_hold

    assert HoldResult("b2", 1.2, 0.3, 1.45).verdict == "on target (+0.25 s)"
    assert HoldResult("b2", 1.2, 0.3, 0.7).verdict == "ended 0.50 s early"
    assert HoldResult("b2", 1.2, 0.3, 2.0).verdict == "ended 0.80 s late"
    assert HoldResult("b2", 1.2, 0.3, None).verdict == "no hold (target 1.20 s)"
    for measured in (1.45, 0.7, 2.0, None):
        assert HoldResult("b2", 1.2, 0.3, measured).verdict == compare_hold(measured, 1.2, 0.3).verdict


def test_hold_results_compare_the_face_hold_not_a_longer_still_body():
    events = [
        EventView("hold", 2.0, 4.4, scope="body"),  # the body barely moves all beat
        EventView("hold", 2.3, 2.9, scope="face"),  # the face holds 0.6 s: this is the beat's hold
    ]
    (result,) = [r for r in hold_results(data_with(events), SCENE) if r.beat == "b2"]
    assert result.measured_s == pytest.approx(0.6)
    lines = [line.plain for line in render_timeline(data_with(events), SCENE, 100, 0.0)]
    assert any(line.startswith("hold face") for line in lines) and any(line.startswith("hold body") for line in lines)


def test_timeline_uses_the_beat_marks_the_events_were_aligned_to():
    from dataclasses import replace

    data = replace(data_with([]), beat_marks={"b1": 0.0, "b2": 1.0, "b3": 7.0})  # e.g. a synced log's
    beats_line = next(line.plain for line in render_timeline(data, SCENE, 100, 0.0) if line.plain.startswith("beats"))
    assert beats_line.index("|b3") > beats_line.index("|b2") + 60


def test_hold_results_take_the_longest_hold_inside_each_beat():
    events = [
        EventView("hold", 2.1, 2.6),  # in b2 by time, 0.5 s
        EventView("hold", 2.8, 3.9),  # in b2 by time, 1.1 s: the longest
        EventView("hold", 4.5, 6.5, beat="b3"),  # b3, 2.0 s
        EventView("blink", 2.0, 3.9),  # not a hold
    ]
    results = {r.beat: r for r in hold_results(data_with(events), SCENE)}
    assert set(results) == {"b2", "b3"}
    assert results["b2"].measured_s == pytest.approx(1.1) and results["b2"].verdict.startswith("on target")
    assert results["b3"].measured_s == pytest.approx(2.0) and results["b3"].verdict == "ended 1.00 s late"
    unanalysed = TakeData(TAKE, TAKE.file, None, events, 8.0)
    assert all(r.measured_s is None for r in hold_results(unanalysed, SCENE))


def test_sparkline_marks_the_dip_and_leaves_gaps_blank():
    times = np.arange(0, 8.0, 0.1)
    values = np.full(times.shape, 1.0)
    values[20:22] = 0.0  # 2.0-2.2 s
    values[60:70] = np.nan  # 6.0-7.0 s: not measured
    line = sparkline(times, values, 8.0, 80)
    assert len(line) == 80
    assert line[20] == line[21] == "▁" and line[10] == "█"
    assert line[60:70] == " " * 10
    # Fewer frames than columns: no holes between frames.
    sparse = sparkline(np.arange(0, 8.0, 0.5), np.linspace(0, 1, 16), 8.0, 80)
    assert " " not in sparse and sparse[0] == "▁" and sparse[-1] == "█"


def test_timeline_places_beats_events_and_cursor_by_time():
    events = [EventView("blink", 2.0, 2.15), EventView("gesture", 5.2, 5.8, label="turn_away")]
    lines = render_timeline(data_with(events), SCENE, LABEL_WIDTH + 80, cursor_s=4.0)
    by_label = {line.plain[:LABEL_WIDTH].strip(): line for line in lines}
    beats = by_label["beats"].plain[LABEL_WIDTH:]
    assert beats.index("|b2") == 20 and beats.index("|b3") == 40  # 8 s over 80 columns
    blink = by_label["blink"].plain[LABEL_WIDTH:]
    assert blink.index("█") == 20
    gesture = by_label["gesture"].plain[LABEL_WIDTH:]
    assert gesture.index("█") == 52 and gesture.rindex("█") == 58
    # The cursor (4.0 s) is drawn reversed in column 40 of every lane.
    spans = [s for s in by_label["blink"].spans if "reverse" in str(s.style)]
    assert [(s.start - LABEL_WIDTH, s.end - LABEL_WIDTH) for s in spans] == [(40, 41)]


def test_timeline_says_when_the_take_is_not_analysed():
    data = TakeData(TAKE, TAKE.file, None, [], 8.0, note="not analyzed yet")
    text = "\n".join(line.plain for line in render_timeline(data, SCENE, 90, 0.0))
    assert "not analyzed yet" in text and "|b3" in text
    no_length = TakeData(TAKE, TAKE.file, None, [], None, note="video file missing: t.mp4")
    assert "no duration known (video file missing: t.mp4)" in render_timeline(no_length, SCENE, 90, 0.0)[0].plain


def test_half_blocks_keep_upper_and_lower_pixel_colours():
    image = np.zeros((4, 2, 3), dtype=np.uint8)
    image[0] = (255, 0, 0)
    image[1] = (0, 255, 0)
    image[2] = (0, 0, 255)
    image[3] = (9, 9, 9)
    cells = half_block_rows(image, columns=2, rows=2)
    assert len(cells) == 2 and len(cells[0]) == 2
    assert cells[0][0] == ((255, 0, 0), (0, 255, 0))
    assert cells[1][1] == ((0, 0, 255), (9, 9, 9))
    # A wide frame is shrunk to fit the columns and keeps its aspect ratio.
    wide = half_block_rows(np.zeros((90, 160, 3), dtype=np.uint8), columns=16, rows=20)
    assert len(wide[0]) == 16 and len(wide) == 4  # 160x90 px -> 16x9 px -> 16 cells x 4 rows


def test_every_binding_has_a_unique_id_and_an_action_that_exists():
    from rehearse.tui.app import RehearseApp
    from rehearse.tui.export_prompt import ExportPrompt
    from rehearse.tui.log_app import NotePrompt, RehearsalLogScreen
    from rehearse.tui.log_prompts import SlatePrompt
    from rehearse.tui.screens.continuity import ContinuityScreen
    from rehearse.tui.screens.error import ErrorScreen
    from rehearse.tui.screens.production import ProductionScreen
    from rehearse.tui.screens.scene import SceneScreen
    from rehearse.tui.screens.take import TakeScreen
    from rehearse.tui.widgets.common import KeyTable, SearchBar

    owners = {
        "app": RehearseApp, "back": RehearseApp, "table": KeyTable, "production": ProductionScreen,
        "scene": SceneScreen, "take": TakeScreen, "continuity": ContinuityScreen, "error": ErrorScreen,
        "search": SearchBar, "log": RehearsalLogScreen, "note": NotePrompt, "slate": SlatePrompt,
        "export": ExportPrompt,
    }
    ids = [spec.id for spec in KEYS]
    assert len(ids) == len(set(ids))
    for spec in KEYS:
        name = spec.action.split("(")[0]
        owner = owners[spec.scope]
        if name.startswith("app."):
            owner, name = RehearseApp, name[4:]
        assert hasattr(owner, f"action_{name}"), f"{spec.id}: {owner.__name__} has no action_{name}"


def test_keymap_validation():
    assert validate_keymap({"take.next_event": "m, ctrl+n"}) == {"take.next_event": "m,ctrl+n"}
    with pytest.raises(ConfigError, match=r"unknown binding id `take\.jump`"):
        validate_keymap({"take.jump": "m"}, "rehearse.yaml")
    with pytest.raises(ConfigError, match="is not a list of key names"):
        validate_keymap({"app.quit": ""})
