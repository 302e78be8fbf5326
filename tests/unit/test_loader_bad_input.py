"""Bad input through `rehearse check`: exit code 1, one error line at file:line:column, no traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rehearse.breakdown.loader import load_files
from rehearse.breakdown.yaml_source import MAX_FILE_BYTES

BAD = Path(__file__).resolve().parent.parent / "data" / "bad"

# fixture file -> (line, column, words the message must contain)
CASES = {
    "empty.yaml": (1, 1, "file is empty"),
    "not-a-mapping.yaml": (2, 1, "got a list"),
    "tabs.yaml": (4, 1, "tabs are not allowed in YAML indentation; use spaces"),
    "duplicate-key.yaml": (4, 1, "duplicate key 'heading' (first given on line 3)"),
    "unknown-key.yaml": (4, 1, "unknown key 'synopsys' (did you mean 'synopsis'?"),
    "wrong-type.yaml": (9, 13, "takes[0].number: expected a valid integer"),
    "negative-duration.yaml": (7, 22, "beats[0].hold.duration: expected a duration of zero or more"),
    "bad-timecode.yaml": (10, 30, "takes[0].beat_marks.b2: timecode '00:00:02:30' has frame 30"),
    "marks-out-of-order.yaml": (10, 30, "'b2' starts at 1.00 s, not after 'b1' at 4.00 s"),
    "missing-beat.yaml": (5, 40, "shots[0].beats[1]: no beat 'b3' in this scene (beats: b1, b2)"),
    "missing-character.yaml": (7, 25, "no character 'tom' in production.yaml (characters: maya, ana)"),
    "python-tag.yaml": (4, 11, "YAML tag '!!python/object/apply:os.system' is not allowed"),
}


def run_check(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    return subprocess.run(
        [sys.executable, "-m", "rehearse", "check", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
    )


def assert_one_error_at(result: subprocess.CompletedProcess, shown_path: str, line: int, column: int, words: str):
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    errors = [row for row in result.stdout.splitlines() if ": error: " in row]
    assert len(errors) == 1, result.stdout
    assert errors[0].startswith(f"{shown_path}:{line}:{column}: error: "), errors[0]
    assert words in errors[0]


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_fixture_gives_one_error_line_at_its_place(name: str, repo_root: Path):
    line, column, words = CASES[name]
    result = run_check(f"tests/data/bad/{name}", cwd=repo_root)
    assert_one_error_at(result, f"tests/data/bad/{name}", line, column, words)


def test_the_clean_baseline_fixture_passes(repo_root: Path):
    result = run_check("tests/data/bad/good.yaml", cwd=repo_root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "1 scene, 2 beats, 1 take: 0 errors, 1 warning"


def test_every_bad_file_is_reported_in_one_run(repo_root: Path):
    result = run_check("tests/data/bad", cwd=repo_root)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    reported = {row.split(":", 1)[0] for row in result.stdout.splitlines() if ": error: " in row}
    assert reported == {f"tests/data/bad/{name}" for name in CASES}


def _production_copy(tmp_path: Path) -> Path:
    shutil.copy(BAD / "production.yaml", tmp_path / "production.yaml")
    return tmp_path


def test_non_utf8_bytes_name_the_line_column_and_byte_offset(tmp_path: Path):
    root = _production_copy(tmp_path)
    text = "id: latin\nheading: INT. CAF\xc9 - DAY\n".encode("latin-1")  # \xc9 is column 18
    (root / "latin.yaml").write_bytes(text)
    result = run_check("latin.yaml", cwd=root)
    offset = text.index(b"\xc9")
    assert_one_error_at(result, "latin.yaml", 2, 18, f"byte 0xc9 at byte offset {offset} is not UTF-8")


def test_a_10_mb_file_is_refused_before_parsing(tmp_path: Path):
    root = _production_copy(tmp_path)
    big = root / "big.yaml"
    filler = "# " + "x" * 98 + "\n"
    big.write_text("id: big\nheading: INT. HALL\n" + filler * (10 * 1024 * 1024 // len(filler)))
    assert big.stat().st_size > 10_000_000 > MAX_FILE_BYTES
    result = run_check("big.yaml", cwd=root)
    assert_one_error_at(result, "big.yaml", 1, 1, "breakdown files are limited to 2 MiB")


def billion_laughs(levels: int = 9) -> str:
    rows = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels + 1):
        rows.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    return "id: bomb\nheading: INT. HALL\n" + "\n".join(rows) + "\n"


def test_alias_bomb_is_rejected_fast_without_expanding(tmp_path: Path):
    root = _production_copy(tmp_path)
    (root / "bomb.yaml").write_text(billion_laughs())  # 9**10 = 3.5 billion strings if expanded
    started = time.perf_counter()
    project, problems = load_files([root / "bomb.yaml"])
    elapsed = time.perf_counter() - started
    # Expanded, it would take hours and gigabytes; rejected unexpanded it takes milliseconds. The
    # bound is that gap, not a speed (a loaded CI machine can stretch milliseconds tenfold).
    assert elapsed < 10.0, f"alias bomb took {elapsed:.2f} s"
    assert project is None
    [problem] = problems
    assert problem.severity == "error"
    assert "aliases expand to more than 1,000,000 nodes" in problem.message
    assert problem.location.line is not None
    result = run_check("bomb.yaml", cwd=root)
    assert result.returncode == 1 and "Traceback" not in result.stdout + result.stderr


def test_recursive_alias_is_an_error_not_a_hang(tmp_path: Path):
    root = _production_copy(tmp_path)
    (root / "loop.yaml").write_text("id: loop\nheading: INT. HALL\nsynopsis: &s [*s]\n")
    _project, problems = load_files([root / "loop.yaml"])
    assert [p.one_line() for p in problems] == [
        f"{root / 'loop.yaml'}:3:11: error: an alias refers to itself (recursive YAML anchor)"
    ]


def test_deep_nesting_is_an_error_not_a_recursion_crash(tmp_path: Path):
    root = _production_copy(tmp_path)
    depth = 990  # libyaml itself stops at 1000; Python's recursion limit is about the same
    (root / "deep.yaml").write_text("id: deep\nheading: INT. HALL\nsynopsis: " + "[" * depth + "]" * depth + "\n")
    result = run_check("deep.yaml", cwd=root)
    assert_one_error_at(result, "deep.yaml", 3, 111, "nest more than 100 levels deep")
