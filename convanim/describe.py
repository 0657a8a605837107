"""Alt text: what an animation shows, in one paragraph a screen reader can read.

The words come from the spec the trace is computed on and from the storyboard the frames are made
from, so the description cannot disagree with the picture: the operation, the sizes, padding,
stride and dilation, the output size with the formula that gives it (and what the stride leaves
uncovered), and how many steps the frames show. Plain ASCII arithmetic and no brackets, so it can
stand in a Markdown image's alt text or an HTML ``alt`` attribute as it is.
"""

from __future__ import annotations

from .compute.spec import ConvSpec
from .compute.values import resolve
from .pipeline import Animation, from_options
from .plan.options import RenderOptions


def describe(options: RenderOptions, animation: Animation | None = None) -> str:
    """A one-paragraph description of the animation ``options`` ask for.

    Parameters
    ----------
    options : RenderOptions
        The render options, as :meth:`RenderOptions.from_mapping` made them.
    animation : Animation, optional
        The animation already built from ``options`` (built here when not given).

    Returns
    -------
    str
        For example ``Convolution of a 5x5 input, zero-padded by 1 on each side, with a 3x3 kernel
        at stride 2, giving a 3x3 output: (5 + 2*1 - 3) / 2 rounded down, + 1 = 3. 9 steps, one
        kernel position per frame.``

    Raises
    ------
    SpecError
        The options describe no valid convolution (the same refusals as a render).
    """
    spec, _ = resolve(
        options.spec_fields(), options.spec_explicit(), options.values, options.kernel_values, options.seed
    )
    if animation is None:
        animation = from_options(options)
    if options.grad == "input":
        what = f"The input gradient of {_conv_words(spec, article=True)}"
        how = (
            f"the {_size(spec.output_size, spec)} output gradient is stamped back through the kernel "
            f"into the {_size(spec.input_size, spec)} input" + (", the padding cut away" if any(spec.padding) else "")
        )
        sentence = f"{what}: {how}."
    elif options.grad == "weight":
        what = f"The weight gradient of {_conv_words(spec, article=True)}"
        how = (
            f"each of the {spec.out_channels * spec.output_size[0] * spec.output_size[1]} output-gradient "
            f"cells times its input window, added into the {_size(spec.kernel_size, spec)} kernel gradient"
        )
        sentence = f"{what}: {how}."
    else:
        words = _conv_words(spec, article=False)
        sentence = f"{words[0].upper()}{words[1:]}, {_output_words(spec)}."
        if options.view == "matrix":
            product = "C transposed times the input" if spec.transposed else "a matrix C times the padded input"
            sentence += f" The same computation is drawn as a matrix product with {product}."
        elif options.view == "direct":
            sentence += (
                " It is drawn as the equivalent direct convolution: the input spread with zeros inserted and"
                " padded, the kernel rotated by 180 degrees, slid at stride 1."
            )
        elif options.view == "overlap":
            sentence += " The picture counts how many stamps reach each output cell, coloured by count."
        elif options.view in ("volume", "separable"):
            sentence += _volume_words(spec, options.view)
    if animation.trace.kernel_name is not None:
        sentence += f" The kernel is {animation.trace.kernel_name}, applied as conv2d applies it."
    coloured = _coloured(animation)
    if coloured:
        sentence += f" {coloured}"
    if animation.trace.symbols is not None:
        sentence += " Cells are named by letters and outputs are written as expressions."
    elif options.no_values:
        sentence += " Geometry only, without numbers."
    return f"{sentence} {_steps_words(animation, options)}"


def _coloured(animation: Animation) -> str:
    """What colour says in the picture: values too small for numbers, or the matrix's pattern."""
    view = animation.view
    if animation.trace.symbols is not None or not animation.look.values:
        return ""
    if view in ("conv", "direct"):
        from .draw.painter import LayoutMedium
        from .draw.views import make_scene
        from .paint.raster import RASTER

        scene = make_scene(animation.trace, animation.look, LayoutMedium(RASTER.metrics), view, animation.grad_output)
        if getattr(scene, "colour_scales", None):
            numbers = "with their numbers" if getattr(scene, "keep_numbers", False) else "instead of numbers"
            return f"Cells are coloured by value {numbers}, with a legend."
    if view == "matrix":
        from .draw.views import MAX_MATRIX_CELLS, matrix_shape

        rows, cols = matrix_shape(animation.trace)
        if rows * cols > MAX_MATRIX_CELLS:
            return "The matrix is drawn as its pattern: each nonzero entry coloured by the kernel weight it is."
    return ""


def _volume_words(spec: ConvSpec, view: str) -> str:
    """What the volume views add: blocks, colours, per-channel sums; the separable stages and counts."""
    if view == "volume":
        bias = ", plus the bias," if spec.bias else ""
        return (
            " Drawn as 3-D blocks, channels as depth: the window is a block through every channel of the filter's"
            " group, each filter has its own colour and fills its output map in it, and each channel's partial"
            f" sum{bias} is written beside the filters."
        )
    from .compute.separable import params

    counts = params(spec)
    kh, kw = spec.kernel_size
    return (
        f" Drawn as 3-D blocks, it is replaced by a depthwise-separable layer: {spec.in_channels} depthwise"
        f" {kh}x{kw} filters, one per channel, then {spec.out_channels} filters of 1x1x{spec.in_channels}"
        " across the channels"
        + (" with a bias" if spec.bias else "")
        + f"; {counts.depthwise} + {counts.pointwise} = {counts.separable} parameters against {counts.full}"
        " for the full convolution."
    )


def _size(pair: tuple[int, int], spec: ConvSpec) -> str:
    """``5x5``, or ``5-cell`` for a 1-D strip."""
    return f"{pair[1]}-cell" if spec.is_1d else f"{pair[0]}x{pair[1]}"


def _amount(pair: tuple[int, int], spec: ConvSpec) -> str:
    """``2`` when both axes agree (or 1-D), ``1 by 2`` (rows by columns) otherwise."""
    if spec.is_1d or pair[0] == pair[1]:
        return str(pair[1])
    return f"{pair[0]} on rows and {pair[1]} on columns"


def _conv_words(spec: ConvSpec, article: bool) -> str:
    """``convolution of a 5x5 input, zero-padded by 1 on each side, with a 3x3 kernel at stride 2``."""
    dims = "1-D " if spec.is_1d else ""
    kind = "transposed convolution" if spec.transposed else "convolution"
    pool = _pool(spec)
    if pool:
        return _pool_words(spec, pool, article, dims)
    words = f"{'a ' if article else ''}{dims}{kind} of a"
    channels = f"{spec.in_channels}-channel " if spec.in_channels > 1 else ""
    words += f" {channels}{_size(spec.input_size, spec)} input"
    if any(spec.padding) and not spec.transposed:
        words += f", zero-padded by {_amount(spec.padding, spec)} on each side,"
    kernel = _size(spec.kernel_size, spec)
    if spec.out_channels > 1 or spec.in_channels > 1:
        per_group = spec.in_channels // spec.groups
        filters = "filter" if spec.out_channels == 1 else "filters"
        depth = f"x{per_group}" if per_group > 1 else ""
        words += f" with {spec.out_channels} {filters} of {kernel}{depth}"
        if spec.groups > 1:
            words += f" in {spec.groups} groups" + (" (depthwise)" if spec.groups == spec.in_channels else "")
    else:
        words += f" with a {kernel} kernel"
    if spec.dilation != (1, 1):
        words += f" dilated by {_amount(spec.dilation, spec)} (spanning {_size(spec.kernel_span, spec)})"
    if spec.stride != (1, 1):
        words += f" at stride {_amount(spec.stride, spec)}"
    if spec.bias:
        words += ", plus a bias"
    return words


def _pool(spec: ConvSpec) -> str | None:
    """``max`` or ``avg`` for a pooling spec, None for a convolution."""
    op = getattr(spec, "op", "conv")
    return None if op == "conv" else str(op)


def _pool_words(spec: ConvSpec, pool: str, article: bool, dims: str) -> str:
    """``max pooling of a 4x4 input with a 2x2 window at stride 2``."""
    kind = "max pooling" if pool == "max" else "average pooling"
    channels = f"{spec.in_channels}-channel " if spec.in_channels > 1 else ""
    words = f"{'a ' if article else ''}{dims}{kind} of a {channels}{_size(spec.input_size, spec)} input"
    if any(spec.padding):
        fill = "padded with minus infinity" if pool == "max" else "zero-padded"
        words += f", {fill} by {_amount(spec.padding, spec)} on each side,"
    words += f" with a {_size(spec.kernel_size, spec)} window"
    if spec.dilation != (1, 1):
        words += f" dilated by {_amount(spec.dilation, spec)} (spanning {_size(spec.kernel_span, spec)})"
    if spec.stride != (1, 1):
        words += f" at stride {_amount(spec.stride, spec)}"
    return words


def _axes(spec: ConvSpec) -> list[tuple[int, str]]:
    """The axes a formula is written for: one when both agree (or 1-D), else rows and columns."""
    same = all(
        pair[0] == pair[1]
        for pair in (spec.input_size, spec.kernel_size, spec.stride, spec.padding, spec.dilation, spec.output_padding)
    )
    if spec.is_1d:
        return [(1, "")]
    return [(0, "")] if same else [(0, "rows "), (1, "columns ")]


def _output_words(spec: ConvSpec) -> str:
    """``giving a 3x3 output: (5 + 2*1 - 3) / 2 rounded down, + 1 = 3``, and what the stride skips."""
    out = _size(spec.output_size, spec)
    formulas = []
    for axis, label in _axes(spec):
        n, k, s, p = spec.input_size[axis], spec.kernel_span[axis], spec.stride[axis], spec.padding[axis]
        size = spec.output_size[axis]
        if spec.transposed:
            op = spec.output_padding[axis]
            formula = (f"({n} - 1)*{s}" if s > 1 else f"{n} - 1") + (f" - 2*{p}" if p else "") + f" + {k}"
            formula += (f" + {op}" if op else "") + f" = {size}"
        else:
            inner = f"{n}" + (f" + 2*{p}" if p else "") + f" - {k}"
            rounded = "rounded up" if getattr(spec, "ceil_mode", False) else "rounded down"
            formula = f"({inner}) / {s} {rounded}, + 1 = {size}" if s > 1 else f"{inner} + 1 = {size}"
        formulas.append(label + formula)
    words = f"giving a {out} output{'s' if spec.out_channels > 1 else ''}"
    if spec.out_channels > 1:
        words = f"giving {spec.out_channels} output maps of {out}"
    words += ": " + "; ".join(formulas)
    if spec.transposed:
        canvas = _size(spec.canvas_size, spec)
        words += f". Each input cell stamps its value times the kernel into a {canvas} canvas, overlaps summed"
        cuts = []
        if any(spec.padding):
            cuts.append(f"padding {_amount(spec.padding, spec)} cropped from each side")
        if any(spec.output_padding):
            cuts.append(f"output padding {_amount(spec.output_padding, spec)} added at the end")
        if cuts:
            words += ", then " + " and ".join(cuts)
        return words
    skipped = []
    if getattr(spec, "ceil_mode", False) and spec.window_extent != spec.padded_input_size:
        return words + "; the last window hangs past the input, and the cells past it are not counted"
    for axis, noun in ((0, "row"), (1, "column")):
        if spec.is_1d and axis == 0:
            continue
        left = (spec.padded_input_size[axis] - spec.kernel_span[axis]) % spec.stride[axis]
        if left:
            noun = "cell" if spec.is_1d else noun
            skipped.append(f"{left} {noun}s" if left > 1 else noun)
    if skipped:
        words += f"; the stride leaves the last {' and '.join(skipped)} of the padded input uncovered"
    return words


def _steps_words(animation: Animation, options: RenderOptions) -> str:
    """``9 steps, one kernel position per frame.``, or what a still or a slice shows."""
    board = animation.storyboard()
    spec = animation.trace.spec
    if options.frame is not None:
        board.frame(options.frame)  # refuse a frame out of range, as a render does
        index = options.frame if options.frame >= 0 else len(board) + options.frame
        return f"A still of frame {index + 1} of {len(board)}."
    total = board.total_steps * board.terms
    if len(board) != total:
        first = board.start * board.terms + 1
        return f"Frames {first} to {first + len(board) - 1} of {total}."
    steps = spec.n_steps
    if options.view == "separable":
        stage = board.total_steps - spec.out_channels * spec.output_size[0] * spec.output_size[1]
        return (
            f"{board.total_steps} steps, one kernel position per frame: {stage} depthwise, "
            f"then {board.total_steps - stage} of the 1x1 filters."
        )
    if board.granularity == "term":
        return f"{total} multiply-adds over {steps} kernel positions, one per frame."
    if options.grad == "weight":
        unit = "one output-gradient cell per frame"
    elif options.view == "direct":
        steps = board.total_steps
        unit = "one stride-1 window per frame"
    elif spec.transposed:
        cut = any(spec.padding) or any(spec.output_padding)
        unit = "one stamp per frame, then " + ("the crop to the output" if cut else "the output")
    elif _pool(spec):
        unit = "one window per frame"
    else:
        unit = "one kernel position per frame"
    return f"{steps} step{'s' if steps != 1 else ''}, {unit}."
