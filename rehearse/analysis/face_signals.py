"""Per-frame face signals from FaceMesh/Face Landmarker points: eyes, brows, lips, gaze, head pose, motion.

Conventions (see `SIGNALS` in tracks.py): sides are the ACTOR's own. FaceMesh's topology is
anatomical for an unmirrored image: points 362..263 ring the actor's left eye, which appears on
IMAGE RIGHT for a frontal camera; 33..133 the right eye. Distances are measured in pixels and
divided by the inter-ocular distance (IOD, between the eye-corner midpoints), so they do not
change with framing. "Up" is the face's own up (perpendicular to the eye line, toward the
eyes from the mouth), so a tilted head does not read as a brow raise.
"""

from __future__ import annotations

import warnings

import numpy as np

# FaceMesh indices. Eye rings for EAR: p1..p6 = outer/inner corner with two upper, two lower lid points.
RIGHT_EYE_EAR = (33, 160, 158, 133, 153, 144)
LEFT_EYE_EAR = (362, 385, 387, 263, 373, 380)
RIGHT_EYE_CORNERS = (33, 133)  # outer, inner
LEFT_EYE_CORNERS = (263, 362)  # outer, inner
RIGHT_EYE_LIDS = (159, 145)  # upper, lower (centre of the lid)
LEFT_EYE_LIDS = (386, 374)
RIGHT_IRIS, LEFT_IRIS = 468, 473  # iris centres (refined landmarks only)
RIGHT_IRIS_RING, LEFT_IRIS_RING = (469, 470, 471, 472), (474, 475, 476, 477)  # two opposite pairs each
RIGHT_BROW_MID, LEFT_BROW_MID = (105, 66), (334, 296)
RIGHT_BROW_INNER, LEFT_BROW_INNER = 107, 336
MOUTH_RIGHT, MOUTH_LEFT = 61, 291
UPPER_LIP_OUTER, UPPER_LIP_INNER, LOWER_LIP_INNER, LOWER_LIP_OUTER = 0, 13, 14, 17
NOSE_TIP, CHIN = 1, 152

# Stable points of MediaPipe's canonical face model (canonical_face_model.obj, Apache-2.0, in
# cm), turned into OpenCV camera axes: x = toward the actor's left (image right for a frontal
# face), y down, z away from the camera; identity rotation = a face looking into the lens.
# Eye corners, nose, chin and mouth corners: the mouth corners move with a smile, but with
# nine points the fit measured steadier on real footage than without them.
_CANONICAL_CM = {
    NOSE_TIP: (0.0, -1.126865, 7.475604),
    6: (0.0, 2.473255, 5.788627),  # nose bridge between the eyes
    33: (-4.445859, 2.663991, 3.173422),
    133: (-1.856432, 2.585245, 3.757904),
    362: (1.856432, 2.585245, 3.757904),
    263: (4.445859, 2.663991, 3.173422),
    CHIN: (0.0, -9.403378, 4.264492),
    MOUTH_RIGHT: (-2.456206, -4.342621, 4.283884),
    MOUTH_LEFT: (2.456206, -4.342621, 4.283884),
}
HEAD_MODEL_POINTS = {i: (x, -y, -z) for i, (x, y, z) in _CANONICAL_CM.items()}


def face_pixels(points: np.ndarray, image_size: tuple[int, int]) -> np.ndarray:
    """(N, K, 3) normalised landmarks -> (N, K, 2) pixel x, y, as float32.

    float32 keeps ~0.0001 px at 4K, far below landmark noise, and halves the take-long array
    (a 10-minute take's 478 points are 110 MB in float64)."""
    width, height = image_size
    return (points[..., :2] * np.array([width, height], dtype=np.float32)).astype(np.float32, copy=False)


def _dist(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.linalg.norm(a - b, axis=-1)


def _unit(v: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return v / np.linalg.norm(v, axis=-1, keepdims=True)


def eye_aspect_ratio(px: np.ndarray, ring: tuple[int, ...]) -> np.ndarray:
    """EAR = (|p2-p6| + |p3-p5|) / (2 |p1-p4|): ~0.3 open, under ~0.1 shut."""
    p1, p2, p3, p4, p5, p6 = (px[:, i] for i in ring)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (_dist(p2, p6) + _dist(p3, p5)) / (2.0 * _dist(p1, p4))


def face_axes(px: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Eye centres, IOD (px) and the face's own axes in the image.

    Returns (right_eye_centre, left_eye_centre, iod, toward_actor_left, up), vectors (N, 2).
    """
    right_eye = px[:, list(RIGHT_EYE_CORNERS)].mean(axis=1)
    left_eye = px[:, list(LEFT_EYE_CORNERS)].mean(axis=1)
    iod = _dist(left_eye, right_eye)
    toward_left = _unit(left_eye - right_eye)
    eyes_mid = (left_eye + right_eye) / 2
    mouth_mid = px[:, [MOUTH_RIGHT, MOUTH_LEFT]].mean(axis=1)
    rise = eyes_mid - mouth_mid
    along = (rise * toward_left).sum(axis=1, keepdims=True)
    up = _unit(rise - along * toward_left)
    return right_eye, left_eye, iod, toward_left, up


def _dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=-1)


def _gaze(px, corners, lids, iris, toward_left, up, ear, closed_ear):
    outer, inner = px[:, corners[0]], px[:, corners[1]]
    centre = (outer + inner) / 2
    half_width = _dist(outer, inner) / 2
    upper, lower = px[:, lids[0]], px[:, lids[1]]
    lid_mid = (upper + lower) / 2
    half_gap = np.abs(_dot(upper - lower, up)) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        horizontal = _dot(px[:, iris] - centre, toward_left) / half_width
        vertical = _dot(px[:, iris] - lid_mid, up) / half_gap
    # With the lids nearly shut the iris is hidden and the vertical ratio is meaningless.
    vertical = np.where(ear < closed_ear, np.nan, vertical)
    return np.clip(horizontal, -1, 1), np.clip(vertical, -1, 1)


def head_pose_deg(px: np.ndarray, image_size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Head yaw, pitch, roll in degrees per frame via cv2.solvePnP on a generic 3D face.

    yaw + = toward the actor's own left, pitch + = chin up, roll + = toward the actor's left
    shoulder. The camera is a pinhole with focal length = image width (px) and the centre in the
    middle: absolute angles are approximate (about +-5 deg), changes are reliable.
    """
    import cv2

    width, height = image_size
    camera = np.array([[width, 0, width / 2], [0, width, height / 2], [0, 0, 1]], dtype=np.float64)
    model = np.array(list(HEAD_MODEL_POINTS.values()), dtype=np.float64)
    indices = list(HEAD_MODEL_POINTS)
    frames = px.shape[0]
    yaw, pitch, roll = (np.full(frames, np.nan) for _ in range(3))
    for i in range(frames):
        image_points = px[i, indices].astype(np.float64)
        if not np.isfinite(image_points).all():
            continue
        # SQPnP finds the global optimum: the iterative solver flipped between mirrored poses
        # on a frontal face (+-18 deg yaw on single_face.mp4).
        ok, rvec, _ = cv2.solvePnP(model, image_points, camera, None, flags=cv2.SOLVEPNP_SQPNP)
        if not ok:
            continue
        rotation, _ = cv2.Rodrigues(rvec)
        forward = rotation @ np.array([0.0, 0.0, -1.0])  # face's forward, toward the camera
        sideways = rotation @ np.array([1.0, 0.0, 0.0])  # toward the actor's left
        yaw[i] = np.degrees(np.arctan2(forward[0], -forward[2]))
        pitch[i] = np.degrees(np.arctan2(-forward[1], np.hypot(forward[0], forward[2])))
        roll[i] = np.degrees(np.arctan2(sideways[1], sideways[0]))
    return yaw, pitch, roll


MOTION_BLOCK_FRAMES = 1024
MOTION_HALF_SPAN_S = 0.025
"""face_motion is the displacement between the nearest frames at least this far before and
after each frame, over their time (about 67 ms at 30 and 60 fps, 83 ms at 24): tracker
jitter is a position error per frame that does not add up, while real movement does, so a
span of a few frames separates them where a per-frame speed cannot (at 60 fps a still face's
per-frame jitter speed is as large as a live face's idle movement). A span never shorter than
twice this keeps jitter from reading as a burst of speed under variable frame rate."""
MOTION_MAX_SPAN_S = 0.3
"""A span stretched past this by a lost face gives no speed."""


def motion_span_frames(times: np.ndarray, half_span_s: float = MOTION_HALF_SPAN_S) -> tuple[np.ndarray, np.ndarray]:
    """For each frame, the indices of the nearest frames at least `half_span_s` before and
    after it (the first and last frames of the take where there are none)."""
    n = times.size
    before = np.clip(np.searchsorted(times, times - half_span_s, side="right") - 1, 0, n - 1)
    after = np.clip(np.searchsorted(times, times + half_span_s, side="left"), 0, n - 1)
    return before, after


def motion_span_s(frame_s: float, half_span_s: float = MOTION_HALF_SPAN_S) -> float:
    """The span (s) `motion_span_frames` gives a frame at a constant frame interval `frame_s`:
    the nearest frames at least `half_span_s` either side."""
    return 2 * max(1, int(np.ceil(half_span_s / frame_s - 1e-9))) * frame_s


def face_motion(px: np.ndarray, iod: np.ndarray, times: np.ndarray, present: np.ndarray | None = None) -> np.ndarray:
    """Mean landmark speed in IOD/s after removing head translation (centroid), over a centred
    span (`motion_span_frames`) between frames that have a face; NaN where the face is missing,
    or where the span is longer than `MOTION_MAX_SPAN_S` (a lost face says nothing of how it
    moved)."""
    speed = np.full(px.shape[0], np.nan)
    seen = np.flatnonzero(np.ones(px.shape[0], bool) if present is None else present)
    if seen.size < 2:
        return speed
    # Only the 1-D arrays are taken to the frames with a face; the points are picked block by
    # block below (a copy of them all would be a 10-minute take's largest array, 55 MB, again).
    times, iod = times[seen], iod[seen]
    before, after = motion_span_frames(times)
    elapsed = times[after] - times[before]
    # In blocks of frames, so the temporaries stay a fixed size however long the take:
    # a 10-minute take would otherwise need ~0.5 GB of (N, 478, 2) copies.
    for start in range(0, seen.size, MOTION_BLOCK_FRAMES):
        stop = min(start + MOTION_BLOCK_FRAMES, seen.size)
        low, high = int(before[start:stop].min()), int(after[start:stop].max()) + 1
        block = px[seen[low:high]]
        centred = (block - block.mean(axis=1, keepdims=True)) / iod[low:high, None, None]
        a, b = before[start:stop] - low, after[start:stop] - low
        span = elapsed[start:stop]
        with np.errstate(invalid="ignore", divide="ignore"):
            moved = np.linalg.norm(centred[b] - centred[a], axis=2).mean(axis=1) / span
        usable = (span > 0) & (span <= MOTION_MAX_SPAN_S)
        speed[seen[start:stop]] = np.where(usable, moved, np.nan)
    return speed


def lid_gap(px: np.ndarray, lids: tuple[int, int], ring: tuple[int, ...], iod: np.ndarray,
            up: np.ndarray, times: np.ndarray | None = None) -> np.ndarray:
    """Upper-to-lower lid distance along the face's up axis, in iris diameters (negative when
    the upper lid points pass the lower ones).

    The iris is about 11.7 mm across on every adult, so this reads the same on any face and
    framing: ~0.7-0.9 open, ~0.2-0.3 open and looking down (a slit of iris shows), under ~0.1
    shut. The diameter is the median iris/IOD ratio times this frame's IOD: one frame's ring
    wobbles by ~10 %, the ratio does not change within a take. With the frames' `times` the
    median is read as the stream knows it (over the frames before each frame, `stream_levels`),
    so a frame's gap does not change with frames played after it; without, over all frames given."""
    from rehearse.analysis.events.stream_levels import stream_percentile

    gap = _dot(px[:, lids[0]] - px[:, lids[1]], up)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a take without a face: all NaN
        diameter = (_dist(px[:, ring[0]], px[:, ring[2]]) + _dist(px[:, ring[1]], px[:, ring[3]])) / 2
        ratio_per_frame = diameter / iod
        if times is None:
            ratio = np.nanmedian(ratio_per_frame) if gap.size else np.nan
        else:
            ratio = stream_percentile(times, ratio_per_frame, None, 50.0)
        return gap / (ratio * iod)


def face_signals(points: np.ndarray, confidence: np.ndarray, times: np.ndarray,
                 image_size: tuple[int, int], closed_ear: float = 0.12) -> dict[str, np.ndarray]:
    """All face signals for a face track; frames without a face are NaN (present/confidence 0)."""
    frames = points.shape[0]
    present = confidence > 0
    out: dict[str, np.ndarray] = {
        "face_present": present.astype(np.float64),
        "face_confidence": confidence.astype(np.float64),
    }
    px = face_pixels(points, image_size)
    right_eye, left_eye, iod, toward_left, up = face_axes(px)
    out["iod_px"] = iod
    ear_left = eye_aspect_ratio(px, LEFT_EYE_EAR)
    ear_right = eye_aspect_ratio(px, RIGHT_EYE_EAR)
    out["eye_open_left"], out["eye_open_right"] = ear_left, ear_right
    with np.errstate(invalid="ignore", divide="ignore"):
        brow_left = px[:, list(LEFT_BROW_MID)].mean(axis=1)
        brow_right = px[:, list(RIGHT_BROW_MID)].mean(axis=1)
        out["brow_raise_left"] = _dot(brow_left - left_eye, up) / iod
        out["brow_raise_right"] = _dot(brow_right - right_eye, up) / iod
        out["brow_furrow"] = _dist(px[:, LEFT_BROW_INNER], px[:, RIGHT_BROW_INNER]) / iod
        lip_centre = px[:, [UPPER_LIP_INNER, LOWER_LIP_INNER]].mean(axis=1)
        out["lip_corner_left"] = _dot(px[:, MOUTH_LEFT] - lip_centre, up) / iod
        out["lip_corner_right"] = _dot(px[:, MOUTH_RIGHT] - lip_centre, up) / iod
        out["lip_corner_asymmetry"] = out["lip_corner_left"] - out["lip_corner_right"]
        out["mouth_width"] = _dist(px[:, MOUTH_LEFT], px[:, MOUTH_RIGHT]) / iod
        out["lip_press"] = (
            _dist(px[:, UPPER_LIP_OUTER], px[:, UPPER_LIP_INNER])
            + _dist(px[:, LOWER_LIP_INNER], px[:, LOWER_LIP_OUTER])
        ) / iod
        out["mouth_open"] = _dist(px[:, UPPER_LIP_INNER], px[:, LOWER_LIP_INNER]) / iod
    if points.shape[1] > LEFT_IRIS:
        h_l, v_l = _gaze(px, LEFT_EYE_CORNERS, LEFT_EYE_LIDS, LEFT_IRIS, toward_left, up, ear_left, closed_ear)
        h_r, v_r = _gaze(px, RIGHT_EYE_CORNERS, RIGHT_EYE_LIDS, RIGHT_IRIS, toward_left, up, ear_right, closed_ear)
        with warnings.catch_warnings():  # all-NaN frames (no face) are expected, not news
            warnings.simplefilter("ignore", RuntimeWarning)
            out["gaze_h"] = np.nanmean(np.stack([h_l, h_r]), axis=0) if frames else h_l
            out["gaze_v"] = np.nanmean(np.stack([v_l, v_r]), axis=0) if frames else v_l
        out["lid_gap_left"] = lid_gap(px, LEFT_EYE_LIDS, LEFT_IRIS_RING, iod, up, times)
        out["lid_gap_right"] = lid_gap(px, RIGHT_EYE_LIDS, RIGHT_IRIS_RING, iod, up, times)
    else:  # FaceMesh without refine_iris has no iris points
        out["gaze_h"] = out["gaze_v"] = np.full(frames, np.nan)
        out["lid_gap_left"] = out["lid_gap_right"] = np.full(frames, np.nan)
    out["head_yaw"], out["head_pitch"], out["head_roll"] = head_pose_deg(px, image_size)
    out["face_motion"] = face_motion(px, iod, times, present)
    for name, values in out.items():
        if name not in ("face_present", "face_confidence"):
            out[name] = np.where(present, values, np.nan).astype(np.float64)
    return out
