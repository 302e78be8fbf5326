"""The terminal app: one factory (`create_app`) shared by the CLI, the snapshot tests and the benchmark.

The app holds the loaded production and the data sources; screens live in `screens/`. Long
jobs (analysis, reports) run in thread workers that only post messages; a failed worker opens a
one-line error screen. YAML files are polled for changes and reloaded live.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual import work
from textual.app import App
from textual.reactive import reactive
from textual.worker import Worker, WorkerState

from rehearse.errors import RehearseError
from rehearse.tui.commands import RehearseCommands
from rehearse.tui.data import DataSources, LoadResult, resolve_root, watched_files
from rehearse.tui.keymap import bindings
from rehearse.tui.messages import (
    FlagsReady,
    JobFinished,
    JobProgress,
    ProjectLoaded,
    post_unless_replaced,
)

DARK_THEME = "textual-dark"
LIGHT_THEME = "textual-light"
WATCH_INTERVAL_S = 1.0


def one_line(error: BaseException) -> str:
    """The line a user sees for a failure: RehearseError's own line, else type and message."""
    if isinstance(error, RehearseError):
        return error.one_line()
    return " ".join(f"{type(error).__name__}: {error}".split())


class RehearseApp(App):
    """rehearse in the terminal: production -> scene -> take, continuity, help."""

    CSS_PATH = "app.tcss"
    TITLE = "rehearse"
    BINDINGS = bindings("app") + bindings("back")
    COMMANDS = App.COMMANDS | {RehearseCommands}

    job_state: reactive[tuple[str, float, str] | None] = reactive(None)
    """(job, fraction done, detail) of the running job, None when idle."""

    def __init__(
        self,
        root: Path,
        sources: DataSources,
        *,
        keymap: dict[str, str] | None = None,
        theme: str = DARK_THEME,
        watch: bool = True,
        graphics_stills: bool = False,
    ) -> None:
        super().__init__()
        self.root = Path(root)
        self.sources = sources
        self.user_keymap = dict(keymap or {})
        self.start_theme = theme
        self.watch_files = watch
        self.graphics_stills = graphics_stills
        self.project: Any | None = None
        self.loaded = False
        """True once the first load of the production has landed (even if it failed)."""
        self.problems: list[str] = []
        self.flags: dict[str, list[Any] | None] = {}
        """Scene id -> continuity flags computed in the background (None: not every take analysed).
        A scene missing here has not been computed yet."""
        self._stamps: dict[Path, float] = {}

    def on_mount(self) -> None:
        from rehearse.tui.screens.production import ProductionScreen

        self.theme = self.start_theme
        if self.user_keymap:
            self.set_keymap(self.user_keymap)
        # The first frame comes before the production: loading it (pydantic models, YAML) runs in
        # a worker and the screens fill in when it lands.
        self._stamps = watched_files(self.root)
        self.push_screen(ProductionScreen())
        self.load_project_in_worker(reload=False)
        if self.watch_files:
            self.set_interval(WATCH_INTERVAL_S, self.check_for_changes, name="yaml-watch")

    def _load(self) -> LoadResult:
        try:
            return self.sources.load(self.root)
        except RehearseError as error:
            return LoadResult(None, [error.one_line()])

    def _apply(self, result: LoadResult, reload: bool) -> None:
        self.loaded = True
        failed = result.project is None or any(": error:" in p for p in result.problems)
        # A broken edit never replaces what is on screen: the last good production stays.
        if result.project is not None and not (failed and reload and self.project is not None):
            self.project = result.project
        self.problems = list(result.problems)
        kept_last_good = reload and failed and self.project is not None
        for screen in self.screen_stack:
            if hasattr(screen, "show_project"):
                screen.show_project(self.project, self.problems, kept_last_good)

    # --- live reload ---------------------------------------------------------------------

    def check_for_changes(self) -> bool:
        """Reload when a YAML file changed, appeared or vanished; True if a reload started."""
        if self.closing():  # the watch timer can still fire while the screens are taken down
            return False
        stamps = watched_files(self.root)
        if stamps == self._stamps:
            return False
        self._stamps = stamps
        self.load_project_in_worker(reload=True)
        return True

    @work(thread=True, exclusive=True, exit_on_error=False, group="reload")
    def load_project_in_worker(self, reload: bool) -> None:
        self.post_from_worker(ProjectLoaded(self._load(), reload=reload))

    def post_from_worker(self, message) -> None:
        """Post a worker's result unless a newer worker replaced it (`post_unless_replaced`)."""
        post_unless_replaced(self, message)

    def closing(self) -> bool:
        """True once the app began to shut down. A worker's result can still land then (Pilot's
        run_test closes the screens while the app handles messages): it must start no new work
        and touch no screen, whose widgets may already be removed."""
        return not self.is_running

    def on_project_loaded(self, message: ProjectLoaded) -> None:
        if self.closing():
            return
        self._apply(message.result, message.reload)
        if self.project is not None:
            self.flags = {}
            self.compute_flags(self.project)

    # --- flags, computed when the app opens ---------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="flags")
    def compute_flags(self, project: Any) -> None:
        """Every scene's continuity flags, from cached analyses only (drift never starts MediaPipe
        here: a scene with a take not analysed yet gets None). The sources memoise them per analysis."""
        from textual.worker import get_current_worker

        worker = get_current_worker()
        for scene in project.scenes:
            if worker.is_cancelled:
                return
            try:
                flags = self.sources.scene_flags(project, scene)
            except RehearseError:
                flags = None
            self.post_from_worker(FlagsReady(scene.id, flags))

    def on_flags_ready(self, message: FlagsReady) -> None:
        if self.closing():
            return
        self.flags[message.scene_id] = message.flags
        for screen in self.screen_stack:
            if hasattr(screen, "flags_changed"):
                screen.flags_changed(message.scene_id)

    def flags_for(self, scene) -> tuple[bool, list[Any] | None]:
        """(known, flags) for a scene: known is False while the background computation has not
        reached it; flags None means no drift can run yet (a take is not analysed)."""
        if scene.id in self.flags:
            return True, self.flags[scene.id]
        remembered = self.sources.known_flags(self.project, scene) if self.sources.known_flags else None
        return remembered is not None, remembered

    # --- jobs ----------------------------------------------------------------------------

    def start_job(self, job: str, scene, takes: list) -> None:
        """Analyze these takes of a scene in a worker (one job at a time)."""
        if self.project is None:
            return
        self.job_state = (job, 0.0, "starting")
        self.analyze_takes(job, self.project, scene, takes)

    # Jobs run in this process, in thread workers, through the same functions as the commands
    # (rehearse.tui.jobs); they post replaceable JobProgress messages and stop when cancelled.

    @work(thread=True, exclusive=True, exit_on_error=False, group="analysis")
    def analyze_takes(self, job: str, project: Any, scene, takes: list) -> None:
        from textual.worker import get_current_worker

        from rehearse.tui.jobs import analyze_takes

        worker = get_current_worker()
        done = (self.sources.analyze or analyze_takes)(
            project,
            takes,
            progress=lambda fraction, detail: self.post_message(JobProgress(job, fraction, detail)),
            should_stop=lambda: worker.is_cancelled,
        )
        self.post_message(JobFinished(job, done, "done" if done else "cancelled"))

    def start_report_job(self, job: str, scene_ids: list[str] | None, output: Path) -> None:
        """Write the HTML report of these scenes (None: all) in a worker, then open it."""
        self.job_state = (job, 0.0, "starting")
        self._file_job(job, "report", (scene_ids,), output)

    def start_export_job(self, job: str, scene_id: str, fmt: str, output: Path) -> None:
        """Export the scene's markers in a worker."""
        self.job_state = (job, 0.0, "starting")
        self._file_job(job, "export", (scene_id, fmt), output)

    @work(thread=True, exclusive=True, exit_on_error=False, group="analysis")
    def _file_job(self, job: str, kind: str, arguments: tuple, output: Path) -> None:
        from textual.worker import get_current_worker

        from rehearse.analysis.take import AnalysisCancelled
        from rehearse.tui import jobs

        worker = get_current_worker()
        run = jobs.write_report if kind == "report" else jobs.export_markers
        try:
            summary = run(self.project, *arguments, output,
                          progress=lambda fraction, detail: self.post_message(JobProgress(job, fraction, detail)),
                          should_stop=lambda: worker.is_cancelled)
        except AnalysisCancelled:
            self.post_message(JobFinished(job, False, "cancelled"))
            return
        detail = jobs.open_in_viewer(output) if kind == "report" else summary
        self.post_message(JobFinished(job, True, detail))

    def on_job_progress(self, message: JobProgress) -> None:
        if self.closing():
            return
        self.job_state = (message.job, message.fraction, message.detail)

    def on_job_finished(self, message: JobFinished) -> None:
        if self.closing():
            return
        self.job_state = None
        self.notify(f"{message.job}: {message.detail}", markup=False)
        for screen in self.screen_stack:
            if hasattr(screen, "job_finished"):
                screen.job_finished()
        if message.ok and self.project is not None:
            self.flags = {}
            self.compute_flags(self.project)  # new analyses: the flags change

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and not self.closing():
            from rehearse.tui.screens.error import ErrorScreen

            self.job_state = None
            self.push_screen(ErrorScreen(one_line(event.worker.error)))

    def action_cancel_job(self) -> None:
        if self.job_state is not None:
            self.workers.cancel_group(self, "analysis")
            self.job_state = None

    # --- navigation ----------------------------------------------------------------------

    def action_back(self) -> None:
        if len(self.screen_stack) > 2:
            self.pop_screen()

    def action_help(self) -> None:
        from rehearse.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_warnings(self) -> None:
        from rehearse.tui.screens.warnings import WarningsScreen

        if not isinstance(self.screen, WarningsScreen):
            self.push_screen(WarningsScreen())

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT_THEME if self.theme == DARK_THEME else DARK_THEME


def create_app(
    start: Path | None = None,
    *,
    sources: DataSources | None = None,
    keymap: dict[str, str] | None = None,
    theme: str | None = None,
    watch: bool = True,
    graphics_stills: bool = False,
) -> RehearseApp:
    """The app on the production at or above `start` (else the bundled sample production)."""
    root = resolve_root(start)
    if keymap is None:
        from rehearse.tui.keymap import load_keymap

        keymap = load_keymap(root)
    chosen = {"light": LIGHT_THEME, "dark": DARK_THEME}.get(theme or "dark", theme or DARK_THEME)
    return RehearseApp(
        root,
        sources or DataSources(),
        keymap=keymap,
        theme=chosen,
        watch=watch,
        graphics_stills=graphics_stills,
    )
