"""The continuity report as plain data: per scene, its takes, beats (holds, latencies), flags and log.

Renderers (HTML, Markdown, CSV, JSON) only lay this out. Pictures are kept apart as PNG bytes
keyed by id, so JSON stays small and HTML can inline them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any


@dataclass
class Report:
    """The report's content and its pictures."""

    data: dict[str, Any]
    images: dict[str, bytes] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _drift(project, scene, results):
    """The scene's drift report, from the events already detected in `results`."""
    from rehearse.scene_results import scene_drift

    return scene_drift(project, scene, results=results)


def _wardrobe(project) -> list:
    from rehearse.continuity.wardrobe import wardrobe_flags

    return wardrobe_flags(project)


def build_report(project, scenes, *, images: bool = True, progress: Callable | None = None,
                 should_stop: Callable[[], bool] | None = None) -> Report:
    """Measure (from cache when possible) and gather everything the report shows."""
    from rehearse.analysis.events import GEOMETRY_NOTE, expression_source
    from rehearse.scene_results import scene_results

    report = Report({
        "production": project.production.title,
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "scenes": [],
    })
    wardrobe = _wardrobe(project)
    every_scene = []
    for scene in scenes:
        results = scene_results(project, scene, progress=progress, should_stop=should_stop)
        every_scene.append(results)
        drift = _drift(project, scene, results) if results.analysed else None
        report.data["scenes"].append(_scene_section(results, drift, wardrobe, report, images))
    report.data["actors"] = _actors(project, every_scene)
    geometry = [f"{r.scene.id}/{t.label}" for r in every_scene for t in r.takes
                if t.analysis is not None and not t.analysis.no_face and expression_source(t.analysis.landmarks) == "geometry"]
    if geometry:
        # said once for the whole report, naming the takes it applies to
        report.data["note"] = f"{GEOMETRY_NOTE} (takes {', '.join(geometry)})"
    return report


def _actors(project, every_scene) -> list:
    """Each actor's profile over the report's scenes (rehearse/profiles)."""
    from rehearse.profiles.sections import actor_sections

    return actor_sections(project, every_scene)


def _scene_section(results, drift, wardrobe, report: Report, images: bool) -> dict[str, Any]:
    scene = results.scene
    section: dict[str, Any] = {
        "id": scene.id, "heading": scene.heading, "story_day": scene.story_day, "synopsis": scene.synopsis,
        "reference": drift.reference if drift is not None else None,
        "drift_checked": drift is not None,
        "takes": [], "beats": [], "latencies": [], "flags": [], "log": [],
        "wardrobe": [_flag_row(f) for f in wardrobe if scene.id in (f.values.get("scene"), f.values.get("other_scene"))],
        **_scene_notes(scene),
    }
    reference = results.take(drift.reference) if drift is not None and drift.reference else None
    flags_by_take: dict[str, list] = {}
    for flag in drift.flags if drift is not None else []:
        flags_by_take.setdefault(flag.take, []).append(flag)
    for result in results.takes:
        plot_id = None
        if images and result.analysis is not None:
            from rehearse.report.images import signal_plot

            plot_id = f"plot-{scene.id}-{result.label}"
            overlay = reference if reference is not None and reference is not result and reference.analysis else None
            report.images[plot_id] = signal_plot(result, reference=overlay, flags=flags_by_take.get(result.label, []))
        if result.problem:
            report.warnings.append(f"scene {scene.id} take {result.label}: {result.problem}")
        shot = next((s for s in scene.shots if s.id == result.take.shot), None)
        camera = result.take.camera_report
        section["takes"].append({
            "take": result.label, "status": result.take.status, "file": result.take.file,
            "duration_s": round(result.duration_s, 3),
            "face_coverage": round(float(result.analysis.face_coverage), 3) if result.analysis else None,
            "events": len(result.events), "beat_marks_from": result.beat_marks_source,
            "notes": result.take.notes, "problem": result.problem, "plot": plot_id,
            "camera": {"camera": camera.camera, "roll": camera.roll, "sound_roll": camera.sound_roll,
                       "start_timecode": camera.start_timecode, "notes": camera.notes,
                       "shot_size": shot.size if shot else None, "lens_mm": shot.lens_mm if shot else None,
                       "frame_rate": (shot.frame_rate if shot and shot.frame_rate else None)
                       or (round(result.fps, 3) if result.fps else None)},
        })
        for event in result.events:
            if event.kind == "hesitation" and event.latency_s is not None:
                section["latencies"].append({"take": result.label, "beat": event.beat,
                                             "at_s": round(event.start_s, 3), "latency_s": round(event.latency_s, 3)})
        section["log"] += [{"take": result.label, "t_s": round(t, 3), "kind": kind, "text": text, "beat": beat}
                           for t, kind, text, beat in result.log_entries]
    section["beats"] = [_beat_row(beat, results) for beat in scene.beats]
    if drift is not None:
        for flag in drift.flags:
            row = _flag_row(flag)
            take = results.take(flag.take) if flag.take else None
            if take is not None and flag.take_s is not None:
                from rehearse.breakdown.timecode import camera_timecode

                row["take_tc"] = camera_timecode(take.take.camera_report.start_timecode, take.fps, flag.take_s)
            if images:
                row["still"] = _flag_still(flag, results, report, drift.reference)
            section["flags"].append(row)
    return section


def _scene_notes(scene) -> dict[str, Any]:
    """Wardrobe, makeup and blocking as the breakdown gives them, for the report's scene notes."""
    def cues(items) -> list[dict[str, Any]]:
        return [{"character": c.character, "item": c.item, "state": c.state, "changes_at": c.changes_at,
                 "new_state": c.new_state, "changed_on_purpose": c.changed_on_purpose} for c in items]

    blocking = scene.blocking
    return {
        "wardrobe_items": cues(scene.wardrobe),
        "makeup_items": cues(scene.makeup),
        "blocking": {
            "marks": [{"id": m.id, "description": m.description} for m in blocking.marks],
            "moves": [{"beat": m.beat, "character": m.character, "from_mark": m.from_mark, "to_mark": m.to_mark,
                       "description": m.description} for m in blocking.moves],
            "leans": [{"beat": lean.beat, "character": lean.character, "direction": lean.direction,
                       "target": lean.target, "degrees": lean.degrees} for lean in blocking.leans],
        },
    }


def _beat_row(beat, results) -> dict[str, Any]:
    row = {"id": beat.id, "summary": beat.summary, "intent": beat.intent,
           "target_hold_s": beat.hold.duration if beat.hold else None,
           "tolerance_s": beat.hold.tolerance if beat.hold else None, "takes": []}
    for result in results.takes:
        summary = next((b for b in result.beats if b.beat == beat.id), None)
        if summary is None:
            continue
        comparison = summary.hold_target
        row["takes"].append({
            "take": result.label, "blinks": summary.blinks, "span_s": round(summary.end_s - summary.start_s, 3),
            "blink_rate_per_min": round(summary.blink_rate_per_min, 1),
            "longest_hold_s": round(summary.holds[0], 3) if summary.holds else None,
            "hold_verdict": comparison.verdict if comparison else None,
            "on_target": comparison.on_target if comparison else None,
            "latencies_s": [round(x, 3) for x in summary.latencies_s],
        })
    return row


def _flag_row(flag) -> dict[str, Any]:
    return {"take": getattr(flag, "take", None), "reference": getattr(flag, "reference", None),
            "kind": flag.kind, "severity": flag.severity, "beat": flag.beat,
            "reference_s": flag.reference_s, "take_s": flag.take_s,
            "values": {k: (round(v, 3) if isinstance(v, float) else v) for k, v in flag.values.items()},
            "message": flag.message}


def reference_time(flag, take, reference, *, own_time: bool = True) -> float | None:
    """Where in the reference take to look for a flag: its own time (`own_time`: the flag was
    measured against this take), else the reference's event of the same gesture, else the same
    offset into the same beat."""
    if own_time and flag.reference_s is not None:
        return flag.reference_s
    if reference is None or flag.take_s is None:
        return None
    gesture = flag.values.get("gesture")
    for event in reference.events:
        if gesture and (event.label == gesture or (event.kind == "gesture" and event.beat == flag.beat)):
            return float(event.start_s)
    beat = flag.beat
    if beat and beat in reference.beat_marks and beat in take.beat_marks:
        return max(0.0, reference.beat_marks[beat] + flag.take_s - take.beat_marks[beat])
    return flag.take_s


def _flag_still(flag, results, report: Report, scene_reference: str | None = None) -> str | None:
    """Face crops of the reference and the take side by side at the flag. A flag measured against
    the breakdown (a gesture to the wrong side) still shows the scene's reference take doing it."""
    from rehearse.report.images import face_still, side_by_side

    take = results.take(flag.take) if flag.take else None
    # a flag against the breakdown names "breakdown", not a take: show the scene's reference take
    against_take = results.take(flag.reference) is not None if getattr(flag, "reference", None) else False
    reference_label = flag.reference if against_take else scene_reference
    reference = results.take(reference_label) if reference_label and reference_label != flag.take else None
    if take is None or flag.take_s is None:
        return None
    reference_s = reference_time(flag, take, reference, own_time=against_take)
    left = face_still(reference, reference_s) if reference is not None and reference_s is not None else None
    right = face_still(take, flag.take_s)
    image_id = f"still-{results.scene.id}-{flag.take}-{flag.kind}-{len(report.images)}"
    if left is not None:
        left_label = f"reference {reference_label} @ {reference_s:.2f} s"
    else:
        left_label = f"reference {reference_label}: no frame" if reference is not None else "no reference take"
    labels = (left_label, f"take {flag.take} @ {flag.take_s:.2f} s")
    data = side_by_side(left, right, labels)
    if not data:
        return None
    report.images[image_id] = data
    return image_id
