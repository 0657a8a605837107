"""Trace + storyboard -> frames of palette indices. Every number drawn is read from the trace.

The static picture (grids, labels, idle numbers) is composed once. Each frame then restores what
the previous frame highlighted, applies what became permanent (computed output cells, stamped
canvas cells), and pastes this frame's highlights: a few dozen tile copies, whatever the size of
the picture. Each frame reports the box it may have changed, so the encoder compares only that.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..compute.overlaps import prior_hits
from ..compute.tracer import ForwardSteps, ScatterSteps, Trace
from ..errors import SpecError
from ..plan.storyboard import Frame, Storyboard
from .labels import Labels
from .layout import Grid, Layout, auto_cell, default_panels, make_layout, part_word
from .numbers import distinct, format_number
from .painter import (
    CellStyle,
    Medium,
    Painter,
    fitted_size,
    line_height,
    number_room,
    value_size,
    words_width,
)
from .theme import THEMES

SLIDE = (1920, 1080)  # px; every automatic picture fits a 16:9 slide at 100 %
MIN_AUTO_CELL = 14  # px; the smallest automatic cell whose numbers stay legible
MAX_SIDE = 16_384  # px; GIF allows 65,535, no screen or slide needs this many
MAX_PIXELS = 40_000_000


@dataclass(frozen=True)
class Look:
    """How frames look: theme, cell size (``None``: automatic) and whether numbers are shown."""

    theme: str = "light"
    cell_px: int | None = None
    values: bool = True
    names: tuple[str, str, str] = ("input", "kernel", "output")  # what the three panels are called
    color_values: bool = False  # colour cells by value even when their numbers fit (see draw.ramp)

    def __post_init__(self) -> None:
        if self.theme not in THEMES:
            raise SpecError(f"‹theme› {self.theme!r} is unknown: use {' or '.join(THEMES)}")
        if self.cell_px is not None and not 8 <= self.cell_px <= 200:
            raise SpecError(f"‹cell_px› {self.cell_px} is out of range: use 8 to 200")


class Scene(ABC):
    """Shared set-up: layout, static picture, captions, the sum line; frames through a painter."""

    # Whether a panel of more grids than it shows has a roving grid for the hidden channel at
    # work (see bring); a scene that says so draws through grid_of and implements repaint.
    roving_panels = False

    def __init__(self, trace: Trace, look: Look, medium: Medium) -> None:
        self.trace = trace
        self.look = look
        self.theme = THEMES[look.theme]
        self.labels = Labels(trace, show=look.values)
        self.metrics = medium.metrics
        self.cell_px = look.cell_px or self.auto_cell()
        self.layout: Layout = self.plan()
        if look.cell_px is None:
            self._fit_slide()
        self.on_slot: dict[str, int] = dict(self.layout.roving)  # panel -> the channel its roving grid shows
        width, height = self.layout.width, self.layout.height
        if max(width, height) > MAX_SIDE or width * height > MAX_PIXELS:
            raise SpecError(
                f"the picture would be {width:,}x{height:,} px, over the limit of {MAX_SIDE:,} px a side and "
                f"{MAX_PIXELS:,} px in all: use a smaller ‹cell_px› or ‹input_size›"
            )
        self.painter: Painter = medium.painter(self.theme, self.cell_px, width, height)
        self.number_sizes = self._number_sizes()
        self._sized: dict[tuple[int, CellStyle], CellStyle] = {}  # (font size, style) -> the style at that size
        for text in self.layout.texts:
            self.painter.text(text.x, text.y, text.text, text.size, ink=text.ink, bold=text.bold)

    def _fit_slide(self) -> None:
        """Shrink the automatic cell size until the picture fits a 1920x1080 slide (down to 14 px)."""
        width, height = SLIDE
        while (self.layout.width > width or self.layout.height > height) and self.cell_px > MIN_AUTO_CELL:
            scale = min(width / self.layout.width, height / self.layout.height)
            self.cell_px = max(MIN_AUTO_CELL, min(self.cell_px - 1, int(self.cell_px * scale)))
            self.layout = self.plan()

    def auto_cell(self) -> int:
        """The cell size when ‹cell_px› is not given."""
        return auto_cell(self.trace.spec, symbolic=self.labels.symbolic)

    def plan(self) -> Layout:
        """Where everything goes; scenes with other panels override this."""
        return make_layout(
            self.trace.spec,
            self.metrics,
            self.cell_px,
            self.look.values,
            default_panels(self.trace.spec, self.look.names),
            strip_lines=2 if self.labels.symbolic else 1,
            roving=self.roving_panels,
        )

    # -- roving grids: a panel of over MAX_SHOWN channels shows the one at work in its roving grid --

    def grid_of(self, role: str, channel: int) -> Grid | None:
        """The grid that shows ``channel`` of a panel now (None: not shown)."""
        grids = self.layout.grids.get(role, {})
        slot = self.layout.roving.get(role)
        if slot is not None:
            if self.on_slot[role] == channel:
                return grids[slot]
            if channel == slot:  # its grid shows another channel now
                return None
        return grids.get(channel)

    def displayed(self, role: str) -> list[tuple[int, int, Grid]]:
        """Each grid of a panel: (its key in the layout, the channel it shows now, the grid)."""
        slot = self.layout.roving.get(role)
        grids = self.layout.grids.get(role, {})
        return [(key, self.on_slot[role] if key == slot else key, grid) for key, grid in grids.items()]

    def bring(self, role: str, channel: int | None) -> None:
        """Show ``channel`` of a panel: in its roving grid when it has no grid of its own; else
        (or for None) the roving grid shows its own channel. Repainted only when that changes."""
        slot = self.layout.roving.get(role)
        if slot is None:
            return
        grids = self.layout.grids[role]
        want = channel if channel is not None and channel not in grids else slot
        if self.on_slot[role] != want:
            self.on_slot[role] = want
            self.repaint(role, want, grids[slot])

    def repaint(self, role: str, channel: int, grid: Grid) -> None:
        """Draw ``channel`` of panel ``role`` into its roving ``grid``, permanently (see bring)."""
        raise NotImplementedError(f"{type(self).__name__} has no roving grids")

    def repaint_map(
        self, grid: Grid, channel: int, output_cells: Any, done: int, text_of: Callable[[int], str]
    ) -> None:
        """Output map ``channel`` into ``grid``: blank, then the cells of the ``done`` steps before
        this one (``output_cells``: each step's (map, row, col); ``text_of``: a done step's number)."""
        for r in range(grid.rows):
            for q in range(grid.cols):
                self.cell(grid, r, q, CellStyle("output_empty"), permanent=True)
        for n in np.flatnonzero(output_cells[:done, 0] == channel).tolist():
            _, r, q = (int(v) for v in output_cells[n])
            self.cell(grid, r, q, CellStyle("output_fill", text_of(n)), permanent=True)

    def roving_captions(self) -> None:
        """Each roving grid's caption, saying which channel it shows (drawn per frame)."""
        for role, where in self.layout.roving_captions.items():
            words = [where.text, f"#{self.on_slot[role]}"]
            self.painter.words(where.x, where.y, words, where.size, where.width, ink=where.ink)

    def style_of(self, grid: Grid, row: int, col: int, style: CellStyle) -> CellStyle:
        """How cell (row, col) of ``grid`` looks when asked to look like ``style``: as asked.

        A scene that colours its cells by value or by kind overrides this, applying its own look
        to what its parent's gives (so mixins stack: the direct view's kinds, then colour).
        """
        return style

    def cell(self, grid: Grid, row: int, col: int, style: CellStyle, permanent: bool = False) -> None:
        """Cell (row, col) of ``grid``, looking as this scene draws ``style`` (see style_of)."""
        self.paint_cells(grid, [(row, col, self.style_of(grid, row, col, style))], permanent)

    def cells(self, grid: Grid, placed: Iterable[tuple[int, int, CellStyle]], permanent: bool = False) -> None:
        """Cells of ``grid``, (row, col, style) each, drawn in order as :meth:`cell` draws one: a
        window in one call, as one mark on a raster."""
        style_of = self.style_of
        self.paint_cells(grid, [(r, q, style_of(grid, r, q, style)) for r, q, style in placed], permanent)

    def paint_cells(self, grid: Grid, placed: Iterable[tuple[int, int, CellStyle]], permanent: bool = False) -> None:
        """Cells of ``grid`` in exactly the styles given (no :meth:`style_of`), numbers sized for the grid."""
        size = self.number_sizes.get(grid)
        sized_styles = self._sized
        origin = grid.origin
        at: list[tuple[int, int, CellStyle]] = []
        for row, col, style in placed:
            if size and style.text and not style.size:
                sized = sized_styles.get((size, style))
                if sized is None:
                    sized = sized_styles[size, style] = style._replace(size=size)
                style = sized
            x, y = origin(row, col)
            at.append((x, y, style))
        self.painter.cells(at, permanent)

    def grid_numbers(self) -> dict[str, Any]:
        """The numbers each panel's grids will ever show, by panel role (for one font size a grid)."""
        trace = self.trace
        shown: dict[str, Any] = {"input": [trace.input.ravel(), [0]], "kernel": [trace.weight.ravel()]}
        steps = trace.steps
        if isinstance(steps, ForwardSteps):
            shown["output"] = [steps.values, steps.partial_sums.ravel()]
        elif isinstance(steps, ScatterSteps):
            shown["output"] = [steps.running.ravel(), trace.output.ravel()]
        return shown

    def _number_sizes(self) -> dict[Grid, int]:
        """One font size per grid: the largest at which its widest number fits every cell, bold included.

        Letters and expressions (symbolic values) keep fitting each cell on its own.
        """
        if self.labels.symbolic or not self.look.values:
            return {}
        import numpy as np

        sizes: dict[Grid, int] = {}
        for role, arrays in self.grid_numbers().items():
            grids = self.layout.grids.get(role, {})
            values = [np.asarray(a, dtype=np.float64).ravel() for a in arrays if np.asarray(a).size]
            if not grids or not values:
                continue
            unique = distinct(np.concatenate(values))
            if unique.size > 4096:  # the widest is among the extremes or the longest decimals: sample
                unique = np.concatenate([unique[:1024], unique[-1024:], unique[:: unique.size // 2048]])
            texts = {format_number(v) for v in unique}
            widest = max(texts, key=lambda text: self.metrics.length(text, 20, True))
            size = fitted_size(self.metrics, widest, value_size(self.cell_px), number_room(self.cell_px), True)
            sizes.update(dict.fromkeys(grids.values(), size))
        return sizes

    def captions(self, slices: dict[int, str], filter_text: str) -> None:
        """Per-frame captions of the kernel panel: what each slice meets, which filter works."""
        layout = self.layout
        for index, text in slices.items():
            where = layout.captions.get(index)
            if where is not None:
                self.painter.words(where.x, where.y, text.split(), where.size, where.width, ink=where.ink)
        where = layout.kernel_caption
        if where is not None and filter_text:
            self.painter.words(where.x, where.y, filter_text.split(), where.size, where.width, ink=where.ink)

    def sum_line(self, parts: list[str], tail: str, gap: str = "… +", fallback: list[str] | None = None) -> None:
        """Write ``parts`` then ``tail`` on the sum line, fitted to its width.

        Middle parts give way to ``gap`` (``… +`` in a sum, ``…,`` in a list); if even the first
        and last parts do not fit, ``fallback`` is written instead, or the words are cut at a word
        boundary with ``…``. Words are composed from cached masks: a new sum costs array copies.
        """
        if self.layout.strip is None:
            return
        x, y, width, _ = self.layout.strip
        size = self.layout.strip_size
        metrics = self.metrics

        def words_of(chosen: list[str]) -> list[str]:
            return [w for w in " ".join([*chosen, tail]).split(" ") if w]

        words = words_of(parts)
        fits = words_width(metrics, words, size) <= width
        lines = self.layout.strip_lines
        if lines > 1 and not fits:
            # Two lines: the whole expression, broken at the last word that fits the first line.
            first: list[str] = []
            while words and words_width(metrics, [*first, words[0]], size) <= width:
                first.append(words.pop(0))
            if first and words_width(metrics, words, size) <= width:
                self.painter.words(x, y, first, size, width)
                self.painter.words(x, y + line_height(metrics, size), words, size, width)
                return
            words = words_of(parts)
        if lines > 1:
            self.painter.words(x, y + line_height(metrics, size), [], size, width)  # clear the second line
        if not fits and len(parts) > 2:
            # Keep the head and the last part; drop from the middle until it fits.
            for keep in range(len(parts) - 2, 0, -1):
                words = words_of([*parts[:keep], gap, parts[-1]])
                fits = words_width(metrics, words, size) <= width
                if fits:
                    break
        if not fits and fallback is not None:
            words = words_of(fallback)
            fits = words_width(metrics, words, size) <= width
        while len(words) > 1 and not fits:
            # Still too long: end with an ellipsis at a word boundary.
            words = [*words[:-2], "…"] if words[-1] == "…" else [*words[:-1], "…"]
            fits = words_width(metrics, words, size) <= width
        self.painter.words(x, y, words, size, width)

    def frames(self, board: Storyboard) -> Iterator[Any]:
        """Draw each frame of ``board``; yields what the painter makes of each (see Painter.end)."""
        for frame in board:
            self.draw(frame)
            yield self.painter.end(frame.duration_ms)

    def frame(self, board: Storyboard, index: int) -> Any:
        """Draw frame ``index`` of ``board`` after the frame drawn last (an earlier one, or none).

        The steps between are advanced, not drawn: a worker process that draws a range of frames
        starts here at the frame before its range. Returns what the painter makes of it.
        """
        frame = board.frame(index)
        self.draw(frame)
        return self.painter.end(frame.duration_ms)

    def still(self, board: Storyboard, index: int) -> Any:
        """Frame ``index`` of ``board`` alone (the steps before it are applied, not drawn)."""
        target = board.frame(index)
        for step in range(target.step):
            self.advance(step)
        self.draw(target)
        return self.painter.end(target.duration_ms)

    @abstractmethod
    def advance(self, step: int) -> None:
        """Make step ``step``'s result part of the permanent picture."""

    @abstractmethod
    def draw(self, frame: Frame) -> None:
        """Draw ``frame`` on the canvas (the steps before it are advanced first)."""


class ForwardScene(Scene):
    """A forward convolution: the window slides over the padded input, the output fills in.

    Past MAX_SHOWN channels, maps or kernel slices, the one at work is shown in its panel's
    roving grid: filter #9 of 12 fills "map #9" there, not a map the picture leaves out.
    """

    roving_panels = True

    def __init__(self, trace: Trace, look: Look, medium: Medium) -> None:
        super().__init__(trace, look, medium)
        assert isinstance(trace.steps, ForwardSteps)
        self.steps: ForwardSteps = trace.steps
        spec = trace.spec
        self.groups_in = spec.in_channels // spec.groups
        self.filters_per_group = spec.out_channels // spec.groups
        self.group: int | None = None  # the group whose channels are drawn at work
        self._paint_inputs(0)
        self._draw_kernel(0, None, permanent=True)
        self.kernel_shown = 0  # the filter the permanent kernel panel shows
        self.taps = [tuple(tap) for tap in self.steps.kernel_cells.tolist()]  # (slice, row, col) of each tap
        blank = CellStyle("output_empty")
        for grid in self.layout.outputs.values():
            self.cells(grid, [(r, q, blank) for r in range(grid.rows) for q in range(grid.cols)], permanent=True)
        self.done = 0  # output cells before this step are drawn as computed

    def _paint_inputs(self, group: int) -> None:
        """The input channels, those outside ``group`` dimmed (with groups, a filter sees only its own)."""
        if group == self.group:
            return
        self.group = group
        for _, c, grid in self.displayed("input"):
            self._paint_channel(c, grid)

    def _paint_channel(self, c: int, grid: Grid) -> None:
        """Input channel ``c`` into ``grid``, dimmed when it is outside the group at work."""
        spec, labels = self.trace.spec, self.labels
        ph, pw = spec.padding
        h, w = spec.input_size
        first = (self.group or 0) * self.groups_in
        idle = spec.groups > 1 and not first <= c < first + self.groups_in
        placed = []
        for r in range(grid.rows):
            for q in range(grid.cols):
                text = labels.input(c, r, q, padded=True)
                inside = ph <= r < ph + h and pw <= q < pw + w
                if idle:
                    style = CellStyle("idle_fill", text, ink="ink_dim")
                else:
                    style = CellStyle("input_fill", text) if inside else CellStyle("pad_fill", text, ink="ink_dim")
                placed.append((r, q, style))
        self.cells(grid, placed, permanent=True)

    def repaint(self, role: str, channel: int, grid: Grid) -> None:
        if role == "input":
            self._paint_channel(channel, grid)
        elif role == "kernel":
            self._draw_slice(self.kernel_shown, channel, grid, None, permanent=True)
        else:  # a map: the cells computed so far, the rest blank
            self.repaint_map(grid, channel, self.steps.output_cells, self.done, self.labels.forward_cell)

    def _draw_kernel(self, f: int, term: int | None, permanent: bool = False) -> None:
        current = None if term is None else self.taps[term]
        for _, cl, grid in self.displayed("kernel"):
            self._draw_slice(f, cl, grid, current, permanent)

    def _draw_slice(self, f: int, cl: int, grid: Grid, current: tuple[int, ...] | None, permanent: bool) -> None:
        """Slice ``cl`` of filter ``f`` into ``grid``; the tap ``current`` highlighted."""
        weight = self.labels.weight
        placed = [
            (r, q, CellStyle("term_fill" if current == (cl, r, q) else "kernel_fill", weight((f, cl, r, q))))
            for r in range(grid.rows)
            for q in range(grid.cols)
        ]
        self.cells(grid, placed, permanent)

    def advance(self, step: int) -> None:
        """Make step ``step``'s output cell part of the permanent picture."""
        f, r, q = (int(v) for v in self.steps.output_cells[step])
        grid = self.grid_of("output", f)
        if grid is not None:
            tile = CellStyle("output_fill", self.labels.forward_cell(step))
            self.cell(grid, r, q, tile, permanent=True)
        self.done = max(self.done, step + 1)

    def draw(self, frame: Frame) -> None:
        steps, labels = self.steps, self.labels
        self.painter.begin()
        n, term = frame.step, frame.term
        while self.done < n:
            self.advance(self.done)
        f, orow, ocol = (int(v) for v in steps.output_cells[n])
        self._paint_inputs(f // self.filters_per_group)
        cells = steps.input_cells[n]
        # The filter at work, and which input channel each of its slices meets.
        if f != self.kernel_shown:
            self.kernel_shown = f
            self._draw_kernel(f, None, permanent=True)
        if self.on_slot:  # panels past MAX_SHOWN grids: the hidden channel at work in the roving grid
            self._bring_at_work(n, term, f)
        grid_of = self.grid_of
        # The window, with each tap's kernel weight in its corner: each channel's cells at once.
        window: dict[int, list[tuple[int, int, CellStyle]]] = {}
        for k, ((c, r, q), in_padding, tap) in enumerate(
            zip(cells.tolist(), steps.in_padding[n].tolist(), self.taps, strict=True)
        ):
            padding = in_padding and term != k
            fill = "term_fill" if term == k else ("window_pad_fill" if padding else "window_fill")
            corner = labels.weight((f, *tap))
            ink = "ink_dim" if padding else "ink"
            window.setdefault(c, []).append((r, q, CellStyle(fill, labels.input(c, r, q, padded=True), ink, corner)))
        for c, placed in window.items():
            grid = grid_of("input", c)
            if grid is not None:
                self.cells(grid, placed)
        for _, c, grid in self.displayed("input"):
            on = cells[:, 0] == c
            if on.any():
                rows, cols = cells[on, 1], cells[on, 2]
                self.painter.outline(
                    grid.box(int(rows.min()), int(cols.min()), int(rows.max()), int(cols.max())), "window_edge"
                )
        if term is not None:  # the weight at work
            cl, r, q = self.taps[term]
            grid = grid_of("kernel", cl)
            if grid is not None:
                self.cell(grid, r, q, CellStyle("term_fill", self.labels.weight((f, cl, r, q))))
        first = f // self.filters_per_group * self.groups_in
        sees = ""
        if self.trace.spec.groups > 1:
            last = first + self.groups_in - 1
            sees = f" · sees channel #{first}" if last == first else f" · sees channels #{first}–#{last}"
        self.captions(
            {key: f"× channel #{first + cl}" for key, cl, _ in self.displayed("kernel")},
            f"filter #{f} (of {self.trace.spec.out_channels}){sees}",
        )
        for grid in self.layout.kernels.values():
            self.painter.outline(grid.box(0, 0, grid.rows - 1, grid.cols - 1), "kernel_edge")
        self.roving_captions()
        # The output cell: its value, or the partial sum so far.
        grid = grid_of("output", f)
        if grid is not None:
            text = labels.forward_cell(n, term)
            self.cell(grid, orow, ocol, CellStyle("output_current", text, bold=True))
            self.painter.outline(grid.box(orow, ocol, orow, ocol), "output_edge")
        self._write_sum(n, term, f, orow, ocol)

    def _bring_at_work(self, n: int, term: int | None, f: int) -> None:
        """Roving grids show what this step works on: map ``f``; with a term, its input channel and
        kernel slice; with groups, the first hidden channel of the group (None: their own)."""
        self.bring("output", f)
        channel: int | None = None
        if term is not None:
            channel = int(self.steps.input_cells[n, term, 0])
        elif self.trace.spec.groups > 1:
            first = f // self.filters_per_group * self.groups_in
            hidden = [c for c in range(first, first + self.groups_in) if c not in self.layout.inputs]
            channel = hidden[0] if hidden else None
        self.bring("input", channel)
        self.bring("kernel", None if term is None else self.taps[term][0])

    def _write_sum(self, n: int, term: int | None, f: int, row: int, col: int) -> None:
        if self.look.values:
            self.sum_line(*self.labels.forward_sum(n, term, f, row, col, self.look.names[2]))


class ScatterScene(Scene):
    """A transposed convolution: each input cell stamps value × kernel into the canvas; overlaps sum."""

    def __init__(self, trace: Trace, look: Look, medium: Medium) -> None:
        super().__init__(trace, look, medium)
        assert isinstance(trace.steps, ScatterSteps)
        self.steps: ScatterSteps = trace.steps
        spec = trace.spec
        for c, grid in self.layout.inputs.items():
            for r in range(grid.rows):
                for q in range(grid.cols):
                    tile = CellStyle("input_fill", self.labels.input(c, r, q, padded=False))
                    self.cell(grid, r, q, tile, True)
        self._draw_kernel(0, permanent=True)
        top, left, height, width = self.steps.crop
        self.inside = np.zeros(spec.canvas_size, dtype=bool)
        self.inside[top : top + height, left : left + width] = True
        for grid in self.layout.outputs.values():
            for r in range(grid.rows):
                for q in range(grid.cols):
                    fill = "output_empty" if self.inside[r, q] else "cropped_fill"
                    self.cell(grid, r, q, CellStyle(fill), permanent=True)
        self.prior = prior_hits(self.steps, spec.out_channels, spec.canvas_size)  # stamps before, per cell
        self.done = 0

    def _draw_kernel(self, c: int, permanent: bool = False) -> None:
        for j, grid in self.layout.kernels.items():
            for r in range(grid.rows):
                for q in range(grid.cols):
                    tile = CellStyle("kernel_fill", self.labels.weight((c, j, r, q)))
                    self.cell(grid, r, q, tile, permanent)

    def _canvas_tile(self, r: int, q: int, text: str, current: bool, overlap: bool) -> CellStyle:
        if not self.inside[r, q]:
            return CellStyle("cropped_fill", text, ink="ink_dim")
        fill = "overlap_fill" if overlap else ("stamp_fill" if current else "output_fill")
        return CellStyle(fill, text, bold=current)

    def advance(self, step: int) -> None:
        """Make stamp ``step`` part of the permanent canvas (its running sums, overlaps marked)."""
        if step >= len(self.steps):
            return
        self._stamp(step, permanent=True)
        self.done = max(self.done, step + 1)

    def _stamp(self, n: int, permanent: bool) -> None:
        steps = self.steps
        rows, cols = steps.rows[n], steps.cols[n]
        for a, f in enumerate(steps.output_channels[n]):
            grid = self.layout.outputs.get(int(f))
            if grid is None:
                continue
            prior = self.prior[n, a].tolist()
            placed = []
            for i, r in enumerate(rows.tolist()):
                for j, q in enumerate(cols.tolist()):
                    text = self.labels.running_cell(n, a, i, j)
                    placed.append((r, q, self._canvas_tile(r, q, text, current=not permanent, overlap=prior[i][j])))
            self.cells(grid, placed, permanent)

    def draw(self, frame: Frame) -> None:
        steps = self.steps
        self.painter.begin()
        n = frame.step
        while self.done < min(n, len(steps)):
            self.advance(self.done)
        if frame.crop:
            self._draw_crop()
            return
        c, i, j = (int(v) for v in steps.input_cells[n])
        # The input cell being scattered.
        grid = self.layout.inputs.get(c)
        if grid is not None:
            text = self.labels.scatter_input(n)
            self.cell(grid, i, j, CellStyle("window_fill", text, bold=True))
            self.painter.outline(grid.box(i, j, i, j), "window_edge")
        if self.trace.spec.in_channels > 1:
            self._draw_kernel(c)
        spec = self.trace.spec
        per = spec.out_channels // spec.groups
        group_first = c // (spec.in_channels // spec.groups) * per
        into, source = part_word(self.look.names[2]), part_word(self.look.names[0])
        self.captions({j: f"→ {into} #{group_first + j}" for j in range(per)}, f"weights of {source} #{c}")
        for kgrid in self.layout.kernels.values():
            self.painter.outline(kgrid.box(0, 0, kgrid.rows - 1, kgrid.cols - 1), "kernel_edge")
        # The stamp: running sums after this step; cells hit before are overlaps.
        rows, cols = steps.rows[n], steps.cols[n]
        self._stamp(n, permanent=False)
        for f in steps.output_channels[n]:
            ogrid = self.layout.outputs.get(int(f))
            if ogrid is not None:
                box = ogrid.box(int(rows[0]), int(cols[0]), int(rows[-1]), int(cols[-1]))
                self.painter.outline(box, "window_edge")
        self._write_sum(n)

    def _write_sum(self, n: int) -> None:
        if self.look.values:
            self.sum_line(*self.labels.scatter_sum(n, self.prior[n], self.look.names[0]))

    def _draw_crop(self) -> None:
        """The last frame: the output inside the crop (bias added), the cut cells left grey."""
        top, left, height, width = self.steps.crop
        for f, grid in self.layout.outputs.items():
            for r in range(grid.rows):
                for q in range(grid.cols):
                    if self.inside[r, q]:  # cells cut away keep their grey sums: what the crop drops
                        tile = CellStyle("output_current", self.labels.output(f, r - top, q - left))
                        self.cell(grid, r, q, tile)
            self.painter.outline(grid.box(top, left, top + height - 1, left + width - 1), "output_edge")
        if self.look.values:
            self.sum_line(*self.labels.crop_sum())
