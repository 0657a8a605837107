"""Letters instead of numbers: the tutorial's examples, and every expression checked by evaluation."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import conv2d, conv_transpose2d

from convanim import ConvSpec, SpecError
from convanim.assets import animation_for
from convanim.cli import cli
from convanim.compute.symbolic import Symbols, collect, forward_expression, scatter_expressions
from convanim.compute.tracer import trace
from convanim.compute.values import build
from convanim.draw.painter import CellStyle
from convanim.draw.scenes import Look
from convanim.draw.views import make_scene
from convanim.paint.raster import RASTER
from convanim.plan.presets import PRESETS


def trace_json(*args: str) -> dict:  # type: ignore[type-arg]
    result = CliRunner().invoke(cli, ["trace", *args], prog_name="convanim")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_tutorial_transposed_1d_example() -> None:
    data = trace_json("--values", "symbolic", "--transpose", "-i", "1x2", "-k", "1x3", "-s", "1x2")
    assert data["input"] == [[["a", "b"]]]
    assert data["weight"] == [[[["x", "y", "z"]]]]
    assert data["output"] == [[["ax", "ay", "az + bx", "by", "bz"]]]
    assert data["steps"][1]["stamp"] == [[["bx", "by", "bz"]]]
    assert data["steps"][1]["running"] == [[["az + bx", "by", "bz"]]]


def test_tutorial_1d_convolution_with_padding() -> None:
    data = trace_json("--values", "symbolic", "-i", "1x4", "-k", "1x3", "-p", "0x1")
    # The tutorial's matrix example, with its first row right: ay + bz (not ax + bz).
    assert data["output"] == [[["ay + bz", "ax + by + cz", "bx + cy + dz", "cx + dy"]]]
    first = data["steps"][0]
    assert first["products"] == ["0", "ay", "bz"]  # the padding term is there, as 0, and dropped from sums
    assert first["partial_sums"] == ["0", "ay", "ay + bz"]


def test_like_terms_are_collected() -> None:
    assert collect(["ax", "by", "ax"]) == "2ax + by"
    assert collect([]) == "0"


def test_bias_and_subscripts() -> None:
    spec = ConvSpec(input_size=(5, 5), bias=True, out_channels=2)
    symbols = Symbols.for_spec(spec)
    assert symbols.input[0, 1, 2] == "a₁₂"
    assert symbols.weight[1, 0, 2, 0] == "w₁₂₀"
    assert list(symbols.bias) == ["β₀", "β₁"]


def _evaluate(expression: str, values: dict[str, int]) -> int:
    """Evaluate ``2ax + a₁₂·w₀₁ + β`` with the numbers the names stand for."""
    total = 0
    if expression == "0":
        return 0
    for term in expression.split(" + "):
        digits = ""
        while term[0].isdigit():
            digits, term = digits + term[0], term[1:]
        factors = term.split("·") if "·" in term else ([term] if term in values else list(term))
        product = int(digits or 1)
        for factor in factors:
            product *= values[factor]
        total += product
    return total


def _spec_or_none(h: int, w: int, k: int, s: int, p: int, c: int, f: int, bias: bool, transposed: bool):  # type: ignore[no-untyped-def]
    try:
        return ConvSpec(
            input_size=(h, w),
            kernel_size=(k, k),
            stride=(s, s),
            padding=(p, p),
            in_channels=c,
            out_channels=f,
            bias=bias,
            transposed=transposed,
        )
    except SpecError:
        return None


specs = st.builds(
    _spec_or_none,
    st.integers(1, 4),
    st.integers(1, 4),
    st.integers(1, 3),
    st.integers(1, 3),
    st.integers(0, 1),
    st.integers(1, 2),
    st.integers(1, 2),
    st.booleans(),
    st.booleans(),
).filter(lambda spec: spec is not None)


@settings(max_examples=80, deadline=None)
@given(spec=specs, seed=st.integers(0, 1000))
def test_expressions_evaluate_to_the_numeric_output(spec: ConvSpec, seed: int) -> None:
    """Substituting numbers for the letters gives exactly what the numbers compute."""
    rng = np.random.default_rng(seed)
    x = rng.integers(-3, 4, spec.input_shape)
    w = rng.integers(-3, 4, spec.weight_shape)
    b = rng.integers(-3, 4, (spec.out_channels,)) if spec.bias else None
    numeric = trace(spec, x, w, b)
    symbols = Symbols.for_spec(spec)
    values = {str(n): int(v) for n, v in zip(symbols.input.ravel(), x.ravel(), strict=True)}
    values.update({str(n): int(v) for n, v in zip(symbols.weight.ravel(), w.ravel(), strict=True)})
    if b is not None and symbols.bias is not None:
        values.update({str(n): int(v) for n, v in zip(symbols.bias, b, strict=True)})
    named = replace(numeric, symbols=symbols)
    if spec.transposed:
        output = scatter_expressions(named, symbols).output
        got = np.vectorize(lambda e: _evaluate(e, values))(output)
        want = conv_transpose2d(x, w, b, stride=spec.stride, padding=spec.padding)
    else:
        got = np.array([_evaluate(forward_expression(named, symbols, n), values) for n in range(len(named))])
        got = got.reshape(numeric.output.shape)
        want = conv2d(x, w, b, stride=spec.stride, padding=spec.padding)
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(got, numeric.output)


def test_symbolic_pictures_show_the_names() -> None:
    animation = animation_for(PRESETS["symbolic_transpose_1d"])
    drawing = make_scene(animation.trace, Look(), RASTER)
    board = animation.storyboard()
    pixels = drawing.still(board, -1)[0]
    grid = drawing.layout.inputs[0]
    for q, name in enumerate("ab"):
        tile = drawing.painter.tiles.cell_tile(CellStyle("input_fill", name))
        x, y = grid.origin(0, q)
        assert (pixels[y + 3 : y + tile.shape[0] - 3, x + 3 : x + tile.shape[1] - 3] == tile[3:-3, 3:-3]).all()
    out = drawing.layout.outputs[0]
    for q, text in enumerate(["ax", "ay", "az+bx", "by", "bz"]):
        tile = drawing.painter.tiles.cell_tile(CellStyle("output_current", text))
        x, y = out.origin(0, q)
        assert (pixels[y + 3 : y + tile.shape[0] - 3, x + 3 : x + tile.shape[1] - 3] == tile[3:-3, 3:-3]).all()


def test_symbolic_needs_both_sides_and_a_small_spec() -> None:
    result = CliRunner().invoke(cli, ["trace", "--values", "symbolic", "--kernel-values", "ones"])
    assert result.exit_code == 2 and "--values symbolic" in result.stderr
    result = CliRunner().invoke(cli, ["trace", "--values", "symbolic", "-i", "200"])
    assert result.exit_code == 2 and "at most" in result.stderr


def test_multi_channel_preset_equals_pytorch_conv2d() -> None:
    preset = PRESETS["multi_channel"]
    recorded = build({**preset.spec}, set(preset.spec), preset.values, seed=preset.seed)
    spec = recorded.spec
    assert recorded.output.shape == (2, 3, 3)
    want = conv2d(recorded.input, recorded.weight, recorded.bias, stride=2, padding=1, groups=spec.groups)
    np.testing.assert_array_equal(recorded.output, want)
