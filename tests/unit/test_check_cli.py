"""`rehearse check` as a user runs it: exit codes, compiler-style text, JSON, no tracebacks."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def rehearse(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-m", "rehearse", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result


def test_the_sample_production_is_clean_from_the_repo_root_without_arguments(repo_root: Path):
    result = rehearse("check", cwd=repo_root)
    assert result.returncode == 0, result.stdout
    *problems, summary = result.stdout.splitlines()
    assert re.fullmatch(r"\d+ scenes, \d+ beats, \d+ takes: 0 errors, \d+ warnings?", summary), summary
    for row in problems:  # every problem line is compiler style with a path relative to the cwd
        assert re.match(r"scenes/[\w.-]+\.yaml:\d+:\d+: warning: ", row), row


def test_errors_exit_1_with_paths_relative_to_the_cwd(repo_root: Path):
    result = rehearse("check", ".", cwd=repo_root / "tests" / "data" / "bad")
    assert result.returncode == 1
    rows = result.stdout.splitlines()
    assert "wrong-type.yaml:9:13: error: takes[0].number: expected a valid integer, unable to parse string as an integer, got 'three'" in rows
    assert re.fullmatch(r"14 files checked, production not loaded: 12 errors, \d+ warnings?", rows[-1])


def test_json_output_lists_every_problem_with_its_place(repo_root: Path):
    result = rehearse("check", "tests/data/bad/missing-beat.yaml", "tests/data/bad/good.yaml", "--format", "json", cwd=repo_root)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False and report["errors"] == 1 and report["warnings"] == 1
    error = next(p for p in report["problems"] if p["severity"] == "error")
    assert error == {
        "severity": "error",
        "file": "tests/data/bad/missing-beat.yaml",
        "line": 5,
        "column": 40,
        "message": "shots[0].beats[1]: no beat 'b3' in this scene (beats: b1, b2)",
    }
    assert set(report["summary"]) == {"files", "scenes", "beats", "takes", "errors", "warnings"}


def test_json_for_a_clean_production_is_ok(repo_root: Path):
    result = rehearse("check", "scenes", "--format", "json", cwd=repo_root)
    report = json.loads(result.stdout)
    assert result.returncode == 0 and report["ok"] is True and report["errors"] == 0
    assert report["summary"]["scenes"] >= 3


def test_usage_errors_exit_2_with_one_line(repo_root: Path, tmp_path: Path):
    for args, cwd, words in [
        (("check",), tmp_path, "no production.yaml here, in scenes/ or in a parent folder"),
        (("check", "no/such/folder"), repo_root, "no/such/folder: no such file or folder"),
        (("check", "--format", "xml"), repo_root, "invalid choice: 'xml'"),
    ]:
        result = rehearse(*args, cwd=cwd)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert result.stdout == ""
        [line] = result.stderr.splitlines()
        assert words in line and "usage error" in line
