"""Cross-reference checks of a scene against itself and the production, reported at file:line:column.

Checked: beats named by shots, takes, moves, leans, lighting, appearance changes and tracked
gestures exist; beat marks follow the beat order and lie inside the take; characters exist;
marks named by moves exist; a take's shot exists; the story day exists. A take whose video is
not there yet is a warning, not an error.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from yaml.nodes import Node

from rehearse.breakdown.models import Production, Scene, Take
from rehearse.breakdown.project import Problem
from rehearse.breakdown.timecode import format_seconds
from rehearse.breakdown.yaml_source import key_node_at, node_at, position
from rehearse.errors import Location, RehearseError


def field_path(loc: tuple) -> str:
    """`beats[2].hold.duration` from ('beats', 2, 'hold', 'duration')."""
    text = ""
    for element in loc:
        if isinstance(element, int):
            text += f"[{element}]"
        else:
            text += f".{element}" if text else str(element)
    return text


def did_you_mean(word: object, choices: list[str], what: str) -> str:
    """` (did you mean 'x'? known beats: a, b, c)`: the hint appended to an unknown name."""
    close = _closest(str(word), choices)
    known = ", ".join(choices[:20]) + (" ..." if len(choices) > 20 else "") if choices else "none"
    return f" (did you mean {close[0]!r}? {what}: {known})" if close else f" ({what}: {known})"


def _closest(word: str, choices: list[str], cutoff: float = 0.5) -> list[str]:
    """The single most similar choice, or none when nothing is close or two tie (`b7`: b1 or b2?)."""
    matcher = difflib.SequenceMatcher(b=word)
    scores = []
    for choice in choices:
        matcher.set_seq1(choice)
        scores.append((matcher.ratio(), choice))
    scores.sort(reverse=True)
    if not scores or scores[0][0] < cutoff or (len(scores) > 1 and scores[1][0] == scores[0][0]):
        return []
    return [scores[0][1]]


class FileProblems:
    """Collects problems for one file, placing each at the YAML node its field path names."""

    def __init__(self, path: Path, root: Node | None):
        self.path = path
        self.root = root
        self.problems: list[Problem] = []

    def add(self, severity: str, loc: tuple, message: str, *, at_key: bool = False) -> None:
        """Record a problem at the node for `loc` (its key when `at_key`), prefixed by the field path."""
        node = key_node_at(self.root, loc) if at_key else None
        if node is None:
            node, _found = node_at(self.root, loc)
        line, column = position(node)
        prefix = f"{field_path(loc)}: " if loc else ""
        self.problems.append(Problem(severity, prefix + message, Location(self.path, line, column)))

    def error(self, loc: tuple, message: str, *, at_key: bool = False) -> None:
        self.add("error", loc, message, at_key=at_key)

    def warning(self, loc: tuple, message: str, *, at_key: bool = False) -> None:
        self.add("warning", loc, message, at_key=at_key)


def check_scene(
    scene: Scene, report: FileProblems, production: Production | None, production_root: Path | None
) -> None:
    """Add every dangling reference and misplaced beat mark in `scene` to `report`."""
    beat_ids = [beat.id for beat in scene.beats]
    known_beats = set(beat_ids)

    def beat(loc: tuple, beat_id: str | None, *, at_key: bool = False) -> None:
        if beat_id is not None and beat_id not in known_beats:
            report.error(loc, f"no beat {beat_id!r} in this scene" + did_you_mean(beat_id, beat_ids, "beats"), at_key=at_key)

    characters = [c.id for c in production.characters] if production else []

    def character(loc: tuple, character_id: str | None) -> None:
        if character_id is None:
            return
        if production is not None and character_id not in characters:
            report.error(
                loc,
                f"no character {character_id!r} in production.yaml"
                + did_you_mean(character_id, characters, "characters"),
            )
        elif scene.characters and character_id not in scene.characters:
            report.warning(loc, f"{character_id!r} is not in this scene's characters list")

    if production is not None and scene.story_day is not None:
        days = [day.id for day in production.story_days]
        if scene.story_day not in days:
            report.error(
                ("story_day",),
                f"no story day {scene.story_day!r} in production.yaml" + did_you_mean(scene.story_day, days, "story days"),
            )
    if production is not None:
        for i, character_id in enumerate(scene.characters):
            character(("characters", i), character_id)

    for i, b in enumerate(scene.beats):
        for j, cue in enumerate(b.lines):
            character(("beats", i, "lines", j, "character"), cue.character)
        if b.hold is not None:
            character(("beats", i, "hold", "character"), b.hold.character)

    mark_ids = [mark.id for mark in scene.blocking.marks]
    seen_marks: set[str] = set()
    for i, mark_id in enumerate(mark_ids):
        if mark_id in seen_marks:
            report.error(("blocking", "marks", i, "id"), f"mark id {mark_id!r} is used twice")
        seen_marks.add(mark_id)
    for i, move in enumerate(scene.blocking.moves):
        beat(("blocking", "moves", i, "beat"), move.beat)
        character(("blocking", "moves", i, "character"), move.character)
        for name in ("to_mark", "from_mark"):
            mark_id = getattr(move, name)
            if mark_id is not None and mark_id not in seen_marks:
                report.error(
                    ("blocking", "moves", i, name),
                    f"no mark {mark_id!r} in blocking.marks" + did_you_mean(mark_id, mark_ids, "marks"),
                )
    for i, lean in enumerate(scene.blocking.leans):
        beat(("blocking", "leans", i, "beat"), lean.beat)
        character(("blocking", "leans", i, "character"), lean.character)
        character(("blocking", "leans", i, "target"), lean.target)
    for section in ("wardrobe", "makeup"):
        for i, cue in enumerate(getattr(scene, section)):
            character((section, i, "character"), cue.character)
            beat((section, i, "changes_at"), cue.changes_at)
    for i, note in enumerate(scene.lighting):
        beat(("lighting", i, "beat"), note.beat)
    for i, gesture in enumerate(scene.tracked_gestures):
        character(("tracked_gestures", i, "character"), gesture.character)
        beat(("tracked_gestures", i, "beat"), gesture.beat)
    for i, shot in enumerate(scene.shots):
        for j, beat_id in enumerate(shot.beats):
            beat(("shots", i, "beats", j), beat_id)
        character(("shots", i, "subject"), shot.subject)

    shot_ids = [shot.id for shot in scene.shots]
    slates: dict[tuple[str, int], int] = {}
    for i, take in enumerate(scene.takes):
        if take.shot not in shot_ids:
            report.error(("takes", i, "shot"), f"no shot {take.shot!r} in this scene" + did_you_mean(take.shot, shot_ids, "shots"))
        slate = (take.shot, take.number)
        if slate in slates:
            report.error(("takes", i, "number"), f"take {take.label} is listed twice (also takes[{slates[slate]}])")
        slates.setdefault(slate, i)
        _check_beat_marks(take, i, beat_ids, report, production_root, beat)


def _check_beat_marks(take: Take, index: int, beat_ids: list[str], report: FileProblems, production_root: Path | None, beat) -> None:
    loc = ("takes", index)
    from rehearse.breakdown.take_files import take_file_problem

    video = production_root / take.file if production_root is not None else None
    problem = take_file_problem(video, production_root) if video is not None else None
    video_exists = video is not None and problem is None
    if video is not None and problem == "video file not found":
        report.warning(
            (*loc, "file"), f"video {take.file!r} not found (relative to the production folder); this take is skipped until it exists"
        )
    elif problem is not None:
        # the same words analysis uses when it refuses the file
        report.warning((*loc, "file"), f"video {take.file!r}: {problem}; analysis will refuse this take")
    order = {beat_id: i for i, beat_id in enumerate(beat_ids)}
    for beat_id in take.beat_marks:
        beat((*loc, "beat_marks", beat_id), beat_id, at_key=True)
    known = sorted((order[b], b, t) for b, t in take.beat_marks.items() if b in order)
    for (_, previous_id, previous_time), (_, beat_id, time) in zip(known, known[1:], strict=False):
        if time <= previous_time:
            report.error(
                (*loc, "beat_marks", beat_id),
                f"{beat_id!r} starts at {format_seconds(time)}, not after {previous_id!r} at "
                f"{format_seconds(previous_time)}; beat marks must follow the order of the beats",
            )
    length = take.duration
    length_source = "duration"
    if length is None and video_exists:
        length = _video_seconds(video)
        length_source = "video length"
    if length is None:
        return  # no duration given and no readable video: the analyzer checks marks against the real length
    for beat_id, time in take.beat_marks.items():
        if time > length:
            # Against the breakdown's own `duration` the file contradicts itself (an error); against
            # the video the mark may be a sync offset or a re-export (a warning: analysis clips it).
            problem = report.error if length_source == "duration" else report.warning
            problem(
                (*loc, "beat_marks", beat_id),
                f"{beat_id!r} at {format_seconds(time)} is after the end of the take ({length_source} {format_seconds(length)})",
            )


def _video_seconds(path: Path) -> float | None:
    """The duration the container declares, in seconds (header only, no decoding); None when unknown."""
    # Lazy: PyAV is only needed when a take gives no duration and its video exists.
    from rehearse.video.probe import probe

    try:
        return probe(path).duration_s
    except RehearseError:
        return None  # an unreadable video is reported by analysis, not by the breakdown check
