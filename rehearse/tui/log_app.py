"""Live rehearsal logging: one key per event, each entry committed to SQLite before it is shown.

The screen shows the running clock, the current beat with its line cue, and the last entries
(each with its id, so the log can be checked at a glance). A killed app loses nothing that was
on screen: the entry is written and committed first, and only then acknowledged.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from rich.text import Text
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Input, Static

from rehearse.breakdown.models import Scene
from rehearse.store import connect
from rehearse.store.rehearsal_log import (
    LogEntry,
    add_entry,
    clock_event,
    clock_state,
    current_beat,
    entries,
    next_beat,
    resume_or_start,
    undo_last,
)
from rehearse.tui.keymap import bindings

VISIBLE_ENTRIES = 200

class NotePrompt(ModalScreen[str | None]):
    """Asks for a free-text note; Enter logs it, Escape cancels."""

    BINDINGS = bindings("note")

    def compose(self) -> ComposeResult:
        with Vertical(id="note-box"):
            yield Static("Note (Enter to log, Escape to cancel):")
            yield Input(id="note-input")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class RehearsalLogScreen(Screen[None]):
    """The logging screen: pushed by `rehearse log SCENE` or from the scene screen."""

    # From the app's one keymap table (scope `log`), so help lists them and `keymap:` remaps them.
    BINDINGS = bindings("log")
    DEFAULT_CSS = """
    RehearsalLogScreen #clock { height: 3; content-align: center middle; text-style: bold; }
    RehearsalLogScreen #beat { height: auto; padding: 0 1; }
    RehearsalLogScreen #status { height: 1; padding: 0 1; color: $text-muted; }
    RehearsalLogScreen #entries { height: 1fr; }
    NotePrompt { align: center middle; }
    NotePrompt #note-box { width: 60; height: auto; padding: 1 2; border: round $accent; background: $surface; }
    """

    def __init__(self, production_root: Path, scene: Scene):
        super().__init__()
        self.production_root = Path(production_root)
        self.scene = scene
        self.beat_ids = [beat.id for beat in scene.beats]
        self.connection: sqlite3.Connection | None = None
        self.session_id = 0
        self.resumed = False
        self.hold_open = False
        self.live_entries: list[LogEntry] = []
        self._clock: Static | None = None
        self._timer = None

    def compose(self) -> ComposeResult:
        yield Static(id="clock")
        yield Static(id="beat")
        yield Static(id="status")
        yield DataTable(id="entries", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.app.sub_title = f"log: scene {self.scene.id}"
        self.connection = connect(self.production_root)
        session, self.resumed = resume_or_start(self.connection, self.scene.id)
        self.session_id = session.id
        self.live_entries = entries(self.connection, self.session_id)
        self.hold_open = self._hold_is_open()
        table = self.query_one(DataTable)
        table.add_columns("#", "time", "beat", "kind", "text")
        for entry in self.live_entries[-VISIBLE_ENTRIES:]:
            self._show_entry(entry)
        what = "resumed" if self.resumed else "new"
        self._status(f"{what} session {self.session_id}, {len(self.live_entries)} entries")
        self._refresh_beat()
        self._clock = self.query_one("#clock", Static)
        self._tick()
        self._timer = self.set_interval(0.1, self._tick)

    # --- clock -----------------------------------------------------------------------------

    def _elapsed(self) -> tuple[float, bool]:
        return clock_state(self.connection, self.session_id)

    def _tick(self) -> None:
        if self._clock is None or not self._clock.is_attached:
            return  # the app is shutting down; the timer may fire once more
        elapsed, running = self._elapsed()
        minutes, seconds = divmod(elapsed, 60)
        state = "running" if running else "paused"
        self._clock.update(f"{int(minutes):02d}:{seconds:05.2f}  ({state})")

    def action_toggle_clock(self) -> None:
        _, running = self._elapsed()
        clock_event(self.connection, self.session_id, "pause" if running else "start")
        self._tick()

    # --- entries ---------------------------------------------------------------------------

    def _log(self, kind: str, *, beat_id: str | None = None, text: str = "") -> LogEntry:
        elapsed, _ = self._elapsed()
        if beat_id is None:
            beat_id = current_beat(self.beat_ids, self.live_entries)
        # Committed to disk here, before anything on screen says so.
        entry = add_entry(self.connection, self.session_id, kind, elapsed, beat_id=beat_id, text=text)
        self.live_entries.append(entry)
        self._show_entry(entry)
        self._status(f"logged #{entry.id} {kind}")
        return entry

    def action_log(self, kind: str) -> None:
        self._log(kind)

    def action_next_beat(self) -> None:
        upcoming = next_beat(self.beat_ids, self.live_entries)
        if upcoming is None:
            self._status("no beat left in this scene")
            return
        self._log("beat", beat_id=upcoming)
        self._refresh_beat()

    def action_hold(self) -> None:
        self._log("hold_stop" if self.hold_open else "hold_start")
        self.hold_open = not self.hold_open

    def action_gesture(self, index: int) -> None:
        gestures = self.scene.tracked_gestures
        if index >= len(gestures):
            self._status(f"no tracked gesture {index + 1} in scene {self.scene.id}")
            return
        self._log("gesture", text=gestures[index].id)

    def action_note(self) -> None:
        def logged(text: str | None) -> None:
            if text:
                self._log("note", text=text)

        self.app.push_screen(NotePrompt(), logged)

    def action_undo(self) -> None:
        undone = undo_last(self.connection, self.session_id)
        if undone is None:
            self._status("nothing to undo")
            return
        self.live_entries = [e for e in self.live_entries if e.id != undone.id]
        table = self.query_one(DataTable)
        if str(undone.id) in table.rows:
            table.remove_row(str(undone.id))
        self.hold_open = self._hold_is_open()
        self._refresh_beat()
        self._status(f"undid #{undone.id} {undone.kind}")

    # --- display ---------------------------------------------------------------------------

    def _hold_is_open(self) -> bool:
        holds = [e.kind for e in self.live_entries if e.kind in ("hold_start", "hold_stop")]
        return bool(holds) and holds[-1] == "hold_start"

    def _show_entry(self, entry: LogEntry) -> None:
        table = self.query_one(DataTable)
        # Text() keeps notes literal: "[bold]" in a note is shown, not interpreted.
        table.add_row(
            str(entry.id), f"{entry.t_s:7.2f} s", entry.beat_id or "-", entry.kind, Text(entry.text),
            key=str(entry.id),
        )
        table.move_cursor(row=table.row_count - 1)

    def _refresh_beat(self) -> None:
        beat_id = current_beat(self.beat_ids, self.live_entries)
        beat = self.scene.beat(beat_id) if beat_id else None
        text = Text()
        if beat is None:
            upcoming = self.beat_ids[0] if self.beat_ids else None
            text.append("before the first beat", style="bold")
            if upcoming:
                text.append(f"  (n starts {upcoming})")
        else:
            text.append(f"{beat.id}: ", style="bold")
            text.append(beat.summary)
            for cue in beat.lines[:2]:
                text.append(f"\n  {cue.character.upper()}: ", style="bold")
                text.append(cue.text)
        self.query_one("#beat", Static).update(text)

    def _status(self, message: str) -> None:
        self.query_one("#status", Static).update(Text(message))

    def action_close(self) -> None:
        """Leave the log (the session stays open and resumes next time)."""
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        else:
            self.app.exit()

    def on_unmount(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        if self.connection is not None:
            self.connection.close()


class RehearsalLogApp(App[None]):
    """`rehearse log SCENE`: the logging screen as its own app."""

    def __init__(self, production_root: Path, scene: Scene, *, keymap: dict[str, str] | None = None):
        super().__init__()
        self.log_screen = RehearsalLogScreen(production_root, scene)
        if keymap:
            self.set_keymap(keymap)

    def on_mount(self) -> None:
        self.title = "rehearse"
        self.push_screen(self.log_screen)

    @property
    def resumed(self) -> bool:
        return self.log_screen.resumed
