"""Small shared widgets: literal text, a vim-keyed table, the problem banner, search bar and job bar."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, ProgressBar, Static

from rehearse.tui.keymap import bindings


def literal(value: object, style: str = "") -> Text:
    """Text shown exactly as written: `[bold]` in a YAML note stays `[bold]`, never markup."""
    return Text("" if value is None else str(value), style=style, no_wrap=False)


class KeyTable(DataTable):
    """A row-cursor table that also moves with j/k/h/l; keys come from the keymap."""

    BINDINGS = bindings("table")

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("cursor_type", "row")
        kwargs.setdefault("zebra_stripes", True)
        super().__init__(*args, **kwargs)

    def add_row(self, *cells, **kwargs):
        # One line per row: a long cell is cut with an ellipsis instead of wrapping out of sight.
        for cell in cells:
            if isinstance(cell, Text):
                cell.no_wrap, cell.overflow = True, "ellipsis"
        return super().add_row(*cells, **kwargs)


class ProblemBanner(Static):
    """One line per load problem; hidden when the production loads cleanly."""

    def show_problems(self, problems: list[str], kept_last_good: bool) -> None:
        errors = [p for p in problems if ": warning:" not in p]
        warnings = [p for p in problems if ": warning:" in p]
        if not problems:
            self.display = False
            self.update("")
            return
        text = Text(no_wrap=True, overflow="ellipsis")
        if kept_last_good:
            text.append("reload failed, showing the last good state\n", style="bold")
        # the count and the key come first: a narrow terminal cuts the end of the line
        counts = [f"{len(group)} {name}{'s' if len(group) > 1 else ''}"
                  for name, group in (("error", errors), ("warning", warnings)) if group]
        text.append(f"{', '.join(counts)} (w lists them all): ", style="bold")
        text.append(f"{(errors or warnings)[0]}\n")
        for problem in errors[1:2]:
            text.append(problem + "\n")
        self.update(text.rstrip() or text)
        self.display = True


class SearchBar(Input):
    """`/` opens it; typing filters the screen's main table; Escape closes it."""

    BINDINGS = bindings("search")

    def __init__(self, **kwargs) -> None:
        super().__init__(placeholder="search (Escape closes)", **kwargs)
        self.cursor_blink = False
        self.display = False

    def action_close_search(self) -> None:
        self.value = ""
        self.display = False
        self.screen.focus_next()


class JobBar(Horizontal):
    """The running job, its progress and how to cancel it; hidden when idle."""

    def compose(self) -> ComposeResult:
        yield Static(id="job-label")
        yield ProgressBar(total=1.0, show_eta=False, id="job-progress")

    def on_mount(self) -> None:
        self.display = False
        self.watch(self.app, "job_state", self._show, init=True)

    def _show(self, state: tuple[str, float, str] | None) -> None:
        if state is None:
            self.display = False
            return
        job, fraction, detail = state
        self.display = True
        self.query_one("#job-label", Static).update(literal(f"{job}: {detail}  (x cancels)"))
        self.query_one("#job-progress", ProgressBar).update(progress=max(0.0, min(1.0, fraction)))
