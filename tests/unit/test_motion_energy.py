"""Body motion energy below the face (Motion Energy Analysis) and body holds timed from it, on exact pictures."""

from __future__ import annotations

import numpy as np
import pytest

from rehearse.analysis.event_settings import HoldSettings
from rehearse.analysis.events.holds import detect_holds
from rehearse.analysis.motion_energy import (
    MotionEnergyMeter,
    MotionEnergySettings,
    on_frame_times,
    region_below_face,
    small_grey,
)
from rehearse.analysis.tracks import SignalTrack

WIDTH, HEIGHT = 320, 180
_YY, _XX = np.mgrid[0:HEIGHT, 0:WIDTH]


def face_box(x0=0.4, x1=0.6, y0=0.1, y1=0.5) -> np.ndarray:
    """Face landmarks (normalised) spanning a box: the region below is set by its extent."""
    face = np.zeros((478, 3), dtype=np.float32)
    face[:, 0] = np.linspace(x0, x1, 478)
    face[:, 1] = np.linspace(y0, y1, 478)[::-1]
    return face


def scene(shoulder_dx: float = 0.0, chin_dy: float = 0.0, noise: np.random.Generator | None = None) -> np.ndarray:
    """A textured wall, a face-coloured oval (rows 18-90) and shoulders (rows 95+), either
    shifted sideways by `shoulder_dx` px (body moving) or the oval's lower half by `chin_dy`."""
    rng = np.random.default_rng(7)
    image = np.repeat(rng.integers(60, 200, (HEIGHT, WIDTH // 4, 1), dtype=np.uint8), 4, axis=1)
    image = np.repeat(image, 3, axis=2)
    yy, xx = _YY, _XX
    face = ((xx - 160) / 32) ** 2 + ((yy - 54 - chin_dy * (yy > 54)) / 36) ** 2 <= 1
    image[face] = (200, 160, 140)
    shoulders = (yy > 95) & (np.abs(xx - 160 - shoulder_dx) < 90 + (yy - 95) * 0.6)
    stripes = ((xx - shoulder_dx) // 6) % 2 == 0  # texture on the shirt, so sideways movement shows
    image[shoulders & stripes] = (30, 30, 90)
    image[shoulders & ~stripes] = (60, 60, 140)
    if noise is not None:
        image = np.clip(image.astype(np.int16) + noise.integers(-3, 4, image.shape), 0, 255).astype(np.uint8)
    return image


def energies(pictures: list[np.ndarray], fps: float, face: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    meter = MotionEnergyMeter()
    times = np.arange(len(pictures)) / fps
    values = []
    for t, picture in zip(times, pictures, strict=True):
        meter.remember_face(t, face if face is not None else face_box())
        values.append(meter.measure(t, small_grey(picture, 160)))
    energy, stamps = np.array(values).T
    return times, on_frame_times(times, energy, stamps)


def test_region_sits_under_the_chin_and_is_unknown_in_an_extreme_close_up():
    settings = MotionEnergySettings()
    x0, y0, x1, y1 = region_below_face(face_box(), (160, 90), settings)
    assert y0 == 45 and y1 == 81  # from the chin (y 0.5) down one face height (0.4)
    assert (x0, x1) == (32, 128)  # three face widths, centred
    # Chin at the bottom edge: nothing of the body in frame -> no measurement, not "still".
    assert region_below_face(face_box(y0=0.2, y1=0.97), (160, 90), settings) is None


def test_energy_is_low_when_still_and_rises_only_while_the_body_moves_at_any_frame_rate():
    medians = {}
    for fps in (24.0, 30.0, 60.0):
        frames = round(2 * fps)
        moving = (np.arange(frames) >= 0.6 * fps) & (np.arange(frames) < 1.4 * fps)
        shift = np.cumsum(moving) * (20.0 / fps)  # 20 px/s sideways
        noise = np.random.default_rng(1)
        times, energy = energies([scene(dx, noise=noise) for dx in shift], fps)
        assert np.isfinite(energy).all()
        still = energy[(times < 0.5) | (times > 1.5)]
        move = energy[(times > 0.75) & (times < 1.25)]
        assert still.max() * 3 < move.min()
        medians[fps] = float(np.median(move))
    # A speed over a ~67 ms span, not a per-frame difference: alike at 24, 30 and 60 fps.
    assert max(medians.values()) < 1.5 * min(medians.values()), medians


def test_a_moving_face_alone_is_not_body_motion():
    fps = 30.0
    pictures = [scene(chin_dy=3 * np.sin(i / 3)) for i in range(60)]  # talking jaw, body still
    _, energy = energies(pictures, fps, face=face_box(y0=0.1, y1=0.55))
    assert np.nanmax(energy) < 1.0


def test_energies_are_read_at_frame_times_and_gaps_are_not_bridged():
    times = np.arange(10) / 24
    stamps = times - 1 / 24  # measured over two frames: stamped one frame back
    energy = np.arange(10, dtype=float)
    energy[:2], stamps[:2] = np.nan, np.nan  # no frame a span back yet
    energy[6] = np.nan  # region lost on one frame
    out = on_frame_times(times, energy, stamps)
    # Frames 0 and 1 come before the first measurement (stamped at frame 1), within half a span.
    assert out[0] == pytest.approx(2.0) and out[1] == pytest.approx(2.0)
    assert out[2] == pytest.approx(3.0)
    assert np.isnan(out[5])  # read exactly at the lost measurement (frame 6's span middle)
    assert out[6] == pytest.approx(7.0)  # frame 7's span middle is frame 6's time
    energy[7] = np.nan
    assert np.isnan(on_frame_times(times + 0.01, energy, stamps)[5])  # between a kept and a lost one
    assert out[9] == pytest.approx(9.0)  # the last frame takes the last measurement


@pytest.mark.parametrize("fps", [24.0, 60.0])
def test_body_hold_edges_from_motion_energy_within_two_frames(fps):
    # Body moving, still from 2.0 s to 4.5 s, moving again: energy at a real seated actor's
    # levels (idle sway ~10-20 grey/s under camera noise, moving ~40-80).
    rng = np.random.default_rng(3)
    times = np.arange(round(7 * fps)) / fps
    still = (times >= 2.0) & (times < 4.5)
    energy = np.where(still, 6.0, 50.0) * rng.lognormal(0, 0.25, times.size)
    track = SignalTrack(times, {"body_motion": energy, "body_present": np.ones(times.size)})
    holds = [e for e in detect_holds(track, HoldSettings()) if e.scope == "body"]
    assert len(holds) == 1
    assert abs(holds[0].start_s - 2.0) * fps <= 2 and abs(holds[0].end_s - 4.5) * fps <= 2
    # Unknown energy (region out of frame) is not still.
    energy[times > 3.0] = np.nan
    holds = [e for e in detect_holds(SignalTrack(times, {"body_motion": energy}), HoldSettings()) if e.scope == "body"]
    assert len(holds) == 1 and holds[0].end_s <= 3.0 + 1.5 / fps


def test_warm_up_picture_leaves_nothing_behind_for_the_first_frames():
    """`rehearse watch` runs the models once on an empty picture before the stream (at t=-1 s): a
    take's first frames must be measured as offline measures them, not against that black
    picture (at 720p it read as ~100 grey/s at 0.04 s and raised the body hold limit of the whole
    stream: short body holds moved by 3-4 frames against the recording's offline analysis)."""
    from rehearse.analysis.landmarks import LandmarkExtractor
    from rehearse.config import Settings
    from rehearse.video.frames import Frame

    settings = Settings().analysis.landmarks.model_copy(update={"pose": False, "hands": "never"})
    frames = [Frame(i, i / 24, np.full((720, 1280, 3), 120, np.uint8)) for i in range(4)]
    with LandmarkExtractor(settings) as fresh, LandmarkExtractor(settings) as warmed:
        warmed.warm_up()
        for frame in frames:
            a, b = fresh.process(frame), warmed.process(frame)
            assert (np.isnan(a.body_motion_t) and np.isnan(b.body_motion_t)) or a.body_motion_t == b.body_motion_t
            assert np.isnan(b.body_motion_t) or b.body_motion_t >= 0
