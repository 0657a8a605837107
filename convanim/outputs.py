"""Which file types convanim writes, chosen by suffix from one registry.

A raster output is a :class:`~convanim.write.base.FrameWriter` fed the raster painter's frames; a
vector output is a painter that writes the scene's description itself. ``animated`` outputs get
every frame; the others (a ``.png``) get one still, the last frame unless ``--frame`` names one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import SpecError


@dataclass(frozen=True)
class Output:
    """One file type: how it is made and what it is for."""

    suffix: str
    what: str  # for messages: ".gif (animation)"
    animated: bool
    writer: Callable[[], Any] | None = None  # returns the FrameWriter class (imported on use)
    painter: Callable[[], Any] | None = None  # returns the vector painter class (imported on use)


def _gif() -> Any:
    from .write.gif import GifWriter

    return GifWriter


def _png() -> Any:
    from .write.gif import PngWriter

    return PngWriter


OUTPUTS: dict[str, Output] = {
    ".gif": Output(".gif", ".gif (animation)", True, writer=_gif),
    ".png": Output(".png", ".png (one frame)", False, writer=_png),
}


def register(output: Output) -> None:
    """Add a file type (a writer or a painter) to the registry."""
    OUTPUTS[output.suffix] = output


def output_for(target: str, fmt: str | None = None) -> Output:
    """The output from ``fmt`` or the target's suffix; stdout needs ``fmt`` or defaults to GIF."""
    if fmt:
        kind = "." + fmt.lower().lstrip(".")
    elif target == "-":
        kind = ".gif"
    else:
        kind = Path(target).suffix.lower()
    found = OUTPUTS.get(kind)
    if found is None:
        known = ", ".join(o.what for o in OUTPUTS.values())
        raise SpecError(f"‹output› {target}: unknown file type {kind or '(none)'}: end the name in {known}")
    return found
