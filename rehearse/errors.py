"""Errors the user can cause, each with a one-line message naming the file, the place and the fix.

Tracebacks are for our bugs; anything a user can provoke (bad YAML, a bad video, a missing
file) is raised as a `RehearseError` and printed by the CLI and the TUI as one line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Location:
    """Where in a user's file a problem is: line and column are 1-based, as editors show them."""

    path: Path | str | None = None
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        if self.path is None:
            return ""
        text = str(self.path)
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        return text


class RehearseError(Exception):
    """A problem the user can fix. `str(error)` is the one line to show them."""

    severity = "error"

    def __init__(self, message: str, location: Location | None = None, *, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.location = location or Location()
        self.hint = hint

    def one_line(self) -> str:
        """Compiler-style line: `file:line:col: error: message (hint)`."""
        where = str(self.location)
        text = f"{where}: {self.severity}: {self.message}" if where else f"{self.severity}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        # A message must never span lines: editors and grep read one problem per line.
        return " ".join(text.split())

    def __str__(self) -> str:
        return self.one_line()


class BreakdownError(RehearseError):
    """A scene breakdown (YAML) is malformed or inconsistent."""


class VideoError(RehearseError):
    """A take's video file cannot be read (missing, empty, truncated, not a video)."""


class ConfigError(RehearseError):
    """The user's settings file or environment holds a bad value."""


class StoreError(RehearseError):
    """The production's local database cannot be opened or written."""


class ConsentError(RehearseError):
    """Analysis refused because the actor has not consented."""
