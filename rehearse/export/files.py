"""The one safe writer for every file a command writes (exports, reports, renders, log exports).

Every output goes through `check_output`, which refuses, with one line naming the file and the
fix, to write:

- onto the user's own material: a video (by name or by its first bytes), a YAML file (a scene
  breakdown, `production.yaml`, `rehearse.yaml`, the user config), a screenplay, the
  production's database or an analysis cache;
- onto a FIFO, socket or block device (a FIFO would hang until someone reads it), or through a
  symlink loop;
- into a folder given as the file, a path whose parent is a file, or an empty path.

A symlink is written through (its target is replaced, the link stays a link); a character
device (`/dev/null`, `/dev/stdout`) gets the bytes written straight into it, never replaced by a
regular file. Everything else is written atomically: a temp file in the target's folder,
fsynced, given the old file's permissions (or the umask's for a new file), then renamed over
the target. A missing parent folder is created (one rule for every command).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from rehearse.errors import Location, RehearseError

VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".m4v", ".mkv", ".avi", ".mxf", ".webm", ".mts", ".m2ts",
                            ".mpg", ".mpeg", ".ts", ".3gp", ".wmv", ".flv", ".dv", ".r3d", ".braw"})
"""Names that say "this is a camera file": never overwritten by a text export."""
YAML_SUFFIXES = frozenset({".yaml", ".yml"})
SCRIPT_SUFFIXES = frozenset({".fountain", ".spmd", ".fdx", ".celtx"})
"""Screenplays: the writer's own files, never an output's target."""
PROTECTED_NAMES = frozenset({"rehearse.db", "rehearse.db-wal", "rehearse.db-shm", "rehearse.db-journal"})
RENDER_SUFFIXES = (".mp4", ".mov", ".m4v", ".mkv")
"""Containers that hold the H.264 + AAC a render writes."""

_SQLITE_MAGIC = b"SQLite format 3\x00"


class OutputError(RehearseError):
    """An output path that rehearse refuses to write, or a write that failed."""


def output_argument(value: str) -> Path:
    """argparse `type=` for `-o`: an empty string is a usage error, not the current folder."""
    import argparse

    if not value.strip():
        raise argparse.ArgumentTypeError("empty output path: give a file name, e.g. -o report.html")
    if "\x00" in value:
        raise argparse.ArgumentTypeError("the output path holds a NUL byte")
    return Path(value)


def _looks_like_video(head: bytes) -> bool:
    if len(head) >= 8 and head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"):
        return True
    if head.startswith((b"\x1a\x45\xdf\xa3", b"\x06\x0e\x2b\x34", b"FLV", b"\x00\x00\x01\xba", b"\x00\x00\x01\xb3")):
        return True
    if head.startswith(b"RIFF") and head[8:12] in (b"AVI ", b"AVIX"):
        return True
    return len(head) > 188 and head[0] == 0x47 and head[188] == 0x47  # MPEG transport stream


def _head(path: Path) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(200)
    except OSError:
        return b""


def _cache_folders(extra: Iterable[Path]) -> list[Path]:
    from rehearse.analysis.cache import user_cache_dir

    folders = []
    for folder in (*extra, user_cache_dir()):
        with contextlib.suppress(OSError, RuntimeError):
            folders.append(Path(folder).expanduser().resolve())
    return folders


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _refusal(path: Path, message: str, hint: str) -> OutputError:
    return OutputError(message, Location(path), hint=hint)


def check_output(
    path: Path | str,
    *,
    video: bool = False,
    protect: Iterable[Path] = (),
    cache_dirs: Iterable[Path] = (),
    with_siblings: bool = False,
) -> Path:
    """The real file to write for output `path` (a symlink resolved), or an `OutputError`.

    `with_siblings` is True for an output that writes more files beside it (a Markdown report's
    pictures, one EAF per take): it must then be a regular file, never a device.
    `video` is True for a render (a video may be written, but only with a container's suffix);
    `protect` names files that must never be written (a render's source take, the takes of the
    production); `cache_dirs` adds configured cache folders to the ones always refused.
    """
    raw = str(path)
    if not raw.strip() or raw == ".":
        raise _refusal(Path(raw), "empty output path", "give a file name with -o")
    if "\x00" in raw:
        raise _refusal(Path(raw.replace("\x00", "\\0")), "the output path holds a NUL byte", "give a plain file name")
    given = Path(raw).expanduser()
    if raw.endswith(os.sep) or given.is_dir():
        raise _refusal(given, "is a folder, not a file", "give a file name inside it, e.g. -o FOLDER/out.html")
    try:
        real = given.resolve(strict=False)
    except (OSError, RuntimeError):
        raise _refusal(given, "is a symlink loop", "give a plain file name") from None
    if real.is_dir():
        raise _refusal(given, "is a symlink to a folder, not a file", "give a file name inside it")
    if video and real.suffix.lower() not in RENDER_SUFFIXES:
        raise _refusal(given, f"no video container for the extension {real.suffix or '(none)'!r}",
                       f"name the output {real.stem or 'render'}.mp4 (or {', '.join(RENDER_SUFFIXES[1:])})")
    for parent in real.parents:
        if parent.exists() or parent.is_symlink():
            if not parent.is_dir():
                raise _refusal(given, f"{parent} is a file, so nothing can be written under it",
                               "choose a folder that exists or can be created")
            break
    protected = set()
    for other in protect:
        with contextlib.suppress(OSError, RuntimeError):
            protected.add(Path(other).resolve())
    if real in protected:
        raise _refusal(given, "is a take's video; rehearse never overwrites a take", "choose another -o")
    for folder in _cache_folders(cache_dirs):
        if _inside(real, folder):
            raise _refusal(given, "lies inside the analysis cache", "write outputs outside the cache folder")
    if ".rehearse" in real.parts and "cache" in real.parts[real.parts.index(".rehearse"):]:
        raise _refusal(given, "lies inside the production's analysis cache", "write outputs outside .rehearse/cache")
    if real.name in PROTECTED_NAMES:
        raise _refusal(given, "is the production's rehearsal database", "choose another -o")
    if real.suffix.lower() in YAML_SUFFIXES and real.exists():
        raise _refusal(given, "is a YAML file (a breakdown or settings); rehearse never overwrites it with an output",
                       "choose another -o")
    if real.suffix.lower() in SCRIPT_SUFFIXES and real.exists():
        raise _refusal(given, "is a screenplay; rehearse never overwrites it with an output", "choose another -o")
    try:
        info = os.stat(real)
    except FileNotFoundError:
        return real
    except OSError as exc:
        raise _refusal(given, f"cannot be checked: {exc.strerror}", "check the path and its permissions") from None
    if stat.S_ISFIFO(info.st_mode) or stat.S_ISSOCK(info.st_mode):
        raise _refusal(given, "is a FIFO or socket, not a regular file", "give a regular file name with -o")
    if stat.S_ISBLK(info.st_mode):
        raise _refusal(given, "is a block device, not a regular file", "give a regular file name with -o")
    if stat.S_ISCHR(info.st_mode):
        if with_siblings:
            raise _refusal(given, "is a device, but this output writes more files beside it",
                           "give a file name in a folder of your own")
        if video:
            raise _refusal(given, "is a device, not a regular file; a render needs a real file",
                           "give a file name ending in .mp4")
        return real
    head = _head(real)
    if head.startswith(_SQLITE_MAGIC):
        raise _refusal(given, "is an SQLite database", "choose another -o")
    if (not video and real.suffix.lower() in VIDEO_SUFFIXES) or (not video and _looks_like_video(head)):
        raise _refusal(given, "is a video file; rehearse never overwrites a video with an export",
                       "choose another -o")
    return real


def _umask_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _write_failure(path: Path, exc: OSError) -> OutputError:
    reason = {
        errno.EACCES: "permission denied", errno.EPERM: "permission denied",
        errno.EROFS: "the file system is read-only", errno.ENOSPC: "no space left on the device",
        errno.EDQUOT: "disk quota exceeded", errno.ENOTDIR: "a part of the path is a file",
        errno.ENAMETOOLONG: "the name is too long",
    }.get(exc.errno, exc.strerror or str(exc))
    return OutputError(f"cannot write: {reason}", Location(path),
                       hint="choose a writable folder with -o, or free space")


@contextlib.contextmanager
def atomic_output(path: Path | str, *, video: bool = False, protect: Iterable[Path] = (),
                  cache_dirs: Iterable[Path] = ()) -> Iterator[Path]:
    """Check `path`, yield a temp path beside its real target to write, then rename it over the target.

    The temp file keeps the target's suffix (so a muxer knows the container). On any exception
    the temp file is removed and the target is untouched. Write failures become an `OutputError`.
    """
    given = Path(path)
    real = check_output(path, video=video, protect=protect, cache_dirs=cache_dirs)
    if real.exists() and stat.S_ISCHR(os.stat(real).st_mode):
        raise _refusal(given, "is a device; this output needs a regular file", "give a file name with -o")
    try:
        real.parent.mkdir(parents=True, exist_ok=True)
        mode = stat.S_IMODE(os.stat(real).st_mode) if real.exists() else _umask_mode()
        handle, temporary = tempfile.mkstemp(prefix=f".{real.name}.", suffix=f".partial{real.suffix}", dir=real.parent)
        os.close(handle)
    except OSError as exc:
        raise _write_failure(given, exc) from None
    try:
        yield Path(temporary)
        os.chmod(temporary, mode)
        os.replace(temporary, real)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise _write_failure(given, exc) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_bytes_atomic(path: Path | str, data: bytes, *, protect: Iterable[Path] = (),
                       cache_dirs: Iterable[Path] = ()) -> Path:
    """Write `data` to output `path` safely (see the module docstring); returns the real file written."""
    given = Path(path)
    real = check_output(path, protect=protect, cache_dirs=cache_dirs)
    if real.exists() and stat.S_ISCHR(os.stat(real).st_mode):
        try:  # a device is written into, never replaced by a regular file
            with open(real, "wb", buffering=0) as device:
                device.write(data)
        except OSError as exc:
            raise _write_failure(given, exc) from None
        return real
    with atomic_output(path, protect=protect, cache_dirs=cache_dirs) as temporary, open(temporary, "wb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())
    return real


def write_text_atomic(path: Path | str, text: str, *, newline: str | None = None, protect: Iterable[Path] = (),
                      cache_dirs: Iterable[Path] = ()) -> Path:
    """Write `text` (UTF-8) to output `path` so a reader sees the old file or the new one, never half."""
    data = (text if newline is None else text.replace("\n", newline)).encode("utf-8")
    return write_bytes_atomic(path, data, protect=protect, cache_dirs=cache_dirs)
