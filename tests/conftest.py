"""Shared test fixtures: paths to the repository, the sample production and ../shared/clips."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests_support import REPO, SAMPLE_PRODUCTION, shared_clips_or_skip

# Test modules import shared constants from `tests_support`, never from `conftest`: with two
# conftest.py files (here and tests/tui/) the name `conftest` means whichever loaded last.


@pytest.fixture
def repo_root() -> Path:
    return REPO


@pytest.fixture
def sample_production() -> Path:
    return SAMPLE_PRODUCTION


@pytest.fixture
def shared_clips() -> Path:
    """../shared/clips (real footage); tests using it skip when it is absent."""
    return shared_clips_or_skip()
