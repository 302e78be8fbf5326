"""Code the tests share that is not a fixture: paths, skip helpers (here), scoring, canned streams and media (submodules)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SAMPLE_PRODUCTION = REPO / "scenes"
SHARED_CLIPS = REPO.parent / "shared" / "clips"


def shared_clips_or_skip() -> Path:
    """../shared/clips, or skip the calling test with the reason."""
    if not (SHARED_CLIPS / "README.md").exists():
        pytest.skip(f"real reference clips not found at {SHARED_CLIPS} (../shared/clips beside the repo)")
    return SHARED_CLIPS


def copy_cache(source: Path, folder: Path) -> Path:
    """A copy of the analysis cache `source` (the session's `sample_cache`) at `folder`, for a
    test that writes to its cache; returns `folder`."""
    import shutil

    shutil.copytree(source, folder, dirs_exist_ok=True)
    return folder


def squeezed_copy(source, path, aspect: Fraction, width: int, height: int, limit: int | None = None) -> None:
    """Re-encode `source` squeezed to `width` stored pixels, flagged with pixel `aspect` (as HDV
    stores 1920-wide pictures in 1440 pixels of aspect 4:3)."""
    import av

    with av.open(str(source)) as src, av.open(str(path), "w") as out:
        stream_in = src.streams.video[0]
        stream = out.add_stream("libx264", rate=stream_in.average_rate)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.sample_aspect_ratio = aspect
        for count, frame in enumerate(src.decode(stream_in)):
            if limit is not None and count >= limit:
                break
            squeezed = frame.reformat(width=width, height=height, format="yuv420p")
            squeezed.pts, squeezed.time_base = count, Fraction(1, int(stream_in.average_rate))
            for packet in stream.encode(squeezed):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


REAL_CLIPS_CACHE = REPO / ".cache" / "real-clips"
"""Real clips extracted from PyPI packages by `python -m tools.real_clips` (not committed)."""
REAL_TRUTH = REPO / "tests" / "data" / "real"
"""Truth made by eye for every real clip: NAME.truth.yaml beside the clip's stem."""


def real_clip_or_skip(name: str) -> Path:
    """A real clip by file name: from ../shared/clips or the extracted cache; else skip with the reason."""
    for folder in (SHARED_CLIPS, REAL_CLIPS_CACHE):
        if (folder / name).is_file():
            return folder / name
    pytest.skip(f"real clip {name} not found in {SHARED_CLIPS} or {REAL_CLIPS_CACHE} "
                "(python -m tools.real_clips extracts the PyPI ones)")
