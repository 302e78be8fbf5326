"""Actors of a production and their takes: find an actor by name, collect their takes' figures, build their profile.

    character = find_character(project, "Ines Varga")        # actor name, character id or name
    profile = profile_from_results(project, character, [scene_results(...), ...], settings)

Gathering the scene results (analysis) is the flow layer's job: `rehearse.scene_results.actor_profile`.
"""

from __future__ import annotations

from collections.abc import Sequence

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


def actor_takes(project, character_id: str) -> list[tuple]:
    """(scene, take) for every take of the production on this character, in scene order."""
    return [(scene, take) for scene in project.scenes for take in scene.takes
            if scene.subject_of(take) == character_id]


def consent_error(project, character) -> ConsentError | None:
    """A ConsentError unless the actor gave explicit consent (`consent: true`): no profile is built."""
    from rehearse.breakdown.consent import consent_refusal

    return consent_refusal(character, project.root, f"no profile of {character.actor}")


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
            if scene.subject_of(result.take) != character.id:
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
                                   landmarks=analysis.landmarks, neutral=baseline.span,
                                   analysis_settings=settings.analysis if settings is not None else None)
        figures.append(take_figures(
            result.label, scene.id, character.id, events, analysis.duration_s,
            partners=[c for c in scene.characters if c != character.id], signals=analysis.signals,
            baseline=baseline.row(),
        ))
    return build_profile(character.actor, character.id, figures, character_name=character.name,
                         consent=character.consent, skipped=skipped, settings=config)
