"""The still frame at the timeline cursor: textual-image when the terminal draws graphics, else half blocks.

The half-block renderer is our own: each terminal cell shows two pixels, the upper one as the
`▀` glyph's colour and the lower one as the background, so any truecolour terminal (tmux
included) shows a recognisable frame.
"""

from __future__ import annotations

from typing import Any

from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.containers import Container
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from rehearse.tui.widgets.common import literal

MIN_INFO_WIDTH = 34
"""Cells left beside the still for the cursor pane."""
MIN_STILL_WIDTH = 16
FACE_MARGIN = 0.35
"""The face crop adds this fraction of the face box on every side (hair, chin, a hand near the mouth)."""


def crop_to_box(image, box) -> Any:
    """The part of `image` inside `box` (x0, y0, x1, y1 as image fractions) widened by `FACE_MARGIN`;
    None when the box is missing or empty."""
    import numpy as np

    if box is None or not np.all(np.isfinite(box)):
        return None
    height, width = np.asarray(image).shape[:2]
    x0, y0, x1, y1 = (float(v) for v in box)
    margin_x, margin_y = (x1 - x0) * FACE_MARGIN, (y1 - y0) * FACE_MARGIN
    left, right = int(max(0.0, x0 - margin_x) * width), int(min(1.0, x1 + margin_x) * width)
    top, bottom = int(max(0.0, y0 - margin_y) * height), int(min(1.0, y1 + margin_y) * height)
    if right - left < 2 or bottom - top < 2:
        return None
    return np.asarray(image)[top:bottom, left:right]


def half_block_rows(image, columns: int, rows: int) -> list[list[tuple[tuple[int, int, int], tuple[int, int, int]]]]:
    """Sample an RGB uint8 image to `rows` x `columns` cells of (upper, lower) pixel colours."""
    import numpy as np

    image = np.asarray(image)
    if image.ndim == 2:
        image = np.stack([image] * 3, axis=-1)
    height, width = image.shape[:2]
    # Fit inside the cell grid keeping the aspect ratio (a cell is two pixels tall).
    scale = min(columns / width, (rows * 2) / height)
    out_w, out_h = max(1, int(width * scale)), max(2, int(height * scale) // 2 * 2)
    ys = np.minimum((np.arange(out_h) / scale).astype(int), height - 1)
    xs = np.minimum((np.arange(out_w) / scale).astype(int), width - 1)
    small = image[ys][:, xs, :3].astype(int)
    cells = []
    for row in range(out_h // 2):
        upper, lower = small[2 * row], small[2 * row + 1]
        cells.append([(tuple(upper[c]), tuple(lower[c])) for c in range(out_w)])
    return cells


class HalfBlockStill(Widget):
    """Draws an RGB array with `▀` cells; shows a one-line reason instead when there is no image."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._image = None
        self._reason = "no frame yet"
        self._cells: list | None = None

    def show(self, image, reason: str = "") -> None:
        self._image = image
        self._reason = reason
        self._cells = None
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width, height = self.size.width, self.size.height
        if self._image is None:
            if y == 0:
                return Strip(list(Text(self._reason[:width], style="italic").render(self.app.console)))
            return Strip.blank(width)
        if self._cells is None or len(self._cells[0]) > width or len(self._cells) > height:
            self._cells = half_block_rows(self._image, width, height)
        if y >= len(self._cells):
            return Strip.blank(width)
        # centred in the pane, so the free space is shared on both sides
        indent = (width - len(self._cells[y])) // 2
        segments = [Segment(" " * indent)] if indent > 0 else []
        segments += [
            Segment("▀", Style(color=Color.from_rgb(*up), bgcolor=Color.from_rgb(*down)))
            for up, down in self._cells[y]
        ]
        return Strip(segments).extend_cell_length(width)


class StillPane(Container):
    """The still at the cursor: its caption, and the image drawn by graphics or half blocks."""

    def __init__(self, graphics: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.graphics = graphics

    def compose(self):
        yield Static(id="still-caption")
        yield HalfBlockStill(id="still-image")

    def show(self, image, time_s: float | None, reason: str = "", *, face_box=None, face_crop: bool = False) -> None:
        """Draw `image` (the whole frame, or with `face_crop` the face inside `face_box`)."""
        caption = f"frame at {time_s:.2f} s" if time_s is not None and image is not None else "still"
        if face_crop and image is not None:
            face = crop_to_box(image, face_box)
            if face is None:
                caption += "  no face here: whole frame (f)"
            else:
                image, caption = face, f"face at {time_s:.2f} s  (f: whole frame)"
        elif image is not None:
            caption += "  (f: face)"
        self.query_one("#still-caption", Static).update(literal(caption))
        if image is not None:
            self._fit_width(image)
        if self.graphics and image is not None and self._show_graphics(image):
            return
        self.query_one("#still-image", HalfBlockStill).show(image, reason)

    def _fit_width(self, image) -> None:
        """As wide as the picture needs at the pane's height (a half-block cell is one pixel wide
        and two tall), leaving the cursor pane its room: the still fills the free space."""
        height, width = image.shape[:2]
        rows = max(1, self.size.height - 1)  # one row is the caption
        wanted = round(rows * 2 * width / max(1, height))
        room = (self.parent.size.width if self.parent is not None else 0) - MIN_INFO_WIDTH
        self.styles.width = max(MIN_STILL_WIDTH, min(wanted, room))

    def _show_graphics(self, image) -> bool:
        """Swap in textual-image's widget; False (half blocks) if it cannot draw here."""
        try:
            from PIL import Image as PILImage
            from textual_image.widget import Image as GraphicsImage
        except ImportError:
            return False
        picture = PILImage.fromarray(image)
        existing = self.query(GraphicsImage)
        if existing:
            existing.first().image = picture
        else:
            self.query_one("#still-image").display = False
            self.mount(GraphicsImage(picture, id="still-graphics"))
        return True
