"""The continuity screen: takes x tracked gestures and beats, with flags; a flag's evidence below."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from rehearse.tui.data import FlagView, TakeData
from rehearse.tui.keymap import bindings
from rehearse.tui.messages import ContinuityReady
from rehearse.tui.screens.base import RehearseScreen
from rehearse.tui.widgets.common import KeyTable, literal
from rehearse.tui.widgets.timeline import beat_spans, hold_results


def gesture_cell(data: TakeData, gesture) -> str:
    """Onset of a tracked gesture after its beat starts, or why there is none."""
    if not data.analyzed:
        return "n/a"
    beat_start = dict(data.take.beat_marks).get(gesture.beat)
    hits = [
        e for e in data.events
        if e.label == gesture.id or (e.kind == "gesture" and e.label == gesture.kind and e.beat == gesture.beat)
    ]
    if not hits:
        return "none"
    side = f" {hits[0].side}" if hits[0].side else ""
    if beat_start is None:
        return f"{hits[0].start_s:.2f} s{side}"
    return f"+{hits[0].start_s - beat_start:.2f} s{side}"


def beat_cell(data: TakeData, scene, beat_id: str) -> str:
    """A beat's hold length against its target, else the beat's length in this take."""
    holds = {h.beat: h for h in hold_results(data, scene)}
    if beat_id in holds and holds[beat_id].measured_s is not None:
        return f"hold {holds[beat_id].measured_s:.2f} s"
    span = next(((s, e) for b, s, e in beat_spans(data) if b == beat_id), None)
    return f"{span[1] - span[0]:.2f} s" if span else "—"


class ContinuityScreen(RehearseScreen):
    """A matrix of takes by tracked gestures and beats; flagged cells are marked `!`."""

    BINDINGS = bindings("continuity")

    def __init__(self, scene_id: str) -> None:
        super().__init__()
        self.scene_id = scene_id
        self.takes: list[TakeData] = []
        self.flags: list[FlagView] | None = None
        self._columns: list[tuple[str, str]] = []

    def compose_body(self) -> ComposeResult:
        yield KeyTable(id="matrix", cursor_type="cell")
        with VerticalScroll(id="evidence-pane"):
            yield Static(id="evidence")

    def current_scene(self):
        project = self.app.project
        return None if project is None else project.scene(self.scene_id)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#matrix", KeyTable).focus()

    def show_project(self, project: Any, problems: list[str], kept_last_good: bool) -> None:
        super().show_project(project, problems, kept_last_good)
        scene = self.current_scene()
        if not self.ready or scene is None:
            return
        self.set_title(literal(f"continuity  scene {scene.id}  {scene.heading}", style="bold"))
        self.query_one("#evidence", Static).update(Text("loading takes…", style="italic"))
        self.load(project, scene)

    @work(thread=True, exclusive=True, exit_on_error=False, group="continuity")
    def load(self, project: Any, scene) -> None:
        takes = [self.app.sources.take_data(project, scene, take) for take in scene.takes]
        flags = self.app.sources.scene_flags(project, scene)
        self.post_from_worker(ContinuityReady(scene.id, takes, flags))

    def on_continuity_ready(self, message: ContinuityReady) -> None:
        scene = self.current_scene()
        if scene is None or message.scene_id != scene.id:
            return
        self.takes, self.flags = message.takes, message.flags
        table = self.query_one("#matrix", KeyTable)
        table.clear(columns=True)
        self._columns = [("gesture", g.id) for g in scene.tracked_gestures]
        self._columns += [("beat", b.id) for b in scene.beats]
        table.add_column("take", key="take")
        for kind, key in self._columns:
            table.add_column(literal(key if kind == "beat" else f"{key}"), key=f"{kind}:{key}")
        gestures = {g.id: g for g in scene.tracked_gestures}
        for data in self.takes:
            cells: list[Text] = [literal(data.take.label)]
            for kind, key in self._columns:
                value = gesture_cell(data, gestures[key]) if kind == "gesture" else beat_cell(data, scene, key)
                if self._flags_at(data.take.label, key):
                    cells.append(Text(f"! {value}", style="bold red"))
                else:
                    cells.append(literal(value))
            table.add_row(*cells, key=data.take.label)
        self._show_evidence()

    def _flags_at(self, take_label: str, key: str) -> list[FlagView]:
        return [f for f in self.flags or [] if f.take_label == take_label and f.key == key]

    def _show_evidence(self) -> None:
        table = self.query_one("#matrix", KeyTable)
        evidence = self.query_one("#evidence", Static)
        analyzed = sum(1 for d in self.takes if d.analyzed)
        header = Text(f"{analyzed} of {len(self.takes)} takes analyzed. ", style="dim")
        if self.flags is None:
            header.append("No drift analysis yet: it runs here once every take is analyzed.", style="dim")
        header.append("\nGesture cells: onset after the beat starts; beat cells: hold length, else beat length.",
                      style="dim")
        if not self.takes or table.cursor_column == 0 or not self._columns:
            evidence.update(header)
            return
        take = self.takes[table.cursor_row] if table.cursor_row < len(self.takes) else None
        kind, key = self._columns[table.cursor_column - 1]
        text = Text(f"{take.take.label} × {kind} {key}\n", style="bold") if take else Text()
        flags = self._flags_at(take.take.label, key) if take else []
        for flag in flags:
            at = f" at {flag.time_s:.2f} s" if flag.time_s is not None else ""
            text.append_text(literal(f"flag{at}: {flag.sentence}\n"))
        if not flags:
            text.append("no flag here\n", style="dim")
        text.append_text(header)
        evidence.update(text)

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        self._show_evidence()

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        self.action_show_evidence()

    def action_show_evidence(self) -> None:
        self._show_evidence()
        self.query_one("#evidence-pane").scroll_home(animate=False)
