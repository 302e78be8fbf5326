"""The same picture gives the models the same pixels, and the same events, whatever the codec.

One real source (../shared/clips/single_face.mp4) is encoded five ways the way files reach a
user: x264 and VP9 in limited range tagged BT.709, HEVC in full range (as phones write it),
MPEG-4 Part 2 (which cannot carry a colour tag) and AV1. Decoding must undo each one's range and
matrix, so the frames match the source's level and colour; the analysed events (the clip's
blink and smile) must then agree within 2 frames.
"""

from __future__ import annotations

import numpy as np
import pytest

# name -> (encoder, options, container, range tag, colour tag written)
ENCODINGS = {
    "x264": ("libx264", {"crf": "16"}, "mp4", "tv", True),
    "hevc-full-range": ("libx265", {"crf": "16", "x265-params": "log-level=error"}, "mp4", "pc", True),
    "vp9": ("libvpx-vp9", {"crf": "20", "b": "0"}, "webm", "tv", True),
    "mpeg4-untagged": ("mpeg4", {"qscale": "2"}, "mp4", "tv", False),
    "av1": ("libsvtav1", {"crf": "20"}, "mp4", "tv", True),
}


def _available(encoder: str) -> bool:
    import av

    try:
        av.codec.Codec(encoder, "w")
    except Exception:  # PyAV raises its own error types for an encoder it was built without
        return False
    return True


def encode(frames: list[np.ndarray], path, name: str, fps: int = 30) -> None:
    """Encode RGB `frames` as `name` (see ENCODINGS): BT.709 pixels, the range and tags as a camera would."""
    import av

    encoder, options, _, colour_range, tagged = ENCODINGS[name]
    height, width = frames[0].shape[:2]
    with av.open(str(path), "w") as container:
        stream = container.add_stream(encoder, rate=fps, options=options)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        full = colour_range == "pc"
        stream.codec_context.color_range = 2 if full else 1
        if tagged:
            stream.codec_context.colorspace = 1
        for index, image in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(image, format="rgb24").reformat(
                format="yuv420p", dst_colorspace="ITU709", dst_color_range="JPEG" if full else "MPEG")
            frame.color_range = 2 if full else 1
            frame.colorspace = 1 if tagged else 2
            frame.pts = index
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


@pytest.fixture(scope="module")
def clip():
    from tests_support import shared_clips_or_skip

    return shared_clips_or_skip() / "single_face.mp4"


@pytest.mark.parametrize("name", list(ENCODINGS))
def test_each_codec_decodes_to_the_source_level_and_colour(tmp_path, clip, name):
    """HD frames (the size where an untagged matrix is BT.709) come back within a few levels,
    with no colour shift: a wrong range stretches contrast, a wrong matrix tints skin."""
    import av

    from rehearse.video.frames import iter_frames

    encoder, _, container_ext, _, _ = ENCODINGS[name]
    if not _available(encoder):
        pytest.skip(f"PyAV here has no {encoder} encoder")
    with av.open(str(clip)) as source:
        frames = [f.reformat(width=1280, height=720, format="rgb24").to_ndarray()
                  for _, f in zip(range(8), source.decode(video=0), strict=False)]
    path = tmp_path / f"{name}.{container_ext}"
    encode(frames, path, name)
    decoded = np.stack([f.image for f in iter_frames(path)]).astype(np.float32)
    source_frames = np.stack(frames).astype(np.float32)
    assert decoded.shape == source_frames.shape
    shift = (decoded - source_frames).mean(axis=(0, 1, 2))
    error = np.abs(decoded - source_frames).mean()
    contrast = decoded.std() / source_frames.std()
    assert np.abs(shift).max() < 2.0, f"{name}: colour shift {shift.round(2)} levels (R, G, B)"
    assert error < 4.0, f"{name}: mean error {error:.2f} levels"
    assert abs(contrast - 1.0) < 0.02, f"{name}: contrast x{contrast:.3f}"


@pytest.mark.slow
def test_same_blink_and_smile_whatever_the_codec(tmp_path, clip):
    """Real models on the clip and on its five encodes: every blink, eye closure and smile of
    the source is found in each encode with onset and offset within 2 frames, and nothing else
    of those kinds."""
    from rehearse.analysis.events import detect_events
    from rehearse.analysis.take import analyze_take
    from rehearse.config import Settings
    from rehearse.video.frames import iter_frames

    settings = Settings(cache_dir=tmp_path / "cache")
    frame_s = 1 / 30

    def watched(path):
        analysis = analyze_take(path, settings)
        return [e for e in detect_events(analysis.signals, analysis.audio, landmarks=analysis.landmarks)
                if e.kind in ("blink", "eyes_closed") or e.label == "smile"]

    reference = watched(clip)
    assert any(e.kind == "blink" for e in reference), reference
    frames = [f.image for f in iter_frames(clip)]
    for name, (encoder, _, ext, _, _) in ENCODINGS.items():
        if not _available(encoder):
            continue
        path = tmp_path / f"{name}.{ext}"
        encode(frames, path, name)
        found = sorted(watched(path), key=lambda e: (e.kind, e.label or "", e.start_s))
        reference = sorted(reference, key=lambda e: (e.kind, e.label or "", e.start_s))
        assert [(e.kind, e.label) for e in found] == [(e.kind, e.label) for e in reference], (name, found, reference)
        for mine, theirs in zip(found, reference, strict=True):
            assert abs(mine.start_s - theirs.start_s) <= 2 * frame_s + 1e-6, (name, mine, theirs)
            assert abs(mine.end_s - theirs.end_s) <= 2 * frame_s + 1e-6, (name, mine, theirs)
