"""Continuity drift for a scene's takes: `drift_for_scene` and `drift_for_analyses` build `DriftReport`s.

They receive finished results (a scene's `SceneResults`, or analysed files) from the flow layer
(`rehearse.scene_results.scene_drift` / `files_drift`) and never call back up to analyse. Each
take's framing is measured from its face landmarks and its lighting from a few stills per beat;
then every take is compared with the reference take (`compare.py`) and every take, the reference
included, is checked against the breakdown's tracked gestures.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from rehearse.continuity.compare import ComparedTake, compare_takes
from rehearse.continuity.flags import DriftFlag, DriftReport
from rehearse.continuity.gestures_check import tracked_gesture_flags
from rehearse.errors import Location, RehearseError

if TYPE_CHECKING:
    from rehearse.analysis.take import TakeAnalysis
    from rehearse.breakdown.models import Scene, Take
    from rehearse.breakdown.project import Project
    from rehearse.config import Settings

__all__ = ["DriftFlag", "DriftReport", "ComparedTake", "compare_takes", "drift_for_analyses", "drift_for_scene",
           "pick_reference", "take_data_from_analysis", "wardrobe_flags"]


def wardrobe_flags(project: Project) -> list[DriftFlag]:
    """Wardrobe and makeup contradictions across scenes in story order (see wardrobe.py)."""
    from rehearse.continuity.wardrobe import wardrobe_flags as flags

    return flags(project)


def take_data_from_analysis(
    analysis: TakeAnalysis,
    label: str,
    settings: Settings,
    *,
    beat_marks: dict[str, float] | None = None,
    shot_size: str | None = None,
    who: str = "The actor",
    line_cues: dict | None = None,
    events: list | None = None,
    measure_light: bool = True,
) -> ComparedTake:
    """Events (detected here unless given), framing and lighting of one analysed take."""
    from rehearse.analysis.events import detect_events
    from rehearse.analysis.events.beats import beat_spans
    from rehearse.continuity.framing import face_channel_cut
    from rehearse.continuity.lighting import measure_lighting

    marks = dict(beat_marks or {})
    if events is None:
        events = detect_events(analysis.signals, analysis.audio, settings=settings.events, beat_marks=marks or None,
                               line_cues=line_cues, landmarks=analysis.landmarks,
                               analysis_settings=settings.analysis)
    face = analysis.landmarks.get("face")
    face_cut = None
    if face is not None and face.points.shape[0] == analysis.signals.frame_count:
        face_cut = face_channel_cut(face.points, settings.drift.frame_edge_margin)
    pose = analysis.landmarks.get("pose")
    body_confidence = None
    if pose is not None and pose.times.size:
        times = analysis.signals.times
        nearest = np.clip(np.searchsorted(pose.times, times), 0, pose.times.size - 1)
        body_confidence = np.asarray(pose.confidence, dtype=float)[nearest]
    lighting = {}
    if measure_light and face is not None and not analysis.no_face:
        spans = beat_spans(marks, analysis.duration_s) if marks else [(None, 0.0, analysis.duration_s)]
        lighting = measure_lighting(Path(analysis.video_path), face, spans, settings.drift.lighting_stills_per_beat)
    return ComparedTake(label=label, events=events, signals=analysis.signals, beat_marks=marks,
                    duration_s=float(analysis.duration_s), shot_size=shot_size, who=who,
                    face_cut=face_cut, lighting=lighting, body_confidence=body_confidence)


def pick_reference(scene: Scene, wanted: str | None, where: Path | None = None,
                   project: Project | None = None) -> Take | None:
    """The take named by `wanted` (`1A-2`, `01/1A-2`, `2`, its file name, or a path to its file
    from here or the production folder), else the circled take, else None."""
    takes = list(scene.takes)
    if wanted:
        for take in takes:
            if wanted in (take.label, str(take.number), take.file, Path(take.file).name, Path(take.file).stem):
                return take
        if project is not None:
            from rehearse.breakdown.take_files import find_take

            named = find_take(project, wanted)
            if named is not None and named.scene.id == scene.id:
                return named.take
        raise RehearseError(f"scene {scene.id} has no take `{wanted}`", Location(where),
                            hint="takes: " + ", ".join(t.label for t in takes))
    circled = [t for t in takes if t.status == "circled"]
    return circled[0] if circled else None


def _subject_name(project: Project, scene: Scene, take: Take) -> str:
    character_id = scene.subject_of(take)
    character = project.character(character_id) if character_id else None
    return character.name.title() if character else "The actor"


def drift_for_scene(
    project: Project, scene: Scene, results, settings: Settings, *, reference: str | None = None
) -> DriftReport:
    """Every take of `scene` against its reference take (circled, or `reference`), plus the
    tracked-gesture check of every take and the wardrobe/makeup flags that reach this scene.
    `results` is the scene's `SceneResults` (rehearse.scene_results): takes already analysed,
    their events detected."""
    scene_file = project.scene_files.get(scene.id)
    reference_take = pick_reference(scene, reference, scene_file, project)
    warnings: list[str] = []
    data: dict[str, ComparedTake] = {}
    for result in results.takes:
        if result.analysis is None:
            warnings.append(f"take {result.label}: {result.problem or 'not analysed'}; left out")
            continue
        shot = scene.shot(result.take.shot)
        data[result.label] = take_data_from_analysis(
            result.analysis, result.label, settings, beat_marks=result.beat_marks,
            shot_size=shot.size if shot else None, who=_subject_name(project, scene, result.take),
            events=list(result.events))
    if reference_take is None or reference_take.label not in data:
        if reference is not None:
            raise RehearseError(
                f"reference take {reference_take.label} of scene {scene.id} could not be analysed"
                + (f" ({warnings[-1]})" if warnings else ""),
                Location(scene_file), hint="record or fix that take, or pass --reference another take",
            )
        # No usable reference: the takes are still checked against the breakdown.
        warnings.append(
            f"scene {scene.id}: takes not compared with each other: "
            + ("no take is circled" if reference_take is None else f"circled take {reference_take.label} "
               "could not be analysed") + " (circle one, or pass --reference TAKE)")
        flags = [f for take in data.values() for f in _tracked_flags(take, scene, settings)]
        flags += [f for f in wardrobe_flags(project) if f.take == f"scene {scene.id}"]
        return DriftReport(scene=scene.id, reference="", takes=list(data), flags=_grouped(flags, list(data)),
                           warnings=warnings)
    ref = data[reference_take.label]
    others = [label for label in data if label != ref.label]
    flags = _tracked_flags(ref, scene, settings)
    for label in others:
        flags += compare_takes(ref, data[label], settings=settings.drift,
                               tracked_gestures=scene.tracked_gestures, beats=scene.beats)
    flags += [f for f in wardrobe_flags(project) if f.take == f"scene {scene.id}"]
    return DriftReport(scene=scene.id, reference=ref.label, takes=others, flags=_grouped(flags, [ref.label, *others]),
                       warnings=warnings)


def _tracked_flags(ref: ComparedTake, scene: Scene, settings: Settings) -> list[DriftFlag]:
    from rehearse.analysis.events.beats import beat_spans

    spans = {b: (s, e) for b, s, e in beat_spans(ref.beat_marks, ref.duration_s)}
    return tracked_gesture_flags(ref.label, ref.who, scene.tracked_gestures, ref.events, spans,
                                 settings.drift.severity_high_factor)


def _grouped(flags: Sequence[DriftFlag], order: Sequence[str]) -> list[DriftFlag]:
    rank = {label: i for i, label in enumerate(order)}
    return sorted(flags, key=lambda f: (rank.get(f.take, len(rank)), f.take,
                                        f.take_s if f.take_s is not None else -1.0, f.kind))


def drift_for_analyses(analysed: Sequence[tuple[str, TakeAnalysis]], settings: Settings, *,
                       warnings: Sequence[str] = ()) -> DriftReport:
    """Analysed files (label, analysis), the first the reference, compared outside any breakdown:
    no beat marks (aligned by DTW)."""
    data = [take_data_from_analysis(analysis, label, settings) for label, analysis in analysed]
    ref, rest = data[0], data[1:]
    flags: list[DriftFlag] = []
    for other in rest:
        flags += compare_takes(ref, other, settings=settings.drift)
    return DriftReport(scene=None, reference=ref.label, takes=[o.label for o in rest],
                       flags=_grouped(flags, [ref.label, *[o.label for o in rest]]), warnings=list(warnings))
