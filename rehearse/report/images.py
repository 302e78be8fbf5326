"""Pictures for reports: stills at flagged moments (reference beside take) and signal plots (PNG bytes)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

PLOTTED_SIGNALS = (
    ("eye_open_left", "left eye open"),
    ("eye_open_right", "right eye open"),
    ("head_yaw", "head turn (deg)"),
    ("lean_forward", "lean forward (deg)"),
)
FACE_TILE_HEIGHT = 360
"""Height of a face-crop still in the report, pixels: large enough to see a lip corner."""
FACE_MARGIN = 0.35
"""A face crop adds this fraction of the face box on every side."""
EVENT_LANE_COLORS = {
    "blink": "#17becf", "eyes_closed": "#1f77b4", "expression": "#bcbd22", "micro_movement": "#e377c2",
    "gaze_shift": "#9467bd", "hold": "#2ca02c", "hesitation": "#ff7f0e", "pause": "#ff7f0e",
    "false_start": "#d62728", "gesture": "#8c564b",
}


def still(path: Path, t_s: float, *, width: int | None = 480) -> np.ndarray | None:
    """The frame shown at `t_s`, scaled to `width` pixels (None: as decoded), or None when it cannot be read."""
    from rehearse.errors import RehearseError
    from rehearse.video.frames import read_frame_at
    from rehearse.video.pictures import scaled_to_width

    try:
        frame = read_frame_at(path, max(0.0, t_s))
    except RehearseError:
        return None
    if frame is None:
        return None
    return frame.image if width is None else scaled_to_width(frame.image, width)


def face_box_at(result, t_s: float) -> tuple[float, float, float, float] | None:
    """The face's box (x0, y0, x1, y1 as image fractions) at the frame nearest `t_s`, from the
    take's face landmarks; None when no face was found there."""
    analysis = getattr(result, "analysis", None)
    track = analysis.landmarks.get("face") if analysis is not None else None
    if track is None or not len(track.times):
        return None
    index = int(np.argmin(np.abs(np.asarray(track.times) - t_s)))
    if not track.mask[index]:
        return None
    xy = np.asarray(track.points[index, :, :2], dtype=float)
    xy = xy[np.isfinite(xy).all(axis=1)]
    if not len(xy):
        return None
    return float(xy[:, 0].min()), float(xy[:, 1].min()), float(xy[:, 0].max()), float(xy[:, 1].max())


def face_still(result, t_s: float) -> np.ndarray | None:
    """The face at `t_s`, cropped with a margin and scaled to `FACE_TILE_HEIGHT`; the whole frame
    when no face was found there; None when the frame cannot be read."""
    from rehearse.video.pictures import scaled_to_height

    frame = still(result.path, t_s, width=None)
    if frame is None:
        return None
    box = face_box_at(result, t_s)
    if box is not None:
        height, width = frame.shape[:2]
        x0, y0, x1, y1 = box
        mx, my = (x1 - x0) * FACE_MARGIN, (y1 - y0) * FACE_MARGIN
        left, right = int(max(0.0, x0 - mx) * width), int(min(1.0, x1 + mx) * width)
        top, bottom = int(max(0.0, y0 - my) * height), int(min(1.0, y1 + my) * height)
        if right - left > 8 and bottom - top > 8:
            frame = frame[top:bottom, left:right]
    return scaled_to_height(frame, FACE_TILE_HEIGHT)


def side_by_side(left: np.ndarray | None, right: np.ndarray | None, labels: tuple[str, str]) -> bytes:
    """Reference and take stills next to each other, each labelled, as PNG bytes. A missing
    side is a light grey tile carrying its label (why it is missing), never a black box."""
    from rehearse.video.pictures import caption, png_bytes

    tiles = [t for t in (left, right) if t is not None]
    if not tiles:
        return b""
    height = max(t.shape[0] for t in tiles)
    blank = np.full((height, tiles[0].shape[1], 3), 225, np.uint8)
    row = []
    for tile, label in zip((left, right), labels, strict=True):
        tile = blank.copy() if tile is None else np.pad(tile, ((0, height - tile.shape[0]), (0, 0), (0, 0)))
        row.append(caption(tile, label))
        row.append(np.full((height, 6, 3), 255, np.uint8))
    return png_bytes(np.concatenate(row[:-1], axis=1))


def signal_plot(result, reference=None, flags=()) -> bytes:
    """A take's key signals over time, drawn over the circled take's (`reference`, grey), with beat
    boundaries, flags (red triangles) and event lanes, as PNG bytes."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    signals = result.analysis.signals
    # A signal never measured in this take (no body in a close-up) gets no empty panel.
    rows = [(name, label) for name, label in PLOTTED_SIGNALS
            if name in signals.values and np.isfinite(signals.values[name]).any()]
    figure, axes = plt.subplots(len(rows) + 1, 1, figsize=(10, 1.6 * (len(rows) + 1)), sharex=True)
    axes = np.atleast_1d(axes)
    other = reference.analysis.signals if reference is not None else None
    for axis, (name, label) in zip(axes, rows, strict=False):
        if other is not None and name in other.values:
            axis.plot(other.times, other.values[name], linewidth=1.4, color="#b0b0b0",
                      label=f"circled {reference.label}")
        axis.plot(signals.times, signals.values[name], linewidth=1.1, color="#1f3b73", label=f"take {result.label}")
        axis.set_ylabel(label, fontsize=10, rotation=0, ha="right", va="center")
        axis.tick_params(labelsize=9)
        axis.grid(axis="x", color="#eeeeee")
    if other is not None and rows:
        axes[0].legend(fontsize=9, loc="upper right", frameon=False, ncol=2)
    lanes = axes[-1]
    kinds = sorted({e.kind for e in result.events})
    for row, kind in enumerate(kinds):
        spans = [(e.start_s, max(e.end_s - e.start_s, 0.03)) for e in result.events if e.kind == kind]
        lanes.broken_barh(spans, (row + 0.1, 0.8), color=EVENT_LANE_COLORS.get(kind, "#7f7f7f"))
    lanes.set_yticks([i + 0.5 for i in range(len(kinds))], [k.replace("_", " ") for k in kinds], fontsize=9)
    lanes.set_xlabel("seconds from the take's first frame", fontsize=10)
    lanes.tick_params(labelsize=9)
    for axis in axes:
        for beat, t in result.beat_marks.items():
            axis.axvline(t, color="#555555", linewidth=0.8, linestyle="--")
            if axis is axes[0]:
                axis.text(t, 1.03, f" {beat}", transform=axis.get_xaxis_transform(), fontsize=10, color="#333333")
        for flag in flags:
            if flag.take_s is not None:
                axis.axvline(flag.take_s, color="#c0392b", linewidth=1.2)
    for flag in flags:
        if flag.take_s is not None:
            axes[0].plot([flag.take_s], [1.0], marker="v", color="#c0392b", markersize=9,
                         transform=axes[0].get_xaxis_transform(), clip_on=False)
    title = f"Take {result.label}" + (f" over circled take {reference.label} (grey)" if other is not None else "")
    title += "; red lines: flags" if flags else ""
    figure.suptitle(title, fontsize=11)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    plt.close(figure)
    return buffer.getvalue()
