"""The analysis cache: content hashing of takes, cache locations, and atomic `.npz` + JSON entries.

An entry is keyed by the video's content hash, a hash of the analysis settings and the analyzer
version, so editing a take, changing a threshold or upgrading rehearse never serves a stale
result. An entry is two files written atomically (temp file in the same folder, fsync,
`os.replace`): `<key>.npz` (the arrays) and then `<key>.json` (small metadata, which also
records the arrays' size). The JSON is written last and is the commit mark: an `.npz` without
its JSON, or with a different size than the JSON records, is not an entry. A run killed at any
point therefore leaves a complete entry or none, plus at most a `.tmp-*` file that its own
`finally` removes (and `sweep_temp_files` clears if the process was killed hard).

Content hash: blake2b (16-byte digest) of the whole file read in 1 MiB chunks for files up to
`FULL_HASH_MAX_BYTES` (256 MiB). Larger files hash their size, the first and last 8 MiB and 64
1 MiB chunks at evenly spaced offsets: an edit that changes the length, the header, the index
or any sampled region changes the hash; re-encodes always do. Hashes are memoized per
(path, size, mtime, inode) within a process.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

CHUNK_BYTES = 1 << 20
FULL_HASH_MAX_BYTES = 256 << 20
EDGE_BYTES = 8 << 20
SAMPLED_CHUNKS = 64
TEMP_PREFIX = ".tmp-"
STALE_TEMP_S = 3600.0

_hash_memo: dict[tuple[str, int, int, int], str] = {}


def content_hash(path: Path | str) -> str:
    """Hex blake2b of the file's bytes (sampled for files over 256 MiB; see module docstring)."""
    path = Path(path)
    stat = path.stat()
    memo_key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns, stat.st_ino)
    if memo_key in _hash_memo:
        return _hash_memo[memo_key]
    digest = hashlib.blake2b(digest_size=16)
    with path.open("rb") as handle:
        if stat.st_size <= FULL_HASH_MAX_BYTES:
            while chunk := handle.read(CHUNK_BYTES):
                digest.update(chunk)
        else:
            digest.update(b"sampled:%d:" % stat.st_size)
            offsets = [0, stat.st_size - EDGE_BYTES]
            span = stat.st_size - 2 * EDGE_BYTES - CHUNK_BYTES
            offsets[1:1] = [EDGE_BYTES + span * i // (SAMPLED_CHUNKS - 1) for i in range(SAMPLED_CHUNKS)]
            for offset in offsets:
                handle.seek(offset)
                size = EDGE_BYTES if offset in (0, stat.st_size - EDGE_BYTES) else CHUNK_BYTES
                digest.update(handle.read(size))
    value = digest.hexdigest()
    _hash_memo[memo_key] = value
    return value


def known_hashes() -> dict[tuple[str, int, int, int], str]:
    """The content hashes this process has computed, keyed by the file's identity (path, size,
    mtime, inode): handed to worker processes so that a file is read for its hash once."""
    return dict(_hash_memo)


def remember_hashes(hashes: dict[tuple[str, int, int, int], str]) -> None:
    """Take hashes computed by another process (`known_hashes`); a changed file has another key."""
    _hash_memo.update(hashes)


def file_identity(path: Path | str) -> tuple[int, int, int, int]:
    """(size, mtime_ns, inode, device) of the file: taken before decoding and compared after."""
    info = os.stat(path)
    return info.st_size, info.st_mtime_ns, info.st_ino, info.st_dev


def changed_since(path: Path | str, before: tuple[int, int, int, int], content: str) -> bool:
    """True when the file at `path` is no longer the one identified `before` with hash `content`.

    A changed size, mtime, inode or device (a copy still growing, a file swapped by a rename)
    is a change unless the bytes hash the same (a `touch`); a vanished file is a change.
    """
    try:
        if file_identity(path) == before:
            return False
        return content_hash(path) != content
    except OSError:
        return True


def write_failure(folder: Path, exc: OSError) -> str:
    """The one warning line for a cache that cannot be written (the analysis itself is still good)."""
    reason = {
        errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is used up",
        errno.ENOTDIR: "a part of the cache path is a file, not a folder",
        errno.EEXIST: "a file stands where the cache folder should be",
        errno.EACCES: "permission denied", errno.EROFS: "the file system is read-only",
    }.get(exc.errno, exc.strerror or str(exc))
    return (f"{folder}: warning: analysis not cached: {reason} (free space, or point REHEARSE_CACHE_DIR "
            "at a writable folder; the results are still shown)")


def user_cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """`$REHEARSE_CACHE_DIR`, else `$XDG_CACHE_HOME/rehearse`, else `~/.cache/rehearse`."""
    env = os.environ if env is None else env
    if env.get("REHEARSE_CACHE_DIR"):
        return Path(env["REHEARSE_CACHE_DIR"]).expanduser()
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "rehearse"


def cache_dir_for(video_path: Path, configured: Path | None = None) -> Path:
    """Where a take's analysis is cached: the configured folder, else the production's
    `.rehearse/cache/` when the take lies inside a production, else the user cache folder."""
    if configured is not None:
        return Path(configured).expanduser()
    if os.environ.get("REHEARSE_CACHE_DIR"):
        return user_cache_dir()
    from rehearse.breakdown.folders import find_production_folder

    root = find_production_folder(Path(video_path).parent)
    if root is not None:
        return root / ".rehearse" / "cache"
    return user_cache_dir()


def entry_stem(content: str, settings_key: str, analyzer_version: str) -> str:
    """File-name stem of a cache entry."""
    return f"{content}-{settings_key}-v{analyzer_version}"


def write_entry(folder: Path, stem: str, arrays: Mapping[str, np.ndarray], meta: dict[str, Any]) -> Path:
    """Write `<stem>.npz` then `<stem>.json` atomically; returns the JSON path."""
    folder.mkdir(parents=True, exist_ok=True)
    npz_path = folder / f"{stem}.npz"
    json_path = folder / f"{stem}.json"
    # Withdraw the commit mark first, so a replaced entry is never old JSON over new arrays.
    with contextlib.suppress(FileNotFoundError):
        json_path.unlink()
    _atomic_write(npz_path, lambda handle: _write_npz(handle, arrays))
    meta = dict(meta, npz_bytes=npz_path.stat().st_size)
    text = json.dumps(meta, indent=1, sort_keys=True).encode()
    _atomic_write(json_path, lambda handle: handle.write(text))
    return json_path


def _write_npz(handle, arrays: Mapping[str, np.ndarray]) -> None:
    """The `.npz` layout `np.savez` writes, through a ZipFile that is closed even when a write
    fails (a full disk): np.savez leaves that to the garbage collector, which then prints a
    traceback of its own."""
    import zipfile

    with zipfile.ZipFile(handle, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name, value in arrays.items():
            with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.asanyarray(value), allow_pickle=False)


def read_meta(folder: Path, stem: str) -> dict[str, Any] | None:
    """The entry's metadata, or None when there is no complete entry."""
    json_path = folder / f"{stem}.json"
    npz_path = folder / f"{stem}.npz"
    try:
        meta = json.loads(json_path.read_text(encoding="utf-8"))
        if not isinstance(meta, dict) or npz_path.stat().st_size != meta.get("npz_bytes"):
            return None  # hand-edited into another shape: a miss, analysed again
    except (OSError, ValueError):
        return None
    return meta


def read_arrays(folder: Path, stem: str) -> dict[str, np.ndarray] | None:
    """The entry's arrays, or None when they cannot be read (treated as a cache miss)."""
    try:
        with np.load(folder / f"{stem}.npz", allow_pickle=False) as data:
            return {name: data[name] for name in data.files}
    except (OSError, ValueError, EOFError, KeyError):
        return None


def temp_files(folder: Path) -> list[Path]:
    """Temp files (in-progress or abandoned writes) in a cache folder."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.name.startswith(TEMP_PREFIX))


def sweep_temp_files(folder: Path, older_than_s: float = STALE_TEMP_S) -> int:
    """Remove temp files left by runs killed hard (SIGKILL, power loss); returns how many."""
    removed = 0
    now = time.time()
    for path in temp_files(folder):
        with contextlib.suppress(OSError):
            if now - path.stat().st_mtime >= older_than_s:
                path.unlink()
                removed += 1
    return removed


def _atomic_write(target: Path, write) -> None:
    """Write via a temp file in the same folder, fsync it, then os.replace onto `target`."""
    fd, temp_name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{target.name}.", dir=target.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; a shared cache wants the umask's mode
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    _fsync_dir(target.parent)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX); harmless where directories cannot be opened."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
