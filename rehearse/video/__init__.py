"""Decoding only: probe a take, stream frames with exact presentation times, read its audio.

Public names are re-exported lazily, so `import rehearse.video` stays cheap (no numpy, no av).
`probe` is not re-exported: the submodule of the same name shadows it; use
`from rehearse.video.probe import probe`.
"""

from __future__ import annotations

import importlib

_HOMES = {
    "Audio": "rehearse.video.audio",
    "read_audio": "rehearse.video.audio",
    "Frame": "rehearse.video.frames",
    "iter_frames": "rehearse.video.frames",
    "frame_times": "rehearse.video.frames",
    "read_frame_at": "rehearse.video.frames",
    "VideoInfo": "rehearse.video.probe",
    "write_video": "rehearse.video.writer",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module 'rehearse.video' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
