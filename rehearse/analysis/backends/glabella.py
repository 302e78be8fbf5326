"""Vertical wrinkle lines between the brows (the glabella), measured in the frame itself.

Why: a brow furrow (FACS AU4, the corrugator) draws the inner brows together and down and folds
the skin between them into vertical lines. Landmarks carry the pull but not the lines: on the
real crying close-up (WolfgangLanger_Pexels, 0-5.9 s of deep vertical lines, eyes squeezed
shut) the blendshape network's browDown stayed near 0.04, with either face route. The lines
show as horizontal intensity gradients (Sobel x) in a small patch above the nose bridge.

The patch lies between the inner brow ends and above the nose bridge, resampled to a fixed size
along the face's own axes (eye line and its normal), whatever the framing or the head's roll.
The value is the mean |Sobel x| in grey levels per 1 % of the inter-ocular distance (IOD). It is not
normalised per frame: a flat patch (a low-resolution face, a blurred one) has tiny gradients
whose direction is noise, and a per-frame contrast ratio would blow that noise up (measured:
the verticality share gx/(gx+gy) rose by 0.2 over the take's median on a 176x144 talking head
and on a rendered take, as much as on the real furrow). The detector compares it with the take's
own median instead (events/expressions.py), which removes exposure and skin texture.
"""

from __future__ import annotations

import numpy as np

EYE_CORNERS = ((33, 133), (362, 263))  # right eye outer/inner, left eye outer/inner (FaceMesh)
BETWEEN_BROWS, NOSE_BRIDGE, CHIN = 9, 168, 152
INNER_BROWS = ((55, 107), (285, 336))  # right brow's inner end (lower, upper), left brow's
PATCH_PX = (48, 32)  # (width, height) of the resampled patch
PATCH_HEIGHT_IOD = 0.30  # its height on the face, in IOD
PATCH_ABOVE_IOD = 0.22  # its centre this far above point 9, where the lines are longest
BLUR_PATCH_PX = 2.0  # Gaussian sigma before the gradient, in patch pixels
BROW_MARGIN_IOD = 0.05  # its sides stay this far inside the inner brow ends: a brow's end is an edge too


def glabella_lines(image: np.ndarray, face: np.ndarray) -> float:
    """Mean |Sobel x| (grey levels per 1 % IOD) in the glabella patch of one RGB frame.

    `face` holds FaceMesh landmarks as fractions of the image size. NaN when the patch cannot
    be placed (degenerate eye line)."""
    import cv2

    height, width = image.shape[:2]
    px = np.asarray(face[:, :2], dtype=np.float64) * (width, height)
    right_eye = px[list(EYE_CORNERS[0])].mean(axis=0)
    left_eye = px[list(EYE_CORNERS[1])].mean(axis=0)
    across = left_eye - right_eye
    iod = float(np.hypot(*across))
    if not np.isfinite(iod) or iod < 4:
        return float("nan")
    ux = across / iod
    down = np.array([-ux[1], ux[0]])
    if np.dot(down, px[CHIN] - px[NOSE_BRIDGE]) < 0:  # a mirrored face: the normal points up
        down = -down
    # Across: between the inner brow ends, so a raised or lowered brow's own end (a dark vertical
    # edge) stays out; the furrow's lines lie between them. Along: above point 9.
    right_end = max(float(np.dot(px[i] - px[BETWEEN_BROWS], ux)) for i in INNER_BROWS[0]) + BROW_MARGIN_IOD * iod
    left_end = min(float(np.dot(px[i] - px[BETWEEN_BROWS], ux)) for i in INNER_BROWS[1]) - BROW_MARGIN_IOD * iod
    if left_end - right_end < 0.05 * iod:
        return float("nan")
    centre = px[BETWEEN_BROWS] + ux * (left_end + right_end) / 2 - down * PATCH_ABOVE_IOD * iod
    out_w, out_h = PATCH_PX
    step_x, step_y = (left_end - right_end) / out_w, PATCH_HEIGHT_IOD * iod / out_h
    # patch pixel (u, v) -> image point: the inverse map warpAffine wants with WARP_INVERSE_MAP
    to_image = np.array([[ux[0] * step_x, down[0] * step_y, 0.0], [ux[1] * step_x, down[1] * step_y, 0.0]])
    to_image[:, 2] = centre - to_image[:, :2] @ np.array([out_w / 2, out_h / 2])
    # Only the patch's bounding box is made grey: the whole frame would cost more than the rest.
    corners = to_image[:, :2] @ np.array([[0, out_w, 0, out_w], [0, 0, out_h, out_h]]) + to_image[:, 2:]
    x0, y0 = np.maximum(np.floor(corners.min(axis=1)).astype(int) - 1, 0)
    x1, y1 = np.ceil(corners.max(axis=1)).astype(int) + 2
    box = image[y0:min(y1, height), x0:min(x1, width)]
    if box.shape[0] < 2 or box.shape[1] < 2:
        return float("nan")
    to_image[:, 2] -= (x0, y0)
    grey = cv2.cvtColor(np.ascontiguousarray(box), cv2.COLOR_RGB2GRAY)
    patch = cv2.warpAffine(grey, to_image, PATCH_PX, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                           borderMode=cv2.BORDER_REPLICATE)
    # Smoothed first: a re-encode wipes out fine skin texture and block noise but keeps folds
    # several patch pixels wide, so the take's median (the detector's reference) stays put.
    smooth = cv2.GaussianBlur(patch.astype(np.float32), (0, 0), BLUR_PATCH_PX)
    gradient = cv2.Sobel(smooth, cv2.CV_32F, 1, 0, ksize=3)
    # Sobel's 3x3 kernel gives 8 per grey level and patch pixel; a patch pixel spans step_x image
    # pixels, whose width changes with the brows' gap: per 1 % of the IOD, the value does not.
    return float(np.mean(np.abs(gradient)) / 8.0 / step_x * iod / 100.0)
