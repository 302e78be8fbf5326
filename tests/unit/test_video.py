"""Writer and decoder round trips on videos generated here: exact times (CFR and VFR), stride, rotation, downscale, audio."""

from __future__ import annotations

from fractions import Fraction

import av
import numpy as np
import pytest

from rehearse.video.audio import Audio, read_audio
from rehearse.video.frames import frame_times, iter_frames, read_frame_at
from rehearse.video.probe import probe
from rehearse.video.writer import write_video

W, H = 96, 64
LEVEL_STEP = 9  # grey level added per frame, so a decoded frame tells which frame it was
# Irregular gaps (s): what a phone's variable frame rate looks like, all multiples of 1 ms.
VFR_TIMES = np.cumsum([0.0, 0.033, 0.041, 0.017, 0.050, 0.033, 0.120, 0.008, 0.033, 0.061,
                       0.029, 0.042, 0.033, 0.090, 0.011, 0.040, 0.033, 0.052, 0.021, 0.033])


def grey_frames(count: int, width: int = W, height: int = H) -> list[np.ndarray]:
    return [np.full((height, width, 3), 10 + LEVEL_STEP * i, np.uint8) for i in range(count)]


def frame_number(image: np.ndarray) -> int:
    return round((float(image.mean()) - 10) / LEVEL_STEP)


def tone(freq_hz: float, seconds: float, rate: int, *, silence_s: float = 0.0) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    samples = (0.5 * np.sin(2 * np.pi * freq_hz * t)).astype(np.float32)
    samples[: round(silence_s * rate)] = 0.0
    return samples


@pytest.fixture(scope="session")
def videos(tmp_path_factory):
    root = tmp_path_factory.mktemp("videos")
    made = {
        "cfr": write_video(root / "cfr24.mp4", grey_frames(24), fps=24),
        "vfr": write_video(root / "vfr.mov", grey_frames(len(VFR_TIMES)), times=VFR_TIMES),
        "one": write_video(root / "one.mp4", grey_frames(1), fps=30),
    }
    rate = 48000
    made["tone"] = write_video(
        root / "tone.mp4", grey_frames(48), fps=24,
        audio=Audio(tone(440.0, 2.0, rate, silence_s=0.5), rate, 0.0),
    )
    made["late_audio"] = write_video(
        root / "late_audio.mp4", grey_frames(48), fps=24,
        audio=Audio(tone(1000.0, 1.0, 16000), 16000, 0.25),
    )
    return made


def test_constant_rate_round_trip_gives_exact_times_and_the_right_frames(videos):
    frames = list(iter_frames(videos["cfr"]))
    assert [f.index for f in frames] == list(range(24))
    assert [f.t for f in frames] == pytest.approx([i / 24 for i in range(24)], abs=1e-9)
    assert [frame_number(f.image) for f in frames] == list(range(24))
    assert frames[0].image.shape == (H, W, 3) and frames[0].image.dtype == np.uint8
    info = probe(videos["cfr"])
    assert (info.width, info.height, info.rotation_deg) == (W, H, 0)
    assert info.nominal_fps == pytest.approx(24.0)
    assert info.has_video and not info.has_audio and info.codec == "h264"


def test_vfr_times_come_from_pts_exactly(videos):
    frames = list(iter_frames(videos["vfr"]))
    times = np.array([f.t for f in frames])
    assert len(frames) == len(VFR_TIMES)
    np.testing.assert_allclose(times, VFR_TIMES, rtol=0, atol=1e-6)
    gaps = np.diff(times)
    assert (gaps > 0).all() and np.ptp(gaps) > 0.1  # irregular: index / fps would be wrong
    assert [frame_number(f.image) for f in frames] == list(range(len(VFR_TIMES)))
    np.testing.assert_allclose(frame_times(videos["vfr"]), VFR_TIMES, rtol=0, atol=1e-6)


def test_vfr_times_match_packet_timestamps_read_independently(videos):
    with av.open(str(videos["vfr"])) as container:
        stream = container.streams.video[0]
        pts = sorted(p.pts for p in container.demux(stream) if p.pts is not None)
        expected = [float(Fraction(p - stream.start_time) * stream.time_base) for p in pts]
    assert frame_times(videos["vfr"]).tolist() == pytest.approx(expected, abs=1e-9)


def test_stride_three_gives_every_third_frame_with_its_own_time(videos):
    frames = list(iter_frames(videos["vfr"], stride=3))
    assert [f.index for f in frames] == list(range(0, len(VFR_TIMES), 3))
    np.testing.assert_allclose([f.t for f in frames], VFR_TIMES[::3], rtol=0, atol=1e-6)
    assert [frame_number(f.image) for f in frames] == list(range(0, len(VFR_TIMES), 3))
    np.testing.assert_allclose(frame_times(videos["vfr"], stride=3), VFR_TIMES[::3], atol=1e-6)
    with pytest.raises(ValueError):
        next(iter_frames(videos["vfr"], stride=0))


def test_read_frame_at_returns_the_frame_on_screen(videos):
    path = videos["vfr"]
    all_frames = list(iter_frames(path))
    queries = [0.0, VFR_TIMES[5], VFR_TIMES[5] - 0.001, VFR_TIMES[5] + 0.001, 0.37, VFR_TIMES[-1]]
    for t in queries:
        expected = int(np.searchsorted(VFR_TIMES, t + 1e-9, side="right")) - 1
        frame = read_frame_at(path, t)
        assert frame is not None, t
        assert frame.index == expected, t
        assert frame.t == pytest.approx(VFR_TIMES[expected], abs=1e-6)
        assert np.array_equal(frame.image, all_frames[expected].image)
    assert read_frame_at(path, -0.01) is None
    assert read_frame_at(path, VFR_TIMES[-1] + 10.0) is None


def test_one_frame_video_has_one_frame_at_zero(videos):
    frames = list(iter_frames(videos["one"]))
    assert len(frames) == 1 and frames[0].t == 0.0 and frames[0].index == 0
    assert frame_times(videos["one"]).tolist() == [0.0]
    still = read_frame_at(videos["one"], 0.0)
    assert still is not None and still.index == 0


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_rotated_video_is_decoded_upright_like_opencv_shows_it(tmp_path, rotation):
    import cv2

    coded = np.zeros((H, W, 3), np.uint8)
    coded[:16, :16] = (255, 0, 0)  # a red block in the coded top-left corner
    path = write_video(tmp_path / f"rot{rotation}.mp4", [coded] * 3, fps=30, rotation_deg=rotation)

    info = probe(path)
    assert info.rotation_deg == rotation
    upright_shape = (W, H) if rotation in (90, 270) else (H, W)
    assert (info.height, info.width) == upright_shape

    image = next(iter_frames(path)).image
    assert image.shape[:2] == upright_shape
    # A clockwise turn carries the top-left corner to the top-right (90), bottom-right (180),
    # bottom-left (270).
    rows, cols = upright_shape
    inset = 4  # away from the block's compressed edge
    row, col = {90: (inset, cols - inset), 180: (rows - inset, cols - inset),
                270: (rows - inset, inset)}[rotation]
    assert image[row, col, 0] > 200 and image[rows // 2, cols // 2, 0] < 50

    # OpenCV's FFmpeg backend reads the same metadata with its own code: it must agree.
    capture = cv2.VideoCapture(str(path))
    assert int(capture.get(cv2.CAP_PROP_ORIENTATION_META)) % 360 == rotation
    capture.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)  # off by default in this build
    ok, bgr = capture.read()
    capture.release()
    assert ok
    assert bgr.shape[:2] == upright_shape
    assert np.abs(bgr[..., ::-1].astype(int) - image.astype(int)).mean() < 3


def test_max_width_downscales_keeping_aspect_after_rotation(tmp_path, videos):
    small = next(iter_frames(videos["cfr"], max_width=48)).image
    assert small.shape == (32, 48, 3)
    assert next(iter_frames(videos["cfr"], max_width=500)).image.shape == (H, W, 3)
    portrait = write_video(tmp_path / "portrait.mp4", grey_frames(2), fps=30, rotation_deg=90)
    assert next(iter_frames(portrait, max_width=32)).image.shape == (48, 32, 3)


def test_audio_tone_comes_back_at_the_requested_rate_duration_and_frequency(videos):
    audio = read_audio(videos["tone"], sample_rate=16000)
    assert audio is not None and audio.sample_rate == 16000
    assert audio.samples.dtype == np.float32 and np.abs(audio.samples).max() <= 1.0
    assert audio.start_s == pytest.approx(0.0, abs=1e-6)
    assert audio.duration_s == pytest.approx(2.0, abs=0.005)
    voiced = audio.samples[int(0.6 * 16000):]
    spectrum = np.abs(np.fft.rfft(voiced * np.hanning(len(voiced))))
    peak_hz = np.fft.rfftfreq(len(voiced), 1 / 16000)[int(np.argmax(spectrum))]
    assert peak_hz == pytest.approx(440.0, abs=2.0)
    # Sync: the tone was placed at 0.5 s on the video clock and must be heard there.
    onset_s = audio.start_s + int(np.argmax(np.abs(audio.samples) > 0.05)) / 16000
    assert onset_s == pytest.approx(0.5, abs=0.003)


def test_audio_placed_after_video_start_keeps_its_offset(videos):
    audio = read_audio(videos["late_audio"], sample_rate=16000)
    onset_s = audio.start_s + int(np.argmax(np.abs(audio.samples) > 0.05)) / 16000
    assert onset_s == pytest.approx(0.25, abs=0.003)
    assert audio.start_s + audio.duration_s == pytest.approx(1.25, abs=0.005)


def test_no_audio_stream_gives_none(videos):
    assert read_audio(videos["cfr"]) is None


def test_writer_rejects_bad_frames_and_leaves_no_file(tmp_path):
    target = tmp_path / "odd.mp4"
    with pytest.raises(ValueError, match="even"):
        write_video(target, grey_frames(2, width=95), fps=24)
    with pytest.raises(ValueError, match="exactly one"):
        write_video(target, grey_frames(2), fps=24, times=[0.0, 0.1])
    with pytest.raises(ValueError, match="increasing"):
        write_video(target, grey_frames(2), times=[0.1, 0.1])
    assert list(tmp_path.iterdir()) == []


def test_importing_the_video_package_loads_neither_av_nor_cv2():
    import subprocess
    import sys

    code = ("import sys, rehearse.video, rehearse.video.frames, rehearse.video.audio, "
            "rehearse.video.probe, rehearse.video.writer; "
            "print(sorted(m for m in ('av', 'cv2') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_non_square_pixels_are_decoded_to_square_ones(tmp_path):
    from tests_support import SAMPLE_PRODUCTION, squeezed_copy

    source = SAMPLE_PRODUCTION / "takes" / "01-1A-1.mp4"
    squeezed = tmp_path / "hdv_like.mp4"
    squeezed_copy(source, squeezed, Fraction(4, 3), 480, 480, limit=12)
    info = probe(squeezed)
    assert (info.width, info.height) == (640, 480)
    original = next(iter_frames(source)).image.astype(float)
    restored = next(iter_frames(squeezed)).image
    assert restored.shape == (480, 640, 3)
    assert np.abs(restored.astype(float) - original).mean() < 6.0  # the same picture, re-encoded
    assert read_frame_at(squeezed, 0.2).image.shape == (480, 640, 3)
    assert next(iter_frames(squeezed, max_width=320)).image.shape == (240, 320, 3)


def test_read_frame_at_reads_a_changed_file_anew(tmp_path):
    path = tmp_path / "take.mp4"
    write_video(path, grey_frames(10), fps=10.0)
    assert read_frame_at(path, 0.55).index == 5
    write_video(path, grey_frames(30), fps=30.0)  # re-recorded under the same name
    frame = read_frame_at(path, 0.55)
    assert frame.index == 16 and frame_number(frame.image) == 16
