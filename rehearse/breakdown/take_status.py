"""Write a take's status (circled, NG ...) back into the user's scene YAML, changing nothing else.

The file is parsed with the one hardened reader, whose node tree gives the exact character span
of the take's `status` value; only that span changes (or one `status:` line, or one new take
entry, is inserted). Every other byte, comments and blank lines included, stays as the user
wrote it. The new text is parsed again and checked before it replaces the file atomically.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from rehearse.breakdown.yaml_source import YamlSourceError, parse_yaml, read_text
from rehearse.errors import BreakdownError, Location

STATUSES = ("circled", "hold", "ng", "false_start", "unmarked")
_BOM = "\ufeff"


@dataclass(frozen=True)
class StatusChange:
    """What a write-back did."""

    path: Path
    previous: str | None
    """The take's status before (None: the take was not in the file and was added)."""
    status: str
    added_file: str | None = None
    """The `file:` written for a take that was not in the breakdown yet."""


def set_take_status(path: Path, shot: str, number: int, status: str, *, new_file: str | None = None) -> StatusChange:
    """Set the status of take `shot`-`number` in a scene file; add the take when it is missing.

    `new_file` is the video file written for an added take (default: named like the scene's
    other takes). Raises BreakdownError (one line, naming the file) when the file cannot be
    edited safely; the file is then left untouched."""
    if status not in STATUSES:
        raise ValueError(f"unknown take status {status!r}")
    path = Path(path)
    raw, text, document = _read(path, f"set take {shot}-{number}'s status")
    takes = _value(document.root, "takes")
    take = _find_take(takes, shot, number) if isinstance(takes, SequenceNode) else None
    added_file = None
    if take is not None:
        current = _value(take, "status")
        previous = current.value if isinstance(current, ScalarNode) else "unmarked"
        edited = _replace_status(text, take, current, status, path)
    else:
        previous = None
        added_file = new_file or _guess_file(document.data, shot, number)
        edited = _add_take(text, takes, path, shot, number, added_file, status)
    _check(edited, path, shot, number, status)
    _write_atomic(path, _with_bom(raw, edited))
    return StatusChange(path, previous, status, added_file)


ADDED_KEYS = frozenset({"shot", "number", "file", "status"})
"""What `set_take_status` writes for a take it adds."""


def remove_added_take(path: Path, shot: str, number: int) -> bool:
    """Undo the take entry `set_take_status` added: take `shot`-`number` out of the file again.

    Only an entry that still holds nothing but what was added (shot, number, file, status),
    written one key per line, is removed, with the `takes:` line when the entry is its only
    one; every other byte (comments included) stays. False, and the file untouched, when the
    take is gone already or the user has written more about it since (that is kept)."""
    path = Path(path)
    raw, text, document = _read(path, f"take {shot}-{number} out again")
    root = document.root
    takes = _value(root, "takes")
    take = _find_take(takes, shot, number) if isinstance(takes, SequenceNode) else None
    if take is None or takes.flow_style or take.flow_style:
        return False
    if not {k.value for k, _ in take.value if isinstance(k, ScalarNode)} <= ADDED_KEYS:
        return False
    end = _line_end(text, _last_index(take))
    if len(takes.value) == 1:
        # `takes:` was written with the entry (the file had none): both go, and the blank line before them.
        key = _key(root, "takes")
        start = text.rfind("\n", 0, key.start_mark.index) + 1
        edited = text[:start].rstrip("\n") + "\n" + text[end + 1:]
    else:
        start = text.rfind("\n", 0, text.rfind("-", 0, take.start_mark.index)) + 1
        edited = text[:start] + text[end + 1:] if end < len(text) else text[:max(start - 1, 0)]
    _check_removed(edited, document.data, path, shot, number)
    _write_atomic(path, _with_bom(raw, edited))
    return True


def _read(path: Path, doing: str):
    """(bytes, text, parsed document) of a scene file whose root is a mapping."""
    try:
        raw = path.read_bytes()
        text = read_text(path)
        document = parse_yaml(text)
    except OSError as error:
        raise BreakdownError(f"cannot read the scene file: {error.strerror}", Location(path)) from None
    except YamlSourceError as error:
        raise BreakdownError(
            f"cannot {doing}: {error.message}",
            Location(path, error.line, error.column),
            hint="fix the file (rehearse check), then mark the take again",
        ) from None
    if not isinstance(document.root, MappingNode):
        raise BreakdownError("the scene file is not a mapping", Location(path), hint="rehearse check shows why")
    return raw, text, document


def _with_bom(raw: bytes, edited: str) -> bytes:
    return ((_BOM if raw.startswith(_BOM.encode("utf-8")) else "") + edited).encode("utf-8")


def _value(mapping: Node | None, key: str) -> Node | None:
    if not isinstance(mapping, MappingNode):
        return None
    for key_node, value_node in mapping.value:
        if isinstance(key_node, ScalarNode) and key_node.value == key:
            return value_node
    return None


def _key(mapping: MappingNode, key: str) -> Node | None:
    return next((k for k, _ in mapping.value if isinstance(k, ScalarNode) and k.value == key), None)


def _find_take(takes: SequenceNode, shot: str, number: int) -> MappingNode | None:
    for item in takes.value:
        shot_node, number_node = _value(item, "shot"), _value(item, "number")
        if (isinstance(shot_node, ScalarNode) and isinstance(number_node, ScalarNode)
                and shot_node.value == str(shot) and number_node.value.strip() == str(number)):
            return item
    return None


def _replace_status(text: str, take: MappingNode, current: Node | None, status: str, path: Path) -> str:
    if isinstance(current, ScalarNode):
        quote = current.style if current.style in ("'", '"') else ""
        start, end = current.start_mark.index, current.end_mark.index
        return text[:start] + f"{quote}{status}{quote}" + text[end:]
    if current is not None:
        raise BreakdownError("the take's `status` is not a single word", Location(
            path, current.start_mark.line + 1, current.start_mark.column + 1), hint="write e.g. `status: hold`")
    if take.flow_style:
        # `- {shot: 1A, number: 4, file: ...}`: add `, status: X` before the closing brace.
        close = text.rindex("}", take.start_mark.index, take.end_mark.index)
        return text[:close].rstrip(" ") + f", status: {status}" + text[close:]
    # Block mapping: a new line under `number:`, indented like it.
    anchor = _value(take, "number") or take.value[-1][1]
    key = _key(take, "number") or take.value[-1][0]
    line_end = _line_end(text, _last_index(anchor))
    return text[:line_end] + "\n" + " " * key.start_mark.column + f"status: {status}" + text[line_end:]


def _add_take(text: str, takes: Node | None, path: Path, shot: str, number: int, file: str, status: str) -> str:
    def entry(indent: str) -> str:
        return (f"{indent}- shot: {_scalar(shot)}\n{indent}  number: {number}\n"
                f"{indent}  file: {_scalar(file)}\n{indent}  status: {status}")

    if takes is None:
        # No `takes:` yet: a new block at the end of the file.
        return text.rstrip("\n") + "\n\ntakes:\n" + entry("  ") + "\n"
    if not isinstance(takes, SequenceNode) or takes.flow_style or not takes.value:
        raise BreakdownError(
            f"cannot add take {shot}-{number}: `takes:` is not a list written one item per line",
            Location(path, takes.start_mark.line + 1, takes.start_mark.column + 1),
            hint=f"add `- {{shot: {shot}, number: {number}, file: {file}}}` under takes by hand",
        )
    first = takes.value[0]
    dash = text.rfind("-", 0, first.start_mark.index)
    indent = " " * (dash - (text.rfind("\n", 0, dash) + 1))
    line_end = _line_end(text, _last_index(takes.value[-1]))
    return text[:line_end] + "\n" + entry(indent) + text[line_end:]


def _last_index(node: Node) -> int:
    """Where the node's own text ends (a block collection ends with its last value)."""
    if isinstance(node, (MappingNode, SequenceNode)) and not node.flow_style and node.value:
        last = node.value[-1]
        return _last_index(last[1] if isinstance(last, tuple) else last)
    return node.end_mark.index


def _line_end(text: str, index: int) -> int:
    # A block scalar (`notes: >-`) ends after the blank lines that follow it: step back over them.
    index = len(text[:index].rstrip())
    newline = text.find("\n", index)
    return len(text) if newline < 0 else newline


_PLAIN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_./-]*$")


def _scalar(value: str) -> str:
    value = str(value)
    return value if _PLAIN.match(value) and value.lower() not in ("yes", "no", "on", "off", "true", "false", "null") else (
        '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"')


def _guess_file(data: object, shot: str, number: int) -> str:
    """Named like the scene's other takes (`takes/01-1A-2.mp4` -> `takes/01-1A-4.mp4`)."""
    scene_id = str(data.get("id", "")) if isinstance(data, dict) else ""
    for take in (data.get("takes") or []) if isinstance(data, dict) else []:
        if not isinstance(take, dict) or str(take.get("shot")) != str(shot):
            continue
        file, old = str(take.get("file", "")), f"{shot}-{take.get('number')}"
        position = file.rfind(old)
        if position >= 0 and not file[position + len(old):position + len(old) + 1].isdigit():
            return file[:position] + f"{shot}-{number}" + file[position + len(old):]
    return f"takes/{scene_id + '-' if scene_id else ''}{shot}-{number}.mp4"


def _check(edited: str, path: Path, shot: str, number: int, status: str) -> None:
    """The edit must parse and say what we meant; otherwise the file is not touched."""
    try:
        data = parse_yaml(edited).data
    except YamlSourceError as error:
        raise BreakdownError(f"setting the status would break the file ({error.message}); left unchanged",
                             Location(path), hint="set `status:` by hand") from None
    takes = data.get("takes") if isinstance(data, dict) else None
    matches = [t for t in takes or [] if isinstance(t, dict) and str(t.get("shot")) == str(shot)
               and str(t.get("number")) == str(number)]
    if len(matches) != 1 or matches[0].get("status") != status:
        raise BreakdownError(f"could not set take {shot}-{number}'s status safely; left unchanged",
                             Location(path), hint="set `status:` by hand")


def _check_removed(edited: str, before: object, path: Path, shot: str, number: int) -> None:
    """The file without the take must read as before without it; otherwise it is not touched."""
    expected = dict(before) if isinstance(before, dict) else {}
    kept = [t for t in expected.get("takes") or [] if not (
        isinstance(t, dict) and str(t.get("shot")) == str(shot) and str(t.get("number")) == str(number))]
    if kept:
        expected["takes"] = kept
    else:
        expected.pop("takes", None)
    try:
        data = parse_yaml(edited).data
    except YamlSourceError:
        data = None
    if data != expected:
        raise BreakdownError(f"could not take {shot}-{number} out of the file safely; left unchanged",
                             Location(path), hint="remove its entry under `takes:` by hand")


def _write_atomic(path: Path, data: bytes) -> None:
    # The user's file: a temp file beside it, fsynced, same permissions, then renamed over it.
    mode = path.stat().st_mode & 0o7777
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
