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


# Colour by value (cells too small for numbers, or --color-values): 24 steps each, perceptually
# uniform and colour-blind safe. Sequential: viridis (matplotlib's, sampled at i/23). Diverging, for
# signed values: blue - near-white - orange, straight lines in CIELAB from L*=45 to L*=97 and back,
# so equal steps of value look like equal steps of colour and both ends are equally dark.
RAMP_STEPS = 24
RAMP_SEQ = (
    "#440154", "#471164", "#482071", "#472e7c", "#443b84", "#3f4889", "#3a548c", "#34608d",
    "#2f6c8e", "#2a768e", "#26818e", "#228b8d", "#1f958b", "#1fa088", "#24aa83", "#2fb47c",
    "#42be71", "#58c765", "#70cf57", "#8bd646", "#a8db34", "#c5e021", "#e2e418", "#fde725",
)  # fmt: skip
RAMP_DIV = (
    "#2c6cb3", "#4677b9", "#5b82bf", "#6d8ec5", "#7f99cb", "#8fa5d1", "#a0b1d6", "#b0bddc",
    "#bfcae2", "#cfd6e8", "#dfe3ee", "#eff0f3", "#f5efeb", "#f1e0d5", "#edd1c0", "#e8c2ab",
    "#e2b496", "#dca581", "#d5976d", "#ce8959", "#c67b45", "#bd6d31", "#b45f1b", "#ab5100",
)  # fmt: skip
RAMP_COLOURS: dict[str, RGB] = {
    **{f"ramp_seq_{i:02d}": _hex(c) for i, c in enumerate(RAMP_SEQ)},
    **{f"ramp_div_{i:02d}": _hex(c) for i, c in enumerate(RAMP_DIV)},
    # Numbers written on ramp cells (overlap counts): dark on the light steps, white on the dark.
    "ramp_ink_dark": _hex("#111111"),
    "ramp_ink_light": _hex("#ffffff"),
}


def ramp_role(kind: str, step: int) -> str:
    """The theme role of step ``step`` (0 to 23) of ramp ``kind`` (``seq`` or ``div``)."""
    return f"ramp_{kind}_{step:02d}"


def ramp_ink(kind: str, step: int) -> str:
    """The ink role that reads best on a ramp step (the higher WCAG contrast)."""
    fill = RAMP_COLOURS[ramp_role(kind, step)]
    dark, light = RAMP_COLOURS["ramp_ink_dark"], RAMP_COLOURS["ramp_ink_light"]
    return "ramp_ink_dark" if contrast(fill, dark) >= contrast(fill, light) else "ramp_ink_light"


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
    # The volume view: each filter its own colour (fill, and a darker edge), carried into its map.
    filter_0: RGB
    filter_1: RGB
    filter_2: RGB
    filter_3: RGB
    filter_4: RGB
    filter_5: RGB
    filter_0_edge: RGB
    filter_1_edge: RGB
    filter_2_edge: RGB
    filter_3_edge: RGB
    filter_4_edge: RGB
    filter_5_edge: RGB
    inserted_fill: RGB  # direct view of a transposed conv: the zeros inserted between input cells
    idle_fill: RGB  # input channels outside the group at work (dimmed)

    def colours(self) -> dict[str, RGB]:
        """Every role and its colour: the fields, then the value ramps (:data:`RAMP_ROLES`)."""
        table = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "name"}
        table.update(RAMP_COLOURS)
        return table

    def __getattr__(self, name: str) -> RGB:
        # The value ramps are roles of every theme (the same colours in light and dark), looked up
        # by name like the fields: ``getattr(theme, "ramp_seq_07")``.
        try:
            return RAMP_COLOURS[name]
        except KeyError:
            raise AttributeError(name) from None


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
    filter_0=_hex("#f9d29b"),
    filter_1=_hex("#efc3de"),
    filter_2=_hex("#bfe6cf"),
    filter_3=_hex("#f1e59c"),
    filter_4=_hex("#f7c5b0"),
    filter_5=_hex("#c9d3f5"),
    filter_0_edge=_hex("#9a5800"),
    filter_1_edge=_hex("#8a3b6e"),
    filter_2_edge=_hex("#1d6e45"),
    filter_3_edge=_hex("#6f6000"),
    filter_4_edge=_hex("#a03c14"),
    filter_5_edge=_hex("#3a4f9e"),
    idle_fill=_hex("#f5f7f9"),
    inserted_fill=_hex("#ece4f4"),
)

DARK = Theme(
    name="dark",
    background=_hex("#0d1014"),
    ink=_hex("#f2f2f2"),
    ink_dim=_hex("#bababa"),
    grid=_hex("#5a606a"),
    input_fill=_hex("#2c5578"),
    pad_fill=_hex("#30353d"),
    window_fill=_hex("#245f8e"),
    window_pad_fill=_hex("#3d4752"),
    window_edge=_hex("#7cc3f5"),
    term_fill=_hex("#5e4500"),
    kernel_fill=_hex("#54370f"),
    kernel_edge=_hex("#f0a637"),
    output_empty=_hex("#0d1014"),
    output_fill=_hex("#174a3b"),
    output_current=_hex("#1d7a5c"),
    output_edge=_hex("#5fe0b4"),
    overlap_fill=_hex("#6a2f55"),
    stamp_fill=_hex("#1d6b52"),
    cropped_fill=_hex("#2a2d33"),
    weight_ink=_hex("#ffd08a"),
    filter_0=_hex("#5a3d12"),
    filter_1=_hex("#5a2a48"),
    filter_2=_hex("#1f4f35"),
    filter_3=_hex("#4d4512"),
    filter_4=_hex("#5c2a1a"),
    filter_5=_hex("#2b3566"),
    filter_0_edge=_hex("#f0a637"),
    filter_1_edge=_hex("#f08ccc"),
    filter_2_edge=_hex("#6fdca0"),
    filter_3_edge=_hex("#eadb6a"),
    filter_4_edge=_hex("#ff9b72"),
    filter_5_edge=_hex("#9fb2ff"),
    idle_fill=_hex("#1c2026"),
    inserted_fill=_hex("#3a2f58"),
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
    ("idle_fill", "ink_dim"),
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
    ("inserted_fill", "ink_dim"),
    *((f"filter_{i}", "ink") for i in range(6)),  # the volume view's filters and the maps they fill
)

FILTER_COLOURS = 6  # filter_0 .. filter_5; more filters take them in turn


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
