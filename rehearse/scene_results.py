"""The flow's scene steps, after `pipeline` (plan, analyse, events): scene results, drift, profiles.

    results = scene_results(project, scene, settings)     # every take: analysis, events, beats
    report  = scene_drift(project, scene, settings, results=results)   # continuity.drift on them
    profile = actor_profile(project, character, settings)  # profiles over the actor's scenes

Reports, exports, commands and the terminal app read from `scene_results`, so a take is analysed
(through `pipeline.analyze_one`, where consent is checked) and its events detected the same way
everywhere. Takes not recorded yet, refused for consent, or failing to decode are kept with a
one-line reason, never dropped silently. `continuity/` and `profiles/` receive these finished
results and never call back up here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class TakeResult:
    """One take of a scene and everything measured on it (or why nothing was)."""

    take: Any
    """The breakdown's `Take`."""
    path: Path
    fps: float
    """The shot's frame rate (the production's when the shot gives none), frames/s."""
    subject: str
    """Who the take is on, as `Maya (Ines Duarte)`."""
    analysis: Any = None
    """`TakeAnalysis`, or None when the take could not be analysed."""
    events: list = field(default_factory=list)
    beat_marks: dict[str, float] = field(default_factory=dict)
    beat_marks_source: str = "none"
    """`breakdown`, `log` or `none`."""
    beats: list = field(default_factory=list)
    """`BeatSummary` per beat mark."""
    log_entries: list[tuple[float, str, str, str | None]] = field(default_factory=list)
    """(time in the take, kind, text, beat) from a synced rehearsal log."""
    problem: str | None = None
    """One line saying why the take has no analysis (not recorded, refused, failed)."""
    neutral: Any = None
    """The take's marked neutral span (`TimeSpan`) its thresholds used, None: its own rest level."""

    @property
    def label(self) -> str:
        return self.take.label

    @property
    def duration_s(self) -> float:
        if self.analysis is not None:
            return float(self.analysis.duration_s)
        return float(self.take.duration or 0.0)


@dataclass
class SceneResults:
    """Every take of a scene, in breakdown order."""

    project: Any
    scene: Any
    takes: list[TakeResult] = field(default_factory=list)

    @property
    def analysed(self) -> list[TakeResult]:
        return [t for t in self.takes if t.analysis is not None]

    def take(self, label: str) -> TakeResult | None:
        return next((t for t in self.takes if t.label == label), None)


def subject_label(project, scene, take) -> str:
    """`Maya (Ines Duarte)`: who the take is on (`Scene.subject_of`), for tables and markers."""
    character_id = scene.subject_of(take)
    character = project.character(character_id) if character_id else None
    return f"{character.name.title()} ({character.actor})" if character else (character_id or "actor")


def shot_fps(project, scene, take) -> float:
    """The shot's capture rate, else the production's, frames/s."""
    shot = scene.shot(take.shot)
    return float((shot.frame_rate if shot else None) or project.production.fps)


def scene_results(
    project, scene, settings=None, *, progress: Callable | None = None, cached_only: bool = False,
    should_stop: Callable[[], bool] | None = None,
) -> SceneResults:
    """Analyse (from cache when possible) every recorded take of the scene and detect its events.

    `cached_only`: never decode; a take without a cached analysis gets the problem `not analyzed yet`
    (the terminal app's overview screens, which must not start MediaPipe in the app's process).
    When `should_stop()` turns true mid-analysis, AnalysisCancelled is raised: a stopped scene has
    no results, not results with holes."""
    from rehearse.analysis.events import beat_summaries
    from rehearse.config import load_settings
    from rehearse.pipeline import analyze_one, take_events, take_target
    from rehearse.store.sync import effective_beat_marks, synced_log_entries

    settings = settings or load_settings(project.root)
    results = SceneResults(project, scene)
    for take in scene.takes:
        target = take_target(project, scene, take)
        result = TakeResult(take, target.path, shot_fps(project, scene, take), subject_label(project, scene, take))
        results.takes.append(result)
        # Marks for takes that never get analysed (not recorded, refused); analysed takes get
        # theirs again from take_events, with the measured duration bounding logged marks.
        result.beat_marks, result.beat_marks_source = effective_beat_marks(project.root, take)
        result.log_entries = synced_log_entries(project.root, take)
        if not target.path.exists():
            result.problem = f"{take.file} is not recorded yet"
            continue
        outcome = analyze_one(target, settings, progress=progress, cached_only=cached_only, should_stop=should_stop)
        if outcome.status == "stopped":
            from rehearse.analysis.take import AnalysisCancelled

            raise AnalysisCancelled(outcome.error or f"{take.file}: stopped")
        if outcome.error:
            result.problem = outcome.error
            continue
        analysis = result.analysis = outcome.analysis
        detected = take_events(target, analysis, project, settings)
        result.events, result.neutral = detected.events, detected.neutral
        result.beat_marks, result.beat_marks_source = detected.beat_marks, detected.beat_marks_source
        if result.beat_marks:
            result.beats = beat_summaries(result.events, result.beat_marks, analysis.duration_s, scene)
    return results


def scene_drift(project, scene, settings=None, *, reference: str | None = None, progress: Callable | None = None,
                results: SceneResults | None = None):
    """The scene's `DriftReport`: its takes' results (computed here unless given) handed to continuity."""
    from rehearse.config import load_settings
    from rehearse.continuity.drift import drift_for_scene

    settings = settings or load_settings(project.root)
    results = results or scene_results(project, scene, settings, progress=progress)
    return drift_for_scene(project, scene, results, settings, reference=reference)


def files_drift(files: list[Path], project_dir: Path | None = None, settings=None, *, progress: Callable | None = None):
    """Video files compared with the first: planned (a production's takes carry their cast, so
    consent is checked), analysed, then handed to continuity with no breakdown (aligned by DTW)."""
    from rehearse.config import load_settings
    from rehearse.continuity.drift import drift_for_analyses
    from rehearse.errors import Location, RehearseError
    from rehearse.pipeline import analyze_targets, plan_takes

    plan = plan_takes([str(f) for f in files], project_dir)
    if plan.refused:
        raise RehearseError(plan.refused[0].error.split(": error: ", 1)[-1], Location(plan.refused[0].target.path))
    settings = settings or load_settings(plan.project.root if plan.project is not None else None)
    outcomes = analyze_targets(plan.targets, settings, progress=progress)
    reference = outcomes[0]
    if reference.analysis is None:
        raise RehearseError(f"cannot compare with {reference.target.path}: {reference.error}",
                            Location(reference.target.path), hint="pass a readable video with a face as the reference")
    warnings = [o.error or f"{o.target.path}: analysis failed" for o in outcomes[1:] if o.analysis is None]
    analysed = [(o.target.path.name, o.analysis) for o in outcomes if o.analysis is not None]
    return drift_for_analyses(analysed, settings, warnings=warnings)


def actor_profile(project, character, settings=None, *, progress: Callable | None = None, cached_only: bool = False):
    """The character's `ActorProfile` over every scene with takes on them (analysed, cached when possible).

    Refuses (raises the ConsentError) unless the actor gave consent. `cached_only` never decodes:
    takes without a cached analysis are listed as skipped."""
    from rehearse.config import load_settings
    from rehearse.profiles.collect import actor_takes, consent_error, profile_from_results

    refusal = consent_error(project, character)
    if refusal is not None:
        raise refusal
    settings = settings or load_settings(project.root)
    scene_ids = {scene.id for scene, _ in actor_takes(project, character.id)}
    results = [scene_results(project, scene, settings, progress=progress, cached_only=cached_only)
               for scene in project.scenes if scene.id in scene_ids]
    return profile_from_results(project, character, results, settings)


def scene_profile_flags(project, results: SceneResults, settings=None) -> list:
    """`profile` flags for one scene's takes, each against its actor's profile over this scene and
    the actor's other scenes as cached (other scenes are never decoded here)."""
    from rehearse.profiles.outliers import scene_profile_flags as flags_against
    from rehearse.profiles.outliers import scene_subjects

    others = {
        character_id: [scene_results(project, scene, settings, cached_only=True) for scene in project.scenes
                       if scene.id != results.scene.id
                       and any(scene.subject_of(take) == character_id for take in scene.takes)]
        for character_id in scene_subjects(results)
    }
    return flags_against(project, results, others, settings)
