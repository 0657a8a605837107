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

NEAR = 24  # px: boxes closer than this are one part of the changed region (fewer, larger compares)
MAX_PARTS = 12  # beyond this many parts a mark joins the last one: scattered marks stay cheap to track


class Changed(tuple[int, int, int, int]):
    """The box a frame may have changed, ``(x0, y0, x1, y1)``, and ``parts``: a few boxes inside it
    that together cover every changed pixel (the window, the output cell, the sum line...).

    A writer may compare only the parts (a frame costs what changed, not the span from the window
    to the sum line); one that does not know them reads the box, as any tuple.
    """

    parts: tuple[Box, ...]

    def __new__(cls, parts: Sequence[Box]) -> Changed:
        box = (
            min(p[0] for p in parts),
            min(p[1] for p in parts),
            max(p[2] for p in parts),
            max(p[3] for p in parts),
        )
        made = super().__new__(cls, box)
        made.parts = tuple(parts)
        return made


class Canvas:
    """The frame being drawn, the permanent layer under it, and the box changed since the last frame."""

    def __init__(self, height: int, width: int, background: int) -> None:
        self.persist = np.full((height, width), background, dtype=np.uint8)
        self.pixels = self.persist.copy()
        self._transient: list[Box] = []
        self._parts: list[Box] = []  # disjoint-ish boxes covering what changed since ``begin``

    def _touch(self, box: Box) -> None:
        # Grow the first part this box touches or nearly touches; else it starts a part. A handful
        # of parts per frame, so this stays a few comparisons per mark.
        x0, y0, x1, y1 = box
        parts = self._parts
        for i, (a0, b0, a1, b1) in enumerate(parts):
            if x0 <= a1 + NEAR and a0 <= x1 + NEAR and y0 <= b1 + NEAR and b0 <= y1 + NEAR:
                parts[i] = (a0 if a0 < x0 else x0, b0 if b0 < y0 else y0, a1 if a1 > x1 else x1, b1 if b1 > y1 else y1)
                return
        if len(parts) >= MAX_PARTS:
            a0, b0, a1, b1 = parts[-1]
            parts[-1] = (min(a0, x0), min(b0, y0), max(a1, x1), max(b1, y1))
            return
        parts.append(box)

    def begin(self) -> None:
        """Start a frame: take back the previous frame's highlights."""
        self._parts = []
        pixels, persist = self.pixels, self.persist
        for box in self._transient:
            x0, y0, x1, y1 = box
            pixels[y0:y1, x0:x1] = persist[y0:y1, x0:x1]
            self._touch(box)
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
    def dirty(self) -> Changed | None:
        """The box changed since :meth:`begin` with its parts (None: nothing changed)."""
        return Changed(self._parts) if self._parts else None


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
