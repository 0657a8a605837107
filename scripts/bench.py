"""Benchmark convanim against its baselines, all measured in the same run.

    python scripts/bench.py            # everything (about ten minutes)
    python scripts/bench.py --quick    # skip baseline A's slow slices
    python scripts/bench.py --formats  # only the other formats (MP4, WebP, HTML)

For each case it runs ``convanim render`` as a whole process and records wall time, peak RSS
(``os.wait4`` on that process alone) and output bytes. Against it:

- baseline A: ``scripts/baseline_matplotlib.py``, a plain matplotlib FuncAnimation + PillowWriter
  renderer of the same picture. It runs whole where that is quick and on the first N frames
  otherwise, extrapolated per frame (the table says which);
- baseline B, the floor: the GIF encoder alone (Pillow's LZW through our writer) on the same
  frame patches already in memory;
- gifsicle -O3 on convanim's own GIF (if gifsicle is installed): how much a heavy optimiser could
  still squeeze out.

It also times the 32,768-placement trace, ``convanim --help`` against ``python -c 'import click'``,
the memory of a 4,096-frame render against its first 64 frames, and the whole gallery.

The other formats (``formats()``): the MP4 of the 32x32, kernel 5, padding 2 case as a whole process
against the MP4 writer alone encoding the same frames again from memory, in a fresh process (PyAV:
colour conversion, x264 and the muxer; see ``writer_alone``); the peak memory of 4,096-frame
MP4 and WebP renders against their first 64 frames; WebP bytes against GIF bytes for every
animated gallery asset; the HTML player of the stride-2 case against its GIF.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable

CASES = [
    # name, convanim args, baseline args (or None), frames baseline A renders (None: all)
    ("4x4 k3", ["-i", "4"], ["--input-size", "4", "--kernel-size", "3"], None),
    (
        "5x5 k3 s2 p1",
        ["-s", "2", "-p", "1"],
        ["--input-size", "5", "--kernel-size", "3", "--stride", "2", "--pad", "1"],
        None,
    ),
    ("16x16 k3 p1", ["-i", "16", "-p", "1"], ["--input-size", "16", "--kernel-size", "3", "--pad", "1"], 24),
    ("32x32 k5 p2", ["-i", "32", "-k", "5", "-p", "2"], ["--input-size", "32", "--kernel-size", "5", "--pad", "2"], 12),
    ("64x64 k3 p1", ["-i", "64", "-p", "1"], ["--input-size", "64", "--kernel-size", "3", "--pad", "1"], 6),
    ("5x5 k3 s2 p1 term", ["-s", "2", "-p", "1", "--steps", "term"], None, None),
]


def run(argv: list[str], cwd: Path | None = None) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MiB) and stdout of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd)
    out = proc.stdout.read() if proc.stdout else b""
    err = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {err.decode()[-500:]}")
    return wall, usage.ru_maxrss / 1024, out.decode()


def floor_b(args: list[str], target: Path, limit: int = 1024) -> tuple[float, int]:
    """Baseline B in a child process: ms per frame of encoding the same patches, held in memory."""
    code = f"""
import io, sys, time
from PIL import GifImagePlugin, Image
from convanim.cli import cli
import convanim.write.gif as gif
patches = []  # each frame as the encoder gets it: the whole patch, its place, its parameters
encode = gif.encode_frame
def record(job):
    if len(patches) < {limit}:
        patches.append((gif.frame_patch(job), job[0], job[1], job[5]))
    return encode(job)
gif.encode_frame = record
try:
    cli.main({args!r} + ["-o", {str(target)!r}, "-j", "1", "--max-frames", "100000"], standalone_mode=False)
except SystemExit:
    pass
sink = io.BytesIO()
start = time.perf_counter()
for patch, x, y, params in patches:
    for chunk in GifImagePlugin.getdata(Image.fromarray(patch), offset=(x, y), **params):
        sink.write(chunk)
print((time.perf_counter() - start) * 1000 / len(patches), len(patches))
"""
    _, _, out = run([PY, "-c", code])
    ms, count = out.split()
    return float(ms), int(count)


def frames_of(path: Path) -> int:
    from PIL import Image

    with Image.open(path) as image:
        return int(image.n_frames)


def median_wall(argv: list[str], repeat: int = 7) -> float:
    return statistics.median(run(argv)[0] for _ in range(repeat))


def gallery_bytes_by_format() -> list[tuple[str, int, int, int]]:
    """(asset, frames, GIF bytes, WebP bytes) for every animated asset of the gallery, in a child process."""
    code = """
import json
from pathlib import Path
from convanim.pipeline import render_bytes, from_options
from convanim.manifest import load
rows = []
for asset in load(Path("pyproject.toml")).assets:
    if asset.options.frame is not None:
        continue  # a still
    animation = from_options(asset.options)
    gif, webp = render_bytes(animation, ".gif"), render_bytes(animation, ".webp")
    from PIL import Image
    import io
    with Image.open(io.BytesIO(gif)) as image:
        frames = image.n_frames
    rows.append([asset.name, frames, len(gif), len(webp)])
print(json.dumps(rows))
"""
    _, _, out = run([PY, "-c", code], cwd=ROOT)
    return [tuple(row) for row in json.loads(out)]  # type: ignore[misc]


VOLUME_PRESETS = ["volume_rgb", "volume_padding_strides", "volume_groups", "volume_depthwise", "volume_separable"]


def volume(repeat: int = 5) -> list[str]:
    """The volume presets against the GIF encoder floor of their own frames, as Markdown lines.

    CPU time of one child process (``time.process_time``: steadier than wall time on a shared
    machine), per preset, best of ``repeat``: the trace and the whole render in memory
    (``from_options`` + ``render_bytes``: drawing, palette frames, encoding; no interpreter start-up),
    the render alone, and Pillow's LZW on the same frame patches (baseline B, as in ``floor_b``).
    For comparison, the grid view of the same specs, measured the same way.
    """
    code = f"""
import io, json, time
from PIL import GifImagePlugin, Image
import convanim.write.gif as gif
from convanim.pipeline import from_options, render_bytes
from convanim.plan.options import RenderOptions
patches = []  # each frame as the encoder gets it: the whole patch, its place, its parameters
encode = gif.encode_frame
def record(job):
    patches.append((gif.frame_patch(job), job[0], job[1], job[5]))
    return encode(job)
gif.encode_frame = record
rows = []
cases = [(name, {{"preset": name}}) for name in {VOLUME_PRESETS!r}]
cases += [(name + " as grid", {{"preset": name, "view": "grid"}}) for name in {VOLUME_PRESETS[:4]!r}]
for name, mapping in cases:
    best = [float("inf")] * 3
    for _ in range({repeat}):
        patches.clear()
        start = time.process_time()
        animation = from_options(RenderOptions.from_mapping(mapping))
        middle = time.process_time()
        data = render_bytes(animation, ".gif")
        end = time.process_time()
        sink = io.BytesIO()
        t0 = time.process_time()
        for patch, x, y, params in patches:
            for chunk in GifImagePlugin.getdata(Image.fromarray(patch), offset=(x, y), **params):
                sink.write(chunk)
        floor = time.process_time() - t0
        best = [min(best[0], end - start), min(best[1], end - middle), min(best[2], floor)]
    image = Image.open(io.BytesIO(data))
    rows.append([name, len(patches), image.size, len(data), *best])
print(json.dumps(rows))
"""
    _, _, out = run([PY, "-c", code], cwd=ROOT)
    lines = [
        "",
        "## The volume view against the GIF encoder floor of its own frames",
        "",
        "| preset | frames | size px | bytes | trace + render ms | render ms | encoder floor ms | "
        "(trace + render) ÷ floor | render ÷ floor |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, frames, size, nbytes, whole, render, floor in json.loads(out):
        lines.append(
            f"| {name} | {frames} | {size[0]}x{size[1]} | {nbytes:,} | {whole * 1000:.0f} | {render * 1000:.0f} | "
            f"{floor * 1000:.0f} | {whole / floor:.2f} | {render / floor:.2f} |"
        )
    return lines


def formats(work: Path) -> list[str]:
    """The other formats' figures, as Markdown lines."""
    lines = ["", "## MP4, WebP and the HTML player", ""]
    big = ["render", "-i", "32", "-k", "5", "-p", "2"]
    wall, rss, _ = run([PY, "-m", "convanim", *big, "-o", str(work / "big.mp4")])
    alone = writer_alone(big, work / "big2.mp4", ".mp4")
    encoder, frames = float(alone["seconds"]), int(alone["frames"])
    gif_wall, _, _ = run([PY, "-m", "convanim", *big, "-o", str(work / "big.gif")])
    lines.append(
        f"- MP4, 32x32 k5 p2 ({frames:,} frames, {(work / 'big.mp4').stat().st_size:,} bytes): whole process "
        f"{wall:.1f} s, the MP4 writer alone on the same frames from memory (PyAV: colour conversion, x264, "
        f"muxer; the first encoder of a fresh process, a second one {float(alone['warm_seconds']):.1f} s; same "
        f"bytes: {'yes' if alone['same'] else 'NO'}) {encoder:.1f} s, ratio {wall / encoder:.2f} "
        f"(limit 1.5); peak RSS {rss:.0f} MiB. The GIF of the same case: {gif_wall:.1f} s, "
        f"{(work / 'big.gif').stat().st_size:,} bytes."
    )
    print("  measured the MP4 encoder", file=sys.stderr)
    for suffix in (".mp4", ".webp"):
        long = ["render", "-i", "64", "-p", "1"]
        _, rss_all, _ = run([PY, "-m", "convanim", *long, "-o", str(work / f"m1{suffix}")])
        _, rss_64, _ = run([PY, "-m", "convanim", *long, "--frames", "0:64", "-o", str(work / f"m2{suffix}")])
        lines.append(
            f"- peak RSS, {suffix} of 64x64 k3 p1: all 4,096 frames {rss_all:.0f} MiB, first 64 frames "
            f"{rss_64:.0f} MiB, ratio {rss_all / rss_64:.2f} (limit 1.25)"
        )
        print(f"  measured the memory of {suffix}", file=sys.stderr)
    stride = ["render", "-s", "2", "-p", "1"]
    run([PY, "-m", "convanim", *stride, "-o", str(work / "s2.gif")])
    run([PY, "-m", "convanim", *stride, "-o", str(work / "s2.html")])
    gif_size, html_size = (work / "s2.gif").stat().st_size, (work / "s2.html").stat().st_size
    lines.append(
        f"- HTML player of the stride-2 case (5x5 k3 s2 p1): {html_size:,} bytes against the GIF's {gif_size:,}, "
        f"ratio {html_size / gif_size:.2f} (limit 2)"
    )
    rows = gallery_bytes_by_format()
    worst = max(webp / gif for _, _, gif, webp in rows)
    lines += [
        "",
        f"WebP (lossless) against GIF bytes, every animated gallery asset (limit 0.5; worst {worst:.3f}):",
        "",
        "| asset | frames | GIF bytes | WebP bytes | WebP ÷ GIF |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {name} | {n} | {gif:,} | {webp:,} | {webp / gif:.3f} |" for name, n, gif, webp in rows]
    return lines


# Every core, every format, every view (issue 15). name, ``convanim render`` arguments.
CORE_CASES = [
    ("4x4 k3", ["-i", "4"]),
    ("5x5 k3 s2 p1", ["-s", "2", "-p", "1"]),
    ("16x16 k3 p1", ["-i", "16", "-p", "1"]),
    ("32x32 k5 p2", ["-i", "32", "-k", "5", "-p", "2"]),
    ("64x64 k3 p1", ["-i", "64", "-p", "1"]),
    ("5x5 k3 s2 p1 term", ["-s", "2", "-p", "1", "--steps", "term"]),
    ("8x8 8->8 ch p1", ["-i", "8", "--in-channels", "8", "--out-channels", "8", "-p", "1"]),
    ("16x16 term", ["-i", "16", "--steps", "term"]),
    ("28x28 digit sobel-x", ["-i", "28", "--values", "digit", "--kernel-values", "sobel-x"]),
    ("16x16 transposed s2", ["-i", "16", "-s", "2", "--transpose"]),
]
FORMATS = (".gif", ".webp", ".mp4")
# Without --repeat, a case whose whole process takes under SHORT_S is run SHORT_RUNS times (each run
# its own floors, interleaved) and the medians shown: on a shared machine one run of half a second
# swings by a fifth either way; the long cases are steadier, and one run of each is minutes.
SHORT_S = 2.0
SHORT_RUNS = 5
# What a process must load to trace with numpy and write each format (see every_core).
LIBRARIES = {
    ".gif": "import numpy; from PIL import Image, GifImagePlugin",
    ".webp": "import numpy; from PIL import Image, WebPImagePlugin",
    ".mp4": "import numpy, av; from PIL import Image",
}


def gif_floors(args: list[str], target: Path) -> dict[str, float | int | bool]:
    """Pillow's GIF encoder alone on this case's own frames, in a child process: one core (baseline
    B) and every core (the same frames through the ordered, bounded pool the writer uses).

    The frames are recorded from a one-core render (each frame's patch, place and parameters, as
    handed to the encoder), then encoded again from memory, each frame's whole box by Pillow's LZW:
    serially, and on all cores; the two byte streams must be equal. (A render writes the blank rows
    of a frame's box without Pillow, ``convanim.write.lzw``: its own encoder is not the floor.)
    """
    code = f"""
import io, json, time
import convanim.write.gif as gif
import convanim.write.parallel as parallel
from convanim.cli import cli
jobs = []
encode = gif.encode_frame
def record(job):
    jobs.append(job)
    return encode(job)
gif.encode_frame = record
try:
    cli.main({args!r} + ["-o", {str(target)!r}, "-j", "1", "--max-frames", "100000"], standalone_mode=False)
except SystemExit:
    pass
from PIL import GifImagePlugin, Image
patches = [(gif.frame_patch(job), job[0], job[1], job[5]) for job in jobs]
one = io.BytesIO()
start = time.perf_counter()
for patch, x, y, params in patches:  # baseline B: Pillow's LZW on the whole patches, one core
    for chunk in GifImagePlugin.getdata(Image.fromarray(patch), offset=(x, y), **params):
        one.write(chunk)
serial = time.perf_counter() - start
gif.encode_frame = encode
cores = parallel.available_cores()
parallel.START_AFTER = 0  # the floor starts its workers at once
every = io.BytesIO()
start = time.perf_counter()
pool = parallel.OrderedPool(gif.encode_frame_whole, every.write, cores)  # Pillow's LZW, whole boxes
try:
    for job in jobs:
        pool.submit(job)
    pool.drain()
finally:
    pool.close()
parallel_s = time.perf_counter() - start
print(json.dumps({{"frames": len(jobs), "one_core_s": serial, "all_core_s": parallel_s, "cores": cores,
                  "same": one.getvalue() == every.getvalue()}}))
"""
    _, _, out = run([PY, "-c", code])
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


WRITERS = {".webp": ("webp", "WebpWriter"), ".mp4": ("mp4", "Mp4Writer")}


def writer_alone(args: list[str], target: Path, suffix: str) -> dict[str, float | int | bool]:
    """The format's encoder alone on this case's own frames: WebP's or MP4's floor.

    A render records each frame as its writer receives it (the parts that changed, their pixels,
    its duration) into a file. A fresh process then loads them and has the same writer class encode
    them from memory, timed from its set-up to its last byte: that is all an encoder of palette frames
    must do (libwebp's or x264's work, with the conversion to colour they need), and the bytes must
    equal the render's. Timing the encoder's calls inside the render instead would miss x264's
    threads, which keep encoding between calls while the render draws.

    ``seconds`` is the first encoder of that process, as in any render: x264 touches about 130 MB of
    frame buffers for the first time (some 50,000 page faults at 776x420), which a second encoder in
    the same process finds already mapped in the C heap. That second encoder is ``warm_seconds``,
    shown beside it; it is what this floor measured until the bench encoded in the recording
    process, after the render, where the render had already paid for those pages.
    """
    module, name = WRITERS[suffix]
    frames_file = target.with_suffix(".frames.pickle")
    record = f"""
import pickle
import convanim.write.{module} as formats
from convanim.cli import cli
from convanim.write.base import changed_parts
Base = formats.{name}
made = {{}}
frames = []
class Recording(Base):
    def __init__(self, stream, width, height, palette, loop=0, *, info=None):
        made.update(size=(width, height), palette=palette, loop=loop, info=info)
        super().__init__(stream, width, height, palette, loop, info=info)
    def add(self, pixels, duration_ms, changed=None):
        parts = changed_parts(changed, self.width, self.height)
        frames.append((parts, [pixels[y0:y1, x0:x1].copy() for x0, y0, x1, y1 in parts], duration_ms))
        super().add(pixels, duration_ms, changed)
formats.{name} = Recording
try:
    cli.main({args!r} + ["-o", {str(target)!r}, "--max-frames", "100000"], standalone_mode=False)
except SystemExit:
    pass
with open({str(frames_file)!r}, "wb") as out:
    pickle.dump((made, frames), out)
"""
    encode = f"""
import io, json, pickle, time
import numpy as np
from convanim.paint.raster import Changed
from convanim.write.{module} import {name} as Base
with open({str(frames_file)!r}, "rb") as recorded:
    made, frames = pickle.load(recorded)
rendered = open({str(target)!r}, "rb").read()
width, height = made["size"]
def encode_all():
    pixels = np.zeros((height, width), dtype=np.uint8)
    again = io.BytesIO()
    start = time.perf_counter()
    writer = Base(again, width, height, made["palette"], made["loop"], info=made["info"])
    try:
        for parts, values, duration in frames:
            for (x0, y0, x1, y1), part in zip(parts, values):
                pixels[y0:y1, x0:x1] = part
            writer.add(pixels, duration, Changed(parts) if parts else (0, 0, 0, 0))
        writer.finish()
    finally:
        writer.close()
    return time.perf_counter() - start, again.getvalue() == rendered
first, same = encode_all()
second, same_again = encode_all()
print(json.dumps({{"seconds": first, "warm_seconds": second, "frames": len(frames), "same": same and same_again}}))
"""
    try:
        run([PY, "-c", record])
        _, _, out = run([PY, "-c", encode])
    finally:
        frames_file.unlink(missing_ok=True)
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def every_core(work: Path, names: set[str] | None, repeat: int | None, formats: tuple[str, ...] = FORMATS) -> list[str]:
    """Issue 15's figures: per case and format, the whole process against the floors of the same run."""
    # A process that only starts Python and loads numpy (the trace) and the format's encoder library:
    # what no render can avoid. Added to a case's all-core floor it is the least any whole process
    # can take; where that is over 1.5x the floor, no process built on them meets issue 15's figure.
    start_up = {
        suffix: statistics.median(run([PY, "-c", LIBRARIES[suffix]])[0] for _ in range(7)) for suffix in formats
    }
    loads = "; ".join(f"{suffix} `python -c '{LIBRARIES[suffix]}'` {start_up[suffix]:.2f} s" for suffix in formats)
    runs_text = (
        f"Median of {repeat} run(s) per figure"
        if repeat
        else f"Median of {SHORT_RUNS} runs per figure where the whole process takes under {SHORT_S:.0f} s, else one run"
    )
    lines: list[str] = [
        "",
        f"## Every core, every format (this machine: {os.cpu_count()} cores; load average at start "
        f"{os.getloadavg()[0]:.1f})",
        "",
        "Whole process (`python -m convanim render`, `-j` at its default) against the encoder alone on the "
        "same frames, measured in the same run: GIF against Pillow's LZW on one core (B) and on every core "
        "(B all); WebP and MP4 against their writer alone (libwebp's animation encoder, PyAV/x264 with the "
        "conversion to colour) encoding the same frames again from memory, timed from set-up to the last "
        "byte, its bytes equal to the render's (`same bytes` says so for them; for GIF it compares `-j 1`). "
        f"{runs_text}. The start-up of a process that only loads numpy and the "
        f"format's encoder library ({loads}; median of 7) is what no whole process can avoid: the last two "
        "columns divide by it plus the all-core floor, and give that least possible whole process against "
        "the all-core floor (over 1.5: out of reach of any process that loads them). A video floor is the "
        "first encoder of a fresh process that holds the frames, as in a render; the last two columns give a "
        "second encoder in that process, which finds x264's or libwebp's frame buffers already paged in (see "
        "`writer_alone`).",
        "",
        "| case | format | frames | bytes | whole s | peak RSS MiB | floor: one core s | floor: all cores s | "
        "whole ÷ one-core floor | whole ÷ all-core floor | same bytes as -j 1 | whole ÷ (start-up + all-core floor) "
        "| least possible ÷ all-core floor | video: a second encoder in the process s | whole ÷ it |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    print("\n".join(lines), flush=True)
    for name, args in CORE_CASES:
        if names is not None and name not in names:
            continue
        render = ["render", *args]
        for suffix in formats:
            walls, rsss, ones, alls, warms, same = [], [], [], [], [], True
            frames, size = 0, 0
            runs = repeat or 1
            while len(walls) < runs:
                out = work / f"case{suffix}"
                wall, rss, _ = run([PY, "-m", "convanim", *render, "-o", str(out), "--max-frames", "100000"])
                walls.append(wall)
                rsss.append(rss)
                size = out.stat().st_size
                if suffix == ".gif":
                    floors = gif_floors(render, work / "floor.gif")
                    ones.append(float(floors["one_core_s"]))
                    alls.append(float(floors["all_core_s"]))
                    frames = int(floors["frames"])
                    same = same and bool(floors["same"])
                    one = work / "one.gif"
                    run([PY, "-m", "convanim", *render, "-j", "1", "-o", str(one), "--max-frames", "100000"])
                    same = same and one.read_bytes() == out.read_bytes()
                else:
                    alone = writer_alone(render, work / f"alone{suffix}", suffix)
                    alls.append(float(alone["seconds"]))
                    warms.append(float(alone["warm_seconds"]))
                    same = same and bool(alone["same"])
                    frames = int(alone["frames"])
                if repeat is None and len(walls) == 1 and wall < SHORT_S:
                    runs = SHORT_RUNS  # a short case swings with the machine: the median of several
            wall = statistics.median(walls)
            one_s = statistics.median(ones) if ones else float("nan")
            all_s = statistics.median(alls)
            one_text = f"{one_s:.2f}" if ones else "—"
            one_ratio = f"{wall / one_s:.2f}" if ones else "—"
            process_floor = f"{wall / (start_up[suffix] + all_s):.2f}"
            least = f"{(start_up[suffix] + all_s) / all_s:.2f}"
            warm = statistics.median(warms) if warms else float("nan")
            warm_text = f"{warm:.2f} | {wall / warm:.2f}" if warms else "— | —"
            lines.append(
                f"| {name} | {suffix} | {frames or '—'} | {size:,} | {wall:.2f} | {max(rsss):.0f} | {one_text} | "
                f"{all_s:.2f} | {one_ratio} | {wall / all_s:.2f} | {'yes' if same else 'NO'} | {process_floor} | "
                f"{least} | {warm_text} |"
            )
            print(lines[-1], flush=True)  # as it goes: a long run that fails later keeps what it measured
    return lines


def every_core_extras(work: Path) -> list[str]:
    """Memory of 4,096 frames against 64 (every format, ``-j`` default), the gallery, start-up."""
    lines = ["", "## Memory, the gallery and start-up (same run)", ""]
    big = ["render", "-i", "64", "-p", "1"]
    for suffix in FORMATS:
        _, rss_all, _ = run([PY, "-m", "convanim", *big, "-o", str(work / f"m1{suffix}")])
        _, rss_64, _ = run([PY, "-m", "convanim", *big, "--frames", "0:64", "-o", str(work / f"m2{suffix}")])
        lines.append(
            f"- peak RSS, 64x64 k3 p1 {suffix}, `-j` default: all 4,096 frames {rss_all:.0f} MiB, first 64 frames "
            f"{rss_64:.0f} MiB, ratio {rss_all / rss_64:.2f} (limit 1.25)"
        )
    print("  measured memory", file=sys.stderr)
    folder = work / "gallery"  # not there yet: every asset is rendered and written
    fresh, fresh_rss, _ = run([PY, "-m", "convanim", "assets", "--out-dir", str(folder)], cwd=ROOT)
    made = sorted(folder.iterdir())
    kinds = sorted({p.suffix for p in made})
    check, _, _ = run([PY, "-m", "convanim", "assets", "--check", "--out-dir", str(folder)], cwd=ROOT)
    committed, _, _ = run([PY, "-m", "convanim", "assets", "--check"], cwd=ROOT)
    lines.append(
        f"- the whole gallery ({len(made)} files: {', '.join(kinds)}; {sum(p.stat().st_size for p in made):,} bytes), "
        f"{os.cpu_count()} cores: `convanim assets` from scratch into an empty folder {fresh:.2f} s (peak RSS "
        f"{fresh_rss:.0f} MiB), `convanim assets --check` of it {check:.2f} s, of the committed assets "
        f"{committed:.2f} s (limit 3 s each)"
    )
    print("  measured the gallery", file=sys.stderr)
    entry = shutil.which("convanim")
    help_script = median_wall([entry, "--help"]) if entry else median_wall([PY, "-m", "convanim", "--help"])
    click_wall = median_wall([PY, "-c", "import click"])
    lines.append(
        f"- start-up (median of 7): convanim --help {help_script * 1000:.0f} ms, python -c 'import click' "
        f"{click_wall * 1000:.0f} ms, ratio {help_script / click_wall:.2f} (limit 1.5)"
    )
    return lines


def as_installed() -> None:
    """Run every child process as an installed package runs: with its bytecode cached.

    ``pip install`` compiles a package's modules, and Python caches what it compiles on first
    import; a machine set to ``PYTHONDONTWRITEBYTECODE`` (as containers often are) would instead
    compile convanim's 13,000 lines in every child, about 0.1 s that no user pays. The cache goes
    where Python puts it (``__pycache__``, ignored by git), filled before anything is timed.
    """
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    sys.dont_write_bytecode = False
    subprocess.run([PY, "-m", "compileall", "-q", str(ROOT / "convanim")], check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip baseline A on the large cases")
    parser.add_argument("--formats", action="store_true", help="only the MP4, WebP and HTML figures")
    parser.add_argument("--volume", action="store_true", help="only the volume presets against the encoder floor")
    parser.add_argument("--cores", action="store_true", help="only issue 15's table: every case, format and floor")
    parser.add_argument("--case", action="append", default=None, help="with --cores: only this case (repeatable)")
    short = f"{SHORT_RUNS} for a case whose whole process is under {SHORT_S:.0f} s, else 1"
    parser.add_argument(
        "--repeat", type=int, default=None, help=f"with --cores: runs per figure, the median shown (default: {short})"
    )
    parser.add_argument("--extras", action="store_true", help="with --cores: only memory, the gallery, start-up")
    parser.add_argument("--format", action="append", default=None, help="with --cores: only this format (.gif...)")
    options = parser.parse_args()
    as_installed()
    if options.cores:
        work = Path(tempfile.mkdtemp(prefix="convanim-bench-"))
        try:
            names = set(options.case) if options.case else None
            kinds = tuple(options.format) if options.format else FORMATS
            if not options.extras:
                every_core(work, names, options.repeat, kinds)  # prints its rows as it goes
            if options.extras or (names is None and not options.format):
                print("\n".join(every_core_extras(work)))
            print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return 0
    if options.volume:
        print("\n".join(volume()))
        return 0
    if options.formats:
        work = Path(tempfile.mkdtemp(prefix="convanim-bench-"))
        try:
            print("\n".join(formats(work)))
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return 0
    work = Path(tempfile.mkdtemp(prefix="convanim-bench-"))
    gifsicle = shutil.which("gifsicle")
    rows = []
    try:
        for name, args, baseline, a_frames in CASES:
            out = work / "out.gif"
            wall, rss, _ = run([PY, "-m", "convanim", "render", *args, "-o", str(out), "--max-frames", "100000"])
            frames = frames_of(out)
            size = out.stat().st_size
            ms = wall * 1000 / frames
            b_ms, _ = floor_b(["render", *args], work / "b.gif")
            row = {
                "case": name,
                "frames": frames,
                "wall_s": wall,
                "ms_per_frame": ms,
                "rss_mib": rss,
                "bytes": size,
                "floor_b_ms": b_ms,
            }
            if gifsicle:
                small = work / "o3.gif"
                subprocess.run([gifsicle, "-O3", str(out), "-o", str(small)], check=True)
                row["gifsicle_bytes"] = small.stat().st_size
            base = baseline
            if base is None and "term" in name:
                base = CASES[1][2]  # same picture; baseline A has no term mode: per-frame cost of placements
            if base is not None and not (options.quick and a_frames is not None):
                extra = ["--frames", str(a_frames)] if a_frames else []
                _, a_rss, a_out = run(
                    [PY, str(ROOT / "scripts" / "baseline_matplotlib.py"), *base, *extra, "-o", str(work / "a.gif")]
                )
                result = json.loads(a_out.strip().splitlines()[-1])
                row["a_ms"] = result["seconds"] * 1000 / result["frames"]
                row["a_note"] = (
                    "whole"
                    if a_frames is None and "term" not in name
                    else (f"first {a_frames}, per frame" if a_frames else "placements, per frame")
                )
                row["a_rss_mib"] = a_rss
            rows.append(row)
            print(f"  measured {name}", file=sys.stderr)

        # Memory: the 4,096-frame render against its first 64 frames (same picture size).
        _, rss_all, _ = run([PY, "-m", "convanim", "render", "-i", "64", "-p", "1", "-o", str(work / "m1.gif")])
        _, rss_64, _ = run(
            [PY, "-m", "convanim", "render", "-i", "64", "-p", "1", "--frames", "0:64", "-o", str(work / "m2.gif")]
        )
        # The gallery.
        gallery_wall, gallery_rss, _ = run([PY, "-m", "convanim", "assets", "--out-dir", str(work / "assets")])
        gallery_bytes = sum(p.stat().st_size for p in (work / "assets").iterdir())
        # Start-up.
        help_wall = median_wall([PY, "-m", "convanim", "--help"])
        entry = shutil.which("convanim")
        help_script = median_wall([entry, "--help"]) if entry else float("nan")
        click_wall = median_wall([PY, "-c", "import click"])
        # The trace core.
        trace_code = (
            "import time, numpy as np\n"
            "from convanim import ConvSpec\nfrom convanim.compute.tracer import trace\n"
            "s = ConvSpec(input_size=(64, 64), in_channels=3, out_channels=8, padding=(1, 1))\n"
            "r = np.random.default_rng(0)\n"
            "x = r.integers(0, 4, s.input_shape); w = r.integers(0, 3, s.weight_shape)\n"
            "best = min((lambda t0: (trace(s, x, w), time.perf_counter() - t0)[1])(time.perf_counter())"
            " for _ in range(5))\n"
            "t = trace(s, x, w)\n"
            "print(best, len(t.steps), t.steps.products.size)"
        )
        _, _, out = run([PY, "-c", trace_code])
        trace_s, placements, terms = out.split()
        format_lines = formats(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print("\n## convanim render against baselines (same run)\n")
    print(
        "| case | frames | wall s | ms/frame | peak RSS MiB | bytes | A ms/frame | A ÷ convanim | "
        "B ms/frame | convanim ÷ B | gifsicle -O3 bytes | ours ÷ O3 |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        a = f"{r['a_ms']:.1f} ({r['a_note']})" if "a_ms" in r else "—"
        ratio_a = f"{r['a_ms'] / r['ms_per_frame']:.0f}×" if "a_ms" in r else "—"
        o3 = r.get("gifsicle_bytes")
        o3_text = f"{o3:,}" if o3 else "—"
        o3_ratio = f"{r['bytes'] / o3:.3f}" if o3 else "—"
        print(
            f"| {r['case']} | {r['frames']} | {r['wall_s']:.2f} | {r['ms_per_frame']:.2f} | {r['rss_mib']:.0f} | "
            f"{r['bytes']:,} | {a} | {ratio_a} | {r['floor_b_ms']:.2f} | "
            f"{r['ms_per_frame'] / r['floor_b_ms']:.2f}× | {o3_text} | {o3_ratio} |"
        )
    print("\nwall s and ms/frame are the whole process (start-up, trace, drawing, encoding) divided by frames.")
    print("\n## other figures\n")
    print(
        f"- trace of 64x64x3, 8 filters 3x3, pad 1: {int(placements):,} placements, {int(terms):,} terms "
        f"in {float(trace_s) * 1000:.0f} ms (best of 5)"
    )
    print(
        f"- peak RSS, 64x64 k3 p1: all 4,096 frames {rss_all:.0f} MiB, first 64 frames {rss_64:.0f} MiB, "
        f"ratio {rss_all / rss_64:.2f}"
    )
    print(
        f"- gallery (convanim assets, {len(os.listdir(ROOT / 'assets'))} files, {gallery_bytes:,} bytes): "
        f"{gallery_wall:.2f} s, peak RSS {gallery_rss:.0f} MiB"
    )
    print(
        f"- start-up (median of 7): python -m convanim --help {help_wall * 1000:.0f} ms, convanim --help "
        f"{help_script * 1000:.0f} ms, python -c 'import click' {click_wall * 1000:.0f} ms, "
        f"ratio {help_script / click_wall:.2f}"
    )
    print("\n".join(format_lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
