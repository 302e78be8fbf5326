"""Actors of a production and their takes: find an actor by name, collect their takes' figures, build their profile.

    character = find_character(project, "Ines Varga")        # actor name, character id or name
    profile = actor_profile(project, character, settings)    # analyses (cached) via scene_results
    profile = profile_from_results(project, character, [scene_results(...), ...], settings)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rehearse.errors import ConsentError, Location, RehearseError
from rehearse.profiles.calibration import choose_baseline, neutral_marks
from rehearse.profiles.profile import ActorProfile, TakeFigures, build_profile, take_figures
from rehearse.profiles.settings import ProfileSettings


def find_character(project, name: str):
    """The character whose actor, id or name is `name` (case-insensitive); a RehearseError otherwise."""
    wanted = " ".join(name.split()).casefold()
    for character in project.production.characters:
        if wanted in (character.actor.casefold(), character.id.casefold(), character.name.casefold()):
            return character
    known = ", ".join(f"{c.actor} ({c.id})" for c in project.production.characters)
    raise RehearseError(f"no actor or character named `{name}`", Location(project.root / "production.yaml"),
                        hint=f"actors: {known}")


def take_character(scene, take) -> str | None:
    """Id of the character a take is on: the shot's subject, else the scene's first character."""
    shot = scene.shot(take.shot)
    return (shot.subject if shot else None) or (scene.characters[0] if scene.characters else None)


def actor_takes(project, character_id: str) -> list[tuple]:
    """(scene, take) for every take of the production on this character, in scene order."""
    return [(scene, take) for scene in project.scenes for take in scene.takes
            if take_character(scene, take) == character_id]


def consent_error(project, character) -> ConsentError | None:
    """A ConsentError when the actor is marked `consent: false`."""
    if character.consent is not False:
        return None
    return ConsentError(
        f"{character.actor} ({character.id}) has `consent: false` in production.yaml: no profile is built",
        Location(project.root / "production.yaml"),
        hint="analyze only with the actor's agreement; set consent: true once they give it",
    )


def profile_settings(settings) -> ProfileSettings:
    """The `profiles` section of the settings, or its defaults."""
    return getattr(settings, "profiles", None) or ProfileSettings()


def profile_from_results(project, character, results: Sequence, settings=None) -> ActorProfile:
    """The character's profile from already computed `SceneResults` (the report's, the app's)."""
    from rehearse.analysis.events import detect_events

    config = profile_settings(settings)
    marks = neutral_marks(project.root)
    chosen: list[tuple] = []
    skipped: list[str] = []
    for scene_result in results:
        scene = scene_result.scene
        for result in scene_result.takes:
            if take_character(scene, result.take) != character.id:
                continue
            if result.analysis is None:
                skipped.append(f"{result.label}: {result.problem or 'not analysed'}")
                continue
            chosen.append((scene, result))
    # Rest levels at the marked neutral spans make the profile's baseline; unmarked takes get a
    # window matched to it (only when some take is marked: otherwise the takes' own rest levels).
    marked = [choose_baseline(r.analysis.signals, marks[r.take.file], None, config.neutral_window_s,
                              config.neutral_max_motion_iod_s)
              for _, r in chosen if r.take.file in marks]
    profile_rest = None
    eyes = [b.eye_open_rest for b in marked if b.eye_open_rest is not None]
    corners = [b.lip_corner_rest_iod for b in marked if b.lip_corner_rest_iod is not None]
    if eyes and corners:
        profile_rest = (sorted(eyes)[len(eyes) // 2], sorted(corners)[len(corners) // 2])
    figures: list[TakeFigures] = []
    for scene, result in chosen:
        analysis = result.analysis
        baseline = choose_baseline(analysis.signals, marks.get(result.take.file), profile_rest,
                                   config.neutral_window_s, config.neutral_max_motion_iod_s)
        events = result.events
        if baseline.source == "profile":
            line_cues = {beat.id: list(beat.lines) for beat in scene.beats}
            events = detect_events(analysis.signals, analysis.audio, settings=getattr(settings, "events", None),
                                   beat_marks=result.beat_marks or None, line_cues=line_cues,
                                   landmarks=analysis.landmarks, neutral=baseline.span)
        figures.append(take_figures(
            result.label, scene.id, character.id, events, analysis.duration_s,
            partners=[c for c in scene.characters if c != character.id], signals=analysis.signals,
            baseline=baseline.row(),
        ))
    return build_profile(character.actor, character.id, figures, character_name=character.name,
                         consent=character.consent, skipped=skipped, settings=config)


def actor_profile(
    project, character, settings=None, *, progress: Callable | None = None, cached_only: bool = False
) -> ActorProfile:
    """Analyse (cached) the scenes with takes of this character and build the profile; refuses `consent: false`.

    `cached_only` never decodes: takes without a cached analysis are listed as skipped."""
    from rehearse.config import load_settings
    from rehearse.scene_results import scene_results

    refusal = consent_error(project, character)
    if refusal is not None:
        raise refusal
    settings = settings or load_settings(project.root)
    scene_ids = {scene.id for scene, _ in actor_takes(project, character.id)}
    results = [scene_results(project, scene, settings, progress=progress, cached_only=cached_only)
               for scene in project.scenes if scene.id in scene_ids]
    return profile_from_results(project, character, results, settings)
