"""`rehearse analyze` as a user runs it: bad inputs in one batch, scenes, consent, and Ctrl-C.

Small bad files are made here with PyAV; the real clips come from ../shared/clips.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import av
import pytest
from tests_support.videos import audio_only, textured_frames

from rehearse import pipeline
from rehearse.analysis import cache
from rehearse.config import Settings
from rehearse.video.writer import write_video

REHEARSE = [sys.executable, "-m", "rehearse"]


def _env(cache_dir: Path) -> dict[str, str]:
    no_user_config = cache_dir.parent / "empty-user-config.yaml"  # an empty user config: the defaults
    no_user_config.write_text("")
    env = dict(os.environ, REHEARSE_CACHE_DIR=str(cache_dir), REHEARSE_CONFIG=str(no_user_config))
    env.pop("COLUMNS", None)
    return env


def answer_ctrl_c() -> None:
    """In the child before it starts: Ctrl-C handled as in a terminal. A test run started in the
    background (`nohup`, `cmd &` in a script) ignores SIGINT, its children inherit that, and
    Python keeps an inherited SIG_IGN: the SIGINT these tests send was then silently ignored
    and the analysis ran to its end (exit 0)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _bad_inputs(folder: Path, clips: Path) -> dict[str, Path]:
    folder.mkdir()
    good = write_video(folder / "good.mp4", textured_frames(24, 320, 240), fps=24)
    files = {
        "zero": folder / "zero.mp4",
        "truncated": folder / "truncated.mp4",
        "text": folder / "notes.mp4",
        "audio_only": audio_only(folder / "boom.mp4"),
        "one_frame": write_video(folder / "one_frame.mp4", textured_frames(1, 320, 240), fps=24),
        "portrait": write_video(folder / "portrait.mp4", textured_frames(6, 320, 240), fps=30, rotation_deg=90),
        "missing": folder / "missing.mp4",
        "no_face": clips / "no_face.mp4",
        "face_noface": clips / "face_noface.mov",
    }
    files["zero"].write_bytes(b"")
    data = good.read_bytes()
    files["truncated"].write_bytes(data[: len(data) // 2])
    files["text"].write_text("INT. KITCHEN - NIGHT\nThis is a script, not a video.\n")
    return files


@pytest.mark.models
def test_bad_inputs_in_one_batch_each_get_a_result_or_one_line(shared_clips, tmp_path):
    files = _bad_inputs(tmp_path / "in", shared_clips)
    cache_dir = tmp_path / "cache"
    run = subprocess.run(
        [*REHEARSE, "analyze", "--json", "--jobs", "2", *map(str, files.values())],
        capture_output=True, text=True, env=_env(cache_dir), timeout=300,
    )
    assert run.returncode == 1, run.stderr  # some failed, so 1; but everything was attempted
    assert "Traceback" not in run.stderr
    assert run.stdout, run.stderr
    rows = {Path(row["file"]).name: row for row in json.loads(run.stdout)}
    assert len(rows) == len(files)
    row = {key: rows[path.name] for key, path in files.items()}

    for key, words in [
        ("zero", "empty"), ("text", "not a video"), ("audio_only", "no video stream"), ("missing", "not found"),
    ]:
        assert row[key]["status"] == "failed", row[key]
        assert words in row[key]["error"] and files[key].name in row[key]["error"]
        assert "\n" not in row[key]["error"]
        error_lines = [line for line in run.stderr.splitlines() if files[key].name in line and "error" in line]
        assert error_lines == [row[key]["error"]]

    # A truncated file: either the frames before the cut, or one clean line.
    truncated = row["truncated"]
    assert (truncated["status"] in ("analyzed", "no face") and 0 < truncated["frames"] < 24) or (
        truncated["status"] == "failed" and "truncated.mp4" in truncated["error"]
    ), truncated
    assert row["one_frame"]["frames"] == 1 and row["one_frame"]["error"] is None
    assert row["one_frame"]["duration_s"] == pytest.approx(1 / 24, abs=1e-3)
    portrait = row["portrait"]
    assert portrait["error"] is None and portrait["frames"] == 6
    assert (portrait["width_px"], portrait["height_px"], portrait["rotation_deg"]) == (240, 320, 90)
    assert row["no_face"]["status"] == "no face" and row["no_face"]["face_coverage"] == 0.0
    assert row["no_face"]["frames"] == 95
    face_noface = row["face_noface"]
    assert face_noface["status"] == "analyzed" and len(face_noface["face_lost_spans"]) == 1
    assert cache.temp_files(cache_dir) == []


def _production(root: Path, *, consent_ana: bool | None) -> Path:
    """Ana's `consent:` is written as given, and left out for None (what `rehearse import` writes)."""
    (root / "takes").mkdir(parents=True)
    ana_consent = "" if consent_ana is None else f", consent: {str(consent_ana).lower()}"
    (root / "production.yaml").write_text(
        "title: Test piece\nfps: 24\ncharacters:\n"
        "  - {id: maya, name: MAYA, actor: Jo Vale, consent: true}\n"
        f"  - {{id: ana, name: ANA, actor: Ri Sato{ana_consent}}}\n"
    )
    (root / "01-room.yaml").write_text(
        'id: "01"\nheading: INT. ROOM - DAY\ncharacters: [maya]\nbeats:\n  - {id: b1, summary: Maya waits.}\n'
        "shots:\n  - {id: 1A, size: CU, beats: [b1]}\ntakes:\n"
        "  - {shot: 1A, number: 1, file: takes/01-1A-1.mp4}\n  - {shot: 1A, number: 2, file: takes/01-1A-2.mp4}\n"
    )
    (root / "02-hall.yaml").write_text(
        'id: "02"\nheading: INT. HALL - NIGHT\ncharacters: [maya, ana]\nbeats:\n  - {id: b1, summary: Ana asks.}\n'
        "shots:\n  - {id: 2A, size: MS, beats: [b1]}\ntakes:\n  - {shot: 2A, number: 1, file: takes/02-2A-1.mp4}\n"
    )
    return root


@pytest.mark.parametrize("consent_ana, words", [
    (False, "Ri Sato (ana) has `consent: false`"),
    (None, "Ri Sato (ana) has no `consent:` in production.yaml, and missing means not given"),
])
def test_scene_ids_skip_missing_files_with_a_warning_and_consent_refuses(tmp_path, consent_ana, words):
    root = _production(tmp_path / "film", consent_ana=consent_ana)
    (root / "takes" / "02-2A-1.mp4").write_bytes(b"not analysed: refused first")
    plan = pipeline.plan_takes([], root)
    assert [t.label for t in plan.targets] == ["2A-1"]
    assert [w.split("warning: ")[1] for w in plan.warnings] == [
        "take 1A-1: file takes/01-1A-1.mp4 not found, skipped",
        "take 1A-2: file takes/01-1A-2.mp4 not found, skipped",
    ]
    # Refused where every analysis starts, before the (unreadable) file is opened.
    outcome = pipeline.analyze_one(plan.targets[0], Settings(cache_dir=tmp_path / "c"))
    assert outcome.status == "refused" and words in outcome.error
    assert "set `consent: true`" in outcome.error and outcome.error.count("\n") == 0
    run = subprocess.run(
        [*REHEARSE, "analyze", "02", "01", "--json"], capture_output=True, text=True, cwd=root, env=_env(tmp_path / "c")
    )
    assert run.returncode == 1
    refusal = json.loads(run.stdout)[0]
    assert refusal["take"] == "2A-1" and refusal["status"] == "refused"
    assert words in refusal["error"]
    assert run.stderr.count("warning:") == 2 and "Traceback" not in run.stderr
    assert not (tmp_path / "c").exists()
    # a file of the production named directly is still that take (label, scene, consent)
    explicit = pipeline.plan_takes([str(root / "takes" / "02-2A-1.mp4")])
    assert explicit.targets[0].label == "2A-1" and explicit.targets[0].scene_id == "02"
    assert pipeline.analyze_one(explicit.targets[0], Settings(cache_dir=tmp_path / "c")).status == "refused"
    # `check` warns about the missing consent (and only about that), naming the character's line.
    check = subprocess.run([*REHEARSE, "check", str(root)], capture_output=True, text=True, env=_env(tmp_path / "c"))
    warned = [line for line in check.stdout.splitlines() + check.stderr.splitlines() if "consent" in line]
    if consent_ana is None:
        assert len(warned) == 1 and "production.yaml:5" in warned[0] and "Ri Sato (ana)" in warned[0], warned
    else:
        assert warned == []


def test_a_take_target_built_without_its_cast_is_refused(tmp_path):
    """A caller that forgets the cast (a bug) gets a refusal, never an analysis of an unknown actor."""
    root = _production(tmp_path / "film", consent_ana=True)
    take = root / "takes" / "01-1A-1.mp4"
    take.write_bytes(b"x")
    scene = pipeline.require_project(root).scene("01")
    bare = pipeline.TakeTarget(take, "1A-1", "01", scene.takes[0])
    outcome = pipeline.analyze_one(bare, Settings(cache_dir=tmp_path / "c"))
    assert outcome.status == "refused" and "consent was not looked up" in outcome.error


def test_unknown_scene_id_is_one_line(tmp_path):
    root = _production(tmp_path / "film", consent_ana=True)
    run = subprocess.run([*REHEARSE, "analyze", "07", "--project", str(root)], capture_output=True, text=True, env=_env(tmp_path / "c"))
    assert run.returncode == 1
    assert run.stderr.strip().count("\n") == 0 and "scene ids: 01, 02" in run.stderr


@pytest.mark.models
def test_ctrl_c_mid_analysis_leaves_a_complete_entry_or_none(shared_clips, tmp_path):
    """A real SIGINT while landmarks run: exit 130, no temp file, no partial entry."""
    source = av.open(str(shared_clips / "single_face.mp4"))
    frames = [f.to_ndarray(format="rgb24") for f in source.decode(video=0)]
    source.close()
    long_take = write_video(tmp_path / "long.mp4", frames * 6, fps=30)  # 14 s
    other_take = tmp_path / "long_copy.mp4"
    other_take.write_bytes(long_take.read_bytes() + b"\0")  # another content hash
    cache_dir = tmp_path / "cache"
    # One process (--jobs 1: the default would split a 14 s take across two), then a pool.
    runs = [(["--jobs", "1", str(long_take)], 0.0, False), (["--jobs", "1", str(long_take)], 0.5, False),
            (["--jobs", "2", str(long_take), str(other_take)], 0.5, True)]
    for arguments, delay, whole_group in runs:
        process = subprocess.Popen(
            [*REHEARSE, "analyze", *arguments], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, env=_env(cache_dir), start_new_session=True, preexec_fn=answer_ctrl_c,
        )
        for line in process.stderr:  # wait until frames are being analysed
            if "landmarks" in line:
                break
        time.sleep(delay)
        if whole_group:  # Ctrl-C in a terminal reaches the parent and its workers
            os.killpg(process.pid, signal.SIGINT)
        else:
            process.send_signal(signal.SIGINT)
        # Workers stop at their next frame; one still building MediaPipe's graphs on a loaded
        # machine takes seconds to get there.
        _, err = process.communicate(timeout=300)
        assert process.returncode == 130, err
        assert "Traceback" not in err and "interrupted" in err
        assert cache.temp_files(cache_dir) == []
        stems = {p.stem for p in cache_dir.glob("*.npz")} | {p.stem for p in cache_dir.glob("*.json")}
        for stem in stems:  # whatever exists is a complete, readable entry
            assert cache.read_meta(cache_dir, stem) is not None
            assert cache.read_arrays(cache_dir, stem) is not None
        assert not list(cache_dir.glob("*.json"))  # stopped mid-landmarks: nothing was committed


@pytest.mark.slow
@pytest.mark.models
def test_ctrl_c_on_a_local_dask_cluster_cancels_the_takes_and_caches_nothing(shared_clips, tmp_path):
    """Ctrl-C while a LocalCluster's worker runs a take: the client cancels its futures, says so
    per take, closes the cluster and exits 130; nothing half-done reaches the cache."""
    pytest.importorskip("distributed", reason="distributed (Dask) is not installed")
    source = av.open(str(shared_clips / "single_face.mp4"))
    frames = [f.to_ndarray(format="rgb24") for f in source.decode(video=0)]
    source.close()
    long_take = write_video(tmp_path / "long.mp4", frames * 6, fps=30)  # 14 s: one task, no segments
    cache_dir = tmp_path / "cache"
    process = subprocess.Popen(
        [*REHEARSE, "analyze", "--scheduler", "local:1", str(long_take)], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, env=_env(cache_dir), start_new_session=True, preexec_fn=answer_ctrl_c,
    )
    seen = []
    for line in process.stderr:  # the worker's progress reached the client: the take is running there
        seen.append(line)
        if "landmarks" in line:
            break
    assert any("landmarks" in line for line in seen), "".join(seen)
    os.killpg(process.pid, signal.SIGINT)  # Ctrl-C in a terminal: the client and the cluster's processes
    _, err = process.communicate(timeout=300)  # closing the cluster waits for its worker process
    assert process.returncode == 130, err
    assert "Traceback" not in err and "interrupted" in err, err
    assert f"{long_take}: analysis stopped; nothing was cached" in err
    assert not list(cache_dir.glob("*.json")) and cache.temp_files(cache_dir) == []


def test_a_take_inside_a_broken_production_is_not_analysed_blind(tmp_path):
    """Consent cannot be checked when the production does not load: refuse, in one line."""
    root = _production(tmp_path / "film", consent_ana=False)
    take = root / "takes" / "02-2A-1.mp4"
    take.write_bytes(b"x")
    (root / "02-hall.yaml").write_text("id: [broken\n")
    run = subprocess.run([*REHEARSE, "analyze", str(take)], capture_output=True, text=True, env=_env(tmp_path / "c"))
    assert run.returncode == 1
    assert run.stderr.count("\n") == 1 and "02-hall.yaml" in run.stderr, run.stderr
    assert not (tmp_path / "c").exists()


def test_a_refused_take_is_never_sent_to_a_scheduler(tmp_path):
    """On a Dask scheduler the workers run the analysis itself: consent is asked before sending.
    Nothing listens at the address, so a take that was sent would fail to connect instead."""
    root = _production(tmp_path / "film", consent_ana=None)
    (root / "takes" / "02-2A-1.mp4").write_bytes(b"x")
    plan = pipeline.plan_takes(["02"], root)
    [outcome] = pipeline.analyze_targets(plan.targets, Settings(cache_dir=tmp_path / "c"), scheduler="tcp://127.0.0.1:9")
    assert outcome.status == "refused" and "Ri Sato (ana) has no `consent:`" in outcome.error
