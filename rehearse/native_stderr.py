"""Keep native libraries' log lines off the terminal, and Python's own messages on it.

MediaPipe's C++ code (TensorFlow Lite, absl) prints start-up lines straight to file
descriptor 2 ("Created TensorFlow Lite XNNPACK delegate", "Feedback manager requires ..."),
and no setting or environment variable quiets them. `quiet_native_stderr` points descriptor 2
at /dev/null after giving Python's `sys.stderr` a descriptor of its own on the original
stream, so our one-line errors, progress and tracebacks still reach the user.
"""

from __future__ import annotations

import io
import os
import sys

_done = False


def quiet_native_stderr() -> bool:
    """Send native writes to fd 2 to /dev/null for the rest of the process (once); True when
    done. Does nothing when `sys.stderr` is not fd 2 itself (a test runner capturing it)."""
    global _done
    if _done:
        return True
    try:
        if sys.stderr is None or sys.stderr.fileno() != 2:
            return False
    except (AttributeError, OSError, ValueError):
        return False
    sys.stderr.flush()
    own = os.dup(2)
    encoding = getattr(sys.stderr, "encoding", None) or "utf-8"
    sys.stderr = io.TextIOWrapper(os.fdopen(own, "wb", buffering=0), encoding=encoding,
                                  errors="backslashreplace", line_buffering=True, write_through=True)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    _done = True
    return True
