"""The README's `rehearse watch udp://@:5000 --scene 01 --take-as 1A-4` in a real terminal (tmux, 80x24) on a real stream."""

from __future__ import annotations

import os
import shlex
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests_support import SAMPLE_PRODUCTION
from tests_support.live_stream import UdpSender, free_udp_port, wait_until_bound

pytestmark = pytest.mark.slow  # a real terminal, MediaPipe and a stream: tens of seconds

REPO = Path(__file__).resolve().parents[2]


def tmux(socket: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["tmux", "-L", socket, *args], capture_output=True, text=True, check=check, timeout=30)


def wait_for(socket: str, text: str, timeout_s: float) -> str:
    deadline, screen = time.monotonic() + timeout_s, ""
    while time.monotonic() < deadline:
        screen = tmux(socket, "capture-pane", "-p", "-t", "live").stdout
        if text in screen:
            return screen
        time.sleep(0.1)
    raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen}")


def readme_room_setup() -> list[str]:
    """The README's three lines for a rehearsal room (comments cut)."""
    text = (REPO / "README.md").read_text()
    block = text[text.index("## Live rehearsal"):].split("```", 2)[1]
    return [line.split("  #", 1)[0].strip() for line in block.strip().splitlines()]


def test_the_readme_room_setup_is_three_lines_a_sender_a_folder_and_watch():
    sender, folder, watch = readme_room_setup()
    assert sender.startswith("ffmpeg ") and "-tune zerolatency" in sender and sender.endswith("-f mpegts udp://LAPTOP:5000")
    # A webcam's raw picture is YUYV (4:2:2): without this x264 encodes High 4:2:2, and the recording
    # keeps those packets unchanged, a file many players and editors cannot open.
    assert "-pix_fmt yuv420p" in sender
    assert folder.startswith("cd ")
    assert shlex.split(watch)[:2] == ["rehearse", "watch"] and "udp://@:5000" in watch


def test_watching_a_stream_in_a_terminal_logs_beats_and_records_the_take(tmp_path):
    """The README's watch line as written (on a free port rather than 5000, which may be taken), in
    the production folder, fed as its ffmpeg line feeds it: x264 zerolatency MPEG-TS over UDP."""
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed (scripts/test installs it)")
    root = tmp_path / "production"
    shutil.copytree(SAMPLE_PRODUCTION, root, ignore=shutil.ignore_patterns("*.mp4", ".rehearse"))
    port = free_udp_port()
    socket = f"rehearse-live-{os.getpid()}"
    _, _, watch = readme_room_setup()
    arguments = shlex.split(watch.replace("udp://@:5000", f"udp://@:{port}"))[1:]
    command = (f"env PYTHONPATH={shlex.quote(str(REPO))} {shlex.quote(sys.executable)} -m rehearse "
               f"{shlex.join(arguments)} --give-up 30")
    tmux(socket, "-f", "/dev/null", "new-session", "-d", "-s", "live", "-x", "80", "-y", "24", "-c", str(root), command)
    sender = None
    try:
        wait_until_bound(port, lambda: tmux(socket, "has-session", "-t", "live", check=False).returncode == 0)
        sender = UdpSender(SAMPLE_PRODUCTION / "takes" / "01-1A-1.mp4", port).start()
        wait_for(socket, "● LIVE", 60)
        for key in ("n", "n"):
            tmux(socket, "send-keys", "-t", "live", key)
            time.sleep(0.2)
        screen = wait_for(socket, "beat b2", 20)
        screen = wait_for(socket, "blinks 1", 30)
        assert "/ 1.20 ± 0.30 s" in screen  # beat b2's target beside the hold timer
        assert all(len(line) <= 80 for line in screen.splitlines())
        tmux(socket, "send-keys", "-t", "live", "q")
        deadline = time.monotonic() + 30
        while tmux(socket, "has-session", "-t", "live", check=False).returncode == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        if sender is not None:
            sender.stop()
        tmux(socket, "kill-server", check=False)
    with sqlite3.connect(root / ".rehearse" / "rehearse.db") as db:
        beats = db.execute("SELECT beat_id, t_s FROM log_entry WHERE kind = 'beat' ORDER BY id").fetchall()
    assert [b for b, _ in beats] == ["b1", "b2"] and all(t > 0 for _, t in beats)
    assert "file: takes/01-1A-4.ts" in (root / "01-kitchen-night.yaml").read_text()
    assert (root / "takes" / "01-1A-4.ts").stat().st_size > 100_000


def test_a_kill_during_a_watched_take_keeps_every_logged_key_and_the_recording_to_its_last_second(tmp_path):
    """A file played with --realtime in a real terminal, keys logged from the screen, then SIGKILL (the
    laptop's battery, not `q`): every key acknowledged on screen is in the log, bound to the take in
    the YAML, and the recording plays up to the last second before the kill."""
    import av

    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed (scripts/test installs it)")
    root = tmp_path / "production"
    shutil.copytree(SAMPLE_PRODUCTION, root, ignore=shutil.ignore_patterns(".rehearse"))
    socket = f"rehearse-kill-{os.getpid()}"
    command = (f"exec env PYTHONPATH={shlex.quote(str(REPO))} {shlex.quote(sys.executable)} -m rehearse watch "
               f"takes/01-1A-2.mp4 --realtime --scene 01 --take-as 1A-4")
    tmux(socket, "-f", "/dev/null", "new-session", "-d", "-s", "live", "-x", "80", "-y", "24", "-c", str(root), command)
    try:
        pid = int(tmux(socket, "display", "-p", "-t", "live", "#{pane_pid}").stdout)
        wait_for(socket, "● LIVE", 60)
        for key, shown in (("n", "logged #1 beat"), ("n", "logged #2 beat"), ("h", "logged #3 hold_start"),
                           ("e", "logged #4 hesitation")):
            tmux(socket, "send-keys", "-t", "live", key)
            wait_for(socket, shown, 20)
        shown_s = 0.0
        while shown_s < 3.0:  # 3 s of the 8 s take recorded: enough to tell "up to the last second"
            screen = wait_for(socket, "● LIVE", 20)
            shown_s = float(screen.split("● LIVE", 1)[1].split(" s", 1)[0])
        assert "rehearse" in Path(f"/proc/{pid}/cmdline").read_text()
        os.kill(pid, 9)
    finally:
        tmux(socket, "kill-server", check=False)
    with sqlite3.connect(root / ".rehearse" / "rehearse.db") as db:
        logged = db.execute("SELECT kind, beat_id, t_s FROM log_entry ORDER BY id").fetchall()
        link = db.execute("SELECT take_file, offset_s FROM take_sync").fetchall()
    assert [(kind, beat) for kind, beat, _ in logged] == [("beat", "b1"), ("beat", "b2"), ("hold_start", None),
                                                          ("hesitation", None)]
    times = [t for _, _, t in logged]
    assert times == sorted(times) and times[0] > 0 and times[-1] <= shown_s  # logged before the kill
    assert link == [("takes/01-1A-4.ts", 0.0)] and "file: takes/01-1A-4.ts" in (root / "01-kitchen-night.yaml").read_text()
    with av.open(str(root / "takes" / "01-1A-4.ts")) as container:
        played = [float(f.pts * f.time_base) for f in container.decode(container.streams.video[0])]
    assert played[-1] - played[0] >= shown_s - 1.0, (played[-1] - played[0], shown_s)
    # The logged beats are the recorded take's beat marks, as every command reads them.
    from rehearse.pipeline import require_project, require_scene
    from rehearse.store.sync import effective_beat_marks

    take = next(t for t in require_scene(require_project(root), "01").takes if t.label == "1A-4")
    assert effective_beat_marks(root, take, played[-1] - played[0]) == \
        ({"b1": round(times[0], 3), "b2": round(times[1], 3)}, "log")
