"""Frames of palette indices -> an animated, lossless WebP, fed to the encoder one frame at a time.

Pillow's ``save_all`` holds every frame until the end; its animation encoder underneath
(``PIL._webp.WebPAnimEncoder``, libwebp's ``WebPAnimEncoder``) takes frames one by one with
their start times, and keeps only what it has compressed. Each frame's duration is exact in ms
(the end time is given after the last frame), the loop count is WebP's (0 forever, N plays).
Identical consecutive frames are merged by adding their durations, as in the GIF.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from .base import ColourFrame, HeldFrameWriter

METHOD = 4  # libwebp effort 0-6: 4 is its default
QUALITY = 50  # for lossless WebP, how hard to compress (not a loss): 75 took 40 % longer for 1 % fewer bytes
# kmin, kmax: no key frames after the first. Browsers play frames in order; key frames (gif2webp's
# 9, 17) cost a third more bytes and half again the time on our frames.
KEYFRAMES = (0, 0)
MINIMIZE = False  # libwebp's minimize_size: tried, no smaller on our frames, twice the time


def missing() -> str | None:
    """Why WebP cannot be written here (None: it can)."""
    try:
        from PIL import _webp  # noqa: F401
    except ImportError:
        return "this Pillow was built without WebP: pip install --upgrade pillow"
    return None


def _encoder(width: int, height: int, background: int, loop: int) -> Any:
    from PIL import _webp

    args = (background, loop, MINIMIZE, *KEYFRAMES, False, False)  # minimize_size, kmin, kmax, allow_mixed, verbose
    try:
        return _webp.WebPAnimEncoder((width, height), *args)  # Pillow >= 11
    except TypeError:
        return _webp.WebPAnimEncoder(width, height, *args)  # Pillow 10


def _handle(image: Image.Image) -> Any:
    getim = getattr(image, "getim", None)  # Pillow >= 11; older ones take the core's id
    return getim() if getim is not None else image.im.id


class WebpWriter(HeldFrameWriter):
    """Setup / add frame / finish. ``loop``: 0 plays forever, N plays N times."""

    colour: ColourFrame

    def setup(self) -> None:
        self.alpha = self.info.transparent
        background = self.info.background
        self.colour = ColourFrame(self.palette, self.width, self.height, background, background if self.alpha else None)
        r, g, b = self.palette[background]
        # The canvas colour a viewer shows before the first frame (ARGB): clear when see-through.
        self.encoder = _encoder(
            self.width, self.height, (0 if self.alpha else 0xFF000000) | (r << 16) | (g << 8) | b, self.loop
        )
        self.previous: NDArray[np.uint8] | None = None
        self.start_ms = 0  # start time of the frame held in ``previous``
        self.pending_ms = 0
        self.frames = 0

    def _encode(self) -> None:
        """Hand the held frame to the encoder, at its start time."""
        assert self.previous is not None
        image = Image.frombuffer("RGBA", (self.width, self.height), self.colour.pixels, "raw", "RGBA", 0, 1)
        self.encoder.add(_handle(image), self.start_ms, True, QUALITY, 100, METHOD)
        self.start_ms += self.pending_ms
        self.frames += 1

    def finish(self) -> None:
        """Encode the last frame, give the end time (the last duration), and write the file."""
        if self.previous is None:
            raise ValueError("an animation needs a frame")
        self._encode()
        self.encoder.add(None, self.start_ms, True, QUALITY, 100, 0)
        data = self.encoder.assemble(b"", b"", b"")
        if data is None:
            raise OSError("the WebP encoder returned nothing")
        self.stream.write(data)

    def close(self) -> None:
        self.encoder = None
        self.previous = None
