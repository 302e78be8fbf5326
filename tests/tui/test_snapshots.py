"""SVG snapshots of every screen at 80x24 and 120x40, dark and light (pytest-textual-snapshot).

Every screen: production, scene, take, continuity, help, warnings, actor and the rehearsal log.

What moves is frozen: file watching is off, the search cursor does not blink, no clock is
shown, and workers are awaited before the picture is taken. Update with `--snapshot-update`.
"""

from __future__ import annotations

import pytest
from tests_support.tui_canned import CANNED, settle

from rehearse.tui.app import create_app

SIZES = [(80, 24), (120, 40)]

# screen name -> keys that reach it from the production screen
ROUTES = {
    "production": [],
    "scene": ["enter"],
    "take": ["enter", "tab", "tab", "tab", "tab", "j", "enter", "n", "n", "right_square_bracket"],
    "continuity": ["c", "l", "j"],
    "help": ["question_mark"],
    "warnings": ["w"],
    "actor": ["ctrl+p", *"actor:", "space", *"profiles", "down", "enter"],
    "log": ["enter", "r"],
}


def _run_before(keys: list[str]):
    async def run_before(pilot) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        await settle(pilot, 0.35)  # the still is read 0.2 s after the cursor rests

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("screen", list(ROUTES))
def test_screen_snapshot(snap_compare, tiny_production, screen, size, monkeypatch):
    if screen == "log":
        # the log shows the camera's running timecode (time of day): freeze the wall clock
        import types

        import rehearse.tui.log_app as log_app

        monkeypatch.setattr(log_app, "time", types.SimpleNamespace(time=lambda: 1_700_000_000.0,
                                                                  monotonic=lambda: 1000.0))
        monkeypatch.setattr(log_app, "time_of_day_timecode", lambda fps, wall_s=None: "21:04:10:00")
    app = create_app(tiny_production, sources=CANNED, keymap={}, watch=False)
    assert snap_compare(app, terminal_size=size, run_before=_run_before(ROUTES[screen]))


@pytest.mark.parametrize("screen", ["production", "take"])
def test_light_theme_snapshot(snap_compare, tiny_production, screen):
    app = create_app(tiny_production, sources=CANNED, keymap={}, theme="light", watch=False)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_run_before(ROUTES[screen]))
