"""The take timeline: beat boundaries, signal sparklines, event lanes, flags and hold bars.

Drawing is a pure function of (take data, width, cursor time) -> rich Text lines, so it is
tested without a terminal; the widget only keeps the cursor and re-renders.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from rehearse.tui.data import EventView, TakeData

LABEL_WIDTH = 11
SPARK_CHARS = "▁▂▃▄▅▆▇█"
# Signals drawn as sparklines, in this order, when the analysis has them.
SPARK_SIGNALS: tuple[tuple[str, str], ...] = (
    ("eye_open_left", "eye L"),
    ("eye_open_right", "eye R"),
    ("brow_raise_left", "brow L"),
    ("lip_corner_left", "smile L"),
    ("head_yaw", "yaw"),
    ("lean_forward", "lean"),
    ("hand_face_right", "hand-face"),
)
# Signal name -> (words a director reads, unit after the value, decimals) for the cursor pane.
# The measures behind them (EAR, IOD) are explained on the help screen, not here.
SIGNAL_WORDS: dict[str, tuple[str, str, int]] = {
    "eye_open_left": ("eye L open", "", 2),
    "eye_open_right": ("eye R open", "", 2),
    "lip_corner_left": ("smile L", "", 2),
    "head_yaw": ("head turn", " deg", 1),
    "lean_forward": ("lean", " deg", 1),
}
MAX_EVENT_LANES = 5
KIND_STYLES = {
    "blink": "cyan",
    "hold": "green",
    "hesitation": "yellow",
    "gesture": "magenta",
    "micro_movement": "blue",
}


@dataclass(frozen=True)
class HoldResult:
    """A beat's target hold against the measured one."""

    beat: str
    target_s: float
    tolerance_s: float
    measured_s: float | None

    @property
    def verdict(self) -> str:
        """The words every output uses (`beats.compare_hold`): `on target (+0.10 s)`, `ended 0.50 s early` ..."""
        from rehearse.analysis.events.beats import compare_hold

        return compare_hold(self.measured_s, self.target_s, self.tolerance_s).verdict

    @property
    def on_target(self) -> bool:
        from rehearse.analysis.events.beats import compare_hold

        return compare_hold(self.measured_s, self.target_s, self.tolerance_s).on_target


def beat_spans(data: TakeData) -> list[tuple[str, float, float]]:
    """(beat id, start s, end s) of the take's beat marks (`beats.beat_spans`, the one rule)."""
    from rehearse.analysis.events.beats import beat_spans as spans_of

    marks = data.beat_marks or data.take.beat_marks
    return spans_of(marks, data.duration_s or max(marks.values(), default=0.0))


def hold_results(data: TakeData, scene) -> list[HoldResult]:
    """For every beat with a target hold: the beat's hold (`beats.beat_hold`, the rule reports
    and `rehearse events` use) against the target."""
    from rehearse.analysis.events.beats import beat_hold

    results = []
    spans = {beat_id: (start, end) for beat_id, start, end in beat_spans(data)}
    for beat in scene.beats:
        if beat.hold is None:
            continue
        start, end = spans.get(beat.id, (None, None))
        hold = beat_hold(data.events, beat.id, start, end) if data.analyzed else None
        measured = hold.end_s - hold.start_s if hold is not None else None
        results.append(HoldResult(beat.id, beat.hold.duration, beat.hold.tolerance, measured))
    return results


def _column(time_s: float, duration_s: float, width: int) -> int:
    if duration_s <= 0 or width <= 0:
        return 0
    return max(0, min(width - 1, int(time_s / duration_s * width)))


def sparkline(times, values, duration_s: float, width: int) -> str:
    """One character per column: the mean of the samples in that column, scaled to the signal's range."""
    import numpy as np

    times = np.asarray(times, dtype=float)
    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values)]
    if finite.size == 0 or width <= 0:
        return " " * max(width, 0)
    low, high = np.percentile(finite, [2, 98])
    span = high - low if high > low else 1.0
    columns = np.clip((times / duration_s * width).astype(int), 0, width - 1)
    # When columns are narrower than frames, an empty column shows the nearest frame within one
    # frame interval, so a short take is not drawn with holes between its frames.
    frame_dt = float(np.median(np.diff(times))) if times.size > 1 else duration_s
    chars = []
    for col in range(width):
        in_col = values[(columns == col) & np.isfinite(values)]
        if in_col.size == 0:
            centre = (col + 0.5) * duration_s / width
            nearest = int(np.argmin(np.abs(times - centre))) if times.size else -1
            if nearest < 0 or abs(times[nearest] - centre) > frame_dt or not np.isfinite(values[nearest]):
                chars.append(" ")
                continue
            in_col = values[nearest:nearest + 1]
        level = (float(in_col.mean()) - low) / span
        chars.append(SPARK_CHARS[int(max(0.0, min(0.999, level)) * len(SPARK_CHARS))])
    return "".join(chars)


def _row(label: str, body: Text | str, cursor_col: int | None) -> Text:
    text = Text(f"{label[:LABEL_WIDTH - 1]:<{LABEL_WIDTH}}", style="bold")
    body = body if isinstance(body, Text) else Text(body)
    if cursor_col is not None and cursor_col < len(body):
        body.stylize("reverse", cursor_col, cursor_col + 1)
    text.append_text(body)
    return text


def render_timeline(data: TakeData, scene, width: int, cursor_s: float, *, sparklines: bool = True,
                    lanes: bool = True) -> list[Text]:
    """The timeline as lines of rich Text for a widget `width` columns wide (without the signal
    sparklines, or the event lanes, when the face view gives their rows to the still)."""
    plot = max(10, width - LABEL_WIDTH)
    duration = data.duration_s or 0.0
    lines: list[Text] = []
    if duration <= 0:
        return [Text(f"{data.take.label}: no duration known ({data.note or 'not analyzed yet'})")]
    cursor_col = _column(cursor_s, duration, plot)
    time_line = f"0.00 s  cursor {cursor_s:.2f} s  end {duration:.2f} s"
    keys_hint = "   ←→ column  , . frame"
    if len(time_line) + len(keys_hint) <= plot:
        time_line += keys_hint
    lines.append(_row("time", Text(time_line), None))
    beats = [" "] * plot
    for beat_id, start, _end in beat_spans(data):
        col = _column(start, duration, plot)
        for offset, char in enumerate("|" + beat_id):
            if col + offset < plot:
                beats[col + offset] = char
    lines.append(_row("beats", "".join(beats), cursor_col))
    # flags right under the beats: the first thing to see, and never below the fold at 80x24
    if data.flags:
        lane = [" "] * plot
        for flag in data.flags:
            if flag.time_s is not None:
                lane[_column(flag.time_s, duration, plot)] = "!"
        lines.append(_row("flags", Text("".join(lane), style="bold red"), cursor_col))
    elif data.analyzed:
        # the lane is always there, so an empty one says why instead of looking like no lane
        lines.append(_row("flags", Text(data.flags_note or "none", style="dim italic"), None))
    if data.signals is None:
        lines.append(_row("signals", Text(data.note or "not analyzed yet", style="italic"), None))
    elif not sparklines:
        pass
    else:
        if data.note:  # one line here (the cursor pane has it whole)
            note = data.note if len(data.note) <= plot else data.note[: plot - 1] + "…"
            lines.append(_row("note", Text(note, style="italic"), None))
        for name, label in SPARK_SIGNALS:
            if name in data.signals.values:
                line = sparkline(data.signals.times, data.signals.values[name], duration, plot)
                if line.strip():
                    lines.append(_row(label, line, cursor_col))
                else:
                    lines.append(_row(label, Text("not measured in this take", style="dim italic"), None))
    kinds: dict[str, list[EventView]] = {}
    for event in data.events:
        # face and body holds get a lane each: a still body under a moving face is no hold
        lane_name = f"{event.kind} {event.scope}" if event.kind == "hold" and event.scope else event.kind
        kinds.setdefault(lane_name, []).append(event)
    for kind in list(kinds)[:MAX_EVENT_LANES if lanes else 0]:
        lane = [" "] * plot
        for event in kinds[kind]:
            first = _column(event.start_s, duration, plot)
            last = max(first, _column(event.end_s, duration, plot))
            for col in range(first, last + 1):
                lane[col] = "█"
        body = Text("".join(lane), style=KIND_STYLES.get(kind.split()[0], "white"))
        lines.append(_row(kind, body, cursor_col))
    return lines


def render_holds(results: list[HoldResult], width: int) -> list[Text]:
    """One bar per target hold: measured length against the target, with the verdict."""
    lines = []
    bar_width = max(8, min(30, width - 60))  # room for the longest verdict ("no hold (target 1.20 s)")
    for result in results:
        scale = max(result.target_s + result.tolerance_s, result.measured_s or 0.0) or 1.0
        filled = 0 if result.measured_s is None else round(result.measured_s / scale * bar_width)
        target_col = min(bar_width - 1, round(result.target_s / scale * bar_width))
        bar = Text("█" * filled + "░" * (bar_width - filled))
        bar.stylize("green" if result.on_target else "yellow", 0, filled)
        bar.stylize("bold reverse", target_col, target_col + 1)
        measured = "—" if result.measured_s is None else f"{result.measured_s:.2f} s"
        line = Text(f"hold {result.beat:<5} ", style="bold")
        line.append_text(bar)
        line.append(f" {measured} / {result.target_s:.2f}±{result.tolerance_s:.2f} s: {result.verdict}")
        lines.append(line)
    return lines


class Timeline(Widget, can_focus=True):
    """The take's timeline with a time cursor the take screen moves."""

    cursor_s: reactive[float] = reactive(0.0)
    sparklines: reactive[bool] = reactive(True, layout=True)
    """False in the face view: the signal rows give their height to the still."""
    lanes: reactive[bool] = reactive(True, layout=True)
    """False in the face view on a short terminal: the event lanes give theirs too (the cursor
    pane still lists the events under the cursor)."""

    def __init__(self, data: TakeData, scene, **kwargs) -> None:
        super().__init__(**kwargs)
        self.data = data
        self.scene = scene

    def set_data(self, data: TakeData) -> None:
        self.data = data
        self.refresh(layout=True)

    def step_s(self) -> float:
        """Time one column covers, seconds."""
        plot = max(10, self.size.width - LABEL_WIDTH)
        return (self.data.duration_s or 0.0) / plot

    def render(self) -> Text:
        lines = render_timeline(self.data, self.scene, self.size.width or 80, self.cursor_s, sparklines=self.sparklines,
                                lanes=self.lanes)
        lines += render_holds(hold_results(self.data, self.scene), self.size.width or 80)
        return Text("\n").join(lines)

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(render_timeline(self.data, self.scene, width, 0.0, sparklines=self.sparklines,
                                   lanes=self.lanes)) + len(
            hold_results(self.data, self.scene)
        )


def event_times(data: TakeData) -> list[float]:
    """Start times of every event, sorted (for next/previous event jumps)."""
    return sorted({round(e.start_s, 6) for e in data.events if math.isfinite(e.start_s)})
