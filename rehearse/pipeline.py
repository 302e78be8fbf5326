"""The whole flow in one place: plan -> analyse -> events -> scene results -> drift.

    plan     = plan_takes(["01", "takes/x.mp4"], project_dir)   # which files, labels, cast
    outcomes = analyze_targets(plan.targets, settings, jobs=2, progress=show)  # consent checked
               # in analyze_one; decode -> landmarks -> signals + audio, cached by content hash
    events   = take_events(target, outcome.analysis, project, settings)  # on the beat marks
    results  = scene_results(project, scene, settings)      # rehearse.scene_results: every take
    report   = scene_drift(project, scene, settings, results=results)   # continuity on them

The scene steps live in `rehearse.scene_results` (this layer too); `continuity/` and
`profiles/` receive their finished results and never call back up. The CLI and the terminal
app (in thread workers, `rehearse.tui.jobs`) call these functions; nothing here prints or
draws. Progress is reported upward as `ProgressUpdate`s. With `jobs > 1` several takes run in
worker processes (`rehearse.worker_pool`) and a single take is split in time segments
(`analysis.segments`); with a scheduler they go to Dask workers (`rehearse.cluster`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rehearse.config import Settings
from rehearse.errors import ConsentError, Location, RehearseError

if TYPE_CHECKING:
    from rehearse.analysis.take import ProgressUpdate, TakeAnalysis
    from rehearse.breakdown.models import Character, Scene, Take
    from rehearse.breakdown.project import Project

VIDEO_SUFFIXES = {".mp4", ".mov", ".m4v", ".mkv", ".avi", ".mxf", ".webm", ".mts"}


@dataclass(frozen=True)
class TakeTarget:
    """A video file to analyse, and where it sits in the production (if anywhere).

    Build a production's take with `take_target`, which brings the scene's cast: `analyze_one`
    refuses a take whose cast was not looked up, so no caller can skip the consent check.
    """

    path: Path
    label: str
    """`1A-2` for a take of the production, else the file name."""
    scene_id: str | None = None
    take: Take | None = None
    cast: tuple[Character, ...] | None = None
    """The scene's characters, whose `consent:` decides whether the take may be analysed; None
    for a loose file (no production, no cast)."""
    production_root: Path | None = None
    """The production folder (where `consent:` is set), None for a loose file."""


def take_target(project: Project, scene: Scene, take: Take) -> TakeTarget:
    """The target for a take of the production, carrying its scene's cast for the consent check."""
    from rehearse.breakdown.consent import scene_cast

    return TakeTarget(project.take_path(take), take.label, scene.id, take, scene_cast(project, scene), project.root)


@dataclass
class TakeOutcome:
    """What happened to one target: an analysis (or its summary), or a one-line error."""

    target: TakeTarget
    summary: dict[str, Any] | None = None
    analysis: TakeAnalysis | None = None
    error: str | None = None
    status: str = "ok"
    """`analyzed`, `cached`, `no face`, `failed`, `refused`, `stopped` or `not analyzed` (cached only)."""
    warnings: list[str] = field(default_factory=list)
    """One-line warnings about an analysis that still succeeded (e.g. its cache could not be written)."""

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class TakePlan:
    """The targets a command named, the warnings found while resolving them, and refusals."""

    targets: list[TakeTarget] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    refused: list[TakeOutcome] = field(default_factory=list)
    """Names that cannot be analysed at all (consent is checked later, by `analyze_one`)."""
    project: Project | None = None


# -- which takes -------------------------------------------------------------------------------


def find_project(project_dir: Path | None, start: Path | None = None) -> Project | None:
    """The production at or above `project_dir` (none there: an error), else at or above `start`/cwd, else None.

    Both go through `breakdown.folders.find_production_folder`, as `rehearse open` does.
    """
    from rehearse.breakdown.folders import find_production_folder
    from rehearse.breakdown.loader import open_project

    if project_dir is not None:
        project_dir = Path(project_dir)
        if project_dir.exists() and not project_dir.is_dir():
            raise RehearseError("not a folder", Location(project_dir), hint="--project takes the production folder")
        if not project_dir.exists():
            raise RehearseError("no such folder", Location(project_dir), hint="--project takes the production folder")
        return open_project(project_dir)
    root = find_production_folder(start)
    return open_project(root) if root is not None else None


def require_project(project_dir: Path | None) -> Project:
    """The production at `project_dir` or around cwd; a one-line error when there is none."""
    project = find_project(project_dir)
    if project is None:
        raise RehearseError(
            "no production here", Location(Path.cwd()), hint="run inside a production folder or pass --project DIR"
        )
    return project


def require_scene(project: Project, scene_id: str) -> Scene:
    """The scene with this id; a one-line error listing the scene ids when there is none."""
    scene = project.scene(scene_id)
    if scene is None:
        known = ", ".join(s.id for s in project.scenes)
        raise RehearseError(f"no scene {scene_id!r} in this production", Location(project.root), hint=f"scenes: {known}")
    return scene


def plan_takes(arguments: Sequence[str], project_dir: Path | None = None) -> TakePlan:
    """Resolve takes, files and scene ids (none: every take of the production in cwd).

    A take can be named as the user likes (`1A-3`, `01/1A-3`, its file relative to here or to
    the production folder, an absolute path: `breakdown.take_files.find_take`). A path that is
    not a regular video file (a folder, FIFO, device, symlink loop, NUL byte) is refused with one
    line and the rest of the batch still runs.
    """
    from rehearse.breakdown.take_files import find_take, take_file_problem, take_path_for

    plan = TakePlan()
    files = [a for a in arguments if _looks_like_file(a)]
    # Files alone: the production they lie in (if any); otherwise the one in cwd.
    start = _resolved(Path(files[0].replace("\x00", ""))).parent if files and len(files) == len(arguments) else None
    # A production that fails to load is an error even for files named directly: without it
    # consent cannot be checked, and analysis must not run on an actor who said no.
    project = find_project(project_dir, start)
    plan.project = project
    if not arguments:
        if project is None:
            raise RehearseError(
                "no production here and no take named", Location(Path.cwd()),
                hint="run inside a production folder, pass --project DIR, or name take files",
            )
        arguments = [scene.id for scene in project.scenes]
    for name in arguments:
        scene = project.scene(name) if project is not None else None
        if scene is not None:
            if not scene.takes:
                plan.warnings.append(f"{_scene_file(project, scene)}: warning: scene {scene.id} has no takes yet")
            for take in scene.takes:
                _add_take(plan, project, scene, take, explicit=False)
            continue
        named = find_take(project, name) if project is not None else None
        if named is not None:
            _add_take(plan, project, named.scene, named.take, explicit=True)
            continue
        if not _looks_like_file(name):
            known = ", ".join(s.id for s in project.scenes) if project is not None else "none"
            raise RehearseError(
                f"`{name}` is neither a video file, a take nor a scene id of this production",
                Location(project.root if project is not None else Path.cwd()),
                hint=f"scene ids: {known}; takes as 1A-2 or 01/1A-2",
            )
        path = take_path_for(name, project)
        target = TakeTarget(path, path.name)
        problem = take_file_problem(path)
        if problem is not None and problem != "video file not found":  # a missing file fails in analysis
            from rehearse.breakdown.take_files import check_take_file

            try:
                check_take_file(path)
            except RehearseError as error:
                plan.refused.append(TakeOutcome(target, error=error.one_line(), status="refused"))
            continue
        plan.targets.append(target)
    return plan


def _add_take(plan: TakePlan, project: Project, scene: Scene, take: Take, *, explicit: bool) -> None:
    from rehearse.breakdown.take_files import check_take_file

    target = take_target(project, scene, take)
    path = target.path
    if not os.path.lexists(path) and not explicit:
        plan.warnings.append(
            f"{_scene_file(project, scene)}: warning: take {take.label}: file {take.file} not found, skipped"
        )
        return
    try:
        if os.path.lexists(path):  # a missing take named explicitly fails in analysis, like a loose file
            check_take_file(path, project.root)
    except RehearseError as error:
        plan.refused.append(TakeOutcome(target, error=error.one_line(), status="refused"))
        return
    plan.targets.append(target)


def consent_refusal(target: TakeTarget) -> ConsentError | None:
    """Why this take may not be analysed (an actor in its scene has not consented), or None.

    Called by `analyze_one`, which every analysis goes through; screens showing cached results
    ask it too. A loose file (no production) has no cast to ask.
    """
    from rehearse.breakdown.consent import cast_refusal

    if target.take is None:
        return None
    what = f"take {target.label} not analyzed"
    if target.cast is None:
        # A take of a production built without its cast: refuse rather than guess.
        return ConsentError(f"{what}: its cast's consent was not looked up", Location(target.path),
                            hint="this is a bug in the caller: build the target with pipeline.take_target")
    return cast_refusal(target.cast, target.production_root, what)


def _looks_like_file(argument: str) -> bool:
    path = Path(argument)
    return (path.suffix.lower() in VIDEO_SUFFIXES or os.sep in argument or "\x00" in argument or argument == "-"
            or os.path.lexists(argument))


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):
        return path.absolute()


def _scene_file(project: Project, scene: Scene) -> str:
    from rehearse.breakdown.project import display_path

    path = project.scene_files.get(scene.id, project.root)
    return display_path(Path(path), Path.cwd())


# -- analyse them ------------------------------------------------------------------------------

Progress = Callable[["ProgressUpdate"], None]


def analyze_one(
    target: TakeTarget,
    settings: Settings,
    *,
    force: bool = False,
    progress: Progress | None = None,
    should_stop: Callable[[], bool] | None = None,
    keep_analysis: bool = True,
    cached_only: bool = False,
    segments: int = 1,
) -> TakeOutcome:
    """Analyse one target in this process, if its cast consented; failures become a one-line error.
    With `segments` > 1 its landmarks come from that many worker processes (time segments).

    The one place a take's analysis is made or read (the worker pool, scene results, the app and
    every command call it), so the consent check lives here: a cached analysis made before an
    actor withdrew consent is not handed out either. `cached_only`: never decode; a take without
    a cached analysis gets the status `not analyzed`.
    """
    from rehearse.analysis.take import AnalysisCancelled, analyze_take, load_cached

    refused = _refused(target)
    if refused is not None:
        return refused
    if cached_only:
        cached = load_cached(target.path, settings, label=target.label)
        if cached is None:
            name = target.take.file if target.take is not None else target.path.name
            return TakeOutcome(target, error=f"{name} is not analyzed yet", status="not analyzed")
        return TakeOutcome(target, cached.summary(), cached if keep_analysis else None, status="cached")
    try:
        analysis = analyze_take(
            target.path, settings, force=force, progress=progress, should_stop=should_stop, label=target.label,
            segments=segments,
        )
    except AnalysisCancelled as error:
        return TakeOutcome(target, error=error.one_line(), status="stopped")
    except RehearseError as error:
        return TakeOutcome(target, error=error.one_line(), status="failed")
    return analysis_outcome(target, analysis, keep_analysis=keep_analysis)


def analysis_outcome(target: TakeTarget, analysis: TakeAnalysis, *, keep_analysis: bool = True) -> TakeOutcome:
    """The outcome of an analysis made or read (here, in a pool worker or on a Dask worker):
    its status (`no face`, `cached`, `analyzed`), summary and one-line warnings."""
    status = "cached" if analysis.from_cache else "analyzed"
    if analysis.no_face:
        status = "no face"
    return TakeOutcome(target, analysis.summary(), analysis if keep_analysis else None, status=status,
                       warnings=list(analysis.extra.get("warnings", [])))


def _refused(target: TakeTarget) -> TakeOutcome | None:
    """The `refused` outcome of a take whose cast has not consented, else None."""
    refusal = consent_refusal(target)
    return None if refusal is None else TakeOutcome(target, error=refusal.one_line(), status="refused")


def analyze_targets(
    targets: Sequence[TakeTarget],
    settings: Settings,
    *,
    jobs: int | None = 1,
    force: bool = False,
    progress: Progress | None = None,
    should_stop: Callable[[], bool] | None = None,
    keep_analysis: bool = True,
    scheduler: str | None = None,
) -> list[TakeOutcome]:
    """Analyse every target (in worker processes, or on the Dask scheduler that `scheduler` or the
    `cluster.scheduler` setting names), in the order given.

    Locally, `rehearse.batch_plan` picks per batch whichever plan should finish first: take after
    take here, several takes one per worker (no seam, no second tracker start-up), or each long
    take split in time across the workers. `jobs` None: as many workers as this machine's cores
    and memory allow (what `rehearse analyze` does by default); 1: here, take after take."""
    scheduler = scheduler or settings.cluster.scheduler
    if scheduler:
        from rehearse.cluster import analyze_on_scheduler

        # Workers run the analysis itself, not analyze_one: the consent check happens here, and
        # a refused take is never sent (nor its cached analysis read).
        refused = {i: _refused(t) for i, t in enumerate(targets)}
        allowed = [t for i, t in enumerate(targets) if refused[i] is None]
        remote = iter(analyze_on_scheduler(
            allowed, settings, scheduler, force=force, progress=progress, should_stop=should_stop,
            keep_analysis=keep_analysis,
        ) if allowed else [])
        return [refused[i] or next(remote) for i in range(len(targets))]
    from rehearse.batch_plan import plan_batch

    plan = plan_batch(targets, settings, jobs, force=force)
    if plan.mode == "pool":
        from rehearse.worker_pool import analyze_in_pool

        return analyze_in_pool(targets, settings, plan.workers, force=force, progress=progress,
                               should_stop=should_stop, keep_analysis=keep_analysis)
    return [
        analyze_one(t, settings, force=force, progress=progress, should_stop=should_stop, keep_analysis=keep_analysis,
                    segments=segments)
        for t, segments in zip(targets, plan.segments, strict=True)
    ]


def throttled(progress: Progress, interval_s: float = 0.1) -> Progress:
    """`progress`, called at most every `interval_s` per take, but never missing a change of stage.

    The one progress throttle: the worker pool's queue and the terminal app's job line use it.
    """
    last: dict[str, tuple[float, str]] = {}

    def send(update: ProgressUpdate) -> None:
        now = time.monotonic()
        sent_at, stage = last.get(update.take, (-interval_s, ""))
        if update.stage != stage or now - sent_at >= interval_s:
            last[update.take] = (now, update.stage)
            progress(update)

    return send



# -- events per take, and a whole scene --------------------------------------------------------


@dataclass
class TakeEvents:
    """A take's events, aligned to its beat marks (from the breakdown, else a synced log)."""

    target: TakeTarget
    analysis: TakeAnalysis
    events: list
    """`rehearse.analysis.events.Event`s in time order."""
    beat_marks: dict[str, float]
    beat_marks_source: str
    """`breakdown`, `log` or `none`."""
    neutral: Any = None
    """The stored neutral segment (`TimeSpan`) used as the actor's baseline, if any."""


def take_events(target: TakeTarget, analysis: TakeAnalysis, project: Project | None, settings: Settings) -> TakeEvents:
    """Detect events on an analysed take: the one place every command and screen gets them from.

    Inside a production it brings the take's beat marks (the breakdown's, else a synced log's),
    the scene's line cues, the actor's stored neutral segment (the baseline) and the blocking's
    lean targets; a loose file gets the events alone.
    """
    from rehearse.analysis.events import attach_lean_targets, detect_events

    scene = project.scene(target.scene_id) if project is not None and target.scene_id else None
    marks, source, neutral = {}, "none", None
    if project is not None and target.take is not None:
        from rehearse.profiles.calibration import neutral_marks
        from rehearse.store.sync import effective_beat_marks

        marks, source = effective_beat_marks(project.root, target.take, analysis.duration_s)
        neutral = neutral_marks(project.root).get(target.take.file)
    line_cues = {beat.id: list(beat.lines) for beat in scene.beats} if scene is not None else None
    events = detect_events(
        analysis.signals, analysis.audio, settings=settings.events, beat_marks=marks or None,
        line_cues=line_cues, landmarks=analysis.landmarks, neutral=neutral, analysis_settings=settings.analysis,
    )
    if scene is not None and target.take is not None:
        events = attach_lean_targets(events, scene, scene.subject_of(target.take))
    if project is not None and target.take is not None:
        # A person's corrections (rehearse import-annotations) replace detections of their kinds.
        from rehearse.store.confirmed import confirmed_events

        confirmed = confirmed_events(project.root, target.take.file)
        if confirmed is not None:
            from rehearse.analysis.events.confirmed import apply_confirmed

            events = apply_confirmed(events, confirmed.kinds, confirmed.events, marks, analysis.duration_s)
    return TakeEvents(target, analysis, events, marks, source, neutral)
