"""The PDF painter: one vector page per frame (Beamer's ``\\animategraphics`` takes such a file).

Written directly, page by page, from the display list: a page is a content stream of rectangles,
polygons and text in layout pixels (one point is one pixel; the page's y axis is turned to run
down, as the layout's does). Each mark's operators are made once and reused on every page it is
alive in, so a page costs a join and a compression, and memory holds one page at a time.

Text is real text in the shipped DejaVu faces: Type 0 fonts (Identity-H) over TrueType subsets of
the glyphs used (fontTools, glyph ids kept), with their widths, the face's kerning and a ToUnicode
map, so it can be selected, searched and copied, and needs no system font. Bytes are
deterministic: no dates, no random ids (the subset tag is a hash of the glyphs).
"""

from __future__ import annotations

import hashlib
import io
import zlib
from collections.abc import Iterator
from functools import lru_cache
from typing import Any, BinaryIO

from ..draw.painter import cell_text, line_height, place_words
from .fonts import FILES
from .vector import DisplayList, Mark

NAMES = {False: "DejaVuSans", True: "DejaVuSans-Bold"}
RESOURCE = {False: b"/F0", True: b"/F1"}


def _n(value: float) -> bytes:
    """A number as PDF writes it: short, exact to 1/1000."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return b"0" if text in ("", "-0") else text.encode()


def _text_string(text: str) -> bytes:
    """A PDF text string (document information): ASCII as a literal, else UTF-16 with its mark."""
    if text.isascii():
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        return b"(" + escaped.encode("ascii") + b")"
    return b"<feff" + text.encode("utf-16-be").hex().encode() + b">"


@lru_cache(maxsize=2)
def _font(bold: bool) -> Any:
    """The shipped face, read whole (no file left open)."""
    from fontTools.ttLib import TTFont

    return TTFont(io.BytesIO(FILES[bold].read_bytes()), recalcTimestamp=False)


class _Face:
    """A TrueType face: glyph ids, advances and kerning (font units), and the glyphs a file uses."""

    def __init__(self, bold: bool) -> None:
        self.bold = bold
        self.font = font = _font(bold)
        self.units = font["head"].unitsPerEm
        self.cmap: dict[int, str] = font.getBestCmap()
        self.order = font.getGlyphOrder()
        self.ids = {name: i for i, name in enumerate(self.order)}
        self.metrics = font["hmtx"].metrics
        kern = font["kern"].kernTables[0].kernTable if "kern" in font else {}
        self.kern: dict[tuple[str, str], int] = kern
        self.used: dict[int, str] = {}  # glyph id -> the text it shows

    def glyph(self, char: str) -> str:
        return self.cmap.get(ord(char), ".notdef")

    def show(self, text: str) -> bytes:
        """The ``TJ`` array that shows ``text``: glyph ids, with the face's kerning between them."""
        parts = []
        run = bytearray()
        previous = None
        for char in text:
            name = self.glyph(char)
            gid = self.ids[name]
            self.used.setdefault(gid, char)
            pair = self.kern.get((previous, name), 0) if previous is not None else 0
            if pair:
                parts.append(b"<" + run.hex().encode() + b">")
                parts.append(_n(-pair * 1000 / self.units))
                run = bytearray()
            run += gid.to_bytes(2, "big")
            previous = name
        parts.append(b"<" + run.hex().encode() + b">")
        return b"[" + b" ".join(parts) + b"] TJ"

    def objects(self, first: int) -> Iterator[bytes]:
        """The font's objects, numbered from ``first``: Type 0 font, CID font, descriptor, file, ToUnicode."""
        used = dict(sorted(self.used.items())) or {0: ""}
        tag = "".join(chr(65 + b % 26) for b in hashlib.sha256(repr(sorted(used)).encode()).digest()[:6])
        name = f"{tag}+{NAMES[self.bold]}".encode()
        scale = 1000 / self.units
        widths = b" ".join(b"%d [%s]" % (gid, _n(self.metrics[self.order[gid]][0] * scale)) for gid in used)
        head, hhea = self.font["head"], self.font["hhea"]
        box = b" ".join(_n(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax))
        yield (
            b"<< /Type /Font /Subtype /Type0 /BaseFont /%s /Encoding /Identity-H /DescendantFonts [%d 0 R] "
            b"/ToUnicode %d 0 R >>" % (name, first + 1, first + 4)
        )
        yield (
            b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /%s /CIDSystemInfo << /Registry (Adobe) "
            b"/Ordering (Identity) /Supplement 0 >> /FontDescriptor %d 0 R /CIDToGIDMap /Identity "
            b"/DW 1000 /W [%s] >>" % (name, first + 2, widths)
        )
        yield (
            b"<< /Type /FontDescriptor /FontName /%s /Flags 32 /FontBBox [%s] /ItalicAngle 0 /Ascent %s "
            b"/Descent %s /CapHeight %s /StemV %d /FontFile2 %d 0 R >>"
            % (
                name,
                box,
                _n(hhea.ascent * scale),
                _n(hhea.descent * scale),
                _n(729),
                120 if self.bold else 80,
                first + 3,
            )
        )
        yield _stream(_subset(self.bold, tuple(used)))
        yield _stream(_to_unicode(used))


@lru_cache(maxsize=16)
def _subset(bold: bool, glyphs: tuple[int, ...]) -> bytes:
    """The face with only ``glyphs`` drawn, every glyph keeping its id (CIDs are glyph ids)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.retain_gids = True
    options.hinting = False
    options.notdef_outline = True
    options.recalc_timestamp = False
    options.layout_features = []
    options.drop_tables += ["FFTM", "GSUB", "GPOS", "GDEF", "MATH", "kern", "name", "post"]
    font = TTFont(io.BytesIO(FILES[bold].read_bytes()), recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(gids=list(glyphs))
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer, reorderTables=True)
    return buffer.getvalue()


def _to_unicode(used: dict[int, str]) -> bytes:
    lines = [
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        b"/CMapName /Adobe-Identity-UCS def /CMapType 2 def",
        b"1 begincodespacerange <0000> <ffff> endcodespacerange",
    ]
    pairs = [(gid, text) for gid, text in used.items() if text]
    for start in range(0, len(pairs), 100):
        chunk = pairs[start : start + 100]
        lines.append(b"%d beginbfchar" % len(chunk))
        lines += [b"<%04x> <%s>" % (gid, text.encode("utf-16-be").hex().encode()) for gid, text in chunk]
        lines.append(b"endbfchar")
    lines.append(b"endcmap CMapName currentdict /CMap defineresource pop end end")
    return b"\n".join(lines)


def _stream(data: bytes, compress: bool = True) -> bytes:
    if compress:
        data = zlib.compress(data, 6)
        return b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(data), data)
    return b"<< /Length %d >>\nstream\n%s\nendstream" % (len(data), data)


class _File:
    """Numbered objects written as they come, then the cross-reference table and trailer."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.offsets: dict[int, int] = {}
        self.position = 0
        self._write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    def _write(self, data: bytes) -> None:
        self.stream.write(data)
        self.position += len(data)

    def object(self, number: int, body: bytes) -> None:
        self.offsets[number] = self.position
        self._write(b"%d 0 obj\n%s\nendobj\n" % (number, body))

    def close(self, root: int, info: int) -> None:
        start = self.position
        size = max(self.offsets) + 1
        rows = [b"xref\n0 %d\n0000000000 65535 f \n" % size]
        rows += [b"%010d 00000 n \n" % self.offsets[n] for n in range(1, size)]
        self._write(b"".join(rows))
        self._write(
            b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, root, info, start)
        )


class PdfPainter(DisplayList):
    """Records the scene's marks; :meth:`write` makes one page per frame."""

    def _rgb(self, role: str) -> bytes:
        r, g, b = getattr(self.theme, role)
        return b"%s %s %s" % (_n(r / 255), _n(g / 255), _n(b / 255))

    def write(self, stream: BinaryIO, title: str = "") -> None:
        faces = {False: _Face(False), True: _Face(True)}
        out = _File(stream)
        # Objects 1-3: catalog, page tree, information; 4-13: the two fonts; then content and page pairs.
        pages = []
        drawn: dict[Mark, bytes] = {}  # each mark's operators, made once
        resources = b"<< /Font << /F0 4 0 R /F1 9 0 R >> >>"
        start = [b"1 0 0 -1 0 %d cm" % self.height]  # y runs down, as in the layout
        if not self.transparent:
            start.append(b"%s rg 0 0 %d %d re f" % (self._rgb("background"), self.width, self.height))
        for frame, marks in enumerate(self._pages()):
            ops = list(start)
            for mark in marks:
                made = drawn.get(mark)
                if made is None:
                    made = drawn[mark] = self._draw(mark, faces)
                ops.append(made)
            number = 14 + 2 * frame
            out.object(number, _stream(b"\n".join(ops)))
            out.object(
                number + 1,
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources %s /Contents %d 0 R >>"
                % (self.width, self.height, resources, number),
            )
            pages.append(number + 1)
        for first, bold in ((4, False), (9, True)):
            for offset, body in enumerate(faces[bold].objects(first)):
                out.object(first + offset, body)
        kids = b" ".join(b"%d 0 R" % page for page in pages)
        out.object(2, b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(pages)))
        out.object(1, b"<< /Type /Catalog /Pages 2 0 R >>")
        out.object(3, b"<< /Title %s /Creator (convanim) >>" % _text_string(title))
        out.close(root=1, info=3)

    def _pages(self) -> Iterator[list[Mark]]:
        """The marks alive in each frame, in drawing order, without scanning every span per frame.

        Spans are recorded in drawing order as frames are drawn, so the spans starting in a frame
        come after every span started before it: an insertion-ordered dict keeps drawing order.
        """
        alive: dict[int, Mark] = {}
        ending: dict[int, list[int]] = {}
        spans = self.spans
        next_span = 0
        for frame in range(len(self.durations)):
            for index in ending.pop(frame, ()):
                alive.pop(index, None)
            while next_span < len(spans) and spans[next_span].start <= frame:
                span = spans[next_span]
                if span.stop is None or frame < span.stop:
                    alive[next_span] = span.mark
                    if span.stop is not None:
                        ending.setdefault(span.stop, []).append(next_span)
                next_span += 1
            yield list(alive.values())

    def _text(self, x: float, y: float, text: str, size: int, ink: str, bold: bool, faces: Any) -> bytes:
        shown = faces[bold].show(text)
        return b"BT %s rg %s %d Tf 1 0 0 -1 %s %s Tm %s ET" % (
            self._rgb(ink),
            RESOURCE[bold],
            size,
            _n(x),
            _n(y),
            shown,
        )

    def _draw(self, mark: Mark, faces: Any) -> bytes:
        kind = mark[0]
        if kind == "cell":
            _, x, y, style = mark
            size = self.cell_px
            ops = [
                b"%s rg %s RG 1 w %s %s %d %d re B"
                % (self._rgb(style.fill), self._rgb("grid"), _n(x + 0.5), _n(y + 0.5), size, size)
            ]
            for place in cell_text(self.metrics, size, style):
                ops.append(
                    self._text(x + place.x, y + place.baseline, place.text, place.size, place.ink, place.bold, faces)
                )
            return b"\n".join(ops)
        if kind == "outline":
            _, (x0, y0, x1, y1), role, width = mark
            half = width / 2
            return b"%s RG %s w %s %s %s %s re S" % (
                self._rgb(role),
                _n(width),
                _n(x0 + half),
                _n(y0 + half),
                _n(x1 - x0 - width),
                _n(y1 - y0 - width),
            )
        if kind == "polygon":
            _, points, fill, edge = mark
            path = [b"%s %s m" % (_n(points[0][0] + 0.5), _n(points[0][1] + 0.5))]
            path += [b"%s %s l" % (_n(px + 0.5), _n(py + 0.5)) for px, py in points[1:]]
            paint = b"f" if edge is None else b"%s RG 1 w B" % self._rgb(edge)
            return b"%s rg %s h %s" % (self._rgb(fill), b" ".join(path), paint)
        if kind == "text":
            _, x, y, text, size, ink, bold = mark
            return self._text(x + 1, y + 1 + self.metrics.ascent(size, bold), text, size, ink, bold, faces)
        _, x, y, words, size, width, ink = mark
        ops = []
        if not self.transparent:
            height = line_height(self.metrics, size)
            ops.append(b"%s rg %s %s %s %s re f" % (self._rgb("background"), _n(x), _n(y), _n(width), _n(height)))
        baseline = y + 1 + self.metrics.ascent(size)
        for word, wx in place_words(self.metrics, words, size, width):
            ops.append(self._text(x + wx + 1, baseline, word, size, ink, False, faces))
        return b"\n".join(ops)
