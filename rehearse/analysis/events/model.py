"""The Event and BeatSummary models: what every detector returns and what a beat adds up to."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

EVENT_KINDS = (
    "blink",
    "eyes_closed",
    "expression",
    "micro_movement",
    "gaze_shift",
    "hold",
    "hesitation",
    "pause",
    "false_start",
    "gesture",
)


class Event(BaseModel):
    """One measured event in a take: an interval with its apex, confidence and measured values."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    kind: str
    """One of EVENT_KINDS: blink, eyes_closed, expression, micro_movement, gaze_shift, hold,
    hesitation, pause, false_start, gesture."""
    start_s: float
    """Onset, in seconds from the start of the take."""
    end_s: float
    """Offset, in seconds from the start of the take."""
    apex_s: float | None = None
    """Time of the peak (deepest closure, largest displacement), in seconds; none when the
    event has no peak (a hold, a pause)."""
    confidence: float = Field(default=1.0, ge=0.0, le=1.0)
    """How much the measurement can be trusted, 0-1 (lowered by head turn, face loss, noise)."""
    side: str | None = None
    """The actor's own side where one applies: left, right, both, up, down."""
    label: str | None = None
    """What the event is, for expressions and gestures (e.g. `smile`, `hand_to_face`); for a
    blink `full` or `partial`. Never an emotion."""
    scope: str | None = None
    """For holds: `face` or `body`."""
    latency_s: float | None = None
    """For hesitations: reply onset minus cue offset, in seconds."""
    beat: str | None = None
    """Id of the beat the event starts in, when the take has beat marks."""
    values: dict[str, float] = Field(default_factory=dict)
    """Measured numbers, the unit in each key (e.g. `duration_ms`, `min_ear`, `depth_ratio`)."""
    target: str | None = None
    """For a lean: the character leaned toward or away from, from the scene's blocking."""
    region: str | None = None
    """For micro-movements: the face region that moved (brows, eyes, mouth); for a hand-to-face
    gesture: the zone touched (mouth, nose, eye, cheek)."""

    @property
    def duration_s(self) -> float:
        """Offset minus onset, in seconds."""
        return self.end_s - self.start_s


def clamp_to_take(events: list[Event], duration_s: float) -> list[Event]:
    """Events inside the take's [0, duration_s]: edges pulled in, events wholly outside dropped.

    The one place event times are bounded: an onset refined backwards from the first frames, or
    a closure still open at the last frame, must not read -0.41 s or 6.12 s in a 6.00 s take.
    """
    kept = []
    for event in events:
        start, end = max(0.0, event.start_s), min(duration_s, event.end_s)
        if end < start or (end == start and event.end_s > event.start_s):
            continue
        if (start, end) == (event.start_s, event.end_s):
            kept.append(event)
            continue
        apex = None if event.apex_s is None else min(max(event.apex_s, start), end)
        update = {"start_s": start, "end_s": end, "apex_s": apex}
        if "duration_ms" in event.values:
            update["values"] = {**event.values, "duration_ms": round(1000 * (end - start), 1)}
        kept.append(event.model_copy(update=update))
    return kept


class HoldComparison(BaseModel):
    """A beat's longest hold against the director's target hold."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    target_s: float
    """Target hold length from the breakdown, in seconds."""
    tolerance_s: float
    """Allowed deviation from the target, in seconds."""
    measured_s: float | None
    """Longest hold measured in the beat, in seconds; none when the actor never held."""
    end_offset_s: float | None
    """Measured minus target length, in seconds: negative = the hold ended early, positive = late."""
    on_target: bool
    """True when the measured hold is within the tolerance of the target."""
    verdict: str
    """The comparison in words, e.g. `ended 0.30 s early`."""


class BeatSummary(BaseModel):
    """What happened in one beat of a take: blinks, holds against the target, latencies."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    beat: str
    """Beat id."""
    start_s: float
    """Where the beat starts in the take, in seconds."""
    end_s: float
    """Where the beat ends (the next beat's mark or the end of the take), in seconds."""
    blinks: int
    """Blinks (not long closures) starting in the beat."""
    blink_rate_per_min: float
    """Blinks per minute over the beat."""
    holds: list[float] = Field(default_factory=list)
    """Durations of the beat's holds (those mostly inside it), longest first, in seconds."""
    hold_target: HoldComparison | None = None
    """The longest hold against the breakdown's target, when the beat has one."""
    latencies_s: list[float] = Field(default_factory=list)
    """Cue-to-reply latencies of hesitations in the beat, in seconds."""
    pauses: int = 0
    """Pauses within a turn in the beat."""
    event_counts: dict[str, int] = Field(default_factory=dict)
    """Number of events of each kind in the beat (by onset; holds: mostly inside it)."""
