"""The real `rehearse open scenes` in a real terminal (tmux, 100x30): keys in, screen text out."""

from __future__ import annotations

import os
import shutil
import subprocess
import time

import pytest

pytestmark = pytest.mark.slow  # a real terminal running the real app: tens of seconds

COLUMNS, ROWS = 100, 30


class Tmux:
    """One private tmux server (its own socket) running one command in a fixed-size window."""

    def __init__(self, name: str) -> None:
        self.socket = f"rehearse-tui-{name}-{os.getpid()}"

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=check, timeout=30)

    def start(self, command: str, cwd) -> None:
        self.run("-f", "/dev/null", "new-session", "-d", "-s", "app", "-x", str(COLUMNS), "-y", str(ROWS),
                 "-c", str(cwd), command)
        # Escape must reach the app at once, not wait to become Alt+key.
        self.run("set-option", "-g", "escape-time", "0")

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "app").stdout

    def keys(self, *keys: str) -> None:
        for key in keys:
            self.run("send-keys", "-t", "app", key)
            time.sleep(0.15)

    def wait_for(self, text: str, timeout_s: float = 60.0) -> str:  # generous: CI is a loaded 2-core machine
        deadline = time.monotonic() + timeout_s
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen}")

    def alive(self) -> bool:
        return self.run("has-session", "-t", "app", check=False).returncode == 0

    def kill(self) -> None:
        self.run("kill-server", check=False)


@pytest.fixture
def tmux():
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed (scripts/test installs it)")
    session = Tmux("open")
    yield session
    session.kill()


def test_real_app_in_tmux_on_the_sample_production(tmux, repo_root, tmp_path):
    rehearse = repo_root / ".venv" / "bin" / "rehearse"
    if not rehearse.exists():
        rehearse = shutil.which("rehearse")
    # An empty cache: the README's first command analyses the sample into scenes/.rehearse,
    # and the take screen's layout (so the still's size) depends on whether a take is analysed.
    tmux.start(f"env TERM=xterm-256color REHEARSE_STILLS=halfblock REHEARSE_CACHE_DIR={tmp_path} "
               f"{rehearse} open scenes", repo_root)
    screen = tmux.wait_for("Of Course I Did")
    assert "INT. KITCHEN - NIGHT" in screen and "INT. KITCHEN - DAY" in screen
    assert "Day 1, night" in screen
    tmux.keys("Enter")
    screen = tmux.wait_for("BLOCKING")
    assert "WARDROBE & MAKEUP" in screen and "LIGHTING & SHOTS" in screen
    assert "Maya holds, then lies." in screen
    tmux.keys("Tab", "Tab", "Tab", "Tab", "Enter")
    screen = tmux.wait_for("take 1A-1  scene 01")
    assert "beats" in screen and "|b1" in screen and "hold b2" in screen
    # The still at the cursor, decoded from the sample take and drawn with half blocks.
    screen = tmux.wait_for("frame at 0.00 s")
    assert screen.count("▀") > 100
    tmux.keys("?")
    screen = tmux.wait_for("help: every key")
    assert "app.help" in screen and "production.search" in screen
    tmux.keys("End")
    tmux.wait_for("x real time")  # the end of help says what the numbers mean
    tmux.keys("Escape")
    tmux.wait_for("take 1A-1  scene 01")
    tmux.keys("Escape", "Escape")
    tmux.wait_for("Of Course I Did")
    tmux.keys("q")
    deadline = time.monotonic() + 10
    while tmux.alive() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not tmux.alive(), "q did not quit the app"
