"""Shared test fixtures: paths to the repository, the sample production and ../shared/clips, and
the sample takes analysed once per test session (real FaceMesh and Pose)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests_support import REPO, SAMPLE_PRODUCTION, shared_clips_or_skip

# Test modules import shared constants from `tests_support`, never from `conftest`: with two
# conftest.py files (here and tests/tui/) the name `conftest` means whichever loaded last.


def pytest_collection_modifyitems(items) -> None:
    """Every test that needs the real models is also `slow` (it runs MediaPipe on video, seconds
    at least on a busy machine), so `bash scripts/test --quick` (-m "not slow") leaves it out."""
    for item in items:
        if item.get_closest_marker("models") and not item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.slow)


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


@pytest.fixture(scope="session")
def sample_cache(tmp_path_factory) -> Path:
    """An analysis cache holding the four sample takes, analysed once per test session with the
    real models and default settings. Read it, or copy it (`tests_support.copy_cache`) where a
    test's cache is written to: an analysis is found by the file's content, so a copied sample
    take, a subprocess pointed at the copy with REHEARSE_CACHE_DIR, or a production seeded with
    it gets the cached analysis instead of running MediaPipe again."""
    from rehearse.analysis.take import analyze_take
    from rehearse.config import Settings

    folder = tmp_path_factory.mktemp("sample-cache")
    settings = Settings(cache_dir=folder)
    for video in sorted((SAMPLE_PRODUCTION / "takes").glob("*.mp4")):
        analyze_take(video, settings)
    return folder


@pytest.fixture(scope="session")
def sample_analyses(sample_cache) -> dict:
    """take file stem (01-1A-1 ...) -> its TakeAnalysis, from `sample_cache`."""
    from rehearse.analysis.take import load_cached
    from rehearse.config import Settings

    settings = Settings(cache_dir=sample_cache)
    out = {}
    for video in sorted((SAMPLE_PRODUCTION / "takes").glob("*.mp4")):
        out[video.stem] = load_cached(video, settings)
        assert out[video.stem] is not None, f"{video.name} missing from the session's sample cache"
    return out


@pytest.fixture(scope="session")
def real_clips(tmp_path_factory) -> dict:
    """clip name -> its analysis with the real models and default settings, for every real clip
    with a truth file (tests/data/real) found in ../shared/clips or .cache/real-clips; analysed
    once per test session (the eyes prefix and cut-at-ready tests each analysed them, ~70 s)."""
    from tests_support import REAL_CLIPS_CACHE, REAL_TRUTH, SHARED_CLIPS

    from rehearse.analysis.take import analyze_take
    from rehearse.analysis.truth import load_truth_yaml
    from rehearse.config import Settings

    settings = Settings(cache_dir=tmp_path_factory.mktemp("real-clips-cache"))
    found = {}
    for truth in sorted(REAL_TRUTH.glob("*.truth.yaml")):
        name = load_truth_yaml(truth).clip
        clip = next((f / name for f in (SHARED_CLIPS, REAL_CLIPS_CACHE) if (f / name).is_file()), None)
        if clip is not None:
            found[name] = analyze_take(clip, settings)
    return found
