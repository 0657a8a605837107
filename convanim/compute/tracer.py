"""The recording every picture is drawn from: each placement and each partial sum.

numpy only. :func:`trace` computes a convolution step by step with PyTorch's semantics and keeps
every step in arrays (one row per step, one column per term), so a 32,768-placement trace is a few
array operations rather than a million Python objects.

Forward (``conv2d``, cross-correlation): one step per output cell, filters outermost, then rows,
then columns. A step holds the window's input cells in *padded* coordinates, the kernel cells, the
products and their running (partial) sums; the last partial sum plus the bias is the output cell.

Transposed (``conv_transpose2d``, the scatter view): one step per input cell, channels outermost.
A step stamps ``x[c, i, j] * weight[c]`` into the full, uncropped canvas and records the running
canvas values of the cells it touched. The crop by ``padding`` and ``output_padding`` that turns
the canvas into the output is explicit in :attr:`ScatterSteps.crop`.

Pooling (``max_pool2d`` / ``avg_pool2d``, see :mod:`convanim.compute.pooling`): one step per output
cell like the forward convolution (the same placement fields, :class:`WindowSteps`), with the
running max or sum, the winner (max) or the divisor (avg) instead of products.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import SpecError
from .spec import ConvSpec

Array = NDArray[Any]


@dataclass(frozen=True)
class WindowSteps:
    """A window placed once per output cell; ``N`` steps of ``T`` terms each (conv or pooling).

    Attributes
    ----------
    output_cells : (N, 3) int
        ``(channel, row, col)`` of the output cell each step computes (the filter, for a conv).
    input_cells : (N, T, 3) int
        ``(channel, row, col)`` of each term's input cell in padded coordinates (dilation gaps
        respected; a conv reads every channel of the filter's group, pooling the step's channel).
    kernel_cells : (T, 3) int
        ``(channel within group, row, col)`` of each term's kernel (window) cell, the same for every
        step. Pooling: ``(0, row, col)`` offsets within the window.
    input_values : (N, T)
        The input value each term reads (the padding's value in the padding).
    in_padding : (N, T) bool
        Whether the term's input cell lies in the padding ring.
    values : (N,)
        The output cell the step computes.
    """

    output_cells: Array
    input_cells: Array
    kernel_cells: Array
    input_values: Array
    in_padding: Array
    values: Array

    def __len__(self) -> int:
        return int(self.output_cells.shape[0])


@dataclass(frozen=True)
class ForwardSteps(WindowSteps):
    """Steps of a forward convolution: :class:`WindowSteps` plus the products and partial sums.

    Attributes
    ----------
    kernel_values, products, partial_sums : (N, T)
        The kernel factor of every term, the products ``input_values * kernel_values`` and their
        running sums, term by term.
    bias : (N,)
        The bias added to the step's output cell (zeros without bias).

    Notes
    -----
    ``values`` is ``partial_sums[:, -1] + bias``; the padding holds zeros.
    """

    kernel_values: Array
    products: Array
    partial_sums: Array
    bias: Array


@dataclass(frozen=True)
class PoolSteps(WindowSteps):
    """Steps of max or average pooling: :class:`WindowSteps` plus what the window makes of its cells.

    ``input_values`` hold what the op reads: the input, ``fill`` in the padding and past the
    padded input (a ceil-mode window hanging over the bottom/right edge). For max they are float64,
    because the fill is ``-inf``; ``values`` keep the input's dtype (the max is an input cell). For
    avg they keep the input's dtype and ``values`` are float64 (``sum / divisor``).

    Attributes
    ----------
    outside : (N, T) bool
        Whether the term's cell lies past the padded input (ceil mode only). Never counted.
    counted : (N, T) bool
        Whether the term's cell takes part: max, the real input cells; avg, the cells the divisor
        counts (the padded input, or only the real cells without ``count_include_pad``).
    running : (N, T)
        Running max (``-inf`` until the first real cell) or running sum, term by term.
    winner : (N,) int
        Max: the term holding the maximum, the first in row-major order on ties. Avg: -1.
    argmax : (N,) int
        Max: PyTorch's index of the maximum, ``row * W + col`` in the input plane. Avg: -1.
    divisor : (N,) int
        Avg: what the sum is divided by. Max: -1.
    fill : float
        The value of padding cells: ``-inf`` (max) or ``0.0`` (avg).
    """

    outside: Array
    counted: Array
    running: Array
    winner: Array
    argmax: Array
    divisor: Array
    fill: float


@dataclass(frozen=True)
class ScatterSteps:
    """Steps of a transposed convolution (scatter view); ``N`` steps stamping ``Fg x kh x kw``.

    Attributes
    ----------
    input_cells : (N, 3) int
        ``(channel, row, col)`` of the input cell each step scatters.
    input_values : (N,)
        Its value.
    output_channels : (N, Fg) int
        The output channels the step writes (those of the input channel's group).
    rows, cols : (N, kh) and (N, kw) int
        Canvas rows and columns of the stamp (``i*stride + k*dilation``).
    stamps : (N, Fg, kh, kw)
        ``input value * weight[c]``: what the step adds.
    running : (N, Fg, kh, kw)
        The canvas values of the stamped cells after the step (the running sums).
    canvas : (F, Hc, Wc)
        The full uncropped canvas after the last step, before the bias.
    crop : (top, left, height, width)
        The window of the canvas that is the output: ``top = pad``, ``height`` the output size.
    bias : (F,)
        Added to every output cell of its channel after the crop (zeros without bias).
    """

    input_cells: Array
    input_values: Array
    output_channels: Array
    rows: Array
    cols: Array
    stamps: Array
    running: Array
    canvas: Array
    crop: tuple[int, int, int, int]
    bias: Array

    def __len__(self) -> int:
        return int(self.input_cells.shape[0])


@dataclass(frozen=True)
class Trace:
    """A convolution (or pooling) with every step recorded. Plain data: arrays and a frozen spec.

    ``weight`` is empty, shape ``(0, 1, kh, kw)``, for pooling. ``kernel_name`` names the kernel
    when it is a named one (``sobel-x``, see :mod:`convanim.compute.kernels`), for captions.
    """

    spec: ConvSpec
    input: Array
    weight: Array
    bias: Array | None
    output: Array
    steps: ForwardSteps | ScatterSteps | PoolSteps
    symbols: Any = None  # convanim.symbolic.Symbols when cells are named, not numbered
    kernel_name: str | None = None

    def __len__(self) -> int:
        return len(self.steps)

    @property
    def padded_input(self) -> Array:
        """Forward: the input with its zero ring, ``(C, H+2p, W+2p)``."""
        ph, pw = self.spec.padding
        return np.pad(self.input, ((0, 0), (ph, ph), (pw, pw)))


def check_array(name: str, option: str, array: Array, shape: tuple[int, ...]) -> Array:
    if array.shape != shape:
        got = "x".join(map(str, array.shape)) or "a scalar"
        want = "x".join(map(str, shape))
        raise SpecError(f"{name} has shape {got} but the spec needs {want}: fix {option}")
    if not np.issubdtype(array.dtype, np.number) or np.issubdtype(array.dtype, np.complexfloating):
        raise SpecError(f"{name} holds non-numeric values ({array.dtype}): fix {option}")
    if np.issubdtype(array.dtype, np.floating) and not np.isfinite(array).all():
        raise SpecError(f"{name} holds NaN or infinite values: fix {option}")
    return array


MAX_CELLS = 4_000_000  # terms, or cells of any array: far beyond a picture, well within memory


def check_size(spec: ConvSpec) -> None:
    """Refuse, at once, a convolution too large to trace (before any array is made).

    Raises
    ------
    SpecError
        Naming what is too large and the limit.
    """
    if spec.transposed:
        canvas = spec.canvas_size
        sizes = {"the uncropped output": spec.out_channels * canvas[0] * canvas[1]}
    elif spec.is_pool:
        extent = spec.window_extent
        sizes = {"the padded input": spec.in_channels * extent[0] * extent[1]}
    else:
        padded = spec.padded_input_size
        sizes = {"the padded input": spec.in_channels * padded[0] * padded[1]}
    sizes["the input"] = spec.in_channels * spec.input_size[0] * spec.input_size[1]
    sizes["the kernel"] = spec.weight_shape[0] * spec.weight_shape[1] * spec.kernel_size[0] * spec.kernel_size[1]
    sizes["the output"] = spec.out_channels * spec.output_size[0] * spec.output_size[1]
    sizes["the trace"] = spec.n_terms
    for what, count in sizes.items():
        if count > MAX_CELLS:
            unit = "multiply-adds" if what == "the trace" else "cells"
            raise SpecError(
                f"{what} would have {count:,} {unit}, over convanim's limit of {MAX_CELLS:,}: "
                f"use a smaller ‹input_size›, ‹kernel_size›, {'‹stride›, ' if spec.transposed else ''}‹padding›, "
                f"or fewer ‹in_channels›/‹out_channels›"
            )


def _common_dtype(*arrays: Array | None) -> np.dtype[Any]:
    kinds = [a.dtype for a in arrays if a is not None]
    dtype = np.result_type(*kinds)
    if np.issubdtype(dtype, np.integer) or dtype == np.bool_:
        return np.dtype(np.int64)
    return np.dtype(np.float64)


def _largest(array: Array | None) -> float:
    return float(np.max(np.abs(array.astype(np.float64)))) if array is not None and array.size else 0.0


def _check_range(spec: ConvSpec, x: Array, weight: Array, bias: Array | None, dtype: np.dtype[Any]) -> None:
    """Integers: every sum must be exact in int64. Floats: no sum may overflow to infinity.

    One output cell adds at most (C/groups)*kh*kw products, forward or transposed.
    """
    terms = (spec.in_channels // spec.groups) * spec.kernel_size[0] * spec.kernel_size[1]
    with np.errstate(over="ignore"):
        worst = _largest(x) * _largest(weight) * terms + _largest(bias)
    if np.issubdtype(dtype, np.integer) and worst >= 2.0**62:
        raise SpecError(
            "‹values›/‹kernel_values›: the numbers are too large for exact integer sums (they could pass 2^62): "
            "use smaller numbers"
        )
    if not np.isfinite(worst) or worst > 1e300:
        raise SpecError(
            "‹values›/‹kernel_values›: the numbers are so large that their sums could overflow: use smaller numbers"
        )


def trace(spec: ConvSpec, x: Array, weight: Array, bias: Array | None = None) -> Trace:
    """Compute ``spec`` on ``x`` step by step.

    Parameters
    ----------
    spec : ConvSpec
        What to compute.
    x : array, shape ``(C, H, W)``
        The input.
    weight : array
        PyTorch layout: ``(F, C/g, kh, kw)``, or ``(C, F/g, kh, kw)`` when transposed. Pooling has
        none: pass an empty array (or None) and see :func:`convanim.compute.pooling.pool_trace`.
    bias : array of shape ``(F,)``, optional
        Required when ``spec.bias`` is true, refused otherwise.

    Returns
    -------
    Trace
        Inputs, output and every step. Integer inputs give exact integer arithmetic (int64).

    Raises
    ------
    SpecError
        When an array's shape does not match the spec, or it holds NaN/inf or non-numbers.
    """
    if spec.is_pool:
        if weight is not None and np.asarray(weight).size:
            raise SpecError(f"‹op› {spec.op} has no kernel: drop ‹kernel_values›")
        if bias is not None:
            raise SpecError(f"‹op› {spec.op} takes no ‹bias›: drop it")
        from .pooling import pool_trace

        return pool_trace(spec, x)
    x = check_array("the input", "‹values›", np.asarray(x), spec.input_shape)
    weight = check_array("the kernel", "‹kernel_values›", np.asarray(weight), spec.weight_shape)
    if spec.bias:
        if bias is None:
            raise SpecError("the spec has a bias but no bias values were given: pass bias=")
        bias = check_array("the bias", "‹values›", np.asarray(bias), (spec.out_channels,))
    elif bias is not None:
        raise SpecError("bias values were given but the spec has no bias: add ‹bias›")
    check_size(spec)
    dtype = _common_dtype(x, weight, bias)
    for array, option in ((x, "‹values›"), (weight, "‹kernel_values›"), (bias, "‹values›")):
        if array is not None and array.dtype.kind == "u" and array.size and int(array.max()) >= 2**62:
            raise SpecError(f"{option}: integers of 2^62 and more are too large for exact sums: use smaller numbers")
    _check_range(spec, x, weight, bias, dtype)
    x, weight = x.astype(dtype), weight.astype(dtype)
    bias = None if bias is None else bias.astype(dtype)
    if spec.transposed:
        return _trace_transposed(spec, x, weight, bias, dtype)
    return _trace_forward(spec, x, weight, bias, dtype)


def _trace_forward(spec: ConvSpec, x: Array, weight: Array, bias: Array | None, dtype: np.dtype[Any]) -> Trace:
    f_count, cg, kh, kw = weight.shape
    ho, wo = spec.output_size
    (sh, sw), (dh, dw), (ph, pw) = spec.stride, spec.dilation, spec.padding
    fg = spec.out_channels // spec.groups
    t = cg * kh * kw

    # Terms in (channel-in-group, kernel row, kernel col) order.
    cl, ky, kx = (a.ravel() for a in np.meshgrid(np.arange(cg), np.arange(kh), np.arange(kw), indexing="ij"))
    kernel_cells = np.stack([cl, ky, kx], axis=1)

    f = np.arange(f_count)[:, None, None, None]
    oy = np.arange(ho)[None, :, None, None]
    ox = np.arange(wo)[None, None, :, None]
    channel = (f // fg) * cg + cl  # (F, 1, 1, T)
    row = oy * sh + ky * dh  # (1, Ho, 1, T)
    col = ox * sw + kx * dw  # (1, 1, Wo, T)
    shape = (f_count, ho, wo, t)
    channel, row, col = (np.broadcast_to(a, shape) for a in (channel, row, col))

    padded = np.pad(x, ((0, 0), (ph, ph), (pw, pw)))
    input_values = padded[channel, row, col]
    kernel_values = np.broadcast_to(weight.reshape(f_count, 1, 1, t), shape)
    products = input_values * kernel_values
    partial_sums = np.cumsum(products, axis=-1, dtype=dtype)
    in_padding = (row < ph) | (row >= ph + spec.input_size[0]) | (col < pw) | (col >= pw + spec.input_size[1])

    n = f_count * ho * wo
    step_bias = np.zeros((f_count, ho, wo), dtype=dtype)
    if bias is not None:
        step_bias += bias[:, None, None]
    values = partial_sums[..., -1] + step_bias
    output_cells = np.stack(
        [a.ravel() for a in np.meshgrid(np.arange(f_count), np.arange(ho), np.arange(wo), indexing="ij")],
        axis=1,
    )
    steps = ForwardSteps(
        output_cells=output_cells,
        input_cells=np.stack([channel, row, col], axis=-1).reshape(n, t, 3),
        kernel_cells=kernel_cells,
        input_values=input_values.reshape(n, t),
        kernel_values=np.ascontiguousarray(kernel_values).reshape(n, t),
        products=products.reshape(n, t),
        partial_sums=partial_sums.reshape(n, t),
        in_padding=in_padding.reshape(n, t),
        bias=step_bias.reshape(n),
        values=values.reshape(n),
    )
    return Trace(spec=spec, input=x, weight=weight, bias=bias, output=values, steps=steps)


def _trace_transposed(spec: ConvSpec, x: Array, weight: Array, bias: Array | None, dtype: np.dtype[Any]) -> Trace:
    c_count, fg, kh, kw = weight.shape
    h, w = spec.input_size
    (sh, sw), (dh, dw) = spec.stride, spec.dilation
    hc, wc = spec.canvas_size
    f_count = spec.out_channels
    cg = c_count // spec.groups
    n = c_count * h * w

    c, i, j = (a.ravel() for a in np.meshgrid(np.arange(c_count), np.arange(h), np.arange(w), indexing="ij"))
    input_values = x[c, i, j]
    output_channels = (c // cg)[:, None] * fg + np.arange(fg)[None, :]  # (N, Fg)
    rows = i[:, None] * sh + np.arange(kh)[None, :] * dh  # (N, kh)
    cols = j[:, None] * sw + np.arange(kw)[None, :] * dw  # (N, kw)
    stamps = input_values[:, None, None, None] * weight[c]  # (N, Fg, kh, kw)

    # Running sums: each canvas cell accumulates its contributions in step order. A stable sort
    # by cell groups them while keeping that order; adding rank by rank within the groups keeps
    # the summation sequential, so floats round exactly as a step-by-step sum would.
    shape = (n, fg, kh, kw)
    flat_cell = np.broadcast_to(
        (output_channels[:, :, None, None] * hc + rows[:, None, :, None]) * wc + cols[:, None, None, :],
        shape,
    ).ravel()
    order = np.argsort(flat_cell, kind="stable")
    sorted_cells = flat_cell[order]
    sorted_parts = stamps.ravel()[order]
    starts = np.flatnonzero(np.r_[True, sorted_cells[1:] != sorted_cells[:-1]])
    rank = np.arange(order.size) - np.repeat(starts, np.diff(np.r_[starts, order.size]))
    running_sorted = sorted_parts.copy()
    for r in range(1, int(rank.max()) + 1):
        at = np.flatnonzero(rank == r)
        running_sorted[at] = running_sorted[at - 1] + sorted_parts[at]
    running = np.empty_like(running_sorted)
    running[order] = running_sorted
    running = running.reshape(shape)

    canvas = np.zeros(f_count * hc * wc, dtype=dtype)
    ends = np.r_[starts[1:] - 1, order.size - 1]
    canvas[sorted_cells[ends]] = running_sorted[ends]
    canvas = canvas.reshape(f_count, hc, wc)

    ho, wo = spec.output_size
    top, left = spec.padding
    output = canvas[:, top : top + ho, left : left + wo].copy()
    bias_values = np.zeros(f_count, dtype=dtype) if bias is None else bias
    output += bias_values[:, None, None]
    steps = ScatterSteps(
        input_cells=np.stack([c, i, j], axis=1),
        input_values=input_values,
        output_channels=output_channels,
        rows=rows,
        cols=cols,
        stamps=stamps,
        running=running,
        canvas=canvas,
        crop=(top, left, ho, wo),
        bias=bias_values,
    )
    return Trace(spec=spec, input=x, weight=weight, bias=bias, output=output, steps=steps)
