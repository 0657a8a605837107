"""Transposed convolution as a direct convolution, and stamp overlap counts (the checkerboard)."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner, Result
from hypothesis import given, note
from hypothesis import strategies as st
from reference import conv2d, conv_transpose2d

from convanim import ConvSpec, SpecError
from convanim.cli import cli
from convanim.compute.direct import DISCARDED, PADDING, REAL, ZERO, direct_view, flip_weight, overlap_counts
from convanim.compute.tracer import ForwardSteps, trace
from convanim.compute.values import build


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="convanim")


def run_trace(command: str) -> dict[str, Any]:
    result = run("trace", *shlex.split(command))
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


@st.composite
def transposed_cases(draw: st.DrawFn) -> tuple[ConvSpec, np.ndarray, np.ndarray, np.ndarray | None]:
    """conv_transpose2d specs with negative pads (p > d*(k-1)) and output padding, and exact values."""
    groups = draw(st.integers(1, 3))
    axes = []
    for _axis in (0, 1):
        n, k, s, d = draw(st.integers(1, 5)), draw(st.integers(1, 4)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
        op = draw(st.integers(0, max(s, d) - 1))
        p = draw(st.integers(0, min(5, ((n - 1) * s + d * (k - 1) + op) // 2)))
        axes.append((n, k, s, d, op, p))
    spec = ConvSpec(
        input_size=(axes[0][0], axes[1][0]),
        kernel_size=(axes[0][1], axes[1][1]),
        stride=(axes[0][2], axes[1][2]),
        dilation=(axes[0][3], axes[1][3]),
        output_padding=(axes[0][4], axes[1][4]),
        padding=(axes[0][5], axes[1][5]),
        in_channels=groups * draw(st.integers(1, 2)),
        out_channels=groups * draw(st.integers(1, 2)),
        groups=groups,
        bias=draw(st.booleans()),
        transposed=True,
    )
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    halves = draw(st.booleans())  # floats whose sums are exact in any order
    scale = 2.0 if halves else 1

    def values(shape: tuple[int, ...]) -> np.ndarray:
        array = rng.integers(-9, 9, size=shape, endpoint=True)
        return array / scale if halves else array

    bias = values((spec.out_channels,)) if spec.bias else None
    return spec, values(spec.input_shape), values(spec.weight_shape), bias


@given(transposed_cases())
def test_the_direct_convolution_equals_the_scatter(case: tuple[ConvSpec, np.ndarray, np.ndarray, Any]) -> None:
    spec, x, w, b = case
    note(spec.describe())
    scatter = trace(spec, x, w, b)
    view = direct_view(scatter)
    assert isinstance(view.trace.steps, ForwardSteps)
    np.testing.assert_array_equal(view.trace.output, scatter.output)
    assert view.trace.output.dtype == scatter.output.dtype
    expected = conv_transpose2d(x, w, b, spec.stride, spec.padding, spec.output_padding, spec.groups, spec.dilation)
    np.testing.assert_array_equal(view.trace.output, expected)
    # The direct convolution itself, recomputed by the forward reference from its own arrays.
    direct = view.trace
    np.testing.assert_array_equal(
        conv2d(direct.input, direct.weight, direct.bias, 1, 0, direct.spec.dilation, direct.spec.groups),
        scatter.output,
    )


@given(transposed_cases())
def test_the_grid_says_what_each_cell_is(case: tuple[ConvSpec, np.ndarray, np.ndarray, Any]) -> None:
    spec, x, w, b = case
    view = direct_view(trace(spec, x, w, b))
    direct = view.trace.spec
    assert direct.stride == (1, 1) and direct.padding == (0, 0) and direct.dilation == spec.dilation
    assert (direct.in_channels, direct.out_channels, direct.groups) == (
        spec.in_channels,
        spec.out_channels,
        spec.groups,
    )
    assert direct.kernel_size == spec.kernel_size and direct.bias == spec.bias
    for axis in (0, 1):
        n, k, s, p = spec.input_size[axis], spec.kernel_size[axis], spec.stride[axis], spec.padding[axis]
        d, op = spec.dilation[axis], spec.output_padding[axis]
        low, high = view.pads[axis]
        assert (low, high) == (d * (k - 1) - p, d * (k - 1) - p + op)
        assert direct.input_size[axis] == s * (n - 1) + 1 + low + high
        assert view.grid.shape[axis + 1] == max(low, 0) + s * (n - 1) + 1 + max(high, 0)
        assert view.offset[axis] == max(-low, 0)
    # Rebuild the grid's description from the rule, cell by cell.
    expected_kind = np.empty(view.kind.shape, dtype=np.int64)
    expected_grid = np.zeros_like(view.grid)
    top, left = view.offset
    height, width = direct.input_size
    before = (max(view.pads[0][0], 0), max(view.pads[1][0], 0))
    for r in range(view.kind.shape[0]):
        for q in range(view.kind.shape[1]):
            i, j = r - before[0], q - before[1]  # position in the spread input
            spread = 0 <= i <= spec.stride[0] * (spec.input_size[0] - 1) and 0 <= j <= spec.stride[1] * (
                spec.input_size[1] - 1
            )
            real = spread and i % spec.stride[0] == 0 and j % spec.stride[1] == 0
            if real:
                expected_grid[:, r, q] = x[:, i // spec.stride[0], j // spec.stride[1]]
            if not (top <= r < top + height and left <= q < left + width):
                expected_kind[r, q] = DISCARDED
            elif not spread:
                expected_kind[r, q] = PADDING
            else:
                expected_kind[r, q] = REAL if real else ZERO
    np.testing.assert_array_equal(view.kind, expected_kind)
    np.testing.assert_array_equal(view.grid, expected_grid)
    np.testing.assert_array_equal(view.trace.input, view.grid[:, top : top + height, left : left + width])
    s0, n0 = spec.stride[0], spec.input_size[0]
    spread_rows = [r - before[0] for r in range(view.kind.shape[0])]
    rows = [i // s0 if 0 <= i <= s0 * (n0 - 1) and i % s0 == 0 else -1 for i in spread_rows]
    assert view.source_rows.tolist() == rows


def test_flip_weight_rotates_and_swaps_within_groups() -> None:
    groups, cg, fg, kh, kw = 2, 2, 3, 2, 3
    w = np.arange(groups * cg * fg * kh * kw).reshape(groups * cg, fg, kh, kw)
    flipped = flip_weight(w, groups)
    assert flipped.shape == (groups * fg, cg, kh, kw)
    for g in range(groups):
        for c in range(cg):
            for f in range(fg):
                for y in range(kh):
                    for x in range(kw):
                        assert flipped[g * fg + f, c, y, x] == w[g * cg + c, f, kh - 1 - y, kw - 1 - x]


def test_the_issue_example_two_by_two_spreads_into_six_by_six() -> None:
    """-i 2 -s 2 -p 1 --output-padding 1 --transpose: one zero between cells, pad 1 top/left, 2 bottom/right."""
    recorded = build(
        {"input_size": (2, 2), "stride": (2, 2), "padding": (1, 1), "output_padding": (1, 1), "transposed": True},
        values="arange",
    )
    view = direct_view(recorded)
    P, R, Z = PADDING, REAL, ZERO  # a picture in letters
    assert view.kind.tolist() == [
        [P, P, P, P, P, P],
        [P, R, Z, R, P, P],
        [P, Z, Z, Z, P, P],
        [P, R, Z, R, P, P],
        [P, P, P, P, P, P],
        [P, P, P, P, P, P],
    ]
    assert view.pads == ((1, 2), (1, 2)) and view.offset == (0, 0)
    assert view.grid[0].tolist()[1] == [0, 0, 0, 1, 0, 0] and view.grid[0].tolist()[3] == [0, 2, 0, 3, 0, 0]
    assert view.trace.output.shape == (1, 4, 4)
    np.testing.assert_array_equal(view.trace.output, recorded.output)
    np.testing.assert_array_equal(view.weight[0, 0], recorded.weight[0, 0, ::-1, ::-1])


def test_a_negative_pad_is_a_discarded_band() -> None:
    """k1 p1: d*(k-1) - p = -1 on both sides: the first and last spread cells feed only cropped outputs."""
    recorded = build(
        {"input_size": (1, 4), "kernel_size": (1, 1), "padding": (0, 1), "stride": (1, 2), "transposed": True},
        values="arange",
    )
    view = direct_view(recorded)
    assert view.pads == ((0, 0), (-1, -1)) and view.offset == (0, 1)
    assert view.kind.tolist() == [[DISCARDED, ZERO, REAL, ZERO, REAL, ZERO, DISCARDED]]
    assert view.source_cols.tolist() == [0, -1, 1, -1, 2, -1, 3]
    assert view.trace.spec.input_size == (1, 5)
    np.testing.assert_array_equal(view.trace.output, recorded.output)


def test_direct_refusals() -> None:
    with pytest.raises(SpecError, match="add transposed"):
        direct_view(build({}))
    with pytest.raises(SpecError, match="drop values symbolic"):
        direct_view(build({"transposed": True, "input_size": (2, 2)}, values="symbolic"))
    with pytest.raises(SpecError, match="add transposed"):
        overlap_counts(ConvSpec())


# -- overlap counts ---------------------------------------------------------------------------


def interior(counts: np.ndarray, margin: int) -> set[int]:
    return set(counts[margin:-margin, margin:-margin].ravel().tolist())


@pytest.mark.parametrize(("k", "values"), [(3, {1, 2, 4}), (4, {4}), (5, {4, 6, 9})])
def test_checkerboard_counts(k: int, values: set[int]) -> None:
    """Odena et al.: k3 s2 gives 1/2/4, k4 s2 is even, k5 s2 gives 4/6/9 (research §5)."""
    counts = overlap_counts(ConvSpec(input_size=(6, 6), kernel_size=(k, k), stride=(2, 2), transposed=True))
    assert interior(counts.output, k) == values


def test_k3_s2_checkerboard_pattern() -> None:
    counts = overlap_counts(ConvSpec(input_size=(3, 3), stride=(2, 2), padding=(1, 1), transposed=True))
    assert counts.output.tolist() == [
        [1, 2, 1, 2, 1],
        [2, 4, 2, 4, 2],
        [1, 2, 1, 2, 1],
        [2, 4, 2, 4, 2],
        [1, 2, 1, 2, 1],
    ]
    assert counts.rows.tolist() == [1, 1, 2, 1, 2, 1, 1] and counts.crop == (1, 1, 5, 5)


@given(transposed_cases())
def test_overlap_counts_equal_a_transposed_convolution_of_ones(case: tuple[ConvSpec, Any, Any, Any]) -> None:
    spec = case[0]
    counts = overlap_counts(spec)
    ones = conv_transpose2d(
        np.ones((1, *spec.input_size), dtype=np.int64),
        np.ones((1, 1, *spec.kernel_size), dtype=np.int64),
        stride=spec.stride,
        padding=spec.padding,
        output_padding=spec.output_padding,
        dilation=spec.dilation,
    )
    np.testing.assert_array_equal(counts.output, ones[0])
    top, left, height, width = counts.crop
    np.testing.assert_array_equal(counts.canvas[top : top + height, left : left + width], counts.output)
    assert counts.canvas.shape == spec.canvas_size
    assert counts.canvas.sum() == spec.input_size[0] * spec.input_size[1] * spec.kernel_size[0] * spec.kernel_size[1]


# -- the CLI ---------------------------------------------------------------------------------


def test_trace_direct_and_overlap_json() -> None:
    data = run_trace("--transpose -i 2 -s 2 -p 1 --output-padding 1 --direct --overlap")
    direct = data["direct"]
    assert direct["trace"]["output"] == data["output"]
    assert direct["trace"]["spec"]["input_size"] == [6, 6] and direct["trace"]["spec"]["stride"] == [1, 1]
    assert direct["kind"][1] == ["padding", "real", "zero", "real", "padding", "padding"]
    assert direct["pads"] == [[1, 2], [1, 2]] and direct["offset"] == [0, 0]
    assert direct["source_rows"] == [-1, 0, -1, 1, -1, -1]
    assert np.array(direct["trace"]["weight"]).tolist() == np.array(data["weight"])[:, :, ::-1, ::-1].tolist()
    assert data["overlap"]["output"][1] == [2, 4, 2, 2]
    assert data["overlap"]["crop"] == {"top": 1, "left": 1, "height": 4, "width": 4}


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ("trace --direct", "--direct shows a transposed convolution: add --transpose"),
        ("trace --overlap", "--overlap shows a transposed convolution: add --transpose"),
        ("trace --op max --direct", "--op max has no direct: drop --direct"),
        ("render --view direct", "--view direct shows a transposed convolution: add --transpose"),
        ("render --transpose --view direct --values symbolic", "--view direct draws numbers"),
        ("render --transpose --view overlap --steps term", "--view overlap draws one stamp per frame"),
        ("render --transpose --view direct --grad input", "--view direct has no --grad"),
    ],
)
def test_refusals_write_nothing(command: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    suffix = "json" if command.startswith("trace") else "gif"
    result = run(*shlex.split(command), "-o", f"out.{suffix}")
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert not list(tmp_path.iterdir())
