"""Landmark-driven warps: a piecewise-affine displacement field over the FaceMesh mesh.

Each expression is a displacement of the 478 landmarks plus a ring of helper points around
the head (hair, neck); the image border never moves. The dense field is interpolated once
per frame with barycentric weights precomputed on a Delaunay triangulation, and applied with
`cv2.remap` (backward map `src = dst - d(dst)`, accurate for the small, smooth displacements
used here).
"""

from __future__ import annotations

import numpy as np

from tools.takegen.portrait import (
    CHIN,
    FACE_OVAL,
    INNER_LIP_LOWER,
    NOSE_TIP,
    OUTER_LIP_LOWER,
    Portrait,
)

IRIS = list(range(468, 478))
RING_SCALE = 1.45
"""Helper ring around the face, as a multiple of the face oval's size about its centre."""
RING_POINTS = 24
BORDER_STEP_PX = 80
FIELD_STEP = 2


class MeshWarper:
    """Precomputed triangulation of one portrait: turns control-point displacements into images."""

    def __init__(self, portrait: Portrait):
        from scipy.spatial import Delaunay

        self.portrait = portrait
        width, height = portrait.size
        landmarks = portrait.landmarks[:, :2]
        oval = landmarks[FACE_OVAL]
        centre = oval.mean(axis=0)
        angles = np.linspace(0, 2 * np.pi, RING_POINTS, endpoint=False)
        radius = np.abs(oval - centre).max(axis=0) * RING_SCALE
        ring = centre + np.stack([np.cos(angles) * radius[0], np.sin(angles) * radius[1]], axis=1)
        xs = np.arange(0, width + 1, BORDER_STEP_PX, dtype=float)
        ys = np.arange(0, height + 1, BORDER_STEP_PX, dtype=float)
        border = np.concatenate([
            np.stack([xs, np.zeros_like(xs)], 1), np.stack([xs, np.full_like(xs, height)], 1),
            np.stack([np.zeros_like(ys), ys], 1), np.stack([np.full_like(ys, width), ys], 1),
        ])
        self.face_count = landmarks.shape[0]
        self.ring_slice = slice(self.face_count, self.face_count + RING_POINTS)
        self.points = np.concatenate([landmarks, ring, border])
        self.face_centre = centre
        self.face_half_width = float(radius[0] / RING_SCALE)
        triangulation = Delaunay(self.points)
        # The field is interpolated on a half-resolution grid and resized up: 4x less work,
        # and a piecewise-linear field loses nothing visible at that step.
        self.size = (width, height)
        self.coarse = (width // FIELD_STEP, height // FIELD_STEP)
        coarse_y, coarse_x = np.mgrid[0:self.coarse[1], 0:self.coarse[0]] * FIELD_STEP
        pixels = np.stack([coarse_x.ravel(), coarse_y.ravel()], axis=1).astype(float)
        simplex = triangulation.find_simplex(pixels)
        simplex[simplex < 0] = 0  # border points cover the frame; guards rounding at the edge
        transform = triangulation.transform[simplex]
        partial = np.einsum("nij,nj->ni", transform[:, :2], pixels - transform[:, 2])
        self.weights = np.concatenate([partial, 1 - partial.sum(axis=1, keepdims=True)],
                                      axis=1).astype(np.float32)
        self.vertices = triangulation.simplices[simplex]
        grid_y, grid_x = np.mgrid[0:height, 0:width]
        self.grid_x = grid_x.astype(np.float32)
        self.grid_y = grid_y.astype(np.float32)

    def zero(self) -> np.ndarray:
        """A displacement array (control points, 2) with nothing moving."""
        return np.zeros_like(self.points)

    def apply(self, image: np.ndarray, displacement: np.ndarray) -> np.ndarray:
        """Warp `image` so each control point moves by its displacement (pixels)."""
        import cv2

        if not np.any(displacement):
            return image.copy()
        width, height = self.size
        corners = displacement.astype(np.float32)[self.vertices]
        dense = np.einsum("nk,nkd->nd", self.weights, corners)
        coarse = dense.reshape(self.coarse[1], self.coarse[0], 2)
        field = cv2.resize(coarse, (width, height), interpolation=cv2.INTER_LINEAR)
        # resize maps pixel centres; the coarse sample k sits at pixel k*step, so shift by half
        # a step is below a pixel and harmless for fields this smooth.
        map_x = self.grid_x - field[..., 0]
        map_y = self.grid_y - field[..., 1]
        return cv2.remap(image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)

    # -- displacement builders: each returns (control points, 2) in pixels --------------------

    def _falloff(self, centre: np.ndarray, sigma_px: float) -> np.ndarray:
        distance2 = ((self.points - centre) ** 2).sum(axis=1)
        return np.exp(-distance2 / (2 * sigma_px**2))

    def _above_lids(self, lid_indices: list[int]) -> np.ndarray:
        """0 at and below the upper lids, rising to 1 a quarter IOD above them: brows move, eyes do not."""
        portrait = self.portrait
        weight = np.ones(len(self.points))
        for eye in (portrait.eye_left, portrait.eye_right):
            lid = portrait.landmarks[list(eye.upper), :2]
            near = np.abs(self.points[:, 0] - lid[:, 0].mean()) < 0.6 * portrait.iod_px
            lid_top = lid[:, 1].min()
            rise = np.clip((lid_top - self.points[:, 1]) / (0.25 * portrait.iod_px), 0, 1)
            weight = np.where(near, np.minimum(weight, rise), weight)
        weight[lid_indices] = 0
        weight[IRIS] = 0
        return weight

    def brow_raise(self, amount_px: float, lid_indices: list[int]) -> np.ndarray:
        """Both brows and the forehead skin up; lids and irises stay put so the eyes do not stretch."""
        portrait = self.portrait
        out = self.zero()
        for eye in (portrait.eye_left, portrait.eye_right):
            centre = portrait.landmarks[list(eye.brow), :2].mean(axis=0)
            weight = self._falloff(centre, 0.35 * portrait.iod_px)
            out[:, 1] -= amount_px * weight
        out *= self._above_lids(lid_indices)[:, None]
        out[self.face_count:] = 0
        return out

    def brow_furrow(self, amount_px: float, lid_indices: list[int]) -> np.ndarray:
        """Inner brow ends toward the midline and slightly down."""
        portrait = self.portrait
        out = self.zero()
        midline_x = portrait.landmarks[NOSE_TIP, 0]
        for eye in (portrait.eye_left, portrait.eye_right):
            inner = portrait.landmarks[list(eye.brow_inner), :2].mean(axis=0)
            weight = self._falloff(inner, 0.22 * portrait.iod_px)
            out[:, 0] += np.sign(midline_x - inner[0]) * amount_px * weight
            out[:, 1] += 0.5 * amount_px * weight
        out *= self._above_lids(lid_indices)[:, None]
        out[self.face_count:] = 0
        return out

    def lip_corner(self, side: str, amount_px: float) -> np.ndarray:
        """One mouth corner pulled up and out (a half smile on the actor's `side`)."""
        portrait = self.portrait
        index = portrait.mouth_corner_left if side == "left" else portrait.mouth_corner_right
        corner = portrait.landmarks[index, :2]
        outward = np.sign(corner[0] - portrait.landmarks[NOSE_TIP, 0])
        weight = self._falloff(corner, 0.28 * portrait.iod_px)
        out = self.zero()
        out[:, 0] = outward * 0.55 * amount_px * weight
        out[:, 1] = -amount_px * weight
        out[self.face_count:] = 0
        return out

    def jaw_open(self, amount_px: float) -> np.ndarray:
        """Lower lip, chin and jaw down (mouth opening); the mouth corners barely move."""
        portrait = self.portrait
        points = self.points
        lower_lip = INNER_LIP_LOWER[1:-1] + OUTER_LIP_LOWER[1:-1]
        lip_y = portrait.landmarks[INNER_LIP_LOWER, 1].min()
        mouth_x = portrait.landmarks[INNER_LIP_LOWER, 0].mean()
        half_mouth = 0.5 * abs(portrait.landmarks[OUTER_LIP_LOWER[0], 0]
                               - portrait.landmarks[OUTER_LIP_LOWER[-1], 0])
        iod = portrait.iod_px
        below = np.clip((points[:, 1] - lip_y) / (0.25 * iod), 0, 1)
        across = np.exp(-((points[:, 0] - mouth_x) ** 2) / (2 * (0.7 * iod) ** 2))
        chin_y = portrait.landmarks[CHIN, 1]
        fade = np.clip(1 - (points[:, 1] - chin_y) / (0.8 * iod), 0, 1)
        weight = below * across * fade
        lip_x = np.abs(points[lower_lip, 0] - mouth_x) / half_mouth
        weight[lower_lip] = np.clip(1 - lip_x, 0, 1) ** 0.6
        weight[self.ring_slice.stop:] = 0
        out = self.zero()
        out[:, 1] = amount_px * weight
        return out

    def head_yaw(self, degrees: float) -> np.ndarray:
        """A 2D stand-in for a head turn: rotate the landmarks about a vertical axis behind the face.

        Positive degrees turn toward the actor's own LEFT, so the nose moves toward the IMAGE
        RIGHT. Points nearer the camera (nose: more negative z) move further, which is what
        reads as yaw to FaceMesh. The ring (hair, neck) follows at a reduced amount.
        """
        theta = np.radians(degrees)
        landmarks = self.portrait.landmarks
        centre_x = self.face_centre[0]
        axis_z = 0.8 * self.face_half_width
        x = landmarks[:, 0] - centre_x
        z = landmarks[:, 2] - axis_z
        new_x = x * np.cos(theta) - z * np.sin(theta)
        out = self.zero()
        out[: self.face_count, 0] = new_x - x
        out[self.ring_slice, 0] = 0.5 * axis_z * np.sin(theta)
        return out

    def translate_head(self, dx_px: float, dy_px: float) -> np.ndarray:
        """The face and the helper ring shift together (idle sway); the border stays."""
        out = self.zero()
        out[: self.ring_slice.stop] = (dx_px, dy_px)
        out[self.ring_slice] *= 0.6
        return out
