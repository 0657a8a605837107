"""The convolution being drawn: sizes and hyper-parameters, validated once.

A :class:`ConvSpec` is the single description every other module works from. Its output size is
always derived (PyTorch's formulas), never passed in, so a picture can never claim a size the
arithmetic does not give.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ..errors import SpecError

Pair = tuple[int, int]
OPS = ("conv", "max", "avg")  # conv2d / conv_transpose2d, max_pool2d, avg_pool2d
MAX_VALUE = 1_000_000  # any size, stride, padding, dilation or channel count; far past any picture


def _axis_words(values: Pair, noun: str) -> str:
    """'kernel 5' when both axes agree, otherwise 'kernel 5x3'."""
    return f"{noun} {values[0]}" if values[0] == values[1] else f"{noun} {values[0]}x{values[1]}"


def pair_text(values: Pair) -> str:
    """A pair as a user types it: ``3`` when square, ``3x5`` otherwise."""
    return str(values[0]) if values[0] == values[1] else f"{values[0]}x{values[1]}"


@dataclass(frozen=True)
class ConvSpec:
    """A 2-D convolution (or transposed convolution) with PyTorch semantics.

    Parameters
    ----------
    input_size : (int, int)
        Input height and width. A 1-D convolution is ``(1, W)`` with a ``(1, k)`` kernel.
    kernel_size : (int, int)
        Kernel height and width.
    stride, padding, dilation : (int, int)
        As in ``torch.nn.functional.conv2d`` / ``conv_transpose2d``.
    output_padding : (int, int)
        Transposed only: extra rows/columns at the bottom/right of the output; each must be
        smaller than the stride or the dilation on its axis.
    in_channels, out_channels, groups : int
        Channels of input and output; both must be divisible by ``groups``.
    bias : bool
        Whether a bias is added to every output cell.
    transposed : bool
        ``conv_transpose2d`` (the scatter view) instead of ``conv2d``.
    op : {"conv", "max", "avg"}
        ``conv`` (the default), or pooling with ``max_pool2d`` / ``avg_pool2d`` semantics: one output
        channel per input channel (``out_channels == in_channels``), no kernel values, no bias, no
        groups, padding at most half the kernel. The stride is given like any other field here;
        :func:`convanim.compute.pooling.pool_spec` and the options default it to the kernel size.
    ceil_mode : bool
        Pooling: round the output size up, dropping a last window that would start in the right
        (bottom) padding, as PyTorch does.
    count_include_pad : bool
        ``avg``: divide by the window clipped to the padded input (True, PyTorch's default) or by
        the real input cells it covers (False).

    Raises
    ------
    SpecError
        With a sentence naming the offending option and how to fix it.
    """

    input_size: Pair = (5, 5)
    kernel_size: Pair = (3, 3)
    stride: Pair = (1, 1)
    padding: Pair = (0, 0)
    dilation: Pair = (1, 1)
    output_padding: Pair = (0, 0)
    in_channels: int = 1
    out_channels: int = 1
    groups: int = 1
    bias: bool = False
    transposed: bool = False
    op: str = "conv"
    ceil_mode: bool = False
    count_include_pad: bool = True

    def __post_init__(self) -> None:
        for name in ("input_size", "kernel_size", "stride", "padding", "dilation", "output_padding"):
            value = getattr(self, name)
            if (
                not isinstance(value, tuple)
                or len(value) != 2
                or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
            ):
                raise SpecError(f"{name} must be a pair of integers, got {value!r}")
        for name in ("in_channels", "out_channels", "groups"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise SpecError(f"{name} must be an integer, got {value!r}")
        for name in ("bias", "transposed", "ceil_mode", "count_include_pad"):
            if not isinstance(getattr(self, name), bool):
                raise SpecError(f"‹{name}› must be true or false, got {getattr(self, name)!r}")
        if self.op not in OPS:
            raise SpecError(f"‹op› {self.op!r} is unknown: use conv, max or avg")
        self._check()

    # -- validation -------------------------------------------------------------------------

    def _check(self) -> None:
        minimum = {
            "input_size": (1, "‹input_size›", "an input of at least 1x1"),
            "kernel_size": (1, "‹kernel_size›", "a kernel of at least 1x1"),
            "stride": (1, "‹stride›", "a stride of 1 or more"),
            "dilation": (1, "‹dilation›", "a dilation of 1 or more (1 means no gaps)"),
            "padding": (0, "‹padding›", "a padding of 0 or more"),
            "output_padding": (0, "‹output_padding›", "an output padding of 0 or more"),
        }
        for name, (low, option, fix) in minimum.items():
            value = getattr(self, name)
            if min(value) < low:
                raise SpecError(f"{option} {pair_text(value)} is out of range: use {fix}")
            if max(value) > MAX_VALUE:
                raise SpecError(f"{option} {pair_text(value)} is out of range: use at most {MAX_VALUE:,}")
        for name, option in (
            ("in_channels", "‹in_channels›"),
            ("out_channels", "‹out_channels›"),
            ("groups", "‹groups›"),
        ):
            if not 1 <= getattr(self, name) <= MAX_VALUE:
                raise SpecError(f"{option} {getattr(self, name)} is out of range: use 1 to {MAX_VALUE:,}")
        for name, option in (("in_channels", "‹in_channels›"), ("out_channels", "‹out_channels›")):
            channels = getattr(self, name)
            if channels % self.groups:
                raise SpecError(
                    f"{option} {channels} is not divisible by ‹groups› {self.groups}: "
                    f"use a number of groups that divides both channel counts"
                )
        if self.is_pool:
            self._check_pool()
            return
        if self.ceil_mode:
            raise SpecError("‹ceil_mode› only applies to pooling: add ‹op› max or avg, or drop ‹ceil_mode›")
        if not self.count_include_pad:
            raise SpecError("‹count_include_pad› only applies to ‹op› avg: add ‹op› avg or drop ‹count_include_pad›")
        if self.transposed:
            self._check_transposed()
        else:
            self._check_forward()

    def _check_pool(self) -> None:
        """PyTorch's max_pool2d / avg_pool2d rules, refused in the order a user would fix them."""
        op = self.op
        if self.transposed:
            raise SpecError(f"‹op› {op} has no transposed form: drop ‹transposed›")
        if self.bias:
            raise SpecError(f"‹op› {op} takes no ‹bias›: drop it")
        if self.groups != 1:
            raise SpecError(f"‹op› {op} pools every channel on its own and takes no ‹groups›: drop it")
        if self.out_channels != self.in_channels:
            raise SpecError(
                f"‹op› {op} keeps the channels: ‹out_channels› {self.out_channels} must equal "
                f"‹in_channels› {self.in_channels}: drop ‹out_channels›"
            )
        if any(self.output_padding):
            raise SpecError(f"‹output_padding› only applies to a transposed convolution: drop it with ‹op› {op}")
        if op == "avg" and self.dilation != (1, 1):
            raise SpecError("‹op› avg takes no ‹dilation› (avg_pool2d has none): drop it or use ‹op› max")
        if op == "max" and not self.count_include_pad:
            raise SpecError("‹count_include_pad› only applies to ‹op› avg: drop it with ‹op› max")
        for axis in (0, 1):
            k, p = self.kernel_size[axis], self.padding[axis]
            if p > k // 2:
                raise SpecError(
                    f"‹padding› {p} is more than half of ‹kernel_size› {k}: pooling pads at most {k // 2} "
                    f"(PyTorch's rule): lower ‹padding› or raise ‹kernel_size›"
                )
        out = self._raw_output_size()
        for axis in (0, 1):
            if out[axis] < 1:
                span, padded, s = self.kernel_span[axis], self.padded_input_size[axis], self.stride[axis]
                fixes = ["use a smaller ‹kernel_size›"]
                if self.dilation[axis] > 1:
                    fixes.append("lower ‹dilation›")
                if self.padding[axis] < self.kernel_size[axis] // 2:
                    fixes.append("raise ‹padding›")
                if not self.ceil_mode and padded - span + s - 1 >= 0:  # a hanging window would fit
                    fixes.append("add ‹ceil_mode›")
                fix = ", ".join(fixes[:-1]) + " or " + fixes[-1] if len(fixes) > 1 else fixes[0]
                raise SpecError(f"the window spans {span} cells but the padded input is {padded}: {fix}")
        self._check_pool_windows(out)

    def _check_pool_windows(self, out: Pair) -> None:
        """Refuse a dilated window that reads padding only: PyTorch gives -inf and an index outside."""
        for axis in (0, 1):
            n, s, d, p = self.input_size[axis], self.stride[axis], self.dilation[axis], self.padding[axis]
            if n >= d:
                # A window reads every d-th cell, p <= k/2 of its taps at most fall in the padding
                # before the input, and its first tap inside lands within d cells of its start.
                continue
            # Only then may a window miss every real cell. A window starting at a real cell reads
            # it, and none starts past the input (floor mode: the span is at least 2p; ceil mode
            # drops such windows), so only windows starting in the top/left padding are checked.
            for o in range(min(out[axis], p // s + 1)):
                start = o * s - p  # input coordinate of the first tap
                # First tap at or after 0: start + t*d with t = ceil(-start/d) when start < 0.
                first = start if start >= 0 else start + (-start + d - 1) // d * d
                if first >= n or first > start + d * (self.kernel_size[axis] - 1):
                    where = ("row", "column")[axis]
                    raise SpecError(
                        f"with ‹dilation› {d} the window at output {where} {o} reads only padding "
                        f"(max_pool2d would give -inf): lower ‹dilation› or ‹padding›"
                    )

    def _check_forward(self) -> None:
        if any(self.output_padding):
            raise SpecError(
                "‹output_padding› only applies to a transposed convolution: add ‹transposed› or drop ‹output_padding›"
            )
        span = self.kernel_span
        padded = self.padded_input_size
        for axis in (0, 1):
            if span[axis] > padded[axis]:
                kernel = self.kernel_size[axis]
                dil = self.dilation[axis]
                square = span[0] == span[1] and padded[0] == padded[1]
                where = "" if square else (" rows", " columns")[axis]
                spans = (
                    f"kernel {kernel} with dilation {dil} spans {span[axis]} cells"
                    if dil > 1
                    else f"kernel {kernel} spans {span[axis]} cells"
                )
                fix = (
                    "lower ‹dilation› or raise ‹padding›"
                    if dil > 1
                    else "use a smaller ‹kernel_size› or raise ‹padding›"
                )
                raise SpecError(f"{spans} but the padded input is {padded[axis]}{where}: {fix}")

    def _check_transposed(self) -> None:
        for axis in (0, 1):
            op = self.output_padding[axis]
            s, d = self.stride[axis], self.dilation[axis]
            if op >= s and op >= d:
                raise SpecError(
                    f"‹output_padding› {op} must be smaller than the stride ({s}) or the dilation "
                    f"({d}): lower ‹output_padding› or raise ‹stride›"
                )
        out = self._raw_output_size()
        for axis in (0, 1):
            if out[axis] < 1:
                raise SpecError(
                    f"‹padding› {self.padding[axis]} crops away the whole output (it would be "
                    f"{out[axis]} cells): lower ‹padding› or use a larger ‹kernel_size› or ‹stride›"
                )

    # -- derived sizes ----------------------------------------------------------------------

    @property
    def kernel_span(self) -> Pair:
        """Cells one kernel covers with dilation gaps: ``d*(k-1)+1`` per axis."""
        return (
            self.dilation[0] * (self.kernel_size[0] - 1) + 1,
            self.dilation[1] * (self.kernel_size[1] - 1) + 1,
        )

    @property
    def padded_input_size(self) -> Pair:
        """Forward: the input with its zero-padding ring."""
        return (
            self.input_size[0] + 2 * self.padding[0],
            self.input_size[1] + 2 * self.padding[1],
        )

    def _raw_output_size(self) -> Pair:
        h, w = self.input_size
        (sh, sw), (ph, pw) = self.stride, self.padding
        (dh, dw), (kh, kw) = self.dilation, self.kernel_size
        if self.transposed:
            oph, opw = self.output_padding
            return (
                (h - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1,
                (w - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1,
            )
        if self.ceil_mode:
            sizes = []
            for n, s, p, span in zip((h, w), (sh, sw), (ph, pw), self.kernel_span, strict=True):
                out = (n + 2 * p - span + s - 1) // s + 1
                if (out - 1) * s >= n + p:  # the last window would start in the right padding: dropped
                    out -= 1
                sizes.append(out)
            return (sizes[0], sizes[1])
        return (
            (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1,
            (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1,
        )

    @property
    def output_size(self) -> Pair:
        """Output height and width, from PyTorch's formulas."""
        return self._raw_output_size()

    @property
    def is_pool(self) -> bool:
        """Max or average pooling (``op`` is not ``conv``)."""
        return self.op != "conv"

    @property
    def window_extent(self) -> Pair:
        """Forward and pooling: the cells the windows reach from the padded input's top-left corner.

        The padded input, or more when a ceil-mode window hangs over its bottom/right edge (those
        cells are read as nothing: max ignores them, avg does not count them).
        """
        out, padded, span = self.output_size, self.padded_input_size, self.kernel_span
        return (
            max(padded[0], (out[0] - 1) * self.stride[0] + span[0]),
            max(padded[1], (out[1] - 1) * self.stride[1] + span[1]),
        )

    @property
    def stamp_size(self) -> Pair:
        """Transposed: the full, uncropped extent the stamps cover: ``(H-1)*s + d*(k-1) + 1``."""
        return (
            (self.input_size[0] - 1) * self.stride[0] + self.kernel_span[0],
            (self.input_size[1] - 1) * self.stride[1] + self.kernel_span[1],
        )

    @property
    def canvas_size(self) -> Pair:
        """Transposed: the uncropped output canvas (stamps plus any output padding beyond them)."""
        stamp = self.stamp_size
        return (
            stamp[0] + max(0, self.output_padding[0] - self.padding[0]),
            stamp[1] + max(0, self.output_padding[1] - self.padding[1]),
        )

    @property
    def is_1d(self) -> bool:
        """An input one row high with a one-row kernel: drawn and described as 1-D."""
        return self.input_size[0] == 1 and self.kernel_size[0] == 1

    @property
    def weight_shape(self) -> tuple[int, int, int, int]:
        """PyTorch layout: conv ``(F, C/g, kh, kw)``; transposed ``(C, F/g, kh, kw)``; pooling
        ``(0, 1, kh, kw)`` (no weights, only the window's shape)."""
        kh, kw = self.kernel_size
        if self.is_pool:
            return (0, 1, kh, kw)
        if self.transposed:
            return (self.in_channels, self.out_channels // self.groups, kh, kw)
        return (self.out_channels, self.in_channels // self.groups, kh, kw)

    @property
    def input_shape(self) -> tuple[int, int, int]:
        return (self.in_channels, *self.input_size)

    @property
    def output_shape(self) -> tuple[int, int, int]:
        return (self.out_channels, *self.output_size)

    @property
    def n_steps(self) -> int:
        """Steps of the trace: output cells (forward) or input cells (transposed)."""
        if self.transposed:
            return self.in_channels * self.input_size[0] * self.input_size[1]
        ho, wo = self.output_size
        return self.out_channels * ho * wo

    @property
    def terms_per_step(self) -> int:
        """Multiply-adds in one step: the window (forward) or the stamp (transposed)."""
        kh, kw = self.kernel_size
        if self.is_pool:
            return kh * kw
        if self.transposed:
            return (self.out_channels // self.groups) * kh * kw
        return (self.in_channels // self.groups) * kh * kw

    @property
    def n_terms(self) -> int:
        return self.n_steps * self.terms_per_step

    def adjoint(self) -> ConvSpec:
        """The convolution that maps this one's output back to its input size, with the same weight.

        For a convolution: the transposed convolution (its ``output_padding`` restores the rows the
        stride skipped). For a transposed convolution: the convolution. This is the operation of the
        input gradient, and of the "transposed" in transposed convolution.
        """
        if self.is_pool:
            raise SpecError(f"‹op› {self.op} is not linear: it has no adjoint (no gradient view): drop ‹grad›")
        common: dict[str, Any] = {
            "input_size": self.output_size,
            "kernel_size": self.kernel_size,
            "stride": self.stride,
            "padding": self.padding,
            "dilation": self.dilation,
            "in_channels": self.out_channels,
            "out_channels": self.in_channels,
            "groups": self.groups,
        }
        if self.transposed:
            return ConvSpec(**common)
        extra = tuple(
            self.input_size[a]
            - ((self.output_size[a] - 1) * self.stride[a] - 2 * self.padding[a] + self.kernel_span[a])
            for a in (0, 1)
        )
        return ConvSpec(**common, output_padding=(extra[0], extra[1]), transposed=True)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: every field as a list or scalar, plus the derived output size."""
        data: dict[str, Any] = {"transposed": self.transposed}
        pool_keys = ("op", "ceil_mode", "count_include_pad")
        for key, value in asdict(self).items():
            if key == "transposed" or (key in pool_keys and not self.is_pool):
                continue  # a convolution's JSON stays as it was before pooling existed
            data[key] = list(value) if isinstance(value, tuple) else value
        data["output_size"] = list(self.output_size)
        return data

    def describe(self) -> str:
        """A short human description, e.g. ``conv 5x5, kernel 3, stride 2, pad 1 -> 3x3``."""
        name = f"{self.op} pool" if self.is_pool else ("transposed conv" if self.transposed else "conv")
        parts = [f"{name} {self.input_size[0]}x{self.input_size[1]}", _axis_words(self.kernel_size, "kernel")]
        if self.is_pool and self.in_channels > 1:
            parts.append(f"channels {self.in_channels}")
        elif self.in_channels > 1 or self.out_channels > 1:
            parts.append(f"channels {self.in_channels} -> {self.out_channels}")
        if self.groups > 1:
            parts.append(f"groups {self.groups}")
        if self.bias:
            parts.append("bias")
        for name, noun, default in (
            ("stride", "stride", (1, 1)),
            ("padding", "pad", (0, 0)),
            ("dilation", "dilation", (1, 1)),
            ("output_padding", "output_padding", (0, 0)),
        ):
            value = getattr(self, name)
            if value != default:
                parts.append(_axis_words(value, noun))
        if self.ceil_mode:
            parts.append("ceil_mode")
        if not self.count_include_pad:
            parts.append("count_include_pad false")
        ho, wo = self.output_size
        return ", ".join(parts) + f" -> {ho}x{wo}"
