"""Frames of palette indices -> BT.709 YUV 4:2:0 planes (limited range), kept up to date box by box.

A video encoder takes whole frames of Y, Cb and Cr. Converting each frame in full (palette ->
RGBA -> FFmpeg's swscale) cost as much as x264's own work on our frames: 5 ms a frame at
1242x668, most of it on pixels that had not changed, and a fresh 3 MB buffer a frame that the C
heap handed back to the kernel and faulted in again (about 1,000 page faults a frame). Here the
planes are converted once, then only where a frame changed: each palette index has its Y, Cb
and Cr worked out once (a table), a pixel's Y is its index's, and a 2x2 block's Cb and Cr are the
rounded means of its four pixels' (chroma sited at the block's centre, which the stream says).
Every step is integer arithmetic on tables, so the planes are the same on every machine.

Knows the palette and the planes, not the encoder: ``mp4.py`` hands it the encoder frame's own
planes, so nothing is copied or allocated a frame.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from .base import RGB, Box, rgb_table, within

KR, KB = 0.2126, 0.0722  # BT.709 luma weights of red and blue (green: the rest)
SCALE = 64  # chroma table entries are in 1/64 of a level: four of them sum exactly in uint16


def bt709(palette: Sequence[RGB]) -> tuple[NDArray[np.uint8], NDArray[np.uint16], NDArray[np.uint16]]:
    """Per palette index (256 entries, unused ones black): Y as a level (16-235), and Cb and Cr in
    1/64 of a level (16-240), limited range, from R'G'B' as given."""
    rgb = rgb_table(list(palette)).astype(np.float64) / 255
    r, g, b = rgb[:, 0], rgb[:, 1], rgb[:, 2]
    luma = KR * r + (1 - KR - KB) * g + KB * b
    y = 16 + 219 * luma
    cb = 128 + 224 * (b - luma) / (2 * (1 - KB))
    cr = 128 + 224 * (r - luma) / (2 * (1 - KR))
    return (
        np.rint(y).astype(np.uint8),
        np.rint(cb * SCALE).astype(np.uint16),
        np.rint(cr * SCALE).astype(np.uint16),
    )


def _even_box(box: Box, width: int, height: int) -> Box:
    """``box`` grown to even corners (whole 2x2 chroma blocks), within an even ``width`` x ``height``."""
    x0, y0, x1, y1 = box
    return x0 & ~1, y0 & ~1, min(width, (x1 + 1) & ~1), min(height, (y1 + 1) & ~1)


class Yuv420Frame:
    """The current frame as Y, Cb and Cr planes (4:2:0), updated where each frame changed.

    ``width`` and ``height`` are even (video pads odd sizes); frames may be smaller, and the margin
    keeps the ``fill`` index. ``planes``, if given, are the (height, width), (height/2, width/2) x 2
    uint8 arrays to keep up to date (an encoder frame's own memory); else they are made here.
    """

    def __init__(
        self,
        palette: Sequence[RGB],
        width: int,
        height: int,
        fill: int,
        planes: tuple[NDArray[np.uint8], NDArray[np.uint8], NDArray[np.uint8]] | None = None,
    ) -> None:
        if width % 2 or height % 2:
            raise ValueError(f"4:2:0 planes need an even size, not {width}x{height}")
        self.width, self.height = width, height
        self.y_table, self.cb_table, self.cr_table = bt709(palette)
        self.indices = np.full((height, width), fill, dtype=np.uint8)
        if planes is None:
            planes = (
                np.empty((height, width), dtype=np.uint8),
                np.empty((height // 2, width // 2), dtype=np.uint8),
                np.empty((height // 2, width // 2), dtype=np.uint8),
            )
        self.y, self.cb, self.cr = planes
        if self.y.shape != (height, width) or not self.cb.shape == self.cr.shape == (height // 2, width // 2):
            raise ValueError("the planes do not fit the frame")
        self._convert((0, 0, width, height))

    def update(self, pixels: NDArray[np.uint8], changed: Box | None) -> None:
        """Bring the planes up to ``pixels``, which differ from the last ones only inside ``changed``."""
        box = within(changed, pixels)
        if box is not None:
            x0, y0, x1, y1 = box
            self.indices[y0:y1, x0:x1] = pixels[y0:y1, x0:x1]
            self._convert(_even_box(box, self.width, self.height))

    def _convert(self, box: Box) -> None:
        """Convert the indices inside ``box`` (even corners) into the planes."""
        x0, y0, x1, y1 = box
        indices = self.indices[y0:y1, x0:x1]
        self.y[y0:y1, x0:x1] = self.y_table[indices]
        for table, plane in ((self.cb_table, self.cb), (self.cr_table, self.cr)):
            values = table[indices]  # 1/64 levels: the four of a block sum to at most 61,440
            total = values[0::2, 0::2] + values[0::2, 1::2] + values[1::2, 0::2] + values[1::2, 1::2]
            total += 2 * SCALE  # to the nearest level, not down
            plane[y0 // 2 : y1 // 2, x0 // 2 : x1 // 2] = total >> 8
