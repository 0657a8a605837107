"""Transposed convolution seen two more ways: as a direct convolution, and by its stamp overlaps.

numpy only.

**Direct view** (conv_arithmetic's picture, and what PyTorch's docstrings link to). Per axis, with
input length ``H``, kernel ``k``, stride ``s``, padding ``p``, dilation ``d``, output padding ``op``:

1. insert ``s - 1`` zeros between input cells: ``s*(H-1) + 1`` cells;
2. pad ``d*(k-1) - p`` cells on the top/left and ``d*(k-1) - p + op`` on the bottom/right; a
   negative value discards that many cells of the spread input instead (they feed only outputs the
   padding crops away);
3. rotate the kernel by 180° and swap its in/out channels within each group:
   ``(C, F/g, kh, kw)`` becomes ``(F, C/g, kh, kw)``;
4. convolve with stride 1 and the same dilation and groups.

The result equals the scatter (``conv_transpose2d``) exactly for integers; floats are summed in
another order, so they may differ in the last bits.

**Overlap** (Odena et al., "Deconvolution and Checkerboard Artifacts"): how many stamps reach each
output cell. Kernel 3 with stride 2 gives the 1/2/4 checkerboard; kernel 4 with stride 2 is even.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import SpecError
from .spec import ConvSpec, Pair
from .tracer import Trace, check_size, trace

Array = NDArray[Any]

# What a cell of the spread grid is (DirectView.kind). Discarded wins over padding, padding over the rest.
REAL, ZERO, PADDING, DISCARDED = 0, 1, 2, 3
KIND_NAMES = ("real", "zero", "padding", "discarded")


@dataclass(frozen=True)
class DirectView:
    """A transposed convolution as the equivalent direct convolution over a spread input.

    The *grid* is everything a picture shows: the spread input (real cells and inserted zeros), the
    padding around it, and any discarded band. The direct convolution reads the part of the grid
    from ``offset`` on, ``trace.spec.input_size`` large.

    Attributes
    ----------
    spec : ConvSpec
        The transposed convolution.
    trace : Trace
        The forward trace of the direct convolution: stride 1, no padding (the padding is in its
        input as zeros), same kernel size, dilation and groups, ``in_channels`` and
        ``out_channels`` as the transposed convolution's; its weight is the rotated, swapped
        kernel and its output equals the transposed convolution's output.
    grid : (C, Hg, Wg)
        The values of the grid (discarded cells keep the value they would have had).
    kind : (Hg, Wg) int8
        :data:`REAL`, :data:`ZERO` (inserted), :data:`PADDING` or :data:`DISCARDED` per cell.
    pads : ((int, int), (int, int))
        ``((top, bottom), (left, right))``: ``d*(k-1) - p`` and ``d*(k-1) - p + output_padding``;
        negative values are discarded bands.
    offset : (int, int)
        Grid row and column of the direct convolution's input cell ``(0, 0)``: a trace coordinate
        plus ``offset`` is a grid coordinate.
    source_rows, source_cols : (Hg,) and (Wg,) int
        The input row (column) a grid row (column) carries, or -1 for inserted zeros and padding.
    """

    spec: ConvSpec
    trace: Trace
    grid: Array
    kind: Array
    pads: tuple[Pair, Pair]
    offset: Pair
    source_rows: Array
    source_cols: Array

    @property
    def weight(self) -> Array:
        """The rotated, channel-swapped kernel ``(F, C/g, kh, kw)``."""
        return self.trace.weight


@dataclass(frozen=True)
class _Axis:
    before: int  # padding cells before the spread input
    after: int  # padding cells after it
    spread: int  # s*(n-1) + 1
    offset: int  # where the direct input starts in the grid
    length: int  # the direct input's length
    size: int  # the grid's length
    low: int  # signed pads
    high: int


def _axis(n: int, k: int, s: int, p: int, d: int, op: int) -> _Axis:
    spread = s * (n - 1) + 1
    low = d * (k - 1) - p
    high = low + op
    before, after = max(low, 0), max(high, 0)
    return _Axis(before, after, spread, max(-low, 0), spread + low + high, before + spread + after, low, high)


def flip_weight(weight: Array, groups: int) -> Array:
    """A transposed convolution's weight ``(C, F/g, kh, kw)`` as the direct one's ``(F, C/g, kh, kw)``.

    Rotated by 180° (both spatial axes reversed), with input and output channels swapped within
    each group.
    """
    c_count, fg, kh, kw = weight.shape
    cg = c_count // groups
    swapped = weight.reshape(groups, cg, fg, kh, kw).transpose(0, 2, 1, 3, 4).reshape(groups * fg, cg, kh, kw)
    return np.ascontiguousarray(swapped[:, :, ::-1, ::-1])


def direct_view(recorded: Trace) -> DirectView:
    """The direct convolution equivalent to a transposed trace, traced, with its grid described.

    Parameters
    ----------
    recorded : Trace
        A transposed convolution's trace (numbers, not symbols).

    Raises
    ------
    SpecError
        When the trace is not a transposed convolution, is symbolic, or the direct trace would
        pass the size limits.
    """
    spec = recorded.spec
    if not spec.transposed:
        raise SpecError("‹view› direct shows a transposed convolution as a direct one: add ‹transposed›")
    if recorded.symbols is not None:
        raise SpecError("‹view› direct computes numbers: drop ‹values› symbolic")
    rows = _axis(
        spec.input_size[0],
        spec.kernel_size[0],
        spec.stride[0],
        spec.padding[0],
        spec.dilation[0],
        spec.output_padding[0],
    )
    cols = _axis(
        spec.input_size[1],
        spec.kernel_size[1],
        spec.stride[1],
        spec.padding[1],
        spec.dilation[1],
        spec.output_padding[1],
    )
    sh, sw = spec.stride
    direct_spec = ConvSpec(
        input_size=(rows.length, cols.length),
        kernel_size=spec.kernel_size,
        dilation=spec.dilation,
        in_channels=spec.in_channels,
        out_channels=spec.out_channels,
        groups=spec.groups,
        bias=spec.bias,
    )
    check_size(direct_spec)
    c_count = spec.in_channels
    grid = np.zeros((c_count, rows.size, cols.size), dtype=recorded.input.dtype)
    grid[:, rows.before : rows.before + rows.spread : sh, cols.before : cols.before + cols.spread : sw] = recorded.input
    direct_input = grid[:, rows.offset : rows.offset + rows.length, cols.offset : cols.offset + cols.length]
    direct = trace(direct_spec, direct_input, flip_weight(recorded.weight, spec.groups), recorded.bias)

    def marks(axis: _Axis, stride: int) -> tuple[Array, Array, Array, Array]:
        at = np.arange(axis.size)
        inside = (at >= axis.before) & (at < axis.before + axis.spread)
        real = inside & ((at - axis.before) % stride == 0)
        padding = ~inside
        discarded = (at < axis.offset) | (at >= axis.offset + axis.length)
        source = np.where(real, (at - axis.before) // stride, -1)
        return real, padding, discarded, source

    real_r, pad_r, disc_r, source_rows = marks(rows, sh)
    real_c, pad_c, disc_c, source_cols = marks(cols, sw)
    kind = np.full((rows.size, cols.size), ZERO, dtype=np.int8)
    kind[real_r[:, None] & real_c[None, :]] = REAL
    kind[pad_r[:, None] | pad_c[None, :]] = PADDING
    kind[disc_r[:, None] | disc_c[None, :]] = DISCARDED
    return DirectView(
        spec=spec,
        trace=direct,
        grid=grid,
        kind=kind,
        pads=((rows.low, rows.high), (cols.low, cols.high)),
        offset=(rows.offset, cols.offset),
        source_rows=source_rows,
        source_cols=source_cols,
    )


@dataclass(frozen=True)
class Overlap:
    """How many stamps of a transposed convolution reach each cell (per input channel).

    An output channel receives this count from each of the ``C/g`` input channels of its group.

    Attributes
    ----------
    canvas : (Hc, Wc) int
        Counts over the full, uncropped canvas (``spec.canvas_size``).
    output : (Ho, Wo) int
        Counts over the output: the canvas cropped by the padding (``crop``).
    crop : (top, left, height, width)
        The window of the canvas that is the output.
    rows, cols : (Hc,) and (Wc,) int
        The counts along one axis; ``canvas`` is their outer product.
    """

    canvas: Array
    output: Array
    crop: tuple[int, int, int, int]
    rows: Array
    cols: Array


def overlap_counts(spec: ConvSpec) -> Overlap:
    """The stamp overlap counts of a transposed convolution (the checkerboard picture).

    Raises
    ------
    SpecError
        When ``spec`` is not a transposed convolution.
    """
    if not spec.transposed:
        raise SpecError("‹view› overlap counts the stamps of a transposed convolution: add ‹transposed›")
    check_size(spec)
    hc, wc = spec.canvas_size

    def axis(n: int, k: int, s: int, d: int, length: int) -> Array:
        targets = (np.arange(n)[:, None] * s + np.arange(k)[None, :] * d).ravel()
        return np.bincount(targets, minlength=length).astype(np.int64)

    rows = axis(spec.input_size[0], spec.kernel_size[0], spec.stride[0], spec.dilation[0], hc)
    cols = axis(spec.input_size[1], spec.kernel_size[1], spec.stride[1], spec.dilation[1], wc)
    canvas = rows[:, None] * cols[None, :]
    top, left = spec.padding
    ho, wo = spec.output_size
    return Overlap(canvas, canvas[top : top + ho, left : left + wo].copy(), (top, left, ho, wo), rows, cols)
