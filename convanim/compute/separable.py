"""A depthwise-separable layer: a depthwise k×k convolution, then a 1×1 convolution across channels.

numpy only. The volume view draws it as the replacement of one full convolution (``C`` channels in,
``F`` filters of ``k×k×C``): first ``C`` filters of ``k×k×1`` (groups ``C``), then ``F`` filters of
``1×1×C`` on the depthwise output. Both stages are traced like any convolution, so every number on
the frame is a trace's.

The weights come from the full layer's generated kernel (one seed gives both stages): channel
``c``'s depthwise filter is slice ``c`` of filter ``c mod F``, and the 1×1 weights are the centre
taps ``W[o, c, kh // 2, kw // 2]``. The bias, when asked for, is the full layer's, added by the 1×1
stage (the depthwise stage has none), so both pictures end in the same ``F`` maps with a bias each.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..errors import SpecError
from .spec import ConvSpec
from .tracer import Trace, trace


@dataclass(frozen=True)
class Params:
    """Parameter counts: the depthwise stage, the 1×1 stage, and the one full convolution."""

    depthwise: int
    pointwise: int
    full: int

    @property
    def separable(self) -> int:
        return self.depthwise + self.pointwise


def check(spec: ConvSpec) -> None:
    """Refuse what has no depthwise-separable form."""
    if spec.transposed:
        raise SpecError("‹view› separable draws a forward convolution: drop ‹transposed›")
    if spec.groups != 1:
        raise SpecError(
            "‹view› separable splits one full convolution (groups 1) into a depthwise and a 1×1 stage: drop ‹groups›"
        )


def stage_specs(spec: ConvSpec) -> tuple[ConvSpec, ConvSpec]:
    """The depthwise spec (``C`` filters of ``k×k×1``) and the 1×1 spec (``F`` filters of ``1×1×C``)."""
    check(spec)
    c, f = spec.in_channels, spec.out_channels
    depthwise = replace(spec, out_channels=c, groups=c, bias=False)
    pointwise = ConvSpec(
        input_size=depthwise.output_size, kernel_size=(1, 1), in_channels=c, out_channels=f, bias=spec.bias
    )
    return depthwise, pointwise


def board_spec(spec: ConvSpec) -> ConvSpec:
    """A spec with as many steps as both stages together (the storyboard counts steps only)."""
    depthwise, pointwise = stage_specs(spec)
    ho, wo = depthwise.output_size
    return ConvSpec(
        input_size=(ho, wo), kernel_size=(1, 1), out_channels=depthwise.out_channels + pointwise.out_channels
    )


def params(spec: ConvSpec) -> Params:
    """Weights (and biases) of each stage against those of the full convolution ``spec``."""
    c, f = spec.in_channels, spec.out_channels
    kh, kw = spec.kernel_size
    bias = f if spec.bias else 0
    return Params(depthwise=c * kh * kw, pointwise=f * c + bias, full=f * c * kh * kw + bias)


def stages(full: Trace) -> tuple[Trace, Trace]:
    """The two traces of the separable form of ``full`` (a trace of the full convolution)."""
    if full.symbols is not None:
        raise SpecError("‹view› separable draws numbers: drop ‹values› symbolic")
    depthwise, pointwise = stage_specs(full.spec)
    c, f = full.spec.in_channels, full.spec.out_channels
    kh, kw = full.spec.kernel_size
    weight = full.weight
    dw = np.stack([weight[k % f, k] for k in range(c)])[:, None]
    pw = np.ascontiguousarray(weight[:, :, kh // 2, kw // 2][:, :, None, None])
    first = trace(depthwise, full.input, dw, None)
    second = trace(pointwise, first.output, pw, full.bias)
    return first, second
