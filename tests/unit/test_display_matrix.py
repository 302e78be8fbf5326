"""Display matrices: all 8 orientations (4 turns x mirror) decode to the picture a player shows.

Each file is made from a real clip by PyAV's own `set_display_rotation(degrees, hflip)`, whose
documented meaning is "turn counter-clockwise by degrees, then mirror": the stored pixels are
the clip's frames turned and mirrored the other way (with numpy, independently of our decoder),
so a correct decoder gives back the clip as it was. A mirror flag read as half a turn (the bug
this guards against) shows the face upside down.
"""

from __future__ import annotations

import numpy as np
import pytest

from rehearse.video.probe import Orientation, orientation_from_matrix

ORIENTATIONS = [(deg, mirror) for deg in (0, 90, 180, 270) for mirror in (False, True)]
FRAMES = 6


def _stored(display: np.ndarray, ccw_deg: int, mirror: bool) -> np.ndarray:
    """The stored frame a player turns `ccw_deg` counter-clockwise, then mirrors, into `display`."""
    unmirrored = display[:, ::-1] if mirror else display
    return np.ascontiguousarray(np.rot90(unmirrored, k=-ccw_deg // 90))


def _write(path, frames: list[np.ndarray], ccw_deg: int, mirror: bool) -> None:
    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=30, options={"crf": "12", "preset": "veryfast"})
        stream.height, stream.width = frames[0].shape[:2]
        stream.pix_fmt = "yuv444p"  # no chroma subsampling: the comparison is about geometry only
        stream.set_display_rotation(ccw_deg, hflip=mirror)
        for index, image in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts = index
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


@pytest.fixture(scope="module")
def upright(request) -> list[np.ndarray]:
    from tests_support import shared_clips_or_skip

    from rehearse.video.frames import iter_frames

    clip = shared_clips_or_skip() / "single_face.mp4"
    return [frame.image for frame, _ in zip(iter_frames(clip), range(FRAMES), strict=False)]


def test_matrix_parsing_tells_a_mirror_from_half_a_turn():
    one = 1 << 16
    mirror = orientation_from_matrix([-one, 0, 0, 0, one, 0, 0, 0, 1 << 30])
    half_turn = orientation_from_matrix([-one, 0, 0, 0, -one, 0, 0, 0, 1 << 30])
    assert mirror == Orientation(False, False, True) and mirror.mirrored and mirror.rotation_deg == 0
    assert half_turn == Orientation(False, True, True) and not half_turn.mirrored and half_turn.rotation_deg == 180


@pytest.mark.parametrize(("ccw_deg", "mirror"), ORIENTATIONS)
def test_each_orientation_decodes_to_the_displayed_picture(tmp_path, upright, ccw_deg, mirror):
    from rehearse.video.frames import iter_frames, read_frame_at
    from rehearse.video.probe import probe

    path = tmp_path / f"turn{ccw_deg}{'-mirror' if mirror else ''}.mp4"
    _write(path, [_stored(image, ccw_deg, mirror) for image in upright], ccw_deg, mirror)
    info = probe(path)
    height, width = upright[0].shape[:2]
    assert (info.width, info.height) == (width, height)
    assert info.mirrored == mirror and info.rotation_deg == (-ccw_deg) % 360
    decoded = [frame.image for frame in iter_frames(path)]
    assert len(decoded) == FRAMES
    for original, image in zip(upright, decoded, strict=True):
        assert image.shape == original.shape
        error = np.abs(image.astype(np.int16) - original.astype(np.int16)).mean()
        assert error < 3.0, f"decoded frame differs from the displayed picture by {error:.1f} levels"
    still = read_frame_at(path, 0.05)
    assert still is not None and np.abs(still.image.astype(np.int16) - upright[1].astype(np.int16)).mean() < 3.0


@pytest.mark.slow
def test_face_found_with_the_actors_own_sides_in_every_orientation(tmp_path, upright):
    """Real FaceMesh on each orientation: the face is found and the actor's right eye (landmark
    33) and left eye (263) sit where they sit in the upright clip."""
    from rehearse.analysis.landmarks import LandmarkExtractor
    from rehearse.video.frames import iter_frames

    def eyes(frames) -> np.ndarray:
        with LandmarkExtractor() as extractor:
            found = [extractor.process(frame) for frame in frames]
        last = found[-1]
        assert last.face is not None, "no face found"
        width, height = last.image_size
        return last.face[[33, 263], :2] * (width, height)

    from rehearse.video.frames import Frame

    reference = eyes([Frame(i, i / 30, image) for i, image in enumerate(upright)])
    assert reference[0, 0] < reference[1, 0]  # facing the camera: the actor's right eye is on image left
    for ccw_deg, mirror in ORIENTATIONS:
        path = tmp_path / f"o{ccw_deg}{mirror}.mp4"
        _write(path, [_stored(image, ccw_deg, mirror) for image in upright], ccw_deg, mirror)
        found = eyes(list(iter_frames(path)))
        assert np.abs(found - reference).max() < 4.0, (ccw_deg, mirror, found, reference)


def test_decoded_frames_are_freed_without_waiting_for_the_cyclic_gc(tmp_path, upright):
    """Reading the display matrix must not tie a decoded frame to itself: PyAV's `frame.side_data`
    caches a container that holds the frame, a cycle that kept every 1080p frame (3 MB) alive until
    the cyclic GC ran (a 1-minute take's analysis peaked ~300 MB higher). With the collector off,
    no decoded frame may outlive its conversion."""
    import gc

    import av

    from rehearse.video.frames import iter_frames

    path = tmp_path / "turned.mp4"
    _write(path, [_stored(image, 90, True) for image in upright], 90, True)
    gc.collect()
    gc.disable()
    try:
        images = [frame.image for frame in iter_frames(path)]
        # The RGB arrays keep their own converted frames; the decoder's YUV frames must be gone.
        alive = sum(isinstance(item, av.VideoFrame) and item.format.name != "rgb24" for item in gc.get_objects())
    finally:
        gc.enable()
    assert len(images) == FRAMES
    assert alive == 0, f"{alive} decoded frames are still alive after decoding"
