"""One take analysed end to end: decode -> landmarks -> signals, audio features, face coverage; cached.

`analyze_take(path)` returns a `TakeAnalysis`. A second call on an unchanged file with the
same analysis settings is answered from the cache (see cache.py) without decoding a frame;
`force=True` analyses again. A take without any face is a result (`no_face`), not an error.
Heavy modules (PyAV, MediaPipe) are imported inside the functions that need them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rehearse.analysis import cache
from rehearse.analysis.prefetch import prefetched
from rehearse.analysis.tracks import AudioFeatures, LandmarkTrack, SignalTrack, TimeSpan
from rehearse.breakdown.take_files import check_take_file, take_file_problem
from rehearse.config import Settings, settings_key
from rehearse.errors import Location, RehearseError, VideoError

log = logging.getLogger(__name__)

ANALYZER_VERSION = "12"  # 12: a wrist the hand model found only by a walk-back reads Pose's (wrist_* final on arrival); 11: hand tracks say which frames a hand found later was walked back over (walked_back); 10: lid_gap's iris size read as the stream knows it; 9: the body scale (tremor) read as the stream knows it (stream_levels); 8: glabella_lines (the furrow's wrinkles); 7: lid gap in iris diameters (lid_gap_left/right); 6: body motion energy, Pose every 8th frame and on body movement, hands searched in close-ups; 5: untagged HD frames decode with BT.709 (video.probe.rgb_conversion)
"""Bump when a change to landmarks, signals or audio features changes results: old caches miss."""


SPLIT_MIN_DURATION_S = 8.0
"""A take is split into time segments (when asked) only when at least this long, s: each worker
process pays ~2 s to start MediaPipe and analyses `SEAM_OVERLAP_S` twice."""
SEAM_OVERLAP_S = 1.0
"""Each segment after the first is analysed from this long before its seam, s: the trackers
(and Pose's landmark filter) settle over it, so results at the seam match a single run."""


class AnalysisCancelled(RehearseError):
    """The user stopped an analysis; nothing was cached."""

    severity = "stopped"


@dataclass(frozen=True)
class ProgressUpdate:
    """How far one take's analysis is; each update replaces the previous one."""

    take: str
    """The take's label or file name."""
    stage: str
    """`hashing`, `cached`, `landmarks`, `audio`, `saving` or `done`."""
    frames_done: int = 0
    """Frames analysed so far (0 for a cache hit: nothing is decoded)."""
    t_s: float = 0.0
    """Time in the take of the last analysed frame, in seconds."""
    duration_s: float | None = None
    """The take's duration as the container declares it, in seconds (None if unknown)."""

    @property
    def fraction(self) -> float | None:
        """0-1 through the take, when its duration is known."""
        if self.stage in ("cached", "done"):
            return 1.0
        if not self.duration_s:
            return None
        return min(1.0, max(0.0, self.t_s / self.duration_s))


@dataclass
class TakeAnalysis:
    """Everything measured on one take, before event detection."""

    take: str
    video_path: Path
    content_hash: str
    duration_s: float
    """From the frames' timestamps: last - first + one frame interval, in seconds."""
    frame_count: int
    """Frames decoded (never the container's claim)."""
    nominal_fps: float
    """Frame rate the container declares, frames/s (informative)."""
    measured_fps: float
    """frame_count / duration_s, frames/s."""
    width: int
    height: int
    rotation_deg: int
    landmarks: dict[str, LandmarkTrack]
    signals: SignalTrack
    audio: AudioFeatures
    face_coverage: float
    """Fraction (0-1) of frames with a tracked face."""
    face_lost_spans: list[TimeSpan]
    """Spans of at least `face_lost_min_s` with no face."""
    no_face: bool
    """True when (almost) no frame has a face: a result, not an error."""
    settings_key: str
    analyzer_version: str
    analysis_seconds: float
    """Wall time the analysis took, in seconds (the original run's, for a cached result)."""
    from_cache: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def realtime_factor(self) -> float:
        """Seconds of take analysed per second of wall time (>1: faster than real time)."""
        return self.duration_s / self.analysis_seconds if self.analysis_seconds > 0 else float("inf")

    def summary(self) -> dict[str, Any]:
        """Plain JSON-able numbers for tables and `--json`."""
        return {
            "take": self.take,
            "file": str(self.video_path),
            "frames": self.frame_count,
            "duration_s": round(self.duration_s, 3),
            "measured_fps": round(self.measured_fps, 3),
            "nominal_fps": round(self.nominal_fps, 3),
            "width_px": self.width,
            "height_px": self.height,
            "rotation_deg": self.rotation_deg,
            "face_coverage": round(self.face_coverage, 4),
            "no_face": self.no_face,
            "face_lost_spans": [
                {"start_s": round(s.start_s, 3), "end_s": round(s.end_s, 3)} for s in self.face_lost_spans
            ],
            "has_audio": self.audio.has_audio,
            "analysis_s": round(self.analysis_seconds, 3),
            "analysis_fps": round(self.frame_count / self.analysis_seconds, 2) if self.analysis_seconds > 0 else None,
            "cached": self.from_cache,
            "content_hash": self.content_hash,
        }


ProgressCallback = Callable[[ProgressUpdate], None]


def _entry(path: Path, settings: Settings) -> tuple[Path, str, str]:
    """(cache folder, entry stem, content hash) for a take."""
    content = cache.content_hash(path)
    folder = cache.cache_dir_for(path, settings.cache_dir)
    return folder, cache.entry_stem(content, settings_key(settings), ANALYZER_VERSION), content


def load_cached(path: Path | str, settings: Settings | None = None, *, label: str | None = None) -> TakeAnalysis | None:
    """The cached analysis of this file with these settings, or None. Never decodes video."""
    settings = settings or Settings()
    path = Path(path)
    if take_file_problem(path) is not None:
        return None
    folder, stem, _ = _entry(path, settings)
    return _cached_entry(path, folder, stem, label)


def is_cached(path: Path | str, settings: Settings | None = None) -> bool:
    """Whether this file with these settings has a cache entry (read: hash and metadata only)."""
    settings = settings or Settings()
    path = Path(path)
    if take_file_problem(path) is not None:
        return False
    folder, stem, _ = _entry(path, settings)
    return cache.read_meta(folder, stem) is not None


def _cached_entry(path: Path, folder: Path, stem: str, label: str | None) -> TakeAnalysis | None:
    """The entry as a TakeAnalysis; None when missing, incomplete or hand-edited into the wrong shape."""
    meta = cache.read_meta(folder, stem)
    if meta is None:
        return None
    arrays = cache.read_arrays(folder, stem)
    if arrays is None:
        return None
    try:
        return analysis_from_entry(path, meta, arrays, label=label)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError):
        log.warning("%s: the cached analysis %s is not in the expected shape; analysing again",
                    path, folder / f"{stem}.json")
        return None


def analyze_take(
    path: Path | str,
    settings: Settings | None = None,
    *,
    force: bool = False,
    progress: ProgressCallback | None = None,
    should_stop: Callable[[], bool] | None = None,
    label: str | None = None,
    segments: int = 1,
) -> TakeAnalysis:
    """Analyse one take (or return its cached analysis). Raises VideoError for unreadable files
    (and for a file that changed while it was being analysed) and AnalysisCancelled when
    `should_stop()` turns true; none of these leaves a cache entry.

    A cache that cannot be written (its folder is a file, the disk is full) costs one warning
    line in `analysis.extra["warnings"]`: the analysis is still returned.

    `segments` > 1 analyses a take of at least `SPLIT_MIN_DURATION_S` in that many time
    segments in parallel worker processes (both cores on one take); results match a single run
    (tests/unit/test_speed_equivalence.py).
    """
    settings = settings or Settings()
    path = Path(path)
    name = label or path.name
    report = progress or (lambda update: None)
    check_take_file(path)  # a FIFO or device would block the hash below; a loop would crash it
    report(ProgressUpdate(name, "hashing"))
    before = cache.file_identity(path)
    folder, stem, content = _entry(path, settings)
    if not force and (cached := _cached_entry(path, folder, stem, name)) is not None:
        report(ProgressUpdate(name, "cached"))
        return cached
    analysis = analyze_uncached(path, name, content, settings, report, should_stop, segments)
    if cache.changed_since(path, before, content):
        raise VideoError(
            "changed while it was being analysed; nothing was cached", Location(path),
            hint="analyse it again once the copy or export has finished",
        )
    report(ProgressUpdate(name, "saving", analysis.frame_count, analysis.duration_s, analysis.duration_s))
    warning = save_entry(path, settings, *entry_from_analysis(analysis))
    if warning is not None:
        analysis.extra.setdefault("warnings", []).append(warning)
    report(ProgressUpdate(name, "done", analysis.frame_count, analysis.duration_s, analysis.duration_s))
    return analysis


def save_entry(path: Path, settings: Settings, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> str | None:
    """Write a finished analysis's cache entry (atomically) where `analyze_take` looks for it;
    also used for results computed elsewhere (a Dask worker). Returns the one warning line
    when the cache cannot be written (the analysis itself is still good), else None."""
    folder, stem, _ = _entry(path, settings)
    try:
        cache.sweep_temp_files(folder)
        cache.write_entry(folder, stem, arrays, meta)
    except OSError as exc:
        return cache.write_failure(folder, exc)
    return None


def analyze_uncached(
    path: Path,
    name: str,
    content: str,
    settings: Settings,
    report: ProgressCallback,
    should_stop: Callable[[], bool] | None,
    segments: int = 1,
    run_segments: Callable[..., dict[str, LandmarkTrack]] | None = None,
) -> TakeAnalysis:
    """Analyse a take that is not cached (nothing is written here). With `segments` > 1 a take
    of at least `SPLIT_MIN_DURATION_S` gets its landmarks from that many time segments, run by
    `run_segments` (same arguments as `extract_landmarks_in_segments`, this machine's worker
    processes by default; a Dask scheduler's workers in rehearse.cluster)."""
    from rehearse.analysis.audio_features import audio_features
    from rehearse.analysis.backends.assembly import expected_frame_count
    from rehearse.analysis.landmarks import extract_landmarks
    from rehearse.analysis.signals import compute_signals
    from rehearse.video.audio import read_audio
    from rehearse.video.frames import iter_frames
    from rehearse.video.probe import probe

    started = time.perf_counter()
    info = probe(path)
    if not info.has_video:
        raise VideoError(
            "has no video stream (audio only)", Location(path), hint="analyze the camera file, not the sound file"
        )
    options = settings.analysis
    # Audio first: its samples (and the decoder's chunks) are freed before per-frame results
    # grow, so a long take's peak memory is the larger of the two, not their sum.
    report(ProgressUpdate(name, "audio", 0, 0.0, info.duration_s))
    audio = audio_features(read_audio(path, sample_rate=options.audio.sample_rate), settings=options.audio)

    def on_frame(frames_done: int, t_s: float) -> None:
        report(ProgressUpdate(name, "landmarks", frames_done, t_s, info.duration_s))

    worker_cpu_s: list[float] = []
    worker_peak_mb: list[float] = []
    if segments > 1 and info.duration_s and info.duration_s >= SPLIT_MIN_DURATION_S:
        extra_arguments = {}
        if run_segments is None:
            from rehearse.analysis.segments import extract_landmarks_in_segments as run_segments

            # local workers report their CPU time and peak memory (for the benchmarks)
            extra_arguments.update(worker_cpu_s=worker_cpu_s, worker_peak_mb=worker_peak_mb)
        tracks = run_segments(
            path, options, info.duration_s, segments=segments, overlap_s=SEAM_OVERLAP_S,
            progress=on_frame, should_stop=should_stop, **extra_arguments,
        )
    else:
        frames = iter_frames(path, max_width=options.max_frame_width)
        with prefetched(frames, options.decode_prefetch_frames) as ahead:
            tracks = extract_landmarks(ahead, options.landmarks, progress=on_frame, should_stop=should_stop,
                                       expected_frames=expected_frame_count(info.duration_s, info.nominal_fps))
    if should_stop is not None and should_stop():
        raise AnalysisCancelled("analysis stopped; nothing was cached", Location(path))
    times = tracks["face"].times
    if times.size == 0:
        raise VideoError("no frame could be decoded", Location(path), hint="the file is damaged or not a video")
    signals = compute_signals(tracks, options.signals)
    # Stored compactly as float32; keep the fresh result identical to what the cache returns,
    # so events detected on a first run and on a cached run are the same.
    signals = SignalTrack(
        np.asarray(signals.times, np.float64),
        {name: np.asarray(values, np.float32) for name, values in signals.values.items()},
    )
    duration_s = take_duration_s(times, info.nominal_fps)
    face_mask = tracks["face"].mask
    coverage = float(face_mask.mean()) if face_mask.size else 0.0
    return TakeAnalysis(
        take=name,
        video_path=path,
        content_hash=content,
        duration_s=duration_s,
        frame_count=int(times.size),
        nominal_fps=float(info.nominal_fps),
        measured_fps=times.size / duration_s if duration_s > 0 else 0.0,
        width=info.width,
        height=info.height,
        rotation_deg=info.rotation_deg,
        landmarks=tracks,
        signals=signals,
        audio=audio,
        face_coverage=coverage,
        face_lost_spans=face_lost_spans(times, face_mask, duration_s, options.face_lost_min_s),
        no_face=coverage <= options.no_face_max_coverage,
        settings_key=settings_key(settings),
        analyzer_version=ANALYZER_VERSION,
        analysis_seconds=time.perf_counter() - started,
        extra={"segment_worker_cpu_s": worker_cpu_s, "segment_worker_peak_rss_mb": worker_peak_mb} if worker_cpu_s else {},
    )


def take_duration_s(times: np.ndarray, nominal_fps: float) -> float:
    """Duration from PTS: last - first + one typical frame interval (the last frame is shown too)."""
    if times.size == 0:
        return 0.0
    if times.size == 1:
        return 1.0 / nominal_fps if nominal_fps > 0 else 0.0
    interval = float(np.median(np.diff(times)))
    return float(times[-1] - times[0]) + interval


def face_lost_spans(times: np.ndarray, face_mask: np.ndarray, duration_s: float, min_s: float) -> list[TimeSpan]:
    """Spans where no face was tracked, at least `min_s` long. A span runs from its first
    face-less frame to the next frame with a face (or the end of the take)."""
    spans: list[TimeSpan] = []
    lost = ~face_mask.astype(bool)
    if not lost.any():
        return spans
    end_of_take = float(times[0]) + duration_s
    edges = np.diff(np.concatenate(([0], lost.astype(np.int8), [0])))
    for first, after in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
        start = float(times[first])
        end = float(times[after]) if after < times.size else end_of_take
        if end - start >= min_s:
            spans.append(TimeSpan(start, end))
    return spans


# -- cache entry <-> TakeAnalysis -----------------------------------------------------------

_META_FIELDS = (
    "take", "content_hash", "duration_s", "frame_count", "nominal_fps", "measured_fps", "width",
    "height", "rotation_deg", "face_coverage", "no_face", "settings_key", "analyzer_version",
    "analysis_seconds",
)


def entry_from_analysis(analysis: TakeAnalysis) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Arrays (float32 per-frame data, float64 times) and JSON metadata for the cache."""
    arrays: dict[str, np.ndarray] = {}
    parts: dict[str, Any] = {}
    walked: list[str] = []
    for part, track in analysis.landmarks.items():
        arrays[f"lm.{part}.times"] = np.asarray(track.times, np.float64)
        arrays[f"lm.{part}.points"] = np.asarray(track.points, np.float32)
        arrays[f"lm.{part}.confidence"] = np.asarray(track.confidence, np.float32)
        if track.walked_back is not None:
            arrays[f"lm.{part}.walked_back"] = np.asarray(track.walked_back, np.bool_)
            walked.append(part)
        parts[part] = list(track.image_size)
    arrays["sig.times"] = np.asarray(analysis.signals.times, np.float64)
    for name, values in analysis.signals.values.items():
        arrays[f"sig.{name}"] = np.asarray(values, np.float32)
    arrays["audio.times"] = np.asarray(analysis.audio.times, np.float64)
    arrays["audio.rms_db"] = np.asarray(analysis.audio.rms_db, np.float32)
    arrays["audio.speech"] = np.asarray(analysis.audio.speech, np.uint8)
    meta = {key: getattr(analysis, key) for key in _META_FIELDS}
    meta.update(
        video_path=str(analysis.video_path),
        landmark_parts=parts,
        walked_back_parts=walked,
        signal_names=list(analysis.signals.values),
        audio_sample_rate=analysis.audio.sample_rate,
        face_lost_spans=[[s.start_s, s.end_s] for s in analysis.face_lost_spans],
        written_at=time.time(),
    )
    return arrays, meta


def analysis_from_entry(path: Path, meta: dict[str, Any], arrays: dict[str, np.ndarray], *, label: str | None = None) -> TakeAnalysis:
    """Rebuild a TakeAnalysis from a cache entry (the take is named by `label` when given)."""
    landmarks = {
        part: LandmarkTrack(
            part,
            arrays[f"lm.{part}.times"],
            arrays[f"lm.{part}.points"],
            arrays[f"lm.{part}.confidence"],
            (int(size[0]), int(size[1])),
            # Listed parts must have it (else the entry is not in the expected shape: analysed again).
            arrays[f"lm.{part}.walked_back"] if part in meta.get("walked_back_parts", ()) else None,
        )
        for part, size in meta["landmark_parts"].items()
    }
    signals = SignalTrack(arrays["sig.times"], {name: arrays[f"sig.{name}"] for name in meta["signal_names"]})
    audio = AudioFeatures(
        arrays["audio.times"], arrays["audio.rms_db"], arrays["audio.speech"], int(meta["audio_sample_rate"])
    )
    fields = {key: meta[key] for key in _META_FIELDS}
    if label:
        fields["take"] = label
    return TakeAnalysis(
        video_path=path,
        landmarks=landmarks,
        signals=signals,
        audio=audio,
        face_lost_spans=[TimeSpan(float(a), float(b)) for a, b in meta["face_lost_spans"]],
        from_cache=True,
        **fields,
    )
