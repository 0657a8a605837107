"""A frame's blank rows written as a run between Pillow's LZW codes: the pixels are the box's.

Read back by two decoders that share no code (Pillow's and FFmpeg's, through PyAV), over boxes of
every shape with blank bands of every size; the width of each code is checked against Pillow's
own streams (taken apart and joined again, byte for byte).
"""

from __future__ import annotations

import io
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from convanim.write import gif, lzw
from convanim.write.base import TRANSPARENT

av = pytest.importorskip("av")

PALETTE = np.array([(i, i * 7 % 256, i * 13 % 256) for i in range(256)], dtype=np.uint8)


def one_frame_gif(data: bytes, height: int, width: int) -> bytes:
    """A GIF of one image: ``data`` (its LZW sub-blocks) over the whole screen, a 256-colour palette."""
    screen = b"GIF89a" + struct.pack("<HHBBB", width, height, 0xF7, 0, 0) + PALETTE.tobytes()
    return screen + b"," + struct.pack("<HHHHBB", 0, 0, width, height, 0, 8) + data + b"\0;"


def decoded(data: bytes, height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """The indices Pillow reads, and the colours FFmpeg reads."""
    file = one_frame_gif(data, height, width)
    indices = np.asarray(Image.open(io.BytesIO(file)))
    with av.open(io.BytesIO(file)) as container:
        colours = next(container.decode(video=0)).to_ndarray(format="rgb24")
    return indices, colours


def banded(rng: np.random.Generator, width: int, top: int, blank: int, bottom: int, colours: int) -> np.ndarray:
    """A box: random rows (half transparent), ``blank`` transparent rows, random rows."""
    patch = np.full((top + blank + bottom, width), TRANSPARENT, dtype=np.uint8)
    for rows in (slice(0, top), slice(top + blank, None)):
        part = patch[rows]
        part[...] = np.where(rng.random(part.shape) < 0.5, TRANSPARENT, rng.integers(0, colours, part.shape))
    return patch


@settings(max_examples=60, deadline=None)
@given(
    st.integers(2, 160).map(lambda w: w * 2),  # FFmpeg's GIF decoder frames even sizes here
    st.integers(0, 30),
    st.integers(1, 400),
    st.integers(0, 30),
    st.integers(1, 200),
    st.integers(0, 2**32 - 1),
)
def test_blank_rows_as_a_run_decode_to_the_box(width, top, blank, bottom, colours, seed) -> None:  # type: ignore[no-untyped-def]
    patch = banded(np.random.default_rng(seed), width, top, blank, bottom, colours)
    data = lzw.image_data(patch, (top, top + blank), TRANSPARENT)
    indices, seen = decoded(data, *patch.shape)
    assert np.array_equal(indices, patch)
    assert np.array_equal(seen, PALETTE[patch])


@pytest.mark.parametrize("pixels", [1, 2, 3, 4, 6, 7, 255, 256, 6_846_000, 6_848_000, 14_000_000])
def test_a_run_of_any_length_decodes(pixels: int) -> None:
    """Runs around a triangle number and past what one part's codes cover (a clear code between)."""
    width = 1000 if pixels >= 1000 else pixels
    patch = np.full((pixels // width, width), TRANSPARENT, dtype=np.uint8)
    data = lzw.image_data(patch, (0, patch.shape[0]), TRANSPARENT)
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(one_frame_gif(data, *patch.shape)))), patch)
    assert len(lzw.run(TRANSPARENT, pixels)) == 1 + (pixels > 6_846_000) + (pixels > 2 * 6_846_000)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 120), st.integers(1, 400), st.integers(1, 256), st.floats(0, 1), st.integers(0, 2**32 - 1))
def test_pillows_codes_taken_apart_join_to_its_bytes(height, width, colours, blank, seed) -> None:  # type: ignore[no-untyped-def]
    """The width of every code after a clear code is the one Pillow writes, and Pillow clears its
    table after every ``CYCLE`` codes: its stream, read as codes and joined again, is the same
    bits (Pillow may cut the end code's high zero bits with its last byte; ours are written)."""
    rng = np.random.default_rng(seed)
    patch = np.where(rng.random((height, width)) < blank, TRANSPARENT, rng.integers(0, colours, (height, width)))
    patch = patch.astype(np.uint8)
    part = lzw.pillow_part(patch)
    assert part is not None

    def bits(data: bytes) -> int:
        return int.from_bytes(lzw.unblocked(data), "little")

    assert bits(lzw.joined([part])) == bits(lzw.pillow_data(patch))


def test_parts_past_a_full_table_are_spliced_too() -> None:
    """Noise above and below the blank rows: Pillow clears its table inside each part."""
    patch = banded(np.random.default_rng(3), 400, 60, 600, 30, 256)
    part = lzw.pillow_part(patch[:60])
    assert part is not None and part[1] > 2 * (lzw.offsets()[lzw.CYCLE] + 12)  # two clear codes inside
    data = lzw.image_data(patch, (60, 660), TRANSPARENT)
    assert data != lzw.pillow_data(patch)
    indices, seen = decoded(data, *patch.shape)
    assert np.array_equal(indices, patch)
    assert np.array_equal(seen, PALETTE[patch])


def job(height: int, width: int, pieces: list[gif.Piece]) -> gif.FrameJob:
    return (5, 7, height, width, pieces, {"duration": 100, "disposal": 1, "transparency": TRANSPARENT})


@settings(max_examples=80, deadline=None)
@given(
    st.integers(1, 300),
    st.integers(1, 700),
    st.lists(st.tuples(st.integers(0, 299), st.integers(0, 699), st.integers(1, 40), st.booleans()), max_size=5),
    st.integers(0, 2**32 - 1),
)
def test_blank_rows_are_rows_no_piece_draws_in(width, height, placed, seed) -> None:  # type: ignore[no-untyped-def]
    """``blank_rows`` holds only the transparent index in the frame's patch, and is the longest such
    band when no piece writes the transparent index over another's ink."""
    rng = np.random.default_rng(seed)
    pieces: list[gif.Piece] = []
    for dx, dy, rows, masked in placed:
        dx, dy = dx % width, dy % height
        h, w = min(rows, height - dy), min(30, width - dx)
        values = rng.integers(0, 4, (h, w)).astype(np.uint8)
        values[rng.random((h, w)) < 0.3] = TRANSPARENT
        pieces.append((dx, dy, values, rng.random((h, w)) < 0.7 if masked else None))
    frame = job(height, width, pieces)
    patch = gif.frame_patch(frame)
    inked = np.flatnonzero((patch != TRANSPARENT).any(axis=1))
    edges = np.concatenate([[-1], inked, [height]])
    gaps = np.diff(edges) - 1
    found = gif.blank_rows(frame)
    if found is None:
        assert gaps.max() * width < gif.BLANK_PIXELS or len(pieces) > 1
        return
    top, bottom = found
    assert (bottom - top) * width >= gif.BLANK_PIXELS
    assert (patch[top:bottom] == TRANSPARENT).all()
    if len(pieces) <= 1:
        longest = int(gaps.argmax())
        assert (top, bottom) == (int(edges[longest]) + 1, int(edges[longest]) + 1 + int(gaps[longest]))


def test_a_frame_with_blank_rows_decodes_as_its_patch_and_others_are_pillows_bytes() -> None:
    window = np.arange(40 * 60, dtype=np.uint8).reshape(40, 60) % 50
    sums = np.full((9, 900), 3, dtype=np.uint8)
    tall = job(700, 900, [(10, 0, window, None), (0, 691, sums, None)])
    assert gif.blank_rows(tall) == (40, 691)
    data = gif.encode_frame(tall)
    assert data != gif.encode_frame_whole(tall)
    screen = b"GIF89a" + struct.pack("<HHBBB", 905, 707, 0xF7, 0, 0) + PALETTE.tobytes()
    shown = np.asarray(Image.open(io.BytesIO(screen + data + b";")))[7:, 5:]
    patch = gif.frame_patch(tall)
    assert np.array_equal(shown, patch)  # the transparent index is shown as itself on a first frame
    short = job(100, 900, [(10, 0, window, None), (0, 91, sums, None)])
    assert gif.blank_rows(short) is None
    assert gif.encode_frame(short) == gif.encode_frame_whole(short)


def table_strings(codes: list[int]) -> dict[int, bytes]:
    """The decoder's table after ``codes`` (read after a clear code), string by string: the reference."""
    table = {code: bytes((code,)) for code in range(256)}
    previous = None
    for code in codes:
        if previous is not None:
            string = table[code] if code in table else table[previous] + table[previous][:1]
            table[lzw.FIRST + len(table) - 256] = table[previous] + string[:1]
        previous = code
    return table


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 80), st.integers(1, 300), st.integers(1, 12), st.floats(0, 1), st.integers(0, 2**32 - 1))
def test_the_runs_a_table_holds_are_found_by_their_parents(height, width, colours, blank, seed) -> None:  # type: ignore[no-untyped-def]
    """``strings_of`` (all entries at once, by doubling) against the table built string by string."""
    rng = np.random.default_rng(seed)
    patch = np.where(rng.random((height, width)) < blank, TRANSPARENT, rng.integers(0, colours, (height, width)))
    part = lzw.pillow_part(patch.astype(np.uint8))
    assert part is not None
    if part[2] == 0:
        return
    codes = lzw._last_codes(part)
    table = table_strings(codes.tolist())
    runs = {len(string): code for code, string in table.items() if set(string) == {TRANSPARENT}}
    found = lzw.strings_of(TRANSPARENT, codes)
    assert found is not None
    assert found.tolist() == [runs[length] for length in range(1, max(runs) + 1)]


def test_a_run_after_rows_goes_on_with_their_table() -> None:
    """Rows with long gaps teach the table long runs of the transparent index; the blank rows after
    them use those (fewer bits than from a fresh table) and decode to the box. After rows of noise
    (12-bit codes, short runs), a fresh table is shorter, and is the one written."""
    rng = np.random.default_rng(8)
    patch = np.full((40 + 500 + 9, 600), TRANSPARENT, dtype=np.uint8)
    patch[:40, 100:160] = rng.integers(0, 5, (40, 60))  # a window's rows: cells, and a gap each side
    patch[540:, :300] = rng.integers(0, 5, (9, 300))  # a sum line
    noise = banded(rng, 600, 40, 500, 9, 5)
    pixels = 500 * 600
    for box, goes_on in ((patch, True), (noise, False)):
        above = lzw.pillow_part(box[:40])
        assert above is not None
        going_on = lzw.continued(above, TRANSPARENT, pixels)
        assert going_on is not None
        fresh = [above, *lzw.run(TRANSPARENT, pixels)]
        assert (len(lzw.joined([going_on])) < len(lzw.joined(fresh))) == goes_on
        assert lzw.after(above, TRANSPARENT, pixels) == ([going_on] if goes_on else fresh)
        data = lzw.image_data(box, (40, 540), TRANSPARENT)
        indices, seen = decoded(data, *box.shape)
        assert np.array_equal(indices, box)
        assert np.array_equal(seen, PALETTE[box])


@pytest.mark.parametrize("pixels", [1, 2, 3, 59, 60, 61, 1_000, 100_000])
def test_a_run_going_on_of_any_length_decodes(pixels: int) -> None:
    """Shorter than the longest run the table holds, around it, and far past it."""
    rows = np.full((6, 100), TRANSPARENT, dtype=np.uint8)
    rows[:, 20:40] = 3  # gaps of 80 pixels between rows
    above = lzw.pillow_part(rows)
    assert above is not None
    going_on = lzw.continued(above, TRANSPARENT, pixels)
    assert going_on is not None
    shown = np.concatenate([rows.ravel(), np.full(pixels, TRANSPARENT, dtype=np.uint8)])
    width = 100 if shown.size % 100 == 0 else shown.size
    indices, _ = decoded(lzw.joined([going_on]), shown.size // width, width)
    assert np.array_equal(indices.ravel(), shown)
