"""The writer seam: setup / add frame / finish, then close in ``finally``. No convolution here.

A writer is made with the stream it writes, the picture's size, its fixed palette and the loop
count, and an :class:`OutputInfo` (which palette index is the background, whether the background
is see-through, the alt text and the command that made the file). It is then given frames of
palette indices, each with its duration in ms and the box it may differ from the previous frame
in (None: anywhere), and finally ``finish()``. ``close()`` always runs last, after ``finish()`` or
after a failure, to release what the writer holds.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import BinaryIO, Protocol

import numpy as np
from numpy.typing import NDArray

RGB = tuple[int, int, int]
Box = tuple[int, int, int, int]  # x0, y0, x1, y1 (end exclusive)
TRANSPARENT = 255  # palette index reserved for "unchanged" pixels in GIF frame deltas


@dataclass(frozen=True)
class OutputInfo:
    """What a writer may need besides the pixels.

    ``background`` is the palette index of the background (video pads odd sizes with it);
    ``transparent`` makes that index see-through where the format has alpha; ``alt`` says in words
    what the picture shows; ``command`` is the command line that makes the file (a player shows it);
    ``jobs`` is how many processes may compress frames (the bytes do not depend on it).
    """

    background: int = 0
    transparent: bool = False
    alt: str = ""
    command: str = ""
    jobs: int = 1


class FrameWriter(ABC):
    """Frames of palette indices in, one file out.

    A writer that ``takes_ranges`` can also be given ranges of frames drawn and compressed by
    workers (``begin_range``/``add``/``end_range`` in a worker's copy, ``append_range`` in the
    parent's; see :mod:`convanim.frame_ranges`), with the bytes it makes of the frames one by one.
    """

    takes_ranges = False

    def __init__(
        self,
        stream: BinaryIO,
        width: int,
        height: int,
        palette: list[RGB],
        loop: int = 0,
        *,
        info: OutputInfo | None = None,
    ) -> None:
        self.stream = stream
        self.width, self.height = width, height
        self.palette = palette
        self.loop = loop
        self.info = info or OutputInfo()
        self.setup()

    def setup(self) -> None:  # noqa: B027 - a writer that needs nothing set up has nothing to do
        """What a writer prepares before the first frame (the header, an encoder, tables)."""

    @abstractmethod
    def add(self, pixels: NDArray[np.uint8], duration_ms: int, changed: Box | None = None) -> None:
        """Add a frame (the array may be reused by the caller: copy what you keep)."""

    @abstractmethod
    def finish(self) -> None:
        """Write what is pending and the file's end."""

    def close(self) -> None:  # noqa: B027 - most writers hold nothing to release
        """Release what the writer holds; runs after ``finish()`` or after a failure."""


def rgb_table(palette: list[RGB], transparent: int | None = None) -> NDArray[np.uint8]:
    """A 256-entry lookup table, palette index -> RGB, or RGBA when ``transparent`` is an index.

    Unused entries are black; with alpha, every entry is opaque except ``transparent``.
    """
    channels = 3 if transparent is None else 4
    table = np.zeros((256, channels), dtype=np.uint8)
    table[: len(palette), :3] = np.asarray(palette, dtype=np.uint8).reshape(-1, 3)
    if transparent is not None:
        table[:, 3] = 255
        table[transparent, 3] = 0
    return table


def changed_parts(changed: Box | None, width: int, height: int) -> tuple[Box, ...]:
    """The boxes a frame may differ in, clipped to the picture: the parts of ``changed`` when it
    names them (see ``convanim.paint.raster.Changed``), else its box; None means everywhere."""
    if changed is None:
        return ((0, 0, width, height),)
    parts: tuple[Box, ...] = getattr(changed, "parts", None) or (tuple(changed),)  # type: ignore[assignment]
    clipped = ((max(0, x0), max(0, y0), min(width, x1), min(height, y1)) for x0, y0, x1, y1 in parts)
    return tuple(box for box in clipped if box[2] > box[0] and box[3] > box[1])


def bounding_box(mask: NDArray[np.bool_]) -> tuple[int, int, int, int] | None:
    """``(x0, y0, x1, y1)`` of the True pixels of ``mask`` (end exclusive), or None when there are none.

    A frame's parts are asked this every frame: array methods only (``np.flatnonzero`` is four
    Python calls deep), and the columns are looked for only in the rows that changed.
    """
    changed_in = np.logical_or.reduce  # ``any``, typed as an array for any axis
    rows = changed_in(mask, axis=1)
    if not rows.size:
        return None
    y0 = int(rows.argmax())
    if not rows[y0]:
        return None
    y1 = rows.size - int(rows[::-1].argmax())
    cols = changed_in(mask[y0:y1], axis=0)
    return int(cols.argmax()), y0, cols.size - int(cols[::-1].argmax()), y1


class HeldFrameWriter(FrameWriter):
    """A writer that holds each frame until the next differs, so equal frames become one longer one.

    A subclass sets ``previous`` (None), ``pending_ms`` and a :class:`KeptFrame` ``colour`` in
    ``setup()`` (RGBA: :class:`ColourFrame`; video: ``yuv.Yuv420Frame``), and implements
    ``_encode()``: hand the held frame (``colour``) to its encoder for ``pending_ms``. ``finish()``
    encodes the last held frame.
    """

    previous: NDArray[np.uint8] | None
    pending_ms: int
    colour: KeptFrame

    def add(self, pixels: NDArray[np.uint8], duration_ms: int, changed: Box | None = None) -> None:
        """Add a frame. ``changed`` bounds where it may differ from the last one (None: anywhere)."""
        parts = changed_parts(changed, self.width, self.height)
        if self.previous is not None:
            previous = self.previous
            if all(np.array_equal(pixels[y0:y1, x0:x1], previous[y0:y1, x0:x1]) for x0, y0, x1, y1 in parts):
                self.pending_ms += duration_ms
                return
            self._encode()
            for x0, y0, x1, y1 in parts:
                previous[y0:y1, x0:x1] = pixels[y0:y1, x0:x1]
        else:
            self.previous = pixels.copy()
        for part in parts:
            self.colour.update(pixels, part)
        self.pending_ms = duration_ms

    @abstractmethod
    def _encode(self) -> None:
        """Encode the held frame, shown for ``pending_ms``."""


def within(changed: Box | None, pixels: NDArray[np.uint8]) -> Box | None:
    """``changed`` (None: all of it) clipped to the frame ``pixels``; None when nothing is left."""
    height, width = pixels.shape
    x0, y0, x1, y1 = changed if changed is not None else (0, 0, width, height)
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(width, x1), min(height, y1)
    return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None


class KeptFrame(Protocol):
    """The held frame as an encoder takes it (colours, planes), converted only where frames change."""

    def update(self, pixels: NDArray[np.uint8], changed: Box | None) -> None:
        """Bring it up to ``pixels``, which differ from the last ones only inside ``changed``."""


class ColourFrame:
    """The current frame in colour, kept up to date box by box, for encoders that take whole frames.

    ``pixels`` is a (height, width) array of packed RGBA (alpha 0 at the ``transparent`` index);
    its bytes are RGBA in memory order. Only the box a frame may have changed is converted, so a
    frame costs what changed, not the picture's size. The buffer may be larger than the frames:
    its margin keeps the colour of the ``fill`` index.
    """

    def __init__(self, palette: list[RGB], width: int, height: int, fill: int, transparent: int | None = None) -> None:
        table = rgb_table(palette, transparent)
        if table.shape[1] == 3:
            table = np.concatenate([table, np.full((256, 1), 255, dtype=np.uint8)], axis=1)
        self.table = np.ascontiguousarray(table).view(np.uint32).reshape(256)
        self.pixels = np.full((height, width), self.table[fill], dtype=np.uint32)

    def update(self, pixels: NDArray[np.uint8], changed: Box | None) -> None:
        """Bring the colour frame up to ``pixels``, which differ from the last ones only inside ``changed``."""
        box = within(changed, pixels)
        if box is not None:
            x0, y0, x1, y1 = box
            self.pixels[y0:y1, x0:x1] = self.table[pixels[y0:y1, x0:x1]]
