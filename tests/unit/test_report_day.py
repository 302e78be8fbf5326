"""`rehearse report --day`: per scene, the day's takes, circled takes, notes and flags (real SQLite)."""

from __future__ import annotations

import json
from datetime import date

from rehearse.breakdown.take_status import set_take_status
from rehearse.cli import main
from rehearse.store import connect
from rehearse.store.rehearsal_log import add_entry, close_session, start_session

PRODUCTION = "title: Day test\nfps: 24\ncharacters:\n  - {id: maya, name: MAYA, actor: Test Actor, consent: true}\n"
SCENE = """\
id: "{id}"
heading: INT. ROOM {id} - NIGHT
characters: [maya]
beats: [{{id: b1, summary: One}}]
shots: [{{id: {shot}, size: CU, subject: maya}}]
takes:
  - {{shot: {shot}, number: 1, file: takes/{id}-{shot}-1.mp4}}
"""


def _log(connection, scene_id, shot, number, kinds):
    session = start_session(connection, scene_id, shot=shot, take_number=number, timecode="10:00:00:00",
                            timecode_wall_s=0.0, fps=24)
    for t, (kind, text) in enumerate(kinds):
        add_entry(connection, session.id, kind, float(t), text=text)
    close_session(connection, session.id)


def test_the_day_lists_takes_circled_notes_and_flags_per_scene(tmp_path, capsys):
    (tmp_path / "production.yaml").write_text(PRODUCTION)
    (tmp_path / "01.yaml").write_text(SCENE.format(id="01", shot="1A"))
    (tmp_path / "02.yaml").write_text(SCENE.format(id="02", shot="2A"))
    (tmp_path / "03.yaml").write_text(SCENE.format(id="03", shot="3A"))
    connection = connect(tmp_path)
    _log(connection, "01", "1A", 1, [("beat", ""), ("flub", ""), ("note", "too fast")])
    _log(connection, "01", "1A", 2, [("beat", ""), ("circle", "was unmarked")])
    _log(connection, "02", "2A", 2, [("continuity", ""), ("continuity", ""), ("ng", "was unmarked")])
    # The YAML is the truth: take 1A-2 circled there (as `o` does), 2A-1 circled by hand.
    set_take_status(tmp_path / "01.yaml", "1A", 2, "circled")
    set_take_status(tmp_path / "02.yaml", "2A", 1, "circled")

    assert main(["report", "--day", "--format", "json", "--project", str(tmp_path)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["day"] == date.today().isoformat()
    assert [s["scene"] for s in report["scenes"]] == ["01", "02"]  # nothing logged in 03
    one, two = report["scenes"]
    assert [t["take"] for t in one["takes"]] == ["1A-1", "1A-2"] and one["circled"] == ["1A-2"]
    assert one["takes"][0]["notes"] == [{"t_s": 2.0, "text": "too fast"}]
    assert one["takes"][0]["flags"] == {"flub": 1} and one["takes"][0]["timecode"] == "10:00:00:00"
    assert one["takes"][0]["drift_flags"] is None  # no analysis cached: not analysed, not "0"
    assert two["takes"][0] | {"started": ""} == {
        "take": "2A-2", "session": 3, "started": "", "timecode": "10:00:00:00", "status": "ng",
        "entries": 3, "notes": [], "flags": {"continuity": 2}, "drift_flags": None}
    assert two["circled"] == []  # 2A-1 was circled, but not rehearsed today

    assert main(["report", "--day", "--project", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    assert "## Scene 01" in text and "2 take(s), circled: 1A-2" in text and "1A-1 |" in text
    assert "flub 1" in text and "2.00 s too fast" in text

    assert main(["report", "--day", "1999-01-01", "--project", str(tmp_path)]) == 0
    assert "Nothing was logged on this day." in capsys.readouterr().out
    assert main(["report", "--day", "yesterday", "--project", str(tmp_path)]) == 2
    assert "not a date" in capsys.readouterr().err
