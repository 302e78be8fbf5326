"""`rehearse actor list|show|forget|neutral` on a copy of the sample production with real analyses, stills, reports and rows."""

from __future__ import annotations

import io
import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from rehearse.cli import main

ACTOR = "Ines Varga"
HER_TAKES = ("01-1A-1.mp4", "01-1A-2.mp4", "01-1A-3.mp4")


@pytest.fixture
def production(tmp_path, sample_production, monkeypatch) -> Path:
    """The sample production with scene 01's three takes of Maya recorded (the others not yet).

    The user cache folder points into tmp_path: `forget` also clears matching entries there, and
    must not touch this machine's real cache."""
    monkeypatch.delenv("REHEARSE_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    (tmp_path / "no-user-config.yaml").write_text("")  # an empty user config: the defaults
    monkeypatch.setenv("REHEARSE_CONFIG", str(tmp_path / "no-user-config.yaml"))
    root = tmp_path / "prod"
    root.mkdir()
    for path in sample_production.glob("*.yaml"):
        shutil.copy(path, root / path.name)
    (root / "takes").mkdir()
    (tmp_path / "truth").mkdir()
    for name in HER_TAKES:
        shutil.copy(sample_production / "takes" / name, root / "takes" / name)
        truth = Path(name).with_suffix(".truth.json").name
        shutil.copy(sample_production / "takes" / truth, tmp_path / "truth" / truth)
    return root


def _run(argv: list[str], capsys, monkeypatch, answer: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(answer))
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _all_bytes(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.models
def test_forget_removes_every_file_and_row_of_the_actor(production, capsys, monkeypatch, sample_cache):
    from rehearse.analysis.cache import content_hash
    from rehearse.report.images import side_by_side, still
    from rehearse.store.db import connect
    from rehearse.store.rehearsal_log import add_entry, start_session
    from rehearse.store.sync import link_take

    state = production / ".rehearse"
    hashes = [content_hash(production / "takes" / name) for name in HER_TAKES]
    (state / "cache").mkdir(parents=True)
    for entry in sample_cache.iterdir():  # her takes were analysed once for the session: analyze finds them
        if entry.name.startswith(tuple(hashes)):
            shutil.copy(entry, state / "cache" / entry.name)
    assert _run(["analyze", "01", "--project", str(production)], capsys, monkeypatch)[0] == 0
    assert all(any(p.name.startswith(h) for p in (state / "cache").iterdir()) for h in hashes)
    # Truth: Maya replies after ~2 s in 1A-1 and 1A-2 but after ~1 s in 1A-3.
    truth = {n: [e["latency_s"] for e in json.loads((production.parent / "truth" / f"{Path(n).stem}.truth.json")
                                                   .read_text())["events"] if e["kind"] == "hesitation"][0]
             for n in HER_TAKES}
    code, out, _ = _run(["drift", "01", "--project", str(production), "--json"], capsys, monkeypatch)
    assert code == 0 and "profile" not in {f["kind"] for f in json.loads(out)["flags"]}  # only when asked
    code, out, _ = _run(["drift", "01", "--project", str(production), "--json", "--profiles"], capsys, monkeypatch)
    profile_flags = [f for f in json.loads(out)["flags"] if f["kind"] == "profile"]
    latency = [f for f in profile_flags if f["values"]["figure"] == "latency"]
    assert [f["take"] for f in latency] == ["1A-3"]
    assert latency[0]["values"]["take_median_latency_s"] == pytest.approx(truth["01-1A-3.mp4"], abs=0.1)
    usual = (truth["01-1A-1.mp4"] + truth["01-1A-2.mp4"]) / 2
    assert latency[0]["values"]["profile_median_latency_s"] == pytest.approx(usual, abs=0.1)
    assert "Ines Varga's other 2 takes" in latency[0]["message"]
    # The profile from the real analyses (MediaPipe on the rendered takes) against their truth.
    code, out, _ = _run(["actor", "--project", str(production), "show", "maya", "--json"], capsys, monkeypatch)
    profile = json.loads(out)["profile"]
    assert [t["take"] for t in profile["takes"]] == ["1A-1", "1A-2", "1A-3"]
    for figures, name in zip(profile["takes"], HER_TAKES, strict=True):
        events = json.loads((production.parent / "truth" / f"{Path(name).stem}.truth.json").read_text())["events"]
        assert figures["blinks"] == sum(1 for e in events if e["kind"] in ("blink", "partial_blink")), name
        assert figures["latencies_s"] == [pytest.approx(truth[name], abs=0.15)]
        turns = [(e["label"], e["side"]) for e in events if e.get("label") == "head_turn"]
        assert [(g["label"], g["side"]) for g in figures["gestures"] if g["label"] == "head_turn"] == turns
    assert profile["by_partner"]["ana"]["takes"] == ["1A-1", "1A-2", "1A-3"]
    assert profile["skipped"] == ["2A-1: takes/02-2A-1.mp4 is not recorded yet",
                                  "3B-1: takes/03-3B-1.mp4 is not recorded yet"]
    # A neutral mark, a still, a report, log rows naming her, a log synced to her take ...
    code, out, _ = _run(["actor", "--project", str(production), "neutral", "1A-1", "0.0", "1.0"], capsys, monkeypatch)
    assert code == 0 and "neutral span 0.00-1.00 s stored" in out
    (state / "stills").mkdir()
    (state / "stills" / "01-1A-2-at-5.00s.png").write_bytes(
        side_by_side(still(production / "takes" / "01-1A-2.mp4", 5.0), None, ("take 1A-2", "-")))
    assert _run(["report", "01", "--project", str(production), "-o", str(state / "reports" / "scene01.html")],
                capsys, monkeypatch)[0] == 0
    html = (state / "reports" / "scene01.html").read_text()
    actors = html[html.index("<h2>Actors</h2>"):]
    assert "Ines Varga as MAYA" in actors and "usually 10-32 per minute" in actors
    for label in ("1A-1", "1A-2"):
        assert f"<td>{label}</td><td>01</td>" in actors  # each take with the baseline it used
    # 1A-1 is calibrated on its marked neutral span; unmarked 1A-2 on a window matched to the profile's rest levels.
    assert "<td>1A-1</td><td>01</td><td>" in actors and "<td>neutral mark 0.00-1.00 s</td>" in actors
    assert re.search(r"<td>1A-2</td><td>01</td><td>[^<]*</td><td>\d+</td><td>profile \d+\.\d\d-\d+\.\d\d s</td>", actors)
    out_md = production.parent / "out" / "scene01.md"
    assert _run(["report", "01", "--project", str(production), "--format", "md", "-o", str(out_md)],
                capsys, monkeypatch)[0] == 0
    markdown = out_md.read_text()
    assert "## Actors" in markdown and "### Ines Varga as MAYA" in markdown
    assert "| 1A-1 | 01 | neutral mark 0.00-1.00 s |" in markdown
    connection = connect(production)
    session = start_session(connection, "01", "run-through")
    add_entry(connection, session.id, "note", 3.0, text="Ines dropped the cup on b2")
    add_entry(connection, session.id, "note", 4.0, text="Lucia Ferrer wants the chair moved")
    link_take(connection, session.id, "takes/01-1A-1.mp4", 2.5)
    connection.close()
    # The same take analysed outside the production lands in the user cache folder.
    user_cache = production.parent / "user-cache" / "rehearse"
    user_cache.mkdir(parents=True)
    for entry in (state / "cache").glob(f"{hashes[0]}-*"):
        shutil.copy(entry, user_cache / entry.name)
    assert any(user_cache.iterdir())
    # ... and data of another actor, which must survive.
    (state / "reports" / "ana-notes.md").write_text("Lucia Ferrer: line run notes\n")

    code, out, _ = _run(["actor", "--project", str(production), "list", "--json"], capsys, monkeypatch)
    listed = {a["actor"]: a for a in json.loads(out)["actors"]}
    assert listed[ACTOR]["takes"] == 5 and listed[ACTOR]["recorded"] == 3
    assert listed[ACTOR]["landmark_caches"] >= 6 and listed[ACTOR]["stills"] == 1 and listed[ACTOR]["reports"] == 1
    assert listed[ACTOR]["database_rows"] == 3  # neutral mark, sync, the note naming her
    assert listed["Lucia Ferrer"]["reports"] == 1 and listed["Lucia Ferrer"]["database_rows"] == 1

    code, out, _ = _run(["actor", "--project", str(production), "forget", ACTOR], capsys, monkeypatch, answer="n\n")
    assert code == 1 and "nothing deleted" in out
    assert all(any(p.name.startswith(h) for p in (state / "cache").iterdir()) for h in hashes)

    code, out, _ = _run(["actor", "--project", str(production), "forget", ACTOR], capsys, monkeypatch, answer="y\n")
    assert code == 0, out
    assert "removed" in out and "3 database rows" in out and "1 stills" in out

    # Nothing under .rehearse names her or derives from her takes, byte for byte (database included).
    needles = [b"Ines", b"Varga", *(Path(n).stem.encode() for n in HER_TAKES), *(h.encode() for h in hashes)]
    for path, data in _all_bytes(state).items():
        for needle in needles:
            assert needle not in data, f"{needle!r} left in {path}"
    assert not any(user_cache.iterdir())
    rows = sqlite3.connect(state / "rehearse.db")
    assert rows.execute("SELECT count(*) FROM neutral_mark").fetchone()[0] == 0
    assert rows.execute("SELECT count(*) FROM take_sync").fetchone()[0] == 0
    assert [r[0] for r in rows.execute("SELECT text FROM log_entry")] == ["Lucia Ferrer wants the chair moved"]
    rows.close()
    assert (state / "reports" / "ana-notes.md").read_text() == "Lucia Ferrer: line run notes\n"
    assert all((production / "takes" / name).is_file() for name in HER_TAKES)  # the production's own videos stay
    code, out, _ = _run(["actor", "--project", str(production), "forget", ACTOR, "--yes"], capsys, monkeypatch)
    assert code == 0 and "nothing stored" in out


def test_consent_false_is_refused_everywhere_with_one_line(production, capsys, monkeypatch):
    text = (production / "production.yaml").read_text()
    (production / "production.yaml").write_text(text.replace("consent: true", "consent: false", 1))
    code, _, err = _run(["actor", "--project", str(production), "show", ACTOR], capsys, monkeypatch)
    assert code == 1 and err.count("\n") == 1 and "consent: false" in err and "Traceback" not in err
    code, _, err = _run(["events", str(production / "takes" / "01-1A-1.mp4")], capsys, monkeypatch)
    assert code == 1 and "consent: false" in err
    code, _, err = _run(["drift", "--takes", str(production / "takes" / "01-1A-1.mp4"),
                         str(production / "takes" / "01-1A-2.mp4")], capsys, monkeypatch)
    assert code == 1 and "consent: false" in err
    from rehearse.breakdown.loader import open_project
    from rehearse.scene_results import scene_results

    project = open_project(production)
    results = scene_results(project, project.scene("01"))
    assert [r.analysis for r in results.takes] == [None, None, None]
    assert all("consent: false" in r.problem for r in results.takes if r.path.exists())
    assert not (production / ".rehearse" / "cache").exists()  # nothing was analysed


def test_unknown_actor_and_bad_neutral_span_are_one_line_errors(production, capsys, monkeypatch):
    code, _, err = _run(["actor", "--project", str(production), "show", "Nobody"], capsys, monkeypatch)
    assert code == 1 and "no actor or character named `Nobody`" in err and "Ines Varga (maya)" in err
    code, _, err = _run(["actor", "--project", str(production), "neutral", "9Z-9", "0", "1"], capsys, monkeypatch)
    assert code == 1 and "no take `9Z-9`" in err
    code, _, err = _run(["actor", "--project", str(production), "neutral", "1A-1", "2", "1"], capsys, monkeypatch)
    assert code == 1 and "empty or negative" in err


def test_cached_only_profile_never_analyses(production):
    from rehearse.breakdown.loader import open_project
    from rehearse.profiles.collect import find_character
    from rehearse.scene_results import actor_profile

    project = open_project(production)
    profile = actor_profile(project, find_character(project, "maya"), cached_only=True)
    assert profile.takes == []
    assert sorted(profile.skipped)[:3] == [f"1A-{n}: takes/01-1A-{n}.mp4 is not analyzed yet" for n in (1, 2, 3)]
    assert not (production / ".rehearse" / "cache").exists()
