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
    }
    for result in results.takes:
        plot_id = None
        if images and result.analysis is not None:
            from rehearse.report.images import signal_plot

            plot_id = f"plot-{scene.id}-{result.label}"
            report.images[plot_id] = signal_plot(result)
        if result.problem:
            report.warnings.append(f"scene {scene.id} take {result.label}: {result.problem}")
        section["takes"].append({
            "take": result.label, "status": result.take.status, "file": result.take.file,
            "duration_s": round(result.duration_s, 3),
            "face_coverage": round(float(result.analysis.face_coverage), 3) if result.analysis else None,
            "events": len(result.events), "beat_marks_from": result.beat_marks_source,
            "notes": result.take.notes, "problem": result.problem, "plot": plot_id,
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
            if images:
                row["still"] = _flag_still(flag, results, report)
            section["flags"].append(row)
    return section


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
            "take": result.label, "blinks": summary.blinks,
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


def _flag_still(flag, results, report: Report) -> str | None:
    from rehearse.report.images import side_by_side, still

    take = results.take(flag.take) if flag.take else None
    reference = results.take(flag.reference) if getattr(flag, "reference", None) else None
    if take is None or flag.take_s is None:
        return None
    left = still(reference.path, flag.reference_s) if reference is not None and flag.reference_s is not None else None
    right = still(take.path, flag.take_s)
    image_id = f"still-{results.scene.id}-{flag.take}-{flag.kind}-{len(report.images)}"
    labels = (f"reference {flag.reference} @ {flag.reference_s:.2f} s" if left is not None else "no reference",
              f"take {flag.take} @ {flag.take_s:.2f} s")
    data = side_by_side(left, right, labels)
    if not data:
        return None
    report.images[image_id] = data
    return image_id
