"""Light on the face: which cheek is brighter (the key side, camera's view) and by how much.

Measured on a few decoded stills per beat, in the cheek regions the face landmarks give: the
mean luma of the image-left cheek over the image-right cheek is the contrast ratio. A flip of
the key side, or the ratio changing by a set factor, is a `lighting` flag.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from rehearse.continuity.flags import DriftFlag, take_name

if TYPE_CHECKING:
    from rehearse.analysis.tracks import LandmarkTrack
    from rehearse.continuity.align import Alignment
    from rehearse.continuity.compare import ComparedTake
    from rehearse.continuity.settings import DriftSettings

IMAGE_LEFT_CHEEK = (50, 101, 118, 117, 123, 147, 187, 205, 36, 142)
"""FaceMesh points on the actor's right cheek: the image-left side for a frontal camera."""
IMAGE_RIGHT_CHEEK = (280, 330, 347, 346, 352, 376, 411, 425, 266, 371)
"""FaceMesh points on the actor's left cheek: the image-right side."""


@dataclass(frozen=True)
class LightingSample:
    """Mean luma (0-255) of each cheek, camera's view, over a beat's stills."""

    left_luma: float
    right_luma: float
    t_s: float
    """Time of the middle still, in seconds."""

    @property
    def ratio(self) -> float:
        """Image-left over image-right cheek luma (>1: lit from frame left)."""
        return self.left_luma / max(self.right_luma, 1e-6)

    def key_side(self, min_ratio: float) -> str | None:
        """`left`/`right` (frame side of the key) when one cheek is `min_ratio` brighter, else None."""
        if self.ratio >= min_ratio:
            return "left"
        if self.ratio <= 1.0 / min_ratio:
            return "right"
        return None


def _region_luma(image: np.ndarray, points: np.ndarray) -> float | None:
    height, width = image.shape[:2]
    xy = points[~np.isnan(points).any(axis=1)]
    if xy.shape[0] < 3:
        return None
    x0, x1 = int(np.clip(xy[:, 0].min() * width, 0, width - 1)), int(np.clip(xy[:, 0].max() * width, 0, width - 1))
    y0, y1 = int(np.clip(xy[:, 1].min() * height, 0, height - 1)), int(np.clip(xy[:, 1].max() * height, 0, height - 1))
    if x1 <= x0 or y1 <= y0:
        return None
    patch = image[y0:y1 + 1, x0:x1 + 1, :3].astype(float)
    return float((patch @ np.array([0.299, 0.587, 0.114])).mean())


def face_lighting(image: np.ndarray, face_points: np.ndarray, t_s: float = 0.0) -> LightingSample | None:
    """Cheek lumas of one RGB still, from its face landmarks (478, 2+) in image fractions."""
    points = np.asarray(face_points, dtype=float)[:, :2]
    left = _region_luma(image, points[list(IMAGE_LEFT_CHEEK)])
    right = _region_luma(image, points[list(IMAGE_RIGHT_CHEEK)])
    if left is None or right is None:
        return None
    return LightingSample(left, right, t_s)


def measure_lighting(video: Path, face: LandmarkTrack, spans: Sequence[tuple[str | None, float, float]],
                     stills_per_beat: int = 3) -> dict[str | None, LightingSample]:
    """Beat -> cheek lumas, the median over `stills_per_beat` stills spread through the beat."""
    from rehearse.video.frames import read_frame_at

    result: dict[str | None, LightingSample] = {}
    for beat, start, end in spans:
        samples = []
        for fraction in (np.arange(stills_per_beat) + 0.5) / stills_per_beat:
            t = start + fraction * (end - start)
            if face.times.size == 0:
                break
            index = int(np.argmin(np.abs(face.times - t)))
            if face.confidence[index] <= 0:
                continue
            frame = read_frame_at(video, float(face.times[index]))
            if frame is None:
                continue
            sample = face_lighting(frame.image, face.points[index], frame.t)
            if sample is not None:
                samples.append(sample)
        if samples:
            result[beat] = LightingSample(float(np.median([s.left_luma for s in samples])),
                                          float(np.median([s.right_luma for s in samples])),
                                          samples[len(samples) // 2].t_s)
    return result


def lighting_flags(reference: ComparedTake, other: ComparedTake, alignment: Alignment, settings: DriftSettings) -> list[DriftFlag]:
    """Key side flipped, or the left/right contrast ratio changed, beat by beat."""
    flags = []
    for span in alignment.spans:
        ref, take = reference.lighting.get(span.beat), other.lighting.get(span.beat)
        if ref is None or take is None:
            continue
        ref_key, take_key = ref.key_side(settings.key_side_min_ratio), take.key_side(settings.key_side_min_ratio)
        change = float(np.exp(abs(np.log(take.ratio) - np.log(ref.ratio))))
        flipped = ref_key is not None and take_key is not None and ref_key != take_key
        if not flipped and change < settings.contrast_change_ratio:
            continue
        where = take_name(other.label) + (f", {span.beat}" if span.beat else "")
        if flipped:
            what = (f"the key is on frame {take_key.upper()} (cheeks {take.left_luma:.0f}/{take.right_luma:.0f} luma); "
                    f"reference take {reference.label} is keyed from frame {ref_key.upper()}")
        else:
            what = (f"left/right light on the face is {take.ratio:.2f}:1 against {ref.ratio:.2f}:1 in reference "
                    f"take {reference.label}")
        flags.append(DriftFlag(
            kind="lighting", severity="high" if flipped else "medium", beat=span.beat, take=other.label,
            reference=reference.label, reference_s=round(ref.t_s, 3), take_s=round(take.t_s, 3),
            values={"reference_ratio": round(ref.ratio, 3), "take_ratio": round(take.ratio, 3),
                    "reference_key_side": ref_key or "none", "take_key_side": take_key or "none",
                    "ratio_change_factor": round(change, 3)},
            message=f"{where}: lighting — {what} (still at {take.t_s:.1f} s).",
        ))
    return flags
