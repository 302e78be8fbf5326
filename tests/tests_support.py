"""Helpers shared by tests that are not fixtures (importable from module-scoped fixtures)."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_CLIPS = Path(__file__).resolve().parent.parent.parent / "shared" / "clips"


def shared_clips_or_skip() -> Path:
    """../shared/clips, or skip the calling test with the reason."""
    if not (SHARED_CLIPS / "README.md").exists():
        pytest.skip(f"real reference clips not found at {SHARED_CLIPS} (../shared/clips beside the repo)")
    return SHARED_CLIPS

REPO = Path(__file__).resolve().parent.parent
SAMPLE_PRODUCTION = REPO / "scenes"
