"""GIF image data (LZW codes in sub-blocks) for a frame's box, most of whose middle rows are blank.

A frame's box spans every part that changed: from the window at the top of the picture to the sum
line at its foot. Its rows in between hold only the transparent index, and Pillow's LZW encoder
spends about 4 ns on each of their pixels, as on any pixel: three quarters of a large render's work.

GIF's LZW stream may restart anywhere: after a clear code (256) the decoder's table and code width
start afresh. So the rows above the blank ones and the rows below are encoded by Pillow, each from
a fresh table, and the blank rows between are written here, in arithmetic on the run's length, as
the codes an LZW encoder starting afresh writes for a run of one index: the index, then each next
code (the decoder makes it the string before it and one more index), one pixel longer each time.
Each part starts with a clear code at the width the decoder reads by then; the stream ends with
the end code (257). Every GIF decoder reads clear codes mid-stream (encoders write one whenever
their table fills).

Pillow's output gives its codes' number only implicitly: its stream is a clear code, the codes
(a clear code again after every ``CYCLE`` of them, when its table is full), the end code and
padding, and the width of the n-th code after a clear is fixed (``widths``), so the stream's
length gives the number of codes. That is checked (each clear code, the end code, zero padding),
and where it does not hold, Pillow's encoding of the whole box is used, so the pixels are always
the box's.

A run after Pillow's upper rows goes on with their table where that is shorter (``after``): the
table's longest run of the index is found from Pillow's codes (``strings_of``), and the run goes on
from that length, as Pillow's encoder would, instead of from one pixel (about sqrt(2n) codes).

The bytes differ from Pillow's for the whole box: the rows below the run learn their strings
afresh. A file is from 2 % smaller to 6 % larger (most where frames change little). The bytes are
the same for any number of processes. Knows nothing about frames.
"""

from __future__ import annotations

import bisect
import functools
import itertools

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageFile

CLEAR = 256
END = 257
FIRST = 258  # the first code a table adds (8-bit indices)
# Codes a run here has after its clear code: its table (entries 258 to 4095) never fills.
MOST_CODES = 3700
# Pillow's encoder writes a clear code after this many codes (its table is full), at width 12.
CYCLE = 3839

Part = tuple[int, int, int]  # its codes after a clear code, as an integer (the first code lowest), bits, codes


@functools.cache
def widths() -> list[int]:
    """The width of the n-th code after a clear code, as the decoder reads it (n from 0).

    Before it reads code n the decoder's table holds ``FIRST + n - 1`` entries (the first code
    adds none); the width is the bits of the next entry's number, 9 to 12.
    """
    return [min(12, (FIRST + max(n - 1, 0)).bit_length()) for n in range(CYCLE + 2)]


@functools.cache
def offsets() -> list[int]:
    """Bits taken by the first n codes after a clear code."""
    return list(itertools.accumulate(widths(), initial=0))


@functools.cache
def _arrays() -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """``offsets()`` and ``widths()`` as arrays."""
    return np.array(offsets(), dtype=np.int64), np.array(widths(), dtype=np.int64)


@functools.cache
def _run_codes(value: int) -> int:
    """The codes for a run of ``value`` after a clear code: ``value``, then FIRST, FIRST + 1, ...

    Code n stands for n + 1 pixels (FIRST is the string of two the decoder has just made from
    the code before it and its first index; each next code, one longer).
    """
    codes = np.array([value, *range(FIRST, FIRST + MOST_CODES - 1)])
    bit = np.arange(12)
    bits = ((codes[:, None] >> bit) & 1)[bit < np.array(widths()[:MOST_CODES])[:, None]]  # each code's, low first
    return int.from_bytes(np.packbits(bits.astype(np.uint8), bitorder="little").tobytes(), "little")


def run(value: int, pixels: int) -> list[Part]:
    """Parts (each after its own clear code) for ``pixels`` pixels of ``value``."""
    most = MOST_CODES * (MOST_CODES + 1) // 2 - 1  # what MOST_CODES codes cover, with room for the rest
    parts = []
    while pixels > 0:
        size = min(pixels, most)
        pixels -= size
        # m codes cover 1 + 2 + ... + m pixels; the rest (under m + 1) is one code already made.
        m = (int((8 * size + 1) ** 0.5) - 1) // 2
        while (m + 1) * (m + 2) // 2 <= size:
            m += 1
        while m * (m + 1) // 2 > size:
            m -= 1
        rest = size - m * (m + 1) // 2
        bits, count = _run_codes(value) & ((1 << offsets()[m]) - 1), m
        if rest:
            bits |= (value if rest == 1 else FIRST + rest - 2) << offsets()[m]
            count += 1
        parts.append((bits, offsets()[count], count))
    return parts


def pillow_data(patch: NDArray[np.uint8]) -> bytes:
    """Pillow's GIF image data (sub-blocks, no terminator) for ``patch``, as ``getdata`` writes it."""
    height, width = patch.shape
    image = Image.frombuffer("L", (width, height), np.ascontiguousarray(patch), "raw", "L", 0, 1)
    encoder = Image._getencoder("L", "gif", "L")
    parts = []
    try:
        encoder.setimage(image.im, (0, 0, width, height))
        block = max(ImageFile.MAXBLOCK, width * 4)  # as ImageFile._save reads it
        while True:
            _, status, data = encoder.encode(block)
            parts.append(data)
            if status:
                break
        if status < 0:
            raise OSError(f"the GIF encoder failed (error {status})")
    finally:
        encoder.cleanup()
    return b"".join(parts)


def unblocked(data: bytes) -> bytes:
    """The bytes of GIF sub-blocks (each a length byte and that many bytes), joined."""
    chunks, at = [], 0
    while at < len(data):
        size = data[at]
        chunks.append(data[at + 1 : at + 1 + size])
        at += size + 1
    return b"".join(chunks)


def sub_blocks(data: bytes) -> bytes:
    """``data`` as GIF sub-blocks of up to 255 bytes (no terminator)."""
    view = memoryview(data)
    return b"".join(bytes((len(view[at : at + 255]),)) + view[at : at + 255] for at in range(0, len(data), 255))


def pillow_part(patch: NDArray[np.uint8]) -> Part | None:
    """Pillow's codes for ``patch`` after its first clear code, before its end code (None: not
    checked). The count is of the codes after the last clear code: its next code's width."""
    data = unblocked(pillow_data(patch))
    stream, total = int.from_bytes(data, "little"), 8 * len(data)
    if stream & 0x1FF != CLEAR:
        return None
    at, width = offsets(), widths()
    cycle = at[CYCLE] + width[CYCLE]  # a full table's codes and the clear code after them
    body = total - 9
    for cycles in sorted({body // cycle, max(0, body // cycle - 1)}):
        left = body - cycles * cycle  # the last codes, the end code, padding
        # The end code's bits past its highest set bit (the 9th) may be cut with the last byte.
        for count in range(bisect.bisect_left(at, left - 19), min(bisect.bisect_right(at, left - 9), CYCLE + 1)):
            end = 9 + cycles * cycle + at[count]
            if (
                (stream >> end) & ((1 << width[count]) - 1) == END
                and not stream >> (end + width[count])
                and all((stream >> (9 + j * cycle + at[CYCLE])) & 0xFFF == CLEAR for j in range(cycles))
            ):
                size = cycles * cycle + at[count]
                return (stream >> 9) & ((1 << size) - 1), size, count
    return None


def _last_codes(part: Part) -> NDArray[np.int64]:
    """The codes of ``part`` after its last clear code, in order."""
    bits, size, count = part
    offset, width = _arrays()
    at = offset[:count]
    data = (bits >> (size - offsets()[count])).to_bytes(offsets()[count] // 8 + 3, "little")
    window = np.frombuffer(data, dtype=np.uint8).astype(np.int64)
    byte = at >> 3
    window = window[byte] | window[byte + 1] << 8 | window[byte + 2] << 16  # a code and its shift fit 24 bits
    codes: NDArray[np.int64] = (window >> (at & 7)) & ((1 << width[:count]) - 1)
    return codes


def strings_of(value: int, codes: NDArray[np.int64]) -> NDArray[np.int64] | None:
    """The codes of ``value`` repeated 1, 2, ... times in the decoder's table after ``codes`` (read
    after a clear code), longest last (None: not one of each length, which LZW's tables always have).

    Entry ``FIRST + i`` is the string of code i and the first index of code i + 1. Each string's
    first index, whether it holds only ``value`` and its length follow its entry's parents to the
    index it starts with: for all entries at once, each of 12 rounds doubling the steps taken.
    """
    size = FIRST + len(codes) - 1
    parent = np.arange(size)
    parent[FIRST:] = codes[:-1]
    start = parent.copy()
    for _ in range(12):  # a table holds strings of at most 4096 - 256 indices
        start = start[start]
    only = np.zeros(size, dtype=bool)
    only[value] = True
    only[FIRST:] = start[codes[1:]] == value  # a code may be the entry it makes: its start is known
    length = (np.arange(size) >= FIRST).astype(np.int64)
    up = parent
    for _ in range(12):
        only &= only[up]
        length += length[up]
        up = up[up]
    found = np.flatnonzero(only)
    longest = int(length[found].max()) + 1
    strings = np.full(longest, -1, dtype=np.int64)
    strings[length[found]] = found
    return strings if len(found) == longest and (strings >= 0).all() else None


def continued(part: Part, value: int, pixels: int) -> Part | None:
    """Pillow's ``part`` and, with no clear code between, ``pixels`` pixels of ``value``, written with
    the runs of ``value`` its table holds already: its longest, then each next code one longer (the
    codes a run after a clear code uses, from that length on). A fresh table would need about
    sqrt(2n) codes; this needs sqrt(2n + L^2) - L, as Pillow's encoder, going on, would.

    None: the table would fill first, or the part ends at a clear code.
    """
    bits, size, count = part
    if count == 0:
        return None
    strings = strings_of(value, _last_codes(part))
    if strings is None:
        return None
    at, width = offsets(), widths()
    longest = len(strings)
    if pixels < longest:  # one code already made
        code = int(strings[pixels - 1])
        return bits | code << size, size + width[count], count + 1
    left = pixels - longest
    # m codes after the longest cover (L + 1) + ... + (L + m) pixels; the rest is one code made.
    m = int(((2 * longest + 1) ** 2 + 8 * left) ** 0.5 - (2 * longest + 1)) // 2
    while m * longest + m * (m + 1) // 2 > left:
        m -= 1
    while (m + 1) * longest + (m + 1) * (m + 2) // 2 <= left:
        m += 1
    rest = left - m * longest - m * (m + 1) // 2
    last = count + m + (rest > 0)  # the index of the last code written here
    if last >= MOST_CODES:
        return None
    bits |= int(strings[-1]) << size
    size += width[count]
    chain = (_run_codes(value) >> at[count + 1]) & ((1 << (at[count + m + 1] - at[count + 1])) - 1)
    bits |= chain << size  # code j after the clear code is FIRST + j - 1: the entry it makes
    size += at[count + m + 1] - at[count + 1]
    if rest:
        code = int(strings[rest - 1]) if rest <= longest else FIRST + count + rest - longest - 1
        bits |= code << size
        size += width[count + m + 1]
    return bits, size, last + 1


def after(above: Part, value: int, pixels: int) -> list[Part]:
    """``above`` and a run of ``pixels`` pixels of ``value``: going on with its table, or after a
    clear code, whichever takes fewer bits (a table full of other strings writes 12-bit codes,
    and may hold no long run of ``value``)."""
    fresh = run(value, pixels)
    going_on = continued(above, value, pixels)
    width = widths()
    if going_on is None:
        return [above, *fresh]
    clears = [width[above[2]], *(width[part[2]] for part in fresh[:-1])]
    fresh_bits = sum(clears) + sum(part[1] for part in fresh) + width[fresh[-1][2]]  # to the next code
    if going_on[1] - above[1] + width[going_on[2]] <= fresh_bits:
        return [going_on]
    return [above, *fresh]


def joined(parts: list[Part]) -> bytes:
    """The image data of ``parts`` in order: each after a clear code, then the end code."""
    stream = position = 0
    width = 9
    for bits, size, count in parts:
        stream |= CLEAR << position
        position += width
        stream |= bits << position
        position += size
        width = widths()[count]
    stream |= END << position
    position += width
    return sub_blocks(stream.to_bytes((position + 7) // 8, "little"))


def image_data(patch: NDArray[np.uint8], blank: tuple[int, int] | None, value: int) -> bytes:
    """GIF image data (sub-blocks, no terminator) for ``patch``, 8-bit codes.

    ``blank``: rows ``[top, bottom)`` that hold only ``value``, written as a run between Pillow's
    codes for the rows above and below (None: Pillow's encoding of the whole patch).
    """
    if blank is not None:
        top, bottom = blank
        pixels = (bottom - top) * patch.shape[1]
        above = pillow_part(patch[:top]) if top else None
        below = pillow_part(patch[bottom:]) if bottom < patch.shape[0] else None
        if (above is not None or not top) and (below is not None or bottom == patch.shape[0]):
            parts = run(value, pixels) if above is None else after(above, value, pixels)
            return joined(parts if below is None else [*parts, below])
    return pillow_data(patch)
