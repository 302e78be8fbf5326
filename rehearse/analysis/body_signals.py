"""Per-frame body signals from Pose and Hands: torso lean, shoulder line, wrists, fingertips, hand-to-face, tremor.

Pose is person-centric (11/12 = the actor's left/right shoulder, 15/16 wrists, 19/20 index
fingers, 23/24 hips); hands tracks are already on the actor's own sides. Depth comes from
Pose's world landmarks (metres, hip centre = 0, smaller z = closer) when present, else from the
image landmarks' relative z: angles that use depth (lean_forward, shoulder_turn) are
approximate (a frontal seated actor reads ~10-15 deg), good for change over a take and between
takes of one setup, not absolute truth.
"""

from __future__ import annotations

import numpy as np

L_SHOULDER, R_SHOULDER, L_HIP, R_HIP = 11, 12, 23, 24
POSE_WRIST = {"left": 15, "right": 16}
POSE_FINGERS = {"left": (15, 17, 19, 21), "right": (16, 18, 20, 22)}  # wrist, pinky, index, thumb
POSE_INDEX = {"left": 19, "right": 20}
HAND_WRIST, HAND_INDEX_TIP = 0, 8
HAND_TIPS = (4, 8, 12, 16, 20)


def world_metres(world: np.ndarray, min_visibility: float) -> np.ndarray:
    """(N, 33, 4) world pose -> (N, 33, 3) metres; landmarks under `min_visibility` are NaN."""
    points = world[..., :3].astype(np.float64)
    points[world[..., 3] < min_visibility] = np.nan
    return points


def pose_pixels(pose: np.ndarray, image_size: tuple[int, int], min_visibility: float) -> np.ndarray:
    """(N, 33, 4) pose -> (N, 33, 3) x, y in px and z in px-like units (z * width); landmarks
    under `min_visibility` are NaN."""
    width, height = image_size
    px = pose[..., :3].astype(np.float64) * np.array([width, height, width])
    px[pose[..., 3] < min_visibility] = np.nan
    return px


def _deg(y: np.ndarray, x: np.ndarray) -> np.ndarray:
    return np.degrees(np.arctan2(y, x))


def depth_angles(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """lean_forward and shoulder_turn (deg) from (N, 33, 3) points with a depth axis in the
    same unit as x and y (px-like for image landmarks, metres for world landmarks)."""
    shoulders_mid = (points[:, L_SHOULDER] + points[:, R_SHOULDER]) / 2
    hips_mid = (points[:, L_HIP] + points[:, R_HIP]) / 2
    torso = shoulders_mid - hips_mid
    across = points[:, L_SHOULDER] - points[:, R_SHOULDER]
    with np.errstate(invalid="ignore"):
        # shoulders nearer the camera than the hips (smaller z) = leaning toward the camera
        lean_forward = _deg(-torso[:, 2], np.hypot(torso[:, 0], torso[:, 1]))
        shoulder_turn = _deg(across[:, 2], np.hypot(across[:, 0], across[:, 1]))
    return lean_forward, shoulder_turn


def torso_angles(px: np.ndarray, world: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """lean_forward, lean_side, shoulder_roll, shoulder_turn in degrees (see SIGNALS).

    The depth angles come from Pose's metric world landmarks where given (measured steadier:
    a frontal seated actor read ~13 deg of shoulder turn from them, ~25 deg from the image
    landmarks' z), else from the image landmarks' relative z.
    """
    shoulders_mid = (px[:, L_SHOULDER] + px[:, R_SHOULDER]) / 2
    hips_mid = (px[:, L_HIP] + px[:, R_HIP]) / 2
    torso = shoulders_mid - hips_mid  # points up the spine; image y grows downward
    # Which image direction is the actor's left: from the right hip (or shoulder) to the left.
    lateral = px[:, L_HIP, 0] - px[:, R_HIP, 0]
    lateral = np.where(np.isnan(lateral), px[:, L_SHOULDER, 0] - px[:, R_SHOULDER, 0], lateral)
    left_sign = np.sign(lateral)
    shoulder_dx = np.abs(px[:, L_SHOULDER, 0] - px[:, R_SHOULDER, 0])
    lean_forward, shoulder_turn = depth_angles(px)
    if world is not None:
        world_lean, world_turn = depth_angles(world)
        lean_forward = np.where(np.isfinite(world_lean), world_lean, lean_forward)
        shoulder_turn = np.where(np.isfinite(world_turn), world_turn, shoulder_turn)
    with np.errstate(invalid="ignore"):
        return {
            "lean_forward": lean_forward,
            "lean_side": _deg(torso[:, 0] * left_sign, -torso[:, 1]),
            "shoulder_roll": _deg(px[:, R_SHOULDER, 1] - px[:, L_SHOULDER, 1], shoulder_dx),
            "shoulder_turn": shoulder_turn,
        }


def hand_points(side: str, hand: np.ndarray | None, pose_px: np.ndarray, image_size: tuple[int, int],
                walked_back: np.ndarray | None = None):
    """Wrist, index tip (N, 2 px) and all fingertips (N, K, 2 px) for one side, and whether the
    hands model supplied them (N,) — the hands model where it found the hand, else pose.

    The wrist takes the hands model's only where the hand was found going forward (not
    `walked_back`, a hand found later followed back over the frame), else pose's: body holds and
    hand raises read wrists only, and a walk-back fills frames up to `hands_backfill_s` after they
    were seen, so read so they are final as their frames arrive (live need not wait for a walk).
    Fingertips (touches, tremor) take every hand found: the walk-back gives a touch its onset."""
    width, height = image_size
    scale = np.array([width, height], dtype=np.float64)
    wrist = pose_px[:, POSE_WRIST[side], :2].copy()
    index_tip = pose_px[:, POSE_INDEX[side], :2].copy()
    tips = pose_px[:, list(POSE_FINGERS[side]), :2].copy()
    from_hand = np.zeros(pose_px.shape[0], dtype=bool)
    if hand is not None:
        from_hand = ~np.isnan(hand[:, HAND_WRIST, 0])
        hand_px = hand[..., :2].astype(np.float64) * scale
        forward = from_hand if walked_back is None else from_hand & ~np.asarray(walked_back, dtype=bool)
        wrist[forward] = hand_px[forward, HAND_WRIST]
        index_tip[from_hand] = hand_px[from_hand, HAND_INDEX_TIP]
        tips_hand = hand_px[:, list(HAND_TIPS)]
        if tips.shape[1] < tips_hand.shape[1]:
            tips = np.concatenate([tips, np.full((tips.shape[0], tips_hand.shape[1] - tips.shape[1], 2), np.nan)], axis=1)
        tips[from_hand] = tips_hand[from_hand]
    return wrist, index_tip, tips, from_hand


def hand_to_face(tips: np.ndarray, face_points: np.ndarray | None, iod: np.ndarray,
                 image_size: tuple[int, int]) -> np.ndarray:
    """Smallest distance from any fingertip to any face landmark, in IOD; NaN without both.

    `face_points` are the normalised face landmarks; each frame is scaled to pixels on its own,
    so no take-long pixel copy of the face is held."""
    frames = tips.shape[0]
    out = np.full(frames, np.nan)
    if face_points is None:
        return out
    scale = np.array(image_size, dtype=np.float64)
    for i in range(frames):
        t = tips[i][~np.isnan(tips[i, :, 0])]
        if t.size == 0:
            continue
        f = face_points[i, :, :2].astype(np.float64) * scale
        if np.isnan(f[0, 0]) or not iod[i] > 0:
            continue
        gaps = np.linalg.norm(t[:, None, :] - f[None, :, :], axis=2)
        out[i] = gaps.min() / iod[i]
    return out


def high_band_energy(times: np.ndarray, xy: np.ndarray, cutoff_hz: float, min_samples: int) -> float:
    """Mean-square of the part of a short (T, 2) trajectory above `cutoff_hz`, after resampling
    to a uniform grid (VFR-safe) and removing the linear trend; NaN if too few samples or the
    frame rate cannot resolve the band."""
    if xy.shape[0] < min_samples or np.isnan(xy).any():
        return float("nan")
    step = float(np.median(np.diff(times)))
    if step <= 0 or 0.5 / step <= cutoff_hz:
        return float("nan")
    count = int(round((times[-1] - times[0]) / step)) + 1
    grid = times[0] + step * np.arange(count)
    energy = 0.0
    for axis in range(2):
        samples = np.interp(grid, times, xy[:, axis])
        trend = np.polyval(np.polyfit(grid - grid[0], samples, 1), grid - grid[0])
        spectrum = np.fft.rfft(samples - trend)
        freqs = np.fft.rfftfreq(count, d=step)
        power = np.abs(spectrum) ** 2 / count**2
        power[1:] *= 2  # one-sided spectrum: fold negative frequencies back in
        if count % 2 == 0:
            power[-1] /= 2  # ... except the Nyquist bin, which has no mirror
        energy += float(power[freqs > cutoff_hz].sum())
    return energy


def tremor(times: np.ndarray, tip_iod: np.ndarray, present: np.ndarray, window_s: float,
           cutoff_hz: float, min_samples: int) -> np.ndarray:
    """Fingertip energy above `cutoff_hz` (IOD^2) in a `window_s` window centred on each frame;
    NaN where the hand is absent or the window is not fully tracked."""
    out = np.full(times.shape[0], np.nan)
    half = window_s / 2
    for i in np.flatnonzero(present):
        lo, hi = np.searchsorted(times, times[i] - half), np.searchsorted(times, times[i] + half, "right")
        if not present[lo:hi].all():
            continue
        out[i] = high_band_energy(times[lo:hi], tip_iod[lo:hi], cutoff_hz, min_samples)
    return out
