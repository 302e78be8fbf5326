"""Assigns MediaPipe Hands detections to the actor's own left and right hand.

MediaPipe Hands labels a hand as if the image were mirrored (a selfie camera), so on a normal
film camera its "Left" is the actor's RIGHT hand. Pose, by contrast, is person-centric: pose
landmark 15 is the actor's left wrist and 16 the right, whichever way the actor faces. So when
a pose sample with visible wrists is available, each detected hand goes to the nearest pose
wrist (its own landmark 0 against pose 15/16); only without pose is the swapped label used.
"""

from __future__ import annotations

import numpy as np

POSE_WRIST = {"left": 15, "right": 16}
HAND_WRIST = 0
# Beyond this distance (fraction of image width) a hand is not attributed to a lone visible
# pose wrist: the pose wrist is probably the other hand.
MAX_WRIST_GAP = 0.15

Hand = tuple[np.ndarray, str, float]  # (21x3 landmarks, MediaPipe label, score)


def side_from_label(label: str) -> str:
    """Actor's side for a MediaPipe Hands label on a non-mirrored image ("Left" -> "right")."""
    return "right" if label.lower() == "left" else "left"


def _gap(hand: np.ndarray, wrist: np.ndarray, aspect: float) -> float:
    # Normalised x and y have different pixel scales; measure in image-width units.
    dx = float(hand[HAND_WRIST, 0] - wrist[0])
    dy = float(hand[HAND_WRIST, 1] - wrist[1]) / aspect
    return float(np.hypot(dx, dy))


def _by_labels(hands: list[Hand]) -> dict[str, tuple[np.ndarray, float]]:
    if len(hands) == 2 and side_from_label(hands[0][1]) == side_from_label(hands[1][1]):
        # Both given the same label: fall back to image position (frontal actor: their right
        # hand is on image left).
        ordered = sorted(hands, key=lambda h: float(h[0][HAND_WRIST, 0]))
        return {"right": (ordered[0][0], ordered[0][2]), "left": (ordered[1][0], ordered[1][2])}
    return {side_from_label(label): (points, score) for points, label, score in hands}


def assign_hands_to_sides(
    hands: list[Hand],
    pose: np.ndarray | None,
    min_visibility: float = 0.5,
    aspect: float = 16 / 9,
) -> dict[str, tuple[np.ndarray, float]]:
    """Map detected hands to {"left"|"right": (points, score)} on the actor's own sides.

    `pose` is a (33, 4) pose sample (x, y, z, visibility) or None; `aspect` is width/height.
    """
    if not hands:
        return {}
    hands = hands[:2]
    if pose is None:
        return _by_labels(hands)
    visible = {side: pose[idx] for side, idx in POSE_WRIST.items() if pose[idx, 3] >= min_visibility}
    if not visible:
        return _by_labels(hands)
    if len(visible) == 2:
        if len(hands) == 1:
            points, _, score = hands[0]
            side = min(visible, key=lambda s: _gap(points, visible[s], aspect))
            return {side: (points, score)}
        straight = _gap(hands[0][0], visible["left"], aspect) + _gap(hands[1][0], visible["right"], aspect)
        crossed = _gap(hands[0][0], visible["right"], aspect) + _gap(hands[1][0], visible["left"], aspect)
        first, second = ("left", "right") if straight <= crossed else ("right", "left")
        return {first: (hands[0][0], hands[0][2]), second: (hands[1][0], hands[1][2])}
    (side, wrist), = visible.items()
    other = "right" if side == "left" else "left"
    if len(hands) == 1:
        points, label, score = hands[0]
        if _gap(points, wrist, aspect) <= MAX_WRIST_GAP:
            return {side: (points, score)}
        return {side_from_label(label): (points, score)}
    nearer = min(range(2), key=lambda i: _gap(hands[i][0], wrist, aspect))
    return {side: (hands[nearer][0], hands[nearer][2]), other: (hands[1 - nearer][0], hands[1 - nearer][2])}
