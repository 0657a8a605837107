"""More ways to look at the same trace: the weight gradient, and the matrix view.

- :class:`GradWeightScene`: the backward pass for the weights. One frame per output-gradient cell:
  the cell, the input window it multiplies, and every weight-gradient cell growing by g × window.
- :class:`MatrixForwardScene` / :class:`MatrixScatterScene`: the grids as usual, and under them the
  convolution as a matrix product. Forward: row n of the sparse matrix C holds the kernel weights at
  the columns of the padded-input cells step n meets; it lights up with the window. Transposed: the
  matrix is Cᵀ and column n is the stamp of input cell n, lighting up with the scatter.

(The input gradient needs no scene of its own: it is a transposed convolution of the output
gradient, drawn by the scatter scene from :func:`convanim.backward.grad_input_trace`.)
"""

from __future__ import annotations

from typing import Any

from numpy.typing import NDArray

from ..compute.spec import pair_text
from ..compute.tracer import ForwardSteps, Trace
from ..errors import SpecError
from ..plan.storyboard import Frame
from .layout import Layout, Panel, auto_cell, default_panels, make_layout
from .numbers import format_number
from .painter import CellStyle, Medium
from .scenes import ForwardScene, Look, ScatterScene, Scene

MAX_MATRIX_CELLS = 2_500  # entries the matrix view draws; larger matrices are unreadable anyway


class GradWeightScene(Scene):
    """Backward pass for the weights of a forward convolution: ``grad_weight += g × window``."""

    def __init__(self, trace: Trace, look: Look, medium: Medium, grad_output: NDArray[Any]) -> None:
        if trace.spec.transposed:
            raise SpecError(
                "‹grad› weight is drawn for a forward convolution: drop ‹transposed› "
                "(convanim trace --transpose ‹grad› has the weight gradient)"
            )
        if trace.symbols is not None:
            raise SpecError("‹grad› draws numbers: drop ‹values› symbolic")
        from ..compute.backward import backward, running_weight_grad  # here: only this view needs them

        self.result = backward(trace, grad_output)
        super().__init__(trace, look, medium)
        assert isinstance(trace.steps, ForwardSteps)
        self.steps: ForwardSteps = trace.steps
        self.running = running_weight_grad(trace, self.result)
        labels = self.labels
        ph, pw = trace.spec.padding
        h, w = trace.spec.input_size
        for c, grid in self.layout.grids["input"].items():
            for r in range(grid.rows):
                for q in range(grid.cols):
                    inside = ph <= r < ph + h and pw <= q < pw + w
                    fill, ink = ("input_fill", "ink") if inside else ("pad_fill", "ink_dim")
                    self.cell(grid, r, q, CellStyle(fill, labels.input(c, r, q, padded=True), ink=ink), True)
        for f, grid in self.layout.grids["grad_output"].items():
            for r in range(grid.rows):
                for q in range(grid.cols):
                    text = format_number(grad_output[f, r, q]) if look.values else ""
                    self.cell(grid, r, q, CellStyle("output_fill", text), True)
        zero = CellStyle("kernel_fill", "0" if look.values else "")
        for grid in self.layout.grids["grad_weight"].values():
            for r in range(grid.rows):
                for q in range(grid.cols):
                    self.cell(grid, r, q, zero, True)
        self.done = 0

    def plan(self) -> Layout:
        spec = self.trace.spec
        (inp, _, _) = default_panels(spec)
        ho, wo = spec.output_size
        kh, kw = spec.kernel_size
        cg = spec.in_channels // spec.groups
        size = f"{wo}" if spec.is_1d else f"{ho}×{wo}"
        ksize = f"{kw}" if spec.is_1d else f"{kh}×{kw}"
        stride = f", stride {pair_text(spec.stride)}" if spec.stride != (1, 1) else ""
        panels = [
            inp,
            Panel("grad_output", f"grad_output {size}", "", spec.out_channels, ho, wo, "map"),
            Panel("grad_weight", f"grad_weight {ksize}{stride}", "", cg, kh, kw, "slice", captioned=True),
        ]
        return make_layout(spec, self.metrics, self.cell_px, self.look.values, panels)

    def _weights(self, n: int, fill: str, permanent: bool) -> None:
        kernel_cells = self.steps.kernel_cells
        for k in range(kernel_cells.shape[0]):
            cl, r, q = (int(v) for v in kernel_cells[k])
            grid = self.layout.grids["grad_weight"].get(cl)
            if grid is not None:
                text = format_number(self.running[n, k]) if self.look.values else ""
                self.cell(grid, r, q, CellStyle(fill, text, bold=not permanent), permanent)

    def advance(self, step: int) -> None:
        self._weights(step, "kernel_fill", permanent=True)
        self.done = max(self.done, step + 1)

    def draw(self, frame: Frame) -> None:
        steps = self.steps
        self.painter.begin()
        n = frame.step
        while self.done < n:
            self.advance(self.done)
        f, orow, ocol = (int(v) for v in steps.output_cells[n])
        g = self.result.steps.grad[n]
        cells = steps.input_cells[n]
        for k in range(cells.shape[0]):
            c, r, q = (int(v) for v in cells[k])
            grid = self.layout.grids["input"].get(c)
            if grid is not None:
                fill, ink = ("window_pad_fill", "ink_dim") if steps.in_padding[n, k] else ("window_fill", "ink")
                text = self.labels.input(c, r, q, padded=True)
                self.cell(grid, r, q, CellStyle(fill, text, ink=ink))
        for c, grid in self.layout.grids["input"].items():
            on = cells[:, 0] == c
            if on.any():
                rows, cols = cells[on, 1], cells[on, 2]
                box = grid.box(int(rows.min()), int(cols.min()), int(rows.max()), int(cols.max()))
                self.painter.outline(box, "window_edge")
        grid = self.layout.grids["grad_output"].get(f)
        if grid is not None:
            text = format_number(g) if self.look.values else ""
            self.cell(grid, orow, ocol, CellStyle("output_current", text, bold=True))
            self.painter.outline(grid.box(orow, ocol, orow, ocol), "output_edge")
        self._weights(n, "stamp_fill", permanent=False)
        spec = self.trace.spec
        per = spec.in_channels // spec.groups
        first = f // (spec.out_channels // spec.groups) * per
        # Which filter's gradient is filling, and which input channel each slice multiplies.
        self.captions(
            {cl: f"× channel #{first + cl}" for cl in range(per)},
            f"filter #{f} (of {spec.out_channels})" if spec.out_channels > 1 else "",
        )
        for wgrid in self.layout.grids["grad_weight"].values():
            self.painter.outline(wgrid.box(0, 0, wgrid.rows - 1, wgrid.cols - 1), "kernel_edge")
        if self.look.values:
            where = f"({ocol})" if self.trace.spec.is_1d else f"({orow}, {ocol})"
            if self.trace.spec.out_channels > 1:
                where = f"map #{f} {where}"
            g_text = format_number(g)
            which = f" #{f}" if spec.out_channels > 1 else ""
            bias = f"; grad_bias{which} += {g_text}" if self.trace.bias is not None else ""
            self.sum_line(
                [
                    f"grad_output {where} = {g_text}: each grad_weight{which} cell adds {g_text} × "
                    f"the input under it{bias}"
                ],
                "",
            )


class _MatrixMixin:
    """Shared parts of the matrix views: size checks, the layout, drawing the static matrix."""

    roving_panels = False  # its own layout and drawing: fixed grids

    trace: Trace
    look: Look
    metrics: Any
    cell_px: int
    labels: Any
    layout: Layout

    shape: tuple[int, int]

    def __init__(self, trace: Trace, look: Look, medium: Medium) -> None:
        self.shape = conv_matrix_for_picture(trace)  # the layout needs it before the scene draws
        super().__init__(trace, look, medium)  # type: ignore[call-arg]  # the scene after this mixin in the MRO
        self._index_entries()

    def auto_cell(self) -> int:
        return _matrix_cell(self.trace.spec, *self.shape)

    def plan(self) -> Layout:
        spec = self.trace.spec
        return make_layout(
            spec,
            self.metrics,
            self.cell_px,
            self.look.values,
            default_panels(spec, self.look.names),
            self.shape,
            self._matrix_titles(),
        )

    def _matrix_titles(self) -> tuple[str, str, str]:
        source, _, result = self.look.names
        if self.trace.spec.transposed:
            return (
                f"the same as a matrix product: canvas = Cᵀ × {source} (column n is the stamp of {source} cell n)",
                f"{source}, flattened",
                f"{result} canvas",
            )
        return (
            f"the same as a matrix product: {result} = C × padded {source} (row n is {result} cell n's window)",
            f"padded {source}, flattened",
            result,
        )

    def _weight_text(self, row: int, col: int) -> str:
        """The matrix entry as the picture shows it: the kernel weight's number or letter; blank for 0."""
        index = self.entries.get((row, col))
        return "" if index is None else self.labels.weight(index)

    def _index_entries(self) -> None:
        """Which weight each nonzero entry is (so letters can be drawn, not only numbers)."""
        from ..compute.matrix import matrix_entries  # here: only the matrix views need it

        self.entries = matrix_entries(self.trace)


def matrix_shape(trace: Trace) -> tuple[int, int]:
    """(rows, cols) of the matrix the view draws: C, or Cᵀ when transposed."""
    spec = trace.spec
    if spec.transposed:
        hc, wc = spec.canvas_size
        return spec.out_channels * hc * wc, spec.in_channels * spec.input_size[0] * spec.input_size[1]
    hp, wp = spec.padded_input_size
    return spec.out_channels * spec.output_size[0] * spec.output_size[1], spec.in_channels * hp * wp


def conv_matrix_for_picture(trace: Trace) -> tuple[int, int]:
    """(rows, cols) of the matrix the view draws with numbers, refusing what would be unreadable
    (:func:`make_scene` draws those as a pattern instead, see :mod:`.matrix_pattern`)."""
    spec = trace.spec
    if spec.transposed:
        hc, wc = spec.canvas_size
        rows, cols = spec.out_channels * hc * wc, spec.in_channels * spec.input_size[0] * spec.input_size[1]
    else:
        hp, wp = spec.padded_input_size
        rows, cols = spec.out_channels * spec.output_size[0] * spec.output_size[1], spec.in_channels * hp * wp
    if rows * cols > MAX_MATRIX_CELLS:
        raise SpecError(
            f"‹view› matrix draws every entry's number; this matrix is {rows}x{cols}, over {MAX_MATRIX_CELLS:,}: "
            f"the matrix view draws its pattern instead (convanim trace --matrix exports the numbers)"
        )
    return rows, cols


def _matrix_cell(spec: Any, rows: int, cols: int) -> int:
    base = auto_cell(spec)
    return max(14, min(base, 1280 // (cols + 3)))


class MatrixForwardScene(_MatrixMixin, ForwardScene):
    """A convolution, and the same computation as ``C × padded input``."""

    def __init__(self, trace: Trace, look: Look, medium: Medium) -> None:
        super().__init__(trace, look, medium)
        labels = self.labels
        layout = self.layout
        assert layout.matrix is not None and layout.vector_in is not None and layout.vector_out is not None
        hp, wp = trace.spec.padded_input_size
        for row, col in self.entries:
            self.cell(layout.matrix, row, col, CellStyle("kernel_fill", self._weight_text(row, col)), True)
        empty = CellStyle("output_empty")
        for row in range(layout.matrix.rows):
            for col in range(layout.matrix.cols):
                if (row, col) not in self.entries:
                    self.cell(layout.matrix, row, col, empty, True)
            self.cell(layout.vector_out, row, 0, empty, True)
        ph, pw = trace.spec.padding
        h, w = trace.spec.input_size
        for col in range(layout.matrix.cols):
            c, rest = divmod(col, hp * wp)
            r, q = divmod(rest, wp)
            inside = ph <= r < ph + h and pw <= q < pw + w
            fill, ink = ("input_fill", "ink") if inside else ("pad_fill", "ink_dim")
            self.cell(layout.vector_in, 0, col, CellStyle(fill, labels.input(c, r, q, padded=True), ink=ink), True)

    def advance(self, step: int) -> None:
        super().advance(step)
        grid = self.layout.vector_out
        assert grid is not None
        self.cell(grid, step, 0, CellStyle("output_fill", self.labels.forward_cell(step)), True)

    def draw(self, frame: Frame) -> None:
        super().draw(frame)
        layout, steps = self.layout, self.steps
        assert layout.matrix is not None and layout.vector_in is not None and layout.vector_out is not None
        n, term = frame.step, frame.term
        hp, wp = self.trace.spec.padded_input_size
        for k, (c, r, q) in enumerate(steps.input_cells[n]):
            col = (int(c) * hp + int(r)) * wp + int(q)
            fill = "term_fill" if term == k else "window_fill"
            self.cell(layout.matrix, n, col, CellStyle(fill, self._weight_text(n, col)))
            text = self.labels.input(int(c), int(r), int(q), padded=True)
            padding = bool(steps.in_padding[n, k]) and term != k
            ink = "ink_dim" if padding else "ink"
            fill = "window_pad_fill" if padding else fill
            self.cell(layout.vector_in, 0, col, CellStyle(fill, text, ink=ink))
        self.painter.outline(layout.matrix.box(n, 0, n, layout.matrix.cols - 1), "window_edge")
        self.cell(layout.vector_out, n, 0, CellStyle("output_current", self.labels.forward_cell(n, term), bold=True))
        self.painter.outline(layout.vector_out.box(n, 0, n, 0), "output_edge")


class MatrixScatterScene(_MatrixMixin, ScatterScene):
    """A transposed convolution, and the same computation as ``Cᵀ × input``: column n is stamp n."""

    def __init__(self, trace: Trace, look: Look, medium: Medium) -> None:
        super().__init__(trace, look, medium)
        labels = self.labels
        layout = self.layout
        assert layout.matrix is not None and layout.vector_in is not None and layout.vector_out is not None
        empty = CellStyle("output_empty")
        for row in range(layout.matrix.rows):
            for col in range(layout.matrix.cols):
                fill = "kernel_fill" if (row, col) in self.entries else "output_empty"
                tile = CellStyle(fill, self._weight_text(row, col)) if fill == "kernel_fill" else empty
                self.cell(layout.matrix, row, col, tile, True)
            self.cell(layout.vector_out, row, 0, self._canvas_row_tile(row, ""), True)
        h, w = trace.spec.input_size
        for col in range(layout.matrix.cols):
            c, rest = divmod(col, h * w)
            r, q = divmod(rest, w)
            self.cell(layout.vector_in, 0, col, CellStyle("input_fill", labels.input(c, r, q, padded=False)), True)

    def _canvas_row_tile(self, row: int, text: str, fill: str = "output_empty") -> CellStyle:
        hc, wc = self.trace.spec.canvas_size
        r, q = divmod(row % (hc * wc), wc)
        if not self.inside[r, q]:
            return CellStyle("cropped_fill", text, ink="ink_dim")
        return CellStyle(fill, text)

    def _rows_of(self, n: int) -> list[tuple[int, int, int, int]]:
        """(matrix row, a, i, j) of each canvas cell stamp ``n`` touches."""
        steps = self.steps
        hc, wc = self.trace.spec.canvas_size
        return [
            ((int(f) * hc + int(r)) * wc + int(q), a, i, j)
            for a, f in enumerate(steps.output_channels[n])
            for i, r in enumerate(steps.rows[n])
            for j, q in enumerate(steps.cols[n])
        ]

    def advance(self, step: int) -> None:
        super().advance(step)
        if step >= len(self.steps):
            return
        grid = self.layout.vector_out
        assert grid is not None
        for row, a, i, j in self._rows_of(step):
            self.cell(
                grid, row, 0, self._canvas_row_tile(row, self.labels.running_cell(step, a, i, j), "output_fill"), True
            )

    def draw(self, frame: Frame) -> None:
        super().draw(frame)
        layout = self.layout
        assert layout.matrix is not None and layout.vector_in is not None and layout.vector_out is not None
        n = frame.step
        if frame.crop:
            return
        for row, a, i, j in self._rows_of(n):
            self.cell(layout.matrix, row, n, CellStyle("window_fill", self._weight_text(row, n)))
            text = self.labels.running_cell(n, a, i, j)
            self.cell(layout.vector_out, row, 0, self._canvas_row_tile(row, text, "stamp_fill"))
        self.cell(layout.vector_in, 0, n, CellStyle("window_fill", self.labels.scatter_input(n), bold=True))
        self.painter.outline(layout.matrix.box(0, n, layout.matrix.rows - 1, n), "window_edge")
        self.painter.outline(layout.vector_in.box(0, n, 0, n), "window_edge")


def make_scene(
    trace: Trace, look: Look, medium: Medium, view: str = "conv", grad_output: NDArray[Any] | None = None
) -> Scene:
    """The scene for a view: ``conv`` (the default picture), ``matrix``, ``grad_weight``, ``direct``
    (a transposed convolution as a direct one) or ``overlap`` (its stamp counts); pooling traces
    draw as pooling. Cells too small for their numbers are coloured by value (:mod:`.ramp`)."""
    from .coloured import ColouredForwardScene, ColouredScatterScene

    if view in ("volume", "separable"):
        from .volume import SeparableScene, VolumeScene

        return (SeparableScene if view == "separable" else VolumeScene)(trace, look, medium)
    if trace.spec.is_pool:
        from .pooling import ColouredPoolScene

        return ColouredPoolScene(trace, look, medium)
    if view == "direct":
        from .direct import ColouredDirectScene

        return ColouredDirectScene(trace, look, medium)
    if view == "overlap":
        from .overlap import OverlapScene

        return OverlapScene(trace, look, medium)
    if view == "matrix":
        shape = matrix_shape(trace)
        if shape[0] * shape[1] > MAX_MATRIX_CELLS:
            from .matrix_pattern import PatternForwardScene, PatternScatterScene

            if trace.spec.transposed:
                return PatternScatterScene(trace, look, medium, shape)
            return PatternForwardScene(trace, look, medium, shape)
        return (
            MatrixScatterScene(trace, look, medium)
            if trace.spec.transposed
            else MatrixForwardScene(trace, look, medium)
        )
    if view == "grad_weight":
        assert grad_output is not None
        return GradWeightScene(trace, look, medium, grad_output)
    if trace.spec.transposed:
        return ColouredScatterScene(trace, look, medium)
    return ColouredForwardScene(trace, look, medium)


__all__ = ["GradWeightScene", "MatrixForwardScene", "MatrixScatterScene", "make_scene"]
