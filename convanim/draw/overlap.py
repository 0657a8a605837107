"""The checkerboard: how many stamps of a transposed convolution reach each output cell.

Odena et al., "Deconvolution and Checkerboard Artifacts": when the kernel size is not divisible by
the stride, stamps overlap unevenly (kernel 3, stride 2: cells reached 1, 2 or 4 times, a
checkerboard); kernel 4, stride 2 reaches every interior cell equally. One frame per stamp: the
input cell, the stamp's footprint on the canvas, and every canvas cell coloured and written with
how many stamps have reached it so far (the sequential ramp, 0 left blank); the last frame crops
the canvas to the output. A legend says which colour is which count. Counts are per input channel
(:func:`~convanim.compute.direct.overlap_counts`): every channel stamps the same footprints.
"""

from __future__ import annotations

import numpy as np

from ..compute.direct import overlap_counts
from ..compute.tracer import ScatterSteps, Trace
from ..plan.storyboard import Frame
from .layout import TARGET_WIDTH, Layout, Panel, make_layout
from .numbers import distinct
from .painter import CellStyle, Medium
from .ramp import LegendItem, Swatch, add_legend, draw_swatches
from .scenes import Look, Scene
from .theme import RAMP_STEPS, ramp_ink, ramp_role


class OverlapScene(Scene):
    """Stamp counts per output cell, stamp by stamp, then the crop to the output."""

    def __init__(self, trace: Trace, look: Look, medium: Medium) -> None:
        assert isinstance(trace.steps, ScatterSteps)
        self.steps: ScatterSteps = trace.steps
        self.overlap = overlap_counts(trace.spec)
        self.top = max(1, int(self.overlap.canvas.max()))
        self.swatches: list[Swatch] = []
        super().__init__(trace, look, medium)
        spec = trace.spec
        h, w = spec.input_size
        self.plane = h * w
        for grid in self.layout.inputs.values():
            for r in range(grid.rows):
                for q in range(grid.cols):
                    self.cell(grid, r, q, CellStyle("input_fill"), permanent=True)
        for grid in self.layout.kernels.values():
            for r in range(grid.rows):
                for q in range(grid.cols):
                    self.cell(grid, r, q, CellStyle("kernel_fill"), permanent=True)
        top, left, height, width = self.overlap.crop
        self.inside = np.zeros(spec.canvas_size, dtype=bool)
        self.inside[top : top + height, left : left + width] = True
        self.counts = np.zeros(spec.canvas_size, dtype=np.int64)
        for grid in self.layout.outputs.values():
            for r in range(grid.rows):
                for q in range(grid.cols):
                    self.cell(grid, r, q, self._count_tile(r, q, 0), permanent=True)
        draw_swatches(self.painter, self.swatches)
        self.done = 0

    def auto_cell(self) -> int:
        spec = self.trace.spec
        columns = spec.input_size[1] + spec.kernel_size[1] + spec.canvas_size[1] + 4
        return max(14, min(40, TARGET_WIDTH // columns))

    def plan(self) -> Layout:
        spec = self.trace.spec
        one_d = spec.is_1d

        def size(pair: tuple[int, int]) -> str:
            return f"{pair[1]}" if one_d else f"{pair[0]}×{pair[1]}"

        def axis(pair: tuple[int, int]) -> str:
            return f"{pair[1]}" if one_d or pair[0] == pair[1] else f"{pair[0]}×{pair[1]}"

        n_in, n_k, n_out = self.look.names
        hyper = [f"stride {axis(spec.stride)}"]
        if spec.dilation != (1, 1):
            hyper.append(f"dilation {axis(spec.dilation)}")
        crop = []
        if any(spec.padding):
            crop.append(f"pad {axis(spec.padding)}")
        if any(spec.output_padding):
            crop.append(f"output_padding {axis(spec.output_padding)}")
        canvas = f"canvas {size(spec.canvas_size)}" + (
            f", crop {', '.join(crop)} → {size(spec.output_size)}" if crop else ""
        )
        kh, kw = spec.kernel_size
        h, w = spec.input_size
        hc, wc = spec.canvas_size
        panels = [
            Panel("input", f"{n_in} {size(spec.input_size)}", "each cell stamps once", 1, h, w),
            Panel("kernel", f"{n_k} {size(spec.kernel_size)}, {', '.join(hyper)}", "its footprint", 1, kh, kw),
            Panel("output", f"stamps per {n_out} cell", canvas, 1, hc, wc),
        ]
        layout = make_layout(spec, self.metrics, self.cell_px, self.look.values, panels)
        counts = sorted(
            {int(v) for v in distinct(self.overlap.output)} | {int(v) for v in distinct(self.overlap.canvas)}
        )
        counts = [c for c in counts if c > 0]
        swatches = tuple((self._role(c), str(c)) for c in counts)
        layout, self.swatches = add_legend(layout, self.metrics, [LegendItem("stamps per cell:", swatches)])
        return layout

    def _role(self, count: int) -> str:
        return ramp_role("seq", self._step(count))

    def _step(self, count: int) -> int:
        return min(RAMP_STEPS - 1, round(count / self.top * (RAMP_STEPS - 1)))

    def _count_tile(self, r: int, q: int, count: int, bold: bool = False) -> CellStyle:
        if not self.inside[r, q]:
            return CellStyle("cropped_fill", str(count) if count and self.look.values else "", ink="ink_dim")
        if count == 0:
            return CellStyle("output_empty")
        step = self._step(count)
        text = str(count) if self.look.values else ""
        return CellStyle(ramp_role("seq", step), text, ink=ramp_ink("seq", step), bold=bold)

    def _footprint(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        return self.steps.rows[n], self.steps.cols[n]

    def advance(self, step: int) -> None:
        """Stamp ``step`` (the same footprints for every input channel: counts restart per channel)."""
        if step >= len(self.steps):
            return
        if step % self.plane == 0:
            self.counts[:] = 0
        rows, cols = self._footprint(step)
        grid = self.layout.outputs.get(0)
        for r in rows:
            for q in cols:
                self.counts[int(r), int(q)] += 1
                if grid is not None:
                    self.cell(grid, int(r), int(q), self._count_tile(int(r), int(q), int(self.counts[r, q])), True)
        self.done = max(self.done, step + 1)

    def draw(self, frame: Frame) -> None:
        self.painter.begin()
        n = frame.step
        while self.done < min(n + (0 if frame.crop else 1), len(self.steps)):
            self.advance(self.done)
        grid = self.layout.outputs.get(0)
        if frame.crop:
            top, left, height, width = self.overlap.crop
            if grid is not None:
                self.painter.outline(grid.box(top, left, top + height - 1, left + width - 1), "output_edge")
            if self.look.values:
                self.sum_line([self._verdict()], "")
            return
        spec = self.trace.spec
        _, i, j = (int(v) for v in self.steps.input_cells[n])
        for igrid in self.layout.inputs.values():
            self.cell(igrid, i, j, CellStyle("window_fill"))
            self.painter.outline(igrid.box(i, j, i, j), "window_edge")
        for kgrid in self.layout.kernels.values():
            self.painter.outline(kgrid.box(0, 0, kgrid.rows - 1, kgrid.cols - 1), "kernel_edge")
        rows, cols = self._footprint(n)
        if grid is not None:
            for r in rows:
                for q in cols:
                    tile = self._count_tile(int(r), int(q), int(self.counts[r, q]), bold=True)
                    self.cell(grid, int(r), int(q), tile)
            self.painter.outline(grid.box(int(rows[0]), int(cols[0]), int(rows[-1]), int(cols[-1])), "window_edge")
        if self.look.values:
            where = f"({j})" if spec.is_1d else f"({i}, {j})"
            span = (
                f"cols {cols[0]}–{cols[-1]}" if spec.is_1d else f"rows {rows[0]}–{rows[-1]}, cols {cols[0]}–{cols[-1]}"
            )
            most = int(self.counts.max())
            self.sum_line([f"{self.look.names[0]} {where} stamps {span}: +1 on each;"], f"most reached so far: {most}")

    def _verdict(self) -> str:
        """The last frame's sentence: even or uneven, and why."""
        spec = self.trace.spec
        values = sorted({int(v) for v in distinct(self.overlap.output)})
        listed = ", ".join(str(v) for v in values[:-1]) + (f" or {values[-1]}" if len(values) > 1 else str(values[0]))
        uneven = False
        for axis, counts in ((0, self.overlap.rows), (1, self.overlap.cols)):
            span = spec.kernel_span[axis]
            interior = counts[span - 1 : len(counts) - span + 1]
            uneven = uneven or len(set(interior.tolist())) > 1
        why = "uneven inside: the checkerboard" if uneven else "even inside, away from the edges"
        return f"{self.look.names[2]} cells reached {listed} times: {why}"


__all__ = ["OverlapScene"]
