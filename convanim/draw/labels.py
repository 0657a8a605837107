"""What each cell and sum line says: the trace's numbers, or names and expressions when symbolic.

The scenes ask this one place for every piece of text, so numbered and lettered pictures are the
same drawing code, and both read only from the trace.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import numpy as np
from numpy.typing import NDArray

from ..compute.spec import pair_text
from ..compute.tracer import ForwardSteps, ScatterSteps, Trace
from .numbers import factor, format_number, rounded

if TYPE_CHECKING:
    from ..compute.symbolic import ScatterExpressions

# Letters (``--values symbolic``) are written by convanim.compute.symbolic, imported where a label
# needs it: a render of numbers never loads it.

SHORT = 7  # longest expression written whole inside a cell; the sum line always has it whole


Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")


class Memo(dict[Key, Value]):
    """``make(key)`` for each key, made on first use: a frame asks again for the texts it asked for
    before (a window's cells, a step's terms), and a hit costs one dict lookup."""

    def __init__(self, make: Callable[[Key], Value]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, key: Key) -> Value:
        value = self[key] = self.make(key)
        return value


class WrittenTerms(NamedTuple):
    """A step's terms as the sum line writes them (``2·(−1)``), and the value of each as written
    (its factors rounded as they read, multiplied)."""

    texts: list[str]
    values: list[float]


class SumLine(NamedTuple):
    """The sentence under the picture: ``parts`` then ``tail``, fitted to the width by the scene.

    Middle parts give way to ``gap`` when the line is too long; if even that does not fit,
    ``fallback`` is written instead.
    """

    parts: list[str]
    tail: str = ""
    gap: str = "… +"
    fallback: list[str] | None = None


class Labels:
    """Text for one trace. ``show=False`` (``--no-values``) makes every cell blank."""

    def __init__(self, trace: Trace, show: bool = True) -> None:
        self.trace = trace
        self.show = show
        self.symbols = trace.symbols
        self._inputs: Memo[tuple[int, int, int, bool], str] = Memo(self._input)
        self._weights: Memo[tuple[int, ...], str] = Memo(self._weight)
        self._factors: Memo[float, str] = Memo(factor)
        self._rounded: Memo[float, float] = Memo(rounded)
        self._written: Memo[int, WrittenTerms] = Memo(self._written_terms)

    @property
    def symbolic(self) -> bool:
        return self.symbols is not None

    def _cell(self, text: str) -> str:
        return text if self.show else ""

    # -- cells ------------------------------------------------------------------------------

    def input(self, c: int, r: int, q: int, padded: bool) -> str:
        """An input cell; ``padded`` coordinates include the padding ring (forward)."""
        return self._inputs[c, r, q, padded]

    def _input(self, cell: tuple[int, int, int, bool]) -> str:
        c, r, q, padded = cell
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
        return self._weights[index]

    def _weight(self, index: tuple[int, ...]) -> str:
        if self.symbols is not None:
            return self._cell(str(self.symbols.weight[index]))
        return self._cell(format_number(self.trace.weight[index]))

    def fits(self, text: str) -> str:
        """An expression for a cell: as many whole terms as fit, then ``+…``; never a bare ``…``."""
        if len(text) <= SHORT:
            return text.replace(" + ", "+") if len(text) > SHORT - 2 else text
        terms = text.split(" + ")
        shown = terms[0]
        for term in terms[1:]:
            if len(shown) + 1 + len(term) + 2 > SHORT:
                break
            shown += "+" + term
        if len(shown) > SHORT - 2:  # even the first term is long: keep its start
            shown = shown[: SHORT - 3]
        return shown + "+…"

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
            from ..compute.symbolic import forward_expression

            return forward_expression(self.trace, self.symbols, n, term)
        steps = self._forward
        return format_number(steps.values[n] if term is None else steps.partial_sums[n, term])

    def forward_cell(self, n: int, term: int | None = None) -> str:
        return self._cell(self.fits(self.forward_value(n, term)) if self.symbols else self.forward_value(n, term))

    def forward_terms(self, n: int, upto: int) -> list[str]:
        """The sum line's terms of step ``n`` through ``upto``: ``2·3`` or ``ay``."""
        if self.symbols is not None:
            from ..compute.symbolic import forward_terms

            return forward_terms(self.trace, self.symbols, n, upto)
        return self._written[n].texts[: upto + 1]

    def _written_terms(self, n: int) -> WrittenTerms:
        steps = self._forward
        factors, rounded_ = self._factors, self._rounded
        texts, values = [], []
        for a, b in zip(steps.input_values[n].tolist(), steps.kernel_values[n].tolist(), strict=True):
            texts.append(f"{factors[a]}·{factors[b]}")
            values.append(rounded_[a] * rounded_[b])
        return WrittenTerms(texts, values)

    def channel_sum(self, n: int, lo: int, hi: int) -> str:
        """Terms ``lo..hi`` of step ``n`` added up (one input channel's share)."""
        if self.symbols is not None:
            from ..compute.symbolic import collect, forward_terms

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
        from ..compute.symbolic import scatter_expressions

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
        equals = "=" if rounded(total - new) + rounded(new) == rounded(total) else "≈"
        return f"{format_number(total - new)}+{factor(new)}{equals}{format_number(total)}"

    def canvas(self, f: int, r: int, q: int, value: Any) -> str:
        return self._cell(self.fits(str(self.scatter.canvas[f, r, q])) if self.symbols else format_number(value))

    # -- sum lines ---------------------------------------------------------------------------

    def _where(self, row: int, col: int) -> str:
        return f"({col})" if self.trace.spec.is_1d else f"({row}, {col})"

    def _axis_text(self, pair: tuple[int, int]) -> str:
        """A pair as the picture speaks of it: one number for a 1-D strip."""
        return str(pair[1]) if self.trace.spec.is_1d else pair_text(pair)

    def forward_sum(self, n: int, term: int | None, f: int, row: int, col: int, result: str) -> SumLine:
        """``output (0, 1) = 2·3 + … = 10``: step ``n`` through ``term``, per channel when there are several."""
        spec, steps = self.trace.spec, self._forward
        taps = steps.products.shape[1]
        last = taps - 1 if term is None else term
        where = self._where(row, col)
        if spec.out_channels > 1:
            where = f"map #{f} {where}"
        groups_in = spec.in_channels // spec.groups
        if groups_in > 1:
            # Per-channel sums: each channel's window, then the channels added up.
            per = steps.kernel_cells.shape[0] // groups_in
            first = f // (spec.out_channels // spec.groups) * groups_in
            terms = [
                f"ch #{first + cl}: {self.channel_sum(n, cl * per, min(last, cl * per + per - 1))}"
                for cl in range(groups_in)
                if cl * per <= last
            ]
        else:
            terms = self.forward_terms(n, last)
        joined = [t + " +" for t in terms[:-1]] + terms[-1:]
        complete = term is None or term == taps - 1
        bias = (
            f" + {'bias ' if not self.symbolic else ''}{self.bias(f)}"
            if self.trace.bias is not None and complete
            else ""
        )
        if self.symbolic:
            tail = bias if terms else (" " + self.bias(f) if bias else " 0")
            return SumLine([f"{result} {where} =", *joined], tail + ("" if complete else "  (so far)"))
        so_far = "" if complete else " so far"
        equals = "=" if self._adds_up(n, last, f, groups_in, complete, term) else "≈"
        head = f"{result} {where} ="
        if term is not None and groups_in > 1:
            # Channel sums hide the single multiply-add: name the one this frame adds.
            channel = int(steps.input_cells[n, term, 0])
            product = f"{factor(steps.input_values[n, term])}·{factor(steps.kernel_values[n, term])}"
            head = f"+ {product} (channel #{channel}): {head}"
        return SumLine([head, *joined], f"{bias} {equals} {self.forward_value(n, term)}{so_far}")

    def _adds_up(self, n: int, last: int, f: int, groups_in: int, complete: bool, term: int | None) -> bool:
        """Do the numbers as written add up to the total as written? (If not, the line says ≈.)"""
        steps = self._forward
        if groups_in > 1:
            per = steps.kernel_cells.shape[0] // groups_in
            written = sum(
                rounded(steps.products[n, lo : min(last, lo + per - 1) + 1].sum()) for lo in range(0, last + 1, per)
            )
        else:
            written = sum(self._written[n].values[: last + 1])
        if complete and self.trace.bias is not None:
            written += rounded(self.trace.bias[f])
        total = steps.values[n] if term is None else steps.partial_sums[n, term]
        return abs(written - rounded(total)) < 1e-9

    def scatter_sum(self, n: int, prior: NDArray[np.int32], source: str) -> SumLine:
        """``input (0, 1) = 2: 2 × kernel at rows 0–2, cols 2–4; overlaps: 3+2=5, …``.

        ``prior[a, i, j]`` counts the stamps before this one on each cell it writes.
        """
        spec, steps = self.trace.spec, self._scatter
        c, i, j = (int(v) for v in steps.input_cells[n])
        where = self._where(i, j)
        if spec.in_channels > 1:
            where = f"{'map' if source in ('output', 'grad_output') else 'channel'} #{c} {where}"
        rows, cols = steps.rows[n], steps.cols[n]
        span = f"cols {cols[0]}–{cols[-1]}" if spec.is_1d else f"rows {rows[0]}–{rows[-1]}, cols {cols[0]}–{cols[-1]}"
        value = self.scatter_input(n)
        head = (
            f"{value} × kernel at {span}"
            if self.symbolic
            else f"{source} {where} = {value}: {value} × kernel at {span}"
        )
        overlaps = [
            self.overlap(n, a, ri, ci) + ","
            for a in range(prior.shape[0])
            for ri in range(prior.shape[1])
            for ci in range(prior.shape[2])
            if prior[a, ri, ci] >= 1
        ]
        if not overlaps:
            return SumLine([head])
        overlaps[-1] = overlaps[-1].rstrip(",")
        count = f"; {len(overlaps)} overlap{'s' if len(overlaps) > 1 else ''} summed"
        return SumLine([head + "; overlaps:", *overlaps], "", gap="…,", fallback=[head + count])

    def crop_sum(self) -> SumLine:
        """The last frame of a transposed convolution: what the crop drops and keeps."""
        spec = self.trace.spec
        parts = []
        if any(spec.padding):
            parts.append(f"drop pad {self._axis_text(spec.padding)} on each side")
        if any(spec.output_padding):
            parts.append(f"keep output_padding {self._axis_text(spec.output_padding)} at bottom/right")
        if self.trace.bias is not None:
            parts.append("add the bias")
        ho, wo = spec.output_size
        if any(spec.padding):
            head = "crop the canvas: " + ", ".join(parts)
        else:  # nothing is cut: say so, not "crop"
            head = "the canvas is the output" + (": " + ", ".join(parts[-1:]) if self.trace.bias is not None else "")
        return SumLine([head], f" → {wo if spec.is_1d else f'{ho}×{wo}'}")
