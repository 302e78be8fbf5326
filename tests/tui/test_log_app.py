"""The rehearsal-log screen driven with Pilot: keys become committed entries, undo, resume."""

from __future__ import annotations

import asyncio

from rehearse.breakdown.models import Scene
from rehearse.store import connect
from rehearse.store.rehearsal_log import entries, open_sessions
from rehearse.tui.log_app import RehearsalLogApp

SCENE = Scene.model_validate(
    {
        "id": "01",
        "heading": "INT. KITCHEN - NIGHT",
        "beats": [
            {"id": "b1", "summary": "Ana asks", "lines": [{"character": "ana", "text": "Did you [bold]sign[/bold] it?"}]},
            {"id": "b2", "summary": "Maya lies", "lines": [{"character": "maya", "text": "Of course I did."}]},
        ],
        "tracked_gestures": [
            {"id": "turn_away", "character": "maya", "description": "turns away", "body_part": "head", "beat": "b2"}
        ],
    }
)


def _stored(root):
    connection = connect(root)
    session = open_sessions(connection, "01")[0]
    return [(e.kind, e.beat_id, e.text) for e in entries(connection, session.id)]


def test_keys_log_entries_that_are_committed_before_they_show(tmp_path):
    async def scenario():
        app = RehearsalLogApp(tmp_path, SCENE)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("space", "n", "e", "n", "1", "h", "h", "o")
            # Each entry on screen is already in the database (a second connection sees it).
            assert len(_stored(tmp_path)) == 7
            beat_text = str(app.screen.query_one("#beat").render())
            assert "Of course I did." in beat_text
            await pilot.press("u")
            await pilot.press("t")
            await pilot.press(*"take [red]two[/red]")
            await pilot.press("enter")
            await pilot.pause()

    asyncio.run(scenario())
    assert _stored(tmp_path) == [
        ("beat", "b1", ""),
        ("hesitation", "b1", ""),
        ("beat", "b2", ""),
        ("gesture", "b2", "turn_away"),
        ("hold_start", "b2", ""),
        ("hold_stop", "b2", ""),
        ("note", "b2", "take [red]two[/red]"),
    ]


def test_a_restarted_app_resumes_the_same_session(tmp_path):
    async def first():
        async with RehearsalLogApp(tmp_path, SCENE).run_test() as pilot:
            await pilot.press("n", "f")

    async def second():
        app = RehearsalLogApp(tmp_path, SCENE)
        async with app.run_test() as pilot:
            assert app.resumed
            await pilot.press("s")
            table = app.screen.query_one("#entries")
            assert table.row_count == 3

    asyncio.run(first())
    asyncio.run(second())
    assert [kind for kind, _, _ in _stored(tmp_path)] == ["beat", "flub", "false_start"]


def test_bindings_can_be_remapped_by_id(tmp_path):
    async def scenario():
        app = RehearsalLogApp(tmp_path, SCENE, keymap={"log.next_beat": "b"})
        async with app.run_test() as pilot:
            await pilot.press("b", "n")

    asyncio.run(scenario())
    assert [kind for kind, _, _ in _stored(tmp_path)] == ["beat"]


def test_log_keys_are_in_the_apps_keymap_table_so_remaps_validate_and_help_lists_them():
    from rehearse.tui.keymap import validate_keymap
    from rehearse.tui.screens.help import help_text

    assert validate_keymap({"log.next_beat": "b", "log.gesture_3": "ctrl+3"}) == {
        "log.next_beat": "b", "log.gesture_3": "ctrl+3"}
    assert "log.next_beat" in help_text({}).plain
