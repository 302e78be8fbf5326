"""Read Fountain screenplays (https://fountain.io/syntax) into scenes, speeches and action.

Handles the title page, scene headings (`INT.`/`EXT.`/`EST.`/`INT./EXT.`/`I/E` or forced with
`.`), scene numbers `#12A#`, characters (all caps or forced with `@`, extensions such as
`(V.O.)` and `(CONT'D)` stripped), parentheticals, dual dialogue `^`, notes `[[...]]`, boneyard
`/* */`, sections `#`, synopses `=`, centered text `>...<`, lyrics `~`, transitions, page
breaks and emphasis (`*italic*`, `**bold**`, `_underline_`, with `\\*` escapes).

One deliberate leniency: a heading line followed directly by action (no blank line between,
which the spec asks for) is still read as a heading, because writers do it and reading it as
a character name would be worse.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from rehearse.errors import Location, RehearseError


class ScriptError(RehearseError):
    """A screenplay cannot be read (missing, not UTF-8, no scene headings)."""


@dataclass(frozen=True)
class Speech:
    """One character's speech: the name as printed and the lines, parentheticals in place."""

    character: str
    """Name without extensions or markers (e.g. `MAYA`)."""
    extensions: tuple[str, ...]
    """Extensions as written, without parentheses (e.g. `("V.O.",)`)."""
    lines: tuple[str, ...]
    """Dialogue and parenthetical lines in order, emphasis markers removed."""

    @property
    def text(self) -> str:
        """The whole speech on one line."""
        return " ".join(self.lines)


@dataclass(frozen=True)
class Dialogue:
    """One speech, or two spoken at once (dual dialogue, `^`)."""

    speeches: tuple[Speech, ...]
    """One speech, or two for dual dialogue."""


@dataclass(frozen=True)
class Action:
    """An action paragraph (or centered text, or lyrics), joined into one line."""

    text: str
    """The paragraph, its lines joined by spaces, emphasis markers removed."""


@dataclass
class ScriptScene:
    """A scene heading and what follows it, up to the next heading."""

    heading: str
    """The heading, upper case, without the forcing `.` or the scene number."""
    number: str | None = None
    """The scene number written as `#12A#`, if any."""
    synopses: list[str] = field(default_factory=list)
    """Synopsis lines (`= ...`) written under the heading."""
    elements: list[Dialogue | Action] = field(default_factory=list)
    """Dialogue and action in script order."""


@dataclass
class Screenplay:
    """A parsed screenplay: title page, scenes, and anything written before the first heading."""

    title_page: dict[str, str] = field(default_factory=dict)
    """Title page keys in lower case (`title`, `author`, `draft date` ...) -> value on one line."""
    scenes: list[ScriptScene] = field(default_factory=list)
    """Scenes in script order."""
    before_first_scene: list[Dialogue | Action] = field(default_factory=list)
    """Dialogue and action that come before any scene heading."""

    def character_names(self) -> list[str]:
        """Every speaking character's name, in order of first speech."""
        names: dict[str, None] = {}
        elements = [*self.before_first_scene, *(e for s in self.scenes for e in s.elements)]
        for element in elements:
            if isinstance(element, Dialogue):
                for speech in element.speeches:
                    names.setdefault(speech.character, None)
        return list(names)


# --- lexical helpers ---------------------------------------------------------------------------

_BONEYARD = re.compile(r"/\*.*?\*/", re.DOTALL)
# A note may span lines but not a blank line (an unclosed `[[` must not swallow the script).
_NOTE = re.compile(r"\[\[(?:(?!\n ?\n).)*?\]\]", re.DOTALL)
_REMOVED = "\x00"  # stands where a note or boneyard was, so a line holding only that can go
_HEADING = re.compile(r"^(?:INT\.?/EXT|INT/EXT|I/E|INT|EXT|EST)[. ]", re.IGNORECASE)
_SCENE_NUMBER = re.compile(r"\s*#([A-Za-z0-9][A-Za-z0-9.\-]*)#\s*$")
_TITLE_KEY = re.compile(r"^([^\s:][^:]*):[ \t]*(.*)$")
_TITLE_CONTINUATION = re.compile(r"^(?: {3,}|\t)\s*(\S.*)$")
_CENTERED = re.compile(r"^\s*>\s*(.*?)\s*<\s*$")
_PAGE_BREAK = re.compile(r"^\s*={3,}\s*$")
_EMPHASIS = re.compile(r"(\*\*\*|\*\*|\*|_)(?=\S)(.+?)(?<=\S)\1")
_EXTENSION = re.compile(r"\(([^)]*)\)")


def plain_text(text: str) -> str:
    """`text` without emphasis markers (`*`, `**`, `***`, `_`); `\\*` and `\\_` stay literal."""
    protected = text.replace("\\*", "\x01").replace("\\_", "\x02")
    previous = None
    while previous != protected:  # nested emphasis (`**_both_**`) needs more than one pass
        previous = protected
        protected = _EMPHASIS.sub(r"\2", protected)
    return protected.replace("\x01", "*").replace("\x02", "_")


def character_id(name: str) -> str:
    """An id for a character name: ASCII, lower case, `_` between words (`MRS. O'HARA` -> `mrs_o_hara`).

    Returns "" when nothing ASCII is left (e.g. a name in Cyrillic); callers number those.
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")[:80].rstrip("_")


def _strip_removed(lines: list[str]) -> list[str]:
    # A line that held only a note or boneyard disappears; one that held text keeps the text.
    kept = []
    for line in lines:
        if _REMOVED in line:
            line = line.replace(_REMOVED, "")
            if not line.strip():
                continue
        kept.append(line)
    return kept


def _is_separator(line: str) -> bool:
    # Two spaces alone are Fountain's way to keep an empty line inside a block.
    return line.strip() == "" and line != "  "


def _blocks(lines: list[str]) -> list[list[str]]:
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if _is_separator(line):
            if current:
                blocks.append(current)
            current = []
        else:
            current.append(line)
    if current:
        blocks.append(current)
    return blocks


# --- parsing -----------------------------------------------------------------------------------


def _title_page(block: list[str]) -> dict[str, str] | None:
    if not _TITLE_KEY.match(block[0]):
        return None
    page: dict[str, list[str]] = {}
    key = ""
    for line in block:
        if continuation := _TITLE_CONTINUATION.match(line):
            if not key:
                return None
            page[key].append(continuation[1])
        elif entry := _TITLE_KEY.match(line):
            key = entry[1].strip().lower()
            page.setdefault(key, [])
            if entry[2].strip():
                page[key].append(entry[2].strip())
        else:
            return None
    return {key: plain_text(" ".join(values)) for key, values in page.items()}


def _heading(line: str) -> tuple[str, str | None] | None:
    """(heading, scene number) if `line` is a scene heading, else None."""
    text = line.strip()
    if text.startswith(".") and not text.startswith(".."):
        text = text[1:].strip()
    elif not _HEADING.match(text):
        return None
    if not text:
        return None
    number = None
    if match := _SCENE_NUMBER.search(text):
        number = match[1]
        text = text[: match.start()]
    return plain_text(text).strip().upper(), number


def _character_cue(line: str) -> tuple[str, tuple[str, ...], bool] | None:
    """(name, extensions, is_dual) if `line` can open a speech, else None."""
    text = line.strip()
    dual = text.endswith("^")
    if dual:
        text = text[:-1].rstrip()
    forced = text.startswith("@")
    if forced:
        text = text[1:].strip()
    name = plain_text(text.split("(", 1)[0]).strip()
    if not name:
        return None
    if not forced and (name != name.upper() or not any(ch.isalpha() for ch in name)):
        return None
    extensions = tuple(ext.strip() for ext in _EXTENSION.findall(text) if ext.strip())
    return name, extensions, dual


def _speech_lines(lines: list[str]) -> tuple[str, ...]:
    # `~` marks a sung line (lyrics); the words are what the cue needs.
    stripped = (line.strip().removeprefix("~").strip() for line in lines)
    return tuple(" ".join(plain_text(line).split()) for line in stripped if line)


def _is_transition(block: list[str]) -> bool:
    if len(block) != 1:
        return False
    text = block[0].strip()
    if text.startswith(">") and not text.endswith("<"):
        return True
    return text.endswith("TO:") and text == text.upper()


def _action_text(block: list[str]) -> str:
    parts = []
    for line in block:
        if centered := _CENTERED.match(line):
            line = centered[1]
        elif line.lstrip().startswith(("!", "~")):
            line = line.lstrip()[1:]
        if line.strip():
            parts.append(plain_text(line.strip()))
    return " ".join(" ".join(parts).split())


def parse_fountain(text: str) -> Screenplay:
    """Parse Fountain source text (not a path) into a Screenplay."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").expandtabs(4)
    text = _BONEYARD.sub(_REMOVED, text)
    text = _NOTE.sub(_REMOVED, text)
    blocks = _blocks(_strip_removed(text.split("\n")))
    screenplay = Screenplay()
    if blocks and (page := _title_page(blocks[0])) is not None:
        screenplay.title_page = page
        blocks = blocks[1:]
    scene: ScriptScene | None = None

    def add(element: Dialogue | Action) -> None:
        (scene.elements if scene else screenplay.before_first_scene).append(element)

    for block in blocks:
        first = block[0].strip()
        if first.startswith("!"):
            add(Action(_action_text(block)))
        elif len(block) == 1 and _PAGE_BREAK.match(first):
            continue
        elif all(line.lstrip().startswith(("#", "=")) for line in block):
            # Sections organise the script; synopses under a heading describe that scene.
            if scene is not None and not any(line.lstrip().startswith("#") for line in block):
                scene.synopses += [plain_text(line.lstrip()[1:].strip()) for line in block]
        elif heading := _heading(block[0]):
            scene = ScriptScene(heading=heading[0], number=heading[1])
            screenplay.scenes.append(scene)
            rest = block[1:]
            scene.synopses += [plain_text(ln.lstrip()[1:].strip()) for ln in rest if ln.lstrip().startswith("=")]
            if action := _action_text([ln for ln in rest if not ln.lstrip().startswith("=")]):
                add(Action(action))
        elif len(block) > 1 and (cue := _character_cue(block[0])):
            name, extensions, dual = cue
            speech = Speech(name, extensions, _speech_lines(block[1:]))
            elements = scene.elements if scene else screenplay.before_first_scene
            if dual and elements and isinstance(elements[-1], Dialogue) and len(elements[-1].speeches) == 1:
                elements[-1] = Dialogue((*elements[-1].speeches, speech))
            else:
                add(Dialogue((speech,)))
        elif _is_transition(block):
            continue
        elif action := _action_text(block):
            add(Action(action))
    return screenplay


MAX_SCRIPT_BYTES = 4 * 1024 * 1024
"""Largest screenplay read (4 MiB); a feature script is a few hundred kilobytes."""
MAX_SCENES = 2000
"""Most scenes an import writes; more is not a screenplay (a feature has 100-250)."""


def read_fountain(path: Path) -> Screenplay:
    """Read and parse a Fountain file; ScriptError if it is missing, not UTF-8 or has no scenes."""
    import stat as stat_module

    path = Path(path)
    try:
        info = path.stat()
        if stat_module.S_ISREG(info.st_mode) and info.st_size > MAX_SCRIPT_BYTES:
            raise ScriptError(
                f"screenplay is {info.st_size / 2**20:.1f} MiB, over the {MAX_SCRIPT_BYTES // 2**20} MiB limit",
                Location(path), hint="a feature screenplay is well under 1 MiB; check that this is the .fountain file",
            )
        if not stat_module.S_ISREG(info.st_mode) and not stat_module.S_ISDIR(info.st_mode):
            raise ScriptError("not a regular file (a FIFO, device or socket)", Location(path),
                              hint="save the screenplay to a file and give that")
        data = path.read_bytes()
    except FileNotFoundError:
        raise ScriptError(
            "screenplay not found", Location(path), hint="check the path to the .fountain file"
        ) from None
    except IsADirectoryError:
        raise ScriptError(
            "is a folder, not a screenplay", Location(path), hint="give the .fountain file itself"
        ) from None
    except OSError as exc:
        raise ScriptError(f"cannot read the screenplay: {exc.strerror}", Location(path)) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ScriptError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x})",
            Location(path, line, column),
            hint="save the screenplay as UTF-8",
        ) from None
    screenplay = parse_fountain(text)
    if not screenplay.scenes:
        raise ScriptError(
            "no scene headings found",
            Location(path),
            hint="a heading is a line of its own starting with INT., EXT., EST., INT./EXT. or I/E,"
            " or forced with a leading '.'",
        )
    if len(screenplay.scenes) > MAX_SCENES:
        raise ScriptError(
            f"{len(screenplay.scenes)} scene headings, over the limit of {MAX_SCENES}", Location(path),
            hint="split the script, or check that lines are not all being read as headings",
        )
    return screenplay
