"""The PDF painter: one vector page per frame (Beamer's ``\\animategraphics`` takes such a file).

Drawn with matplotlib's PDF backend: a maintained writer that embeds the shipped DejaVu fonts as
TrueType subsets (``pdf.fonttype`` 42), so the text is selectable and needs no system font. One
point is one layout pixel. Bytes are deterministic: no creation date, fixed settings.
"""

from __future__ import annotations

from typing import Any, BinaryIO

from ..draw.painter import cell_text, line_height, place_words
from .fonts import FILES
from .vector import DisplayList, Mark


class PdfPainter(DisplayList):
    """Records the scene's marks; :meth:`write` makes one page per frame."""

    z = 0  # the drawing order of the mark being drawn

    def _rgb(self, role: str) -> tuple[float, float, float]:
        r, g, b = getattr(self.theme, role)
        return (r / 255, g / 255, b / 255)

    def write(self, stream: BinaryIO, title: str = "") -> None:
        import matplotlib

        matplotlib.use("Agg", force=False)
        from matplotlib.backends.backend_pdf import PdfPages
        from matplotlib.figure import Figure
        from matplotlib.font_manager import FontProperties

        fonts = {bold: FontProperties(fname=str(FILES[bold])) for bold in (False, True)}
        settings: dict[str, Any] = {"pdf.fonttype": 42, "pdf.compression": 6}
        metadata: dict[str, Any] = {"Title": title, "Creator": "convanim", "CreationDate": None, "Producer": None}
        with matplotlib.rc_context(settings), PdfPages(stream, metadata=metadata) as pages:  # type: ignore[arg-type]
            for frame in range(len(self.durations)):
                figure = Figure(figsize=(self.width / 72, self.height / 72), dpi=72)
                figure.patch.set_facecolor("none" if self.transparent else self._rgb("background"))
                axes = figure.add_axes((0, 0, 1, 1))
                axes.set_xlim(0, self.width)
                axes.set_ylim(self.height, 0)
                axes.set_axis_off()
                for order, mark in enumerate(self.alive(frame)):
                    self.z = 2 * order  # later marks cover earlier ones, shapes and text alike
                    self._draw(axes, mark, fonts)
                pages.savefig(figure)

    def _text(self, axes: Any, x: float, y: float, text: str, size: int, ink: str, bold: bool, fonts: Any) -> None:
        colour = self._rgb(ink)
        axes.text(x, y, text, fontproperties=fonts[bold], fontsize=size, color=colour, va="baseline", zorder=self.z + 1)

    def _draw(self, axes: Any, mark: Mark, fonts: Any) -> None:
        from matplotlib.patches import Rectangle

        kind = mark[0]
        if kind == "cell":
            _, x, y, style = mark
            size = self.cell_px
            axes.add_patch(
                Rectangle(
                    (x + 0.5, y + 0.5),
                    size,
                    size,
                    facecolor=self._rgb(style.fill),
                    edgecolor=self._rgb("grid"),
                    linewidth=1,
                    zorder=self.z,
                )
            )
            for place in cell_text(self.metrics, size, style):
                self._text(axes, x + place.x, y + place.baseline, place.text, place.size, place.ink, place.bold, fonts)
        elif kind == "outline":
            _, (x0, y0, x1, y1), role, width = mark
            half = width / 2
            axes.add_patch(
                Rectangle(
                    (x0 + half, y0 + half),
                    x1 - x0 - width,
                    y1 - y0 - width,
                    facecolor="none",
                    edgecolor=self._rgb(role),
                    linewidth=width,
                    zorder=self.z,
                )
            )
        elif kind == "polygon":
            from matplotlib.patches import Polygon

            _, points, fill, edge = mark
            axes.add_patch(
                Polygon(
                    [(x + 0.5, y + 0.5) for x, y in points],
                    closed=True,
                    facecolor=self._rgb(fill),
                    edgecolor="none" if edge is None else self._rgb(edge),
                    linewidth=0 if edge is None else 1,
                    zorder=self.z,
                )
            )
        elif kind == "text":
            _, x, y, text, size, ink, bold = mark
            self._text(axes, x + 1, y + 1 + self.metrics.ascent(size, bold), text, size, ink, bold, fonts)
        else:
            _, x, y, words, size, width, ink = mark
            height = line_height(self.metrics, size)
            if not self.transparent:
                axes.add_patch(
                    Rectangle((x, y), width, height, facecolor=self._rgb("background"), linewidth=0, zorder=self.z)
                )
            baseline = y + 1 + self.metrics.ascent(size)
            for word, wx in place_words(self.metrics, words, size, width):
                self._text(axes, x + wx + 1, baseline, word, size, ink, False, fonts)
