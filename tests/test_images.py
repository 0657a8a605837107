"""Pictures as input values: image files, the built-in digit, refusals, and no Pillow in compute/."""

from __future__ import annotations

import json
import pkgutil
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner, Result
from PIL import Image
from reference import conv2d, spec_fields

import convanim.compute
from convanim.cli import cli
from convanim.compute.images import MAX_IMAGE_PIXELS, digit, is_image_path, load_image
from convanim.compute.values import resolve
from convanim.errors import SpecError

FIELDS = spec_fields()


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="convanim")


def run_trace(command: str) -> dict[str, Any]:
    result = run("trace", *shlex.split(command))
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def save(path: Path, array: np.ndarray) -> Path:
    Image.fromarray(array).save(path)
    return path


GREY = (np.arange(6 * 8).reshape(6, 8) * 5).astype(np.uint8)
RGB = np.stack([GREY, 255 - GREY, np.full_like(GREY, 7)], axis=-1)


def test_importing_compute_loads_no_pillow() -> None:
    """Every module of convanim.compute imports with numpy only (Pillow is loaded when a picture is read)."""
    names = [f"convanim.compute.{m.name}" for m in pkgutil.iter_modules(convanim.compute.__path__)]
    assert {"convanim.compute.images", "convanim.compute.pooling", "convanim.compute.direct"} <= set(names)
    probe = f"import sys\nimport {', '.join(names)}\nprint(' '.join(sorted(sys.modules)))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert not {"PIL", "click", "matplotlib"} & {m.split(".")[0] for m in loaded}


def test_a_grey_png_is_one_channel_of_its_pixels(tmp_path: Path) -> None:
    path = save(tmp_path / "grey.png", GREY)
    spec, values = resolve(FIELDS, set(), values=str(path))
    assert spec.input_size == (6, 8) and spec.in_channels == 1
    assert values.input.dtype == np.int64
    np.testing.assert_array_equal(values.input, GREY[None])


def test_rgb_with_three_channels_and_grey_without(tmp_path: Path) -> None:
    path = save(tmp_path / "rgb.png", RGB)
    spec, values = resolve({**FIELDS, "in_channels": 3}, {"in_channels"}, values=str(path))
    assert spec.in_channels == 3
    np.testing.assert_array_equal(values.input, np.moveaxis(RGB, -1, 0))
    spec, values = resolve(FIELDS, set(), values=str(path))
    assert spec.in_channels == 1
    np.testing.assert_array_equal(values.input[0], np.asarray(Image.open(path).convert("L")))
    grey = save(tmp_path / "grey.png", GREY)
    _, values = resolve({**FIELDS, "in_channels": 3}, {"in_channels"}, values=str(grey))
    assert values.input.shape == (3, 6, 8) and (values.input == GREY).all()


def test_resized_to_the_input_size_when_given(tmp_path: Path) -> None:
    path = save(tmp_path / "flat.jpg", np.full((40, 60, 3), 200, dtype=np.uint8))
    spec, values = resolve({**FIELDS, "input_size": (4, 6)}, {"input_size"}, values=str(path))
    assert spec.input_size == (4, 6) and values.input.shape == (1, 4, 6)
    assert np.abs(values.input - 200).max() <= 1  # a flat picture stays flat (JPEG may round)
    halves = np.zeros((4, 4), dtype=np.uint8)
    halves[:, 2:] = 255
    path = save(tmp_path / "halves.png", halves)
    _, values = resolve({**FIELDS, "input_size": (2, 2), "kernel_size": (1, 1)}, {"input_size"}, values=str(path))
    assert values.input.tolist() == [[[0, 255], [0, 255]]]  # area-averaged


def test_transparency_is_laid_on_white(tmp_path: Path) -> None:
    rgba = np.zeros((3, 3, 4), dtype=np.uint8)
    rgba[1, 1] = (0, 0, 0, 255)  # one opaque black pixel; the rest transparent black
    path = save(tmp_path / "alpha.png", rgba)
    _, values = resolve({**FIELDS, "kernel_size": (1, 1)}, {"kernel_size"}, values=str(path))
    assert values.input.tolist() == [[[255, 255, 255], [255, 0, 255], [255, 255, 255]]]


def test_sixteen_bit_grey_keeps_its_values(tmp_path: Path) -> None:
    array = np.array([[0, 1000], [40000, 65535]], dtype=np.uint16)
    path = tmp_path / "deep.png"
    Image.fromarray(array).save(path)
    _, values = resolve({**FIELDS, "kernel_size": (1, 1)}, {"kernel_size"}, values=str(path))
    assert values.input.tolist() == [[[0, 1000], [40000, 65535]]]
    _, values = resolve(
        {**FIELDS, "kernel_size": (1, 1), "in_channels": 3}, {"kernel_size", "in_channels"}, values=str(path)
    )
    assert values.input.tolist() == [[[0, 1000], [40000, 65535]]] * 3


def test_trace_of_a_picture_matches_the_reference(tmp_path: Path) -> None:
    path = save(tmp_path / "grey.png", GREY)
    data = run_trace(f"--values {path} --kernel-values sobel-y -p 1")
    assert data["spec"]["input_size"] == [6, 8] and data["kernel_name"] == "sobel-y"
    np.testing.assert_array_equal(data["input"], GREY[None].tolist())
    expected = conv2d(np.array(data["input"]), np.array(data["weight"]), padding=1)
    np.testing.assert_array_equal(np.array(data["output"]), expected)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_bytes(b"not a picture at all"), "is not a picture Pillow can read: check the file"),
        (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"), "is not a picture Pillow can read"),
        (lambda p: p.mkdir(), "is a folder"),
        (lambda p: None, "does not exist: check the path"),
    ],
)
def test_unreadable_pictures_are_one_line_refusals(make: Any, message: str, tmp_path: Path) -> None:
    path = tmp_path / "photo.png"
    make(path)
    out = tmp_path / "out.json"
    result = run("trace", "--values", str(path), "-o", str(out))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: --values {path}")
    assert message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert not out.exists()


def test_a_truncated_png_is_refused(tmp_path: Path) -> None:
    path = save(tmp_path / "whole.png", (np.arange(64 * 64) % 251).astype(np.uint8).reshape(64, 64))
    cut = tmp_path / "cut.png"
    cut.write_bytes(path.read_bytes()[:-200])
    with pytest.raises(SpecError, match="not a picture Pillow can read"):
        load_image(cut)


@pytest.mark.parametrize("channels", [2, 4])
def test_pictures_have_one_or_three_channels(channels: int, tmp_path: Path) -> None:
    path = save(tmp_path / "grey.png", GREY)
    result = run("trace", "--values", str(path), "--in-channels", str(channels))
    assert result.exit_code == 2
    assert f"a picture has 1 (grey) or 3 (RGB) channels, not {channels}: use --in-channels 1 or 3" in result.stderr


def test_a_picture_too_large_for_a_trace_names_the_input_size(tmp_path: Path) -> None:
    path = save(tmp_path / "big.png", np.zeros((2100, 2000), dtype=np.uint8))
    result = run("trace", "--values", str(path))
    assert result.exit_code == 2
    assert "over convanim's limit" in result.stderr and "--input-size" in result.stderr
    assert run("trace", "--values", str(path), "-i", "8").exit_code == 0


def test_a_picture_past_the_pixel_limit_is_refused_before_decoding(tmp_path: Path) -> None:
    side = int(MAX_IMAGE_PIXELS**0.5) + 1
    path = tmp_path / "huge.png"
    Image.new("1", (side, side)).save(path)  # a few KB on disk, 64M pixels decoded
    with pytest.raises(SpecError, match="over 64,000,000 pixels"):
        load_image(path, size=(8, 8))


def test_suffixes() -> None:
    assert is_image_path("a/b.PNG") and is_image_path("x.jpeg") and is_image_path("x.webp")
    assert not is_image_path("x.npy") and not is_image_path("digit") and not is_image_path("x.txt")
    result = run("trace", "--values", "x.txt")
    assert "unknown file type .txt: use a .npy, .json or .csv file, or a picture (.png" in result.stderr


# -- the built-in digit ----------------------------------------------------------------------


def test_the_digit_is_a_centred_white_three_on_black() -> None:
    image = digit()
    assert image.shape == (1, 28, 28) and image.dtype == np.int64
    assert image.min() == 0 and image.max() == 255
    assert (image[0, :3] == 0).all() and (image[0, -3:] == 0).all()  # a dark border
    assert (image[0, :, :3] == 0).all() and (image[0, :, -3:] == 0).all()
    rows = np.flatnonzero(image[0].max(axis=1) > 128)
    assert 17 <= rows[-1] - rows[0] + 1 <= 22  # ink about 70 % of the height
    mass = image[0] / image[0].sum()
    centre = (mass.sum(axis=1) @ np.arange(28), mass.sum(axis=0) @ np.arange(28))
    assert abs(centre[0] - 13.5) < 2 and abs(centre[1] - 13.5) < 2
    np.testing.assert_array_equal(image, digit("digit3"))
    np.testing.assert_array_equal(image, digit())  # the same every time


def test_digits_differ_and_take_sizes_and_channels() -> None:
    shapes = {name: digit(name)[0] for name in ("digit0", "digit1", "digit7")}
    assert not np.array_equal(shapes["digit0"], shapes["digit1"])
    assert not np.array_equal(shapes["digit1"], shapes["digit7"])
    assert digit(size=(12, 20)).shape == (1, 12, 20)
    tall = digit("digit1", size=(40, 5))
    assert tall.max() > 128 and (tall[0, :, 0] < 128).all()  # fits inside a narrow picture
    rgb = digit(channels=3)
    assert rgb.shape == (3, 28, 28) and (rgb == rgb[:1]).all()
    with pytest.raises(SpecError, match="not a built-in picture"):
        digit("digit12")


def test_values_digit_with_sobel_through_the_cli() -> None:
    data = run_trace("--values digit --kernel-values sobel-x")
    assert data["spec"]["input_size"] == [28, 28] and data["spec"]["output_size"] == [26, 26]
    assert data["kernel_name"] == "sobel-x"
    np.testing.assert_array_equal(np.array(data["input"]), digit())
    expected = conv2d(np.array(data["input"]), np.array(data["weight"]))
    np.testing.assert_array_equal(np.array(data["output"]), expected)
    output = np.array(data["output"])
    assert output.min() < -500 and output.max() > 500  # edges of both signs


def test_values_digit_takes_the_input_size_and_pools() -> None:
    data = run_trace("--values digit -i 14 --op max -k 2")
    assert data["spec"]["input_size"] == [14, 14] and data["spec"]["output_size"] == [7, 7]
    assert np.array(data["output"]).max() == 255
    result = run("trace", "--values", "digt")
    assert result.exit_code == 2 and "did you mean digit?" in result.stderr
