"""Pre-rendered pieces of a raster frame as palette-index arrays, made once and reused.

A frame is composed with numpy by pasting these tiles, so text is rasterised once per distinct
(cell look, number) rather than once per frame. Where each piece of text goes comes from the
painter seam (:func:`~convanim.draw.painter.cell_text`, :func:`~convanim.draw.painter.place_words`),
so the raster puts every word where the vector painters do.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from ..draw.painter import Box, CellStyle, TextPlace, cell_text, line_height, place_words, word_advance
from ..draw.theme import RGB, Theme
from .fonts import METRICS, Glyphs
from .palette import palette

Index = NDArray[np.uint8]

NEAREST_ROWS = 64  # colours matched against the palette at a time (a (64, 255) float32 array is 64 KB)
LINES_KEPT = 64  # lines of words kept whole (captions repeat every frame; a sum line seldom does)


class Tiles:
    """Makes and caches tiles for one theme and cell size; maps RGB to the fixed palette."""

    def __init__(self, theme: Theme, cell: int) -> None:
        self.theme = theme
        self.cell = cell
        self.colours = palette(theme)
        self.rgb = np.array(self.colours, dtype=np.int32)
        self.index = {rgb: i for i, rgb in enumerate(self.colours)}
        b = self.rgb.astype(np.float32)
        self._bb = (b * b).sum(axis=1)  # for :meth:`nearest`
        self._minus_2bt = np.ascontiguousarray(-2 * b.T)
        self._cells: dict[CellStyle, Index] = {}
        self._luts: dict[tuple[str, str], Index] = {}
        self._masks: dict[tuple[str, int, bool], Index] = {}
        self._faces: dict[tuple[int, bool], Glyphs] = {}  # each face's glyphs, rendered once a picture
        self._inked: dict[tuple[int, bool, str, str], dict[str, Index]] = {}  # (size, bold, ink, bg) -> glyphs
        # A word in ink on a background: a sum line is pasted from these.
        self._words: dict[tuple[str, int, str, str], Index] = {}
        self._lines: dict[tuple[tuple[str, ...], int, int, str, str], Index] = {}  # the last lines of words
        # (size, ink, bg) -> word -> the word and the space after it, column by column (the bytes of
        # its transpose): a line is its words' spans joined as bytes, one join for the whole line.
        self._spans: dict[tuple[int, str, str], dict[str, bytes]] = {}

    # -- colour mapping ---------------------------------------------------------------------

    def colour(self, name: str) -> int:
        """Palette index of a theme colour."""
        rgb: RGB = getattr(self.theme, name)
        return self.index[rgb]

    def nearest(self, rgb: NDArray[np.int32]) -> NDArray[np.uint8]:
        """Palette index nearest to each RGB row of ``rgb`` (shape (n, 3))."""
        # |a - b|² less |a|² (the same for every palette entry of a row) is |b|² - 2 a·b: whole
        # numbers under 2**20 for channels 0..255, so exact in float32 (BLAS, not numpy's integer
        # matmul): the same distances and ties as the direct difference. A few rows at a time, added
        # in place: each (rows, palette) array stays small enough to be reused, not mapped afresh.
        a = rgb.astype(np.float32)
        nearest = np.empty(len(a), dtype=np.uint8)
        for start in range(0, len(a), NEAREST_ROWS):
            distance = a[start : start + NEAREST_ROWS] @ self._minus_2bt
            distance += self._bb
            nearest[start : start + NEAREST_ROWS] = distance.argmin(axis=1)
        return nearest

    def lut(self, fill: str, ink: str) -> NDArray[np.uint8]:
        """Coverage 0..255 of ``ink`` over ``fill`` -> palette index (the anti-aliasing ramp)."""
        key = (fill, ink)
        table = self._luts.get(key)
        if table is None:
            a = np.array(getattr(self.theme, fill), dtype=np.float64)
            b = np.array(getattr(self.theme, ink), dtype=np.float64)
            t = np.arange(256, dtype=np.float64)[:, None] / 255
            table = self.nearest(np.rint(a + (b - a) * t).astype(np.int32))
            self._luts[key] = table
        return table

    def mask(self, text: str, size: int, bold: bool = False) -> NDArray[np.uint8]:
        """Coverage of ``text`` (0..255), one line high; the pen starts at (1, 1 + ascent)."""
        key = (text, size, bold)
        found = self._masks.get(key)
        if found is not None:
            return found
        found = self._masks[key] = self._glyphs(size, bold).mask(text)
        return found

    def _glyphs(self, size: int, bold: bool) -> Glyphs:
        """The face's glyphs, rendered once a picture."""
        glyphs = self._faces.get((size, bold))
        if glyphs is None:
            glyphs = self._faces[size, bold] = Glyphs(size, bold)
        return glyphs

    # -- tiles ------------------------------------------------------------------------------

    def _stamp(self, tile: NDArray[np.uint8], mask: NDArray[np.uint8], x: int, y: int, fill: str, ink: str) -> None:
        """Draw ``mask`` in ``ink`` onto ``tile`` (uniformly ``fill`` there) at (x, y), clipped."""
        h, w = tile.shape
        x0, y0 = max(0, x), max(0, y)
        x1, y1 = min(w, x + mask.shape[1]), min(h, y + mask.shape[0])
        if x1 <= x0 or y1 <= y0:
            return
        part = mask[y0 - y : y1 - y, x0 - x : x1 - x]
        np.copyto(tile[y0:y1, x0:x1], self.lut(fill, ink)[part], where=part > 0)

    def _pen(self, tile: Index, place: TextPlace, fill: str, inked: list[Box]) -> None:
        """Draw ``place``'s text with its pen at (x, baseline) in the tile; ``inked``: the boxes
        drawn in so far (the rest of the tile inside its border is ``fill``), grown by this text's."""
        x, y = place.x - 1, place.baseline - 1 - METRICS.ascent(place.size, place.bold)
        glyphs = self._glyphs(place.size, place.bold)
        placed = glyphs.placed(place.text)
        if placed is not None and self.lut(fill, place.ink)[0] == self.colour(fill):
            # The mask is its glyphs on 0, and 0 is the fill: where the glyphs fall on plain fill
            # (inside the border, clear of any text drawn), stamping them is pasting them in colour.
            height, width = tile.shape
            pieces = []
            for char, gx, gy in placed:
                piece = self._glyph_tile(glyphs, char, place.ink, fill)
                x0, y0 = x + gx, y + gy
                x1, y1 = x0 + piece.shape[1], y0 + piece.shape[0]
                if x0 < 1 or y0 < 1 or x1 > width - 1 or y1 > height - 1:
                    break
                if any(x0 < b1 and b0 < x1 and y0 < c1 and c0 < y1 for b0, c0, b1, c1 in inked):
                    break
                pieces.append((piece, x0, y0, x1, y1))
            else:
                for piece, x0, y0, x1, y1 in pieces:
                    tile[y0:y1, x0:x1] = piece
                    inked.append((x0, y0, x1, y1))
                return
        mask = self.mask(place.text, place.size, place.bold)
        self._stamp(tile, mask, x, y, fill, place.ink)
        inked.append((x, y, x + mask.shape[1], y + mask.shape[0]))

    def _glyph_tile(self, glyphs: Glyphs, char: str, ink: str, bg: str) -> Index:
        """A glyph's inked box in ``ink`` over ``bg`` (palette indices), made once."""
        tiles = self._inked.setdefault((glyphs.size, glyphs.bold, ink, bg), {})
        tile = tiles.get(char)
        if tile is None:
            bitmap = glyphs.glyph(char)[1]
            assert bitmap is not None  # a placed glyph has ink
            tile = tiles[char] = self.lut(bg, ink)[bitmap]
        return tile

    def cell_tile(self, style: CellStyle) -> Index:
        """A (cell+1)-px square: border, fill, a centred number and an optional corner note."""
        tile = self._cells.get(style)
        if tile is not None:
            return tile
        size = self.cell + 1
        tile = np.full((size, size), self.colour(style.fill), dtype=np.uint8)
        grid = self.colour("grid")
        tile[0, :] = tile[-1, :] = tile[:, 0] = tile[:, -1] = grid
        inked: list[Box] = []
        for place in cell_text(METRICS, self.cell, style):
            self._pen(tile, place, style.fill, inked)
        self._cells[style] = tile
        return tile

    def text_tile(self, text: str, size: int, ink: str = "ink", bold: bool = False, bg: str = "background") -> Index:
        """A line of text on ``bg``, as tall as the font's line, as wide as the text."""
        mask = self.mask(text, size, bold)
        tile = np.full(mask.shape, self.colour(bg), dtype=np.uint8)
        self._stamp(tile, mask, 0, 0, bg, ink)
        return tile

    def words_tile(
        self, words: Sequence[str], size: int, width: int, ink: str = "ink", bg: str = "background"
    ) -> Index:
        """A line of ``words``, placed by :func:`place_words`, cut at ``width`` px (shared: never write).

        The last lines made are kept whole: a caption is the same line frame after frame.
        """
        key = (tuple(words), size, width, ink, bg)
        line = self._lines.get(key)
        if line is None:
            if len(self._lines) >= LINES_KEPT:
                del self._lines[next(iter(self._lines))]  # the oldest
            line = self._lines[key] = self._line(words, size, width, ink, bg)
        return line

    def _line(self, words: Sequence[str], size: int, width: int, ink: str, bg: str) -> Index:
        """The line of ``words``: each word's span starts where place_words puts its box, so the
        line is the spans joined, then the background to the end, cut at ``width``.

        The spans are kept column by column, so joining them is one ``bytes.join`` (a new sum line
        every frame: a concatenation of its fifty word arrays cost three times as much); the line
        is the transpose of those columns, a view that a paste copies like any tile.
        """
        height = line_height(METRICS, size)
        spans = self._spans.setdefault((size, ink, bg), {})
        try:
            columns = b"".join([spans[word] for word in words])
        except KeyError:  # a word not seen yet
            for word in words:
                if word not in spans and self._span(spans, word, size, ink, bg) is None:
                    return self._stamped_line(words, size, width, ink, bg)
            columns = b"".join([spans[word] for word in words])
        short = width - len(columns) // height
        if short > 0:
            columns += bytes((self.colour(bg),)) * (short * height)
        return np.frombuffer(columns, dtype=np.uint8).reshape(-1, height)[:width].T

    def _span(self, spans: dict[str, bytes], word: str, size: int, ink: str, bg: str) -> bytes | None:
        """``word`` and the space after it, as wide as its advance and a space, column by column
        (kept in ``spans``); None when its ink reaches past that (a glyph overhanging the next
        word's box)."""
        room = word_advance(METRICS, word, size) + word_advance(METRICS, " ", size)
        glyphs = self._glyphs(size, False)
        placed = glyphs.placed(word)
        table = self.lut(bg, ink)
        background = self.colour(bg)
        if placed is not None and table[0] == background:
            # The mask would be these glyphs on 0, and 0 is the background: paste them in colour.
            if glyphs.width(word) > room or glyphs.height != line_height(METRICS, size):
                return None
            span = np.full((glyphs.height, room), background, dtype=np.uint8)
            for char, x, y in placed:
                tile = self._glyph_tile(glyphs, char, ink, bg)
                h, w = tile.shape
                span[y : y + h, x : x + w] = tile
        else:
            drawn = self._word(word, size, ink, bg)
            height, width = drawn.shape
            if width > room or height != line_height(METRICS, size):
                return None
            span = np.full((height, room), background, dtype=np.uint8)
            span[:, :width] = drawn
        columns = spans[word] = span.T.tobytes()
        return columns

    def _stamped_line(self, words: Sequence[str], size: int, width: int, ink: str, bg: str) -> Index:
        """The line word by word: as _stamp, only each word's ink is drawn (a glyph may overhang
        into its neighbour's box)."""
        height = line_height(METRICS, size)
        line = np.full((height, width), self.colour(bg), dtype=np.uint8)
        for word, x in place_words(METRICS, words, size, width):
            inked = self._word(word, size, ink, bg)
            where = self.mask(word, size) > 0
            x0, x1 = max(0, x), min(width, x + inked.shape[1])
            if x1 > x0:
                h = min(height, inked.shape[0])
                np.copyto(line[:h, x0:x1], inked[:h, x0 - x : x1 - x], where=where[:h, x0 - x : x1 - x])
        return line

    def _word(self, word: str, size: int, ink: str, bg: str) -> Index:
        """``word`` in ``ink`` over ``bg`` (palette indices), made once."""
        key = (word, size, ink, bg)
        inked = self._words.get(key)
        if inked is None:
            mask = self.mask(word, size)
            table = self.lut(bg, ink)
            if table[0] == self.colour(bg):  # no coverage is the background itself: look every pixel up
                inked = table[mask]
            else:
                where = mask > 0
                inked = np.full(mask.shape, self.colour(bg), dtype=np.uint8)
                inked[where] = table[mask[where]]
            self._words[key] = inked
        return inked
