"""Letters instead of numbers: input cells ``a, b, c, …``, kernel cells ``x, y, z``.

The tutorial this project grew from teaches with letters (``[a, b]`` with ``[x, y, z]`` at stride 2
gives ``[ax, ay, az + bx, by, bz]``). Expressions are built from the trace's *indices* (which input
cell meets which kernel cell in which step), so they are right by the same construction as the
numbers. Terms on zero padding are dropped and like terms are collected.

Naming: up to 20 input cells are ``a`` to ``t``; more are ``a`` with subscripts (``a₁₂`` is row 1,
column 2; a channel index comes first when there are several). Up to 6 kernel cells take the last
letters of ``uvwxyz`` (3 cells: ``x, y, z``); more are ``w`` with subscripts. Biases are ``β``.
Products of single letters are juxtaposed (``ay``); with subscripts a dot separates (``a₁₂·w₀₁``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import SpecError
from .spec import ConvSpec

INPUT_LETTERS = "abcdefghijklmnopqrst"
KERNEL_LETTERS = "uvwxyz"
MAX_TERMS = 5_000
_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")

Names = NDArray[Any]  # object arrays of str


def _subscript(index: tuple[int, ...]) -> str:
    digits = [str(i) for i in index]
    joined = "".join(digits) if all(len(d) == 1 for d in digits) else ",".join(digits)
    return joined.translate(_SUBSCRIPT)


def _names(shape: tuple[int, ...], letters: str, base: str, from_end: bool, keep: tuple[int, ...]) -> Names:
    """Names for every cell of ``shape``; subscripts use the axes in ``keep`` that vary."""
    count = int(np.prod(shape))
    out = np.empty(shape, dtype=object)
    if count <= len(letters):
        chosen = letters[len(letters) - count :] if from_end else letters[:count]
        out.reshape(-1)[:] = list(chosen)
        return out
    axes = [a for a in keep if shape[a] > 1] or [keep[-1]]
    for index in np.ndindex(*shape):
        out[index] = base + _subscript(tuple(index[a] for a in axes))
    return out


@dataclass(frozen=True)
class Symbols:
    """Names of the input (C, H, W), weight (PyTorch layout) and bias (F,) cells."""

    input: Names
    weight: Names
    bias: Names | None

    @classmethod
    def for_spec(cls, spec: ConvSpec) -> Symbols:
        if spec.n_terms > MAX_TERMS:
            raise SpecError(
                f"‹values› symbolic writes out every term; this spec has {spec.n_terms:,} multiply-adds: "
                f"use a smaller one (at most {MAX_TERMS:,})"
            )
        inputs = _names(spec.input_shape, INPUT_LETTERS, "a", False, (0, 1, 2))
        weights = _names(spec.weight_shape, KERNEL_LETTERS, "w", True, (0, 1, 2, 3))
        bias = None
        if spec.bias:
            bias = np.empty(spec.out_channels, dtype=object)
            bias[:] = ["β"] if spec.out_channels == 1 else [f"β{_subscript((f,))}" for f in range(spec.out_channels)]
        return cls(inputs, weights, bias)


def product(a: str, b: str) -> str:
    """``ay`` for single letters, ``a₁₂·w₀₁`` otherwise."""
    return f"{a}{b}" if len(a) == 1 and len(b) == 1 else f"{a}·{b}"


def collect(terms: list[str]) -> str:
    """Sum with like terms collected in order of first appearance (``ax + ax`` -> ``2ax``); empty is 0."""
    if not terms:
        return "0"
    counts = Counter(terms)
    seen: list[str] = []
    for term in terms:
        if term not in seen:
            seen.append(term)
    return " + ".join(term if counts[term] == 1 else f"{counts[term]}{term}" for term in seen)


def forward_terms(trace: Any, symbols: Symbols, n: int, upto: int | None = None, start: int = 0) -> list[str]:
    """The products of step ``n``, terms ``start`` through ``upto``, padding terms dropped."""
    steps = trace.steps
    spec = trace.spec
    ph, pw = spec.padding
    f = int(steps.output_cells[n, 0])
    last = steps.products.shape[1] - 1 if upto is None else upto
    out = []
    for k in range(start, last + 1):
        if steps.in_padding[n, k]:
            continue
        c, r, q = (int(v) for v in steps.input_cells[n, k])
        cl, ky, kx = (int(v) for v in steps.kernel_cells[k])
        out.append(product(symbols.input[c, r - ph, q - pw], symbols.weight[f, cl, ky, kx]))
    return out


def forward_expression(trace: Any, symbols: Symbols, n: int, upto: int | None = None) -> str:
    """Step ``n``'s output cell as an expression (with the bias once the sum is complete)."""
    terms = forward_terms(trace, symbols, n, upto)
    complete = upto is None or upto == trace.steps.products.shape[1] - 1
    if symbols.bias is not None and complete:
        terms.append(symbols.bias[int(trace.steps.output_cells[n, 0])])
    return collect(terms)


@dataclass(frozen=True)
class ScatterExpressions:
    """Transposed: each step's stamp terms and running expressions, the canvas and the output."""

    stamps: list[Names]  # per step, (Fg, kh, kw)
    running: list[Names]  # per step, (Fg, kh, kw)
    canvas: Names  # (F, Hc, Wc)
    output: Names  # (F, Ho, Wo)


def scatter_expressions(trace: Any, symbols: Symbols) -> ScatterExpressions:
    steps = trace.steps
    spec = trace.spec
    terms: dict[tuple[int, int, int], list[str]] = {}
    stamps, running = [], []
    for n in range(len(steps)):
        c, i, j = (int(v) for v in steps.input_cells[n])
        name = symbols.input[c, i, j]
        shape = steps.stamps.shape[1:]
        stamp = np.empty(shape, dtype=object)
        run = np.empty(shape, dtype=object)
        for a, f in enumerate(steps.output_channels[n]):
            for ri, r in enumerate(steps.rows[n]):
                for ci, q in enumerate(steps.cols[n]):
                    term = product(name, symbols.weight[c, a, ri, ci])
                    cell = terms.setdefault((int(f), int(r), int(q)), [])
                    cell.append(term)
                    stamp[a, ri, ci] = term
                    run[a, ri, ci] = collect(cell)
        stamps.append(stamp)
        running.append(run)
    hc, wc = spec.canvas_size
    canvas = np.empty((spec.out_channels, hc, wc), dtype=object)
    for index in np.ndindex(*canvas.shape):
        canvas[index] = collect(terms.get(index, []))
    top, left, height, width = steps.crop
    output = np.empty((spec.out_channels, height, width), dtype=object)
    for f, r, q in np.ndindex(*output.shape):
        cell_terms = list(terms.get((f, r + top, q + left), []))
        if symbols.bias is not None:
            cell_terms.append(symbols.bias[f])
        output[f, r, q] = collect(cell_terms)
    return ScatterExpressions(stamps, running, canvas, output)
