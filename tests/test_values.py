"""values.py: generated numbers (seeded) and numbers read from .npy, .json and .csv files."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from reference import spec_fields

from convanim import ConvSpec, SpecError, trace
from convanim.cli import flag
from convanim.compute.values import KINDS, Values, generate, load_array, resolve

FIELDS = spec_fields()


def fields(**changes: Any) -> dict[str, Any]:
    return {**FIELDS, **changes}


def write_npy(path: Path, array: Any) -> Path:
    np.save(path, np.asarray(array))
    return path


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


# -- generated values ------------------------------------------------------------------------


def test_kinds() -> None:
    assert KINDS == ("random", "ones", "arange", "symbolic")
    rng = np.random.default_rng(0)
    np.testing.assert_array_equal(generate("ones", (2, 3), rng, 0, 3), np.ones((2, 3)))
    np.testing.assert_array_equal(generate("arange", (2, 3), rng, 0, 3), [[0, 1, 2], [3, 4, 5]])
    for kind in KINDS:
        assert generate(kind, (2, 3), rng, 0, 3).dtype == np.int64
    with pytest.raises(SpecError, match="values 'bogus' is unknown: use one of random, ones, arange, symbolic"):
        generate("bogus", (2, 2), rng, 0, 3)


@given(low=st.integers(-5, 5), width=st.integers(0, 4), seed=st.integers(0, 2**32 - 1))
def test_random_integers_cover_the_closed_range(low: int, width: int, seed: int) -> None:
    high = low + width
    values = generate("random", (400,), np.random.default_rng(seed), low, high)
    assert values.dtype == np.int64
    assert values.min() >= low and values.max() <= high
    assert set(values.tolist()) == set(range(low, high + 1))  # both ends included


@given(
    seed=st.integers(0, 2**63),
    kind=st.sampled_from(KINDS),
    bias=st.booleans(),
    channels=st.integers(1, 3),
    transposed=st.booleans(),
)
def test_resolve_is_seeded_and_in_range(seed: int, kind: str, bias: bool, channels: int, transposed: bool) -> None:
    f = fields(bias=bias, in_channels=channels, out_channels=2, transposed=transposed)
    spec, values = resolve(f, set(), values=kind, seed=seed)
    again_spec, again = resolve(f, set(), values=kind, seed=seed)
    assert spec == again_spec == ConvSpec(**f)
    assert values.input.shape == spec.input_shape
    assert values.weight.shape == spec.weight_shape
    np.testing.assert_array_equal(values.input, again.input)
    np.testing.assert_array_equal(values.weight, again.weight)
    if bias:
        assert values.bias is not None and again.bias is not None
        assert values.bias.shape == (spec.out_channels,)
        np.testing.assert_array_equal(values.bias, again.bias)
    else:
        assert values.bias is None
    for array in (values.input, values.weight, values.bias):
        if array is not None:
            assert array.dtype == np.int64
    if kind == "random":  # small non-negative integers, so every number in a picture is short
        for array in (values.input, values.weight, values.bias):
            if array is not None:
                assert array.min() >= 0
                assert array.max() <= 9
    elif kind in ("ones", "symbolic"):  # symbolic: letters are drawn, the numbers are ones
        assert (values.input == 1).all() and (values.weight == 1).all()
    else:
        np.testing.assert_array_equal(values.input.ravel(), np.arange(values.input.size))
        np.testing.assert_array_equal(values.weight.ravel(), np.arange(values.weight.size))
    # Every resolved set of values traces.
    trace(spec, values.input, values.weight, values.bias)


def test_seeds_differ() -> None:
    f = fields(input_size=(8, 8), kernel_size=(5, 5), out_channels=4, bias=True)
    _, a = resolve(f, set(), seed=1)
    _, b = resolve(f, set(), seed=2)
    assert not np.array_equal(a.input, b.input)
    assert not np.array_equal(a.weight, b.weight)


def test_kernel_values_kind_is_separate() -> None:
    _, values = resolve(fields(), set(), values="arange", kernel_values="ones")
    np.testing.assert_array_equal(values.input.ravel(), np.arange(25))
    np.testing.assert_array_equal(values.weight, np.ones((1, 1, 3, 3)))
    _, values = resolve(fields(), set(), values="ones")
    assert (values.weight == 1).all()


# -- files: reading --------------------------------------------------------------------------


def test_npy_input_sets_sizes(tmp_path: Path) -> None:
    x = np.arange(2 * 4 * 6).reshape(2, 4, 6)
    spec, values = resolve(fields(), set(), values=str(write_npy(tmp_path / "x.npy", x)))
    assert spec.input_size == (4, 6)
    assert spec.in_channels == 2
    np.testing.assert_array_equal(values.input, x)
    assert values.weight.shape == spec.weight_shape == (1, 2, 3, 3)
    # A file for the input: the kernel is random (small integers), not read from anywhere.
    assert values.weight.dtype == np.int64
    assert values.weight.min() >= 0 and values.weight.max() <= 9


def test_csv_input(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("# a comment\n1, 2, 3, 4\n\n5,6,7,8\n9,10,11,12.5\n", encoding="utf-8")
    spec, values = resolve(fields(kernel_size=(2, 2)), set(), values=str(path))
    assert spec.input_size == (3, 4) and spec.in_channels == 1
    assert values.input.dtype == np.float64
    np.testing.assert_array_equal(values.input, [[[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12.5]]])


def test_integral_floats_become_integers(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("1.0,2\n3,4\n", encoding="utf-8")
    array = load_array(path, "--values")
    assert array.dtype == np.int64
    assert array.tolist() == [[1, 2], [3, 4]]
    assert load_array(write_npy(tmp_path / "b.npy", [True, False]), "--values").tolist() == [1, 0]


def test_1d_input_and_kernel_files(tmp_path: Path) -> None:
    x = write_json(tmp_path / "x.json", [2, 3])
    k = write_json(tmp_path / "k.json", [5, 7, 11])
    spec, values = resolve(fields(stride=(1, 2), transposed=True), {"stride"}, values=str(x), kernel_values=str(k))
    assert spec.input_size == (1, 2) and spec.kernel_size == (1, 3) and spec.is_1d
    assert values.input.shape == (1, 1, 2) and values.weight.shape == (1, 1, 1, 3)
    assert trace(spec, values.input, values.weight).output.tolist() == [[[10, 14, 37, 21, 33]]]


def test_json_object_with_input_weight_bias(tmp_path: Path) -> None:
    data = {
        "input": [[[1, 2, 3], [4, 5, 6]], [[0, 1, 0], [1, 0, 1]]],
        "weight": [[[[1, -1]], [[2, 0]]], [[[0, 1]], [[1, 1]]], [[[3, 0]], [[0, 3]]]],
        "bias": [10, 20, 30],
    }
    path = write_json(tmp_path / "values.json", data)
    spec, values = resolve(fields(), set(), values=str(path))
    assert spec.input_size == (2, 3)
    assert spec.in_channels == 2 and spec.out_channels == 3
    assert spec.kernel_size == (1, 2)
    assert spec.bias
    np.testing.assert_array_equal(values.input, data["input"])
    np.testing.assert_array_equal(values.weight, data["weight"])
    assert values.bias is not None
    np.testing.assert_array_equal(values.bias, data["bias"])
    result = trace(spec, values.input, values.weight, values.bias)
    # out[f] = bias[f] + sum over channels and the two taps.
    assert result.output[0, 0, 0] == 10 + (1 * 1 - 1 * 2) + (2 * 0 + 0 * 1)


def test_4d_kernel_file_sets_channels(tmp_path: Path) -> None:
    forward = write_npy(tmp_path / "w.npy", np.ones((6, 1, 2, 3)))
    spec, _ = resolve(fields(groups=2), {"groups"}, kernel_values=str(forward))
    assert (spec.out_channels, spec.in_channels, spec.kernel_size) == (6, 2, (2, 3))
    spec, values = resolve(fields(groups=2, transposed=True), {"groups", "transposed"}, kernel_values=str(forward))
    assert (spec.in_channels, spec.out_channels) == (6, 2)
    assert values.weight.shape == spec.weight_shape == (6, 1, 2, 3)


def test_explicit_sizes_that_agree_are_fine(tmp_path: Path) -> None:
    path = write_npy(tmp_path / "x.npy", np.zeros((2, 4, 6)))
    spec, _ = resolve(fields(input_size=(4, 6), in_channels=2), {"input_size", "in_channels"}, values=str(path))
    assert spec.input_size == (4, 6)


@pytest.mark.parametrize(
    ("changes", "explicit", "match"),
    [
        ({"input_size": (5, 5)}, {"input_size"}, r"gives --input-size 4x6 but --input-size 5x5 was asked for"),
        ({"in_channels": 1}, {"in_channels"}, r"gives --in-channels 2 but --in-channels 1 was asked for"),
    ],
)
def test_explicit_sizes_that_disagree(tmp_path: Path, changes: dict[str, Any], explicit: set[str], match: str) -> None:
    path = write_npy(tmp_path / "x.npy", np.zeros((2, 4, 6)))
    with pytest.raises(SpecError) as info:
        resolve(fields(**changes), explicit, values=str(path))
    assert re.search(match, info.value.worded(flag)), str(info.value)


def test_explicit_kernel_size_disagrees_with_kernel_file(tmp_path: Path) -> None:
    path = write_json(tmp_path / "k.json", [[1, 2], [3, 4]])
    with pytest.raises(SpecError, match=r"kernel_values .* gives kernel_size 2x2 but kernel_size 3x3"):
        resolve(fields(), {"kernel_size"}, kernel_values=str(path))


def test_json_bias_against_explicit_no_bias(tmp_path: Path) -> None:
    path = write_json(tmp_path / "v.json", {"input": [[1, 2], [3, 4]], "bias": [1]})
    with pytest.raises(SpecError, match="bias"):
        resolve(fields(kernel_size=(1, 1), bias=False), {"bias", "kernel_size"}, values=str(path))


# -- files: errors ---------------------------------------------------------------------------


def bad_files(tmp_path: Path) -> dict[str, Path]:
    files = {
        "five_dims.npy": np.zeros((1, 1, 1, 2, 2)),
        "nan.npy": np.array([[1.0, np.nan], [2.0, 3.0]]),
        "inf.npy": np.array([[1.0, np.inf], [2.0, 3.0]]),
        "strings.npy": np.array([["a", "b"], ["c", "d"]]),
        "complex.npy": np.array([[1 + 2j, 1], [1, 1]]),
        "empty.npy": np.zeros((0, 3)),
    }
    out = {name: write_npy(tmp_path / name, array) for name, array in files.items()}
    np.save(tmp_path / "objects.npy", np.array([1, "a"], dtype=object), allow_pickle=True)
    out["objects.npy"] = tmp_path / "objects.npy"
    texts = {
        "corrupt.npy": "not an npy file",
        "ragged.csv": "1,2,3\n4,5\n",
        "words.csv": "1,2\nx,4\n",
        "nan.csv": "1,2\nnan,4\n",
        "inf.csv": "1,inf\n3,4\n",
        "blank.csv": "\n# only a comment\n",
        "ragged.json": "[[1, 2], [3]]",
        "words.json": '[["a", "b"], ["c", "d"]]',
        "nan.json": "[[1, NaN], [3, 4]]",
        "inf.json": "[[1, Infinity], [3, 4]]",
        "broken.json": "[[1, 2], [3, 4]",
        "noinput.json": '{"weight": [1, 2]}',
        "values.txt": "1,2\n3,4\n",
    }
    for name, text in texts.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        out[name] = tmp_path / name
    (tmp_path / "latin1.csv").write_bytes(b"1,2\n\xff,4\n")
    out["latin1.csv"] = tmp_path / "latin1.csv"
    (tmp_path / "folder.npy").mkdir()
    out["folder.npy"] = tmp_path / "folder.npy"
    out["missing.npy"] = tmp_path / "missing.npy"
    return out


BAD = {
    "missing.npy": "does not exist",
    "folder.npy": "is a folder",
    "five_dims.npy": "the input must be W, HxW or CxHxW, got 5 dimensions",
    "nan.npy": "NaN or infinite",
    "inf.npy": "NaN or infinite",
    "strings.npy": "non-numeric",
    "complex.npy": "non-numeric",
    "objects.npy": "objects.npy",
    "empty.npy": "holds no numbers",
    "corrupt.npy": "corrupt.npy",
    "ragged.csv": "rows have different lengths",
    "words.csv": "non-number",
    "nan.csv": "NaN or infinite",
    "inf.csv": "NaN or infinite",
    "blank.csv": "holds no numbers",
    "latin1.csv": "not UTF-8",
    "ragged.json": "not a rectangular array of numbers",
    "words.json": "not a rectangular array of numbers",
    "nan.json": "NaN or infinite",
    "inf.json": "NaN or infinite",
    "broken.json": "not valid JSON",
    "noinput.json": "needs an 'input' entry",
    "values.txt": "unknown file type .txt",
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_values_files_are_spec_errors(tmp_path: Path, name: str) -> None:
    path = bad_files(tmp_path)[name]
    with pytest.raises(SpecError) as info:
        resolve(fields(kernel_size=(1, 1)), {"kernel_size"}, values=str(path))
    message = info.value.worded(flag)
    assert BAD[name] in message
    assert message.startswith("--values")
    assert re.match(r"values\b", str(info.value))
    assert "\n" not in message


@pytest.mark.parametrize("name", ["ragged.csv", "words.csv", "blank.csv", "ragged.json", "noinput.json"])
def test_text_file_errors_do_not_blame_npy(tmp_path: Path, name: str) -> None:
    """A CSV or JSON problem is reported as itself, with the path named once."""
    path = bad_files(tmp_path)[name]
    with pytest.raises(SpecError) as info:
        load_array(path, "--values", key="input")
    message = str(info.value)
    assert ".npy" not in message, message
    assert message.count(str(path)) == 1, message


def test_json_numbers_written_as_strings_are_not_numbers(tmp_path: Path) -> None:
    path = write_json(tmp_path / "x.json", ["1", "2", "3"])
    with pytest.raises(SpecError, match=r"non-numeric|not a rectangular array of numbers"):
        load_array(path, "--values")


@pytest.mark.parametrize("name", ["nan.npy", "ragged.csv", "words.json", "missing.npy"])
def test_bad_kernel_files_name_kernel_values(tmp_path: Path, name: str) -> None:
    path = bad_files(tmp_path)[name]
    with pytest.raises(SpecError, match=r"^kernel_values"):
        resolve(fields(), set(), kernel_values=str(path))


def test_mis_shaped_kernel_file(tmp_path: Path) -> None:
    path = write_npy(tmp_path / "k.npy", np.zeros((2, 3, 3)))
    with pytest.raises(SpecError, match="the kernel must be k, khxkw or 4-D"):
        resolve(fields(), set(), kernel_values=str(path))


def test_values_is_plain_data() -> None:
    v = Values(input=np.zeros((1, 2, 2)), weight=np.zeros((1, 1, 1, 1)), bias=None)
    assert v.bias is None


# numpy.random.default_rng's integers, drawn without numpy.random (convanim.compute.pcg).


@given(
    seed=st.one_of(st.integers(0, 2**32), st.integers(0, 2**200)),
    draws=st.lists(
        st.tuples(
            st.integers(-(2**31), 2**31),  # low
            st.one_of(st.integers(0, 3), st.integers(0, 2**32 - 2)),  # the range's width
            st.lists(st.integers(0, 5), min_size=0, max_size=3).map(tuple),  # shape
        ),
        min_size=1,
        max_size=5,
    ),
)
def test_the_python_stream_is_numpy_randoms_draw_for_draw(
    seed: int, draws: list[tuple[int, int, tuple[int, ...]]]
) -> None:
    """Every seed, range up to 32 bits and shape, and several calls in a row (a 64-bit output's
    high half is the next call's first draw): the numbers ``default_rng(seed).integers`` gives."""
    from convanim.compute.pcg import PCG64Integers

    ours, numpys = PCG64Integers(seed), np.random.default_rng(seed)
    for low, width, shape in draws:
        mine = ours.integers(low, low + width, shape)
        theirs = numpys.integers(low, low + width, size=shape, endpoint=True, dtype=np.int64)
        assert mine.dtype == theirs.dtype and mine.shape == theirs.shape
        assert np.array_equal(mine, theirs), (seed, low, width, shape)


def test_generated_values_are_numpy_randoms_and_a_render_does_not_import_it() -> None:
    """A picture's random values are ``default_rng(seed)``'s, in the order input, weight, bias, small
    or past the size drawn in Python; a render of them never imports numpy.random."""
    import subprocess
    import sys

    from convanim.compute import pcg

    for size, seed in (((5, 5), 0), ((9, 7), 12), ((200, 120), 3)):  # the last: past DRAWN_HERE
        spec, values = resolve(fields(input_size=size, in_channels=2, out_channels=3, bias=True), seed=seed)
        rng = np.random.default_rng(seed)
        assert np.array_equal(values.input, rng.integers(0, 3, size=spec.input_shape, endpoint=True))
        assert np.array_equal(values.weight, rng.integers(1, 3, size=spec.weight_shape, endpoint=True))
        assert values.bias is not None
        assert np.array_equal(values.bias, rng.integers(1, 3, size=(3,), endpoint=True))
    assert pcg.DRAWN_HERE < 2 * 200 * 120
    code = (
        "import sys; from convanim.cli import cli\n"
        "cli.main(['render', '-i', '32', '-k', '5', '-p', '2', '--frame', '3', '-o', '-'], standalone_mode=False)\n"
        "sys.stderr.write(str('numpy.random' in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True)
    assert done.stderr.decode().strip().endswith("False")
    with pytest.raises(ValueError):
        pcg.PCG64Integers(-1)
