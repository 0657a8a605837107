"""Frames of palette indices -> GIF (streamed) or PNG. Knows nothing about convolution.

The GIF is written frame by frame as frames arrive, so memory does not grow with their number:
our own header (one global palette, the loop count) and Pillow's LZW encoder for each frame's
pixels. Each frame after the first is cropped to the box that changed, and inside that box the
pixels that did not change are written as the transparent index, which compresses to almost
nothing; the rows of the box that hold nothing else are written as a run without Pillow
(:mod:`convanim.write.lzw`). Identical consecutive frames are merged by adding their durations.

With a see-through background (:class:`TransparentGifWriter`) the transparent index means both
"unchanged" and "background", and a pixel that turns back into background cannot be drawn as
such: it is cleared instead, by the previous frame's disposal (see that class).
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from . import lzw
from .base import RGB, TRANSPARENT, Box, FrameWriter, OutputInfo, bounding_box, changed_parts
from .parallel import OrderedPool

# A frame to compress, as little as describes it: its box (x, y, height, width), the pieces
# that draw something in it (offset in the box, palette indices, and where they apply: None for
# everywhere), the rest being the transparent index; and its GIF parameters (duration, disposal,
# transparency). Any process can compress it; it crosses to a worker in a fraction of the bytes
# of the whole patch (a frame's box spans from the window to the sum line; little of it changes).
Piece = tuple[int, int, NDArray[np.uint8], NDArray[np.bool_] | None]
FrameJob = tuple[int, int, int, int, list[Piece], dict[str, int]]


# Frames wait to be compressed until this many are ready (or their pieces hold this many bytes):
# drawing a frame and compressing one take turns a batch at a time, not a frame at a time, and each
# finds its own data still in the cache (a 676-frame render on one core: about a fifth faster).
QUEUED_FRAMES = 16
QUEUED_BYTES = 4 << 20

# Blank rows in a frame's box written as a run, not by Pillow, from this many pixels: fewer cost
# Pillow less time than the fresh tables cost in bytes (see convanim.write.lzw).
BLANK_PIXELS = 131072

# A frame whose duration is still open: its box and pieces, and whether unchanged pixels are transparent.
PendingFrame = tuple[int, int, int, int, list[Piece], bool]


@dataclass(frozen=True)
class GifRange:
    """A range of frames drawn and compressed by a worker, for the parent's writer to append.

    ``carry_ms``: the duration of the range's first frames that equal the frame before the range
    (the previous range's last frame lasts that much longer); ``data``: the frames completed in the
    range, compressed; ``frames``: how many; ``pending``: its last frame, whose duration the next
    range may still lengthen (None when no frame of the range differed); ``pending_ms``: its
    duration so far; ``drawn``: the frames of the animation the range covers.
    """

    carry_ms: int
    data: bytes
    frames: int
    pending: PendingFrame | None
    pending_ms: int
    drawn: int


def frame_patch(job: FrameJob) -> NDArray[np.uint8]:
    """The palette indices of a frame's box, transparent where no piece draws."""
    _, _, height, width, pieces, _ = job
    if len(pieces) == 1 and pieces[0][3] is None and pieces[0][2].shape == (height, width):
        return pieces[0][2]
    patch = np.full((height, width), TRANSPARENT, dtype=np.uint8)
    for dx, dy, values, where in pieces:
        h, w = values.shape
        np.copyto(patch[dy : dy + h, dx : dx + w], values, where=True if where is None else where)
    return patch


def blank_rows(job: FrameJob) -> tuple[int, int] | None:
    """The longest run of the box's rows that no piece draws in, ``[top, bottom)``, if it holds
    ``BLANK_PIXELS`` or more (None otherwise): rows that hold only the transparent index."""
    _, _, height, width, pieces, _ = job
    drawn = np.zeros(height + 2, dtype=bool)  # a drawn row before the first and after the last
    drawn[0] = drawn[-1] = True
    for _, dy, values, where in pieces:
        inked = values != TRANSPARENT
        if where is not None:
            inked &= where
        drawn[1 + dy : 1 + dy + values.shape[0]] |= inked.any(axis=1)
    rows = np.flatnonzero(drawn)
    gaps = np.diff(rows) - 1
    longest = int(gaps.argmax())
    if gaps[longest] * width < BLANK_PIXELS:
        return None
    top = int(rows[longest])  # the drawn row before the gap, counted from -1
    return top, top + int(gaps[longest])


def encode_frame(job: FrameJob) -> bytes:
    """One frame's bytes (its graphic control extension, image descriptor and LZW data).

    The rows between the frame's parts that hold only the transparent index (a window at the top,
    the sum line at the foot) are written as one run, the rest by Pillow's LZW encoder
    (:mod:`convanim.write.lzw`): a frame of a 32x32 animation in about a third of the time.
    """
    return _frame_bytes(job, lzw.image_data(frame_patch(job), blank_rows(job), TRANSPARENT))


def encode_frame_whole(job: FrameJob) -> bytes:
    """One frame's bytes as ``PIL.GifImagePlugin.getdata`` writes them: Pillow's LZW over the whole
    box (the encoder ``scripts/bench.py`` measures against), without its per-frame Python (an image
    object, a file-like collector, the tile machinery). ``tests/test_writers.py`` checks the bytes."""
    return _frame_bytes(job, lzw.pillow_data(frame_patch(job)))


def _frame_bytes(job: FrameJob, data: bytes) -> bytes:
    """A frame's graphic control extension and image descriptor, then its image ``data``."""
    x, y, height, width, _, params = job
    parts = []
    transparency = params.get("transparency")
    duration = params.get("duration", 0) // 10
    disposal = params.get("disposal", 0)
    if transparency is not None or duration or disposal:
        flags = (transparency is not None) | disposal << 2
        parts.append(b"!\xf9\x04" + struct.pack("<BHBB", flags, duration, transparency or 0, 0))
    parts.append(b"," + struct.pack("<HHHHBB", x, y, width, height, 0, 8))  # no local palette; 8-bit codes
    parts.append(data)
    parts.append(b"\0")  # the end of the image data
    return b"".join(parts)


class GifWriter(FrameWriter):
    """Setup / add frame / finish. ``loop``: 0 plays forever, N plays N times.

    Durations are stored in GIF's 10-ms units; give multiples of 10.
    """

    def setup(self) -> None:
        colours = list(self.palette) + [self.palette[0]] * (256 - len(self.palette))
        background = TRANSPARENT if self.info.transparent else 0
        header = b"GIF89a" + struct.pack("<HHBBB", self.width, self.height, 0xF7, background, 0)
        header += bytes(v for rgb in colours for v in rgb)
        if self.loop != 1:
            # NETSCAPE2.0: the count is of repeats after the first play; 0 is forever.
            header += b"!\xff\x0bNETSCAPE2.0\x03\x01" + struct.pack("<H", max(0, self.loop - 1)) + b"\x00"
        self.stream.write(header)
        # Frames are compressed on ``info.jobs`` cores and written in order: the same bytes as one core.
        self.pool: OrderedPool[FrameJob, bytes] = OrderedPool(encode_frame, self._write_bytes, self.info.jobs)
        self.previous: NDArray[np.uint8] | None = None
        # The frame waiting for its duration (a repeat adds to it): a job without its parameters,
        # and whether unchanged pixels are transparent.
        self.pending: PendingFrame | None = None
        self.pending_ms = 0
        self.carry_ms = 0  # in a range: the duration of its first frames, equal to the frame before it
        self.frames = 0  # frames written (after merging)
        self.queued: list[FrameJob] = []  # frames ready to compress, handed to the pool a batch at a time
        self.queued_bytes = 0

    def _write_bytes(self, data: bytes) -> None:
        self.stream.write(data)

    def add(self, pixels: NDArray[np.uint8], duration_ms: int, changed: Box | None = None) -> None:
        """Add a frame. ``changed`` bounds where it may differ from the last one (None: anywhere)."""
        if self.previous is None:
            self.previous = pixels.copy()
            self.pending = (0, 0, self.height, self.width, [(0, 0, self.previous.copy(), None)], False)
            self.pending_ms = duration_ms
            return
        # Compare only the parts of the changed box (when the painter names them): the pixels that
        # differ, and the box around them all, are the same as comparing the whole box.
        found = []
        for x0, y0, x1, y1 in changed_parts(changed, self.width, self.height):
            new = pixels[y0:y1, x0:x1]
            old = self.previous[y0:y1, x0:x1]
            differs = new != old
            box = bounding_box(differs)
            if box is None:
                continue
            c0, r0, c1, r1 = box
            found.append((x0 + c0, y0 + r0, new[r0:r1, c0:c1].copy(), differs[r0:r1, c0:c1]))
            old[...] = new  # later parts that overlap this one see it done
        if not found:
            self.pending_ms += duration_ms
            return
        px0 = min(f[0] for f in found)
        py0 = min(f[1] for f in found)
        px1 = max(f[0] + f[2].shape[1] for f in found)
        py1 = max(f[1] + f[2].shape[0] for f in found)
        pieces: list[Piece] = [(x - px0, y - py0, new, differs) for x, y, new, differs in found]
        if self.pending is None:  # a range's first change: what came before lengthens the last range
            self.carry_ms, self.pending_ms = self.pending_ms, 0
        self._flush()
        self.pending = (px0, py0, py1 - py0, px1 - px0, pieces, True)
        self.pending_ms = duration_ms

    def _flush(self) -> None:
        job = self._take_pending()
        if job is not None:
            self._queue(job)

    def _queue(self, job: FrameJob) -> None:
        """A frame ready to compress: it waits for a batch (QUEUED_FRAMES or QUEUED_BYTES)."""
        self.queued.append(job)
        self.queued_bytes += sum(values.nbytes for _, _, values, _ in job[4])
        if len(self.queued) >= QUEUED_FRAMES or self.queued_bytes >= QUEUED_BYTES:
            self._compress_queued()

    def _compress_queued(self) -> None:
        """Hand the frames waiting to the pool (which compresses them here, or on its workers)."""
        queued, self.queued, self.queued_bytes = self.queued, [], 0
        for job in queued:
            self.pool.submit(job)

    def _take_pending(self) -> FrameJob | None:
        """The pending frame as a job to compress, now that its duration is known (None: no frame)."""
        if self.pending is None:
            return None
        x, y, height, width, pieces, transparent = self.pending
        params: dict[str, int] = {"duration": self.pending_ms, "disposal": 1}
        if transparent:
            params["transparency"] = TRANSPARENT
        self.pending = None
        self.frames += 1
        return (x, y, height, width, pieces, params)

    def finish(self) -> None:
        """Write the last frame and the trailer."""
        self._flush()
        self._compress_queued()
        self.pool.drain()
        self.stream.write(b";")

    def close(self) -> None:
        """Stop the encoding workers, if any were started."""
        self.pool.close()

    # Ranges of frames (convanim.frame_ranges): a worker's copy of the writer draws a range after
    # the frame before it, in memory; the parent's writer appends the ranges in order. The frames
    # and their merged durations are the ones the parent would have made alone, so are the bytes.

    takes_ranges = True

    def begin_range(self, previous: NDArray[np.uint8] | None) -> None:
        """Start a range after the frame ``previous`` (None: the range starts the animation).

        From here the writer compresses in this process and keeps its output for :meth:`end_range`.
        """
        self.stream = io.BytesIO()
        self.pool = OrderedPool(encode_frame, self._write_bytes, 1)
        self.previous = None if previous is None else previous.copy()
        self.pending, self.pending_ms, self.carry_ms, self.frames = None, 0, 0, 0
        self.queued, self.queued_bytes = [], 0

    def end_range(self, drawn: int) -> GifRange:
        """The range's frames, compressed, and its open ends (see :class:`GifRange`)."""
        self._compress_queued()
        self.pool.drain()
        if self.pending is None:  # no frame differed from the one before the range
            self.carry_ms, self.pending_ms = self.pending_ms, 0
        assert isinstance(self.stream, io.BytesIO)
        return GifRange(self.carry_ms, self.stream.getvalue(), self.frames, self.pending, self.pending_ms, drawn)

    def append_range(self, part: GifRange) -> None:
        """Append a worker's range: the last frame so far lasts ``carry_ms`` longer, then its frames."""
        self.pending_ms += part.carry_ms
        if part.pending is None:
            return
        self._compress_queued()  # what this writer drew itself goes first
        self.pool.drain()
        job = self._take_pending()
        if job is not None:  # one frame a range: compressed here, between the ranges' bytes
            self.stream.write(encode_frame(job))
        self.stream.write(part.data)
        self.frames += part.frames
        self.pending, self.pending_ms = part.pending, part.pending_ms


class TransparentGifWriter(GifWriter):
    """A GIF whose background is see-through, streamed with one frame of look-ahead.

    The transparent index is both "keep what is shown" and "background", so a frame cannot turn a
    pixel back into background by drawing it. When the next frame does that somewhere, the pending
    frame's box is widened over those pixels and given disposal 2 (restore to background, which
    viewers show as see-through); the next frame then draws everything that is not background
    inside that cleared box, and only what changed outside it.
    """

    takes_ranges = False  # the look-ahead sees one frame further than a range ends

    def setup(self) -> None:
        super().setup()  # the header and the pool, as for any GIF
        self.background = np.uint8(self.info.background)
        # What a viewer sees before the pending frame is drawn: background where see-through.
        self.shown = np.full((self.height, self.width), self.background, dtype=np.uint8)
        self.frame: NDArray[np.uint8] | None = None  # the pending frame, whole
        self.dirty: Box = (0, 0, self.width, self.height)  # where the pending frame may differ from ``shown``

    def add(self, pixels: NDArray[np.uint8], duration_ms: int, changed: Box | None = None) -> None:
        """Add a frame. ``changed`` bounds where it may differ from the last one (None: anywhere)."""
        if self.frame is None:
            self.frame = pixels.copy()
            self.pending_ms = duration_ms
            return
        x0, y0, x1, y1 = _clip(changed, self.width, self.height)
        new, old = pixels[y0:y1, x0:x1], self.frame[y0:y1, x0:x1]
        if np.array_equal(new, old):
            self.pending_ms += duration_ms
            return
        # Pixels that go back to background: the pending frame's disposal must clear them.
        cleared = bounding_box((new == self.background) & (old != self.background))
        clear = None if cleared is None else (x0 + cleared[0], y0 + cleared[1], x0 + cleared[2], y0 + cleared[3])
        self._write(clear)
        self.frame[...] = pixels
        self.pending_ms = duration_ms
        self.dirty = _union(self.dirty, (x0, y0, x1, y1))

    def _write(self, clear: Box | None) -> None:
        """Write the pending frame; ``clear`` is the box its disposal must make see-through."""
        assert self.frame is not None
        x0, y0, x1, y1 = self.dirty
        frame, shown = self.frame[y0:y1, x0:x1], self.shown[y0:y1, x0:x1]
        draw = (frame != shown) & (frame != self.background)
        found = bounding_box(draw)
        box = None if found is None else (x0 + found[0], y0 + found[1], x0 + found[2], y0 + found[3])
        if clear is not None:
            box = clear if box is None else _union(box, clear)
        if box is None:
            box = (0, 0, 1, 1)  # nothing to draw: a one-pixel "keep" frame carries the duration
        bx0, by0, bx1, by1 = box
        region = self.frame[by0:by1, bx0:bx1]
        keep = (region == self.shown[by0:by1, bx0:bx1]) | (region == self.background)
        patch = np.ascontiguousarray(np.where(keep, np.uint8(TRANSPARENT), region))
        params = {"duration": self.pending_ms, "disposal": 2 if clear is not None else 1, "transparency": TRANSPARENT}
        self._queue((int(bx0), int(by0), by1 - by0, bx1 - bx0, [(0, 0, patch, None)], params))
        self.frames += 1
        # The viewer now shows the frame, then its disposal clears ``box``.
        self.shown[y0:y1, x0:x1] = frame
        self.dirty = (0, 0, 0, 0)
        if clear is not None:
            self.shown[by0:by1, bx0:bx1] = self.background
            self.dirty = box

    def finish(self) -> None:
        """Write the last frame and the trailer."""
        if self.frame is not None:
            self._write(None)
        self._compress_queued()
        self.pool.drain()
        self.stream.write(b";")


def gif_writer(
    stream: BinaryIO,
    width: int,
    height: int,
    palette: list[RGB],
    loop: int = 0,
    *,
    info: OutputInfo | None = None,
) -> GifWriter:
    """The GIF writer for ``info``: see-through background or not."""
    kind = TransparentGifWriter if info is not None and info.transparent else GifWriter
    return kind(stream, width, height, palette, loop, info=info)


def _clip(box: Box | None, width: int, height: int) -> Box:
    x0, y0, x1, y1 = box if box is not None else (0, 0, width, height)
    return max(0, x0), max(0, y0), min(width, x1), min(height, y1)


def _union(a: Box, b: Box) -> Box:
    if a[2] <= a[0] or a[3] <= a[1]:
        return b
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


class PngWriter(FrameWriter):
    """A still as a palette PNG (small, exact colours, no metadata): the one frame it is given."""

    def setup(self) -> None:
        self.pixels: NDArray[np.uint8] | None = None

    def add(self, pixels: NDArray[np.uint8], duration_ms: int, changed: Box | None = None) -> None:
        self.pixels = pixels.copy()

    def finish(self) -> None:
        if self.pixels is None:
            raise ValueError("a PNG needs a frame")
        write_png(self.stream, self.pixels, self.palette, self.info.background if self.info.transparent else None)


def write_png(stream: BinaryIO, pixels: NDArray[np.uint8], palette: list[RGB], transparent: int | None = None) -> None:
    """A still as a palette PNG (small, exact colours, no metadata); ``transparent``: a see-through index."""
    height, width = pixels.shape
    image = Image.frombytes("P", (width, height), np.ascontiguousarray(pixels).tobytes())
    image.putpalette([v for rgb in palette for v in rgb])
    if transparent is None:
        image.save(stream, format="PNG", optimize=True)
    else:
        image.save(stream, format="PNG", optimize=True, transparency=transparent)
