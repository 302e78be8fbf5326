"""The actor screen: each actor's profile across takes and scenes, with sparklines, histograms and outliers.

Profiles are built from cached analyses only (`cached_only=True`): this screen never starts
MediaPipe in the app's process; takes not analysed yet are listed as skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Static

from rehearse.tui.keymap import bindings
from rehearse.tui.screens.base import RehearseScreen
from rehearse.tui.widgets.common import KeyTable, literal


class ActorProfileReady(Message):
    """A profile (or the one-line reason there is none) for one character."""

    def __init__(self, character_id: str, profile: Any, flags: list, problem: str | None) -> None:
        super().__init__()
        self.character_id = character_id
        self.profile = profile
        """`rehearse.profiles.profile.ActorProfile`, None when refused or failed."""
        self.flags = flags
        """`profile` DriftFlags of the actor's takes."""
        self.problem = problem
        """One line saying why there is no profile."""


def cached_profile(project: Any, character: Any) -> Any:
    """The real loader: the actor's profile from cached analyses only."""
    from rehearse.config import load_settings
    from rehearse.scene_results import actor_profile

    return actor_profile(project, character, load_settings(project.root), cached_only=True)


def _per_take(blinks: int, duration_s: float) -> str:
    """`12/min`, or `1 in 8.0 s` for a take too short for a rate to mean anything."""
    from rehearse.breakdown.timecode import MIN_RATE_SPAN_S

    if duration_s >= MIN_RATE_SPAN_S:
        return f"{blinks / duration_s * 60:.0f}/min"
    return f"{blinks} in {duration_s:.1f} s"


def profile_text(profile: Any, flags: list) -> Text:
    """The profile as text: blink sparklines by take, scene and partner, hold and latency histograms."""
    from rehearse.profiles.text import expressions, histogram, sparkline

    low, high = profile.conversational_blink_range_per_min
    text = Text()
    text.append_text(literal(f"{profile.actor} as {profile.character_name}", style="bold"))
    text.append(f"  {len(profile.takes)} analysed takes; conversation is usually {low:.0f}-{high:.0f} blinks/min\n",
                style="dim")
    if not profile.takes:
        text.append("No analysed takes of this actor yet: analyze their scenes first.\n", style="italic")
    else:
        overall = profile.overall
        rates = [t.blink_rate_per_min for t in profile.takes]
        top = max(rates + [high])
        from rehearse.breakdown.timecode import rate_or_count

        text.append("blinks        ", style="bold")
        text.append(f"{rate_or_count(overall.blinks, overall.minutes * 60, 'blink')}   per take ")
        text.append(sparkline(rates, top), style="cyan")
        # a take shorter than the rate's minimum span shows its count (1 blink in 8.0 s, not 8/min)
        text.append_text(literal("  " + "  ".join(f"{t.take} {_per_take(t.blinks, t.duration_s)}"
                                                   for t in profile.takes) + "\n"))
        for name, group in (("scene", profile.by_scene), ("partner", profile.by_partner)):
            cells = [f"{key} {s.blink_rate_per_min:.1f}" for key, s in group.items() if s.blink_rate_per_min is not None]
            if cells:
                bars = sparkline([s.blink_rate_per_min for s in group.values()], top)
                text.append(f"  by {name:<8} ", style="dim")
                text.append(bars, style="cyan")
                text.append_text(literal("  " + "   ".join(cells) + "\n"))
        for label, dist in (("holds", overall.hold_s), ("reply latency", overall.latency_s)):
            text.append(f"{label:<14}", style="bold")
            if dist.median is None:
                text.append("none measured\n", style="dim")
                continue
            bars, lo, hi = histogram(dist.values)
            text.append(f"median {dist.median:.2f} s ({dist.count})  ")
            text.append(f"{lo:.2f} s ")
            text.append(bars, style="cyan")
            text.append(f" {hi:.2f} s\n")
        text.append("expressions   ", style="bold")
        text.append_text(literal(expressions(overall) + "\n"))
        lean, turn = overall.lean_deg.median, overall.shoulder_turn_deg.median
        text.append("posture       ", style="bold")
        text.append(("lean -" if lean is None else f"lean {lean:+.0f} deg") + ", "
                    + ("shoulder turn -" if turn is None else f"shoulder turn {turn:+.0f} deg") + "\n")
        text.append("gestures      ", style="bold")
        text.append_text(literal("; ".join(
            f"{g.label}{' ' + g.side.upper() if g.side else ''} x{g.count}"
            + (f" ({', '.join(g.beats)})" if g.beats else "") for g in profile.gestures[:6]) or "none"))
        text.append("\nbaselines\n", style="bold")
        for figures in profile.takes:
            text.append_text(literal(f"  {figures.take:<8} {figures.baseline.get('description', '-')}\n"))
    if flags:
        text.append("outliers\n", style="bold")
        for flag in flags:
            text.append(f"  ! {flag.severity}: ", style="bold red" if flag.severity == "high" else "red")
            text.append_text(literal(flag.message + "\n"))
    elif len(profile.takes) > 1:
        text.append("no take falls far outside the profile\n", style="dim")
    for line in profile.skipped:
        text.append_text(literal(f"skipped {line}\n", style="dim"))
    return text


class ActorScreen(RehearseScreen):
    """Actors of the production (top) and the highlighted actor's profile (below)."""

    BINDINGS = bindings("actor")

    DEFAULT_CSS = """
    ActorScreen #actors { height: auto; max-height: 6; }
    ActorScreen #profile-pane { height: 1fr; padding: 0 1; }
    """

    def __init__(self, loader: Callable[[Any, Any], Any] | None = None) -> None:
        super().__init__()
        self.loader = loader or cached_profile
        self.characters: list = []
        self.shown: str | None = None

    def compose_body(self) -> ComposeResult:
        yield KeyTable(id="actors")
        with VerticalScroll(id="profile-pane"):
            yield Static(id="profile")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#actors", KeyTable).focus()

    def show_project(self, project: Any, problems: list[str], kept_last_good: bool) -> None:
        super().show_project(project, problems, kept_last_good)
        if not self.ready or project is None:
            return
        self.set_title(literal(f"actors  {project.production.title}", style="bold"))
        table = self.query_one("#actors", KeyTable)
        table.clear(columns=True)
        for column in ("actor", "character", "consent"):
            table.add_column(column, key=column)
        self.characters = list(project.production.characters)
        for character in self.characters:
            consent = {True: "yes", False: "NO: not analysed", None: "not given: not analysed"}[character.consent]
            table.add_row(literal(character.actor), literal(character.name), literal(consent), key=character.id)
        self._load_current()

    def _load_current(self) -> None:
        table = self.query_one("#actors", KeyTable)
        if not self.characters or self.app.project is None:
            return
        character = self.characters[min(table.cursor_row, len(self.characters) - 1)]
        self.shown = character.id
        self.query_one("#profile", Static).update(Text(f"building {character.actor}'s profile…", style="italic"))
        self.load(self.app.project, character)

    @work(thread=True, exclusive=True, exit_on_error=False, group="actor")
    def load(self, project: Any, character: Any) -> None:
        from rehearse.config import load_settings
        from rehearse.errors import RehearseError
        from rehearse.profiles.collect import profile_settings
        from rehearse.profiles.outliers import circled_takes, profile_outliers

        try:
            profile = self.loader(project, character)
            flags = profile_outliers(profile, profile_settings(load_settings(project.root)), circled_takes(project))
        except RehearseError as error:
            self.post_from_worker(ActorProfileReady(character.id, None, [], error.one_line()))
            return
        self.post_from_worker(ActorProfileReady(character.id, profile, flags, None))

    def on_actor_profile_ready(self, message: ActorProfileReady) -> None:
        if message.character_id != self.shown:
            return
        profile = self.query_one("#profile", Static)
        if message.profile is None:
            profile.update(literal(message.problem or "no profile", style="bold"))
        else:
            profile.update(profile_text(message.profile, message.flags))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.characters and event.row_key is not None and event.row_key.value != self.shown:
            self._load_current()
