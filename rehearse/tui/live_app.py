"""The live rehearsal screen: hold timer against the beat's target, blinks, last events, expression bars, log keys.

`rehearse watch SOURCE [--scene 01 --take-as 1A-4]` opens it in `LiveApp`; in the terminal app the
palette's `rehearsal: watch live` pushes the same `LiveScreen`. A thread worker runs
`rehearse.live.watch` (the core, which prints nothing) and posts each `LiveUpdate` to the
screen; the screen only draws. With a take bound, the keys of `rehearse log` (next beat, hold,
hesitation, flub, undo; remappable under the same ids) write to the rehearsal log at the
stream time of the picture arriving (the newest frame received), each committed before it is
shown. Once a hold has ended the timer shows the beat's hold against the target. Fits 80x24.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from textual import work
from textual.app import App, ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static

from rehearse.errors import RehearseError
from rehearse.live.session import LiveUpdate, WatchOptions
from rehearse.live.source import shown_source
from rehearse.live.state import EXPRESSION_SIGNALS
from rehearse.live.take_binding import LiveTake
from rehearse.tui.keymap import bindings

LIVE_KEY_IDS = {"log.next_beat", "log.hold", "log.hesitation", "log.flub", "log.undo", "log.close"}
SHOWN_EVENTS = 6
BAR_CELLS = 20
BAR_FULL_IOD = 0.10
"""An expression bar is full at this change from its median (`live.state.EXPRESSION_SIGNALS`), in IOD."""

UpdateSource = Callable[[Callable[[], bool]], Iterator[LiveUpdate]]
"""Given a should-stop callable, yields the session's updates (the real one runs `watch`)."""


@dataclass
class LiveUpdated(Message):
    """One update from the live session (posted by the worker thread)."""

    update: LiveUpdate


def bar(value: float, full: float = BAR_FULL_IOD, cells: int = BAR_CELLS) -> str:
    """A bar of `cells` characters, filled in proportion to `value` / `full` (negative: empty)."""
    filled = max(0.0, min(1.0, value / full)) * cells
    whole = int(filled)
    return ("█" * whole + ("▌" if filled - whole >= 0.5 else "")).ljust(cells)


class LiveScreen(Screen[None]):
    """The live screen on a stream of `LiveUpdate`s; `q` stops the session and leaves."""

    BINDINGS = [b for b in bindings("log") if b.id in LIVE_KEY_IDS]
    DEFAULT_CSS = """
    LiveScreen #status { height: 1; padding: 0 1; text-style: bold; }
    LiveScreen #slate { height: 1; padding: 0 1; color: $text-muted; }
    LiveScreen #hold { height: 3; padding: 0 1; content-align: left middle; text-style: bold; border: round $accent; }
    LiveScreen #blinks { height: 1; padding: 0 1; }
    LiveScreen #bars { height: 4; padding: 0 1; }
    LiveScreen #events { height: 1fr; padding: 0 1; }
    LiveScreen #log { height: 1; padding: 0 1; color: $text-muted; }
    """

    def __init__(self, updates: UpdateSource, *, source: str, live_take: LiveTake | None = None):
        super().__init__()
        self.updates = updates
        self.source = shown_source(source)  # shown on the slate, where the room can read it
        self.live_take = live_take
        self.latest: LiveUpdate | None = None
        self.events: list = []
        self.blinks = 0
        self._keyed_hold_s: float | None = None
        """Stream time of the `h` that opened a keyed hold not yet closed by a second `h` (from the log)."""
        self.ended_reason: str | None = None
        self.failure: str | None = None
        """The one line saying why the source could not be watched (it never gave a picture), else None."""
        self._current_beat = None
        self._marks: dict[str, float] = {}
        self._beat_stale = True

    def compose(self) -> ComposeResult:
        yield Static(f"connecting to {self.source} ...", id="status")
        yield Static(self._slate_text(), id="slate")
        yield Static("hold  -", id="hold")
        yield Static("blinks 0", id="blinks")
        yield Static("", id="bars")
        yield Static("no events yet", id="events")
        yield Static(self._log_hint(), id="log")
        yield Footer()

    def on_mount(self) -> None:
        self.run_session()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def run_session(self) -> None:
        worker = self._current_worker()
        try:
            for update in self.updates(lambda: worker.is_cancelled):
                self.post_message(LiveUpdated(update))
        except RehearseError as error:
            self.failure = error.one_line()
            self.post_message(LiveUpdated(LiveUpdate("ended", _empty_state(), [], 0.0, reason=error.one_line())))

    def _current_worker(self):
        from textual.worker import get_current_worker

        return get_current_worker()

    # -- drawing -------------------------------------------------------------------------------

    def on_live_updated(self, message: LiveUpdated) -> None:
        update = message.update
        self.latest = update
        if self.live_take is not None and update.status == "live" and not self.live_take.added:
            # The recording has begun: the take goes into the YAML and its log opens (on this
            # thread: the log's SQLite connection belongs to it).
            try:
                self.live_take.add_to_breakdown()
            except RehearseError as error:
                self.query_one("#log", Static).update(error.one_line())
        for event in update.events:
            self.events.append(event)
            if event.kind == "blink":
                self.blinks += 1
        if update.status == "ended":
            self.ended_reason = update.reason
            if update.reason and not update.frames_received and self.failure is None:
                self.failure = f"{self.source}: error: {update.reason}"
        self._draw(update)

    def _draw(self, update: LiveUpdate) -> None:
        state = update.state
        mark = {"live": "● LIVE", "no signal": "○ NO SIGNAL", "ended": "■ ENDED", "stopped": "■ STOPPED"}
        status = (f"{mark.get(update.status, update.status)}  {state.t_s:7.2f} s  lag {update.lag_s:.2f} s  "
                  f"dropped {update.frames_dropped}")
        if update.status == "ended" and update.reason:
            status = f"■ ENDED: {update.reason}"
        elif not state.face and update.status == "live":
            status += "  no face"
        self._beat()  # reads the keyed hold from the log after a key
        if self._keyed_hold_s is not None and update.status != "ended":
            # The supervisor's own hold mark (`h`), open until the second `h`: without it on screen
            # nobody can tell whether the next `h` starts a hold or ends one.
            status += f"  H keyed {self._keyed_hold_s:.2f} s"
        self.query_one("#status", Static).update(status)
        self.query_one("#hold", Static).update(self._hold_text(state.t_s, state.holding_since_s))
        minutes = state.t_s / 60
        rate = f"{self.blinks / minutes:.1f}/min" if minutes > 0.05 else "-"
        self.query_one("#blinks", Static).update(f"blinks {self.blinks}   rate {rate}")
        lines = []
        for label in EXPRESSION_SIGNALS:
            value = state.expression_change.get(label)
            # No value: no face at the newest frame a pass read, or no pass yet (the first waits
            # for FIRST_PASS_S of frames): say "no face" only when the newest frame has none.
            text = f"{bar(value)} {value:+.3f} IOD" if value is not None else "  -" if state.face else "  no face"
            lines.append(f"{label:<11}{text}")
        self.query_one("#bars", Static).update("\n".join(lines))
        if update.events or not self.events:
            self.query_one("#events", Static).update(self._events_text())

    def _events_text(self) -> str:
        if not self.events:
            return "no events yet"
        rows = []
        for event in reversed(self.events[-SHOWN_EVENTS:]):
            what = event.label if event.kind in ("expression", "gesture") and event.label else event.kind
            what = what.replace("_", " ")
            if event.kind == "hold" and event.scope == "body":
                what = "hold (body)"
            elif event.kind == "gesture" and event.side:
                what = f"{what} {event.side[0].upper()}"
            rows.append(f"{event.start_s:7.2f} s  {what:<14}{event.duration_s * 1000:6.0f} ms")
        return "\n".join(rows)

    def _hold_text(self, t_s: float, since: float | None) -> str:
        """The running hold; once it has ended, the beat's hold (final) against the target."""
        from rehearse.analysis.events.beats import compare_hold

        running = t_s - since if since is not None else None
        beat = self._beat()
        target = beat.hold if beat is not None else None
        held = None if running is not None else self._held(beat, t_s, self.latest.state.ended_hold if self.latest else None)
        length = running if running is not None else held.duration_s if held is not None else None
        text = f"hold {length:.2f}" if length is not None else "hold -"
        if target is not None:
            text += f" / {target.duration:.2f} ± {target.tolerance:.2f} s"
        elif length is not None:
            text += " s"
        if running is not None:
            text += "   ▶ holding"
        elif held is not None:
            text += "   settling" if held.values.get("settling") else "   held"
            text += f" {held.start_s:.2f}-{held.end_s:.2f} s"
            if target is not None:
                text += f": {compare_hold(held.duration_s, target.duration, target.tolerance).verdict}"
        return text

    def _held(self, beat, t_s: float, ended=None):
        """The hold to show once none is running: the beat's hold (the one rule of `rehearse events`
        and the report, on the logged beat marks); without a beat the last face hold. From the final
        events and `ended`, a hold the last pass saw end that is not final yet (marked settling)."""
        from rehearse.analysis.events.beats import assign_beats, beat_hold

        holds = [e for e in self.events if e.kind == "hold"]
        if ended is not None and not any(e.scope == "face" and e.start_s < ended.end_s and ended.start_s < e.end_s
                                         for e in holds):
            holds.append(ended.model_copy(update={"values": {**ended.values, "settling": True}}))
        if beat is None:
            return max((e for e in holds if e.scope == "face"), key=lambda e: e.end_s, default=None)
        marks = self._marks
        return beat_hold(assign_beats(holds, marks, t_s), beat.id, marks.get(beat.id), None)

    def _beat(self):
        """The beat being played (from the logged `beat` keys); read again only after a key."""
        if self.live_take is None:
            return None
        if self._beat_stale:
            from rehearse.store.rehearsal_log import current_beat

            beat_ids = [b.id for b in self.live_take.scene.beats]
            entries = self.live_take.entries()
            beat_id = current_beat(beat_ids, entries)
            self._keyed_hold_s = _open_keyed_hold(entries)
            self._marks = self.live_take.beat_marks()
            self._current_beat = next((b for b in self.live_take.scene.beats if b.id == beat_id), None)
            self._beat_stale = False
        return self._current_beat

    def _slate_text(self) -> str:
        if self.live_take is None:
            return f"{self.source}  (no take: --scene/--take-as records one)"
        take = self.live_take
        beat = self._beat()
        return f"scene {take.scene.id}  take {take.label}  beat {beat.id if beat else '-'}  -> {take.take_file}"

    def _log_hint(self) -> str:
        return "keys log at the picture's time" if self.live_take else "log keys need --scene/--take-as"

    # -- logging keys --------------------------------------------------------------------------

    def _log(self, kind: str, **fields) -> None:
        if self.live_take is None:
            self.query_one("#log", Static).update("not logged: no take bound (start with --scene and --take-as)")
            return
        t_s = self._picture_s()
        try:
            entry = self.live_take.log(kind, t_s, **fields)
        except RehearseError as error:
            self.query_one("#log", Static).update(error.one_line())
            return
        self._beat_stale = True
        self.query_one("#log", Static).update(f"logged #{entry.id} {kind} at {t_s:.2f} s")
        self._redraw_beat()

    def _redraw_beat(self) -> None:
        """A beat key changes the slate and the hold target at once, without waiting for a frame."""
        self.query_one("#slate", Static).update(self._slate_text())
        if self.latest is not None:
            self._draw(self.latest)

    def _picture_s(self) -> float:
        """Stream time of the picture arriving as a key is pressed: the newest frame received. The
        one the analysis has reached is up to the display lag older, and a beat's mark is the moment
        seen in the room."""
        if self.latest is None:
            return 0.0
        received = self.latest.received_t_s
        return max(self.latest.state.t_s, received) if received is not None else self.latest.state.t_s

    def action_log(self, kind: str) -> None:
        self._log(kind)

    def action_next_beat(self) -> None:
        if self.live_take is None:
            self._log("beat")
            return
        from rehearse.store.rehearsal_log import next_beat

        upcoming = next_beat([b.id for b in self.live_take.scene.beats], self.live_take.entries())
        if upcoming is None:
            self.query_one("#log", Static).update("no beat left in this scene")
            return
        self._log("beat", beat_id=upcoming)

    @property
    def hold_open(self) -> bool:
        """A keyed hold is open: the next `h` ends it."""
        self._beat()
        return self._keyed_hold_s is not None

    def action_hold(self) -> None:
        self._log("hold_stop" if self.hold_open else "hold_start")

    def action_undo(self) -> None:
        if self.live_take is None:
            return
        undone = self.live_take.undo()
        self._beat_stale = True
        text = f"undid #{undone.id} {undone.kind}" if undone is not None else "nothing to undo"
        self.query_one("#log", Static).update(text)
        self._redraw_beat()

    def action_close(self) -> None:
        self.workers.cancel_all()
        self.dismiss(None)


class LiveApp(App[int]):
    """`rehearse watch` on its own: the live screen, and nothing else."""

    TITLE = "rehearse watch"

    def __init__(self, updates: UpdateSource, *, source: str, live_take: LiveTake | None = None):
        super().__init__()
        self.live_screen = LiveScreen(updates, source=source, live_take=live_take)

    @property
    def failure(self) -> str | None:
        """Why the source could not be watched, one line (None once it gave a picture)."""
        return self.live_screen.failure

    def on_mount(self) -> None:
        self.push_screen(self.live_screen, lambda _: self.exit(0))

    def on_live_updated(self, message: LiveUpdated) -> None:
        """(Bubbled up from the screen.) A source that never gave a picture ends the command at
        once with its one line, rather than an ended screen waiting for `q`."""
        if message.update.status == "ended" and self.failure is not None:
            self.exit(1)


def _open_keyed_hold(entries) -> float | None:
    """Stream time of the last `hold_start` no `hold_stop` followed (undone keys do not count)."""
    open_s = None
    for entry in sorted(entries, key=lambda e: e.id):
        if entry.undone:
            continue
        if entry.kind == "hold_start":
            open_s = entry.t_s
        elif entry.kind == "hold_stop":
            open_s = None
    return open_s


def _empty_state():
    from rehearse.live.state import LiveState

    return LiveState()


def run_live_app(options: WatchOptions, args: argparse.Namespace) -> int:
    """`rehearse watch` with the screen (called by the command; the take is bound by it)."""
    from rehearse.config import load_settings
    from rehearse.live.session import watch

    live_take = getattr(args, "live_take", None)
    settings = load_settings(live_take.project.root if live_take is not None else args.project)

    def updates(should_stop: Callable[[], bool]) -> Iterator[LiveUpdate]:
        return watch(options, settings, should_stop=should_stop)

    app = LiveApp(updates, source=options.source, live_take=live_take)
    returned = app.run()
    if app.failure is not None:
        print(app.failure, file=sys.stderr)
        return 1
    return returned or 0


def open_live_screen(app: App, scene, source: str, take_as: str | None) -> None:
    """From the terminal app: watch SOURCE for `scene`, recording take `take_as` into the production
    when given; a problem (a take already there, a bad name) is one notification, nothing opens."""
    from rehearse.config import load_settings
    from rehearse.live.session import watch
    from rehearse.live.take_binding import bind_live_take

    root = app.root
    try:
        live_take = bind_live_take(root, scene.id, take_as, None) if take_as else None
        if live_take is None:
            from rehearse.live.take_binding import watch_refusal
            from rehearse.pipeline import require_project

            refusal = watch_refusal(require_project(root), source, scene)
            if refusal is not None:
                raise refusal
    except RehearseError as error:
        app.notify(error.one_line(), severity="error")
        return
    options = WatchOptions(source, realtime="://" not in source and not source.startswith(("/dev/", "v4l2:")),
                           record=live_take.record if live_take is not None else None)
    settings = load_settings(root)

    def updates(should_stop: Callable[[], bool]) -> Iterator[LiveUpdate]:
        return watch(options, settings, should_stop=should_stop)

    def closed(_: None) -> None:
        if live_take is not None:
            live_take.close()

    app.push_screen(LiveScreen(updates, source=source, live_take=live_take), closed)
