"""Live rehearsal logging: one key per event, each entry committed to SQLite before it is shown.

Each run-through is its own session, bound to scene, shot and take (the next take number is
offered) with the camera's timecode. The screen shows the slate and timecode, the running clock,
the current beat with its line cue, and the last entries (each with its id, so the log can be
checked at a glance). `o`/`x` circle or NG the take in the scene's YAML; `r` ends this take and
starts the next; leaving ends the take. A killed app loses nothing that was on screen: the entry
is written and committed first, and only then acknowledged; its session is resumed next time.
"""

from __future__ import annotations

import time
from pathlib import Path

from rich.text import Text
from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from rehearse.breakdown.models import Scene
from rehearse.errors import RehearseError
from rehearse.store import connect
from rehearse.store.db import Connection
from rehearse.store.rehearsal_log import (
    LogEntry,
    LogSession,
    add_entry,
    bind_take,
    clock_event,
    clock_state,
    close_session,
    current_beat,
    entries,
    next_beat,
    next_take_number,
    open_sessions,
    sessions_for_scene,
    start_session,
    time_of_day_timecode,
    undo_last,
)
from rehearse.tui.keymap import bindings
from rehearse.tui.log_prompts import NotePrompt, SlatePrompt

VISIBLE_ENTRIES = 200
WAS_ABSENT = "absent"
"""The status a take had before the log added it to the scene file (in a circle/NG entry: `was absent`)."""


class RehearsalLogScreen(Screen[None]):
    """The logging screen: pushed by `rehearse log SCENE` or from the scene screen."""

    # From the app's one keymap table (scope `log`), so help lists them and `keymap:` remaps them.
    BINDINGS = bindings("log")
    DEFAULT_CSS = """
    RehearsalLogScreen #slate { height: 1; padding: 0 1; text-style: bold; }
    RehearsalLogScreen #clock { height: 3; content-align: center middle; text-style: bold; }
    RehearsalLogScreen #beat { height: auto; padding: 0 1; }
    RehearsalLogScreen #status { height: 1; padding: 0 1; color: $text-muted; }
    RehearsalLogScreen #entries { height: 1fr; }
    """

    def __init__(
        self,
        production_root: Path,
        scene: Scene,
        *,
        scene_file: Path | None = None,
        fps: float = 24.0,
        shot: str | None = None,
        take_number: int | None = None,
        timecode: str | None = None,
    ):
        super().__init__()
        self.production_root = Path(production_root)
        self.scene = scene
        self.scene_file = Path(scene_file) if scene_file is not None else None
        self.fps = fps
        self.requested = (shot, take_number, timecode)
        self.beat_ids = [beat.id for beat in scene.beats]
        self.connection: Connection | None = None
        self.session: LogSession | None = None
        self.session_id = 0
        self.resumed = False
        self.hold_open = False
        self.live_entries: list[LogEntry] = []
        self._clock: Static | None = None
        self._timer = None

    def compose(self) -> ComposeResult:
        yield Static(id="slate")
        yield Static(id="clock")
        yield Static(id="beat")
        yield Static(id="status")
        yield DataTable(id="entries", cursor_type="row", zebra_stripes=True)
        yield Footer(show_command_palette=False)  # room for the logging keys at 80 columns

    def on_mount(self) -> None:
        self.app.sub_title = f"log: scene {self.scene.id}"
        self.connection = connect(self.production_root)
        interrupted = open_sessions(self.connection, self.scene.id)
        shot, number, _ = self.requested
        if interrupted and (shot or number) and (
                (shot or interrupted[0].shot), (number or interrupted[0].take_number)) != (
                interrupted[0].shot, interrupted[0].take_number):
            # Another take was asked for: the interrupted run-through is over.
            close_session(self.connection, interrupted[0].id)
            interrupted = []
        # An open session was interrupted (leaving the log closes it): resume it and its clock.
        self.resumed = bool(interrupted)
        self.session = interrupted[0] if interrupted else self._start_take()
        if self.session.take_label is None:
            self.session = self._bind(*self._defaults())
        table = self.query_one(DataTable)
        table.add_columns("#", "time", "TC", "beat", "kind", "text")
        self._load_session()
        self._clock = self.query_one("#clock", Static)
        self._tick()
        self._timer = self.set_interval(0.1, self._tick)

    # --- the take this run-through is ------------------------------------------------------

    def _defaults(self, after: LogSession | None = None) -> tuple[str | None, int | None, str]:
        """Shot (asked for, else the last one logged, else the scene's first), next take, TC now."""
        shot, number, timecode = self.requested if after is None else (after.shot, None, None)
        if shot is None:
            logged = [s.shot for s in sessions_for_scene(self.connection, self.scene.id) if s.shot]
            shot = logged[-1] if logged else (self.scene.shots[0].id if self.scene.shots else None)
        if number is None and shot is not None:
            known = [t.number for t in self.scene.takes if t.shot == shot]
            number = next_take_number(self.connection, self.scene.id, shot, known)
        if timecode is None and after is not None:
            timecode = after.timecode_at(time.time())
        return shot, number, timecode or time_of_day_timecode(self.fps)

    def _start_take(self, after: LogSession | None = None) -> LogSession:
        shot, number, timecode = self._defaults(after)
        return start_session(self.connection, self.scene.id, shot=shot, take_number=number,
                             timecode=timecode, timecode_wall_s=time.time(), fps=self.fps)

    def _bind(self, shot: str | None, number: int | None, timecode: str) -> LogSession:
        return bind_take(self.connection, self.session.id, shot, number, timecode, time.time(), self.fps)

    def _load_session(self) -> None:
        self.session_id = self.session.id
        self.live_entries = entries(self.connection, self.session_id)
        self.hold_open = self._hold_is_open()
        table = self.query_one(DataTable)
        table.clear()
        for entry in self.live_entries[-VISIBLE_ENTRIES:]:
            self._show_entry(entry)
        what = "resumed" if self.resumed else "new"
        self._status(f"{what} session {self.session_id} for take {self._take_text()}, "
                     f"{len(self.live_entries)} entries")
        self._refresh_beat()

    def _take_text(self) -> str:
        return self.session.take_label or "(no shot)"

    def action_next_take(self) -> None:
        """End this run-through and start the next take's session, its clock at zero."""
        close_session(self.connection, self.session_id)
        self.session, self.resumed = self._start_take(after=self.session), False
        self._load_session()
        self._tick()

    def action_slate(self) -> None:
        def slated(values: tuple[str, int, str] | None) -> None:
            if values is None:
                return
            shot, number, timecode = values
            if self.scene.shots and self.scene.shot(shot) is None:
                shots = ", ".join(s.id for s in self.scene.shots)
                self._status(f"scene {self.scene.id} has no shot {shot!r} (shots: {shots}); slate unchanged")
                return
            from rehearse.breakdown.timecode import parse_seconds

            try:
                parse_seconds(timecode, self.fps)
            except ValueError:
                self._status(f"{timecode!r} is not a timecode HH:MM:SS:FF; slate unchanged")
                return
            self.session = self._bind(shot, number, timecode)
            self._status(f"session {self.session_id} is take {self._take_text()}, TC {timecode}")

        self.app.push_screen(SlatePrompt(self.session.shot or "", self.session.take_number or 1,
                                         self.session.timecode_at(time.time()) or ""), slated)

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
        camera = self.session.timecode_at(time.time()) if self.session else None
        self.query_one("#slate", Static).update(
            f"scene {self.scene.id}  take {self._take_text()}  TC {camera or '--:--:--:--'}")

    def action_toggle_clock(self) -> None:
        _, running = self._elapsed()
        clock_event(self.connection, self.session_id, "pause" if running else "start")
        self._tick()

    # --- entries ---------------------------------------------------------------------------

    def _log(self, kind: str, *, beat_id: str | None = None, text: str = "",
             at: tuple[float, float] | None = None) -> LogEntry:
        """Log an entry at `at` = (session clock, wall clock) of its key, default now."""
        wall = time.time()
        elapsed = clock_state(self.connection, self.session_id, wall)[0]
        elapsed, wall = at or (elapsed, wall)
        if beat_id is None:
            beat_id = current_beat(self.beat_ids, self.live_entries)
        # Committed to disk here, before anything on screen says so.
        entry = add_entry(self.connection, self.session_id, kind, elapsed, beat_id=beat_id, text=text, wall_s=wall)
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
        # The note belongs to the moment its key was pressed, not to when Enter is.
        wall = time.time()
        opened_at = (clock_state(self.connection, self.session_id, wall)[0], wall)

        def logged(text: str | None) -> None:
            if text:
                self._log("note", text=text, at=opened_at)

        self.app.push_screen(NotePrompt(), logged)

    def action_mark_take(self, status: str) -> None:
        """Circle or NG this take: its status in the scene's YAML, and a log entry."""
        kind = {"circled": "circle", "ng": "ng"}[status]
        shot, number = self.session.shot, self.session.take_number
        if not shot or not number or self.scene_file is None:
            self._log(kind, text="status not written: no shot/take or scene file")
            self._status(f"logged {kind}; press l to set the shot and take, then mark it again")
            return
        from rehearse.breakdown.take_status import set_take_status

        try:
            change = set_take_status(self.scene_file, shot, number, status)
        except RehearseError as error:
            self._log(kind, text="status not written")
            self._status(error.one_line())
            return
        # `was ...` lets undo put the previous status back (`was absent`: take the added entry out).
        entry = self._log(kind, text=f"was {change.previous or WAS_ABSENT}")
        added = f" (added to {self.scene_file.name} with file {change.added_file})" if change.added_file else ""
        self._status(f"logged #{entry.id}: take {shot}-{number} is {status}{added}")

    def action_undo(self) -> None:
        undone = undo_last(self.connection, self.session_id)
        if undone is None:
            self._status("nothing to undo")
            return
        restored = self._restore_status(undone)
        self.live_entries = [e for e in self.live_entries if e.id != undone.id]
        table = self.query_one(DataTable)
        if str(undone.id) in table.rows:
            table.remove_row(str(undone.id))
        self.hold_open = self._hold_is_open()
        self._refresh_beat()
        self._status(f"undid #{undone.id} {undone.kind}{restored}")

    def _restore_status(self, undone: LogEntry) -> str:
        """Undoing a circle/NG puts the take's previous status back in the YAML."""
        if undone.kind not in ("circle", "ng") or not undone.text.startswith("was "):
            return ""
        from rehearse.breakdown.take_status import set_take_status

        previous = undone.text.removeprefix("was ")
        try:
            if previous == WAS_ABSENT:
                from rehearse.breakdown.take_status import remove_added_take

                if remove_added_take(self.scene_file, self.session.shot, self.session.take_number):
                    return f"; take {self._take_text()} is out of {self.scene_file.name} again"
                previous = "unmarked"  # edited since it was added: the entry stays, unmarked
            set_take_status(self.scene_file, self.session.shot, self.session.take_number, previous)
        except (RehearseError, ValueError) as error:
            return f"; status not restored: {error}"
        return f"; take {self._take_text()} is {previous} again"

    # --- display ---------------------------------------------------------------------------

    def _hold_is_open(self) -> bool:
        holds = [e.kind for e in self.live_entries if e.kind in ("hold_start", "hold_stop")]
        return bool(holds) and holds[-1] == "hold_start"

    def _show_entry(self, entry: LogEntry) -> None:
        table = self.query_one(DataTable)
        # Text() keeps notes literal: "[bold]" in a note is shown, not interpreted.
        camera = self.session.timecode_at(entry.wall_s) if entry.wall_s is not None else None
        table.add_row(
            str(entry.id), f"{entry.t_s:7.2f} s", camera or "-", entry.beat_id or "-", entry.kind,
            Text(entry.text), key=str(entry.id),
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
        """End this take's session and leave the log (the next run-through gets a new one)."""
        close_session(self.connection, self.session_id)
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        else:
            self.app.exit()

    def on_unmount(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        if self.connection is not None:
            self.connection.close()


def take_options(project, scene) -> dict:
    """What a log screen needs from the production: the scene's file (for circle/NG) and the fps."""
    return {"scene_file": project.scene_files.get(scene.id), "fps": float(project.production.fps)}


class RehearsalLogApp(App[None]):
    """`rehearse log SCENE`: the logging screen as its own app."""

    def __init__(self, production_root: Path, scene: Scene, *, keymap: dict[str, str] | None = None, **take):
        super().__init__()
        # `take`: scene_file, fps, shot, take_number, timecode (see RehearsalLogScreen).
        self.log_screen = RehearsalLogScreen(production_root, scene, **take)
        if keymap:
            self.set_keymap(keymap)

    def on_mount(self) -> None:
        self.title = "rehearse"
        self.push_screen(self.log_screen)

    @property
    def resumed(self) -> bool:
        return self.log_screen.resumed
