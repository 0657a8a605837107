"""The matrix view at any size: the pattern of C (or Cᵀ) when its entries are too many for numbers.

Past :data:`~convanim.draw.views.MAX_MATRIX_CELLS` entries a matrix of numbers is unreadable, but
its *pattern* is the lesson: each row of C is the kernel, laid out along the padded input's rows
(a banded, block-Toeplitz matrix); each column of Cᵀ is one stamp. Here every nonzero entry is a
small square coloured by *which* kernel weight it is (its position in the kernel: the kernel panel
is drawn in the same colours, with its numbers, as the key); zeros are left blank. The grids above
stay as in the matrix view; the matrix's entry size is chosen so the picture fits a 1920×1080 slide.
Per frame the row (forward) or column (transposed) of the step is outlined, with the input entries
it reads and the output entry it writes.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..compute.matrix import matrix_entries
from ..compute.tracer import ForwardSteps, ScatterSteps, Trace
from ..plan.storyboard import Frame
from .layout import Layout, Text
from .painter import CellStyle, Medium, line_height, text_width
from .ramp import ColouredScene
from .scenes import ForwardScene, Look, ScatterScene, Scene
from .theme import RAMP_STEPS, ramp_ink, ramp_role

SLIDE = (1920, 1080)  # the pattern is sized to fit this with the grids above it


def kernel_position(index: tuple[int, int, int, int], kh: int, kw: int) -> int:
    """Where a weight sits in its kernel slice stack: ``(slice·kh + row)·kw + col``."""
    _, cl, ky, kx = index
    return (cl * kh + ky) * kw + kx


class _Pattern(Scene):
    """Shared: the matrix pattern's geometry, its static drawing and the per-frame highlight."""

    roving_panels = False  # its own layout and drawing: fixed grids

    shape: tuple[int, int]
    entries: dict[tuple[int, int], tuple[int, int, int, int]]
    pitch: int
    matrix_origin: tuple[int, int]
    vin_y: int
    vout_x: int

    def __init__(self, trace: Trace, look: Look, medium: Medium, shape: tuple[int, int]) -> None:
        self.shape = shape
        self.entries = matrix_entries(trace)
        kh, kw = trace.spec.kernel_size
        self.positions = max(1, max((kernel_position(i, kh, kw) for i in self.entries.values()), default=0) + 1)
        super().__init__(trace, look, medium)
        self._draw_matrix()

    def auto_cell(self) -> int:
        """Grids small enough to leave the slide's lower part to the matrix."""
        spec = self.trace.spec
        rows = spec.input_size[0] if spec.transposed else spec.padded_input_size[0]
        out_rows = spec.canvas_size[0] if spec.transposed else spec.output_size[0]
        return max(14, min(super().auto_cell(), 320 // max(1, rows, out_rows, spec.kernel_size[0])))

    def role_of(self, position: int) -> str:
        """The colour of kernel position ``position`` (spread over the sequential ramp)."""
        step = 0 if self.positions == 1 else round(position * (RAMP_STEPS - 1) / (self.positions - 1))
        return ramp_role("seq", step)

    def plan(self) -> Layout:
        layout: Layout = super().plan()
        rows, cols = self.shape
        margin = max(12, layout.cell // 2)
        size = max(13, min(18, round(layout.cell * 0.42)))
        sub = max(10, size - 4)
        title_h = line_height(self.metrics, size)
        sub_h = line_height(self.metrics, sub)
        strip_h = layout.strip[3] + margin if layout.strip is not None else 0
        used = layout.height - strip_h
        room_h = SLIDE[1] - layout.height - title_h - 2 * sub_h - 24
        room_w = SLIDE[0] - 2 * margin - 40
        self.pitch = max(1, min(layout.cell, room_w // (cols + 3), room_h // (rows + 3)))
        p = self.pitch
        band = max(p, 6)  # the flattened vectors stay visible however small the entries
        transposed = self.trace.spec.transposed
        source, _, result = self.look.names
        title = (
            f"the same as a matrix product: canvas = Cᵀ × {source}, {rows}×{cols}: "
            f"each entry coloured by the kernel weight it is (blank: 0)"
            if transposed
            else f"the same as a matrix product: {result} = C × padded {source}, {rows}×{cols}: "
            f"each entry coloured by the kernel weight it is (blank: 0)"
        )
        y = used
        texts = [t for t in layout.texts if t.y < used]
        moved = [replace(t, y=t.y + 0) for t in layout.texts if t.y >= used]
        title_size = size
        while title_size > 10 and text_width(self.metrics, title, title_size, bold=True) > SLIDE[0] - 2 * margin:
            title_size -= 1
        texts.append(Text(margin, y, title, title_size, bold=True))
        y += title_h + 4
        texts.append(
            Text(margin, y, f"{source}, flattened" if transposed else f"padded {source}, flattened", sub, ink="ink_dim")
        )
        y += sub_h
        self.vin_y = y
        y += band + 6
        self.matrix_origin = (margin, y)
        self.vout_x = margin + cols * p + 12
        texts.append(Text(self.vout_x, y - sub_h, "canvas" if transposed else result, sub, ink="ink_dim"))
        block = y + rows * p + 8 - used
        width = max(
            layout.width,
            self.vout_x + max(band, text_width(self.metrics, result, sub)) + margin,
            2 * margin + text_width(self.metrics, title, title_size, bold=True),
        )
        shifted = [replace(t, y=t.y + block) for t in moved]
        strip = layout.strip
        if strip is not None:
            strip = (strip[0], strip[1] + block, width - 2 * strip[0], strip[3])
        height = layout.height + block
        return replace(
            layout,
            width=width + width % 2,
            height=height + height % 2,
            texts=tuple(texts + shifted),
            strip=strip,
        )

    def _square(self, row: int, col: int, fill: str, permanent: bool, edge: str | None = None) -> None:
        x0, y0 = self.matrix_origin
        p = self.pitch
        x, y = x0 + col * p, y0 + row * p
        size = max(0, p - 2) if p > 2 else p - 1
        self.painter.polygon([(x, y), (x + size, y), (x + size, y + size), (x, y + size)], fill, edge, permanent)

    def _vin(self, col: int, fill: str, permanent: bool) -> None:
        x0, _ = self.matrix_origin
        p = self.pitch
        x, y = x0 + col * p, self.vin_y
        band = max(p, 6)
        right = x + max(0, p - 2 if p > 2 else p - 1)
        self.painter.polygon([(x, y), (right, y), (right, y + band - 1), (x, y + band - 1)], fill, None, permanent)

    def _vout(self, row: int, fill: str, permanent: bool, edge: str | None = None) -> None:
        _, y0 = self.matrix_origin
        p = self.pitch
        y, x = y0 + row * p, self.vout_x
        band = max(p, 6)
        bottom = y + max(0, p - 2 if p > 2 else p - 1)
        edge = edge if p >= 5 else None  # a border on a sliver would be all border
        self.painter.polygon([(x, y), (x + band - 1, y), (x + band - 1, bottom), (x, bottom)], fill, edge, permanent)

    def _draw_matrix(self) -> None:
        kh, kw = self.trace.spec.kernel_size
        for (row, col), index in self.entries.items():
            self._square(row, col, self.role_of(kernel_position(index, kh, kw)), True)
        rows, cols = self.shape
        for col in range(cols):
            self._vin(col, self.input_role(col), True)
        for row in range(rows):
            self._vout(row, self.output_role(row), True, "grid")
        # The kernel is the key: each weight in its colour, with its number.
        for grid in self.layout.kernels.values():
            for r in range(grid.rows):
                for q in range(grid.cols):
                    self.paint_cells(grid, [(r, q, self.key_style(grid, r, q))], True)

    def style_of(self, grid: Any, row: int, col: int, style: CellStyle) -> CellStyle:
        """A kernel cell is always the key (its weight's colour); the rest as the scene draws them."""
        if grid in self.layout.kernels.values():
            return self.key_style(grid, row, col)
        return super().style_of(grid, row, col, style)

    def key_style(self, grid: Any, r: int, q: int) -> CellStyle:
        kh, kw = self.trace.spec.kernel_size
        slot = next(c for c, g in self.layout.kernels.items() if g == grid)
        position = (slot * kh + r) * kw + q
        step_role = self.role_of(position)
        step = int(step_role[-2:])
        index = (0, slot, r, q)
        text = self.labels.weight(index) if self.trace.spec.out_channels == 1 or self.trace.spec.transposed else ""
        return CellStyle(step_role, text if self.look.values else "", ink=ramp_ink("seq", step))

    def input_role(self, col: int) -> str:
        return "input_fill"

    def output_role(self, row: int) -> str:
        """The flattened output's entry before any step: empty (forward), or canvas / cut (transposed)."""
        return "output_empty"

    def frame_box(self, rows: tuple[int, int], cols: tuple[int, int]) -> tuple[int, int, int, int]:
        x0, y0 = self.matrix_origin
        p = self.pitch
        return (x0 + cols[0] * p - 2, y0 + rows[0] * p - 2, x0 + (cols[1] + 1) * p + 2, y0 + (rows[1] + 1) * p + 2)


class PatternForwardScene(ColouredScene, _Pattern, ForwardScene):
    """A convolution and the pattern of C: row n is output cell n's window."""

    def __init__(self, trace: Trace, look: Look, medium: Medium, shape: tuple[int, int]) -> None:
        super().__init__(trace, look, medium, shape)

    def input_role(self, col: int) -> str:
        spec = self.trace.spec
        hp, wp = spec.padded_input_size
        (ph, pw), (h, w) = spec.padding, spec.input_size
        r, q = divmod(col % (hp * wp), wp)
        return "input_fill" if ph <= r < ph + h and pw <= q < pw + w else "pad_fill"

    def advance(self, step: int) -> None:
        super().advance(step)
        self._vout(step, "output_fill", True, "grid")

    def draw(self, frame: Frame) -> None:
        super().draw(frame)
        steps = self.steps
        assert isinstance(steps, ForwardSteps)
        n = frame.step
        hp, wp = self.trace.spec.padded_input_size
        cols = sorted((int(c) * hp + int(r)) * wp + int(q) for c, r, q in steps.input_cells[n])
        for col in cols:
            self._vin(col, "window_fill", False)
        self._vout(n, "output_current", False)
        self.painter.outline(self.frame_box((n, n), (0, self.shape[1] - 1)), "window_edge", 2)


class PatternScatterScene(ColouredScene, _Pattern, ScatterScene):
    """A transposed convolution and the pattern of Cᵀ: column n is input cell n's stamp."""

    def __init__(self, trace: Trace, look: Look, medium: Medium, shape: tuple[int, int]) -> None:
        super().__init__(trace, look, medium, shape)

    def output_role(self, row: int) -> str:
        hc, wc = self.trace.spec.canvas_size
        r, q = divmod(row % (hc * wc), wc)
        return "output_fill" if bool(self.inside[r, q]) else "cropped_fill"

    def draw(self, frame: Frame) -> None:
        super().draw(frame)
        steps = self.steps
        assert isinstance(steps, ScatterSteps)
        n = frame.step
        if frame.crop:
            return
        self._vin(n, "window_fill", False)
        self.painter.outline(self.frame_box((0, self.shape[0] - 1), (n, n)), "window_edge", 2)


__all__ = ["PatternForwardScene", "PatternScatterScene", "kernel_position"]
