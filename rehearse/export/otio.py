"""OpenTimelineIO: a timeline with one clip per take and a marker per event, flag and log entry."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rehearse.breakdown.timecode import parse_seconds
from rehearse.export.markers import TakeMarkers


def source_start_frames(take: TakeMarkers) -> int:
    """The take's first frame as a frame count at its own rate (from the slate timecode)."""
    return round(parse_seconds(take.start_timecode or "00:00:00:00", take.fps) * take.fps)


def build_timeline(takes: Sequence[TakeMarkers], title: str):
    """An `otio.schema.Timeline` holding the takes in order, markers on each clip."""
    import opentimelineio as otio

    timeline = otio.schema.Timeline(name=title)
    track = otio.schema.Track(name="takes", kind=otio.schema.TrackKind.Video)
    timeline.tracks.append(track)
    for take in takes:
        rate = take.fps
        start = otio.opentime.RationalTime(source_start_frames(take), rate)
        length = otio.opentime.RationalTime(max(1, round(take.duration_s * rate)), rate)
        available = otio.opentime.TimeRange(start, length)
        reference = otio.schema.ExternalReference(
            target_url=Path(take.path).resolve().as_uri(), available_range=available
        )
        clip = otio.schema.Clip(name=take.label, media_reference=reference, source_range=available)
        clip.metadata["rehearse"] = {
            "scene": take.scene_id, "shot": take.shot, "take": take.number, "status": take.status,
            "file": take.file, "circled": take.circled, "notes": take.notes,
        }
        for marker in take.markers:
            at = otio.opentime.RationalTime(source_start_frames(take) + round(marker.t_s * rate), rate)
            span = otio.opentime.RationalTime(round(marker.duration_s * rate), rate)
            item = otio.schema.Marker(
                name=marker.name, marked_range=otio.opentime.TimeRange(at, span), color=marker.color
            )
            item.metadata["rehearse"] = {
                "source": marker.source, "kind": marker.kind, "note": marker.note, "who": marker.who,
                "t_s": round(marker.t_s, 6),
            }
            clip.markers.append(item)
        track.append(clip)
    return timeline


def write_otio(takes: Sequence[TakeMarkers], path: Path, title: str) -> None:
    """Write the timeline as `.otio` JSON (atomically)."""
    import opentimelineio as otio

    from rehearse.export.files import write_text_atomic

    write_text_atomic(path, otio.adapters.write_to_string(build_timeline(takes, title), "otio_json"))
