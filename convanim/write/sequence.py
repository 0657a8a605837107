"""Frames of palette indices -> one palette PNG per frame, numbered by a printf-style pattern.

For Beamer's ``\\animategraphics`` and video editors: ``frames/conv-%03d.png`` gives
``conv-000.png``, ``conv-001.png``, ... Frame ``i`` of the sequence is the animation's frame ``i``
(what ``--frame i`` shows); durations are not stored (every frame is one file).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .base import RGB, Box, FrameWriter, OutputInfo
from .files import FrameFiles
from .gif import write_png


class PngSequenceWriter(FrameWriter):
    """Writes each frame to its own file as it arrives; ``files`` names and commits them.

    It has no single stream: ``files`` opens one per frame.
    """

    def __init__(
        self,
        files: FrameFiles,
        width: int,
        height: int,
        palette: list[RGB],
        loop: int = 0,
        *,
        info: OutputInfo | None = None,
    ) -> None:
        self.files = files
        self.width, self.height = width, height
        self.palette = palette
        self.loop = loop
        self.info = info or OutputInfo()
        self.frames = 0

    def add(self, pixels: NDArray[np.uint8], duration_ms: int, changed: Box | None = None) -> None:
        """Write the frame as the next numbered file."""
        transparent = self.info.background if self.info.transparent else None
        with self.files.open(self.frames) as stream:
            write_png(stream, pixels, self.palette, transparent)
        self.frames += 1

    def finish(self) -> None:
        """Nothing pending: each frame was written when it came."""
        if self.frames == 0:
            raise ValueError("a frame sequence needs a frame")
