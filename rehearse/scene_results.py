"""A scene's measured takes in one place: analysis (cached), beat marks, events and beat summaries.

Reports, exports and the terminal app read from `scene_results`, so a take is analysed and its
events detected the same way everywhere. Takes not recorded yet, refused for consent, or failing
to decode are kept with a one-line reason, never dropped silently.
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


def subject_of(project, scene, take) -> str:
    """`Maya (Ines Duarte)`: the shot's subject, else the scene's first character."""
    shot = scene.shot(take.shot)
    character_id = (shot.subject if shot else None) or (scene.characters[0] if scene.characters else "")
    character = project.character(character_id) if character_id else None
    return f"{character.name.title()} ({character.actor})" if character else (character_id or "actor")


def shot_fps(project, scene, take) -> float:
    """The shot's capture rate, else the production's, frames/s."""
    shot = scene.shot(take.shot)
    return float((shot.frame_rate if shot else None) or project.production.fps)


def scene_results(
    project, scene, settings=None, *, progress: Callable | None = None, cached_only: bool = False
) -> SceneResults:
    """Analyse (from cache when possible) every recorded take of the scene and detect its events.

    `cached_only`: never decode; a take without a cached analysis gets the problem `not analyzed yet`
    (the terminal app's overview screens, which must not start MediaPipe in the app's process)."""
    from rehearse.analysis.events import beat_summaries
    from rehearse.config import load_settings
    from rehearse.pipeline import TakeOutcome, TakeTarget, analyze_one, consent_refusal, take_events
    from rehearse.store.sync import effective_beat_marks, synced_log_entries

    settings = settings or load_settings(project.root)
    results = SceneResults(project, scene)
    for take in scene.takes:
        path = project.take_path(take)
        result = TakeResult(take, path, shot_fps(project, scene, take), subject_of(project, scene, take))
        results.takes.append(result)
        # Marks for takes that never get analysed (not recorded, refused); analysed takes get
        # theirs again from take_events, with the measured duration bounding logged marks.
        result.beat_marks, result.beat_marks_source = effective_beat_marks(project.root, take)
        result.log_entries = synced_log_entries(project.root, take)
        if not path.exists():
            result.problem = f"{take.file} is not recorded yet"
            continue
        target = TakeTarget(path, take.label, scene.id, take)
        refusal = consent_refusal(project, scene, target)
        if refusal is not None:
            result.problem = refusal.one_line()
            continue
        if cached_only:
            from rehearse.analysis.take import load_cached

            cached = load_cached(path, settings, label=take.label)
            if cached is None:
                result.problem = f"{take.file} is not analyzed yet"
                continue
            outcome = TakeOutcome(target, analysis=cached, status="cached")
        else:
            outcome = analyze_one(target, settings, progress=progress)
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
