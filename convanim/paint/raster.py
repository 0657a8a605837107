"""The raster painter: a scene's description -> frames of palette indices, at the speed of tiles.

The static picture is composed once. Each frame then restores what the previous frame
highlighted, applies what became permanent, and pastes this frame's highlights: a few dozen tile
copies, whatever the size of the picture. Each frame reports the box it may have changed, so the
encoder compares only that.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from ..draw.painter import EDGE, Box, CellStyle, Painter, TextMetrics
from ..draw.theme import RGB, Theme
from .fonts import METRICS
from .tiles import Tiles

Frame = tuple[NDArray[np.uint8], Box | None, int]


class Canvas:
    """The frame being drawn, the permanent layer under it, and the box changed since the last frame."""

    def __init__(self, height: int, width: int, background: int) -> None:
        self.persist = np.full((height, width), background, dtype=np.uint8)
        self.pixels = self.persist.copy()
        self._transient: list[Box] = []
        self._dirty: Box | None = None

    def _touch(self, box: Box) -> None:
        d = self._dirty
        self._dirty = box if d is None else (min(d[0], box[0]), min(d[1], box[1]), max(d[2], box[2]), max(d[3], box[3]))

    def begin(self) -> None:
        """Start a frame: take back the previous frame's highlights."""
        self._dirty = None
        for x0, y0, x1, y1 in self._transient:
            self.pixels[y0:y1, x0:x1] = self.persist[y0:y1, x0:x1]
            self._touch((x0, y0, x1, y1))
        self._transient = []

    def paste(self, tile: NDArray[np.uint8], x: int, y: int, permanent: bool = False) -> None:
        h, w = tile.shape
        box = (x, y, x + w, y + h)
        self.pixels[y : y + h, x : x + w] = tile
        if permanent:
            self.persist[y : y + h, x : x + w] = tile
        else:
            self._transient.append(box)
        self._touch(box)

    def paint_mask(self, mask: NDArray[np.bool_], x: int, y: int, index: int, permanent: bool = False) -> None:
        """Set the pixels where ``mask`` is true (its top-left at (x, y)) to ``index``, clipped."""
        h, w = mask.shape
        x0, y0 = max(0, x), max(0, y)
        x1, y1 = min(self.pixels.shape[1], x + w), min(self.pixels.shape[0], y + h)
        if x1 <= x0 or y1 <= y0:
            return
        part = mask[y0 - y : y1 - y, x0 - x : x1 - x]
        self.pixels[y0:y1, x0:x1][part] = index
        if permanent:
            self.persist[y0:y1, x0:x1][part] = index
        else:
            self._transient.append((x0, y0, x1, y1))
        self._touch((x0, y0, x1, y1))

    def outline(self, box: Box, index: int, width: int = EDGE) -> None:
        """A highlight frame of ``width`` px drawn inside ``box`` (transient)."""
        x0, y0, x1, y1 = box
        for part in (
            (x0, y0, x1, y0 + width),
            (x0, y1 - width, x1, y1),
            (x0, y0, x0 + width, y1),
            (x1 - width, y0, x1, y1),
        ):
            a, b, c, d = part
            self.pixels[b:d, a:c] = index
            self._transient.append(part)
            self._touch(part)

    @property
    def dirty(self) -> Box | None:
        return self._dirty


class RasterPainter(Painter):
    """Cells, outlines and words as cached palette tiles pasted on a :class:`Canvas`."""

    def __init__(self, theme: Theme, cell: int, width: int, height: int, metrics: TextMetrics = METRICS) -> None:
        super().__init__(theme, cell, width, height, metrics)
        self.tiles = Tiles(theme, cell)
        self.canvas = Canvas(height, width, self.tiles.colour("background"))
        self._first = True

    @property
    def palette(self) -> list[RGB]:
        return self.tiles.colours

    def begin(self) -> None:
        self.canvas.begin()

    def cell(self, x: int, y: int, style: CellStyle, permanent: bool = False) -> None:
        self.canvas.paste(self.tiles.cell_tile(style), x, y, permanent)

    def outline(self, box: Box, role: str, width: int = EDGE) -> None:
        self.canvas.outline(box, self.tiles.colour(role), width)

    def text(self, x: int, y: int, text: str, size: int, ink: str = "ink", bold: bool = False) -> None:
        self.canvas.paste(self.tiles.text_tile(text, size, ink=ink, bold=bold), x, y, permanent=True)

    def words(self, x: int, y: int, words: Sequence[str], size: int, width: int, ink: str = "ink") -> None:
        self.canvas.paste(self.tiles.words_tile(words, size, width, ink=ink), x, y)

    def polygon(
        self, points: Sequence[tuple[float, float]], fill: str, edge: str | None = None, permanent: bool = False
    ) -> None:
        fill_mask, edge_mask, x, y = polygon_masks(points, edge is not None)
        self.canvas.paint_mask(fill_mask, x, y, self.tiles.colour(fill), permanent)
        if edge is not None and edge_mask is not None:
            self.canvas.paint_mask(edge_mask, x, y, self.tiles.colour(edge), permanent)

    def end(self, duration_ms: int) -> Frame:
        """The frame: its pixels (reused: copy to keep), the box it changed (None: all), its duration."""
        changed = None if self._first else self.canvas.dirty
        self._first = False
        return self.canvas.pixels, changed, duration_ms

    def pixels(self) -> NDArray[np.uint8]:
        """A copy of the current frame."""
        return self.canvas.pixels.copy()


def polygon_masks(
    points: Sequence[tuple[float, float]], edged: bool
) -> tuple[NDArray[np.bool_], NDArray[np.bool_] | None, int, int]:
    """The pixels inside a polygon and (when ``edged``) on its 1-px outline, over its bounding box.

    Crisp: no anti-aliasing, so flat edges on whole pixels stay exact in the fixed palette. The masks
    depend only on the shape relative to its box's corner, so a shape drawn again anywhere (a window
    face at each position) is rasterised once. The masks returned are shared: read them, never write.
    """
    x0 = int(np.floor(min(p[0] for p in points)))
    y0 = int(np.floor(min(p[1] for p in points)))
    fill, edge = _local_masks(tuple((float(px - x0), float(py - y0)) for px, py in points), edged)
    return fill, edge, x0, y0


@lru_cache(maxsize=4096)
def _local_masks(
    local: tuple[tuple[float, float], ...], edged: bool
) -> tuple[NDArray[np.bool_], NDArray[np.bool_] | None]:
    from PIL import Image, ImageDraw

    width = int(np.ceil(max(p[0] for p in local))) + 1
    height = int(np.ceil(max(p[1] for p in local))) + 1
    image = Image.new("L", (width, height), 0)
    ImageDraw.Draw(image).polygon(list(local), fill=255)
    fill = np.asarray(image) > 0
    edge = None
    if edged:
        line = Image.new("L", (width, height), 0)
        ImageDraw.Draw(line).line([*local, local[0]], fill=255, width=1)
        edge = np.asarray(line) > 0
    return fill, edge


class RasterMedium:
    """Palette-indexed frames for GIF, PNG and the other raster writers."""

    metrics: TextMetrics = METRICS

    def painter(self, theme: Theme, cell: int, width: int, height: int) -> RasterPainter:
        return RasterPainter(theme, cell, width, height, self.metrics)


RASTER = RasterMedium()
