"""Pictures for reports: stills at flagged moments (reference beside take) and signal plots (PNG bytes)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

PLOTTED_SIGNALS = (
    ("eye_open_left", "eye open L (EAR)"),
    ("eye_open_right", "eye open R (EAR)"),
    ("head_yaw", "head yaw (deg)"),
    ("lean_forward", "lean fwd (deg)"),
)
EVENT_LANE_COLORS = {
    "blink": "#17becf", "eyes_closed": "#1f77b4", "expression": "#bcbd22", "micro_movement": "#e377c2",
    "gaze_shift": "#9467bd", "hold": "#2ca02c", "hesitation": "#ff7f0e", "pause": "#ff7f0e",
    "false_start": "#d62728", "gesture": "#8c564b",
}


def still(path: Path, t_s: float, *, width: int = 480) -> np.ndarray | None:
    """The frame shown at `t_s`, scaled to `width` pixels, or None when it cannot be read."""
    from rehearse.errors import RehearseError
    from rehearse.video.frames import read_frame_at
    from rehearse.video.pictures import scaled_to_width

    try:
        frame = read_frame_at(path, max(0.0, t_s))
    except RehearseError:
        return None
    if frame is None:
        return None
    return scaled_to_width(frame.image, width)


def side_by_side(left: np.ndarray | None, right: np.ndarray | None, labels: tuple[str, str]) -> bytes:
    """Reference and take stills next to each other, each labelled, as PNG bytes."""
    from rehearse.video.pictures import caption, png_bytes

    tiles = [t for t in (left, right) if t is not None]
    if not tiles:
        return b""
    height = max(t.shape[0] for t in tiles)
    blank = np.zeros((height, tiles[0].shape[1], 3), np.uint8)
    row = []
    for tile, label in zip((left, right), labels, strict=True):
        tile = blank.copy() if tile is None else np.pad(tile, ((0, height - tile.shape[0]), (0, 0), (0, 0)))
        row.append(caption(tile, label))
        row.append(np.full((height, 6, 3), 255, np.uint8))
    return png_bytes(np.concatenate(row[:-1], axis=1))


def signal_plot(result) -> bytes:
    """A take's key signals over time with beat boundaries and event lanes, as PNG bytes."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    signals = result.analysis.signals
    # A signal never measured in this take (no body in a close-up) gets no empty panel.
    rows = [(name, label) for name, label in PLOTTED_SIGNALS
            if name in signals.values and np.isfinite(signals.values[name]).any()]
    figure, axes = plt.subplots(len(rows) + 1, 1, figsize=(9, 1.3 * (len(rows) + 1)), sharex=True)
    axes = np.atleast_1d(axes)
    for axis, (name, label) in zip(axes, rows, strict=False):
        axis.plot(signals.times, signals.values[name], linewidth=0.9, color="#333333")
        axis.set_ylabel(label, fontsize=7, rotation=0, ha="right", va="center")
        axis.tick_params(labelsize=7)
    lanes = axes[-1]
    kinds = sorted({e.kind for e in result.events})
    for row, kind in enumerate(kinds):
        spans = [(e.start_s, max(e.end_s - e.start_s, 0.03)) for e in result.events if e.kind == kind]
        lanes.broken_barh(spans, (row + 0.1, 0.8), color=EVENT_LANE_COLORS.get(kind, "#7f7f7f"))
    lanes.set_yticks([i + 0.5 for i in range(len(kinds))], kinds, fontsize=7)
    lanes.set_xlabel("time in take (s)", fontsize=8)
    for axis in axes:
        for beat, t in result.beat_marks.items():
            axis.axvline(t, color="#d62728", linewidth=0.7, linestyle="--")
            if axis is axes[0]:
                axis.text(t, 1.02, beat, transform=axis.get_xaxis_transform(), fontsize=7, color="#d62728")
    figure.suptitle(f"Take {result.label}", fontsize=9)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90)
    plt.close(figure)
    return buffer.getvalue()
