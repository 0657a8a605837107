"""The backward pass, from the same trace: what each output-gradient cell adds, and where.

numpy only. The forward trace already records which input cell meets which kernel cell in every
step; the gradients are those same pairs read backwards. For each output-gradient cell ``g``:

- every weight cell it met gains ``g × input`` (so ``grad_weight`` is the input correlated with
  the output gradient);
- every input cell it met gains ``g × weight`` (so ``grad_input`` is the output gradient scattered
  back through the kernel: a transposed convolution; for a forward convolution the stamps land in
  the padded input and the padding is cut away at the end);
- ``grad_bias`` is the sum of the output gradient of each channel.

PyTorch semantics: these equal autograd's gradients of ``conv2d`` / ``conv_transpose2d``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import SpecError
from .tracer import ForwardSteps, PoolSteps, ScatterSteps, Trace

Array = NDArray[Any]


@dataclass(frozen=True)
class BackwardSteps:
    """Contributions of every output-gradient cell, ``M`` in all, grouped by cell in order.

    Attributes
    ----------
    cells : (K, 3) int
        ``(channel, row, col)`` of each output-gradient cell, row-major within each channel.
    grad : (K,)
        Its gradient value.
    starts : (K + 1,) int
        Contributions of cell ``k`` are ``starts[k]:starts[k+1]``.
    weight_cells : (M, 4) int
        The weight cell each contribution adds to (PyTorch layout).
    weight_adds : (M,)
        What it adds there: ``g × input``.
    input_cells : (M, 3) int
        The input cell (forward: in padded coordinates) each contribution adds to.
    input_adds : (M,)
        What it adds there: ``g × weight``.
    in_padding : (M,) bool
        Forward: the input cell is padding, cut away at the end (its adds reach no input).
    """

    cells: Array
    grad: Array
    starts: Array
    weight_cells: Array
    weight_adds: Array
    input_cells: Array
    input_adds: Array
    in_padding: Array

    def __len__(self) -> int:
        return int(self.cells.shape[0])


@dataclass(frozen=True)
class Backward:
    """Gradients of a traced convolution for one output gradient, and how they accumulate."""

    grad_output: Array
    grad_input: Array
    grad_weight: Array
    grad_bias: Array | None
    steps: BackwardSteps
    padded_grad_input: Array | None  # forward only: before the padding is cut away


def backward(trace: Trace, grad_output: Array) -> Backward:
    """Gradients of ``trace``'s convolution given ``grad_output`` (shape of the output)."""
    if isinstance(trace.steps, PoolSteps):
        raise SpecError(f"‹op› {trace.spec.op} has no gradient here: drop ‹grad›")
    grad_output = np.asarray(grad_output)
    if grad_output.shape != trace.output.shape:
        got = "x".join(map(str, grad_output.shape))
        want = "x".join(map(str, trace.output.shape))
        raise SpecError(f"the output gradient has shape {got} but the output is {want}: fix ‹grad_values›")
    if not np.issubdtype(grad_output.dtype, np.number):
        raise SpecError("the output gradient holds non-numbers: fix ‹grad_values›")
    dtype = np.result_type(trace.input.dtype, grad_output.dtype)
    grad_output = grad_output.astype(dtype)
    if isinstance(trace.steps, ScatterSteps):
        return _backward_transposed(trace, trace.steps, grad_output, dtype)
    return _backward_forward(trace, trace.steps, grad_output, dtype)


def _backward_forward(trace: Trace, steps: ForwardSteps, g: Array, dtype: Any) -> Backward:
    spec = trace.spec
    n, t = steps.products.shape
    f = steps.output_cells[:, 0]
    g_steps = g[f, steps.output_cells[:, 1], steps.output_cells[:, 2]]  # (N,)
    weight_cells = np.concatenate(
        [np.broadcast_to(f[:, None, None], (n, t, 1)), np.broadcast_to(steps.kernel_cells, (n, t, 3))], axis=2
    ).reshape(-1, 4)
    weight_adds = (g_steps[:, None] * steps.input_values).reshape(-1)
    input_cells = steps.input_cells.reshape(-1, 3)
    input_adds = (g_steps[:, None] * steps.kernel_values).reshape(-1)
    in_padding = steps.in_padding.reshape(-1)

    grad_weight = np.zeros(trace.weight.shape, dtype=dtype)
    np.add.at(grad_weight, tuple(weight_cells.T), weight_adds)
    ph, pw = spec.padding
    padded = np.zeros((spec.in_channels, *spec.padded_input_size), dtype=dtype)
    np.add.at(padded, tuple(input_cells.T), input_adds)
    h, w = spec.input_size
    grad_input = padded[:, ph : ph + h, pw : pw + w].copy()
    result = BackwardSteps(
        cells=steps.output_cells.copy(),
        grad=g_steps,
        starts=np.arange(0, n * t + 1, t),
        weight_cells=weight_cells,
        weight_adds=weight_adds,
        input_cells=input_cells,
        input_adds=input_adds,
        in_padding=in_padding,
    )
    grad_bias = g.sum(axis=(1, 2)) if spec.bias else None
    return Backward(g, grad_input, grad_weight, grad_bias, result, padded)


def _backward_transposed(trace: Trace, steps: ScatterSteps, g: Array, dtype: Any) -> Backward:
    spec = trace.spec
    n, fg, kh, kw = steps.stamps.shape
    top, left, height, width = steps.crop
    # Every stamped (input cell, kernel cell) pair and the canvas cell it reached.
    step = np.broadcast_to(np.arange(n)[:, None, None, None], (n, fg, kh, kw)).ravel()
    a = np.broadcast_to(np.arange(fg)[None, :, None, None], (n, fg, kh, kw)).ravel()
    ky = np.broadcast_to(np.arange(kh)[None, None, :, None], (n, fg, kh, kw)).ravel()
    kx = np.broadcast_to(np.arange(kw)[None, None, None, :], (n, fg, kh, kw)).ravel()
    f = steps.output_channels[step, a]
    row = steps.rows[step, ky] - top
    col = steps.cols[step, kx] - left
    kept = (row >= 0) & (row < height) & (col >= 0) & (col < width)  # cells the crop keeps
    step, a, ky, kx, f, row, col = (v[kept] for v in (step, a, ky, kx, f, row, col))
    # Group by output-gradient cell, row-major within each channel, stamps in step order.
    order = np.lexsort((step, col, row, f))
    step, a, ky, kx, f, row, col = (v[order] for v in (step, a, ky, kx, f, row, col))
    c, i, j = (steps.input_cells[step, k] for k in range(3))
    g_terms = g[f, row, col]
    weight_cells = np.stack([c, a, ky, kx], axis=1)
    weight_adds = g_terms * steps.input_values[step]
    input_cells = np.stack([c, i, j], axis=1)
    input_adds = g_terms * trace.weight[c, a, ky, kx]

    cells = np.stack(
        [
            v.ravel()
            for v in np.meshgrid(np.arange(spec.out_channels), np.arange(height), np.arange(width), indexing="ij")
        ],
        axis=1,
    )
    flat = (f * height + row) * width + col
    starts = np.searchsorted(flat, np.arange(cells.shape[0] + 1))
    grad_weight = np.zeros(trace.weight.shape, dtype=dtype)
    np.add.at(grad_weight, tuple(weight_cells.T), weight_adds)
    grad_input = np.zeros(trace.input.shape, dtype=dtype)
    np.add.at(grad_input, tuple(input_cells.T), input_adds)
    result = BackwardSteps(
        cells=cells,
        grad=g.reshape(-1),
        starts=starts,
        weight_cells=weight_cells,
        weight_adds=weight_adds,
        input_cells=input_cells,
        input_adds=input_adds,
        in_padding=np.zeros(len(step), dtype=bool),
    )
    grad_bias = g.sum(axis=(1, 2)) if spec.bias else None
    return Backward(g, grad_input, grad_weight, grad_bias, result, None)


def grad_input_trace(trace: Trace, grad_output: Array) -> Trace:
    """The input gradient as a trace of its own, to be drawn like any convolution.

    For a convolution it is the transposed convolution of ``grad_output`` with the same weight
    (the kernel stamped back into the padded input; the crop cuts the padding away). For a
    transposed convolution it is the convolution of ``grad_output``. Its output equals
    ``backward(trace, grad_output).grad_input``.
    """
    from .tracer import trace as run

    spec = trace.spec
    derived = spec.adjoint()
    if derived.output_size != spec.input_size:
        raise SpecError(
            "‹grad› input is drawn as one convolution, which this output padding (>= the stride) does not "
            "allow: lower ‹output_padding› (convanim trace --grad has the gradient)"
        )
    return run(derived, np.asarray(grad_output), trace.weight)


def running_weight_grad(trace: Trace, result: Any) -> Array:
    """``[n, k]``: the weight gradient of step ``n``'s filter after step ``n``, tap by tap.

    Each step adds ``grad_output cell × its input window`` to its filter's gradient; this is the
    cumulative sum within each filter's block of steps (steps run positions inside filters).
    """
    steps = trace.steps
    assert isinstance(steps, ForwardSteps)
    n, t = steps.products.shape
    adds = result.steps.weight_adds.reshape(n, t)
    filters = steps.output_cells[:, 0]
    running = np.cumsum(adds, axis=0)
    starts = np.searchsorted(filters, filters)  # first step of the same filter
    before = np.where(starts[:, None] > 0, running[np.maximum(starts - 1, 0)], 0)
    return np.asarray(running - before)
