"""Per-frame envelopes of timed actions, snapped to the frame clock, and the truth events they make.

Key times of an action (start, peak start, peak end, end) are snapped to frame times so a
blink's apex is an actual frame at full closure. Truth times are frame PTS:
`start_s` = first frame where the action is visible (envelope above `VISIBLE`),
`end_s` = first frame after that where it no longer is (end exclusive), `apex_s` = the middle
frame of the peak.
"""

from __future__ import annotations

import numpy as np

from tools.takegen.spec import Action

VISIBLE = 0.01
"""Envelope level (fraction of the peak) above which an action counts as visible in a frame."""


def frame_times(fps: float, duration_s: float) -> np.ndarray:
    """Presentation time of every frame: i / fps for i in [0, round(duration * fps))."""
    count = int(round(duration_s * fps))
    return np.arange(count) / fps


def _snap(t: float, fps: float) -> float:
    return round(t * fps) / fps


def envelope(action: Action, times: np.ndarray, fps: float) -> np.ndarray:
    """0..1 strength of `action` in each frame (smoothstep ramps, flat peak)."""
    start = _snap(action.start_s, fps)
    end = max(_snap(action.end_s, fps), start)
    if action.kind == "hold":
        return ((times >= start - 1e-9) & (times < end - 1e-9)).astype(float)
    peak_start = min(max(_snap(action.start_s + action.ramp_in_s, fps), start), end)
    peak_end = max(min(_snap(action.end_s - action.ramp_out_s, fps), end), peak_start)
    out = np.zeros_like(times)
    rising = (times > start) & (times < peak_start)
    out[rising] = _smoothstep((times[rising] - start) / (peak_start - start))
    out[(times >= peak_start - 1e-9) & (times <= peak_end + 1e-9)] = 1.0
    falling = (times > peak_end) & (times < end)
    out[falling] = _smoothstep((end - times[falling]) / (end - peak_end))
    return out


def _smoothstep(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0, 1)
    return x * x * (3 - 2 * x)


EVENT_OF_ACTION = {
    "blink": ("blink", None),
    "partial_blink": ("partial_blink", None),
    "eyes_closed": ("eyes_closed", None),
    "brow_raise": ("expression", "brow_raise"),
    "brow_furrow": ("expression", "brow_furrow"),
    "half_smile": ("expression", "half_smile"),
    "head_turn": ("gesture", "head_turn"),
    "lean": ("gesture", None),
    "hold": ("hold", None),
    "false_start": ("false_start", None),
    "mouth_open": ("expression", "jaw_drop"),
    "gaze_shift": ("gaze_shift", None),
}


def truth_event(action: Action, times: np.ndarray, values: np.ndarray) -> dict | None:
    """The ground-truth event of one action, from its per-frame envelope; None if never visible."""
    visible = np.nonzero(values > VISIBLE)[0]
    if visible.size == 0:
        return None
    frame_step = float(times[1] - times[0]) if times.size > 1 else 0.0
    first, last = int(visible[0]), int(visible[-1])
    kind, label = EVENT_OF_ACTION[action.kind]
    event: dict = {"kind": kind, "start_s": _r(times[first]), "end_s": _r(times[first] + (last - first + 1) * frame_step)}
    if action.kind == "hold":
        event["scope"] = "face"
        return event
    peak = np.nonzero(values >= values.max() - 1e-9)[0]
    event["apex_s"] = _r(times[int(peak[len(peak) // 2])])
    if action.kind in ("blink", "partial_blink", "eyes_closed", "half_smile"):
        event["side"] = action.side
        if action.kind == "half_smile" and action.side == "both":
            event["label"] = "smile"
    if action.kind == "partial_blink":
        event["amount"] = action.amount
    if label:
        event.setdefault("label", label)
    if action.kind == "gaze_shift":
        event["side"] = action.direction
    if action.kind == "head_turn":
        event["side"] = action.direction
        # The warp's angle, not what a head-pose solver reads (see verified.head_yaw_change_deg).
        event["warp_degrees"] = action.degrees
    if action.kind == "lean":
        event["label"] = f"lean_{action.direction}"
    return event


def _r(t: float) -> float:
    return round(float(t), 6)
