"""The volume view (``--view volume``) and the depthwise-separable view (``--view separable``).

- Every number on a frame is the trace's, and an independent convolution's: the output cell lit in
  each frame, the per-channel sums, the bias and the total beside the filters, the maps at the end;
  the sum line says word for word what the grid view of the same spec says.
- The separable view chains two traces (depthwise, then 1×1) that match an independent
  implementation; its frame states both parameter counts against one full convolution.
- The marks recorded for frame n, replayed onto a raster, make raster frame n (so SVG and PDF draw
  the same picture); SVG and PDF render from the CLI; every preset fits 1920x1080 at 16:9.
- Refused calls exit 2 with one line and write nothing.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from reference import conv2d
from test_vector import _animation, _raster_frames, _recorded, _replay

from convanim.cli import cli
from convanim.compute import separable
from convanim.compute.tracer import ForwardSteps
from convanim.describe import describe
from convanim.draw.numbers import format_number
from convanim.draw.views import make_scene
from convanim.draw.volume import SeparableScene, VolumeScene
from convanim.paint.raster import RASTER
from convanim.paint.vector import DisplayList
from convanim.pipeline import from_options, make_animation
from convanim.plan.options import RenderOptions
from convanim.plan.presets import PRESETS

DONE_WHEN = {"view": "volume", "in-channels": 3, "out-channels": 2, "pad": 1, "stride": 2, "bias": True}
VOLUME_PRESETS = sorted(name for name, p in PRESETS.items() if p.render.get("view") in ("volume", "separable"))


def _words(marks: list[Any]) -> list[tuple[int, int, str]]:
    """(x, y, text) of every line of words in ``marks``."""
    return [(m[1], m[2], " ".join(m[3])) for m in marks if m[0] == "words"]


def _frame_marks(painter: DisplayList, frame: int) -> list[Any]:
    return list(painter.alive(frame))


def test_every_number_is_the_traces_and_an_independent_convolutions() -> None:
    animation = _animation(DONE_WHEN)
    trace = animation.trace
    spec = trace.spec
    expected = conv2d(trace.input, trace.weight, trace.bias, spec.stride, spec.padding)
    assert np.array_equal(trace.output, expected)
    painter = _recorded(animation)
    steps = trace.steps
    x = np.pad(trace.input, ((0, 0), (1, 1), (1, 1)))
    for n in range(len(steps)):
        f, r, q = (int(v) for v in steps.output_cells[n])
        marks = _frame_marks(painter, n)
        bold = [m[3].text for m in marks if m[0] == "cell" and m[3].bold]
        assert bold == [format_number(expected[f, r, q])], n
        # Beside the filters: each channel's share of the window, the bias, the total.
        window = x[:, r * 2 : r * 2 + 3, q * 2 : q * 2 + 3]
        shares = (window * trace.weight[f]).sum(axis=(1, 2))
        lines = [text for _, _, text in _words(marks)]
        for c in range(3):
            assert f"ch #{c}: {format_number(shares[c])}" in lines, (n, lines)
        assert f"+ bias {format_number(trace.bias[f])}" in lines
        assert f"= {format_number(expected[f, r, q])}" in lines
        assert shares.sum() + trace.bias[f] == expected[f, r, q]
    # At the end, the front map (the last filter's) holds the whole output map, in the filter's colour.
    last = _frame_marks(painter, len(steps) - 1)
    scene = make_scene(trace, animation.look, RASTER, "volume")
    assert isinstance(scene, VolumeScene)
    grid = scene.stages[0].target.front(spec.out_channels - 1)
    ho, wo = spec.output_size
    at = {(m[1], m[2]): m[3] for m in last if m[0] == "cell"}
    for r in range(ho):
        for q in range(wo):
            style = at[grid.origin(r, q)]
            assert style.text == format_number(expected[-1, r, q])
            assert style.fill == f"filter_{spec.out_channels - 1}"


def test_the_sum_line_says_what_the_grid_view_says() -> None:
    volume = _recorded(_animation(DONE_WHEN))
    grid = _recorded(_animation({**DONE_WHEN, "view": "grid"}))
    assert len(volume.durations) == len(grid.durations) == 9 * 2

    def sum_line(painter: DisplayList, frame: int) -> str:
        lines = _words(_frame_marks(painter, frame))
        return max(lines, key=lambda line: line[1])[2]  # the lowest line of words

    for n in range(len(volume.durations)):
        line = sum_line(volume, n)
        assert line == sum_line(grid, n), n
        assert re.fullmatch(
            r"output map #\d \(\d, \d\) = ch #0: \S+ \+ ch #1: \S+ \+ ch #2: \S+ \+ bias \S+ = \S+", line
        )


def test_the_window_passes_through_every_channel_of_the_group() -> None:
    # Full convolution: the window's sub-block is as deep as the input; groups: as deep as one group.
    for mapping, layers in (
        (DONE_WHEN, (0, 2)),
        ({"view": "volume", "in-channels": 4, "out-channels": 2, "groups": 2}, None),
    ):
        animation = _animation(mapping)
        scene = make_scene(animation.trace, animation.look, RASTER, "volume")
        assert isinstance(scene, VolumeScene)
        source = scene.stages[0].source
        spec = animation.trace.spec
        cg = spec.in_channels // spec.groups
        for f in range(spec.out_channels):
            group = f // (spec.out_channels // spec.groups)
            first, last = (group * cg, group * cg + cg - 1) if layers is None else layers
            box = source.sub_block((0, 2), (0, 2), (first, last))
            deep = box.top[2][0] - box.top[1][0]
            assert deep == cg * source.ds
            assert box.on_front == (last == spec.in_channels - 1)


def test_where_faces_and_cells_lie_is_worked_out_once_per_picture() -> None:
    animation = _animation(DONE_WHEN)
    scene = make_scene(animation.trace, animation.look, RASTER, "volume")
    assert isinstance(scene, VolumeScene)
    source = scene.stages[0].source
    # A window that comes back is the same faces; a layer's grid is made once.
    assert source.sub_block((0, 2), (0, 2), (0, 2)) is source.sub_block((0, 2), (0, 2), (0, 2))
    assert source.front(2) is source.front(2)
    # Every frame of the animation: one set of faces per window position (3×3, the first of them
    # asked for above), not one per frame (2 filters × 9).
    frames = list(scene.frames(animation.storyboard()))
    assert len(frames) == 18 and len(source._subs) == 9
    # The steps are read once: the taps drawn on the front are the input cells on the front layer.
    steps = animation.trace.steps
    assert isinstance(steps, ForwardSteps)
    walk = scene.walks[0]
    front = scene.stages[0].source.depth - 1
    for n in range(len(steps)):
        on_front = steps.input_cells[n][steps.input_cells[n][:, 0] == front]
        assert walk.front_cells[n].tolist() == on_front[:, 1:].tolist(), n
    # The automatic cell size measures the frame the plan makes, at every size it may try.
    for cell in (8, 14, 20, 33, 44):
        layout = scene._plan(cell).layout
        assert scene._size(cell) == (layout.width, layout.height), cell


@pytest.mark.parametrize("size", [5, 9])
def test_a_frame_draws_what_it_changes_whatever_the_size_of_the_picture(size: int) -> None:
    # After the static picture, a frame is the window, the filter at work, the output cell and the
    # sums: as many marks for a 9×9 input as for a 5×5 one (a map drawn when it first appears aside).
    painter = _recorded(_animation({**DONE_WHEN, "input-size": size}))
    static = sum(1 for span in painter.spans if span.start == 0)
    per_frame = [sum(1 for span in painter.spans if span.start == n) for n in range(1, len(painter.durations))]
    assert static > max(per_frame)
    assert sorted(per_frame)[len(per_frame) // 2] <= 24


def test_separable_stages_match_an_independent_convolution() -> None:
    options = RenderOptions.from_mapping({"preset": "volume_separable"})
    animation = from_options(options)
    full = animation.trace
    first, second = separable.stages(full)
    c, f = full.spec.in_channels, full.spec.out_channels
    dw = np.stack([full.weight[k % f, k] for k in range(c)])[:, None]
    pw = full.weight[:, :, 1:2, 1:2]
    middle = conv2d(full.input, dw, None, 1, 1, groups=c)
    out = conv2d(middle, pw, full.bias)
    assert np.array_equal(first.output, middle) and np.array_equal(second.output, out)
    # One animation: every depthwise position, then every 1×1 position.
    board = animation.storyboard()
    assert len(board) == (c + f) * 9
    painter = _recorded(animation)
    for n in range(len(board)):
        bold = [m[3].text for m in _frame_marks(painter, n) if m[0] == "cell" and m[3].bold]
        steps = first.steps if n < c * 9 else second.steps
        assert isinstance(steps, ForwardSteps)
        k = n if n < c * 9 else n - c * 9
        g, r, q = (int(v) for v in steps.output_cells[k])
        assert bold == [format_number((middle if n < c * 9 else out)[g, r, q])], n
    # Both parameter counts, against one full convolution, written on the frame.
    counts = separable.params(full.spec)
    assert (counts.depthwise, counts.pointwise, counts.full) == (27, 4 * 3 + 4, 4 * 3 * 9 + 4)
    texts = [m[3] for m in painter.alive(0) if m[0] == "text"]
    assert any("depthwise 27 + pointwise 16 = 43, against 112" in t for t in texts), texts
    assert "27 + 16 = 43 parameters against 112" in describe(options, animation)


@pytest.mark.parametrize(
    "mapping",
    [
        DONE_WHEN,
        {
            "view": "volume",
            "in-channels": 4,
            "out-channels": 2,
            "groups": 2,
            "pad": 1,
            "input-size": 4,
            "theme": "dark",
        },
        {"view": "separable", "in-channels": 2, "out-channels": 3, "input-size": 3, "pad": 1, "frames": "10:30"},
        {"view": "volume", "in-channels": 2, "input-size": 5, "color-values": True},  # colours by value, no numbers
    ],
    ids=["done_when", "groups_dark", "separable_slice", "by_value"],
)
def test_the_marks_of_each_frame_make_exactly_the_raster_frame(mapping: dict[str, Any]) -> None:
    animation = _animation(mapping)
    recorded = _recorded(animation)
    frames = _raster_frames(animation)
    assert len(recorded.durations) == len(frames) == len(animation.storyboard())
    for n, pixels in enumerate(frames):
        assert np.array_equal(_replay(recorded, n), pixels), n
    # Flat edges on whole pixels: every corner of every face is an integer.
    corners = [p for span in recorded.spans if span.mark[0] == "polygon" for p in span.mark[1]]
    assert corners and all(float(v).is_integer() for p in corners for v in p)


def test_colours_by_value_where_numbers_do_not_fit() -> None:
    animation = _animation({"view": "volume", "in-channels": 2, "input-size": 5, "color-values": True})
    painter = _recorded(animation)
    cells = [m[3] for m in painter.alive(0) if m[0] == "cell"]
    assert all(not style.text for style in cells)
    assert any(style.fill.startswith("ramp_") for style in cells)


@pytest.mark.parametrize("view", ["volume", "separable"])
def test_coloured_by_value_the_window_keeps_its_colours_and_a_legend_says_them(view: str) -> None:
    """Each block's ramp in a legend (its range written at both ends); the window's front cells in
    the colour of their values, the outline marking the window; the picture still 16:9."""
    from convanim.draw.ramp import Scale

    animation = _animation({"view": view, "in-channels": 3, "out-channels": 3, "input-size": 4, "color-values": True})
    scene = make_scene(animation.trace, animation.look, RASTER, view)
    assert isinstance(scene, VolumeScene)
    texts = [t.text for t in scene.layout.texts]
    names = ["input:", "output:"] if view == "volume" else ["input:", "depthwise output:", "output:"]
    assert [t for t in texts if t.endswith(":")] == names
    for scale in scene.scales:
        assert isinstance(scale, Scale)
        assert format_number(scale.lo) in texts and format_number(scale.hi) in texts
    assert len([s for s in scene.legend_swatches if s.fill.startswith("ramp_")]) >= 2 * len(names)
    assert scene.layout.width * 9 == scene.layout.height * 16
    painter = _recorded(animation)
    for frame in range(len(painter.durations)):
        window = [m[3] for m in painter.alive(frame) if m[0] == "cell" and m[3].fill.startswith("window")]
        assert all(style.fill == "window_pad_fill" for style in window), frame  # only padding stays plain
    first = [m[3] for m in painter.alive(0) if m[0] == "cell" and not m[3].fill.startswith("window")]
    assert any(style.fill.startswith("ramp_") for style in first)


@pytest.mark.parametrize("name", VOLUME_PRESETS)
def test_presets_fit_a_1080p_slide_at_16_9(name: str) -> None:
    animation = from_options(RenderOptions.from_mapping({"preset": name}))
    scene = make_scene(animation.trace, animation.look, RASTER, animation.view)
    width, height = scene.layout.width, scene.layout.height
    assert width <= 1920 and height <= 1080, (name, width, height)
    assert width * 9 == height * 16 and width % 2 == 0 == height % 2, (name, width, height)
    assert scene.cell_px >= 14


def test_five_volume_presets_with_describe() -> None:
    assert VOLUME_PRESETS == [
        "volume_depthwise",
        "volume_groups",
        "volume_padding_strides",
        "volume_rgb",
        "volume_separable",
    ]
    for name in VOLUME_PRESETS:
        text = describe(RenderOptions.from_mapping({"preset": name}))
        assert "Drawn as 3-D blocks" in text, name


@pytest.mark.parametrize("suffix", [".svg", ".pdf", ".gif"])
def test_every_format_renders(tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"vol{suffix}"
    args = ["render", "--view", "volume", "--in-channels", "3", "--out-channels", "2", "-p", "1", "-s", "2"]
    result = CliRunner().invoke(cli, [*args, "--bias", "-o", str(target)])
    assert result.exit_code == 0, result.output
    data = target.read_bytes()
    assert data[:4] in (b"GIF8", b"%PDF", b"<?xm", b"<svg")
    if suffix == ".svg":
        assert b"<polygon" in data


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--view", "volume", "--transpose"], "--view volume draws a forward convolution: drop --transpose"),
        (["--view", "volume", "--grad", "weight"], "--view volume has no --grad"),
        (["--view", "volume", "--steps", "term"], "one window position per frame: drop --steps term"),
        (["--view", "volume", "--values", "symbolic"], "--view volume draws numbers: drop --values symbolic"),
        (["--view", "separable", "--in-channels", "2", "--out-channels", "2", "--groups", "2"], "drop --groups"),
        (["--view", "volume", "--op", "max"], "--view volume does not apply to --op max"),
    ],
)
def test_refused_calls_say_why_in_one_line_and_write_nothing(tmp_path: Path, args: list[str], words: str) -> None:
    target = tmp_path / "out.gif"
    result = CliRunner().invoke(cli, ["render", *args, "-o", str(target)])
    assert result.exit_code == 2, result.output
    assert words in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_the_scene_refuses_what_it_cannot_draw_through_the_api() -> None:
    from convanim.errors import SpecError

    animation = _animation({"transpose": True})
    with pytest.raises(SpecError, match="view volume draws a forward convolution: drop transposed"):
        make_scene(animation.trace, animation.look, RASTER, "volume")
    with pytest.raises(SpecError, match="view separable has no grad"):
        make_animation(_animation({}).trace, view="separable", grad="weight")
    assert SeparableScene.__mro__[1] is VolumeScene


def test_numbers_where_legible_colours_by_value_where_not() -> None:
    def scene_for(mapping: dict[str, Any]) -> VolumeScene:
        animation = _animation(mapping)
        scene = make_scene(animation.trace, animation.look, RASTER, "volume")
        assert isinstance(scene, VolumeScene)
        return scene

    small = scene_for(DONE_WHEN)
    assert not small.by_value and small.cell_px >= 20
    large = scene_for({"view": "volume", "input-size": 64, "pad": 1, "in-channels": 3, "out-channels": 2})
    assert large.by_value and large.cell_px < 20
    assert large.layout.width <= 1920 and large.layout.height <= 1080
