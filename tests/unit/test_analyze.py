"""analyze_take on real footage with the real models: results for real clips, and the cache.

The cache checks are real: a cached analysis is answered in a fresh interpreter that never
imports PyAV or MediaPipe (so it cannot have decoded a frame), reports no frame progress, and
is much faster than the first run.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import numpy as np
import pytest

from rehearse.analysis.take import analyze_take, load_cached
from rehearse.config import Settings

pytestmark = pytest.mark.models


@pytest.fixture
def settings(tmp_path):
    return Settings(cache_dir=tmp_path / "cache")


def _run(path, settings, **kwargs):
    updates = []
    started = time.perf_counter()
    analysis = analyze_take(path, settings, progress=updates.append, **kwargs)
    return analysis, updates, time.perf_counter() - started


def test_single_face_analysed_then_served_from_cache_without_decoding(shared_clips, settings, tmp_path):
    clip = shared_clips / "single_face.mp4"
    first, updates, first_s = _run(clip, settings)
    assert first.frame_count == 72 and not first.from_cache
    assert first.measured_fps == pytest.approx(30.0, abs=0.1)
    assert first.duration_s == pytest.approx(2.4, abs=0.01)
    assert first.face_coverage == 1.0 and not first.no_face and first.face_lost_spans == []
    assert (first.width, first.height, first.rotation_deg) == (640, 360, 0)
    assert first.signals.frame_count == 72 and "eye_open_left" in first.signals
    frame_updates = [u for u in updates if u.stage == "landmarks"]
    assert [u.frames_done for u in frame_updates] == list(range(1, 73))
    assert updates[-1].stage == "done"

    second, updates, second_s = _run(clip, settings)
    assert second.from_cache
    assert [u.stage for u in updates] == ["hashing", "cached"]  # no frame was analysed
    assert second_s < first_s / 5
    assert second.frame_count == 72 and second.face_coverage == 1.0
    for name, values in first.signals.values.items():
        np.testing.assert_array_equal(second.signals[name], values, err_msg=name)
    np.testing.assert_array_equal(second.landmarks["face"].points, first.landmarks["face"].points)

    # A fresh interpreter loads it without importing the decoder or the models at all.
    probe = (
        "import sys, json; from rehearse.analysis.take import load_cached; from rehearse.config import Settings;"
        f"a = load_cached({str(clip)!r}, Settings(cache_dir={str(tmp_path / 'cache')!r}));"
        "print(json.dumps([a is not None and a.frame_count, 'av' in sys.modules, 'mediapipe' in sys.modules, 'cv2' in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == [72, False, False, False]

    forced, updates, _ = _run(clip, settings, force=True)
    assert not forced.from_cache
    assert sum(u.stage == "landmarks" for u in updates) == 72


def test_cache_misses_when_the_file_or_the_settings_change(shared_clips, settings, tmp_path):
    clip = tmp_path / "copy.mp4"
    clip.write_bytes((shared_clips / "single_face.mp4").read_bytes())
    analyze_take(clip, settings)
    assert load_cached(clip, settings) is not None
    other = Settings(cache_dir=settings.cache_dir, analysis={"face_lost_min_s": 0.5})
    assert load_cached(clip, other) is None
    clip.write_bytes(clip.read_bytes() + b"\0")  # any byte changes the content hash
    assert load_cached(clip, settings) is None


def test_no_face_clip_is_a_clean_no_face_result(shared_clips, settings):
    analysis = analyze_take(shared_clips / "no_face.mp4", settings)
    assert analysis.no_face and analysis.face_coverage == 0.0
    assert analysis.frame_count == 95  # decoded, not the container's claimed 98
    assert len(analysis.face_lost_spans) == 1
    assert analysis.face_lost_spans[0].start_s == 0.0
    assert analysis.face_lost_spans[0].end_s == pytest.approx(analysis.duration_s)


def test_face_lost_midway_is_reported_as_a_time_span(shared_clips, settings):
    analysis = analyze_take(shared_clips / "face_noface.mov", settings)
    assert not analysis.no_face and 0.2 < analysis.face_coverage < 0.6
    assert len(analysis.face_lost_spans) == 1
    lost = analysis.face_lost_spans[0]
    face_times = analysis.landmarks["face"].times[analysis.landmarks["face"].mask]
    assert lost.start_s == pytest.approx(face_times.max() + 1 / 26.4, abs=0.06)  # the frame after the last face
    assert lost.end_s == pytest.approx(analysis.duration_s, abs=1e-6)
    assert 1.0 < lost.start_s < 3.5
    # VFR: measured from PTS, not the nominal rate's index / fps
    assert analysis.measured_fps == pytest.approx(169 / analysis.duration_s)


def test_scene_results_analyse_its_takes_and_detect_events_on_beat_marks(shared_clips, tmp_path):
    from rehearse.breakdown.loader import open_project
    from rehearse.scene_results import scene_results

    root = tmp_path / "film"
    (root / "takes").mkdir(parents=True)
    (root / "takes" / "smile.mp4").write_bytes((shared_clips / "single_face.mp4").read_bytes())
    (root / "production.yaml").write_text(
        "title: T\ncharacters:\n  - {id: maya, name: MAYA, actor: Jo Vale, consent: true}\n"
    )
    (root / "01.yaml").write_text(
        'id: "01"\nheading: INT. ROOM - DAY\ncharacters: [maya]\n'
        "beats:\n  - {id: b1, summary: Waits.}\n  - {id: b2, summary: Smiles.}\n"
        "shots:\n  - {id: 1A, size: CU, beats: [b1, b2]}\n"
        "takes:\n  - {shot: 1A, number: 1, file: takes/smile.mp4, beat_marks: {b1: 0s, b2: 1.0s}}\n"
        "  - {shot: 1A, number: 2, file: takes/not_yet.mp4}\n"
    )
    settings = Settings(cache_dir=tmp_path / "cache")
    project = open_project(root)
    take, unrecorded = scene_results(project, project.scene("01"), settings).takes
    assert unrecorded.problem == "takes/not_yet.mp4 is not recorded yet" and unrecorded.analysis is None
    assert take.problem is None and take.take.label == "1A-1"
    assert take.beat_marks == {"b1": 0.0, "b2": 1.0} and take.beat_marks_source == "breakdown"
    assert [b.beat for b in take.beats] == ["b1", "b2"]
    assert all(0 <= e.start_s <= take.analysis.duration_s for e in take.events)
    assert all(e.beat in ("b1", "b2") for e in take.events)
