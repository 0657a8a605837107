"""The pictures of issue 13: pooling, the direct and overlap views of a transposed convolution,
colour by value, the matrix pattern, named kernels.

Every view goes through every painter (the SVG display list replayed on a raster gives exactly the
raster frame; the PDF and SVG files are written), and the pictures say what the trace says: the
window's box, the max's winner, the direct view's output equal to the scatter's, the checkerboard
counts, the ramp step of a coloured cell.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from test_vector import _animation, _raster_frames, _recorded, _replay

from convanim.cli import cli
from convanim.compute.direct import direct_view, overlap_counts
from convanim.compute.tracer import PoolSteps
from convanim.draw.numbers import format_number
from convanim.draw.painter import CellStyle
from convanim.draw.ramp import Scale, numbers_fit, parse_number
from convanim.draw.theme import LIGHT, RAMP_COLOURS, ramp_role
from convanim.draw.views import make_scene
from convanim.errors import SpecError
from convanim.paint.raster import RASTER
from convanim.pipeline import render_bytes
from convanim.plan.options import RenderOptions
from convanim.plan.presets import PRESETS

NEW = {
    "max_ceil": {"op": "max", "kernel-size": 2, "input-size": 5, "ceil-mode": True},
    "max_pad_dilated": {"op": "max", "kernel-size": 2, "pad": 1, "dilation": 2, "input-size": 5, "frames": "0:4"},
    "avg_no_count_pad": {"op": "avg", "kernel-size": 3, "stride": 2, "pad": 1, "count-include-pad": False},
    "max_terms": {"op": "max", "kernel-size": 2, "input-size": 4, "steps": "term", "frames": "0:2"},
    "direct": {"transpose": True, "input-size": 2, "stride": 2, "pad": 1, "output-padding": 1, "view": "direct"},
    "direct_discarded": {"transpose": True, "input-size": 3, "kernel-size": 2, "stride": 2, "pad": 2, "view": "direct"},
    "direct_channels_dark": {
        "transpose": True,
        "in-channels": 2,
        "out-channels": 2,
        "stride": 2,
        "view": "direct",
        "theme": "dark",
        "frames": "0:3",
    },
    "overlap_k3s2": {"transpose": True, "input-size": 3, "stride": 2, "view": "overlap"},
    "matrix_pattern": {"view": "matrix", "input-size": 8, "pad": 1, "frames": "0:3"},
    "matrix_pattern_t": {"view": "matrix", "input-size": 6, "stride": 2, "transpose": True, "frames": "0:2"},
    "digit_sobel": {"values": "digit", "kernel-values": "sobel-x", "frames": "0:2"},
    "color_values": {"color-values": True, "pad": 1, "values": "random", "seed": 2, "frames": "3:5"},
}


def _frames_of(mapping: dict[str, Any]) -> tuple[Any, list[np.ndarray]]:
    animation = _animation(mapping)
    return animation, _raster_frames(animation)


@pytest.mark.parametrize("case", sorted(NEW))
def test_the_marks_of_each_frame_make_exactly_the_raster_frame(case: str) -> None:
    animation = _animation(NEW[case])
    recorded = _recorded(animation)
    frames = _raster_frames(animation)
    assert len(recorded.durations) == len(frames) == len(animation.storyboard())
    for n, pixels in enumerate(frames):
        assert np.array_equal(_replay(recorded, n), pixels), f"{case}: frame {n}"


@pytest.mark.parametrize("case", ["max_ceil", "direct", "overlap_k3s2", "matrix_pattern", "digit_sobel"])
@pytest.mark.parametrize("kind", [".svg", ".pdf", ".gif"])
def test_every_painter_writes_the_new_views(case: str, kind: str) -> None:
    data = render_bytes(_animation({**NEW[case], "frame": 1}), kind)
    assert data[:4] in (b"<svg", b"<?xm", b"%PDF", b"GIF8")


def _scene(mapping: dict[str, Any]) -> Any:
    animation = _animation(mapping)
    return make_scene(animation.trace, animation.look, RASTER, animation.view, animation.grad_output)


def _tile_at(pixels: np.ndarray, x: int, y: int, tile: np.ndarray, inset: int = 1) -> bool:
    """The tile is drawn at (x, y) (its shared border aside: a neighbour's outline may cover it;
    ``inset`` 3 leaves out an outline drawn over the cell itself)."""
    h, w = tile.shape
    i = inset
    return bool(np.array_equal(pixels[y + i : y + h - i, x + i : x + w - i], tile[i:-i, i:-i]))


# -- pooling -------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["max_ceil", "avg_no_count_pad", "max_pad_dilated"])
def test_pooling_window_box_and_winner(case: str) -> None:
    animation = _animation(NEW[case])
    scene = make_scene(animation.trace, animation.look, RASTER, animation.view)
    steps = animation.trace.steps
    assert isinstance(steps, PoolSteps)
    edge = scene.painter.tiles.colour("window_edge")
    for frame, (pixels, _, _) in zip(animation.storyboard(), scene.frames(animation.storyboard()), strict=True):
        n = frame.step
        grid = scene.layout.inputs[0]
        cells = steps.input_cells[n]
        x0, y0, x1, y1 = grid.box(
            int(cells[:, 1].min()), int(cells[:, 2].min()), int(cells[:, 1].max()), int(cells[:, 2].max())
        )
        # The outline: its four edges in the window colour, exactly around the window's cells.
        assert (pixels[y0, x0:x1] == edge).all() and (pixels[y1 - 1, x0:x1] == edge).all()
        assert (pixels[y0:y1, x0] == edge).all() and (pixels[y0:y1, x1 - 1] == edge).all()
        assert not (pixels[y0 - 1, x0 + 4 : x1 - 4] == edge).all()
        if steps.winner[n] >= 0:
            k = int(steps.winner[n])
            _, r, q = (int(v) for v in cells[k])
            text = format_number(steps.input_values[n, k])
            tile = scene.painter.tiles.cell_tile(CellStyle("term_fill", text, bold=True))
            x, y = grid.origin(r, q)
            # The winner's tile inside the outline (the outline covers its border where they meet).
            assert np.array_equal(
                pixels[y + 3 : y + tile.shape[0] - 3, x + 3 : x + tile.shape[1] - 3], tile[3:-3, 3:-3]
            )


def test_pooling_sum_lines_write_the_op_out() -> None:
    written: list[list[str]] = []

    def capture(mapping: dict[str, Any]) -> list[str]:
        animation = _animation(mapping)
        scene = make_scene(animation.trace, animation.look, RASTER, animation.view)
        lines: list[str] = []
        original = scene.painter.words

        def words(x: int, y: int, ws: Any, size: int, width: int, ink: str = "ink") -> None:
            lines.append(" ".join(ws))
            original(x, y, ws, size, width, ink)

        scene.painter.words = words  # type: ignore[method-assign]
        for _ in scene.frames(animation.storyboard()):
            pass
        return lines

    max_lines = capture({"op": "max", "kernel-size": 2, "pad": 1, "input-size": 3, "values": "arange"})
    written.append(max_lines)
    assert max_lines[0] == "output (0, 0) = max(−∞, −∞, −∞, 0) = 0"
    avg_lines = capture({"op": "avg", "kernel-size": 2, "input-size": 4, "values": "arange"})
    assert avg_lines[0] == "output (0, 0) = (0 + 1 + 4 + 5) ÷ 4 = 2.5"


def test_pooling_size_label_carries_the_formula() -> None:
    scene = _scene({"op": "max", "kernel-size": 3, "stride": 3, "pad": 1, "input-size": 5, "ceil-mode": True})
    texts = [t.text for t in scene.layout.texts]
    assert any("⌈(5 + 2·1 − 3) / 3⌉ + 1 − 1 = 2" in t for t in texts), texts
    assert any("dropped" in t for t in texts)
    scene = _scene({"op": "avg", "kernel-size": 2, "input-size": 5})
    assert any("⌊(5 − 2) / 2⌋ + 1 = 2" in t.text for t in scene.layout.texts)
    # No weights: the window panel has no numbers.
    assert scene.trace.weight.size == 0


# -- direct view ---------------------------------------------------------------------------------


def _output_numbers(scene: Any, pixels: np.ndarray, want: np.ndarray, fill: str) -> None:
    for f, grid in scene.layout.outputs.items():
        for r in range(want.shape[1]):
            for q in range(want.shape[2]):
                tile = scene.painter.tiles.cell_tile(CellStyle(fill, format_number(want[f, r, q])))
                x, y = grid.origin(r, q)
                assert _tile_at(pixels, x, y, tile), (f, r, q)


@pytest.mark.parametrize("seed", range(16))
def test_direct_view_draws_the_scatter_views_output(seed: int) -> None:
    """Random transposed specs (negative pads, dilation, output padding, groups): the direct view's
    output cells show exactly the scatter view's numbers."""
    rng = np.random.default_rng(seed)
    groups = int(rng.choice([1, 1, 2]))
    k = int(rng.integers(1, 4))
    s = int(rng.integers(1, 4))
    d = int(rng.integers(1, 3))
    p = int(rng.integers(0, d * (k - 1) + 2))
    op = int(rng.integers(0, max(s, d)))
    mapping = {
        "transpose": True,
        "input-size": int(rng.integers(1, 4)),
        "kernel-size": k,
        "stride": s,
        "dilation": d,
        "pad": p,
        "output-padding": op,
        "seed": seed,
        "in-channels": groups,
        "out-channels": groups * int(rng.integers(1, 3)),
        "groups": groups,
    }
    try:
        RenderOptions.from_mapping(mapping)
        scatter = _animation(mapping)
    except SpecError:  # an impossible spec (output < 1): nothing to draw
        pytest.skip("no output")
    direct = _animation({**mapping, "view": "direct"})
    scene = make_scene(direct.trace, direct.look, RASTER, "direct")
    frames = list(scene.frames(direct.storyboard()))
    pixels = frames[-1][0]
    # Every cell done by the last frame: all output_fill but the last, which is current.
    want = scatter.trace.output
    assert np.array_equal(direct_view(direct.trace).trace.output, want)
    last = scene.steps.output_cells[-1]
    for f, grid in scene.layout.outputs.items():
        for r in range(want.shape[1]):
            for q in range(want.shape[2]):
                fill = "output_current" if (f, r, q) == tuple(int(v) for v in last) else "output_fill"
                tile = scene.painter.tiles.cell_tile(
                    CellStyle(fill, format_number(want[f, r, q]), bold=fill != "output_fill")
                )
                x, y = grid.origin(r, q)
                if fill == "output_fill":
                    assert _tile_at(pixels, x, y, tile), (f, r, q)


def test_direct_view_of_the_issue_example() -> None:
    """-i 2 -s 2 -p 1 --output-padding 1: a 6×6 spread grid (pad 1 top/left, 2 bottom/right), output 4×4."""
    scene = _scene(NEW["direct"])
    grid = scene.full_grids[0]
    assert (grid.rows, grid.cols) == (6, 6)
    assert scene.view.pads == ((1, 2), (1, 2))
    texts = " ".join(t.text for t in scene.layout.texts)
    assert "rotated 180°" in texts and "spread to 6×6" in texts
    assert "inserted zero" in texts and "padding" in texts
    # The kernel panel shows the rotated kernel's numbers.
    kernel = scene.trace.weight[0, 0]
    original = _animation(NEW["direct"]).trace.weight[0, 0]
    assert np.array_equal(kernel, original[::-1, ::-1])


def test_direct_view_draws_a_negative_pad_as_discarded() -> None:
    scene = _scene(NEW["direct_discarded"])
    assert min(min(p) for p in scene.view.pads) < 0
    texts = " ".join(t.text for t in scene.layout.texts)
    assert "discarded" in texts
    animation = _animation(NEW["direct_discarded"])
    pixels, _, _ = scene.still(animation.storyboard(), 0)
    full = scene.full_grids[0]
    assert scene.view.kind[0, 0] == 3  # DISCARDED
    text = format_number(scene.view.grid[0, 0, 0])
    tile = scene.painter.tiles.cell_tile(CellStyle("cropped_fill", text, ink="ink_dim"))
    assert _tile_at(pixels, *full.origin(0, 0), tile)


# -- overlap -------------------------------------------------------------------------------------


def test_overlap_view_draws_the_checkerboard_counts() -> None:
    animation = _animation(NEW["overlap_k3s2"])
    scene = make_scene(animation.trace, animation.look, RASTER, "overlap")
    frames = list(scene.frames(animation.storyboard()))
    pixels = frames[-1][0]
    counts = overlap_counts(animation.trace.spec).canvas
    assert sorted(set(counts.ravel().tolist())) == [1, 2, 4]
    grid = scene.layout.outputs[0]
    for r in range(counts.shape[0]):
        for q in range(counts.shape[1]):
            tile = scene.painter.tiles.cell_tile(scene._count_tile(r, q, int(counts[r, q])))
            assert _tile_at(pixels, *grid.origin(r, q), tile, inset=3), (r, q)
    texts = " ".join(t.text for t in scene.layout.texts)
    assert "stamps per cell:" in texts


# -- colour by value -----------------------------------------------------------------------------


def test_digit_through_sobel_is_coloured_by_value() -> None:
    animation = _animation({"values": "digit", "kernel-values": "sobel-x", "frame": 0})
    scene = make_scene(animation.trace, animation.look, RASTER, animation.view)
    assert scene.colour_scales, "a 28×28 picture is coloured"
    assert scene.layout.width <= 1920 and scene.layout.height <= 1080
    pixels, _, _ = scene.still(animation.storyboard(), -1)
    grid = scene.layout.inputs[0]
    scale = scene.colour_scales[grid]
    assert scale.kind == "seq"
    palette = scene.painter.palette
    x = animation.trace.input[0]
    for r, q in ((0, 0), (14, 14), (10, 12), (20, 8)):
        cx, cy = grid.origin(r, q)
        index = pixels[cy + grid.cell // 2, cx + grid.cell // 2]
        assert palette[index] == RAMP_COLOURS[ramp_role("seq", scale.step(float(x[r, q])))], (r, q)
    out = scene.layout.outputs[0]
    oscale = scene.colour_scales[out]
    assert oscale.kind == "div"
    y = animation.trace.output[0]
    for r, q in ((5, 5), (12, 13)):
        cx, cy = out.origin(r, q)
        index = pixels[cy + out.cell // 2, cx + out.cell // 2]
        assert palette[index] == RAMP_COLOURS[ramp_role("div", oscale.step(float(y[r, q])))], (r, q)
    texts = " ".join(t.text for t in scene.layout.texts)
    assert "kernel sobel-x" in texts and "input:" in texts and "output:" in texts


def test_ramp_scale_and_parsing() -> None:
    assert Scale.of([0, 255]).kind == "seq"
    signed = Scale.of([-3, 1])
    assert (signed.kind, signed.lo, signed.hi) == ("div", -3.0, 3.0)
    assert signed.step(0) == 12 and signed.step(-3) == 0 and signed.step(3) == 23
    assert parse_number("−1.5") == -1.5 and parse_number("−∞") is None and parse_number("a") is None
    assert not numbers_fit(RASTER.metrics, 12, [1, 2])
    assert numbers_fit(RASTER.metrics, 40, [1, 22])
    # The ramps are theme roles: every painter finds them by name.
    assert LIGHT.ramp_div_00 == RAMP_COLOURS["ramp_div_00"]


def test_color_values_forces_colour_and_keeps_numbers() -> None:
    scene = _scene(NEW["color_values"])
    assert scene.colour_scales and scene.keep_numbers


# -- matrix pattern ------------------------------------------------------------------------------


def test_matrix_view_at_any_size_fits_a_slide() -> None:
    scene = _scene({"view": "matrix", "input-size": 8, "pad": 1})
    assert scene.shape == (64, 100)
    assert scene.layout.width <= 1920 and scene.layout.height <= 1080
    assert scene.pitch >= 4


# -- CLI -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ("render --color-values --no-values", "--color-values colours cells by their numbers"),
        ("render --color-values --values symbolic", "--color-values colours cells by their numbers"),
        ("render --transpose --view overlap --color-values", "--view overlap has its own colours"),
        ("render --op max --view direct", "--view direct does not apply to --op max"),
        ("render --op avg --kernel-values sobel-x", "--op avg has no kernel"),
    ],
)
def test_bad_calls_are_one_line_exit_2_nothing_written(
    command: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, [*shlex.split(command), "-o", "out.gif"], prog_name="convanim")
    assert result.exit_code == 2, result.output
    assert message in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1
    assert not list(tmp_path.iterdir())


def test_the_issue_commands_render(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for command in (
        "render -i 2 -s 2 -p 1 --output-padding 1 --transpose --view direct -o t.gif",
        "render --values digit --kernel-values sobel-x --frame -1 -o edges.png",
        "render --view matrix -i 8 -p 1 --frame 0 -o m.png",
        "render --op max -k 3 -s 2 -p 1 --ceil-mode -o pool.gif",
        "render --transpose -k 3 -s 2 --view overlap -o checker.gif",
    ):
        result = CliRunner().invoke(cli, shlex.split(command), prog_name="convanim")
        assert result.exit_code == 0, (command, result.output)


def test_preset_commands_write_the_pooling_flags() -> None:
    for name, preset in PRESETS.items():
        command = preset.command()
        spec = preset.conv_spec()
        if spec.is_pool:
            assert f"--op {spec.op}" in command, name
            assert ("--ceil-mode" in command) == spec.ceil_mode, name
            assert ("--no-count-include-pad" in command) == (not spec.count_include_pad), name
        assert "--view direct" in command or not name.endswith("_direct"), name


def test_options_command_writes_the_new_flags() -> None:
    options = RenderOptions.from_mapping(
        {"op": "avg", "pad": 1, "count-include-pad": False, "ceil-mode": True, "color-values": True}
    )
    command = options.command()
    for flag in ("--op avg", "--no-count-include-pad", "--ceil-mode", "--color-values"):
        assert flag in command, command
    again = RenderOptions.from_mapping(
        {"op": "avg", "pad": 1, "count_include_pad": False, "ceil_mode": True, "color_values": True}
    )
    assert again == options


def test_the_ramps_are_palette_and_vector_colours() -> None:
    from convanim.draw.theme import DARK
    from convanim.paint.palette import palette

    for theme in (LIGHT, DARK):
        colours = palette(theme)
        assert len(colours) <= 255
        for role, rgb in RAMP_COLOURS.items():
            assert rgb in colours, (theme.name, role)
    svg = render_bytes(_animation({**NEW["digit_sobel"], "frame": 0}), ".svg").decode()
    step = RAMP_COLOURS[ramp_role("seq", 23)]
    assert "#{:02x}{:02x}{:02x}".format(*step) in svg.lower()
