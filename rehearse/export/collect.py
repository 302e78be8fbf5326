"""Gather a scene's takes into `TakeMarkers`: analysis (cached), events, drift flags and log entries.

Takes whose video is not recorded yet are left out with a warning; a take that fails to
analyse still exports its beats and log entries, with the one-line reason as a warning.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rehearse.export.markers import (
    Marker,
    TakeMarkers,
    beat_markers,
    event_marker,
    flag_marker,
    log_marker,
    sorted_markers,
)


@dataclass
class SceneMarkers:
    """A scene's takes ready to export, and what could not be included."""

    scene_id: str
    takes: list[TakeMarkers] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _subject(project, scene, take) -> str:
    shot = scene.shot(take.shot)
    character_id = (shot.subject if shot else None) or (scene.characters[0] if scene.characters else "")
    character = project.character(character_id) if character_id else None
    return f"{character.name.title()} ({character.actor})" if character else (character_id or "actor")


def collect_scene(
    project,
    scene,
    settings=None,
    *,
    flags_by_take: dict[str, list] | None = None,
    progress: Callable | None = None,
) -> SceneMarkers:
    """Every recorded take of `scene` with its markers. Analysis results come from the cache
    when they are there, and are computed (and cached) when they are not."""
    from rehearse.analysis.events import detect_events
    from rehearse.config import load_settings
    from rehearse.pipeline import TakeTarget, analyze_one, consent_refusal
    from rehearse.store.sync import effective_beat_marks, synced_log_entries

    settings = settings or load_settings(project.root)
    result = SceneMarkers(scene.id)
    summaries = {beat.id: beat.summary for beat in scene.beats}
    line_cues = {beat.id: list(beat.lines) for beat in scene.beats}
    for take in scene.takes:
        path = project.take_path(take)
        if not path.exists():
            result.warnings.append(f"take {take.label}: {take.file} is not recorded yet; left out")
            continue
        who = _subject(project, scene, take)
        target = TakeTarget(path, take.label, scene.id, take)
        markers: list[Marker] = []
        duration = take.duration or 0.0
        fps = _shot_fps(project, scene, take)  # the shot's rate, not a VFR file's average
        refusal = consent_refusal(project, scene, target)
        outcome = None
        if refusal is not None:
            result.warnings.append(refusal.one_line())
        else:
            outcome = analyze_one(target, settings, progress=progress)
            if outcome.error:
                result.warnings.append(outcome.error)
        marks, _ = effective_beat_marks(project.root, take, duration or None)
        if outcome is not None and outcome.analysis is not None:
            analysis = outcome.analysis
            duration = float(analysis.duration_s)
            events = detect_events(
                analysis.signals, analysis.audio, beat_marks=marks or None, line_cues=line_cues,
                landmarks=analysis.landmarks,
            )
            markers += [event_marker(event, who) for event in events]
        markers += beat_markers(marks, summaries)
        markers += [log_marker(kind, t, text, beat) for t, kind, text, beat in synced_log_entries(project.root, take)]
        for flag in (flags_by_take or {}).get(take.label, []):
            markers.append(flag_marker(flag.kind, flag.take_s or 0.0, flag.message, flag.severity, who))
        report = take.camera_report
        result.takes.append(
            TakeMarkers(
                scene_id=scene.id, label=take.label, shot=take.shot, number=take.number,
                status=take.status, file=take.file, path=path, fps=fps, duration_s=duration,
                start_timecode=report.start_timecode or "00:00:00:00", camera=report.camera,
                roll=report.roll, notes=take.notes, markers=sorted_markers(markers),
            )
        )
    return result


def _shot_fps(project, scene, take) -> float:
    shot = scene.shot(take.shot)
    return float((shot.frame_rate if shot else None) or project.production.fps)
