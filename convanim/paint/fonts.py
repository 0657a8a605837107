"""The shipped DejaVu fonts: their files, Pillow faces, and the one text metrics every medium uses.

Fonts are loaded by path with Pillow's BASIC layout engine (no Raqm), so text measures and
rasterises the same on every machine. :data:`METRICS` is the :class:`~convanim.draw.painter.
TextMetrics` that every layout and every painter measures with, raster and vector alike.
:class:`Glyphs` rasterises text as ``ImageDraw.text`` does, a glyph at a time.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont

if TYPE_CHECKING:
    from PIL._imaging import ImagingCore

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
FILES = {False: FONT_DIR / "DejaVuSans.ttf", True: FONT_DIR / "DejaVuSans-Bold.ttf"}


@lru_cache(maxsize=64)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """DejaVu Sans at ``size`` px, by path, with the BASIC layout engine (no Raqm)."""
    return ImageFont.truetype(str(FILES[bold]), size, layout_engine=ImageFont.Layout.BASIC)


class FreeTypeMetrics:
    """Advances and line metrics from FreeType at each pixel size (hinted, as the raster draws)."""

    @staticmethod
    @lru_cache(maxsize=65536)
    def length(text: str, size: int, bold: bool = False) -> float:
        return float(font(size, bold).getlength(text))

    @staticmethod
    @lru_cache(maxsize=256)
    def ascent(size: int, bold: bool = False) -> int:
        return int(font(size, bold).getmetrics()[0])

    @staticmethod
    @lru_cache(maxsize=256)
    def descent(size: int, bold: bool = False) -> int:
        return int(font(size, bold).getmetrics()[1])


METRICS = FreeTypeMetrics()

# A glyph: its advance (26.6 fixed point), and its inked pixels (None: none) with the offset of
# their top-left from the pen on the baseline.
Glyph = tuple[int, NDArray[np.uint8] | None, int, int]


def kerning_bound(size: int) -> int:
    """The most a kerned pair moves the pen in Pillow's BASIC layout, in 1/64 px, at ``size`` px.

    Pillow adds FreeType's grid-fitted kerning *in pixels* to an advance in 1/64 px (a quirk: a
    pair moves the pen by a few 64ths). The largest pair of the shipped fonts is 538/2048 em,
    about 0.27 px per px of size; ``tests/test_text_masks.py`` checks every pair of both fonts.
    """
    return size // 3 + 1


class Glyphs:
    """Coverage masks of text in one face, the bytes ``ImageDraw.text`` draws, a glyph at a time.

    ``ImageDraw.text((1, 1), text, fill=255)`` on a black "L" image lays the text out with the
    BASIC engine: each glyph is rendered by FreeType at the origin (hinted, whole-pixel advances)
    and placed at its pen position rounded to a pixel, blended *over* what is there. A number
    repeats the glyphs of every other number, so each glyph is rendered once and pasted. Where
    kerning could move a glyph by a pixel (texts longer than a kerned pen offset can stay under
    half a pixel), or where a glyph's advance is not whole pixels, the text is rendered whole by
    FreeType instead, with the same bytes. Made per picture: nothing is shared between renders.
    """

    def __init__(self, size: int, bold: bool = False) -> None:
        self.size, self.bold = size, bold
        self.face = face = font(size, bold)
        ascent, descent = face.getmetrics()
        self.ascent = int(ascent)
        self.height = int(ascent) + int(descent) + 2
        # The longest text whose pen offsets, kerning included, round as the advances alone do.
        self.short = 1 + 31 // kerning_bound(size)
        self._glyphs: dict[str, Glyph] = {}

    def width(self, text: str) -> int:
        """The width of ``text``'s mask: its advance rounded up, and a pixel either side."""
        # The advance as the layout measured it (the same FreeType call, made once a text).
        return max(1, int(np.ceil(METRICS.length(text, self.size, self.bold))) + 2)

    def glyph(self, char: str) -> Glyph:
        """``char``'s advance, and its inked pixels as FreeType renders it at the pen (made once)."""
        glyph = self._glyphs.get(char)
        if glyph is None:
            glyph = self._glyphs[char] = self._glyph(char)
        return glyph

    def placed(self, text: str) -> list[tuple[str, int, int]] | None:
        """Where each inked glyph of ``text`` goes in its mask (char, x, y of its inked box), when
        every one lies inside the mask, clear of the ink before it: then the mask is those boxes
        pasted on 0. None otherwise (glyphs to blend, or to lay out whole)."""
        if len(text) > self.short or "\n" in text:
            return None
        width, height = self.width(text), self.height
        inked = self._inked(text)
        if inked is None:
            return None
        placed = []
        right = 0  # the column after the rightmost ink so far
        for char, bitmap, x, y in inked:
            h, w = bitmap.shape
            if x < right or y < 0 or x + w > width or y + h > height:
                return None
            placed.append((char, x, y))
            right = x + w
        return placed

    def _inked(self, text: str) -> list[tuple[str, NDArray[np.uint8], int, int]] | None:
        """Each inked glyph of ``text`` with the top-left of its ink, the pen starting at
        (1, 1 + ascent); None when a glyph's advance is not whole pixels (its neighbours' places
        would then depend on kerning)."""
        glyphs = self._glyphs
        inked = []
        pen = 1  # px: the advances are whole pixels
        base = 1 + self.ascent
        for char in text:
            glyph = glyphs.get(char)
            if glyph is None:
                glyph = glyphs[char] = self._glyph(char)
            advance, bitmap, gx, gy = glyph
            if advance & 63:
                return None
            if bitmap is not None:
                inked.append((char, bitmap, pen + gx, base + gy))
            pen += advance >> 6
        return inked

    def mask(self, text: str) -> NDArray[np.uint8]:
        """Coverage of ``text`` (0..255), one line high, as wide as its advance + 2; the pen
        starts at (1, 1 + ascent)."""
        width = self.width(text)
        out = np.zeros((self.height, width), dtype=np.uint8)
        if "\n" in text:  # ImageDraw would draw lines: let it
            image = Image.new("L", (width, self.height), 0)
            ImageDraw.Draw(image).text((1, 1), text, font=self.face, fill=255)
            return np.asarray(image, dtype=np.uint8).copy()
        if len(text) > self.short or not self._composed(text, out):
            out[:] = 0
            core, (ox, oy) = self.face.getmask2(text, "L", anchor="la")
            _blend(out, _pixels(core), 1 + ox, 1 + oy)
        return out

    def _composed(self, text: str, out: NDArray[np.uint8]) -> bool:
        """Paste ``text``'s glyphs into ``out``; False (``out`` untouched) when a glyph's advance
        is not whole pixels, so its neighbours' places would depend on kerning."""
        inked = self._inked(text)
        if inked is None:
            return False
        height, width = out.shape
        right = -(1 << 30)  # the column after the rightmost ink so far
        for _, bitmap, x, y in inked:
            h, w = bitmap.shape
            if x >= right and x >= 0 and y >= 0 and x + w <= width and y + h <= height:
                out[y : y + h, x : x + w] = bitmap  # clear of the ink before it
            else:
                _blend(out, bitmap, x, y)
            if x + w > right:
                right = x + w
        return True

    def _glyph(self, char: str) -> Glyph:
        """``char``'s advance, and its inked pixels as FreeType renders it at the pen."""
        face = self.face
        advance = round(face.getlength(char) * 64)
        core, (ox, oy) = face.getmask2(char, "L", anchor="ls")  # its box's top-left from the pen
        box = core.getbbox() if core.size[0] and core.size[1] else None  # the inked pixels
        if box is None:
            return advance, None, 0, 0
        x0, y0, _, _ = box
        return advance, _pixels(core.crop(box)), ox + x0, oy + y0


def _pixels(core: ImagingCore) -> NDArray[np.uint8]:
    """An "L" image core's pixels (read-only), through Pillow's raw encoder (as ``tobytes``,
    without an image object around it)."""
    width, height = core.size
    if not width or not height:
        return np.zeros((height, width), dtype=np.uint8)
    encoder = Image._getencoder("L", "raw", "L")
    try:
        encoder.setimage(core, (0, 0, width, height))
        chunks = []
        while True:
            _, status, data = encoder.encode(max(65536, width))
            chunks.append(data)
            if status:
                break
        if status < 0:
            raise OSError(f"the raw encoder failed (error {status})")
    finally:
        encoder.cleanup()
    return np.frombuffer(b"".join(chunks), dtype=np.uint8).reshape(height, width)


def _blend(out: NDArray[np.uint8], mask: NDArray[np.uint8], x: int, y: int) -> None:
    """Draw coverage ``mask`` over ``out`` at (x, y), clipped, as FreeType glyphs are blended in
    Pillow: ``a + a' (255 - a) / 255``, rounded as Pillow's MULDIV255."""
    height, width = out.shape
    h, w = mask.shape
    x0, y0, x1, y1 = max(0, x), max(0, y), min(width, x + w), min(height, y + h)
    if x1 <= x0 or y1 <= y0:
        return
    source = mask[y0 - y : y1 - y, x0 - x : x1 - x].astype(np.uint32)
    tmp = out[y0:y1, x0:x1] * (255 - source) + 128
    out[y0:y1, x0:x1] = source + (((tmp >> 8) + tmp) >> 8)
