"""What each cell and sum line says: the trace's numbers, or names and expressions when symbolic.

The scenes ask this one place for every piece of text, so numbered and lettered pictures are the
same drawing code, and both read only from the trace.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from ..compute.symbolic import ScatterExpressions, collect, forward_expression, forward_terms, scatter_expressions
from ..compute.tracer import ForwardSteps, ScatterSteps, Trace
from .numbers import format_number

SHORT = 7  # longest expression written whole inside a cell; the sum line always has it whole


class Labels:
    """Text for one trace. ``show=False`` (``--no-values``) makes every cell blank."""

    def __init__(self, trace: Trace, show: bool = True) -> None:
        self.trace = trace
        self.show = show
        self.symbols = trace.symbols

    @property
    def symbolic(self) -> bool:
        return self.symbols is not None

    def _cell(self, text: str) -> str:
        return text if self.show else ""

    # -- cells ------------------------------------------------------------------------------

    def input(self, c: int, r: int, q: int, padded: bool) -> str:
        """An input cell; ``padded`` coordinates include the padding ring (forward)."""
        if padded:
            ph, pw = self.trace.spec.padding
            h, w = self.trace.spec.input_size
            if not (ph <= r < ph + h and pw <= q < pw + w):
                return self._cell("0")
            r, q = r - ph, q - pw
        if self.symbols is not None:
            return self._cell(str(self.symbols.input[c, r, q]))
        return self._cell(format_number(self.trace.input[c, r, q]))

    def weight(self, index: tuple[int, ...]) -> str:
        if self.symbols is not None:
            return self._cell(str(self.symbols.weight[index]))
        return self._cell(format_number(self.trace.weight[index]))

    def fits(self, text: str) -> str:
        """An expression for a cell: itself when short, else its first term and '+…'."""
        if len(text) <= SHORT:
            return text.replace(" + ", "+") if len(text) > SHORT - 2 else text
        first = text.split(" + ")[0]
        return first + "+…" if len(first) <= SHORT - 2 else "…"

    def output(self, f: int, r: int, q: int) -> str:
        """The final output cell."""
        if self.symbols is None:
            return self._cell(format_number(self.trace.output[f, r, q]))
        if isinstance(self.trace.steps, ScatterSteps):
            return self._cell(self.fits(str(self.scatter.output[f, r, q])))
        ho, wo = self.trace.spec.output_size
        return self._cell(self.fits(self.forward_value((f * ho + r) * wo + q)))

    # -- forward ----------------------------------------------------------------------------

    @property
    def _forward(self) -> ForwardSteps:
        assert isinstance(self.trace.steps, ForwardSteps)
        return self.trace.steps

    def forward_value(self, n: int, term: int | None = None) -> str:
        """Step ``n``'s output (or its partial sum through ``term``), full length."""
        if self.symbols is not None:
            return forward_expression(self.trace, self.symbols, n, term)
        steps = self._forward
        return format_number(steps.values[n] if term is None else steps.partial_sums[n, term])

    def forward_cell(self, n: int, term: int | None = None) -> str:
        return self._cell(self.fits(self.forward_value(n, term)) if self.symbols else self.forward_value(n, term))

    def forward_terms(self, n: int, upto: int) -> list[str]:
        """The sum line's terms of step ``n`` through ``upto``: ``2·3`` or ``ay``."""
        if self.symbols is not None:
            return forward_terms(self.trace, self.symbols, n, upto)
        steps = self._forward
        return [
            f"{format_number(steps.input_values[n, k])}·{format_number(steps.kernel_values[n, k])}"
            for k in range(upto + 1)
        ]

    def channel_sum(self, n: int, lo: int, hi: int) -> str:
        """Terms ``lo..hi`` of step ``n`` added up (one input channel's share)."""
        if self.symbols is not None:
            return f"({collect(forward_terms(self.trace, self.symbols, n, hi, start=lo))})"
        return format_number(self._forward.products[n, lo : hi + 1].sum())

    def bias(self, f: int) -> str:
        if self.symbols is not None and self.symbols.bias is not None:
            return str(self.symbols.bias[f])
        assert self.trace.bias is not None
        return format_number(self.trace.bias[f])

    # -- transposed -------------------------------------------------------------------------

    @cached_property
    def scatter(self) -> ScatterExpressions:
        assert self.symbols is not None
        return scatter_expressions(self.trace, self.symbols)

    def scatter_input(self, n: int) -> str:
        c, i, j = (int(v) for v in self._scatter.input_cells[n])
        return self.input(c, i, j, padded=False)

    @property
    def _scatter(self) -> ScatterSteps:
        assert isinstance(self.trace.steps, ScatterSteps)
        return self.trace.steps

    def running(self, n: int, a: int, i: int, j: int) -> str:
        """The canvas cell after step ``n`` stamped it (full text)."""
        if self.symbols is not None:
            return str(self.scatter.running[n][a, i, j])
        return format_number(self._scatter.running[n, a, i, j])

    def running_cell(self, n: int, a: int, i: int, j: int) -> str:
        text = self.running(n, a, i, j)
        return self._cell(self.fits(text) if self.symbols else text)

    def overlap(self, n: int, a: int, i: int, j: int) -> str:
        """How step ``n`` added to a cell already stamped: ``3+2=5`` or ``ay + bx``."""
        if self.symbols is not None:
            return str(self.scatter.running[n][a, i, j])
        steps = self._scatter
        new, total = steps.stamps[n, a, i, j], steps.running[n, a, i, j]
        return f"{format_number(total - new)}+{format_number(new)}={format_number(total)}"

    def canvas(self, f: int, r: int, q: int, value: Any) -> str:
        return self._cell(self.fits(str(self.scatter.canvas[f, r, q])) if self.symbols else format_number(value))
