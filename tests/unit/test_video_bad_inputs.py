"""Bad video files give a clean result or a one-line VideoError naming the file and the fix."""

from __future__ import annotations

import logging
from fractions import Fraction

import av
import numpy as np
import pytest

from rehearse.errors import VideoError
from rehearse.video.audio import Audio, read_audio
from rehearse.video.frames import frame_times, iter_frames, read_frame_at
from rehearse.video.probe import probe
from rehearse.video.writer import write_video

FRAME_COUNT = 60
FPS = 30
READERS = {
    "probe": probe,
    "iter_frames": lambda path: list(iter_frames(path)),
    "frame_times": frame_times,
    "read_frame_at": lambda path: read_frame_at(path, 0.0),
    "read_audio": read_audio,
}


def noisy_frames(count: int) -> list[np.ndarray]:
    # Noise does not compress, so the bytes spread evenly over the frames.
    rng = np.random.default_rng(7)
    return [rng.integers(0, 256, (64, 96, 3), dtype=np.uint8) for _ in range(count)]


def assert_one_line_error(error: VideoError, path, *words: str) -> None:
    line = error.one_line()
    assert "\n" not in line and "Traceback" not in line
    assert str(path) in line
    assert "(" in line and line.endswith(")")  # the fix, in parentheses
    for word in words:
        assert word in line, line


@pytest.fixture(scope="module")
def take(tmp_path_factory):
    """A 2 s take with audio, written with the index first (faststart), as write_video does."""
    path = tmp_path_factory.mktemp("bad") / "take.mp4"
    silence = Audio(np.zeros(2 * 16000, np.float32), 16000, 0.0)
    return write_video(path, noisy_frames(FRAME_COUNT), fps=FPS, audio=silence)


def truncated_copy(source, target, fraction: float):
    data = source.read_bytes()
    target.write_bytes(data[: int(len(data) * fraction)])
    return target


@pytest.mark.parametrize("reader", sorted(READERS))
def test_missing_file(tmp_path, reader):
    path = tmp_path / "take_07.mp4"
    with pytest.raises(VideoError) as caught:
        READERS[reader](path)
    assert_one_line_error(caught.value, path, "not found")


@pytest.mark.parametrize("reader", sorted(READERS))
def test_zero_byte_file(tmp_path, reader):
    path = tmp_path / "empty.mp4"
    path.touch()
    with pytest.raises(VideoError) as caught:
        READERS[reader](path)
    assert_one_line_error(caught.value, path, "empty")


@pytest.mark.parametrize("reader", sorted(READERS))
def test_text_file_named_mp4(tmp_path, reader):
    path = tmp_path / "notes.mp4"
    path.write_text("INT. KITCHEN - NIGHT\nShe does not look up.\n" * 50)
    with pytest.raises(VideoError) as caught:
        READERS[reader](path)
    assert_one_line_error(caught.value, path, "not a video")


def test_truncated_mp4_yields_the_frames_before_the_cut(tmp_path, take, caplog):
    path = truncated_copy(take, tmp_path / "half.mp4", 0.5)
    with caplog.at_level(logging.WARNING, logger="rehearse.video"):
        frames = list(iter_frames(path))
    assert 0 < len(frames) < FRAME_COUNT
    assert [f.index for f in frames] == list(range(len(frames)))
    np.testing.assert_allclose([f.t for f in frames], np.arange(len(frames)) / FPS, atol=1e-9)
    assert "truncated" in caplog.text
    assert len(frame_times(path)) == len(frames)
    audio = read_audio(path)
    assert audio is not None and 0 < audio.duration_s < 2.0


def test_damage_mid_file_skips_the_bad_part_and_keeps_the_rest(tmp_path, take, caplog):
    data = bytearray(take.read_bytes())
    cut_from, cut_to = int(len(data) * 0.40), int(len(data) * 0.45)
    data[cut_from:cut_to] = np.random.default_rng(3).integers(0, 256, cut_to - cut_from, np.uint8).tobytes()
    path = tmp_path / "scratched.mp4"
    path.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING, logger="rehearse.video"):
        times = np.array([f.t for f in iter_frames(path)])
    assert "damaged" in caplog.text
    assert 0 < len(times) < FRAME_COUNT
    assert times[-1] == pytest.approx((FRAME_COUNT - 1) / FPS, abs=1e-9)  # frames after the damage
    # every surviving frame keeps its own exact time
    np.testing.assert_allclose(times * FPS, np.round(times * FPS), atol=1e-6)


def test_truncated_mp4_with_no_decodable_frame_is_a_clean_error(tmp_path, take):
    path = truncated_copy(take, tmp_path / "stub.mp4", 0.02)
    with pytest.raises(VideoError) as caught:
        list(iter_frames(path))
    assert_one_line_error(caught.value, path)


def test_truncated_mp4_without_its_index_is_a_clean_error(tmp_path):
    # An MP4 written the usual way has its index (moov) at the end: cutting it loses the index.
    whole = tmp_path / "index_last.mp4"
    with av.open(str(whole), "w") as container:
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = 96, 64, "yuv420p"
        for index, image in enumerate(noisy_frames(20)):
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts = index
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    path = truncated_copy(whole, tmp_path / "index_lost.mp4", 0.5)
    for reader in READERS.values():
        with pytest.raises(VideoError) as caught:
            reader(path)
        assert_one_line_error(caught.value, path, "not a video")


@pytest.fixture
def audio_only(tmp_path):
    path = tmp_path / "boom_mic.m4a"
    rate = 16000
    with av.open(str(path), "w") as container:
        stream = container.add_stream("aac", rate=rate, layout="mono")
        t = np.arange(rate) / rate
        samples = (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
        for start in range(0, rate, 1024):
            chunk = samples[start : start + 1024].reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="mono")
            frame.sample_rate, frame.pts, frame.time_base = rate, start, Fraction(1, rate)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def test_audio_only_file(audio_only):
    info = probe(audio_only)
    assert not info.has_video and info.has_audio and info.codec == "aac"
    for reader in ("iter_frames", "frame_times", "read_frame_at"):
        with pytest.raises(VideoError) as caught:
            READERS[reader](audio_only)
        assert_one_line_error(caught.value, audio_only, "has no video stream")
    audio = read_audio(audio_only, sample_rate=8000)
    assert audio.sample_rate == 8000 and audio.duration_s == pytest.approx(1.0, abs=0.005)


def test_directory_instead_of_a_file(tmp_path):
    with pytest.raises(VideoError) as caught:
        probe(tmp_path)
    assert_one_line_error(caught.value, tmp_path, "not a regular video file (a folder)")
