"""The writer seam: setup / add frame / finish, then close in ``finally``. No convolution here.

A writer is made with the stream it writes, the picture's size, its fixed palette and the loop
count. It is then given frames of palette indices, each with its duration in ms and the box it may
differ from the previous frame in (None: anywhere), and finally ``finish()``. ``close()`` always
runs last, after ``finish()`` or after a failure, to release what the writer holds.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import BinaryIO

import numpy as np
from numpy.typing import NDArray

RGB = tuple[int, int, int]
Box = tuple[int, int, int, int]  # x0, y0, x1, y1 (end exclusive)
TRANSPARENT = 255  # palette index reserved for "unchanged" pixels in GIF frame deltas


class FrameWriter(ABC):
    """Frames of palette indices in, one file out."""

    def __init__(self, stream: BinaryIO, width: int, height: int, palette: list[RGB], loop: int = 0) -> None:
        self.stream = stream
        self.width, self.height = width, height
        self.palette = palette
        self.loop = loop

    @abstractmethod
    def add(self, pixels: NDArray[np.uint8], duration_ms: int, changed: Box | None = None) -> None:
        """Add a frame (the array may be reused by the caller: copy what you keep)."""

    @abstractmethod
    def finish(self) -> None:
        """Write what is pending and the file's end."""

    def close(self) -> None:  # noqa: B027 - most writers hold nothing to release
        """Release what the writer holds; runs after ``finish()`` or after a failure."""
