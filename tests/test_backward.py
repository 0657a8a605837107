"""The backward pass and the matrix view, against the definition and the algebra."""

from __future__ import annotations

import json

import numpy as np
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import conv2d, conv_transpose2d

from convanim import ConvSpec, SpecError
from convanim.cli import cli
from convanim.compute.backward import backward
from convanim.compute.matrix import conv_matrix
from convanim.compute.tracer import trace


def _spec_or_none(**kwargs):  # type: ignore[no-untyped-def]
    try:
        return ConvSpec(**kwargs)
    except SpecError:
        return None


def _pairs(low: int, high: int) -> st.SearchStrategy[tuple[int, int]]:
    return st.tuples(st.integers(low, high), st.integers(low, high))


specs = st.builds(
    _spec_or_none,
    input_size=_pairs(1, 5),
    kernel_size=_pairs(1, 3),
    stride=_pairs(1, 3),
    padding=_pairs(0, 2),
    dilation=_pairs(1, 2),
    output_padding=_pairs(0, 1),
    in_channels=st.sampled_from([1, 2]),
    out_channels=st.sampled_from([1, 2]),
    groups=st.sampled_from([1, 2]),
    bias=st.booleans(),
    transposed=st.booleans(),
).filter(lambda s: s is not None)


def _reference(spec: ConvSpec, x: np.ndarray, w: np.ndarray) -> np.ndarray:
    if spec.transposed:
        return conv_transpose2d(x, w, None, spec.stride, spec.padding, spec.output_padding, spec.groups, spec.dilation)
    return conv2d(x, w, None, spec.stride, spec.padding, spec.dilation, spec.groups)


def _arrays(spec: ConvSpec, seed: int):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    x = rng.integers(-3, 4, spec.input_shape)
    w = rng.integers(-3, 4, spec.weight_shape)
    b = rng.integers(-3, 4, (spec.out_channels,)) if spec.bias else None
    return x, w, b


@settings(max_examples=60, deadline=None)
@given(spec=specs, seed=st.integers(0, 10_000))
def test_gradients_match_the_definition(spec: ConvSpec, seed: int) -> None:
    """The output is linear in x (and in w): each gradient entry is <g, response to a unit input>."""
    x, w, b = _arrays(spec, seed)
    recorded = trace(spec, x, w, b)
    g = np.random.default_rng(seed + 1).integers(-2, 3, recorded.output.shape)
    result = backward(recorded, g)
    want_input = np.zeros(x.shape, dtype=np.int64)
    for index in np.ndindex(*x.shape):
        unit = np.zeros(x.shape, dtype=np.int64)
        unit[index] = 1
        want_input[index] = int((g * _reference(spec, unit, w)).sum())
    want_weight = np.zeros(w.shape, dtype=np.int64)
    for index in np.ndindex(*w.shape):
        unit = np.zeros(w.shape, dtype=np.int64)
        unit[index] = 1
        want_weight[index] = int((g * _reference(spec, x, unit)).sum())
    np.testing.assert_array_equal(result.grad_input, want_input)
    np.testing.assert_array_equal(result.grad_weight, want_weight)
    if spec.bias:
        assert result.grad_bias is not None
        np.testing.assert_array_equal(result.grad_bias, g.sum(axis=(1, 2)))
    else:
        assert result.grad_bias is None
    # The steps add up to the gradients, cell by cell.
    steps = result.steps
    assert steps.starts[-1] == len(steps.weight_adds)
    total = np.zeros(w.shape, dtype=np.int64)
    np.add.at(total, tuple(steps.weight_cells.T), steps.weight_adds)
    np.testing.assert_array_equal(total, result.grad_weight)
    for k in range(len(steps)):
        lo, hi = steps.starts[k], steps.starts[k + 1]
        f, r, q = steps.cells[k]
        assert steps.grad[k] == g[f, r, q]
        assert (steps.weight_cells[lo:hi, 0] == (f if not spec.transposed else steps.weight_cells[lo:hi, 0])).all()


@settings(max_examples=60, deadline=None)
@given(spec=specs, seed=st.integers(0, 10_000))
def test_grad_input_of_a_convolution_is_the_transposed_convolution_of_grad_output(spec: ConvSpec, seed: int) -> None:
    if spec.transposed:
        return
    x, w, b = _arrays(spec, seed)
    recorded = trace(spec, x, w, b)
    g = np.random.default_rng(seed + 2).integers(-2, 3, recorded.output.shape)
    grad_input = backward(recorded, g).grad_input
    ho, wo = spec.output_size
    extra = tuple(
        spec.input_size[a] - ((spec.output_size[a] - 1) * spec.stride[a] - 2 * spec.padding[a] + spec.kernel_span[a])
        for a in (0, 1)
    )
    transposed = ConvSpec(
        input_size=(ho, wo),
        kernel_size=spec.kernel_size,
        stride=spec.stride,
        padding=spec.padding,
        dilation=spec.dilation,
        output_padding=(extra[0], extra[1]),
        in_channels=spec.out_channels,
        out_channels=spec.in_channels,
        groups=spec.groups,
        transposed=True,
    )
    np.testing.assert_array_equal(grad_input, trace(transposed, g, w).output)


@settings(max_examples=60, deadline=None)
@given(spec=specs, seed=st.integers(0, 10_000))
def test_matrix_times_the_input_is_the_output(spec: ConvSpec, seed: int) -> None:
    x, w, b = _arrays(spec, seed)
    recorded = trace(spec, x, w, b)
    matrix = conv_matrix(recorded)
    bias = 0 if b is None else b[:, None, None]
    if spec.transposed:
        hc, wc = spec.canvas_size
        canvas = (matrix.values @ x.ravel()).reshape(spec.out_channels, hc, wc)
        top, left, height, width = recorded.steps.crop
        np.testing.assert_array_equal(canvas[:, top : top + height, left : left + width] + bias, recorded.output)
    else:
        product = matrix.values @ recorded.padded_input.ravel()
        np.testing.assert_array_equal(product.reshape(recorded.output.shape) + bias, recorded.output)


def test_transposed_matrix_is_the_transpose_of_the_convolution_matrix() -> None:
    """conv_transpose2d is called that because its matrix is Cᵀ (same weight, sizes that line up)."""
    rng = np.random.default_rng(0)
    forward = ConvSpec(input_size=(5, 5), stride=(2, 2), in_channels=2, out_channels=3)
    w = rng.integers(-3, 4, forward.weight_shape)
    c = conv_matrix(trace(forward, rng.integers(0, 4, forward.input_shape), w)).values
    backward_spec = ConvSpec(
        input_size=forward.output_size, stride=(2, 2), in_channels=3, out_channels=2, transposed=True
    )
    ct = conv_matrix(trace(backward_spec, rng.integers(0, 4, backward_spec.input_shape), w)).values
    np.testing.assert_array_equal(ct, c.T)


def test_cli_grad_and_matrix_json() -> None:
    result = CliRunner().invoke(cli, ["trace", "-i", "4", "-s", "2", "-p", "1", "--bias", "--grad", "--matrix"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    for key in ("grad_output", "grad_input", "grad_weight", "grad_bias", "grad_steps", "matrix"):
        assert key in data
    assert np.array(data["grad_output"]).shape == (1, 2, 2)
    assert (np.array(data["grad_output"]) == 1).all()  # ones by default
    assert len(data["grad_steps"]) == 4
    assert np.array(data["matrix"]["values"]).shape == (4, 36)
    # --grad-values alone implies --grad; a file must have the output's shape.
    result = CliRunner().invoke(cli, ["trace", "--grad-values", "random"])
    assert result.exit_code == 0 and "grad_weight" in result.stdout
    result = CliRunner().invoke(cli, ["trace", "--grad-values", "nope.json"])
    assert result.exit_code == 2 and result.stderr.startswith("Error: --grad-values")


@settings(max_examples=60, deadline=None)
@given(spec=specs, seed=st.integers(0, 10_000))
def test_grad_input_trace_draws_the_input_gradient(spec: ConvSpec, seed: int) -> None:
    from convanim.compute.backward import grad_input_trace

    x, w, b = _arrays(spec, seed)
    recorded = trace(spec, x, w, b)
    g = np.random.default_rng(seed + 3).integers(-2, 3, recorded.output.shape)
    try:
        derived = grad_input_trace(recorded, g)
    except SpecError:
        assert spec.transposed and max(spec.output_padding[a] - spec.stride[a] for a in (0, 1)) >= 0
        return
    assert derived.spec.transposed != spec.transposed
    np.testing.assert_array_equal(derived.output, backward(recorded, g).grad_input)
