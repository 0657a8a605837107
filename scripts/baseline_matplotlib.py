"""Baseline A for scripts/bench.py: a plain matplotlib FuncAnimation + PillowWriter convolution GIF.

This is intentionally the usual approach, written the way tutorials and blog posts write it:
one figure with three axes (padded input, kernel, output), an ax.text in every cell, a Rectangle
patch moved over the input to mark the current window, and the output grid filling in frame by
frame. No blitting or other tricks; it is the thing convanim is compared against, not a rival.

Usage:
    python scripts/baseline_matplotlib.py --input-size 5 --kernel-size 3 --stride 2 --pad 1 -o out.gif

Prints one JSON line: {"frames": n, "seconds": wall time of render+save, "bytes": output size}.
"""

from __future__ import annotations

import argparse
import json
import os
import time

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FuncAnimation, PillowWriter
from matplotlib.patches import Rectangle


def conv2d(x: np.ndarray, w: np.ndarray, stride: int, pad: int) -> np.ndarray:
    """Single-channel forward convolution (cross-correlation, as in deep learning) with plain loops."""
    xp = np.pad(x, pad)
    k = w.shape[0]
    out_n = (xp.shape[0] - k) // stride + 1
    y = np.zeros((out_n, out_n), dtype=x.dtype)
    for i in range(out_n):
        for j in range(out_n):
            total = 0
            for a in range(k):
                for b in range(k):
                    total += xp[i * stride + a, j * stride + b] * w[a, b]
            y[i, j] = total
    return y


def setup_grid(ax, n: int, title: str) -> None:
    """Draw an n x n grid of lines, row 0 at the top, and title the axis."""
    ax.set_xlim(0, n)
    ax.set_ylim(n, 0)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for t in range(n + 1):
        ax.axhline(t, color="black", linewidth=0.5)
        ax.axvline(t, color="black", linewidth=0.5)
    ax.set_title(title)


def cell_texts(ax, values: np.ndarray, fontsize: float, color: str = "black") -> list[list]:
    """Put one ax.text in the centre of every cell and return them so they can be updated."""
    n = values.shape[0]
    return [
        [
            ax.text(c + 0.5, r + 0.5, str(values[r, c]), ha="center", va="center", fontsize=fontsize, color=color)
            for c in range(n)
        ]
        for r in range(n)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input-size", type=int, required=True)
    parser.add_argument("--kernel-size", type=int, required=True)
    parser.add_argument("--stride", type=int, default=1)
    parser.add_argument("--pad", type=int, default=0)
    parser.add_argument("--frames", type=int, default=None, help="render only the first N filter placements")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fps", type=int, default=2)
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args()

    n, k, s, p = args.input_size, args.kernel_size, args.stride, args.pad
    rng = np.random.default_rng(args.seed)
    x = rng.integers(0, 10, size=(n, n))
    w = rng.integers(-2, 3, size=(k, k))
    y = conv2d(x, w, s, p)
    out_n = y.shape[0]
    placements = [(i, j) for i in range(out_n) for j in range(out_n)]
    if args.frames is not None:
        placements = placements[: args.frames]

    start = time.perf_counter()
    xp = np.pad(x, p)
    padded_n = xp.shape[0]
    fig, (ax_in, ax_k, ax_out) = plt.subplots(
        1, 3, figsize=(12, 4.5), gridspec_kw={"width_ratios": [padded_n, k, out_n]}
    )
    fontsize = max(3.0, 120 / padded_n)

    setup_grid(ax_in, padded_n, f"Input {n}x{n} (pad {p})")
    # Shade the padding ring so it reads as zeros added around the input.
    if p:
        ring = np.ones((padded_n, padded_n), dtype=bool)
        ring[p:-p, p:-p] = False
        ax_in.imshow(np.where(ring, 0.85, 1.0), cmap="gray", vmin=0, vmax=1, extent=(0, padded_n, padded_n, 0))
    cell_texts(ax_in, xp, fontsize)
    window = Rectangle((0, 0), k, k, fill=True, facecolor="tab:blue", alpha=0.3, edgecolor="tab:blue", linewidth=2)
    ax_in.add_patch(window)

    setup_grid(ax_k, k, f"Kernel {k}x{k}")
    cell_texts(ax_k, w, fontsize)

    setup_grid(ax_out, out_n, f"Output {out_n}x{out_n} (stride {s})")
    out_texts = cell_texts(ax_out, np.full((out_n, out_n), "", dtype=object), fontsize)
    current = Rectangle((0, 0), 1, 1, facecolor="tab:orange", alpha=0.4)
    ax_out.add_patch(current)

    def update(frame: int):
        i, j = placements[frame]
        window.set_xy((j * s, i * s))
        current.set_xy((j, i))
        out_texts[i][j].set_text(str(y[i, j]))
        fig.suptitle(f"y[{i},{j}] = sum(window * kernel) = {y[i, j]}")
        return [window, current, out_texts[i][j]]

    anim = FuncAnimation(fig, update, frames=len(placements), interval=1000 / args.fps, repeat=False)
    anim.save(args.output, writer=PillowWriter(fps=args.fps))
    plt.close(fig)
    seconds = time.perf_counter() - start

    print(json.dumps({"frames": len(placements), "seconds": round(seconds, 4), "bytes": os.path.getsize(args.output)}))


if __name__ == "__main__":
    main()
