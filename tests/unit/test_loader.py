"""The breakdown loader: the sample production, positions of problems, YAML typing, cross-references."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from rehearse.breakdown.folders import (
    bundled_sample_production,
    find_production_folder,
    production_folder_at,
)
from rehearse.breakdown.loader import load_files, load_project, load_scene_file, open_project
from rehearse.breakdown.project import Problem, ProjectLoadError
from rehearse.errors import Location, RehearseError

PRODUCTION = """\
title: Loader Test
fps: 24
characters:
  - {id: maya, name: MAYA, actor: One, consent: true}
  - {id: ana, name: ANA, actor: Two, consent: true}
story_days: [{id: D1}, {id: D2}]
script_order: ["s2", "s1"]
"""

SCENE = """\
id: s1
heading: INT. KITCHEN - NIGHT
story_day: D1
characters: [maya, ana]
beats:
  - id: b1
    summary: Ana asks.
    lines: [{character: ana, text: Did you sign}]
  - id: b2
    summary: Maya holds.
    hold: {duration: 1.2s, character: maya}
blocking:
  marks: [{id: A}]
  moves: [{beat: b2, character: maya, to_mark: A}]
  leans: [{beat: b1, character: maya, direction: toward, target: ana}]
wardrobe:
  - {character: maya, item: cardigan, state: buttoned, changes_at: b2, new_state: open}
lighting:
  - {key_side: left, beat: b2}
shots:
  - {id: 1A, size: MCU, beats: [b1, b2], subject: maya}
takes:
  - shot: 1A
    number: 1
    file: takes/s1-1.mp4
    beat_marks: {b1: 0s, b2: 2.5s}
    duration: 6s
tracked_gestures:
  - {id: collar, character: maya, description: collar touch, body_part: hand, beat: b2}
"""


def write_production(root: Path, scenes: dict[str, str], production: str = PRODUCTION) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "production.yaml").write_text(production)
    for name, text in scenes.items():
        (root / name).write_text(text)
    return root


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.is_error]


def line_of(text: str, needle: str) -> int:
    return next(i for i, row in enumerate(text.splitlines(), start=1) if needle in row)


def test_the_bundled_sample_production_loads_clean(sample_production: Path):
    assert bundled_sample_production() == sample_production.resolve()
    project, problems = load_project(sample_production)
    assert errors(problems) == [], [p.one_line() for p in problems]
    assert project is not None and len(project.scenes) >= 3
    assert set(project.scene_files) == {s.id for s in project.scenes}
    first = project.scenes[0]
    assert project.scene(first.id) is first and project.scene("no-such-scene") is None
    take = next(s for s in project.scenes if s.takes).takes[0]
    assert project.take_path(take) == project.root / take.file
    assert project.character(project.production.characters[0].id) is project.production.characters[0]


def test_production_folder_at_looks_here_then_in_scenes(repo_root: Path, tmp_path: Path):
    assert production_folder_at(repo_root) == repo_root / "scenes"
    assert production_folder_at(repo_root / "scenes") == repo_root / "scenes"
    assert production_folder_at(repo_root / "scenes" / "takes") is None
    assert production_folder_at(tmp_path) is None


def test_find_production_folder_walks_up_from_any_subfolder(repo_root: Path, tmp_path: Path):
    root = write_production(tmp_path / "production", {"s1.yaml": SCENE})
    (tmp_path / "elsewhere").mkdir()
    deep = root / "takes" / "day1"
    deep.mkdir(parents=True)
    for start in (root, root / "takes", deep, root / "production.yaml"):
        assert find_production_folder(start) == root.resolve()
    sample = (repo_root / "scenes").resolve()
    assert find_production_folder(repo_root / "scenes" / "takes") == sample
    assert find_production_folder(repo_root / "rehearse" / "tui") == sample
    assert find_production_folder(tmp_path / "elsewhere") is None
    # The loader follows the same rule: a subfolder of the production loads the production.
    project, problems = load_project(deep)
    assert project is not None and project.root == root.resolve(), problems


def test_scenes_come_in_story_order_from_both_folders(tmp_path: Path):
    root = write_production(tmp_path, {"s1.yaml": SCENE, "rehearse.yaml": "not: a scene\n"})
    (root / "scenes").mkdir()
    (root / "scenes" / "s2.yaml").write_text("id: s2\nheading: INT. HALL\nstory_day: D1\n")
    (root / "scenes" / "s0.yaml").write_text("id: s0\nheading: INT. HALL\nstory_day: D2\n")
    project, problems = load_project(root)
    assert errors(problems) == []
    # D1 before D2; within D1 the script order puts s2 before s1
    assert [s.id for s in project.scenes] == ["s2", "s1", "s0"]
    assert project.scene_files["s0"] == root / "scenes" / "s0.yaml"


def test_times_use_the_production_fps_and_yaml_12_scalars(tmp_path: Path):
    production = PRODUCTION.replace("fps: 24", "fps: 25")
    scene = SCENE.replace("id: s1", "id: 03").replace("b2: 2.5s", "b2: 00:00:01:20")
    root = write_production(tmp_path, {"s1.yaml": scene}, production)
    project, problems = load_project(root)
    assert errors(problems) == []
    [loaded] = project.scenes
    assert loaded.id == "03"  # not octal 3
    assert loaded.takes[0].beat_marks["b2"] == pytest.approx(1.8)  # timecode, not base 60
    assert loaded.beats[1].hold.duration == pytest.approx(1.2)


def test_a_whole_number_id_is_read_as_text(tmp_path: Path):
    root = write_production(tmp_path, {"s1.yaml": SCENE.replace("id: s1", "id: 7")})
    project, problems = load_project(root)
    assert errors(problems) == [] and project.scenes[0].id == "7"


CROSS_REFERENCES = [
    ("shot: 1A", "shot: 9Z", "takes[0].shot: no shot '9Z' in this scene (shots: 1A)"),
    ("{b1: 0s, b2: 2.5s}", "{b1: 0s, b7: 2.5s}", "takes[0].beat_marks.b7: no beat 'b7' in this scene (beats: b1, b2)"),
    ("duration: 6s\n", "duration: 2s\n", "takes[0].beat_marks.b2: 'b2' at 2.50 s is after the end of the take (duration 2.00 s)"),
    ("to_mark: A}", "to_mark: Z}", "blocking.moves[0].to_mark: no mark 'Z' in blocking.marks (marks: A)"),
    ("target: ana}", "target: bob}", "blocking.leans[0].target: no character 'bob' in production.yaml"),
    ("{character: maya, item", "{character: mia, item", "wardrobe[0].character: no character 'mia' in production.yaml (did you mean 'maya'?"),
    ("changes_at: b2", "changes_at: b9", "wardrobe[0].changes_at: no beat 'b9' in this scene"),
    ("{key_side: left, beat: b2}", "{key_side: left, beat: b5}", "lighting[0].beat: no beat 'b5'"),
    ("body_part: hand, beat: b2}", "body_part: hand, beat: b3}", "tracked_gestures[0].beat: no beat 'b3'"),
    ("{duration: 1.2s, character: maya}", "{duration: 1.2s, character: tom}", "beats[1].hold.character: no character 'tom'"),
    ("story_day: D1", "story_day: D9", "story_day: no story day 'D9' in production.yaml (story days: D1, D2)"),
    ("story_day: D1", "story_day: D11", "story_day: no story day 'D11' in production.yaml (did you mean 'D1'? story days"),
    ("characters: [maya, ana]", "characters: [maya, ann]", "characters[1]: no character 'ann' in production.yaml (did you mean 'ana'?"),
    ("beats: [b1, b2], subject: maya", "beats: [b1, b4], subject: maya", "shots[0].beats[1]: no beat 'b4'"),
    ("{b1: 0s, b2: 2.5s}", "{b1: 3s, b2: 2.5s}", "takes[0].beat_marks.b2: 'b2' starts at 2.50 s, not after 'b1' at 3.00 s"),
]


@pytest.mark.parametrize(("old", "new", "expected"), CROSS_REFERENCES, ids=[c[2].split(":")[0] for c in CROSS_REFERENCES])
def test_a_dangling_reference_is_one_error_on_its_line(tmp_path: Path, old: str, new: str, expected: str):
    assert old in SCENE
    scene = SCENE.replace(old, new, 1)
    root = write_production(tmp_path, {"s1.yaml": scene})
    project, problems = load_project(root)
    assert project is None
    [error] = errors(problems)
    assert expected in error.message
    assert error.location.path == root / "s1.yaml"
    # the error sits on the reference, or (take length) on the beat mark that overruns it
    assert error.location.line == line_of(scene, "beat_marks" if "end of the take" in expected else new.strip())
    assert error.location.column is not None and error.location.column > 1


def test_a_character_missing_from_the_scene_list_is_a_warning(tmp_path: Path):
    scene = SCENE.replace("characters: [maya, ana]", "characters: [maya]")
    root = write_production(tmp_path, {"s1.yaml": scene})
    project, problems = load_project(root)
    assert project is not None
    messages = [p.message for p in problems if p.severity == "warning"]
    assert "beats[0].lines[0].character: 'ana' is not in this scene's characters list" in messages


def test_a_missing_take_video_is_a_warning_and_the_project_loads(tmp_path: Path):
    root = write_production(tmp_path, {"s1.yaml": SCENE})
    project, problems = load_project(root)
    assert project is not None
    [warning] = [p for p in problems if "takes[0]" in p.message]
    assert warning.severity == "warning" and warning.location.line == line_of(SCENE, "file: takes/s1-1.mp4")
    assert "video 'takes/s1-1.mp4' not found" in warning.message


def test_beat_marks_are_checked_against_the_real_video_length(tmp_path: Path):
    av = pytest.importorskip("av")
    import numpy as np

    (tmp_path / "takes").mkdir(parents=True)
    with av.open(str(tmp_path / "takes" / "s1-1.mp4"), "w") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for _ in range(20):  # 2.0 s at 10 fps
            frame = av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), format="rgb24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    scene = SCENE.replace("    duration: 6s\n", "")
    root = write_production(tmp_path, {"s1.yaml": scene})
    project, problems = load_project(root)
    assert project is not None and not errors(problems)  # a warning: the production still loads
    [warning] = [p for p in problems if "after the end of the take" in p.message]
    assert warning.severity == "warning"
    assert "'b2' at 2.50 s is after the end of the take (video length" in warning.message
    assert warning.location.line == line_of(scene, "beat_marks:")


def test_duplicate_scene_ids_across_files_name_both_files(tmp_path: Path):
    root = write_production(tmp_path, {"a.yaml": SCENE, "b.yaml": SCENE})
    project, problems = load_project(root)
    assert project is None
    [error] = errors(problems)
    assert error.location == Location(root / "b.yaml", 1, 5)
    assert f"scene id 's1' is also used by {root / 'a.yaml'}" in error.message


def test_unknown_nested_key_points_at_the_key_with_a_suggestion(tmp_path: Path):
    scene = SCENE.replace("    summary: Maya holds.\n", "    summary: Maya holds.\n    intnet: wait\n")
    root = write_production(tmp_path, {"s1.yaml": scene})
    [error] = errors(load_project(root)[1])
    assert error.message.startswith("beats[1].intnet: unknown key 'intnet' (did you mean 'intent'? valid keys: id, summary,")
    assert (error.location.line, error.location.column) == (line_of(scene, "intnet"), 5)


def test_a_missing_required_key_points_at_its_mapping(tmp_path: Path):
    scene = SCENE.replace("    number: 1\n", "")
    root = write_production(tmp_path, {"s1.yaml": scene})
    [error] = errors(load_project(root)[1])
    assert error.message == "takes[0]: missing required key 'number'"
    assert (error.location.line, error.location.column) == (line_of(scene, "- shot: 1A"), 5)


def test_anchors_and_merge_keys_work_and_explicit_keys_win(tmp_path: Path):
    scene = SCENE.replace(
        "  - {id: 1A, size: MCU, beats: [b1, b2], subject: maya}\n",
        "  - &close {id: 1A, size: MCU, beats: [b1, b2], subject: maya}\n  - {<<: *close, id: 1B, size: CU}\n",
    )
    root = write_production(tmp_path, {"s1.yaml": scene})
    project, problems = load_project(root)
    assert errors(problems) == []
    close, merged = project.scenes[0].shots
    assert (merged.id, merged.size, merged.beats, merged.subject) == ("1B", "CU", ["b1", "b2"], "maya")
    assert close.size == "MCU"


def test_production_errors_and_scene_errors_are_all_reported(tmp_path: Path):
    production = PRODUCTION.replace("fps: 24", "fps: -5")
    scene = SCENE.replace("number: 1", "number: 0")
    root = write_production(tmp_path, {"s1.yaml": scene}, production)
    project, problems = load_project(root)
    assert project is None
    found = {(Path(p.location.path).name, p.location.line) for p in errors(problems)}
    assert found == {("production.yaml", 2), ("s1.yaml", line_of(scene, "number: 0"))}


def test_load_files_without_a_production_still_checks_the_scene(tmp_path: Path):
    (tmp_path / "s1.yaml").write_text(SCENE.replace("number: 1", "number: one"))
    project, problems = load_files([tmp_path / "s1.yaml"])
    assert project is None
    assert [p.severity for p in problems] == ["warning", "error"]
    assert "no production.yaml found" in problems[0].message
    assert problems[1].message.startswith("takes[0].number: expected a valid integer")


def test_open_project_raises_one_line_naming_the_first_error(tmp_path: Path):
    root = write_production(tmp_path, {"s1.yaml": SCENE.replace("shot: 1A", "shot: 2B")})
    with pytest.raises(ProjectLoadError) as raised:
        open_project(root)
    assert isinstance(raised.value, RehearseError)
    line = raised.value.one_line()
    assert line.startswith(f"{root / 's1.yaml'}:{line_of(SCENE, 'shot: 1A')}:11: error: takes[0].shot: no shot '2B'")
    assert "\n" not in line and "rehearse check" in line
    assert open_project(write_production(tmp_path / "ok", {"s1.yaml": SCENE})).scenes[0].id == "s1"


def test_a_folder_without_production_yaml_is_one_problem(tmp_path: Path):
    project, [problem] = load_project(tmp_path)
    assert project is None and problem.is_error and "no production.yaml" in problem.message


def test_problem_one_line_is_compiler_style_and_relative(tmp_path: Path):
    problem = Problem("error", "beats[2].hold.duration: bad\nvalue", Location(tmp_path / "scenes" / "03.yaml", 14, 7))
    assert problem.one_line(relative_to=tmp_path) == "scenes/03.yaml:14:7: error: beats[2].hold.duration: bad value"
    assert problem.one_line() == f"{tmp_path}/scenes/03.yaml:14:7: error: beats[2].hold.duration: bad value"


def test_yaml_text_in_messages_stays_on_one_line(tmp_path: Path):
    root = write_production(tmp_path, {"s1.yaml": textwrap.dedent("""\
        id: s1
        heading: [unclosed
        beats: []
        """)})
    [error] = errors(load_project(root)[1])
    assert error.message.startswith("YAML syntax: ") and "\n" not in error.one_line()
    assert error.location.line is not None


def test_load_scene_file_alone_checks_the_scene_against_itself(tmp_path: Path):
    (tmp_path / "s1.yaml").write_text(SCENE)
    scene, problems = load_scene_file(tmp_path / "s1.yaml", None)
    assert problems == [] and scene is not None and scene.beat("b2").hold.duration == pytest.approx(1.2)
    (tmp_path / "s2.yaml").write_text(SCENE.replace("to_mark: A}", "to_mark: B}"))
    scene, [problem] = load_scene_file(tmp_path / "s2.yaml", None)
    assert scene is None and problem.message.startswith("blocking.moves[0].to_mark: no mark 'B'")


def test_type_errors_say_what_was_expected_in_file_order(tmp_path: Path):
    scene = SCENE.replace("characters: [maya, ana]", "characters: maya").replace(
        "hold: {duration: 1.2s, character: maya}", "hold: long"
    ).replace("target: ana}", "target: ana, degrees: 120}")
    root = write_production(tmp_path, {"s1.yaml": scene})
    problems = errors(load_project(root)[1])
    assert [(p.location.line, p.message) for p in problems] == [
        (line_of(scene, "characters: maya"), "characters: expected a list (`- item` lines or [a, b]), got 'maya'"),
        (line_of(scene, "hold: long"), "beats[1].hold: expected a mapping with keys duration, tolerance, character, got 'long'"),
        (line_of(scene, "degrees: 120"), "blocking.leans[0].degrees: expected a value less than or equal to 90, got 120"),
    ]


def test_problems_in_merged_values_point_at_the_anchor_that_gave_them(tmp_path: Path):
    scene = SCENE.replace(
        "  - {id: 1A, size: MCU, beats: [b1, b2], subject: maya}\n",
        "  - &close {id: 1A, size: MCU, beats: [b1, b2], subject: tom}\n"
        "  - {id: 1B, <<: *close, size: XL}\n",
    )
    root = write_production(tmp_path, {"s1.yaml": scene})
    problems = errors(load_project(root)[1])
    anchor, override = line_of(scene, "&close"), line_of(scene, "size: XL")
    # 1B's size is its own (wrong) value; the unknown subject 1B inherits is placed at the anchor
    assert [(p.location.line, p.message.split(":")[0]) for p in problems] == [(override, "shots[1].size")]
    scene = scene.replace("size: XL", "size: CU")
    (root / "s1.yaml").write_text(scene)
    problems = errors(load_project(root)[1])
    assert [(p.location.line, p.message.split(":")[0]) for p in problems] == [
        (anchor, "shots[0].subject"),
        (anchor, "shots[1].subject"),
    ]
