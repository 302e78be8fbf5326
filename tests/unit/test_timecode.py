"""Times as script supervisors write them."""

import pytest

from rehearse.breakdown.timecode import TimeFormatError, parse_seconds, to_timecode


@pytest.mark.parametrize(
    ("text", "fps", "seconds"),
    [
        ("2.5s", 24, 2.5),
        ("450ms", 24, 0.45),
        (12.4, 24, 12.4),
        ("3", 24, 3.0),
        ("1m30s", 24, 90.0),
        ("00:00:01:12", 24, 1.5),
        ("01:00:00:00", 25, 3600.0),
        ("00:00:00:59", 60, 59 / 60),
    ],
)
def test_parses_the_forms_people_write(text, fps, seconds):
    assert parse_seconds(text, fps) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["long", "-2s", "00:00:01:30", "00:61:00:00", "", True, None, [1]])
def test_rejects_what_is_not_a_time(text):
    with pytest.raises(TimeFormatError):
        parse_seconds(text, 24)


def test_timecode_round_trips_at_whole_frames():
    assert to_timecode(1.5, 24) == "00:00:01:12"
    assert parse_seconds(to_timecode(3723.25, 24), 24) == pytest.approx(3723.25)
