"""Real processes: interrupts end a render promptly and cleanly, a kill never damages an existing file,
and the same command gives the same bytes whatever the hash seed or working folder.

The long render (``-i 16 -k 3 -p 1 --steps term``: 2,304 frames) takes about 5 s on a 2-core machine,
so every signal below arrives mid-render.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

LONG_RENDER = ["render", "-i", "32", "-k", "3", "-p", "1", "--steps", "term"]  # 9,216 frames: about 4.7 s here
EXIT_WITHIN = 3.0
OLD_BYTES = b"an existing file: a kill must never damage it\n" * 100

# ``python -m convanim`` with SIGINT at its default (Python's KeyboardInterrupt) even when the test
# runner inherited it ignored (a shell starts background jobs with SIGINT ignored, and children keep it).
RUN_MODULE = (
    "import signal, runpy; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "runpy.run_module('convanim', run_name='__main__', alter_sys=True)"
)


STARTED: list[subprocess.Popen[bytes]] = []


@pytest.fixture(autouse=True)
def _no_stray_processes() -> Iterator[None]:
    """A failed assertion must not leave a render running: kill what this test started."""
    yield
    while STARTED:
        process = STARTED.pop()
        if process.poll() is None:
            process.kill()
        process.communicate()


def start(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-c", RUN_MODULE, *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    STARTED.append(process)
    return process


def is_temporary(name: str) -> bool:
    return name.startswith(".") and name.endswith(".part")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_interrupt_ends_render_promptly_and_cleanly(signum: signal.Signals, tmp_path: Path) -> None:
    process = start([*LONG_RENDER, "-o", "out.gif"], tmp_path)
    time.sleep(0.7)
    assert process.poll() is None, "the render finished before the signal: pick a longer one"
    sent = time.monotonic()
    process.send_signal(signum)
    try:
        _, stderr = process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail(f"{signum.name} did not end the render within 10 s")
    took = time.monotonic() - sent
    text = stderr.decode(errors="replace")
    detail = f"{signum.name}: exit {process.returncode} after {took:.2f} s\nstderr={text!r}"
    assert took < EXIT_WITHIN, detail
    assert process.returncode != 0, detail
    assert "Traceback" not in text, detail
    assert sorted(os.listdir(tmp_path)) == [], detail


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_interrupt_leaves_an_existing_output_unchanged(signum: signal.Signals, tmp_path: Path) -> None:
    target = tmp_path / "out.gif"
    target.write_bytes(OLD_BYTES)
    process = start([*LONG_RENDER, "-o", "out.gif"], tmp_path)
    time.sleep(0.7)
    assert process.poll() is None
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=10)
    assert process.returncode != 0
    assert b"Traceback" not in stderr
    assert target.read_bytes() == OLD_BYTES
    assert sorted(os.listdir(tmp_path)) == ["out.gif"]


def test_sigkill_never_damages_an_existing_output(tmp_path: Path) -> None:
    """SIGKILL cannot be handled: a ``.*.part`` file may stay behind, but the target must be the old
    file byte for byte (or, had the render finished, a complete new GIF)."""
    target = tmp_path / "out.gif"
    for delay in (0.3, 1.0, 2.0):
        target.write_bytes(OLD_BYTES)
        process = start([*LONG_RENDER, "-o", "out.gif"], tmp_path)
        time.sleep(delay)
        finished = process.poll() is not None
        process.kill()
        process.communicate(timeout=10)
        assert not finished, f"the render finished within {delay} s: pick a longer one"
        data = target.read_bytes()
        if data != OLD_BYTES:  # only a complete file may replace the old one
            with Image.open(target) as image:
                image.seek(image.n_frames - 1)
                image.load()
        assert data == OLD_BYTES, f"killed after {delay} s: the existing file was replaced"
        leftovers = [name for name in os.listdir(tmp_path) if name != "out.gif"]
        assert all(is_temporary(name) for name in leftovers), leftovers
        assert len(leftovers) <= 1, leftovers
        for name in leftovers:
            (tmp_path / name).unlink()


def _run_everywhere(args: list[str], output: str, tmp_path: Path) -> dict[str, bytes]:
    """``convanim ARGS -o OUTPUT`` under three hash seeds from two working folders, all at once."""
    runs = {}
    for folder in ("first", "second/nested"):
        for seed in ("0", "1", "12345"):
            cwd = tmp_path / folder / f"seed{seed}"
            cwd.mkdir(parents=True)
            env = {**os.environ, "PYTHONHASHSEED": seed}
            runs[f"{folder} PYTHONHASHSEED={seed}"] = (cwd, start([*args, "-o", output], cwd, env))
    outputs = {}
    for label, (cwd, process) in runs.items():
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, f"{label}: {stderr.decode(errors='replace')}"
        outputs[label] = (cwd / output).read_bytes()
    return outputs


@pytest.mark.parametrize(
    ("args", "output"),
    [
        (["render", "--stride", "2", "--pad", "1"], "out.gif"),
        (["trace", "-s", "2", "-p", "1"], "trace.json"),
    ],
    ids=["render", "trace"],
)
def test_same_bytes_whatever_hash_seed_or_folder(args: list[str], output: str, tmp_path: Path) -> None:
    outputs = _run_everywhere(args, output, tmp_path)
    first = next(iter(outputs.values()))
    assert len(first) > 0
    differing = [label for label, data in outputs.items() if data != first]
    assert differing == [], f"differs from {next(iter(outputs))}: {differing}"
