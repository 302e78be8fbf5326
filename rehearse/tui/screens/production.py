"""The production screen: every scene with its story day, beats, takes analyzed and open flags."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.widgets import DataTable

from rehearse.tui.data import take_is_analyzed
from rehearse.tui.keymap import bindings
from rehearse.tui.messages import SceneStats
from rehearse.tui.screens.base import RehearseScreen
from rehearse.tui.widgets.common import KeyTable, literal

# (column, width in cells): sized so the table fits 80 columns.
COLUMNS = (("scene", 5), ("heading", 24), ("story day", 20), ("beats", 5), ("analyzed", 8), ("flags", 5))


def _flag_count(known: bool, flags: list | None, analyzed: int | None, total: int) -> str:
    """The flags cell: a count; `…` while the app is still computing; `—` when drift cannot run
    (a take is not analysed yet, or the scene has no takes)."""
    if flags is not None:
        return str(len(flags))
    if not known and total and analyzed == total:
        return "…"
    return "—"


class ProductionScreen(RehearseScreen):
    """Scenes in story order; Enter opens one."""

    BINDINGS = bindings("production")
    searchable = True

    def __init__(self) -> None:
        super().__init__()
        self._stats: dict[str, tuple[int, int]] = {}
        self._filter = ""
        self._shown_once = False

    def compose_body(self) -> ComposeResult:
        yield KeyTable(id="scenes")

    def on_mount(self) -> None:
        table = self.query_one("#scenes", KeyTable)
        for label, width in COLUMNS:
            table.add_column(label, key=label, width=width)
        super().on_mount()
        table.focus()

    def show_project(self, project: Any, problems: list[str], kept_last_good: bool) -> None:
        super().show_project(project, problems, kept_last_good)
        if not self.ready:
            return
        if project is None:
            if self.app.loaded:
                self.set_title(Text("no production loaded", style="bold"))
            else:
                self.set_title(literal(f"loading the production in {self.app.root.name}/ …", style="bold"))
            return
        production = project.production
        title = literal(production.title, style="bold")
        title.append(f"  {len(project.scenes)} scenes  ", style="")
        title.append_text(literal(f"{Path(project.root).name}/", style="dim"))
        self.set_title(title)
        self._fill()
        # After the first frame: counting takes reads the analysis cache (numpy), not needed to draw.
        self.call_after_refresh(self.count_takes, project)

    def _fill(self) -> None:
        project = self.app.project
        table = self.query_one("#scenes", KeyTable)
        selected = self.current_scene()
        table.clear()
        days = {d.id: d.label or d.id for d in project.production.story_days}
        for scene in project.scenes:
            haystack = f"{scene.id} {scene.heading} {scene.synopsis}".lower()
            if self._filter and self._filter not in haystack:
                continue
            analyzed, total = self._stats.get(scene.id, (None, len(scene.takes)))
            known, flags = self.app.flags_for(scene)
            table.add_row(
                literal(scene.id),
                literal(scene.heading),
                literal(days.get(scene.story_day or "", scene.story_day or "—")),
                Text(str(len(scene.beats)), justify="right"),
                Text("…" if analyzed is None else f"{analyzed}/{total}", justify="right"),
                Text(_flag_count(known, flags, analyzed, total), justify="right",
                     style="bold red" if flags else ""),
                key=scene.id,
            )
        if selected is not None and selected.id in table.rows:
            table.move_cursor(row=table.get_row_index(selected.id))

    @work(thread=True, exclusive=True, exit_on_error=False, group="stats")
    def count_takes(self, project: Any) -> None:
        sources = self.app.sources
        stats: dict[str, tuple[int, int]] = {}
        for scene in project.scenes:
            analyzed = sum(1 for take in scene.takes if take_is_analyzed(sources, project, scene, take))
            stats[scene.id] = (analyzed, len(scene.takes))
        self.post_from_worker(SceneStats(stats))

    def on_scene_stats(self, message: SceneStats) -> None:
        self._stats = message.stats
        if self.app.project is not None:
            self._fill()

    def flags_changed(self, scene_id: str) -> None:
        if self.ready and self.app.project is not None:
            self._fill()

    def on_screen_resume(self) -> None:
        # Back from a scene: its analysis or drift may have changed the counts.
        if self._shown_once and self.app.project is not None:
            self.count_takes(self.app.project)
        self._shown_once = True

    def job_finished(self) -> None:
        if self.ready and self.app.project is not None:
            self.count_takes(self.app.project)

    def apply_filter(self, query: str) -> None:
        self._filter = query
        if self.app.project is not None:
            self._fill()

    def current_scene(self):
        project = self.app.project
        table = self.query_one("#scenes", KeyTable)
        if project is None or table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        return project.scene(key)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open_scene()

    def action_open_scene(self) -> None:
        from rehearse.tui.screens.scene import SceneScreen

        scene = self.current_scene()
        if scene is not None:
            self.app.push_screen(SceneScreen(scene.id))

    def action_continuity(self) -> None:
        from rehearse.tui.screens.continuity import ContinuityScreen

        scene = self.current_scene()
        if scene is not None:
            self.app.push_screen(ContinuityScreen(scene.id))
