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
        x0s, y0s, x1s, y1s = zip(*parts, strict=True)
        made = super().__new__(cls, (min(x0s), min(y0s), max(x1s), max(y1s)))
        made.parts = tuple(parts)
        return made


class Canvas:
    """The frame being drawn, the permanent layer under it, and the box changed since the last frame.

    Marks are gathered into *runs*: marks drawn one after another that overlap or touch, as one box
    (a window's cells and its outline are one run). A run with a transient mark is taken back at the
    next :meth:`begin` in one copy, and the changed parts are grown from the runs, not the marks:
    a frame's bookkeeping costs a few comparisons a mark.
    """

    def __init__(self, height: int, width: int, background: int) -> None:
        self.persist = np.full((height, width), background, dtype=np.uint8)
        self.pixels = self.persist.copy()
        self._run: Box | None = None  # the open run: the box around its marks
        self._run_area = 0  # px its marks cover (overlaps counted twice)
        self._run_transient = False  # whether it holds a transient mark
        self._transient: list[Box] = []  # closed runs with a transient mark: taken back at the next begin
        self._changed: list[Box] = []  # runs closed and boxes taken back since ``begin``

    def _mark(self, x0: int, y0: int, x1: int, y1: int, transient: bool) -> None:
        """Count a mark drawn in the box (x0, y0, x1, y1): it joins the open run if it touches it,
        else it starts a run."""
        area = (x1 - x0) * (y1 - y0)
        if self._run is not None:
            a0, b0, a1, b1 = self._run
            if x0 <= a1 and a0 <= x1 and y0 <= b1 and b0 <= y1:
                if x0 < a0:
                    a0 = x0
                if y0 < b0:
                    b0 = y0
                if x1 > a1:
                    a1 = x1
                if y1 > b1:
                    b1 = y1
                painted = self._run_area + area
                # Join while the run's box stays mostly marks: it is copied whole when taken back.
                if (a1 - a0) * (b1 - b0) <= 2 * painted:
                    self._run, self._run_area = (a0, b0, a1, b1), painted
                    self._run_transient = self._run_transient or transient
                    return
            self._close_run()
        self._run, self._run_area, self._run_transient = (x0, y0, x1, y1), area, transient

    def _close_run(self) -> None:
        run = self._run
        if run is not None:
            if self._run_transient:
                self._transient.append(run)
            self._changed.append(run)
            self._run = None

    def begin(self) -> None:
        """Start a frame: take back the previous frame's highlights.

        A run's box may hold pixels no transient mark drew; those are the permanent layer's
        already, so copying them back changes nothing.
        """
        self._close_run()
        pixels, persist = self.pixels, self.persist
        for x0, y0, x1, y1 in self._transient:
            pixels[y0:y1, x0:x1] = persist[y0:y1, x0:x1]
        self._changed = self._transient
        self._transient = []

    def paste(self, tile: NDArray[np.uint8], x: int, y: int, permanent: bool = False) -> None:
        h, w = tile.shape
        self.pixels[y : y + h, x : x + w] = tile
        if permanent:
            self.persist[y : y + h, x : x + w] = tile
        self._mark(x, y, x + w, y + h, not permanent)

    def paste_all(self, tiles: Sequence[tuple[NDArray[np.uint8], int, int]], permanent: bool = False) -> None:
        """Paste each (tile, x, y) in order, as :meth:`paste` does; a block of tiles (a window's
        cells) is marked once, as the box around them."""
        pixels, persist = self.pixels, self.persist
        x0 = y0 = 1 << 30
        x1 = y1 = area = 0
        for tile, x, y in tiles:
            h, w = tile.shape
            pixels[y : y + h, x : x + w] = tile
            if permanent:
                persist[y : y + h, x : x + w] = tile
            area += h * w
            if x < x0:
                x0 = x
            if y < y0:
                y0 = y
            if x + w > x1:
                x1 = x + w
            if y + h > y1:
                y1 = y + h
        if area == 0:
            return
        if (x1 - x0) * (y1 - y0) <= 2 * area:  # mostly tiles: one mark
            self._mark(x0, y0, x1, y1, not permanent)
            return
        for tile, x, y in tiles:  # scattered (a dilated window): a mark each, as paste makes
            h, w = tile.shape
            self._mark(x, y, x + w, y + h, not permanent)

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
        self._mark(x0, y0, x1, y1, not permanent)

    def outline(self, box: Box, index: int, width: int = EDGE) -> None:
        """A highlight frame of ``width`` px drawn inside ``box`` (transient; taken back whole)."""
        x0, y0, x1, y1 = box
        pixels = self.pixels
        pixels[y0 : y0 + width, x0:x1] = index
        pixels[y1 - width : y1, x0:x1] = index
        pixels[y0:y1, x0 : x0 + width] = index
        pixels[y0:y1, x1 - width : x1] = index
        # The four sides' box: ``box``, unless it is narrower than the sides are wide.
        self._mark(min(x0, x1 - width), min(y0, y1 - width), max(x1, x0 + width), max(y1, y0 + width), True)

    def changed(self) -> Changed | None:
        """The box changed since :meth:`begin` with its parts (None: nothing changed)."""
        self._close_run()
        parts: list[Box] = []
        for box in dict.fromkeys(self._changed):  # a box taken back is often drawn again
            _grow(parts, box)
        return Changed(parts) if parts else None


def _grow(parts: list[Box], box: Box) -> None:
    """Grow the first of ``parts`` that ``box`` touches or nearly touches; else it starts a part
    (beyond MAX_PARTS, it joins the last). A handful of parts a frame: a few comparisons a box."""
    x0, y0, x1, y1 = box
    for i, (a0, b0, a1, b1) in enumerate(parts):
        if x0 <= a1 + NEAR and a0 <= x1 + NEAR and y0 <= b1 + NEAR and b0 <= y1 + NEAR:
            parts[i] = _union(a0, b0, a1, b1, box)
            return
    if len(parts) >= MAX_PARTS:
        parts[-1] = _union(*parts[-1], box)
        return
    parts.append(box)


def _union(a0: int, b0: int, a1: int, b1: int, box: Box) -> Box:
    """The box ``(a0, b0, a1, b1)`` grown to cover ``box``."""
    x0, y0, x1, y1 = box
    return (a0 if a0 < x0 else x0, b0 if b0 < y0 else y0, a1 if a1 > x1 else x1, b1 if b1 > y1 else y1)


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

    def cells(self, placed: Sequence[tuple[int, int, CellStyle]], permanent: bool = False) -> None:
        tile_of = self.tiles.cell_tile
        self.canvas.paste_all([(tile_of(style), x, y) for x, y, style in placed], permanent)

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
        changed = None if self._first else self.canvas.changed()
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
