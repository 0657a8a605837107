"""A trace as JSON-ready data, so any tool (a notebook, a web page, a test) can consume it."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from .tracer import ForwardSteps, PoolSteps, ScatterSteps, Trace


def _steps_forward(steps: ForwardSteps) -> list[dict[str, Any]]:
    kernel_cells = steps.kernel_cells.tolist()
    columns = {
        "output_cell": steps.output_cells.tolist(),
        "input_cells": steps.input_cells.tolist(),
        "input_values": steps.input_values.tolist(),
        "kernel_values": steps.kernel_values.tolist(),
        "products": steps.products.tolist(),
        "partial_sums": steps.partial_sums.tolist(),
        "in_padding": steps.in_padding.tolist(),
        "bias": steps.bias.tolist(),
        "value": steps.values.tolist(),
    }
    out = []
    for n in range(len(steps)):
        step = {key: column[n] for key, column in columns.items()}
        step["kernel_cells"] = kernel_cells
        out.append(step)
    return out


def _steps_scatter(steps: ScatterSteps) -> list[dict[str, Any]]:
    columns = {
        "input_cell": steps.input_cells.tolist(),
        "input_value": steps.input_values.tolist(),
        "output_channels": steps.output_channels.tolist(),
        "rows": steps.rows.tolist(),
        "cols": steps.cols.tolist(),
        "stamp": steps.stamps.tolist(),
        "running": steps.running.tolist(),
    }
    return [{key: column[n] for key, column in columns.items()} for n in range(len(steps))]


def _window_values(values: Any, integer: bool) -> list[Any]:
    """Pooling window values as JSON: ``null`` for max's ``-inf`` padding, integers kept integers."""
    finite = np.isfinite(values)
    as_objects = np.where(finite, values, 0).astype(np.int64 if integer else np.float64).astype(object)
    as_objects[~finite] = None
    result: list[Any] = as_objects.tolist()
    return result


def _steps_pool(trace: Trace, steps: PoolSteps) -> list[dict[str, Any]]:
    integer = np.issubdtype(trace.input.dtype, np.integer)
    columns: dict[str, list[Any]] = {
        "output_cell": steps.output_cells.tolist(),
        "input_cells": steps.input_cells.tolist(),
        "input_values": _window_values(steps.input_values, integer),
        "in_padding": steps.in_padding.tolist(),
        "outside": steps.outside.tolist(),
        "counted": steps.counted.tolist(),
        "running": _window_values(steps.running, integer),
        "value": steps.values.tolist(),
    }
    if trace.spec.op == "max":
        columns["winner"] = steps.winner.tolist()
        columns["argmax"] = steps.argmax.tolist()
    else:
        columns["divisor"] = steps.divisor.tolist()
    return [{key: column[n] for key, column in columns.items()} for n in range(len(steps))]


def _symbolic(trace: Trace, data: dict[str, Any]) -> None:
    """Replace numbers by names and expressions (``--values symbolic``): same keys, strings."""
    from .symbolic import forward_expression, product, scatter_expressions

    symbols = trace.symbols
    data["input"] = symbols.input.tolist()
    data["weight"] = symbols.weight.tolist()
    data["bias"] = None if symbols.bias is None else symbols.bias.tolist()
    steps = trace.steps
    if isinstance(steps, ScatterSteps):
        found = scatter_expressions(trace, symbols)
        data["output"] = found.output.tolist()
        data["canvas"] = found.canvas.tolist()
        for n, step in enumerate(data["steps"]):
            c, i, j = step["input_cell"]
            step["input_value"] = symbols.input[c, i, j]
            step["stamp"] = found.stamps[n].tolist()
            step["running"] = found.running[n].tolist()
        return
    ph, pw = trace.spec.padding
    outputs = []
    for n, step in enumerate(data["steps"]):
        f = step["output_cell"][0]
        names = [
            "0" if pad else symbols.input[c, r - ph, q - pw]
            for (c, r, q), pad in zip(step["input_cells"], step["in_padding"], strict=True)
        ]
        weights = [symbols.weight[f, cl, ky, kx] for cl, ky, kx in step["kernel_cells"]]
        step["input_values"] = names
        step["kernel_values"] = weights
        step["products"] = ["0" if a == "0" else product(a, b) for a, b in zip(names, weights, strict=True)]
        step["partial_sums"] = [forward_expression(trace, symbols, n, t) for t in range(len(names))]
        if symbols.bias is not None:
            step["partial_sums"][-1] = forward_expression(trace, symbols, n)
            step["bias"] = symbols.bias[f]
        else:
            step["bias"] = "0"
        step["value"] = forward_expression(trace, symbols, n)
        outputs.append(step["value"])
    f_count, ho, wo = trace.output.shape
    data["output"] = [[outputs[(f * ho + r) * wo : (f * ho + r) * wo + wo] for r in range(ho)] for f in range(f_count)]


def trace_to_dict(trace: Trace) -> dict[str, Any]:
    """The documented JSON form of a trace.

    Top-level keys: ``spec`` (every parameter as pairs, plus ``output_size``), ``input`` (CxHxW),
    ``weight`` (PyTorch layout), ``bias`` (list or null), ``output`` (FxHoxWo) and ``steps``.
    Forward steps carry ``output_cell`` [f, row, col], ``input_cells`` ([c, row, col] in padded
    coordinates), ``kernel_cells`` ([c, row, col] within the filter), ``input_values``,
    ``kernel_values``, ``products``, ``partial_sums``, ``in_padding``, ``bias`` and ``value``.
    Transposed steps carry ``input_cell``, ``input_value``, ``output_channels``, ``rows`` and
    ``cols`` (canvas coordinates), ``stamp`` and ``running``; the top level adds ``canvas`` (the
    uncropped sums) and ``crop`` {top, left, height, width}.

    Pooling (``spec.op`` max or avg; the spec adds ``op``, ``ceil_mode`` and ``count_include_pad``)
    has ``weight`` null and steps with ``output_cell``, ``input_cells`` (padded coordinates; past the
    padded input when ``outside``), ``input_values`` (null is max's -inf padding), ``in_padding``,
    ``outside``, ``counted``, ``running`` (max or sum so far), ``value``, and ``winner`` (the term
    holding the max) and ``argmax`` (PyTorch's index ``row * W + col``) for max, or ``divisor`` for
    avg. A named kernel adds ``kernel_name``.
    """
    data: dict[str, Any] = {
        "format": "convanim-trace",
        "version": 1,
        "spec": trace.spec.to_dict(),
        "input": trace.input.tolist(),
        "weight": None if trace.spec.is_pool else trace.weight.tolist(),
        "bias": None if trace.bias is None else trace.bias.tolist(),
        "output": trace.output.tolist(),
    }
    steps = trace.steps
    if isinstance(steps, ScatterSteps):
        top, left, height, width = steps.crop
        data["canvas_size"] = list(trace.spec.canvas_size)
        data["canvas"] = steps.canvas.tolist()
        data["crop"] = {"top": top, "left": left, "height": height, "width": width}
        data["steps"] = _steps_scatter(steps)
    elif isinstance(steps, PoolSteps):
        data["steps"] = _steps_pool(trace, steps)
    else:
        data["steps"] = _steps_forward(steps)
    if trace.kernel_name is not None:
        data["kernel_name"] = trace.kernel_name
    if trace.symbols is not None:
        data["values"] = "symbolic"
        _symbolic(trace, data)
    return data


def to_json(data: dict[str, Any]) -> str:
    """Compact, deterministic JSON text ending in a newline."""
    return json.dumps(data, separators=(",", ":")) + "\n"


def trace_to_json(trace: Trace) -> str:
    """``trace_to_dict`` as compact, deterministic JSON text ending in a newline."""
    return to_json(trace_to_dict(trace))


def backward_to_dict(result: Any) -> dict[str, Any]:
    """``grad_output``, ``grad_input``, ``grad_weight``, ``grad_bias`` and the accumulation steps.

    One step per output-gradient cell: ``grad_output_cell`` [f, row, col], ``grad_output``, and the
    ``weight_cells`` / ``weight_adds`` (g × input) and ``input_cells`` / ``input_adds`` (g × weight)
    it contributes; forward input cells are in padded coordinates with ``in_padding`` flags.
    """
    steps = result.steps
    starts = steps.starts.tolist()
    columns = {
        "weight_cells": steps.weight_cells.tolist(),
        "weight_adds": steps.weight_adds.tolist(),
        "input_cells": steps.input_cells.tolist(),
        "input_adds": steps.input_adds.tolist(),
        "in_padding": steps.in_padding.tolist(),
    }
    cells, grads = steps.cells.tolist(), steps.grad.tolist()
    out = []
    for k in range(len(cells)):
        lo, hi = starts[k], starts[k + 1]
        step = {"grad_output_cell": cells[k], "grad_output": grads[k]}
        step.update({key: column[lo:hi] for key, column in columns.items()})
        out.append(step)
    return {
        "grad_output": result.grad_output.tolist(),
        "grad_input": result.grad_input.tolist(),
        "grad_weight": result.grad_weight.tolist(),
        "grad_bias": None if result.grad_bias is None else result.grad_bias.tolist(),
        "grad_steps": out,
    }


def matrix_to_dict(matrix: Any) -> dict[str, Any]:
    """The conv matrix with what its rows and columns stand for."""
    return {
        "values": matrix.values.tolist(),
        "rows": matrix.row_cells.tolist(),
        "cols": matrix.col_cells.tolist(),
    }


def direct_to_dict(view: Any) -> dict[str, Any]:
    """A :class:`~convanim.compute.direct.DirectView`: the direct convolution's trace and its grid.

    ``trace`` is the direct convolution's trace in this module's form (its ``weight`` is the rotated,
    channel-swapped kernel; its ``output`` equals the transposed convolution's). ``grid`` is the
    spread input with its padding and discarded bands (CxHgxWg), ``kind`` names each grid cell
    (``real``, ``zero``, ``padding``, ``discarded``), ``pads`` are the signed
    ``[[top, bottom], [left, right]]`` (negative: discarded), ``offset`` is where the direct
    input starts in the grid, and ``source_rows``/``source_cols`` the input row/column a grid
    row/column carries (-1 for none).
    """
    from .direct import KIND_NAMES

    return {
        "trace": trace_to_dict(view.trace),
        "grid": view.grid.tolist(),
        "kind": [[KIND_NAMES[k] for k in row] for row in view.kind.tolist()],
        "pads": [list(view.pads[0]), list(view.pads[1])],
        "offset": list(view.offset),
        "source_rows": view.source_rows.tolist(),
        "source_cols": view.source_cols.tolist(),
    }


def overlap_to_dict(overlap: Any) -> dict[str, Any]:
    """Stamp overlap counts: ``canvas`` (uncropped), ``output`` and ``crop`` {top, left, height, width}."""
    top, left, height, width = overlap.crop
    return {
        "canvas": overlap.canvas.tolist(),
        "output": overlap.output.tolist(),
        "crop": {"top": top, "left": left, "height": height, "width": width},
    }
