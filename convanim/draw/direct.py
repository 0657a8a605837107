"""A transposed convolution drawn as the equivalent direct convolution (conv_arithmetic's picture).

Everything comes from :func:`~convanim.compute.direct.direct_view`: the spread input (real cells,
the ``stride − 1`` zeros inserted between them, the padding ``d·(k−1) − p`` around them, and a
negative pad's discarded band), the kernel rotated by 180° (channels swapped within each group),
and the forward trace of the stride-1 convolution over it, whose output equals the scatter view's.

The scene is a :class:`~convanim.draw.scenes.ForwardScene` over that forward trace. Its input
grid is placed so that the direct input's cell (0, 0) sits at the view's ``offset`` inside the
whole spread grid; the cells around it (a discarded band) are drawn once, greyed, and every cell
is drawn by kind, so inserted zeros, padding and real input look different. A legend under the
picture says which is which.
"""

from __future__ import annotations

from dataclasses import replace

from ..compute.direct import DISCARDED, PADDING, REAL, ZERO, DirectView, direct_view
from ..compute.tracer import Trace
from .layout import TARGET_WIDTH, Grid, Layout, Panel, make_layout
from .numbers import format_number
from .painter import CellStyle, Medium
from .ramp import ColouredScene, LegendItem, Swatch, add_legend, draw_swatches
from .scenes import ForwardScene, Look

KIND_LOOK = {REAL: "input_fill", ZERO: "inserted_fill", PADDING: "pad_fill", DISCARDED: "cropped_fill"}


def _signed(value: int) -> str:
    """A pad as the picture writes it: a true minus sign for a negative (discarding) pad."""
    return str(value).replace("-", "−")


def direct_titles(view: DirectView, names: tuple[str, str, str], kernel_name: str | None) -> list[tuple[str, str]]:
    """(title, detail) of the spread input, the rotated kernel and the output."""
    spec = view.spec
    n_in, n_k, n_out = names
    one_d = spec.is_1d
    c, hg, wg = view.grid.shape

    def size(h: int, w: int) -> str:
        return f"{w}" if one_d else f"{h}×{w}"

    (top, bottom), (left, right) = (tuple(_signed(v) for v in pair) for pair in view.pads)
    details = []
    sh, sw = spec.stride
    if (sh, sw) != (1, 1):
        zeros = f"{sw - 1}" if (one_d or sh == sw) else f"{sh - 1}×{sw - 1}"
        details.append(f"{zeros} zero{'s' if max(sh, sw) > 2 else ''} inserted between cells")
    if one_d:
        pad_words = f"pad {left} left, {right} right"
    elif (top, left) == (bottom, right):
        pad_words = f"pad {top}" if top == left else f"pad {top} top/bottom, {left} left/right"
    elif top == left and bottom == right:
        pad_words = f"pad {top} top/left, {bottom} bottom/right"
    else:
        pad_words = f"pad {top} top, {bottom} bottom, {left} left, {right} right"
    negative = min(min(pair) for pair in view.pads) < 0
    details.append(pad_words + (" (negative: cells discarded)" if negative else ""))
    channels = f"×{c}" if c > 1 else ""
    h, w = spec.input_size
    kh, kw = spec.kernel_size
    ho, wo = spec.output_size
    swapped = " (channels swapped)" if spec.in_channels > 1 or spec.out_channels > 1 else ""
    named = f" {kernel_name}" if kernel_name else ""
    dil = f", dilation {spec.dilation[1] if one_d else spec.dilation[0]}" if spec.dilation != (1, 1) else ""
    lh, lw = view.trace.spec.input_size
    formula = f"({lw} − {spec.kernel_span[1]}) + 1 = {wo}"
    if not one_d and (lh, spec.kernel_span[0]) != (lw, spec.kernel_span[1]):
        formula = f"({lh} − {spec.kernel_span[0]}) + 1 = {ho},  " + formula
    return [
        (f"{n_in} {size(h, w)}{channels} spread to {size(hg, wg)}", "; ".join(details)),
        (f"{n_k}{named} {size(kh, kw)} rotated 180°{dil}", f"the scatter's kernel turned{swapped}; stride 1"),
        (f"{n_out} {size(ho, wo)}" + (f"×{spec.out_channels}" if spec.out_channels > 1 else ""), formula),
    ]


class DirectScene(ForwardScene):
    """The direct convolution over the spread input, stride 1, one output cell per frame."""

    roving_panels = False  # its own layout and drawing: fixed grids

    def __init__(self, trace: Trace, look: Look, medium: Medium) -> None:
        self.view = direct_view(trace)
        self.kinds_swatches: list[Swatch] = []
        self.full_grids: dict[int, Grid] = {}
        self.kernel_name = trace.kernel_name
        super().__init__(self.view.trace, look, medium)
        view = self.view
        # The discarded band: cells of the spread grid the direct input leaves out.
        for c, grid in self.full_grids.items():
            for r in range(grid.rows):
                for q in range(grid.cols):
                    if view.kind[r, q] == DISCARDED:
                        text = format_number(view.grid[c, r, q]) if look.values else ""
                        self.paint_cells(grid, [(r, q, CellStyle("cropped_fill", text, ink="ink_dim"))], True)
        draw_swatches(self.painter, self.kinds_swatches)

    def auto_cell(self) -> int:
        spec = self.view.spec
        wg = int(self.view.grid.shape[2])
        columns = wg + spec.kernel_size[1] + spec.output_size[1] + 4
        return max(14, min(40, TARGET_WIDTH // columns))

    def plan(self) -> Layout:
        view = self.view
        spec = view.trace.spec
        c, hg, wg = view.grid.shape
        (in_t, in_d), (k_t, k_d), (out_t, out_d) = direct_titles(view, self.look.names, self.kernel_name)
        kh, kw = spec.kernel_size
        ho, wo = spec.output_size
        panels = [
            Panel("input", in_t, in_d, c, hg, wg, "channel"),
            Panel("kernel", k_t, k_d, spec.in_channels // spec.groups, kh, kw, "slice", captioned=True),
            Panel("output", out_t, out_d, spec.out_channels, ho, wo, "map"),
        ]
        layout = make_layout(spec, self.metrics, self.cell_px, self.look.values, panels)
        # The direct input's (0, 0) sits at ``offset`` in the spread grid.
        top, left = view.offset
        self.full_grids = dict(layout.inputs)
        shifted = {
            ch: Grid(g.x + left * g.cell, g.y + top * g.cell, spec.input_size[0], spec.input_size[1], g.cell)
            for ch, g in layout.inputs.items()
        }
        layout = replace(layout, grids={**layout.grids, "input": shifted})
        present = {int(k) for k in set(view.kind.ravel().tolist())}
        words = {REAL: "input", ZERO: "inserted zero", PADDING: "padding", DISCARDED: "discarded (negative pad)"}
        swatches = tuple((KIND_LOOK[k], words[k]) for k in (REAL, ZERO, PADDING, DISCARDED) if k in present)
        layout, self.kinds_swatches = add_legend(layout, self.metrics, [LegendItem("cells:", swatches)])
        return layout

    def kind_style(self, grid: Grid, row: int, col: int, style: CellStyle) -> CellStyle:
        """An input cell's look by kind: real input, inserted zero or padding (window or not)."""
        if grid not in self.layout.inputs.values():
            return style
        top, left = self.view.offset
        kind = int(self.view.kind[row + top, col + left])
        if kind == REAL:
            return style
        if style.fill in ("window_fill", "window_pad_fill"):
            return style._replace(fill="window_pad_fill", ink="ink_dim")
        if style.fill == "term_fill":
            return style
        return style._replace(fill=KIND_LOOK[kind], ink="ink_dim")

    def style_of(self, grid: Grid, row: int, col: int, style: CellStyle) -> CellStyle:
        return self.kind_style(grid, row, col, super().style_of(grid, row, col, style))


class ColouredDirectScene(ColouredScene, DirectScene):
    """The direct view, coloured by value when the numbers cannot be read (kinds keep their look)."""


__all__ = ["ColouredDirectScene", "DirectScene", "direct_titles"]
