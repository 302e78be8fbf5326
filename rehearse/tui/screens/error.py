"""The one-line error modal a failed job or load opens; Escape or Enter closes it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from rehearse.tui.keymap import bindings
from rehearse.tui.widgets.common import literal


class ErrorScreen(ModalScreen[None]):
    """Shows one line: what failed, where, and the fix."""

    BINDINGS = bindings("error")

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(id="error-box"):
            yield Static(literal("error", style="bold"), id="error-title")
            yield Static(literal(self.message), id="error-message")
            yield Static(literal("Escape or Enter closes"), id="error-hint")

    def action_dismiss_error(self) -> None:
        self.dismiss(None)
