"""The fast default schedule and a take split across two processes give the every-frame, single-process events (real models).

Reference: Pose and Hands on every frame, one process. Compared: the default schedule (Pose
every 4th frame and whenever motion energy says the body moves, Hands searched every 6th
frame) and the same split at a seam into two worker processes. Holds (face and body), blinks
and gestures must be the same events, each edge within 2 frames, none split or doubled at the
seam. The batch plan's path (`pipeline.analyze_targets` as `rehearse analyze` calls it, here
on 2 cores, splitting the take) is compared the same way. Run on a rendered sample take (head turn, lean, holds, blinks) and on a real clip
(single_face.mp4 played forward and back to 7 s: blinks, holds, a smile).
"""

from __future__ import annotations

import numpy as np
import pytest

from rehearse.analysis import take as take_module
from rehearse.analysis.events import detect_events
from rehearse.config import AnalysisSettings, Settings

pytestmark = [pytest.mark.models, pytest.mark.slow]

KINDS = ("hold", "blink", "gesture")
EVERY_FRAME = {"pose_every_n_frames": 1, "hands": "always"}


def _key(event) -> tuple:
    return (event.kind, event.label, event.side, event.scope)


def edge_differences(reference: list, other: list, fps: float) -> tuple[list[float], list, list]:
    """Onset and offset differences (frames) of events paired in time order per key, and the
    keys whose counts differ (reference, other)."""
    differences: list[float] = []
    missing, extra = [], []
    for key in sorted({_key(e) for e in reference + other}, key=str):
        mine = sorted((e for e in reference if _key(e) == key), key=lambda e: e.start_s)
        theirs = sorted((e for e in other if _key(e) == key), key=lambda e: e.start_s)
        if len(mine) != len(theirs):
            missing.append((key, [round(e.start_s * fps, 1) for e in mine]))
            extra.append((key, [round(e.start_s * fps, 1) for e in theirs]))
            continue
        for a, b in zip(mine, theirs, strict=True):
            differences += [abs(a.start_s - b.start_s) * fps, abs(a.end_s - b.end_s) * fps]
    return differences, missing, extra


def _runs(video, cache_dir, monkeypatch_split) -> dict:
    from rehearse import batch_plan, pipeline

    out = {}
    for name, landmarks, segments in (
        ("every frame", EVERY_FRAME, 1), ("default", {}, 1), ("default, 2 processes", {}, 2),
        ("default plan, 2 cores", {}, None),
    ):
        settings = Settings(cache_dir=cache_dir / name.replace(" ", "_").replace(",", ""),
                            analysis=AnalysisSettings(landmarks=landmarks))
        with monkeypatch_split():
            if segments is None:  # what `rehearse analyze` does: the batch plan decides
                target = pipeline.TakeTarget(video, video.name)
                assert batch_plan.plan_batch([target], settings, 2, force=True).segments == (2,)
                [outcome] = pipeline.analyze_targets([target], settings, jobs=2, force=True)
                analysis = outcome.analysis
                assert analysis.extra.get("segment_worker_cpu_s"), "the plan did not split the take"
            else:
                analysis = take_module.analyze_take(video, settings, force=True, segments=segments)
        events = [e for e in detect_events(analysis.signals, analysis.audio, landmarks=analysis.landmarks)
                  if e.kind in KINDS]
        out[name] = (analysis, events)
    return out


@pytest.fixture(scope="module")
def split_short_takes():
    """Let the short test takes be split (the product splits takes of 8 s and more)."""
    import contextlib

    from rehearse import batch_plan

    @contextlib.contextmanager
    def patch():
        before = take_module.SPLIT_MIN_DURATION_S, batch_plan.WORKER_START_S
        # The batch plan splits a lone take from ~14 s up; free worker start-up lets it split these.
        take_module.SPLIT_MIN_DURATION_S, batch_plan.WORKER_START_S = 2.0, 0.0
        try:
            yield
        finally:
            take_module.SPLIT_MIN_DURATION_S, batch_plan.WORKER_START_S = before
    return patch


@pytest.fixture(scope="module")
def rendered_runs(tmp_path_factory, split_short_takes):
    from tests_support import SAMPLE_PRODUCTION

    return _runs(SAMPLE_PRODUCTION / "takes" / "01-1A-1.mp4", tmp_path_factory.mktemp("rendered"), split_short_takes)


@pytest.fixture(scope="module")
def real_runs(tmp_path_factory, split_short_takes):
    from tests_support import SHARED_CLIPS

    source = SHARED_CLIPS / "single_face.mp4"
    if not source.exists():
        pytest.skip(f"{source} not found: the real clips live in ../shared/clips beside the project")
    from rehearse.video.frames import iter_frames
    from rehearse.video.writer import write_video

    frames = [f.image for f in iter_frames(source)]
    there_and_back = frames + frames[-2:0:-1]
    looped = [there_and_back[i % len(there_and_back)] for i in range(210)]  # 7 s at 30 fps
    video = write_video(tmp_path_factory.mktemp("real") / "single_face_7s.mp4", looped, fps=30.0, crf=18)
    return _runs(video, tmp_path_factory.mktemp("real_cache"), split_short_takes)


@pytest.mark.parametrize("compared", ["default", "default, 2 processes", "default plan, 2 cores"])
def test_rendered_take_events_match_the_every_frame_single_process_run(rendered_runs, compared):
    reference, events = rendered_runs["every frame"][1], rendered_runs[compared][1]
    fps = rendered_runs["every frame"][0].measured_fps
    kinds = {e.kind for e in reference}
    assert {"hold", "blink", "gesture"} <= kinds  # the take has all three to compare
    assert any(e.scope == "body" for e in reference if e.kind == "hold")
    differences, missing, extra = edge_differences(reference, events, fps)
    assert not missing and not extra, (missing, extra)
    assert max(differences) <= 2.0, sorted(differences)[-5:]


@pytest.mark.parametrize("compared", ["default", "default, 2 processes", "default plan, 2 cores"])
def test_real_clip_events_match_the_every_frame_single_process_run(real_runs, compared):
    reference, events = real_runs["every frame"][1], real_runs[compared][1]
    fps = real_runs["every frame"][0].measured_fps
    assert sum(e.kind == "blink" for e in reference) >= 2
    assert any(e.kind == "hold" and e.scope == "body" for e in reference)
    differences, missing, extra = edge_differences(reference, events, fps)
    assert not missing and not extra, (missing, extra)
    assert max(differences) <= 2.0, sorted(differences)[-5:]


def test_split_run_joins_its_segments_without_a_gap_or_a_repeat(rendered_runs):
    single, split = rendered_runs["default"][0], rendered_runs["default, 2 processes"][0]
    assert np.array_equal(single.signals.times, split.signals.times)
    # Per-frame face signals after the seam come from a tracker that started 1 s earlier: the
    # same landmarks to within tracker noise, on every frame.
    for name, tolerance in (("eye_open_left", 0.02), ("mouth_width", 0.02), ("head_yaw", 1.0)):
        a, b = single.signals[name], split.signals[name]
        assert np.array_equal(np.isnan(a), np.isnan(b))
        assert np.nanmax(np.abs(a - b)) < tolerance, name
