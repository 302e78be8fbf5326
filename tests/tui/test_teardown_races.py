"""Results that land while the app shuts down: nothing may touch a screen whose widgets are gone.

CI once failed on this race (a drift result filled the production table after its widgets were
removed). Here it happens every time: the bottom screen, while it is being taken down (its
widgets already removed), posts a late result to the app and waits until the app's handler for
it has run. Each kind of result a worker delivers to the app is tried.
"""

from __future__ import annotations

import asyncio

import pytest
from tests_support.tui_canned import CANNED, settle, wait_until
from textual.app import App
from textual.dom import DOMNode

from rehearse.errors import RehearseError
from rehearse.tui.app import RehearseApp, create_app
from rehearse.tui.data import LoadResult
from rehearse.tui.messages import FlagsReady, JobFinished, JobProgress, ProjectLoaded
from rehearse.tui.screens import production as production_module
from rehearse.tui.screens.take import TakeScreen

HANDLED_WITHIN_S = 30.0  # generous for a loaded 2-core machine; the handler runs in milliseconds

LATE = {
    # late result -> (the app's handler, the message)
    "flags": ("on_flags_ready", lambda app: FlagsReady("01", [])),
    "project reload": ("on_project_loaded", lambda app: ProjectLoaded(LoadResult(app.project, []), reload=True)),
    "job finished": ("on_job_finished", lambda app: JobFinished("analyze scene 01", True, "done")),
    "job progress": ("on_job_progress", lambda app: JobProgress("analyze scene 01", 0.5, "1A-1: landmarks")),
    "failed worker": ("on_worker_state_changed", None),
}


@pytest.mark.timeout(180)
@pytest.mark.parametrize("late", list(LATE))
def test_a_result_landing_during_shutdown_touches_no_removed_widget(tiny_production, monkeypatch, late):
    handler_name, make_message = LATE[late]
    handled = asyncio.Event()
    original = getattr(RehearseApp, handler_name)
    started_while_closing: list[str] = []

    def record(what: str, real):
        def recorded(*args, **kwargs):
            started_while_closing.append(what)
            return real(*args, **kwargs)

        return recorded

    def handler(self, message) -> None:
        try:
            original(self, message)
        finally:
            handled.set()

    class TakenDownSlowly(production_module.ProductionScreen):
        async def on_unmount(self) -> None:
            # This screen's widgets are removed by now; the app still handles messages.
            monkeypatch.setattr(RehearseApp, handler_name, handler)
            if make_message is None:
                def fail() -> None:
                    raise RehearseError("takes/1A-1.mp4: error: late failure")

                self.app.run_worker(fail, thread=True, exit_on_error=False)
            else:
                self.app.post_message(make_message(self.app))
            # From here on: no new worker (its answer would land on removed screens) and no new screen.
            monkeypatch.setattr(DOMNode, "run_worker", record("worker", DOMNode.run_worker))
            monkeypatch.setattr(App, "push_screen", record("screen", App.push_screen))
            await asyncio.wait_for(handled.wait(), HANDLED_WITHIN_S)

    monkeypatch.setattr(production_module, "ProductionScreen", TakenDownSlowly)
    app = create_app(tiny_production, sources=CANNED, keymap={}, watch=False)

    async def body():
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            app.push_screen(TakeScreen("01", "1A-2"))
            await settle(pilot)
            assert isinstance(app.screen_stack[1], TakenDownSlowly)

    asyncio.run(body())  # an exception in any handler fails here, with its traceback
    assert handled.is_set()
    assert started_while_closing == []


def test_a_cancelled_flags_computation_never_overwrites_the_fresh_one(tiny_production):
    """A newer computation cancels the running one, whose thread still runs to its end: its
    stale answer, arriving last, must not replace the fresh flags."""
    import threading

    from rehearse.tui.data import DataSources

    release_stale = threading.Event()
    stale_threads: list[threading.Thread] = []

    def scene_flags(project, scene):
        if not stale_threads:  # the first computation (at start): held until the fresh one has landed
            stale_threads.append(threading.current_thread())
            release_stale.wait(HANDLED_WITHIN_S)
            return ["stale"]
        return []

    sources = DataSources(take_data=CANNED.take_data, scene_flags=scene_flags, read_still=CANNED.read_still)
    app = create_app(tiny_production, sources=sources, keymap={}, watch=False)

    async def body():
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: bool(stale_threads), "the first flags computation")
            app.compute_flags(app.project)  # e.g. after an analysis finished
            await wait_until(pilot, lambda: app.flags == {"01": [], "02": []}, "the fresh flags")
            release_stale.set()
            # The stale worker has posted (or not) once its thread has left compute_flags (the
            # thread itself lives on in the executor).
            await wait_until(pilot, lambda: not _running_in(stale_threads[0], "compute_flags"), "the stale worker's end")
            await settle(pilot)
            assert app.flags == {"01": [], "02": []}

    asyncio.run(body())


def _running_in(thread, function: str) -> bool:
    """True while `thread`'s stack holds a frame of `function`."""
    import sys

    frame = sys._current_frames().get(thread.ident)
    while frame is not None:
        if frame.f_code.co_name == function:
            return True
        frame = frame.f_back
    return False
