"""The analysis cache: content hashes, locations, atomic entries, and TakeAnalysis round trips."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from rehearse.analysis import cache
from rehearse.analysis.settings import AnalysisSettings, AudioSettings
from rehearse.analysis.take import TakeAnalysis, analysis_from_entry, entry_from_analysis
from rehearse.analysis.tracks import AudioFeatures, LandmarkTrack, SignalTrack, TimeSpan
from rehearse.config import Settings, settings_key


def test_content_hash_follows_bytes_not_names(tmp_path):
    first = tmp_path / "a.mp4"
    first.write_bytes(b"x" * 3_000_000)
    copy = tmp_path / "b.mp4"
    copy.write_bytes(first.read_bytes())
    assert cache.content_hash(first) == cache.content_hash(copy)
    changed = bytearray(first.read_bytes())
    changed[2_500_000] ^= 1  # one bit, in the third MiB chunk
    copy.write_bytes(bytes(changed))
    assert cache.content_hash(first) != cache.content_hash(copy)


def test_large_files_hash_a_sample_that_still_sees_edits(tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "FULL_HASH_MAX_BYTES", 4 << 20)
    monkeypatch.setattr(cache, "EDGE_BYTES", 1 << 20)
    big = tmp_path / "big.mov"
    data = bytearray(np.random.default_rng(0).integers(0, 255, 40 << 20, dtype=np.uint8).tobytes())
    big.write_bytes(bytes(data))
    original = cache.content_hash(big)
    data[-10] ^= 1  # the tail (moov atom of a camera file) is always hashed
    big.write_bytes(bytes(data))
    assert cache.content_hash(big) != original
    big.write_bytes(bytes(data) + b"\0")  # a different length always differs
    assert cache.content_hash(big) != original


def test_settings_key_is_stable_and_sensitive():
    assert settings_key(Settings()) == settings_key(Settings())
    changed = Settings(analysis=AnalysisSettings(audio=AudioSettings(speech_margin_db=12)))
    assert settings_key(changed) != settings_key(Settings())
    # the cache location and speed-only knobs are not part of the key
    assert settings_key(Settings(analysis=AnalysisSettings(decode_prefetch_frames=0))) == settings_key(Settings())
    assert settings_key(Settings(cache_dir=Path("/elsewhere"))) == settings_key(Settings())


def test_cache_location(tmp_path, monkeypatch):
    monkeypatch.delenv("REHEARSE_CACHE_DIR", raising=False)
    production = tmp_path / "film"
    (production / "takes").mkdir(parents=True)
    (production / "production.yaml").write_text("title: x\n")
    take = production / "takes" / "01-1A-1.mp4"
    assert cache.cache_dir_for(take) == production.resolve() / ".rehearse" / "cache"
    loose = tmp_path / "loose.mp4"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir_for(loose) == tmp_path / "xdg" / "rehearse"
    monkeypatch.setenv("REHEARSE_CACHE_DIR", str(tmp_path / "env"))
    assert cache.cache_dir_for(take) == tmp_path / "env"
    assert cache.cache_dir_for(take, tmp_path / "configured") == tmp_path / "configured"


def _analysis(path: Path) -> TakeAnalysis:
    rng = np.random.default_rng(1)
    times = np.arange(48) / 24.0
    face = rng.random((48, 478, 3)).astype(np.float32)
    confidence = np.ones(48, np.float32)
    face[10:20] = np.nan
    confidence[10:20] = 0
    tracks = {"face": LandmarkTrack("face", times, face, confidence, (640, 360))}
    signals = SignalTrack(times, {"eye_open_left": rng.random(48).astype(np.float32)})
    audio = AudioFeatures(np.arange(200) * 0.01, rng.random(200).astype(np.float32), np.zeros(200, np.uint8), 16000)
    return TakeAnalysis(
        take="1A-1", video_path=path, content_hash="abc", duration_s=2.0, frame_count=48,
        nominal_fps=24.0, measured_fps=24.0, width=640, height=360, rotation_deg=0,
        landmarks=tracks, signals=signals, audio=audio, face_coverage=38 / 48,
        face_lost_spans=[TimeSpan(10 / 24, 20 / 24)], no_face=False, settings_key="k",
        analyzer_version="1", analysis_seconds=1.5,
    )


def test_entry_round_trip(tmp_path):
    analysis = _analysis(tmp_path / "take.mp4")
    arrays, meta = entry_from_analysis(analysis)
    cache.write_entry(tmp_path / "c", "stem", arrays, meta)
    meta_back = cache.read_meta(tmp_path / "c", "stem")
    back = analysis_from_entry(analysis.video_path, meta_back, cache.read_arrays(tmp_path / "c", "stem"))
    assert back.from_cache and back.take == "1A-1" and back.frame_count == 48
    np.testing.assert_array_equal(back.landmarks["face"].points, analysis.landmarks["face"].points)
    np.testing.assert_array_equal(back.landmarks["face"].mask, analysis.landmarks["face"].mask)
    assert back.landmarks["face"].image_size == (640, 360)
    np.testing.assert_array_equal(back.signals["eye_open_left"], analysis.signals["eye_open_left"])
    assert back.audio.sample_rate == 16000 and back.audio.has_audio
    assert back.face_lost_spans[0].start_s == pytest.approx(10 / 24)
    assert back.summary()["face_coverage"] == pytest.approx(38 / 48, abs=1e-4)
    assert cache.temp_files(tmp_path / "c") == []


def test_the_frames_a_hand_was_walked_back_over_survive_the_cache_and_an_entry_without_them_is_safe(tmp_path):
    """Hand tracks carry which frames a hand found later filled (`walked_back`: expressions read
    the hand cover from the others). An entry written without it (before analyzer version 11, or
    hand-edited) reads as "all found going forward"; one that lists it but lost the array is
    analysed again, never a crash."""
    import json as json_module

    from rehearse.analysis.take import _cached_entry

    analysis = _analysis(tmp_path / "take.mp4")
    times = analysis.landmarks["face"].times
    hand = np.full((48, 21, 3), 0.5, np.float32)
    walked = np.zeros(48, bool)
    walked[5:9] = True
    analysis.landmarks["right_hand"] = LandmarkTrack("right_hand", times, hand, np.full(48, 0.9, np.float32),
                                                     (640, 360), walked)
    arrays, meta = entry_from_analysis(analysis)
    folder = tmp_path / "c"
    cache.write_entry(folder, "stem", arrays, meta)
    back = _cached_entry(analysis.video_path, folder, "stem", None)
    assert np.array_equal(back.landmarks["right_hand"].walked_back, walked)
    assert back.landmarks["face"].walked_back is None
    assert np.array_equal(back.landmarks["right_hand"].found_forward, ~walked)
    older = {name: value for name, value in arrays.items() if not name.endswith(".walked_back")}
    cache.write_entry(folder, "old", older, {k: v for k, v in meta.items() if k != "walked_back_parts"})
    assert _cached_entry(analysis.video_path, folder, "old", None).landmarks["right_hand"].found_forward.all()
    cache.write_entry(folder, "lost", older, meta)
    assert json_module.loads((folder / "lost.json").read_text())["walked_back_parts"] == ["right_hand"]
    assert _cached_entry(analysis.video_path, folder, "lost", None) is None


def test_npz_without_matching_json_is_not_an_entry(tmp_path):
    arrays, meta = entry_from_analysis(_analysis(tmp_path / "t.mp4"))
    folder = tmp_path / "c"
    cache.write_entry(folder, "stem", arrays, meta)
    (folder / "stem.json").unlink()
    assert cache.read_meta(folder, "stem") is None
    cache.write_entry(folder, "stem", arrays, meta)
    with (folder / "stem.npz").open("ab") as handle:  # arrays replaced by a different size
        handle.write(b"junk")
    assert cache.read_meta(folder, "stem") is None
    recorded = json.loads((folder / "stem.json").read_text())
    assert recorded["npz_bytes"] == (folder / "stem.npz").stat().st_size - 4


def test_failed_write_leaves_no_temp_and_keeps_no_entry(tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()

    class Boom(RuntimeError):
        pass

    def failing(handle):
        handle.write(b"half")
        raise Boom

    with pytest.raises(Boom):
        cache._atomic_write(folder / "x.npz", failing)
    assert list(folder.iterdir()) == []


def test_sweep_removes_only_stale_temp_files(tmp_path):
    stale = tmp_path / f"{cache.TEMP_PREFIX}old.npz.123"
    fresh = tmp_path / f"{cache.TEMP_PREFIX}new.npz.456"
    stale.write_bytes(b"x")
    fresh.write_bytes(b"x")


    os.utime(stale, (0, 0))
    assert cache.sweep_temp_files(tmp_path) == 1
    assert not stale.exists() and fresh.exists()


# -- take helpers that need no video -----------------------------------------------------------


def test_prefetch_hands_over_frames_errors_and_stops_early():
    import threading

    from rehearse.analysis.prefetch import prefetched
    from rehearse.errors import VideoError

    with prefetched(iter(range(100)), 4) as ahead:
        assert list(ahead) == list(range(100))

    def broken():
        yield 1
        raise VideoError("damaged")

    with pytest.raises(VideoError), prefetched(broken(), 4) as ahead:
        list(ahead)

    before = threading.active_count()
    with prefetched(iter(range(10_000)), 2) as ahead:
        assert next(ahead) == 0  # the consumer leaves early (should_stop): the thread must end
    assert threading.active_count() == before


def test_face_lost_spans_and_duration_from_pts():
    from rehearse.analysis.take import face_lost_spans, take_duration_s

    times = np.arange(48) / 24.0
    mask = np.ones(48, bool)
    mask[10:20] = False  # 10 frames lost: 0.417 s
    mask[30:33] = False  # 3 frames: 0.125 s, under the 0.25 s minimum
    mask[45:] = False  # lost until the end
    duration = take_duration_s(times, 24.0)
    assert duration == pytest.approx(2.0)
    spans = face_lost_spans(times, mask, duration, 0.1)
    assert [(round(s.start_s, 3), round(s.end_s, 3)) for s in spans] == [(0.417, 0.833), (1.25, 1.375), (1.875, 2.0)]
    assert len(face_lost_spans(times, mask, duration, 0.25)) == 1
    assert take_duration_s(np.array([0.0]), 25.0) == pytest.approx(0.04)


def test_hashes_handed_to_a_worker_are_not_read_again_and_a_changed_file_is(tmp_path):
    """The batch plan hashes takes in the parent (is it cached?); pool workers get those hashes
    (`known_hashes` -> `remember_hashes`) instead of reading each take again. A file changed
    since has another identity, so it is hashed anew."""
    import os

    from rehearse.analysis import cache as cache_module

    take = tmp_path / "take.mp4"
    take.write_bytes(b"frames" * 1000)
    real = cache_module.content_hash(take)
    handed = {key: "f" * 32 for key, value in cache_module.known_hashes().items() if value == real}
    assert len(handed) == 1
    cache_module.remember_hashes(handed)  # as a worker would, with a value it could not compute itself
    assert cache_module.content_hash(take) == "f" * 32
    take.write_bytes(b"other!" * 1000)
    os.utime(take, ns=(1, 1))
    assert cache_module.content_hash(take) not in ("f" * 32, real)
