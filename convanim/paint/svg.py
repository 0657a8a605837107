"""The SVG painter: one self-contained file, a still or the whole animation, no JavaScript.

Each distinct cell look is defined once (``<g id>``) and placed with ``<use>``, as the raster
painter caches tiles. Text is real text in the shipped DejaVu fonts, embedded as WOFF subsets of
the glyphs used (fontTools), so no system font is needed and the text can be selected.

The animation is CSS: every group of marks alive for the same span of frames gets one
``@keyframes`` rule that shows it for that span, with ``step-end`` timing, over one cycle as long
as the GIF's; the loop count is the animation's iteration count (``infinite`` for 0), and with a
finite count the last frame stays, as a GIF's does. Browsers play it in ``<img src="conv.svg">``,
where scripts would not run. Bytes are deterministic: ids are counters, no dates, no randomness.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from functools import lru_cache
from html import escape
from typing import Any, BinaryIO

from ..draw.painter import CellStyle, TextMetrics, cell_text, line_height, place_words
from ..draw.theme import Theme
from .fonts import FILES
from .vector import DisplayList, Mark, Span

FAMILIES = {False: "convanim-sans", True: "convanim-sans-bold"}


def _num(value: float) -> str:
    """A coordinate as short as it can be written exactly enough (0.5 px steps are exact)."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


@lru_cache(maxsize=32)
def font_subset(bold: bool, characters: frozenset[str]) -> bytes:
    """A WOFF of the shipped DejaVu face with only ``characters`` (deterministic bytes)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff"
    options.hinting = False
    options.desubroutinize = True
    options.layout_features = ["kern"]
    options.drop_tables += ["FFTM"]
    options.name_IDs = [1, 2]
    options.notdef_outline = True
    options.recalc_timestamp = False
    font = TTFont(str(FILES[bold]), recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(characters)) or " ")
    subsetter.subset(font)
    font.flavor = "woff"
    buffer = io.BytesIO()
    font.save(buffer, reorderTables=True)
    return buffer.getvalue()


class SvgPainter(DisplayList):
    """Records the scene's marks; :meth:`write` makes the SVG."""

    def __init__(self, theme: Theme, cell: int, width: int, height: int, metrics: TextMetrics) -> None:
        super().__init__(theme, cell, width, height, metrics)
        self.loop = 0  # plays: 0 forever, N times (set by the medium)
        self._styles: dict[CellStyle, str] = {}  # cell look -> its id
        self._classes: dict[tuple[Any, ...], str] = {}  # (kind, ...) -> CSS class name
        self._chars: dict[bool, set[str]] = {False: set(), True: set()}

    # -- pieces ------------------------------------------------------------------------------

    def _colour(self, role: str) -> str:
        r, g, b = getattr(self.theme, role)
        return f"#{r:02x}{g:02x}{b:02x}"

    def _class(self, key: tuple[Any, ...]) -> str:
        name = self._classes.get(key)
        if name is None:
            name = f"{key[0][0]}{len(self._classes)}"
            self._classes[key] = name
        return name

    def _text(self, x: float, y: float, text: str, size: int, ink: str, bold: bool) -> str:
        self._chars[bold].update(text)
        css = self._class(("text", size, ink, bold))
        return f'<text x="{_num(x)}" y="{_num(y)}" class="{css}">{escape(text, quote=False)}</text>'

    def _cell_def(self, style: CellStyle) -> str:
        """A cell look at the origin: fill and border as the raster tile draws them, then its text."""
        size = self.cell_px
        fill = self._class(("fill", style.fill))
        parts = [f'<rect x="0.5" y="0.5" width="{size}" height="{size}" class="{fill} {self._class(("grid",))}"/>']
        for place in cell_text(self.metrics, size, style):
            parts.append(self._text(place.x, place.baseline, place.text, place.size, place.ink, place.bold))
        return "".join(parts)

    def _mark(self, mark: Mark) -> str:
        kind = mark[0]
        if kind == "cell":
            _, x, y, style = mark
            ref = self._styles.get(style)
            if ref is None:
                ref = f"c{len(self._styles)}"
                self._styles[style] = ref
            return f'<use href="#{ref}" x="{x}" y="{y}"/>'
        if kind == "outline":
            _, (x0, y0, x1, y1), role, width = mark
            half = width / 2
            css = self._class(("stroke", role, width))
            return (
                f'<rect x="{_num(x0 + half)}" y="{_num(y0 + half)}" width="{_num(x1 - x0 - width)}" '
                f'height="{_num(y1 - y0 - width)}" class="{css}"/>'
            )
        if kind == "polygon":
            _, points, fill, edge = mark
            css = self._class(("fill", fill))
            if edge is not None:
                css += " " + self._class(("edge", edge))
            # Half-pixel offsets: the raster fills pixels whose centres lie inside.
            path = " ".join(f"{_num(x + 0.5)},{_num(y + 0.5)}" for x, y in points)
            return f'<polygon points="{path}" class="{css}"/>'
        if kind == "text":
            _, x, y, text, size, ink, bold = mark
            return self._text(x + 1, y + 1 + self.metrics.ascent(size, bold), text, size, ink, bold)
        _, x, y, words, size, width, ink = mark
        back = self._class(("fill", "background"))
        height = line_height(self.metrics, size)
        # A line of words is shown in its own frames only: its background matters only for a still
        # drawn over an older line, and a see-through picture has none.
        parts = (
            [] if self.transparent else [f'<rect x="{x}" y="{y}" width="{width}" height="{height}" class="{back}"/>']
        )
        baseline = y + 1 + self.metrics.ascent(size)
        for word, wx in place_words(self.metrics, words, size, width):
            parts.append(self._text(x + wx + 1, baseline, word, size, ink, False))
        return "".join(parts)

    # -- the file ------------------------------------------------------------------------------

    def _groups(self) -> Iterator[tuple[tuple[int, int | None], list[Span]]]:
        """Runs of consecutive marks alive for the same span."""
        run: list[Span] = []
        key: tuple[int, int | None] | None = None
        for span in self.spans:
            this = (span.start, span.stop)
            if run and this != key:
                assert key is not None
                yield key, run
                run = []
            key = this
            run.append(span)
        if run:
            assert key is not None
            yield key, run

    def _css(self, animations: dict[tuple[int, int | None], str], total_ms: int) -> str:
        rules = ["text{white-space:pre}"]
        for key, name in self._classes.items():
            kind = key[0]
            if kind == "fill":
                rules.append(f".{name}{{fill:{self._colour(key[1])}}}")
            elif kind == "grid":
                rules.append(f".{name}{{stroke:{self._colour('grid')};stroke-width:1}}")
            elif kind == "edge":
                rules.append(f".{name}{{stroke:{self._colour(key[1])};stroke-width:1}}")
            elif kind == "stroke":
                rules.append(f".{name}{{fill:none;stroke:{self._colour(key[1])};stroke-width:{key[2]}}}")
            elif kind == "text":
                _, size, ink, bold = key
                rules.append(f".{name}{{font:{size}px {FAMILIES[bold]};fill:{self._colour(ink)}}}")
        for bold in (False, True):
            if self._chars[bold]:
                data = base64.b64encode(font_subset(bold, frozenset(self._chars[bold]))).decode("ascii")
                rules.append(f"@font-face{{font-family:{FAMILIES[bold]};src:url(data:font/woff;base64,{data})}}")
        if animations:
            count = "infinite" if self.loop == 0 else str(self.loop)
            rules.append("g[class^=v]{visibility:hidden}")
            timing = f"{total_ms}ms step-end {count} forwards"
            starts = [0]
            for duration in self.durations:
                starts.append(starts[-1] + duration)
            for (start, stop), name in animations.items():
                begin = starts[start] / total_ms * 100
                end = 100.0 if stop is None or stop >= len(self.durations) else starts[stop] / total_ms * 100
                frames = []
                if begin > 0:
                    frames.append("0%{visibility:hidden}")
                frames.append(f"{_num(begin)}%{{visibility:visible}}")
                if end < 100:
                    frames.append(f"{_num(end)}%{{visibility:hidden}}")
                frames.append(f"100%{{visibility:{'visible' if end >= 100 else 'hidden'}}}")
                rules.append(f".{name}{{animation:k{name[1:]} {timing}}}@keyframes k{name[1:]}{{{''.join(frames)}}}")
        return "".join(rules)

    def write(self, stream: BinaryIO, title: str = "") -> None:
        """The SVG: defs of cell looks, then every mark, animated when there is more than one frame."""
        animated = len(self.durations) > 1
        total_ms = sum(self.durations)
        background = self._class(("fill", "background"))
        body: list[str] = []
        animations: dict[tuple[int, int | None], str] = {}
        for key, run in self._groups():
            marks = "".join(self._mark(span.mark) for span in run)
            always = key[0] == 0 and key[1] is None
            if not animated or always:
                body.append(marks)
                continue
            name = animations.setdefault(key, f"v{len(animations)}")
            body.append(f'<g class="{name}">{marks}</g>')
        defs = "".join(f'<g id="{ref}">{self._cell_def(style)}</g>' for style, ref in self._styles.items())
        css = self._css(animations, total_ms)  # after the marks: it needs every class and glyph
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width}" height="{self.height}" '
            f'viewBox="0 0 {self.width} {self.height}" role="img">'
        )
        text = "".join(
            [
                '<?xml version="1.0" encoding="UTF-8"?>\n',
                head,
                f"<title>{escape(title, quote=False)}</title>" if title else "",
                f"<style>{css}</style>",
                f"<defs>{defs}</defs>",
                "" if self.transparent else f'<rect width="100%" height="100%" class="{background}"/>',
                *body,
                "</svg>\n",
            ]
        )
        stream.write(text.encode("utf-8"))
