"""render/assets/describe through the CLI: files, a project's manifest, --check, the README gallery,
the pre-commit hook, safe writing, fast start."""

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

from convanim.assets import render_asset
from convanim.cli import cli
from convanim.manifest import load
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


def test_readme_commands_make_the_gallery_files(tmp_path: Path) -> None:
    """Each gallery command, run as printed in the README, makes the asset byte for byte."""
    manifest = load(ROOT / "pyproject.toml")
    for name in ("conv", "conv_padding", "transpose_conv_overlap", "dilation_transposed"):
        asset = manifest[name]
        words = shlex.split(asset.command())[1:]
        assert words[-2:] == ["-o", asset.output]
        words[-1] = str(tmp_path / asset.output)
        result = run(*words)
        assert result.exit_code == 0, (name, result.stderr)
        assert (tmp_path / asset.output).read_bytes() == render_asset(asset.options, asset.suffix), name


def test_readme_gallery_is_current() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "gallery.py"), "--check"], capture_output=True)
    assert result.returncode == 0, result.stderr.decode()


def test_readme_gallery_alt_text_is_the_description() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert (
        "![Convolution of a 5x5 input, zero-padded by 1 on each side, with a 3x3 kernel at stride 2, giving a 3x3 "
        "output: (5 + 2\\*1 - 3) / 2 rounded down, + 1 = 3. 9 steps, one kernel position per frame.]"
        "(assets/padding_strides.gif)"
    ) in readme


# -- a project's manifest --------------------------------------------------------------------------

ISSUE_MANIFEST = """\
[tool.convanim]
out-dir = "docs/_static/conv"       # relative to the file that declares it
theme = "dark"                      # any render option: a default for every asset

[tool.convanim.assets]
padding_strides = "--stride 2 --pad 1"                       # options as typed after `render`
upsample = { transpose = true, input-size = 2, stride = 2, pad = 1, output-padding = 1 }
still = { preset = "padding_strides", frame = 4, output = "padding_strides.png" }
"""


def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str = ISSUE_MANIFEST) -> Path:
    """A scratch project (``.git`` marks its root) holding ``text`` as its pyproject.toml; cwd is there."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def tree(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``root`` with its bytes and modification time."""
    return {str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}


def test_the_issue_scenario(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Write the three files; --check 0; a changed byte -> 1 naming that file; rebuild rewrites only it."""
    root = scratch(tmp_path, monkeypatch)
    out = root / "docs" / "_static" / "conv"
    result = run("assets", "-j", "2")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["padding_strides.gif", "padding_strides.png", "upsample.gif"]
    assert "3 assets in docs/_static/conv: 3 written, 0 current" in result.stderr
    assert "wrote docs/_static/conv/upsample.gif (" in result.stderr
    with Image.open(out / "padding_strides.gif") as image:
        assert image.n_frames == 9
    with Image.open(out / "padding_strides.png") as image:
        assert image.format == "PNG" and image.getpixel((0, 0)) != (255, 255, 255)  # the dark theme
    expected = RenderOptionsFor.stride_2_pad_1_dark()
    assert (out / "padding_strides.gif").read_bytes() == render_asset(expected, ".gif")
    assert (root / "convanim.lock.json").is_file()  # beside the manifest
    assert "wrote convanim.lock.json" in result.stderr

    result = run("assets", "--check")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == "all 3 assets in docs/_static/conv are current (pyproject.toml)\n"

    for path in out.iterdir():
        os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    gif = out / "upsample.gif"
    data = bytearray(gif.read_bytes())
    data[len(data) // 2] ^= 0x01
    gif.write_bytes(bytes(data))
    before = tree(root)
    result = run("assets", "--check")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith("docs/_static/conv/upsample.gif: bytes differ")
    assert lines[1:] == ["1 of 3 assets is stale or missing: run 'convanim assets'"]
    assert tree(root) == before  # --check writes nothing

    result = run("assets")
    assert result.exit_code == 0, result.stderr
    assert "3 assets in docs/_static/conv: 1 written, 2 current" in result.stderr
    assert "convanim.lock.json" not in result.stderr  # the file is back to what the lock says
    after = tree(root)
    assert after["convanim.lock.json"] == before["convanim.lock.json"]
    assert after["docs/_static/conv/upsample.gif"][1] != 1_000_000_000
    for name in ("padding_strides.gif", "padding_strides.png"):
        assert after[f"docs/_static/conv/{name}"] == before[f"docs/_static/conv/{name}"]  # untouched, same mtime
    assert run("assets", "--check").exit_code == 0


class RenderOptionsFor:
    @staticmethod
    def stride_2_pad_1_dark():  # type: ignore[no-untyped-def]
        from convanim.plan.options import RenderOptions

        return RenderOptions.from_mapping({"stride": 2, "pad": 1, "theme": "dark"})


def test_missing_files_are_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scratch(tmp_path, monkeypatch, '[tool.convanim]\nout-dir = "out"\nassets.a = "-i 3 -k 2"\nassets.b = "-i 3"\n')
    result = run("assets", "--check", "-j", "1")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "convanim.lock.json: missing: run convanim assets to write it (and commit it with the assets)",
        "out/a.gif: missing",
        "out/b.gif: missing",
        "2 of 2 assets are stale or missing and the lock convanim.lock.json is missing: run 'convanim assets'",
    ]
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "convanim.lock.json").exists()
    assert run("assets", "-j", "1").exit_code == 0
    (tmp_path / "out" / "b.gif").unlink()
    result = run("assets", "--check", "-j", "1")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "out/b.gif: missing",
        "1 of 2 assets is stale or missing: run 'convanim assets'",
    ]


def test_a_bad_output_exits_2_and_writes_nothing_anywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    manifest = ISSUE_MANIFEST.replace('output = "padding_strides.png"', 'output = "../x.gif"')
    scratch(root, monkeypatch, manifest)
    for args in (["assets"], ["assets", "--check"]):
        result = run(*args)
        assert result.exit_code == 2, result.stderr
        assert one_line_error(result) == (
            "Error: pyproject.toml: assets.still: output '../x.gif' leads out of out-dir through '..': "
            "give a file name inside it"
        )
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == [
        "proj",
        "proj/.git",
        "proj/pyproject.toml",
    ]


def test_a_failed_render_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The frame is out of range only once the animation is planned: still, no file is written."""
    scratch(
        tmp_path,
        monkeypatch,
        '[tool.convanim]\nout-dir = "out"\nassets.good = "-i 3 -k 2"\nassets.bad = { frame = 99 }\n',
    )
    for jobs in ("1", "2"):
        result = run("assets", "-j", jobs)
        assert result.exit_code == 2, result.stderr
        message = one_line_error(result)
        assert message.startswith("Error: pyproject.toml: assets.bad: frame 99 is out of range"), message
        assert not (tmp_path / "out").exists()
        assert not (tmp_path / "convanim.lock.json").exists()


def test_a_bad_string_asset_names_the_flag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scratch(tmp_path, monkeypatch, '[tool.convanim.assets]\nupsample = "--transpose --stride 0"\n')
    result = run("assets")
    assert result.exit_code == 2
    assert one_line_error(result) == (
        "Error: pyproject.toml: assets.upsample: --stride 0 is out of range: use a stride of 1 or more"
    )


def test_no_manifest_says_where_it_looked_and_shows_an_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    result = run("assets", "--check")
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 4, result.stderr
    assert lines[0].startswith("Error: no manifest: looked for convanim.toml, or pyproject.toml with [tool.convanim], ")
    assert str(tmp_path) in lines[0]
    assert [line.strip() for line in lines[1:]] == [
        "[tool.convanim]",
        'out-dir = "docs/_static/conv"',
        'assets.padding_strides = "--stride 2 --pad 1"',
    ]
    assert list(tmp_path.iterdir()) == [tmp_path / ".git"]


def test_config_and_out_dir_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "convanim.toml").write_text('out-dir = "pictures"\n[assets]\ntiny = "-i 3 -k 2"\n')
    monkeypatch.chdir(tmp_path)
    assert run("assets", "--config", "docs/convanim.toml").exit_code == 0
    assert (tmp_path / "docs" / "pictures" / "tiny.gif").is_file()
    lock = tmp_path / "docs" / "convanim.lock.json"  # beside the manifest, naming files from there
    assert '"output": "pictures/tiny.gif"' in lock.read_text()
    assert not (tmp_path / "convanim.lock.json").exists()
    assert run("assets", "--config", "docs/convanim.toml", "--check").exit_code == 0
    before = lock.read_bytes(), lock.stat().st_mtime_ns
    result = run("assets", "--config", "docs/convanim.toml", "--out-dir", "other", "--check")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == "other/tiny.gif: missing"  # a preview folder: no lock asked for
    assert "run 'convanim assets --config docs/convanim.toml --out-dir other'" in result.stderr
    assert run("assets", "--config", "docs/convanim.toml", "--out-dir", "other").exit_code == 0
    assert (tmp_path / "other" / "tiny.gif").read_bytes() == (tmp_path / "docs" / "pictures" / "tiny.gif").read_bytes()
    assert (lock.read_bytes(), lock.stat().st_mtime_ns) == before  # the lock describes out-dir, not the preview
    assert sorted(p.name for p in tmp_path.rglob("convanim.lock.json")) == ["convanim.lock.json"]
    result = run("assets", "--config", "nope.toml")
    assert result.exit_code == 2
    assert "--config nope.toml does not exist" in one_line_error(result)
    (tmp_path / "file").write_text("")
    assert "--out-dir file is a file" in one_line_error(
        run("assets", "--config", "docs/convanim.toml", "--out-dir", "file")
    )


def test_png_recompressed_with_the_same_pixels_is_current(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scratch(
        tmp_path, monkeypatch, '[tool.convanim.assets]\ns = { input-size = 3, kernel-size = 2, output = "s.png" }\n'
    )
    assert run("assets").exit_code == 0
    png = tmp_path / "s.png"
    with Image.open(png) as image:
        image.load()
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", compress_level=1)
        changed = image.copy()
    assert buffer.getvalue() != png.read_bytes()
    png.write_bytes(buffer.getvalue())
    assert run("assets", "--check", "--strict").exit_code == 1  # the lock has the old bytes' sha256
    result = run("assets", "--check")
    assert result.exit_code == 1
    # rendered to see why: the pixels are the same, so the file is current and the lock is not
    assert result.stderr.splitlines()[0] == "s.png: the lock is out of date: run convanim assets"
    result = run("assets")  # the file stays (same pixels); the lock takes its bytes
    assert result.exit_code == 0
    assert "1 asset in .: 0 written, 1 current" in result.stderr and "wrote convanim.lock.json" in result.stderr
    assert png.read_bytes() == buffer.getvalue()
    assert run("assets", "--check").exit_code == 0
    assert run("assets", "--check", "--strict").exit_code == 0
    changed.putpixel((0, 0), 3 if changed.mode == "P" else (1, 2, 3))
    buffer = io.BytesIO()
    changed.save(buffer, format="PNG")
    png.write_bytes(buffer.getvalue())
    result = run("assets", "--check")
    assert result.exit_code == 1
    assert "s.png: pixels differ" in result.stderr


def test_parallel_assets_equal_serial_and_extra_files_are_noted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (
        '[tool.convanim]\nout-dir = "a"\n[tool.convanim.assets]\n'
        'x = "-i 3 -k 2"\ny = "-i 3 -k 2 --theme dark"\nz = "-i 2 -k 2 --transpose"\n'
    )
    scratch(tmp_path, monkeypatch, text)
    assert run("assets", "-j", "1").exit_code == 0
    assert run("assets", "-j", "2", "--out-dir", "b").exit_code == 0
    for path in (tmp_path / "a").iterdir():
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes()
    (tmp_path / "a" / "old.gif").write_bytes(b"GIF89a")
    result = run("assets")
    assert result.exit_code == 0
    assert "note: a/old.gif is made by no asset in pyproject.toml: delete it if it is left over" in result.stderr
    assert run("assets", "--check").exit_code == 0  # a file no asset makes is not stale


# -- describe ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (
            ["--stride", "2", "--pad", "1"],
            "Convolution of a 5x5 input, zero-padded by 1 on each side, with a 3x3 kernel at stride 2, giving a "
            "3x3 output: (5 + 2*1 - 3) / 2 rounded down, + 1 = 3. 9 steps, one kernel position per frame.",
        ),
        (
            ["-i", "6", "-s", "2", "-p", "1"],
            "Convolution of a 6x6 input, zero-padded by 1 on each side, with a 3x3 kernel at stride 2, giving a "
            "3x3 output: (6 + 2*1 - 3) / 2 rounded down, + 1 = 3; the stride leaves the last row and column of "
            "the padded input uncovered. 9 steps, one kernel position per frame.",
        ),
        (
            ["--transpose", "-i", "2", "-s", "2", "-p", "1", "--output-padding", "1"],
            "Transposed convolution of a 2x2 input with a 3x3 kernel at stride 2, giving a 4x4 output: "
            "(2 - 1)*2 - 2*1 + 3 + 1 = 4. Each input cell stamps its value times the kernel into a 5x5 canvas, "
            "overlaps summed, then padding 1 cropped from each side and output padding 1 added at the end. "
            "4 steps, one stamp per frame, then the crop to the output.",
        ),
        (
            ["-i", "4", "--steps", "term"],
            "Convolution of a 4x4 input with a 3x3 kernel, giving a 2x2 output: 4 - 3 + 1 = 2. "
            "36 multiply-adds over 4 kernel positions, one per frame.",
        ),
        (
            ["-i", "5x7", "-k", "3x2", "-s", "2x1", "--frame", "3"],
            "Convolution of a 5x7 input with a 3x2 kernel at stride 2 on rows and 1 on columns, giving a 2x6 "
            "output: rows (5 - 3) / 2 rounded down, + 1 = 2; columns 7 - 2 + 1 = 6. A still of frame 4 of 12.",
        ),
        (
            ["--in-channels", "3", "--out-channels", "2", "-p", "1", "--bias", "--frames", "2:5"],
            "Convolution of a 3-channel 5x5 input, zero-padded by 1 on each side, with 2 filters of 3x3x3, plus "
            "a bias, giving 2 output maps of 5x5: 5 + 2*1 - 3 + 1 = 5. Frames 3 to 5 of 50.",
        ),
        (
            ["--values", "symbolic", "-i", "1x4", "-k", "1x3", "-p", "0x1", "-d", "1x2"],
            "1-D convolution of a 4-cell input, zero-padded by 1 on each side, with a 3-cell kernel dilated by 2 "
            "(spanning 5-cell), giving a 2-cell output: 4 + 2*1 - 5 + 1 = 2. Cells are named by letters and "
            "outputs are written as expressions. 2 steps, one kernel position per frame.",
        ),
        (
            ["--grad", "weight", "-s", "2", "-p", "1"],
            "The weight gradient of a convolution of a 5x5 input, zero-padded by 1 on each side, with a 3x3 kernel "
            "at stride 2: each of the 9 output-gradient cells times its input window, added into the 3x3 kernel "
            "gradient. 9 steps, one output-gradient cell per frame.",
        ),
    ],
)
def test_describe_says_what_the_animation_shows(args: list[str], text: str) -> None:
    result = run("describe", *args)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == text + "\n"


def test_describe_refuses_as_render_does(tmp_path: Path) -> None:
    for args, needle in ((["--stride", "0"], "--stride 0"), (["--frame", "99"], "--frame"), (["-o", "x.gif"], "-o")):
        result = run("describe", *args)
        assert result.exit_code == 2
        assert needle in one_line_error(result)
    assert {p.name for p in cli.commands["describe"].params} == {p.name for p in cli.commands["render"].params} - {
        "output"
    }


# -- pre-commit ----------------------------------------------------------------------------------------


def test_pre_commit_hook_manifest_is_valid() -> None:
    import re

    import yaml  # pre-commit's own dependency

    path = ROOT / ".pre-commit-hooks.yaml"
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (hook,) = yaml.safe_load(path.read_text())
    assert hook["id"] == "convanim-assets"
    assert hook["entry"] == "convanim assets --check"
    assert hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    for name in (
        "pyproject.toml",
        "docs/convanim.toml",
        "docs/_static/conv/upsample.gif",
        "assets/still.png",
        "convanim.lock.json",
        "docs/convanim.lock.json",
    ):
        assert files.search(name), name
    for name in (
        "src/pyproject.toml.bak",
        "convanim/cli.py",
        "README.md",
        "package-lock.json",
        "my-convanim.lock.json",
    ):
        assert not files.search(name), name


def _modules_after(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint(' '.join(sorted(sys.modules)), file=sys.stderr)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(result.stderr.splitlines()[-1].split())


def test_trace_core_imports_no_drawing_or_cli_library() -> None:
    loaded = _modules_after("import convanim.compute.tracer, convanim.compute.export, convanim.compute.values")
    assert not {"PIL", "matplotlib", "click"} & {m.split(".")[0] for m in loaded}


def test_help_and_presets_start_without_numpy_or_pillow() -> None:
    for argv in (["--help"], ["presets"], ["render", "--help"], ["describe", "--help"], ["assets", "--help"]):
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
