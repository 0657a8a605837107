"""A convolution as a matrix product, read off the trace.

Forward: ``C`` has one row per output cell (the trace's steps, in order) and one column per cell of
the *padded* input (channel, row, column, row-major); row ``n`` holds the kernel weights at the
columns of the cells step ``n`` met. So ``C @ padded_input.ravel() + bias = output.ravel()``.

Transposed: the matrix maps the input (one column per input cell) to the uncropped canvas (one row
per canvas cell); column ``n`` holds the kernel stamped by step ``n``. It is ``Cᵀ`` of the forward
convolution that maps the canvas back to the input, which is why the operation is called
"transposed"; cropping its product gives the output.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import SpecError
from .tracer import PoolSteps, ScatterSteps, Trace

MAX_ENTRIES = 1_000_000

Array = NDArray[Any]


@dataclass(frozen=True)
class ConvMatrix:
    """The matrix, and which cell each row and column stands for."""

    values: Array  # (rows, cols)
    row_cells: Array  # (rows, 3): output cells (forward) or canvas cells (transposed)
    col_cells: Array  # (cols, 3): padded input cells (forward) or input cells (transposed)


def _cells(shape: tuple[int, int, int]) -> Array:
    return np.stack([v.ravel() for v in np.meshgrid(*(np.arange(s) for s in shape), indexing="ij")], axis=1)


def conv_matrix(trace: Trace) -> ConvMatrix:
    """The matrix of ``trace``'s convolution (see the module notes for rows and columns)."""
    spec = trace.spec
    if trace.symbols is not None:
        raise SpecError("‹matrix› exports numbers: drop ‹values› symbolic (the picture view draws letters)")
    steps = trace.steps
    if isinstance(steps, PoolSteps):
        raise SpecError(f"‹op› {spec.op} is not a matrix product: drop ‹matrix›")
    if isinstance(steps, ScatterSteps):
        hc, wc = spec.canvas_size
        rows_shape, cols_shape = (spec.out_channels, hc, wc), spec.input_shape
    else:
        rows_shape = spec.output_shape
        cols_shape = (spec.in_channels, *spec.padded_input_size)
    n_rows, n_cols = int(np.prod(rows_shape)), int(np.prod(cols_shape))
    if n_rows * n_cols > MAX_ENTRIES:
        raise SpecError(
            f"‹matrix›: the matrix would have {n_rows:,}x{n_cols:,} entries, over the limit of {MAX_ENTRIES:,}: "
            f"use a smaller ‹input_size›"
        )
    values = np.zeros((n_rows, n_cols), dtype=trace.weight.dtype)
    if isinstance(steps, ScatterSteps):
        n = steps.stamps.shape[0]
        hc, wc = spec.canvas_size
        rows = (steps.output_channels[:, :, None, None] * hc + steps.rows[:, None, :, None]) * wc + steps.cols[
            :, None, None, :
        ]
        cols = np.broadcast_to(np.arange(n)[:, None, None, None], rows.shape)
        c = steps.input_cells[:, 0]
        weights = trace.weight[c]  # (N, Fg, kh, kw)
        np.add.at(values, (rows.ravel(), cols.ravel()), weights.ravel())
    else:
        hp, wp = spec.padded_input_size
        cells = steps.input_cells
        cols = (cells[..., 0] * hp + cells[..., 1]) * wp + cells[..., 2]  # (N, T)
        rows = np.broadcast_to(np.arange(len(steps))[:, None], cols.shape)
        np.add.at(values, (rows.ravel(), cols.ravel()), steps.kernel_values.ravel())
    return ConvMatrix(values, _cells(rows_shape), _cells(cols_shape))


def matrix_entries(trace: Trace) -> dict[tuple[int, int], tuple[int, int, int, int]]:
    """``(row, col) -> weight index`` of every nonzero entry of the matrix the picture draws.

    Forward: C (rows: output cells; columns: padded-input cells). Transposed: Cᵀ (rows: canvas
    cells; columns: input cells). The index is the kernel weight's, so letters can be drawn too.
    """
    spec, steps = trace.spec, trace.steps
    entries: dict[tuple[int, int], tuple[int, int, int, int]] = {}
    if isinstance(steps, ScatterSteps):
        hc, wc = spec.canvas_size
        for n in range(len(steps)):
            c = int(steps.input_cells[n, 0])
            for a, f in enumerate(steps.output_channels[n]):
                for ky, r in enumerate(steps.rows[n]):
                    for kx, q in enumerate(steps.cols[n]):
                        entries[((int(f) * hc + int(r)) * wc + int(q), n)] = (c, a, ky, kx)
        return entries
    hp, wp = spec.padded_input_size
    for n in range(len(steps)):
        f = int(steps.output_cells[n, 0])
        for k, (c, r, q) in enumerate(steps.input_cells[n]):
            cl, ky, kx = (int(v) for v in steps.kernel_cells[k])
            entries[(n, (int(c) * hp + int(r)) * wp + int(q))] = (f, cl, ky, kx)
    return entries
