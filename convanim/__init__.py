"""convanim: correct, legible animated diagrams of convolutions.

The flow is one-way, one subpackage a stage: :mod:`convanim.compute` (the spec and a numpy trace of
every step) -> :mod:`convanim.plan` (render options, presets, which step each frame shows) ->
:mod:`convanim.draw` (scenes: what each frame shows, by theme role) -> :mod:`convanim.paint`
(raster tiles, SVG, PDF) -> :mod:`convanim.write` (GIF and the other files). The public names
below are imported on first use, so ``convanim --help`` loads no numpy and ``import
convanim.write`` nothing of the convolution.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .errors import SpecError

if TYPE_CHECKING:
    from .api import Clip
    from .compute.spec import ConvSpec
    from .compute.tracer import Trace, trace

__all__ = ["Clip", "ConvSpec", "SpecError", "Trace", "__version__", "animate", "trace"]
__version__ = "0.1.0"

# Public name -> the module that defines it.
LAZY = {"ConvSpec": ".compute.spec", "Trace": ".compute.tracer", "trace": ".compute.tracer", "Clip": ".api"}


def animate(**options: Any) -> Clip:
    """An animation of a convolution from ``convanim render``'s options as keyword arguments.

    ``convanim.animate(stride=2, padding=1).save("conv.mp4")``; in a notebook the result shows as
    a player. See :func:`convanim.api.animate` for the options and errors.
    """
    from .api import animate as make

    return make(**options)


def __getattr__(name: str) -> Any:
    where = LAZY.get(name)
    if where is None:
        raise AttributeError(f"module 'convanim' has no attribute {name!r}")
    return getattr(import_module(where, __name__), name)
