"""Named kernels: their values, orientation (cross-correlation), sizes, names on the trace, refusals."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner, Result
from reference import conv2d, spec_fields

from convanim.cli import cli
from convanim.compute.kernels import KERNELS, is_named, named_kernel
from convanim.compute.values import build, resolve
from convanim.errors import SpecError

NAMES = [
    "identity",
    "box",
    "gaussian3",
    "gaussian5",
    "sharpen",
    "laplacian4",
    "laplacian8",
    "outline",
    "emboss",
    "sobel-x",
    "sobel-y",
    "scharr-x",
    "scharr-y",
    "prewitt-x",
    "prewitt-y",
]

# The research table (views.md §3), written out: integers and divisor, correlation orientation.
TABLE: dict[str, tuple[list[list[int]], int]] = {
    "identity": ([[0, 0, 0], [0, 1, 0], [0, 0, 0]], 1),
    "box": ([[1, 1, 1], [1, 1, 1], [1, 1, 1]], 9),
    "gaussian3": ([[1, 2, 1], [2, 4, 2], [1, 2, 1]], 16),
    "sharpen": ([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], 1),
    "laplacian4": ([[0, 1, 0], [1, -4, 1], [0, 1, 0]], 1),
    "laplacian8": ([[1, 1, 1], [1, -8, 1], [1, 1, 1]], 1),
    "outline": ([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], 1),
    "emboss": ([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], 1),
    "sobel-x": ([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], 1),
    "sobel-y": ([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], 1),
    "scharr-x": ([[-3, 0, 3], [-10, 0, 10], [-3, 0, 3]], 1),
    "scharr-y": ([[-3, -10, -3], [0, 0, 0], [3, 10, 3]], 1),
    "prewitt-x": ([[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]], 1),
    "prewitt-y": ([[-1, -1, -1], [0, 0, 0], [1, 1, 1]], 1),
}


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="convanim")


def run_trace(command: str) -> dict[str, Any]:
    result = run("trace", *shlex.split(command))
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


FIELDS = spec_fields(input_size=(6, 6))


def test_every_named_kernel_is_there() -> None:
    assert list(KERNELS) == NAMES


@pytest.mark.parametrize("name", sorted(TABLE))
def test_values_follow_the_research_table(name: str) -> None:
    integers, divisor = TABLE[name]
    kernel = named_kernel(name)
    assert kernel.divisor == divisor
    assert [list(row) for row in kernel.integers] == integers
    np.testing.assert_array_equal(kernel.values, np.array(integers) / divisor)
    assert kernel.values.dtype == (np.int64 if divisor == 1 else np.float64)


def test_gaussian5_is_the_binomial_outer_product() -> None:
    row = [1, 4, 6, 4, 1]
    kernel = named_kernel("gaussian5")
    assert kernel.size == (5, 5) and kernel.divisor == 256
    assert [list(r) for r in kernel.integers] == [[a * b for b in row] for a in row]


@pytest.mark.parametrize("name", NAMES)
def test_sums_and_rotations(name: str) -> None:
    """Blurs sum to 1, derivatives and Laplacians to 0; derivatives change sign under a 180° turn."""
    values = named_kernel(name).values
    total = values.sum()
    if name in ("identity", "box", "gaussian3", "gaussian5", "sharpen", "emboss"):
        assert total == pytest.approx(1.0)
    else:
        assert total == 0
    turned = values[::-1, ::-1]
    if name.endswith(("-x", "-y")):
        np.testing.assert_array_equal(turned, -values)
    elif name == "emboss":
        np.testing.assert_array_equal(turned, 2 * named_kernel("identity").values - values)
    else:
        np.testing.assert_array_equal(turned, values)


@pytest.mark.parametrize(("family", "gain"), [("sobel", 8), ("scharr", 32), ("prewitt", 6)])
def test_orientation_a_ramp_rising_right_gives_a_positive_x_gradient(family: str, gain: int, tmp_path: Path) -> None:
    """conv2d is cross-correlation: [[-1, 0, 1], ...] on a ramp rising to the right gives +8 (Sobel)."""
    ramp = np.tile(np.arange(5), (5, 1))  # brightens by 1 per column
    path = tmp_path / "ramp.npy"
    np.save(path, ramp)
    across = run_trace(f"--values {path} --kernel-values {family}-x")
    assert np.array(across["output"]).tolist() == [[[gain] * 3] * 3]
    down = run_trace(f"--values {path} --kernel-values {family}-y")
    assert np.array(down["output"]).tolist() == [[[0] * 3] * 3]
    np.save(path, ramp.T)  # brightens downwards
    assert np.array(run_trace(f"--values {path} --kernel-values {family}-y")["output"]).tolist() == [[[gain] * 3] * 3]


def test_the_trace_names_its_kernel_and_matches_the_reference() -> None:
    data = run_trace("-i 6 --values arange --kernel-values gaussian3")
    assert data["kernel_name"] == "gaussian3"
    assert data["spec"]["kernel_size"] == [3, 3]
    np.testing.assert_array_equal(np.array(data["weight"]), np.array(TABLE["gaussian3"][0])[None, None] / 16)
    expected = conv2d(np.array(data["input"]), np.array(data["weight"]))
    np.testing.assert_allclose(np.array(data["output"]), expected, rtol=0, atol=1e-12)
    assert "kernel_name" not in run_trace("-i 4")


def test_the_kernel_size_follows_the_named_kernel() -> None:
    recorded = build(FIELDS, set(), kernel_values="gaussian5")
    assert recorded.spec.kernel_size == (5, 5) and recorded.kernel_name == "gaussian5"
    assert recorded.output.shape == (1, 2, 2)
    same = build({**FIELDS, "kernel_size": (5, 5)}, {"kernel_size"}, kernel_values="gaussian5")
    assert same.spec.kernel_size == (5, 5)
    with pytest.raises(SpecError) as info:
        resolve({**FIELDS, "kernel_size": (3, 3)}, {"kernel_size"}, kernel_values="gaussian5")
    assert (
        info.value.args[0] == "‹kernel_values› gaussian5 is 5x5 but ‹kernel_size› 3 was asked for: drop ‹kernel_size›"
    )


def test_a_named_kernel_fills_every_filter_and_channel() -> None:
    fields = {**FIELDS, "in_channels": 3, "out_channels": 2}
    _, values = resolve(fields, {"in_channels", "out_channels"}, kernel_values="sobel-x")
    assert values.weight.shape == (2, 3, 3, 3) and values.kernel_name == "sobel-x"
    assert (values.weight == np.array(TABLE["sobel-x"][0])).all()
    transposed = build({**FIELDS, "input_size": (2, 2), "transposed": True}, set(), kernel_values="emboss")
    assert transposed.weight.tolist() == [[TABLE["emboss"][0]]] and transposed.kernel_name == "emboss"


@pytest.mark.parametrize("spelling", ["sobel-x", "Sobel_X", "SOBEL-X", " sobel_x "])
def test_spellings(spelling: str) -> None:
    assert is_named(spelling)
    assert named_kernel(spelling).name == "sobel-x"


@pytest.mark.parametrize(
    ("typed", "suggestion"),
    [
        ("sobelx", "did you mean sobel-x?"),
        ("gausian3", "did you mean gaussian3?"),
        ("lapalcian8", "did you mean laplacian8?"),
    ],
)
def test_unknown_names_get_a_did_you_mean(typed: str, suggestion: str) -> None:
    result = run("trace", "--kernel-values", typed)
    assert result.exit_code == 2
    assert f"--kernel-values {typed!r} is not a kind, a named kernel or a file: {suggestion}" in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_name_far_from_any_lists_them() -> None:
    with pytest.raises(SpecError) as info:
        named_kernel("qqqq", others=("random", "ones"))
    assert "use one of random, ones, identity, box," in info.value.args[0]


def test_cli_refusals_for_named_kernels(tmp_path: Path) -> None:
    out = tmp_path / "t.json"
    result = run("trace", "-k", "5", "--kernel-values", "sobel-x", "-o", str(out))
    assert result.exit_code == 2
    assert "--kernel-values sobel-x is 3x3 but --kernel-size 5 was asked for: drop --kernel-size" in result.stderr
    assert not out.exists()
    result = run("trace", "--values", "symbolic", "--kernel-values", "box")
    assert result.exit_code == 2 and "symbolic" in result.stderr


def test_files_and_kinds_still_work_as_kernel_values(tmp_path: Path) -> None:
    path = tmp_path / "k.npy"
    np.save(path, np.array([[1, 2], [3, 4]]))
    assert run_trace(f"--kernel-values {path}")["spec"]["kernel_size"] == [2, 2]
    assert run_trace("--kernel-values ones")["weight"] == [[[[1, 1, 1]] * 3]]
