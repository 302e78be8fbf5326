"""Painting what a warp cannot do: a closing eyelid, and the dark gap of an opening mouth.

A warp that pulls the upper-lid landmarks down only squints the eye (the iris stays and
FaceMesh keeps reading an open eye), so a blink is painted: the eye opening between the upper
lid and its moved position is filled with skin colour sampled above the eye (soft-edged),
and a thin dark lash line is drawn along the new lid edge.
"""

from __future__ import annotations

import numpy as np

LASH_RGB = (38, 26, 24)
MOUTH_RGB = (52, 22, 24)
LID_SHADE = 0.95
"""The lid sits in the brow's shadow: a touch darker than the skin it is copied from."""
TOP_MARGIN_IOD = 0.03
BOTTOM_MARGIN_IOD = 0.03
TEXTURE_SHIFT_IOD = 0.17
TEXTURE_WEIGHT = 0.6
EDGE_SOFTNESS_PX = 0.9
SUBPIXEL_BITS = 3


def _polygon_mask(shape: tuple[int, int], polygon: np.ndarray, softness_px: float) -> np.ndarray:
    import cv2

    mask = np.zeros(shape, dtype=np.uint8)
    scaled = np.round(polygon * (1 << SUBPIXEL_BITS)).astype(np.int32)
    cv2.fillPoly(mask, [scaled], 255, lineType=cv2.LINE_AA, shift=SUBPIXEL_BITS)
    mask = mask.astype(np.float32) / 255.0
    if softness_px > 0:
        mask = cv2.GaussianBlur(mask, (0, 0), softness_px)
    return mask


def _region(image: np.ndarray, points: np.ndarray, pad: int) -> tuple[int, int, int, int]:
    """Bounding box (x0, y0, x1, y1) of `points` plus `pad`, clipped to the image: painting
    touches only this box, which keeps a frame's painting to a few milliseconds."""
    height, width = image.shape[:2]
    x0, y0 = np.floor(points.min(axis=0)).astype(int) - pad
    x1, y1 = np.ceil(points.max(axis=0)).astype(int) + pad + 1
    return max(x0, 0), max(y0, 0), min(x1, width), min(y1, height)


def sample_skin(image: np.ndarray, point: np.ndarray, radius_px: int = 3) -> np.ndarray:
    """Median colour of a small patch around `point` (RGB float)."""
    x, y = int(round(point[0])), int(round(point[1]))
    patch = image[max(0, y - radius_px): y + radius_px + 1, max(0, x - radius_px): x + radius_px + 1]
    return np.median(patch.reshape(-1, 3), axis=0).astype(np.float32)


def paint_lid(image: np.ndarray, upper: np.ndarray, lower: np.ndarray, closure: float,
              skin_rgb: np.ndarray, iod_px: float) -> np.ndarray:
    """Close one eye by `closure` (0 open .. 1 shut): paint lid skin down to the new lid edge.

    `upper` and `lower` are the lid contours (corner to corner, same order, pixels).
    """
    import cv2

    if closure <= 0:
        return image
    new_edge = upper + closure * (lower - upper)
    # Cover a little beyond the landmark contours: the lash lines and a sliver of iris sit just
    # outside them; the upper margin grows as the lid comes down so the old lash line goes too.
    top = upper.copy()
    top[1:-1, 1] -= (TOP_MARGIN_IOD + TOP_MARGIN_IOD * closure) * iod_px
    bottom = new_edge.copy()
    bottom[1:-1, 1] += BOTTOM_MARGIN_IOD * iod_px * closure
    polygon = np.concatenate([top, bottom[::-1]])
    shift = int(round(TEXTURE_SHIFT_IOD * iod_px))
    x0, y0, x1, y1 = _region(image, polygon, pad=6)
    y0 = max(y0, shift)
    origin = np.array([x0, y0], dtype=float)
    mask = _polygon_mask((y1 - y0, x1 - x0), polygon - origin, EDGE_SOFTNESS_PX)[..., None]
    # Lid texture: the skin just above the eye, moved down over the opening, blended with the
    # sampled colour (a flat fill alone reads as a sticker).
    texture = image[y0 - shift: y1 - shift, x0:x1].astype(np.float32)
    fill = np.clip(TEXTURE_WEIGHT * texture + (1 - TEXTURE_WEIGHT) * skin_rgb, 0, 255) * LID_SHADE
    patch = image[y0:y1, x0:x1].astype(np.float32)
    patch = patch * (1 - mask) + fill * mask
    lash = np.zeros((y1 - y0, x1 - x0), dtype=np.uint8)
    scaled = np.round((new_edge - origin) * (1 << SUBPIXEL_BITS)).astype(np.int32)
    thickness = max(1, int(round(0.03 * iod_px)))
    cv2.polylines(lash, [scaled], False, 255, thickness, cv2.LINE_AA, shift=SUBPIXEL_BITS)
    lash_alpha = ((lash.astype(np.float32) / 255.0) * min(1.0, closure / 0.3) * 0.85)[..., None]
    patch = patch * (1 - lash_alpha) + np.array(LASH_RGB, np.float32) * lash_alpha
    out = image.copy()
    out[y0:y1, x0:x1] = np.clip(patch, 0, 255).astype(np.uint8)
    return out


def paint_mouth_gap(image: np.ndarray, lip_closed: np.ndarray, lip_open: np.ndarray) -> np.ndarray:
    """Darken the gap a dropped lower lip leaves: between its rest and its moved contour."""
    if np.max(np.abs(lip_open - lip_closed)) < 0.5:
        return image
    polygon = np.concatenate([lip_closed, lip_open[::-1]])
    x0, y0, x1, y1 = _region(image, polygon, pad=4)
    mask = _polygon_mask((y1 - y0, x1 - x0), polygon - (x0, y0), EDGE_SOFTNESS_PX)[..., None] * 0.92
    patch = image[y0:y1, x0:x1].astype(np.float32)
    patch = patch * (1 - mask) + np.array(MOUTH_RGB, np.float32) * mask
    out = image.copy()
    out[y0:y1, x0:x1] = np.clip(patch, 0, 255).astype(np.uint8)
    return out


def shift_iris(image: np.ndarray, upper: np.ndarray, lower: np.ndarray, dx_px: float) -> np.ndarray:
    """Move what is inside one eye opening (iris, pupil, sclera) sideways by `dx_px` (a gaze shift).

    Where the moved content would come from outside the opening, sclera colour (the brightest
    third of the opening) fills in, so no skin slides into the eye.
    """
    import cv2

    if abs(dx_px) < 0.05:
        return image
    polygon = np.concatenate([upper, lower[::-1]])
    x0, y0, x1, y1 = _region(image, polygon, pad=int(abs(dx_px)) + 4)
    size = (y1 - y0, x1 - x0)
    mask = _polygon_mask(size, polygon - (x0, y0), 0.6)
    patch = image[y0:y1, x0:x1].astype(np.float32)
    inside = patch[mask > 0.9]
    luminance = inside.mean(axis=1)
    sclera = np.median(inside[luminance >= np.quantile(luminance, 2 / 3)], axis=0)
    move = np.array([[1, 0, dx_px], [0, 1, 0]], dtype=np.float32)
    moved = cv2.warpAffine(patch, move, (size[1], size[0]), flags=cv2.INTER_LINEAR,
                           borderMode=cv2.BORDER_REPLICATE)
    moved_mask = cv2.warpAffine(mask, move, (size[1], size[0]), flags=cv2.INTER_LINEAR)[..., None]
    content = moved * moved_mask + sclera * (1 - moved_mask)
    patch = patch * (1 - mask[..., None]) + content * mask[..., None]
    out = image.copy()
    out[y0:y1, x0:x1] = np.clip(patch, 0, 255).astype(np.uint8)
    return out
