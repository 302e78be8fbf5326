"""Writing a take's status back into scene YAML: only the status changes, byte for byte."""

from __future__ import annotations

import pytest

from rehearse.breakdown.take_status import set_take_status
from rehearse.breakdown.yaml_source import parse_yaml
from rehearse.errors import BreakdownError

FLOW = """\
id: "01"   # scene
takes:
  - {shot: 1A, number: 1, file: takes/a.mp4, status: 'hold'}
  - {shot: 1A, number: 2, file: takes/b.mp4}
"""


def _changed_lines(before: bytes, after: bytes) -> list[tuple[bytes, bytes]]:
    return [(a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b]


def test_flow_takes_keep_their_quotes_and_get_a_status_before_the_brace(tmp_path):
    path = tmp_path / "01.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + FLOW.encode())  # with a BOM, which is kept
    before = path.read_bytes()
    assert set_take_status(path, "1A", 1, "ng").previous == "hold"
    assert set_take_status(path, "1A", 2, "circled").previous == "unmarked"
    after = path.read_bytes()
    assert after.startswith(b"\xef\xbb\xbf")
    assert _changed_lines(before, after) == [
        (b"  - {shot: 1A, number: 1, file: takes/a.mp4, status: 'hold'}",
         b"  - {shot: 1A, number: 1, file: takes/a.mp4, status: 'ng'}"),
        (b"  - {shot: 1A, number: 2, file: takes/b.mp4}",
         b"  - {shot: 1A, number: 2, file: takes/b.mp4, status: circled}"),
    ]


def test_a_take_not_in_the_file_is_added_named_like_the_others(tmp_path):
    path = tmp_path / "01.yaml"
    path.write_text(FLOW)
    change = set_take_status(path, "1A", 3, "circled")
    assert change.previous is None and change.added_file == "takes/01-1A-3.mp4"
    takes = parse_yaml(path.read_text()).data["takes"]
    assert takes[2] == {"shot": "1A", "number": 3, "file": change.added_file, "status": "circled"}
    assert path.read_text().startswith(FLOW)

    bare = tmp_path / "02.yaml"
    bare.write_text('id: "02"\nheading: X  # no takes yet\n')
    assert set_take_status(bare, "2A", 1, "ng").added_file == "takes/02-2A-1.mp4"
    assert parse_yaml(bare.read_text()).data["takes"][0]["status"] == "ng"


def test_a_file_that_cannot_be_edited_safely_is_left_alone(tmp_path):
    path = tmp_path / "01.yaml"
    path.write_text('id: "01"\ntakes: []\n')
    with pytest.raises(BreakdownError, match="add `- {shot: 1A, number: 1"):
        set_take_status(path, "1A", 1, "circled")
    assert path.read_text() == 'id: "01"\ntakes: []\n'
    broken = tmp_path / "02.yaml"
    broken.write_text("id: [unclosed\n")
    with pytest.raises(BreakdownError, match="02.yaml:"):
        set_take_status(broken, "1A", 1, "circled")
    assert broken.read_text() == "id: [unclosed\n"
