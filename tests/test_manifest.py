"""The project manifest: finding it, reading it, and refusing what would write outside the project.

Loading renders nothing, so these tests are fast; rendering and the command are in
test_assets_cli.py.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from convanim.manifest import EXAMPLE, ManifestError, find, load, not_found_message
from convanim.plan.options import RenderOptions

ISSUE_EXAMPLE = """\
[tool.convanim]
out-dir = "docs/_static/conv"       # relative to the file that declares it
theme = "dark"                      # any render option: a default for every asset

[tool.convanim.assets]
padding_strides = "--stride 2 --pad 1"                       # options as typed after `render`
upsample = { transpose = true, input-size = 2, stride = 2, pad = 1, output-padding = 1 }
still = { preset = "padding_strides", frame = 4, output = "padding_strides.png" }
"""


def project(tmp_path: Path, text: str, name: str = "pyproject.toml") -> Path:
    """A scratch project (a .git folder bounds the search) with one manifest file."""
    (tmp_path / ".git").mkdir(exist_ok=True)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refusal(tmp_path: Path, text: str, monkeypatch: pytest.MonkeyPatch, name: str = "pyproject.toml") -> str:
    """The one-line message a bad manifest is refused with (and nothing is written)."""
    project(tmp_path, text, name)
    monkeypatch.chdir(tmp_path)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    with pytest.raises(ManifestError) as caught:
        load()
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
    message = str(caught.value)
    assert "\n" not in message and "‹" not in message
    return message


def test_the_issue_example_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project(tmp_path, ISSUE_EXAMPLE)
    monkeypatch.chdir(tmp_path)
    manifest = load()
    assert manifest.label == "pyproject.toml"
    assert manifest.out_dir == tmp_path / "docs" / "_static" / "conv"
    assert [a.name for a in manifest.assets] == ["padding_strides", "upsample", "still"]
    assert [a.output for a in manifest.assets] == ["padding_strides.gif", "upsample.gif", "padding_strides.png"]
    strides = manifest["padding_strides"].options
    assert (strides.stride, strides.padding, strides.theme) == ((2, 2), (1, 1), "dark")
    upsample = manifest["upsample"].options
    assert upsample.transposed and upsample.input_size == (2, 2) and upsample.output_padding == (1, 1)
    still = manifest["still"].options
    assert (still.preset, still.frame, still.theme, still.stride) == ("padding_strides", 4, "dark", (2, 2))
    assert manifest["still"].path == manifest.out_dir / "padding_strides.png"


def test_a_string_asset_is_read_by_the_render_command_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = '[tool.convanim.assets]\na = "-s 2 -p 1x0 --transpose --steps placement -o a.png --frame 1"\nb = ""\n'
    project(tmp_path, text)
    monkeypatch.chdir(tmp_path)
    manifest = load()
    a = manifest["a"]
    assert a.options == RenderOptions.from_mapping(
        {"stride": 2, "padding": "1x0", "transposed": True, "steps": "placement", "frame": 1}
    )
    assert a.output == "a.png" and a.path == tmp_path / "a.png"  # out-dir defaults to the manifest's folder
    assert a.command() == "convanim render -s 2 -p 1x0 --transpose --steps placement -o a.png --frame 1"
    assert manifest["b"].options == RenderOptions()
    assert manifest["b"].command() == "convanim render -o b.gif"


def test_a_table_asset_command_reproduces_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project(tmp_path, ISSUE_EXAMPLE)
    monkeypatch.chdir(tmp_path)
    assert load()["upsample"].command() == (
        "convanim render --transpose --input-size 2 --stride 2 --pad 1 --output-padding 1 -o upsample.gif"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Every value goes through the render-options interpreter; the message words the key as written.
        (
            "[tool.convanim.assets]\nupsample = { transpose = true, stride = 0 }\n",
            "pyproject.toml: assets.upsample: stride 0 is out of range: use a stride of 1 or more",
        ),
        (
            '[tool.convanim.assets]\nx = { input_size = "2x" }\n',
            "pyproject.toml: assets.x: input_size '2x' is not N or NxM",
        ),
        ("[tool.convanim.assets]\nx = { pad = -1 }\n", "pyproject.toml: assets.x: pad -1"),
        ("[tool.convanim.assets]\nx = { strid = 2 }\n", "assets.x: unknown key 'strid': did you mean 'stride'?"),
        (
            '[tool.convanim.assets]\nx = { outptu = "x.gif" }\n',
            "assets.x: unknown key 'outptu': did you mean 'output'?",
        ),
        ("[tool.convanim.assets]\nx = { pad = 1, padding = 2 }\n", "assets.x: padding is given twice"),
        ('[tool.convanim.assets]\nx = { preset = "nope" }\n', "assets.x: preset unknown preset 'nope'"),
        ("[tool.convanim.assets]\nx = 3\n", "assets.x: 3 is neither a string of render options nor a table"),
        # A string is parsed by `convanim render`: its messages name the flags.
        ('[tool.convanim.assets]\nx = "--strid 2"\n', "assets.x: No such option '--strid'. (Did you mean one of: "),
        ('[tool.convanim.assets]\nx = "--stride 0"\n', "assets.x: --stride 0 is out of range"),
        ('[tool.convanim.assets]\nx = "--stride 2x"\n', "assets.x: Invalid value for '-s' / '--stride'"),
        ('[tool.convanim.assets]\nx = "--values \'ones"\n', 'assets.x: "--values \'ones": No closing quotation'),
        ('[tool.convanim.assets]\nx = "--help"\n', "assets.x: --help is not a render option: drop it"),
        # Defaults and the manifest's own keys.
        (
            '[tool.convanim]\ntheme = "blue"\nassets.x = ""\n',
            "pyproject.toml: theme 'blue' is unknown: use light or dark",
        ),
        (
            '[tool.convanim]\noutdir = "a"\nassets.x = ""\n',
            "pyproject.toml: unknown key 'outdir': did you mean 'out-dir'?",
        ),
        ('[tool.convanim]\nasset.x = ""\n', "pyproject.toml: unknown key 'asset': did you mean 'assets'?"),
        ('[tool.convanim]\npad = 1\npadding = 1\nassets.x = ""\n', "pyproject.toml: padding is given twice"),
        ('[tool.convanim]\nout-dir = "a"\n', "pyproject.toml: declares no assets"),
        ('[tool.convanim]\nassets = "x"\n', "pyproject.toml: has assets that are not a table"),
        ("[tool]\nconvanim = 3\n", "pyproject.toml: tool.convanim is not a table"),
        # Outputs stay inside out-dir, one asset per file, of a type convanim writes.
        ('[tool.convanim.assets]\nx = { output = "../x.gif" }\n', "assets.x: output '../x.gif' leads out of out-dir"),
        ('[tool.convanim.assets]\nx = "-o ../../x.gif"\n', "assets.x: output '../../x.gif' leads out of out-dir"),
        ('[tool.convanim.assets]\nx = { output = "a/../../x.gif" }\n', "leads out of out-dir through '..'"),
        (
            '[tool.convanim.assets]\nx = { output = "/tmp/x.gif" }\n',
            "assets.x: output '/tmp/x.gif' is an absolute path",
        ),
        ('[tool.convanim.assets]\nx = { output = "C:\\\\x.gif" }\n', "is an absolute path"),
        ('[tool.convanim.assets]\nx = { output = "sub/" }\n', "assets.x: output 'sub/' is not a file name"),
        ("[tool.convanim.assets]\nx = { output = 3 }\n", "assets.x: output 3 is not a file name"),
        ('[tool.convanim.assets]\nx = { output = "x.bmp" }\n', "assets.x: output x.bmp: unknown file type .bmp"),
        ('[tool.convanim.assets]\nx = ""\ny = "-o x.gif"\n', "assets.y: output 'x.gif' is also the output of assets.x"),
        ('[tool.convanim.assets]\nx = ""\ny = "-o ./X.gif"\n', "assets.y: output './X.gif' is also the output of"),
        ('[tool.convanim]\nout-dir = "../up"\nassets.x = ""\n', "pyproject.toml: out-dir '../up' leads outside"),
        ('[tool.convanim]\nout-dir = "/tmp"\nassets.x = ""\n', "pyproject.toml: out-dir '/tmp' is an absolute path"),
        ('[tool.convanim]\nout-dir = 3\nassets.x = ""\n', "pyproject.toml: out-dir 3 is not a folder name"),
    ],
)
def test_bad_manifests_are_refused_in_one_line_naming_file_asset_and_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, expected: str
) -> None:
    message = refusal(tmp_path, text, monkeypatch)
    assert expected in message
    assert message.startswith("pyproject.toml")


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("[tool.convanim]\nout-dir = \n", "pyproject.toml:2:11: invalid TOML: "),
        ("[tool.convanim\n", "pyproject.toml:1:15: invalid TOML: "),
        ('[tool.convanim.assets]\nx = "a"\nx = "b"\n', "pyproject.toml:3:"),
        ('[tool.convanim.assets]\nx = "unclosed', "pyproject.toml:2:"),
    ],
)
def test_toml_syntax_errors_name_file_line_and_column(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, where: str
) -> None:
    message = refusal(tmp_path, text, monkeypatch)
    assert message.startswith(where), message
    assert message.endswith("fix the syntax there")


def test_a_convanim_toml_holds_the_keys_at_its_top_level(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    message = refusal(tmp_path, '[tool.convanim]\nassets.x = ""\n', monkeypatch, name="convanim.toml")
    assert message == "convanim.toml: [tool.convanim] is for pyproject.toml: here the keys go at the top level"


def test_not_utf8_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "convanim.toml").write_bytes(b'assets.x = "\xff"\n')
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ManifestError, match=r"^convanim.toml: not UTF-8 text"):
        load()


def test_symlinks_out_of_out_dir_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "proj"
    (root / "out").mkdir(parents=True)
    (root / "out" / "link").symlink_to(outside, target_is_directory=True)
    (root / "out" / "file.gif").symlink_to(outside / "file.gif")
    (root / "elsewhere").symlink_to(outside, target_is_directory=True)
    message = refusal(root, '[tool.convanim]\nout-dir = "out"\nassets.x = { output = "link/x.gif" }\n', monkeypatch)
    assert "assets.x: output 'link/x.gif' leads out of out-dir through a symlink" in message
    message = refusal(root, '[tool.convanim]\nout-dir = "out"\nassets.x = { output = "file.gif" }\n', monkeypatch)
    assert "through a symlink" in message
    message = refusal(root, '[tool.convanim]\nout-dir = "elsewhere"\nassets.x = ""\n', monkeypatch)
    assert "out-dir 'elsewhere' leads outside" in message
    assert list(outside.iterdir()) == []


def test_a_symlink_inside_out_dir_is_allowed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "out" / "real").mkdir(parents=True)
    (tmp_path / "out" / "alias").symlink_to(tmp_path / "out" / "real", target_is_directory=True)
    project(tmp_path, '[tool.convanim]\nout-dir = "out"\nassets.x = { output = "alias/x.gif" }\n')
    monkeypatch.chdir(tmp_path)
    assert load()["x"].path == tmp_path / "out" / "alias" / "x.gif"


def test_found_by_walking_up_nearest_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project(tmp_path, '[tool.convanim]\nassets.top = ""\n')
    deep = tmp_path / "docs" / "source"
    deep.mkdir(parents=True)
    (tmp_path / "docs" / "pyproject.toml").write_text("[tool.black]\nline-length = 80\n")  # no [tool.convanim]
    (deep / "pyproject.toml").write_text('tool = "convanim"\n')  # not a table either
    monkeypatch.chdir(deep)
    assert find() == tmp_path / "pyproject.toml"
    manifest = load()
    assert manifest.label == os.path.join("..", "..", "pyproject.toml")
    assert manifest.out_dir == tmp_path  # relative to the file that declares it, not the current folder
    (tmp_path / "docs" / "convanim.toml").write_text('assets.near = ""\n')
    assert find() == tmp_path / "docs" / "convanim.toml"
    assert [a.name for a in load().assets] == ["near"]
    (deep / "convanim.toml").write_text('assets.here = ""\n')
    (deep / "pyproject.toml").write_text('[tool.convanim]\nassets.nothere = ""\n')
    assert find() == deep / "convanim.toml"  # convanim.toml first in a folder


def test_the_walk_stops_at_the_project_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.convanim]\nassets.outer = ""\n')
    inner = tmp_path / "repo"
    (inner / ".git").mkdir(parents=True)
    (inner / "src").mkdir()
    monkeypatch.chdir(inner / "src")
    assert find() is None
    with pytest.raises(ManifestError) as caught:
        load()
    lines = str(caught.value).splitlines()
    assert lines[0] == (
        f"no manifest: looked for convanim.toml, or pyproject.toml with [tool.convanim], in {inner / 'src'} "
        f"and the folders above it up to {inner}; add one (or name it with --config FILE), for example in "
        "pyproject.toml:"
    )
    assert [line.strip() for line in lines[1:]] == list(EXAMPLE)
    assert str(caught.value) == not_found_message()


def test_the_example_in_the_message_is_a_working_manifest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project(tmp_path, "\n".join(EXAMPLE) + "\n")
    monkeypatch.chdir(tmp_path)
    manifest = load()
    assert manifest["padding_strides"].path == tmp_path / "docs" / "_static" / "conv" / "padding_strides.gif"


def test_config_names_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "animations.toml").write_text('out-dir = "../pictures"\n[assets]\nx = "-s 2"\n')
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    manifest = load("conf/animations.toml")
    assert manifest.label == os.path.join("conf", "animations.toml")
    assert manifest["x"].path == tmp_path / "pictures" / "x.gif"  # inside the project: allowed
    with pytest.raises(ManifestError, match=r"^--config nope.toml does not exist"):
        load("nope.toml")
    with pytest.raises(ManifestError, match=r"^--config conf is a folder"):
        load("conf")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    with pytest.raises(ManifestError, match=r"^pyproject.toml has no \[tool.convanim\] table"):
        load("pyproject.toml")


def test_data_files_are_relative_to_the_manifest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project(tmp_path, '[tool.convanim]\nvalues = "data/x.npy"\nassets.a = ""\nassets.b = "--values ones"\n')
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    manifest = load()
    assert manifest["a"].options.values == str(tmp_path / "data" / "x.npy")
    assert manifest["b"].options.values == "ones"


def test_out_dir_override_is_the_users_choice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project(tmp_path, ISSUE_EXAMPLE)
    monkeypatch.chdir(tmp_path)
    manifest = load(out_dir=tmp_path / "elsewhere")
    assert manifest["still"].path == tmp_path / "elsewhere" / "padding_strides.png"


def test_convanims_own_gallery_is_its_manifest() -> None:
    root = Path(__file__).resolve().parent.parent
    manifest = load(root / "pyproject.toml")
    assert manifest.out_dir == root / "assets"
    assert len(manifest.assets) >= 30
    assert {a.output for a in manifest.assets} == {p.name for p in (root / "assets").iterdir()}
    assert manifest["padding_strides"].options == RenderOptions.from_mapping({"stride": 2, "pad": 1})
