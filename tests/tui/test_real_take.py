"""The take screen on a real video: the still is decoded from the file, and (with the models) the
analysis started from the screen runs in the app's thread worker (no child process) and its
signals come back on screen."""

from __future__ import annotations

import asyncio

import pytest
from tests_support.tui_canned import settle

from rehearse.tui.app import create_app
from rehearse.tui.screens.take import TakeScreen
from rehearse.tui.widgets.still import HalfBlockStill
from rehearse.tui.widgets.timeline import LABEL_WIDTH, SPARK_CHARS, Timeline

PRODUCTION = """\
title: Real clip
characters: [{id: man, name: MAN, actor: Stock Footage, consent: true}]
"""
SCENE = """\
id: "01"
heading: INT. STUDIO - DAY
characters: [man]
beats: [{id: b1, summary: Neutral.}, {id: b2, summary: Smiles broadly.}]
shots: [{id: 1A, size: CU}]
takes:
  - {shot: 1A, number: 1, file: takes/single_face.mp4, duration: 2.4s, beat_marks: {b1: 0s, b2: 0.8s}}
"""


@pytest.fixture
def real_production(tmp_path, shared_clips, monkeypatch):
    root = tmp_path / "real"
    (root / "takes").mkdir(parents=True)
    (root / "takes" / "single_face.mp4").symlink_to(shared_clips / "single_face.mp4")
    (root / "production.yaml").write_text(PRODUCTION)
    (root / "01.yaml").write_text(SCENE)
    monkeypatch.setenv("REHEARSE_CACHE_DIR", str(tmp_path / "cache"))  # a fresh cache: nothing analysed yet
    return root


async def wait_until(pilot, condition, seconds: float) -> None:
    for _ in range(int(seconds / 0.1)):
        if condition():
            return
        await pilot.pause(0.1)


def test_still_is_decoded_from_the_real_video(real_production):
    app = create_app(real_production, keymap={}, watch=False)

    async def body():
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            app.push_screen(TakeScreen("01", "1A-1"))
            await settle(pilot)
            still = app.screen.query_one(HalfBlockStill)
            await wait_until(pilot, lambda: still._image is not None, 60)
            assert still._image.shape == (360, 640, 3)  # the clip's own size, decoded at 0.00 s
            assert str(app.screen.query_one("#still-caption").content) == "frame at 0.00 s  (f: face)"
            assert "not analyzed yet" in str(app.screen.query_one("#cursor-info").content)

    asyncio.run(body())


@pytest.mark.models
@pytest.mark.slow
def test_analysis_started_from_the_take_screen_lands_on_screen(real_production, monkeypatch):
    import subprocess

    # Importing mediapipe runs `ldconfig -p` once (sounddevice's find_library, via
    # mediapipe.tasks.audio): a library lookup, not the app running itself as a child.
    import mediapipe  # noqa: F401

    def no_child_process(*args, **kwargs):
        raise AssertionError(f"the app started a child process: {args}")

    monkeypatch.setattr(subprocess, "Popen", no_child_process)
    app = create_app(real_production, keymap={}, watch=False)

    async def body():
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            app.push_screen(TakeScreen("01", "1A-1"))
            await settle(pilot)
            screen = app.screen
            assert screen.data.signals is None
            states = []  # every job state the bar showed (a short take can finish between two polls)
            app.watch(app, "job_state", lambda state: states.append(state), init=False)
            await pilot.press("a")
            await wait_until(pilot, lambda: any(states) and states[-1] is None, 240)
            assert any(state and state[0] == "analyze take 1A-1" for state in states), states
            assert app.screen is screen, getattr(app.screen, "message", app.screen)
            await wait_until(pilot, lambda: screen.data.signals is not None, 60)
            data = screen.data
            assert data.signals is not None, f"{data.note!r}; notifications: {[n.message for n in app._notifications]}"
            assert data.signals.frame_count == 72  # every decoded frame of the clip
            assert data.duration_s == pytest.approx(2.4, abs=0.05)
            rows = [line.plain for line in screen.query_one(Timeline).render().split("\n")]
            eye_row = next(row for row in rows if row.startswith("eye L"))
            drawn = eye_row[LABEL_WIDTH:].rstrip()
            assert len(drawn) > 60 and sum(c in SPARK_CHARS for c in drawn) >= 0.9 * len(drawn)
            # The broad smile (the clip's reason to exist) moves the lip-corner signal.
            lips = data.signals.values["lip_corner_left"]
            assert float(lips[30:50].mean()) > float(lips[:10].mean())

    asyncio.run(body())


@pytest.mark.models
def test_the_take_screen_shows_the_events_every_command_reports(real_production, monkeypatch):
    """One source of events: the screen's come from `pipeline.take_events`, with the project's
    event settings (here a stricter smile threshold in the production's config) and its beats."""
    from rehearse.breakdown.loader import open_project
    from rehearse.config import load_settings
    from rehearse.scene_results import scene_results
    from rehearse.tui.data import cached_take_data

    # geometry's and the blendshapes' smile threshold both out of reach
    (real_production / "rehearse.yaml").write_text(
        "events:\n  expression:\n    smile_lift_iod: 0.5\n    blendshape_score: 1.0\n")
    project = open_project(real_production)
    scene = project.scene("01")
    assert load_settings(project.root).events.expression.smile_lift_iod == 0.5
    reported = scene_results(project, scene).takes[0]  # analyses into the fresh cache
    shown = cached_take_data(project, scene, scene.takes[0])
    assert shown.analyzed and shown.beat_marks == {"b1": 0.0, "b2": 0.8}
    assert [(e.kind, e.label or "", round(e.start_s, 3), e.beat) for e in reported.events] == \
        [(e.kind, e.label, round(e.start_s, 3), e.beat) for e in shown.events]
    assert not [e for e in shown.events if e.label == "smile"]  # the config's threshold applied
