"""convanim: correct, legible animated diagrams of convolutions.

The flow is one-way: :mod:`convanim.spec` (what to compute) -> :mod:`convanim.trace` (every step,
numpy only) -> storyboard (which step each frame shows) -> render (pixels) -> encode (files).
"""

from .spec import ConvSpec, SpecError
from .trace import Trace, trace

__all__ = ["ConvSpec", "SpecError", "Trace", "__version__", "trace"]
__version__ = "0.1.0"
