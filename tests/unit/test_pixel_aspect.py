"""A take stored in non-square pixels (HDV-like 4:3 pixels) measures like its square-pixel original."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from rehearse.analysis.events import detect_events
from rehearse.config import Settings


@pytest.mark.models
def test_anamorphic_copy_gives_the_same_face_geometry_and_blinks(tmp_path, sample_cache):
    from tests_support import SAMPLE_PRODUCTION, copy_cache, squeezed_copy

    from rehearse.analysis.take import analyze_take

    source = SAMPLE_PRODUCTION / "takes" / "01-1A-1.mp4"
    squeezed = tmp_path / "anamorphic.mp4"
    squeezed_copy(source, squeezed, Fraction(4, 3), 480, 480)
    settings = Settings(cache_dir=copy_cache(sample_cache, tmp_path / "cache"))  # the original is analysed already
    original, copy = analyze_take(source, settings), analyze_take(squeezed, settings)
    assert (copy.width, copy.height) == (original.width, original.height) == (640, 480)

    def median(analysis, name):
        return float(np.nanmedian(analysis.signals[name]))

    # measured as stored, the inter-ocular distance would read 3/4 of itself and EAR 4/3
    assert median(copy, "iod_px") == pytest.approx(median(original, "iod_px"), rel=0.03)
    for name in ("eye_open_left", "eye_open_right", "mouth_width"):
        assert median(copy, name) == pytest.approx(median(original, name), rel=0.05), name
    assert abs(median(copy, "head_yaw") - median(original, "head_yaw")) < 2.0

    def blinks(analysis):
        return [round(e.start_s, 2) for e in detect_events(analysis.signals, analysis.audio) if e.kind == "blink"]

    assert blinks(copy) == pytest.approx(blinks(original), abs=0.05)
