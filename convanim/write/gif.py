"""Frames of palette indices -> GIF (streamed) or PNG. Knows nothing about convolution.

The GIF is written frame by frame as frames arrive, so memory does not grow with their number:
our own header (one global palette, the loop count) and Pillow's LZW encoder for each frame's
pixels. Each frame after the first is cropped to the box that changed, and inside that box the
pixels that did not change are written as the transparent index, which compresses to almost
nothing. Identical consecutive frames are merged by adding their durations.
"""

from __future__ import annotations

import struct
from typing import BinaryIO

import numpy as np
from numpy.typing import NDArray
from PIL import GifImagePlugin, Image

from .base import RGB, TRANSPARENT, Box, FrameWriter


class GifWriter(FrameWriter):
    """Setup / add frame / finish. ``loop``: 0 plays forever, N plays N times.

    Durations are stored in GIF's 10-ms units; give multiples of 10.
    """

    def __init__(self, stream: BinaryIO, width: int, height: int, palette: list[RGB], loop: int = 0) -> None:
        super().__init__(stream, width, height, palette, loop)
        colours = list(palette) + [palette[0]] * (256 - len(palette))
        header = b"GIF89a" + struct.pack("<HHBBB", width, height, 0xF7, 0, 0)
        header += bytes(v for rgb in colours for v in rgb)
        if loop != 1:
            # NETSCAPE2.0: the count is of repeats after the first play; 0 is forever.
            header += b"!\xff\x0bNETSCAPE2.0\x03\x01" + struct.pack("<H", max(0, loop - 1)) + b"\x00"
        stream.write(header)
        self.previous: NDArray[np.uint8] | None = None
        self.pending: tuple[NDArray[np.uint8], tuple[int, int], bool] | None = None
        self.pending_ms = 0
        self.frames = 0  # frames written (after merging)

    def add(self, pixels: NDArray[np.uint8], duration_ms: int, changed: Box | None = None) -> None:
        """Add a frame. ``changed`` bounds where it may differ from the last one (None: anywhere)."""
        if self.previous is None:
            self.previous = pixels.copy()
            self.pending = (self.previous.copy(), (0, 0), False)
            self.pending_ms = duration_ms
            return
        x0, y0, x1, y1 = changed if changed is not None else (0, 0, self.width, self.height)
        x0, y0 = max(0, x0), max(0, y0)
        x1, y1 = min(self.width, x1), min(self.height, y1)
        new = pixels[y0:y1, x0:x1]
        old = self.previous[y0:y1, x0:x1]
        differs = new != old
        if not differs.any():
            self.pending_ms += duration_ms
            return
        rows = np.flatnonzero(differs.any(axis=1))
        cols = np.flatnonzero(differs.any(axis=0))
        r0, r1, c0, c1 = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
        patch = np.where(differs[r0:r1, c0:c1], new[r0:r1, c0:c1], np.uint8(TRANSPARENT))
        old[...] = new
        self._flush()
        self.pending = (np.ascontiguousarray(patch), (x0 + c0, y0 + r0), True)
        self.pending_ms = duration_ms

    def _flush(self) -> None:
        if self.pending is None:
            return
        patch, (x, y), transparent = self.pending
        image = Image.fromarray(patch)  # mode "L": the bytes are palette indices as they are
        params: dict[str, int] = {"duration": self.pending_ms, "disposal": 1}
        if transparent:
            params["transparency"] = TRANSPARENT
        for chunk in GifImagePlugin.getdata(image, offset=(int(x), int(y)), **params):
            self.stream.write(chunk)
        self.pending = None
        self.frames += 1

    def finish(self) -> None:
        """Write the last frame and the trailer."""
        self._flush()
        self.stream.write(b";")


class PngWriter(FrameWriter):
    """A still as a palette PNG (small, exact colours, no metadata): the one frame it is given."""

    def __init__(self, stream: BinaryIO, width: int, height: int, palette: list[RGB], loop: int = 0) -> None:
        super().__init__(stream, width, height, palette, loop)
        self.pixels: NDArray[np.uint8] | None = None

    def add(self, pixels: NDArray[np.uint8], duration_ms: int, changed: Box | None = None) -> None:
        self.pixels = pixels.copy()

    def finish(self) -> None:
        if self.pixels is None:
            raise ValueError("a PNG needs a frame")
        write_png(self.stream, self.pixels, self.palette)


def write_png(stream: BinaryIO, pixels: NDArray[np.uint8], palette: list[RGB]) -> None:
    """A still as a palette PNG (small, exact colours, no metadata)."""
    height, width = pixels.shape
    image = Image.frombytes("P", (width, height), np.ascontiguousarray(pixels).tobytes())
    image.putpalette([v for rgb in palette for v in rgb])
    image.save(stream, format="PNG", optimize=True)
