"""Where everything goes, computed once per animation: panels, grids, labels, the sum line.

Three panels left to right, each with a bold label that answers "which grid is which?":
the input (with its padding ring), the kernel, and the output. Channels stack vertically inside a
panel. Geometry is whole pixels: a grid cell is ``cell`` px with a 1-px shared border.
"""

from __future__ import annotations

from dataclasses import dataclass

from .spec import ConvSpec
from .spec import pair_text as spec_pair_text
from .tiles import Tiles

MAX_SHOWN = 4  # channels drawn per panel; more are summarised by a note
TARGET_WIDTH = 1280  # the automatic cell size keeps a picture about this wide


@dataclass(frozen=True)
class Grid:
    """A grid of ``rows x cols`` cells whose top-left border pixel is at (x, y)."""

    x: int
    y: int
    rows: int
    cols: int
    cell: int

    @property
    def width(self) -> int:
        return self.cols * self.cell + 1

    @property
    def height(self) -> int:
        return self.rows * self.cell + 1

    def origin(self, row: int, col: int) -> tuple[int, int]:
        """Top-left pixel of cell (row, col)."""
        return (self.x + col * self.cell, self.y + row * self.cell)

    def box(self, row0: int, col0: int, row1: int, col1: int) -> tuple[int, int, int, int]:
        """Pixel box (x0, y0, x1, y1), end exclusive, around cells row0..row1, col0..col1."""
        x0, y0 = self.origin(row0, col0)
        x1, y1 = self.origin(row1 + 1, col1 + 1)
        return (x0, y0, x1 + 1, y1 + 1)


@dataclass(frozen=True)
class Text:
    x: int
    y: int
    text: str
    size: int
    bold: bool = False
    ink: str = "ink"


@dataclass(frozen=True)
class Layout:
    width: int
    height: int
    cell: int
    inputs: dict[int, Grid]  # channel -> grid (only the channels shown)
    kernels: dict[int, Grid]  # slice within the filter -> grid
    outputs: dict[int, Grid]  # output channel -> grid
    texts: tuple[Text, ...]
    strip: tuple[int, int, int, int] | None  # x, y, width, height of the sum line
    strip_size: int
    captions: dict[int, Text]  # kernel slice -> where its caption goes (drawn per frame)
    kernel_caption: Text | None  # which filter is at work (drawn per frame); its text is the width
    caption_width: int


def auto_cell(spec: ConvSpec, symbolic: bool = False) -> int:
    """A cell size that keeps the picture about TARGET_WIDTH px wide: 44 px down to 14 px."""
    _rows_in, cols_in = spec.input_size if spec.transposed else spec.padded_input_size
    _, cols_out = spec.canvas_size if spec.transposed else spec.output_size
    columns = cols_in + spec.kernel_size[1] + cols_out + 4
    return max(14, min(56 if symbolic else 40, TARGET_WIDTH // columns))


def shown(count: int) -> list[int]:
    """Which of ``count`` channels a panel draws: all up to MAX_SHOWN, else the first and last."""
    if count <= MAX_SHOWN:
        return list(range(count))
    return [*range(MAX_SHOWN - 1), count - 1]


def titles(spec: ConvSpec) -> tuple[tuple[str, str], tuple[str, str], tuple[str, str]]:
    """(title, detail) of the input, kernel and output panels."""
    h, w = spec.input_size
    kh, kw = spec.kernel_size
    ho, wo = spec.output_size
    channels_in = f"×{spec.in_channels}" if spec.in_channels > 1 else ""
    channels_out = f"×{spec.out_channels}" if spec.out_channels > 1 else ""
    size_in = f"{w}" if spec.is_1d else f"{h}×{w}"
    size_out = f"{wo}" if spec.is_1d else f"{ho}×{wo}"
    size_k = f"{kw}" if spec.is_1d else f"{kh}×{kw}"

    def pair_text(pair: tuple[int, int]) -> str:
        # A 1-D picture speaks of its one axis: "stride 2", not "stride 1x2".
        return str(pair[1]) if spec.is_1d else spec_pair_text(pair)

    stride = pair_text(spec.stride)
    hyper = []
    if spec.stride != (1, 1):
        hyper.append(f"stride {stride}")
    if spec.dilation != (1, 1):
        hyper.append(f"dilation {pair_text(spec.dilation)}")
    if spec.groups > 1:
        hyper.append(f"groups {spec.groups}")
    axis = 1 if spec.is_1d else 0
    n, k, s, p, d = (
        spec.input_size[axis],
        spec.kernel_span[axis],
        spec.stride[axis],
        spec.padding[axis],
        spec.dilation[axis],
    )
    del d
    if spec.transposed:
        hc, wc = spec.canvas_size
        op = spec.output_padding[axis]
        formula = f"({n}−1)·{s} − 2·{p} + {k}" + (f" + {op}" if op else "") + f" = {spec.output_size[axis]}"
        crop = [f"pad {pair_text(spec.padding)}"] if any(spec.padding) else []
        if any(spec.output_padding):
            crop.append(f"output_padding {pair_text(spec.output_padding)}")
        canvas = f"{wc}" if spec.is_1d else f"{hc}×{wc}"
        detail = f"canvas {canvas}" + (f", crop {', '.join(crop)}" if crop else "")
        return (
            (f"input {size_in}{channels_in}", ""),
            (f"kernel {size_k}" + (f", {', '.join(hyper)}" if hyper else ""), ""),
            (f"output {size_out}{channels_out}", f"{detail};  {formula}"),
        )
    pad = f" (pad {pair_text(spec.padding)})" if any(spec.padding) else ""
    formula = f"⌊({n} + 2·{p} − {k}) / {s}⌋ + 1 = {spec.output_size[axis]}"
    return (
        (f"input {size_in}{channels_in}{pad}", ""),
        (f"kernel {size_k}" + (f", {', '.join(hyper)}" if hyper else ""), ""),
        (f"output {size_out}{channels_out}", formula),
    )


def make_layout(spec: ConvSpec, tiles: Tiles, values: bool) -> Layout:
    """Place the panels for ``spec`` at ``tiles.cell`` px per cell."""
    cell = tiles.cell
    margin = max(12, cell // 2)
    gap = max(24, cell)
    title_size = max(13, min(18, round(cell * 0.42)))
    detail_size = max(11, title_size - 3)
    sub_size = max(10, title_size - 4)
    title_h = tiles.line_height(title_size)
    detail_h = tiles.line_height(detail_size)
    sub_h = tiles.line_height(sub_size)

    if spec.transposed:
        in_rows, in_cols = spec.input_size
        out_rows, out_cols = spec.canvas_size
        kernel_slices = spec.out_channels // spec.groups
    else:
        in_rows, in_cols = spec.padded_input_size
        out_rows, out_cols = spec.output_size
        kernel_slices = spec.in_channels // spec.groups
    kh, kw = spec.kernel_size
    (in_title, in_detail), (k_title, k_detail), (out_title, out_detail) = titles(spec)

    panels = [
        ("input", in_title, in_detail, shown(spec.in_channels), in_rows, in_cols, spec.in_channels),
        ("kernel", k_title, k_detail, shown(kernel_slices), kh, kw, kernel_slices),
        ("output", out_title, out_detail, shown(spec.out_channels), out_rows, out_cols, spec.out_channels),
    ]
    has_detail = any(p[2] for p in panels)
    grids_top = margin + title_h + (detail_h if has_detail else 0) + max(6, cell // 4)
    texts: list[Text] = []
    captions: dict[int, Text] = {}
    kernel_caption = None
    caption_width = 0
    placed: dict[str, dict[int, Grid]] = {}
    x = margin
    bottom = grids_top
    for name, title, detail, channels, rows, cols, count in panels:
        grid_w = cols * cell + 1
        labelled = count > 1
        note = f"… {count - len(channels)} more not shown" if count > len(channels) else ""
        longest_caption = ""
        if name == "kernel" and (spec.in_channels if spec.transposed else spec.out_channels) > 1:
            c, f = spec.in_channels, spec.out_channels
            per = c // spec.groups
            longest_caption = (
                f"weights of channel {c - 1}"
                if spec.transposed
                else f"filter {f - 1} of {f} · sees channels {c - per}–{c - 1}"
            )
        width = max(
            grid_w,
            tiles.text_width(longest_caption, detail_size) + 4,
            tiles.text_width(title, title_size, bold=True),
            tiles.text_width(detail, detail_size) if detail else 0,
            tiles.text_width(note, sub_size) if note else 0,
        )
        texts.append(Text(x, margin, title, title_size, bold=True))
        if detail:
            texts.append(Text(x, margin + title_h, detail, detail_size, ink="ink_dim"))
        if name == "kernel":
            caption_width = width
            many = spec.in_channels > 1 if spec.transposed else spec.out_channels > 1
            if many and not detail:
                kernel_caption = Text(x, margin + title_h, "", detail_size, ink="ink_dim")
        gx = x + (width - grid_w) // 2 if name != "input" else x
        y = grids_top
        grids: dict[int, Grid] = {}
        for i, channel in enumerate(channels):
            if labelled:
                if note and i == len(channels) - 1:
                    texts.append(Text(gx, y, note, sub_size, ink="ink_dim"))
                    y += sub_h
                if name == "kernel":
                    captions[channel] = Text(gx, y, "", sub_size, ink="ink_dim")
                else:
                    word = {"input": "channel", "output": "map"}[name]
                    texts.append(Text(gx, y, f"{word} {channel}", sub_size, ink="ink_dim"))
                y += sub_h
            grids[channel] = Grid(gx, y, rows, cols, cell)
            y += rows * cell + 1 + max(8, cell // 3)
        placed[name] = grids
        bottom = max(bottom, y)
        x += width + gap
    width = x - gap + margin
    strip = None
    strip_size = title_size
    height = bottom + margin // 2
    if values:
        strip_h = tiles.line_height(strip_size)
        strip = (margin, height, width - 2 * margin, strip_h)
        height += strip_h + margin
    else:
        height += margin // 2
    return Layout(
        width=width + (width % 2),
        height=height + (height % 2),
        cell=cell,
        inputs=placed["input"],
        kernels=placed["kernel"],
        outputs=placed["output"],
        texts=tuple(texts),
        strip=strip,
        strip_size=strip_size,
        captions=captions,
        kernel_caption=kernel_caption,
        caption_width=caption_width,
    )
