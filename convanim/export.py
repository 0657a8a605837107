"""A trace as JSON-ready data, so any tool (a notebook, a web page, a test) can consume it."""

from __future__ import annotations

import json
from typing import Any

from .tracer import ForwardSteps, ScatterSteps, Trace


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
    """
    data: dict[str, Any] = {
        "format": "convanim-trace",
        "version": 1,
        "spec": trace.spec.to_dict(),
        "input": trace.input.tolist(),
        "weight": trace.weight.tolist(),
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
    else:
        data["steps"] = _steps_forward(steps)
    return data


def trace_to_json(trace: Trace) -> str:
    """``trace_to_dict`` as compact, deterministic JSON text ending in a newline."""
    return json.dumps(trace_to_dict(trace), separators=(",", ":")) + "\n"
