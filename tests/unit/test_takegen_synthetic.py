"""Synthetic signal streams: timing, noise level, dropped frames, frame rates, audio spans."""

from __future__ import annotations

import numpy as np
import pytest

from rehearse.analysis.face_signals import motion_span_frames
from rehearse.analysis.tracks import SIGNALS
from tools.synthetic_streams import (
    JITTER_IOD_PER_FRAME,
    NOISE_STD,
    synthesize_audio,
    synthesize_signals,
)

BLINK = {"kind": "blink", "start_s": 1.0, "apex_s": 1.07, "end_s": 1.28, "side": "both"}


@pytest.mark.parametrize("fps", [24.0, 30.0, 60.0])
def test_ear_minimum_lands_at_the_blink_apex(fps):
    clean = synthesize_signals([BLINK], duration_s=3.0, fps=fps, noise=0.0)
    nearest = np.argmin(np.abs(clean.times - BLINK["apex_s"]))
    assert int(np.argmin(clean["eye_open_left"])) == nearest
    track = synthesize_signals([BLINK], duration_s=3.0, fps=fps, seed=3)
    for side in ("left", "right"):
        ear = track[f"eye_open_{side}"]
        apex_frame = int(np.nanargmin(ear))
        # With noise the flat bottom of the slow opening can win by a frame or two, as with FaceMesh.
        assert abs(track.times[apex_frame] - BLINK["apex_s"]) <= max(1 / fps, 0.035) + 1e-9
        assert ear[apex_frame] < 0.1
        # open before and after the blink
        assert np.nanmedian(ear[track.times < 0.9]) == pytest.approx(0.30, abs=0.01)
        assert np.nanmedian(ear[track.times > 1.4]) == pytest.approx(0.30, abs=0.01)


def test_blink_closes_fast_and_opens_slowly():
    track = synthesize_signals([BLINK], duration_s=3.0, fps=200.0, noise=0.0)
    below = track.times[track["eye_open_left"] < 0.175]  # under half closure
    closing = below[0] - BLINK["start_s"]
    opening = BLINK["end_s"] - below[-1]
    assert closing < opening


def test_one_eye_partial_and_long_closures():
    events = [
        {"kind": "blink", "start_s": 0.5, "apex_s": 0.57, "end_s": 0.75, "side": "left"},
        {"kind": "partial_blink", "start_s": 1.5, "apex_s": 1.57, "end_s": 1.75, "side": "both", "amount": 0.5},
        {"kind": "eyes_closed", "start_s": 2.5, "end_s": 3.4, "side": "both"},
    ]
    track = synthesize_signals(events, duration_s=4.0, fps=60.0, noise=0.0)
    t, left, right = track.times, track["eye_open_left"], track["eye_open_right"]
    one_eye = (t > 0.5) & (t < 0.75)
    assert left[one_eye].min() < 0.08 and right[one_eye].min() == pytest.approx(0.30)
    partial = (t > 1.5) & (t < 1.75)
    assert left[partial].min() == pytest.approx(0.30 - 0.5 * (0.30 - 0.05), abs=0.005)
    shut = (t > 2.7) & (t < 3.2)
    assert left[shut].max() < 0.06 and right[shut].max() < 0.06


def test_noise_matches_the_measured_mediapipe_level():
    track = synthesize_signals([], duration_s=60.0, fps=30.0, seed=1, idle=0.0)
    for name in ("eye_open_left", "brow_raise_left", "lip_corner_right", "head_yaw"):
        assert np.nanstd(track[name]) == pytest.approx(NOISE_STD[name], rel=0.1)
    clean = synthesize_signals([], duration_s=5.0, fps=30.0, noise=0.0)
    assert np.nanstd(clean["eye_open_left"]) == 0.0


def test_every_registered_signal_is_present_and_times_are_exact():
    track = synthesize_signals([], duration_s=2.0, fps=24.0)
    assert set(track.values) == set(SIGNALS)
    assert track.frame_count == 48
    np.testing.assert_allclose(track.times, np.arange(48) / 24.0)


def test_dropped_frames_are_nan_face_and_present_zero():
    track = synthesize_signals([BLINK], duration_s=20.0, fps=30.0, drop_rate=0.2, seed=5)
    lost = track["face_present"] == 0
    assert 0.15 < lost.mean() < 0.25
    assert np.all(track["face_confidence"][lost] == 0)
    assert np.all(np.isnan(track["eye_open_left"][lost]))
    assert np.all(np.isnan(track["head_yaw"][lost]))
    assert not np.any(np.isnan(track["eye_open_left"][~lost]))
    assert not np.any(np.isnan(track["body_present"]))


def test_variable_frame_rate_times_are_irregular_and_increasing():
    track = synthesize_signals([BLINK], duration_s=4.0, fps=30.0, vfr=True, seed=2)
    steps = np.diff(track.times)
    assert np.all(steps > 0)
    assert steps.std() > 0.1 * steps.mean()
    assert track.times[-1] < 4.0
    assert 80 < track.frame_count < 160
    apex = track.times[int(np.nanargmin(track["eye_open_left"]))]
    assert abs(apex - BLINK["apex_s"]) <= steps.max()


@pytest.mark.parametrize("fps", [24.0, 60.0])
def test_hold_is_still_and_jitter_is_a_position_error_over_the_span(fps):
    track = synthesize_signals([{"kind": "hold", "start_s": 1.0, "end_s": 3.0, "scope": "face"}],
                               duration_s=4.0, fps=fps, seed=4)
    motion, t = track["face_motion"], track.times
    held = np.nanmedian(motion[(t >= 1.0) & (t < 3.0)])
    idle = np.nanmedian(motion[(t < 1.0) | (t >= 3.0)])
    before, after = motion_span_frames(t)
    span = float(np.median(t[after] - t[before]))  # 83 ms at 24 fps, 67 ms at 60
    assert held == pytest.approx(JITTER_IOD_PER_FRAME / span, rel=0.25)
    assert idle > held + 0.25
    # the idle sway of the head stops where the hold starts (no jump, no drift inside)
    yaw = synthesize_signals([{"kind": "hold", "start_s": 1.0, "end_s": 3.0, "scope": "face"}],
                             duration_s=4.0, fps=fps, noise=0.0)["head_yaw"]
    inside = yaw[(t >= 1.0) & (t < 3.0)]
    assert np.ptp(inside) == pytest.approx(0.0, abs=1e-9)
    assert np.ptp(yaw[t < 1.0]) > 0.1


def test_expressions_gestures_and_false_start_move_their_signals():
    events = [
        {"kind": "expression", "label": "brow_raise", "start_s": 0.5, "end_s": 1.5},
        {"kind": "expression", "label": "half_smile", "side": "left", "start_s": 2.0, "end_s": 3.0},
        {"kind": "gesture", "label": "head_turn", "side": "right", "start_s": 3.5, "end_s": 4.5, "degrees": 25},
        {"kind": "false_start", "start_s": 5.0, "end_s": 5.3},
        {"kind": "gesture", "label": "lean_toward", "start_s": 6.0, "end_s": 7.0},
    ]
    track = synthesize_signals(events, duration_s=8.0, fps=30.0, noise=0.0, idle=0.0)
    t = track.times

    def peak(name, a, b):
        return track[name][(t >= a) & (t < b)]

    assert peak("brow_raise_left", 0.5, 1.5).max() - track["brow_raise_left"][0] == pytest.approx(0.06)
    asym = peak("lip_corner_asymmetry", 2.0, 3.0)
    assert asym.max() == pytest.approx(0.08)
    assert peak("head_yaw", 3.5, 4.5).min() == pytest.approx(-25.0)  # toward the actor's right
    assert peak("mouth_open", 5.0, 5.3).max() > track["mouth_open"][0] + 0.1
    assert peak("iod_px", 6.0, 7.0).max() > track["iod_px"][0] * 1.05
    assert peak("lean_forward", 6.0, 7.0).max() == pytest.approx(10.0)


def test_same_seed_same_stream_other_seed_other_noise():
    a = synthesize_signals([BLINK], duration_s=2.0, seed=7)
    b = synthesize_signals([BLINK], duration_s=2.0, seed=7)
    c = synthesize_signals([BLINK], duration_s=2.0, seed=8)
    np.testing.assert_array_equal(a["eye_open_left"], b["eye_open_left"])
    assert not np.array_equal(a["eye_open_left"], c["eye_open_left"])


def test_synthetic_audio_speech_spans_are_exact():
    audio = synthesize_audio([(0.2, 1.0), {"start_s": 2.5, "end_s": 3.1}], 4.0)
    voiced = audio.times[audio.speech == 1]
    assert voiced.min() >= 0.2 and voiced.max() < 3.1
    assert audio.speech[(audio.times >= 0.2) & (audio.times < 1.0)].all()
    assert not audio.speech[(audio.times >= 1.0) & (audio.times < 2.5)].any()
    assert audio.rms_db[audio.speech == 1].min() > audio.rms_db[audio.speech == 0].max()
    assert audio.has_audio and audio.times[1] - audio.times[0] == pytest.approx(0.01)


@pytest.mark.models
def test_noise_constants_match_a_fresh_facemesh_measurement():
    from tools.takegen.noise import measure_signal_noise

    measured = measure_signal_noise(frames=40)
    for name in ("eye_open_left", "eye_open_right", "brow_raise_left", "lip_corner_left", "mouth_open"):
        assert NOISE_STD[name] / 2 < measured[name] < NOISE_STD[name] * 2, (name, measured[name])
    assert measured["face_motion"] > 0


def test_synthetic_twin_of_a_sample_take(sample_production):
    import json

    from tools.synthetic_streams import synthesize_take

    truth = json.loads((sample_production / "takes" / "01-1A-1.truth.json").read_text())
    signals, audio = synthesize_take(truth, seed=2)
    assert signals.frame_count == truth["frame_count"]
    for blink in (e for e in truth["events"] if e["kind"] == "blink"):
        near = np.abs(signals.times - blink["apex_s"]) <= 0.05
        assert np.nanmin(signals["eye_open_left"][near]) < 0.1
    reply = truth["speech"][1]
    speaking = (signals.times >= reply["start_s"]) & (signals.times < reply["end_s"])
    assert np.nanmax(signals["mouth_open"][speaking]) > np.nanmedian(signals["mouth_open"]) + 0.05
    voiced = audio.times[audio.speech == 1]
    assert voiced.min() == pytest.approx(truth["speech"][0]["start_s"], abs=0.01)
