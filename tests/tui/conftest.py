"""Fixtures for the terminal-app tests: a tiny production on disk and canned take data.

The production is real YAML read by the real loader (so live reload is real); take data is
canned: signal tracks built with numpy, events and flags written by hand, a synthetic still.
The real analysis path is tested in tests/unit.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests_support.tui_canned import CANNED, write_production

from rehearse.tui.app import RehearseApp, create_app


@pytest.fixture
def tiny_production(tmp_path: Path) -> Path:
    """A two-scene production on disk (fresh for each test, safe to edit)."""
    return write_production(tmp_path / "tiny")


@pytest.fixture
def tiny_app(tiny_production: Path) -> RehearseApp:
    """The app on the tiny production with canned data, file watching off, dark theme."""
    return create_app(tiny_production, sources=CANNED, keymap={}, watch=False)
