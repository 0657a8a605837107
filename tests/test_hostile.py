"""Hostile input: every bad call ends with one ``Error:`` line, status 1 or 2, and no file touched.

A table of known bad calls to ``render``, ``trace`` and ``assets`` (malformed sizes, zero and negative
numbers, impossible geometry, broken values files, unusable outputs), then Hypothesis over argument
lists mixing valid and invalid values. Every call must:

- exit 2 (bad input) or 1 (runtime failure), never with a traceback;
- print exactly one line on stderr, starting ``Error: `` and naming the offending option;
- leave the working folder as it was: no new file, and an existing output byte-for-byte unchanged.

Huge sizes run in a subprocess with a memory ceiling and a 2-second limit, because a program that
does not refuse them would otherwise take the test process (and the machine's memory) with it.
``CALLS`` counts the hostile calls made.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from convanim.cli import cli

CALLS = {"hostile": 0}
OLD_BYTES = b"existing output: must survive every failed call\n"
HUGE_SECONDS = 2.0
MEMORY_CEILING = 2 * 2**30  # bytes of address space a huge-size subprocess may use


# -- running and checking -------------------------------------------------------------------------


def invoke(args: list[str]) -> Result:
    """``convanim ARGS`` in-process, counted as one hostile call."""
    CALLS["hostile"] += 1
    return CliRunner().invoke(cli, args, prog_name="convanim")


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every entry under ``folder``: file bytes, or None for a folder."""
    entries: dict[str, bytes | None] = {}
    for path in sorted(folder.rglob("*")):
        relative = str(path.relative_to(folder))
        if path.is_symlink() or not path.is_file():
            entries[relative] = None
        else:
            entries[relative] = path.read_bytes()
    return entries


def describe(result: Result) -> str:
    exception = result.exception
    shown = "" if exception is None or isinstance(exception, SystemExit) else f" exception={exception!r}"
    return f"exit={result.exit_code}{shown}\nstderr={result.stderr!r}\nstdout={result.stdout_bytes[:300]!r}"


def no_traceback(result: Result) -> None:
    """CliRunner keeps an escaped exception in ``result.exception``: that is a traceback to a user."""
    assert result.exception is None or isinstance(result.exception, SystemExit), describe(result)
    assert "Traceback" not in result.stderr, describe(result)


def assert_one_error_line(stderr: str, options: tuple[str, ...], detail: str) -> None:
    lines = stderr.splitlines()
    assert len(lines) == 1, f"expected exactly one stderr line\n{detail}"
    assert lines[0].startswith("Error: "), f"the line must start with 'Error: '\n{detail}"
    named = any(re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", lines[0]) for option in options)
    assert named, f"the message must name one of {options}\n{detail}"


def assert_refused(result: Result, options: tuple[str, ...], codes: tuple[int, ...] = (1, 2)) -> None:
    no_traceback(result)
    assert result.exit_code in codes, describe(result)
    assert_one_error_line(result.stderr, options, describe(result))
    assert result.stdout_bytes == b"", describe(result)


# -- the table of known hostile calls ------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One hostile call. ``setup`` makes its input files in the working folder; ``target`` is the
    output path (None: the case's own args carry it); ``names`` are the option spellings of which
    the error must mention at least one."""

    command: str
    args: tuple[str, ...]
    names: tuple[str, ...]
    target: str | None = "out"
    setup: Callable[[Path], None] | None = None
    root_skip: bool = False

    def output(self) -> str | None:
        if self.target is None:
            return None
        return self.target + (".json" if self.command == "trace" else ".gif")


SIZE_OPTIONS = {
    "-i": ("-i", "--input-size"),
    "-k": ("-k", "--kernel-size"),
    "-s": ("-s", "--stride"),
    "-p": ("-p", "--pad"),
    "-d": ("-d", "--dilation"),
    "--output-padding": ("--output-padding",),
}
MALFORMED_SIZES = ("3x", "x", "1x2x3", "abc", "3.5", "", "-3", "3x-1", "x3", "3xx3", " ", "1e3")


def _cases() -> list[object]:
    cases: list[object] = []

    def add(case: Case, label: str) -> None:
        marks = []
        if case.root_skip:
            marks.append(pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode"))
        cases.append(pytest.param(case, False, id=f"{case.command}:{label}", marks=marks))
        if case.output() is not None:
            cases.append(pytest.param(case, True, id=f"{case.command}:{label} [existing output]", marks=marks))

    for command in ("render", "trace"):
        # Malformed sizes on every size option.
        for option, names in SIZE_OPTIONS.items():
            extra = ("--transpose", "-s", "2") if option == "--output-padding" else ()
            for text in MALFORMED_SIZES:
                add(Case(command, (*extra, option, text), names), f"{option}={text!r}")
        # Zero and negative numbers everywhere.
        for option, names in SIZE_OPTIONS.items():
            for number in ("0", "-1", "-7", "2x0", "0x2", "-1x3"):
                if option in ("-p", "--output-padding") and number in ("0", "2x0", "0x2"):
                    continue  # zero padding is valid
                add(Case(command, (option, number), names), f"{option}={number}")
        for option in ("--in-channels", "--out-channels", "--groups"):
            for number in ("0", "-1", "-4", "x", "1.5", ""):
                add(Case(command, (option, number), (option,)), f"{option}={number}")
        for number in ("-1", "-100", "x"):
            add(Case(command, ("--seed", number), ("--seed",)), f"--seed={number}")
        # Geometry that does not fit.
        geometry = [
            (("-k", "7"), ("--kernel-size",)),
            (("-k", "4", "-i", "3"), ("--kernel-size",)),
            (("-k", "3x9"), ("--kernel-size",)),
            (("-i", "1x8"), ("--kernel-size",)),
            (("-d", "3"), ("--dilation",)),
            (("-d", "1x5", "-p", "1"), ("--dilation",)),
            (("--transpose", "-s", "2", "--output-padding", "2"), ("--output-padding",)),
            (("--transpose", "--output-padding", "1"), ("--output-padding",)),
            (("--transpose", "-s", "3", "--output-padding", "1x3"), ("--output-padding",)),
            (("--output-padding", "1"), ("--output-padding",)),
            (("--transpose", "-p", "5"), ("--pad",)),
            (("--in-channels", "3", "--groups", "2"), ("--in-channels", "--groups")),
            (("--in-channels", "2", "--out-channels", "3", "--groups", "2"), ("--out-channels", "--groups")),
            (("--groups", "3"), ("--groups",)),
            (("--preset", "no_such_preset"), ("--preset",)),
            (("--values", "zeros"), ("--values",)),
            (("--kernel-values", "bogus"), ("--kernel-values",)),
        ]
        for args, names in geometry:
            add(Case(command, args, names), " ".join(args))
        # Values files.
        for label, args, names, setup, root_skip in _values_cases():
            add(Case(command, args, names, setup=setup, root_skip=root_skip), label)
        # Outputs that cannot be written.
        long_name = "a" * 300
        suffix = ".json" if command == "trace" else ".gif"
        outputs = [
            ("missing folder", ("-o", f"no_such_folder/out{suffix}"), None),
            ("missing nested folder", ("-o", f"a/b/c/out{suffix}"), None),
            ("folder under a file", ("-o", f"plain/out{suffix}"), _make_file("plain")),
            ("output is a folder", ("-o", f"folder{suffix}"), _make_folder(f"folder{suffix}")),
            ("output is the cwd", ("-o", "."), None),
            ("name too long", ("-o", long_name + suffix), None),
        ]
        for label, args, setup in outputs:
            add(Case(command, args, ("--output", "-o"), target=None, setup=setup), label)
    # render only: timing, looks and the output type.
    render_only = [
        (("--frame-ms", "0"), ("--frame-ms",)),
        (("--frame-ms", "5"), ("--frame-ms",)),
        (("--frame-ms", "15"), ("--frame-ms",)),
        (("--frame-ms", "70000"), ("--frame-ms",)),
        (("--frame-ms", "-10"), ("--frame-ms",)),
        (("--frame-ms", "x"), ("--frame-ms",)),
        (("--hold-ms", "0"), ("--hold-ms",)),
        (("--hold-ms", "-10"), ("--hold-ms",)),
        (("--hold-ms", "15"), ("--hold-ms",)),
        (("--hold-ms", "70000"), ("--hold-ms",)),
        (("--loop", "-1"), ("--loop",)),
        (("--loop", "65536"), ("--loop",)),
        (("--loop", "x"), ("--loop",)),
        (("--cell-px", "0"), ("--cell-px",)),
        (("--cell-px", "-5"), ("--cell-px",)),
        (("--cell-px", "7"), ("--cell-px",)),
        (("--cell-px", "201"), ("--cell-px",)),
        (("--max-frames", "0"), ("--max-frames",)),
        (("--max-frames", "-1"), ("--max-frames",)),
        (("--max-frames", "8"), ("--max-frames",)),
        (("--frames", "5:2"), ("--frames",)),
        (("--frames", "-1:"), ("--frames",)),
        (("--frames", "9:"), ("--frames",)),
        (("--frames", "x"), ("--frames",)),
        (("--frames", "3:3"), ("--frames",)),
        (("--steps", "frame"), ("--steps",)),
        (("--steps", "term", "--transpose"), ("--steps",)),
        (("--theme", "blue"), ("--theme",)),
    ]
    for args, names in render_only:
        add(Case("render", args, names), " ".join(args))
    for frame in ("9", "-10", "100", "x"):
        add(Case("render", ("--frame", frame, "-o", "out.png"), ("--frame",), target=None), f"--frame={frame}")
        add(
            Case(
                "render", ("--frame", frame, "-o", "still.png"), ("--frame",), target=None, setup=_make_old("still.png")
            ),
            f"--frame={frame} over an existing png",
        )
    for name in ("out.bmp", "out", "out.gif.txt", "out.jpg", ".gif", "out."):
        add(Case("render", ("-o", name), ("--output",), target=None), f"-o {name}")
        add(
            Case("render", ("-o", name), ("--output",), target=None, setup=_make_old(name)),
            f"-o {name} over an existing file",
        )
    # assets
    assets_cases = [
        ("out-dir is a file", ("--out-dir", "plain"), ("--out-dir",), _make_old("plain")),
        ("out-dir under a file", ("--out-dir", "plain/sub"), ("--out-dir",), _make_old("plain")),
        ("jobs 0", ("--out-dir", "assets", "-j", "0"), ("-j", "--jobs"), None),
        ("jobs -1", ("--out-dir", "assets", "-j", "-1"), ("-j", "--jobs"), None),
        ("jobs x", ("--out-dir", "assets", "-j", "x"), ("-j", "--jobs"), None),
        ("jobs empty", ("--out-dir", "assets", "-j", ""), ("-j", "--jobs"), None),
        ("asset name is a folder", ("--out-dir", "gallery", "-j", "1"), ("--out-dir", "conv.gif"), _asset_folder),
    ]
    for label, args, names, setup in assets_cases:
        add(Case("assets", args, names, target=None, setup=_with_manifest(setup)), label)
    if Path("/proc").is_dir():
        for command, name in (("render", "out.gif"), ("trace", "out.json")):
            add(
                Case(command, ("-o", f"/proc/{name}"), ("--output", "-o"), target=None),
                "unwritable output folder /proc",
            )
    return cases


def _make_file(name: str) -> Callable[[Path], None]:
    def setup(folder: Path) -> None:
        (folder / name).write_bytes(b"a file, not a folder\n")

    return setup


def _make_old(name: str) -> Callable[[Path], None]:
    def setup(folder: Path) -> None:
        (folder / name).write_bytes(OLD_BYTES)

    return setup


def _make_folder(name: str) -> Callable[[Path], None]:
    def setup(folder: Path) -> None:
        (folder / name).mkdir()

    return setup


def _with_manifest(setup: Callable[[Path], None] | None) -> Callable[[Path], None]:
    """A project manifest with one asset (conv.gif), then ``setup``."""

    def both(folder: Path) -> None:
        (folder / "convanim.toml").write_text('[assets]\nconv = "-i 3 -k 2"\n')
        if setup is not None:
            setup(folder)

    return both


def _asset_folder(folder: Path) -> None:
    (folder / "gallery" / "conv.gif").mkdir(parents=True)


def _writer(name: str, data: bytes | str | Callable[[Path], None]) -> Callable[[Path], None]:
    def setup(folder: Path) -> None:
        path = folder / name
        if callable(data):
            data(path)
        elif isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            path.write_bytes(data)

    return setup


def _npy(array: np.ndarray) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        np.save(path, array)

    return write


def _npy_bytes() -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.arange(25).reshape(5, 5))
    return buffer.getvalue()


def _unreadable(path: Path) -> None:
    np.save(path, np.ones((5, 5)))
    path.chmod(0)


def _values_cases() -> list[tuple[str, tuple[str, ...], tuple[str, ...], Callable[[Path], None] | None, bool]]:
    good = _npy_bytes()
    files: list[tuple[str, str, bytes | str | Callable[[Path], None]]] = [
        ("empty npy", "v.npy", b""),
        ("corrupt npy magic", "v.npy", b"\x93NUMPY\x20\x67 garbage"),
        ("not an npy", "v.npy", b"hello, this is text\n"),
        ("truncated npy", "v.npy", good[:-40]),
        ("npy header only", "v.npy", good[:128]),
        ("pickled npy", "v.npy", _npy(np.array([1, "a"], dtype=object))),
        ("string npy", "v.npy", _npy(np.array([["a", "b"], ["c", "d"]]))),
        ("complex npy", "v.npy", _npy(np.array([[1 + 2j, 3j], [1, 2]]))),
        ("NaN npy", "v.npy", _npy(np.array([[1.0, np.nan], [1.0, 2.0]]))),
        ("inf npy", "v.npy", _npy(np.array([[1.0, np.inf], [1.0, 2.0]]))),
        ("-inf npy", "v.npy", _npy(np.array([[1.0, -np.inf], [1.0, 2.0]]))),
        ("0-d npy", "v.npy", _npy(np.array(5))),
        ("size-0 npy", "v.npy", _npy(np.zeros((0,)))),
        ("size-0 2-D npy", "v.npy", _npy(np.zeros((3, 0)))),
        ("4-D npy input", "v.npy", _npy(np.zeros((1, 1, 3, 3)))),
        ("datetime npy", "v.npy", _npy(np.array(["2020-01-01"], dtype="datetime64[D]"))),
        ("empty csv", "v.csv", ""),
        ("comments-only csv", "v.csv", "# nothing\n\n"),
        ("letters csv", "v.csv", "1,2\na,b\n"),
        ("ragged csv", "v.csv", "1,2,3\n4,5\n"),
        ("NaN csv", "v.csv", "1,nan\n2,3\n"),
        ("inf csv", "v.csv", "1,inf\n2,3\n"),
        ("1e400 csv", "v.csv", "1e400,1\n1,1\n"),
        ("trailing comma csv", "v.csv", "1,2,\n3,4,\n"),
        ("latin-1 csv", "v.csv", b"1,2\n\xe9,3\n"),
        ("empty json", "v.json", ""),
        ("empty json array", "v.json", "[]"),
        ("empty nested json", "v.json", "[[]]"),
        ("ragged json", "v.json", "[[1,2],[3]]"),
        ("strings json", "v.json", '[["a","b"],["c","d"]]'),
        ("booleans json", "v.json", "[[true,false],[true,true]]"),
        ("null json", "v.json", "[[null,1],[1,1]]"),
        ("NaN json", "v.json", "[[NaN,1],[1,1]]"),
        ("Infinity json", "v.json", "[[Infinity,1],[1,1]]"),
        ("huge integer json", "v.json", "[[100000000000000000000000000000,1],[1,1]]"),
        ("scalar json", "v.json", "5"),
        ("string json", "v.json", '"abc"'),
        ("object without input json", "v.json", '{"weight": [[1]]}'),
        ("broken json", "v.json", "[[1,2],"),
        ("5-D json", "v.json", "[[[[[1]]]]]"),
        ("json bias not numbers", "v.json", '{"input": [[1,2,3],[1,2,3],[1,2,3]], "bias": "x"}'),
        ("json bias wrong length", "v.json", '{"input": [[1,2,3],[1,2,3],[1,2,3]], "bias": [1,2]}'),
        ("json weight 3-D", "v.json", '{"input": [[1,2,3],[1,2,3],[1,2,3]], "weight": [[[1]]]}'),
        ("json nested 100000 deep", "v.json", "[" * 100_000 + "]" * 100_000),
        ("unknown suffix", "v.txt", "1,2\n3,4\n"),
        ("no suffix", "values", "1,2\n3,4\n"),
    ]
    cases: list[tuple[str, tuple[str, ...], tuple[str, ...], Callable[[Path], None] | None, bool]] = []
    for label, name, data in files:
        cases.append((f"--values {label}", ("--values", name), ("--values",), _writer(name, data), False))
    for label, name, data in [
        ("empty npy", "w.npy", b""),
        ("corrupt npy", "w.npy", b"\x93NUMPY\x20\x67 garbage"),
        ("NaN csv", "w.csv", "1,nan\n2,3\n"),
        ("3-D npy kernel", "w.npy", _npy(np.ones((1, 3, 3)))),
        ("5-D json kernel", "w.json", "[[[[[1]]]]]"),
        ("string json kernel", "w.json", '[["a"]]'),
    ]:
        cases.append(
            (f"--kernel-values {label}", ("--kernel-values", name), ("--kernel-values",), _writer(name, data), False)
        )
    cases += [
        ("--values missing npy", ("--values", "missing.npy"), ("--values",), None, False),
        ("--values missing csv", ("--values", "missing.csv"), ("--values",), None, False),
        ("--values missing json", ("--values", "missing.json"), ("--values",), None, False),
        ("--kernel-values missing", ("--kernel-values", "missing.npy"), ("--kernel-values",), None, False),
        ("--values is a folder", ("--values", "folder.npy"), ("--values",), _make_folder("folder.npy"), False),
        ("--values under a file", ("--values", "plain/v.npy"), ("--values",), _make_file("plain"), False),
        ("--values unreadable", ("--values", "v.npy"), ("--values",), _writer("v.npy", _unreadable), True),
        (
            "--values disagrees with -i",
            ("--values", "v.npy", "-i", "4"),
            ("--values", "--input-size"),
            _writer("v.npy", good),
            False,
        ),
        (
            "--kernel-values disagrees with -k",
            ("--kernel-values", "w.npy", "-k", "2"),
            ("--kernel-values", "--kernel-size"),
            _writer("w.npy", _npy(np.ones((1, 1, 3, 3)))),
            False,
        ),
        (
            "--kernel-values too few channels",
            ("--kernel-values", "w.npy", "--in-channels", "2"),
            ("--kernel-values", "--in-channels"),
            _writer("w.npy", _npy(np.ones((1, 1, 3, 3)))),
            False,
        ),
    ]
    return cases


CASES = _cases()


@pytest.mark.parametrize(("case", "existing"), CASES)
def test_known_hostile_call_is_refused_cleanly(
    case: Case, existing: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``existing``: the output path already holds a file, which must come out byte-for-byte unchanged."""
    output = case.output()
    monkeypatch.chdir(tmp_path)
    if case.setup is not None:
        case.setup(tmp_path)
    if existing and output is not None:
        (tmp_path / output).write_bytes(OLD_BYTES)
    before = snapshot(tmp_path)
    args = [case.command, *case.args] + (["-o", output] if output is not None else [])
    result = invoke(args)
    assert_refused(result, case.names)
    after = snapshot(tmp_path)
    assert after == before, f"the call changed the working folder: {sorted(set(after) ^ set(before))}"


# -- huge sizes: refused within two seconds -------------------------------------------------------

HUGE = [
    ("render", "-i 100000", ("--input-size", "-i", "--max-frames")),
    ("trace", "-i 100000", ("--input-size", "-i")),
    ("render", "-i 5000 -k 3", ("--input-size", "-i", "--max-frames")),
    ("trace", "-i 5000 -k 3", ("--input-size", "-i")),
    ("render", "-i 5000 -k 3 -o out.png", ("--input-size", "-i", "--max-frames")),
    ("render", "-i 5000 -k 3 --frames 0:10", ("--input-size", "-i", "--frames", "--max-frames")),
    ("render", "-i 1x10000000 -k 1x3", ("--input-size", "-i", "--max-frames")),
    ("render", "-p 100000", ("--pad", "-p", "--max-frames")),
    ("render", "-i 99999999999999999999999", ("--input-size", "-i")),
    ("trace", "-s 99999999999999999999999", ("--stride", "-s")),
    ("render", "-p 99999999999999999999999", ("--pad", "-p")),
    ("render", "--in-channels 100000", ("--in-channels",)),
    ("render", "--in-channels 99999999999999999999999", ("--in-channels",)),
    ("render", "--transpose -i 5 -k 3000", ("--kernel-size", "-k")),
    ("render", "--transpose -i 5 -s 100000", ("--stride", "-s")),
    ("render", "--transpose -i 2 -s 99999999999999999999", ("--stride", "-s")),
    ("render", "-i 1x5000 -k 1x3 --frames 0:2", ("--input-size", "-i", "--frames", "--cell-px")),
    ("render", "-i 400 --cell-px 200 --frames 0:1", ("--input-size", "-i", "--frames", "--cell-px")),
]

_LIMITED = (
    "import resource, runpy; "
    f"resource.setrlimit(resource.RLIMIT_AS, ({MEMORY_CEILING}, {MEMORY_CEILING})); "
    "runpy.run_module('convanim', run_name='__main__', alter_sys=True)"
)


@pytest.mark.parametrize(("command", "words", "names"), HUGE, ids=[f"{c} {w}" for c, w, _ in HUGE])
def test_huge_sizes_are_refused_quickly(command: str, words: str, names: tuple[str, ...], tmp_path: Path) -> None:
    args = words.split()
    if command == "render" and "-o" not in args:
        args += ["-o", "out.gif"]
    if command == "trace":
        args += ["-o", "out.json"]
    (tmp_path / "old.gif").write_bytes(OLD_BYTES)
    before = snapshot(tmp_path)
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    CALLS["hostile"] += 1
    start = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-c", _LIMITED, command, *args],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        stdout, stderr = process.communicate(timeout=HUGE_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail(f"convanim {command} {words} was not refused within {HUGE_SECONDS} s (killed)")
    elapsed = time.monotonic() - start
    text = stderr.decode(errors="replace")
    last = text.strip().splitlines()[-1:] or [""]
    detail = f"convanim {command} {words}: exit {process.returncode} after {elapsed:.2f} s: {last[0]}\n{text[-2000:]}"
    assert "Traceback" not in text, detail
    assert process.returncode in (1, 2), detail
    assert_one_error_line(text, names, detail)
    assert stdout == b"", detail
    assert elapsed < HUGE_SECONDS, detail
    assert snapshot(tmp_path) == before, detail


# -- assets: -j is not a number of processes to start blindly -------------------------------------


def test_assets_jobs_far_beyond_the_work_does_not_start_that_many_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``assets -j 100000`` must not fork 100,000 workers for 21 presets.

    The process pool is replaced by a recorder that runs the work in this process, so the test
    itself never starts a process; it fails if the pool is asked for more workers than presets.
    """
    import concurrent.futures
    import concurrent.futures.process

    import convanim.assets as assets_module
    from convanim.plan.presets import PRESETS

    asked: list[int | None] = []

    class RecordingPool:
        def __init__(self, max_workers: int | None = None, **_: object) -> None:
            asked.append(max_workers)

        def __enter__(self) -> RecordingPool:
            return self

        def __exit__(self, *_: object) -> None:
            return None

        def map(self, function: Callable[..., object], *iterables: object) -> object:
            return map(function, *iterables)  # type: ignore[call-overload]

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", RecordingPool)
    monkeypatch.setattr(concurrent.futures.process, "ProcessPoolExecutor", RecordingPool)
    monkeypatch.setattr(assets_module, "ProcessPoolExecutor", RecordingPool, raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "convanim.toml").write_text('[assets]\na = "-i 3 -k 2"\nb = "-i 2 -k 2"\nc = "-i 3"\n')
    result = invoke(["assets", "--out-dir", "gallery", "-j", "100000"])
    no_traceback(result)
    if result.exit_code != 0:
        assert_refused(result, ("-j", "--jobs"))
        return
    assert all(n is not None and n <= len(PRESETS) for n in asked), (
        f"'convanim assets -j 100000' asked the process pool for {asked} workers for {len(PRESETS)} presets "
        f"(with the fork start method every one is started at once)"
    )


# -- arithmetic that overflows --------------------------------------------------------------------


def test_integer_values_that_overflow_int64_are_refused_or_exact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    np.save(tmp_path / "v.npy", np.full((5, 5), 2**62, dtype=np.int64))
    result = invoke(["trace", "--values", "v.npy", "--kernel-values", "ones", "-o", "t.json"])
    no_traceback(result)
    if result.exit_code != 0:
        assert_refused(result, ("--values",))
        return
    data = json.loads((tmp_path / "t.json").read_text())
    exact = 9 * 2**62  # nine ones times 2**62 under every 3x3 window
    assert data["output"][0][0][0] == exact, (
        f"5x5 of 2**62 with a 3x3 kernel of ones: the trace says {data['output'][0][0][0]}, the sum is {exact} "
        f"(int64 wrapped silently)"
    )


def test_float_values_whose_products_overflow_give_a_clean_error_or_standard_json(tmp_path: Path) -> None:
    """A run without ``-W error`` (as a user runs it): no RuntimeWarning on stderr, and the JSON is
    standard (no ``Infinity``), or else a one-line error naming --values."""
    (tmp_path / "v.csv").write_text("1e308,1e308,1e308\n1e308,1e308,1e308\n1e308,1e308,1e308\n")
    CALLS["hostile"] += 1
    completed = subprocess.run(
        [sys.executable, "-m", "convanim", "trace", "--values", "v.csv", "-o", "t.json"],
        cwd=tmp_path,
        capture_output=True,
        timeout=60,
    )
    stderr = completed.stderr.decode()
    detail = f"exit {completed.returncode}\nstderr={stderr!r}"
    assert "Traceback" not in stderr, detail
    if completed.returncode != 0:
        assert_one_error_line(stderr, ("--values",), detail)
        assert not (tmp_path / "t.json").exists()
        return
    assert "Warning" not in stderr, detail
    text = (tmp_path / "t.json").read_text()

    def refuse(constant: str) -> object:
        raise AssertionError(f"trace JSON holds {constant}, which is not JSON")

    json.loads(text, parse_constant=refuse)


# -- standard output ------------------------------------------------------------------------------


def test_render_to_stdout_writes_only_the_gif(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke(["render", "-s", "2", "-p", "1", "-o", "-"])
    no_traceback(result)
    assert result.exit_code == 0, describe(result)
    data = result.stdout_bytes
    assert data.startswith(b"GIF89a"), describe(result)
    assert data.endswith(b";"), "the GIF trailer must be the last byte on stdout"
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "GIF"
        frames = image.n_frames
        image.seek(frames - 1)
        image.load()
    assert frames >= 2
    assert "wrote" not in result.stderr
    assert snapshot(tmp_path) == {}


def test_render_to_stdout_in_a_real_process_matches_the_file(tmp_path: Path) -> None:
    args = [sys.executable, "-m", "convanim", "render", "-s", "2", "-p", "1"]
    piped = subprocess.run([*args, "-o", "-"], cwd=tmp_path, capture_output=True, timeout=60)
    written = subprocess.run([*args, "-o", "file.gif"], cwd=tmp_path, capture_output=True, timeout=60)
    assert piped.returncode == 0 and written.returncode == 0, (piped.stderr, written.stderr)
    assert b"Traceback" not in piped.stderr
    assert piped.stdout == (tmp_path / "file.gif").read_bytes()
    assert written.stdout == b""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.gif"]


def test_trace_to_stdout_writes_only_the_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke(["trace", "-s", "2", "-p", "1", "-o", "-"])
    no_traceback(result)
    assert result.exit_code == 0, describe(result)
    assert json.loads(result.stdout)["spec"]["output_size"] == [3, 3]
    assert result.stderr == ""
    assert snapshot(tmp_path) == {}


def test_render_error_with_stdout_output_leaves_stdout_empty() -> None:
    result = invoke(["render", "-s", "0", "-o", "-"])
    assert_refused(result, ("--stride",))


# -- Hypothesis over argument lists ---------------------------------------------------------------

# Junk sizes: no two digits in a row, so any number in them is a single digit and a valid render stays small.
JUNK = st.text(alphabet="0123456789x-.,ab ×", min_size=0, max_size=4).filter(
    lambda s: not any(a.isdigit() and b.isdigit() for a, b in itertools.pairwise(s))
)


def _mostly(valid: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """``valid`` three times in four, junk text otherwise (one_of picks its branches evenly)."""
    return st.one_of(valid, valid, valid, JUNK)


def _pair(low: int, high: int) -> st.SearchStrategy[str]:
    number = st.integers(low, high).map(str)
    return _mostly(st.one_of(number, st.tuples(number, number).map("x".join)))


SPEC_VALUES: dict[str, st.SearchStrategy[str]] = {
    "-i": _pair(-1, 7),
    "-k": _pair(-1, 4),
    "-s": _pair(-1, 3),
    "-p": _pair(-1, 2),
    "-d": _pair(-1, 3),
    "--output-padding": _pair(-1, 2),
    "--in-channels": _mostly(st.integers(-2, 3).map(str)),
    "--out-channels": _mostly(st.integers(-2, 3).map(str)),
    "--groups": _mostly(st.integers(-2, 3).map(str)),
    "--seed": _mostly(st.integers(-3, 5).map(str)),
    "--values": st.sampled_from(["random", "ones", "arange", "zeros", "v.npy", ""]),
}
FLAGS = ["--transpose", "--bias", "--no-bias"]
RENDER_VALUES: dict[str, st.SearchStrategy[str]] = {
    "--frame-ms": st.sampled_from(["0", "5", "15", "20", "100", "-10", "70000", "x"]),
    "--hold-ms": st.sampled_from(["0", "-10", "15", "20", "100", "60000", "60010"]),
    "--loop": st.sampled_from(["-1", "0", "1", "3", "65535", "65536"]),
    "--cell-px": st.sampled_from(["-1", "0", "7", "8", "14", "24", "201"]),
    "--max-frames": st.sampled_from(["-1", "0", "1", "5", "30"]),  # never above the cap set first
    "--steps": st.sampled_from(["placement", "term", "frame"]),
    "--frames": st.sampled_from(["0:3", "2:", ":4", "5:2", "-1:", "x", "1:1", "100:"]),
    "--theme": st.sampled_from(["light", "dark", "blue"]),
}
RENDER_FLAGS = ["--no-values"]
FRAME_CAP = ["--max-frames", "30"]  # first, so a generated --max-frames (all <= 30) may only lower it


@st.composite
def argument_lists(draw: st.DrawFn) -> tuple[str, list[str]]:
    command = draw(st.sampled_from(["render", "trace"]))
    values = dict(SPEC_VALUES, **(RENDER_VALUES if command == "render" else {}))
    flags = FLAGS + (RENDER_FLAGS if command == "render" else [])
    options = sorted(values) + flags
    chosen = draw(st.lists(st.sampled_from(options), max_size=6))
    args: list[str] = []
    for option in chosen:
        if option in values:
            args += [option, draw(values[option])]
        else:
            args.append(option)
    return command, args


@settings(max_examples=150, deadline=None)
@given(argument_lists())
def test_generated_argument_lists(call: tuple[str, list[str]]) -> None:
    command, args = call
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        output = folder / ("out.gif" if command == "render" else "out.json")
        full = [command, *(FRAME_CAP if command == "render" else []), *args, "-o", str(output)]
        result = invoke(full)
        no_traceback(result)
        assert result.exit_code in (0, 1, 2), describe(result)
        if result.exit_code != 0:
            lines = result.stderr.splitlines()
            assert len(lines) == 1 and lines[0].startswith("Error:"), f"{full}\n{describe(result)}"
            assert list(folder.iterdir()) == [], f"{full} failed but left {list(folder.iterdir())}"
            return
        assert [p.name for p in folder.iterdir()] == [output.name], full
        if command == "trace":
            json.loads(output.read_text())
            return
        with Image.open(output) as image:
            assert image.format == "GIF", full
            image.seek(image.n_frames - 1)
            image.load()


def test_assets_check_reports_a_folder_in_place_of_an_asset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--check lists every stale file, one line each (a report, not an error line); no traceback."""
    monkeypatch.chdir(tmp_path)
    _with_manifest(None)(tmp_path)
    (tmp_path / "gallery" / "conv.gif").mkdir(parents=True)
    result = CliRunner().invoke(cli, ["assets", "--out-dir", "gallery", "--check", "-j", "1"], prog_name="convanim")
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    assert "gallery/conv.gif: is a folder" in result.stderr
    assert (tmp_path / "gallery" / "conv.gif").is_dir()
    assert sorted(p.name for p in (tmp_path / "gallery").iterdir()) == ["conv.gif"]


def test_the_temporary_file_is_new_private_and_beside_the_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file a render writes before renaming it into place is a new one (never one that exists,
    such as a link an attacker left), readable only by its owner, in the target's folder."""
    import stat

    from convanim.write import files

    fd, name = files._mkstemp(".conv.gif.", ".part", tmp_path)
    os.close(fd)
    path = Path(name)
    assert path.parent == tmp_path.resolve() and path.name.startswith(".conv.gif.") and path.suffix == ".part"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # A name that is taken is passed over, and so is a link planted under the next name.
    draws = iter([b"\0" * 6, b"\1" * 6, b"\2" * 6])
    monkeypatch.setattr(files.os, "urandom", lambda n: next(draws))
    (tmp_path / f".t.{'00' * 6}.part").write_bytes(b"taken")
    (tmp_path / f".t.{'01' * 6}.part").symlink_to(tmp_path / "elsewhere")
    fd, name = files._mkstemp(".t.", ".part", tmp_path)
    os.close(fd)
    assert Path(name).name == f".t.{'02' * 6}.part" and not (tmp_path / "elsewhere").exists()
    assert (tmp_path / f".t.{'00' * 6}.part").read_bytes() == b"taken"
    monkeypatch.setattr(files.os, "urandom", lambda n: b"\0" * n)  # every name taken: a clear error
    with pytest.raises(FileExistsError):
        files._mkstemp(".t.", ".part", tmp_path)
