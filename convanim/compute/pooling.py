"""Max and average pooling, step by step, with PyTorch's ``max_pool2d`` / ``avg_pool2d`` semantics.

numpy only. A pooling trace is a :class:`~convanim.compute.tracer.Trace` whose steps are
:class:`~convanim.compute.tracer.PoolSteps`: one step per output cell (channels outermost, then
rows, then columns), the window's cells in padded coordinates like a forward convolution's.

The rules (verified against PyTorch in ``research/views.md``):

* the stride defaults to the kernel size (:func:`pool_spec`, and the options);
* output size ``floor((L + 2p - d(k-1) - 1) / s) + 1``; with ``ceil_mode`` the division rounds up,
  then a last window that would start in the right padding (``(out-1)*s >= L + p``) is dropped, so
  a ceil-mode window can hang over the padded input's bottom/right edge by less than a window;
* padding is at most half the kernel (``p <= k // 2``);
* max pads with ``-inf`` and may be dilated; the winner is the first maximum in row-major order,
  and its index is ``row * W + col`` in the input plane;
* avg pads with zeros, has no dilation, and divides by the window clipped to the padded input
  (``count_include_pad``, the default: an overhang past the padding is not counted) or by the
  real input cells in the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import SpecError
from .spec import ConvSpec, Pair
from .tracer import PoolSteps, Trace, check_array, check_size

Array = NDArray[Any]


def pool_spec(
    op: str,
    input_size: Pair = (5, 5),
    kernel_size: Pair = (2, 2),
    stride: Pair | None = None,
    padding: Pair = (0, 0),
    dilation: Pair = (1, 1),
    channels: int = 1,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> ConvSpec:
    """A pooling :class:`~convanim.compute.spec.ConvSpec` with PyTorch's defaults.

    Parameters
    ----------
    op : {"max", "avg"}
        ``max_pool2d`` or ``avg_pool2d``.
    input_size, kernel_size, padding, dilation : (int, int)
        As in PyTorch (``dilation`` for max only).
    stride : (int, int), optional
        Defaults to ``kernel_size``, as in PyTorch.
    channels : int
        Input (and output) channels.
    ceil_mode, count_include_pad : bool
        As in PyTorch (``count_include_pad`` for avg only).

    Raises
    ------
    SpecError
        When PyTorch would refuse the pooling.
    """
    return ConvSpec(
        input_size=input_size,
        kernel_size=kernel_size,
        stride=kernel_size if stride is None else stride,
        padding=padding,
        dilation=dilation,
        in_channels=channels,
        out_channels=channels,
        op=op,
        ceil_mode=ceil_mode,
        count_include_pad=count_include_pad,
    )


@dataclass(frozen=True)
class SizeTerms:
    """One axis of a pooling's output size, for a label: ``floor|ceil(numerator / stride) + 1``.

    Attributes
    ----------
    length, padding, span, stride : int
        The input length, the padding on each side, the window's span ``d*(k-1)+1`` and the stride.
    numerator : int
        ``length + 2*padding - span``.
    ceil_mode : bool
        Whether the division rounds up.
    rounded : int
        ``floor`` or ``ceil`` of ``numerator / stride``, plus 1.
    dropped : bool
        Ceil mode only: the last window would start in the right padding, so it was dropped and
        ``size == rounded - 1``.
    size : int
        The output length.
    """

    length: int
    padding: int
    span: int
    stride: int
    numerator: int
    ceil_mode: bool
    rounded: int
    dropped: bool
    size: int


def size_terms(spec: ConvSpec) -> tuple[SizeTerms, SizeTerms]:
    """How each axis's output size comes about (rows, then columns), for the output size label."""
    axes = []
    for axis in (0, 1):
        n, p, s = spec.input_size[axis], spec.padding[axis], spec.stride[axis]
        span = spec.kernel_span[axis]
        numerator = n + 2 * p - span
        rounded = (numerator + (s - 1 if spec.ceil_mode else 0)) // s + 1
        size = spec.output_size[axis]
        axes.append(SizeTerms(n, p, span, s, numerator, spec.ceil_mode, rounded, size != rounded, size))
    return (axes[0], axes[1])


def _check_range(spec: ConvSpec, x: Array) -> None:
    """Sums (avg) and the float64 window values (max, which may hold -inf) must be exact."""
    largest = float(np.max(np.abs(x.astype(np.float64)))) if x.size else 0.0
    worst = largest * (spec.kernel_size[0] * spec.kernel_size[1] if spec.op == "avg" else 1)
    if np.issubdtype(x.dtype, np.integer) and worst >= 2.0**53:
        raise SpecError(
            "‹values›: the numbers are too large for exact pooling (they could pass 2^53): use smaller numbers"
        )
    if not np.isfinite(worst) or worst > 1e300:
        raise SpecError("‹values›: the numbers are so large that their sums could overflow: use smaller numbers")


def pool_trace(spec: ConvSpec, x: Array) -> Trace:
    """Pool ``x`` as ``spec`` says, step by step.

    Parameters
    ----------
    spec : ConvSpec
        A pooling spec (``op`` max or avg).
    x : array, shape ``(C, H, W)``
        The input. Integers stay integers where the result is an input value (max); avg gives
        float64 (``sum / divisor``, the sum exact in int64).

    Returns
    -------
    Trace
        With :class:`~convanim.compute.tracer.PoolSteps`, an empty weight ``(0, 1, kh, kw)`` and no
        bias; ``output`` is ``(C, Ho, Wo)``.

    Raises
    ------
    SpecError
        When ``spec`` is not a pooling, or ``x`` does not fit it.
    """
    if not spec.is_pool:
        raise SpecError("‹op› conv is not a pooling: use convanim.compute.tracer.trace")
    x = check_array("the input", "‹values›", np.asarray(x), spec.input_shape)
    check_size(spec)
    dtype = np.dtype(np.float64) if np.issubdtype(x.dtype, np.floating) else np.dtype(np.int64)
    if x.dtype.kind == "u" and x.size and int(x.max()) >= 2**62:
        raise SpecError("‹values›: integers of 2^62 and more are too large: use smaller numbers")
    x = x.astype(dtype)
    _check_range(spec, x)

    c_count, h, w = x.shape
    ho, wo = spec.output_size
    kh, kw = spec.kernel_size
    (sh, sw), (dh, dw), (ph, pw) = spec.stride, spec.dilation, spec.padding
    eh, ew = spec.window_extent
    t = kh * kw
    is_max = spec.op == "max"
    fill = -np.inf if is_max else 0.0

    ky, kx = (a.ravel() for a in np.meshgrid(np.arange(kh), np.arange(kw), indexing="ij"))
    kernel_cells = np.stack([np.zeros(t, dtype=np.int64), ky, kx], axis=1)
    c = np.arange(c_count)[:, None, None, None]
    row = np.arange(ho)[None, :, None, None] * sh + ky * dh  # (1, Ho, 1, T), padded coordinates
    col = np.arange(wo)[None, None, :, None] * sw + kx * dw  # (1, 1, Wo, T)
    shape = (c_count, ho, wo, t)
    c, row, col = (np.broadcast_to(a, shape) for a in (c, row, col))

    real = (row >= ph) & (row < ph + h) & (col >= pw) & (col < pw + w)
    outside = (row >= h + 2 * ph) | (col >= w + 2 * pw)
    in_padding = ~real & ~outside
    # The padded input grown to every cell a window reaches, filled as the op pads.
    grid = np.full((c_count, eh, ew), fill, dtype=np.float64 if is_max else dtype)
    grid[:, ph : ph + h, pw : pw + w] = x
    input_values = grid[c, row, col]

    n = c_count * ho * wo
    none = np.full(n, -1, dtype=np.int64)
    if is_max:
        counted = real
        running = np.maximum.accumulate(input_values, axis=-1)
        winner = np.argmax(input_values, axis=-1)  # the first maximum in row-major order
        pick = winner[..., None]
        win_row = np.take_along_axis(row, pick, axis=-1)[..., 0] - ph
        win_col = np.take_along_axis(col, pick, axis=-1)[..., 0] - pw
        values = x[c[..., 0], win_row, win_col]
        winner, argmax, divisor = winner.reshape(n), (win_row * w + win_col).reshape(n), none
    else:
        counted = ~outside if spec.count_include_pad else real
        running = np.cumsum(input_values, axis=-1, dtype=dtype)
        counts = counted.sum(axis=-1)
        values = running[..., -1].astype(np.float64) / counts
        winner, argmax, divisor = none, none.copy(), counts.reshape(n).astype(np.int64)

    output_cells = np.stack(
        [a.ravel() for a in np.meshgrid(np.arange(c_count), np.arange(ho), np.arange(wo), indexing="ij")],
        axis=1,
    )
    steps = PoolSteps(
        output_cells=output_cells,
        input_cells=np.stack([c, row, col], axis=-1).reshape(n, t, 3),
        kernel_cells=kernel_cells,
        input_values=input_values.reshape(n, t),
        in_padding=in_padding.reshape(n, t),
        values=values.reshape(n),
        outside=outside.reshape(n, t),
        counted=counted.reshape(n, t),
        running=running.reshape(n, t),
        winner=winner,
        argmax=argmax,
        divisor=divisor,
        fill=float(fill),
    )
    weight = np.zeros(spec.weight_shape, dtype=dtype)
    return Trace(spec=spec, input=x, weight=weight, bias=None, output=values, steps=steps)
