"""The volume view: a convolution as what it is, a C×H×W tensor to an F×H'×W' tensor.

The input is a block (channels as depth, the padding a shell of its own colour), each filter a block
``C/groups`` deep in its own colour, the output a block of ``F`` maps, in an oblique projection on a
16:9 frame (:mod:`.volume_geometry`). Each frame places the window, a sub-block through every
channel of the filter's group; the output cell it makes lights up in its map, in the filter's
colour; beside the filters, the per-channel partial sums, the bias and the total are written out,
and the sum line says the same. Positions run inside filters, filters outside (the trace's order).

Channel ``C - 1`` is at the front of a block and channel 0 at the back, so the output grows toward
the reader map by map. Numbers are written on the front faces; the faces behind are coloured by
role, or by value (:mod:`.ramp`) when cells are too small for numbers or ``color_values`` asks.

:class:`SeparableScene` draws a depthwise-separable layer in one animation: the depthwise stage
(``C`` filters ``k×k×1``), whose output block is the input block of the 1×1 stage (``F`` filters
``1×1×C``), with the parameter counts of both against one full convolution on the frame.

Geometry is computed once per picture (:meth:`VolumeScene.plan`, and each block keeps its layers'
grids and its windows' faces); the steps are read from the trace once per picture too
(:class:`Walk`), so a frame costs the few dozen cells and polygons it changes, through the painter
seam, and every format draws it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..compute import separable
from ..compute.spec import ConvSpec
from ..compute.tracer import ForwardSteps, Trace
from ..errors import SpecError
from ..plan.storyboard import Frame
from .labels import Labels
from .layout import Layout, Text
from .numbers import distinct, format_number
from .painter import CellStyle, Medium, line_height, text_width
from .ramp import SMALLEST_CELL, LegendItem, Scale, Swatch, add_legend, draw_swatches
from .scenes import Look, Scene
from .theme import FILTER_COLOURS, ramp_role
from .volume_geometry import Block, SubBlock, depth_step

FRAME = (1280, 720)  # px: the automatic cell keeps the picture within this 16:9 frame if it can
SLIDE = (1920, 1080)
MAX_CELL = 44
LEGIBLE = 20  # px: the smallest automatic cell that carries numbers (smaller ones are coloured by value)
MAX_SUMS = 6  # channel lines written beside the filters; more are summarised
MAX_FILTERS = 4  # filters drawn; more are summarised by a note


def pick(count: int, limit: int) -> list[int]:
    """Which of ``count`` items are drawn: all up to ``limit``, else the first ``limit - 1`` and the last."""
    return list(range(count)) if count <= limit else [*range(limit - 1), count - 1]


def filter_fill(f: int) -> str:
    """Filter ``f``'s colour (the colours repeat after :data:`FILTER_COLOURS`)."""
    return f"filter_{f % FILTER_COLOURS}"


def filter_edge(f: int) -> str:
    return f"filter_{f % FILTER_COLOURS}_edge"


def shape_text(*sizes: int) -> str:
    """A shape in PyTorch order: ``(3, 5, 5)``."""
    return "(" + ", ".join(str(s) for s in sizes) + ")"


@dataclass
class Stage:
    """One convolution of the picture: its trace, and where its blocks and words go."""

    trace: Trace
    steps: ForwardSteps
    labels: Labels
    first: int  # the global step of its step 0
    source: Block  # the input block (padded)
    filters: dict[int, Block]  # the filters shown
    target: Block  # the output block
    sums: tuple[int, int, int, int]  # x, y, width, line height of the per-channel sums column
    sums_size: int
    result: str  # what the sum line calls the output


@dataclass
class Plan:
    """A whole picture's geometry at one cell size."""

    layout: Layout
    stages: list[Stage]


@dataclass(frozen=True)
class Walk:
    """A stage's steps as plain numbers, read from the trace once per picture (not picked from numpy each frame).

    ``front`` are the taps in the filter's last channel: the block's front layer when the filter's
    group reaches it (the window's cells that carry numbers), with their kernel cells.
    """

    outputs: list[list[int]]  # per step: filter, row, column of the output cell it makes
    windows: list[list[int]]  # per step: first row, last row, first column, last column of its window
    front: list[tuple[int, int, int]]  # kernel cell (channel in group, row, column) of each front tap
    front_cells: NDArray[Any]  # (steps, front taps, 2): row, column of each front tap's input cell
    front_padding: NDArray[np.bool_]  # (steps, front taps): whether it lies in the padding

    @classmethod
    def of(cls, steps: ForwardSteps, in_group: int) -> Walk:
        taps = np.flatnonzero(steps.kernel_cells[:, 0] == in_group - 1)
        rows, cols = steps.input_cells[:, :, 1], steps.input_cells[:, :, 2]
        windows = np.stack([rows.min(axis=1), rows.max(axis=1), cols.min(axis=1), cols.max(axis=1)], axis=1)
        return cls(
            outputs=steps.output_cells.tolist(),
            windows=windows.tolist(),
            front=[(int(c), int(r), int(q)) for c, r, q in steps.kernel_cells[taps]],
            front_cells=steps.input_cells[:, taps, 1:],
            front_padding=steps.in_padding[:, taps],
        )


class VolumeScene(Scene):
    """A forward convolution as blocks: ``--view volume``."""

    def __init__(self, trace: Trace, look: Look, medium: Medium) -> None:
        check(trace)
        self.traces = self.stage_traces(trace)
        self.stages: list[Stage] = []
        # Measured once: the automatic cell size tries many sizes, each measuring the same words.
        self._widths: dict[tuple[str, int, bool], int] = {}
        self._sums_widths: dict[tuple[int, int], int] = {}
        self._sums_lines: dict[int, list[str]] = {}
        # One colour scale per block: the input, then each stage's output (the next stage's input).
        self.scales = [Scale.of(self.traces[0].input), *(Scale.of(t.output) for t in self.traces)]
        self.legend_swatches: list[Swatch] = []
        super().__init__(trace, look, medium)
        self.walks = [Walk.of(s.steps, s.trace.spec.in_channels // s.trace.spec.groups) for s in self.stages]
        self._texts: dict[tuple[int, int, int, int], str] = {}  # source cells' numbers, by stage and cell
        self._weights: dict[tuple[int, int, int, int, int], str] = {}  # kernel weights, by stage and index
        # Colours by value where numbers would not be read: asked for, or cells too small for them.
        self.by_value = self._by_value(self.cell_px)
        self.done = 0
        self.maps_shown: list[set[int]] = [set() for _ in self.stages]
        self._draw_static()

    # -- what is drawn ----------------------------------------------------------------------

    def stage_traces(self, trace: Trace) -> list[Trace]:
        """The convolutions the picture chains (one here; two for a separable layer)."""
        return [trace]

    def stage_titles(self, index: int) -> tuple[str, str, str]:
        """(filters title, filters detail, output title) of stage ``index``."""
        spec = self.traces[index].spec
        f, cg = spec.out_channels, spec.in_channels // spec.groups
        kh, kw = spec.kernel_size
        noun = "filter" if f == 1 else "filters"
        title = f"{f} {noun} {shape_text(f, cg, kh, kw)}" + (" + bias" if spec.bias else "")
        ho, wo = spec.output_size
        return title, hyper_text(spec), f"output {shape_text(f, ho, wo)}"

    def extra_line(self) -> str:
        """A permanent line over the sum line (the separable view's parameter counts)."""
        return ""

    # -- geometry, once per picture ---------------------------------------------------------

    def auto_cell(self) -> int:
        """The cell size when none is asked for: numbers legible on a 1280x720 frame, else on 1920x1080.

        The largest cell from :data:`LEGIBLE` to 44 px that fits 1280x720, else 1920x1080; when even
        that is too big, the largest smaller cell that fits 1920x1080, coloured by value (numbers that
        small are not read).
        """
        for limit, smallest in ((FRAME, LEGIBLE), (SLIDE, LEGIBLE), (SLIDE, 8)):
            for cell in range(MAX_CELL if smallest == LEGIBLE else LEGIBLE - 1, smallest - 1, -1):
                width, height = self._size(cell)
                if width <= limit[0] and height <= limit[1]:
                    return cell
        return 8

    def _size(self, cell: int) -> tuple[int, int]:
        """The frame :meth:`_plan` would make at ``cell``, from the measuring pass alone."""
        width, height, _ = self._place(cell, 0, 0, None)
        m = _frame_unit(width, height)
        return 16 * m, 9 * m

    def plan(self) -> Layout:
        made = self._plan(self.cell_px)
        self.stages = made.stages
        return made.layout

    def _plan(self, cell: int) -> Plan:
        """Place every block and word at cell size ``cell``: measure first, then centre on a 16:9 frame."""
        width, height, _ = self._place(cell, 0, 0, None)
        m = _frame_unit(width, height)
        frame_w, frame_h = 16 * m, 9 * m
        _, _, plan = self._place(cell, (frame_w - width) // 2, (frame_h - height) // 2, (frame_w, frame_h))
        assert plan is not None
        return plan

    def _width(self, text: str, size: int, bold: bool = False) -> int:
        """:func:`text_width`, measured once a text."""
        key = (text, size, bold)
        found = self._widths.get(key)
        if found is None:
            found = self._widths[key] = text_width(self.metrics, text, size, bold)
        return found

    def _place(self, cell: int, ox: int, oy: int, frame: tuple[int, int] | None) -> tuple[int, int, Plan | None]:
        metrics = self.metrics
        traces = self.traces
        measure = self._width
        margin = max(16, cell // 2)
        gap = max(28, cell)
        title_size = max(14, min(20, round(cell * 0.5)))
        detail_size = max(12, title_size - 3)
        small = max(12, min(16, round(cell * 0.4)))
        title_h, detail_h, small_h = (line_height(metrics, s) for s in (title_size, detail_size, small))
        deepest = max(max(t.spec.in_channels, t.spec.out_channels) for t in traces)
        ds = depth_step(cell, deepest)
        x = margin + ox
        top = margin + oy + title_h + detail_h + max(6, cell // 4)
        texts: list[Text] = []
        columns_bottom = top

        def block_column(rows: int, cols: int, depth: int, title: str, detail: str) -> Block:
            nonlocal x, columns_bottom
            block = Block(x, top + deepest * ds, rows, cols, depth, cell, ds)
            texts.append(Text(x, margin + oy, title, title_size, bold=True))
            if detail:
                texts.append(Text(x, margin + oy + title_h, detail, detail_size, ink="ink_dim"))
            width = max(
                block.width,
                measure(title, title_size, bold=True),
                measure(detail, detail_size) if detail else 0,
            )
            columns_bottom = max(columns_bottom, block.y + rows * cell + 1)
            x += width + gap
            return block

        stages: list[Stage] = []
        first_spec = traces[0].spec
        hp, wp = first_spec.padded_input_size
        c = first_spec.in_channels
        pad = f", pad {pad_text(first_spec.padding)}" if any(first_spec.padding) else ""
        front = f"front: channel #{c - 1}, back: #0" if c > 1 else ""
        h, w = first_spec.input_size
        source = block_column(hp, wp, c, f"input {shape_text(c, h, w)}{pad}", front)
        first_step = 0
        for index, t in enumerate(traces):
            spec = t.spec
            assert isinstance(t.steps, ForwardSteps)
            f, cg = spec.out_channels, spec.in_channels // spec.groups
            kh, kw = spec.kernel_size
            title, detail, out_title = self.stage_titles(index)
            # The filters, stacked.
            col_x = x
            y = top
            filters: dict[int, Block] = {}
            heading = max(measure(title, title_size, bold=True), measure(detail, detail_size))
            col_w = 0
            texts.append(Text(col_x, margin + oy, title, title_size, bold=True))
            if detail:
                texts.append(Text(col_x, margin + oy + title_h, detail, detail_size, ink="ink_dim"))
            for number in pick(f, MAX_FILTERS):
                label = f"filter #{number}" + (f" · bias {format_number(t.bias[number])}" if t.bias is not None else "")
                if f > MAX_FILTERS and number == f - 1:
                    more = f"… {f - MAX_FILTERS} more not shown"
                    texts.append(Text(col_x, y, more, small, ink="ink_dim"))
                    col_w = max(col_w, measure(more, small))
                    y += small_h
                texts.append(Text(col_x, y, label, small))
                col_w = max(col_w, measure(label, small))
                y += small_h + cg * ds
                block = Block(col_x, y, kh, kw, cg, cell, ds)
                filters[number] = block
                col_w = max(col_w, block.width)
                y += kh * cell + 1 + max(8, cell // 3)
            columns_bottom = max(columns_bottom, y)
            # The per-channel sums beside them (the heading spans both columns).
            sums_x = col_x + col_w + max(16, cell // 2)
            sums_w = self._sums_width(index, small)
            texts.append(Text(sums_x, top, "per channel", small, ink="ink_dim"))
            sums = (sums_x, top + small_h, sums_w, small_h)
            lines = min(cg, MAX_SUMS) + 3
            columns_bottom = max(columns_bottom, top + small_h * (lines + 1))
            x = max(sums_x + sums_w, col_x + heading) + gap
            ho, wo = spec.output_size
            last = index == len(traces) - 1
            out_detail = formula_text(spec) if last or index == 0 else ""
            target = block_column(ho, wo, f, out_title, out_detail)
            labels = Labels(t, show=self.look.values)
            stages.append(
                Stage(
                    t,
                    t.steps,
                    labels,
                    first_step,
                    source,
                    filters,
                    target,
                    sums,
                    small,
                    "output" if last else "depthwise output",
                )
            )
            first_step += len(t.steps)
            source = target
        width = x - gap + margin - ox
        y = columns_bottom + max(8, cell // 3)
        extra = self.extra_line()
        if extra:
            texts.append(Text(margin + ox, y, extra, detail_size))
            width = max(width, measure(extra, detail_size) + 2 * margin)
            y += detail_h + 4
        strip_size = title_size
        strip_h = line_height(metrics, strip_size)
        strip = (
            (margin + ox, y, (frame[0] if frame else width) - 2 * (margin + ox), strip_h) if self.look.values else None
        )
        y += strip_h
        swatches: list[Swatch] = []
        if self._by_value(cell):
            # The legend under the sum line: laid out by add_legend from the left margin, moved to ours.
            y += max(4, cell // 6)
            room = Layout(width, y, cell, {}, tuple(texts), None, strip_size, {}, None)
            grown, swatches = add_legend(room, metrics, self._legend_items())
            dx = margin + ox - max(12, cell // 2)
            texts += [Text(t.x + dx, t.y, t.text, t.size, t.bold, t.ink) for t in grown.texts[len(texts) :]]
            swatches = [
                Swatch((x0 + dx, y0, x1 + dx, y1), s.fill, s.edge) for s in swatches for x0, y0, x1, y1 in [s.box]
            ]
            width = max(width, grown.width - 2 * max(12, cell // 2) + 2 * margin)
            y = grown.height
        height = y + margin - oy
        if frame is None:
            return width, height, None
        self.legend_swatches = swatches
        layout = Layout(
            width=frame[0],
            height=frame[1],
            cell=cell,
            grids={},
            texts=tuple(texts),
            strip=strip,
            strip_size=strip_size,
            captions={},
            kernel_caption=None,
        )
        return width, height, Plan(layout, stages)

    def _sums_width(self, index: int, size: int) -> int:
        """Room for the longest per-channel line of stage ``index``: ``ch #12: −123.5``, ``+ bias 3``, ``= 40``."""
        found = self._sums_widths.get((index, size))
        if found is None:
            lines = self._sums_lines.get(index)
            if lines is None:
                lines = self._sums_lines[index] = self._longest_sums(self.traces[index])
            found = self._sums_widths[index, size] = max(self._width(w, size) for w in lines) + 8
        return found

    def _longest_sums(self, t: Trace) -> list[str]:
        """The per-channel lines at their longest (whatever the font size: the longest number is read once)."""
        steps = t.steps
        assert isinstance(steps, ForwardSteps)
        spec = t.spec
        cg = spec.in_channels // spec.groups
        per = steps.products.shape[1] // cg
        sums = steps.products.reshape(len(steps), cg, per).sum(axis=2)
        numbers = np.concatenate([sums.ravel(), steps.values.ravel(), [0 if t.bias is None else t.bias.max()]])
        if np.all(np.mod(numbers, 1) == 0):
            sample = np.array([numbers.min(), numbers.max()])  # whole numbers: the longest is an extreme
        else:
            sample = distinct(numbers)
            if sample.size > 2000:
                sample = np.concatenate([sample[:1000], sample[-1000:]])
        longest = max((format_number(v) for v in sample), key=len)
        return [f"ch #{spec.in_channels - 1}: {longest}", f"+ bias {longest}", f"= {longest}", "per channel"]

    # -- the static picture -----------------------------------------------------------------

    def _by_value(self, cell: int) -> bool:
        """Whether cells of ``cell`` px are coloured by value: asked for, or too small for numbers."""
        smallest = SMALLEST_CELL if self.look.cell_px is not None else LEGIBLE
        return self.look.color_values or cell < smallest

    def _legend_items(self) -> list[LegendItem]:
        """What the colours say when cells are coloured by value: each block's ramp."""
        names = ["input", *(self.stage_titles(i)[2].split(" (")[0] for i in range(len(self.traces)))]
        return [LegendItem(f"{name}:", ramp=scale) for name, scale in zip(names, self.scales, strict=True)]

    def _draw_static(self) -> None:
        draw_swatches(self.painter, self.legend_swatches)
        self._draw_input(self.stages[0])
        for stage in self.stages:
            for number, block in stage.filters.items():
                self._draw_filter(stage, number, block)
            self.painter.polygon(stage.target.silhouette(), "background", "grid", permanent=True)

    def _value_fill(self, block: int, value: Any) -> str:
        """The ramp colour of ``value`` in block ``block`` (0: the input, i + 1: stage i's output)."""
        scale = self.scales[block]
        return ramp_role(scale.kind, scale.step(float(value)))

    def _in_padding(self, stage: Stage, r: int, q: int) -> bool:
        """Whether padded cell (r, q) of the first stage's input is padding."""
        spec = stage.trace.spec
        ph, pw = spec.padding
        h, w = spec.input_size
        return not (ph <= r < ph + h and pw <= q < pw + w)

    def _input_fill(self, stage: Stage, c: int, r: int, q: int) -> str:
        """The fill of padded input cell (c, r, q) of the first stage."""
        spec = stage.trace.spec
        if self._in_padding(stage, r, q):
            return "pad_fill"
        if self.by_value:
            ph, pw = spec.padding
            return self._value_fill(0, stage.trace.input[c, r - ph, q - pw])
        if spec.groups > 1:
            group = c // (spec.in_channels // spec.groups)
            return filter_fill(group * (spec.out_channels // spec.groups))
        return "input_fill"

    def _input_style(self, stage: Stage, c: int, r: int, q: int) -> CellStyle:
        """Padded input cell (c, r, q) of the first stage: its fill, and its number unless coloured by value."""
        text = "" if self.by_value else stage.labels.input(c, r, q, padded=True)
        ink = "ink_dim" if self._in_padding(stage, r, q) else "ink"
        return CellStyle(self._input_fill(stage, c, r, q), text, ink=ink)

    def _draw_input(self, stage: Stage) -> None:
        block, painter = stage.source, self.painter
        last = block.cols - 1
        for c in range(block.depth):
            for q in range(block.cols):
                painter.polygon(block.top(c, q), self._input_fill(stage, c, 0, q), "grid", permanent=True)
            for r in range(block.rows):
                painter.polygon(block.right(c, r), self._input_fill(stage, c, r, last), "grid", permanent=True)
        spec = stage.trace.spec
        if spec.groups > 1:
            # Which group each channel is in, along the depth edge (the padding shell hides it elsewhere).
            per, filters = spec.in_channels // spec.groups, spec.out_channels // spec.groups
            for c in range(block.depth):
                group = c // per
                fill, edge = filter_fill(group * filters), filter_edge(group * filters)
                painter.polygon(block.ruler(c), fill, edge, permanent=True)
        front = block.depth - 1
        grid = block.front(front)
        for r in range(block.rows):
            for q in range(block.cols):
                x, y = grid.origin(r, q)
                painter.cell(x, y, self._input_style(stage, front, r, q), permanent=True)

    def _draw_filter(self, stage: Stage, f: int, block: Block) -> None:
        fill, painter = filter_fill(f), self.painter
        for cl in range(block.depth):
            for q in range(block.cols):
                painter.polygon(block.top(cl, q), fill, "grid", permanent=True)
            for r in range(block.rows):
                painter.polygon(block.right(cl, r), fill, "grid", permanent=True)
        grid = block.front(block.depth - 1)
        for r in range(block.rows):
            for q in range(block.cols):
                text = "" if self.by_value else stage.labels.weight((f, block.depth - 1, r, q))
                x, y = grid.origin(r, q)
                painter.cell(x, y, CellStyle(fill, text), permanent=True)

    # -- steps ------------------------------------------------------------------------------

    def locate(self, step: int) -> tuple[int, int]:
        """(stage, its step) of global step ``step``."""
        for index in range(len(self.stages) - 1, -1, -1):
            if step >= self.stages[index].first:
                return index, step - self.stages[index].first
        raise IndexError(step)

    def _output_style(self, index: int, n: int, bold: bool = False) -> CellStyle:
        stage = self.stages[index]
        f, r, q = self.walks[index].outputs[n]
        if self.by_value:
            return CellStyle(self._value_fill(index + 1, stage.trace.output[f, r, q]), bold=bold)
        return CellStyle(filter_fill(f), stage.labels.forward_cell(n), bold=bold)

    def _show_map(self, index: int, f: int) -> None:
        """Map ``f`` of stage ``index`` appears, empty, in front of the maps before it."""
        if f in self.maps_shown[index]:
            return
        block, painter = self.stages[index].target, self.painter
        for q in range(block.cols):
            painter.polygon(block.top(f, q), "output_empty", "grid", permanent=True)
        for r in range(block.rows):
            painter.polygon(block.right(f, r), "output_empty", "grid", permanent=True)
        grid = block.front(f)
        empty = CellStyle("output_empty")
        for r in range(block.rows):
            for q in range(block.cols):
                x, y = grid.origin(r, q)
                painter.cell(x, y, empty, permanent=True)
        self.maps_shown[index].add(f)

    def advance(self, step: int) -> None:
        """Make step ``step``'s output cell part of the permanent picture (its map first, if new)."""
        index, n = self.locate(step)
        f, r, q = self.walks[index].outputs[n]
        self._show_map(index, f)
        block, painter = self.stages[index].target, self.painter
        style = self._output_style(index, n)
        if r == 0:
            painter.polygon(block.top(f, q), style.fill, "grid", permanent=True)
        if q == block.cols - 1:
            painter.polygon(block.right(f, r), style.fill, "grid", permanent=True)
        x, y = block.front(f).origin(r, q)
        painter.cell(x, y, style, permanent=True)
        self.done = max(self.done, step + 1)

    def draw(self, frame: Frame) -> None:
        painter = self.painter
        painter.begin()
        while self.done < frame.step:
            self.advance(self.done)
        index, n = self.locate(frame.step)
        stage, walk = self.stages[index], self.walks[index]
        spec = stage.trace.spec
        f, orow, ocol = walk.outputs[n]
        cg = spec.in_channels // spec.groups
        group_first = f // (spec.out_channels // spec.groups) * cg
        r0, r1, q0, q1 = walk.windows[n]
        source = stage.source
        window = source.sub_block((r0, r1), (q0, q1), (group_first, group_first + cg - 1))
        # The window: a sub-block through every channel of the filter's group.
        if window.on_front:
            painter.polygon(window.top, "window_fill", "window_edge")
            painter.polygon(window.right, "window_fill", "window_edge")
            front = source.depth - 1
            grid = source.front(front)
            padding = walk.front_padding[n].tolist()
            for (r, q), pad, kernel in zip(walk.front_cells[n].tolist(), padding, walk.front, strict=True):
                fill, ink = ("window_pad_fill", "ink_dim") if pad else ("window_fill", "ink")
                text = corner = ""
                if self.by_value and not pad:  # the value's colour: the outline marks the window
                    fill = self._source_fill(index, front, r, q)
                elif not self.by_value:
                    text = self._source_text(index, front, r, q)
                    corner = self._weight(index, f, kernel)
                x, y = grid.origin(r, q)
                painter.cell(x, y, CellStyle(fill, text, ink=ink, corner=corner))
            painter.outline(window.box, "window_edge")
        else:
            # Inside the block, behind the channels in front: a wireframe, so the front numbers stay.
            self._wireframe(window)
        # The filter at work.
        block = stage.filters.get(f)
        if block is not None:
            grid = block.front(block.depth - 1)
            painter.outline(grid.box(0, 0, block.rows - 1, block.cols - 1), filter_edge(f))
        # The output cell it makes, in its map.
        target = stage.target
        self._show_map(index, f)
        grid = target.front(f)
        x, y = grid.origin(orow, ocol)
        painter.cell(x, y, self._output_style(index, n, bold=True))
        painter.outline(grid.box(orow, ocol, orow, ocol), filter_edge(f))
        if self.look.values:
            self._write_sums(stage, n, f, cg, group_first)
            self.sum_line(*stage.labels.forward_sum(n, None, f, orow, ocol, stage.result))

    def _source_fill(self, index: int, c: int, r: int, q: int) -> str:
        """The ramp colour of stage ``index``'s padded input cell (c, r, q) (not padding)."""
        spec = self.stages[index].trace.spec
        ph, pw = spec.padding
        return self._value_fill(index, self.stages[index].trace.input[c, r - ph, q - pw])

    def _source_text(self, index: int, c: int, r: int, q: int) -> str:
        """The number of stage ``index``'s padded input cell (c, r, q), made once a cell."""
        key = (index, c, r, q)
        text = self._texts.get(key)
        if text is None:
            text = self._texts[key] = self.stages[index].labels.input(c, r, q, padded=True)
        return text

    def _weight(self, index: int, f: int, kernel: tuple[int, int, int]) -> str:
        """Filter ``f``'s weight at ``kernel`` (channel in group, row, column) in stage ``index``, made once."""
        key = (index, f, *kernel)
        text = self._weights.get(key)
        if text is None:
            text = self._weights[key] = self.stages[index].labels.weight((f, *kernel))
        return text

    def _wireframe(self, window: SubBlock) -> None:
        """The edges of a sub-block inside a block: its front and back rectangles and the four edges between."""
        painter = self.painter
        painter.outline(window.box, "window_edge", 2)
        painter.outline(window.back, "window_edge", 1)
        for line in window.edges:
            painter.polygon(line, "window_edge")

    def _write_sums(self, stage: Stage, n: int, f: int, cg: int, group_first: int) -> None:
        """Beside the filters: each channel's share, the bias, the total."""
        x, y, width, line = stage.sums
        size = stage.sums_size
        steps = stage.steps
        per = steps.products.shape[1] // cg
        lines = []
        for cl in pick(cg, MAX_SUMS):
            lines.append(f"ch #{group_first + cl}: {stage.labels.channel_sum(n, cl * per, cl * per + per - 1)}")
        if cg > MAX_SUMS:
            lines.insert(-1, "…")
        if stage.trace.bias is not None:
            lines.append(f"+ bias {stage.labels.bias(f)}")
        lines.append(f"= {stage.labels.forward_value(n)}")
        for i, text in enumerate(lines):
            self.painter.words(x, y + i * line, text.split(), size, width)


class SeparableScene(VolumeScene):
    """A depthwise-separable layer: depthwise k×k, then 1×1 across channels, in one animation."""

    def stage_traces(self, trace: Trace) -> list[Trace]:
        return list(separable.stages(trace))

    def stage_titles(self, index: int) -> tuple[str, str, str]:
        spec = self.traces[index].spec
        ho, wo = spec.output_size
        f = spec.out_channels
        kh, kw = spec.kernel_size
        if index == 0:
            return (
                f"1. depthwise {shape_text(f, 1, kh, kw)}",
                "one filter per channel" + (f", stride {pad_text(spec.stride)}" if spec.stride != (1, 1) else ""),
                f"depthwise output {shape_text(f, ho, wo)}",
            )
        return (
            f"2. pointwise {shape_text(f, spec.in_channels, 1, 1)}" + (" + bias" if spec.bias else ""),
            "1×1 across channels",
            f"output {shape_text(f, ho, wo)}",
        )

    def extra_line(self) -> str:
        full = self.trace.spec
        counts = separable.params(full)
        kh, kw = full.kernel_size
        return (
            f"parameters: depthwise {counts.depthwise} + pointwise {counts.pointwise} = {counts.separable}, against "
            f"{counts.full} for one full {kh}×{kw} convolution "
            f"{shape_text(full.out_channels, full.in_channels, kh, kw)}"
            f"{' + bias' if full.bias else ''}: {counts.full / counts.separable:.1f}× as many"
        )


def check(trace: Trace) -> None:
    """Refuse what the volume view does not draw."""
    spec = trace.spec
    if spec.transposed:
        raise SpecError("‹view› volume draws a forward convolution: drop ‹transposed›")
    if spec.is_pool:
        raise SpecError(f"‹view› volume draws a convolution, not ‹op› {spec.op}: drop ‹view›")
    if trace.symbols is not None:
        raise SpecError("‹view› volume draws numbers: drop ‹values› symbolic")


def pad_text(pair: tuple[int, int]) -> str:
    return str(pair[0]) if pair[0] == pair[1] else f"{pair[0]}×{pair[1]}"


def hyper_text(spec: ConvSpec) -> str:
    """``stride 2, groups 3``: what differs from the defaults."""
    words = []
    if spec.stride != (1, 1):
        words.append(f"stride {pad_text(spec.stride)}")
    if spec.dilation != (1, 1):
        words.append(f"dilation {pad_text(spec.dilation)}")
    if spec.groups > 1:
        words.append(f"groups {spec.groups}" + (" (depthwise)" if spec.groups == spec.in_channels else ""))
    return ", ".join(words)


def formula_text(spec: ConvSpec) -> str:
    """The output size: ``⌊(5 + 2·1 − 3) / 2⌋ + 1 = 3`` (per axis when they differ)."""
    parts = []
    axes = (
        [0]
        if spec.input_size[0] == spec.input_size[1]
        and spec.kernel_size[0] == spec.kernel_size[1]
        and spec.stride[0] == spec.stride[1]
        and spec.padding[0] == spec.padding[1]
        and spec.dilation[0] == spec.dilation[1]
        else [0, 1]
    )
    for axis in axes:
        n, k, s, p = spec.input_size[axis], spec.kernel_span[axis], spec.stride[axis], spec.padding[axis]
        inner = f"{n}" + (f" + 2·{p}" if p else "") + f" − {k}"
        parts.append((f"⌊({inner}) / {s}⌋ + 1" if s > 1 else f"{inner} + 1") + f" = {spec.output_size[axis]}")
    return ",  ".join(parts)


def _frame_unit(width: int, height: int) -> int:
    """The smallest even ``m`` whose 16m x 9m frame holds ``width`` x ``height`` (even sides: video needs them)."""
    m = max(-(-width // 16), -(-height // 9))
    return m + m % 2


__all__ = ["SeparableScene", "VolumeScene"]
