"""The ``convanim`` command: ``trace`` JSON against the reference, and one-line errors with status 2."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner, Result
from reference import conv2d, conv_transpose2d

from convanim import ConvSpec, __version__
from convanim.cli import cli

TOP_KEYS = {"format", "version", "spec", "input", "weight", "bias", "output", "steps"}
SPEC_KEYS = {
    "transposed",
    "input_size",
    "in_channels",
    "out_channels",
    "groups",
    "kernel_size",
    "stride",
    "padding",
    "dilation",
    "output_padding",
    "output_size",
    "bias",
}
FORWARD_STEP_KEYS = {
    "output_cell",
    "input_cells",
    "kernel_cells",
    "input_values",
    "kernel_values",
    "products",
    "partial_sums",
    "in_padding",
    "bias",
    "value",
}
SCATTER_STEP_KEYS = {"input_cell", "input_value", "output_channels", "rows", "cols", "stamp", "running"}


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="convanim")


def run_trace(command: str) -> dict[str, Any]:
    """``convanim trace COMMAND`` (words split as a shell would): the parsed JSON of a clean run."""
    result = run("trace", *shlex.split(command))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.endswith("\n")
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def reference_output(data: dict[str, Any]) -> np.ndarray:
    """The reference applied to the trace's own input, weight and bias."""
    spec = data["spec"]
    x, w = np.array(data["input"]), np.array(data["weight"])
    b = None if data["bias"] is None else np.array(data["bias"])
    if spec["transposed"]:
        return conv_transpose2d(
            x,
            w,
            b,
            stride=tuple(spec["stride"]),
            padding=tuple(spec["padding"]),
            output_padding=tuple(spec["output_padding"]),
            groups=spec["groups"],
            dilation=tuple(spec["dilation"]),
        )
    return conv2d(
        x,
        w,
        b,
        stride=tuple(spec["stride"]),
        padding=tuple(spec["padding"]),
        dilation=tuple(spec["dilation"]),
        groups=spec["groups"],
    )


def check_document(data: dict[str, Any]) -> None:
    """Keys, shapes and the output against the reference; each step agrees with the output."""
    assert set(data) >= TOP_KEYS
    assert data["format"] == "convanim-trace"
    assert data["version"] == 1
    spec = data["spec"]
    assert set(spec) == SPEC_KEYS
    output = np.array(data["output"])
    assert list(output.shape) == [spec["out_channels"], *spec["output_size"]]
    assert np.array(data["input"]).shape == (spec["in_channels"], *spec["input_size"])
    np.testing.assert_array_equal(output, reference_output(data))
    steps = data["steps"]
    if spec["transposed"]:
        assert len(steps) == spec["in_channels"] * spec["input_size"][0] * spec["input_size"][1]
        assert all(set(step) == SCATTER_STEP_KEYS for step in steps)
        crop = data["crop"]
        canvas = np.array(data["canvas"])
        assert list(canvas.shape[1:]) == data["canvas_size"]
        bias = np.zeros(spec["out_channels"]) if data["bias"] is None else np.array(data["bias"])
        window = canvas[:, crop["top"] : crop["top"] + crop["height"], crop["left"] : crop["left"] + crop["width"]]
        np.testing.assert_array_equal(window + bias[:, None, None], output)
        x = np.array(data["input"])
        w = np.array(data["weight"])
        for step in steps:
            c, i, j = step["input_cell"]
            assert step["input_value"] == x[c, i, j]
            np.testing.assert_array_equal(step["stamp"], x[c, i, j] * w[c])
    else:
        assert len(steps) == output.size
        for step in steps:
            assert set(step) == FORWARD_STEP_KEYS
            f, r, c = step["output_cell"]
            assert step["value"] == output[f, r, c]
            assert step["partial_sums"][-1] + step["bias"] == step["value"]
            assert step["products"] == [a * b for a, b in zip(step["input_values"], step["kernel_values"], strict=True)]


# -- trace -----------------------------------------------------------------------------------


def test_trace_stride_2_pad_1() -> None:
    data = run_trace("--stride 2 --pad 1")
    check_document(data)
    spec = data["spec"]
    assert spec == {
        "transposed": False,
        "input_size": [5, 5],
        "kernel_size": [3, 3],
        "stride": [2, 2],
        "padding": [1, 1],
        "dilation": [1, 1],
        "output_padding": [0, 0],
        "in_channels": 1,
        "out_channels": 1,
        "groups": 1,
        "bias": False,
        "output_size": [3, 3],
    }
    assert data["bias"] is None
    assert len(data["steps"]) == 9
    first = data["steps"][0]
    assert first["output_cell"] == [0, 0, 0]
    assert first["input_cells"][0] == [0, 0, 0]  # padded coordinates: the corner of the zero ring
    assert first["in_padding"][:4] == [True, True, True, True]


def test_trace_transposed_grouped_dilated_rectangular_with_bias() -> None:
    data = run_trace(
        "--transpose -i 3x4 -k 2x3 -s 2x1 -p 1x0 -d 1x2 --output-padding 1x1"
        " --in-channels 4 --out-channels 2 --groups 2 --bias --seed 7"
    )
    check_document(data)
    spec = data["spec"]
    assert spec["transposed"] is True
    assert spec["output_size"] == [5, 9]
    assert spec["output_padding"] == [1, 1]
    assert np.array(data["weight"]).shape == (4, 1, 2, 3)
    assert len(data["bias"]) == 2


def test_trace_forward_grouped_dilated_rectangular_with_bias() -> None:
    data = run_trace(
        "-i 6x7 -k 3x2 -s 1x3 -p 2x1 -d 2x1 --in-channels 6 --out-channels 3 --groups 3 --bias --values arange"
    )
    check_document(data)
    assert data["spec"]["output_size"] == [6, 3]
    assert np.array(data["weight"]).shape == (3, 2, 3, 2)
    assert data["bias"] == [0, 1, 2]


def test_trace_1d() -> None:
    data = run_trace("-i 1x9 -k 1x3 -s 1x2 -p 0x1 --values arange")
    check_document(data)
    assert data["spec"]["output_size"] == [1, 5]


def test_trace_seed_changes_the_numbers_and_is_reproducible() -> None:
    a, b, c = run_trace("--seed 1"), run_trace("--seed 1"), run_trace("--seed 2")
    assert a == b
    assert a["input"] != c["input"]


def test_trace_values_file(tmp_path: Path) -> None:
    path = tmp_path / "values.json"
    path.write_text(json.dumps({"input": [2, 3], "weight": [5, 7, 11], "bias": [1]}), encoding="utf-8")
    data = run_trace(f"--transpose -s 1x2 --values {shlex.quote(str(path))}")
    check_document(data)
    assert data["output"] == [[[11, 15, 38, 22, 34]]]


def test_trace_output_file(tmp_path: Path) -> None:
    target = tmp_path / "trace.json"
    result = run("trace", "-s", "2", "-p", "1", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""
    data = json.loads(target.read_text(encoding="utf-8"))
    check_document(data)
    assert data == run_trace("-s 2 -p 1")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["trace.json"]  # no temporary left behind


def test_trace_output_file_replaces_existing(tmp_path: Path) -> None:
    target = tmp_path / "trace.json"
    target.write_text("old", encoding="utf-8")
    assert run("trace", "-o", str(target)).exit_code == 0
    check_document(json.loads(target.read_text(encoding="utf-8")))


# -- invalid calls ---------------------------------------------------------------------------


def values_file(tmp_path: Path, kind: str) -> str:
    if kind == "missing":
        return str(tmp_path / "missing.npy")
    if kind == "misshaped":
        path = tmp_path / "misshaped.npy"
        np.save(path, np.zeros((1, 1, 1, 3, 3)))
        return str(path)
    if kind == "ragged":
        path = tmp_path / "ragged.csv"
        path.write_text("1,2,3\n4,5\n", encoding="utf-8")
        return str(path)
    if kind == "nan":
        path = tmp_path / "nan.npy"
        np.save(path, np.array([[1.0, np.nan, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]]))
        return str(path)
    if kind == "nan-csv":
        path = tmp_path / "nan.csv"
        path.write_text("1,2,3\n4,nan,6\n7,8,9\n", encoding="utf-8")
        return str(path)
    if kind == "wrong-size":
        path = tmp_path / "x.npy"
        np.save(path, np.zeros((4, 4)))
        return str(path)
    raise AssertionError(kind)


INVALID: list[tuple[str, list[str], str]] = [
    ("stride 0", ["--stride", "0"], "--stride"),
    ("negative pad", ["--pad", "-1"], "--pad"),
    ("kernel wider than padded input", ["-i", "7", "-k", "5", "-d", "2"], "spans 9 cells but the padded input is 7"),
    ("kernel wider, no dilation", ["-i", "2x5", "-k", "3"], "padded input is 2 rows"),
    ("output padding too large", ["--transpose", "-s", "2", "--output-padding", "2"], "--output-padding"),
    ("output padding without transpose", ["--output-padding", "1"], "--output-padding"),
    ("channels not divisible", ["--in-channels", "3", "--groups", "2"], "--groups"),
    ("out channels not divisible", ["--in-channels", "2", "--out-channels", "3", "--groups", "2"], "--groups"),
    ("transposed pad crops all", ["--transpose", "-i", "1", "-k", "1", "-p", "1"], "--pad"),
    ("size 3x", ["-i", "3x"], "--input-size"),
    ("size abc", ["-k", "abc"], "--kernel-size"),
    ("size 1x2x3", ["-s", "1x2x3"], "--stride"),
    ("size 3.5", ["-p", "3.5"], "--pad"),
    ("size empty", ["-d", ""], "--dilation"),
    ("channels abc", ["--in-channels", "abc"], "--in-channels"),
    ("negative seed", ["--seed", "-1"], "--seed"),
    ("unknown option", ["--nope"], "--nope"),
    ("unknown preset", ["--preset", "nope"], "--preset"),
    ("missing values file", ["--values", "@missing"], "does not exist"),
    ("mis-shaped values file", ["--values", "@misshaped"], "5 dimensions"),
    ("ragged values file", ["--values", "@ragged"], "different lengths"),
    ("values file with NaN", ["--values", "@nan"], "NaN"),
    ("CSV values file with NaN", ["--values", "@nan-csv"], "NaN"),
    ("values file against explicit size", ["-i", "5", "--values", "@wrong-size"], "--input-size"),
    ("missing kernel file", ["--kernel-values", "@missing"], "--kernel-values"),
    ("unknown values kind", ["--values", "zeros"], "--values"),
]


@pytest.mark.parametrize(("args", "needle"), [case[1:] for case in INVALID], ids=[case[0] for case in INVALID])
def test_invalid_calls_fail_with_one_line(tmp_path: Path, args: list[str], needle: str) -> None:
    args = [values_file(tmp_path, a[1:]) if a.startswith("@") else a for a in args]
    target = tmp_path / "out.json"
    before = {p.name for p in tmp_path.iterdir()}
    result = run("trace", *args, "-o", str(target))
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert needle in lines[0]
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert not target.exists()
    assert {p.name for p in tmp_path.iterdir()} == before


def test_invalid_call_without_output_file() -> None:
    result = run("trace", "--stride", "0")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "Error: --stride 0 is out of range: use a stride of 1 or more\n"


def test_output_into_missing_folder(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "trace.json"
    result = run("trace", "-o", str(target))
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "does not exist" in lines[0]
    assert not target.parent.exists()


def test_unknown_command() -> None:
    result = run("nope")
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "nope" in lines[0]


def test_bare_command_shows_help_not_an_error() -> None:
    result = run()
    assert result.exit_code in (0, 2)
    text = result.stdout + result.stderr
    assert "Usage: convanim" in text
    assert "trace" in text
    assert not result.stderr.startswith("Error:"), result.stderr


# -- version and help ------------------------------------------------------------------------


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version(flag: str) -> None:
    result = run(flag)
    assert result.exit_code == 0
    assert result.stdout == f"convanim, version {__version__}\n"
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["-h"], ["Usage: convanim", "trace", "presets"]),
        (["--help"], ["Usage: convanim", "trace", "presets"]),
        (
            ["trace", "-h"],
            ["Usage: convanim trace", "--stride", "--pad", "--transpose", "--output-padding", "--output"],
        ),
        (["trace", "--help"], ["Usage: convanim trace", "--groups", "--values", "--kernel-values", "--seed"]),
        (["presets", "-h"], ["Usage: convanim presets"]),
    ],
)
def test_help(args: list[str], words: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    for word in words:
        assert word in result.stdout


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_short_help(name: str) -> None:
    result = run(name, "-h")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"Usage: convanim {name} ")
    assert result.stderr == ""


def test_presets_command() -> None:
    result = run("presets")
    assert result.exit_code == 0
    assert "padding_strides" in result.stdout
    assert "conv 5x5, kernel 3, stride 2, pad 1 -> 3x3" in result.stdout


def test_python_dash_m_help(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "convanim", "--help"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "Usage:" in done.stdout and "trace" in done.stdout
    assert done.stderr == ""


@pytest.mark.parametrize(
    ("code", "status", "said"), [("None", 0, ""), ("0", 0, ""), ("2", 2, ""), ("'stopped here'", 1, "stopped here\n")]
)
def test_the_process_ends_at_once_with_its_output_flushed(code: str, status: int, said: str, tmp_path: Path) -> None:
    """The console script ends without the interpreter's teardown: buffered output (stdout to a pipe
    is block-buffered) still arrives whole, and the status is the one ``sys.exit`` would give."""
    program = (
        "import sys\nfrom convanim.cli import _end_now\n"
        f"for _ in range(1000):\n    sys.stdout.write('x' * 100)\n_end_now({code})\n"
    )
    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # as a user's shell has it
    done = subprocess.run(
        [sys.executable, "-c", program], cwd=tmp_path, env=buffered, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == status
    assert done.stdout == "x" * 100_000
    assert done.stderr == said


def test_python_dash_m_trace_and_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "convanim", "trace", "-s", "2", "-p", "1"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    check_document(json.loads(done.stdout))
    failed = subprocess.run(
        [sys.executable, "-m", "convanim", "trace", "-s", "0", "-o", "out.json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert failed.returncode == 2
    assert failed.stdout == ""
    assert failed.stderr.startswith("Error: ") and len(failed.stderr.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_trace_json_from_the_cli_is_the_library_export() -> None:
    """The command and convanim.compute.export.trace_to_json write the same bytes."""
    from convanim.compute.export import trace_to_json
    from convanim.compute.values import build

    result = CliRunner().invoke(cli, ["trace", "-s", "2", "-p", "1"])
    spec = ConvSpec(stride=(2, 2), padding=(1, 1))
    fields = {name: getattr(spec, name) for name in spec.__dataclass_fields__}
    assert result.stdout == trace_to_json(build(fields, set(fields)))
