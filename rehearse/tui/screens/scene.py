"""The scene screen: beats table, blocking / wardrobe and makeup / lighting and shots panes, takes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Static

from rehearse.tui.keymap import bindings
from rehearse.tui.messages import TakeStatuses
from rehearse.tui.screens.base import RehearseScreen
from rehearse.tui.widgets.common import KeyTable, literal

if TYPE_CHECKING:
    from rehearse.breakdown.models import Scene


def blocking_text(scene: Scene) -> Text:
    """Marks, moves and leans, as written."""
    text = Text("BLOCKING\n", style="bold")
    for mark in scene.blocking.marks:
        text.append_text(literal(f"mark {mark.id}: {mark.description}\n"))
    for move in scene.blocking.moves:
        path = f"{move.from_mark or '?'}→{move.to_mark or '?'}"
        text.append_text(literal(f"{move.beat} {move.character} {path} {move.description}\n"))
    for lean in scene.blocking.leans:
        degrees = f" {lean.degrees:g} deg" if lean.degrees is not None else ""
        text.append_text(literal(f"{lean.beat} {lean.character} leans {lean.direction} {lean.target or ''}{degrees}\n"))
    if len(text) <= len("BLOCKING\n"):
        text.append("none given", style="dim")
    return text


def appearance_text(scene: Scene) -> Text:
    """Wardrobe and makeup states, with declared changes."""
    text = Text("WARDROBE & MAKEUP\n", style="bold")
    for title, cues in (("wardrobe", scene.wardrobe), ("makeup", scene.makeup)):
        for cue in cues:
            line = f"{title}: {cue.character} {cue.item}: {cue.state}"
            if cue.changes_at:
                line += f" → {cue.new_state} at {cue.changes_at}"
            if cue.changed_on_purpose:
                line += " (changed on purpose)"
            text.append_text(literal(line + "\n"))
    if not scene.wardrobe and not scene.makeup:
        text.append("none given", style="dim")
    return text


def lighting_text(scene: Scene) -> Text:
    """Lighting notes and camera set-ups."""
    text = Text("LIGHTING & SHOTS\n", style="bold")
    for note in scene.lighting:
        kelvin = f" {note.color_temperature_k} K" if note.color_temperature_k else ""
        where = f"from {note.beat}: " if note.beat else ""
        text.append_text(literal(f"{where}key {note.key_side}, {note.quality}{kelvin} {note.mood}\n"))
    for shot in scene.shots:
        lens = f" {shot.lens_mm:g} mm" if shot.lens_mm else ""
        text.append_text(literal(f"shot {shot.id}: {shot.size}{lens} {shot.movement} {shot.framing}\n"))
    if not scene.lighting and not scene.shots:
        text.append("none given", style="dim")
    return text


def character_names(project: Any) -> dict[str, str]:
    """Character id -> name as the script prints it."""
    if project is None:
        return {}
    return {c.id: c.name for c in project.production.characters}


def dialogue_text(beat, names: dict[str, str]) -> Text:
    """The beat's first line as `NAME: text`, with `+N` when more lines follow."""
    if not beat.lines:
        return Text("—", style="dim")
    first = beat.lines[0]
    text = literal(f"{names.get(first.character, first.character)}: {first.text}")
    if len(beat.lines) > 1:
        text.append(f" +{len(beat.lines) - 1}", style="dim")
    return text


def beat_detail(beat, names: dict[str, str]) -> Text:
    """Every line of a beat, its parentheticals, intent and subtext, as written."""
    text = Text()
    text.append(f"{beat.id} ", style="bold")
    for line in beat.lines:
        text.append(f"{names.get(line.character, line.character)}: ", style="bold")
        parenthetical = getattr(line, "parenthetical", "")
        if parenthetical:
            text.append_text(literal(f"({parenthetical}) ", style="italic"))
        text.append_text(literal(f"{line.text}  "))
    for label, value in (("intent", beat.intent), ("subtext", beat.subtext)):
        if value:
            text.append(f"{label}: ", style="dim")
            text.append_text(literal(f"{value}  "))
    if not beat.lines and not beat.intent and not beat.subtext:
        text.append_text(literal(beat.summary or "no dialogue", style="dim"))
    return text


class SceneScreen(RehearseScreen):
    """One scene; Enter on a take opens it, `c` opens the continuity matrix."""

    BINDINGS = bindings("scene")
    searchable = True

    def __init__(self, scene_id: str) -> None:
        super().__init__()
        self.scene_id = scene_id
        self._filter = ""
        self._analyzed: dict[str, str] = {}

    def compose_body(self) -> ComposeResult:
        yield KeyTable(id="beats")
        yield Static(id="beat-detail")
        with Horizontal(id="panes"):
            for pane in ("blocking", "appearance", "lighting"):
                with VerticalScroll(id=f"pane-{pane}", classes="pane"):
                    yield Static(id=f"{pane}-text")
        yield KeyTable(id="takes")

    def on_mount(self) -> None:
        beats = self.query_one("#beats", KeyTable)
        # summary and dialogue share what the fixed columns leave (2 cells of padding per column)
        shared = max(24, self.app.size.width - 2 - 4 - 6 - 10 - 10)
        for label, width in (("beat", 4), ("summary", shared // 2), ("dialogue", shared - shared // 2),
                             ("hold", 6), ("gestures", 10)):
            beats.add_column(label, key=label, width=width)
        takes = self.query_one("#takes", KeyTable)
        notes_width = max(20, self.app.size.width - 2 - 6 - 11 - 22 - 8)  # no sideways scrollbar at 80 columns
        for label, width in (("take", 6), ("status", 11), ("analysis", 22), ("notes", notes_width)):
            takes.add_column(label, key=label, width=width)
        super().on_mount()
        beats.focus()

    def current_scene(self) -> Scene | None:
        project = self.app.project
        return None if project is None else project.scene(self.scene_id)

    def current_take(self):
        scene = self.current_scene()
        takes = self.query_one("#takes", KeyTable)
        if scene is None or takes.row_count == 0:
            return None
        key = takes.coordinate_to_cell_key((takes.cursor_row, 0)).row_key.value
        return next((t for t in scene.takes if t.label == key), None)

    def show_project(self, project: Any, problems: list[str], kept_last_good: bool) -> None:
        super().show_project(project, problems, kept_last_good)
        if not self.ready:
            return
        scene = self.current_scene()
        if scene is None:
            self.set_title(literal(f"scene {self.scene_id} is no longer in the production", style="bold"))
            return
        title = literal(f"{scene.id}  {scene.heading}", style="bold")
        if scene.story_day:
            title.append_text(literal(f"  day {scene.story_day}"))
        if scene.synopsis:
            title.append_text(literal(f"  {scene.synopsis}", style="dim"))
        self.set_title(title)
        self.query_one("#blocking-text", Static).update(blocking_text(scene))
        self.query_one("#appearance-text", Static).update(appearance_text(scene))
        self.query_one("#lighting-text", Static).update(lighting_text(scene))
        self._fill_beats(scene)
        self._fill_takes(scene)
        self.check_takes(project, scene)

    def _fill_beats(self, scene: Scene) -> None:
        names = character_names(self.app.project)
        table = self.query_one("#beats", KeyTable)
        row = table.cursor_row
        table.clear()
        for beat in scene.beats:
            words = " ".join([beat.summary, beat.intent, beat.subtext, *(c.text for c in beat.lines)])
            if self._filter and self._filter not in f"{beat.id} {words}".lower():
                continue
            hold = f"{beat.hold.duration:.2f} s" if beat.hold else "—"
            table.add_row(
                literal(beat.id),
                literal(beat.summary or "—"),
                dialogue_text(beat, names),
                Text(hold, justify="right"),
                literal(", ".join(beat.gestures) or "—"),
                key=beat.id,
            )
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))
        self._show_beat_detail()

    def _show_beat_detail(self) -> None:
        """The highlighted beat's whole dialogue (with parentheticals), intent and subtext."""
        scene, table = self.current_scene(), self.query_one("#beats", KeyTable)
        detail = self.query_one("#beat-detail", Static)
        if scene is None or table.row_count == 0:
            detail.display = False
            return
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        beat = next((b for b in scene.beats if b.id == key), None)
        detail.display = beat is not None
        if beat is not None:
            detail.update(beat_detail(beat, character_names(self.app.project)))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "beats":
            self._show_beat_detail()

    def _fill_takes(self, scene: Scene) -> None:
        table = self.query_one("#takes", KeyTable)
        row = table.cursor_row
        table.clear()
        for take in scene.takes:
            table.add_row(
                literal(take.label),
                literal(take.status),
                literal(self._analyzed.get(take.label, "…")),
                literal(take.notes),
                key=take.label,
            )
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))

    @work(thread=True, exclusive=True, exit_on_error=False, group="takes")
    def check_takes(self, project: Any, scene: Scene) -> None:
        stats = {}
        for take in scene.takes:
            data = self.app.sources.take_data(project, scene, take)
            stats[take.label] = "analyzed" if data.analyzed else (data.note or "not analyzed yet")
        self.post_from_worker(TakeStatuses(scene.id, stats))

    def on_take_statuses(self, message: TakeStatuses) -> None:
        self._analyzed = message.statuses
        scene = self.current_scene()
        if scene is not None and scene.id == message.scene_id:
            self._fill_takes(scene)

    def job_finished(self) -> None:
        scene = self.current_scene()
        if self.ready and scene is not None:
            self.check_takes(self.app.project, scene)

    def apply_filter(self, query: str) -> None:
        self._filter = query
        scene = self.current_scene()
        if scene is not None:
            self._fill_beats(scene)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "takes":
            self.action_open_take()
        else:
            self.query_one("#takes", KeyTable).focus()

    def action_open_take(self) -> None:
        from rehearse.tui.screens.take import TakeScreen

        take = self.current_take()
        if take is not None:
            self.app.push_screen(TakeScreen(self.scene_id, take.label))

    def action_continuity(self) -> None:
        from rehearse.tui.screens.continuity import ContinuityScreen

        self.app.push_screen(ContinuityScreen(self.scene_id))

    def action_log_rehearsal(self) -> None:
        """Log the next run-through of this scene (its next take; an interrupted one resumes)."""
        from rehearse.tui.log_app import RehearsalLogScreen, take_options

        scene = self.current_scene()
        project = self.app.project
        if scene is not None and project is not None:
            self.app.push_screen(RehearsalLogScreen(project.root, scene, **take_options(project, scene)))

    def action_analyze_scene(self) -> None:
        scene = self.current_scene()
        if scene is not None and scene.takes:
            self.app.start_job(f"analyze scene {scene.id}", scene, list(scene.takes))
