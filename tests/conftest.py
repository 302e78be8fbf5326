"""Shared test fixtures: paths to the repository, the sample production and ../shared/clips."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLE_PRODUCTION = REPO / "scenes"
SHARED_CLIPS = REPO.parent / "shared" / "clips"


@pytest.fixture
def repo_root() -> Path:
    return REPO


@pytest.fixture
def sample_production() -> Path:
    return SAMPLE_PRODUCTION


@pytest.fixture
def shared_clips() -> Path:
    """../shared/clips (real footage); tests using it skip when it is absent."""
    if not (SHARED_CLIPS / "README.md").exists():
        pytest.skip(f"real reference clips not found at {SHARED_CLIPS} (../shared/clips beside the repo)")
    return SHARED_CLIPS
