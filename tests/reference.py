"""An independent reference for conv2d and conv_transpose2d (PyTorch semantics).

Written from the definitions with plain Python loops over nested lists, sharing no code with
``convanim``: integers stay Python integers (exact), floats are summed in a fixed order.

* ``conv2d``: cross-correlation. ``weight`` is ``(F, C/groups, kh, kw)``;
  ``out[f, oy, ox] = bias[f] + sum x[c, oy*s - p + ky*d, ox*s - p + kx*d] * w[f, c_local, ky, kx]``
  over the channels ``c`` of the filter's group, cells outside the input counting as zero.
* ``conv_transpose2d``: the scatter definition. ``weight`` is ``(C, F/groups, kh, kw)``;
  ``out[f, i*s - p + ky*d, j*s - p + kx*d] += x[c, i, j] * w[c, f_local, ky, kx]`` for the output
  channels ``f`` of the input channel's group, kept only where the target lies inside the output of
  size ``(H-1)*s - 2p + d*(k-1) + output_padding + 1``.

``conv2d_windows`` is a second, vectorised forward reference (sliding windows + einsum) used to
cross-check the loop version.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

Pair = tuple[int, int]


def _pair(value: int | Pair) -> Pair:
    if isinstance(value, int):
        return (value, value)
    return (int(value[0]), int(value[1]))


def _result_dtype(*arrays: Any) -> type:
    """int64 when every array is integer (or bool), float64 otherwise."""
    for a in arrays:
        if a is None:
            continue
        kind = np.asarray(a).dtype.kind
        if kind not in "biu":
            return np.float64
    return np.int64


def conv2d_output_size(size: Pair, kernel: Pair, stride: Pair, padding: Pair, dilation: Pair) -> Pair:
    """``floor((H + 2p - d*(k-1) - 1)/s) + 1`` per axis (may be < 1 for an invalid spec)."""
    h, w = ((size[a] + 2 * padding[a] - dilation[a] * (kernel[a] - 1) - 1) // stride[a] + 1 for a in (0, 1))
    return (h, w)


def conv_transpose2d_output_size(
    size: Pair, kernel: Pair, stride: Pair, padding: Pair, dilation: Pair, output_padding: Pair
) -> Pair:
    """``(H-1)*s - 2p + d*(k-1) + output_padding + 1`` per axis."""
    h, w = (
        (size[a] - 1) * stride[a] - 2 * padding[a] + dilation[a] * (kernel[a] - 1) + output_padding[a] + 1
        for a in (0, 1)
    )
    return (h, w)


def conv2d(
    x: Any,
    weight: Any,
    bias: Any = None,
    stride: int | Pair = 1,
    padding: int | Pair = 0,
    dilation: int | Pair = 1,
    groups: int = 1,
) -> np.ndarray:
    """``torch.nn.functional.conv2d`` on one unbatched ``(C, H, W)`` input, with Python loops."""
    dtype = _result_dtype(x, weight, bias)
    xs = np.asarray(x).tolist()
    ws = np.asarray(weight).tolist()
    bs = None if bias is None else np.asarray(bias).tolist()
    sh, sw = _pair(stride)
    ph, pw = _pair(padding)
    dh, dw = _pair(dilation)
    c_count, h, w = len(xs), len(xs[0]), len(xs[0][0])
    f_count, cg, kh, kw = len(ws), len(ws[0]), len(ws[0][0]), len(ws[0][0][0])
    assert c_count == cg * groups, "input channels must equal weight.shape[1] * groups"
    assert f_count % groups == 0, "output channels must be divisible by groups"
    fg = f_count // groups
    ho, wo = conv2d_output_size((h, w), (kh, kw), (sh, sw), (ph, pw), (dh, dw))
    assert ho >= 1 and wo >= 1, "the kernel does not fit the padded input"

    out = []
    for f in range(f_count):
        group = f // fg
        plane = []
        for oy in range(ho):
            row = []
            for ox in range(wo):
                acc: Any = 0
                for cl in range(cg):
                    c = group * cg + cl
                    for ky in range(kh):
                        y = oy * sh - ph + ky * dh
                        if y < 0 or y >= h:
                            continue
                        for kx in range(kw):
                            xx = ox * sw - pw + kx * dw
                            if xx < 0 or xx >= w:
                                continue
                            acc += xs[c][y][xx] * ws[f][cl][ky][kx]
                if bs is not None:
                    acc += bs[f]
                row.append(acc)
            plane.append(row)
        out.append(plane)
    return np.array(out, dtype=dtype).reshape(f_count, ho, wo)


def conv_transpose2d(
    x: Any,
    weight: Any,
    bias: Any = None,
    stride: int | Pair = 1,
    padding: int | Pair = 0,
    output_padding: int | Pair = 0,
    groups: int = 1,
    dilation: int | Pair = 1,
) -> np.ndarray:
    """``torch.nn.functional.conv_transpose2d`` on one unbatched ``(C, H, W)`` input, by scattering."""
    dtype = _result_dtype(x, weight, bias)
    xs = np.asarray(x).tolist()
    ws = np.asarray(weight).tolist()
    bs = None if bias is None else np.asarray(bias).tolist()
    sh, sw = _pair(stride)
    ph, pw = _pair(padding)
    oph, opw = _pair(output_padding)
    dh, dw = _pair(dilation)
    c_count, h, w = len(xs), len(xs[0]), len(xs[0][0])
    wc, fg, kh, kw = len(ws), len(ws[0]), len(ws[0][0]), len(ws[0][0][0])
    assert wc == c_count, "weight.shape[0] must equal the input channels"
    assert c_count % groups == 0, "input channels must be divisible by groups"
    cg = c_count // groups
    f_count = fg * groups
    ho, wo = conv_transpose2d_output_size((h, w), (kh, kw), (sh, sw), (ph, pw), (dh, dw), (oph, opw))
    assert ho >= 1 and wo >= 1, "the padding crops away the whole output"

    out: list[list[list[Any]]] = [[[0] * wo for _ in range(ho)] for _ in range(f_count)]
    for c in range(c_count):
        group = c // cg
        for i in range(h):
            for j in range(w):
                value = xs[c][i][j]
                for fl in range(fg):
                    f = group * fg + fl
                    for ky in range(kh):
                        y = i * sh - ph + ky * dh
                        if y < 0 or y >= ho:
                            continue
                        for kx in range(kw):
                            xx = j * sw - pw + kx * dw
                            if xx < 0 or xx >= wo:
                                continue
                            out[f][y][xx] += value * ws[c][fl][ky][kx]
    if bs is not None:
        for f in range(f_count):
            for y in range(ho):
                for xx in range(wo):
                    out[f][y][xx] += bs[f]
    return np.array(out, dtype=dtype).reshape(f_count, ho, wo)


def conv2d_windows(
    x: Any,
    weight: Any,
    bias: Any = None,
    stride: int | Pair = 1,
    padding: int | Pair = 0,
    dilation: int | Pair = 1,
    groups: int = 1,
) -> np.ndarray:
    """The same forward convolution, vectorised: dilated sliding windows and one einsum per group."""
    dtype = _result_dtype(x, weight, bias)
    x = np.asarray(x).astype(dtype)
    weight = np.asarray(weight).astype(dtype)
    sh, sw = _pair(stride)
    ph, pw = _pair(padding)
    dh, dw = _pair(dilation)
    f_count, cg, kh, kw = weight.shape
    fg = f_count // groups
    padded = np.pad(x, ((0, 0), (ph, ph), (pw, pw)))
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    # (C, Ho', Wo', span_h, span_w) -> strided output positions, dilated kernel taps.
    windows = sliding_window_view(padded, (span_h, span_w), axis=(1, 2))[:, ::sh, ::sw, ::dh, ::dw]
    parts = []
    for g in range(groups):
        win = windows[g * cg : (g + 1) * cg]
        ker = weight[g * fg : (g + 1) * fg]
        parts.append(np.einsum("cyxij,fcij->fyx", win, ker))
    out = np.concatenate(parts, axis=0)
    if bias is not None:
        out = out + np.asarray(bias).astype(dtype)[:, None, None]
    return out.astype(dtype)


def pool2d_output_size(size: int, kernel: int, stride: int, padding: int, dilation: int, ceil_mode: bool) -> int:
    """PyTorch's ``pooling_output_shape``: floor or ceil, then the ceil-mode drop rule."""
    numerator = size + 2 * padding - dilation * (kernel - 1) - 1
    if ceil_mode:
        out = -(-numerator // stride) + 1  # ceil division
        if (out - 1) * stride >= size + padding:  # the last window would start in the right padding
            out -= 1
        return out
    return numerator // stride + 1


def max_pool2d(
    x: Any,
    kernel_size: int | Pair,
    stride: int | Pair | None = None,
    padding: int | Pair = 0,
    dilation: int | Pair = 1,
    ceil_mode: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """``torch.nn.functional.max_pool2d(..., return_indices=True)`` on one ``(C, H, W)`` input.

    Written after PyTorch's CPU kernel: the window is clipped to the input (padding and a ceil-mode
    overhang read as nothing), a value wins only when strictly greater (ties: the first in row-major
    order), the index is ``row * W + col``. Returns ``(values, indices)``.
    """
    xs = np.asarray(x).tolist()
    kh, kw = _pair(kernel_size)
    sh, sw = _pair(kernel_size if stride is None else stride)
    ph, pw = _pair(padding)
    dh, dw = _pair(dilation)
    c_count, h, w = len(xs), len(xs[0]), len(xs[0][0])
    ho = pool2d_output_size(h, kh, sh, ph, dh, ceil_mode)
    wo = pool2d_output_size(w, kw, sw, pw, dw, ceil_mode)
    values: list[Any] = []
    indices: list[Any] = []
    for c in range(c_count):
        for oy in range(ho):
            for ox in range(wo):
                y0, x0 = oy * sh - ph, ox * sw - pw
                best: Any = None
                where = -1
                for ky in range(kh):
                    y = y0 + ky * dh
                    if y < 0 or y >= h:
                        continue
                    for kx in range(kw):
                        xx = x0 + kx * dw
                        if xx < 0 or xx >= w:
                            continue
                        if best is None or xs[c][y][xx] > best:
                            best, where = xs[c][y][xx], y * w + xx
                assert best is not None, "a window reads only padding"
                values.append(best)
                indices.append(where)
    dtype = np.float64 if np.asarray(x).dtype.kind == "f" else np.int64
    out = np.array(values, dtype=dtype).reshape(c_count, ho, wo)
    return out, np.array(indices, dtype=np.int64).reshape(c_count, ho, wo)


def avg_pool2d(
    x: Any,
    kernel_size: int | Pair,
    stride: int | Pair | None = None,
    padding: int | Pair = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """``torch.nn.functional.avg_pool2d`` on one ``(C, H, W)`` input; returns ``(values, divisors)``.

    Written after PyTorch's CPU kernel: ``count_include_pad`` divides by the window clipped to
    ``[-p, L + p)`` (a ceil-mode overhang past the padding is not counted), otherwise by the real
    cells. The sum runs over the real cells in row-major order (exact for integers).
    """
    xs = np.asarray(x).tolist()
    kh, kw = _pair(kernel_size)
    sh, sw = _pair(kernel_size if stride is None else stride)
    ph, pw = _pair(padding)
    c_count, h, w = len(xs), len(xs[0]), len(xs[0][0])
    ho = pool2d_output_size(h, kh, sh, ph, 1, ceil_mode)
    wo = pool2d_output_size(w, kw, sw, pw, 1, ceil_mode)
    values: list[float] = []
    divisors: list[int] = []
    for c in range(c_count):
        for oy in range(ho):
            for ox in range(wo):
                y0, x0 = oy * sh - ph, ox * sw - pw
                y1, x1 = min(y0 + kh, h + ph), min(x0 + kw, w + pw)
                pool_size = (y1 - y0) * (x1 - x0)
                ya, xa, yb, xb = max(y0, 0), max(x0, 0), min(y1, h), min(x1, w)
                total: Any = 0
                for y in range(ya, yb):
                    for xx in range(xa, xb):
                        total += xs[c][y][xx]
                divisor = pool_size if count_include_pad else (yb - ya) * (xb - xa)
                values.append(total / divisor)
                divisors.append(divisor)
    shape = (c_count, ho, wo)
    return np.array(values, dtype=np.float64).reshape(shape), np.array(divisors, dtype=np.int64).reshape(shape)


def spec_fields(**changes: Any) -> dict[str, Any]:
    """The spec options as the CLI hands them to ``values.resolve`` (2-D defaults), with ``changes``."""
    fields: dict[str, Any] = {
        "input_size": (5, 5),
        "kernel_size": (3, 3),
        "stride": (1, 1),
        "padding": (0, 0),
        "dilation": (1, 1),
        "output_padding": (0, 0),
        "in_channels": 1,
        "out_channels": 1,
        "groups": 1,
        "bias": False,
        "transposed": False,
    }
    return {**fields, **changes}
