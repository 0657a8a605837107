"""What the vector painters share: a display list of marks, each alive for a span of frames.

A scene's permanent marks live from the frame they are drawn in to the end; its transient marks
live for one frame (until the next ``begin``). :class:`DisplayList` records both in drawing order,
so a vector painter can write the whole animation at once (SVG: every mark shown in its span) or
one page per frame (PDF: the marks alive in that frame), and later marks cover earlier ones as
they do on the raster canvas.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

from ..draw.painter import EDGE, Box, CellStyle, Painter, TextMetrics
from ..draw.theme import Theme

Mark = tuple[Any, ...]  # ("cell", x, y, style) | ("outline", box, role, width) | ("text", ...) | ("words", ...)


@dataclass
class Span:
    """A mark and the frames it is alive in: ``start`` to ``stop`` (exclusive; None: to the end)."""

    mark: Mark
    start: int
    stop: int | None = None


class DisplayList(Painter):
    """A painter that records marks with their spans; subclasses write them out.

    ``still=True`` keeps only what the last frame shows (a still of one frame).
    """

    def __init__(self, theme: Theme, cell: int, width: int, height: int, metrics: TextMetrics) -> None:
        super().__init__(theme, cell, width, height, metrics)
        self.spans: list[Span] = []
        self.frame = 0  # the frame being drawn
        self.durations: list[int] = []
        self._transient: list[Span] = []
        self.transparent = False  # no background: the page or slide shows through

    def _add(self, mark: Mark, permanent: bool) -> None:
        span = Span(mark, self.frame)
        self.spans.append(span)
        if not permanent:
            self._transient.append(span)

    def begin(self) -> None:
        for span in self._transient:
            span.stop = self.frame
        self._transient = []

    def cell(self, x: int, y: int, style: CellStyle, permanent: bool = False) -> None:
        self._add(("cell", x, y, style), permanent)

    def outline(self, box: Box, role: str, width: int = EDGE) -> None:
        self._add(("outline", box, role, width), False)

    def text(self, x: int, y: int, text: str, size: int, ink: str = "ink", bold: bool = False) -> None:
        self._add(("text", x, y, text, size, ink, bold), True)

    def words(self, x: int, y: int, words: Sequence[str], size: int, width: int, ink: str = "ink") -> None:
        self._add(("words", x, y, tuple(words), size, width, ink), False)

    def polygon(
        self, points: Sequence[tuple[float, float]], fill: str, edge: str | None = None, permanent: bool = False
    ) -> None:
        self._add(("polygon", tuple(points), fill, edge), permanent)

    def end(self, duration_ms: int) -> None:
        self.durations.append(duration_ms)
        self.frame += 1
        # A transient mark drawn in this frame stops at the next one unless begin() ends it sooner.
        for span in self._transient:
            span.stop = self.frame

    def alive(self, frame: int) -> Iterator[Mark]:
        """The marks frame ``frame`` shows, in drawing order."""
        for span in self.spans:
            if span.start <= frame and (span.stop is None or frame < span.stop):
                yield span.mark

    def prune_to_last_frame(self) -> None:
        """Keep only what the last frame shows, as alive in frame 0: a still."""
        last = len(self.durations) - 1
        self.spans = [Span(mark, 0) for mark in self.alive(last)]
        self.durations = self.durations[-1:]

    @abstractmethod
    def write(self, stream: BinaryIO, title: str = "") -> None:
        """Write the recorded picture (``title``: what it shows, for its metadata and alt text)."""
