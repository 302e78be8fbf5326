"""Pilot tests: navigation, each screen, literal text, palette, jobs, keymap, themes, live reload."""

from __future__ import annotations

import asyncio
import html
import re

import pytest
from tests_support.tui_canned import CANNED, FLAG_SENTENCE, run_from_palette, settle, wait_until

from rehearse.errors import ConfigError
from rehearse.tui.app import create_app
from rehearse.tui.data import DataSources
from rehearse.tui.screens.continuity import ContinuityScreen
from rehearse.tui.screens.error import ErrorScreen
from rehearse.tui.screens.help import HelpScreen
from rehearse.tui.screens.production import ProductionScreen
from rehearse.tui.screens.scene import SceneScreen
from rehearse.tui.screens.take import TakeScreen
from rehearse.tui.widgets.still import HalfBlockStill
from rehearse.tui.widgets.timeline import Timeline


def screen_text(app) -> str:
    """What is on screen, as plain text (from the SVG screenshot)."""
    svg = app.export_screenshot()
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


def run(coro):
    return asyncio.run(coro)


def test_navigation_production_scene_take_and_back(tiny_app):
    async def body():
        async with tiny_app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert isinstance(tiny_app.screen, ProductionScreen)
            table = tiny_app.screen.query_one("#scenes")
            assert table.row_count == 2
            await pilot.press("j")
            assert tiny_app.screen.current_scene().id == "02"
            await pilot.press("k", "enter")
            await settle(pilot)
            assert isinstance(tiny_app.screen, SceneScreen)
            assert tiny_app.screen.scene_id == "01"
            await pilot.press("tab", "tab", "tab", "tab")
            assert tiny_app.focused.id == "takes"
            await pilot.press("j", "enter")
            await settle(pilot)
            assert isinstance(tiny_app.screen, TakeScreen)
            assert tiny_app.screen.take_label == "1A-2"
            await pilot.press("escape")
            assert isinstance(tiny_app.screen, SceneScreen)
            await pilot.press("escape")
            assert isinstance(tiny_app.screen, ProductionScreen)
            await pilot.press("escape")  # the first screen stays
            assert isinstance(tiny_app.screen, ProductionScreen)

    run(body())


def test_production_screen_counts_beats_takes_and_flags(tiny_app):
    async def body():
        async with tiny_app.run_test(size=(100, 24)) as pilot:
            await settle(pilot)
            text = screen_text(tiny_app)
            assert "Tiny Test Piece" in text
            row_01 = next(line for line in text.splitlines() if "INT. KITCHEN - NIGHT" in line)
            assert re.search(r"Day 1, night\s+3\s+2/2\s+1\b", row_01), row_01
            row_02 = next(line for line in text.splitlines() if "STAIRWELL" in line)
            assert re.search(r"1\s+0/0\s+—", row_02), row_02

    run(body())


def test_scene_screen_shows_beats_panes_and_takes_literally(tiny_app):
    async def body():
        async with tiny_app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            text = screen_text(tiny_app)
            # Markup written in YAML is shown as written, never interpreted.
            assert "Ana asks [bold]plainly[/bold]." in text
            assert re.search(r"She turns away \[link=https://[^ ]*…", text)  # cut to the column
            assert "ANA: Did you sign it?" in text and "MAYA: Of course I did." in text  # each beat's dialogue
            beats = tiny_app.screen.query_one("#beats")
            assert beats.get_cell_at((2, 1)).plain == "She turns away [link=https://example.com]toward the window[/link]."
            assert "[bold]not bold[/bold] and [red]not red[/red]" in text
            assert "BLOCKING" in text and "mark A: Maya's chair (tape blue)" in text
            panes = {
                name: str(tiny_app.screen.query_one(f"#{name}-text").content)
                for name in ("blocking", "appearance", "lighting")
            }
            assert "wardrobe: maya cardigan: grey, left cuff frayed" in panes["appearance"]
            assert "key left, soft 2700 K one warm pool" in panes["lighting"]
            assert "shot 1A: CU 85 mm static" in panes["lighting"]
            assert "1.20 s" in text  # b2's target hold
            assert text.count("analyzed") >= 2

    run(body())


def test_search_filters_beats_and_escape_closes(tiny_app):
    async def body():
        async with tiny_app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            beats = tiny_app.screen.query_one("#beats")
            assert beats.row_count == 3
            await pilot.press("slash", "w", "i", "n", "d", "o", "w")
            assert beats.row_count == 1
            await pilot.press("escape")
            assert beats.row_count == 3
            assert not tiny_app.screen.query_one("#search").display

    run(body())


def test_take_screen_cursor_events_flags_and_still(tiny_app):
    async def body():
        async with tiny_app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            await pilot.press("tab", "tab", "tab", "tab", "j", "enter")
            await settle(pilot, 0.3)
            screen = tiny_app.screen
            timeline = screen.query_one(Timeline)
            assert timeline.cursor_s == 0.0
            await pilot.press("n")
            assert timeline.cursor_s == pytest.approx(1.6)  # the hold starts first
            await pilot.press("n")
            assert timeline.cursor_s == pytest.approx(2.0)  # then the blink
            await pilot.press("p")
            assert timeline.cursor_s == pytest.approx(1.6)
            await pilot.press("right_square_bracket")
            assert timeline.cursor_s == pytest.approx(5.2)  # the flag
            await pilot.press("l")
            assert timeline.cursor_s > 5.2
            await pilot.press("h")
            assert timeline.cursor_s == pytest.approx(5.2)
            await settle(pilot, 0.35)  # the still is decoded after the cursor rests
            still = screen.query_one(HalfBlockStill)
            assert still._image is not None and still._image[0, 0, 1] == 156  # 5.2 s * 30
            text = screen_text(tiny_app)
            assert "flag turn_away: head turn went to her right" in text
            assert "gesture turn_away right: 5.20–5.80 s (0.60 s)" in text
            info = str(screen.query_one("#cursor-info").content)
            assert "head turn  -0.3 deg" in info and "eye L open 0.30" in info
            assert "EAR" not in info and "IOD" not in info  # explained on the help screen, not here
            assert "hold b2" in text and "1.30 s / 1.20±0.30 s: on target (+0.10 s)" in text
            assert "▀" in text  # half-block still drawn

    run(body())


def test_take_screen_without_analysis_says_so(tiny_app):
    async def body():
        async with tiny_app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            screen = tiny_app.screen
            tiny_app.push_screen(TakeScreen("01", "1A-1"))
            await settle(pilot)
            assert screen is not tiny_app.screen
            text = screen_text(tiny_app)
            assert "eye L" in text  # canned analysis is drawn as sparklines
        app2 = create_app(tiny_app.root, sources=DataSources(read_still=CANNED.read_still), keymap={}, watch=False)
        async with app2.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            app2.push_screen(TakeScreen("01", "1A-1"))
            await settle(pilot)
            text = screen_text(app2)
            # The real cache source: the empty take file has never been analysed.
            assert "not analyzed yet" in text
            assert "no hold (target" in text

    run(body())


def test_continuity_matrix_and_flag_evidence(tiny_app):
    async def body():
        async with tiny_app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            await pilot.press("c")
            await settle(pilot)
            assert isinstance(tiny_app.screen, ContinuityScreen)
            matrix = tiny_app.screen.query_one("#matrix")
            assert matrix.row_count == 2
            assert matrix.get_cell_at((1, 1)).plain == "! +0.70 s right"
            assert matrix.get_cell_at((0, 1)).plain == "+0.70 s left"
            assert matrix.get_cell_at((0, 3)).plain == "hold 1.30 s"
            await pilot.press("l", "j", "enter")
            text = screen_text(tiny_app)
            assert "1A-2 × gesture turn_away" in text
            assert f"flag at 5.20 s: {FLAG_SENTENCE}" in text
            await pilot.press("k")
            assert "no flag here" in screen_text(tiny_app)

    run(body())


def test_help_lists_every_binding_id_with_remapped_keys(tiny_production):
    from rehearse.tui.keymap import KEYS

    app = create_app(tiny_production, sources=CANNED, keymap={"take.next_event": "m"}, watch=False)

    async def body():
        async with app.run_test(size=(100, 80)) as pilot:
            await settle(pilot)
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen)
            text = app.screen.query_one("#help-text").render()
            plain = str(text)
            for spec in KEYS:
                assert spec.id in plain
            assert re.search(r"\bm\s+next event\s+take\.next_event", plain)
            await pilot.press("escape")
            assert isinstance(app.screen, ProductionScreen)

    run(body())


def test_remapped_key_moves_the_binding(tiny_production):
    app = create_app(tiny_production, sources=CANNED, keymap={"take.next_event": "m"}, watch=False)

    async def body():
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            app.push_screen(TakeScreen("01", "1A-1"))
            await settle(pilot)
            timeline = app.screen.query_one(Timeline)
            await pilot.press("n")
            assert timeline.cursor_s == 0.0
            await pilot.press("m")
            assert timeline.cursor_s == pytest.approx(1.6)

    run(body())


def test_bad_keymap_in_settings_is_one_line_config_error(tiny_production):
    (tiny_production / "rehearse.yaml").write_text("keymap:\n  take.next_evnt: m\n")
    with pytest.raises(ConfigError) as caught:
        create_app(tiny_production, sources=CANNED, watch=False)
    line = caught.value.one_line()
    assert "rehearse.yaml" in line and "unknown binding id `take.next_evnt`" in line
    assert "did you mean take.next_event?" in line and "\n" not in line
    (tiny_production / "rehearse.yaml").write_text("keymap:\n  take.next_event: 'ctrl+n, ?!'\n")
    with pytest.raises(ConfigError, match="is not a list of key names"):
        create_app(tiny_production, sources=CANNED, watch=False)


def test_theme_toggles_light_and_dark(tiny_app):
    async def body():
        async with tiny_app.run_test(size=(80, 24)) as pilot:
            assert tiny_app.theme == "textual-dark"
            await pilot.press("t")
            assert tiny_app.theme == "textual-light"
            await pilot.press("t")
            assert tiny_app.theme == "textual-dark"

    run(body())


def slow_analysis(seconds_per_take: float):
    """An analysis stand-in that reports progress 20 times per take and honours should_stop."""
    import time

    seen: dict[str, object] = {"fractions": []}

    def analyze(project, takes, progress, should_stop):
        for index, take in enumerate(takes):
            for step in range(20):
                if should_stop():
                    seen["stopped"] = True
                    return False
                time.sleep(seconds_per_take / 20)
                fraction = (index + (step + 1) / 20) / len(takes)
                seen["fractions"].append(fraction)
                progress(fraction, f"{take.label}: frame {step + 1} of 20")
        return True

    return analyze, seen


def test_palette_runs_scene_analysis_with_progress(tiny_production):
    analyze, seen = slow_analysis(1.5)
    sources = DataSources(
        take_data=CANNED.take_data, scene_flags=CANNED.scene_flags, read_still=CANNED.read_still, analyze=analyze
    )
    app = create_app(tiny_production, sources=sources, keymap={}, watch=False)

    async def body():
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            await run_from_palette(pilot, "scene: analyze")
            await wait_until(pilot, lambda: app.job_state is not None, "the analysis job to start")
            state = app.job_state
            assert state is not None and state[0] == "analyze scene 01"
            # The UI keeps answering keys while the worker runs.
            await pilot.press("j")
            assert app.screen.query_one("#beats").cursor_row == 1
            await app.workers.wait_for_complete()
            await wait_until(pilot, lambda: app.job_state is None, "the job's end to land")
            assert seen["fractions"][-1] == pytest.approx(1.0)
            assert seen["fractions"] == sorted(seen["fractions"])

    run(body())


def test_cancel_stops_the_running_analysis(tiny_production):
    analyze, seen = slow_analysis(5.0)
    sources = DataSources(take_data=CANNED.take_data, scene_flags=CANNED.scene_flags, analyze=analyze)
    app = create_app(tiny_production, sources=sources, keymap={}, watch=False)

    async def body():
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            await pilot.press("a")
            await wait_until(pilot, lambda: app.screen.query_one("#job").display, "the job bar")
            assert app.job_state is not None
            await pilot.press("x")
            # the thread notices should_stop at its next step (0.25 s)
            await wait_until(pilot, lambda: seen.get("stopped"), "the analysis thread to stop")
            await wait_until(pilot, lambda: not app.screen.query_one("#job").display, "the job bar to hide")
            assert app.job_state is None
            assert len(seen["fractions"]) < 20

    run(body())


def test_failed_analysis_opens_one_line_error_screen(tiny_app):
    async def body():
        async with tiny_app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            tiny_app.push_screen(TakeScreen("01", "1A-1"))
            await settle(pilot)
            await pilot.press("a")  # the real analysis (in a thread worker), on an empty take file
            await wait_until(pilot, lambda: isinstance(tiny_app.screen, ErrorScreen), "the error screen")
            message = tiny_app.screen.message
            assert message.endswith("takes/1A-1.mp4: error: video file is empty (0 bytes) (copy the take again from the card)")
            assert str(tiny_app.screen.query_one("#error-message").content) == message
            assert "Escape or Enter closes" in screen_text(tiny_app)
            await pilot.press("escape")
            assert isinstance(tiny_app.screen, TakeScreen)

    run(body())


def test_live_reload_applies_edits_and_keeps_last_good_state(tiny_production):
    app = create_app(tiny_production, sources=CANNED, keymap={}, watch=False)
    scene_file = tiny_production / "01-kitchen.yaml"

    async def body():
        async with app.run_test(size=(100, 24)) as pilot:
            await settle(pilot)
            assert app.check_for_changes() is False
            scene_file.write_text(scene_file.read_text().replace("INT. KITCHEN - NIGHT", "INT. KITCHEN - DAWN"))
            assert app.check_for_changes() is True
            await settle(pilot)
            assert "INT. KITCHEN - DAWN" in screen_text(app)
            assert not app.screen.query_one("#banner").display
            scene_file.write_text(scene_file.read_text().replace("heading:", "heading: [unclosed", 1))
            app.check_for_changes()
            await settle(pilot)
            text = screen_text(app)
            banner = app.screen.query_one("#banner")
            assert banner.display
            assert "reload failed, showing the last good state" in str(banner.content)
            assert "01-kitchen.yaml:3:10: error: YAML syntax" in str(banner.content)
            assert "INT. KITCHEN - DAWN" in text  # the last good state stays on screen

    run(body())


def test_file_watcher_notices_an_edit_by_itself(tiny_production):
    app = create_app(tiny_production, sources=CANNED, keymap={}, watch=True)

    async def body():
        async with app.run_test(size=(100, 24)) as pilot:
            await settle(pilot)
            (tiny_production / "02-stairwell.yaml").write_text(
                (tiny_production / "02-stairwell.yaml").read_text().replace("STAIRWELL", "ROOFTOP")
            )
            # polled every 1 s, then reloaded in a worker
            await wait_until(pilot, lambda: "INT. ROOFTOP - NIGHT" in screen_text(app), "the edit on screen", step_s=0.1)

    run(body())


@pytest.mark.slow  # writes a real report and markers: tens of seconds on a busy machine
def test_palette_report_and_marker_export_write_files_third_parties_read(tiny_app, tiny_production, monkeypatch, tmp_path):
    import opentimelineio as otio

    from rehearse.tui.export_prompt import ExportPrompt

    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    report = tiny_production / ".rehearse" / "reports" / "scene-01.html"
    markers = tiny_production / "exports" / "scene-01.otio"  # suggested: a visible folder
    chosen = tmp_path / "for-the-editor.edl"

    async def wait_for(written):
        for _ in range(1200):  # real analysis attempts: slow on a busy machine
            await pilot_ref[0].pause(0.05)
            if written.exists() and tiny_app.job_state is None:
                break
        assert not isinstance(tiny_app.screen, ErrorScreen), tiny_app.screen.message

    pilot_ref = []

    async def body():
        async with tiny_app.run_test(size=(80, 24)) as pilot:
            pilot_ref.append(pilot)
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            await run_from_palette(pilot, "report: open")
            await wait_for(report)
            await run_from_palette(pilot, "markers: export")
            await settle(pilot)
            assert isinstance(tiny_app.screen, ExportPrompt)  # it asks where to write
            await pilot.press("enter")  # the suggestion
            await wait_for(markers)
            await run_from_palette(pilot, "markers: export")
            await settle(pilot)
            await pilot.press("ctrl+u")
            await pilot.press(*_keys(str(chosen)), "enter")
            await wait_for(chosen)
            assert "INT. KITCHEN - NIGHT" in report.read_text()
            timeline = otio.adapters.read_from_file(str(markers))
            assert [clip.name for clip in timeline.find_clips()] == ["1A-1", "1A-2"]
            edl = otio.adapters.read_from_file(str(chosen), adapter_name="cmx_3600", rate=24)
            assert len(edl.find_clips()) == 2
            assert not (tiny_production / ".rehearse" / "exports").exists()

    run(body())


def _keys(text: str) -> list[str]:
    names = {"/": "slash", ".": "full_stop", "-": "minus", "_": "underscore", " ": "space"}
    return [names.get(c, c) for c in text]


def test_graphics_stills_use_textual_image_and_hide_the_half_blocks():
    import numpy as np
    from textual.app import App
    from textual_image.widget import Image as GraphicsImage

    from rehearse.tui.widgets.still import StillPane

    class StillOnly(App):
        def compose(self):
            yield StillPane(graphics=True)

    async def body():
        app = StillOnly()
        async with app.run_test(size=(40, 12)) as pilot:
            image = np.zeros((48, 64, 3), dtype=np.uint8)
            image[..., 0] = 200
            app.query_one(StillPane).show(image, 1.0)
            await pilot.pause()
            graphics = app.query_one(GraphicsImage)
            assert graphics.image.size == (64, 48)
            assert not app.query_one(HalfBlockStill).display
            image[..., 1] = 90
            app.query_one(StillPane).show(image, 2.0)  # the same widget shows the next frame
            await pilot.pause()
            assert len(app.query(GraphicsImage)) == 1
            assert app.query_one(GraphicsImage).image.getpixel((0, 0)) == (200, 90, 0)

    run(body())


def test_a_folder_without_a_production_opens_the_bundled_sample(tmp_path, sample_production, tiny_production):
    from rehearse.breakdown.folders import bundled_sample_production, find_production_folder
    from rehearse.tui.data import resolve_root

    for start in (tmp_path, tiny_production, sample_production.parent, sample_production / "production.yaml"):
        assert resolve_root(start) == (find_production_folder(start) or bundled_sample_production())
    assert create_app(tmp_path, keymap={}, watch=False).root.resolve() == sample_production.resolve()
    assert create_app(tiny_production, keymap={}, watch=False).root == tiny_production.resolve()
    # The repository root holds the sample in scenes/: `rehearse open` there finds it too.
    assert create_app(sample_production.parent, keymap={}, watch=False).root.resolve() == sample_production.resolve()


def test_open_and_every_command_find_the_same_production_from_a_subfolder(tiny_production, monkeypatch):
    from rehearse.pipeline import plan_takes, require_project

    deep = tiny_production / "takes" / "day1"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    # `rehearse open` (no folder), `rehearse analyze` (no arguments) and `--project` on a subfolder
    assert create_app(None, keymap={}, watch=False).root == tiny_production.resolve()
    assert require_project(None).root == tiny_production.resolve()
    assert plan_takes([]).project.root == tiny_production.resolve()
    assert require_project(deep).root == tiny_production.resolve()


def test_palette_report_and_export_run_in_the_app_through_the_commands_functions(tiny_production, monkeypatch):
    """No child `rehearse` process: the report and the markers are written by the app's worker
    with the functions `rehearse report` and `rehearse export` call."""
    import subprocess

    def no_child_process(*args, **kwargs):
        raise AssertionError(f"the app started a child process: {args}")

    monkeypatch.setattr(subprocess, "Popen", no_child_process)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("REHEARSE_CACHE_DIR", str(tiny_production.parent / "cache"))
    app = create_app(tiny_production, keymap={}, watch=False)
    report, markers = tiny_production / "out" / "report.html", tiny_production / "out" / "01.otio"

    async def body():
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            app.start_report_job("report", None, report)
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.job_state is None and report.is_file()
            assert "<html" in report.read_text() and "video file is empty" in report.read_text()
            assert any(f"written: {report} (no desktop" in n.message for n in app._notifications)
            app.start_export_job("export markers 01", "01", "otio", markers)
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert not isinstance(app.screen, ErrorScreen) or "no recorded takes" in app.screen.message

    run(body())


def test_analysis_refuses_takes_of_an_actor_without_consent(tiny_production):
    production = tiny_production / "production.yaml"
    production.write_text(production.read_text().replace("actor: Ines Varga, consent: true", "actor: Ines Varga, consent: false"))
    app = create_app(tiny_production, sources=CANNED, keymap={}, watch=False)

    async def body():
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            app.push_screen(TakeScreen("01", "1A-1"))
            await settle(pilot)
            await pilot.press("a")
            await wait_until(pilot, lambda: isinstance(app.screen, ErrorScreen), "the error screen")
            assert "take 1A-1 not analyzed: Ines Varga (maya) has `consent: false`" in app.screen.message

    run(body())


def test_keymap_in_the_production_settings_file_remaps_keys(tiny_production, monkeypatch, tmp_path):
    (tmp_path / "no-user-config.yaml").write_text("")  # an empty user config: the defaults
    monkeypatch.setenv("REHEARSE_CONFIG", str(tmp_path / "no-user-config.yaml"))
    (tiny_production / "rehearse.yaml").write_text("keymap:\n  take.next_event: m\n  app.toggle_theme: 'ctrl+t'\n")
    app = create_app(tiny_production, sources=CANNED, watch=False)
    assert app.user_keymap == {"take.next_event": "m", "app.toggle_theme": "ctrl+t"}

    async def body():
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("t")
            assert app.theme == "textual-dark"
            await pilot.press("ctrl+t")
            assert app.theme == "textual-light"
            app.push_screen(TakeScreen("01", "1A-1"))
            await settle(pilot)
            await pilot.press("m")
            assert app.screen.query_one(Timeline).cursor_s == pytest.approx(1.6)

    run(body())


def test_search_on_the_production_screen_filters_scenes(tiny_app):
    async def body():
        async with tiny_app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            scenes = tiny_app.screen.query_one("#scenes")
            await pilot.press("slash", "s", "t", "a", "i", "r")
            assert scenes.row_count == 1
            await pilot.press("enter")  # back to the table, the filter stays
            assert tiny_app.focused is scenes
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(tiny_app.screen, SceneScreen) and tiny_app.screen.scene_id == "02"

    run(body())


def test_scene_screen_opens_the_rehearsal_log_and_comes_back(tiny_app, tiny_production):
    from rehearse.store import connect
    from rehearse.store.rehearsal_log import entries, open_sessions, sessions_for_scene
    from rehearse.tui.log_app import RehearsalLogScreen

    async def body():
        async with tiny_app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(tiny_app.screen, SceneScreen)
            await pilot.press("r")
            await settle(pilot)
            assert isinstance(tiny_app.screen, RehearsalLogScreen)
            await pilot.press("n", "e")
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(tiny_app.screen, SceneScreen)

    run(body())
    connection = connect(tiny_production)
    assert open_sessions(connection, "01") == []  # leaving the log ends the run-through's session
    session = sessions_for_scene(connection, "01")[-1]
    assert [e.kind for e in entries(connection, session.id)] == ["beat", "hesitation"]
