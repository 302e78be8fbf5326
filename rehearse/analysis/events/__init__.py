"""Performance events of one take: `detect_events` runs every detector, `beat_summaries` and `events_json` report them.

Every event has an onset, an offset, an apex where it has one, a confidence (0-1) and measured
values whose keys carry their units. Nothing is labelled with an emotion.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from rehearse.analysis.event_settings import EventSettings
from rehearse.analysis.events.beats import assign_beats, attach_lean_targets, beat_summaries
from rehearse.analysis.events.blinks import detect_blinks
from rehearse.analysis.events.expressions import face_expressions
from rehearse.analysis.events.gaze import detect_gaze_shifts
from rehearse.analysis.events.gestures import detect_gestures
from rehearse.analysis.events.hand_cover import covered_regions
from rehearse.analysis.events.hesitation import detect_hesitations, speech_spans
from rehearse.analysis.events.holds import detect_holds
from rehearse.analysis.events.micro import detect_micro_movements
from rehearse.analysis.events.model import (
    EVENT_KINDS,
    BeatSummary,
    Event,
    HoldComparison,
    clamp_to_take,
)
from rehearse.analysis.events.signal_ops import face_mask, time_mask
from rehearse.analysis.settings import AnalysisSettings
from rehearse.analysis.tracks import AudioFeatures, LandmarkTrack, SignalTrack, TimeSpan

if TYPE_CHECKING:
    from rehearse.analysis.take import TakeAnalysis

__all__ = [
    "EVENT_KINDS",
    "BeatSummary",
    "Event",
    "GEOMETRY_NOTE",
    "EventSettings",
    "HoldComparison",
    "attach_lean_targets",
    "beat_summaries",
    "blendshapes_of",
    "clamp_to_take",
    "detect_events",
    "events_json",
    "expression_source",
    "face_lost",
]

AUDIO_KINDS = {"hesitation", "pause"}


def face_lost(signals: SignalTrack, min_s: float) -> list[TimeSpan]:
    """Spans (at least `min_s` long, the `analysis.face_lost_min_s` setting) where no face was
    tracked, in seconds: the same spans the analysis reports (`take.face_lost_spans`)."""
    from rehearse.analysis.take import face_lost_spans

    times = signals.times
    if times.size == 0:
        return []
    step = float(np.median(np.diff(times))) if times.size > 1 else 0.0
    return face_lost_spans(times, face_mask(signals), float(times[-1] - times[0]) + step, min_s)


EXPRESSION_REGION = {"smile": "mouth", "half_smile": "mouth", "lip_press": "mouth", "jaw_drop": "mouth",
                     "brow_raise": "brows", "brow_furrow": "brows"}


def _drop_micro_at_expression_edges(events: list[Event], margin_s: float) -> list[Event]:
    """Micro-movements at the onset or offset of a macro expression in the same region are
    that expression's ramp (the running median lags there), not separate movements."""
    edges = [(EXPRESSION_REGION.get(e.label or ""), t) for e in events if e.kind == "expression"
             for t in (e.start_s, e.end_s)]

    def at_edge(event: Event) -> bool:
        return any(region == event.region and event.start_s - margin_s <= t <= event.end_s + margin_s
                   for region, t in edges)

    return [e for e in events if e.kind != "micro_movement" or not at_edge(e)]


def _outside(event: Event, lost: list[TimeSpan]) -> Event | None:
    """The event with any part inside a face-lost span cut off; None when mostly inside.

    Without a face, body readings are not trusted either (pose fires on posters and title
    cards); audio events stand on their own.
    """
    if event.kind in AUDIO_KINDS:
        return event
    start, end = event.start_s, event.end_s
    for span in lost:
        if span.start_s < end and start < span.end_s:
            inside = min(end, span.end_s) - max(start, span.start_s)
            if inside >= 0.5 * max(end - start, 1e-9):
                return None
            if start < span.start_s:
                end = span.start_s
            else:
                start = span.end_s
    if (start, end) == (event.start_s, event.end_s):
        return event
    apex = event.apex_s if event.apex_s is not None and start <= event.apex_s <= end else None
    values = dict(event.values)
    if "duration_ms" in values:
        values["duration_ms"] = round((end - start) * 1000, 1)
    return event.model_copy(update={"start_s": round(start, 4), "end_s": round(end, 4),
                                    "apex_s": apex, "values": values})


def detect_events(
    signals: SignalTrack,
    audio: AudioFeatures | None = None,
    *,
    settings: EventSettings | None = None,
    beat_marks: Mapping[str, float] | None = None,
    line_cues: Mapping[str, Sequence] | None = None,
    neutral: TimeSpan | None = None,
    landmarks: Mapping[str, LandmarkTrack] | None = None,
    analysis_settings: AnalysisSettings | None = None,
) -> list[Event]:
    """Every event in the take, in time order, each tagged with its beat when beat marks are given.

    `line_cues` maps beat id -> that beat's `LineCue`s (who speaks, in order); `neutral` is a
    span where the actor rests, used as the baseline instead of the take's own statistics;
    `landmarks` (part -> track, same frames) adds the hand-to-face zone and collar touches.
    `analysis_settings` are the ones the take was analysed with (its audio features' settings,
    the face-lost minimum): production callers (`pipeline.take_events`, drift, profiles) pass
    the user's `settings.analysis`; None is for tests and tools on defaults.
    """
    settings = settings or EventSettings()
    analysis_settings = analysis_settings or AnalysisSettings()
    audio_settings = analysis_settings.audio
    times = signals.times
    duration = float(times[-1]) if times.size else 0.0
    neutral_mask = time_mask(times, neutral.start_s, neutral.end_s) if neutral is not None else None
    present = face_mask(signals)
    events: list[Event] = []
    if times.size and present.mean() > settings.min_face_coverage:
        shapes = blendshapes_of(landmarks, times)
        # with the Face Landmarker model, its blendshapes are the blink and expression measure
        blinks = detect_blinks(signals, settings.blink, neutral_mask, shapes)
        speech = [(s.start_s, s.end_s) for s in speech_spans(audio, audio_settings)]
        events += blinks
        covered = covered_regions(landmarks, times.size, settings.expression.hand_cover_iod)
        events += face_expressions(signals, shapes, settings.expression, neutral_mask, blinks, covered)
        events += detect_micro_movements(signals, settings.micro, blinks, speech, settings.blink.detect_depth)
        events += detect_gaze_shifts(signals, settings.gaze, blinks)
    if times.size:
        events += detect_holds(signals, settings.hold)
        events += detect_gestures(signals, settings.gesture, landmarks)
    events += detect_hesitations(audio, signals if times.size else None, settings.hesitation,
                                 beat_marks, line_cues, audio_settings=audio_settings)
    # A silent mouth opening while the head turns or an expression moves the lips is geometry
    # changing under the tracker, not a line begun and abandoned.
    movers = [e for e in events if e.kind == "expression"
              or (e.kind == "gesture" and e.label in ("head_turn", "shake", "nod"))]
    events = [e for e in events if e.kind != "false_start" or not any(
        m.start_s < e.end_s and e.start_s < m.end_s for m in movers)]
    events = _drop_micro_at_expression_edges(events, settings.micro.expression_edge_s)
    lost = face_lost(signals, analysis_settings.face_lost_min_s)
    events = [kept for e in events if (kept := _outside(e, lost)) is not None]
    if times.size:
        # The take runs until its last frame has been shown: last time + one frame interval.
        duration = duration + (float(np.median(np.diff(times))) if times.size > 1 else 0.0)
    elif audio is not None and audio.has_audio:
        duration = float(audio.times[-1])
    events = clamp_to_take(events, duration)
    events = assign_beats(events, beat_marks, duration)
    return sorted(events, key=lambda e: (e.start_s, e.kind))


def blendshapes_of(landmarks: Mapping[str, LandmarkTrack] | None, times: np.ndarray) -> LandmarkTrack | None:
    """The take's blendshapes track when it has one with scores on these frames, else None
    (expressions, blinks and eye closure then come from geometry)."""
    shapes = (landmarks or {}).get("blendshapes")
    if shapes is None or shapes.times.size != times.size or not shapes.mask.any():
        return None
    return shapes


GEOMETRY_NOTE = ("expressions, blinks and eye closure come from face geometry, which is less reliable "
                 "on real faces: install the Face Landmarker model (`rehearse models install`)")
"""Said once by every output of a take analysed without blendshapes."""


def expression_source(landmarks: Mapping[str, LandmarkTrack] | None) -> str:
    """`blendshapes` when the take has the model's scores, else `geometry`."""
    shapes = (landmarks or {}).get("blendshapes")
    return "blendshapes" if shapes is not None and shapes.mask.any() else "geometry"


def event_row(event: Event) -> dict[str, Any]:
    """One event as JSON: the fields that apply (none left null), numbers in seconds."""
    row = event.model_dump(exclude_none=True)
    if not row.get("values"):
        row.pop("values", None)
    return row


def events_json(
    analysis: TakeAnalysis,
    events: list[Event],
    beats: list[BeatSummary] | None = None,
    *,
    take_label: str | None = None,
) -> dict[str, Any]:
    """The `rehearse events --json` document for one analysed take."""
    source = expression_source(analysis.landmarks)
    document = {
        "take": take_label or analysis.take,
        "file": str(analysis.video_path),
        "expressions_from": source,
        "duration_s": round(float(analysis.duration_s), 4),
        "fps": round(float(analysis.measured_fps), 3),
        "face_coverage": round(float(analysis.face_coverage), 4),
        "no_face": bool(analysis.no_face),
        "face_lost": [{"start_s": round(s.start_s, 4), "end_s": round(s.end_s, 4)}
                      for s in analysis.face_lost_spans],
        "events": [event_row(e) for e in events],
        "beats": [b.model_dump() for b in (beats or [])],
    }
    if source == "geometry" and not analysis.no_face:
        document["note"] = GEOMETRY_NOTE
    return document
