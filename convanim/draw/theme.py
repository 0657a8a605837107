"""Colours by role, for light and dark themes.

Hues follow the Okabe-Ito colour-blind-safe set: input blue, kernel orange, output green, overlaps
reddish purple. Every text colour has a contrast of at least 4.5:1 against every fill it is drawn
on (tests check it). Scenes name colours by role (``"window_fill"``); painters look them up here.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

RGB = tuple[int, int, int]


def _hex(text: str) -> RGB:
    text = text.lstrip("#")
    return (int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16))


@dataclass(frozen=True)
class Theme:
    """Every colour a frame uses."""

    name: str
    background: RGB
    ink: RGB  # text on every fill
    ink_dim: RGB  # secondary text: padding zeros, details, cropped cells
    grid: RGB  # cell borders
    input_fill: RGB
    pad_fill: RGB
    window_fill: RGB  # input cells under the kernel
    window_pad_fill: RGB  # padding cells under the kernel (their zeros stay readable, dimmed)
    window_edge: RGB  # outline of the window
    term_fill: RGB  # the current input/kernel pair (term steps)
    kernel_fill: RGB
    kernel_edge: RGB
    output_empty: RGB
    output_fill: RGB  # computed output cells
    output_current: RGB  # the cell being computed
    output_edge: RGB
    overlap_fill: RGB  # transposed: cells where stamps summed
    stamp_fill: RGB  # transposed: the current stamp
    cropped_fill: RGB  # transposed: canvas cells cut away
    weight_ink: RGB  # small kernel weight written in window cells

    def colours(self) -> dict[str, RGB]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "name"}


LIGHT = Theme(
    name="light",
    background=_hex("#ffffff"),
    ink=_hex("#1b1b1b"),
    ink_dim=_hex("#5f5f5f"),
    grid=_hex("#9a9a9a"),
    input_fill=_hex("#dbeaf7"),
    pad_fill=_hex("#f0f0f0"),
    window_fill=_hex("#8cc4ec"),
    window_pad_fill=_hex("#cfe2f0"),
    window_edge=_hex("#0b5d99"),
    term_fill=_hex("#f5c451"),
    kernel_fill=_hex("#fbe1b3"),
    kernel_edge=_hex("#a85f00"),
    output_empty=_hex("#ffffff"),
    output_fill=_hex("#c9ecdf"),
    output_current=_hex("#6fd1ad"),
    output_edge=_hex("#006d50"),
    overlap_fill=_hex("#e9b6d3"),
    stamp_fill=_hex("#8fdcc0"),
    cropped_fill=_hex("#e6e6e6"),
    weight_ink=_hex("#663200"),
)

DARK = Theme(
    name="dark",
    background=_hex("#15181d"),
    ink=_hex("#f2f2f2"),
    ink_dim=_hex("#a9a9a9"),
    grid=_hex("#5a606a"),
    input_fill=_hex("#1f3a52"),
    pad_fill=_hex("#262a30"),
    window_fill=_hex("#1f5f8f"),
    window_pad_fill=_hex("#1b3447"),
    window_edge=_hex("#7cc3f5"),
    term_fill=_hex("#5e4500"),
    kernel_fill=_hex("#54370f"),
    kernel_edge=_hex("#f0a637"),
    output_empty=_hex("#15181d"),
    output_fill=_hex("#174a3b"),
    output_current=_hex("#1d7a5c"),
    output_edge=_hex("#5fe0b4"),
    overlap_fill=_hex("#6a2f55"),
    stamp_fill=_hex("#1d6b52"),
    cropped_fill=_hex("#2a2d33"),
    weight_ink=_hex("#ffd08a"),
)

THEMES = {"light": LIGHT, "dark": DARK}

# The fills text is drawn on, and which inks appear on each.
TEXT_PAIRS: tuple[tuple[str, str], ...] = (
    ("background", "ink"),
    ("background", "ink_dim"),
    ("input_fill", "ink"),
    ("pad_fill", "ink_dim"),
    ("window_fill", "ink"),
    ("window_fill", "weight_ink"),
    ("window_pad_fill", "ink_dim"),
    ("window_pad_fill", "weight_ink"),
    ("term_fill", "ink"),
    ("term_fill", "weight_ink"),
    ("kernel_fill", "ink"),
    ("output_fill", "ink"),
    ("output_current", "ink"),
    ("overlap_fill", "ink"),
    ("stamp_fill", "ink"),
    ("cropped_fill", "ink_dim"),
    ("output_empty", "ink"),
)


def _luminance(rgb: RGB) -> float:
    def channel(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: RGB, b: RGB) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)
