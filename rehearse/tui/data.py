"""What the screens show, as plain data: the production (via the breakdown loader) and per-take views.

The screens never call the loader or the analysis directly: the app holds a `DataSources`
whose functions run in workers. The defaults read the real loader and the analysis cache
(imported lazily, so the first screen pays for neither); UI tests pass canned ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the models (pydantic) load with the production, off the first frame's path
    from rehearse.breakdown.models import Scene, Take


@dataclass(frozen=True)
class LoadResult:
    """A load of the production: the project (None when unusable) and one line per problem."""

    project: Any | None
    problems: list[str]
    """One-line problems (`file:line:col: error: message`), empty when the load is clean."""


@dataclass(frozen=True)
class EventView:
    """One detected event, as the take screen draws it."""

    kind: str
    """Event kind (blink, hold, hesitation, gesture ...)."""
    start_s: float
    """Start in the take, seconds."""
    end_s: float
    """End in the take, seconds."""
    label: str = ""
    """Gesture id or detector label."""
    beat: str | None = None
    """Beat the event falls in."""
    side: str | None = None
    """The actor's own side, when the event has one."""
    scope: str | None = None
    """`face` or `body` for a hold."""


@dataclass(frozen=True)
class FlagView:
    """A continuity flag for one take and one tracked gesture or beat, with its evidence."""

    take_label: str
    """Take as slated (`3A-2`)."""
    key: str
    """Tracked gesture id or beat id the flag is about."""
    sentence: str
    """The evidence in plain words, with units."""
    time_s: float | None = None
    """Where in the take the evidence is, seconds."""


@dataclass(frozen=True)
class TakeData:
    """What the take screen shows for one take: signals and events if analyzed, else why not."""

    take: Take
    path: Path
    signals: Any | None = None
    """`rehearse.analysis.tracks.SignalTrack`, or None when the take has no analysis yet."""
    events: list[EventView] = field(default_factory=list)
    duration_s: float | None = None
    """Length of the take in seconds (analysis, else the breakdown's `duration`)."""
    flags: list[FlagView] = field(default_factory=list)
    beat_marks: dict[str, float] | None = None
    """Beat marks the events are aligned to (the breakdown's, else a synced rehearsal log's);
    None: the breakdown's own."""
    note: str = ""
    """Why data is missing (`not analyzed yet`, `video file missing`), empty when complete."""
    flags_note: str = "computing flags…"
    """Why `flags` is empty: still computing, no flag, or drift cannot run yet."""
    face_boxes: Any | None = None
    """(frames, 4) face box per frame of `signals.times`: x0, y0, x1, y1 as fractions of the
    image, NaN where no face was found; None when the analysis has no face landmarks."""

    @property
    def analyzed(self) -> bool:
        return self.signals is not None


def resolve_root(start: Path | None) -> Path:
    """The production at or above `start` (default: cwd), else the bundled sample production.

    The same rule as every command (`rehearse.breakdown.folders.find_production_folder`).
    """
    from rehearse.breakdown.folders import bundled_sample_production, find_production_folder

    return find_production_folder(start) or bundled_sample_production()


def load_production(root: Path) -> LoadResult:
    """Load the production at `root` with the breakdown loader; problems become one-line strings."""
    from rehearse.breakdown.loader import load_project

    project, problems = load_project(root)
    return LoadResult(project, [p.one_line(relative_to=root) for p in problems])


def watched_files(root: Path) -> dict[Path, float]:
    """YAML files of the production and their modification times (for live reload)."""
    stamps: dict[Path, float] = {}
    for pattern in ("*.yaml", "*.yml", "*/*.yaml", "*/*.yml"):
        for path in root.glob(pattern):
            if ".rehearse" in path.parts:
                continue
            try:
                stamps[path] = path.stat().st_mtime_ns
            except OSError:
                continue
    return stamps


def take_path(project: Any, take: Take) -> Path:
    """The take's video path, through the project when it knows how."""
    if hasattr(project, "take_path"):
        return Path(project.take_path(take))
    return (Path(project.root) / take.file).resolve()


def cached_take_data(project: Any, scene: Scene, take: Take) -> TakeData:
    """The take's cached analysis, if any (reads the cache only, never decodes video).

    Read through `pipeline.analyze_one(cached_only=True)`, so a cached analysis of an actor who
    has not consented (or withdrew) is not shown either.
    """
    from rehearse.config import load_settings
    from rehearse.pipeline import analyze_one, take_events, take_target

    target = take_target(project, scene, take)
    if not target.path.exists():
        return TakeData(take, target.path, duration_s=take.duration, note=f"video file missing: {take.file}")
    settings = load_settings(project.root)
    outcome = analyze_one(target, settings, cached_only=True)
    if outcome.analysis is None:
        note = "not analyzed yet" if outcome.status == "not analyzed" else (outcome.error or outcome.status)
        return TakeData(take, target.path, duration_s=take.duration, note=note)
    analysis = outcome.analysis
    detected = take_events(target, analysis, project, settings)
    return TakeData(
        take,
        target.path,
        signals=analysis.signals,
        events=[event_view(e) for e in detected.events],
        duration_s=float(analysis.duration_s),
        beat_marks=dict(detected.beat_marks) if detected.beat_marks else None,
        note=_source_note(analysis),
        face_boxes=face_boxes(analysis),
    )


def _source_note(analysis: Any) -> str:
    """The one-line warning a take analysed without the Face Landmarker model carries."""
    from rehearse.analysis.events import GEOMETRY_NOTE, expression_source

    if analysis.no_face or expression_source(analysis.landmarks) == "blendshapes":
        return ""
    return GEOMETRY_NOTE


def face_boxes(analysis: Any) -> Any | None:
    """Per-frame face boxes (x0, y0, x1, y1 as image fractions) from the face landmarks, for the
    still's face crop; None when the analysis has no face track."""
    import warnings

    import numpy as np

    track = getattr(analysis, "landmarks", {}).get("face")
    if track is None or track.points.size == 0:
        return None
    xy = np.asarray(track.points[..., :2], dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN frame has no face: NaN box
        boxes = np.stack([np.nanmin(xy[..., 0], axis=1), np.nanmin(xy[..., 1], axis=1),
                          np.nanmax(xy[..., 0], axis=1), np.nanmax(xy[..., 1], axis=1)], axis=1)
    boxes[~track.mask] = np.nan
    return boxes


def cached_is_analyzed(project: Any, scene: Scene, take: Take) -> bool:
    """Whether the take has a cached analysis its actor consented to (reads the cache, detects no events)."""
    from rehearse.config import load_settings
    from rehearse.pipeline import analyze_one, take_target

    target = take_target(project, scene, take)
    if not target.path.is_file():
        return False
    return analyze_one(target, load_settings(project.root), cached_only=True, keep_analysis=False).ok


def event_view(event: Any) -> EventView:
    """What the screens draw of an `Event`."""
    return EventView(
        kind=str(event.kind),
        start_s=float(event.start_s),
        end_s=float(event.end_s),
        label=str(event.label or ""),
        beat=event.beat,
        side=getattr(event.side, "value", event.side),
        scope=getattr(event, "scope", None),
    )


def no_flags(project: Any, scene: Scene) -> list[FlagView] | None:
    """Continuity flags for a scene; None means no drift analysis exists yet."""
    return None


# (project object id, scene id, which takes are analysed) -> flags: drift is costly, compute once.
_drift_memo: dict[tuple, list[FlagView]] = {}


def _memo_key(project: Any, scene: Scene) -> tuple | None:
    analysed = []
    for take in scene.takes:
        data = cached_take_data(project, scene, take)
        if not data.analyzed:
            return None  # drift would start MediaPipe on the missing takes: never on its own
        analysed.append((take.label, data.duration_s))
    return (id(project), scene.id, tuple(analysed)) if analysed else None


def drift_flags(project: Any, scene: Scene) -> list[FlagView] | None:
    """The scene's drift flags (rehearse.continuity), when every take already has a cached analysis."""
    key = _memo_key(project, scene)
    if key is None:
        return None
    if key not in _drift_memo:
        from rehearse.config import load_settings
        from rehearse.errors import RehearseError
        from rehearse.scene_results import scene_drift, scene_results

        try:
            settings = load_settings(project.root)
            report = scene_drift(project, scene, settings,
                                 results=scene_results(project, scene, settings, cached_only=True))
        except RehearseError:
            return None
        gestures = {g.id for g in scene.tracked_gestures}
        _drift_memo[key] = [
            FlagView(
                take_label=flag.take,
                key=_flag_key(flag, gestures),
                sentence=f"{flag.kind} ({flag.severity}): {flag.message}",
                time_s=flag.take_s,
            )
            for flag in report.flags
        ]
    return _drift_memo[key]


def remembered_drift_flags(project: Any, scene: Scene) -> list[FlagView] | None:
    """Flags already computed for this scene (never computes: for the overview screens)."""
    prefix = (id(project), scene.id)
    found = [flags for key, flags in _drift_memo.items() if key[:2] == prefix]
    return found[-1] if found else None


def _flag_key(flag: Any, gestures: set[str]) -> str:
    """The matrix column a flag belongs to: its tracked gesture if it names one, else its beat."""
    for value in flag.values.values():
        if isinstance(value, str) and value in gestures:
            return value
    named = [g for g in gestures if g in flag.message]
    return named[0] if named else (flag.beat or "")


@dataclass(frozen=True)
class DataSources:
    """Where the screens get their data; the CLI uses the defaults, tests pass canned ones."""

    load: Callable[[Path], LoadResult] = load_production
    take_data: Callable[[Any, Scene, Take], TakeData] = cached_take_data
    is_analyzed: Callable[[Any, Scene, Take], bool] | None = cached_is_analyzed
    """Cheap check for the overview counts; None: ask `take_data`."""
    scene_flags: Callable[[Any, Scene], list[FlagView] | None] = drift_flags
    """Computes flags (continuity screen); may run drift on cached analyses."""
    known_flags: Callable[[Any, Scene], list[FlagView] | None] | None = remembered_drift_flags
    """Flags without computing (production and take screens); None: use `scene_flags`."""
    analyze: Callable[..., bool] | None = None
    """(project, takes, progress, should_stop) -> finished; None uses rehearse.tui.jobs.analyze_takes."""
    read_still: Callable[[Path, float], Any] | None = None
    """(video path, seconds) -> RGB uint8 array; None uses rehearse.video.frames.read_frame_at."""


def known_flags(sources: DataSources, project: Any, scene: Scene) -> list[FlagView] | None:
    """Flags the overview screens may show without starting a drift analysis."""
    return (sources.known_flags or sources.scene_flags)(project, scene)


def take_is_analyzed(sources: DataSources, project: Any, scene: Scene, take: Take) -> bool:
    """Whether a take has an analysis, the cheap way when the sources have one."""
    if sources.is_analyzed is not None:
        return sources.is_analyzed(project, scene, take)
    return sources.take_data(project, scene, take).analyzed
