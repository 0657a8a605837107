"""An animation drawn and compressed on every core: ranges of frames, one at a time per worker.

Drawing a frame costs about as much as compressing it, so compressing alone on the other cores
leaves this process drawing while they wait. Here each worker process does both for a range of
frames: it starts (forked) with the scene and the writer as this process built them, draws the
frame just before its range (the steps before that are advanced into the permanent picture, not
drawn), then draws its range and gives each frame to its own copy of the writer, which compresses
in memory (``begin_range``/``end_range``). This process appends the ranges in order
(``append_range``): a range's first frames that equal the frame before it lengthen the previous
range's last frame, as they would lengthen it on one core, so the file's bytes are the one-core
bytes for any number of workers. Memory stays flat: a worker holds one range in flight, of at most
``MAX_RANGE`` frames however long the animation, and results wait here for earlier ones at most two
ranges a worker (``write.parallel.WINDOW``).

A writer whose encoder takes frames one after another (WebP, MP4, the transparent GIF's
look-ahead, the HTML player) is still given every frame here, in order; the workers only draw:
each frame comes back as the pixels of the parts the painter says changed, pasted here onto the
frame before it. Drawing then runs beside the encoder instead of before it, and the writer is made
only once the workers have started: its set-up runs while they draw the first ranges.

Knows the scene and writer seams, not convolution.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .draw.scenes import Scene
from .paint.raster import Changed
from .plan.storyboard import Storyboard
from .write.base import Box, FrameWriter, changed_parts
from .write.parallel import OrderedPool, can_fork, in_daemon

RANGES_FROM = 48  # frames: fewer are drawn here (a worker's start-up would cost more than it saves)
GUIDED = 2  # a range takes 1 / (GUIDED * jobs) of the frames left (see spans)
MIN_RANGE = 12  # frames: a range also draws the frame before it, and this process compresses one
MAX_DRAWN_RANGE = 32  # frames a worker sends back as pixels at a time: memory stays flat
MAX_RANGE = 256  # frames a worker compresses into one result: a range's bytes do not grow with the animation


@dataclass
class _Work:
    drawing: Scene
    board: Storyboard
    writer: Any  # a FrameWriter that takes ranges (None: the workers only draw)


_WORK: _Work | None = None  # what the forked workers draw: set before they start


def worth_ranges(frames: int, jobs: int) -> bool:
    """Whether to draw in ranges: several cores and frames enough to pay for the workers.

    Workers must be forked (they start with the scene as built here); where the platform cannot
    fork, frames are drawn here and only compressed elsewhere. A daemonic process (a
    multiprocessing.Pool worker) may not start processes: it draws alone.
    """
    return can_fork() and jobs > 1 and frames >= RANGES_FROM and not in_daemon()


def spans(frames: int, jobs: int, largest: int | None = None) -> list[tuple[int, int]]:
    """``[start, stop)`` of each range, largest first: each takes ``1 / (GUIDED * jobs)`` of the frames
    left, none under ``MIN_RANGE`` (but the last), none over ``largest``.

    Workers take ranges as they come free, so the last ranges, the small ones, even out the end:
    no worker finishes much after another, while the early, long ranges keep the number of
    ranges (each also draws the frame before it) small.
    """
    cut = []
    start = 0
    while start < frames:
        size = max(MIN_RANGE, -(-(frames - start) // (GUIDED * jobs)))
        if largest is not None:
            size = min(size, max(MIN_RANGE, largest))
        cut.append((start, min(start + size, frames)))
        start += size
    return cut


def _draw_range(span: tuple[int, int]) -> Any:
    """In a worker: draw and compress frames ``start`` to ``stop`` after the frame before them."""
    assert _WORK is not None, "a worker starts with the work set"
    drawing, board, writer = _WORK.drawing, _WORK.board, _WORK.writer
    start, stop = span
    previous = None
    if start > 0:
        previous, _, _ = drawing.frame(board, start - 1)
    writer.begin_range(previous)
    for index in range(start, stop):
        pixels, changed, duration = drawing.frame(board, index)
        writer.add(pixels, duration, changed)
    return writer.end_range(stop - start)


# A frame as a drawing worker sends it: the boxes it may have changed (None: all of it), the
# pixels of each box, its duration.
DrawnFrame = tuple[tuple[Box, ...] | None, list[NDArray[np.uint8]], int]


def _draw_only(span: tuple[int, int]) -> list[DrawnFrame]:
    """In a worker: draw frames ``start`` to ``stop``; each as the pixels of the parts it changed."""
    assert _WORK is not None, "a worker starts with the work set"
    drawing, board = _WORK.drawing, _WORK.board
    start, stop = span
    if start > 0:
        drawing.frame(board, start - 1)  # what the parent shows before the range
    drawn: list[DrawnFrame] = []
    for index in range(start, stop):
        pixels, changed, duration = drawing.frame(board, index)
        if changed is None:
            drawn.append((None, [pixels.copy()], duration))
            continue
        parts = changed_parts(changed, pixels.shape[1], pixels.shape[0])
        drawn.append((parts, [pixels[y0:y1, x0:x1].copy() for x0, y0, x1, y1 in parts], duration))
    return drawn


def draw_in_ranges(
    drawing: Scene,
    board: Storyboard,
    make_writer: Callable[[], FrameWriter],
    jobs: int,
    progress: Callable[[int], None] | None = None,
    *,
    frame_by_frame: bool = False,
) -> int:
    """Draw every frame of ``board`` on ``jobs`` workers into the writer ``make_writer()`` makes, and
    finish it; returns frames drawn.

    A writer that ``takes_ranges`` gets whole ranges, drawn and compressed by the workers (they start
    with a copy of it); any other gets each frame in turn, drawn by the workers. The writer is made
    first, and says which it is, unless the caller knows it takes ``frame_by_frame``: then it is made
    once the first range is being drawn, so that its set-up (loading its encoder library, starting
    the encoder) runs meanwhile. For MP4 that is PyAV's import and x264's start, some 50 ms, which
    the first frames would otherwise wait for.
    """
    global _WORK
    frame = np.empty((drawing.layout.height, drawing.layout.width), dtype=np.uint8)
    writer: FrameWriter | None = None

    def append(part: Any) -> None:
        assert writer is not None
        writer.append_range(part)  # type: ignore[attr-defined]
        if progress is not None:
            progress(part.drawn)

    def add_each(drawn: list[DrawnFrame]) -> None:
        assert writer is not None, "results are taken only once the writer is made"
        for parts, pixels, duration in drawn:
            if parts is None:
                frame[...] = pixels[0]
                writer.add(frame, duration, None)
                continue
            for (x0, y0, x1, y1), values in zip(parts, pixels, strict=True):
                frame[y0:y1, x0:x1] = values
            writer.add(frame, duration, Changed(parts) if parts else (0, 0, 0, 0))
        if progress is not None:
            progress(len(drawn))

    try:
        if not frame_by_frame:
            writer = make_writer()
        if writer is not None and writer.takes_ranges:
            _WORK = _Work(drawing, board, writer)
            pool: OrderedPool[tuple[int, int], Any] = OrderedPool(_draw_range, append, jobs, batch=1, start_after=0)
            cut = spans(len(board), jobs, MAX_RANGE)
        else:
            _WORK = _Work(drawing, board, None)
            pool = OrderedPool(_draw_only, add_each, jobs, batch=1, start_after=0)
            cut = spans(len(board), jobs, MAX_DRAWN_RANGE)
        assert pool.jobs > 1, "a range drawn here would change this process's writer: see worth_ranges"
        try:
            first = 0 if writer is not None else 1  # the writer's set-up and one worker drawing: both cores
            for span in cut[:first]:
                pool.submit(span)
            if writer is None:
                writer = make_writer()
                assert not writer.takes_ranges, "a writer made late takes frame by frame"
            for span in cut[first:]:
                pool.submit(span)
            pool.drain()
        finally:
            pool.close()
            _WORK = None
        writer.finish()
    finally:
        if writer is not None:
            writer.close()
    return len(board)
