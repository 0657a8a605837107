"""Colour by value: cells whose numbers cannot be read are coloured on a ramp, with a legend.

When cells are too small for their numbers (or ``--color-values`` asks for it), a picture of a
28×28 digit would be a grid of clipped digits. Instead each input, kernel and output cell is filled
with its value's step on a perceptually uniform, colour-blind-safe ramp (the theme's
``ramp_seq_*`` roles, viridis, for values of one sign; ``ramp_div_*``, blue - white - orange,
for signed values, centred on 0), and a small legend under the picture says which colour is which
number. The sum line keeps its numbers.

The value of a cell is read back from the text the scene gives it (the trace's number, formatted),
so every scene (forward, scatter, pooling, direct) is coloured by one override of
:meth:`Scene.cell`, whatever it draws: running sums and partial sums included. Padding and cropped
cells keep their own look, without numbers.

Also here: :class:`LegendItem` and :func:`add_legend`, the legend row any scene can put under its
picture (the direct view's "which cell is which", the overlap view's counts).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from .layout import Grid, Layout, Text
from .numbers import distinct, format_number
from .painter import CellStyle, Painter, TextMetrics, line_height, text_width
from .theme import RAMP_STEPS, ramp_ink, ramp_role

SMALLEST_TEXT = 8  # px: numbers smaller than this are not readable
SMALLEST_CELL = 14  # px: cells smaller than this carry no numbers
PLAIN_FILLS = ("pad_fill", "window_pad_fill", "cropped_fill", "output_empty", "inserted_fill")  # keep their look


@dataclass(frozen=True)
class Scale:
    """Values ``lo..hi`` onto the 24 steps of a ramp: ``seq`` (one sign) or ``div`` (signed, 0 central)."""

    kind: str
    lo: float
    hi: float

    @classmethod
    def of(cls, values: Any) -> Scale:
        """The scale for ``values`` (finite ones): diverging and symmetric when any is negative."""
        array = np.asarray(values, dtype=np.float64).ravel()
        array = array[np.isfinite(array)]
        lo, hi = (float(array.min()), float(array.max())) if array.size else (0.0, 1.0)
        if lo < 0:
            top = max(-lo, hi)
            return cls("div", -top, top)
        return cls("seq", lo, hi)

    def step(self, value: float) -> int:
        """The ramp step (0 to 23) of ``value``, clipped to the scale."""
        if self.hi <= self.lo:
            return RAMP_STEPS // 2 if self.kind == "div" else RAMP_STEPS - 1
        t = (value - self.lo) / (self.hi - self.lo)
        return min(RAMP_STEPS - 1, max(0, int(t * RAMP_STEPS)))

    def role(self, value: float) -> str:
        return ramp_role(self.kind, self.step(value))


def parse_number(text: str) -> float | None:
    """The number a cell's text writes (``−1.5``), or None (letters, ``−∞``, blank)."""
    try:
        value = float(text.replace("−", "-"))
    except ValueError:
        return None
    return value if np.isfinite(value) else None


def numbers_fit(metrics: TextMetrics, cell: int, values: Any) -> bool:
    """Whether every number of ``values`` can be written legibly in a ``cell``-px cell."""
    if cell < SMALLEST_CELL:
        return False
    array = np.asarray(values, dtype=np.float64).ravel()
    array = distinct(array[np.isfinite(array)])
    if array.size > 400:  # the extremes and a sample: the longest text is among them
        array = np.concatenate([array[:200], array[-200:]])
    longest = max((format_number(v) for v in array), key=len, default="0")
    return metrics.length(longest, SMALLEST_TEXT) <= cell - 4


# -- legends -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LegendItem:
    """One entry of a legend: a title, then swatches (fill role and word) or a ramp from lo to hi."""

    title: str
    swatches: tuple[tuple[str, str], ...] = ()
    ramp: Scale | None = None
    edge: str = "grid"


@dataclass(frozen=True)
class Swatch:
    """A legend square: its box (x0, y0, x1, y1) and fill role; drawn as a permanent polygon."""

    box: tuple[int, int, int, int]
    fill: str
    edge: str


def _ramp_texts(scale: Scale) -> tuple[str, str]:
    return format_number(scale.lo), format_number(scale.hi)


def add_legend(layout: Layout, metrics: TextMetrics, items: list[LegendItem]) -> tuple[Layout, list[Swatch]]:
    """``layout`` grown by a legend row (or rows) under it; the swatches the scene must draw.

    Items flow left to right and wrap at the picture's width (which grows if one item is wider).
    Words go into the layout's permanent texts.
    """
    if not items:
        return layout, []
    size = max(11, min(14, layout.strip_size - 2))
    box = max(12, line_height(metrics, size) - 2)
    margin = max(12, layout.cell // 2)
    gap = 24
    space = text_width(metrics, " ", size)
    step_w = max(6, box // 2)

    def item_width(item: LegendItem) -> int:
        width = text_width(metrics, item.title, size, bold=True) + space
        for _, word in item.swatches:
            width += box + 4 + text_width(metrics, word, size) + space
        if item.ramp is not None:
            lo, hi = _ramp_texts(item.ramp)
            width += text_width(metrics, lo, size) + 4 + RAMP_STEPS * step_w + 4 + text_width(metrics, hi, size)
        return width

    width = max(layout.width, max(item_width(i) for i in items) + 2 * margin)
    row_h = max(box, line_height(metrics, size)) + 6
    texts = list(layout.texts)
    swatches: list[Swatch] = []
    x, y = margin, layout.height
    for item in items:
        if x > margin and x + item_width(item) > width - margin:
            x, y = margin, y + row_h
        text_y = y + (box - line_height(metrics, size)) // 2
        texts.append(Text(x, text_y, item.title, size, bold=True))
        x += text_width(metrics, item.title, size, bold=True) + space
        for fill, word in item.swatches:
            swatches.append(Swatch((x, y, x + box, y + box), fill, item.edge))
            x += box + 4
            texts.append(Text(x, text_y, word, size, ink="ink_dim"))
            x += text_width(metrics, word, size) + space
        if item.ramp is not None:
            lo, hi = _ramp_texts(item.ramp)
            texts.append(Text(x, text_y, lo, size, ink="ink_dim"))
            x += text_width(metrics, lo, size) + 4
            for s in range(RAMP_STEPS):
                swatches.append(Swatch((x, y, x + step_w, y + box), ramp_role(item.ramp.kind, s), ""))
                x += step_w
            x += 4
            texts.append(Text(x, text_y, hi, size, ink="ink_dim"))
            x += text_width(metrics, hi, size)
        x += gap
    height = y + row_h + margin // 2
    grown = replace(layout, width=width + width % 2, height=height + height % 2, texts=tuple(texts))
    return grown, swatches


def draw_swatches(painter: Painter, swatches: list[Swatch]) -> None:
    """Draw legend swatches (permanent polygons; ramp steps without an edge)."""
    for s in swatches:
        x0, y0, x1, y1 = s.box
        points = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
        painter.polygon(points, s.fill, s.edge or None, permanent=True)


# -- the mixin ---------------------------------------------------------------------------------


class ValueColours:
    """Mixed in before a scene: colours the cells of its value panels when numbers cannot be read.

    The scene sets ``value_ranges`` (panel role -> every value that panel may show) before
    planning, or relies on :meth:`value_ranges_of`. ``look.color_values`` forces colouring.
    """

    trace: Any
    look: Any
    metrics: TextMetrics
    cell_px: int
    painter: Painter

    colour_scales: dict[Grid, Scale]
    _recoloured: dict[Grid, tuple[Scale, dict[CellStyle, CellStyle]]]  # grid -> its scale, the styles coloured on it
    legend_swatches: list[Swatch]
    keep_numbers: bool

    def value_ranges_of(self) -> dict[str, Any]:
        """Panel role -> the values its cells may show (input, kernel, output and running sums)."""
        from ..compute.tracer import ForwardSteps, PoolSteps, ScatterSteps

        trace = self.trace
        steps = trace.steps
        outputs = [np.asarray(trace.output, dtype=np.float64).ravel()]
        if isinstance(steps, ForwardSteps):
            outputs.append((steps.partial_sums + steps.bias[:, None]).ravel())
        elif isinstance(steps, (ScatterSteps, PoolSteps)):
            outputs.append(np.asarray(steps.running, dtype=np.float64).ravel())
        inputs = np.asarray(trace.input, dtype=np.float64).ravel()
        if any(trace.spec.padding) and not trace.spec.is_pool:
            inputs = np.append(inputs, 0.0)
        ranges: dict[str, Any] = {"input": inputs, "output": np.concatenate(outputs)}
        if trace.weight.size:
            ranges["kernel"] = np.asarray(trace.weight, dtype=np.float64).ravel()
        return ranges

    def colour_plan(self, layout: Layout, ranges: dict[str, Any], names: dict[str, str]) -> Layout:
        """Decide which panels are coloured, and grow ``layout`` by their legend."""
        self.colour_scales = {}
        self.legend_swatches = []
        self.keep_numbers = True
        self._recoloured = {}
        if self.trace.symbols is not None or not self.look.values:
            return layout
        forced = bool(getattr(self.look, "color_values", False))
        data_roles = [r for r in ("input", "output") if r in ranges]
        unreadable = not all(numbers_fit(self.metrics, self.cell_px, ranges[r]) for r in data_roles)
        if not (forced or unreadable):
            return layout
        self.keep_numbers = not unreadable
        roles: list[str] = list(data_roles)
        if "kernel" in ranges and (forced or not numbers_fit(self.metrics, self.cell_px, ranges["kernel"])):
            roles.append("kernel")
        items = []
        for role in roles:
            if role not in layout.grids:
                continue
            scale = Scale.of(ranges[role])
            for grid in layout.grids[role].values():
                self.colour_scales[grid] = scale
            items.append(LegendItem(f"{names.get(role, role)}:", ramp=scale))
        grown, self.legend_swatches = add_legend(layout, self.metrics, items)
        self._remember_scales()
        return grown

    def _remember_scales(self) -> None:
        """Each coloured grid's scale, and the styles coloured on it so far (shared by its grids)."""
        styles: dict[Scale, dict[CellStyle, CellStyle]] = {}
        self._recoloured = {grid: (scale, styles.setdefault(scale, {})) for grid, scale in self.colour_scales.items()}

    def coloured(self, grid: Grid, style: CellStyle) -> CellStyle:
        """``style`` as drawn on a coloured panel: the value's ramp step; padding stays as it is."""
        # A window shows the same few cells frame after frame: each style is coloured once per scale.
        found = self._recoloured.get(grid)
        if found is None:
            return style
        scale, styles = found
        coloured = styles.get(style)
        if coloured is None:
            coloured = styles[style] = self._on_scale(scale, style)
        return coloured

    def _on_scale(self, scale: Scale, style: CellStyle) -> CellStyle:
        if style.fill in PLAIN_FILLS or style.fill == "term_fill":  # the term at work stays highlighted
            return style if self.keep_numbers else CellStyle(style.fill)
        value = parse_number(style.text)
        if value is None:
            return style if self.keep_numbers else CellStyle(style.fill)
        step = scale.step(value)
        if self.keep_numbers:
            return CellStyle(ramp_role(scale.kind, step), style.text, ink=ramp_ink(scale.kind, step), bold=style.bold)
        return CellStyle(ramp_role(scale.kind, step))


class ColouredScene(ValueColours):
    """Mixed in before a :class:`~convanim.draw.scenes.Scene` subclass: its value panels coloured.

    ``class ColouredForward(ColouredScene, ForwardScene)`` draws as ``ForwardScene`` does while the
    numbers fit, and by colour when they do not (or ``look.color_values``).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        draw_swatches(self.painter, self.legend_swatches)

    def plan(self) -> Layout:
        layout: Layout = super().plan()  # type: ignore[misc]
        names = dict(zip(("input", "kernel", "output"), self.look.names, strict=True))
        return self.colour_plan(layout, self.value_ranges_of(), names)

    def style_of(self, grid: Grid, row: int, col: int, style: CellStyle) -> CellStyle:
        return self.coloured(grid, super().style_of(grid, row, col, style))  # type: ignore[misc]


__all__ = [
    "ColouredScene",
    "LegendItem",
    "Scale",
    "ValueColours",
    "add_legend",
    "draw_swatches",
    "numbers_fit",
    "parse_number",
]
