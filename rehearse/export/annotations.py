"""Read corrected annotations back (ELAN .eaf as `export` writes it, or a .csv) as confirmed events.

An EAF's event tiers are named `WHO - KIND`, `WHO - KIND (DETAIL)` and `... - overlap N`
(rehearse.export.eaf); their annotations, with the times the annotator left them at, become
records `{kind, detail, start_s, end_s, side, label, text}`. Tiers that are not events (beats,
flags, log) and tiers of unknown kinds are skipped and reported. The kinds with a tier are the
kinds the file covers: detections of those kinds give way to the file, even an emptied tier.

A CSV has a header row with `kind` (or `tier`), `start_s` and `end_s` (seconds, or `begin`/`end`
as ELAN's tab-delimited export names them), and optionally `side`, `label`, `detail`, `text`.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from rehearse.errors import Location, RehearseError

SIDES = ("left", "right", "both", "up", "down")
_TIER = re.compile(r"^(?:(?P<who>.+) - )?(?P<kind>[a-z_]+)(?: \((?P<detail>[^()]*)\))?(?: - overlap \d+)?$")
_NAME = re.compile(r"^(?P<name>.*?)\s+-?\d+(?:\.\d+)? s-")


@dataclass
class Annotations:
    """What one file holds for one take."""

    path: Path
    records: list[dict] = field(default_factory=list)
    kinds: set[str] = field(default_factory=set)
    media: list[str] = field(default_factory=list)
    """Linked videos (EAF), as paths, to find the take."""
    skipped: list[str] = field(default_factory=list)
    """Tiers left out, each with why."""


def read_annotations(path: Path) -> Annotations:
    """Read an .eaf or .csv file; a one-line RehearseError naming the file when it cannot be read."""
    from rehearse.analysis.events.model import EVENT_KINDS

    path = Path(path)
    if not path.is_file():
        raise RehearseError("file not found", Location(path), hint="give the .eaf or .csv to import")
    suffix = path.suffix.lower()
    if suffix == ".eaf":
        return _read_eaf(path, EVENT_KINDS)
    if suffix in (".csv", ".tsv", ".txt"):
        return _read_csv(path, EVENT_KINDS)
    raise RehearseError(f"cannot import a {suffix or 'suffix-less'} file", Location(path),
                        hint="import an ELAN .eaf (as `rehearse export --format eaf` writes) or a .csv")


def _read_eaf(path: Path, kinds_known) -> Annotations:
    from xml.etree.ElementTree import ParseError

    from pympi.Elan import Eaf

    try:
        eaf = Eaf(str(path))
    # pympi raises a bare Exception ("Unable to parse eaf") for XML it cannot parse, and
    # KeyError/ValueError/IndexError for a document that parses but is not ELAN's
    except (ParseError, KeyError, ValueError, IndexError, Exception) as error:  # noqa: B014
        raise RehearseError(f"not a readable ELAN file ({type(error).__name__}: {error})", Location(path),
                            hint="save it again from ELAN") from None
    found = Annotations(path, media=[_media_path(d) for d in eaf.media_descriptors])
    for tier in eaf.get_tier_names():
        if tier in ("beats", "flags", "log"):
            continue
        match = _TIER.match(tier)
        if match is None or match["kind"] not in kinds_known:
            found.skipped.append(f"tier {tier!r}: not an event tier (`WHO - KIND`, KIND one of {', '.join(kinds_known)})")
            continue
        kind, detail = match["kind"], match["detail"] or ""
        found.kinds.add(kind)
        for start_ms, end_ms, value, *_ in eaf.get_annotation_data_for_tier(tier):
            found.records.append(_record(kind, detail, start_ms / 1000, end_ms / 1000, value or ""))
    return found


def _media_path(descriptor: dict) -> str:
    """The linked video as a path: MEDIA_URL's file URI, else the relative URL."""
    from urllib.parse import unquote, urlparse

    url = descriptor.get("MEDIA_URL", "")
    if url.startswith("file:"):
        return unquote(urlparse(url).path)
    return descriptor.get("RELATIVE_MEDIA_URL") or url


def _record(kind: str, detail: str, start_s: float, end_s: float, text: str, side: str = "", label: str = "") -> dict:
    """One confirmed event; side and label read from the annotation's words as `export` wrote them
    (`blink partial left 1.00 s-1.10 s ...`) unless given."""
    name = _NAME.match(text)
    words = (name["name"] if name else text).split()
    kind_words = kind.split("_")
    if words[: len(kind_words)] == kind_words:
        words = words[len(kind_words):]
        if not side and words and words[-1] in SIDES:
            side = words.pop()
        if not label and words:
            label = "_".join(words)
    record = {"kind": kind, "detail": detail, "start_s": round(start_s, 4), "end_s": round(end_s, 4), "text": text}
    if side:
        record["side"] = side
    if label or (detail and kind in ("expression", "gesture")):
        record["label"] = label or detail
    return record


def _read_csv(path: Path, kinds_known) -> Annotations:
    found = Annotations(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise RehearseError(f"cannot read the CSV ({error})", Location(path), hint="save it as UTF-8") from None
    first = text.splitlines()[0] if text.strip() else ""
    dialect = "excel-tab" if "\t" in first else "excel"
    rows = csv.DictReader(text.splitlines(), dialect=dialect)
    columns = {name.strip().lower(): name for name in rows.fieldnames or []}
    kind_col = columns.get("kind") or columns.get("tier")
    start_col = columns.get("start_s") or columns.get("begin") or columns.get("start")
    end_col = columns.get("end_s") or columns.get("end")
    if not (kind_col and start_col and end_col):
        raise RehearseError("the CSV needs the columns kind (or tier), start_s and end_s", Location(path, 1),
                            hint="first row: kind,start_s,end_s[,side,label,text]")
    for line, row in enumerate(rows, start=2):
        tier = (row.get(kind_col) or "").strip()
        match = _TIER.match(tier)
        if match is None or match["kind"] not in kinds_known:
            raise RehearseError(f"{kind_col} {tier!r} is not an event kind", Location(path, line),
                                hint=f"one of {', '.join(kinds_known)}")
        try:
            start, end = float(row[start_col]), float(row[end_col])
        except (TypeError, ValueError):
            raise RehearseError(f"{start_col}/{end_col} must be seconds", Location(path, line),
                                hint="write times as seconds, e.g. 1.25") from None
        if end < start:
            raise RehearseError("the event ends before it starts", Location(path, line), hint="swap the times")
        kind = match["kind"]
        found.kinds.add(kind)
        detail = (row.get(columns.get("detail", ""), "") or match["detail"] or "").strip()
        found.records.append(_record(kind, detail, start, end, (row.get(columns.get("text", "")) or "").strip(),
                                     side=(row.get(columns.get("side", "")) or "").strip(),
                                     label=(row.get(columns.get("label", "")) or "").strip()))
    return found
