"""convanim: correct, legible animated diagrams of convolutions.

The flow is one-way: :mod:`convanim.spec` (what to compute) -> :mod:`convanim.tracer` (every step,
numpy only) -> :mod:`convanim.storyboard` (which step each frame shows) -> :mod:`convanim.render`
(pixels) -> :mod:`convanim.encode` (files). ``trace`` and ``Trace`` are imported on first use so that
``convanim --help`` does not load numpy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .compute.spec import ConvSpec
from .errors import SpecError

if TYPE_CHECKING:
    from .compute.tracer import Trace, trace

__all__ = ["ConvSpec", "SpecError", "Trace", "__version__", "trace"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name in ("trace", "Trace"):
        from .compute import tracer

        return getattr(tracer, name)
    raise AttributeError(f"module 'convanim' has no attribute {name!r}")
