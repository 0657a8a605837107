"""The shipped DejaVu fonts: their files, Pillow faces, and the one text metrics every medium uses.

Fonts are loaded by path with Pillow's BASIC layout engine (no Raqm), so text measures and
rasterises the same on every machine. :data:`METRICS` is the :class:`~convanim.draw.painter.
TextMetrics` that every layout and every painter measures with, raster and vector alike.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

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
