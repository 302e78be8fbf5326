"""Actor profiles: per-take figures (`take_figures`) and what is usual for an actor (`build_profile`), by scene and partner.

A profile is built from every analysed take whose subject is the actor's character (the shot's
subject, else the scene's first character). Each figure is given over all takes, per scene and
per scene partner (the other characters of the scene), so "does Maya blink more with Ana than
with Tom?" is `profile.by_partner["ana"].blink_rate_per_min` against `...["tom"]`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from rehearse.profiles.settings import ProfileSettings


class Frozen(BaseModel):
    """Base for profile models: immutable, unknown keys rejected, fields documented."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


class GestureSighting(Frozen):
    """One gesture seen in a take."""

    label: str
    """What the gesture is (`hand_to_face`, `head_turn` ...)."""
    side: str | None = None
    """The actor's own side (left, right, both), when one applies."""
    beat: str | None = None
    """Beat id where it starts, when the take has beat marks."""
    at_s: float
    """Onset, seconds from the take's first frame."""


class TakeFigures(Frozen):
    """What one take of the actor measured: the numbers a profile is made of."""

    take: str
    """Take label (e.g. `1A-2`)."""
    scene: str
    """Scene id."""
    character: str
    """Id of the character the take is on."""
    partners: list[str] = Field(default_factory=list)
    """Ids of the other characters in the scene."""
    duration_s: float
    """Length of the take, in seconds."""
    blinks: int
    """Blinks counted (long closures excluded)."""
    blink_rate_per_min: float
    """Blinks per minute over the take."""
    hold_durations_s: list[float] = Field(default_factory=list)
    """Every hold's length, in seconds, in time order."""
    latencies_s: list[float] = Field(default_factory=list)
    """Every cue-to-reply latency, in seconds, in time order."""
    gestures: list[GestureSighting] = Field(default_factory=list)
    """Gestures in time order."""
    expressions: dict[str, int] = Field(default_factory=dict)
    """Expression label -> how many times it was seen."""
    lean_deg: float | None = None
    """Median torso lean toward camera over frames with a body, degrees (+ toward); none without a body."""
    shoulder_turn_deg: float | None = None
    """Median shoulder-line turn over frames with a body, degrees (+ = left shoulder back)."""
    baseline: dict = Field(default_factory=dict)
    """The baseline the take's thresholds used (`Baseline.row()`: source, span, rest levels)."""

    @property
    def minutes(self) -> float:
        return max(self.duration_s, 1e-9) / 60.0


class Distribution(Frozen):
    """A set of measured values summarised: count, median and the 10th-90th percentile range."""

    count: int
    """How many values."""
    median: float | None = None
    """Median, in the figure's unit."""
    p10: float | None = None
    """10th percentile."""
    p90: float | None = None
    """90th percentile."""
    values: list[float] = Field(default_factory=list)
    """The values themselves, for histograms."""


class FigureSummary(Frozen):
    """The actor's figures over a set of takes (all of them, one scene, or one partner's scenes)."""

    takes: list[str]
    """Labels of the takes summarised."""
    minutes: float
    """Total length of those takes, in minutes."""
    blinks: int
    """Blinks in those takes."""
    blink_rate_per_min: float | None
    """Blinks per minute over all those takes together; none when they have no length."""
    blink_rate_per_take: Distribution
    """Each take's own blink rate, blinks/min."""
    hold_s: Distribution
    """Hold lengths, seconds."""
    latency_s: Distribution
    """Cue-to-reply latencies, seconds."""
    expressions_per_min: dict[str, float] = Field(default_factory=dict)
    """Expression label -> times per minute."""
    lean_deg: Distribution
    """Each take's median lean toward camera, degrees."""
    shoulder_turn_deg: Distribution
    """Each take's median shoulder turn, degrees."""


class GestureCount(Frozen):
    """A gesture the actor makes, on one side, and where."""

    label: str
    """What the gesture is."""
    side: str | None
    """The actor's own side."""
    count: int
    """Times seen over all takes."""
    beats: list[str] = Field(default_factory=list)
    """Where it happens, as `scene/beat` (sorted, unique)."""


class ActorProfile(Frozen):
    """What is usual for one actor playing one character, from every analysed take of them."""

    actor: str
    """The actor's name as in production.yaml."""
    character: str
    """Character id."""
    character_name: str
    """Character name as printed in the script."""
    consent: bool | None = None
    """The character's `consent:` field."""
    takes: list[TakeFigures] = Field(default_factory=list)
    """Per-take figures, in scene then breakdown order."""
    overall: FigureSummary
    """Every take together."""
    by_scene: dict[str, FigureSummary] = Field(default_factory=dict)
    """Scene id -> the figures of that scene's takes."""
    by_partner: dict[str, FigureSummary] = Field(default_factory=dict)
    """Partner character id -> the figures of takes in scenes with that partner."""
    gestures: list[GestureCount] = Field(default_factory=list)
    """Most frequent gestures first."""
    conversational_blink_range_per_min: tuple[float, float] = (10.0, 32.0)
    """Blink rates normally seen in conversation, blinks/min, for context."""
    eye_open_rest: float | None = None
    """Median eye openness at rest over the takes' baselines (EAR)."""
    lip_corner_rest_iod: float | None = None
    """Median mouth-corner lift at rest over the takes' baselines (IOD)."""
    skipped: list[str] = Field(default_factory=list)
    """Takes of the actor that have no figures, each with the reason."""

    def json_document(self) -> dict:
        """The profile as JSON (`rehearse actor show NAME --json`)."""
        return self.model_dump(mode="json")


# -- one take ----------------------------------------------------------------------------------


def take_figures(
    take: str,
    scene: str,
    character: str,
    events: Sequence,
    duration_s: float,
    *,
    partners: Iterable[str] = (),
    signals=None,
    baseline: dict | None = None,
) -> TakeFigures:
    """A take's figures from its events (and its signals, for posture)."""
    blinks = [e for e in events if e.kind == "blink"]
    lean = shoulder = None
    if signals is not None and signals.times.size:
        lean = _body_median(signals, "lean_forward")
        shoulder = _body_median(signals, "shoulder_turn")
    return TakeFigures(
        take=take, scene=scene, character=character, partners=list(partners),
        duration_s=float(duration_s), blinks=len(blinks),
        blink_rate_per_min=len(blinks) / (max(float(duration_s), 1e-9) / 60.0),
        hold_durations_s=[round(e.end_s - e.start_s, 4) for e in events if e.kind == "hold"],
        latencies_s=[round(float(e.latency_s), 4) for e in events if e.kind == "hesitation" and e.latency_s is not None],
        gestures=[GestureSighting(label=e.label or "gesture", side=e.side, beat=e.beat, at_s=round(e.start_s, 4))
                  for e in events if e.kind == "gesture"],
        expressions=dict(Counter(e.label or "expression" for e in events if e.kind == "expression")),
        lean_deg=lean, shoulder_turn_deg=shoulder, baseline=dict(baseline or {}),
    )


def _body_median(signals, name: str) -> float | None:
    values = signals.values.get(name)
    if values is None:
        return None
    values = np.asarray(values, dtype=float)
    present = signals.values.get("body_present")
    usable = ~np.isnan(values)
    if present is not None:
        usable &= np.nan_to_num(np.asarray(present, dtype=float)) > 0.5
    return round(float(np.median(values[usable])), 3) if usable.any() else None


# -- many takes --------------------------------------------------------------------------------


def distribution(values: Iterable[float | None]) -> Distribution:
    """Count, median and 10th/90th percentiles of the values that are not None."""
    kept = [float(v) for v in values if v is not None]
    if not kept:
        return Distribution(count=0)
    array = np.asarray(kept)
    return Distribution(count=len(kept), median=round(float(np.median(array)), 4),
                        p10=round(float(np.percentile(array, 10)), 4), p90=round(float(np.percentile(array, 90)), 4),
                        values=[round(v, 4) for v in kept])


def summarize(takes: Sequence[TakeFigures]) -> FigureSummary:
    """The figures of these takes together."""
    minutes = sum(t.minutes for t in takes)
    blinks = sum(t.blinks for t in takes)
    expressions: Counter[str] = Counter()
    for figures in takes:
        expressions.update(figures.expressions)
    return FigureSummary(
        takes=[t.take for t in takes], minutes=round(minutes, 4), blinks=blinks,
        blink_rate_per_min=round(blinks / minutes, 3) if minutes > 0 else None,
        blink_rate_per_take=distribution(t.blink_rate_per_min for t in takes),
        hold_s=distribution(h for t in takes for h in t.hold_durations_s),
        latency_s=distribution(x for t in takes for x in t.latencies_s),
        expressions_per_min={k: round(v / minutes, 3) for k, v in sorted(expressions.items())} if minutes > 0 else {},
        lean_deg=distribution(t.lean_deg for t in takes),
        shoulder_turn_deg=distribution(t.shoulder_turn_deg for t in takes),
    )


def gesture_counts(takes: Sequence[TakeFigures]) -> list[GestureCount]:
    """Gestures by (label, side), most frequent first, with the beats where they happen."""
    counts: Counter[tuple[str, str | None]] = Counter()
    beats: dict[tuple[str, str | None], set[str]] = {}
    for figures in takes:
        for sighting in figures.gestures:
            key = (sighting.label, sighting.side)
            counts[key] += 1
            if sighting.beat:
                beats.setdefault(key, set()).add(f"{figures.scene}/{sighting.beat}")
    return [GestureCount(label=label, side=side, count=n, beats=sorted(beats.get((label, side), ())))
            for (label, side), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0], kv[0][1] or ""))]


def build_profile(
    actor: str,
    character: str,
    takes: Sequence[TakeFigures],
    *,
    character_name: str = "",
    consent: bool | None = None,
    skipped: Sequence[str] = (),
    settings: ProfileSettings | None = None,
) -> ActorProfile:
    """The actor's profile from their takes' figures: overall, per scene and per partner."""
    settings = settings or ProfileSettings()
    scenes = sorted({t.scene for t in takes})
    partners = sorted({p for t in takes for p in t.partners})
    rests = [t.baseline for t in takes if t.baseline]
    marked = [b for b in rests if b.get("source") == "neutral mark"] or rests
    eye = [b["eye_open_rest_ear"] for b in marked if b.get("eye_open_rest_ear") is not None]
    corner = [b["lip_corner_rest_iod"] for b in marked if b.get("lip_corner_rest_iod") is not None]
    return ActorProfile(
        actor=actor, character=character, character_name=character_name or character, consent=consent,
        takes=list(takes), overall=summarize(takes),
        by_scene={s: summarize([t for t in takes if t.scene == s]) for s in scenes},
        by_partner={p: summarize([t for t in takes if p in t.partners]) for p in partners},
        gestures=gesture_counts(takes),
        conversational_blink_range_per_min=settings.conversational_blink_range_per_min,
        eye_open_rest=round(float(np.median(eye)), 4) if eye else None,
        lip_corner_rest_iod=round(float(np.median(corner)), 4) if corner else None,
        skipped=list(skipped),
    )
