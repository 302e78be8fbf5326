"""The take screen: timeline with sparklines, event lanes, beats and hold bars; the still at the cursor."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Static

from rehearse.errors import RehearseError
from rehearse.tui.data import TakeData, known_flags, take_path
from rehearse.tui.keymap import bindings
from rehearse.tui.messages import StillReady, TakeDataReady
from rehearse.tui.screens.base import RehearseScreen
from rehearse.tui.widgets.common import literal
from rehearse.tui.widgets.still import StillPane
from rehearse.tui.widgets.timeline import SPARK_SIGNALS, Timeline, beat_spans, event_times

STILL_DELAY_S = 0.2
"""Wait this long after the cursor stops before decoding a still, so key repeat stays smooth."""
INFO_SIGNALS = tuple(name for name, _label in SPARK_SIGNALS)


def cursor_info(data: TakeData, cursor_s: float, step_s: float) -> Text:
    """What is under the cursor: beat, events, flags and signal values with units."""
    text = Text(f"{data.take.label} at {cursor_s:.2f} s", style="bold")
    beat = next((b for b, start, end in beat_spans(data) if start <= cursor_s < end), None)
    text.append(f"  beat {beat or '—'}\n")
    if data.note:
        text.append_text(literal(data.note + "\n", style="italic"))
    near = max(step_s, 0.05)
    for event in data.events:
        if event.start_s - near <= cursor_s <= event.end_s + near:
            side = f" {event.side}" if event.side else ""
            label = f" {event.label}" if event.label else ""
            text.append_text(
                literal(f"{event.kind}{label}{side}: {event.start_s:.2f}–{event.end_s:.2f} s "
                        f"({event.end_s - event.start_s:.2f} s)\n")
            )
    for flag in data.flags:
        if flag.time_s is not None and abs(flag.time_s - cursor_s) <= near:
            text.append_text(literal(f"flag {flag.key}: {flag.sentence}\n", style="bold red"))
    if data.signals is not None and data.signals.frame_count:
        import numpy as np

        index = int(np.argmin(np.abs(np.asarray(data.signals.times) - cursor_s)))
        for name in INFO_SIGNALS:
            if name in data.signals.values:
                value = float(data.signals.values[name][index])
                shown = "—" if value != value else f"{value:.3f}"
                text.append(f"{name} {shown} {data.signals.unit(name)}\n")
    return text


class TakeScreen(RehearseScreen):
    """One take; arrows move the cursor, n/p jump between events, [ ] between flags."""

    BINDINGS = bindings("take")

    def __init__(self, scene_id: str, take_label: str) -> None:
        super().__init__()
        self.scene_id = scene_id
        self.take_label = take_label
        self.data: TakeData | None = None
        self._still_timer = None

    def current_scene(self):
        project = self.app.project
        return None if project is None else project.scene(self.scene_id)

    def current_take(self):
        scene = self.current_scene()
        return None if scene is None else next((t for t in scene.takes if t.label == self.take_label), None)

    def compose_body(self) -> ComposeResult:
        scene, take = self.current_scene(), self.current_take()
        self.data = TakeData(take, take_path(self.app.project, take), duration_s=take.duration, note="loading…")
        yield Timeline(self.data, scene, id="timeline")
        with Horizontal(id="take-bottom"):
            yield StillPane(graphics=self.app.graphics_stills, id="still")
            with VerticalScroll(id="cursor-pane"):
                yield Static(id="cursor-info")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#timeline", Timeline).focus()
        self.load_data(self.app.project)

    def show_project(self, project: Any, problems: list[str], kept_last_good: bool) -> None:
        super().show_project(project, problems, kept_last_good)
        take, scene = self.current_take(), self.current_scene()
        if not self.ready or take is None:
            return
        title = literal(f"take {take.label}  scene {scene.id}  {take.status}", style="bold")
        if take.notes:
            title.append_text(literal(f"  {take.notes}", style="dim"))
        self.set_title(title)

    @work(thread=True, exclusive=True, exit_on_error=False, group="take-data")
    def load_data(self, project: Any) -> None:
        scene, take = self.current_scene(), self.current_take()
        data = self.app.sources.take_data(project, scene, take)
        flags = known_flags(self.app.sources, project, scene) or []
        mine = [f for f in flags if f.take_label == take.label]
        if mine:
            data = TakeData(data.take, data.path, data.signals, data.events, data.duration_s, mine, data.note)
        self.post_from_worker(TakeDataReady(data))

    def on_take_data_ready(self, message: TakeDataReady) -> None:
        self.data = message.data
        self.query_one("#timeline", Timeline).set_data(self.data)
        self._cursor_moved()

    def _cursor_moved(self) -> None:
        timeline = self.query_one("#timeline", Timeline)
        self.query_one("#cursor-info", Static).update(
            cursor_info(self.data, timeline.cursor_s, timeline.step_s())
        )
        if self._still_timer is not None:
            self._still_timer.stop()
        self._still_timer = self.set_timer(STILL_DELAY_S, self._request_still)

    def _request_still(self) -> None:
        if self.data is not None:
            self.read_still(self.data.path, self.query_one("#timeline", Timeline).cursor_s)

    @work(thread=True, exclusive=True, exit_on_error=False, group="still")
    def read_still(self, path, time_s: float) -> None:
        reader = self.app.sources.read_still
        try:
            if reader is None:
                if not path.exists():
                    raise FileNotFoundError(f"no video file {path.name}")
                from rehearse.video.frames import read_frame_at

                def reader(video, at):
                    frame = read_frame_at(video, at)
                    return None if frame is None else frame.image

            image = reader(path, time_s)
        except RehearseError as error:
            self.post_from_worker(StillReady(time_s, None, error.one_line()))
        except ImportError:
            self.post_from_worker(StillReady(time_s, None, "stills need rehearse.video.frames"))
        except (OSError, ValueError) as error:
            self.post_from_worker(StillReady(time_s, None, " ".join(str(error).split())))
        else:
            self.post_from_worker(StillReady(time_s, image, "" if image is not None else "no frame there"))

    def on_still_ready(self, message: StillReady) -> None:
        self.query_one("#still", StillPane).show(message.image, message.time_s, message.reason)

    def action_move_cursor(self, steps: int) -> None:
        timeline = self.query_one("#timeline", Timeline)
        end = self.data.duration_s or 0.0
        timeline.cursor_s = max(0.0, min(end, timeline.cursor_s + steps * timeline.step_s()))
        self._cursor_moved()

    def _jump(self, times: list[float], direction: int, noun: str) -> None:
        timeline = self.query_one("#timeline", Timeline)
        now, epsilon = timeline.cursor_s, 1e-6
        if direction > 0:
            later = [t for t in times if t > now + epsilon]
            target = later[0] if later else None
        else:
            earlier = [t for t in times if t < now - epsilon]
            target = earlier[-1] if earlier else None
        if target is None:
            self.notify(f"no {'later' if direction > 0 else 'earlier'} {noun}", timeout=1.5)
            return
        timeline.cursor_s = target
        self._cursor_moved()

    def _flag_times(self) -> list[float]:
        return sorted(f.time_s for f in self.data.flags if f.time_s is not None)

    def action_jump_event(self, direction: int) -> None:
        self._jump(event_times(self.data), direction, "event")

    def action_jump_flag(self, direction: int) -> None:
        self._jump(self._flag_times(), direction, "flag")

    def action_analyze_take(self) -> None:
        scene, take = self.current_scene(), self.current_take()
        if take is not None:
            self.app.start_job(f"analyze take {take.label}", scene, [take])

    def job_finished(self) -> None:
        self.load_data(self.app.project)
