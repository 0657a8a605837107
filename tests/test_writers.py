"""Every file type read back: frames, sizes, durations, loop, alpha, and the refusals.

GIF is the reference: the WebP, MP4, HTML and frame-sequence outputs of the same animation must
carry its frames and durations (exactly, or for MP4 within the comparison's tolerance).
"""

from __future__ import annotations

import base64
import io
import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

import convanim.write.mp4 as mp4
from convanim.cli import cli
from convanim.compare import MP4_TOLERANCE, block_difference, compare
from convanim.pipeline import fit_cell, from_options, picture_size, render_bytes, render_file
from convanim.plan.options import RenderOptions
from convanim.write.base import OutputInfo
from convanim.write.gif import TransparentGifWriter
from convanim.write.mp4 import Mp4Writer
from convanim.write.webp import WebpWriter

av = pytest.importorskip("av")

STRIDE_2 = {"stride": 2, "padding": 1}
LIGHT_BACKGROUND = (255, 255, 255)


def animation(**options: object):  # type: ignore[no-untyped-def]
    return from_options(RenderOptions.from_mapping(options))


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), prog_name="convanim")


def image_frames(data: bytes) -> list[tuple[np.ndarray, int]]:
    """Every frame of a GIF or WebP as an RGBA array, with its duration in ms."""
    frames = []
    with Image.open(io.BytesIO(data)) as image:
        for index in range(image.n_frames):
            image.seek(index)
            image.load()
            frames.append((np.asarray(image.convert("RGBA")), int(image.info["duration"])))
    return frames


def video_frames(data: bytes) -> tuple[tuple[int, int], list[tuple[np.ndarray, int, int]], str]:
    """Size, (RGB, start ms, duration ms) of every frame, and the pixel format of an MP4."""
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        frames = []
        for frame in container.decode(stream):
            base = frame.time_base
            start = round(float(frame.pts * base) * 1000)
            frames.append((frame.to_ndarray(format="rgb24"), start, round(float(frame.duration * base) * 1000)))
        return (stream.width, stream.height), frames, stream.codec_context.pix_fmt


@pytest.fixture(scope="module")
def gif() -> bytes:
    return render_bytes(animation(**STRIDE_2), ".gif")


# --- WebP -------------------------------------------------------------------------------------


def test_webp_has_the_gif_frames_and_durations_exactly(gif: bytes) -> None:
    data = render_bytes(animation(**STRIDE_2), ".webp")
    webp, reference = image_frames(data), image_frames(gif)
    assert len(webp) == len(reference) == 9
    assert [ms for _, ms in webp] == [ms for _, ms in reference] == [800] * 8 + [2400]
    for (pixels, _), (expected, _) in zip(webp, reference, strict=True):
        assert np.array_equal(pixels, expected)  # lossless
    with Image.open(io.BytesIO(data)) as image:
        assert image.info["loop"] == 0
    assert len(data) * 2 <= len(gif)
    assert render_bytes(animation(**STRIDE_2), ".webp") == data  # the same bytes every run


def test_webp_loop_count_and_merged_frames() -> None:
    buffer = io.BytesIO()
    writer = WebpWriter(buffer, 20, 10, [(255, 255, 255), (200, 0, 0)], loop=3, info=OutputInfo(background=0))
    frame = np.zeros((10, 20), dtype=np.uint8)
    writer.add(frame, 100)
    frame[2:5, 2:5] = 1
    writer.add(frame, 200, (2, 2, 5, 5))
    writer.add(frame, 300, (0, 0, 1, 1))  # the same picture: merged into the last frame
    writer.finish()
    writer.close()
    frames = image_frames(buffer.getvalue())
    assert [ms for _, ms in frames] == [100, 500]
    with Image.open(io.BytesIO(buffer.getvalue())) as image:
        assert image.info["loop"] == 3


# --- MP4 --------------------------------------------------------------------------------------


def test_mp4_keeps_every_frame_duration_and_the_hold(gif: bytes) -> None:
    data = render_bytes(animation(**STRIDE_2), ".mp4")
    (width, height), frames, pix_fmt = video_frames(data)
    reference = image_frames(gif)
    assert pix_fmt == "yuv420p"
    assert len(frames) == 9
    assert [start for _, start, _ in frames] == [800 * k for k in range(9)]
    assert [ms for _, _, ms in frames] == [800] * 8 + [2400]  # the hold is kept
    with av.open(io.BytesIO(data)) as container:
        assert container.duration == 8_800_000  # microseconds: the whole animation, hold included
    for (rgb, _, _), (expected, _) in zip(frames, reference, strict=True):
        assert rgb.shape[:2] == (height, width)
        worst, _ = block_difference(rgb[: expected.shape[0], : expected.shape[1]], expected[..., :3])
        assert worst <= MP4_TOLERANCE
    assert render_bytes(animation(**STRIDE_2), ".mp4") == data  # threads pinned: the same bytes every run


def test_mp4_pads_odd_sizes_with_the_background() -> None:
    palette = [(20, 30, 40), (250, 250, 250)]
    buffer = io.BytesIO()
    writer = Mp4Writer(buffer, 51, 41, palette, info=OutputInfo(background=0))
    frame = np.ones((41, 51), dtype=np.uint8)
    writer.add(frame, 500)
    frame[10:20, 10:20] = 0
    writer.add(frame, 1500, (10, 10, 20, 20))
    writer.finish()
    writer.close()
    size, frames, _ = video_frames(buffer.getvalue())
    assert size == (52, 42)
    assert [(start, ms) for _, start, ms in frames] == [(0, 500), (500, 1500)]
    last = frames[-1][0].astype(int)
    assert np.abs(last[-1, :-2] - palette[0]).max() <= 12  # the padding row is the background
    assert np.abs(last[25:35, 25:35] - palette[1]).max() <= 12


def test_mp4_refuses_a_transparent_background(tmp_path: Path) -> None:
    result = run("render", "--background", "transparent", "-o", str(tmp_path / "a.mp4"))
    assert result.exit_code == 2
    assert "--background transparent" in result.stderr and "no alpha" in result.stderr
    assert "use .gif" in result.stderr
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError, match="alpha"):
        Mp4Writer(io.BytesIO(), 4, 4, [(0, 0, 0)], info=OutputInfo(transparent=True))


def test_a_missing_encoder_names_the_install_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "av", None)  # import av fails
    result = run("render", "-o", str(tmp_path / "a.mp4"))
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"Error: --output {tmp_path / 'a.mp4'}: writing .mp4 needs PyAV, which is not installed: "
        "pip install 'convanim[mp4]'"
    ]
    assert list(tmp_path.iterdir()) == []


def test_a_pyav_without_libx264_is_refused_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """PyAV is imported only when the writer starts (while the first frames are drawn): its lack of
    libx264 is said then, in one line, and nothing is written, on one core and on two."""
    import av

    monkeypatch.setattr(av, "codecs_available", av.codecs_available - {"libx264"})
    for jobs in ("1", "2"):
        result = run("render", "-i", "9", "-j", jobs, "-o", str(tmp_path / "a.mp4"))
        assert result.exit_code == 2
        assert result.stderr.strip().splitlines() == [
            "Error: --output .mp4: this PyAV has no libx264 encoder: install PyAV's own wheel "
            "(pip install 'convanim[mp4]')"
        ]
        assert list(tmp_path.iterdir()) == []


def test_mp4_is_compared_by_what_a_viewer_sees(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made = animation(**STRIDE_2)
    expected = render_bytes(made, ".mp4")
    path = tmp_path / "conv.mp4"
    monkeypatch.setattr(mp4, "THREADS", 1)
    monkeypatch.setattr(mp4, "PRESET", "veryfast")
    path.write_bytes(render_bytes(made, ".mp4"))
    assert path.read_bytes() != expected  # other encoder settings, other bytes ...
    assert compare("conv.mp4", expected, path) is None  # ... the same video
    monkeypatch.undo()
    path.write_bytes(render_bytes(animation(**STRIDE_2, seed=1), ".mp4"))
    reason = compare("conv.mp4", expected, path)
    assert reason is not None and reason.startswith("frame 0: the pixels near")
    path.write_bytes(render_bytes(animation(**STRIDE_2, hold_ms=1200), ".mp4"))
    assert compare("conv.mp4", expected, path) == (
        "frame 8 shows at 6400 ms for 1200 ms, expected at 6400 ms for 2400 ms"
    )
    path.write_bytes(render_bytes(animation(**STRIDE_2, frames="0:4"), ".mp4"))
    assert compare("conv.mp4", expected, path) == "4 frames, expected 9"
    path.write_bytes(b"not a video")
    assert compare("conv.mp4", expected, path) == "not a readable MP4"


def test_webp_and_html_are_compared_by_pixels_and_timing(tmp_path: Path) -> None:
    expected = render_bytes(animation(**STRIDE_2), ".webp")
    path = tmp_path / "conv.webp"
    path.write_bytes(render_bytes(animation(**STRIDE_2, seed=3), ".webp"))
    assert compare(path.name, expected, path) == "frame 0: pixels differ"
    path.write_bytes(render_bytes(animation(**STRIDE_2, hold_ms=1000), ".webp"))
    assert compare(path.name, expected, path) == "frame 8 lasts 1000 ms, expected 2400"

    page = render_bytes(animation(**STRIDE_2), ".html")
    images = re.findall(rb"iVBORw0KGgo[A-Za-z0-9+/]*=*", page)
    assert len(images) == 9
    path = tmp_path / "conv.html"
    # The same pixels in other PNG bytes (another zlib) are the same page ...
    with Image.open(io.BytesIO(base64.b64decode(images[1]))) as image:
        again = io.BytesIO()
        image.save(again, format="PNG", compress_level=1)
    assert again.getvalue() != base64.b64decode(images[1])
    path.write_bytes(page.replace(images[1], base64.b64encode(again.getvalue())))
    assert compare(path.name, page, path) is None
    # ... other pixels, or other words, are not.
    path.write_bytes(page.replace(images[1], b"\0").replace(images[2], images[1]).replace(b"\0", images[2]))
    assert compare(path.name, page, path) == "frame 1: pixels differ"
    path.write_bytes(render_bytes(animation(**STRIDE_2, hold_ms=1000), ".html"))
    assert compare(path.name, page, path) == "the page differs"


# --- transparent backgrounds --------------------------------------------------------------------


def test_transparent_background_in_gif_png_webp_html(tmp_path: Path, gif: bytes) -> None:
    opaque = image_frames(gif)
    see_through = animation(**STRIDE_2, background="transparent")
    for suffix in (".gif", ".webp"):
        frames = image_frames(render_bytes(see_through, suffix))
        assert [ms for _, ms in frames] == [ms for _, ms in opaque]
        for (pixels, _), (reference, _) in zip(frames, opaque, strict=True):
            background = (reference[..., :3] == LIGHT_BACKGROUND).all(axis=2)
            assert background.mean() > 0.3
            assert np.array_equal(pixels[..., 3] == 0, background), suffix
            assert np.array_equal(pixels[~background], reference[~background]), suffix
    still = render_bytes(see_through, ".png")
    with Image.open(io.BytesIO(still)) as image:
        rgba = np.asarray(image.convert("RGBA"))
    assert np.array_equal(rgba[..., 3] == 0, (opaque[-1][0][..., :3] == LIGHT_BACKGROUND).all(axis=2))
    page = render_bytes(see_through, ".html").decode()
    assert ',1,"' in page  # later frames clear their box before drawing it


@st.composite
def sequences(draw: st.DrawFn) -> list[tuple[np.ndarray, tuple[int, int, int, int] | None, int]]:
    """Frames over a small palette where background (0) comes and goes, with true change boxes."""
    height, width = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    count = draw(st.integers(1, 6))
    frames = []
    previous = None
    for _ in range(count):
        cells = draw(st.lists(st.sampled_from([0, 0, 1, 2]), min_size=height * width, max_size=height * width))
        pixels = np.array(cells, dtype=np.uint8).reshape(height, width)
        box = None
        if previous is not None and draw(st.booleans()):
            diff = np.argwhere(pixels != previous)
            if diff.size:
                (y0, x0), (y1, x1) = diff.min(axis=0), diff.max(axis=0) + 1
                box = (int(x0), int(y0), int(x1), int(y1))
            else:
                box = (0, 0, 0, 0)
        frames.append((pixels, box, draw(st.sampled_from([20, 100, 800]))))
        previous = pixels
    return frames


@given(sequences())
def test_transparent_gif_shows_every_frame_exactly(frames) -> None:  # type: ignore[no-untyped-def]
    """A pixel may turn back into background: the disposal scheme must still show each frame."""
    palette = [(255, 255, 255), (200, 0, 0), (0, 0, 200)]
    buffer = io.BytesIO()
    height, width = frames[0][0].shape
    writer = TransparentGifWriter(buffer, width, height, palette, info=OutputInfo(background=0, transparent=True))
    for pixels, box, ms in frames:
        writer.add(pixels, ms, box)
    writer.finish()
    shown = image_frames(buffer.getvalue())
    # Identical neighbours are merged: compare against the distinct frames, durations summed.
    expected: list[tuple[np.ndarray, int]] = []
    for pixels, _, ms in frames:
        if expected and np.array_equal(expected[-1][0], pixels):
            expected[-1] = (expected[-1][0], expected[-1][1] + ms)
        else:
            expected.append((pixels, ms))
    assert [ms for _, ms in shown] == [ms for _, ms in expected]
    colours = np.array([(*rgb, 255) for rgb in palette], dtype=np.uint8)
    for (rgba, _), (pixels, _) in zip(shown, expected, strict=True):
        assert np.array_equal(rgba[..., 3] == 0, pixels == 0)
        assert np.array_equal(rgba[pixels != 0], colours[pixels[pixels != 0]])


# --- frame sequences ----------------------------------------------------------------------------


def test_frame_pattern_writes_one_png_per_frame(tmp_path: Path) -> None:
    pattern = str(tmp_path / "f" / "conv-%03d.png")  # the folder does not exist yet
    result = run("render", "-s", "2", "-p", "1", "-o", pattern)
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (tmp_path / "f").iterdir())
    assert names == [f"conv-{k:03d}.png" for k in range(9)]
    assert "conv-000.png … " in result.stderr and "(9 frames)" in result.stderr
    for index in (0, 4, 8):  # frame i of the sequence is the still --frame i
        still = render_bytes(animation(**STRIDE_2, frame=index), ".png")
        assert compare("x.png", still, tmp_path / "f" / f"conv-{index:03d}.png") is None
    # A shorter render into the same pattern names what is left of the longer one.
    result = run("render", "-s", "2", "-p", "1", "--frames", "0:4", "-o", pattern)
    assert result.exit_code == 0
    assert "conv-004.png … " in result.stderr and "from an earlier render: delete them" in result.stderr


def test_a_failed_frame_sequence_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import convanim.write.sequence as sequence

    calls = []

    def failing(*args: object) -> None:
        calls.append(1)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        stream = args[0]
        stream.write(b"x")  # type: ignore[attr-defined]

    monkeypatch.setattr(sequence, "write_png", failing)
    with pytest.raises(OSError, match="No space"):
        render_file(animation(**STRIDE_2), str(tmp_path / "new" / "deeper" / "%d.png"))
    assert list(tmp_path.iterdir()) == []  # no frames, no temporary files, no folders


# --- the GIF frame encoder --------------------------------------------------------------------------


@given(
    st.integers(1, 40),
    st.integers(1, 40),
    st.integers(0, 255),
    st.integers(0, 2000),
    st.sampled_from([(0, None), (1, 255), (2, None), (1, 7)]),
    st.integers(0, 2**32 - 1),
)
def test_gif_frames_are_the_bytes_pillow_writes(  # type: ignore[no-untyped-def]
    height, width, x, duration, disposal_transparency, seed
) -> None:
    """Our Pillow frame encoder drives its LZW directly: its bytes are ``GifImagePlugin.getdata``'s."""
    from PIL import GifImagePlugin

    from convanim.write.gif import encode_frame_whole

    disposal, transparency = disposal_transparency
    rng = np.random.default_rng(seed)
    patch = rng.integers(0, 256, (height, width), dtype=np.uint8)
    patch[rng.random((height, width)) < 0.6] = 255  # runs of one index, as unchanged pixels are
    params = {"duration": duration // 10 * 10, "disposal": disposal}
    if transparency is not None:
        params["transparency"] = transparency
    pieces = [(0, 0, patch, None)]
    expected = b"".join(GifImagePlugin.getdata(Image.fromarray(patch), offset=(x, 3 * x), **params))
    assert encode_frame_whole((x, 3 * x, height, width, pieces, params)) == expected


@pytest.mark.parametrize(
    "options",
    [STRIDE_2, {"view": "matrix"}, {"view": "volume", "in_channels": 3}, {"color_values": True, "input_size": 9}],
)
def test_the_layout_alone_has_the_picture_size(options: dict[str, object]) -> None:
    """``picture_size`` lays the scene out without painting it: the size the frames have."""
    made = animation(**options)
    frame = Image.open(io.BytesIO(render_bytes(made, ".png")))
    assert picture_size(made) == frame.size


# --- --fit --------------------------------------------------------------------------------------


@pytest.mark.parametrize("box", [(1920, 1080), (800, 300), (661, 1000)])
def test_fit_takes_the_largest_cell_that_fits(box: tuple[int, int]) -> None:
    made = animation(**STRIDE_2, fit=f"{box[0]}x{box[1]}")
    cell = made.look.cell_px
    assert cell is not None
    width, height = picture_size(made)
    assert width + width % 2 <= box[0] and height + height % 2 <= box[1]
    from dataclasses import replace

    bigger = picture_size(replace(made, look=replace(made.look, cell_px=cell + 1)))
    assert cell == 200 or bigger[0] + bigger[0] % 2 > box[0] or bigger[1] + bigger[1] % 2 > box[1]
    assert fit_cell(made, box) == cell


def test_fit_refusals(tmp_path: Path) -> None:
    cases = [
        (["--fit", "1920"], "Error: --fit '1920' is not WxH: write a width and height in px such as 1920x1080"),
        (["--fit", "0x1080"], "Error: --fit 0x1080 is out of range: give a width and height in px from 1 to 16384"),
        (["--fit", "300x200"], "Error: --fit 300x200 is too small: at the smallest legible cell (14 px)"),
        (["--fit", "1920x1080", "--cell-px", "20"], "Error: --fit chooses the cell size: drop --cell-px or --fit"),
    ]
    for args, message in cases:
        result = run("render", *args, "-o", str(tmp_path / "a.gif"))
        assert result.exit_code == 2, args
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(message), lines
    assert list(tmp_path.iterdir()) == []


# --- refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ("f/conv-%s.png", "a frame pattern needs exactly one %d in the file name"),
        ("f/%d-%d.png", "a frame pattern needs exactly one %d in the file name"),
        ("conv-%03d.gif", "a frame pattern writes one .png file per frame: end the name in .png"),
        ("conv.avi", "unknown file type .avi: end the name in .gif (animation)"),
    ],
)
def test_bad_outputs_exit_2_and_write_nothing(tmp_path: Path, output: str, message: str) -> None:
    result = run("render", "-o", str(tmp_path / output))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and lines[0].startswith("Error: --output ")
    assert list(tmp_path.iterdir()) == []


def test_frame_and_pattern_together_are_refused(tmp_path: Path) -> None:
    result = run("render", "--frame", "2", "-o", str(tmp_path / "%d.png"))
    assert result.exit_code == 2
    assert "--frame picks one frame" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_html_is_self_contained_and_deterministic(gif: bytes) -> None:
    made = animation(**STRIDE_2)
    page = render_bytes(made, ".html", name="conv.html")
    assert render_bytes(animation(**STRIDE_2), ".html", name="conv.html") == page
    text = page.decode()
    assert "http:" not in text and "https:" not in text and ' src="data:image/png;base64,' in text
    assert "Made with <code>convanim render --stride 2 --pad 1 -o conv.html</code>" in text
    assert f'alt="{made.alt}"' in text and 'aria-label="Play"' in text
    data = json.loads(re.search(r'<script type="application/json" class="ca-data">(.*?)</script>', text).group(1))
    assert data["durations"] == [800] * 8 + [2400] and data["loop"] == 0 and len(data["frames"]) == 9
    x, y, clear, patch = data["frames"][1]
    with Image.open(io.BytesIO(base64.b64decode(patch))) as image:
        assert image.format == "PNG" and image.width < 776 and (x, y, clear) >= (0, 0, 0)
    assert len(page) <= 2 * len(gif)


def test_assets_check_reads_an_mp4_as_a_viewer_sees_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "convanim.toml"
    config.write_text('out-dir = "out"\n[assets.video]\nstride = 2\npad = 1\noutput = "conv.mp4"\n')
    assert run("assets", "--config", str(config)).exit_code == 0
    video = tmp_path / "out" / "conv.mp4"
    monkeypatch.setattr(mp4, "PRESET", "veryfast")  # another x264 setting: other bytes, the same video
    render_file(animation(**STRIDE_2), str(video))
    monkeypatch.undo()
    preview = ("--out-dir", str(tmp_path / "out"))  # a folder named on the command line: no lock, every file rendered
    result = run("assets", "--config", str(config), *preview, "--check")
    assert result.exit_code == 0, result.stderr
    render_file(animation(**STRIDE_2, seed=4), str(video))  # other numbers
    result = run("assets", "--config", str(config), *preview, "--check")
    assert result.exit_code == 1
    assert "conv.mp4: frame 0: the pixels near" in result.stderr


@given(
    shape=st.tuples(st.integers(0, 14), st.integers(0, 14)),
    density=st.sampled_from([0.0, 0.01, 0.1, 0.5, 1.0]),
    seed=st.integers(0, 2**32 - 1),
)
def test_bounding_box_is_the_box_around_every_true_pixel(shape: tuple[int, int], density: float, seed: int) -> None:
    """The box a writer crops a frame to: the first and last rows and columns holding a changed
    pixel (end exclusive), None when none changed, whatever the shape (empty ones too)."""
    from convanim.write.base import bounding_box

    mask = np.random.default_rng(seed).random(shape) < density
    found = bounding_box(mask)
    ys, xs = np.nonzero(mask)
    if ys.size == 0:
        assert found is None
    else:
        assert found == (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
