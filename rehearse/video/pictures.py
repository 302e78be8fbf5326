"""Picture primitives on RGB uint8 frames (OpenCV, imported lazily): PNG encoding, scaling, a caption.

The reports build their stills with these, so OpenCV stays inside `video/` and `analysis/`.
"""

from __future__ import annotations

import numpy as np


def png_bytes(image: np.ndarray) -> bytes:
    """An RGB image encoded as PNG (empty bytes if encoding fails)."""
    import cv2

    ok, data = cv2.imencode(".png", cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
    return data.tobytes() if ok else b""


def scaled_to_width(image: np.ndarray, width: int) -> np.ndarray:
    """The image scaled to `width` pixels, aspect kept (area interpolation)."""
    import cv2

    height = round(image.shape[0] * width / image.shape[1])
    return cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)


def scaled_to_height(image: np.ndarray, height: int) -> np.ndarray:
    """The image scaled to `height` pixels, aspect kept (area when shrinking, cubic when enlarging)."""
    import cv2

    scale = height / image.shape[0]
    width = max(1, round(image.shape[1] * scale))
    return cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)


def caption(image: np.ndarray, text: str) -> np.ndarray:
    """The image with `text` written top left, white on a dark outline (readable on any frame)."""
    import cv2

    image = np.ascontiguousarray(image)
    cv2.putText(image, text, (8, 22), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (0, 0, 0), 4, cv2.LINE_AA)
    cv2.putText(image, text, (8, 22), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (255, 255, 255), 1, cv2.LINE_AA)
    return image
