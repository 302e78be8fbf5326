"""What every main screen shares: a title line, the problem banner, the job bar and the footer."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Static

from rehearse.tui.messages import post_unless_replaced
from rehearse.tui.widgets.common import JobBar, ProblemBanner, SearchBar


class RehearseScreen(Screen):
    """A main screen: subclasses yield their body from `compose_body` and fill `show_project`."""

    searchable = False
    _mounted_once = False

    @property
    def ready(self) -> bool:
        """True from mount until teardown begins. The app calls `show_project` and `flags_changed`
        on every screen in the stack: before mount (on a reload) and while the app shuts down,
        when a background result can land after the screen's widgets were removed."""
        return self._mounted_once and not (self._closing or self._closed or self._pruning)

    def compose(self) -> ComposeResult:
        yield Static(id="title")
        yield ProblemBanner(id="banner")
        yield from self.compose_body()
        if self.searchable:
            yield SearchBar(id="search")
        yield JobBar(id="job")
        # ctrl+p stays (the help screen lists it); its footer slot goes to the screen's own keys
        yield Footer(show_command_palette=False)

    def compose_body(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self._mounted_once = True
        self.query_one("#banner", ProblemBanner).display = False
        self.show_project(self.app.project, self.app.problems, False)

    def post_from_worker(self, message) -> None:
        """Post a worker's result unless a newer worker replaced it (`post_unless_replaced`)."""
        post_unless_replaced(self, message)

    def set_title(self, text: Text) -> None:
        text.no_wrap, text.overflow = True, "ellipsis"
        self.query_one("#title", Static).update(text)

    def show_project(self, project: Any, problems: list[str], kept_last_good: bool) -> None:
        if self.ready:
            self.query_one("#banner", ProblemBanner).show_problems(problems, kept_last_good)

    def current_scene(self):
        return None

    def current_take(self):
        return None

    # --- search ----------------------------------------------------------------------------

    def action_search(self) -> None:
        bar = self.query_one("#search", SearchBar)
        bar.display = True
        bar.focus()

    def on_input_changed(self, event: SearchBar.Changed) -> None:
        self.apply_filter(event.value.strip().lower())

    def on_input_submitted(self, event: SearchBar.Submitted) -> None:
        self.focus_next()

    def apply_filter(self, query: str) -> None:
        """Show only rows matching `query` (lower case, empty shows all)."""
