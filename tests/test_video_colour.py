"""The video writer's colours: palette indices -> BT.709 YUV 4:2:0, kept up to date where frames change.

Checked against the algebra (a float conversion pixel by pixel), against FFmpeg's own converter
(swscale) on flat colours, against itself converted whole, and in the stream (x264 is handed one
frame, made once, and the H.264 header says how its colours are to be read).
"""

from __future__ import annotations

import io
from fractions import Fraction
from typing import Any

import av
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convanim.write.base import OutputInfo
from convanim.write.mp4 import CODEC, CRF, MS, PRESET, THREADS, X264_PARAMS, Mp4Writer
from convanim.write.yuv import Yuv420Frame, bt709

colour = st.tuples(*[st.integers(0, 255)] * 3)
palettes = st.lists(colour, min_size=1, max_size=12)


def float_planes(palette: list[tuple[int, int, int]], indices: np.ndarray) -> tuple[np.ndarray, ...]:
    """Y, Cb, Cr the long way: each pixel's BT.709 values in floating point, chroma as 2x2 means."""
    rgb = np.asarray(palette, dtype=np.float64)[indices] / 255
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    luma = 0.2126 * r + 0.7152 * g + 0.0722 * b
    cb = 128 + 224 * (b - luma) / 1.8556
    cr = 128 + 224 * (r - luma) / 1.5748

    def mean(plane: np.ndarray) -> np.ndarray:
        return (plane[0::2, 0::2] + plane[0::2, 1::2] + plane[1::2, 0::2] + plane[1::2, 1::2]) / 4

    return 16 + 219 * luma, mean(cb), mean(cr)


@st.composite
def frames(draw: st.DrawFn) -> tuple[list[tuple[int, int, int]], int, int, list[tuple[np.ndarray, Any]]]:
    """A palette, a frame size (odd sizes too) and frames, each with the box it changed in (None:
    anywhere, as the first frame always is)."""
    palette = draw(palettes)
    width, height = draw(st.integers(1, 24)), draw(st.integers(1, 24))
    pixels = np.zeros((height, width), dtype=np.uint8)
    sequence = []
    for index in range(draw(st.integers(1, 6))):
        if index and draw(st.booleans()):
            x0, x1 = sorted(draw(st.lists(st.integers(0, width), min_size=2, max_size=2)))
            y0, y1 = sorted(draw(st.lists(st.integers(0, height), min_size=2, max_size=2)))
            box: Any = (x0, y0, x1, y1)
        else:
            x0, y0, x1, y1 = 0, 0, width, height
            box = None
        seed = draw(st.integers(0, 2**32 - 1))
        pixels[y0:y1, x0:x1] = np.random.default_rng(seed).integers(0, len(palette), (y1 - y0, x1 - x0))
        sequence.append((pixels.copy(), box))
    return palette, width, height, sequence


@settings(max_examples=150, deadline=None)
@given(frames(), st.integers(0, 11))
def test_planes_kept_box_by_box_are_the_whole_frame_converted(case: Any, fill: int) -> None:
    palette, width, height, sequence = case
    fill %= len(palette)
    even = (width + width % 2, height + height % 2)
    kept = Yuv420Frame(palette, *even, fill)
    for pixels, box in sequence:
        kept.update(pixels, box)
        whole = np.full((even[1], even[0]), fill, dtype=np.uint8)
        whole[:height, :width] = pixels  # the margin of an odd size keeps the fill
        fresh = Yuv420Frame(palette, *even, fill)
        fresh.update(whole, None)
        for got, want in zip((kept.y, kept.cb, kept.cr), (fresh.y, fresh.cb, fresh.cr), strict=True):
            assert np.array_equal(got, want)
        for got, exact in zip((kept.y, kept.cb, kept.cr), float_planes(palette, whole), strict=True):
            # tables in 1/64 of a level: at most one level from the float value rounded, where that
            # value lies within 1/64 of a half level
            assert np.abs(got.astype(np.float64) - exact).max() <= 0.5 + 1 / 64


def test_the_table_puts_white_black_and_grey_where_bt709_limited_range_does() -> None:
    y, cb, cr = bt709([(255, 255, 255), (0, 0, 0), (128, 128, 128), (255, 0, 0)])
    assert y[:4].tolist() == [235, 16, 126, 63]
    assert (cb[:3] / 64).tolist() == (cr[:3] / 64).tolist() == [128, 128, 128]  # greys carry no chroma
    assert round(cr[3] / 64) == 240  # pure red: Cr at the top of its range


def ffmpeg_planes(rgb: np.ndarray) -> tuple[np.ndarray, ...]:
    frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
    frame = frame.reformat(format="yuv420p", src_colorspace="ITU709", dst_colorspace="ITU709")
    return tuple(
        np.frombuffer(memoryview(plane), dtype=np.uint8).reshape(plane.height, plane.line_size)[:, : plane.width]
        for plane in frame.planes
    )


@settings(max_examples=60, deadline=None)
@given(colour)
def test_a_flat_colour_is_what_ffmpeg_converts_it_to(rgb: tuple[int, int, int]) -> None:
    """Away from edges the two conversions see the same thing: within one level of each other."""
    kept = Yuv420Frame([rgb], 16, 16, 0)
    theirs = ffmpeg_planes(np.full((16, 16, 3), rgb, dtype=np.uint8))
    for ours, ffmpeg in zip((kept.y, kept.cb, kept.cr), theirs, strict=True):
        assert np.abs(ours.astype(int) - ffmpeg.astype(int)).max() <= 1


def encoded(width: int, height: int, planes: list[tuple[np.ndarray, ...]], durations: list[int]) -> bytes:
    """The planes encoded as the writer sets x264 up, each in a frame of its own."""
    buffer = io.BytesIO()
    container: Any = av.open(buffer, "w", format="mp4")
    options = {"bf": "0", "threads": str(THREADS), "preset": PRESET, "crf": str(CRF), "x264-params": X264_PARAMS}
    video: Any = container.add_stream(CODEC, options=options)
    video.width, video.height, video.pix_fmt, video.time_base = width, height, "yuv420p", MS
    context = video.codec_context
    context.time_base = MS
    context.colorspace = context.color_primaries = context.color_trc = 1
    context.color_range = 1
    start, packets = 0, []
    for (y, cb, cr), ms in zip(planes, durations, strict=True):
        frame = av.VideoFrame.from_ndarray(np.concatenate([y, cb.reshape(-1, width), cr.reshape(-1, width)]), "yuv420p")
        frame.pts, frame.time_base = start, MS
        packets += video.encode(frame)
        start += ms
    packets += video.encode(None)
    for packet in packets[:-1]:
        container.mux(packet)
    packets[-1].duration = int(Fraction(durations[-1], 1000) / packets[-1].time_base)
    container.mux(packets[-1])
    container.close()
    return buffer.getvalue()


def decoded(data: bytes) -> list[tuple[int, bytes]]:
    """Each frame of a video as its start (ms) and its Y, Cb and Cr planes, as a decoder gives them."""
    with av.open(io.BytesIO(data)) as container:
        return [
            (round(float(frame.pts * frame.time_base) * 1000), frame.to_ndarray(format="yuv420p").tobytes())
            for frame in container.decode(video=0)
        ]


def test_one_encoder_frame_serves_every_frame() -> None:
    """x264 copies a frame in when it is given it: writing the next one into the same memory gives
    the video of a fresh frame each time, frame for frame.

    Decoded frames are compared, not bytes: one time in about thirty, over hundreds of runs, two
    bytes at the end of a slice differed between the two ways (fresh frames being the one that
    varied), though every decoded frame was the same."""
    palette = [(250, 250, 250), (20, 60, 200), (200, 40, 30), (30, 30, 30)]
    width, height = 96, 64
    rng = np.random.default_rng(5)
    pixels = np.zeros((height, width), dtype=np.uint8)
    buffer = io.BytesIO()
    writer = Mp4Writer(buffer, width, height, palette, info=OutputInfo(background=0))
    kept = Yuv420Frame(palette, width, height, 0)
    planes, durations = [], []
    for index in range(12):
        x, y = int(rng.integers(0, width - 16)), int(rng.integers(0, height - 16))
        pixels[y : y + 16, x : x + 16] = rng.integers(0, 4, (16, 16))
        box = (x, y, x + 16, y + 16)
        writer.add(pixels, 100 + index, box)
        kept.update(pixels, box)
        planes.append((kept.y.copy(), kept.cb.copy(), kept.cr.copy()))
        durations.append(100 + index)
    writer.finish()
    writer.close()
    video = decoded(buffer.getvalue())
    assert [start for start, _ in video] == [sum(durations[:index]) for index in range(12)]
    assert video == decoded(encoded(width, height, planes, durations))


def exp_golomb(bits: str, at: int) -> tuple[int, int]:
    zeros = bits.index("1", at) - at
    return int(bits[at + zeros : at + 2 * zeros + 1], 2) - 1, at + 2 * zeros + 1


def vui_colour(sps: bytes) -> dict[str, int]:
    """From an H.264 sequence parameter set (x264's High profile, no scaling lists): how its colours
    are to be read (H.264 E.1.1)."""
    rbsp = sps.replace(b"\x00\x00\x03", b"\x00\x00")
    bits = "".join(f"{byte:08b}" for byte in rbsp[1:])  # after the NAL header
    profile, at = int(bits[0:8], 2), 24
    _, at = exp_golomb(bits, at)  # seq_parameter_set_id
    if profile in (100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135):
        chroma_format, at = exp_golomb(bits, at)
        assert chroma_format == 1  # 4:2:0
        _, at = exp_golomb(bits, at)  # bit_depth_luma_minus8
        _, at = exp_golomb(bits, at)  # bit_depth_chroma_minus8
        at += 1  # qpprime_y_zero_transform_bypass_flag
        assert bits[at] == "0"  # no scaling matrices
        at += 1
    _, at = exp_golomb(bits, at)  # log2_max_frame_num_minus4
    order, at = exp_golomb(bits, at)
    assert order in (0, 2)
    if order == 0:
        _, at = exp_golomb(bits, at)
    _, at = exp_golomb(bits, at)  # max_num_ref_frames
    at += 1  # gaps_in_frame_num_value_allowed_flag
    _, at = exp_golomb(bits, at)  # width in macroblocks
    _, at = exp_golomb(bits, at)  # height in map units
    frame_mbs_only = bits[at] == "1"
    at += 1 + (0 if frame_mbs_only else 1) + 1  # mb_adaptive_frame_field_flag, direct_8x8_inference_flag
    if bits[at] == "1":  # frame_cropping_flag
        at += 1
        for _ in range(4):
            _, at = exp_golomb(bits, at)
    else:
        at += 1
    assert bits[at] == "1"  # vui_parameters_present_flag
    at += 1
    if bits[at] == "1":  # aspect_ratio_info_present_flag
        at += 1 + 8 + (32 if int(bits[at + 1 : at + 9], 2) == 255 else 0)
    else:
        at += 1
    if bits[at] == "1":  # overscan_info_present_flag
        at += 2
    else:
        at += 1
    found: dict[str, int] = {}
    if bits[at] == "1":  # video_signal_type_present_flag
        found["full_range"] = int(bits[at + 4])
        at += 5
        if bits[at] == "1":  # colour_description_present_flag
            found["primaries"] = int(bits[at + 1 : at + 9], 2)
            found["transfer"] = int(bits[at + 9 : at + 17], 2)
            found["matrix"] = int(bits[at + 17 : at + 25], 2)
            at += 25
        else:
            at += 1
    else:
        at += 1
    if bits[at] == "1":  # chroma_loc_info_present_flag
        found["chroma_loc_top"], at = exp_golomb(bits, at + 1)
        found["chroma_loc_bottom"], at = exp_golomb(bits, at)
    return found


def test_the_stream_says_bt709_limited_range_chroma_at_block_centres() -> None:
    buffer = io.BytesIO()
    writer = Mp4Writer(buffer, 32, 32, [(0, 0, 0), (255, 255, 255)], info=OutputInfo())
    writer.add(np.eye(32, dtype=np.uint8), 100)
    writer.finish()
    writer.close()
    with av.open(io.BytesIO(buffer.getvalue())) as container:
        avcc = bytes(container.streams.video[0].codec_context.extradata)
    assert avcc[5] & 0x1F == 1  # one SPS
    length = int.from_bytes(avcc[6:8], "big")
    assert vui_colour(avcc[8 : 8 + length]) == {
        "full_range": 0,
        "primaries": 1,
        "transfer": 1,
        "matrix": 1,
        "chroma_loc_top": 1,
        "chroma_loc_bottom": 1,
    }


@pytest.mark.parametrize("size", [(2, 3), (3, 2)])
def test_planes_need_an_even_size(size: tuple[int, int]) -> None:
    with pytest.raises(ValueError, match="even size"):
        Yuv420Frame([(0, 0, 0)], *size, 0)
