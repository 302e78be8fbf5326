"""Read a user's YAML file safely into plain data, keeping the node tree for line/column errors.

Only plain YAML is accepted: no Python tags, duplicate keys are errors (PyYAML keeps the last
one silently), files over `MAX_FILE_BYTES` are refused before parsing, and alias expansion is
bounded so a "billion laughs" file is rejected in milliseconds. Parsing uses libyaml when it is
installed. Implicit types follow YAML 1.2 where YAML 1.1 surprises people: `1:30` and
`01:02:03:04` stay strings (not base-60 numbers), `03` stays "03" (not octal), dates stay text.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

MAX_FILE_BYTES = 2 * 1024 * 1024
"""Largest breakdown file read (2 MiB); a scene breakdown is a few kilobytes."""
MAX_DEPTH = 100
"""Deepest nesting of lists and mappings accepted (a scene is about six levels deep)."""
MAX_EXPANDED_NODES = 1_000_000
"""Most YAML nodes a document may hold once aliases are expanded (a 2 MiB file has fewer)."""

_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
# `<<` and `=` outside a key position are just text.
_TEXT_TAGS = {_STR, _MERGE, "tag:yaml.org,2002:value"}
_SAFE_SCALAR_TAGS = {
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    _STR,
}


class YamlSourceError(Exception):
    """A file cannot be read as plain YAML; line and column are 1-based."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


_IMPLICIT: dict[str, list] = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in Resolver.yaml_implicit_resolvers.items()
}
# No octal either: `id: 03` is the scene "03", not the number 3.
_INT = re.compile(r"^(?:[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|\.[0-9_]+(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
for _resolvers in _IMPLICIT.values():
    _resolvers[:] = [
        (tag, _INT if tag.endswith(":int") else _FLOAT if tag.endswith(":float") else regexp)
        for tag, regexp in _resolvers
    ]


class _Yaml12Resolver(Resolver):
    """The YAML 1.1 resolver minus base-60 numbers, octal and timestamps (timecode stays text).

    Resolution runs once per scalar, so it is kept to a dict lookup and at most a few regexes;
    path resolvers (unused here) are switched off.
    """

    def descend_resolver(self, current_node, current_index):
        pass

    def ascend_resolver(self):
        pass

    def resolve(self, kind, value, implicit):
        if kind is ScalarNode:
            if implicit[0]:
                if value == "":
                    return "tag:yaml.org,2002:null"
                for tag, regexp in _IMPLICIT.get(value[0], ()):
                    if regexp.match(value):
                        return tag
            return _STR
        return "tag:yaml.org,2002:seq" if kind is SequenceNode else "tag:yaml.org,2002:map"


try:  # libyaml parses and composes in C: about ten times faster on big productions
    from yaml._yaml import CParser as _Parser

    class _Composer(_Parser, SafeConstructor, _Yaml12Resolver):
        def __init__(self, text: str):
            _Parser.__init__(self, text)
            SafeConstructor.__init__(self)
            _Yaml12Resolver.__init__(self)

except ImportError:  # pragma: no cover - pure-Python fallback
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Composer(Reader, Scanner, Parser, Composer, SafeConstructor, _Yaml12Resolver):
        def __init__(self, text: str):
            Reader.__init__(self, text)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            _Yaml12Resolver.__init__(self)


_SCALARS = _Composer("")  # only its scalar constructors are used; they keep no state


@dataclass(frozen=True)
class YamlDocument:
    """One parsed file: the plain data and the node tree it came from (for positions)."""

    data: object
    """Dicts, lists and scalars; None for an empty file."""
    root: Node | None
    """The composed node tree; None for an empty file."""


def read_text(path: Path) -> str:
    """The file's text: refused over the size limit, UTF-8 only (a BOM is allowed)."""
    import stat as stat_module

    info = path.stat()
    if not stat_module.S_ISREG(info.st_mode):
        # a FIFO would block until someone writes to it, /dev/urandom never ends
        raise YamlSourceError("not a regular file (a FIFO, device or socket); give the YAML file itself", 1, 1)
    size = info.st_size
    if size > MAX_FILE_BYTES:
        raise YamlSourceError(
            f"file is {size / 1024 / 1024:.1f} MiB; breakdown files are limited to "
            f"{MAX_FILE_BYTES // 1024 // 1024} MiB (split it into one file per scene)",
            1,
            1,
        )
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line_start = raw.rfind(b"\n", 0, error.start) + 1
        line = raw.count(b"\n", 0, error.start) + 1
        raise YamlSourceError(
            f"byte 0x{raw[error.start]:02x} at byte offset {error.start} is not UTF-8 "
            "(save the file as UTF-8)",
            line,
            # editors count characters, not bytes
            len(raw[line_start : error.start].decode("utf-8", errors="replace")) + 1,
        ) from None


def parse_yaml(text: str) -> YamlDocument:
    """Parse one YAML document into plain data, raising YamlSourceError with a position."""
    with paused_gc():
        return _parse(text)


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small acyclic objects.

    Node trees and frozen models are thousands of objects without cycles; the collector walks
    them again and again while they are built (benchmarks/bench_load.py: 30% of the load time).
    Reference counting still frees everything.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _parse(text: str) -> YamlDocument:
    composer = _Composer(text)
    try:
        root = composer.get_single_node()
        if root is None:
            return YamlDocument(None, None)
        if "*" in text:  # without an alias (`*name`) nothing can expand
            _check_expanded_size(root)
        return YamlDocument(_to_data(root), root)
    except yaml.MarkedYAMLError as error:
        raise _explain_syntax_error(error, text) from None
    except yaml.YAMLError as error:
        raise YamlSourceError(" ".join(str(error).split())) from None
    finally:
        composer.dispose()


def _explain_syntax_error(error: yaml.MarkedYAMLError, text: str) -> YamlSourceError:
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark else None
    column = mark.column + 1 if mark else None
    # Tabs in indentation are the most common cause; PyYAML's own words do not say so.
    lines = text.splitlines()
    last = min(len(lines), line or len(lines))
    for number, content in enumerate(lines[:last], start=1):
        indent = content[: len(content) - len(content.lstrip(" \t"))]
        if "\t" in indent:
            return YamlSourceError(
                "tabs are not allowed in YAML indentation; use spaces", number, indent.index("\t") + 1
            )
    problem = error.problem or "invalid YAML"
    if error.context:
        problem = f"{problem} ({error.context})"
    return YamlSourceError(f"YAML syntax: {' '.join(problem.split())}", line, column)


def _check_expanded_size(root: Node) -> None:
    """Refuse alias bombs and recursive aliases before anything expands them."""
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()

    def size(node: Node, depth: int) -> int:
        _check_depth(node, depth)
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in in_progress:
            raise YamlSourceError("an alias refers to itself (recursive YAML anchor)", *_where(node))
        total = 1
        if isinstance(node, (SequenceNode, MappingNode)):
            in_progress.add(key)
            children = node.value if isinstance(node, SequenceNode) else [n for kv in node.value for n in kv]
            for child in children:
                total += size(child, depth + 1) if isinstance(child, (SequenceNode, MappingNode)) else 1
                if total > MAX_EXPANDED_NODES:
                    raise YamlSourceError(
                        f"YAML aliases expand to more than {MAX_EXPANDED_NODES:,} nodes; "
                        "refusing to expand (remove the repeated anchors)",
                        *_where(node),
                    )
            in_progress.discard(key)
        sizes[key] = total
        return total

    size(root, 0)


def _check_depth(node: Node, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise YamlSourceError(
            f"lists and mappings nest more than {MAX_DEPTH} levels deep; a breakdown needs a few", *_where(node)
        )


def _where(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _to_data(node: Node, depth: int = 0) -> object:
    if isinstance(node, ScalarNode):
        if node.tag in _TEXT_TAGS:
            return node.value
        if node.tag not in _SAFE_SCALAR_TAGS:
            raise _tag_error(node)
        try:
            return _SCALARS.yaml_constructors[node.tag](_SCALARS, node)
        except (ConstructorError, ValueError) as error:
            raise YamlSourceError(f"cannot read {node.value!r} as {node.tag.rsplit(':', 1)[-1]}: {error}", *_where(node)) from None
    if isinstance(node, SequenceNode):
        if node.tag != "tag:yaml.org,2002:seq":
            raise _tag_error(node)
        _check_depth(node, depth)
        return [_to_data(child, depth + 1) for child in node.value]
    if node.tag != "tag:yaml.org,2002:map":
        raise _tag_error(node)
    _check_depth(node, depth)
    return _mapping_to_data(node, depth)


def _mapping_to_data(node: MappingNode, depth: int) -> dict:
    result: dict = {}
    merged: dict = {}
    key_nodes: dict[object, Node] = {}
    for key_node, value_node in node.value:
        if key_node.tag == _MERGE:
            sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
            for source in reversed(sources):
                if not isinstance(source, MappingNode):
                    raise YamlSourceError("a merge key `<<` needs a mapping or a list of mappings", *_where(source))
                merged.update(_mapping_to_data(source, depth + 1))
            continue
        # plain text keys and values are nearly every node: skip the general path for them
        key = key_node.value if key_node.tag == _STR and type(key_node) is ScalarNode else _to_data(key_node, depth + 1)
        if isinstance(key, (dict, list)):
            raise YamlSourceError("a mapping key must be a plain value, not a list or mapping", *_where(key_node))
        if key in key_nodes:
            first_line = key_nodes[key].start_mark.line + 1
            raise YamlSourceError(
                f"duplicate key {key!r} (first given on line {first_line}); keep one of them", *_where(key_node)
            )
        key_nodes[key] = key_node
        result[key] = (
            value_node.value
            if value_node.tag == _STR and type(value_node) is ScalarNode
            else _to_data(value_node, depth + 1)
        )
    if merged:
        merged.update(result)
        return merged
    return result


def _tag_error(node: Node) -> YamlSourceError:
    tag = node.tag.replace("tag:yaml.org,2002:", "!!")
    return YamlSourceError(f"YAML tag {tag!r} is not allowed; breakdowns are plain YAML (remove the tag)", *_where(node))


def node_at(root: Node | None, path: tuple) -> tuple[Node | None, bool]:
    """The deepest node along `path` (keys and list indexes) and whether the whole path was found.

    Path elements that do not name a node (pydantic adds names of union members) are skipped,
    so a problem is placed at the nearest node that exists (e.g. the mapping missing a key).
    """
    node = root
    found = True
    for element in path:
        child = _child(node, element)
        if child is None:
            found = False
            continue
        node = child
    return node, found


def key_node_at(root: Node | None, path: tuple) -> Node | None:
    """The key node of the last mapping entry on `path`, e.g. to point at an unknown key."""
    if not path:
        return None
    parent, found = node_at(root, path[:-1])
    if not found or not isinstance(parent, MappingNode):
        return None
    for key_node, _value in _entries(parent):
        if isinstance(key_node, ScalarNode) and key_node.value == str(path[-1]):
            return key_node
    return None


def _child(node: Node | None, element: object) -> Node | None:
    if isinstance(node, SequenceNode) and isinstance(element, int):
        return node.value[element] if 0 <= element < len(node.value) else None
    if isinstance(node, MappingNode):
        for key_node, value_node in _entries(node):
            if isinstance(key_node, ScalarNode) and key_node.value == str(element):
                return value_node
    return None


def _entries(node: MappingNode) -> list[tuple[Node, Node]]:
    """Entries in lookup priority: explicit keys first, then merge sources in order (YAML merge rules)."""
    explicit, merged = [], []
    for key_node, value_node in node.value:
        if key_node.tag == _MERGE:
            sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
            for source in sources:
                if isinstance(source, MappingNode):
                    merged.extend(_entries(source))
        else:
            explicit.append((key_node, value_node))
    return explicit + merged


def position(node: Node | None) -> tuple[int | None, int | None]:
    """1-based (line, column) of a node, or (None, None)."""
    if node is None:
        return None, None
    return _where(node)
