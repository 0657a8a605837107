"""Frames of palette indices -> an H.264 MP4 (``yuv420p``), through PyAV, streamed.

PyAV directly, not imageio's pyav plugin: imageio writes ``pts = frames written`` at a fixed rate,
so it cannot keep per-frame durations. Here timestamps are in milliseconds (variable frame rate),
B-frames are off so packets leave the encoder in display order, and the last packet is held back
until the end to set its duration: the last-frame hold is kept (players otherwise show it for one
frame's time). Identical consecutive frames are merged, as in the GIF, so the video has the GIF's
frames and durations.

libx264 refuses odd sizes: the picture is padded on the right and bottom with the background.
x264's bytes depend on its thread count, so it is pinned (the default follows the CPUs).
Colours are converted with the BT.709 matrix, limited range, chroma sited at the centre of each
2x2 block, and the stream is tagged so. The conversion (``yuv.py``) writes into one encoder frame,
made once, and only where a frame changed: x264 copies a frame in when it is given it, so the
same memory serves the next one.
"""

from __future__ import annotations

import contextlib
import importlib.util
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import SpecError
from .base import HeldFrameWriter
from .yuv import Yuv420Frame

CODEC = "libx264"
THREADS = 2  # pinned: x264's output depends on it
CRF = 20  # a little finer than x264's 23: thin text and grid lines stay sharp
# x264's own settings. chromaloc=1: H.264's chroma_sample_loc_type 1, each Cb/Cr its 2x2 block's
# mean (yuv.py). rc-lookahead=10 (medium's is 40): frames x264 holds to plan its bits. On our frames,
# 10 against 40 took 15-25 % less time and a third less memory (8->8 channels, 1878x1012: 370 MiB
# against 540 MiB), for files 0.5-3 % smaller at the same PSNR (within 0.1 dB).
X264_PARAMS = "chromaloc=1:rc-lookahead=10"
PRESET = "medium"
MS = Fraction(1, 1000)
INSTALL = "pip install 'convanim[mp4]'"


def missing() -> str | None:
    """Why MP4 cannot be written here (None: it can), asked before any work: whether PyAV is installed.

    Asked without importing it: PyAV's import (some 40 ms) is made by the writer, while a render's
    first frames are drawn. Whether this PyAV has libx264 is known only then (``setup``).
    """
    try:
        found = importlib.util.find_spec("av")
    except (ImportError, ValueError):
        found = None
    return None if found is not None else f"writing .mp4 needs PyAV, which is not installed: {INSTALL}"


def _plane_array(plane: Any) -> NDArray[np.uint8]:
    """A plane of an FFmpeg frame as a (height, width) array over its memory (rows ``line_size`` apart)."""
    rows = np.frombuffer(memoryview(plane), dtype=np.uint8).reshape(plane.height, plane.line_size)
    return rows[:, : plane.width]


class Mp4Writer(HeldFrameWriter):
    """Setup / add frame / finish, with ``close()`` releasing the encoder. ``loop`` is not stored."""

    def setup(self) -> None:
        if self.info.transparent:
            raise ValueError("H.264 has no alpha channel")
        import av

        if CODEC not in av.codecs_available:
            raise SpecError(f"‹output› .mp4: this PyAV has no {CODEC} encoder: install PyAV's own wheel ({INSTALL})")
        self.even = (self.width + self.width % 2, self.height + self.height % 2)
        self.frame: Any = av.VideoFrame(*self.even, "yuv420p")
        y, cb, cr = (_plane_array(plane) for plane in self.frame.planes)
        self.colour = Yuv420Frame(self.palette, *self.even, self.info.background, (y, cb, cr))
        self.frame.time_base = MS
        self.container: Any = av.open(self.stream, "w", format="mp4")
        options = {"bf": "0", "threads": str(THREADS), "preset": PRESET, "crf": str(CRF), "x264-params": X264_PARAMS}
        video: Any = self.container.add_stream(CODEC, options=options)
        video.width, video.height = self.even
        video.pix_fmt = "yuv420p"
        video.time_base = MS
        context = video.codec_context
        context.time_base = MS
        context.colorspace = context.color_primaries = context.color_trc = 1  # BT.709
        context.color_range = 1  # limited ("MPEG") range
        self.video = video
        self.previous: NDArray[np.uint8] | None = None
        self.start_ms = 0  # start time of the frame held in ``previous``
        self.pending_ms = 0
        self.held: Any = None  # the last packet out of the encoder, not yet written
        self.frames = 0

    def _encode(self) -> None:
        """Hand the held frame (the planes ``colour`` keeps up to date) to x264, which copies it in."""
        assert self.previous is not None
        self.frame.pts = self.start_ms
        self._mux(self.video.encode(self.frame))
        self.start_ms += self.pending_ms
        self.frames += 1

    def _mux(self, packets: list[Any]) -> None:
        """Write packets one behind, so that the last one can still be given its duration."""
        for packet in packets:
            if self.held is not None:
                self.container.mux(self.held)
            self.held = packet

    def finish(self) -> None:
        """Encode the last frame, flush the encoder, set the last frame's duration, close the file."""
        if self.previous is None:
            raise ValueError("a video needs a frame")
        last_ms = self.pending_ms
        self._encode()
        self._mux(self.video.encode(None))
        if self.held is not None:
            self.held.duration = int(Fraction(last_ms, 1000) / self.held.time_base)
            self.container.mux(self.held)
            self.held = None
        self.container.close()
        self.container = None

    def close(self) -> None:
        if self.container is not None:
            with contextlib.suppress(Exception):  # already failing: the first error is the one to report
                self.container.close()
            self.container = None
