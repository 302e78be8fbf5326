"""What a loadable production still lacks to be useful (actors, story days, shots).

A freshly imported screenplay loads but cannot be analysed or reported on yet; these warnings
say what to fill in next and where. `rehearse check` prints them after the loader's own problems
(the loader already warns about a missing `consent:`); the loader does not print these, so the
app's banner stays about real mistakes.
"""

from __future__ import annotations

import re
from pathlib import Path

from rehearse.breakdown.project import PRODUCTION_FILE, Problem
from rehearse.errors import Location


def _line_of(path: Path, pattern: str) -> int | None:
    """1-based line of the first match of `pattern` in the file (for a clickable location)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    found = re.compile(pattern)
    return next((n for n, line in enumerate(lines, 1) if found.search(line)), None)


def still_missing(project) -> list[Problem]:
    """One warning, with its fix, per missing actor, story day and shot list."""
    problems: list[Problem] = []
    production_file = Path(project.root) / PRODUCTION_FILE
    production = project.production
    for index, character in enumerate(production.characters):
        where = Location(production_file, _line_of(production_file, rf"\bid:\s*['\"]?{re.escape(character.id)}\b"))
        field = f"characters[{index}]"
        if not character.actor.strip():
            problems.append(Problem("warning", f"{field}.actor: no actor for {character.name}; "
                                               f"write who plays them (actor: Full Name)", where))
    if not production.story_days and project.scenes:
        problems.append(Problem("warning", "story_days: none; list the story days (story_days: [{id: D1, "
                                           "label: Day 1}]) so wardrobe and makeup continuity can be checked",
                                Location(production_file, _line_of(production_file, r"^story_days:"))))
    for scene in project.scenes:
        scene_file = project.scene_files.get(scene.id)
        if scene_file is None:
            continue
        if production.story_days and scene.story_day is None:
            days = ", ".join(day.id for day in production.story_days)
            problems.append(Problem("warning", f"story_day: scene {scene.id} has none; add story_day: one of {days}",
                                    Location(scene_file, _line_of(scene_file, r"^heading:"))))
        if not scene.shots:
            problems.append(Problem("warning", f"shots: scene {scene.id} has none; add its shots (id, size, "
                                               "subject) and then its takes, to analyse them",
                                    Location(scene_file, _line_of(scene_file, r"^beats:"))))
    return problems
