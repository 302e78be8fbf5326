"""Turn a scene's results into `TakeMarkers`: events, beats, drift flags and synced log entries.

Takes whose video is not recorded yet are left out with a warning; a take that fails to
analyse still exports its beats and log entries, with the one-line reason as a warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rehearse.export.markers import (
    Marker,
    TakeMarkers,
    beat_markers,
    event_marker,
    flag_marker,
    in_groups,
    log_marker,
    sorted_markers,
)


@dataclass
class SceneMarkers:
    """A scene's takes ready to export, and what could not be included."""

    scene_id: str
    takes: list[TakeMarkers] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def markers_for_scene(results, flags_by_take: dict[str, list] | None = None, groups=None) -> SceneMarkers:
    """Markers for every recorded take in `results` (a `SceneResults`), of the `export --only`
    groups given (default: every marker)."""
    scene = results.scene
    summaries = {beat.id: beat.summary for beat in scene.beats}
    collected = SceneMarkers(scene.id)
    for result in results.takes:
        take = result.take
        if not result.path.exists():
            collected.warnings.append(f"take {take.label}: {result.problem}; left out")
            continue
        if result.problem:
            collected.warnings.append(result.problem)
        markers: list[Marker] = [event_marker(event, result.subject) for event in result.events]
        markers += beat_markers(result.beat_marks, summaries)
        markers += [log_marker(kind, t, text, beat) for t, kind, text, beat in result.log_entries]
        for flag in (flags_by_take or {}).get(take.label, []):
            markers.append(flag_marker(flag.kind, flag.take_s or 0.0, flag.message, flag.severity, result.subject))
        markers, outside = markers_inside_clip(markers, result.duration_s)
        if outside:
            collected.warnings.append(f"take {take.label}: {outside} marker(s) after the clip's end "
                                      f"({result.duration_s:.2f} s) left out; check its beat marks and log sync")
        report = take.camera_report
        collected.takes.append(
            TakeMarkers(
                scene_id=scene.id, label=take.label, shot=take.shot, number=take.number,
                status=take.status, file=take.file, path=result.path, fps=result.fps,
                duration_s=result.duration_s, start_timecode=report.start_timecode or "00:00:00:00",
                camera=report.camera, roll=report.roll, notes=take.notes,
                markers=sorted_markers(m for m in markers if groups is None or in_groups(m, groups)),
            )
        )
    return collected


def markers_inside_clip(markers: list[Marker], duration_s: float) -> tuple[list[Marker], int]:
    """Markers that start inside the clip (spans cut at its end), and how many started after it."""
    import dataclasses

    if not duration_s or duration_s <= 0:
        return markers, 0
    kept = []
    for marker in markers:
        if marker.t_s > duration_s + 1e-9:
            continue
        start = max(0.0, marker.t_s)
        end = min(duration_s, marker.t_s + marker.duration_s)
        if (start, end - start) != (marker.t_s, marker.duration_s):
            marker = dataclasses.replace(marker, t_s=start, duration_s=max(0.0, end - start))
        kept.append(marker)
    return kept, len(markers) - len(kept)
