"""Canned data for the terminal-app tests: a tiny production on disk and take data built by hand.

The production is real YAML read by the real loader (so live reload is real); take data is
canned: signal tracks built with numpy, events and flags written by hand, a synthetic still.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from rehearse.tui.data import DataSources, EventView, FlagView, TakeData, take_path

PRODUCTION_YAML = """\
title: Tiny Test Piece
fps: 24
characters:
  - {id: maya, name: MAYA, actor: Ines Varga, consent: true}
  - {id: ana, name: ANA, actor: Lucia Ferrer, consent: true}
story_days:
  - {id: D1, label: "Day 1, night"}
script_order: ["01", "02"]
"""

SCENE_01_YAML = """\
id: "01"
heading: INT. KITCHEN - NIGHT
story_day: D1
characters: [maya, ana]
synopsis: Ana asks. Maya lies.
beats:
  - id: b1
    summary: "Ana asks [bold]plainly[/bold]."
    lines: [{character: ana, text: "Did you sign it?"}]
  - id: b2
    summary: Maya holds, then lies.
    hold: {duration: 1.2s, tolerance: 0.3s, character: maya}
    lines: [{character: maya, text: "Of course I did."}]
  - id: b3
    summary: "She turns away [link=https://example.com]toward the window[/link]."
    gestures: [turn_away]
blocking:
  marks: [{id: A, description: "Maya's chair (tape blue)"}]
wardrobe:
  - {character: maya, item: cardigan, state: "grey, left cuff frayed"}
lighting:
  - {key_side: left, quality: soft, color_temperature_k: 2700, mood: one warm pool}
shots:
  - {id: 1A, size: CU, lens_mm: 85, beats: [b1, b2, b3], subject: maya}
takes:
  - {shot: 1A, number: 1, file: takes/1A-1.mp4, status: hold, duration: 8s,
     beat_marks: {b1: 0s, b2: 1.5s, b3: 4.5s}, notes: "[bold]not bold[/bold] and [red]not red[/red]"}
  - {shot: 1A, number: 2, file: takes/1A-2.mp4, status: circled, duration: 8s,
     beat_marks: {b1: 0s, b2: 1.5s, b3: 4.5s}, notes: The one.}
tracked_gestures:
  - {id: turn_away, character: maya, description: turns her head to her own left, kind: head_turn,
     body_part: head, side: left, beat: b3, window_start: 0.5s, window_end: 1.5s}
"""

SCENE_02_YAML = """\
id: "02"
heading: INT. STAIRWELL - NIGHT
story_day: D1
characters: [maya]
beats:
  - {id: b1, summary: Maya on the phone.}
"""

FLAG_SENTENCE = "head turn went to her right (-18 deg) where take 1A-1 went left (+22 deg)"


def write_production(root: Path) -> Path:
    """Write the tiny production (and empty take files) under `root`."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "production.yaml").write_text(PRODUCTION_YAML)
    (root / "01-kitchen.yaml").write_text(SCENE_01_YAML)
    (root / "02-stairwell.yaml").write_text(SCENE_02_YAML)
    (root / "takes").mkdir(exist_ok=True)
    for name in ("1A-1.mp4", "1A-2.mp4"):
        (root / "takes" / name).write_bytes(b"")
    return root


def canned_signals(turn_sign: float):
    """Eight seconds at 24 fps: a blink at 2.0 s, still 1.6-2.9 s, a head turn from 5.2 s."""
    from rehearse.analysis.tracks import SignalTrack

    times = np.arange(0, 8.0, 1 / 24)
    eye = np.full(times.shape, 0.30)
    eye[(times >= 2.0) & (times < 2.15)] = 0.06
    yaw = np.where(times >= 5.2, turn_sign * np.minimum(22.0, (times - 5.2) * 40), 0.0)
    lips = 0.02 * np.sin(times)
    lips[(times > 6.5) & (times < 6.6)] = np.nan  # a masked stretch must not break drawing
    return SignalTrack(times, {"eye_open_left": eye, "eye_open_right": eye.copy(), "head_yaw": yaw, "lip_corner_left": lips})


def canned_take_data(project, scene, take) -> TakeData:
    """Take 1A-1 turns left, 1A-2 turns right; scene 02 has no analysis."""
    if scene.id != "01":
        return TakeData(take, take_path(project, take), duration_s=take.duration, note="not analyzed yet")
    sign = 1.0 if take.number == 1 else -1.0
    events = [
        EventView("blink", 2.0, 2.15, side="both", beat="b2"),
        EventView("hold", 1.6, 2.9, beat="b2"),
        EventView("gesture", 5.2, 5.8, label="turn_away", beat="b3", side="left" if sign > 0 else "right"),
    ]
    signals = canned_signals(sign)
    # the face is in the middle of the frame (x 40-60 %, y 35-65 %); no face at 6.5-6.6 s
    boxes = np.tile([0.4, 0.35, 0.6, 0.65], (len(signals.times), 1))
    boxes[(signals.times > 6.5) & (signals.times < 6.6)] = np.nan
    return TakeData(take, take_path(project, take), signals, events, 8.0, face_boxes=boxes)


def canned_flags(project, scene):
    if scene.id != "01":
        return None
    return [FlagView("1A-2", "turn_away", FLAG_SENTENCE, 5.2)]


def canned_still(path, time_s: float):
    """A 48x64 gradient whose brightness follows the time, so stills differ along the take."""
    rows = np.linspace(0, 255, 48, dtype=np.uint8)[:, None]
    image = np.zeros((48, 64, 3), dtype=np.uint8)
    image[..., 0] = rows
    image[..., 1] = np.uint8(min(255, time_s * 30))
    image[..., 2] = 128
    return image


CANNED = DataSources(
    take_data=canned_take_data, is_analyzed=None, scene_flags=canned_flags, known_flags=canned_flags,
    read_still=canned_still,
)


async def settle(pilot, seconds: float = 0.05) -> None:
    """Let workers finish and their messages land."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause(seconds)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


WAIT_S = 60.0
"""How long a Pilot test waits for a state before failing: generous, because CI runs on a
loaded 2-core machine where a worker's answer can take seconds; a passing test never waits
longer than the state takes to arrive."""


async def wait_until(pilot, condition, what: str, timeout_s: float = WAIT_S, step_s: float = 0.05) -> None:
    """Pause until `condition()` is true; fail naming `what` after `timeout_s`."""
    import time

    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout_s:.0f} s for {what}")
        await pilot.pause(step_s)


async def run_from_palette(pilot, typed: str) -> None:
    """Open the command palette, type `typed`, wait until the first command found contains it,
    run that one, and wait until the palette has closed. (A fixed pause before Enter raced the
    palette's search on a busy machine and ran nothing, or another command.)"""
    from textual.command import CommandList, CommandPalette

    app = pilot.app
    await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette), "the command palette")
    for key in typed:
        await pilot.press("space" if key == " " else key)

    def first_found() -> str:
        found = app.screen.query_one(CommandList)
        if not found.option_count:
            return ""
        prompt = found.get_option_at_index(0).prompt
        return getattr(prompt, "plain", str(prompt))

    await wait_until(pilot, lambda: typed.lower() in first_found().lower(), f"the palette to find {typed!r}")
    await pilot.press("down", "enter")
    await wait_until(pilot, lambda: not isinstance(app.screen, CommandPalette), "the palette to close")
