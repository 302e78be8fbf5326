"""Output piped into a reader that leaves early (`rehearse check | head -1`): a quiet exit 141,
as a shell reports SIGPIPE, never a BrokenPipeError traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

REHEARSE = [sys.executable, "-m", "rehearse"]


def run_into_closed_pipe(arguments: list[str], cwd) -> subprocess.CompletedProcess:
    """The command with stdout a pipe whose reader has already gone: every write fails (EPIPE)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run([*REHEARSE, *arguments], stdout=write_end, stderr=subprocess.PIPE, text=True,
                              cwd=cwd, timeout=300)
    finally:
        os.close(write_end)


# (`--help` is argparse's own: it drops a help text nobody reads and exits 0.)
@pytest.mark.parametrize("arguments", [["check"], ["check", "--format", "json"], ["models", "--json"]])
def test_a_reader_that_left_gets_exit_141_and_no_traceback(sample_production, arguments):
    run = run_into_closed_pipe(arguments, sample_production)
    assert "Traceback" not in run.stderr and "BrokenPipeError" not in run.stderr, run.stderr
    assert run.returncode == 141, run.stderr
