"""The one table of named animations: the docs assets, the README gallery and the tests.

Pure data (no numpy, no Pillow) so that ``convanim presets`` starts fast. Names follow
conv_arithmetic's where a picture people know exists, and spell out the configuration otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..compute.spec import ConvSpec


@dataclass(frozen=True)
class Preset:
    """A named animation: its spec, how it is drawn, and the asset file it makes.

    ``spec`` holds ``ConvSpec`` keyword arguments; ``values``/``kernel_values``/``seed`` choose the
    numbers; ``render`` holds render options (``steps``, ``frame`` for stills, ...).
    """

    name: str
    filename: str
    title: str
    spec: dict[str, Any]
    values: str = "random"
    kernel_values: str | None = None
    seed: int = 0
    render: dict[str, Any] = field(default_factory=dict)

    def conv_spec(self) -> ConvSpec:
        return ConvSpec(**self.spec)

    def command(self) -> str:
        """The ``convanim render`` command line that draws this preset from scratch."""
        spec = self.conv_spec()
        words = ["convanim render"]

        def pair(option: str, value: tuple[int, int], default: tuple[int, int]) -> None:
            if value != default:
                words.append(f"{option} {value[0] if value[0] == value[1] else f'{value[0]}x{value[1]}'}")

        if spec.is_pool:
            words.append(f"--op {spec.op}")
        pair("-i", spec.input_size, (5, 5))
        pair("-k", spec.kernel_size, (3, 3))
        pair("-s", spec.stride, spec.kernel_size if spec.is_pool else (1, 1))  # pooling: stride defaults to k
        pair("-p", spec.padding, (0, 0))
        pair("-d", spec.dilation, (1, 1))
        if spec.transposed:
            words.append("--transpose")
        pair("--output-padding", spec.output_padding, (0, 0))
        for option, value in (
            ("--in-channels", spec.in_channels),
            ("--out-channels", spec.out_channels),
            ("--groups", spec.groups),
        ):
            if value != 1:
                words.append(f"{option} {value}")
        if spec.bias:
            words.append("--bias")
        if spec.ceil_mode:
            words.append("--ceil-mode")
        if not spec.count_include_pad:
            words.append("--no-count-include-pad")
        if self.values != "random":
            words.append(f"--values {self.values}")
        if self.kernel_values is not None:
            words.append(f"--kernel-values {self.kernel_values}")
        if self.seed:
            words.append(f"--seed {self.seed}")
        for key, value in self.render.items():
            option = f"--{key.replace('_', '-')}"
            if value is True:
                words.append(option)  # a flag: --no-values, never "--no-values True"
            elif value is not False:
                words.append(f"{option} {value}")
        words.append(f"-o {self.filename}")
        return " ".join(words)


def _p(v: int | tuple[int, int]) -> tuple[int, int]:
    return (v, v) if isinstance(v, int) else v


def _conv(
    i: int | tuple[int, int],
    k: int | tuple[int, int],
    s: int | tuple[int, int] = 1,
    p: int | tuple[int, int] = 0,
    d: int = 1,
    **extra: Any,
) -> dict[str, Any]:
    return {"input_size": _p(i), "kernel_size": _p(k), "stride": _p(s), "padding": _p(p), "dilation": _p(d), **extra}


Size = int | tuple[int, int]


def _tconv(i: Size, k: Size, s: Size = 1, p: Size = 0, d: int = 1, op: int = 0, **extra: Any) -> dict[str, Any]:
    return {**_conv(i, k, s, p, d, **extra), "transposed": True, "output_padding": _p(op)}


_TABLE: list[Preset] = [
    Preset(
        "conv",
        "conv.gif",
        "3x3 filter on a 4x4 image, one multiply-add per frame",
        _conv(4, 3),
        render={"steps": "term"},
    ),
    Preset("conv_no_padding", "conv_no_padding.gif", "5x5 input, 3x3 kernel, no padding", _conv(5, 3)),
    Preset("conv_padding", "conv_padding.gif", "5x5 input, 3x3 kernel, stride 2, padding 1", _conv(5, 3, s=2, p=1)),
    Preset(
        "transpose_conv",
        "transpose_conv.gif",
        "transposed: 2x2 input, 3x3 kernel, stride 2, padding 1, output padding 1 -> 4x4",
        _tconv(2, 3, s=2, p=1, op=1),
    ),
    Preset(
        "transpose_conv_overlap",
        "transpose_conv_overlap.png",
        "still: two stamps of the transposed case and their summed overlap",
        _tconv(2, 3, s=2, p=1, op=1),
        render={"frame": 1},
    ),
    # The classic set, named as in conv_arithmetic.
    Preset("no_padding_no_strides", "no_padding_no_strides.gif", "4x4 input, 3x3 kernel", _conv(4, 3)),
    Preset(
        "arbitrary_padding_no_strides",
        "arbitrary_padding_no_strides.gif",
        "5x5 input, 4x4 kernel, padding 2",
        _conv(5, 4, p=2),
    ),
    Preset(
        "same_padding_no_strides",
        "same_padding_no_strides.gif",
        "5x5 input, 3x3 kernel, padding 1 (output the size of the input)",
        _conv(5, 3, p=1),
    ),
    Preset(
        "full_padding_no_strides",
        "full_padding_no_strides.gif",
        "5x5 input, 3x3 kernel, padding 2 (every partial overlap)",
        _conv(5, 3, p=2),
    ),
    Preset("no_padding_strides", "no_padding_strides.gif", "5x5 input, 3x3 kernel, stride 2", _conv(5, 3, s=2)),
    Preset(
        "padding_strides", "padding_strides.gif", "5x5 input, 3x3 kernel, stride 2, padding 1", _conv(5, 3, s=2, p=1)
    ),
    Preset(
        "padding_strides_odd",
        "padding_strides_odd.gif",
        "6x6 input, 3x3 kernel, stride 2, padding 1 (the last row and column are skipped)",
        _conv(6, 3, s=2, p=1),
    ),
    Preset("dilation", "dilation.gif", "7x7 input, 3x3 kernel, dilation 2", _conv(7, 3, d=2)),
    Preset(
        "no_padding_no_strides_transposed",
        "no_padding_no_strides_transposed.gif",
        "transposed: 2x2 input, 3x3 kernel -> 4x4",
        _tconv(2, 3),
    ),
    Preset(
        "arbitrary_padding_no_strides_transposed",
        "arbitrary_padding_no_strides_transposed.gif",
        "transposed: 6x6 input, 4x4 kernel, padding 2 -> 5x5",
        _tconv(6, 4, p=2),
    ),
    Preset(
        "same_padding_no_strides_transposed",
        "same_padding_no_strides_transposed.gif",
        "transposed: 5x5 input, 3x3 kernel, padding 1 -> 5x5",
        _tconv(5, 3, p=1),
    ),
    Preset(
        "full_padding_no_strides_transposed",
        "full_padding_no_strides_transposed.gif",
        "transposed: 7x7 input, 3x3 kernel, padding 2 -> 5x5",
        _tconv(7, 3, p=2),
    ),
    Preset(
        "no_padding_strides_transposed",
        "no_padding_strides_transposed.gif",
        "transposed: 2x2 input, 3x3 kernel, stride 2 -> 5x5",
        _tconv(2, 3, s=2),
    ),
    Preset(
        "padding_strides_transposed",
        "padding_strides_transposed.gif",
        "transposed: 3x3 input, 3x3 kernel, stride 2, padding 1 -> 5x5",
        _tconv(3, 3, s=2, p=1),
    ),
    Preset(
        "padding_strides_odd_transposed",
        "padding_strides_odd_transposed.gif",
        "transposed: 3x3 input, 3x3 kernel, stride 2, padding 1, output padding 1 -> 6x6",
        _tconv(3, 3, s=2, p=1, op=1),
    ),
    Preset(
        "dilation_transposed",
        "dilation_transposed.gif",
        "transposed: 3x3 input, 3x3 kernel, dilation 2 -> 7x7",
        _tconv(3, 3, d=2),
    ),
]

_TABLE += [
    # Real tensors: channels, filters, groups.
    Preset(
        "multi_channel",
        "multi_channel.gif",
        "5x5x3 input, padding 1, two 3x3x3 filters with bias, stride 2 -> 3x3x2",
        _conv(5, 3, s=2, p=1, in_channels=3, out_channels=2, bias=True),
    ),
    Preset(
        "depthwise",
        "depthwise.gif",
        "depthwise: 3 channels, one 3x3 filter each (groups 3), padding 1",
        _conv(4, 3, p=1, in_channels=3, out_channels=3, groups=3),
        render={"frame_ms": 500},
    ),
    # Letters, as the tutorial teaches them.
    Preset(
        "symbolic_transpose_1d",
        "symbolic_transpose_1d.gif",
        "transposed 1-D with letters: [a, b] and [x, y, z], stride 2 -> [ax, ay, az + bx, by, bz]",
        _tconv((1, 2), (1, 3), s=(1, 2)),
        values="symbolic",
    ),
    Preset(
        "symbolic_conv_1d",
        "symbolic_conv_1d.gif",
        "1-D with letters: [a, b, c, d] and [x, y, z], padding 1 -> [ay + bz, ax + by + cz, …]",
        _conv((1, 4), (1, 3), p=(0, 1)),
        values="symbolic",
    ),
]

_TABLE += [
    # The matrix view: a convolution is C times the flattened padded input; transposed, Cᵀ.
    Preset(
        "matrix_conv_1d",
        "matrix_conv_1d.gif",
        "matrix view: [a, b, c, d] and [x, y, z], padding 1, as C × padded input",
        _conv((1, 4), (1, 3), p=(0, 1)),
        values="symbolic",
        render={"view": "matrix"},
    ),
    Preset(
        "matrix_transpose_1d",
        "matrix_transpose_1d.gif",
        "matrix view of its transpose: Cᵀ × input, the canvas cropped by padding 1",
        _tconv((1, 4), (1, 3), p=(0, 1)),
        values="symbolic",
        render={"view": "matrix"},
    ),
    Preset(
        "matrix_2d",
        "matrix_2d.gif",
        "matrix view of a 3x3 input and a 2x2 kernel: C is 4x9",
        _conv(3, 2),
        render={"view": "matrix"},
    ),
    # The backward pass, drawn from the same trace.
    Preset(
        "backward_input",
        "backward_input.gif",
        "backward: grad_input, the output gradient stamped back through the kernel, padding cut away",
        _conv(4, 3, p=1),
        render={"grad": "input", "grad_values": "random"},
    ),
    Preset(
        "backward_weight",
        "backward_weight.gif",
        "backward: grad_weight grows by each output-gradient cell times its input window",
        _conv(4, 3, p=1),
        render={"grad": "weight", "grad_values": "random"},
    ),
    Preset(
        "backward_input_strided",
        "backward_input_strided.gif",
        "backward with stride 2, padding 1: grad_input of a 5x5 input from a 3x3 output gradient",
        _conv(5, 3, s=2, p=1),
        render={"grad": "input", "grad_values": "random"},
    ),
    Preset(
        "backward_weight_strided",
        "backward_weight_strided.gif",
        "backward with stride 2, padding 1: grad_weight from windows two cells apart",
        _conv(5, 3, s=2, p=1),
        render={"grad": "weight", "grad_values": "random"},
    ),
]

# Transposed convolution as the equivalent direct convolution: each conv_arithmetic case again.
_TABLE += [
    Preset(
        f"{preset.name}_direct",
        f"{preset.name}_direct.gif",
        preset.title.replace("transposed:", "transposed, as a direct convolution over the spread input:"),
        preset.spec,
        render={"view": "direct"},
    )
    for preset in list(_TABLE)
    if preset.name.endswith("_transposed") or preset.name == "transpose_conv"
]


def _pool(op: str, i: int, k: int, s: int | None = None, p: int = 0, **extra: Any) -> dict[str, Any]:
    return {**_conv(i, k, k if s is None else s, p), "op": op, **extra}


_TABLE += [
    # Pooling, with PyTorch's semantics: the window's winner or its sum ÷ divisor.
    Preset(
        "max_pooling",
        "max_pooling.gif",
        "max pooling: 4x4 input, 2x2 window, stride 2 -> 2x2 (the winner of each window)",
        _pool("max", 4, 2),
    ),
    Preset(
        "max_pooling_padding",
        "max_pooling_padding.gif",
        "max pooling: 5x5 input, 3x3 window, stride 2, padding 1 of minus infinity -> 3x3",
        _pool("max", 5, 3, s=2, p=1),
    ),
    Preset(
        "avg_pooling_ceil",
        "avg_pooling_ceil.gif",
        "average pooling, ceil mode: 5x5 input, 2x2 window, stride 2 -> 3x3 (the last windows hang over)",
        _pool("avg", 5, 2, ceil_mode=True),
    ),
    # A picture through a named kernel, coloured by value.
    Preset(
        "digit_sobel_x",
        "digit_sobel_x.png",
        "a 28x28 digit through the sobel-x kernel: the picture and its vertical edges, coloured by value",
        _conv(28, 3),
        values="digit",
        kernel_values="sobel-x",
        render={"frame": -1},
    ),
    # The checkerboard of Odena et al.: stamps per output cell.
    Preset(
        "checkerboard_k3_s2",
        "checkerboard_k3_s2.gif",
        "transposed, kernel 3, stride 2: how many stamps reach each cell (1, 2 or 4, a checkerboard)",
        _tconv(3, 3, s=2),
        render={"view": "overlap", "frame_ms": 500},
    ),
    Preset(
        "even_overlap_k4_s2",
        "even_overlap_k4_s2.gif",
        "transposed, kernel 4, stride 2, padding 1: every inside cell reached by 4 stamps (even)",
        _tconv(3, 4, s=2, p=1),
        render={"view": "overlap", "frame_ms": 500},
    ),
    Preset(
        "matrix_pattern",
        "matrix_pattern.gif",
        "matrix view at any size: an 8x8 input, padding 1, C is 64x100, its pattern by kernel weight",
        _conv(8, 3, p=1),
        render={"view": "matrix", "frame_ms": 300},
    ),
]

_TABLE += [
    # The volume view: tensors as blocks, channels as depth, each filter its own colour.
    Preset(
        "volume_rgb",
        "volume_rgb.gif",
        "volume: a 3-channel (RGB-style) 5x5 input, two 3x3x3 filters with bias -> 3x3x2",
        _conv(5, 3, in_channels=3, out_channels=2, bias=True),
        render={"view": "volume"},
    ),
    Preset(
        "volume_padding_strides",
        "volume_padding_strides.gif",
        "volume: stride 2 and padding 1 on a 5x5x3 input, two filters with bias",
        _conv(5, 3, s=2, p=1, in_channels=3, out_channels=2, bias=True),
        render={"view": "volume"},
    ),
    Preset(
        "volume_groups",
        "volume_groups.gif",
        "volume: groups 2, each filter spanning only its group's 2 of 4 channels",
        _conv(4, 3, p=1, in_channels=4, out_channels=2, groups=2),
        render={"view": "volume", "frame_ms": 500},
    ),
    Preset(
        "volume_depthwise",
        "volume_depthwise.gif",
        "volume: depthwise, one 3x3x1 filter per channel (groups 3)",
        _conv(4, 3, p=1, in_channels=3, out_channels=3, groups=3),
        render={"view": "volume", "frame_ms": 400},
    ),
    Preset(
        "volume_separable",
        "volume_separable.gif",
        "volume: depthwise-separable, a depthwise 3x3 then a 1x1 across channels, against one full 3x3 conv",
        _conv(3, 3, p=1, in_channels=3, out_channels=4, bias=True),
        render={"view": "separable", "frame_ms": 400},
    ),
]

PRESETS: dict[str, Preset] = {preset.name: preset for preset in _TABLE}


def get(name: str) -> Preset:
    """The preset called ``name``; ``KeyError`` with the known names otherwise."""
    try:
        return PRESETS[name]
    except KeyError:
        raise KeyError(f"unknown preset {name!r}: run 'convanim presets' to list them") from None
