"""Rendered animations read back: frames, timing, loop, geometry and numbers against the trace."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from convanim import ConvSpec
from convanim.draw.numbers import format_number
from convanim.draw.painter import CellStyle
from convanim.draw.scenes import Look
from convanim.draw.theme import DARK, LIGHT, TEXT_PAIRS, contrast
from convanim.draw.views import make_scene
from convanim.paint.palette import palette
from convanim.paint.raster import RASTER
from convanim.pipeline import Animation, render_bytes


def _frames(data: bytes) -> list[tuple[np.ndarray, int]]:
    """Every frame of a GIF as RGB arrays, with its duration."""
    out = []
    with Image.open(io.BytesIO(data)) as image:
        for k in range(image.n_frames):
            image.seek(k)
            out.append((np.asarray(image.convert("RGB")), image.info["duration"]))
    return out


def _animation(**spec: object) -> Animation:
    return Animation.from_spec(ConvSpec(**spec))  # type: ignore[arg-type]


PAD_STRIDE = {"input_size": (5, 5), "stride": (2, 2), "padding": (1, 1)}


def test_gif_frames_timing_and_loop() -> None:
    data = render_bytes(_animation(**PAD_STRIDE))
    with Image.open(io.BytesIO(data)) as image:
        assert image.n_frames == 9
        assert image.info["loop"] == 0
        assert image.width >= 395
    durations = [d for _, d in _frames(data)]
    assert durations == [800] * 8 + [2400]


def test_loop_counts_plays() -> None:
    once = render_bytes(Animation.from_spec(ConvSpec(), loop=1))  # type: ignore[arg-type]
    with Image.open(io.BytesIO(once)) as image:
        assert "loop" not in image.info
    thrice = render_bytes(Animation.from_spec(ConvSpec(), loop=3))  # type: ignore[arg-type]
    with Image.open(io.BytesIO(thrice)) as image:
        assert image.info["loop"] == 2  # NETSCAPE counts repeats after the first play


def test_term_steps_make_a_frame_per_multiply_add() -> None:
    animation = Animation.from_spec(ConvSpec(input_size=(4, 4)), steps="term")  # type: ignore[arg-type]
    frames = _frames(render_bytes(animation))
    assert len(frames) == 4 * 9
    assert frames[0][1] == 400


def _shows(pixels: np.ndarray, x: int, y: int, tile: np.ndarray) -> bool:
    """The cell at (x, y) shows ``tile`` inside the 3-px rim that highlight outlines may cover."""
    h, w = tile.shape[:2]
    return bool((pixels[y + 3 : y + h - 3, x + 3 : x + w - 3] == tile[3:-3, 3:-3]).all())


def _rgb(name: str, theme=LIGHT) -> np.ndarray:  # type: ignore[no-untyped-def]
    return np.array(getattr(theme, name), dtype=np.uint8)


@pytest.mark.parametrize("spec", [PAD_STRIDE, {"input_size": (6, 7), "kernel_size": (3, 2), "dilation": (2, 1)}])
def test_window_box_and_output_numbers_come_from_the_trace(spec: dict[str, object]) -> None:
    animation = _animation(**spec)
    trace = animation.trace
    frames = _frames(render_bytes(animation))
    drawing = make_scene(trace, Look(), RASTER)
    layout = drawing.layout
    edge = _rgb("window_edge")
    grid = layout.inputs[0]
    for n, (pixels, _) in enumerate(frames):
        cells = trace.steps.input_cells[n]
        x0, y0, x1, y1 = grid.box(cells[:, 1].min(), cells[:, 2].min(), cells[:, 1].max(), cells[:, 2].max())
        # The outline sits exactly on the window's pixel box...
        assert (pixels[y0, x0:x1] == edge).all()
        assert (pixels[y1 - 1, x0:x1] == edge).all()
        assert (pixels[y0:y1, x0] == edge).all()
        # ...and nowhere outside it on the input grid.
        outside = np.ones(pixels.shape[:2], dtype=bool)
        outside[y0:y1, x0:x1] = False
        box = np.zeros_like(outside)
        box[grid.y : grid.y + grid.height, grid.x : grid.x + grid.width] = True
        assert not (pixels[outside & box] == edge).all(axis=-1).any()
    # In the last frame every output cell shows the trace's number, in the final tile.
    last = frames[-1][0]
    out = layout.outputs[0]
    rgb = np.array(drawing.painter.palette, dtype=np.uint8)
    for n in range(len(trace.steps) - 1):
        f, r, q = trace.steps.output_cells[n]
        tile = drawing.painter.tiles.cell_tile(CellStyle("output_fill", format_number(trace.output[f, r, q])))
        x, y = out.origin(r, q)
        assert _shows(last, x, y, rgb[tile])


def test_scatter_frames_show_running_sums_and_crop() -> None:
    animation = _animation(input_size=(2, 2), stride=(2, 2), padding=(1, 1), output_padding=(1, 1), transposed=True)
    trace = animation.trace
    frames = _frames(render_bytes(animation))
    assert len(frames) == 4 + 1  # four stamps and the crop
    drawing = make_scene(trace, Look(), RASTER)
    rgb = np.array(drawing.painter.palette, dtype=np.uint8)
    grid = drawing.layout.outputs[0]
    # After the second stamp the shared column holds the summed overlap, marked as such.
    pixels = frames[1][0]
    steps = trace.steps
    for a_row, r in enumerate(steps.rows[1]):
        q = steps.cols[1][0]
        top, left, height, width = steps.crop
        if not (top <= r < top + height and left <= q < left + width):
            continue
        value = steps.running[1, 0, a_row, 0]
        tile = drawing.painter.tiles.cell_tile(CellStyle("overlap_fill", format_number(value), bold=True))
        x, y = grid.origin(r, q)
        assert _shows(pixels, x, y, rgb[tile])
    # The crop frame shows the output (which has the PyTorch size 4x4).
    assert trace.output.shape == (1, 4, 4)
    last = frames[-1][0]
    for r in range(4):
        for q in range(4):
            tile = drawing.painter.tiles.cell_tile(CellStyle("output_current", format_number(trace.output[0, r, q])))
            x, y = grid.origin(r + 1, q + 1)
            assert _shows(last, x, y, rgb[tile])


def test_png_still_is_the_chosen_frame() -> None:
    gif = _frames(render_bytes(_animation(**PAD_STRIDE)))
    for index in (0, 4, -1):
        still = render_bytes(Animation.from_spec(ConvSpec(**PAD_STRIDE), still=index), ".png")  # type: ignore[arg-type]
        with Image.open(io.BytesIO(still)) as image:
            assert image.format == "PNG"
            assert (np.asarray(image.convert("RGB")) == gif[index][0]).all()


def test_same_request_same_bytes() -> None:
    assert render_bytes(_animation(**PAD_STRIDE)) == render_bytes(_animation(**PAD_STRIDE))


def test_no_values_draws_no_numbers() -> None:
    plain = Animation.from_spec(ConvSpec(**PAD_STRIDE), look=Look(values=False))  # type: ignore[arg-type]
    drawing = make_scene(plain.trace, plain.look, RASTER)
    theme_colours = {tuple(c) for c in LIGHT.colours().values()}
    frames = _frames(render_bytes(plain))
    assert len(frames) == 9
    for pixels, _ in frames:
        for grid in (*drawing.layout.inputs.values(), *drawing.layout.outputs.values()):
            region = pixels[grid.y : grid.y + grid.height, grid.x : grid.x + grid.width].reshape(-1, 3)
            # Only flat theme colours: no anti-aliased text anywhere in the grids.
            assert {tuple(c) for c in np.unique(region, axis=0)} <= theme_colours


@pytest.mark.parametrize("theme", [LIGHT, DARK])
def test_text_contrast_and_palette(theme) -> None:  # type: ignore[no-untyped-def]
    for fill, ink in TEXT_PAIRS:
        assert contrast(getattr(theme, fill), getattr(theme, ink)) >= 4.5, (theme.name, fill, ink)
    assert len(palette(theme)) <= 255


def test_dark_theme_uses_its_background() -> None:
    animation = Animation.from_spec(ConvSpec(**PAD_STRIDE), look=Look(theme="dark"))  # type: ignore[arg-type]
    pixels = _frames(render_bytes(animation))[0][0]
    assert (pixels[0, 0] == _rgb("background", DARK)).all()


def test_frames_slice_keeps_the_picture_size() -> None:
    spec = ConvSpec(input_size=(8, 8), padding=(1, 1))
    whole = Animation.from_spec(spec)
    part = Animation.from_spec(spec, frames=(10, 20))  # type: ignore[arg-type]
    a, b = _frames(render_bytes(whole)), _frames(render_bytes(part))
    assert len(b) == 10
    assert a[0][0].shape == b[0][0].shape
    # The slice's first frame is the whole animation's frame 10, outputs before it filled in.
    assert (b[0][0] == a[10][0]).all()


def test_dark_theme_fills_are_told_apart() -> None:
    """Issue 14: padding, input and background differ by at least 1.5:1 in the dark theme."""
    from convanim.draw.theme import DARK

    for a, b in (("pad_fill", "background"), ("input_fill", "background"), ("input_fill", "pad_fill")):
        assert contrast(getattr(DARK, a), getattr(DARK, b)) >= 1.5, (a, b)
    for fill in ("background", "pad_fill", "input_fill", "kernel_fill", "output_fill"):
        assert contrast(DARK.grid, getattr(DARK, fill)) >= 1.2, fill  # grid lines visible on every fill
