"""The live screen on canned updates: hold timer against the beat's target, blinks, events, bars; log keys write to SQLite.

The real path (PyAV + MediaPipe on a UDP stream) is tested in tests/unit/test_live_stream.py;
here the updates are canned so the picture is fixed.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from pathlib import Path

from tests_support import SAMPLE_PRODUCTION

from rehearse.analysis.events import Event
from rehearse.live.incremental import LiveState
from rehearse.live.session import LiveUpdate
from rehearse.live.take_binding import bind_live_take
from rehearse.tui.live_app import LiveApp


def canned_updates(should_stop):
    """Three seconds of a take: a blink, a finished hold, then a hold still running at 3.0 s."""
    events = {1.2: [Event(kind="blink", start_s=0.54, end_s=0.75, apex_s=0.62, side="both", label="full")],
              2.0: [Event(kind="hold", start_s=0.80, end_s=1.29, scope="face")]}
    for step in range(0, 73):
        t = step / 24
        state = LiveState(t_s=t, face=True, holding_since_s=1.95 if t >= 1.95 else None,
                          expression_change={"smile": 0.04, "brow raise": 0.012, "mouth open": -0.01, "lip press": 0.08})
        due = [e for at, batch in events.items() if abs(at - t) < 1 / 48 for e in batch]
        yield LiveUpdate("live", state, due, 0.0, lag_s=0.04, frames_analysed=step + 1, frames_dropped=2,
                         frames_received=step + 3)
    while not should_stop():
        time.sleep(0.02)


def production(tmp_path: Path) -> Path:
    root = tmp_path / "production"
    shutil.copytree(SAMPLE_PRODUCTION, root, ignore=shutil.ignore_patterns("*.mp4", ".rehearse"))
    return root


async def wait_drawn(pilot, text: str) -> None:
    import time

    deadline = time.monotonic() + 60  # generous: CI is a loaded 2-core machine
    while time.monotonic() < deadline:
        if text in str(pilot.app.live_screen.query_one("#status").render()):
            return
        await pilot.pause(0.02)
    raise AssertionError(f"{text!r} never shown")


def test_keys_log_at_the_pictures_time_and_the_hold_timer_uses_the_beats_target(tmp_path):
    take = bind_live_take(production(tmp_path), "01", "1A-9", None)
    try:
        asyncio.run(_keys_scenario(take))
        logged = [(e.kind, e.beat_id, round(e.t_s, 2)) for e in take.entries()]
        assert logged == [("beat", "b1", 3.0), ("beat", "b2", 3.0), ("hold_start", None, 3.0), ("hesitation", None, 3.0)]
    finally:
        take.close()


async def _keys_scenario(take) -> None:
    app = LiveApp(canned_updates, source="udp://@:5000", live_take=take)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_drawn(pilot, "3.00 s")
        for key in ("n", "n", "h", "e", "f", "u"):
            await pilot.press(key)
        hold = str(app.live_screen.query_one("#hold").render())
        assert "hold 1.05 / 1.20 ± 0.30 s" in hold  # beat b2's target, 3.00 - 1.95 s held
        assert "blinks 1" in str(app.live_screen.query_one("#blinks").render())
        events = str(app.live_screen.query_one("#events").render())
        assert "blink" in events and "hold" in events
        assert "undid" in str(app.live_screen.query_one("#log").render())
        await pilot.press("q")


def test_a_keyed_hold_is_shown_open_until_its_second_key_and_undo_reopens_it(tmp_path):
    take = bind_live_take(production(tmp_path), "01", "1A-9", None)
    try:
        asyncio.run(_keyed_hold_scenario(take))
        assert [e.kind for e in take.entries()] == ["hold_start", "hold_stop"]  # the undone stop is kept aside
    finally:
        take.close()


async def _keyed_hold_scenario(take) -> None:
    app = LiveApp(canned_updates, source="udp://@:5000", live_take=take)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_drawn(pilot, "3.00 s")

        def status() -> str:
            return str(app.live_screen.query_one("#status").render())
        assert "H keyed" not in status()
        await pilot.press("h")
        await pilot.pause()
        assert "H keyed 3.00 s" in status() and len(status()) <= 78  # fits 80 columns with padding
        await pilot.press("h")  # closes it
        await pilot.pause()
        assert "H keyed" not in status()
        await pilot.press("u")  # undoing the close reopens the hold: the next h closes it again
        await pilot.pause()
        assert "H keyed 3.00 s" in status()
        await pilot.press("h")
        await pilot.pause()
        assert "H keyed" not in status()
        await pilot.press("q")


def test_without_a_take_the_keys_say_why_nothing_is_logged():
    asyncio.run(_no_take_scenario())


async def _no_take_scenario() -> None:
    app = LiveApp(canned_updates, source="udp://@:5000")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_drawn(pilot, "3.00 s")
        await pilot.press("f")
        assert "no take bound" in str(app.live_screen.query_one("#log").render())
        assert "hold 1.05 s" in str(app.live_screen.query_one("#hold").render())
        await pilot.press("q")


def test_live_screen_snapshot(snap_compare, tmp_path):
    take = bind_live_take(production(tmp_path), "01", "1A-9", None)

    async def run_before(pilot) -> None:
        await wait_drawn(pilot, "3.00 s")
        await pilot.press("n", "n")
        await pilot.pause(0.1)

    try:
        app = LiveApp(canned_updates, source="udp://@:5000", live_take=take)
        # The take file path is inside tmp_path: show it relative so the picture does not move.
        assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
    finally:
        take.close()


def test_the_app_palette_opens_the_live_screen_and_a_bad_source_ends_it_in_one_line(tiny_app):
    from tests_support.tui_canned import run_from_palette, settle, wait_until

    from rehearse.tui.live_app import LiveScreen
    from rehearse.tui.live_prompt import LivePrompt

    async def body():
        async with tiny_app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("enter")  # into scene 01
            await settle(pilot)
            await run_from_palette(pilot, "watch live")
            await wait_until(pilot, lambda: isinstance(tiny_app.screen, LivePrompt), "the live prompt")
            source = tiny_app.screen.query_one("#live-source")
            source.value = "nowhere.mp4"
            tiny_app.screen.query_one("#live-take").value = ""
            source.focus()
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(tiny_app.screen, LiveScreen) and tiny_app.screen.ended_reason,
                             "the live screen to end on the missing source")
            status = str(tiny_app.screen.query_one("#status").render())
            assert "ENDED" in status and "nowhere.mp4" in status and "no such file" in status
            await pilot.press("q")
            await wait_until(pilot, lambda: not isinstance(tiny_app.screen, LiveScreen), "the live screen to close")

    asyncio.run(body())


def test_watching_a_scene_from_the_app_asks_its_casts_consent_first(tiny_production):
    """The app's live screen for a scene without a take name: no picture opens for an actor who
    has not consented; the one line says who and where (the rule `rehearse watch` follows)."""
    from tests_support.tui_canned import CANNED, settle

    from rehearse.tui.app import create_app
    from rehearse.tui.live_app import LiveScreen, open_live_screen

    production = tiny_production / "production.yaml"
    production.write_text(production.read_text().replace("actor: Lucia Ferrer, consent: true", "actor: Lucia Ferrer"))
    app = create_app(tiny_production, sources=CANNED, keymap={}, watch=False)
    said: list[str] = []

    async def body():
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            app.notify = lambda message, **_: said.append(str(message))  # what the user would read
            scene = next(s for s in app.project.scenes if "ana" in s.characters)
            open_live_screen(app, scene, "udp://127.0.0.1:9", None)
            await settle(pilot, 0.2)
            assert not isinstance(app.screen, LiveScreen)

    asyncio.run(body())
    assert len(said) == 1 and "not watched: Lucia Ferrer (ana) has no `consent:`" in said[0], said


def test_a_source_that_cannot_be_opened_ends_rehearse_watch_with_its_one_line(tmp_path):
    """`rehearse watch` with the screen: a stream that never sends (or a file that is no video) ends the
    app on its own, with the one line to print, instead of leaving an ended screen waiting for `q`
    (its reason cut at 80 columns)."""
    from rehearse.errors import Location, VideoError

    line = VideoError("cannot open the source: nothing received in 10 s", Location("udp://@:5000"),
                      hint="check the sender is running and sends to this address and port")

    def never_opens(should_stop):
        raise line
        yield  # a generator, as `watch` is

    app = LiveApp(never_opens, source="udp://@:5000")
    returned = asyncio.run(asyncio.wait_for(app.run_async(headless=True, size=(80, 24)), 30))
    assert returned == 1
    assert app.failure == line.one_line()


def test_a_take_that_played_and_ended_stays_on_screen_until_q():
    async def body():
        app = LiveApp(canned_updates_then_end, source="takes/01-1A-2.mp4")
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_drawn(pilot, "ENDED")
            await pilot.pause(0.2)
            assert app.is_running and app.failure is None
            await pilot.press("q")
        assert app.return_value == 0

    asyncio.run(body())


def canned_updates_then_end(should_stop):
    state = LiveState(t_s=1.0, face=True)
    yield LiveUpdate("live", state, [], 0.0, frames_analysed=1, frames_received=1)
    yield LiveUpdate("ended", state, [], 0.0, frames_analysed=1, frames_received=1, reason="no signal for 60 s")


def hold_then_moving(should_stop):
    """Four seconds: a face hold held 1.00-2.17 s (final at 2.8 s), then a short one (3.00-3.40 s, final at
    3.9 s); nothing held at the end."""
    events = {2.8: [Event(kind="hold", start_s=1.00, end_s=2.17, scope="face")],
              3.9: [Event(kind="hold", start_s=3.00, end_s=3.40, scope="face")]}
    for step in range(0, 97):
        t = step / 24
        holding = 1.00 if 1.0 <= t < 2.3 else 3.00 if 3.0 <= t < 3.5 else None
        state = LiveState(t_s=t, face=True, holding_since_s=holding)
        due = [e for at, batch in events.items() if abs(at - t) < 1 / 48 for e in batch]
        yield LiveUpdate("live", state, due, 0.0, lag_s=0.04, frames_analysed=step + 1, frames_received=step + 1)
    while not should_stop():
        time.sleep(0.02)


def test_once_a_hold_has_ended_the_timer_shows_the_beats_hold_against_its_target(tmp_path):
    """After the hold: the beat's hold (the one rule `rehearse events` and the report use, the
    longest) against the target with its verdict, not a blank timer; the beat marks are the logged
    ones (b2 at 0.5 s: the 1.17 s hold is b2's)."""
    take = bind_live_take(production(tmp_path), "01", "1A-9", None)
    take.add_to_breakdown()
    take.log("beat", 0.2, beat_id="b1")
    take.log("beat", 0.5, beat_id="b2")

    async def body():
        app = LiveApp(hold_then_moving, source="udp://@:5000", live_take=take)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_drawn(pilot, "4.00 s")
            hold = str(app.live_screen.query_one("#hold").render())
            assert "hold 1.17 / 1.20 ± 0.30 s" in hold and "1.00-2.17 s" in hold and "on target (-0.03 s)" in hold, hold
            await pilot.press("q")

    try:
        asyncio.run(body())
    finally:
        take.close()


def test_without_beats_the_timer_shows_the_last_hold_once_it_has_ended():
    async def body():
        app = LiveApp(hold_then_moving, source="udp://@:5000")
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_drawn(pilot, "4.00 s")
            hold = str(app.live_screen.query_one("#hold").render())
            assert "hold 0.40 s" in hold and "3.00-3.40 s" in hold, hold
            await pilot.press("q")

    asyncio.run(body())


def test_without_a_hold_or_a_target_the_timer_is_a_dash():
    def still_nothing(should_stop):
        for step in range(25):
            yield LiveUpdate("live", LiveState(t_s=step / 24, face=True), [], 0.0, frames_analysed=step + 1)
        while not should_stop():
            time.sleep(0.02)

    async def body():
        app = LiveApp(still_nothing, source="udp://@:5000")
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_drawn(pilot, "1.00 s")
            assert str(app.live_screen.query_one("#hold").render()).strip() == "hold -"  # was "hold - s"
            await pilot.press("q")

    asyncio.run(body())


def test_bars_say_no_face_only_when_there_is_none():
    """Before the first detection pass the bars have no values yet: with a face in frame they wait
    ('-'), they do not say 'no face' under a status line showing the face."""
    def first_frames(should_stop):
        for step in range(6):
            yield LiveUpdate("live", LiveState(t_s=step / 24, face=step < 5), [], 0.0, frames_analysed=step + 1,
                             frames_received=step + 1)
            if step == 3:
                while not should_stop() and not shown.is_set():
                    time.sleep(0.02)
        while not should_stop():
            time.sleep(0.02)

    import threading

    shown = threading.Event()

    async def body():
        app = LiveApp(first_frames, source="udp://@:5000")
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_drawn(pilot, "0.12 s")
            bars = str(app.live_screen.query_one("#bars").render())
            assert "no face" not in bars and "smile" in bars, bars
            shown.set()
            await wait_drawn(pilot, "no face")  # the fifth frame has none: both say so
            assert str(app.live_screen.query_one("#bars").render()).count("no face") == 4
            await pilot.press("q")

    asyncio.run(body())


def test_a_key_is_logged_at_the_picture_arriving_not_at_the_frame_the_analysis_has_reached(tmp_path):
    """The analysis runs up to the display lag behind the picture (0.3 s here): a beat key marks the
    moment in the room, i.e. the newest frame received, not the older one the detectors are on."""
    def behind(should_stop):
        for step in range(0, 49):
            t = step / 24
            yield LiveUpdate("live", LiveState(t_s=t, face=True), [], 0.0, lag_s=0.3, frames_analysed=step + 1,
                             frames_received=step + 8, received_t_s=t + 7 / 24)
        while not should_stop():
            time.sleep(0.02)

    take = bind_live_take(production(tmp_path), "01", "1A-9", None)

    async def body():
        app = LiveApp(behind, source="udp://@:5000", live_take=take)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_drawn(pilot, "2.00 s")
            await pilot.press("n")
            await pilot.pause(0.1)
            await pilot.press("q")

    try:
        asyncio.run(body())
        assert [(e.kind, round(e.t_s, 3)) for e in take.entries()] == [("beat", round(2 + 7 / 24, 3))]
    finally:
        take.close()


def test_a_hold_that_has_just_ended_is_shown_settling_until_it_is_final(tmp_path):
    """Between the pass that sees a hold end and its final event (its detector's reach, ~0.6 s), the
    box shows that hold, marked settling, not an older hold of the beat or nothing."""
    just_ended = Event(kind="hold", start_s=1.00, end_s=2.17, scope="face")

    def ending(should_stop):
        older = [Event(kind="hold", start_s=0.55, end_s=0.80, scope="face")]
        for step in range(0, 61):
            t = step / 24
            holding = 1.00 if 1.0 <= t < 2.3 else None
            state = LiveState(t_s=t, face=True, holding_since_s=holding,
                              ended_hold=just_ended if t >= 2.3 else older[0] if t >= 0.9 else None)
            due = older if step == 30 else []
            yield LiveUpdate("live", state, due, 0.0, frames_analysed=step + 1, frames_received=step + 1)
        while not should_stop():
            time.sleep(0.02)

    take = bind_live_take(production(tmp_path), "01", "1A-9", None)
    take.add_to_breakdown()
    take.log("beat", 0.2, beat_id="b1")
    take.log("beat", 0.5, beat_id="b2")

    async def body():
        app = LiveApp(ending, source="udp://@:5000", live_take=take)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_drawn(pilot, "2.50 s")
            hold = str(app.live_screen.query_one("#hold").render())
            assert "hold 1.17 / 1.20 ± 0.30 s" in hold and "settling 1.00-2.17 s" in hold, hold
            await pilot.press("q")

    try:
        asyncio.run(body())
    finally:
        take.close()
