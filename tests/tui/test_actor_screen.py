"""The actor screen: reached from the palette, a profile with sparklines and histograms, outliers, consent refusal."""

from __future__ import annotations

import asyncio
import html
import re

from tests_support.tui_canned import CANNED, run_from_palette, settle

from rehearse.analysis.events import Event
from rehearse.profiles.profile import build_profile, take_figures
from rehearse.tui.app import create_app
from rehearse.tui.screens.actor import ActorScreen


def screen_text(app) -> str:
    svg = app.export_screenshot()
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


def _take(label: str, blinks: int, scene: str = "01"):
    events = [Event(kind="blink", start_s=1.0 + 1.1 * i, end_s=1.2 + 1.1 * i) for i in range(blinks)]
    events += [Event(kind="hold", start_s=0.5, end_s=1.7), Event(kind="hold", start_s=40.0, end_s=40.6),
               Event(kind="hesitation", start_s=10.0, end_s=11.0, latency_s=1.0),
               Event(kind="gesture", start_s=20.0, end_s=21.0, label="head_turn", side="left", beat="b3")]
    return take_figures(label, scene, "maya", events, 60.0, partners=["ana"])


def canned_profile(project, character):
    takes = [_take("1A-1", 12), _take("1A-2", 12), _take("1A-3", 12), _take("1A-4", 24)]
    return build_profile(character.actor, character.id, takes, character_name=character.name)


def _palette_to_actors(pilot):
    async def go():
        await run_from_palette(pilot, "actor: profiles")
        await settle(pilot, 0.2)
    return go()


def test_palette_opens_actor_screen_with_real_cached_only_profile(tiny_production):
    app = create_app(tiny_production, sources=CANNED, keymap={}, watch=False)

    async def body():
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            await _palette_to_actors(pilot)
            assert isinstance(app.screen, ActorScreen)
            text = screen_text(app)
            assert "Ines Varga as MAYA" in text and "0 analysed takes" in text
            assert "skipped 1A-1: takes/1A-1.mp4 is not analyzed yet" in text
            assert not (tiny_production / ".rehearse" / "cache").exists()  # the screen never analyses
            await pilot.press("j")
            await settle(pilot, 0.2)
            assert "Lucia Ferrer as ANA" in screen_text(app)
            await pilot.press("escape")
            await settle(pilot)
            assert not isinstance(app.screen, ActorScreen)

    asyncio.run(body())


def test_actor_screen_draws_sparklines_histograms_and_outliers(tiny_production):
    app = create_app(tiny_production, sources=CANNED, keymap={}, watch=False)

    async def body():
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await app.push_screen(ActorScreen(loader=canned_profile))
            await settle(pilot, 0.2)
            text = screen_text(app)
            assert "4 analysed takes" in text and "usually 10-32 blinks/min" in text
            assert "15 blinks/min   per take" in text  # (12 + 12 + 12 + 24) blinks / 4 min
            # Per-take sparkline on a 0-32 blinks/min scale: the doubled take stands out.
            assert "per take ▃▃▃▆  1A-1 12/min  1A-2 12/min  1A-3 12/min  1A-4 24/min" in text
            assert "by partner  ▄  ana 15.0" in text
            assert "holds         median 0.90 s (8)  0.60 s █      █ 1.20 s" in text  # histogram of 0.6 s and 1.2 s holds
            assert "head_turn LEFT x4 (01/b3)" in text
            assert "! low: Take 1A-4 (scene 01) is unlike Ines Varga's other 3 takes: blinks 24/min" in text
            assert "Take 1A-1" not in text

    asyncio.run(body())


def test_consent_false_actor_shows_the_refusal_line(tiny_production):
    production = tiny_production / "production.yaml"
    production.write_text(production.read_text().replace("actor: Ines Varga, consent: true", "actor: Ines Varga, consent: false"))
    app = create_app(tiny_production, sources=CANNED, keymap={}, watch=False)

    async def body():
        async with app.run_test(size=(120, 30)) as pilot:
            await settle(pilot)
            await app.push_screen(ActorScreen())
            await settle(pilot, 0.2)
            text = " ".join(screen_text(app).split())  # the one line wraps on screen
            assert "NO: not analysed" in text
            assert "production.yaml: error: no profile of Ines Varga: Ines Varga (maya) has `consent: false`" in text

    asyncio.run(body())


def test_take_view_of_a_consent_false_actor_shows_the_refusal_not_the_cache(tiny_production):
    from rehearse.breakdown.loader import open_project
    from rehearse.tui.data import cached_take_data

    project = open_project(tiny_production)
    scene = project.scene("01")
    assert cached_take_data(project, scene, scene.takes[0]).note == "not analyzed yet"
    production = tiny_production / "production.yaml"
    production.write_text(production.read_text().replace("actor: Lucia Ferrer, consent: true", "actor: Lucia Ferrer, consent: false"))
    project = open_project(tiny_production)
    data = cached_take_data(project, project.scene("01"), project.scene("01").takes[0])
    assert not data.analyzed and "Lucia Ferrer (ana) has `consent: false`" in data.note
    # Missing consent is not given: the same refusal, on every screen that reads the take.
    production.write_text(production.read_text().replace("actor: Lucia Ferrer, consent: false", "actor: Lucia Ferrer"))
    project = open_project(tiny_production)
    data = cached_take_data(project, project.scene("01"), project.scene("01").takes[0])
    assert not data.analyzed and "Lucia Ferrer (ana) has no `consent:`" in data.note
