"""The help screen: every key, its binding id (for `keymap:` in the settings) and what it does."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from rehearse.tui.keymap import bindings, specs_by_scope

SCOPE_TITLES = {
    "app": "everywhere",
    "back": "everywhere",
    "table": "tables",
    "production": "production screen",
    "scene": "scene screen",
    "take": "take screen",
    "continuity": "continuity screen",
    "error": "error message",
    "search": "search bar",
    "warnings": "warnings screen (w)",
    "log": "rehearsal log (r on the scene screen, or `rehearse log SCENE`)",
    "note": "rehearsal log: note prompt",
}


LEGEND = (
    ("times", "seconds from the take's first frame; TC is the camera's timecode (from the camera report)"),
    ("eye open", "eye aspect ratio (EAR): eye height over eye width; about 0.3 open, under 0.1 closed"),
    ("smile", "lip-corner lift in IOD, fractions of the distance between the eyes (so it does not "
              "depend on how close the camera is)"),
    ("IOD/s", "face movement speed: IOD moved per second"),
    ("peak_depth", "how far a blink closes the eye: the drop of the eye opening at its deepest"),
    ("blinks/min", "shown only over 20 s or more; a shorter span shows the count (1 blink in 1.5 s)"),
    ("x real time", "processing speed: seconds of video analysed per second of work"),
)
"""What the measures shown in the app and reports mean (main views use the plain words)."""


def help_text(user_keymap: dict[str, str]) -> Text:
    """Every binding grouped by where it works, with the user's remapped keys."""
    text = Text()
    text.append("Remap keys in rehearse.yaml (keymap: {id: keys}). End: what numbers mean\n", style="dim")
    shown_title = None
    for scope, specs in specs_by_scope().items():
        title = SCOPE_TITLES.get(scope, scope)
        if title != shown_title:  # `app` and `back` are both "everywhere": one heading
            text.append(f"\n{title}\n", style="bold underline")
            shown_title = title
        for spec in specs:
            keys = user_keymap.get(spec.id, spec.keys)
            shown = ", ".join(k.replace("question_mark", "?").replace("slash", "/")
                              .replace("left_square_bracket", "[").replace("right_square_bracket", "]")
                              for k in keys.split(","))
            text.append(f"  {shown:<16}", style="bold")
            text.append(f"{spec.description:<32}")
            text.append(f"{spec.id}\n", style="dim")
    text.append("\nwhat the numbers mean\n", style="bold underline")
    for term, meaning in LEGEND:
        text.append(f"  {term:<12}", style="bold")
        text.append(f"{meaning}\n")
    return text


class HelpScreen(Screen):
    """Every key; Escape goes back."""

    BINDINGS = bindings("back")

    def compose(self) -> ComposeResult:
        yield Static(Text("help: every key", style="bold"), id="title")
        with VerticalScroll(id="help-body"):
            yield Static(help_text(self.app.user_keymap), id="help-text")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()
