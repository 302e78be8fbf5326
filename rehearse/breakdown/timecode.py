"""Parse the times a script supervisor writes: `2.5s`, `450ms`, `1m30s`, `12.4`, `00:01:02:12`.

Timecode `HH:MM:SS:FF` needs the production's frame rate; every result is in seconds.
"""

from __future__ import annotations

import math
import re

_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "sec": 1.0, "m": 60.0, "min": 60.0}
_NUMBER_UNIT = re.compile(r"^\s*(?P<number>[+-]?\d+(?:\.\d*)?|[+-]?\.\d+)\s*(?P<unit>ms|sec|s|min|m)?\s*$")
_MINUTES_SECONDS = re.compile(r"^\s*(?P<m>\d+)m\s*(?P<s>\d+(?:\.\d*)?)s\s*$")
_TIMECODE = re.compile(r"^\s*(?P<h>\d{1,2}):(?P<m>\d{2}):(?P<s>\d{2})[:;](?P<f>\d{2})\s*$")

EXPECTED = 'a duration like "2.5s", "450ms", 12.4 (seconds) or timecode "HH:MM:SS:FF"'


class TimeFormatError(ValueError):
    """A time the user wrote cannot be read; the message says what was expected."""


def parse_seconds(value: object, fps: float = 24.0, *, allow_negative: bool = False) -> float:
    """Return `value` in seconds, or raise TimeFormatError naming what was expected."""
    if isinstance(value, bool) or value is None:
        raise TimeFormatError(f"expected {EXPECTED}, got {value!r}")
    if isinstance(value, (int, float)):
        seconds = float(value)
    elif isinstance(value, str):
        seconds = _parse_text(value, fps)
    else:
        raise TimeFormatError(f"expected {EXPECTED}, got a {type(value).__name__}")
    if not math.isfinite(seconds):
        raise TimeFormatError(f"expected a finite duration, got {value!r}")
    if seconds < 0 and not allow_negative:
        raise TimeFormatError(f"expected a duration of zero or more, got {value!r}")
    return seconds


def _parse_text(text: str, fps: float) -> float:
    if match := _NUMBER_UNIT.match(text):
        return float(match["number"]) * _UNIT_SECONDS[match["unit"] or "s"]
    if match := _MINUTES_SECONDS.match(text):
        return int(match["m"]) * 60 + float(match["s"])
    if match := _TIMECODE.match(text):
        frames = int(match["f"])
        if int(match["m"]) > 59 or int(match["s"]) > 59:
            raise TimeFormatError(f"timecode {text.strip()!r} has minutes or seconds above 59")
        if frames >= math.ceil(fps):
            raise TimeFormatError(
                f"timecode {text.strip()!r} has frame {frames}, but the frame rate is {fps:g} fps"
            )
        return int(match["h"]) * 3600 + int(match["m"]) * 60 + int(match["s"]) + frames / fps
    raise TimeFormatError(f"expected {EXPECTED}, got {text!r}")


def format_seconds(seconds: float) -> str:
    """Short human form used in messages and tables: `12.40 s`."""
    return f"{seconds:.2f} s"


def to_timecode(seconds: float, fps: float) -> str:
    """Non-drop-frame timecode `HH:MM:SS:FF` at an integer-rounded frame rate (as EDL and ALE use)."""
    rate = max(1, round(fps))
    total_frames = round(seconds * fps)
    frames = total_frames % rate
    total_seconds = total_frames // rate
    return f"{total_seconds // 3600:02d}:{total_seconds // 60 % 60:02d}:{total_seconds % 60:02d}:{frames:02d}"


def camera_timecode(start_timecode: str, fps: float, t_s: float) -> str:
    """The camera's timecode `t_s` seconds into a take whose first frame was `start_timecode`
    (the camera report's); "" when the report gives none or it cannot be read."""
    if not start_timecode or fps <= 0:
        return ""
    try:
        start = parse_seconds(start_timecode, fps)
    except TimeFormatError:
        return ""
    return to_timecode(start + t_s, fps)


MIN_RATE_SPAN_S = 20.0
"""Shortest span a per-minute rate is shown for. One blink in a 1.5 s beat is "40 blinks/min",
which is noise: under this span the count and the span are shown instead."""


def rate_or_count(count: int, span_s: float, noun: str) -> str:
    """`14 blinks/min` over a long enough span, else `1 blink in 1.5 s`."""
    if span_s >= MIN_RATE_SPAN_S:
        return f"{count / span_s * 60:.0f} {noun}s/min"
    return f"{count} {noun}{'' if count == 1 else 's'} in {span_s:.1f} s"
