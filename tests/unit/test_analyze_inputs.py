"""analyze_take on bad and odd inputs, one by one: a one-line VideoError or a clean result, no cache."""

from __future__ import annotations

import pytest
from tests_support.videos import audio_only, textured_frames

from rehearse.analysis import cache
from rehearse.analysis.take import analyze_take, load_cached
from rehearse.config import Settings
from rehearse.errors import VideoError
from rehearse.video.writer import write_video


@pytest.fixture
def settings(tmp_path):
    return Settings(cache_dir=tmp_path / "cache")


def _assert_one_line(error: VideoError, path, words: str) -> None:
    line = error.one_line()
    assert "\n" not in line and str(path) in line and words in line, line


@pytest.mark.parametrize(
    ("name", "make", "words"),
    [
        ("missing.mp4", lambda p: None, "not found"),
        ("zero.mp4", lambda p: p.write_bytes(b""), "empty"),
        ("notes.mp4", lambda p: p.write_text("INT. KITCHEN - NIGHT\n"), "not a video"),
        ("boom.mp4", audio_only, "no video stream"),
        ("folder.mp4", lambda p: p.mkdir(), "not a regular video file (a folder)"),
    ],
)
def test_unreadable_inputs_raise_one_line_and_cache_nothing(tmp_path, settings, name, make, words):
    path = tmp_path / name
    make(path)
    with pytest.raises(VideoError) as caught:
        analyze_take(path, settings)
    _assert_one_line(caught.value, path, words)
    assert not settings.cache_dir.exists() or not any(settings.cache_dir.iterdir())
    assert load_cached(path, settings) is None


@pytest.mark.models
def test_truncated_file_gives_the_frames_before_the_cut_or_one_line(tmp_path, settings):
    good = write_video(tmp_path / "good.mp4", textured_frames(48, 320, 240), fps=24)
    cut = tmp_path / "cut.mp4"
    data = good.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    try:
        analysis = analyze_take(cut, settings)
    except VideoError as error:
        _assert_one_line(error, cut, "")
    else:
        assert 0 < analysis.frame_count < 48
        assert analysis.no_face  # random texture: a result, not an error
    assert cache.temp_files(settings.cache_dir) == []


@pytest.mark.models
def test_one_frame_and_portrait_videos_are_results(tmp_path, settings):
    one = analyze_take(write_video(tmp_path / "one.mp4", textured_frames(1, 320, 240), fps=25), settings)
    assert one.frame_count == 1 and one.duration_s == pytest.approx(0.04) and one.no_face
    assert one.signals.frame_count == 1 and not one.audio.has_audio
    portrait = analyze_take(
        write_video(tmp_path / "portrait.mp4", textured_frames(4, 320, 240), fps=30, rotation_deg=90), settings
    )
    assert (portrait.width, portrait.height, portrait.rotation_deg) == (240, 320, 90)
    assert portrait.landmarks["face"].image_size == (240, 320)  # frames reach the models upright
