"""Frames compressed on several cores give the one-core bytes, in every format that takes ``jobs``.

The workers start only after ``START_AFTER`` frames and take ``BATCH`` frames a task, and a GIF
writer hands frames on ``QUEUED_FRAMES`` at a time; all three are lowered here so that small
renders go through the worker processes, several batches deep.
Performance is measured by ``scripts/bench.py``, not here.
"""

from __future__ import annotations

import io
import itertools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

import convanim
import convanim.write.gif as gif
import convanim.write.parallel as parallel
from convanim.cli import cli
from convanim.errors import SpecError
from convanim.paint.raster import Changed
from convanim.pipeline import Animation, from_options, render_bytes, render_file
from convanim.plan.options import RenderOptions
from convanim.write.base import OutputInfo
from convanim.write.gif import GifWriter, gif_writer

JOBS = (1, 2, 4)


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "START_AFTER", 3)
    monkeypatch.setattr(parallel, "BATCH", 2)
    monkeypatch.setattr(gif, "QUEUED_FRAMES", 3)


def animation(**options: object) -> Animation:
    return from_options(RenderOptions.from_mapping(options))


CASES = {
    "padding": {"input_size": 6, "padding": 1},
    "transparent": {"input_size": 5, "stride": 2, "padding": 1, "background": "transparent"},
    "term": {"input_size": 4, "steps": "term"},
    "transposed": {"input_size": 3, "stride": 2, "transposed": True},
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_gif_bytes_do_not_depend_on_jobs(case: str) -> None:
    clip = animation(**CASES[case])
    one = render_bytes(clip, ".gif", jobs=1)
    for jobs in JOBS[1:]:
        assert render_bytes(clip, ".gif", jobs=jobs) == one, jobs


@pytest.mark.parametrize("suffix", [".gif", ".webp", ".svg"])
def test_files_do_not_depend_on_jobs(tmp_path: Path, suffix: str) -> None:
    if suffix == ".webp":
        from convanim.write.webp import missing

        if missing():
            pytest.skip("no WebP in this Pillow")
    clip = animation(input_size=5, padding=1)
    made = []
    for jobs in JOBS:
        target = tmp_path / f"j{jobs}{suffix}"
        render_file(clip, str(target), jobs=jobs)
        made.append(target.read_bytes())
    assert made[1:] == made[:1] * (len(made) - 1)


def test_png_sequence_does_not_depend_on_jobs(tmp_path: Path) -> None:
    clip = animation(input_size=5, padding=1)
    folders = []
    for jobs in JOBS:
        folder = tmp_path / f"j{jobs}"
        count = render_file(clip, str(folder / "f-%03d.png"), jobs=jobs)
        files = sorted(folder.iterdir())
        assert len(files) == count == 25
        folders.append([p.read_bytes() for p in files])
    assert folders[1:] == folders[:1] * (len(folders) - 1)


def test_cli_render_takes_jobs_and_refuses_zero(tmp_path: Path) -> None:
    runner = CliRunner()
    outputs = []
    for jobs in ("1", "2"):
        target = tmp_path / f"j{jobs}.gif"
        result = runner.invoke(cli, ["render", "-i", "5", "-p", "1", "-j", jobs, "-o", str(target)])
        assert result.exit_code == 0, result.output
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]
    refused = runner.invoke(cli, ["render", "-j", "0", "-o", str(tmp_path / "no.gif")])
    assert refused.exit_code == 2
    assert "--jobs" in refused.output
    assert not (tmp_path / "no.gif").exists()


def test_jobs_is_not_part_of_the_command_a_file_records() -> None:
    assert "jobs" not in RenderOptions.from_mapping({"jobs": 2, "stride": 2}).command()


def test_api_takes_jobs(tmp_path: Path) -> None:
    one, two = tmp_path / "one.gif", tmp_path / "two.gif"
    convanim.animate(input_size=5, padding=1, jobs=1).save(one)
    convanim.animate(input_size=5, padding=1, jobs=2).save(two)
    assert one.read_bytes() == two.read_bytes()
    with pytest.raises(SpecError, match="jobs"):
        convanim.animate(jobs=0)


def _frames(count: int, seed: int = 0) -> list[tuple[np.ndarray, tuple[int, int, int, int]]]:
    """Frames that change in two far-apart boxes each, and sometimes not at all."""
    rng = np.random.default_rng(seed)
    pixels = np.zeros((60, 90), dtype=np.uint8)
    frames = []
    for i in range(count):
        boxes = []
        if i % 5 != 3:  # every fifth frame repeats the last: its duration is merged
            for _ in range(2):
                x, y = int(rng.integers(0, 80)), int(rng.integers(0, 50))
                pixels[y : y + 10, x : x + 10] = rng.integers(0, 4, (10, 10))
                boxes.append((x, y, x + 10, y + 10))
        frames.append((pixels.copy(), tuple(boxes)))
    return frames  # type: ignore[return-value]


@pytest.mark.parametrize("transparent", [False, True])
def test_gif_writer_same_bytes_for_parts_box_or_nothing_and_any_jobs(transparent: bool) -> None:
    palette = [(255, 255, 255), (0, 0, 0), (200, 0, 0), (0, 0, 200)]
    frames = _frames(40)
    results = set()
    for jobs in JOBS:
        for how in ("parts", "box", "none"):
            buffer = io.BytesIO()
            writer = gif_writer(buffer, 90, 60, palette, info=OutputInfo(transparent=transparent, jobs=jobs))
            try:
                for pixels, boxes in frames:
                    parts = boxes or ((0, 0, 1, 1),)
                    changed = Changed(parts) if how == "parts" else (tuple(Changed(parts)) if how == "box" else None)
                    writer.add(pixels, 100, changed)  # type: ignore[arg-type]
                writer.finish()
            finally:
                writer.close()
            results.add(buffer.getvalue())
    assert len(results) == 1


def test_a_failed_render_stops_its_workers() -> None:
    buffer = io.BytesIO()
    writer = GifWriter(buffer, 8, 8, [(0, 0, 0), (255, 255, 255)], info=OutputInfo(jobs=2))
    try:
        for i in range(12):
            writer.add(np.full((8, 8), i % 2, dtype=np.uint8), 100)
        assert writer.pool.started
        workers = list(writer.pool.workers)
    finally:
        writer.close()  # without finish(): batches still in flight are dropped
    assert not writer.pool.started
    assert workers and all(not worker.is_alive() for worker in workers)


def test_a_gif_writer_compresses_frames_a_batch_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Frames wait until ``QUEUED_FRAMES`` are ready, or their pieces hold ``QUEUED_BYTES``, then are
    compressed together (drawing and compressing keep their data in the cache); the bytes do not
    depend on the batch."""
    compressed: list[int] = []
    encode = gif.encode_frame

    def counting(job: gif.FrameJob) -> bytes:
        compressed.append(job[0])
        return encode(job)

    monkeypatch.setattr(gif, "encode_frame", counting)

    def made(queued_frames: int, queued_bytes: int) -> tuple[bytes, list[int]]:
        monkeypatch.setattr(gif, "QUEUED_FRAMES", queued_frames)
        monkeypatch.setattr(gif, "QUEUED_BYTES", queued_bytes)
        buffer, after_each = io.BytesIO(), []
        writer = GifWriter(buffer, 40, 20, [(0, 0, 0), (255, 255, 255)], info=OutputInfo(jobs=1))
        for i in range(11):
            pixels = np.zeros((20, 40), dtype=np.uint8)
            pixels[:, i : i + 3] = 1
            writer.add(pixels, 100)
            after_each.append(len(compressed))
        writer.finish()
        compressed.clear()
        return buffer.getvalue(), after_each

    one, each = made(1, 1 << 30)
    assert each == list(range(11))  # a frame is compressed once the next one shows its duration
    three, batched = made(3, 1 << 30)
    assert batched == [0, 0, 0, 3, 3, 3, 6, 6, 6, 9, 9]
    small, by_bytes = made(16, 50)  # each frame changes 20 x 4 px or more: over 50 bytes, none waits
    assert by_bytes == each
    assert one == three == small


def _square(item: int) -> int:
    return item * item


@pytest.mark.parametrize("forked", [True, False])
def test_both_kinds_of_worker_give_the_results_in_order_and_stop(forked: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """Forked workers (os.fork and two pipes) and, where a process cannot fork, multiprocessing's:
    the same results in the same order, messages larger than a pipe holds, and no worker left."""
    monkeypatch.setattr(parallel, "can_fork", lambda: forked)
    got: list[int] = []
    pool = parallel.OrderedPool(_square, got.append, 2, batch=5, start_after=0)
    try:
        for item in range(200):
            pool.submit(item)
        pool.drain()
        kinds = {type(worker).__name__ for worker in pool.workers}
        workers = list(pool.workers)
    finally:
        pool.close()
    assert got == [item * item for item in range(200)]
    assert kinds == {"_ForkedWorker" if forked else "_SpawnedWorker"}
    assert not any(worker.is_alive() for worker in workers)
    pipes = parallel._Pipes(*os.pipe())
    try:
        big = np.arange(1 << 18, dtype=np.int64)  # 2 MiB: many pipe buffers
        import threading

        sender = threading.Thread(target=pipes.send, args=([big, "x"],))
        sender.start()
        received = pipes.recv()
        sender.join()
        assert np.array_equal(received[0], big) and received[1] == "x"
    finally:
        pipes.close()
    reader, writer = os.pipe()
    os.close(writer)
    with pytest.raises(EOFError):
        parallel._Pipes(reader, -1).recv()
    os.close(reader)


def test_a_render_forks_its_workers_without_multiprocessing() -> None:
    """multiprocessing's import and process start-up are not paid by a render that can fork."""
    import subprocess
    import sys

    code = (
        "import os, sys; from convanim.cli import cli\n"
        "forks, fork = [], os.fork\n"
        "os.fork = lambda: forks.append(1) or fork()\n"
        "cli.main(['render', '-i', '12', '-p', '1', '-j', '2', '-o', '-'], standalone_mode=False)\n"
        "sys.stderr.write(repr(('multiprocessing' in sys.modules, len(forks))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True)
    assert done.stdout.startswith(b"GIF89a")
    assert done.stderr.decode().strip().endswith("(False, 2)")  # two workers, forked without it


def test_an_mp4_render_loads_pyav_while_its_first_frames_are_drawn(tmp_path: Path) -> None:
    """The drawing workers are forked before PyAV is imported (its import and x264's start run
    beside them), and the video is the one drawn on one core."""
    import subprocess
    import sys

    code = (
        "import os, sys; from convanim.cli import cli\n"
        "seen, fork = [], os.fork\n"
        "os.fork = lambda: seen.append('av' in sys.modules) or fork()\n"
        "cli.main(['render', '--steps', 'term', '-o', sys.argv[1], '-j', sys.argv[2]], standalone_mode=False)\n"
        "sys.stderr.write(repr(seen))"
    )
    two, one = tmp_path / "two.mp4", tmp_path / "one.mp4"
    done = subprocess.run([sys.executable, "-c", code, str(two), "2"], capture_output=True, check=True)
    assert done.stderr.decode().strip().endswith("[False, False]")  # two workers, forked before PyAV loaded
    subprocess.run([sys.executable, "-c", code, str(one), "1"], capture_output=True, check=True)
    assert two.read_bytes() == one.read_bytes()


def _slow_first(item: int) -> tuple[int, int]:
    """Item 0 takes a while; the rest are quick. Returns the item and the worker that did it."""
    import os
    import time

    if item == 0:
        time.sleep(0.5)
    return item, os.getpid()


def test_a_free_worker_takes_the_next_batch_and_results_stay_in_order() -> None:
    done: list[tuple[int, int]] = []
    pool = parallel.OrderedPool(_slow_first, done.append, 2, batch=1, start_after=0)
    try:
        for item in range(12):
            pool.submit(item)
        pool.drain()
    finally:
        pool.close()
    assert [item for item, _ in done] == list(range(12))
    slow = done[0][1]
    # While one worker is busy with item 0, the other takes every batch the window allows
    # (round-robin would have left item 2 waiting for the slow worker).
    ahead = parallel.WINDOW * 2 - 1
    assert all(pid != slow for _, pid in done[1 : 1 + ahead])


def test_changed_is_the_box_around_its_parts() -> None:
    changed = Changed([(5, 6, 10, 12), (40, 1, 45, 3)])
    assert tuple(changed) == (5, 1, 45, 12)
    assert changed.parts == ((5, 6, 10, 12), (40, 1, 45, 3))


@pytest.mark.parametrize("permanent", [False, True])
@pytest.mark.parametrize("spread", [1, 3])
def test_pasting_a_block_of_tiles_at_once_is_pasting_them_one_by_one(permanent: bool, spread: int) -> None:
    """``Canvas.paste_all`` leaves the frame and the permanent layer as ``paste`` does tile by tile;
    what it reports changed covers every pixel that differs; the next frame takes it all back. A
    spread block (a dilated window: ``spread`` 3) is marked tile by tile, a dense one as its box."""
    from convanim.paint.raster import Canvas

    rng = np.random.default_rng(spread + 2 * permanent)
    for _ in range(20):
        one, every = Canvas(60, 90, 0), Canvas(60, 90, 0)
        for canvas in (one, every):  # a permanent picture under the block
            canvas.paste(np.full((60, 90), 7, dtype=np.uint8), 0, 0, permanent=True)
            canvas.begin()
            canvas.changed()
            canvas.begin()
        size = int(rng.integers(3, 9))
        rows, cols = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        x0, y0 = int(rng.integers(0, 20)), int(rng.integers(0, 15))
        tiles = [
            (rng.integers(0, 6, (size + 1, size + 1), dtype=np.uint8), x0 + q * size * spread, y0 + r * size * spread)
            for r in range(rows)
            for q in range(cols)
        ]
        for tile, x, y in tiles:
            one.paste(tile, x, y, permanent)
        every.paste_all(tiles, permanent)
        assert np.array_equal(one.pixels, every.pixels) and np.array_equal(one.persist, every.persist)
        changed = every.changed()
        assert changed is not None
        covered = np.zeros((60, 90), dtype=bool)
        for a0, b0, a1, b1 in changed.parts:
            covered[b0:b1, a0:a1] = True
        assert not (every.pixels != 7)[~covered].any()
        box_area = (max(x + t.shape[1] for t, x, _ in tiles) - x0) * (max(y + t.shape[0] for t, _, y in tiles) - y0)
        if box_area > 2 * sum(t.size for t, _, _ in tiles):  # mostly gaps: not one run over them
            assert len(every._changed) == len(tiles)
        else:
            assert len(every._changed) == 1
        every.begin()
        assert np.array_equal(every.pixels, every.persist)
    assert every.paste_all([], permanent) is None


# Ranges of frames drawn and compressed by workers (convanim.frame_ranges).


def _gif_by_ranges(frames: list[tuple[np.ndarray, tuple[int, int, int, int]]], cuts: list[int]) -> bytes:
    """The GIF of ``frames`` made as the workers make it: one writer copy per range, appended in order."""
    import copy

    palette = [(255, 255, 255), (0, 0, 0), (200, 0, 0), (0, 0, 200)]
    buffer = io.BytesIO()
    parent = GifWriter(buffer, 90, 60, palette)
    bounds = [0, *cuts, len(frames)]
    for start, stop in itertools.pairwise(bounds):
        worker = copy.copy(parent)
        worker.begin_range(None if start == 0 else frames[start - 1][0])
        for pixels, boxes in frames[start:stop]:
            worker.add(pixels, 100, Changed(boxes or ((0, 0, 1, 1),)))
        parent.append_range(worker.end_range(stop - start))
    parent.finish()
    return buffer.getvalue()


def test_ranges_give_the_one_writer_bytes_wherever_they_are_cut() -> None:
    """Every cut, including cuts inside runs of repeated frames (their durations are carried back)."""
    frames = _frames(24, seed=3)
    frames[10:14] = [(frames[9][0], ())] * 4  # a run of repeats across the cuts below
    frames[14] = (frames[14][0], ((0, 0, 90, 60),))  # changed since frame 9: anywhere
    one = _gif_by_ranges(frames, [])
    for cut in range(1, len(frames)):
        assert _gif_by_ranges(frames, [cut]) == one, cut
    assert _gif_by_ranges(frames, [10, 11, 12, 13]) == one  # ranges of nothing but repeats
    assert _gif_by_ranges(frames, list(range(1, 24))) == one  # a frame a range


VIEWS = {
    "stride+pad": {"input_size": 7, "stride": 2, "padding": 1},
    "term": {"input_size": 4, "steps": "term"},
    "rectangular dilation": {"input_size": (5, 7), "kernel_size": (2, 3), "dilation": 2},
    "channels+groups+bias": {"input_size": 5, "in_channels": 4, "out_channels": 2, "groups": 2, "bias": True},
    "transposed": {"input_size": 3, "stride": 2, "padding": 1, "transposed": True},
    "matrix": {"input_size": 4, "view": "matrix"},
    "grad weight": {"input_size": 5, "grad": "weight", "theme": "dark"},
    "grad input": {"input_size": 5, "grad": "input"},
    "max pool": {"input_size": 6, "op": "max", "kernel_size": 2, "stride": 2},
    "direct": {"input_size": 3, "stride": 2, "transposed": True, "view": "direct"},
    "overlap": {"input_size": 3, "stride": 2, "transposed": True, "view": "overlap"},
    "digit": {"input_size": 8, "values": "digit", "kernel_values": "sobel-x"},
    "volume": {"input_size": 4, "in_channels": 3, "out_channels": 2, "padding": 1, "view": "volume"},
    "separable": {"preset": "volume_separable"},
    "slice": {"input_size": 8, "padding": 1, "frames": "20:50"},
    "12 maps, roving": {"input_size": 3, "kernel_size": 2, "in_channels": 2, "out_channels": 12},
    "12 channels term, roving": {"input_size": 3, "kernel_size": 2, "in_channels": 12, "steps": "term"},
    "max pool 12, roving": {"op": "max", "input_size": 4, "kernel_size": 2, "stride": 2, "in_channels": 12},
    "depthwise 12, roving": {"input_size": 3, "kernel_size": 2, "in_channels": 12, "out_channels": 12, "groups": 12},
}


@pytest.mark.parametrize("case", sorted(VIEWS))
def test_every_view_drawn_in_ranges_gives_the_one_core_bytes(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import convanim.frame_ranges as ranges

    monkeypatch.setattr(ranges, "RANGES_FROM", 2)
    monkeypatch.setattr(ranges, "MIN_RANGE", 3)
    clip = animation(**VIEWS[case])
    one = render_bytes(clip, ".gif", jobs=1)
    assert render_bytes(clip, ".gif", jobs=2) == one
    assert render_bytes(clip, ".gif", jobs=3) == one


def test_spans_cover_every_frame_once() -> None:
    from convanim.frame_ranges import MIN_RANGE, spans

    for frames in (1, 13, 48, 1024, 4097):
        for jobs in (2, 3, 8):
            cut = spans(frames, jobs)
            assert cut[0][0] == 0 and cut[-1][1] == frames
            assert all(a[1] == b[0] for a, b in itertools.pairwise(cut))
            assert all(stop - start >= MIN_RANGE for start, stop in cut[:-1])


def test_a_long_animation_goes_in_ranges_of_at_most_max_range_frames(monkeypatch: pytest.MonkeyPatch) -> None:
    # The compressed bytes of a range wait in memory until it is written: a range's length is
    # capped, so memory does not grow with the animation (the first range would be a quarter of it).
    import convanim.frame_ranges as ranges

    sent: list[tuple[int, int]] = []

    class Recorded(ranges.OrderedPool):  # type: ignore[type-arg]
        def submit(self, item: tuple[int, int]) -> None:  # type: ignore[override]
            sent.append(item)
            super().submit(item)

    monkeypatch.setattr(ranges, "OrderedPool", Recorded)
    monkeypatch.setattr(ranges, "MAX_RANGE", 20)
    clip = animation(input_size=12, padding=1)  # 144 frames: a first range of 36 uncapped
    one = render_bytes(clip, ".gif", jobs=1)
    assert render_bytes(clip, ".gif", jobs=2) == one
    assert sent[0] == (0, 20) and sent[-1][1] == 144
    assert max(stop - start for start, stop in sent) == 20


def test_a_failing_range_is_one_error_and_stops_the_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    import convanim.frame_ranges as ranges
    from convanim.write.parallel import WorkerError

    def broken(span: tuple[int, int]) -> object:
        raise ValueError(f"range {span} broke")

    monkeypatch.setattr(ranges, "RANGES_FROM", 2)
    monkeypatch.setattr(ranges, "_draw_range", broken)
    with pytest.raises(WorkerError, match=r"ValueError: range .* broke"):
        render_bytes(animation(input_size=6), ".gif", jobs=2)


@pytest.mark.parametrize("suffix", [".webp", ".mp4", ".html", "transparent.gif"])
@pytest.mark.parametrize("case", ["stride+pad", "term", "channels+groups+bias", "volume"])
def test_frames_drawn_by_workers_give_the_one_core_bytes(
    suffix: str, case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Writers that encode one frame after another get each frame from the drawing workers."""
    import convanim.frame_ranges as ranges

    monkeypatch.setattr(ranges, "RANGES_FROM", 2)
    monkeypatch.setattr(ranges, "MIN_RANGE", 3)
    monkeypatch.setattr(ranges, "MAX_DRAWN_RANGE", 4)
    options = dict(VIEWS[case])
    if suffix == "transparent.gif":
        options["background"], suffix = "transparent", ".gif"
    if suffix in (".webp", ".mp4"):
        module = __import__(f"convanim.write.{suffix[1:]}", fromlist=["missing"])
        if module.missing():
            pytest.skip(f"no {suffix} encoder here")
    clip = animation(**options)
    one = render_bytes(clip, suffix, jobs=1)
    assert render_bytes(clip, suffix, jobs=2) == one


def test_png_sequence_drawn_by_workers_gives_the_one_core_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import convanim.frame_ranges as ranges

    monkeypatch.setattr(ranges, "RANGES_FROM", 2)
    monkeypatch.setattr(ranges, "MAX_DRAWN_RANGE", 4)
    clip = animation(input_size=6, padding=1, steps="term")
    made = []
    for jobs in (1, 2):
        folder = tmp_path / f"j{jobs}"
        render_file(clip, str(folder / "%03d.png"), jobs=jobs)
        made.append([p.read_bytes() for p in sorted(folder.iterdir())])
    assert made[0] == made[1] and len(made[0]) == 324


# Every view, as its options: issue 15's "a frame costs what changes, not the picture".
EVERY_VIEW = {
    "grid": {},
    "term": {"steps": "term"},
    "channels": {"in-channels": 3, "out-channels": 2},
    "groups": {"in-channels": 4, "out-channels": 4, "groups": 2},
    "scatter": {"transpose": True},
    "matrix": {"view": "matrix"},
    "direct": {"transpose": True, "view": "direct"},
    "overlap": {"transpose": True, "view": "overlap"},
    "grad input": {"grad": "input"},
    "grad weight": {"grad": "weight"},
    "max pool": {"op": "max", "kernel-size": 2, "stride": 2},
    "avg pool": {"op": "avg"},
}


def _marks_per_frame(options: dict[str, object], monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many tiles, masks and outlines each frame puts on the canvas (the first: the static picture)."""
    from convanim.draw.views import make_scene
    from convanim.paint.raster import RASTER, Canvas

    counted = [0]

    def counting(name: str, pieces: Callable[..., int]) -> None:
        drawn = getattr(Canvas, name)

        def counted_draw(self: Canvas, *args: Any, **kwargs: Any) -> None:
            counted[0] += pieces(*args)
            drawn(self, *args, **kwargs)

        monkeypatch.setattr(Canvas, name, counted_draw)

    for name in ("paste", "paint_mask", "outline"):
        counting(name, lambda *args: 1)
    counting("paste_all", lambda tiles, *args: len(tiles))  # a window's cells at once: a tile each
    made = animation(**options)
    drawing = make_scene(made.trace, made.look, RASTER, made.view, made.grad_output)
    per_frame = []
    for _ in drawing.frames(made.storyboard()):
        per_frame.append(counted[0])
        counted[0] = 0
    return per_frame


@pytest.mark.parametrize("view", list(EVERY_VIEW))
def test_every_view_draws_a_frame_in_what_changes_not_the_picture(view: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # A typical frame puts as many marks on a 12x12 input as on a 6x6 one (its window, its output
    # cell, its sums), and a small share of the static picture's: the rest is left as it was.
    small, large = (_marks_per_frame({"input-size": size, **EVERY_VIEW[view]}, monkeypatch) for size in (6, 12))
    typical = [sorted(frames[1:])[len(frames[1:]) // 2] for frames in (small, large)]
    assert typical[1] <= typical[0], (view, typical)
    assert typical[1] * 8 < large[0], (view, typical[1], large[0])
