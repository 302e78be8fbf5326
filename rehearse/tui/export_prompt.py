"""The palette's `markers: export` dialog: asks where to write, and in which format by the name.

The suggested path is a visible `exports/` folder in the production (not under `.rehearse/`);
the suffix picks the format (.otio, .edl, .ale, .eaf) and a name without one is a folder of
one .eaf per take, as `rehearse export` does.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from rehearse.tui.keymap import bindings

FORMATS = {".otio": "otio", ".edl": "edl", ".ale": "ale", ".eaf": "eaf", "": "eaf"}


def export_format(path: Path) -> str | None:
    """The export format a path asks for by its suffix (none: a folder of EAFs); None if unknown."""
    return FORMATS.get(path.suffix.lower())


class ExportPrompt(ModalScreen[Path | None]):
    """Where to write a scene's markers; Enter writes, Escape cancels."""

    BINDINGS = bindings("export")
    DEFAULT_CSS = """
    ExportPrompt { align: center middle; }
    ExportPrompt #export-box { width: 76; height: auto; padding: 1 2; border: round $accent; background: $surface; }
    ExportPrompt #export-error { color: $error; }
    """

    def __init__(self, scene_id: str, suggested: Path):
        super().__init__()
        self.scene_id = scene_id
        self.suggested = suggested

    def compose(self) -> ComposeResult:
        with Vertical(id="export-box"):
            yield Static(f"Export scene {self.scene_id}'s markers (flags, beats, notes) to:")
            yield Input(str(self.suggested), id="export-path")
            yield Static(".otio, .edl or .ale for editors; .eaf, or a folder, for ELAN (one .eaf per take)")
            yield Static(id="export-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        path = Path(event.value.strip()).expanduser()
        if not event.value.strip() or export_format(path) is None:
            self.query_one("#export-error", Static).update(
                f"{path.suffix or 'no name'}: end the name with .otio, .edl, .ale or .eaf, or give a folder")
            return
        self.dismiss(path)

    def action_cancel(self) -> None:
        self.dismiss(None)


def ask_and_export(app, scene) -> None:
    """Open the dialog; on Enter, export the scene's markers to the path given (as `rehearse export` does)."""
    root = Path(app.root)

    def chosen(path: Path | None) -> None:
        if path is None:
            return
        if not path.is_absolute():
            path = root / path
        app.start_export_job(f"export markers {scene.id}", scene.id, export_format(path), path)

    app.push_screen(ExportPrompt(scene.id, root / "exports" / f"scene-{scene.id}.otio"), chosen)
