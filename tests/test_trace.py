"""The recorded trace against an independent reference, and every step's bookkeeping."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, note, settings
from hypothesis import strategies as st
from reference import conv2d, conv2d_windows, conv_transpose2d

from convanim import ConvSpec, SpecError, Trace, trace
from convanim.compute.tracer import ForwardSteps, ScatterSteps

# -- strategies ------------------------------------------------------------------------------

KINDS = ("int", "int", "bigint", "float", "float", "halves")


@dataclass(frozen=True)
class Case:
    spec: ConvSpec
    x: np.ndarray
    weight: np.ndarray
    bias: np.ndarray | None
    kind: str

    @property
    def exact(self) -> bool:
        return self.kind != "float"


def make_values(kind: str, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """Numbers of one kind: small signed ints, ints whose products exceed float64's 2**53, floats."""
    if kind == "int":
        return rng.integers(-9, 9, size=shape, endpoint=True)
    if kind == "bigint":
        return rng.integers(-(2**26), 2**26, size=shape, endpoint=True)
    if kind == "halves":  # floats whose sums are exact: every step must agree bit for bit
        return rng.integers(-16, 16, size=shape, endpoint=True) / 2.0
    return rng.uniform(-10.0, 10.0, size=shape)


@st.composite
def forward_specs(draw: st.DrawFn) -> ConvSpec:
    """Valid conv2d specs: odd and rectangular sizes, stride > kernel, dilation, groups, 1-D."""
    one_d = draw(st.integers(0, 4)) == 0
    groups = draw(st.integers(1, 3))
    sizes, kernels, strides, pads, dils = [], [], [], [], []
    for axis in (0, 1):
        if one_d and axis == 0:
            k, d, s, p, n = 1, 1, draw(st.integers(1, 3)), 0, 1
        else:
            k = draw(st.integers(1, 4))
            d = draw(st.integers(1, 3))
            s = draw(st.integers(1, 5))
            p = draw(st.integers(0, 3))
            span = d * (k - 1) + 1
            n = max(1, span - 2 * p) + draw(st.integers(0, 4))
        sizes.append(n)
        kernels.append(k)
        strides.append(s)
        pads.append(p)
        dils.append(d)
    return ConvSpec(
        input_size=(sizes[0], sizes[1]),
        kernel_size=(kernels[0], kernels[1]),
        stride=(strides[0], strides[1]),
        padding=(pads[0], pads[1]),
        dilation=(dils[0], dils[1]),
        in_channels=groups * draw(st.integers(1, 2)),
        out_channels=groups * draw(st.integers(1, 2)),
        groups=groups,
        bias=draw(st.booleans()),
    )


@st.composite
def transposed_specs(draw: st.DrawFn) -> ConvSpec:
    """Valid conv_transpose2d specs: output padding below stride or dilation, padding that crops."""
    one_d = draw(st.integers(0, 4)) == 0
    groups = draw(st.integers(1, 3))
    sizes, kernels, strides, pads, dils, ops = [], [], [], [], [], []
    for axis in (0, 1):
        if one_d and axis == 0:
            n, k, s, d, op, p = 1, 1, 1, 1, 0, 0
        else:
            n = draw(st.integers(1, 5))
            k = draw(st.integers(1, 4))
            s = draw(st.integers(1, 4))
            d = draw(st.integers(1, 3))
            op = draw(st.integers(0, max(s, d) - 1))
            uncropped = (n - 1) * s + d * (k - 1) + op  # output size + 2p - 1
            p = draw(st.integers(0, min(4, uncropped // 2)))
        sizes.append(n)
        kernels.append(k)
        strides.append(s)
        pads.append(p)
        dils.append(d)
        ops.append(op)
    return ConvSpec(
        input_size=(sizes[0], sizes[1]),
        kernel_size=(kernels[0], kernels[1]),
        stride=(strides[0], strides[1]),
        padding=(pads[0], pads[1]),
        dilation=(dils[0], dils[1]),
        output_padding=(ops[0], ops[1]),
        in_channels=groups * draw(st.integers(1, 2)),
        out_channels=groups * draw(st.integers(1, 2)),
        groups=groups,
        bias=draw(st.booleans()),
        transposed=True,
    )


@st.composite
def cases(draw: st.DrawFn, specs: st.SearchStrategy[ConvSpec], kinds: tuple[str, ...] = KINDS) -> Case:
    spec = draw(specs)
    kind = draw(st.sampled_from(kinds))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = make_values(kind, spec.input_shape, rng)
    weight = make_values(kind, spec.weight_shape, rng)
    bias = make_values(kind, (spec.out_channels,), rng) if spec.bias else None
    note(f"{spec!r}, kind={kind}")
    return Case(spec, x, weight, bias, kind)


def reference_of(spec: ConvSpec, x: Any, weight: Any, bias: Any) -> np.ndarray:
    if spec.transposed:
        return conv_transpose2d(
            x,
            weight,
            bias,
            stride=spec.stride,
            padding=spec.padding,
            output_padding=spec.output_padding,
            groups=spec.groups,
            dilation=spec.dilation,
        )
    return conv2d(x, weight, bias, stride=spec.stride, padding=spec.padding, dilation=spec.dilation, groups=spec.groups)


def assert_same(actual: np.ndarray, expected: np.ndarray, exact: bool) -> None:
    assert actual.shape == expected.shape
    if exact:
        np.testing.assert_array_equal(actual, expected)
    else:
        np.testing.assert_allclose(actual, expected, rtol=1e-9, atol=1e-9)


# -- the reference itself --------------------------------------------------------------------


@given(cases(forward_specs()))
@settings(max_examples=60)
def test_reference_loops_agree_with_windows(case: Case) -> None:
    spec = case.spec
    loops = reference_of(spec, case.x, case.weight, case.bias)
    windows = conv2d_windows(
        case.x,
        case.weight,
        case.bias,
        stride=spec.stride,
        padding=spec.padding,
        dilation=spec.dilation,
        groups=spec.groups,
    )
    assert_same(windows, loops, case.exact)


def test_reference_hand_computed() -> None:
    x = np.arange(9).reshape(1, 3, 3)
    w = np.array([[[[1, 0], [0, -1]]]])
    # out[y, x] = x[y, x] - x[y+1, x+1] = -4 everywhere.
    np.testing.assert_array_equal(conv2d(x, w), [[[-4, -4], [-4, -4]]])
    # Scatter of a single 1 places the kernel; of [[1]] with stride is the kernel itself.
    np.testing.assert_array_equal(conv_transpose2d(np.ones((1, 1, 1), int), w), w[0])


# -- forward: output and steps ---------------------------------------------------------------


@given(cases(forward_specs()))
@settings(max_examples=150)
def test_forward_output_matches_reference(case: Case) -> None:
    result = trace(case.spec, case.x, case.weight, case.bias)
    expected = reference_of(case.spec, case.x, case.weight, case.bias)
    assert result.output.shape == case.spec.output_shape
    assert_same(result.output, expected, case.exact)
    assert result.output.dtype == (np.float64 if case.kind in ("float", "halves") else np.int64)


@given(cases(forward_specs()))
@settings(max_examples=120)
def test_forward_steps_record_every_term(case: Case) -> None:
    spec = case.spec
    result = trace(spec, case.x, case.weight, case.bias)
    steps = result.steps
    assert isinstance(steps, ForwardSteps)
    (h, w), (ho, wo) = spec.input_size, spec.output_size
    (sh, sw), (ph, pw), (dh, dw) = spec.stride, spec.padding, spec.dilation
    f_count, cg, kh, kw = spec.weight_shape
    fg = spec.out_channels // spec.groups
    n, t = spec.n_steps, spec.terms_per_step
    assert len(result) == len(steps) == n == f_count * ho * wo
    assert t == cg * kh * kw

    # One step per output cell: filters outermost, then rows, then columns.
    expected_cells = list(itertools.product(range(f_count), range(ho), range(wo)))
    assert steps.output_cells.tolist() == [list(c) for c in expected_cells]
    # Terms: channel within the group, then kernel row, then kernel column.
    expected_terms = list(itertools.product(range(cg), range(kh), range(kw)))
    assert steps.kernel_cells.tolist() == [list(c) for c in expected_terms]
    for name in ("input_values", "kernel_values", "products", "partial_sums", "in_padding"):
        assert getattr(steps, name).shape == (n, t), name
    assert steps.input_cells.shape == (n, t, 3)

    padded = np.pad(np.asarray(case.x), ((0, 0), (ph, ph), (pw, pw)))
    input_cells = steps.input_cells.tolist()
    in_padding = steps.in_padding.tolist()
    for step, (f, oy, ox) in enumerate(expected_cells):
        group = f // fg
        for term, (cl, ky, kx) in enumerate(expected_terms):
            c, row, col = group * cg + cl, oy * sh + ky * dh, ox * sw + kx * dw
            assert input_cells[step][term] == [c, row, col]
            outside = row < ph or row >= ph + h or col < pw or col >= pw + w
            assert in_padding[step][term] == outside
            assert steps.input_values[step, term] == padded[c, row, col]
            assert steps.kernel_values[step, term] == case.weight[f, cl, ky, kx]

    # The recorded input cells index the padded input (as the trace itself pads it).
    ic = steps.input_cells
    np.testing.assert_array_equal(steps.input_values, padded[ic[..., 0], ic[..., 1], ic[..., 2]])
    np.testing.assert_array_equal(steps.input_values, result.padded_input[ic[..., 0], ic[..., 1], ic[..., 2]])
    assert not steps.input_values[steps.in_padding].any()

    np.testing.assert_array_equal(steps.products, steps.input_values * steps.kernel_values)
    assert_same(steps.partial_sums, np.cumsum(steps.products, axis=1), case.exact)
    if case.exact:  # a plain running sum, term by term
        for step in range(0, n, max(1, n // 7)):
            running: Any = 0
            for term in range(t):
                running += steps.products[step, term].item()
                assert steps.partial_sums[step, term] == running

    bias = np.zeros(f_count) if case.bias is None else np.asarray(case.bias)
    np.testing.assert_array_equal(steps.bias, bias[steps.output_cells[:, 0]])
    np.testing.assert_array_equal(steps.values, steps.partial_sums[:, -1] + steps.bias)
    oc = steps.output_cells
    np.testing.assert_array_equal(steps.values, result.output[oc[:, 0], oc[:, 1], oc[:, 2]])


# -- transposed: output and steps ------------------------------------------------------------


@given(cases(transposed_specs()))
@settings(max_examples=150)
def test_transposed_output_matches_reference(case: Case) -> None:
    result = trace(case.spec, case.x, case.weight, case.bias)
    expected = reference_of(case.spec, case.x, case.weight, case.bias)
    assert result.output.shape == case.spec.output_shape
    assert_same(result.output, expected, case.exact)


@given(cases(transposed_specs()))
@settings(max_examples=120)
def test_transposed_steps_scatter_and_accumulate(case: Case) -> None:
    spec = case.spec
    result = trace(spec, case.x, case.weight, case.bias)
    steps = result.steps
    assert isinstance(steps, ScatterSteps)
    c_count, fg, kh, kw = spec.weight_shape
    h, w = spec.input_size
    (sh, sw), (dh, dw) = spec.stride, spec.dilation
    cg = c_count // spec.groups
    n = c_count * h * w
    assert len(result) == len(steps) == spec.n_steps == n
    assert spec.terms_per_step == fg * kh * kw

    expected_cells = list(itertools.product(range(c_count), range(h), range(w)))
    assert steps.input_cells.tolist() == [list(c) for c in expected_cells]
    hc, wc = spec.canvas_size
    f_count = spec.out_channels
    assert steps.canvas.shape == (f_count, hc, wc)
    assert steps.stamps.shape == steps.running.shape == (n, fg, kh, kw)

    canvas: list[list[list[Any]]] = [[[0] * wc for _ in range(hc)] for _ in range(f_count)]
    last_touch: dict[tuple[int, int, int], tuple[int, int, int, int]] = {}
    for step, (c, i, j) in enumerate(expected_cells):
        value = case.x[c, i, j]
        assert steps.input_values[step] == value
        group = c // cg
        channels = [group * fg + fl for fl in range(fg)]
        assert steps.output_channels[step].tolist() == channels
        rows = [i * sh + ky * dh for ky in range(kh)]
        cols = [j * sw + kx * dw for kx in range(kw)]
        assert steps.rows[step].tolist() == rows
        assert steps.cols[step].tolist() == cols
        np.testing.assert_array_equal(steps.stamps[step], value * np.asarray(case.weight[c]))
        for fl, ky, kx in itertools.product(range(fg), range(kh), range(kw)):
            f, r, col = channels[fl], rows[ky], cols[kx]
            canvas[f][r][col] += steps.stamps[step, fl, ky, kx].item()
            # Sequential running sums, in step order: exact even for floats.
            assert steps.running[step, fl, ky, kx] == canvas[f][r][col]
            last_touch[(f, r, col)] = (step, fl, ky, kx)

    np.testing.assert_array_equal(steps.canvas, np.array(canvas, dtype=steps.canvas.dtype))
    # The running value of the final step touching a cell is that canvas cell.
    for (f, r, col), (step, fl, ky, kx) in last_touch.items():
        assert steps.running[step, fl, ky, kx] == steps.canvas[f, r, col]
    untouched = np.ones(steps.canvas.shape, bool)
    for cell in last_touch:
        untouched[cell] = False
    assert not steps.canvas[untouched].any()

    top, left, ho, wo = steps.crop
    assert (top, left) == spec.padding
    assert (ho, wo) == spec.output_size
    assert top + ho <= hc and left + wo <= wc
    bias = np.zeros(f_count) if case.bias is None else np.asarray(case.bias)
    np.testing.assert_array_equal(steps.bias, bias)
    np.testing.assert_array_equal(
        steps.canvas[:, top : top + ho, left : left + wo] + bias[:, None, None], result.output
    )


# -- the adjoint identity --------------------------------------------------------------------


def transpose_of(spec: ConvSpec) -> ConvSpec | None:
    """The conv_transpose2d spec that maps the output of ``spec`` back onto its input size.

    ``output_padding = H - ((Ho-1)*s - 2p + d*(k-1) + 1)`` per axis; ``None`` when PyTorch would
    refuse it (not below the stride nor the dilation, or negative). The spec must then build.
    """
    op = []
    for a in (0, 1):
        uncropped = (spec.output_size[a] - 1) * spec.stride[a] - 2 * spec.padding[a]
        op.append(spec.input_size[a] - (uncropped + spec.dilation[a] * (spec.kernel_size[a] - 1) + 1))
    if not all(op[a] >= 0 and (op[a] < spec.stride[a] or op[a] < spec.dilation[a]) for a in (0, 1)):
        return None
    return ConvSpec(
        input_size=spec.output_size,
        kernel_size=spec.kernel_size,
        stride=spec.stride,
        padding=spec.padding,
        dilation=spec.dilation,
        output_padding=(op[0], op[1]),
        in_channels=spec.out_channels,
        out_channels=spec.in_channels,
        groups=spec.groups,
        transposed=True,
    )


@given(cases(forward_specs()), st.integers(0, 2**32 - 1))
@settings(max_examples=150)
def test_adjoint_identity(case: Case, seed: int) -> None:
    """<conv(x, w), y> == <x, conv_transpose(y, w)> with the same weight tensor."""
    spec = replace(case.spec, bias=False)
    back = transpose_of(spec)
    assume(back is not None)
    assert back is not None
    assert back.input_shape == spec.output_shape
    assert back.output_shape == spec.input_shape
    assert back.weight_shape == spec.weight_shape
    y = make_values(case.kind, spec.output_shape, np.random.default_rng(seed))
    forward = trace(spec, case.x, case.weight).output
    backward = trace(back, y, case.weight).output
    if case.exact:  # Python numbers: no int64 overflow, exact halves
        left = sum(a * b for a, b in zip(forward.ravel().tolist(), y.ravel().tolist(), strict=True))
        right = sum(a * b for a, b in zip(case.x.ravel().tolist(), backward.ravel().tolist(), strict=True))
        assert left == right
    else:
        assert np.isclose(np.vdot(forward, y), np.vdot(case.x, backward), rtol=1e-9, atol=1e-6)


# -- specific cases --------------------------------------------------------------------------


def test_tutorial_1d_transposed_example() -> None:
    """Input [a, b], kernel [x, y, z], stride 2 -> [ax, ay, az+bx, by, bz]."""
    a, b, x, y, z = 2, 3, 5, 7, 11
    spec = ConvSpec(input_size=(1, 2), kernel_size=(1, 3), stride=(1, 2), transposed=True)
    assert spec.is_1d
    assert spec.output_size == (1, 5)
    result = trace(spec, np.array([[[a, b]]]), np.array([[[[x, y, z]]]]))
    assert result.output.tolist() == [[[a * x, a * y, a * z + b * x, b * y, b * z]]]
    assert result.output.tolist() == [[[10, 14, 37, 21, 33]]]
    steps = result.steps
    assert isinstance(steps, ScatterSteps)
    assert steps.stamps[:, 0, 0].tolist() == [[10, 14, 22], [15, 21, 33]]
    assert steps.cols.tolist() == [[0, 1, 2], [2, 3, 4]]
    # The overlap cell holds a*z after the first stamp and a*z + b*x after the second.
    assert steps.running[:, 0, 0].tolist() == [[10, 14, 22], [37, 21, 33]]


def test_4x4_stride_2_pad_1_and_its_transpose() -> None:
    spec = ConvSpec(input_size=(4, 4), kernel_size=(3, 3), stride=(2, 2), padding=(1, 1))
    assert spec.output_size == (2, 2)
    x = np.arange(16).reshape(1, 4, 4)
    w = np.array([[[[1, 2, 0], [0, 1, -1], [3, 0, 1]]]])
    out = trace(spec, x, w).output
    np.testing.assert_array_equal(out, conv2d(x, w, stride=2, padding=1))

    up = ConvSpec(
        input_size=(2, 2), kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), output_padding=(1, 1), transposed=True
    )
    assert up.output_size == (4, 4)
    assert up.canvas_size == (5, 5)
    back = trace(up, out, w)
    assert back.output.shape == (1, 4, 4)
    np.testing.assert_array_equal(back.output, conv_transpose2d(out, w, stride=2, padding=1, output_padding=1))

    plain = ConvSpec(input_size=(2, 2), kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), transposed=True)
    assert plain.output_size == (3, 3)
    np.testing.assert_array_equal(trace(plain, out, w).output, conv_transpose2d(out, w, stride=2, padding=1))


def test_conv_arithmetic_numerical_padding_strides() -> None:
    """conv_arithmetic's numerical_padding_strides: 5x5 input, 3x3 kernel, padding 1, stride 2."""
    x = np.array(
        [
            [3, 3, 2, 1, 0],
            [0, 0, 1, 3, 1],
            [3, 1, 2, 2, 3],
            [2, 0, 0, 2, 2],
            [2, 0, 0, 0, 1],
        ]
    )[None]
    w = np.array([[0, 1, 2], [2, 2, 0], [0, 1, 2]])[None, None]
    spec = ConvSpec(input_size=(5, 5), kernel_size=(3, 3), stride=(2, 2), padding=(1, 1))
    result = trace(spec, x, w)
    assert result.output.shape == (1, 3, 3)
    expected = [[6, 17, 3], [8, 17, 13], [6, 4, 4]]
    assert result.output[0].tolist() == expected
    np.testing.assert_array_equal(result.output, conv2d(x, w, stride=2, padding=1))
    # The first window sits on the corner: five of its nine cells are padding.
    steps = result.steps
    assert isinstance(steps, ForwardSteps)
    assert steps.in_padding[0].tolist() == [True, True, True, True, False, False, True, False, False]


def test_conv_arithmetic_numerical_no_padding_no_strides() -> None:
    x = np.array([[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]])[None]
    w = np.array([[0, 1, 2], [2, 2, 0], [0, 1, 2]])[None, None]
    result = trace(ConvSpec(), x, w)
    assert result.output[0].tolist() == [[12, 12, 17], [10, 17, 19], [9, 6, 14]]


def test_depthwise_and_bias() -> None:
    spec = ConvSpec(input_size=(3, 4), kernel_size=(2, 2), in_channels=2, out_channels=4, groups=2, bias=True)
    x = np.arange(24).reshape(2, 3, 4)
    w = np.arange(16).reshape(4, 1, 2, 2) - 7
    b = np.array([1, -2, 3, -4])
    result = trace(spec, x, w, b)
    np.testing.assert_array_equal(result.output, conv2d(x, w, b, groups=2))
    steps = result.steps
    assert isinstance(steps, ForwardSteps)
    # Filters 0-1 read channel 0 only, filters 2-3 channel 1 only.
    channels = steps.input_cells[..., 0]
    assert set(channels[steps.output_cells[:, 0] < 2].ravel().tolist()) == {0}
    assert set(channels[steps.output_cells[:, 0] >= 2].ravel().tolist()) == {1}


def test_transposed_dilation_only_output_padding() -> None:
    """output_padding may reach the stride when it is below the dilation."""
    spec = ConvSpec(input_size=(3, 2), kernel_size=(2, 3), dilation=(2, 3), output_padding=(1, 2), transposed=True)
    x = np.arange(6).reshape(1, 3, 2) + 1
    w = np.arange(6).reshape(1, 1, 2, 3) - 2
    expected = conv_transpose2d(x, w, dilation=(2, 3), output_padding=(1, 2))
    assert spec.output_size == expected.shape[1:] == (6, 10)
    np.testing.assert_array_equal(trace(spec, x, w).output, expected)


# -- inputs, dtypes and errors ---------------------------------------------------------------


def test_dtypes() -> None:
    spec = ConvSpec(input_size=(3, 3), kernel_size=(2, 2))
    ints = trace(spec, np.ones((1, 3, 3), np.int8), np.ones((1, 1, 2, 2), np.int16))
    assert ints.output.dtype == np.int64 and ints.input.dtype == np.int64
    mixed = trace(spec, np.ones((1, 3, 3)), np.ones((1, 1, 2, 2), int))
    assert mixed.output.dtype == np.float64
    lists = trace(spec, [[[1, 2, 3], [4, 5, 6], [7, 8, 9]]], [[[[1, 0], [0, 1]]]])
    assert lists.output.tolist() == [[[6, 8], [12, 14]]]


def test_trace_is_deterministic_and_plain_data() -> None:
    spec = ConvSpec(input_size=(4, 5), stride=(2, 1), padding=(1, 2), bias=True, out_channels=2)
    rng = np.random.default_rng(3)
    x, w, b = rng.normal(size=(1, 4, 5)), rng.normal(size=(2, 1, 3, 3)), rng.normal(size=2)
    first, second = trace(spec, x, w, b), trace(spec, x, w, b)
    assert isinstance(first, Trace) and first.spec == spec
    np.testing.assert_array_equal(first.output, second.output)
    np.testing.assert_array_equal(first.steps.partial_sums, second.steps.partial_sums)
    np.testing.assert_array_equal(first.bias, b)
    np.testing.assert_array_equal(first.padded_input, np.pad(x, ((0, 0), (1, 1), (2, 2))))


@pytest.mark.parametrize(
    ("spec", "x", "weight", "bias", "match"),
    [
        (ConvSpec(), np.zeros((1, 4, 5)), np.zeros((1, 1, 3, 3)), None, "the input has shape 1x4x5 .* 1x5x5"),
        (ConvSpec(), np.zeros((5, 5)), np.zeros((1, 1, 3, 3)), None, "the input has shape"),
        (ConvSpec(), np.zeros((1, 5, 5)), np.zeros((3, 3)), None, "the kernel has shape"),
        (ConvSpec(transposed=True, out_channels=2), np.zeros((1, 5, 5)), np.zeros((2, 1, 3, 3)), None, "kernel"),
        (ConvSpec(bias=True), np.zeros((1, 5, 5)), np.zeros((1, 1, 3, 3)), None, "bias"),
        (ConvSpec(), np.zeros((1, 5, 5)), np.zeros((1, 1, 3, 3)), np.zeros(1), "bias"),
        (ConvSpec(bias=True), np.zeros((1, 5, 5)), np.zeros((1, 1, 3, 3)), np.zeros(2), "the bias has shape"),
        (ConvSpec(), np.full((1, 5, 5), np.nan), np.zeros((1, 1, 3, 3)), None, "NaN or infinite"),
        (ConvSpec(), np.zeros((1, 5, 5)), np.full((1, 1, 3, 3), np.inf), None, "NaN or infinite"),
        (ConvSpec(), np.full((1, 5, 5), "a"), np.zeros((1, 1, 3, 3)), None, "non-numeric"),
        (ConvSpec(), np.zeros((1, 5, 5), complex), np.zeros((1, 1, 3, 3)), None, "non-numeric"),
    ],
)
def test_trace_rejects_bad_arrays(
    spec: ConvSpec, x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None, match: str
) -> None:
    with pytest.raises(SpecError, match=match):
        trace(spec, x, weight, bias)
