"""ConvSpec: PyTorch's output sizes, derived shapes, and validation with messages that name the option."""

from __future__ import annotations

import json
import re
from dataclasses import FrozenInstanceError
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from reference import conv2d_output_size, conv_transpose2d_output_size

from convanim import ConvSpec
from convanim.cli import SpecError, flag

small = st.integers(0, 6)
pairs = st.tuples(small, small)


@given(
    size=st.tuples(st.integers(1, 9), st.integers(1, 9)),
    kernel=st.tuples(st.integers(1, 5), st.integers(1, 5)),
    stride=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    padding=st.tuples(st.integers(0, 3), st.integers(0, 3)),
    dilation=st.tuples(st.integers(1, 3), st.integers(1, 3)),
)
def test_forward_valid_exactly_when_the_kernel_fits(
    size: tuple[int, int],
    kernel: tuple[int, int],
    stride: tuple[int, int],
    padding: tuple[int, int],
    dilation: tuple[int, int],
) -> None:
    fits = all(dilation[a] * (kernel[a] - 1) + 1 <= size[a] + 2 * padding[a] for a in (0, 1))
    kwargs = {"input_size": size, "kernel_size": kernel, "stride": stride, "padding": padding, "dilation": dilation}
    if not fits:
        with pytest.raises(SpecError, match=r"spans \d+ cells but the padded input is \d+"):
            ConvSpec(**kwargs)
        return
    spec = ConvSpec(**kwargs)
    assert spec.output_size == conv2d_output_size(size, kernel, stride, padding, dilation)
    assert min(spec.output_size) >= 1
    assert spec.kernel_span == tuple(dilation[a] * (kernel[a] - 1) + 1 for a in (0, 1))
    assert spec.padded_input_size == tuple(size[a] + 2 * padding[a] for a in (0, 1))


@given(
    size=st.tuples(st.integers(1, 6), st.integers(1, 6)),
    kernel=st.tuples(st.integers(1, 5), st.integers(1, 5)),
    stride=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    padding=st.tuples(st.integers(0, 6), st.integers(0, 6)),
    dilation=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    output_padding=st.tuples(st.integers(0, 4), st.integers(0, 4)),
)
def test_transposed_valid_exactly_as_pytorch(
    size: tuple[int, int],
    kernel: tuple[int, int],
    stride: tuple[int, int],
    padding: tuple[int, int],
    dilation: tuple[int, int],
    output_padding: tuple[int, int],
) -> None:
    kwargs = {
        "input_size": size,
        "kernel_size": kernel,
        "stride": stride,
        "padding": padding,
        "dilation": dilation,
        "output_padding": output_padding,
        "transposed": True,
    }
    op_ok = all(output_padding[a] < stride[a] or output_padding[a] < dilation[a] for a in (0, 1))
    expected = conv_transpose2d_output_size(size, kernel, stride, padding, dilation, output_padding)
    if not op_ok:
        with pytest.raises(SpecError, match="output_padding"):
            ConvSpec(**kwargs)
        return
    if min(expected) < 1:
        with pytest.raises(SpecError, match=r"padding .* crops away the whole output"):
            ConvSpec(**kwargs)
        return
    spec = ConvSpec(**kwargs)
    assert spec.output_size == expected
    stamp = tuple((size[a] - 1) * stride[a] + dilation[a] * (kernel[a] - 1) + 1 for a in (0, 1))
    assert spec.stamp_size == stamp
    # The canvas holds every stamp and the whole cropped output window.
    for a in (0, 1):
        assert spec.canvas_size[a] >= stamp[a]
        assert spec.canvas_size[a] >= padding[a] + expected[a]


@given(
    groups=st.integers(1, 4),
    cin=st.integers(1, 8),
    cout=st.integers(1, 8),
    transposed=st.booleans(),
)
def test_channels_and_shapes(groups: int, cin: int, cout: int, transposed: bool) -> None:
    kwargs: dict[str, Any] = {
        "input_size": (4, 6),
        "kernel_size": (3, 2),
        "in_channels": cin,
        "out_channels": cout,
        "groups": groups,
        "transposed": transposed,
    }
    if cin % groups or cout % groups:
        bad = "in_channels" if cin % groups else "out_channels"
        with pytest.raises(SpecError, match=f"{bad} .* is not divisible by groups {groups}"):
            ConvSpec(**kwargs)
        return
    spec = ConvSpec(**kwargs)
    assert spec.input_shape == (cin, 4, 6)
    assert spec.output_shape == (cout, *spec.output_size)
    if transposed:
        assert spec.weight_shape == (cin, cout // groups, 3, 2)
        assert spec.n_steps == cin * 4 * 6
        assert spec.terms_per_step == (cout // groups) * 3 * 2
    else:
        assert spec.weight_shape == (cout, cin // groups, 3, 2)
        assert spec.n_steps == cout * spec.output_size[0] * spec.output_size[1]
        assert spec.terms_per_step == (cin // groups) * 3 * 2
    assert spec.n_terms == spec.n_steps * spec.terms_per_step


# -- known sizes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "size"),
    [
        ({"input_size": (4, 4), "kernel_size": (3, 3), "stride": (2, 2), "padding": (1, 1)}, (2, 2)),
        ({"input_size": (5, 5), "kernel_size": (3, 3), "stride": (2, 2), "padding": (1, 1)}, (3, 3)),
        ({"input_size": (6, 6), "kernel_size": (3, 3), "stride": (2, 2), "padding": (1, 1)}, (3, 3)),
        ({"input_size": (5, 5), "kernel_size": (4, 4), "padding": (2, 2)}, (6, 6)),
        ({"input_size": (7, 7), "kernel_size": (3, 3), "dilation": (2, 2)}, (3, 3)),
        ({"input_size": (5, 8), "kernel_size": (3, 1), "stride": (1, 3)}, (3, 3)),
        ({"input_size": (3, 3), "kernel_size": (1, 1), "stride": (5, 5)}, (1, 1)),
        ({"input_size": (1, 9), "kernel_size": (1, 3), "stride": (1, 2)}, (1, 4)),
        ({"input_size": (2, 2), "kernel_size": (3, 3), "transposed": True}, (4, 4)),
        ({"input_size": (2, 2), "kernel_size": (3, 3), "stride": (2, 2), "transposed": True}, (5, 5)),
        (
            {"input_size": (2, 2), "kernel_size": (3, 3), "stride": (2, 2), "padding": (1, 1), "transposed": True},
            (3, 3),
        ),
        (
            {
                "input_size": (2, 2),
                "kernel_size": (3, 3),
                "stride": (2, 2),
                "padding": (1, 1),
                "output_padding": (1, 1),
                "transposed": True,
            },
            (4, 4),
        ),
        ({"input_size": (6, 6), "kernel_size": (4, 4), "padding": (2, 2), "transposed": True}, (5, 5)),
        ({"input_size": (3, 3), "kernel_size": (3, 3), "dilation": (2, 2), "transposed": True}, (7, 7)),
        ({"input_size": (1, 2), "kernel_size": (1, 3), "stride": (1, 2), "transposed": True}, (1, 5)),
    ],
)
def test_known_output_sizes(kwargs: dict[str, Any], size: tuple[int, int]) -> None:
    assert ConvSpec(**kwargs).output_size == size


def test_defaults_and_1d() -> None:
    spec = ConvSpec()
    assert (spec.input_size, spec.kernel_size, spec.output_size) == ((5, 5), (3, 3), (3, 3))
    assert not spec.is_1d
    strip = ConvSpec(input_size=(1, 7), kernel_size=(1, 3), padding=(0, 1))
    assert strip.is_1d
    assert strip.output_size == (1, 7)
    assert not ConvSpec(input_size=(3, 7), kernel_size=(1, 3)).is_1d


# -- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"stride": (0, 0)}, r"^--stride 0 is out of range: use a stride of 1 or more$"),
        ({"stride": (2, 0)}, r"^--stride 2x0 is out of range"),
        ({"padding": (-1, -1)}, r"^--pad -1 is out of range: use a padding of 0 or more$"),
        ({"padding": (0, -2)}, r"^--pad 0x-2 is out of range"),
        ({"dilation": (0, 0)}, r"^--dilation 0 is out of range"),
        ({"kernel_size": (0, 0)}, r"^--kernel-size 0 is out of range"),
        ({"input_size": (0, 3)}, r"^--input-size 0x3 is out of range"),
        ({"output_padding": (-1, -1), "transposed": True}, r"^--output-padding -1 is out of range"),
        ({"in_channels": 0}, r"^--in-channels 0 is out of range"),
        ({"out_channels": -1}, r"^--out-channels -1 is out of range"),
        ({"groups": 0}, r"^--groups 0 is out of range"),
        (
            {"input_size": (7, 7), "kernel_size": (5, 5), "dilation": (2, 2)},
            r"^kernel 5 with dilation 2 spans 9 cells but the padded input is 7: lower --dilation or raise --pad$",
        ),
        (
            {"input_size": (3, 3), "kernel_size": (5, 5)},
            r"^kernel 5 spans 5 cells but the padded input is 3: use a smaller --kernel-size or raise --pad$",
        ),
        ({"input_size": (3, 8), "kernel_size": (5, 5)}, r"^kernel 5 spans 5 cells but the padded input is 3 rows"),
        ({"input_size": (8, 3), "kernel_size": (5, 5)}, r"^kernel 5 spans 5 cells but the padded input is 3 columns"),
        ({"input_size": (1, 5), "kernel_size": (1, 7), "padding": (0, 0)}, r"padded input is 5 columns"),
        (
            {"stride": (2, 2), "output_padding": (2, 2), "transposed": True},
            r"^--output-padding 2 must be smaller than the stride \(2\) or the dilation \(1\)",
        ),
        ({"output_padding": (1, 1), "transposed": True}, r"^--output-padding 1 must be smaller"),
        ({"stride": (3, 1), "output_padding": (0, 1), "transposed": True}, r"^--output-padding 1 must be smaller"),
        ({"output_padding": (1, 1)}, r"^--output-padding only applies to a transposed convolution: add --transpose"),
        ({"stride": (2, 2), "output_padding": (1, 0)}, r"--output-padding only applies"),
        ({"in_channels": 3, "groups": 2, "out_channels": 2}, r"^--in-channels 3 is not divisible by --groups 2"),
        ({"in_channels": 2, "groups": 2, "out_channels": 3}, r"^--out-channels 3 is not divisible by --groups 2"),
        (
            {"input_size": (1, 1), "kernel_size": (1, 1), "padding": (1, 1), "transposed": True},
            r"^--pad 1 crops away the whole output \(it would be -1 cells\): lower --pad",
        ),
        (
            {"input_size": (2, 2), "kernel_size": (3, 3), "padding": (2, 2), "transposed": True},
            r"^--pad 2 crops away the whole output \(it would be 0 cells\)",
        ),
    ],
)
def test_invalid_specs_name_the_option(kwargs: dict[str, Any], pattern: str) -> None:
    with pytest.raises(SpecError) as info:
        ConvSpec(**kwargs)
    message = info.value.worded(flag)  # as the CLI says it
    assert re.search(pattern, message), message
    assert "\n" not in message
    assert re.search(r"--[a-z-]+", message), message  # names the option to change
    assert info.value.fields and "‹" not in str(info.value)  # the library names fields


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"input_size": [5, 5]}, "input_size"),
        ({"input_size": (5,)}, "input_size"),
        ({"kernel_size": (3.0, 3)}, "kernel_size"),
        ({"stride": (True, 1)}, "stride"),
        ({"padding": 1}, "padding"),
        ({"in_channels": 1.5}, "in_channels"),
        ({"groups": True}, "groups"),
    ],
)
def test_wrong_types_are_spec_errors(kwargs: dict[str, Any], name: str) -> None:
    with pytest.raises(SpecError, match=f"^{name} must be"):
        ConvSpec(**kwargs)


def test_spec_error_is_a_value_error() -> None:
    assert issubclass(SpecError, ValueError)


def test_spec_is_frozen_and_hashable() -> None:
    spec = ConvSpec()
    with pytest.raises(FrozenInstanceError):
        spec.stride = (2, 2)  # type: ignore[misc]
    assert hash(spec) == hash(ConvSpec())


def test_to_dict_is_the_json_form() -> None:
    spec = ConvSpec(
        input_size=(3, 4),
        kernel_size=(2, 3),
        stride=(2, 1),
        padding=(1, 0),
        dilation=(1, 2),
        output_padding=(1, 0),
        in_channels=2,
        out_channels=4,
        groups=2,
        bias=True,
        transposed=True,
    )
    data = spec.to_dict()
    assert data == {
        "transposed": True,
        "input_size": [3, 4],
        "kernel_size": [2, 3],
        "stride": [2, 1],
        "padding": [1, 0],
        "dilation": [1, 2],
        "output_padding": [1, 0],
        "in_channels": 2,
        "out_channels": 4,
        "groups": 2,
        "bias": True,
        "output_size": [5, 8],
    }
    assert json.loads(json.dumps(data)) == data
    rebuilt = ConvSpec(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items() if k != "output_size"})
    assert rebuilt == spec


@pytest.mark.parametrize(
    ("kwargs", "text"),
    [
        ({}, "conv 5x5, kernel 3 -> 3x3"),
        ({"stride": (2, 2), "padding": (1, 1)}, "conv 5x5, kernel 3, stride 2, pad 1 -> 3x3"),
        (
            {"input_size": (4, 6), "kernel_size": (1, 3), "dilation": (1, 2)},
            "conv 4x6, kernel 1x3, dilation 1x2 -> 4x2",
        ),
        (
            {"input_size": (2, 2), "stride": (2, 2), "padding": (1, 1), "output_padding": (1, 1), "transposed": True},
            "transposed conv 2x2, kernel 3, stride 2, pad 1, output_padding 1 -> 4x4",
        ),
    ],
)
def test_describe(kwargs: dict[str, Any], text: str) -> None:
    assert ConvSpec(**kwargs).describe() == text
