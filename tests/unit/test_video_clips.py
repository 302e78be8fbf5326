"""Decoding the real reference clips in ../shared/clips: counts by decoding, VFR times from PTS, audio offsets."""

from __future__ import annotations

from fractions import Fraction

import av
import numpy as np
import pytest

from rehearse.video.audio import read_audio
from rehearse.video.frames import frame_times, iter_frames, read_frame_at
from rehearse.video.probe import probe

VFR_CLIPS = ["face_noface.mov", "noface_face.mov"]


def presented_packet_times(path) -> list[float]:
    """Times of the packets a player presents, read with PyAV's demuxer alone (no decoding)."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        start = stream.start_time or 0
        pts = sorted(
            p.pts for p in container.demux(stream)
            if p.pts is not None and not p.is_discard and p.pts >= start
        )
        return [float(Fraction(p - start) * stream.time_base) for p in pts]


def test_no_face_clip_counts_frames_by_decoding_not_by_the_container(shared_clips):
    path = shared_clips / "no_face.mp4"
    assert probe(path).container_frame_count == 98  # the container's claim
    assert len(frame_times(path)) == 95
    frames = list(iter_frames(path, max_width=320))
    assert len(frames) == 95 and frames[-1].index == 94
    assert frames[0].image.shape == (180, 320, 3)


@pytest.mark.parametrize("name", VFR_CLIPS)
def test_vfr_clip_times_are_the_presentation_timestamps(shared_clips, name):
    path = shared_clips / name
    times = frame_times(path)
    assert len(times) == 169
    gaps = np.diff(times)
    assert (gaps > 0).all()
    assert gaps.max() - gaps.min() > 0.005  # not all equal: variable frame rate
    np.testing.assert_allclose(times, presented_packet_times(path), rtol=0, atol=1e-9)
    # index / fps would be off by a large fraction of a second somewhere in the clip
    info = probe(path)
    assert np.abs(np.arange(len(times)) / info.nominal_fps - times).max() > 0.1


@pytest.mark.slow  # decodes each clip several times
@pytest.mark.parametrize("name", VFR_CLIPS)
def test_vfr_clip_stride_and_still_agree_with_the_full_decode(shared_clips, name):
    path = shared_clips / name
    times = frame_times(path)
    strided = list(iter_frames(path, stride=3, max_width=160))
    assert [f.index for f in strided] == list(range(0, 169, 3))
    np.testing.assert_allclose([f.t for f in strided], times[::3], rtol=0, atol=1e-12)
    for index in (0, 57, 168):
        still = read_frame_at(path, float(times[index]) + 1e-4)
        assert still is not None and still.index == index and still.t == times[index]


def test_audio_offset_of_a_real_clip_comes_from_its_stream_start(shared_clips):
    # face_noface.mov's sound begins 2.43 s after its first frame.
    path = shared_clips / "face_noface.mov"
    with av.open(str(path)) as container:
        video, audio_stream = container.streams.video[0], container.streams.audio[0]
        expected = float(audio_stream.start_time * audio_stream.time_base
                         - video.start_time * video.time_base)
    audio = read_audio(path, sample_rate=16000)
    assert expected > 2.0
    assert audio.start_s == pytest.approx(expected, abs=1e-6)
    assert audio.start_s + audio.duration_s == pytest.approx(probe(path).duration_s, abs=0.1)


def test_real_clip_audio_is_mono_at_the_requested_rate(shared_clips):
    audio = read_audio(shared_clips / "single_face.mp4", sample_rate=22050)
    assert audio.sample_rate == 22050 and audio.samples.ndim == 1
    assert audio.duration_s == pytest.approx(2.4, abs=0.05)
    assert audio.start_s == pytest.approx(0.0, abs=1e-6)
