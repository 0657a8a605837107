"""The fixed palette a theme implies, for the raster painter and its writers.

The palette is designed from the theme, not measured from frames: each (fill, ink) pair gets a
ramp for anti-aliased text, so every frame of every picture quantises to the same colours without
dithering. Index 255 is kept free for the GIF writer's "unchanged" pixels.
"""

from __future__ import annotations

from ..draw.theme import RGB, TEXT_PAIRS, Theme
from ..write.base import TRANSPARENT

RAMP = 6  # anti-aliasing levels per (fill, ink) pair


def palette(theme: Theme) -> list[RGB]:
    """The fixed palette: theme colours, then a ramp for each (fill, ink) pair; at most 255."""
    colours: list[RGB] = []
    seen: set[RGB] = set()

    def add(rgb: RGB) -> None:
        if rgb not in seen:  # a set: the list is searched for each of ~250 colours otherwise
            seen.add(rgb)
            colours.append(rgb)

    for rgb in theme.colours().values():
        add(rgb)
    table = theme.colours()
    edges = ("window_edge", "kernel_edge", "output_edge", "grid")
    pairs = [*TEXT_PAIRS, *((fill, edge) for fill in ("background",) for edge in edges)]
    for fill_name, ink_name in pairs:
        fill, ink = table[fill_name], table[ink_name]
        for level in range(1, RAMP):
            t = level / RAMP
            add(tuple(round(f + (i - f) * t) for f, i in zip(fill, ink, strict=True)))  # type: ignore[arg-type]
    if len(colours) > TRANSPARENT:
        raise ValueError(f"theme {theme.name} needs {len(colours)} colours; the GIF palette holds 255")
    return colours
