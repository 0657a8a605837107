"""Pre-rendered pieces of a frame as palette-index arrays, made once and reused.

A frame is composed with numpy by pasting these tiles, so text is laid out once per distinct
(cell look, number) rather than once per frame. Text uses the DejaVu fonts shipped inside the
package, loaded by path with Pillow's BASIC layout engine: the same pixels on every machine.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont

from ..draw.theme import RGB, Theme
from .palette import palette

FONT_DIR = Path(__file__).resolve().parent / "fonts"
Index = NDArray[np.uint8]


@lru_cache(maxsize=64)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """DejaVu Sans at ``size`` px, by path, with the BASIC layout engine (no Raqm)."""
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(FONT_DIR / name), size, layout_engine=ImageFont.Layout.BASIC)


def format_number(value: Any) -> str:
    """A cell's number: integers as they are, floats to 2 decimals at most, a true minus sign."""
    return _format(float(value))


@lru_cache(maxsize=4096)
def _format(number: float) -> str:
    if number.is_integer() and abs(number) < 1e15:
        text = str(int(number))
    else:
        text = f"{number:.2f}".rstrip("0").rstrip(".")
        if text in ("-0", ""):
            text = "0"
    return text.replace("-", "−")


class Tiles:
    """Makes and caches tiles for one theme and cell size; maps RGB to the fixed palette."""

    def __init__(self, theme: Theme, cell: int) -> None:
        self.theme = theme
        self.cell = cell
        self.colours = palette(theme)
        self.rgb = np.array(self.colours, dtype=np.int32)
        self.index = {rgb: i for i, rgb in enumerate(self.colours)}
        self.value_size = max(8, round(cell * 0.4))
        self.corner_size = max(7, round(cell * 0.27))
        self._cells: dict[tuple[Any, ...], Index] = {}
        self._luts: dict[tuple[str, str], Index] = {}
        self._masks: dict[tuple[str, int, bool], Index] = {}
        self._words: dict[tuple[str, int], tuple[Index, int]] = {}

    # -- colour mapping ---------------------------------------------------------------------

    def colour(self, name: str) -> int:
        """Palette index of a theme colour."""
        rgb: RGB = getattr(self.theme, name)
        return self.index[rgb]

    def nearest(self, rgb: NDArray[np.int32]) -> NDArray[np.uint8]:
        """Palette index nearest to each RGB row of ``rgb`` (shape (n, 3))."""
        distance = ((rgb[:, None, :] - self.rgb[None, :, :]) ** 2).sum(axis=2)
        return np.asarray(distance.argmin(axis=1), dtype=np.uint8)

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
        """Coverage of ``text`` (0..255), cropped to one line's height and the text's advance."""
        key = (text, size, bold)
        found = self._masks.get(key)
        if found is not None:
            return found
        face = font(size, bold)
        ascent, descent = face.getmetrics()
        width = max(1, int(np.ceil(face.getlength(text))) + 2)
        image = Image.new("L", (width, ascent + descent + 2), 0)
        ImageDraw.Draw(image).text((1, 1), text, font=face, fill=255)
        found = np.asarray(image, dtype=np.uint8)
        self._masks[key] = found
        return found

    # -- tiles ------------------------------------------------------------------------------

    def fitted_size(self, text: str, size: int, width: int, bold: bool = False) -> int:
        """The largest font size up to ``size`` whose rendering of ``text`` fits ``width`` px."""
        while size > 6 and font(size, bold).getlength(text) > width:
            size -= 1
        return size

    def _stamp(self, tile: NDArray[np.uint8], mask: NDArray[np.uint8], x: int, y: int, fill: str, ink: str) -> None:
        """Draw ``mask`` in ``ink`` onto ``tile`` (uniformly ``fill`` there) at (x, y), clipped."""
        h, w = tile.shape
        x0, y0 = max(0, x), max(0, y)
        x1, y1 = min(w, x + mask.shape[1]), min(h, y + mask.shape[0])
        if x1 <= x0 or y1 <= y0:
            return
        part = mask[y0 - y : y1 - y, x0 - x : x1 - x]
        region = tile[y0:y1, x0:x1]
        ink_pixels = part > 0
        region[ink_pixels] = self.lut(fill, ink)[part[ink_pixels]]

    def cell_tile(
        self,
        fill: str,
        text: str = "",
        ink: str = "ink",
        corner: str = "",
        corner_ink: str = "weight_ink",
        bold: bool = False,
    ) -> Index:
        """A (cell+1)-px square: border, fill, a centred number and an optional corner note."""
        key = (fill, text, ink, corner, corner_ink, bold)
        tile = self._cells.get(key)
        if tile is not None:
            return tile
        size = self.cell + 1
        tile = np.full((size, size), self.colour(fill), dtype=np.uint8)
        grid = self.colour("grid")
        tile[0, :] = tile[-1, :] = tile[:, 0] = tile[:, -1] = grid
        if text:
            font_size = self.fitted_size(text, self.value_size, self.cell - 4, bold)
            mask = self.mask(text, font_size, bold)
            ascent, _descent = font(font_size, bold).getmetrics()
            # Centre the digits' box (ascent of a digit is about 0.73 of the size).
            glyph_top = 1 + ascent - round(font_size * 0.73)
            glyph_height = round(font_size * 0.73)
            shift = round(self.cell * 0.1) if corner else 0
            x = (size - mask.shape[1]) // 2 - shift
            y = (size - glyph_height) // 2 - glyph_top - shift
            self._stamp(tile, mask, x, y, fill, ink)
        if corner:
            font_size = self.fitted_size(corner, self.corner_size, self.cell // 2 + 2, bold=True)
            mask = self.mask(corner, font_size, True)
            ascent, _ = font(font_size, True).getmetrics()
            glyph_bottom = 1 + ascent
            self._stamp(tile, mask, size - mask.shape[1] - 1, size - 3 - glyph_bottom, fill, corner_ink)
        self._cells[key] = tile
        return tile

    def text_tile(self, text: str, size: int, ink: str = "ink", bold: bool = False, bg: str = "background") -> Index:
        """A line of text on ``bg``, as tall as the font's line, as wide as the text."""
        mask = self.mask(text, size, bold)
        tile = np.full(mask.shape, self.colour(bg), dtype=np.uint8)
        self._stamp(tile, mask, 0, 0, bg, ink)
        return tile

    def _word(self, word: str, size: int) -> tuple[NDArray[np.uint8], int]:
        """A word's mask and its advance in px (rounded once, so layout is whole pixels)."""
        key = (word, size)
        found = self._words.get(key)
        if found is None:
            found = (self.mask(word, size), round(font(size).getlength(word)))
            self._words[key] = found
        return found

    def words_width(self, words: list[str], size: int) -> int:
        space = self._word(" ", size)[1]
        return sum(self._word(w, size)[1] for w in words if w) + space * (len(words) - 1) + 2

    def words_tile(self, words: list[str], size: int, width: int, ink: str = "ink", bg: str = "background") -> Index:
        """A line of ``words`` separated by spaces, cut at ``width`` px, from cached word masks."""
        space = self._word(" ", size)[1]
        tile = np.full((self.line_height(size), width), self.colour(bg), dtype=np.uint8)
        x = 0
        for word in words:
            if word:
                mask, advance = self._word(word, size)
                self._stamp(tile, mask, x, 0, bg, ink)
                x += advance
            x += space
            if x >= width:
                break
        return tile

    def text_width(self, text: str, size: int, bold: bool = False) -> int:
        return int(np.ceil(font(size, bold).getlength(text))) + 2

    def line_height(self, size: int) -> int:
        ascent, descent = font(size).getmetrics()
        return int(ascent + descent + 2)
