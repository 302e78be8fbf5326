"""Wardrobe and makeup continuity across scenes in story order: `wardrobe_flags(project)`.

A state (character + item) persists from scene to scene until a declared change: a cue's
`changes_at`/`new_state` within a scene (carried into later scenes), or `changed_on_purpose:
true` at a scene's start. A later scene that states something else, without declaring the
change, contradicts the earlier one; the flag names both scenes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rehearse.continuity.flags import DriftFlag

if TYPE_CHECKING:
    from rehearse.breakdown.project import Project


@dataclass(frozen=True)
class KnownState:
    """What an item looks like, and which scene (and beat) established it."""

    state: str
    scene: str
    beat: str | None = None


def _same(a: str, b: str) -> bool:
    # Wording differences of case, spacing and a trailing full stop are not contradictions.
    def norm(text: str) -> str:
        return " ".join(text.lower().replace(",", " , ").split()).rstrip(". ")

    return norm(a) == norm(b)


def wardrobe_flags(project: Project) -> list[DriftFlag]:
    """One `wardrobe` flag per contradiction, in story order."""
    known: dict[tuple[str, str, str], KnownState] = {}
    flags: list[DriftFlag] = []
    for scene in project.scenes:
        for department, cues in (("wardrobe", scene.wardrobe), ("makeup", scene.makeup)):
            for cue in cues:
                key = (department, cue.character, cue.item.strip().lower())
                before = known.get(key)
                if before is not None and not cue.changed_on_purpose and not _same(before.state, cue.state):
                    flags.append(_flag(project, department, cue.character, cue.item, before, scene.id, cue.state))
                known[key] = KnownState(cue.state, scene.id)
                if cue.changes_at is not None and cue.new_state is not None:
                    known[key] = KnownState(cue.new_state, scene.id, cue.changes_at)
    return flags


def _flag(project: Project, department: str, character_id: str, item: str, before: KnownState,
          scene_id: str, state: str) -> DriftFlag:
    character = project.character(character_id)
    who = character.name.title() if character else character_id
    since = f"scene {before.scene}" + (f" (changed at {before.beat})" if before.beat else "")
    return DriftFlag(
        kind="wardrobe", severity="high", beat=None, take=f"scene {scene_id}", reference=f"scene {before.scene}",
        values={"department": department, "character": character_id, "item": item,
                "earlier_scene": before.scene, "earlier_state": before.state, "scene": scene_id, "state": state},
        message=(f"Scene {scene_id}: {who}'s {item} is \"{state}\", but {since} left it \"{before.state}\" "
                 f"and no change is declared (set changed_on_purpose: true in scene {scene_id} if it is meant)."),
    )
