"""Consent: the one rule for whether an actor may be analysed, and the one line saying why not.

Consent is explicit. Only `consent: true` on the character in production.yaml allows face and
body analysis of the takes they are in; `consent: false` and a missing `consent:` (what
`rehearse import` leaves) both mean not given. `pipeline.analyze_one` (every analysis of a
file goes through it), live watching of a take (`live.take_binding`), the actor profiles and
the app's screens all ask `consent_refusal` / `cast_refusal`.
"""

from __future__ import annotations

from pathlib import Path

from rehearse.breakdown.folders import PRODUCTION_FILE
from rehearse.errors import ConsentError, Location


def actor_name(character) -> str:
    """`Ines Varga (maya)`, or `the actor playing maya` before an actor is cast (`rehearse import`)."""
    return f"{character.actor} ({character.id})" if character.actor.strip() else f"the actor playing {character.id}"


def consent_given(character) -> bool:
    """True only for an explicit `consent: true`."""
    return character.consent is True


def consent_state(character) -> str:
    """`given`, `refused` (`consent: false`) or `not given` (no `consent:`), as screens and tables show it."""
    return {True: "given", False: "refused"}.get(character.consent, "not given")


def consent_refusal(character, production_root: Path | None, what: str) -> ConsentError | None:
    """None when `character` consented; else the ConsentError for `what` (e.g. `take 1A-3 not analyzed`)."""
    if consent_given(character):
        return None
    who = actor_name(character)
    if character.consent is False:
        reason = f"{who} has `consent: false`"
        hint = "analyze only with the actor's agreement; set `consent: true` once they give it"
    else:
        reason = f"{who} has no `consent:` in {PRODUCTION_FILE}, and missing means not given"
        hint = f"once the actor agrees, set `consent: true` under characters -> {character.id} in {PRODUCTION_FILE}"
    where = Location(Path(production_root) / PRODUCTION_FILE) if production_root is not None else Location(PRODUCTION_FILE)
    return ConsentError(f"{what}: {reason}", where, hint=hint)


def cast_refusal(cast, production_root: Path | None, what: str) -> ConsentError | None:
    """The first refusal among `cast` (a scene's characters: everyone on set is on camera), or None."""
    for character in cast:
        refusal = consent_refusal(character, production_root, what)
        if refusal is not None:
            return refusal
    return None


def scene_cast(project, scene) -> tuple:
    """The scene's characters as the production defines them (unknown ids left out)."""
    return tuple(c for c in (project.character(cid) for cid in scene.characters) if c is not None)
