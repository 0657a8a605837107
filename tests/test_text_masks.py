"""Text masks a glyph at a time (:class:`convanim.paint.fonts.Glyphs`) are the bytes ``ImageDraw.text``
draws: for random strings of digits, letters, punctuation and symbols at every size from 6 to 40 px,
bold and not, glyphs that overlap or overhang the mask, texts long enough for kerning to count,
lines with breaks, the empty text; the kerning bound they rely on holds for every kerned pair of
both shipped fonts. Words pasted from glyphs in colour are their masks through the anti-aliasing
ramp, and the palette's nearest colour is the least squared distance's.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from fontTools.ttLib import TTFont
from numpy.typing import NDArray
from PIL import Image, ImageDraw

from convanim.draw.painter import CellStyle, cell_text, word_advance
from convanim.draw.theme import THEMES
from convanim.paint import fonts
from convanim.paint.fonts import FILES, METRICS, Glyphs, font, kerning_bound
from convanim.paint.tiles import Tiles

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


@pytest.mark.parametrize("bold", [False, True])
def test_placed_glyphs_are_the_mask(bold: bool) -> None:
    """Where :meth:`Glyphs.placed` places a text's glyphs, pasting them on 0 makes its mask."""
    rng = random.Random(7 + bold)
    found = 0
    for size in range(6, 41, 3):
        glyphs = Glyphs(size, bold)
        for text in FIXED + ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 6))) for _ in range(60)]:
            placed = glyphs.placed(text)
            if placed is None:
                continue
            found += 1
            pasted = np.zeros((glyphs.height, glyphs.width(text)), dtype=np.uint8)
            for char, x, y in placed:
                bitmap = glyphs.glyph(char)[1]
                assert bitmap is not None
                h, w = bitmap.shape
                assert not pasted[y : y + h, x : x + w].any()  # clear of the glyphs before it
                pasted[y : y + h, x : x + w] = bitmap
            assert np.array_equal(pasted, drawn(text, size, bold)), (text, size)
    assert found > 500


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_words_are_their_masks_in_colour(theme: str) -> None:
    """A word's span (pasted from glyphs in colour where it can be) is its mask through the
    anti-aliasing ramp, then the background to the end of its room; a line is its spans."""
    tiles = Tiles(THEMES[theme], 30)
    rng = random.Random(3)
    words = ["ch", "#0:", "26", "−1.5", "fj", "AV", "…", "(0,", "=", "+", "bias"]
    words += ["".join(rng.choice(ALPHABET.strip()) for _ in range(rng.randint(1, 7))) for _ in range(80)]
    for size in (12, 16, 20):
        for ink, bg in (("ink", "background"), ("ink_dim", "background"), ("ink", "window_fill")):
            table = tiles.lut(bg, ink)
            for word in words:
                mask = drawn(word, size, False)
                room = word_advance(METRICS, word, size) + word_advance(METRICS, " ", size)
                line = tiles.words_tile([word], size, room + 5, ink=ink, bg=bg)
                if mask.shape[1] > room:  # stamped word by word: only its ink is drawn
                    continue
                expected = np.full((mask.shape[0], room + 5), tiles.colour(bg), dtype=np.uint8)
                expected[:, : mask.shape[1]] = table[mask]
                assert np.array_equal(line, expected), (word, size, ink, bg)


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_nearest_is_the_least_squared_distance(theme: str) -> None:
    """:meth:`Tiles.nearest` picks the palette colour at the least squared distance, the first of
    equals, as the direct difference does: for random colours, and colours on the palette itself."""
    tiles = Tiles(THEMES[theme], 30)
    rng = np.random.default_rng(1)
    palette = np.array(tiles.colours, dtype=np.int32)
    rgb = np.concatenate([rng.integers(0, 256, size=(1000, 3)), palette, (palette[:-1] + palette[1:]) // 2])
    rgb = rgb.astype(np.int32)
    distance = ((rgb[:, None, :].astype(np.int64) - palette[None, :, :]) ** 2).sum(axis=2)
    assert np.array_equal(tiles.nearest(rgb), distance.argmin(axis=1))


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_cells_are_their_masks_stamped(theme: str) -> None:
    """A cell tile (its glyphs pasted in colour where they fall on plain fill) is the border, the
    fill, and each of its texts' masks stamped through the anti-aliasing ramp, ink only."""
    rng = random.Random(5)
    for cell in (14, 18, 20, 26, 30, 36, 44):
        tiles = Tiles(THEMES[theme], cell)
        for _ in range(60):
            number = rng.choice(["", "7", "-3", "12", "−1.5", "100", "0.25", "8888", "x·y", "ab+c"])
            corner = rng.choice(["", "1", "-2", "0.5", "12"])
            fill = rng.choice(["input_fill", "window_fill", "window_pad_fill", "background"])
            ink = rng.choice(["ink", "ink_dim"])
            # Sometimes a number too big for the cell: it meets the border and the corner note.
            size = rng.choice([0, 0, cell // 2, cell - 4, cell])
            style = CellStyle(fill, number, ink=ink, corner=corner, bold=rng.random() < 0.3, size=size)
            expected = np.full((cell + 1, cell + 1), tiles.colour(fill), dtype=np.uint8)
            expected[0, :] = expected[-1, :] = expected[:, 0] = expected[:, -1] = tiles.colour("grid")
            for place in cell_text(METRICS, cell, style):
                mask = drawn(place.text, place.size, place.bold)
                x, y = place.x - 1, place.baseline - 1 - METRICS.ascent(place.size, place.bold)
                x0, y0 = max(0, x), max(0, y)
                x1, y1 = min(cell + 1, x + mask.shape[1]), min(cell + 1, y + mask.shape[0])
                part = mask[y0 - y : y1 - y, x0 - x : x1 - x]
                region = expected[y0:y1, x0:x1]
                region[part > 0] = tiles.lut(fill, place.ink)[part[part > 0]]
            assert np.array_equal(tiles.cell_tile(style), expected), (cell, style)


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_a_line_of_words_is_each_word_stamped_where_place_words_puts_it(theme: str) -> None:
    """A sum line joined from the words' spans (column bytes) is the line stamped word by word at
    the places :func:`place_words` gives, cut at the width or filled with background to it."""
    tiles = Tiles(THEMES[theme], 30)
    rng = random.Random(11)
    vocabulary = ["3·3", "+", "(−2)·1", "=", "out", "(3,", "4)", "bias", "…", "≈", "ch", "#0:", "12", "so", "far"]
    lines = 0
    for _ in range(60):
        words = [rng.choice(vocabulary) for _ in range(rng.randint(0, 30))]
        size = rng.choice((10, 12, 15, 20))
        width = rng.randint(1, 700)
        for ink, bg in (("ink", "background"), ("ink", "window_fill")):
            line = tiles.words_tile(words, size, width, ink=ink, bg=bg)
            expected = tiles._stamped_line(words, size, width, ink, bg)
            assert line.shape == expected.shape and np.array_equal(line, expected), (words, size, width, ink, bg)
            lines += 1
    assert lines == 120
