"""Writing a take's status back into scene YAML: only the status changes, byte for byte."""

from __future__ import annotations

import pytest

from rehearse.breakdown.take_status import remove_added_take, set_take_status
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


BLOCK = """\
# Scene 01   (comments and blank lines kept byte for byte)
id: "01"
takes:
  - shot: 1A
    number: 1
    file: takes/01-1A-1.mp4     # first pass
    notes: >-
      Good hold.

  - shot: 1A
    number: 2
    file: takes/01-1A-2.mp4

# trailing comment
"""


@pytest.mark.parametrize("text", [BLOCK, FLOW, 'id: "02"\nheading: X  # no takes yet\n', BLOCK.rstrip("\n")],
                         ids=["block", "flow", "no takes", "no final newline"])
def test_undoing_an_added_take_gives_back_the_file_byte_for_byte(tmp_path, text):
    path = tmp_path / "01.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    before = path.read_bytes()
    assert set_take_status(path, "1A", 3, "circled").previous is None
    assert path.read_bytes() != before
    assert remove_added_take(path, "1A", 3) is True
    assert path.read_bytes() == before
    assert remove_added_take(path, "1A", 3) is False  # gone already: nothing to do


def test_an_added_take_the_user_wrote_more_about_is_kept(tmp_path):
    path = tmp_path / "01.yaml"
    path.write_text(BLOCK)
    set_take_status(path, "1A", 3, "circled")
    path.write_text(path.read_text().replace("    status: circled\n", "    status: circled\n    notes: keep me\n"))
    edited = path.read_bytes()
    assert remove_added_take(path, "1A", 3) is False
    assert path.read_bytes() == edited
