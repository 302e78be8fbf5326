"""Check a rendered take against its truth: FaceMesh on every frame, the audio read back.

Each event gets the measured value that proves it (EAR at a blink apex, brow lift, corner
lift, yaw change, face scale, motion during a hold, mouth opening, speech edges) and a pass
flag. The thresholds here are what a fixture must show before it is trusted as ground truth.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tools.takegen.measure import FaceMeshRunner, face_signals
from tools.takegen.portrait import load_portrait
from tools.takegen.speech import trim_silence

FULL_BLINK_EAR = 0.12
"""A full blink or closed eye must read below this EAR at its apex."""
OPEN_EYE_EAR = 0.2
"""The other eye of a one-eye blink must stay above this."""
PARTIAL_EAR = (0.12, 0.26)
BROW_RAISE_MIN_IOD = 0.02
BROW_FURROW_MIN_IOD = 0.008
CORNER_LIFT_MIN_IOD = 0.04
YAW_PROXY_MIN = 0.06
HEAD_YAW_MIN_DEG = 4.0
"""The 2D yaw warp must also read as a head turn on solvePnP head pose, in degrees."""
LEAN_SCALE_MIN = 0.03
GAZE_MIN = 0.1
"""Iris travel between the corners (-1..1) a gaze shift must show."""
MOUTH_OPEN_MIN_IOD = 0.05
HOLD_MOTION_RATIO_MAX = 0.6
"""Landmark motion inside a hold must be below this fraction of the motion outside events."""
HOLD_STEP_MEDIAN_MAX_PX = 0.15
HOLD_STEP_LIMIT_PX = 0.3
HOLD_STEP_OVER_FRACTION_MAX = 0.05
"""In a hold FaceMesh must sit still frame to frame too: median landmark step under 0.15 px and
at most 5% of frames over 0.3 px. On some frozen poses (seen on the 2.2x zoom) FaceMesh flickers
between two fits, and a per-frame motion detector would then miss the hold."""
SPEECH_EDGE_TOLERANCE_S = 0.03
MOTION_LAG_S = 0.25


def measure_video(path: Path | str, zoom: float = 1.0) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray]:
    """Frame times, per-frame signals (NaN where no face) and relative landmark motion (IOD/s).

    Motion is the mean landmark displacement (head translation removed) over `MOTION_LAG_S`,
    not frame to frame: FaceMesh jitters by a fraction of a pixel per frame, and a lag lets
    real movement accumulate while jitter does not.
    """
    from rehearse.video.frames import iter_frames

    portrait = load_portrait(zoom=zoom)
    times, rows, shapes = [], [], []
    with FaceMeshRunner() as runner:
        for frame in iter_frames(path):
            points = runner.landmarks(frame.image)
            times.append(frame.t)
            rows.append(None if points is None else face_signals(points, portrait))
            shapes.append(None if points is None else points[:, :2] - points[:, :2].mean(axis=0))
    times_array = np.array(times)
    step = float(np.median(np.diff(times_array))) if len(times) > 1 else 1.0
    lag = max(1, int(round(MOTION_LAG_S / step)))
    motion = np.full(len(times), np.nan)
    for i in range(lag, len(times)):
        if shapes[i] is not None and shapes[i - lag] is not None:
            moved = np.linalg.norm(shapes[i] - shapes[i - lag], axis=1).mean()
            motion[i] = moved / rows[i]["iod_px"] / (times_array[i] - times_array[i - lag])
    names = next(r for r in rows if r is not None).keys()
    values = {n: np.array([np.nan if r is None else r[n] for r in rows]) for n in names}
    # Frame-to-frame landmark step (px, translation removed): FaceMesh's own jitter when nothing moves.
    values["frame_step_px"] = np.array([np.nan] + [
        np.linalg.norm(b - a, axis=1).mean() if a is not None and b is not None else np.nan
        for a, b in zip(shapes[:-1], shapes[1:], strict=True)])
    return times_array, values, motion


def _window(times: np.ndarray, start: float, end: float) -> np.ndarray:
    return (times >= start - 1e-6) & (times < end - 1e-6)


def verify_truth(path: Path | str, truth: dict, zoom: float = 1.0) -> dict:
    """Measure `path` and return the `verified` block for `truth` (with `all_passed`)."""
    times, sig, motion = measure_video(path, zoom)
    busy = np.zeros_like(times, dtype=bool)
    for event in truth["events"]:
        if event["kind"] not in ("hold", "speech", "hesitation"):
            busy |= _window(times, event["start_s"] - 0.1, event["end_s"] + 0.1)
    holds = np.zeros_like(busy)
    for event in truth["events"]:
        if event["kind"] == "hold":
            holds |= _window(times, event["start_s"], event["end_s"])
    rest = ~busy & ~holds & ~np.isnan(sig["iod_px"])
    base = {n: float(np.nanmedian(v[rest])) if rest.any() else float(np.nanmedian(v)) for n, v in sig.items()}
    # Idle motion from rest frames; a busy short take may have none, then every frame outside holds.
    idle_frames = rest & ~np.isnan(motion)
    if not idle_frames.any():
        idle_frames = ~holds & ~np.isnan(motion)
    idle_motion = float(np.nanmedian(motion[idle_frames]))
    checks = []
    for event in truth["events"]:
        check = _check_event(event, times, sig, base, motion, idle_motion)
        if check is not None:
            checks.append(check)
    speech = _check_speech(path, truth)
    for line in truth["speech"]:
        if line.get("on_camera"):
            inside = _window(times, line["start_s"], line["end_s"])
            opening = float(np.nanmax(sig["mouth_open"][inside]) - base["mouth_open"])
            checks.append({"kind": "speech", "label": line["speaker"], "start_s": line["start_s"],
                           "mouth_open_iod": round(opening, 4),
                           "passed": opening >= MOUTH_OPEN_MIN_IOD})
    face_found = float(np.mean(~np.isnan(sig["iod_px"])))
    passed = all(c["passed"] for c in checks) and all(s["passed"] for s in speech) and face_found > 0.98
    return {
        "by": "mediapipe FaceMesh 0.10.21 (refine_landmarks, video mode) on the encoded file",
        "face_found_fraction": round(face_found, 4),
        "baseline": {n: round(v, 4) for n, v in base.items()},
        "idle_motion_iod_per_s": round(idle_motion, 4),
        "events": checks,
        "speech": speech,
        "all_passed": bool(passed),
    }


def _check_event(event, times, sig, base, motion, idle_motion) -> dict | None:
    kind, label = event["kind"], event.get("label")
    inside = _window(times, event["start_s"], event["end_s"])
    out = {"kind": kind, "label": label, "start_s": event["start_s"]}
    if not inside.any():
        return None
    if kind in ("blink", "eyes_closed", "partial_blink"):
        sides = ("left", "right") if event["side"] == "both" else (event["side"],)
        apex = np.argmin(np.abs(times - event["apex_s"]))
        ears = {s: float(np.nanmin(sig[f"eye_open_{s}"][max(0, apex - 1): apex + 2])) for s in sides}
        out["apex_ear"] = {s: round(v, 3) for s, v in ears.items()}
        if kind == "partial_blink":
            ok = all(PARTIAL_EAR[0] <= v <= PARTIAL_EAR[1] for v in ears.values())
        else:
            ok = all(v < FULL_BLINK_EAR for v in ears.values())
        if kind == "eyes_closed":
            closed = inside & (times >= event["apex_s"])
            worst = max(float(np.nanmax(sig[f"eye_open_{s}"][closed & (times < event["end_s"] - 0.2)]))
                        if (closed & (times < event["end_s"] - 0.2)).any() else 0.0 for s in sides)
            out["max_ear_while_closed"] = round(worst, 3)
            ok = ok and worst < FULL_BLINK_EAR
        if event["side"] != "both":
            other = "right" if event["side"] == "left" else "left"
            other_ear = float(np.nanmin(sig[f"eye_open_{other}"][max(0, apex - 1): apex + 2]))
            out["other_eye_ear"] = round(other_ear, 3)
            ok = ok and other_ear > OPEN_EYE_EAR
        out["passed"] = bool(ok)
    elif label == "brow_raise":
        lift = np.nanmax((sig["brow_raise_left"] + sig["brow_raise_right"])[inside]) / 2
        out["brow_lift_iod"] = round(float(lift - (base["brow_raise_left"] + base["brow_raise_right"]) / 2), 4)
        out["passed"] = out["brow_lift_iod"] >= BROW_RAISE_MIN_IOD
    elif label == "brow_furrow":
        out["inner_brow_gap_change_iod"] = round(float(np.nanmin(sig["brow_furrow"][inside]) - base["brow_furrow"]), 4)
        out["passed"] = out["inner_brow_gap_change_iod"] <= -BROW_FURROW_MIN_IOD
    elif label in ("half_smile", "smile"):
        side = event["side"] if event["side"] != "both" else "left"
        other = "right" if side == "left" else "left"
        lift = float(np.nanmax(sig[f"lip_corner_{side}"][inside]) - base[f"lip_corner_{side}"])
        other_lift = float(np.nanmax(sig[f"lip_corner_{other}"][inside]) - base[f"lip_corner_{other}"])
        out["corner_lift_iod"] = {side: round(lift, 4), other: round(other_lift, 4)}
        ok = lift >= CORNER_LIFT_MIN_IOD
        if label == "half_smile":
            ok = ok and lift > other_lift + CORNER_LIFT_MIN_IOD / 2
        out["passed"] = bool(ok)
    elif label == "head_turn":
        values = sig["yaw_proxy"][inside] - base["yaw_proxy"]
        change = float(values[np.nanargmax(np.abs(values))])
        out["yaw_proxy_change"] = round(change, 4)
        yaw = sig["head_yaw_deg"][inside] - base["head_yaw_deg"]
        yaw_change = float(yaw[np.nanargmax(np.abs(yaw))])
        out["head_yaw_change_deg"] = round(yaw_change, 2)
        out["passed"] = bool(abs(change) >= YAW_PROXY_MIN and (change > 0) == (event["side"] == "left")
                             and abs(yaw_change) >= HEAD_YAW_MIN_DEG and (yaw_change > 0) == (change > 0))
    elif kind == "gaze_shift":
        values = sig["gaze_h"][inside] - base["gaze_h"]
        change = float(values[np.nanargmax(np.abs(values))])
        out["gaze_h_change"] = round(change, 4)
        out["passed"] = bool(abs(change) >= GAZE_MIN and (change > 0) == (event["side"] == "left"))
    elif label in ("lean_toward", "lean_away"):
        ratio = sig["iod_px"][inside] / base["iod_px"]
        change = float(np.nanmax(ratio) - 1) if label == "lean_toward" else float(np.nanmin(ratio) - 1)
        out["face_scale_change"] = round(change, 4)
        out["passed"] = bool(abs(change) >= LEAN_SCALE_MIN and (change > 0) == (label == "lean_toward"))
    elif kind == "hold":
        settled = inside & (times >= event["start_s"] + MOTION_LAG_S)
        held = float(np.nanmedian(motion[settled if settled.any() else inside]))
        out["motion_iod_per_s"] = round(held, 4)
        out["idle_motion_iod_per_s"] = round(idle_motion, 4)
        steps = sig["frame_step_px"][settled if settled.any() else inside]
        out["frame_step_px_median"] = round(float(np.nanmedian(steps)), 3)
        out["frame_step_px_over_limit"] = round(float(np.nanmean(steps > HOLD_STEP_LIMIT_PX)), 3)
        out["passed"] = bool(held < HOLD_MOTION_RATIO_MAX * idle_motion
                             and out["frame_step_px_median"] < HOLD_STEP_MEDIAN_MAX_PX
                             and out["frame_step_px_over_limit"] <= HOLD_STEP_OVER_FRACTION_MAX)
    elif kind == "false_start" or label == "jaw_drop":
        opening = float(np.nanmax(sig["mouth_open"][inside]) - base["mouth_open"])
        out["mouth_open_iod"] = round(opening, 4)
        out["passed"] = opening >= MOUTH_OPEN_MIN_IOD
    else:
        return None
    return out


def _check_speech(path: Path | str, truth: dict) -> list[dict]:
    """Read the muxed audio back and find each line's real edges near where the truth puts them."""
    from rehearse.video.audio import read_audio

    if not truth["speech"]:
        return []
    audio = read_audio(path, sample_rate=22050)
    results = []
    for line in truth["speech"]:
        lo = line["start_s"] - 0.15 - audio.start_s
        hi = line["end_s"] + 0.15 - audio.start_s
        first, last = int(max(lo, 0) * audio.sample_rate), int(hi * audio.sample_rate)
        segment = audio.samples[first:last]
        trimmed = trim_silence(segment, audio.sample_rate)
        if trimmed.size == 0:
            results.append({"speaker": line["speaker"], "passed": False})
            continue
        offset = _find(segment, trimmed)
        start = audio.start_s + (first + offset) / audio.sample_rate
        end = start + trimmed.size / audio.sample_rate
        ok = (abs(start - line["start_s"]) <= SPEECH_EDGE_TOLERANCE_S
              and abs(end - line["end_s"]) <= SPEECH_EDGE_TOLERANCE_S)
        results.append({"speaker": line["speaker"], "measured_start_s": round(start, 4),
                        "measured_end_s": round(end, 4), "passed": bool(ok)})
    return results


def _find(segment: np.ndarray, trimmed: np.ndarray) -> int:
    for index in range(segment.size - trimmed.size + 1):
        if segment[index] == trimmed[0] and np.array_equal(segment[index: index + 8], trimmed[:8]):
            return index
    return 0
