"""Is a file on disk the one convanim would write? Exact where the format is exact.

- GIF, SVG and PDF: byte for byte.
- PNG: by decoded pixels (PNG compression bytes changed between Pillow releases; pixels did not).
- WebP: by decoded pixels, frame durations and loop count, all exact (it is lossless; the
  encoder's bytes may change between libwebp releases).
- HTML player: the page text exactly, and each embedded PNG by its decoded pixels.
- MP4: by what a viewer sees, since H.264 bytes change with the encoder's build and settings: the
  same number of frames, size and timestamps (exact, in ms), and pixels within
  :data:`MP4_TOLERANCE`: in every frame, each 8x8 block's mean absolute difference in each colour
  channel is at most that many levels of 255. Re-encoding the same frames with another x264
  thread count, preset or quality moved the worst block by 10 to 13 levels (thin coloured edges);
  different numbers in the cells moved it by 90 or more.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

MP4_TOLERANCE = 24.0  # mean absolute difference per 8x8 block and channel, of 255
BLOCK = 8
PNG_BASE64 = re.compile(rb"iVBORw0KGgo[A-Za-z0-9+/]*=*")  # base64 of a PNG: it starts with the signature


def _pixels(data: bytes) -> tuple[tuple[int, int], bytes]:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return image.size, image.convert("RGBA").tobytes()


def _webp(data: bytes) -> tuple[tuple[int, int], object, list[tuple[int, bytes]]]:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        frames = []
        for index in range(getattr(image, "n_frames", 1)):
            image.seek(index)
            image.load()
            frames.append((int(image.info.get("duration", 0)), image.convert("RGBA").tobytes()))
        return image.size, image.info.get("loop"), frames


def _compare_webp(actual: bytes, expected: bytes) -> str | None:
    size, loop, frames = _webp(actual)
    want_size, want_loop, want = _webp(expected)
    if size != want_size:
        return f"size {size[0]}x{size[1]}, expected {want_size[0]}x{want_size[1]}"
    if len(frames) != len(want):
        return f"{len(frames)} frames, expected {len(want)}"
    if loop != want_loop:
        return f"loop {loop}, expected {want_loop}"
    for index, ((ms, pixels), (want_ms, want_pixels)) in enumerate(zip(frames, want, strict=True)):
        if ms != want_ms:
            return f"frame {index} lasts {ms} ms, expected {want_ms}"
        if pixels != want_pixels:
            return f"frame {index}: pixels differ"
    return None


def _compare_html(actual: bytes, expected: bytes) -> str | None:
    images, want_images = PNG_BASE64.findall(actual), PNG_BASE64.findall(expected)
    if PNG_BASE64.sub(b"", actual) != PNG_BASE64.sub(b"", expected) or len(images) != len(want_images):
        return "the page differs"
    import base64

    for index, (image, want_image) in enumerate(zip(images, want_images, strict=True)):
        if image != want_image and _pixels(base64.b64decode(image)) != _pixels(base64.b64decode(want_image)):
            return f"frame {index}: pixels differ"
    return None


def _video(data: bytes) -> tuple[tuple[int, int], list[tuple[int, int]], list[NDArray[np.uint8]]]:
    """Size, (start ms, duration ms) of each frame, and the frames as RGB arrays."""
    import av

    container: Any
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        times, frames = [], []
        for frame in container.decode(stream):
            base = frame.time_base or stream.time_base
            start = round(float(frame.pts * base) * 1000)
            times.append((start, round(float((frame.duration or 0) * base) * 1000)))
            frames.append(frame.to_ndarray(format="rgb24"))
        return (stream.width, stream.height), times, frames


def block_difference(a: NDArray[np.uint8], b: NDArray[np.uint8]) -> tuple[float, tuple[int, int]]:
    """The largest mean absolute difference of an 8x8 block in one channel, and that block's (x, y)."""
    height, width = a.shape[0] // BLOCK * BLOCK, a.shape[1] // BLOCK * BLOCK
    diff = np.abs(a[:height, :width].astype(np.int16) - b[:height, :width].astype(np.int16))
    blocks = diff.reshape(height // BLOCK, BLOCK, width // BLOCK, BLOCK, -1).mean(axis=(1, 3)).max(axis=2)
    row, col = np.unravel_index(int(np.argmax(blocks)), blocks.shape)
    return float(blocks[row, col]), (int(col) * BLOCK, int(row) * BLOCK)


def _compare_mp4(actual: bytes, expected: bytes) -> str | None:
    size, times, frames = _video(actual)
    want_size, want_times, want = _video(expected)
    if size != want_size:
        return f"size {size[0]}x{size[1]}, expected {want_size[0]}x{want_size[1]}"
    if len(frames) != len(want):
        return f"{len(frames)} frames, expected {len(want)}"
    for index, ((start, ms), (want_start, want_ms)) in enumerate(zip(times, want_times, strict=True)):
        if (start, ms) != (want_start, want_ms):
            return f"frame {index} shows at {start} ms for {ms} ms, expected at {want_start} ms for {want_ms} ms"
    for index, (frame, want_frame) in enumerate(zip(frames, want, strict=True)):
        worst, (x, y) = block_difference(frame, want_frame)
        if worst > MP4_TOLERANCE:
            return (
                f"frame {index}: the pixels near ({x}, {y}) differ by {worst:.0f} of 255 "
                f"(tolerance {MP4_TOLERANCE:.0f})"
            )
    return None


COMPARERS: dict[str, tuple[str, Callable[[bytes, bytes], str | None]]] = {
    ".png": ("PNG", lambda a, b: None if _pixels(a) == _pixels(b) else "pixels differ"),
    ".webp": ("WebP", _compare_webp),
    ".html": ("HTML player", _compare_html),
    ".mp4": ("MP4", _compare_mp4),
}


def compare(filename: str, expected: bytes, path: Path) -> str | None:
    """Why ``path`` is not the asset ``expected`` (None when it is current)."""
    if path.is_dir():
        return "is a folder, not a file: remove it"
    if not path.exists():
        return "missing"
    actual = path.read_bytes()
    if actual == expected:
        return None
    found = COMPARERS.get(Path(filename).suffix.lower())
    if found is None:
        return f"bytes differ ({len(actual):,} bytes on disk, {len(expected):,} expected)"
    name, differs = found
    try:
        return differs(actual, expected)
    except Exception:
        return f"not a readable {name}"
