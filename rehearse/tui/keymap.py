"""Every key binding of the terminal app, each with an id, and the user's remapping of them.

Bindings are data: screens take theirs from `bindings(scope)`, the help screen lists them all
from the same table, and `keymap:` in the settings file (binding id -> keys, e.g.
`take.next_event: "n,ctrl+n"`) remaps any of them. A bad entry is a one-line `ConfigError`.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from textual.binding import Binding

from rehearse.errors import ConfigError, Location


@dataclass(frozen=True)
class KeySpec:
    """One binding: where it works, its id, default keys, the action it runs and what it does."""

    scope: str
    """Screen or widget it belongs to (`app`, `table`, `production`, `scene`, `take` ...)."""
    id: str
    """Stable id users remap in `keymap:` (e.g. `take.next_event`)."""
    keys: str
    """Default keys, comma separated, in Textual's key names."""
    action: str
    """Textual action the key runs."""
    description: str
    """What it does, shown in the help screen and footer."""
    show: bool = True
    """Whether the footer shows it."""
    priority: bool = False
    """Whether it wins over focused widgets' own keys."""


KEYS: tuple[KeySpec, ...] = (
    KeySpec("app", "app.help", "question_mark,f1", "app.help", "help"),
    KeySpec("app", "app.command_palette", "ctrl+p", "app.command_palette", "commands", show=False, priority=True),
    KeySpec("app", "app.warnings", "w", "app.warnings", "every warning", show=False),
    KeySpec("app", "app.toggle_theme", "t", "app.toggle_theme", "light/dark theme", show=False),
    KeySpec("app", "app.cancel_job", "x", "app.cancel_job", "cancel the running analysis", show=False),
    KeySpec("app", "app.quit", "q,ctrl+q", "app.quit", "quit"),
    KeySpec("back", "screen.back", "escape", "app.back", "back"),
    KeySpec("table", "table.down", "down,j", "cursor_down", "next row", show=False),
    KeySpec("table", "table.up", "up,k", "cursor_up", "previous row", show=False),
    KeySpec("table", "table.left", "left,h", "cursor_left", "previous column", show=False),
    KeySpec("table", "table.right", "right,l", "cursor_right", "next column", show=False),
    KeySpec("table", "table.select", "enter", "select_cursor", "open the selected row", show=False),
    KeySpec("production", "production.open_scene", "enter", "open_scene", "open"),
    KeySpec("production", "production.search", "slash", "search", "search"),
    KeySpec("production", "production.continuity", "c", "continuity", "continuity"),
    KeySpec("scene", "scene.open_take", "enter", "open_take", "open take", show=False),
    KeySpec("scene", "scene.search", "slash", "search", "search beats", show=False),
    KeySpec("scene", "scene.continuity", "c", "continuity", "continuity"),
    KeySpec("scene", "scene.analyze", "a", "analyze_scene", "analyze"),
    KeySpec("scene", "scene.log", "r", "log_rehearsal", "log"),
    KeySpec("scene", "scene.next_pane", "tab", "app.focus_next", "next pane", show=False),
    KeySpec("take", "take.cursor_left", "left,h", "move_cursor(-1)", "one column earlier", show=False),
    KeySpec("take", "take.cursor_right", "right,l", "move_cursor(1)", "one column later", show=False),
    KeySpec("take", "take.frame_back", "comma", "step_frame(-1)", "one frame earlier", show=False),
    KeySpec("take", "take.frame_forward", "full_stop", "step_frame(1)", "one frame later", show=False),
    KeySpec("take", "take.play", "space", "play", "play"),
    KeySpec("take", "take.next_event", "n,j,down", "jump_event(1)", "next event", show=False),
    KeySpec("take", "take.prev_event", "p,k,up", "jump_event(-1)", "previous event", show=False),
    KeySpec("take", "take.next_flag", "right_square_bracket", "jump_flag(1)", "next flag"),
    KeySpec("take", "take.prev_flag", "left_square_bracket", "jump_flag(-1)", "previous flag", show=False),
    KeySpec("take", "take.face_crop", "f", "toggle_face_crop", "face"),
    KeySpec("take", "take.analyze", "a", "analyze_take", "analyze", show=False),
    KeySpec("continuity", "continuity.evidence", "enter", "show_evidence", "evidence"),
    KeySpec("error", "error.close", "escape,enter", "dismiss_error", "close", show=False),
    KeySpec("search", "search.close", "escape", "close_search", "close search", show=False),
    # The footer shows the keys used in every rehearsal; the rest are on the help screen (?).
    KeySpec("log", "log.clock", "space", "toggle_clock", "clock"),
    KeySpec("log", "log.next_beat", "n", "next_beat", "beat"),
    KeySpec("log", "log.hold", "h", "hold", "hold"),
    KeySpec("log", "log.hesitation", "e", "log('hesitation')", "hesit."),
    KeySpec("log", "log.flub", "f", "log('flub')", "flub"),
    KeySpec("log", "log.false_start", "s", "log('false_start')", "false start", show=False),
    KeySpec("log", "log.continuity", "c", "log('continuity')", "continuity", show=False),
    KeySpec("log", "log.note", "t", "note", "note", show=False),
    KeySpec("log", "log.circle", "o", "mark_take('circled')", "circle take", show=False),
    KeySpec("log", "log.ng", "x", "mark_take('ng')", "NG take", show=False),
    KeySpec("log", "log.sync", "y", "log('sync')", "clap/sync", show=False),
    KeySpec("log", "log.undo", "u", "undo", "undo"),
    KeySpec("log", "log.next_take", "r", "next_take", "next take", show=False),
    KeySpec("log", "log.slate", "l", "slate", "shot/take/TC", show=False),
    KeySpec("log", "log.close", "q,escape", "close", "end"),
    *(
        KeySpec("log", f"log.gesture_{n}", str(n), f"gesture({n - 1})", f"tracked gesture {n}", show=False)
        for n in range(1, 10)
    ),
    KeySpec("note", "log.note_cancel", "escape", "cancel", "cancel the note", show=False),
    KeySpec("slate", "log.slate_cancel", "escape", "cancel", "keep the slate as it was", show=False),
    KeySpec("export", "export.cancel", "escape", "cancel", "cancel the export", show=False),
)

_KEY_NAME = re.compile(r"^[a-z0-9_+]+$")


FOOTER_FIRST = ("app.help",)
"""Shown first in every screen's footer, so a narrow terminal never cuts it off."""


MAIN_SCOPES = ("production", "scene", "take", "continuity", "log", "actor", "warnings")
"""Screens whose footer starts with `?`."""


def bindings(scope: str) -> list[Binding]:
    """Textual bindings for one scope, each carrying its id so the keymap can remap it.

    A main screen's bindings start with `?` (help): the footer lists the screen's own keys
    before the app's, and at 80 columns the app's are cut off."""
    first = [spec for spec in KEYS if spec.id in FOOTER_FIRST] if scope in MAIN_SCOPES else []
    return [
        Binding(
            spec.keys,
            spec.action,
            spec.description,
            show=spec.show,
            id=spec.id,
            priority=spec.priority,
        )
        for spec in [*first, *(spec for spec in KEYS if spec.scope == scope)]
    ]


def specs_by_scope() -> dict[str, list[KeySpec]]:
    """All bindings grouped by scope, in declaration order (for the help screen)."""
    grouped: dict[str, list[KeySpec]] = {}
    for spec in KEYS:
        grouped.setdefault(spec.scope, []).append(spec)
    return grouped


def validate_keymap(keymap: dict[str, str], source: Path | str | None = None) -> dict[str, str]:
    """Check a user keymap (binding id -> keys); unknown ids and bad key names are errors."""
    known = {spec.id for spec in KEYS}
    checked: dict[str, str] = {}
    for binding_id, keys in keymap.items():
        if binding_id not in known:
            close = difflib.get_close_matches(str(binding_id), sorted(known), n=1)
            hint = f"did you mean {close[0]}?" if close else "press ? in the app to see every binding id"
            raise ConfigError(f"keymap: unknown binding id `{binding_id}`", Location(source), hint=hint)
        names = [k.strip() for k in str(keys).split(",")]
        if not names or any(not _KEY_NAME.match(name) for name in names):
            raise ConfigError(
                f"keymap: `{binding_id}: {keys}` is not a list of key names",
                Location(source),
                hint="write keys as Textual names, comma separated, e.g. `n,ctrl+n` or `question_mark`",
            )
        checked[binding_id] = ",".join(names)
    return checked


def load_keymap(production_root: Path | None) -> dict[str, str]:
    """The user's keymap from the settings files (see rehearse.config), validated."""
    import os

    production_file = Path(production_root) / "rehearse.yaml" if production_root is not None else None
    user_file = os.environ.get("REHEARSE_CONFIG") or str(
        Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "rehearse" / "config.yaml"
    )
    from_env = any(name.startswith("REHEARSE_KEYMAP") for name in os.environ)
    if not from_env and not Path(user_file).expanduser().is_file() and not (production_file and production_file.is_file()):
        return {}  # nothing to read: skip importing the settings (and the analysis defaults they pull in)
    from rehearse.config import load_settings

    settings = load_settings(production_root)
    source: Path | str = "settings"
    if production_file is not None and production_file.is_file():
        source = production_file
    elif Path(user_file).expanduser().is_file():
        source = Path(user_file).expanduser()
    return validate_keymap(dict(settings.keymap), source)
