"""The dialog that starts a live rehearsal from the terminal app: which source, and which take it records."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from rehearse.tui.keymap import bindings


class LivePrompt(ModalScreen[tuple[str, str | None] | None]):
    """SOURCE and, optionally, the take to record (`1A-4`); Enter watches, Escape cancels."""

    BINDINGS = bindings("export")  # the dialogs' one cancel key (escape), remappable under its id
    DEFAULT_CSS = """
    LivePrompt { align: center middle; }
    LivePrompt #live-box { width: 76; height: auto; padding: 1 2; border: round $accent; background: $surface; }
    LivePrompt #live-error { color: $error; }
    """

    def __init__(self, scene_id: str, suggested_take: str | None):
        super().__init__()
        self.scene_id = scene_id
        self.suggested_take = suggested_take

    def compose(self) -> ComposeResult:
        with Vertical(id="live-box"):
            yield Static(f"Watch scene {self.scene_id} live from (camera, stream or file):")
            yield Input("udp://@:5000", id="live-source")
            yield Static("and record it as take (empty: watch only):")
            yield Input(self.suggested_take or "", id="live-take")
            yield Static(id="live-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        source = self.query_one("#live-source", Input).value.strip()
        take = self.query_one("#live-take", Input).value.strip() or None
        if not source:
            self.query_one("#live-error", Static).update("give a camera (/dev/video0), a stream URL or a file")
            return
        self.dismiss((source, take))

    def action_cancel(self) -> None:
        self.dismiss(None)


def ask_and_watch(app, scene) -> None:
    """Ask for the source and take, then open the live screen (as `rehearse watch --scene` does)."""
    from rehearse.tui.live_app import open_live_screen

    shots = [s.id for s in scene.shots] or sorted({t.shot for t in scene.takes})
    suggested = None
    if shots:
        numbers = [t.number for t in scene.takes if t.shot == shots[0]]
        suggested = f"{shots[0]}-{max(numbers, default=0) + 1}"

    def chosen(answer: tuple[str, str | None] | None) -> None:
        if answer is not None:
            open_live_screen(app, scene, *answer)

    app.push_screen(LivePrompt(scene.id, suggested), chosen)
