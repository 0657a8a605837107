"""Text masks a glyph at a time (:class:`convanim.paint.fonts.Glyphs`) are the bytes ``ImageDraw.text``
draws: for random strings of digits, letters, punctuation and symbols at every size from 6 to 40 px,
bold and not, glyphs that overlap or overhang the mask, texts long enough for kerning to count,
lines with breaks, the empty text; the kerning bound they rely on holds for every kerned pair of
both shipped fonts.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from fontTools.ttLib import TTFont
from numpy.typing import NDArray
from PIL import Image, ImageDraw

from convanim.paint import fonts
from convanim.paint.fonts import FILES, Glyphs, font, kerning_bound

ALPHABET = (
    "0123456789" * 4
    + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    + " #()[]{},.:;-+=·…−×⌊⌋²/\\|'\"!?%&*_<>@^`~fjVAWTYLPrvwy"
    + "ÀéüñØß→←≈≤≥∑√∞αβγθλμπσω"
)
# Kerned pairs, glyphs that reach into their neighbours, the empty text, lines.
FIXED = ["", " ", "  a  ", "AV", "VA", "ff", "fj", "jj", "Tj", "r.", "f.", "LT", "WAVE", "Type", "−1.5", "…"]
FIXED += ["AVAVAVAVAVAV", "To Tr Ty Va Wo Yo", "ch #0: 26", "a\nb", "j", "_j_", "/////"]


def drawn(text: str, size: int, bold: bool) -> NDArray[np.uint8]:
    """The reference: ``ImageDraw.text`` at (1, 1) on a black image one line high, as wide as the
    text's advance + 2 (what :meth:`Tiles.mask` drew before)."""
    face = font(size, bold)
    ascent, descent = face.getmetrics()
    width = max(1, int(np.ceil(face.getlength(text))) + 2)
    image = Image.new("L", (width, ascent + descent + 2), 0)
    ImageDraw.Draw(image).text((1, 1), text, font=face, fill=255)
    return np.asarray(image, dtype=np.uint8)


@pytest.mark.parametrize("bold", [False, True])
def test_masks_are_imagedraws_bytes(bold: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(16 + bold)
    paths = {"pasted": 0, "blended": 0}
    blend = fonts._blend

    def counted(out: NDArray[np.uint8], mask: NDArray[np.uint8], x: int, y: int) -> None:
        paths["blended"] += 1
        blend(out, mask, x, y)

    monkeypatch.setattr(fonts, "_blend", counted)
    for size in range(6, 41):
        glyphs = Glyphs(size, bold)
        texts = FIXED + ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 12))) for _ in range(60)]
        for text in texts:
            mask = glyphs.mask(text)
            assert mask.dtype == np.uint8
            assert np.array_equal(mask, drawn(text, size, bold)), (text, size, bold)
            paths["pasted"] += len(text) <= glyphs.short
    # Both ways of placing a glyph were taken: pasted clear of its neighbours, and blended over them.
    assert paths["pasted"] > 1000 and paths["blended"] > 100


def test_kerning_never_moves_a_short_texts_glyph() -> None:
    """Every pair of the fonts' kern tables moves the pen by at most :func:`kerning_bound` 64ths
    at each size, so a text of ``Glyphs.short`` glyphs is placed by its advances alone."""
    for bold in (False, True):
        table = TTFont(str(FILES[bold]))
        names = {name: chr(code) for code, name in table.getBestCmap().items()}
        pairs = [
            (names[left], names[right])
            for sub in table["kern"].kernTables
            for left, right in sub.kernTable
            if left in names and right in names
        ]
        assert len(pairs) > 1000
        for size in (6, 9, 12, 16, 20, 27, 33, 40, 48):
            face = font(size, bold)
            advance = {c: round(face.getlength(c) * 64) for pair in pairs for c in pair}
            worst = max(abs(round(face.getlength(a + b) * 64) - advance[a] - advance[b]) for a, b in pairs)
            assert worst <= kerning_bound(size)
            assert worst > 0 or size < 8  # kerning is there to be bounded
            assert (Glyphs(size, bold).short - 1) * kerning_bound(size) < 32
