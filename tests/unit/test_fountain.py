"""Fountain reading and `rehearse import`, cross-checked against the independent parser screenplain."""

from __future__ import annotations

import io
import random
import re
from pathlib import Path

import pytest
import yaml
from screenplain.parsers import fountain as screenplain_fountain
from screenplain.types import Dialog, DualDialog, Slug

from rehearse.breakdown.fountain import (
    Dialogue,
    ScriptError,
    character_id,
    parse_fountain,
    plain_text,
    read_fountain,
)
from rehearse.breakdown.loader import load_project
from rehearse.cli import main
from rehearse.commands.import_fountain import scaffold_breakdown

# --- the independent reading -------------------------------------------------------------------


def _screenplain(text: str):
    return screenplain_fountain.parse(io.StringIO(text))


def _cue_name(cue: str) -> str:
    # screenplain keeps extensions and a stray dual marker in the name; the name is before them.
    return cue.replace("^", "").split("(", 1)[0].strip().upper()


def screenplain_headings(text: str) -> list[str]:
    return [str(p.line).strip().upper() for p in _screenplain(text) if isinstance(p, Slug)]


def screenplain_characters(text: str) -> set[str]:
    names: set[str] = set()
    for paragraph in _screenplain(text):
        dialogs = [paragraph.left, paragraph.right] if isinstance(paragraph, DualDialog) else [paragraph]
        names |= {_cue_name(str(d.character)) for d in dialogs if isinstance(d, Dialog)}
    return names


def our_headings(text: str) -> list[str]:
    return [scene.heading for scene in parse_fountain(text).scenes]


def our_characters(text: str) -> set[str]:
    return {name.upper() for name in parse_fountain(text).character_names()}


def assert_agrees_with_screenplain(text: str) -> None:
    assert our_headings(text) == screenplain_headings(text)
    assert our_characters(text) == screenplain_characters(text)


# --- the bundled sample script -----------------------------------------------------------------


def test_sample_script_agrees_with_screenplain_and_with_the_breakdown(sample_production: Path):
    text = (sample_production / "script.fountain").read_text(encoding="utf-8")
    assert_agrees_with_screenplain(text)
    headings = our_headings(text)
    assert len(headings) == 3
    breakdown_headings = [
        yaml.safe_load(path.read_text(encoding="utf-8"))["heading"]
        for path in sorted(sample_production.glob("0*.yaml"))
    ]
    assert headings == breakdown_headings
    production = yaml.safe_load((sample_production / "production.yaml").read_text(encoding="utf-8"))
    assert {character_id(n) for n in our_characters(text)} == {c["id"] for c in production["characters"]}


def test_sample_lines_match_the_breakdown_line_cues(sample_production: Path):
    screenplay = read_fountain(sample_production / "script.fountain")
    for scene, path in zip(screenplay.scenes, sorted(sample_production.glob("0*.yaml")), strict=True):
        breakdown = yaml.safe_load(path.read_text(encoding="utf-8"))
        cues = [(cue["character"], cue["text"]) for beat in breakdown["beats"] for cue in beat.get("lines", [])]
        spoken = [
            (character_id(s.character), " ".join(line for line in s.lines if not line.startswith("(")))
            for element in scene.elements if isinstance(element, Dialogue)
            for s in element.speeches
        ]
        assert spoken == cues, path.name


# --- hand-written edge cases ---------------------------------------------------------------------

EDGE_SCRIPT = """\
Title:
    _THE LONG_
    **NIGHT**
Credit: Written by
Author: A. Writer
Draft date: 1 May

# ACT ONE

= Where it starts.

.FLASHBACK - THE LAKE

= Maya as a child.

EXT. LAKE - DAY #4A#

MAYA (V.O.)
(quietly)
I was *seven*.

@McCLANE
Yippee.

BRICK
Screw retirement.

STEEL ^
Screw retirement.

[[Check this line with legal.]]

/*
INT. DELETED SCENE - NIGHT

GHOST
Boo.
*/

> THE END <

CUT TO:

int. car - moving

MAYA (CONT'D)
Still seven.
[[an inline note]]
Still there.

!LOUD NOISES

...and then nothing.

===

INT./EXT. CAR - LATER

I/E HALLWAY - NIGHT

MRS. O'HARA
Tea?
"""


def test_edge_script_agrees_with_screenplain():
    assert_agrees_with_screenplain(EDGE_SCRIPT)


def test_edge_script_elements():
    screenplay = parse_fountain(EDGE_SCRIPT)
    assert screenplay.title_page["title"] == "THE LONG NIGHT"
    assert screenplay.title_page["author"] == "A. Writer"
    assert [s.heading for s in screenplay.scenes] == [
        "FLASHBACK - THE LAKE", "EXT. LAKE - DAY", "INT. CAR - MOVING", "INT./EXT. CAR - LATER",
        "I/E HALLWAY - NIGHT",
    ]
    flashback, lake, car = screenplay.scenes[:3]
    assert flashback.synopses == ["Maya as a child."]
    assert lake.number == "4A"
    speeches = [e.speeches for e in lake.elements if isinstance(e, Dialogue)]
    assert speeches[0][0].character == "MAYA"
    assert speeches[0][0].extensions == ("V.O.",)
    assert speeches[0][0].lines == ("(quietly)", "I was seven.")
    assert speeches[1][0].character == "McCLANE"
    assert [s.character for s in speeches[2]] == ["BRICK", "STEEL"], "dual dialogue is one exchange"
    texts = " ".join(e.text for e in lake.elements if not isinstance(e, Dialogue))
    assert "THE END" in texts
    assert "CUT TO" not in texts and "legal" not in texts and "GHOST" not in texts
    car_speech = next(e for e in car.elements if isinstance(e, Dialogue)).speeches[0]
    assert car_speech.lines == ("Still seven.", "Still there.")
    car_action = [e.text for e in car.elements if not isinstance(e, Dialogue)]
    assert car_action == ["LOUD NOISES", "...and then nothing."]
    assert "GHOST" not in screenplay.character_names()


def test_heading_followed_directly_by_action_is_still_a_heading():
    # Our documented leniency: screenplain reads this as a character named INT. ROOF - DAY.
    text = "INT. ROOF - DAY\nWind.\n\nANA\nHold on.\n"
    screenplay = parse_fountain(text)
    assert [s.heading for s in screenplay.scenes] == ["INT. ROOF - DAY"]
    assert screenplay.scenes[0].elements[0].text == "Wind."
    assert screenplay.character_names() == ["ANA"]


def test_single_capitalised_line_is_action_and_two_spaces_keep_a_speech_together():
    text = "EXT. FIELD - DAY\n\nBANG!\n\nTOM\nFirst line.\n  \nAfter the pause.\n"
    scene = parse_fountain(text).scenes[0]
    assert scene.elements[0].text == "BANG!"
    assert scene.elements[1].speeches[0].lines == ("First line.", "After the pause.")


@pytest.mark.parametrize(
    ("name", "expected"),
    [("MAYA", "maya"), ("MRS. O'HARA", "mrs_o_hara"), ("JOSÉ", "jose"), ("MAN #2", "man_2"), ("МАША", "")],
)
def test_character_ids(name, expected):
    assert character_id(name) == expected


def test_emphasis_is_removed_and_escapes_stay():
    assert plain_text("I was *seven*, **really** _seven_ and ***sure***.") == "I was seven, really seven and sure."
    assert plain_text(r"5 \* 3 is not \_ 15") == "5 * 3 is not _ 15"


_BLOCKS = [
    "INT. KITCHEN - NIGHT", "EXT. ROOF - DAY", "int. car - moving", ".FLASHBACK", "EST. CITY - DAWN",
    "INT./EXT. CAR - DAY", "I/E HALLWAY", "INT. HOUSE - DAY #12A#", "MAYA\nHello.",
    "TOM (V.O.)\nYes.", "ANA (CONT'D)\n(quietly)\nNo.", "@McClane\nYippee.", "DR. O'HARA\nSit.",
    "MAN #2\nHey.", "STEEL ^\nTogether.", "She waits.", "!INT. NOT A HEADING", "!SHOUTING\nmore",
    "BANG!", "> THE END <", "CUT TO:", "> FADE OUT", "===", "# Act One", "= a synopsis",
    "[[a note]]", "/* boneyard\n\nINT. CUT - DAY\n\nGONE\nLine.\n*/", "Action with [[a note]] inside.",
    "...and then.", "KIM\n(beat)\nFine.\n  \nReally.", "JO ^\nMe too.",
]


def test_random_scripts_agree_with_screenplain():
    generator = random.Random(20261125)
    for _ in range(300):
        blocks = generator.choices(_BLOCKS, k=generator.randint(1, 14))
        title = "Title: Random\nAuthor: Nobody\n\n" if generator.random() < 0.3 else ""
        text = title + "\n\n".join(blocks) + "\n"
        assert our_headings(text) == screenplain_headings(text), text
        assert our_characters(text) == screenplain_characters(text), text


# --- rehearse import ---------------------------------------------------------------------------


def test_import_sample_script_passes_the_loader(sample_production: Path, tmp_path: Path, capsys):
    out = tmp_path / "imported"
    assert main(["import", str(sample_production / "script.fountain"), "-o", str(out)]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "01-int-kitchen-night.yaml", "02-int-stairwell-night.yaml", "03-int-kitchen-day.yaml",
        "production.yaml",
    ], "no temporary files may be left behind"
    project, problems = load_project(out)
    # Nobody has consented yet: each character is a warning (`check` says so), nothing else.
    assert project is not None and [p for p in problems if "consent" not in p.message] == []
    assert sorted(p.message.split(":")[0] for p in problems) == [f"characters[{i}]" for i in range(3)]
    assert all(p.severity == "warning" and "has no `consent:`" in p.message for p in problems)
    assert [s.heading for s in project.scenes] == ["INT. KITCHEN - NIGHT", "INT. STAIRWELL - NIGHT", "INT. KITCHEN - DAY"]
    assert {c.id for c in project.production.characters} == {"maya", "ana", "tom"}
    kitchen = project.scene("01")
    assert kitchen.beats[1].summary == "Maya holds. A beat too long."
    assert [(c.character, c.parenthetical, c.text) for c in kitchen.beats[1].lines] == [
        ("maya", "lightly", "Of course I did.")]
    assert kitchen.beats[0].summary == "", "no invented summary such as 'ANA speaks.'"
    assert not any(b.summary.endswith(("speaks.", "speak at once.")) for s in project.scenes for b in s.beats)
    assert kitchen.synopsis.startswith("Ana asks whether Maya signed")
    stairs = project.scene("02")
    assert stairs.beats[-1].lines == [] and "timer light clicks off" in stairs.beats[-1].summary
    assert main(["check", str(out)]) == 0
    assert "wrote" in capsys.readouterr().out


def test_import_refuses_to_overwrite_without_force(sample_production: Path, tmp_path: Path, capsys):
    script = sample_production / "script.fountain"
    (tmp_path / "production.yaml").write_text("title: mine\n", encoding="utf-8")
    assert main(["import", str(script), "-o", str(tmp_path)]) == 1
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0 and "production.yaml" in error and "--force" in error
    assert (tmp_path / "production.yaml").read_text(encoding="utf-8") == "title: mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["production.yaml"], "refusal writes nothing"
    assert main(["import", str(script), "-o", str(tmp_path), "--force"]) == 0
    assert "OF COURSE I DID" in (tmp_path / "production.yaml").read_text(encoding="utf-8")


def test_import_dual_dialogue_is_one_beat_and_unicode_names_get_ids(tmp_path: Path):
    script = tmp_path / "duel.fountain"
    script.write_text(
        "EXT. SQUARE - NOON\n\nThey face each other.\n\nJOSÉ\nNow.\n\nМАША ^\nNow.\n\nDust.\n",
        encoding="utf-8",
    )
    assert main(["import", str(script), "-o", str(tmp_path / "out")]) == 0
    project, problems = load_project(tmp_path / "out")
    assert [p for p in problems if "consent" not in p.message] == []
    assert project.production.title == "duel", "no title page: the file name is the title"
    scene = project.scene("01")
    assert scene.synopsis == "They face each other."
    assert [(c.character, c.text) for c in scene.beats[0].lines] == [("jose", "Now."), ("character_1", "Now.")]
    assert scene.beats[1].summary == "Dust."
    assert {c.name for c in project.production.characters} == {"JOSÉ", "МАША"}


def test_scene_ids_widen_past_99_scenes():
    text = "\n\n".join(f"INT. ROOM {n} - DAY\n\nANA\nLine {n}." for n in range(1, 101))
    scaffold = scaffold_breakdown(parse_fountain(text), default_title="long")
    names = list(scaffold.scene_files)
    assert names[0] == "001-int-room-1-day.yaml" and names[-1] == "100-int-room-100-day.yaml"
    assert scaffold.production["script_order"][-1] == "100"


def test_speech_before_the_first_heading_is_reported():
    text = "ANA\nCold open.\n\nINT. ROOM - DAY\n\nANA\nHi.\n"
    scaffold = scaffold_breakdown(parse_fountain(text), default_title="x")
    assert scaffold.warnings == ["1 speech(es) before the first scene heading were not imported"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, r"^\S*missing\.fountain: error: screenplay not found \(.+\)$"),
        (b"INT. HOUSE - DAY\n\nANA\nCaf\xe9.\n", r"^\S*bad\.fountain:4:4: error: not UTF-8 text .*UTF-8\)$"),
        (b"Just action, no heading.\n\nANA\nHi.\n", r"^\S*bad\.fountain: error: no scene headings found \(.+\)$"),
    ],
    ids=["missing", "not-utf8", "no-scenes"],
)
def test_import_errors_are_one_line(tmp_path: Path, capsys, content, expected):
    script = tmp_path / ("missing.fountain" if content is None else "bad.fountain")
    if content is not None:
        script.write_bytes(content)
    assert main(["import", str(script), "-o", str(tmp_path / "out")]) == 1
    error = capsys.readouterr().err.strip()
    assert re.match(expected, error), error
    assert not (tmp_path / "out").exists()
    with pytest.raises(ScriptError):
        read_fountain(script)


def test_an_import_that_fails_partway_leaves_no_production(tmp_path):
    """A scene file that cannot be written (a file-size limit stands in for a full disk or a kill,
    for real, in a child process) leaves no folder that `rehearse check` would pass."""
    import resource
    import signal
    import subprocess
    import sys

    script = tmp_path / "film.fountain"
    script.write_text("INT. ROOM - DAY\n\nMAYA\nHello.\n\nINT. HALL - NIGHT\n\n" + "She runs. " * 2000 + "\n\nMAYA\nBye.\n")

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    out = tmp_path / "film"
    done = subprocess.run([sys.executable, "-m", "rehearse", "import", str(script), "-o", str(out)],
                          capture_output=True, text=True, preexec_fn=limit, timeout=120)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "cannot write" in done.stderr
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == ["film.fountain"]
    checked = subprocess.run([sys.executable, "-m", "rehearse", "check", str(out)], capture_output=True, text=True)
    assert checked.returncode != 0


def test_import_keeps_each_parenthetical_with_its_line(tmp_path: Path):
    script = tmp_path / "paren.fountain"
    script.write_text("INT. ROOM - DAY\n\nMAYA\n(quietly)\nOf course I did.\n(beat)\nI signed it.\n\n"
                      "ANA\nGood.\n", encoding="utf-8")
    assert main(["import", str(script), "-o", str(tmp_path / "out")]) == 0
    project, problems = load_project(tmp_path / "out")
    assert not [p for p in problems if p.is_error]  # warnings only: the actor's consent is not recorded yet
    first, second = project.scene("01").beats
    assert [(c.parenthetical, c.text) for c in first.lines] == [("quietly", "Of course I did."), ("beat", "I signed it.")]
    assert first.summary == "" and second.summary == ""


def test_check_after_import_lists_what_is_still_missing_with_the_fix(sample_production: Path, tmp_path: Path, capsys):
    out = tmp_path / "imported"
    assert main(["import", str(sample_production / "script.fountain"), "-o", str(out)]) == 0
    capsys.readouterr()
    assert main(["check", str(out)]) == 0  # warnings only: the scaffold loads
    lines = capsys.readouterr().out.strip().splitlines()
    warnings = [line for line in lines if ": warning: " in line]
    for name, ident in (("ANA", "ana"), ("MAYA", "maya"), ("TOM", "tom")):
        assert any(f"actor: no actor for {name}; write who plays them" in w for w in warnings)
        assert any(f"playing {ident} has no `consent:`" in w and "set `consent: true`" in w for w in warnings)
    assert any("story_days: none; list the story days" in w for w in warnings)
    assert sum("shots: scene" in w and "add its shots" in w for w in warnings) == 3
    assert all(re.match(r"\S+\.yaml:\d+(:\d+)?: warning: ", w) for w in warnings), "each names the file and line"
    assert lines[-1].endswith(f"0 errors, {len(warnings)} warnings")
    # the sample production has all of it: only its two missing videos are warned about
    assert main(["check", str(sample_production)]) == 0
    sample_warnings = [line for line in capsys.readouterr().out.splitlines() if ": warning: " in line]
    assert sample_warnings and all("not found (relative to the production folder)" in w for w in sample_warnings)
