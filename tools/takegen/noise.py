"""Measure FaceMesh's signal noise on the still portrait: the noise model of tools.synthetic_streams.

The still is shown repeatedly with sub-pixel jitter and sensor noise, FaceMesh runs in
video mode (as the analysis does), and the project's own `face_signals` turns the points into
signals. The standard deviation of each signal is the noise a detector must tolerate when
nothing moves. `python -m tools.takegen.noise` prints it.
"""

from __future__ import annotations

import numpy as np

JITTER_PX = 0.4
"""Standard deviation of the random sub-pixel shift per frame, pixels."""
PIXEL_NOISE = 1.5
"""Standard deviation of per-pixel sensor noise, grey levels (the same as the rendered takes)."""


def measure_signal_noise(frames: int = 60, fps: float = 30.0, seed: int = 0) -> dict[str, float]:
    """Standard deviation of each face signal over `frames` jittered copies of the still."""
    import cv2

    from rehearse.analysis.face_signals import face_signals
    from tools.takegen.measure import FaceMeshRunner
    from tools.takegen.portrait import load_portrait

    portrait = load_portrait()
    width, height = portrait.size
    rng = np.random.default_rng(seed)
    points = []
    with FaceMeshRunner() as runner:
        for _ in range(frames):
            dx, dy = rng.normal(0, JITTER_PX, 2)
            shifted = cv2.warpAffine(portrait.image, np.array([[1, 0, dx], [0, 1, dy]], float),
                                     (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
            noisy = np.clip(shifted + rng.normal(0, PIXEL_NOISE, shifted.shape), 0, 255).astype(np.uint8)
            found = runner.landmarks(noisy)
            if found is None:
                raise RuntimeError("FaceMesh lost the still portrait")
            points.append(found / np.array([width, height, width]))
    times = np.arange(frames) / fps
    signals = face_signals(np.array(points), np.ones(frames), times, (width, height))
    return {name: float(np.nanstd(values)) for name, values in signals.items()
            if name not in ("face_present", "face_confidence")}


def main() -> None:
    for name, std in sorted(measure_signal_noise().items()):
        print(f"{name:24s} {std:.5f}")


if __name__ == "__main__":
    main()
