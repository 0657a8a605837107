"""render/assets through the CLI: files, --check, the README gallery, safe writing, fast start."""

from __future__ import annotations

import io
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from convanim.assets import render_preset
from convanim.cli import cli
from convanim.plan.presets import PRESETS

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), prog_name="convanim")


def one_line_error(result) -> str:  # type: ignore[no-untyped-def]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert "Traceback" not in result.stderr
    return lines[0]


def test_new_user_command_gives_a_labelled_looping_gif(tmp_path: Path) -> None:
    out = tmp_path / "conv.gif"
    result = run("render", "--stride", "2", "--pad", "1", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    with Image.open(out) as image:
        assert image.n_frames == 9
        assert image.info["loop"] == 0
    assert run("render", "--stride", "2", "--pad", "1", "-o", str(tmp_path / "b.gif")).exit_code == 0
    assert out.read_bytes() == (tmp_path / "b.gif").read_bytes()


def test_png_still_and_stdout(tmp_path: Path) -> None:
    out = tmp_path / "s.png"
    assert run("render", "--frame", "2", "-o", str(out)).exit_code == 0
    with Image.open(out) as image:
        assert image.format == "PNG"
    result = run("render", "-o", "-")
    assert result.exit_code == 0
    assert result.stdout_bytes.startswith(b"GIF89a")
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["-o", "x.bmp"], "--output"),
        (["-o", "x"], "--output"),
        (["-o", "missing-dir/x.gif"], "does not exist"),
        (["--frame-ms", "15", "-o", "x.gif"], "--frame-ms"),
        (["--frame-ms", "0", "-o", "x.gif"], "--frame-ms"),
        (["--hold-ms", "-10", "-o", "x.gif"], "--hold-ms"),
        (["--loop", "-1", "-o", "x.gif"], "--loop"),
        (["--cell-px", "3", "-o", "x.gif"], "--cell-px"),
        (["--transpose", "--steps", "term", "-o", "x.gif"], "--steps"),
        (["--frames", "5:2", "-o", "x.gif"], "--frames"),
        (["--frames", "100:", "-o", "x.gif"], "--frames"),
        (["--frame", "99", "-o", "x.png"], "--frame"),
        (["--preset", "nope", "-o", "x.gif"], "--preset"),
        (["-i", "64", "--steps", "term", "--max-frames", "100", "-o", "x.gif"], "--max-frames"),
    ],
)
def test_bad_render_calls_exit_2_and_write_nothing(tmp_path: Path, args: list[str], needle: str) -> None:
    os.chdir(tmp_path)
    result = run("render", *args)
    assert result.exit_code == 2, result.stderr
    assert needle in one_line_error(result)
    assert list(tmp_path.iterdir()) == []


def test_failed_render_leaves_an_existing_file_intact(tmp_path: Path) -> None:
    out = tmp_path / "keep.gif"
    out.write_bytes(b"precious")
    result = run("render", "--stride", "0", "-o", str(out))
    assert result.exit_code == 2
    assert out.read_bytes() == b"precious"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.gif"]


def test_presets_list_every_preset() -> None:
    result = run("presets")
    assert result.exit_code == 0
    for name in PRESETS:
        assert name in result.stdout


def test_trace_of_a_preset() -> None:
    result = run("trace", "--preset", "transpose_conv")
    assert result.exit_code == 0
    assert '"output_size":[4,4]' in result.stdout


def test_readme_commands_make_the_committed_assets(tmp_path: Path) -> None:
    """Each gallery command, run as printed in the README, makes the asset byte for byte."""
    for name in ("conv", "conv_padding", "transpose_conv_overlap", "dilation_transposed"):
        preset = PRESETS[name]
        words = shlex.split(preset.command())[1:]
        words[-1] = str(tmp_path / preset.filename)
        result = run(*words)
        assert result.exit_code == 0, (name, result.stderr)
        assert (tmp_path / preset.filename).read_bytes() == render_preset(name), name


def test_readme_gallery_is_current() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "gallery.py"), "--check"], capture_output=True)
    assert result.returncode == 0, result.stderr.decode()


def test_assets_check_detects_changes_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "assets"
    assert run("assets", "--out-dir", str(out), "-j", "2").exit_code == 0
    files = sorted(p.name for p in out.iterdir())
    assert files == sorted(p.filename for p in PRESETS.values())
    assert run("assets", "--out-dir", str(out), "--check", "-j", "1").exit_code == 0
    # Tamper: change one GIF, delete one, add an extra file, repaint one PNG.
    gif = out / "conv_padding.gif"
    data = bytearray(gif.read_bytes())
    data[len(data) // 2] ^= 0xFF
    gif.write_bytes(bytes(data))
    (out / "dilation.gif").unlink()
    (out / "old_name.gif").write_bytes(b"GIF89a")
    png = out / "transpose_conv_overlap.png"
    with Image.open(png) as image:
        image.load()
        changed = image.copy()
    changed.putpixel((0, 0), 3)
    buffer = io.BytesIO()
    changed.save(buffer, format="PNG")
    png.write_bytes(buffer.getvalue())
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    result = run("assets", "--out-dir", str(out), "--check")
    assert result.exit_code == 1
    assert "conv_padding.gif: bytes differ" in result.stderr
    assert "dilation.gif: missing" in result.stderr
    assert "old_name.gif: made by no preset" in result.stderr
    assert "transpose_conv_overlap.png: pixels differ" in result.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_png_recompressed_with_the_same_pixels_is_current(tmp_path: Path) -> None:
    out = tmp_path / "assets"
    assert run("assets", "--out-dir", str(out)).exit_code == 0
    png = out / "transpose_conv_overlap.png"
    with Image.open(png) as image:
        image.load()
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", compress_level=1)
    assert buffer.getvalue() != png.read_bytes()
    png.write_bytes(buffer.getvalue())
    assert run("assets", "--out-dir", str(out), "--check").exit_code == 0


def test_parallel_assets_equal_serial(tmp_path: Path) -> None:
    assert run("assets", "--out-dir", str(tmp_path / "a"), "-j", "1").exit_code == 0
    assert run("assets", "--out-dir", str(tmp_path / "b"), "-j", "2").exit_code == 0
    for path in (tmp_path / "a").iterdir():
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes()


def _modules_after(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint(' '.join(sorted(sys.modules)), file=sys.stderr)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(result.stderr.splitlines()[-1].split())


def test_trace_core_imports_no_drawing_or_cli_library() -> None:
    loaded = _modules_after("import convanim.compute.tracer, convanim.compute.export, convanim.compute.values")
    assert not {"PIL", "matplotlib", "click"} & {m.split(".")[0] for m in loaded}


def test_help_and_presets_start_without_numpy_or_pillow() -> None:
    for argv in (["--help"], ["presets"], ["render", "--help"]):
        code = (
            f"from convanim.cli import cli\ntry:\n    cli.main({argv!r}, standalone_mode=False)\n"
            "except SystemExit:\n    pass"
        )
        loaded = {m.split(".")[0] for m in _modules_after(code)}
        assert not {"numpy", "PIL", "matplotlib"} & loaded, argv


def test_python_dash_m_and_version() -> None:
    result = subprocess.run([sys.executable, "-m", "convanim", "--version"], capture_output=True, text=True)
    assert result.returncode == 0
    assert "convanim" in result.stdout


def test_progress_bar_only_for_long_renders_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import contextlib

    from convanim import cli as cli_module

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    with cli_module._progress(500) as bar:
        assert bar is not None and bar.length == 500
        assert bar.file is sys.stderr
    assert isinstance(cli_module._progress(10), contextlib.nullcontext)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    assert isinstance(cli_module._progress(500), contextlib.nullcontext)
