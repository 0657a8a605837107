"""The matrix view and the backward animations: every number they draw comes from the trace."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner

from convanim import ConvSpec
from convanim.assets import animation_for
from convanim.cli import cli
from convanim.compute.backward import backward
from convanim.compute.matrix import conv_matrix
from convanim.compute.values import build, grad_values
from convanim.draw.numbers import format_number
from convanim.draw.painter import CellStyle
from convanim.draw.views import make_scene
from convanim.paint.raster import RASTER
from convanim.pipeline import make_animation, render_bytes
from convanim.plan.presets import PRESETS


def _shows(pixels: np.ndarray, x: int, y: int, tile: np.ndarray) -> bool:
    h, w = tile.shape
    return bool((pixels[y + 3 : y + h - 3, x + 3 : x + w - 3] == tile[3:-3, 3:-3]).all())


def _fields(**spec: object) -> dict[str, object]:
    base = ConvSpec(**spec)  # type: ignore[arg-type]
    return {name: getattr(base, name) for name in base.__dataclass_fields__}


@pytest.mark.parametrize("transposed", [False, True])
def test_matrix_view_lights_the_row_or_column_of_each_step(transposed: bool) -> None:
    spec = {"input_size": (3, 3), "kernel_size": (2, 2), "transposed": transposed}
    recorded = build(_fields(**spec), set(spec))
    animation = make_animation(recorded, view="matrix")
    drawing = make_scene(animation.trace, animation.look, RASTER, animation.view)
    board = animation.storyboard()
    matrix = conv_matrix(recorded).values
    for n in range(len(recorded.steps)):
        pixels = drawing.still(board, n)[0] if n == 0 else _advance(drawing, board, n)
        grid = drawing.layout.matrix
        assert grid is not None
        # Every entry of the highlighted row (forward) or column (transposed) is the matrix entry.
        line = matrix[:, n] if transposed else matrix[n]
        for k, value in enumerate(line):
            if value == 0:
                continue
            row, col = (k, n) if transposed else (n, k)
            tile = drawing.painter.tiles.cell_tile(CellStyle("window_fill", format_number(value)))
            x, y = grid.origin(row, col)
            assert _shows(pixels, x, y, tile), (n, k)


def _advance(drawing, board, n):  # type: ignore[no-untyped-def]
    drawing.draw(board.frame(n))
    return drawing.painter.pixels()


def test_matrix_view_output_column_holds_the_outputs() -> None:
    spec = {"input_size": (1, 4), "kernel_size": (1, 3), "padding": (0, 1)}
    recorded = build(_fields(**spec), set(spec))
    animation = make_animation(recorded, view="matrix")
    drawing = make_scene(animation.trace, animation.look, RASTER, animation.view)
    pixels = drawing.still(animation.storyboard(), -1)[0]
    column = drawing.layout.vector_out
    assert column is not None
    for n in range(3):  # the last one is the current cell, drawn in its own colour
        tile = drawing.painter.tiles.cell_tile(CellStyle("output_fill", format_number(recorded.output.ravel()[n])))
        x, y = column.origin(n, 0)
        assert _shows(pixels, x, y, tile)


def test_backward_weight_animation_ends_on_the_weight_gradient() -> None:
    preset = PRESETS["backward_weight_strided"]
    animation = animation_for(preset)
    drawing = make_scene(animation.trace, animation.look, RASTER, animation.view, animation.grad_output)
    pixels = drawing.still(animation.storyboard(), -1)[0]
    want = backward(animation.trace, animation.grad_output).grad_weight
    grid = drawing.layout.grids["grad_weight"][0]
    for r in range(3):
        for q in range(3):
            tile = drawing.painter.tiles.cell_tile(CellStyle("stamp_fill", format_number(want[0, 0, r, q]), bold=True))
            x, y = grid.origin(r, q)
            assert _shows(pixels, x, y, tile)


def test_backward_input_animation_ends_on_the_input_gradient() -> None:
    preset = PRESETS["backward_input_strided"]
    animation = animation_for(preset)
    forward = build({**_fields(**preset.spec)}, set(preset.spec))
    g = grad_values("random", forward.output.shape, preset.seed)
    want = backward(forward, g).grad_input
    np.testing.assert_array_equal(animation.trace.output, want)
    drawing = make_scene(animation.trace, animation.look, RASTER, animation.view)
    pixels = drawing.still(animation.storyboard(), -1)[0]
    grid = drawing.layout.outputs[0]
    top, left, height, width = animation.trace.steps.crop  # type: ignore[union-attr]
    for r in range(height):
        for q in range(width):
            tile = drawing.painter.tiles.cell_tile(CellStyle("output_current", format_number(want[0, r, q])))
            x, y = grid.origin(r + top, q + left)
            assert _shows(pixels, x, y, tile)
    assert animation.look.names == ("grad_output", "kernel", "grad_input")


def test_every_new_preset_renders_a_gif() -> None:
    for name in ("matrix_conv_1d", "matrix_transpose_1d", "backward_input", "backward_weight"):
        data = render_bytes(animation_for(PRESETS[name]))
        assert data.startswith(b"GIF89a")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--view", "matrix", "-i", "12", "--color-values"], "--view matrix"),
        (["--grad", "weight", "--transpose"], "--grad weight"),
        (["--grad", "weight", "--view", "matrix"], "--view matrix"),
        (["--grad", "input", "--values", "symbolic"], "--values symbolic"),
        (["--grad", "input", "--grad-values", "missing.npy"], "--grad-values"),
    ],
)
def test_bad_view_and_grad_calls(tmp_path, monkeypatch, args: list[str], needle: str) -> None:  # type: ignore[no-untyped-def]
    _refused(tmp_path, monkeypatch, ["render", *args, "-o", "x.gif"], needle)


def _refused(tmp_path, monkeypatch, argv: list[str], needle: str) -> None:  # type: ignore[no-untyped-def]
    """Exit 2, one 'Error:' line naming ``needle``, and nothing written."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, argv, prog_name="convanim")
    assert result.exit_code == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and needle in lines[0], result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--matrix", "-i", "40"], "--matrix"),
        (["--matrix", "--values", "symbolic"], "--matrix"),
        (["--grad", "--values", "symbolic"], "--grad"),
        (["--grad-values", "symbolic"], "--grad-values"),
    ],
)
def test_bad_trace_grad_and_matrix_calls(tmp_path, monkeypatch, args: list[str], needle: str) -> None:  # type: ignore[no-untyped-def]
    _refused(tmp_path, monkeypatch, ["trace", *args, "-o", "t.json"], needle)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--grad", "weight", "--steps", "term", "-o", "x.gif"], "--steps term"),
        (["--grad", "input", "--steps", "term", "-o", "x.gif"], "--steps term"),
        (["--frame", "9", "-o", "x.gif"], "--frame 9 is out of range"),
        (["--grad-values", "random", "-o", "x.gif"], "--grad-values"),
        (["--values", "ranodm", "-o", "x.gif"], "random, ones, arange, symbolic"),
        (["--values", "ones", "--kernel-values", "symbolic", "-o", "x.gif"], "--values symbolic"),
    ],
)
def test_options_that_would_be_ignored_or_misread_are_refused(tmp_path, monkeypatch, args, needle) -> None:  # type: ignore[no-untyped-def]
    _refused(tmp_path, monkeypatch, ["render", *args], needle)


def test_a_still_of_a_long_animation_ignores_the_frame_limit(tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "still.png"
    result = CliRunner().invoke(cli, ["render", "-i", "40", "--max-frames", "10", "--frame", "5", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes().startswith(b"\x89PNG")


def test_rectangular_pictures_derive_both_output_sizes() -> None:
    from convanim.draw.layout import titles

    spec = ConvSpec(input_size=(5, 9), kernel_size=(3, 5), stride=(1, 2), padding=(0, 1))
    (_, _), (_, _), (title, detail) = titles(spec)
    assert title == "output 3×4"
    assert "⌊(5 + 2·0 − 3) / 1⌋ + 1 = 3" in detail and "⌊(9 + 2·1 − 5) / 2⌋ + 1 = 4" in detail


def test_frame_means_the_still_in_every_format(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Issue 10: --frame N with a .gif is a one-frame GIF of the same picture as the .png still."""
    import numpy as np
    from click.testing import CliRunner
    from PIL import Image

    from convanim.cli import cli

    for name in ("still.gif", "still.png"):
        result = CliRunner().invoke(cli, ["render", "-s", "2", "-p", "1", "--frame", "4", "-o", str(tmp_path / name)])
        assert result.exit_code == 0, result.stderr
    with Image.open(tmp_path / "still.gif") as gif, Image.open(tmp_path / "still.png") as png:
        assert gif.n_frames == 1
        assert np.array_equal(np.asarray(gif.convert("RGB")), np.asarray(png.convert("RGB")))


@pytest.mark.parametrize(
    "options",
    [
        {"input_size": 3, "kernel_size": 2, "in_channels": 2, "out_channels": 12},
        {"input_size": 3, "kernel_size": 2, "in_channels": 12, "out_channels": 12, "groups": 12, "theme": "dark"},
        {"input_size": 3, "kernel_size": 2, "in_channels": 12, "out_channels": 2, "steps": "term"},
        {"op": "max", "input_size": 4, "kernel_size": 2, "stride": 2, "in_channels": 12},
    ],
)
def test_past_eight_channels_what_is_at_work_is_always_shown(options: dict[str, object]) -> None:
    """Filter #9 of 12 fills map #9 in the roving grid; a term on channel #9 lights channel #9 and
    its kernel slice there; every frame drawn in turn equals the same frame drawn alone."""
    from convanim.pipeline import from_options
    from convanim.plan.options import RenderOptions

    clip = from_options(RenderOptions.from_mapping(options))
    scene = make_scene(clip.trace, clip.look, RASTER, clip.view, clip.grad_output)
    board = clip.storyboard()
    steps = clip.trace.steps
    palette = scene.painter.palette  # type: ignore[attr-defined]
    edge = palette.index(scene.theme.output_edge)
    seen_roving = set()
    for i, (pixels, _, _) in enumerate(scene.frames(board)):
        frame = board.frame(i)
        f, r, q = (int(v) for v in steps.output_cells[frame.step])
        grid = scene.grid_of("output", f)
        assert grid is not None, f"frame {i}: map #{f} has no grid"
        x, y = grid.origin(r, q)
        assert pixels[y + 1, x + 1] == edge, f"frame {i}: map #{f} ({r}, {q}) is not outlined"
        if f not in scene.layout.outputs:
            seen_roving.add(f)
        if frame.term is not None:
            c = int(steps.input_cells[frame.step, frame.term, 0])
            cl = scene.taps[frame.term][0]
            assert scene.grid_of("input", c) is not None and scene.grid_of("kernel", cl) is not None
        if options.get("groups") or options.get("op"):
            assert scene.grid_of("input", f) is not None  # depthwise or pooling: map f reads channel f
        alone = make_scene(clip.trace, clip.look, RASTER, clip.view, clip.grad_output)
        still, _, _ = alone.still(board, i)
        assert np.array_equal(still, pixels), f"frame {i} drawn alone differs"
    if clip.trace.spec.out_channels > 8:
        assert seen_roving == {7, 8, 9, 10}  # the maps with no grid of their own
