"""The painter seam: what a scene says a frame shows, and the one way text is measured.

A scene never touches pixels. It describes each frame to a :class:`Painter` in layout
coordinates (whole pixels, y down): cells (:class:`CellStyle`: fill role, number, corner note,
ink role, bold), outlines, and lines of text or words, with colours named by theme role. A
painter turns that into a raster frame or into vector shapes. Marks are *transient* (gone at the
next :meth:`Painter.begin`) or *permanent* (part of the picture from then on).

Where text goes is decided here, once, from one :class:`TextMetrics` over the shipped DejaVu fonts:
:func:`cell_text` places a cell's number and corner note, :func:`place_words` a line of words. Every
painter uses them, so every word starts at the same place in every medium.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol
from weakref import WeakKeyDictionary

from .theme import Theme

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 (end exclusive)
EDGE = 3  # px of the outlines around the window, the kernel and the current cell
MIN_CORNER_CELL = 20  # px; below this a cell's corner note (the kernel weight in the window) is left out


class TextMetrics(Protocol):
    """Text measurement over the shipped fonts, in whole or fractional pixels at ``size`` px."""

    def length(self, text: str, size: int, bold: bool = False) -> float:
        """The advance of ``text``: how far the pen moves."""
        ...

    def ascent(self, size: int, bold: bool = False) -> int:
        """Pixels from the top of a line to its baseline."""
        ...

    def descent(self, size: int, bold: bool = False) -> int:
        """Pixels from the baseline to the bottom of a line."""
        ...


def text_width(metrics: TextMetrics, text: str, size: int, bold: bool = False) -> int:
    """The room a line of ``text`` takes: its advance rounded up, and a pixel either side."""
    return int(-(-metrics.length(text, size, bold) // 1)) + 2


def line_height(metrics: TextMetrics, size: int) -> int:
    return metrics.ascent(size) + metrics.descent(size) + 2


# Rounded advances per (metrics, size), word -> px: a sum line measures the same few dozen words
# on every frame (and again for every way of fitting it), so each is measured once. Weakly keyed:
# a metrics object that goes away takes its table with it.
_ADVANCES: WeakKeyDictionary[Any, dict[int, dict[str, int]]] = WeakKeyDictionary()


def _advances(metrics: TextMetrics, size: int) -> dict[str, int]:
    try:
        by_size = _ADVANCES.get(metrics)
    except TypeError:  # not weakly referenceable or not hashable: no cache
        return {}
    if by_size is None:
        by_size = _ADVANCES[metrics] = {}
    table = by_size.get(size)
    if table is None:
        table = by_size[size] = {}
    return table


def word_advance(metrics: TextMetrics, word: str, size: int) -> int:
    """A word's advance rounded once, so that lines of words are laid out in whole pixels."""
    table = _advances(metrics, size)
    found = table.get(word)
    if found is None:
        found = table[word] = round(metrics.length(word, size))
    return found


def words_width(metrics: TextMetrics, words: Sequence[str], size: int) -> int:
    """The room a line of ``words`` takes: their advances, a space between each two, a pixel either side."""
    table = _advances(metrics, size)
    try:  # a sum line is measured again and again: its words are in the table by now
        return sum(map(table.__getitem__, words)) + table[" "] * (len(words) - 1) + 2
    except KeyError:
        spaces = word_advance(metrics, " ", size) * (len(words) - 1)
        return sum(word_advance(metrics, word, size) for word in words) + spaces + 2


def place_words(metrics: TextMetrics, words: Sequence[str], size: int, width: int) -> list[tuple[str, int]]:
    """Each word with the x of its box (its pen starts 1 px further), cut where ``width`` is full."""
    table = _advances(metrics, size)
    space = word_advance(metrics, " ", size)
    placed = []
    x = 0
    for word in words:
        if word:
            placed.append((word, x))
            found = table.get(word)
            x += found if found is not None else word_advance(metrics, word, size)
        x += space
        if x >= width:
            break
    return placed


def fitted_size(metrics: TextMetrics, text: str, size: int, width: int, bold: bool = False) -> int:
    """The largest font size up to ``size`` whose rendering of ``text`` fits ``width`` px."""
    while size > 6 and metrics.length(text, size, bold) > width:
        size -= 1
    return size


class CellStyle(NamedTuple):
    """How one grid cell looks: a fill role, its number (or letters), and an optional corner note."""

    fill: str
    text: str = ""
    ink: str = "ink"
    corner: str = ""
    corner_ink: str = "weight_ink"
    bold: bool = False
    size: int = 0  # font size of the number; 0: the largest that fits this cell's own text


def number_room(cell: int) -> int:
    """Width a cell's number may take: inside the window's outline on both sides."""
    return cell - 2 * EDGE - 2


def value_size(cell: int) -> int:
    """The font size of a cell's number when it fits."""
    return max(8, round(cell * 0.4))


@dataclass(frozen=True)
class TextPlace:
    """Where a piece of text sits in a cell: font size, pen x and baseline y from the cell's corner."""

    text: str
    size: int
    x: int
    baseline: int
    bold: bool
    ink: str


def cell_text(metrics: TextMetrics, cell: int, style: CellStyle) -> list[TextPlace]:
    """The number centred in a (cell+1)-px square, and the corner note at the bottom right.

    With a corner note the number moves up and left by a tenth of the cell, out of its way.
    """
    size = cell + 1
    placed = []
    if style.text:
        font_size = style.size or fitted_size(metrics, style.text, value_size(cell), number_room(cell), style.bold)
        ascent = metrics.ascent(font_size, style.bold)
        box_width = text_width(metrics, style.text, font_size, style.bold)
        # Centre the digits' box (the ascent of a digit is about 0.73 of the size).
        glyph_top = 1 + ascent - round(font_size * 0.73)
        glyph_height = round(font_size * 0.73)
        shift = round(cell * 0.1) if style.corner and cell >= MIN_CORNER_CELL else 0
        x = (size - box_width) // 2 - shift
        y = (size - glyph_height) // 2 - glyph_top - shift
        placed.append(TextPlace(style.text, font_size, x + 1, y + 1 + ascent, style.bold, style.ink))
    if style.corner and cell >= MIN_CORNER_CELL:  # smaller cells drop the corner note: it would be unreadable
        corner_size = max(7, round(cell * 0.27))
        font_size = fitted_size(metrics, style.corner, corner_size, cell // 2 + 2, bold=True)
        ascent = metrics.ascent(font_size, True)
        box_width = text_width(metrics, style.corner, font_size, True)
        x, y = size - box_width - 1, size - 3 - (1 + ascent)
        placed.append(TextPlace(style.corner, font_size, x + 1, y + 1 + ascent, True, style.corner_ink))
    return placed


class Painter(ABC):
    """Turns a scene's description of each frame into a medium: pixels, SVG, PDF pages.

    Coordinates are layout pixels; colours are theme roles. ``begin`` starts a frame (transient
    marks of the last frame are taken back); ``end`` closes it with its duration.
    """

    def __init__(self, theme: Theme, cell: int, width: int, height: int, metrics: TextMetrics) -> None:
        self.theme = theme
        self.cell_px = cell
        self.width, self.height = width, height
        self.metrics = metrics

    @abstractmethod
    def begin(self) -> None:
        """Start a frame: take back the previous frame's transient marks."""

    @abstractmethod
    def cell(self, x: int, y: int, style: CellStyle, permanent: bool = False) -> None:
        """A (cell+1)-px square whose top-left border pixel is at (x, y)."""

    def cells(self, placed: Sequence[tuple[int, int, CellStyle]], permanent: bool = False) -> None:
        """Cells, (x, y, style) each, drawn in order: what as many :meth:`cell` calls draw."""
        for x, y, style in placed:
            self.cell(x, y, style, permanent)

    @abstractmethod
    def outline(self, box: Box, role: str, width: int = EDGE) -> None:
        """A transient frame ``width`` px wide drawn inside ``box``."""

    @abstractmethod
    def text(self, x: int, y: int, text: str, size: int, ink: str = "ink", bold: bool = False) -> None:
        """A permanent line of text whose box's top-left is at (x, y) (the pen starts at x + 1)."""

    @abstractmethod
    def words(self, x: int, y: int, words: Sequence[str], size: int, width: int, ink: str = "ink") -> None:
        """A transient line of ``words`` in a box ``width`` px wide (cleared to the background)."""

    @abstractmethod
    def polygon(
        self, points: Sequence[tuple[float, float]], fill: str, edge: str | None = None, permanent: bool = False
    ) -> None:
        """A filled polygon (a face of a block in the volume view), outlined 1 px in ``edge``.

        Points are layout pixels; a painter fills the pixels whose centres lie inside.
        """

    @abstractmethod
    def end(self, duration_ms: int) -> Any:
        """Close the frame; a raster painter returns (pixels, changed box, duration)."""


class Medium(Protocol):
    """Where pictures go: the text metrics every layout uses, and the painter for a picture."""

    @property
    def metrics(self) -> TextMetrics: ...

    def painter(self, theme: Theme, cell: int, width: int, height: int) -> Painter: ...


class LayoutOnly(Painter):
    """Paints nothing: for what a scene knows once it is laid out (its size, its colour scales).

    The alt text and ``--fit`` ask these before the picture is drawn; building the scene with this
    painter costs its layout, not the rasterising of every number in the static picture.
    """

    def begin(self) -> None:
        pass

    def cell(self, x: int, y: int, style: CellStyle, permanent: bool = False) -> None:
        pass

    def cells(self, placed: Sequence[tuple[int, int, CellStyle]], permanent: bool = False) -> None:
        pass

    def outline(self, box: Box, role: str, width: int = EDGE) -> None:
        pass

    def text(self, x: int, y: int, text: str, size: int, ink: str = "ink", bold: bool = False) -> None:
        pass

    def words(self, x: int, y: int, words: Sequence[str], size: int, width: int, ink: str = "ink") -> None:
        pass

    def polygon(
        self, points: Sequence[tuple[float, float]], fill: str, edge: str | None = None, permanent: bool = False
    ) -> None:
        pass

    def end(self, duration_ms: int) -> None:
        pass


class LayoutMedium:
    """The medium of :class:`LayoutOnly` pictures, measured with ``metrics`` (those of the real medium)."""

    def __init__(self, metrics: TextMetrics) -> None:
        self.metrics = metrics

    def painter(self, theme: Theme, cell: int, width: int, height: int) -> Painter:
        return LayoutOnly(theme, cell, width, height, self.metrics)
