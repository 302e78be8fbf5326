"""`rehearse import SCRIPT.fountain [-o DIR] [--force]`: scaffold scene YAML from a screenplay.

Every scene heading becomes a scene file `NN-slug.yaml` (ids 01, 02, ... in script order) and
the speaking characters go into `production.yaml`. One beat per speech: each speech (or pair of
dual-dialogue speeches) is a beat with its line cue(s); the action written before a speech is
that beat's summary; action after the last speech becomes a closing beat of its own; synopsis
lines (`=`) and the action before the first speech become the scene's synopsis. Parentheticals
stay inside the line text where the writer put them. Nothing is overwritten without `--force`,
and each file is written atomically (temporary file, then rename).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from rehearse.errors import Location, RehearseError

PRODUCTION_FILE = "production.yaml"
DEFAULT_FPS = 24
_SLUG_MAX_CHARS = 48


@dataclass
class Scaffold:
    """What `rehearse import` writes: file name -> YAML-ready data, plus warnings to print."""

    production: dict
    """Contents of `production.yaml`."""
    scene_files: dict[str, dict] = field(default_factory=dict)
    """Scene file name (e.g. `01-int-kitchen-night.yaml`) -> scene data, in script order."""
    warnings: list[str] = field(default_factory=list)
    """Things the screenplay held that the breakdown could not place."""


def _folder_argument(value: str) -> Path:
    """argparse `type=` for `-o DIR`: an empty string is a usage error, not the current folder."""
    if not value.strip():
        raise argparse.ArgumentTypeError("empty output folder: give a folder, e.g. -o my-film")
    return Path(value)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `rehearse import`."""
    parser.add_argument("script", type=Path, help="the Fountain screenplay (.fountain)")
    parser.add_argument(
        "-o", "--output", type=_folder_argument, default=Path("."), metavar="DIR",
        help="folder to write production.yaml and the scene files into (default: this folder)",
    )
    parser.add_argument(
        "--force", action="store_true", help="overwrite files that already exist in DIR"
    )


def run(args: argparse.Namespace) -> int:
    """Read the screenplay, build the scaffold, write it; print one line per file."""
    from rehearse.breakdown.fountain import read_fountain

    screenplay = read_fountain(args.script)
    scaffold = scaffold_breakdown(screenplay, default_title=args.script.stem)
    for warning in scaffold.warnings:
        print(f"{args.script}: warning: {warning}")
    written = write_scaffold(scaffold, args.output, force=args.force, source=args.script.name)
    for path in written:
        print(f"wrote {path}")
    scenes = len(scaffold.scene_files)
    characters = len(scaffold.production["characters"])
    print(
        f"{scenes} scene{'s' * (scenes != 1)}, {characters} character{'s' * (characters != 1)};"
        f" fill in the actors, then run `rehearse check {args.output}`"
    )
    return 0


# --- screenplay -> data ------------------------------------------------------------------------


def slug(text: str) -> str:
    """File-name-safe form of a heading: `INT. KITCHEN - NIGHT` -> `int-kitchen-night`."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    cut = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:_SLUG_MAX_CHARS]
    return cut.strip("-") or "scene"


def _character_ids(names: list[str]) -> dict[str, str]:
    from rehearse.breakdown.fountain import character_id

    ids: dict[str, str] = {}
    unnamed = 0
    for name in names:
        ident = character_id(name)
        if not ident:  # a name with no ASCII letters or digits gets a numbered id
            unnamed += 1
            ident = f"character_{unnamed}"
        ids[name] = ident
    return ids


def _line_cues(speech, character: str) -> list[dict]:
    """A speech as line cues: a parenthetical starts a new cue and is kept in its own field,
    so `(lightly) Of course I did.` is the text `Of course I did.` said `lightly`."""
    cues: list[dict] = []
    parenthetical = ""
    words: list[str] = []

    def close() -> None:
        if words or parenthetical:
            cue = {"character": character}
            if parenthetical:
                cue["parenthetical"] = parenthetical
            cue["text"] = " ".join(words)
            cues.append(cue)

    for line in speech.lines:
        if line.startswith("(") and line.endswith(")"):
            if words:  # a direction in the middle of a speech starts the next cue
                close()
                words, parenthetical = [], ""
            parenthetical = " ".join(filter(None, [parenthetical, line[1:-1].strip()]))
        else:
            words.append(line)
    close()
    return cues


def _scene_data(scene, scene_id: str, ids: dict[str, str]) -> dict:
    from rehearse.breakdown.fountain import Dialogue

    synopsis = list(scene.synopses)
    characters: dict[str, None] = {}
    beats: list[dict] = []
    pending_action: list[str] = []
    for element in scene.elements:
        if not isinstance(element, Dialogue):
            (pending_action if beats else synopsis).append(element.text)
            continue
        if not beats and pending_action:
            synopsis += pending_action
            pending_action = []
        for speech in element.speeches:
            characters.setdefault(ids[speech.character], None)
        beat: dict = {"id": f"b{len(beats) + 1}"}
        if pending_action:  # the action before a speech is its summary; nothing is invented
            beat["summary"] = " ".join(pending_action)
        beat["lines"] = [cue for s in element.speeches for cue in _line_cues(s, ids[s.character])]
        beats.append(beat)
        pending_action = []
    if pending_action:
        beats.append({"id": f"b{len(beats) + 1}", "summary": " ".join(pending_action)})
    data: dict = {"id": scene_id, "heading": scene.heading, "characters": list(characters)}
    if synopsis:
        data["synopsis"] = " ".join(synopsis)
    data["beats"] = beats
    return data


def scaffold_breakdown(screenplay, *, default_title: str) -> Scaffold:
    """Production and scene data for a parsed Screenplay, checked against the breakdown models."""
    from rehearse.breakdown.models import Production, Scene

    ids = _character_ids(screenplay.character_names())
    page = screenplay.title_page
    notes = "; ".join(
        f"{key.capitalize()}: {page[key]}" for key in ("credit", "author", "source", "draft date") if page.get(key)
    )
    characters: dict[str, dict] = {}
    for name, ident in ids.items():  # two spellings of one name share the first one's entry
        characters.setdefault(ident, {"id": ident, "name": name, "actor": ""})
    width = max(2, len(str(len(screenplay.scenes))))
    scene_ids = [f"{n:0{width}d}" for n in range(1, len(screenplay.scenes) + 1)]
    production = {
        "title": page.get("title") or default_title,
        "fps": DEFAULT_FPS,
        "characters": list(characters.values()),
        "story_days": [],
        "script_order": scene_ids,
    }
    if notes:
        production["notes"] = notes
    scaffold = Scaffold(production=production)
    if not characters:
        scaffold.warnings.append(
            "no speaking characters found; production.yaml lists a placeholder SOMEONE to replace"
        )
        production["characters"] = [{"id": "someone", "name": "SOMEONE", "actor": ""}]
    speeches_before = sum(1 for e in screenplay.before_first_scene if hasattr(e, "speeches"))
    if speeches_before:
        scaffold.warnings.append(
            f"{speeches_before} speech(es) before the first scene heading were not imported"
        )
    for scene, scene_id in zip(screenplay.scenes, scene_ids, strict=True):
        scaffold.scene_files[f"{scene_id}-{slug(scene.heading)}.yaml"] = _scene_data(scene, scene_id, ids)
    # A scaffold that the models reject would be our bug, not the user's: fail loudly here.
    fps = {"fps": DEFAULT_FPS}
    Production.model_validate(production, context=fps)
    for data in scaffold.scene_files.values():
        Scene.model_validate(data, context=fps)
    return scaffold


# --- writing ----------------------------------------------------------------------------------


_HEADER = (
    "# Scaffolded by `rehearse import` from {source}.\n"
    "# {what}\n"
)


def _yaml_text(data: dict, source: str, what: str) -> str:
    import yaml

    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)
    return _HEADER.format(source=source, what=what) + body


def _write_atomically(path: Path, text: str) -> None:
    # Temp file in the same folder, then rename: a killed run never leaves half a file.
    descriptor, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, 0o644)  # mkstemp makes 0600; a breakdown is an ordinary shared file
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def write_scaffold(scaffold: Scaffold, output: Path, *, force: bool = False, source: str = "a Fountain screenplay") -> list[Path]:
    """Write production.yaml and the scene files into `output`; returns the paths written.

    Checks every target first, so a refusal (RehearseError) leaves the folder untouched.
    """
    output = Path(output)
    if output.exists() and not output.is_dir():
        raise RehearseError("is a file, not a folder", Location(output), hint="give a folder with -o")
    targets = [output / PRODUCTION_FILE, *(output / name for name in scaffold.scene_files)]
    existing = [path for path in targets if path.exists()]
    if existing and not force:
        others = f" and {len(existing) - 1} more" if len(existing) > 1 else ""
        raise RehearseError(
            f"already exists{others}; nothing was written",
            Location(existing[0]),
            hint="pass --force to overwrite, or choose another folder with -o",
        )
    try:
        # Everything is written into a temp folder first; a run killed there leaves no production.yaml
        # that `check` would pass. A new folder is then one rename; into an existing one the scene
        # files move first and production.yaml last.
        output.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{output.name or 'import'}.import-", dir=output.parent if not output.is_dir() else output))
        try:
            _write_atomically(
                staging / PRODUCTION_FILE,
                _yaml_text(scaffold.production, source, "Fill in each actor (and consent), story days and notes."),
            )
            for name, data in scaffold.scene_files.items():
                _write_atomically(
                    staging / name,
                    _yaml_text(data, source, "Add story_day, intent, holds, blocking, wardrobe, shots and takes."),
                )
            if not output.exists():
                os.chmod(staging, 0o777 & ~_umask())
                os.rename(staging, output)
            else:
                for target in [*targets[1:], targets[0]]:
                    os.replace(staging / target.name, target)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
    except OSError as exc:
        raise RehearseError(
            f"cannot write: {exc.strerror}", Location(exc.filename or output), hint="check the folder's permissions"
        ) from None
    return targets


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
