"""The log screen's small dialogs: a free-text note, and the slate (shot, take, camera timecode)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from rehearse.tui.keymap import bindings

_BOX_CSS = """
{name} {{ align: center middle; }}
{name} #note-box {{ width: 64; height: auto; padding: 1 2; border: round $accent; background: $surface; }}
"""


class NotePrompt(ModalScreen[str | None]):
    """Asks for a free-text note; Enter logs it, Escape cancels."""

    BINDINGS = bindings("note")
    DEFAULT_CSS = _BOX_CSS.format(name="NotePrompt")

    def compose(self) -> ComposeResult:
        with Vertical(id="note-box"):
            yield Static("Note (Enter to log, Escape to cancel):")
            yield Input(id="note-input")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class SlatePrompt(ModalScreen[tuple[str, int, str] | None]):
    """Shot, take number and camera timecode of this run-through; Enter keeps them."""

    BINDINGS = bindings("slate")
    DEFAULT_CSS = _BOX_CSS.format(name="SlatePrompt")

    def __init__(self, shot: str, take_number: int, timecode: str):
        super().__init__()
        self.values = (shot, str(take_number), timecode)

    def compose(self) -> ComposeResult:
        with Vertical(id="note-box"):
            yield Static("Shot, take and the camera's timecode now (Enter to keep, Escape to cancel):")
            for name, value in zip(("shot", "take", "timecode"), self.values, strict=True):
                yield Input(value, id=f"slate-{name}", placeholder=name)
            yield Static(id="slate-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        shot, number, timecode = (self.query_one(f"#slate-{n}", Input).value.strip() for n in ("shot", "take", "timecode"))
        if not number.isdigit() or int(number) < 1:
            self.query_one("#slate-error", Static).update("the take number is a whole number from 1")
            return
        self.dismiss((shot, int(number), timecode))

    def action_cancel(self) -> None:
        self.dismiss(None)
