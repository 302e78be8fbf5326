"""`rehearse render`: a take with its landmarks, beat and events drawn on, for feedback in rehearsal.

Frames keep their exact presentation times (variable frame rate survives) and the take's audio
is carried over, so the annotated copy plays in sync with the original.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np


def _labels(events, t: float, beat_marks: dict[str, float]) -> list[str]:
    beat = None
    for beat_id, start in sorted(beat_marks.items(), key=lambda item: item[1]):
        if start <= t:
            beat = beat_id
    lines = [f"{t:6.2f} s" + (f"   beat {beat}" if beat else "")]
    for event in events:
        if event.start_s <= t <= max(event.end_s, event.start_s + 0.3):
            words = [event.kind.replace("_", " ")]
            if event.label:
                words.append(event.label.replace("_", " "))
            if event.side:
                words.append(event.side)
            if event.kind == "hold":
                words.append(f"{event.end_s - event.start_s:.2f} s")
            if event.latency_s is not None:
                words.append(f"latency {event.latency_s * 1000:.0f} ms")
            lines.append(" ".join(words))
    return lines[:8]


def _at(track, index: int) -> np.ndarray | None:
    if track is None or index >= track.points.shape[0] or track.confidence[index] <= 0:
        return None
    return track.points[index]


def render_take(
    video_path: Path,
    output: Path,
    analysis,
    events,
    beat_marks: dict[str, float],
    *,
    progress: Callable[[int, float], None] | None = None,
) -> int:
    """Write the annotated copy; returns the number of frames written."""
    from rehearse.video.audio import read_audio
    from rehearse.video.frames import frame_times, iter_frames
    from rehearse.video.overlay import draw_overlay
    from rehearse.video.writer import write_video

    times = analysis.signals.times
    tracks = analysis.landmarks
    written_times: list[float] = []

    def frames():
        for frame in iter_frames(video_path):
            # Analysis frames are matched by time, so a strided analysis still lines up.
            index = int(np.clip(np.searchsorted(times, frame.t - 1e-6), 0, max(0, times.size - 1)))
            hands = (_at(tracks.get("left_hand"), index), _at(tracks.get("right_hand"), index))
            image = draw_overlay(
                frame.image, _at(tracks.get("face"), index), _at(tracks.get("pose"), index), hands,
                _labels(events, frame.t, beat_marks),
            )
            written_times.append(frame.t)
            if progress is not None:
                progress(len(written_times), frame.t)
            yield _even(image)

    audio = read_audio(video_path, sample_rate=48000)
    # The writer takes every frame's time up front; decoding them twice is cheap next to drawing.
    write_video(output, frames(), times=[float(t) for t in frame_times(video_path)], audio=audio, crf=23)
    return len(written_times)


def _even(image: np.ndarray) -> np.ndarray:
    """H.264 4:2:0 needs even dimensions: drop a last odd row or column."""
    height, width = image.shape[:2]
    return image[: height - height % 2, : width - width % 2]
