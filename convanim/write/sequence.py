"""Frames of palette indices -> one palette PNG per frame, numbered by a printf-style pattern.

For Beamer's ``\\animategraphics`` and video editors: ``frames/conv-%03d.png`` gives
``conv-000.png``, ``conv-001.png``, ... Frame ``i`` of the sequence is the animation's frame ``i``
(what ``--frame i`` shows); durations are not stored (every frame is one file).
"""

from __future__ import annotations

import io

import numpy as np
from numpy.typing import NDArray

from .base import RGB, Box, FrameWriter, OutputInfo
from .files import FrameFiles
from .gif import write_png
from .parallel import OrderedPool

PngJob = tuple[NDArray[np.uint8], list[RGB], int | None]


def png_bytes(job: PngJob) -> bytes:
    """One frame as palette PNG bytes (any process can make them)."""
    pixels, palette, transparent = job
    buffer = io.BytesIO()
    write_png(buffer, pixels, palette, transparent)
    return buffer.getvalue()


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
        self.frames = 0  # frames given
        self.written = 0  # frames written to their files
        # Frames are compressed on ``info.jobs`` cores and written in order, each to its own file.
        self.pool: OrderedPool[PngJob, bytes] = OrderedPool(png_bytes, self._write, self.info.jobs)

    def add(self, pixels: NDArray[np.uint8], duration_ms: int, changed: Box | None = None) -> None:
        """Write the frame as the next numbered file (soon, when it is compressed elsewhere)."""
        transparent = self.info.background if self.info.transparent else None
        self.pool.submit((pixels.copy(), self.palette, transparent))
        self.frames += 1

    def _write(self, data: bytes) -> None:
        with self.files.open(self.written) as stream:
            stream.write(data)
        self.written += 1

    def finish(self) -> None:
        """Write the frames still being compressed."""
        if self.frames == 0:
            raise ValueError("a frame sequence needs a frame")
        self.pool.drain()

    def close(self) -> None:
        """Stop the compressing workers, if any were started."""
        self.pool.close()
