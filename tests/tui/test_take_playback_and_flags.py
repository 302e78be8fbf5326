"""The take screen's face and flags: flags computed when the app opens, frame steps, real-speed
playback with the cursor following, the face crop, and the warnings screen."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

import pytest
from tests_support.tui_canned import CANNED, settle, wait_until

from rehearse.tui.app import create_app
from rehearse.tui.playback import paced_frames
from rehearse.tui.widgets.still import HalfBlockStill, crop_to_box
from rehearse.tui.widgets.timeline import Timeline


def run(coro):
    return asyncio.run(coro)


async def open_take(pilot, take_row_keys=("j",)):
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("tab", "tab", "tab", "tab", *take_row_keys, "enter")
    await settle(pilot, 0.3)


def test_flags_are_computed_when_the_app_opens_not_when_continuity_is_visited(tiny_production):
    # Sources that remember nothing: only the app's background computation can know the flags.
    computed = []

    def scene_flags(project, scene):
        computed.append(scene.id)
        return CANNED.scene_flags(project, scene)

    sources = replace(CANNED, known_flags=None, scene_flags=scene_flags)
    app = create_app(tiny_production, sources=sources, keymap={}, watch=False)

    async def body():
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert sorted(computed) == ["01", "02"]
            table = app.screen.query_one("#scenes")
            assert str(table.get_row("01")[-1]) == "1" and str(table.get_row("02")[-1]) == "—"
            await open_take(pilot)
            timeline = app.screen.query_one(Timeline)
            lanes = [line.plain for line in timeline.render().split()]
            assert any(line.startswith("flags") and "!" in line for line in lanes)
            await pilot.press("right_square_bracket")
            assert timeline.cursor_s == pytest.approx(5.2)

    run(body())


def test_an_analysed_take_without_flags_still_has_a_flags_lane_saying_so(tiny_app):
    async def body():
        async with tiny_app.run_test(size=(120, 40)) as pilot:
            await open_take(pilot, ())  # take 1A-1: the circled 1A-2 is its reference, no flag on it
            lanes = [line.plain for line in tiny_app.screen.query_one(Timeline).render().split()]
            assert any(line.startswith("flags") and "no flag against the circled take" in line for line in lanes)

    run(body())


def test_comma_and_full_stop_step_one_frame_and_arrows_one_column(tiny_app):
    async def body():
        async with tiny_app.run_test(size=(80, 24)) as pilot:
            await open_take(pilot)
            timeline = tiny_app.screen.query_one(Timeline)
            await pilot.press("full_stop", "full_stop")
            assert timeline.cursor_s == pytest.approx(2 / 24)
            await pilot.press("comma")
            assert timeline.cursor_s == pytest.approx(1 / 24)
            await pilot.press("right")
            assert timeline.cursor_s == pytest.approx(1 / 24 + timeline.step_s())
            assert timeline.step_s() == pytest.approx(8.0 / (timeline.size.width - 11))

    run(body())


def test_space_plays_at_real_speed_with_the_cursor_following(tiny_app):
    async def body():
        async with tiny_app.run_test(size=(80, 24)) as pilot:
            await open_take(pilot)
            timeline = tiny_app.screen.query_one(Timeline)
            await pilot.press("right_square_bracket")  # 5.2 s
            began = time.monotonic()
            await pilot.press("space")
            await wait_until(pilot, lambda: timeline.cursor_s >= 5.7, "half a second of playback")
            elapsed = time.monotonic() - began
            played = timeline.cursor_s - 5.2
            # Never ahead of the clock. (How far behind depends on the machine's load: the pacing
            # itself, late frames dropped, is tested below on a fake clock.)
            assert played <= elapsed + 0.1, (played, elapsed)
            still = tiny_app.screen.query_one(HalfBlockStill)
            shown_s = tiny_app.screen._last_image_s  # the frame drawn (a late one moves only the cursor)
            assert shown_s is not None and shown_s > 5.2
            assert still._image[0, 0, 1] == pytest.approx(min(255, shown_s * 30), abs=12)
            await pilot.press("space")  # stops
            stopped_at = timeline.cursor_s
            await pilot.pause(0.3)
            assert timeline.cursor_s == stopped_at

    run(body())


def test_playback_pacing_drops_late_frames_and_keeps_real_time():
    now = [0.0]
    frames = [(i / 24, f"frame {i}") for i in range(48)]

    def clock():
        return now[0]

    def sleep(seconds):
        now[0] += seconds

    def slow_frames():  # decoding takes 1.5 frame intervals: half the frames come late
        for t, image in frames:
            now[0] += 1.5 / 24
            yield t, image

    shown = list(paced_frames(slow_frames(), 0.0, 2.0, lambda: False, clock, sleep))
    assert [t for t, _ in shown] == [t for t, _ in frames]  # the cursor passes every frame time
    dropped = [t for t, image in shown if image is None]
    assert 0 < len(dropped) < len(shown)
    on_time = list(paced_frames(iter(frames), 0.5, 1.0, lambda: False, clock, sleep))
    assert on_time[0][0] == pytest.approx(0.5) and on_time[-1][0] <= 1.0 + 1e-9
    assert all(image is not None for _, image in on_time)


def test_face_crop_shows_the_face_large(tiny_app):
    import numpy as np

    image = np.zeros((100, 200, 3), np.uint8)
    face = crop_to_box(image, (0.4, 0.3, 0.6, 0.7))
    assert face.shape[:2] == (68, 68)  # a 40 x 40 px box widened by 35 % of its size on each side
    assert crop_to_box(image, (np.nan,) * 4) is None

    async def body():
        async with tiny_app.run_test(size=(120, 40)) as pilot:
            await open_take(pilot)
            still = tiny_app.screen.query_one(HalfBlockStill)
            whole = still._image.shape
            whole_scale = len(still._cells) * 2 / whole[0]  # cells per pixel of the frame
            await pilot.press("f")
            await settle(pilot)
            cropped = still._image.shape
            assert cropped[0] < whole[0] and cropped[1] < whole[1]
            caption = str(tiny_app.screen.query_one("#still-caption").content)
            assert caption.startswith("face at 0.00 s")
            # the drawn face is larger on screen than the same region of the whole frame was
            assert len(still._cells) * 2 / cropped[0] > 1.5 * whole_scale
            await pilot.press("f")
            await settle(pilot)
            assert still._image.shape == whole

    run(body())


def test_warnings_screen_lists_every_problem_whole(tiny_production):
    scene = tiny_production / "02-stairwell.yaml"
    scene.write_text(scene.read_text() + "takes:\n" + "".join(
        f"  - {{shot: 2A, number: {n}, file: takes/a-very-long-file-name-for-take-{n}.mp4}}\n" for n in (1, 2, 3)))
    app = create_app(tiny_production, sources=CANNED, keymap={}, watch=False)

    async def body():
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            banner = str(app.screen.query_one("#banner").content)
            assert "(w lists them all)" in banner.splitlines()[0][:60]
            await pilot.press("w")
            await settle(pilot)
            listed = str(app.screen.query_one("#warnings-text").content)
            assert all(f"a-very-long-file-name-for-take-{n}.mp4" in listed for n in (1, 2, 3))
            assert len(app.problems) == listed.count("• ")
            await pilot.press("escape")
            assert app.screen.query("#scenes")

    run(body())


def test_every_screen_keeps_help_in_its_footer_at_80_columns(tiny_app):
    import html
    import re

    def footer(app) -> str:
        text = html.unescape(re.sub(r"<[^>]+>", "", app.export_screenshot())).replace("\xa0", " ")
        return [line for line in text.splitlines() if line.strip()][-1]

    async def body():
        async with tiny_app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            seen = {}
            for name, keys in (("production", []), ("scene", ["enter"]), ("take", ["tab", "tab", "tab", "tab", "enter"]),
                               ("continuity", ["escape", "c"]), ("warnings", ["escape", "w"]), ("log", ["escape", "r"])):
                for key in keys:
                    await pilot.press(key)
                    await settle(pilot)
                seen[name] = footer(tiny_app)
            for name, line in seen.items():
                assert line.lstrip().startswith("? help"), (name, line)
            assert "space play" in seen["take"] and "] next flag" in seen["take"] and "f face" in seen["take"]
            assert all(k in seen["log"] for k in ("space clock", "n beat", "h hold", "e hesit.", "f flub", "u undo", "q end")), seen["log"]

    run(body())


def test_every_tab_stop_on_the_scene_screen_shows_its_focus(tiny_app):
    async def body():
        async with tiny_app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            stops = []
            for _ in range(5):
                focused = tiny_app.focused
                stops.append(focused.id)
                assert focused.styles.border_left[0] == "thick", f"{focused.id} shows no focus"
                others = [w for w in tiny_app.screen.query("KeyTable, .pane") if w is not focused]
                assert all(w.styles.border_left[0] != "thick" for w in others)
                await pilot.press("tab")
                await settle(pilot)
            assert stops == ["beats", "pane-blocking", "pane-appearance", "pane-lighting", "takes"]

    run(body())


def test_the_face_view_at_80x24_takes_the_rows_of_the_sparklines_and_lanes(tiny_app):
    async def body():
        async with tiny_app.run_test(size=(80, 24)) as pilot:
            await open_take(pilot)
            still = tiny_app.screen.query_one(HalfBlockStill)
            rows_before = still.size.height
            await pilot.press("f")
            await settle(pilot)
            lanes = [line.plain.split()[0] for line in tiny_app.screen.query_one(Timeline).render().split()]
            assert "flags" in lanes and not {"eye", "blink", "gesture"} & set(lanes)
            assert still.size.height >= rows_before + 7, (rows_before, still.size.height)  # 4 sparklines, 3 lanes

    run(body())
