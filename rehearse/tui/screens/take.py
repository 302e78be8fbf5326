"""The take screen: timeline with sparklines, event lanes, beats and hold bars; the still at the cursor."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Static

from rehearse.errors import RehearseError
from rehearse.tui.data import TakeData, take_path
from rehearse.tui.keymap import bindings
from rehearse.tui.messages import PlayFrame, StillReady, TakeDataReady
from rehearse.tui.screens.base import RehearseScreen
from rehearse.tui.widgets.common import literal
from rehearse.tui.widgets.still import StillPane
from rehearse.tui.widgets.timeline import SIGNAL_WORDS, Timeline, beat_spans, event_times

STILL_DELAY_S = 0.2
"""Wait this long after the cursor stops before decoding a still, so key repeat stays smooth."""
SHORT_TERMINAL_ROWS = 30
"""Below this height the face view also folds the event lanes, so an 80x24 face is not 11 rows."""
FALLBACK_FPS = 24.0
"""Frame rate assumed for frame steps and timecode when neither the analysis nor the breakdown gives one."""


def frame_times(data: TakeData):
    """Times of the take's frames (the analysis'), else a grid at the fallback rate."""
    import numpy as np

    if data.signals is not None and data.signals.frame_count:
        return np.asarray(data.signals.times, dtype=float)
    return np.arange(0.0, data.duration_s or 0.0, 1.0 / FALLBACK_FPS)


def frame_rate(data: TakeData) -> float:
    """Frames per second of the take: measured from the analysis' frame times, else the fallback."""
    import numpy as np

    times = frame_times(data) if data.signals is not None else None
    if times is None or times.size < 2:
        return FALLBACK_FPS
    return float(1.0 / np.median(np.diff(times)))


def frame_index(data: TakeData, t_s: float) -> int:
    """Index of the frame shown at `t_s` (the last frame starting at or before it)."""
    import numpy as np

    times = frame_times(data)
    return max(0, int(np.searchsorted(times, t_s + 1e-6, side="right")) - 1) if times.size else 0


def cursor_info(data: TakeData, cursor_s: float, step_s: float) -> Text:
    """What is under the cursor: beat, events, flags and signal values in plain words."""
    from rehearse.breakdown.timecode import camera_timecode

    text = Text(f"{data.take.label} at {cursor_s:.2f} s", style="bold")
    timecode = camera_timecode(data.take.camera_report.start_timecode, frame_rate(data), cursor_s)
    if timecode:
        text.append(f"  TC {timecode}")
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
        for name, (label, unit, digits) in SIGNAL_WORDS.items():
            if name in data.signals.values:
                value = float(data.signals.values[name][index])
                shown = "—" if value != value else f"{value:.{digits}f}{unit}"
                text.append(f"{label:<11}", style="dim")
                text.append(f"{shown}\n")
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
        self.face_crop = False
        """True: the still shows the face large (`f`), else the whole frame."""
        self.playing = False
        self._last_image = None
        self._last_image_s: float | None = None

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
        self.post_from_worker(TakeDataReady(data))

    def _with_flags(self, data: TakeData) -> TakeData:
        """The take's data with its flags from the app's background computation."""
        from dataclasses import replace

        scene = self.current_scene()
        known, flags = self.app.flags_for(scene) if scene is not None else (False, None)
        mine = [f for f in flags or [] if f.take_label == data.take.label]
        if not known:
            note = "computing flags…"
        elif flags is None:
            note = "no flags yet: analyze every take of the scene"
        else:
            note = "no flag against the circled take" if not mine else ""
        return replace(data, flags=mine, flags_note=note)

    def on_take_data_ready(self, message: TakeDataReady) -> None:
        self.data = self._with_flags(message.data)
        self.query_one("#timeline", Timeline).set_data(self.data)
        self._cursor_moved()

    def flags_changed(self, scene_id: str) -> None:
        if scene_id == self.scene_id and self.data is not None and self.ready:
            self.data = self._with_flags(self.data)
            self.query_one("#timeline", Timeline).set_data(self.data)
            self._show_info()

    def _show_info(self) -> None:
        timeline = self.query_one("#timeline", Timeline)
        self.query_one("#cursor-info", Static).update(
            cursor_info(self.data, timeline.cursor_s, timeline.step_s())
        )

    def _cursor_moved(self) -> None:
        self._show_info()
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
        if not self.playing:
            self._draw_still(message.image, message.time_s, message.reason)

    def _draw_still(self, image, time_s: float, reason: str = "") -> None:
        self._last_image, self._last_image_s = image, time_s
        box = None
        if self.data is not None and self.data.face_boxes is not None and image is not None:
            index = frame_index(self.data, time_s)
            if index < len(self.data.face_boxes):
                box = self.data.face_boxes[index]
        self.query_one("#still", StillPane).show(image, time_s, reason, face_box=box, face_crop=self.face_crop)

    def action_toggle_face_crop(self) -> None:
        """`f`: the face large (the sparklines give their rows to it), or the whole frame."""
        self.face_crop = not self.face_crop
        timeline = self.query_one("#timeline", Timeline)
        timeline.sparklines = not self.face_crop
        timeline.lanes = not (self.face_crop and self.app.size.height < SHORT_TERMINAL_ROWS)
        if self._last_image is not None:
            # after the layout change, so the still is fitted to its new height
            image, at = self._last_image, self._last_image_s
            self.call_after_refresh(lambda: self._draw_still(image, at))

    def action_move_cursor(self, steps: int) -> None:
        """Arrows: one timeline column."""
        self._stop_playing()
        timeline = self.query_one("#timeline", Timeline)
        end = self.data.duration_s or 0.0
        timeline.cursor_s = max(0.0, min(end, timeline.cursor_s + steps * timeline.step_s()))
        self._cursor_moved()

    def action_step_frame(self, steps: int) -> None:
        """`,` and `.`: one frame of the video."""
        self._stop_playing()
        times = frame_times(self.data)
        if not len(times):
            return
        timeline = self.query_one("#timeline", Timeline)
        index = max(0, min(len(times) - 1, frame_index(self.data, timeline.cursor_s) + steps))
        timeline.cursor_s = float(times[index])
        self._cursor_moved()

    # --- playback ------------------------------------------------------------------------

    def action_play(self) -> None:
        """Space: play from the cursor at real speed, the cursor following; space again stops."""
        if self.playing:
            self._stop_playing()
            return
        end = self.data.duration_s or 0.0
        timeline = self.query_one("#timeline", Timeline)
        start = 0.0 if timeline.cursor_s >= end - 1e-3 else timeline.cursor_s
        self.playing = True
        self.play(self.data, start, end)

    def _stop_playing(self) -> None:
        if self.playing:
            self.playing = False
            self.workers.cancel_group(self, "play")
            self._cursor_moved()

    @work(thread=True, exclusive=True, exit_on_error=False, group="play")
    def play(self, data: TakeData, start_s: float, end_s: float) -> None:
        from textual.worker import get_current_worker

        from rehearse.tui.playback import paced_frames, still_frames, video_frames

        worker = get_current_worker()
        reader = self.app.sources.read_still
        if reader is None:
            frames = video_frames(data.path, start_s)
        else:
            times = frame_times(data)
            frames = still_frames(reader, data.path, times[times >= start_s - 1e-6])
        try:
            for t, image in paced_frames(frames, start_s, end_s, lambda: worker.is_cancelled):
                self.post_from_worker(PlayFrame(t, image))
        except (RehearseError, OSError, ValueError) as error:
            self.post_from_worker(StillReady(start_s, None, " ".join(str(error).split())))
        self.post_from_worker(PlayFrame(end_s, None, last=True))

    def on_play_frame(self, message: PlayFrame) -> None:
        if not self.playing:
            return
        timeline = self.query_one("#timeline", Timeline)
        if message.last:
            self.playing = False
            self._cursor_moved()
            return
        timeline.cursor_s = message.time_s
        self._show_info()
        if message.image is not None:
            self._draw_still(message.image, message.time_s)

    def _jump(self, times: list[float], direction: int, noun: str) -> None:
        self._stop_playing()
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
        if not self.data.flags and self.data.flags_note:
            self.notify(self.data.flags_note, timeout=2)
            return
        self._jump(self._flag_times(), direction, "flag")

    def action_analyze_take(self) -> None:
        scene, take = self.current_scene(), self.current_take()
        if take is not None:
            self.app.start_job(f"analyze take {take.label}", scene, [take])

    def job_finished(self) -> None:
        if self.ready:
            self.load_data(self.app.project)
