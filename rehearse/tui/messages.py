"""Typed messages that workers post to the app; a worker never touches a widget itself."""

from __future__ import annotations

from typing import Any

from textual.message import Message


class JobProgress(Message):
    """A long job moved on; each replaces the previous one still in the queue."""

    def __init__(self, job: str, fraction: float, detail: str = "") -> None:
        super().__init__()
        self.job = job
        """Job name as the user sees it (`analyze take 3A-2`)."""
        self.fraction = fraction
        """Done so far, 0..1."""
        self.detail = detail
        """What it is doing now (`frame 120 of 480`)."""

    def can_replace(self, message: Message) -> bool:
        # Only the newest progress matters: stale ones are dropped instead of drawn.
        return isinstance(message, JobProgress) and message.job == self.job


class JobFinished(Message):
    """A long job ended: `ok` False means cancelled (errors go through Worker.StateChanged)."""

    def __init__(self, job: str, ok: bool, detail: str = "") -> None:
        super().__init__()
        self.job = job
        self.ok = ok
        self.detail = detail


class ProjectLoaded(Message):
    """The production was (re)loaded; `result` is a `rehearse.tui.data.LoadResult`."""

    def __init__(self, result: Any, reload: bool) -> None:
        super().__init__()
        self.result = result
        self.reload = reload
        """True when this load came from a file change on disk."""


class TakeDataReady(Message):
    """Data for the take screen (a `rehearse.tui.data.TakeData`) is ready."""

    def __init__(self, data: Any) -> None:
        super().__init__()
        self.data = data


class StillReady(Message):
    """A still frame decoded at `time_s` (RGB uint8 array), or None with a reason."""

    def __init__(self, time_s: float, image: Any | None, reason: str = "") -> None:
        super().__init__()
        self.time_s = time_s
        self.image = image
        self.reason = reason


class SceneStats(Message):
    """Per-scene counts computed in a worker: scene id -> (takes analyzed, takes)."""

    def __init__(self, stats: dict[str, tuple[int, int]]) -> None:
        super().__init__()
        self.stats = stats


class ContinuityReady(Message):
    """Take data and flags for the continuity matrix of one scene."""

    def __init__(self, scene_id: str, takes: list[Any], flags: list[Any] | None) -> None:
        super().__init__()
        self.scene_id = scene_id
        self.takes = takes
        """`TakeData` for every take of the scene, in the scene's order."""
        self.flags = flags
        """`FlagView`s, or None when no drift analysis exists yet."""


class TakeStatuses(Message):
    """Analysis status of every take of a scene: take label -> `analyzed` or why not."""

    def __init__(self, scene_id: str, statuses: dict[str, str]) -> None:
        super().__init__()
        self.scene_id = scene_id
        self.statuses = statuses


class FlagsReady(Message):
    """A scene's continuity flags were computed in the background (None: not every take is analysed)."""

    def __init__(self, scene_id: str, flags: list[Any] | None) -> None:
        super().__init__()
        self.scene_id = scene_id
        self.flags = flags
        """`FlagView`s, or None when no drift analysis can run yet."""


class PlayFrame(Message):
    """Playback reached `time_s`: the frame shown there (RGB uint8 array), or None if it could not be read."""

    def __init__(self, time_s: float, image: Any | None, last: bool = False) -> None:
        super().__init__()
        self.time_s = time_s
        self.image = image
        self.last = last
        """True when playback ended (end of take or of the video)."""

    def can_replace(self, message: Message) -> bool:
        # A frame still queued when a newer one arrives is dropped: the cursor follows real time.
        return isinstance(message, PlayFrame) and not message.last


def post_unless_replaced(target, message) -> None:
    """Post a worker's result to `target` (the app or a screen) unless a newer worker replaced
    it: a cancelled thread still runs to its end, and its stale answer (an older load, flags of
    an older production) must not land after the fresh one. Call from the worker's thread."""
    from textual.worker import get_current_worker

    if not get_current_worker().is_cancelled:
        target.post_message(message)
