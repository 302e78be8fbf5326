"""`quiet_native_stderr`: native writes to fd 2 vanish, Python's stderr still arrives."""

from __future__ import annotations

import subprocess
import sys

from tests_support import REPO

PROBE = """
import os, sys
from rehearse.native_stderr import quiet_native_stderr
os.write(2, b"before\\n")
assert quiet_native_stderr() and quiet_native_stderr()  # once, then a no-op
os.write(2, b"native start-up line\\n")  # what MediaPipe's C++ code does
print("rehearse: one-line error", file=sys.stderr)
raise SystemExit(3)
"""


def test_native_lines_go_and_python_lines_stay():
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 3
    assert result.stderr.splitlines() == ["before", "rehearse: one-line error"]


def test_a_traceback_still_reaches_the_user():
    code = "from rehearse.native_stderr import quiet_native_stderr; quiet_native_stderr(); 1 / 0"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "ZeroDivisionError" in result.stderr
