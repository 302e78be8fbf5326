"""The warnings screen: every load error and warning of the production, whole, with its fix."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from rehearse.tui.keymap import bindings
from rehearse.tui.screens.base import RehearseScreen
from rehearse.tui.widgets.common import literal


def problems_text(problems: list[str]) -> Text:
    """Errors first, then warnings, one paragraph each (wrapped, never cut)."""
    errors = [p for p in problems if ": warning:" not in p]
    warnings = [p for p in problems if ": warning:" in p]
    text = Text()
    if not problems:
        text.append("No errors and no warnings: the production loads cleanly.", style="italic")
        return text
    for title, group, style in (("errors", errors, "bold red"), ("warnings", warnings, "bold yellow")):
        if not group:
            continue
        text.append(f"{len(group)} {title if len(group) > 1 else title[:-1]}\n", style=style)
        for problem in group:
            text.append_text(literal(f"• {problem}\n"))
        text.append("\n")
    text.append("`rehearse check` prints the same list; fix the file and the app reloads it.", style="dim")
    return text


class WarningsScreen(RehearseScreen):
    """Every problem the loader found; Escape goes back."""

    BINDINGS = bindings("warnings")

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="warnings-body"):
            yield Static(id="warnings-text")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#warnings-body").focus()

    def show_project(self, project: Any, problems: list[str], kept_last_good: bool) -> None:
        if not self.ready:
            return
        # the banner would repeat what this screen lists in full
        self.query_one("#banner").display = False
        self.set_title(Text("warnings and errors of the production", style="bold"))
        self.query_one("#warnings-text", Static).update(problems_text(problems))
