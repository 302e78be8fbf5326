"""Write a scene's markers for editors and ELAN: what `rehearse export` and the app's palette both call.

Drift flags, beats, synced rehearsal-log entries and detected events become markers on each
take (`export.markers` groups them). EAF holds one take per file: a folder gets `SCENE_TAKE.eaf`
files, a file name with several takes gets the take label added.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

FORMATS = ("otio", "edl", "ale", "eaf")


@dataclass(frozen=True)
class ExportedScene:
    """A scene's markers on disk."""

    paths: list[Path]
    takes: int
    markers: int
    warnings: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return f"{self.takes} takes, {self.markers} markers"


def export_scene(project, scene, fmt: str, output: Path, *, drift: bool = True, groups: tuple[str, ...] | None = None,
                 progress: Callable | None = None, should_stop: Callable[[], bool] | None = None) -> ExportedScene:
    """Measure the scene's takes (from cache when possible), add drift flags unless `drift` is
    False, and write their markers of `groups` (default: the editors' groups, every group for
    EAF) in `fmt` to `output` (atomically; for EAF a folder gets one file per take)."""
    from rehearse.errors import Location, RehearseError
    from rehearse.export.collect import markers_for_scene
    from rehearse.scene_results import scene_drift, scene_results

    if not (fmt == "eaf" and (Path(output).is_dir() or not Path(output).suffix)):
        from rehearse.export.files import check_output

        check_output(output, with_siblings=fmt == "eaf")  # refused before analysing the scene (CLI and app)
    results = scene_results(project, scene, progress=progress, should_stop=should_stop)
    flags = None
    if drift and results.analysed:
        flags = {}
        for flag in scene_drift(project, scene, results=results).flags:
            flags.setdefault(flag.take, []).append(flag)
    if groups is None:
        from rehearse.export.markers import EDITOR_GROUPS, MARKER_GROUPS

        groups = tuple(MARKER_GROUPS) if fmt == "eaf" else EDITOR_GROUPS
    collected = markers_for_scene(results, flags_by_take=flags, groups=groups)
    if not collected.takes:
        raise RehearseError(f"scene {scene.id} has no recorded takes to export", Location(project.scene_files.get(scene.id)))
    paths = _write(fmt, collected.takes, Path(output), f"{project.production.title} - scene {scene.id}",
                   project.production.fps, scene.id)
    markers = sum(len(t.markers) for t in collected.takes)
    return ExportedScene(paths, len(collected.takes), markers, list(collected.warnings))


def _write(fmt: str, takes, output: Path, title: str, fps: float, scene_id: str) -> list[Path]:
    from rehearse.export.files import write_text_atomic

    if fmt == "otio":
        from rehearse.export.otio import write_otio

        write_otio(takes, output, title)
    elif fmt == "edl":
        from rehearse.export.edl import edl_text

        write_text_atomic(output, edl_text(takes, title, fps))
    elif fmt == "ale":
        from rehearse.export.ale import ale_text

        write_text_atomic(output, ale_text(takes, fps))
    else:
        from rehearse.export.eaf import write_eaf

        if output.is_dir() or not output.suffix:  # a folder: one file per take inside it
            paths = [output / f"{scene_id}_{take.label}.eaf" for take in takes]
            for take, path in zip(takes, paths, strict=True):
                write_eaf(take, path)
            return paths
        if len(takes) == 1:
            write_eaf(takes[0], output)
            return [output]
        paths = []
        for take in takes:
            path = output.with_name(f"{output.stem}_{take.label}{output.suffix or '.eaf'}")
            write_eaf(take, path)
            paths.append(path)
        return paths
    return [output]
