"""How often the stamps of a transposed convolution reach each canvas cell.

Counting, not drawing: the scatter picture marks a cell as an overlap when an earlier stamp
reached it, and its sum line lists those cells; both read :func:`prior_hits`. (The totals per
cell, the checkerboard, are :func:`convanim.compute.direct.overlap_counts`.)
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .tracer import ScatterSteps


def prior_hits(steps: ScatterSteps, out_channels: int, canvas: tuple[int, int]) -> NDArray[np.int32]:
    """``[n, a, i, j]``: how many stamps before step ``n`` reached the cell that stamp n writes at
    output channel ``steps.output_channels[n, a]``, row ``steps.rows[n, i]``, column ``steps.cols[n, j]``."""
    n_steps, group = steps.output_channels.shape
    kh, kw = steps.rows.shape[1], steps.cols.shape[1]
    hits = np.zeros((out_channels, *canvas), dtype=np.int32)
    before = np.zeros((n_steps, group, kh, kw), dtype=np.int32)
    for n in range(n_steps):
        block = np.ix_(steps.output_channels[n], steps.rows[n], steps.cols[n])
        before[n] = hits[block]
        hits[block] += 1
    return before
