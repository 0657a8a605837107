"""Max and average pooling: the trace against an independent reference, the ceil-mode rule, refusals."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner, Result
from hypothesis import assume, given, note
from hypothesis import strategies as st
from reference import avg_pool2d, max_pool2d, pool2d_output_size, spec_fields

from convanim import ConvSpec, SpecError
from convanim.cli import cli, flag
from convanim.compute.export import trace_to_dict
from convanim.compute.pooling import pool_spec, pool_trace, size_terms
from convanim.compute.tracer import PoolSteps, Trace, trace
from convanim.compute.values import build, resolve
from convanim.plan.options import RenderOptions, default_filename


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="convanim")


def run_trace(command: str) -> dict[str, Any]:
    result = run("trace", *shlex.split(command))
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


# -- strategies ------------------------------------------------------------------------------


@st.composite
def pool_cases(draw: st.DrawFn) -> tuple[ConvSpec, np.ndarray]:
    """Valid pooling specs (ceil-mode overhangs and drops included) and values with many ties."""
    op = draw(st.sampled_from(["max", "avg"]))
    ceil_mode = draw(st.booleans())
    sizes, kernels, strides, pads, dils = [], [], [], [], []
    for _axis in (0, 1):
        k = draw(st.integers(1, 4))
        d = draw(st.integers(1, 3)) if op == "max" else 1
        s = draw(st.integers(1, 5))
        p = draw(st.integers(0, k // 2))
        span = d * (k - 1) + 1
        n = draw(st.integers(max(1, span - 2 * p - (s - 1 if ceil_mode else 0)), span + 6))
        sizes.append(n)
        kernels.append(k)
        strides.append(s)
        pads.append(p)
        dils.append(d)
    try:
        spec = ConvSpec(
            input_size=(sizes[0], sizes[1]),
            kernel_size=(kernels[0], kernels[1]),
            stride=(strides[0], strides[1]),
            padding=(pads[0], pads[1]),
            dilation=(dils[0], dils[1]),
            in_channels=(c := draw(st.integers(1, 2))),
            out_channels=c,
            op=op,
            ceil_mode=ceil_mode,
            count_include_pad=draw(st.booleans()) if op == "avg" else True,
        )
    except SpecError as err:  # a dilated window that reads only padding, or no output
        assume(False)
        raise AssertionError from err
    kind = draw(st.sampled_from(["ties", "int", "float", "halves"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    shape = spec.input_shape
    if kind == "ties":
        x = rng.integers(0, 2, size=shape, endpoint=True)
    elif kind == "int":
        x = rng.integers(-50, 50, size=shape, endpoint=True)
    elif kind == "halves":
        x = rng.integers(-16, 16, size=shape, endpoint=True) / 2.0
    else:
        x = rng.uniform(-10, 10, size=shape)
    return spec, x


def reference(spec: ConvSpec, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(values, argmax indices or divisors) from the loops in tests/reference.py."""
    if spec.op == "max":
        return max_pool2d(x, spec.kernel_size, spec.stride, spec.padding, spec.dilation, spec.ceil_mode)
    return avg_pool2d(x, spec.kernel_size, spec.stride, spec.padding, spec.ceil_mode, spec.count_include_pad)


# -- against the reference -------------------------------------------------------------------


@given(pool_cases())
def test_pooling_matches_the_reference(case: tuple[ConvSpec, np.ndarray]) -> None:
    spec, x = case
    note(spec.describe())
    recorded = trace(spec, x, np.zeros(spec.weight_shape))
    values, extra = reference(spec, x)
    assert recorded.output.shape == values.shape == spec.output_shape
    for axis in (0, 1):
        assert spec.output_size[axis] == pool2d_output_size(
            spec.input_size[axis],
            spec.kernel_size[axis],
            spec.stride[axis],
            spec.padding[axis],
            spec.dilation[axis],
            spec.ceil_mode,
        )
    np.testing.assert_array_equal(recorded.output, values)
    steps = recorded.steps
    assert isinstance(steps, PoolSteps)
    if spec.op == "max":
        assert recorded.output.dtype == x.dtype if x.dtype.kind == "f" else recorded.output.dtype == np.int64
        np.testing.assert_array_equal(steps.argmax, extra.ravel())
        assert (steps.divisor == -1).all()
    else:
        np.testing.assert_array_equal(steps.divisor, extra.ravel())
        assert (steps.winner == -1).all() and (steps.argmax == -1).all()


@given(pool_cases())
def test_every_step_is_consistent(case: tuple[ConvSpec, np.ndarray]) -> None:
    spec, x = case
    recorded = pool_trace(spec, x)
    steps = recorded.steps
    assert isinstance(steps, PoolSteps)
    n, t = len(steps), spec.kernel_size[0] * spec.kernel_size[1]
    assert steps.input_cells.shape == (n, t, 3) and steps.running.shape == (n, t)
    assert n == spec.n_steps and t == spec.terms_per_step
    ph, pw = spec.padding
    h, w = spec.input_size
    c, row, col = (steps.input_cells[..., i] for i in range(3))
    assert (c == steps.output_cells[:, :1]).all()  # each channel pools itself
    real = ~steps.in_padding & ~steps.outside
    np.testing.assert_array_equal(steps.outside, (row >= h + 2 * ph) | (col >= w + 2 * pw))
    inside = (row >= ph) & (row < ph + h) & (col >= pw) & (col < pw + w)
    np.testing.assert_array_equal(steps.in_padding, ~inside & ~steps.outside)
    np.testing.assert_array_equal(steps.input_values[real], x[c[real], row[real] - ph, col[real] - pw])
    assert (steps.input_values[~real] == steps.fill).all()
    assert (recorded.output.ravel() == steps.values).all()
    if spec.op == "max":
        assert steps.fill == -np.inf
        assert (steps.counted == real).all()
        np.testing.assert_array_equal(steps.running[:, -1], steps.values)
        np.testing.assert_array_equal(steps.running, np.maximum.accumulate(steps.input_values, axis=1))
        k = np.arange(n)
        assert real[k, steps.winner].all()
        win_row, win_col = row[k, steps.winner] - ph, col[k, steps.winner] - pw
        np.testing.assert_array_equal(steps.argmax, win_row * w + win_col)
        # The winner is the first cell holding the max.
        for i in range(n):
            first = int(np.flatnonzero(steps.input_values[i] == steps.values[i])[0])
            assert steps.winner[i] == first
    else:
        assert steps.fill == 0.0
        assert (steps.counted >= real).all() and not (steps.counted & steps.outside).any()
        np.testing.assert_array_equal(steps.divisor, steps.counted.sum(axis=1))
        np.testing.assert_array_equal(steps.running[:, -1] / steps.divisor, steps.values)


# -- the size rule, pinned -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("length", "k", "s", "p", "floor", "ceil", "dropped"),
    [
        (5, 2, 2, 0, 2, 3, False),
        (5, 3, 3, 1, 2, 2, True),  # the ceil formula gives 3; the last window would start at 6 >= L + p
        (6, 3, 2, 1, 3, 4, False),
        (3, 2, 2, 1, 2, 2, True),
        (2, 3, 2, 0, 0, 1, False),  # ceil mode: a window may hang over a too-short input
    ],
)
def test_output_sizes_floor_and_ceil(length: int, k: int, s: int, p: int, floor: int, ceil: int, dropped: bool) -> None:
    """The research table's edge cases (verified against PyTorch)."""
    common: dict[str, Any] = {"input_size": (1, length), "kernel_size": (1, k), "stride": (1, s), "padding": (0, p)}
    if floor >= 1:
        assert pool_spec("max", **common).output_size == (1, floor)
    else:
        with pytest.raises(SpecError, match=r"use a smaller kernel_size, raise padding or add ceil_mode$"):
            pool_spec("max", **common)
    spec = pool_spec("max", **common, ceil_mode=True)
    assert spec.output_size == (1, ceil)
    terms = size_terms(spec)[1]
    assert terms.dropped is dropped and terms.size == ceil
    assert terms.rounded == ceil + dropped
    assert terms.numerator == length + 2 * p - k


def test_avg_ceil_overhang_is_not_counted() -> None:
    """5x5 arange from 1, k2 s2 ceil: the last column's windows are one cell wide: (5+10)/2 = 7.5."""
    x = np.arange(1, 26).reshape(1, 5, 5)
    recorded = pool_trace(pool_spec("avg", input_size=(5, 5), kernel_size=(2, 2), ceil_mode=True), x)
    assert recorded.output[0, 0, -1] == 7.5
    assert recorded.output[0, -1, -1] == 25.0
    steps = recorded.steps
    assert isinstance(steps, PoolSteps)
    assert steps.divisor.reshape(3, 3).tolist() == [[4, 4, 2], [4, 4, 2], [2, 2, 1]]
    assert steps.outside.reshape(3, 3, 4)[2, 2].tolist() == [False, True, True, True]


def test_avg_count_include_pad_counts_padding_but_not_the_overhang() -> None:
    x = np.full((1, 5, 5), 4)
    spec = pool_spec("avg", input_size=(5, 5), kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), ceil_mode=True)
    with_pad = pool_trace(spec, x)
    assert with_pad.output.tolist() == [[[16 / 9, 24 / 9, 16 / 9], [24 / 9, 4.0, 24 / 9], [16 / 9, 24 / 9, 16 / 9]]]
    without = pool_trace(pool_spec("avg", (5, 5), (3, 3), (2, 2), (1, 1), ceil_mode=True, count_include_pad=False), x)
    assert (without.output == 4.0).all()
    steps = without.steps
    assert isinstance(steps, PoolSteps)
    assert steps.divisor.reshape(3, 3).tolist() == [[4, 6, 4], [6, 9, 6], [4, 6, 4]]


def test_max_pads_with_minus_infinity_and_ties_go_to_the_first_cell() -> None:
    x = -np.ones((1, 4, 4), dtype=np.int64)  # all equal and negative: a zero pad would win
    recorded = pool_trace(pool_spec("max", (4, 4), (3, 3), (2, 2), (1, 1)), x)
    steps = recorded.steps
    assert isinstance(steps, PoolSteps)
    assert (recorded.output == -1).all() and recorded.output.dtype == np.int64
    assert steps.input_values[0].tolist() == [-np.inf] * 4 + [-1, -1] + [-np.inf, -1, -1]
    assert steps.running[0].tolist() == [-np.inf] * 4 + [-1.0] * 5
    assert steps.winner.tolist() == [4, 3, 1, 0]  # the first real cell of each window
    assert steps.argmax.tolist() == [0, 1, 4, 5]


def test_dilated_max_matches_the_reference_on_a_pinned_case() -> None:
    x = np.arange(49).reshape(1, 7, 7) % 10
    spec = pool_spec("max", (7, 7), (3, 3), (2, 2), (1, 1), dilation=(2, 2), ceil_mode=True)
    recorded = pool_trace(spec, x)
    values, indices = max_pool2d(x, 3, 2, 1, 2, ceil_mode=True)
    np.testing.assert_array_equal(recorded.output, values)
    steps = recorded.steps
    assert isinstance(steps, PoolSteps)
    np.testing.assert_array_equal(steps.argmax, indices.ravel())


# -- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"op": "max", "groups": 2, "in_channels": 2, "out_channels": 2}, "‹op› max pools every channel on its own"),
        ({"op": "max", "bias": True}, "‹op› max takes no ‹bias›: drop it"),
        ({"op": "avg", "transposed": True}, "‹op› avg has no transposed form: drop ‹transposed›"),
        ({"op": "max", "out_channels": 2}, "‹op› max keeps the channels"),
        ({"op": "avg", "dilation": (2, 2)}, "‹op› avg takes no ‹dilation›"),
        ({"op": "max", "padding": (2, 2)}, "‹padding› 2 is more than half of ‹kernel_size› 3"),
        ({"op": "max", "kernel_size": (4, 4), "padding": (3, 3)}, "pooling pads at most 2"),
        ({"op": "max", "count_include_pad": False}, "‹count_include_pad› only applies to ‹op› avg"),
        ({"ceil_mode": True}, "‹ceil_mode› only applies to pooling"),
        ({"count_include_pad": False}, "‹count_include_pad› only applies to ‹op› avg"),
        ({"op": "min"}, "‹op› 'min' is unknown: use conv, max or avg"),
        ({"op": "max", "input_size": (2, 2)}, "the window spans 3 cells but the padded input is 2"),
        (
            {
                "op": "max",
                "input_size": (2, 2),
                "kernel_size": (2, 2),
                "stride": (2, 2),
                "padding": (1, 1),
                "dilation": (3, 3),
            },
            "the window at output row 0 reads only padding",
        ),
    ],
)
def test_refusals_name_the_fields(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(SpecError) as info:
        ConvSpec(**changes)
    assert message in info.value.args[0]
    assert "\n" not in str(info.value)


def test_pool_trace_refuses_a_kernel_and_a_convolution() -> None:
    spec = pool_spec("max", (4, 4), (2, 2))
    with pytest.raises(SpecError, match="op max has no kernel"):
        trace(spec, np.zeros((1, 4, 4)), np.ones((1, 1, 2, 2)))
    with pytest.raises(SpecError, match="takes no bias"):
        trace(spec, np.zeros((1, 4, 4)), np.zeros(spec.weight_shape), np.ones(1))
    with pytest.raises(SpecError, match="not a pooling"):
        pool_trace(ConvSpec(), np.zeros((1, 5, 5)))
    with pytest.raises(SpecError, match="the input has shape 1x3x3 but the spec needs 1x4x4"):
        pool_trace(spec, np.zeros((1, 3, 3)))
    with pytest.raises(SpecError, match="too large for exact pooling"):
        pool_trace(pool_spec("avg", (4, 4), (2, 2)), np.full((1, 4, 4), 2**52))


# -- options, values and JSON ----------------------------------------------------------------


FIELDS = spec_fields(input_size=(6, 6), in_channels=2, op="max")


def test_resolve_defaults_the_stride_to_the_kernel_and_keeps_the_channels() -> None:
    spec, values = resolve(FIELDS, {"input_size", "in_channels"})
    assert spec.stride == (3, 3) and spec.out_channels == 2 and spec.output_size == (2, 2)
    assert values.weight.shape == (0, 1, 3, 3) and values.bias is None and values.kernel_name is None
    spec, _ = resolve(FIELDS, {"input_size", "in_channels", "stride"})
    assert spec.stride == (1, 1)
    with pytest.raises(SpecError, match="keeps the channels"):
        resolve(FIELDS, {"out_channels"})


def test_resolve_refuses_kernels_and_symbols_for_pooling() -> None:
    with pytest.raises(SpecError, match="op max has no kernel: drop kernel_values"):
        resolve(FIELDS, set(), kernel_values="ones")
    with pytest.raises(SpecError, match="values symbolic"):
        resolve(FIELDS, set(), values="symbolic")


def test_a_json_values_file_with_a_weight_pools_its_input(tmp_path: Path) -> None:
    path = tmp_path / "v.json"
    path.write_text(json.dumps({"input": np.arange(16).reshape(4, 4).tolist(), "weight": [[1]], "bias": [1]}))
    recorded = build({**FIELDS, "kernel_size": (2, 2)}, {"kernel_size"}, values=str(path))
    assert recorded.output.tolist() == [[[5, 7], [13, 15]]]


def test_json_has_the_op_the_window_and_no_weight() -> None:
    data = run_trace("--op max -i 4 -k 3 -s 2 -p 1 --ceil-mode --values arange")
    assert data["spec"]["op"] == "max" and data["spec"]["ceil_mode"] is True
    assert data["spec"]["count_include_pad"] is True
    assert data["weight"] is None and data["bias"] is None
    assert data["output"] == [[[5, 7, 7], [13, 15, 15], [13, 15, 15]]]  # the last window starts on the last cell
    first = data["steps"][0]
    assert set(first) == {
        "output_cell",
        "input_cells",
        "input_values",
        "in_padding",
        "outside",
        "counted",
        "running",
        "value",
        "winner",
        "argmax",
    }
    assert first["input_values"] == [None, None, None, None, 0, 1, None, 4, 5]  # null: -inf padding
    assert first["running"] == [None, None, None, None, 0, 1, 1, 4, 5]
    assert first["winner"] == 8 and first["argmax"] == 5 and first["value"] == 5
    avg = run_trace("--op avg -i 4 -k 2 --values arange")
    assert avg["output"] == [[[2.5, 4.5], [10.5, 12.5]]]
    assert [step["divisor"] for step in avg["steps"]] == [4, 4, 4, 4]
    assert "winner" not in avg["steps"][0] and avg["steps"][0]["input_values"] == [0, 1, 4, 5]


@pytest.mark.parametrize(
    "command",
    [
        "--op max -k 3 -s 2 -p 1 --ceil-mode",
        "--op avg -k 3 -s 2 -p 1 --ceil-mode -i 6 --seed 3",
        "--op avg -k 3 -s 2 -p 1 --ceil-mode -i 6 --no-count-include-pad",
        "--op max -k 2 -d 2 -p 1 -i 7x6 --in-channels 2 --ceil-mode",
        "--op avg -i 9 -k 2",
    ],
)
def test_cli_trace_agrees_with_the_reference(command: str) -> None:
    data = run_trace(command)
    spec = ConvSpec(
        **{k: tuple(v) if isinstance(v, list) else v for k, v in data["spec"].items() if k != "output_size"}
    )
    values, extra = reference(spec, np.array(data["input"]))
    np.testing.assert_array_equal(np.array(data["output"]), values)
    key = "argmax" if spec.op == "max" else "divisor"
    assert [step[key] for step in data["steps"]] == extra.ravel().tolist()


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ("trace --op max --groups 2 --in-channels 2", "--op max pools every channel on its own and takes no --groups"),
        ("trace --op max --bias", "--op max takes no --bias: drop it"),
        ("trace --op avg --transpose", "--op avg has no transposed form: drop --transpose"),
        ("trace --op max --grad", "--op max has no grad: drop --grad"),
        ("trace --op max --matrix", "--op max has no matrix: drop --matrix"),
        ("trace --op avg -d 2 -i 7", "--op avg takes no --dilation"),
        ("trace --op max -p 2", "--pad 2 is more than half of --kernel-size 3"),
        ("trace --op max --kernel-values sobel-x", "--op max has no kernel: drop --kernel-values"),
        ("trace --ceil-mode", "--ceil-mode only applies to pooling"),
        ("trace --op max --no-count-include-pad", "--count-include-pad only applies to --op avg"),
        ("render --op max --color-values --no-values", "--color-values colours cells by their numbers"),
        ("render --op avg --view matrix", "--view matrix does not apply to --op avg"),
        ("render --op max --grad input", "--op max has no gradient view"),
    ],
)
def test_cli_refusals_are_one_line_with_status_2_and_write_nothing(
    command: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    suffix = "json" if command.startswith("trace") else "gif"
    result = run(*shlex.split(command), "-o", f"out.{suffix}")
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert not list(tmp_path.iterdir())


def test_render_options_take_the_pooling_fields() -> None:
    options = RenderOptions.from_mapping({"op": "MAX", "ceil-mode": "true", "kernel-size": 2})
    assert options.op == "max" and options.ceil_mode is True and options.count_include_pad is True
    assert options.spec_fields()["op"] == "max"
    assert default_filename(options) == "maxpool_k2_ceil.gif"
    avg = RenderOptions.from_mapping({"op": "avg", "count_include_pad": False})
    assert default_filename(avg) == "avgpool_nopadcount.gif"
    with pytest.raises(SpecError) as info:
        RenderOptions.from_mapping({"op": "mean"})
    assert info.value.worded(flag) == "--op 'mean' is unknown: use conv or max or avg"


def test_pooling_spec_describes_itself_and_refuses_an_adjoint() -> None:
    spec = pool_spec("avg", (5, 5), (3, 3), (2, 2), (1, 1), channels=3, ceil_mode=True, count_include_pad=False)
    assert spec.describe() == (
        "avg pool 5x5, kernel 3, channels 3, stride 2, pad 1, ceil_mode, count_include_pad false -> 3x3"
    )
    assert spec.weight_shape == (0, 1, 3, 3) and spec.terms_per_step == 9 and spec.n_steps == 27
    assert spec.to_dict()["op"] == "avg" and "op" not in ConvSpec().to_dict()
    with pytest.raises(SpecError, match="not linear"):
        spec.adjoint()


def test_window_extent_covers_the_ceil_overhang() -> None:
    assert pool_spec("max", (5, 5), (2, 2), ceil_mode=True).window_extent == (6, 6)
    assert pool_spec("max", (5, 5), (2, 2)).window_extent == (5, 5)
    assert ConvSpec(input_size=(6, 6), stride=(2, 2)).window_extent == (6, 6)


def test_a_pooling_trace_is_plain_data() -> None:
    recorded = build(FIELDS, set())
    assert isinstance(recorded, Trace) and isinstance(recorded.steps, PoolSteps)
    assert trace_to_dict(recorded)["spec"]["op"] == "max"
