"""Vector outputs: the same picture as the raster, two ways, and in a real browser.

- Replaying the marks a vector painter records for frame n onto a blank raster canvas gives exactly
  the raster frame n: the display list carries the same cells, numbers, words and outlines.
- Parsing the SVG back and working out which groups its CSS shows during frame n gives exactly the
  marks alive in frame n (so the animation timing is right), and each PDF page holds its frame's
  words as selectable text.
- Headless Chromium rasterises the SVG: outside the text, it is the PNG of the same frame.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from convanim.cli import cli
from convanim.draw.painter import cell_text, line_height, text_width
from convanim.draw.views import make_scene
from convanim.paint.fonts import METRICS
from convanim.paint.raster import RASTER, RasterPainter
from convanim.paint.svg import SvgPainter
from convanim.paint.vector import DisplayList
from convanim.pipeline import VectorMedium, from_options, render_bytes
from convanim.plan.options import RenderOptions

SPREAD = {
    "stride_pad": {"stride": 2, "pad": 1},
    "rect_dilation": {"input-size": "6x7", "kernel-size": "3x2", "dilation": "2x1"},
    "terms_floats": {"input-size": 4, "steps": "term", "values": "random", "seed": 3, "frames": "0:2"},
    "transposed_crop": {"transpose": True, "input-size": 2, "stride": 2, "pad": 1, "output-padding": 1},
    "channels_groups": {"in-channels": 4, "out-channels": 2, "groups": 2, "bias": True, "pad": 1, "frames": "0:6"},
    "symbolic_matrix": {
        "values": "symbolic",
        "input-size": "1x4",
        "kernel-size": "1x3",
        "pad": "0x1",
        "view": "matrix",
    },
    "grad_weight_dark": {"grad": "weight", "pad": 1, "input-size": 4, "theme": "dark", "frames": "0:5"},
    "grad_input": {"grad": "input", "stride": 2, "pad": 1},
}


def _animation(mapping: dict[str, Any]) -> Any:
    return from_options(RenderOptions.from_mapping(mapping))


def _recorded(animation: Any) -> DisplayList:
    """The display list an SVG painter records for every frame of the animation."""
    medium = VectorMedium(SvgPainter, animation.loop)
    drawing = make_scene(animation.trace, animation.look, medium, animation.view, animation.grad_output)
    for _ in drawing.frames(animation.storyboard()):
        pass
    assert isinstance(drawing.painter, DisplayList)
    return drawing.painter


def _raster_frames(animation: Any) -> list[np.ndarray]:
    drawing = make_scene(animation.trace, animation.look, RASTER, animation.view, animation.grad_output)
    return [pixels.copy() for pixels, _, _ in drawing.frames(animation.storyboard())]


def _replay(painter: DisplayList, frame: int) -> np.ndarray:
    raster = RasterPainter(painter.theme, painter.cell_px, painter.width, painter.height)
    for mark in painter.alive(frame):
        kind, *rest = mark
        if kind == "cell":
            raster.cell(*rest, permanent=True)
        elif kind == "outline":
            raster.outline(*rest)
        elif kind == "text":
            raster.text(*rest)
        elif kind == "polygon":
            raster.polygon(*rest, permanent=True)
        else:
            raster.words(*rest)
    return raster.pixels()


@pytest.mark.parametrize("case", sorted(SPREAD))
def test_the_marks_of_each_frame_make_exactly_the_raster_frame(case: str) -> None:
    animation = _animation(SPREAD[case])
    recorded = _recorded(animation)
    frames = _raster_frames(animation)
    assert len(recorded.durations) == len(frames) == len(animation.storyboard())
    assert recorded.durations == [f.duration_ms for f in animation.storyboard()]
    for n, pixels in enumerate(frames):
        assert np.array_equal(_replay(recorded, n), pixels), f"{case}: frame {n}"


# -- the SVG read back ---------------------------------------------------------------------------

SVG = "{http://www.w3.org/2000/svg}"


def _visible_classes(css: str, time_pct: float) -> set[str]:
    """Animated groups whose keyframes show them at ``time_pct`` percent of the cycle."""
    shown = set()
    for name, frames in re.findall(r"@keyframes k(\d+)\{((?:[\d.]+%\{visibility:\w+\})+)\}", css):
        state = "hidden"
        for pct, value in re.findall(r"([\d.]+)%\{visibility:(\w+)\}", frames):
            if float(pct) <= time_pct:
                state = value
        if state == "visible":
            shown.add(f"v{name}")
    return shown


def _svg_content(svg: bytes, time_pct: float | None) -> list[tuple[Any, ...]]:
    """What the SVG shows at a time: cells (position, fill, texts), outlines and texts."""
    root = ET.fromstring(svg)
    css = root.find(f"{SVG}style").text or ""  # type: ignore[union-attr]
    colours = dict(re.findall(r"\.(\w+)\{(?:fill|font:[^;]*;fill):(#[0-9a-f]{6})", css))
    strokes = dict(re.findall(r"\.(\w+)\{fill:none;stroke:(#[0-9a-f]{6})", css))
    defs = {g.get("id"): g for g in root.find(f"{SVG}defs")}  # type: ignore[union-attr]
    shown = _visible_classes(css, time_pct) if time_pct is not None else None
    content: list[tuple[Any, ...]] = []

    def texts(node: ET.Element, dx: float, dy: float) -> list[tuple[Any, ...]]:
        return [
            (
                "text",
                round(float(t.get("x", 0)) + dx, 3),
                round(float(t.get("y", 0)) + dy, 3),
                t.text,
                colours[t.get("class", "")],
            )
            for t in node.iter(f"{SVG}text")
        ]

    def visit(node: ET.Element) -> None:
        for child in node:
            tag = child.tag.removeprefix(SVG)
            if tag == "g":
                if shown is None or child.get("class") in shown:
                    visit(child)
            elif tag == "use":
                x, y = float(child.get("x", 0)), float(child.get("y", 0))
                cell = defs[child.get("href", "").lstrip("#")]
                rect = cell.find(f"{SVG}rect")
                assert rect is not None
                fill = colours[rect.get("class", "").split()[0]]
                content.append(("cell", x, y, fill, tuple(texts(cell, x, y))))
            elif tag == "rect" and child.get("class") in strokes:
                box = tuple(float(child.get(k, 0)) for k in ("x", "y", "width", "height"))
                content.append(("outline", *box, strokes[child.get("class", "")]))
            elif tag == "text":
                content.extend(texts(_wrap(child), 0, 0))

    visit(root)
    return content


def _wrap(node: ET.Element) -> ET.Element:
    holder = ET.Element("g")
    holder.append(node)
    return holder


def _hex(painter: DisplayList, role: str) -> str:
    return "#{:02x}{:02x}{:02x}".format(*getattr(painter.theme, role))


def _expected(painter: DisplayList, frame: int) -> list[tuple[Any, ...]]:
    """The same description, from the marks alive in ``frame``."""
    metrics, content = painter.metrics, []
    for mark in painter.alive(frame):
        kind = mark[0]
        if kind == "cell":
            _, x, y, style = mark
            placed = cell_text(metrics, painter.cell_px, style)
            inner = tuple(("text", float(x + p.x), float(y + p.baseline), p.text, _hex(painter, p.ink)) for p in placed)
            content.append(("cell", float(x), float(y), _hex(painter, style.fill), inner))
        elif kind == "outline":
            _, (x0, y0, x1, y1), role, width = mark
            content.append(
                ("outline", x0 + width / 2, y0 + width / 2, x1 - x0 - width, y1 - y0 - width, _hex(painter, role))
            )
        elif kind == "text":
            _, x, y, text, size, ink, bold = mark
            content.append(("text", float(x + 1), float(y + 1 + metrics.ascent(size, bold)), text, _hex(painter, ink)))
        else:
            from convanim.draw.painter import place_words

            _, x, y, words, size, width, ink = mark
            for word, wx in place_words(metrics, words, size, width):
                content.append(
                    ("text", float(x + wx + 1), float(y + 1 + metrics.ascent(size)), word, _hex(painter, ink))
                )
    return content


@pytest.mark.parametrize("case", ["stride_pad", "transposed_crop", "channels_groups", "grad_weight_dark"])
def test_the_svg_shows_each_frames_marks_during_that_frame(case: str) -> None:
    animation = _animation(SPREAD[case])
    recorded = _recorded(animation)
    svg = render_bytes(animation, ".svg")
    total = sum(recorded.durations)
    start = 0
    for n, duration in enumerate(recorded.durations):
        middle = (start + duration / 2) / total * 100
        assert _svg_content(svg, middle) == _expected(recorded, n), f"{case}: frame {n}"
        start += duration


def test_svg_timing_loop_and_self_containment() -> None:
    animation = _animation({"stride": 2, "pad": 1, "loop": 3, "hold-ms": 3000})
    svg = render_bytes(animation, ".svg").decode()
    assert svg.count("@keyframes") >= 9
    assert "9400ms step-end 3 forwards" in svg  # 8 frames of 800 ms and a 3000 ms hold, three plays
    assert "<script" not in svg and "http://" not in svg.replace("http://www.w3.org/2000/svg", "")
    assert "@font-face{font-family:convanim-sans;src:url(data:font/woff;base64," in svg
    forever = render_bytes(_animation({"stride": 2, "pad": 1}), ".svg").decode()
    assert "step-end infinite forwards" in forever


def test_a_still_svg_is_the_png_frame_and_small() -> None:
    still = _animation({"stride": 2, "pad": 1, "frame": 4})
    svg = render_bytes(still, ".svg")
    assert len(svg) < 40_000
    assert b"@keyframes" not in svg
    recorded_all = _recorded(_animation({"stride": 2, "pad": 1}))
    assert sorted(_svg_content(svg, None)) == sorted(_expected(recorded_all, 4))


def test_vector_files_are_byte_identical_run_to_run() -> None:
    animation = _animation({"stride": 2, "pad": 1})
    for kind in (".svg", ".pdf"):
        assert render_bytes(animation, kind) == render_bytes(_animation({"stride": 2, "pad": 1}), kind)


def test_pdf_has_a_page_per_frame_with_its_words_as_text(tmp_path: Path) -> None:
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        _need("pdftotext (Debian: poppler-utils)")
    animation = _animation({"stride": 2, "pad": 1})
    recorded = _recorded(animation)
    path = tmp_path / "conv.pdf"
    path.write_bytes(render_bytes(animation, ".pdf"))
    assert len(re.findall(rb"/Type /Page\b", path.read_bytes())) == 9
    for n in range(9):
        text = subprocess.run(
            [str(pdftotext), "-f", str(n + 1), "-l", str(n + 1), str(path), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        words = [w for mark in recorded.alive(n) if mark[0] == "words" for w in mark[3]]
        assert words and all(w in text for w in words), (n, words, text)
    still = _animation({"stride": 2, "pad": 1, "frame": -1})
    assert len(re.findall(rb"/Type /Page\b", render_bytes(still, ".pdf"))) == 1


# -- the CLI -----------------------------------------------------------------------------------


def test_the_cli_writes_svg_and_pdf_with_the_gifs_frames(tmp_path: Path) -> None:
    runner = CliRunner()
    for name in ("conv.svg", "conv.pdf", "conv.gif"):
        result = runner.invoke(cli, ["render", "--stride", "2", "--pad", "1", "-o", str(tmp_path / name)])
        assert result.exit_code == 0, result.stderr
        assert "(9 frames)" in result.stderr
    assert (tmp_path / "conv.svg").read_bytes().startswith(b"<?xml")
    assert (tmp_path / "conv.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["-o", "x.svgz"], "--output x.svgz: unknown file type .svgz"),
        (["--frame", "9", "-o", "x.svg"], "--frame 9 is out of range: this animation has frames 0 to 8"),
        (["--frame", "-10", "-o", "x.pdf"], "--frame -10 is out of range"),
        (["-o", "missing/x.svg"], "the folder missing does not exist"),
    ],
)
def test_bad_vector_calls_exit_2_and_write_nothing(tmp_path: Path, args: list[str], needle: str) -> None:
    os.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["render", "-s", "2", "-p", "1", *args])
    assert result.exit_code == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], result.stderr
    assert not list(tmp_path.iterdir())


def test_an_unwritable_target_is_refused_and_the_old_file_kept(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        target = tmp_path / "folder.svg"
        target.mkdir()
        result = CliRunner().invoke(cli, ["render", "-o", str(target)])
        assert result.exit_code == 2 and "is a folder" in result.stderr
        return
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "x.svg").write_text("old")
    folder.chmod(0o555)
    try:
        result = CliRunner().invoke(cli, ["render", "-o", str(folder / "x.svg")])
        assert result.exit_code != 0 and (folder / "x.svg").read_text() == "old"
    finally:
        folder.chmod(0o755)


# -- a real browser ----------------------------------------------------------------------------


def _need(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} is needed in CI: .ci/run installs it")
    pytest.skip(f"{what} is not installed")


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        _need("chromium")
    return str(found)


def _screenshot(svg: bytes, width: int, height: int, seek_ms: int | None) -> np.ndarray:
    """The SVG inline in a page, its CSS animations paused at ``seek_ms``, as Chromium draws it."""
    folder = Path(tempfile.mkdtemp())
    try:
        body = svg.decode().split("?>", 1)[1]
        seek = (
            ""
            if seek_ms is None
            else f"document.getAnimations().forEach(a => {{a.pause(); a.currentTime = {seek_ms};}});"
        )
        (folder / "page.html").write_text(
            f"<!doctype html><html><body style='margin:0'>{body}<script>{seek}</script></body></html>"
        )
        shot = folder / "shot.png"
        subprocess.run(
            [
                _chromium(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--hide-scrollbars",
                "--force-device-scale-factor=1",
                f"--user-data-dir={folder / 'profile'}",
                f"--window-size={width},{height}",
                f"--screenshot={shot}",
                (folder / "page.html").as_uri(),
            ],
            capture_output=True,
            timeout=60,
            check=False,
        )
        with Image.open(shot) as image:
            return np.asarray(image.convert("RGB"))[:height, :width]
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _text_mask(painter: DisplayList, frame: int) -> np.ndarray:
    """Pixels near any text of the frame (glyphs are hinted in the raster, not in a browser)."""
    mask = np.zeros((painter.height, painter.width), dtype=bool)

    def box(x0: float, y0: float, x1: float, y1: float) -> None:
        mask[max(0, int(y0) - 2) : int(y1) + 3, max(0, int(x0) - 2) : int(x1) + 3] = True

    for mark in painter.alive(frame):
        kind = mark[0]
        if kind == "cell":
            _, x, y, style = mark
            for p in cell_text(METRICS, painter.cell_px, style):
                width = text_width(METRICS, p.text, p.size, p.bold)
                box(
                    x + p.x - 1,
                    y + p.baseline - METRICS.ascent(p.size, p.bold) - 1,
                    x + p.x + width,
                    y + p.baseline + METRICS.descent(p.size, p.bold),
                )
        elif kind == "text":
            _, x, y, text, size, _, bold = mark
            box(x, y, x + text_width(METRICS, text, size, bold) + 2, y + line_height(METRICS, size))
        elif kind == "words":
            _, x, y, _, size, width, _ = mark
            box(x, y, x + width, y + line_height(METRICS, size))
    return mask


def _rgb(pixels: np.ndarray, palette: list[tuple[int, int, int]]) -> np.ndarray:
    return np.asarray(palette, dtype=np.uint8)[pixels]


@pytest.mark.parametrize("seek", [None, 2])
def test_chromium_draws_the_svg_as_the_raster_outside_the_text(seek: int | None) -> None:
    mapping: dict[str, Any] = {"stride": 2, "pad": 1}
    if seek is None:
        mapping["frame"] = 4
    animation = _animation(mapping)
    svg = render_bytes(animation, ".svg")
    drawing = make_scene(animation.trace, animation.look, RASTER, animation.view, animation.grad_output)
    assert isinstance(drawing.painter, RasterPainter)
    board = animation.storyboard()
    if seek is None:
        pixels = drawing.still(board, 4)[0]
        recorded, frame, seek_ms = _recorded(_animation({"stride": 2, "pad": 1})), 4, None
    else:
        pixels = [p.copy() for p, _, _ in drawing.frames(board)][seek]
        recorded, frame, seek_ms = _recorded(animation), seek, seek * 800 + 400
    expected = _rgb(pixels, drawing.painter.palette)
    height, width = pixels.shape
    shot = _screenshot(svg, width, height, seek_ms)
    assert shot.shape == expected.shape
    outside = ~_text_mask(recorded, frame)
    differs = np.abs(shot.astype(int) - expected.astype(int)).max(axis=2) > 8
    assert differs[outside].mean() < 0.001, f"{differs[outside].sum()} pixels differ outside the text"
    assert outside.mean() > 0.6  # most of the picture is compared


def test_polygons_are_crisp_in_raster_and_the_same_shape_in_svg() -> None:
    """The volume view's faces: a parallelogram fills the pixels whose centres lie inside."""
    from convanim.draw.theme import LIGHT

    raster = RasterPainter(LIGHT, 20, 60, 40)
    raster.polygon([(10, 10), (30, 10), (40, 20), (20, 20)], "input_fill", "grid", permanent=True)
    raster.polygon([(5, 25), (15, 25), (15, 35), (5, 35)], "kernel_fill")
    pixels = raster.pixels()
    fill, grid = raster.tiles.colour("input_fill"), raster.tiles.colour("grid")
    assert (pixels == raster.tiles.colour("kernel_fill")).sum() == 11 * 11  # an axis-aligned square: exact
    assert pixels[15, 25] == fill and pixels[10, 20] == grid and pixels[5, 5] == raster.tiles.colour("background")
    svg = SvgPainter(LIGHT, 20, 60, 40, METRICS)
    svg.polygon([(10, 10), (30, 10), (40, 20), (20, 20)], "input_fill", "grid", permanent=True)
    svg.end(100)
    buffer = io.BytesIO()
    svg.write(buffer)
    assert '<polygon points="10.5,10.5 30.5,10.5 40.5,20.5 20.5,20.5"' in buffer.getvalue().decode()


def test_a_transparent_background_is_left_out_of_vector_files() -> None:
    plain = render_bytes(_animation({"stride": 2, "pad": 1}), ".svg").decode()
    see_through = render_bytes(_animation({"stride": 2, "pad": 1, "background": "transparent"}), ".svg").decode()
    assert '<rect width="100%" height="100%"' in plain
    assert '<rect width="100%" height="100%"' not in see_through
    assert see_through.count("<use ") == plain.count("<use ")  # every cell is still there
    pdf = render_bytes(_animation({"stride": 2, "pad": 1, "background": "transparent", "frame": 0}), ".pdf")
    assert pdf.startswith(b"%PDF")


@pytest.mark.parametrize(
    "mapping",
    [
        {"stride": 2, "pad": 1},
        {"input_size": 4, "in_channels": 3, "out_channels": 2, "padding": 1, "view": "volume", "theme": "dark"},
        {"input_size": 5, "values": "digit", "kernel_values": "sobel-x"},
    ],
)
def test_poppler_draws_each_pdf_page_as_the_raster_frame_outside_the_text(
    mapping: dict[str, Any], tmp_path: Path
) -> None:
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        _need("pdftoppm (Debian: poppler-utils)")
    animation = _animation(mapping)
    path = tmp_path / "conv.pdf"
    path.write_bytes(render_bytes(animation, ".pdf"))
    drawing = make_scene(animation.trace, animation.look, RASTER, animation.view, animation.grad_output)
    assert isinstance(drawing.painter, RasterPainter)
    frames = [p.copy() for p, _, _ in drawing.frames(animation.storyboard())]
    recorded = _recorded(animation)
    for n in sorted({0, 2, len(frames) - 1}):
        subprocess.run(
            [
                str(pdftoppm),
                "-r",
                "72",
                "-f",
                str(n + 1),
                "-l",
                str(n + 1),
                "-png",
                "-singlefile",
                str(path),
                str(tmp_path / "page"),
            ],
            check=True,
        )
        with Image.open(tmp_path / "page.png") as image:
            page = np.asarray(image.convert("RGB"))
        expected = _rgb(frames[n], drawing.painter.palette)
        assert page.shape == expected.shape
        outside = ~(_text_mask(recorded, n) | _polygon_edges(recorded, n))
        differs = np.abs(page.astype(int) - expected.astype(int)).max(axis=2) > 8
        assert differs[outside].mean() < 0.001, f"page {n + 1}: {differs[outside].sum()} pixels differ outside the text"
        assert outside.mean() > 0.5
    wrong = _rgb(frames[1], drawing.painter.palette)  # the comparison can fail: another frame differs
    subprocess.run(
        [str(pdftoppm), "-r", "72", "-f", "1", "-l", "1", "-png", "-singlefile", str(path), str(tmp_path / "page")],
        check=True,
    )
    with Image.open(tmp_path / "page.png") as image:
        first = np.asarray(image.convert("RGB"))
    assert (np.abs(first.astype(int) - wrong.astype(int)).max(axis=2) > 8).sum() > 50


def _polygon_edges(painter: DisplayList, frame: int) -> np.ndarray:
    """Pixels within a pixel of a polygon's edge: the raster fills pixels whose centres are inside, a
    PDF viewer anti-aliases where faces meet at slants; the faces' insides are still compared."""
    from PIL import ImageDraw

    image = Image.new("L", (painter.width, painter.height), 0)
    draw = ImageDraw.Draw(image)
    for mark in painter.alive(frame):
        if mark[0] == "polygon":
            points = [(x + 0.5, y + 0.5) for x, y in mark[1]]
            draw.line([*points, points[0]], fill=255, width=3)
    return np.asarray(image) > 0
