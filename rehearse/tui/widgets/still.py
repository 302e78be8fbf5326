"""The still frame at the timeline cursor: textual-image when the terminal draws graphics, else half blocks.

The half-block renderer is our own: each terminal cell shows two pixels, the upper one as the
`▀` glyph's colour and the lower one as the background, so any truecolour terminal (tmux
included) shows a recognisable frame.
"""

from __future__ import annotations

from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.containers import Container
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from rehearse.tui.widgets.common import literal


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
        segments = [
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

    def show(self, image, time_s: float | None, reason: str = "") -> None:
        caption = f"frame at {time_s:.2f} s" if time_s is not None and image is not None else "still"
        self.query_one("#still-caption", Static).update(literal(caption))
        if self.graphics and image is not None and self._show_graphics(image):
            return
        self.query_one("#still-image", HalfBlockStill).show(image, reason)

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
