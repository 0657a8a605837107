"""Pictures as input values: an image file, or a digit drawn from the shipped font.

Pixels become integers 0 to 255 (0 black, 255 white), one channel for grey or three for RGB, as
``(C, H, W)``. Pillow is imported inside the functions that read or draw images, so importing this
module (and the rest of ``convanim.compute``) loads numpy only.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import SpecError

Array = NDArray[Any]
Pair = tuple[int, int]

# Suffixes read as pictures; anything Pillow opens under these names is accepted.
IMAGE_SUFFIXES = (
    ".png",
    ".jpg",
    ".jpeg",
    ".gif",
    ".bmp",
    ".tif",
    ".tiff",
    ".webp",
    ".pgm",
    ".ppm",
    ".pbm",
    ".pnm",
    ".tga",
    ".ico",
)
SAMPLES = ("digit", *(f"digit{d}" for d in range(10)))  # ``digit`` is digit3
DIGIT_SIZE = (28, 28)  # MNIST's
MAX_IMAGE_PIXELS = 64_000_000  # decoded before any resize; Pillow warns of a decompression bomb past 89M
FONT = Path(__file__).resolve().parent.parent / "fonts" / "DejaVuSans-Bold.ttf"


def is_image_path(source: str) -> bool:
    """Whether ``source`` names a picture file by its suffix."""
    return Path(source).suffix.lower() in IMAGE_SUFFIXES


def is_sample(source: str) -> bool:
    """Whether ``source`` is a built-in picture (``digit``, ``digit0`` ... ``digit9``)."""
    return source in SAMPLES


def _check_channels(channels: int, option: str) -> None:
    if channels not in (1, 3):
        raise SpecError(
            f"{option}: a picture has 1 (grey) or 3 (RGB) channels, not {channels}: use ‹in_channels› 1 or 3"
        )


def _check_size(size: Pair, option: str) -> None:
    if min(size) < 1:
        raise SpecError(f"{option}: a picture needs an ‹input_size› of at least 1x1")


def load_image(path: Path, channels: int = 1, size: Pair | None = None, option: str = "‹values›") -> Array:
    """Read a picture as ``(channels, H, W)`` integers 0 to 255 (wider integers kept for 16-bit grey).

    Parameters
    ----------
    path : Path
        Any image Pillow reads; the first frame of an animation. Transparent pixels are laid on
        white.
    channels : {1, 3}
        1: grey (colour pictures are converted); 3: RGB (grey pictures are repeated).
    size : (int, int), optional
        ``(H, W)`` to resize to (area-averaged), or None for the picture's own size.
    option : str
        The field named in refusals.

    Raises
    ------
    SpecError
        In one line, when the file is missing or not a picture Pillow reads, or too large to read.
    """
    _check_channels(channels, option)
    if size is not None:
        _check_size(size, option)
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise SpecError(
                        f"{option} {path} is {width}x{height} px, over {MAX_IMAGE_PIXELS:,} pixels: "
                        "use a smaller picture"
                    )
                image.load()
                picture = _to_mode(image, channels)
    except SpecError:
        raise
    except FileNotFoundError as err:
        raise SpecError(f"{option} {path} does not exist: check the path") from err
    except IsADirectoryError as err:
        raise SpecError(f"{option} {path} is a folder: give a picture file") from err
    except PermissionError as err:
        raise SpecError(f"{option} {path} cannot be read (permission denied): fix its permissions") from err
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        raise SpecError(f"{option} {path} is not a picture Pillow can read: check the file") from err
    except (OSError, ValueError, SyntaxError, EOFError) as err:  # truncated or corrupt data
        raise SpecError(f"{option} {path} is not a picture Pillow can read (it is damaged): check the file") from err
    return _to_array(picture, channels, size)


def _to_mode(image: Any, channels: int) -> Any:
    """The picture as ``L`` / ``I`` / ``F`` (grey; ``_to_array`` repeats it for RGB) or ``RGB``,
    transparency laid on white."""
    from PIL import Image

    mode = image.mode
    if mode in ("I", "I;16", "I;16B", "I;16L", "F"):  # deep grey: kept (repeated for RGB), never clipped
        return image.convert("I") if mode.startswith("I;16") else image
    has_alpha = "A" in image.getbands() or (mode == "P" and "transparency" in image.info)
    if has_alpha:
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    return image.convert("L" if channels == 1 else "RGB")


def _to_array(picture: Any, channels: int, size: Pair | None) -> Array:
    from PIL import Image

    if size is not None and (picture.height, picture.width) != size:
        picture = picture.resize((size[1], size[0]), Image.Resampling.BOX)
    array = np.asarray(picture)
    if array.ndim == 2:
        array = array[None, :, :]
        if channels == 3:
            array = np.repeat(array, 3, axis=0)
    else:
        array = np.moveaxis(array, -1, 0)
    if array.dtype.kind == "f":
        return np.ascontiguousarray(array, dtype=np.float64)
    return np.ascontiguousarray(array, dtype=np.int64)


def digit(name: str = "digit", channels: int = 1, size: Pair | None = None, option: str = "‹values›") -> Array:
    """A built-in picture: a white digit on black, drawn from the shipped DejaVu Sans Bold.

    Parameters
    ----------
    name : str
        ``digit`` (a 3) or ``digit0`` ... ``digit9``.
    channels : {1, 3}
        Grey, or the grey repeated as RGB.
    size : (int, int), optional
        ``(H, W)``; 28x28 (MNIST's size) by default. The glyph's ink fills 70 % of the height, centred.

    Returns
    -------
    array
        ``(channels, H, W)`` integers 0 to 255: the same on every run of a machine (the glyph is
        rasterised by FreeType, whose anti-aliasing may differ slightly between its versions).
    """
    if name not in SAMPLES:
        raise SpecError(f"{option} {name!r} is not a built-in picture: use digit or digit0 to digit9")
    _check_channels(channels, option)
    height, width = DIGIT_SIZE if size is None else size
    _check_size((height, width), option)
    if height * width > MAX_IMAGE_PIXELS // 64:
        raise SpecError(f"{option} {name}: {height}x{width} is too large to draw: use a smaller ‹input_size›")
    from PIL import Image, ImageDraw, ImageFont

    char = "3" if name == "digit" else name[-1]
    scale = 8  # drawn large, then area-averaged down: smooth grey edges like a scanned digit
    big = (width * scale, height * scale)
    probe = ImageFont.truetype(str(FONT), 100, layout_engine=ImageFont.Layout.BASIC)
    left, top, right, bottom = probe.getbbox(char)
    # The glyph's ink 70 % of the height (MNIST's 20 of 28 px), or 80 % of the width if narrower.
    font_px = max(1, int(100 * min(0.7 * big[1] / (bottom - top), 0.8 * big[0] / (right - left))))
    font = ImageFont.truetype(str(FONT), font_px, layout_engine=ImageFont.Layout.BASIC)
    left, top, right, bottom = font.getbbox(char)
    canvas = Image.new("L", big, 0)
    origin = ((big[0] - (right - left)) / 2 - left, (big[1] - (bottom - top)) / 2 - top)
    ImageDraw.Draw(canvas).text(origin, char, fill=255, font=font)
    return _to_array(canvas.resize((width, height), Image.Resampling.BOX), channels, None)
