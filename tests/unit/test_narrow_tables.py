"""Tables a user reads in an 80-column terminal: every value whole (folded, never cut to "hesi…"),
seconds rather than milliseconds, counts instead of per-minute rates over a short beat."""

from __future__ import annotations

import pytest

from rehearse.breakdown.timecode import rate_or_count
from rehearse.commands.events import _print_tables

DOCUMENT = {
    "take": "1A-3", "duration_s": 8.0, "fps": 24.0, "face_coverage": 1.0, "no_face": False, "face_lost": [],
    "events": [
        {"kind": "hesitation", "region": "mouth", "start_s": 1.055, "end_s": 2.095, "confidence": 0.95,
         "beat": "b2", "latency_s": 1.04, "values": {}},
        {"kind": "gesture", "label": "head_turn", "region": "head", "side": "right", "start_s": 5.75,
         "end_s": 6.167, "apex_s": 6.0, "confidence": 0.9, "beat": "b3", "values": {"peak_deg": 14.2}},
        {"kind": "blink", "label": "full", "side": "both", "start_s": 7.039, "end_s": 7.228, "apex_s": 7.125,
         "confidence": 1.0, "beat": "b4", "values": {"peak_depth": 0.869}},
        {"kind": "micro_movement", "region": "brow", "start_s": 3.0, "end_s": 3.2, "confidence": 0.7, "values": {}},
    ],
    "beats": [
        {"beat": "b2", "start_s": 1.5, "end_s": 4.5, "blinks": 1, "blink_rate_per_min": 20.0, "holds": [0.57],
         "hold_target": {"target_s": 1.2, "verdict": "ended 0.63 s early"}, "latencies_s": [1.04], "pauses": 0},
    ],
}


@pytest.mark.parametrize("columns", [80, 130])
def test_events_tables_keep_every_value_readable(columns, monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", str(columns))
    _print_tables(DOCUMENT)
    out = capsys.readouterr().out
    assert all(len(line) <= columns for line in out.splitlines())
    assert "…" not in out, "nothing is cut short"
    for word in ("hesitation", "head turn", "micro movement", "reply 1.04 s", "1 blink in 3.0 s", "0.63 s early"):
        assert word in out
    assert " ms" not in out and "dur" not in out, "seconds, not milliseconds"
    if columns == 80:
        assert "peak" not in out and "conf" not in out, "raw detector figures only in the wide table"
    else:
        assert "peak depth 0.869" in out and "apex" in out


def test_a_rate_needs_a_long_enough_span():
    assert rate_or_count(1, 1.5, "blink") == "1 blink in 1.5 s"  # not "40 blinks/min"
    assert rate_or_count(0, 2.0, "blink") == "0 blinks in 2.0 s"
    assert rate_or_count(10, 30.0, "blink") == "20 blinks/min"
