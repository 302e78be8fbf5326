"""`rehearse score` on a real clip and its truth made by eye: YAML and the same truth as an ELAN file agree."""

from __future__ import annotations

import json

import pytest
from tests_support import REAL_TRUTH, shared_clips_or_skip

from rehearse.cli import main

pytestmark = pytest.mark.slow


@pytest.fixture
def cache(tmp_path_factory, monkeypatch):
    folder = tmp_path_factory.getbasetemp() / "score-cache"
    folder.mkdir(exist_ok=True)
    (folder / "empty-config.yaml").write_text("{}\n")  # no user settings: the defaults
    monkeypatch.setenv("REHEARSE_CACHE_DIR", str(folder))
    monkeypatch.setenv("REHEARSE_CONFIG", str(folder / "empty-config.yaml"))
    return folder


def run_json(capsys, *argv) -> dict:
    assert main(["score", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_score_prints_the_scoreboard_of_a_known_pair(capsys, cache):
    clip = shared_clips_or_skip() / "single_face.mp4"
    board = run_json(capsys, str(clip), "--truth", str(REAL_TRUTH / "single_face.truth.yaml"))
    rows = {row["kind"]: row for row in board["kinds"]}
    # the truth holds one blink, one smile and one face hold (a detector may find more or less,
    # but the truth side of the board is fixed by the file)
    assert rows["blink"]["truth"] == 1 and rows["expression:smile"]["truth"] == 1 and rows["hold:face"]["truth"] == 1
    assert board["frame_s"] == pytest.approx(1 / 30, abs=1e-4) and board["duration_s"] == pytest.approx(2.4)
    assert board["rule"] == {"min_iou": 0.2, "onset_tolerance_s": 0.25}
    for row in rows.values():
        assert row["hits"] == len(row["onset_error_frames"]) <= min(row["truth"], row["detected"])

    assert main(["score", str(clip), "--truth", str(REAL_TRUTH / "single_face.truth.yaml")]) == 0
    text = capsys.readouterr().out
    assert "scoreboard" in text and "expression:smile" in text and "IoU >= 0.2" in text


def test_an_elan_truth_gives_the_same_board_as_the_yaml(capsys, cache, tmp_path):
    from pympi.Elan import Eaf

    from rehearse.analysis.truth import load_truth_yaml

    clip = shared_clips_or_skip() / "single_face.mp4"
    yaml_truth = load_truth_yaml(REAL_TRUTH / "single_face.truth.yaml")
    eaf = Eaf(author="annotator")
    eaf.remove_tier("default")
    for event in yaml_truth.events:
        detail = event.scope if event.kind == "hold" else event.label
        tier = f"{event.kind} ({detail})" if detail else event.kind
        if tier not in eaf.tiers:
            eaf.add_tier(tier)
        eaf.add_annotation(tier, round(event.start_s * 1000), round(event.end_s * 1000), event.note[:20])
    path = tmp_path / "single_face.eaf"
    eaf.to_file(str(path))

    from_yaml = run_json(capsys, str(clip), "--truth", str(REAL_TRUTH / "single_face.truth.yaml"))
    from_eaf = run_json(capsys, str(clip), "--truth", str(path))
    keep = ("truth", "hits", "detected")
    on_both = {row["kind"] for row in from_eaf["kinds"]} & {row["kind"] for row in from_yaml["kinds"]}
    assert {"blink", "expression:smile", "hold:face"} <= on_both
    for kind in on_both:
        yaml_row = next(r for r in from_yaml["kinds"] if r["kind"] == kind)
        eaf_row = next(r for r in from_eaf["kinds"] if r["kind"] == kind)
        assert {k: eaf_row[k] for k in keep} == {k: yaml_row[k] for k in keep}, kind
        # ELAN keeps whole milliseconds: edges agree to 1 ms, 0.03 of a frame here
        for errors in ("onset_error_frames", "offset_error_frames"):
            assert eaf_row[errors] == pytest.approx(yaml_row[errors], abs=0.05), (kind, errors)


def test_a_bad_truth_file_stops_before_decoding_with_one_line(capsys, monkeypatch, tmp_path):
    clip = shared_clips_or_skip() / "single_face.mp4"
    cache = tmp_path / "cache"
    monkeypatch.setenv("REHEARSE_CACHE_DIR", str(cache))
    bad = tmp_path / "bad.truth.yaml"
    bad.write_text("events:\n  - {kind: wink, start_s: 0, end_s: 1}\n")
    assert main(["score", str(clip), "--truth", str(bad)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"{bad}:2:") and "'wink' is not a kind" in err and len(err.splitlines()) == 1
    assert not cache.exists() or not any(cache.rglob("*.*")), "nothing was analysed"


def test_log_needs_a_take_of_a_production(capsys, cache):
    clip = shared_clips_or_skip() / "single_face.mp4"
    assert main(["score", str(clip), "--log"]) == 1
    assert "--log needs a take of a production" in capsys.readouterr().err


def test_log_as_truth_shows_where_the_supervisor_and_the_tool_disagree(capsys, cache, tmp_path):
    import shutil

    from tests_support import SAMPLE_PRODUCTION

    from rehearse.store.db import connect
    from rehearse.store.rehearsal_log import add_entry, start_session
    from rehearse.store.sync import link_take

    production = tmp_path / "production"
    shutil.copytree(SAMPLE_PRODUCTION, production, ignore=shutil.ignore_patterns("03-*.mp4", "01-1A-1.*", "01-1A-3.*"))
    connection = connect(production)
    try:
        session = start_session(connection, "01", "run-through")
        # the log's clock runs 10 s ahead of the take (synced below with that offset)
        for kind, t, text in [("hold_start", 11.5, ""), ("hold_stop", 12.8, ""),   # Maya's hold (truth 1.50-2.79 s)
                              ("hesitation", 12.0, ""),                            # inside the cue-to-reply gap
                              ("gesture", 16.0, "turn_away"),                      # during her head turn
                              ("hesitation", 16.8, ""),                            # none there: she is mid-turn
                              ("note", 13.0, "nice")]:
            add_entry(connection, session.id, kind, t, text=text)
        link_take(connection, session.id, "takes/01-1A-2.mp4", 10.0)
    finally:
        connection.close()
    board = run_json(capsys, str(production / "takes" / "01-1A-2.mp4"), "--log", "--project", str(production))
    assert board["truth"] == "rehearsal log"
    rows = {row["kind"]: row for row in board["kinds"]}
    assert set(rows) == {"hold", "hesitation", "gesture:head_turn"}, "notes and beats are not scored"
    assert rows["gesture:head_turn"]["hits"] == 1
    assert rows["hold"]["hits"] == 1 and abs(rows["hold"]["onset_error_frames"][0]) <= 3
    # the second logged hesitation has no hesitation under it: a miss, listed with its time
    assert rows["hesitation"]["truth"] == 2 and rows["hesitation"]["hits"] == 1
    assert rows["hesitation"]["misses"] == [{"start_s": 6.8, "end_s": 6.8}]
    assert rows["hesitation"]["offset_error_frames"] == []
