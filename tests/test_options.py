"""The one interpreter of render options: every way in accepts and refuses the same things."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from convanim.cli import cli, flag
from convanim.errors import SpecError
from convanim.plan.options import RenderOptions, default_filename
from convanim.plan.presets import PRESETS, Preset


def test_keys_in_every_spelling_mean_the_same_field() -> None:
    a = RenderOptions.from_mapping({"pad": "1", "input-size": "4x6", "transpose": "true", "output_padding": 0})
    b = RenderOptions.from_mapping({"padding": (1, 1), "input_size": [4, 6], "transposed": True})
    assert a == b
    assert a.padding == (1, 1) and a.input_size == (4, 6) and a.transposed is True
    assert a.explicit == {"padding", "input_size", "transposed", "output_padding"}


@pytest.mark.parametrize(
    ("mapping", "library", "cli_words"),
    [
        ({"strid": 2}, "unknown option 'strid': did you mean 'stride'?", None),
        ({"stride": "two"}, "stride 'two' is not N or NxM", "--stride 'two' is not N or NxM"),
        ({"pad": "1", "padding": 2}, "padding is given twice", "--pad is given twice"),
        ({"frame-ms": 15}, "frame_ms 15 is out of range", "--frame-ms 15 is out of range"),
        ({"theme": "sepia"}, "theme 'sepia' is unknown: use light or dark", "--theme 'sepia'"),
        ({"bias": "maybe"}, "bias 'maybe' is not true or false", "--bias 'maybe'"),
        ({"grad_values": "random"}, "grad_values goes with grad", "--grad-values goes with --grad"),
        ({"preset": "nope"}, "preset unknown preset 'nope'", "--preset unknown preset"),
        ({"in-channels": True}, "in_channels true is not a whole number", "--in-channels true"),
        ({"fit": "wide"}, "fit 'wide' is not WxH", "--fit 'wide'"),
    ],
)
def test_refusals_name_the_field_and_the_cli_words_it_as_a_flag(
    mapping: dict[str, object], library: str, cli_words: str | None
) -> None:
    with pytest.raises(SpecError) as info:
        RenderOptions.from_mapping(mapping)
    assert library in str(info.value)
    assert "True" not in str(info.value) and "False" not in str(info.value)
    if cli_words is not None:
        assert cli_words in info.value.worded(flag)


def test_a_preset_fills_only_what_is_not_given() -> None:
    options = RenderOptions.from_mapping({"preset": "padding_strides", "pad": 2})
    assert options.stride == (2, 2) and options.padding == (2, 2)
    assert "stride" not in options.explicit and "padding" in options.explicit
    assert options.spec_explicit() >= {"stride", "padding", "input_size"}


def test_a_presets_render_options_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """`render --preset X` used to drop the preset's no_values; now every render key is read."""
    quiet = Preset(
        "quiet", "quiet.gif", "no numbers", {"input_size": (4, 4)}, render={"no_values": True, "steps": "term"}
    )
    monkeypatch.setitem(PRESETS, "quiet", quiet)
    options = RenderOptions.from_mapping({"preset": "quiet"})
    assert options.no_values is True and options.steps == "term"
    assert "--no-values" in quiet.command() and "True" not in quiet.command()
    overridden = RenderOptions.from_mapping({"preset": "quiet", "no-values": "false"})
    assert overridden.no_values is False


def test_every_preset_command_is_accepted_by_the_cli_parser() -> None:
    for preset in PRESETS.values():
        words = preset.command().split()
        assert words[:2] == ["convanim", "render"]
        assert "True" not in words and "False" not in words
        ctx = cli.commands["render"].make_context("render", words[2:])
        assert ctx.params["output"] == preset.filename


@pytest.mark.parametrize(
    ("mapping", "name"),
    [
        ({}, "conv.gif"),
        ({"stride": 2, "pad": 1}, "conv_s2_p1.gif"),
        ({"transpose": True, "input-size": 2, "stride": 2, "pad": 1, "output-padding": 1}, "tconv_i2_s2_p1_op1.gif"),
        ({"in-channels": 3, "out-channels": 2, "bias": True}, "conv_c3_f2_bias.gif"),
        ({"grad": "weight", "pad": 1}, "conv_grad_weight_p1.gif"),
        ({"input-size": "1x7", "kernel-size": "1x3"}, "conv_i1x7_k1x3.gif"),
        ({"preset": "padding_strides"}, "padding_strides.gif"),
        ({"preset": "padding_strides", "theme": "dark"}, "padding_strides_dark.gif"),
        ({"stride": 2, "frame": 3}, "conv_s2_frame3.png"),
        ({"pad": 1, "frame": -1}, "conv_p1_framem1.png"),
    ],
)
def test_default_filenames_say_what_differs(mapping: dict[str, object], name: str) -> None:
    assert default_filename(RenderOptions.from_mapping(mapping)) == name


def test_render_without_output_writes_a_named_gif_here_and_says_where(tmp_path: Path) -> None:
    os.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["render", "--stride", "2", "--pad", "1"])
    assert result.exit_code == 0, result.stderr
    assert "conv_s2_p1.gif" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["conv_s2_p1.gif"]
    with Image.open(tmp_path / "conv_s2_p1.gif") as image:
        assert image.n_frames == 9


def test_cli_errors_from_the_library_use_flag_names(tmp_path: Path) -> None:
    os.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["render", "-i", "3", "-k", "5", "-o", "x.gif"])
    assert result.exit_code == 2
    assert "use a smaller --kernel-size or raise --pad" in result.stderr
    assert "‹" not in result.stderr and not list(tmp_path.iterdir())


def test_a_1d_strip_reads_single_numbers_as_the_width() -> None:
    """Issue 14: with a height-1 input, -k 3 -s 2 -p 1 mean 1x3, 1x2, 0x1 (as typed 2-D pairs stay)."""
    options = RenderOptions.from_mapping({"input-size": "1x7", "kernel-size": 3, "stride": 2, "pad": 1})
    assert options.kernel_size == (1, 3) and options.stride == (1, 2) and options.padding == (0, 1)
    typed = RenderOptions.from_mapping({"input-size": "1x7", "kernel-size": "1x3", "pad": "0x2"})
    assert typed.kernel_size == (1, 3) and typed.padding == (0, 2)
    square = RenderOptions.from_mapping({"input-size": 7, "kernel-size": 3})
    assert square.kernel_size == (3, 3)


def test_render_1x7_with_kernel_3_renders(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["render", "-i", "1x7", "-k", "3", "-o", str(tmp_path / "strip.gif")])
    assert result.exit_code == 0, result.stderr
    with Image.open(tmp_path / "strip.gif") as image:
        assert image.n_frames == 5


def test_cells_too_small_for_numbers_are_refused_with_the_minimum() -> None:
    with pytest.raises(SpecError) as info:
        RenderOptions.from_mapping({"cell-px": 10})
    assert info.value.worded(flag) == (
        "--cell-px 10 is too small for readable numbers: use 14 or more, or add --no-values or --color-values"
    )
    assert RenderOptions.from_mapping({"cell-px": 10, "no-values": True}).cell_px == 10
