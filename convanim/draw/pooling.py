"""Max and average pooling: the window slides, the winner (max) or the sum ÷ divisor (avg) fills in.

Read from a pooling trace (:class:`~convanim.compute.tracer.PoolSteps`), like every picture:

- the input with its padding ring, written ``−∞`` for max (what ``max_pool2d`` pads with) and
  ``0`` for avg; a ceil-mode window that hangs past the padded input reaches cells drawn as cut
  (``outside``: never counted);
- the window's shape (pooling has no weights, so no numbers), its stride in the title;
- the output, whose size label carries the floor or ceil formula of
  :func:`~convanim.compute.pooling.size_terms` (and the ceil-mode drop rule when it applies);
- per frame the window, its winner (max: the first maximum in row-major order, bold on the
  term colour) or the cells the divisor counts (avg), and a sum line that writes it out:
  ``max(3, 1, −∞, 2) = 3`` or ``(1 + 2 + 3 + 4) ÷ 4 = 2.5``.
"""

from __future__ import annotations

from ..compute.pooling import SizeTerms, size_terms
from ..compute.tracer import PoolSteps, Trace
from ..plan.storyboard import Frame
from .layout import TARGET_WIDTH, Grid, Layout, Panel, make_layout
from .numbers import format_number
from .painter import CellStyle, Medium
from .ramp import ColouredScene, LegendItem, Swatch, add_legend, draw_swatches
from .scenes import Look, Scene

MINUS_INFINITY = "−∞"


def size_formula(terms: SizeTerms) -> str:
    """``⌊(5 + 2·1 − 3) / 2⌋ + 1 = 3``; in ceil mode ``⌈…⌉ + 1 − 1 = 2`` when the last window is dropped."""
    left, right = ("⌈", "⌉") if terms.ceil_mode else ("⌊", "⌋")
    pad = f" + 2·{terms.padding}" if terms.padding else ""
    text = f"{left}({terms.length}{pad} − {terms.span}) / {terms.stride}{right} + 1"
    if terms.dropped:
        text += " − 1"
    return f"{text} = {terms.size}"


def pool_titles(trace: Trace, names: tuple[str, str, str]) -> tuple[tuple[str, str], tuple[str, str], tuple[str, str]]:
    """(title, detail) of the input, window and output panels of a pooling."""
    spec = trace.spec
    n_in, _, n_out = names
    one_d = spec.is_1d

    def size(pair: tuple[int, int]) -> str:
        return f"{pair[1]}" if one_d else f"{pair[0]}×{pair[1]}"

    def pair(value: tuple[int, int]) -> str:
        return f"{value[1]}" if one_d else (f"{value[0]}" if value[0] == value[1] else f"{value[0]}×{value[1]}")

    channels = f"×{spec.in_channels}" if spec.in_channels > 1 else ""
    fill = MINUS_INFINITY if spec.op == "max" else "0"
    pad = f" (pad {pair(spec.padding)} of {fill})" if any(spec.padding) else ""
    hyper = [f"stride {pair(spec.stride)}"]
    if spec.dilation != (1, 1):
        hyper.append(f"dilation {pair(spec.dilation)}")
    op_word = "max" if spec.op == "max" else "average"
    window = (f"{op_word} window {size(spec.kernel_size)}, {', '.join(hyper)}", "no weights: the window's shape")
    rows, cols = size_terms(spec)
    same = (rows.length, rows.padding, rows.span, rows.stride) == (cols.length, cols.padding, cols.span, cols.stride)
    formula = size_formula(cols) if (one_d or same) else f"{size_formula(rows)},  {size_formula(cols)}"
    detail = formula
    if spec.ceil_mode:
        detail = "ceil_mode: " + formula
        if rows.dropped or cols.dropped:
            detail += " (a last window starting in the padding is dropped)"
    if spec.op == "avg" and not spec.count_include_pad and any(spec.padding):
        detail += ";  padding not counted"
    return (
        (f"{n_in} {size(spec.input_size)}{channels}{pad}", ""),
        window,
        (f"{n_out} {size(spec.output_size)}", detail),
    )


class PoolScene(Scene):
    """Max or average pooling: one output cell per frame (or one window cell per frame with ``term``).

    Past MAX_SHOWN channels, the channel at work is shown in the roving grids (see Scene.bring).
    """

    roving_panels = True

    def __init__(self, trace: Trace, look: Look, medium: Medium) -> None:
        assert isinstance(trace.steps, PoolSteps)
        self.steps: PoolSteps = trace.steps
        self.pool_swatches: list[Swatch] = []
        super().__init__(trace, look, medium)
        draw_swatches(self.painter, self.pool_swatches)
        spec = trace.spec
        self.is_max = spec.op == "max"
        self.done = 0
        for c, grid in self.layout.inputs.items():
            self.repaint("input", c, grid)
        for grid in self.layout.kernels.values():
            for r in range(grid.rows):
                for q in range(grid.cols):
                    self.cell(grid, r, q, CellStyle("kernel_fill"), permanent=True)
        for c, grid in self.layout.outputs.items():
            self.repaint("output", c, grid)

    def repaint(self, role: str, channel: int, grid: Grid) -> None:
        """Input channel ``channel`` into ``grid``, or output channel ``channel``: the cells done so far."""
        if role == "output":
            values = self.steps.values
            self.repaint_map(grid, channel, self.steps.output_cells, self.done, lambda n: self._number(values[n]))
            return
        spec = self.trace.spec
        ph, pw = spec.padding
        h, w = spec.input_size
        hp, wp = h + 2 * ph, w + 2 * pw
        for r in range(grid.rows):
            for q in range(grid.cols):
                if r >= hp or q >= wp:
                    tile = CellStyle("cropped_fill")
                elif ph <= r < ph + h and pw <= q < pw + w:
                    tile = CellStyle("input_fill", self._number(self.trace.input[channel, r - ph, q - pw]))
                else:
                    tile = CellStyle("pad_fill", self._fill_text(), ink="ink_dim")
                self.cell(grid, r, q, tile, permanent=True)

    def auto_cell(self) -> int:
        spec = self.trace.spec
        _, ew = spec.window_extent
        columns = ew + spec.kernel_size[1] + spec.output_size[1] + 4
        return max(14, min(40, TARGET_WIDTH // columns))

    def plan(self) -> Layout:
        spec = self.trace.spec
        (in_t, in_d), (k_t, k_d), (out_t, out_d) = pool_titles(self.trace, self.look.names)
        eh, ew = spec.window_extent
        kh, kw = spec.kernel_size
        ho, wo = spec.output_size
        panels = [
            Panel("input", in_t, in_d, spec.in_channels, eh, ew, "channel"),
            Panel("kernel", k_t, k_d, 1, kh, kw, "window"),
            Panel("output", out_t, out_d, spec.out_channels, ho, wo, "channel"),
        ]
        layout = make_layout(spec, self.metrics, self.cell_px, self.look.values, panels, roving=self.roving_panels)
        items = []
        if (eh, ew) != spec.padded_input_size:
            items.append(LegendItem("cells:", (("cropped_fill", "past the padded input (ceil mode): not counted"),)))
        layout, self.pool_swatches = add_legend(layout, self.metrics, items)
        return layout

    def _number(self, value: object) -> str:
        if not self.look.values:
            return ""
        return MINUS_INFINITY if value == float("-inf") else format_number(value)

    def _fill_text(self) -> str:
        return self._number(self.steps.fill)

    def advance(self, step: int) -> None:
        c, r, q = (int(v) for v in self.steps.output_cells[step])
        grid = self.grid_of("output", c)
        if grid is not None:
            self.cell(grid, r, q, CellStyle("output_fill", self._number(self.steps.values[step])), permanent=True)
        self.done = max(self.done, step + 1)

    def draw(self, frame: Frame) -> None:
        steps = self.steps
        self.painter.begin()
        n, term = frame.step, frame.term
        while self.done < n:
            self.advance(self.done)
        c, orow, ocol = (int(v) for v in steps.output_cells[n])
        if self.on_slot:  # past MAX_SHOWN channels: the one at work in the roving grids
            self.bring("input", c)
            self.bring("output", c)
            self.roving_captions()
        cells = steps.input_cells[n]
        last = cells.shape[0] - 1 if term is None else term
        winner = int(steps.winner[n]) if self.is_max else -1
        if self.is_max and term is not None:
            # The winner so far: the first maximum among the terms read.
            seen = steps.input_values[n, : term + 1]
            winner = int(seen.argmax()) if bool((seen > float("-inf")).any()) else -1
        grid = self.grid_of("input", c)
        if grid is not None:
            for k in range(cells.shape[0]):
                _, r, q = (int(v) for v in cells[k])
                value = steps.input_values[n, k]
                if steps.outside[n, k]:
                    tile = CellStyle("cropped_fill")
                elif k == winner or (term is not None and k == term):
                    tile = CellStyle("term_fill", self._number(value), bold=k == winner)
                elif steps.in_padding[n, k]:
                    tile = CellStyle("window_pad_fill", self._number(value), ink="ink_dim")
                else:
                    tile = CellStyle("window_fill", self._number(value))
                self.cell(grid, r, q, tile)
            rows, cols = cells[:, 1], cells[:, 2]
            self.painter.outline(
                grid.box(int(rows.min()), int(cols.min()), int(rows.max()), int(cols.max())), "window_edge"
            )
        for kgrid in self.layout.kernels.values():
            if winner >= 0:
                _, kr, kq = (int(v) for v in steps.kernel_cells[winner])
                self.cell(kgrid, kr, kq, CellStyle("term_fill"))
            self.painter.outline(kgrid.box(0, 0, kgrid.rows - 1, kgrid.cols - 1), "kernel_edge")
        value = steps.values[n] if term is None or term == cells.shape[0] - 1 else self._so_far(n, last)
        ogrid = self.grid_of("output", c)
        if ogrid is not None:
            self.cell(ogrid, orow, ocol, CellStyle("output_current", self._number(value), bold=True))
            self.painter.outline(ogrid.box(orow, ocol, orow, ocol), "output_edge")
        if self.look.values:
            self._write_sum(n, last, c, orow, ocol, term is None or last == cells.shape[0] - 1)

    def _so_far(self, n: int, last: int) -> object:
        """The running max, or the running sum ÷ the divisor, through term ``last``."""
        running = self.steps.running[n, last]
        return running if self.is_max else running / self.steps.divisor[n]

    def _write_sum(self, n: int, last: int, c: int, row: int, col: int, complete: bool) -> None:
        steps, spec = self.steps, self.trace.spec
        where = f"({col})" if spec.is_1d else f"({row}, {col})"
        if spec.in_channels > 1:
            where = f"channel {c} {where}"
        head = f"{self.look.names[2]} {where} ="
        terms = [self._number(steps.input_values[n, k]) for k in range(last + 1) if not steps.outside[n, k]]
        so_far = "" if complete else " so far"
        if self.is_max:
            parts = [f"{t}," for t in terms[:-1]] + [f"{terms[-1]})"] if terms else ["−∞)"]
            parts[0] = f"{head} max({parts[0]}"
            self.sum_line(parts, f" = {self._number(self._so_far(n, last))}{so_far}", gap="…,")
            return
        parts = [f"{t} +" for t in terms[:-1]] + [f"{terms[-1]})"] if terms else ["0)"]
        parts[0] = f"{head} ({parts[0]}"
        divisor = int(steps.divisor[n])
        total = format_number(steps.running[n, last])
        fallback = [f"{head} {total} ÷ {divisor}"]
        self.sum_line(parts, f" ÷ {divisor} = {self._number(self._so_far(n, last))}{so_far}", fallback=fallback)


class ColouredPoolScene(ColouredScene, PoolScene):
    """Pooling, coloured by value when the numbers cannot be read (see :mod:`convanim.draw.ramp`)."""


__all__ = ["ColouredPoolScene", "PoolScene", "pool_titles", "size_formula"]
