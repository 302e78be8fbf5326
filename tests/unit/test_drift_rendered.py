"""Drift on real analyses (MediaPipe on rendered takes): the sample scene's deliberate drift, rendered
pairs (head turn swapped, lean dropped, tempo + zoom changed), a mirrored and a re-encoded copy,
and lighting/framing measured from real frames and landmarks."""

from __future__ import annotations

import re

import numpy as np
import pytest
from tests_support.drift_streams import mirrored

from rehearse.analysis.events import detect_events
from rehearse.analysis.take import analyze_take
from rehearse.analysis.tracks import SignalTrack
from rehearse.breakdown.loader import open_project
from rehearse.config import Settings
from rehearse.continuity.compare import ComparedTake, compare_takes
from rehearse.continuity.drift import take_data_from_analysis
from rehearse.continuity.framing import face_channel_cut
from rehearse.continuity.lighting import face_lighting, lighting_flags
from rehearse.continuity.settings import DriftSettings
from rehearse.scene_results import scene_drift
from tools.takegen import TakeSpec, blink, head_turn, lean, render_take

pytestmark = pytest.mark.models

GESTURE_KINDS = {"hand_side", "timing", "missing", "extra", "head_turn", "shoulder", "lean"}
MARKS = {"b1": 0.0, "b2": 2.2}


@pytest.fixture(scope="module")
def settings(tmp_path_factory, sample_cache) -> Settings:
    """A cache of this module's own, holding the sample takes' session analyses already."""
    from tests_support import copy_cache

    return Settings(cache_dir=copy_cache(sample_cache, tmp_path_factory.mktemp("drift-cache")))


@pytest.fixture(scope="module")
def sample_report(settings, repo_root_module):
    project = open_project(repo_root_module / "scenes")
    return scene_drift(project, project.scene("01"), settings)


@pytest.fixture(scope="module")
def repo_root_module():
    from tests_support import REPO

    return REPO


def test_sample_scene_flags_the_deliberate_drift_of_take_3(sample_report):
    assert sample_report.reference == "1A-2"
    assert sample_report.takes == ["1A-1", "1A-3"]
    by_take = {}
    for flag in sample_report.flags:
        by_take.setdefault(flag.take, []).append(flag)
    assert "1A-1" not in by_take, [f.message for f in by_take.get("1A-1", [])]
    assert "1A-2" not in by_take  # the circled take does what the breakdown tracks
    found = {(f.kind, f.beat) for f in by_take["1A-3"]}
    assert found == {("hold", "b2"), ("head_turn", "b3"), ("expression", "b4"), ("blink_rate", "b4")}
    flags = {f.kind: f for f in by_take["1A-3"]}
    assert flags["hold"].values["take_hold_s"] < 0.8 < 1.0 < flags["hold"].values["reference_hold_s"]
    assert "rushed" in flags["hold"].message and "target 1.2 s" in flags["hold"].message
    assert flags["head_turn"].values["take_side"] == "right" and "RIGHT" in flags["head_turn"].message
    assert "half-smile is gone" in flags["expression"].message
    assert flags["blink_rate"].values["take_blinks"] == flags["blink_rate"].values["reference_blinks"] + 1
    assert all(f.message.startswith("Take 1A-3, b") for f in by_take["1A-3"])


def _reference_data(settings, repo_root_module, label="1A-2") -> tuple:
    analysis = analyze_take(repo_root_module / "scenes/takes/01-1A-2.mp4", settings)
    return analysis, take_data_from_analysis(analysis, label, settings, beat_marks=dict(MARKS_01),
                                             shot_size="CU", who="Maya", measure_light=False)


MARKS_01 = {"b1": 0.0, "b2": 1.5, "b3": 4.5, "b4": 6.5}


def test_identical_copy_and_mirrored_copy_of_a_real_take(settings, repo_root_module):
    analysis, reference = _reference_data(settings, repo_root_module)
    assert compare_takes(reference, reference) == []
    flipped = SignalTrack(analysis.signals.times, mirrored(analysis.signals.values))
    events = detect_events(flipped, analysis.audio, beat_marks=MARKS_01)
    mirror = ComparedTake("1A-2 mirrored", events, flipped, dict(MARKS_01), reference.duration_s, "CU", "Maya")
    flags = compare_takes(reference, mirror)
    kinds = {f.kind: f for f in flags}
    assert "head_turn" in kinds, [f.message for f in flags]
    assert kinds["head_turn"].values == kinds["head_turn"].values | {"reference_side": "left", "take_side": "right"}
    assert "expression" in kinds and "on the RIGHT" in kinds["expression"].message  # the half-smile's side


def test_reencoded_lower_quality_copy_gives_no_gesture_flags(settings, repo_root_module, tmp_path):
    from rehearse.video.frames import iter_frames
    from rehearse.video.writer import write_video

    source = repo_root_module / "scenes/takes/01-1A-2.mp4"
    copy = write_video(tmp_path / "copy_480p_crf40.mp4", (f.image for f in iter_frames(source)), fps=24.0, crf=40)
    _, reference = _reference_data(settings, repo_root_module)
    other = take_data_from_analysis(analyze_take(copy, settings), "copy", settings, beat_marks=dict(MARKS_01),
                                    shot_size="CU", who="Maya", measure_light=False)
    flags = compare_takes(reference, other)
    assert not [f for f in flags if f.kind in GESTURE_KINDS], [f.message for f in flags]


def _spec(name: str, *, tempo: float = 1.0, zoom: float = 1.0, turn: str = "left", with_lean: bool = True,
          seed: int = 40) -> TakeSpec:
    actions = [blink(0.5), head_turn(0.8, 1.9, turn)]
    if with_lean:
        actions.append(lean(2.4, 3.7, "toward"))
    stretched = tuple(a.model_copy(update={"start_s": a.start_s * tempo, "end_s": a.end_s * tempo,
                                           "ramp_in_s": a.ramp_in_s * tempo, "ramp_out_s": a.ramp_out_s * tempo})
                      for a in actions)
    return TakeSpec(name=name, fps=24.0, duration_s=4.0 * tempo, beat_marks={b: t * tempo for b, t in MARKS.items()},
                    actions=stretched, zoom=zoom, seed=seed)


@pytest.fixture(scope="module")
def rendered_pairs(tmp_path_factory, settings) -> dict[str, ComparedTake]:
    folder = tmp_path_factory.mktemp("drift-rendered")
    specs = {
        "A": _spec("A"),
        "tempo_zoom": _spec("tempo_zoom", tempo=1.2, zoom=1.15, seed=41),
        "turn_right": _spec("turn_right", turn="right", seed=42),
        "no_lean": _spec("no_lean", with_lean=False, seed=43),
    }
    out = {}
    for key, spec in specs.items():
        path = folder / f"{key}.mp4"
        render_take(spec, path)
        out[key] = take_data_from_analysis(analyze_take(path, settings), key, settings,
                                           beat_marks=dict(spec.beat_marks), shot_size="CU", who="Maya")
    return out


def test_rendered_head_turn_swap_and_dropped_lean_are_flagged(rendered_pairs):
    reference = rendered_pairs["A"]
    turned = compare_takes(reference, rendered_pairs["turn_right"])
    assert [f.kind for f in turned if f.kind in GESTURE_KINDS] == ["head_turn"], [f.message for f in turned]
    no_lean = compare_takes(reference, rendered_pairs["no_lean"])
    assert [f.kind for f in no_lean if f.kind in GESTURE_KINDS] == ["lean"], [f.message for f in no_lean]
    assert "leans toward camera" in next(f for f in no_lean if f.kind == "lean").message


@pytest.mark.parametrize("marks", [True, False], ids=["beat_marks", "dtw"])
def test_rendered_tempo_and_zoom_change_alone_is_not_drift(rendered_pairs, marks):
    reference, other = rendered_pairs["A"], rendered_pairs["tempo_zoom"]
    if not marks:
        reference = ComparedTake(**{**reference.__dict__, "beat_marks": {}})
        other = ComparedTake(**{**other.__dict__, "beat_marks": {}})
    flags = compare_takes(reference, other)
    assert flags == [], [f.message for f in flags]


def test_lighting_flip_measured_on_a_real_frame(settings, repo_root_module):
    from rehearse.continuity.align import Alignment, BeatSpan
    from rehearse.video.frames import read_frame_at

    analysis = analyze_take(repo_root_module / "scenes/takes/01-1A-2.mp4", settings)
    face = analysis.landmarks["face"]
    index = int(np.argmin(np.abs(face.times - 1.0)))
    frame = read_frame_at(repo_root_module / "scenes/takes/01-1A-2.mp4", float(face.times[index]))
    image = frame.image.astype(float)
    half = int(face.points[index, 1, 0] * image.shape[1])  # split at the nose tip: one cheek each side
    lit_left, lit_right = image.copy(), image.copy()
    # Darken one half (brightening would clip the already lit side of the portrait).
    lit_left[:, half:] *= 0.5
    lit_right[:, :half] *= 0.5
    left = face_lighting(np.clip(lit_left, 0, 255).astype(np.uint8), face.points[index], 1.0)
    right = face_lighting(np.clip(lit_right, 0, 255).astype(np.uint8), face.points[index], 1.0)
    plain = face_lighting(frame.image, face.points[index], 1.0)
    assert left.ratio > plain.ratio > right.ratio
    settings_drift = DriftSettings()
    assert left.key_side(settings_drift.key_side_min_ratio) == "left"
    assert right.key_side(settings_drift.key_side_min_ratio) == "right"
    alignment = Alignment("beat_marks", (BeatSpan("b1", 0.0, 2.0, 0.0, 2.0),))
    ref = ComparedTake("2", [], None, lighting={"b1": left})
    flags = lighting_flags(ref, ComparedTake("4", [], None, lighting={"b1": right}), alignment, settings_drift)
    assert [f.kind for f in flags] == ["lighting"] and "frame RIGHT" in flags[0].message
    assert lighting_flags(ref, ComparedTake("4", [], None, lighting={"b1": left}), alignment, settings_drift) == []


def test_framing_cut_from_real_landmarks(settings, repo_root_module):
    analysis = analyze_take(repo_root_module / "scenes/takes/01-1A-2.mp4", settings)
    points = analysis.landmarks["face"].points
    assert not face_channel_cut(points).any()  # the sample close-up keeps the face in frame
    raised = points.copy()
    raised[:, :, 1] -= 0.3  # the camera tilts down: brows leave the top of frame
    cut = face_channel_cut(raised)
    assert cut[analysis.landmarks["face"].mask].all()
    _, reference = _reference_data(settings, repo_root_module)
    half = np.arange(points.shape[0]) >= points.shape[0] // 2
    other = ComparedTake(**{**reference.__dict__, "label": "1A-9", "face_cut": cut & half})
    flags = [f for f in compare_takes(reference, other) if f.kind == "framing"]
    assert {f.beat for f in flags} == {"b3", "b4"}
    assert "CU" in flags[0].message and "brows, eyes or mouth corners" in flags[0].message
    wide = ComparedTake(**{**other.__dict__, "shot_size": "WS"})
    assert not [f for f in compare_takes(ComparedTake(**{**reference.__dict__, "shot_size": "WS"}), wide)
                if f.kind == "framing"]


@pytest.fixture
def cli_env(settings, monkeypatch, tmp_path):
    """The CLI reads settings from the environment: point it at this module's analysis cache
    and an empty user config (a REHEARSE_CONFIG naming no file is an error)."""
    monkeypatch.setenv("REHEARSE_CACHE_DIR", str(settings.cache_dir))
    (tmp_path / "user-config.yaml").write_text("{}\n")
    monkeypatch.setenv("REHEARSE_CONFIG", str(tmp_path / "user-config.yaml"))


def test_cli_json_on_the_sample_scene(cli_env, sample_report, repo_root_module, capsys):
    import json

    from rehearse.cli import main

    assert main(["drift", "01", "--project", str(repo_root_module / "scenes"), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["reference"] == "1A-2" and document["takes"] == ["1A-1", "1A-3"]
    assert {f["kind"] for f in document["flags"]} == {"hold", "head_turn", "expression", "blink_rate"}
    for flag in document["flags"]:
        assert set(flag) >= {"kind", "severity", "beat", "reference_s", "take_s", "values", "message"}
        assert flag["severity"] in ("low", "medium", "high") and isinstance(flag["take_s"], float)
    # --reference picks another take; the circled take then drifts against it.
    assert main(["drift", "01", "--project", str(repo_root_module / "scenes"), "--reference", "3", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["reference"] == "1A-3" and "1A-2" in {f["take"] for f in document["flags"]}


def test_cli_text_groups_sentences_by_take(cli_env, sample_report, repo_root_module, capsys):
    from rehearse.cli import main

    assert main(["drift", "01", "--project", str(repo_root_module / "scenes")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Scene 01: reference take 1A-2; compared 1A-1, 1A-3")
    # each flag carries the camera timecode of its moment (the take's slate starts at 21:09:05:00)
    assert re.search(r"\n1A-3:\n  \[(high|medium)\] \(TC 21:09:06:\d\d\) Take 1A-3, b2: hold rushed", out), out
    assert "(TC 21:09:10:18) Take 1A-3, b3: Maya turns the head" in out
    assert out.rstrip().endswith("by take: 1A-3: 4")


def test_cli_errors_are_one_line(cli_env, repo_root_module, tmp_path, capsys):
    from rehearse.cli import main

    assert main(["drift", "99", "--project", str(repo_root_module / "scenes")]) == 1
    assert "no scene '99'" in capsys.readouterr().err
    assert main(["drift", "01", "--project", str(repo_root_module / "scenes"), "--reference", "7"]) == 1
    err = capsys.readouterr().err
    assert "has no take `7`" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    (tmp_path / "empty.mp4").write_bytes(b"")
    assert main(["drift", "--takes", str(tmp_path / "empty.mp4"), str(tmp_path / "empty.mp4")]) == 1
    assert "empty.mp4" in capsys.readouterr().err


def test_cli_adhoc_files_are_aligned_without_beat_marks(cli_env, rendered_pairs, settings, capsys):
    import json

    from rehearse.cli import main

    folder = next(iter(settings.cache_dir.parent.glob("drift-rendered*")))
    assert main(["drift", "--takes", str(folder / "A.mp4"), str(folder / "turn_right.mp4"), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["reference"] == "A.mp4"
    assert [f["kind"] for f in document["flags"] if f["kind"] in GESTURE_KINDS] == ["head_turn"]
    assert document["flags"][0]["beat"] is None


def test_without_a_circled_take_tracked_gestures_are_still_checked(settings, repo_root_module, tmp_path, sample_report):
    for path in (repo_root_module / "scenes").glob("*.yaml"):
        text = path.read_text(encoding="utf-8").replace("status: circled", "status: hold")
        (tmp_path / path.name).write_text(text, encoding="utf-8")
    (tmp_path / "takes").symlink_to(repo_root_module / "scenes" / "takes")
    project = open_project(tmp_path)
    report = scene_drift(project, project.scene("01"), settings)
    assert report.reference == "" and report.takes == ["1A-1", "1A-2", "1A-3"]
    assert any("no take is circled" in w for w in report.warnings)
    # Only the breakdown's verdicts remain: take 3 turns to the wrong side.
    assert [(f.take, f.kind, f.reference) for f in report.flags] == [("1A-3", "head_turn", "breakdown")]
