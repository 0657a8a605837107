"""The raster painter: a scene's description -> frames of palette indices, at the speed of tiles.

The static picture is composed once. Each frame then restores what the previous frame
highlighted, applies what became permanent, and pastes this frame's highlights: a few dozen tile
copies, whatever the size of the picture. Each frame reports the box it may have changed, so the
encoder compares only that.
"""

from __future__ import annotations

from collections.abc import Sequence

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

    def end(self, duration_ms: int) -> Frame:
        """The frame: its pixels (reused: copy to keep), the box it changed (None: all), its duration."""
        changed = None if self._first else self.canvas.dirty
        self._first = False
        return self.canvas.pixels, changed, duration_ms

    def pixels(self) -> NDArray[np.uint8]:
        """A copy of the current frame."""
        return self.canvas.pixels.copy()


class RasterMedium:
    """Palette-indexed frames for GIF, PNG and the other raster writers."""

    metrics: TextMetrics = METRICS

    def painter(self, theme: Theme, cell: int, width: int, height: int) -> RasterPainter:
        return RasterPainter(theme, cell, width, height, self.metrics)


RASTER = RasterMedium()
