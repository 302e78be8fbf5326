"""Atomic writes for exported files: a temp file beside the target, fsynced, then renamed."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_text_atomic(path: Path, text: str, *, newline: str | None = None) -> None:
    """Write `text` to `path` so a reader sees the old file or the new one, never half of one."""
    write_bytes_atomic(path, text.encode("utf-8") if newline is None else text.replace("\n", newline).encode("utf-8"))


def _umask_mode() -> int:
    # mkstemp makes 0600 files; an exported file should get the user's usual permissions.
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_bytes_atomic(path: Path, data: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, _umask_mode())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
