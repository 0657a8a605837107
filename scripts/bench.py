"""Benchmark convanim against its baselines, all measured in the same run.

    python scripts/bench.py            # everything (about two minutes)
    python scripts/bench.py --quick    # skip baseline A's slow slices

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
from convanim import ConvSpec
from convanim.cli import cli
from convanim import animate, encode
patches = []
class Recorder(encode.GifWriter):
    def _flush(self):
        if self.pending is not None and len(patches) < {limit}:
            patches.append((self.pending, self.pending_ms))
        super()._flush()
animate.GifWriter = Recorder
try:
    cli.main({args!r} + ["-o", {str(target)!r}, "--max-frames", "100000"], standalone_mode=False)
except SystemExit:
    pass
sink = io.BytesIO()
start = time.perf_counter()
for (patch, (x, y), transparent), ms in patches:
    params = {{"duration": ms, "disposal": 1}}
    if transparent:
        params["transparency"] = 255
    for chunk in GifImagePlugin.getdata(Image.fromarray(patch), offset=(int(x), int(y)), **params):
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip baseline A on the large cases")
    options = parser.parse_args()
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
