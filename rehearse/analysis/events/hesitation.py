"""Cue-to-reply latency (`hesitation`), pauses within a turn (`pause`) and silent mouth openings (`false_start`).

Speech segments come from the take's voice activity. Each silence between two segments is
either a turn change (the previous segment is the cue, the next the reply: latency = reply
onset - cue offset) or a pause inside one speaker's turn. Which one is decided, best first:

1. the on-camera actor's mouth: moving during a segment means the actor speaks it;
2. the beat's line cues: a beat with N lines has its N-1 longest silences as turn changes,
   and a silence across a beat mark is a turn change when the next line's speaker differs;
3. otherwise every silence follows a cue: the previous speech segment.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from rehearse.analysis.event_settings import HesitationSettings
from rehearse.analysis.events.model import Event
from rehearse.analysis.events.signal_ops import (
    baseline_value,
    face_mask,
    fill_gaps,
    runs,
    signal,
    time_mask,
)
from rehearse.analysis.settings import AudioSettings
from rehearse.analysis.tracks import AudioFeatures, SignalTrack, TimeSpan


def speech_spans(audio: AudioFeatures | None, audio_settings: AudioSettings) -> list[TimeSpan]:
    """Speech segments of the take (empty without audio), edges on the voiced level itself.

    `speech_segments` bridges short gaps and drops clicks; each edge is then put on the first
    and last window that is actually loud (`speech_margin_db` over the take's noise floor), so
    the result does not depend on whether the voice-activity flags carry a hangover. The
    `audio_settings` are the ones the take's audio features were made with (the user's).
    """
    if audio is None or not audio.has_audio:
        return []
    from rehearse.analysis.audio_features import speech_segments

    defaults = audio_settings
    spans = speech_segments(audio, min_speech_s=defaults.min_speech_s, min_silence_s=defaults.min_silence_s,
                            hangover_s=defaults.hangover_s)
    times, level = audio.times, audio.rms_db
    if times.size < 2:
        return spans
    half_hop = float(np.median(np.diff(times))) / 2
    floor = float(np.percentile(level, defaults.noise_floor_percentile))
    loud = level >= max(floor + defaults.speech_margin_db, defaults.min_level_db)
    refined = []
    for span in spans:
        near = (times >= span.start_s - 2 * half_hop) & (times <= span.end_s + defaults.hangover_s + 2 * half_hop)
        hits = np.flatnonzero(near & loud)
        if hits.size == 0:
            refined.append(span)
            continue
        refined.append(TimeSpan(float(times[hits[0]]) - half_hop, float(times[hits[-1]]) + half_hop))
    return refined


def _speakers(track: SignalTrack | None, spans: list[TimeSpan], settings: HesitationSettings) -> list[str | None]:
    """'actor' / 'other' per segment from the on-camera mouth, None where it cannot tell."""
    if track is None or track.frame_count == 0:
        return [None] * len(spans)
    mouth = signal(track, "mouth_open")
    present = face_mask(track)
    closed = baseline_value(mouth, present, None, 25.0)
    out: list[str | None] = []
    for span in spans:
        inside = time_mask(track.times, span.start_s, span.end_s)
        seen = inside & present & ~np.isnan(mouth)
        if inside.sum() < 3 or seen.sum() < 0.8 * inside.sum():
            out.append(None)
            continue
        opening = float(np.mean(mouth[seen])) - closed
        if opening >= settings.mouth_speech_iod:
            out.append("actor")
        elif opening < 0.4 * settings.mouth_speech_iod:
            out.append("other")
        else:
            out.append(None)
    return out


def _turn_changes_from_cues(
    spans: list[TimeSpan], beat_marks: Mapping[str, float], line_cues: Mapping[str, Sequence]
) -> list[bool | None]:
    """For each silence, True/False from the line cues, None where the cues say nothing."""
    order = sorted(beat_marks.items(), key=lambda kv: kv[1])
    def beat_of(t: float) -> str | None:
        current = None
        for beat_id, start in order:
            if t >= start - 1e-9:
                current = beat_id
        return current

    beats = [beat_of(span.start_s) for span in spans]
    changes: list[bool | None] = [None] * max(0, len(spans) - 1)
    for beat_id in dict.fromkeys(b for b in beats if b is not None):
        lines = list(line_cues.get(beat_id, []))
        idx = [k for k, b in enumerate(beats) if b == beat_id]
        inner = [k for k in idx[:-1] if k + 1 in idx]  # silences between this beat's segments
        if not lines:
            continue
        turns = [getattr(line, "character", None) for line in lines]
        boundaries = max(0, len(turns) - 1 - sum(1 for a, b in zip(turns, turns[1:], strict=False) if a == b))
        ranked = sorted(inner, key=lambda k: spans[k + 1].start_s - spans[k].end_s, reverse=True)
        for k in inner:
            changes[k] = k in ranked[:boundaries]
        if idx and idx[0] > 0:
            prev_beat = beats[idx[0] - 1]
            prev_lines = list(line_cues.get(prev_beat, [])) if prev_beat else []
            if prev_lines:
                changes[idx[0] - 1] = getattr(prev_lines[-1], "character", None) != turns[0]
    return changes


def detect_hesitations(
    audio: AudioFeatures | None,
    track: SignalTrack | None,
    settings: HesitationSettings,
    beat_marks: Mapping[str, float] | None = None,
    line_cues: Mapping[str, Sequence] | None = None,
    *,
    audio_settings: AudioSettings,
) -> list[Event]:
    """hesitation (with latency_s), pause and false_start events."""
    spans = speech_spans(audio, audio_settings)
    events: list[Event] = []
    speakers = _speakers(track, spans, settings)
    cue_changes = (_turn_changes_from_cues(spans, beat_marks, line_cues)
                   if beat_marks and line_cues else [None] * max(0, len(spans) - 1))
    for k in range(len(spans) - 1):
        cue, reply = spans[k], spans[k + 1]
        gap = reply.start_s - cue.end_s
        if gap <= 0:
            continue
        if speakers[k] is not None and speakers[k + 1] is not None:
            change, confidence, source = speakers[k] != speakers[k + 1], 0.95, "mouth"
        elif cue_changes[k] is not None:
            change, confidence, source = cue_changes[k], 0.8, "line_cues"
        else:
            change, confidence, source = True, 0.6, "previous_segment"
        values = {"silence_ms": round(gap * 1000, 1), "cue_end_s": round(cue.end_s, 4),
                  "reply_start_s": round(reply.start_s, 4)}
        if change and gap <= settings.max_latency_s:
            events.append(Event(kind="hesitation", start_s=round(cue.end_s, 4), end_s=round(reply.start_s, 4),
                                latency_s=round(gap, 4), confidence=confidence, label=source, values=values))
        elif not change and settings.pause_min_s < gap <= settings.max_latency_s:
            events.append(Event(kind="pause", start_s=round(cue.end_s, 4), end_s=round(reply.start_s, 4),
                                confidence=confidence, label=source, values=values))
    if audio is not None and audio.has_audio and track is not None:
        events.extend(_false_starts(track, spans, settings))
    return sorted(events, key=lambda e: e.start_s)


def _false_starts(track: SignalTrack, spans: list[TimeSpan], settings: HesitationSettings) -> list[Event]:
    """The mouth opens and closes with no speech anywhere near."""
    times = track.times
    present = face_mask(track)
    mouth = fill_gaps(times, np.where(present, signal(track, "mouth_open"), np.nan), 0.1)
    if np.all(np.isnan(mouth)):
        return []
    opening = mouth - baseline_value(mouth, present, None, 50.0)
    events = []
    for first, last in runs(np.nan_to_num(opening) > settings.false_start_open_iod):
        start = float(times[first])
        end = float(times[last]) if last < times.size else float(times[-1])
        if not settings.false_start_min_s <= end - start <= settings.false_start_max_s:
            continue
        if any(s.start_s - 0.15 < end and start < s.end_s + 0.15 for s in spans):
            continue
        apex = first + int(np.nanargmax(opening[first:last]))
        events.append(Event(kind="false_start", start_s=round(start, 4), end_s=round(end, 4),
                            apex_s=round(float(times[apex]), 4), confidence=0.7,
                            values={"duration_ms": round((end - start) * 1000, 1),
                                    "peak_mouth_open_iod": round(float(opening[apex]), 4)}))
    return events
