"""``convanim.animate(...)``: the CLI's options as keywords, ``.save`` by suffix, notebook display."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

import convanim
from convanim.cli import cli


def test_animate_is_the_top_level_function_even_after_the_pipeline_module_loads() -> None:
    import convanim.pipeline
    from convanim.pipeline import render_file  # the pipeline is its own module: no name clash

    assert callable(render_file) and convanim.pipeline.render_file is render_file
    assert convanim.animate.__module__ == "convanim"
    assert isinstance(convanim.animate(), convanim.Clip)
    assert "animate" in convanim.__all__ and "Clip" in convanim.__all__


def test_save_by_suffix_matches_the_cli(tmp_path: Path) -> None:
    clip = convanim.animate(stride=2, padding=1)
    assert clip.frames == 9
    assert clip.command == "convanim render --stride 2 --pad 1"
    assert (
        repr(clip) == f"<convanim.Clip convanim render --stride 2 --pad 1: 9 frames, {clip.size[0]}x{clip.size[1]} px>"
    )
    for suffix in (".gif", ".webp", ".html", ".png"):
        saved = clip.save(tmp_path / f"api{suffix}")
        result = CliRunner().invoke(cli, ["render", "-s", "2", "-p", "1", "-o", str(tmp_path / f"cli{suffix}")])
        assert result.exit_code == 0
        if suffix == ".html":  # the command shown names the file
            assert saved.read_bytes().replace(b"-o api.html", b"-o cli.html") == (tmp_path / "cli.html").read_bytes()
        else:
            assert saved.read_bytes() == (tmp_path / f"cli{suffix}").read_bytes(), suffix
    assert clip.to_bytes(".gif") == (tmp_path / "cli.gif").read_bytes()
    clip.save(tmp_path / "frames-%02d.png")
    assert len(list(tmp_path.glob("frames-*.png"))) == 9


def test_keywords_take_field_and_flag_names_typed_or_as_text() -> None:
    a = convanim.animate(input_size="4x6", kernel_size=(2, 3), pad=1, theme="dark", hold_ms="1000")
    b = convanim.animate(input_size=(4, 6), kernel_size="2x3", padding=1, theme="dark", hold_ms=1000)
    assert a.to_bytes(".gif") == b.to_bytes(".gif")
    assert convanim.animate(fit="800x600").size[0] <= 800


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"strid": 2}, "unknown option 'strid': did you mean 'stride'?"),
        ({"stride": "two"}, "stride 'two' is not N or NxM"),
        ({"fit": "1920"}, "fit '1920' is not WxH"),
        ({"background": "blue"}, "background 'blue' is unknown: use theme or transparent"),
    ],
)
def test_errors_name_the_keyword(options: dict[str, object], message: str) -> None:
    with pytest.raises(convanim.SpecError, match="^" + message.replace("?", r"\?").replace("(", r"\(")):
        convanim.animate(**options)


def test_save_refusals(tmp_path: Path) -> None:
    clip = convanim.animate(background="transparent")
    with pytest.raises(convanim.SpecError, match=r"background transparent cannot be written to .*a\.mp4: H\.264"):
        clip.save(tmp_path / "a.mp4")
    with pytest.raises(convanim.SpecError, match=r"unknown file type \.avi"):
        clip.save(tmp_path / "a.avi")
    assert list(tmp_path.iterdir()) == []


def test_notebook_display() -> None:
    clip = convanim.animate(stride=2, padding=1)
    data, metadata = clip._repr_mimebundle_()
    assert set(data) == {"text/html", "text/plain"} and metadata == {}
    fragment = data["text/html"]
    assert fragment == clip._repr_html_()
    assert fragment.startswith("<style>") and "<html" not in fragment and "<body" not in fragment
    assert "data-convanim-player" in fragment and f'alt="{clip.alt}"' in fragment
    assert '"page":false' in fragment  # keys only while the player has focus: the notebook keeps its own
    gif_data, gif_metadata = clip.gif._repr_mimebundle_()
    assert gif_metadata == {"image/gif": {"alt": clip.alt}}
    with Image.open(io.BytesIO(base64.b64decode(gif_data["image/gif"]))) as image:
        assert image.format == "GIF" and image.n_frames == 9
    assert clip.alt.startswith("Convolution of a 5x5 input, zero-padded by 1 on each side")


def test_the_alt_text_is_worked_out_only_for_what_shows_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Describing a picture costs a layout of it: a GIF or PNG, which do not carry the words, never
    asks; the HTML player and ``clip.alt`` do, once, and get what ``describe`` says of the options."""
    import convanim.describe
    from convanim.describe import describe

    asked: list[object] = []
    real = convanim.describe.describe

    def counting(options: object, animation: object = None) -> str:
        asked.append(options)
        return real(options, animation)  # type: ignore[arg-type]

    monkeypatch.setattr(convanim.describe, "describe", counting)
    clip = convanim.animate(stride=2, padding=1)
    clip.save(tmp_path / "a.gif")
    clip.save(tmp_path / "a.png")
    assert asked == []
    runner = CliRunner()
    assert runner.invoke(cli, ["render", "-s", "2", "-p", "1", "-o", str(tmp_path / "b.gif")]).exit_code == 0
    assert asked == []
    clip.save(tmp_path / "a.html")
    assert len(asked) == 1
    assert f'alt="{clip.alt}"' in (tmp_path / "a.html").read_text(encoding="utf-8")
    assert len(asked) == 1  # worked out once for the animation
    assert clip.alt == describe(clip.options)
