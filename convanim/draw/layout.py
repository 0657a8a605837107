"""Where everything goes, computed once per animation: panels, grids, labels, the sum line.

Three panels left to right, each with a bold label that answers "which grid is which?":
the input (with its padding ring), the kernel, and the output. Channels stack vertically inside a
panel. Geometry is whole pixels: a grid cell is ``cell`` px with a 1-px shared border.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..compute.spec import ConvSpec
from ..compute.spec import pair_text as spec_pair_text
from .painter import TextMetrics, line_height, text_width

MAX_SHOWN = 8  # channels drawn per panel; more are summarised by a note
TARGET_WIDTH = 1280  # the automatic cell size keeps a picture about this wide
MIN_WIDTH = 660  # px; with numbers shown, the sum line needs room even beside small grids


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
    width: int = 0  # for text drawn per frame: the room it may fill (and clear)


@dataclass(frozen=True)
class Panel:
    """One column of the picture: a titled stack of grids (channels, slices or maps)."""

    role: str  # "input", "kernel", "output", or another name a scene draws into
    title: str
    detail: str
    count: int  # grids in the stack (channels); more than MAX_SHOWN are summarised
    rows: int
    cols: int
    word: str = "channel"  # each grid's caption when there are several ("channel 0", "map 1")
    captioned: bool = False  # captions change per frame (drawn by the scene), e.g. kernel slices


@dataclass(frozen=True)
class Layout:
    width: int
    height: int
    cell: int
    grids: dict[str, dict[int, Grid]]  # panel role -> channel -> grid (only the channels shown)
    texts: tuple[Text, ...]
    strip: tuple[int, int, int, int] | None  # x, y, width, height of the sum line
    strip_size: int
    captions: dict[int, Text]  # captioned panel's grid -> where its caption goes (drawn per frame)
    kernel_caption: Text | None  # which filter is at work (drawn per frame)
    strip_lines: int = 1  # lines of the sum line (letters: a long expression takes two)
    matrix: Grid | None = None  # matrix view: the matrix,
    vector_in: Grid | None = None  # the flattened input as a row above it,
    vector_out: Grid | None = None  # and the flattened output as a column beside it
    # A panel of more grids than it shows: the channel whose grid roves (shows the hidden channel
    # at work, see Scene.bring), and, for a panel whose captions are fixed, where that grid's
    # caption goes (drawn per frame; ``text`` is the panel's word, "map" or "channel").
    roving: dict[str, int] = field(default_factory=dict)
    roving_captions: dict[str, Text] = field(default_factory=dict)

    @property
    def inputs(self) -> dict[int, Grid]:
        return self.grids.get("input", {})

    @property
    def kernels(self) -> dict[int, Grid]:
        return self.grids.get("kernel", {})

    @property
    def outputs(self) -> dict[int, Grid]:
        return self.grids.get("output", {})


def auto_cell(spec: ConvSpec, symbolic: bool = False) -> int:
    """A cell size that keeps the picture about TARGET_WIDTH px wide: 40 px down to 14 px.

    Letters and expressions need room: symbolic pictures use up to 56 px cells.
    """
    _rows_in, cols_in = spec.input_size if spec.transposed else spec.padded_input_size
    _, cols_out = spec.canvas_size if spec.transposed else spec.output_size
    columns = cols_in + spec.kernel_size[1] + cols_out + 4
    return max(14, min(56 if symbolic else 40, TARGET_WIDTH // columns))


def shown(count: int) -> list[int]:
    """Which of ``count`` channels a panel draws: all up to MAX_SHOWN, else the first and last."""
    if count <= MAX_SHOWN:
        return list(range(count))
    return [*range(MAX_SHOWN - 1), count - 1]


def _square(spec: ConvSpec) -> bool:
    """Both axes have the same sizes and hyper-parameters (one formula covers both)."""
    return all(
        pair[0] == pair[1]
        for pair in (spec.input_size, spec.kernel_size, spec.stride, spec.padding, spec.dilation, spec.output_padding)
    )


def titles(
    spec: ConvSpec, names: tuple[str, str, str] = ("input", "kernel", "output")
) -> tuple[tuple[str, str], tuple[str, str], tuple[str, str]]:
    """(title, detail) of the input, kernel and output panels, called ``names``."""
    n_in, n_k, n_out = names
    h, w = spec.input_size
    kh, kw = spec.kernel_size
    ho, wo = spec.output_size
    channels_in = f"×{spec.in_channels}" if spec.in_channels > 1 else ""
    channels_out = f"×{spec.out_channels}" if spec.out_channels > 1 else ""
    size_in = f"{w}" if spec.is_1d else f"{h}×{w}"
    size_out = f"{wo}" if spec.is_1d else f"{ho}×{wo}"
    size_k = f"{kw}" if spec.is_1d else f"{kh}×{kw}"

    def pair_text(pair: tuple[int, int]) -> str:
        # A 1-D picture speaks of its one axis: "stride 2", not "stride 1x2"; a rectangle says which is which.
        if spec.is_1d:
            return str(pair[1])
        return spec_pair_text(pair) if pair[0] == pair[1] else f"{pair[0]}×{pair[1]} (rows×cols)"

    stride = pair_text(spec.stride)
    hyper = []
    if spec.stride != (1, 1):
        hyper.append(f"stride {stride}")
    if spec.dilation != (1, 1):
        hyper.append(f"dilation {pair_text(spec.dilation)}")
    if spec.groups > 1:
        hyper.append(f"groups {spec.groups}")
    # The size formula for each axis that differs (one for a square picture or a 1-D strip).
    axes = [1] if spec.is_1d else ([0] if _square(spec) else [0, 1])

    def formula_for(axis: int) -> str:
        n, s, p = spec.input_size[axis], spec.stride[axis], spec.padding[axis]
        d, kernel = spec.dilation[axis], spec.kernel_size[axis]
        # With dilation the kernel spans d·(k−1)+1 cells: say so rather than a bare span.
        k = f"({d}·({kernel}−1)+1)" if d > 1 else str(kernel)
        if spec.transposed:
            op = spec.output_padding[axis]
            return f"({n}−1)·{s} − 2·{p} + {k}" + (f" + {op}" if op else "") + f" = {spec.output_size[axis]}"
        return f"⌊({n} + 2·{p} − {k}) / {s}⌋ + 1 = {spec.output_size[axis]}"

    formula = ",  ".join(formula_for(axis) for axis in axes)
    if spec.transposed:
        hc, wc = spec.canvas_size
        crop = [f"pad {pair_text(spec.padding)}"] if any(spec.padding) else []
        if any(spec.output_padding):
            crop.append(f"output_padding {pair_text(spec.output_padding)}")
        canvas = f"{wc}" if spec.is_1d else f"{hc}×{wc}"
        detail = f"canvas {canvas}" + (f", crop {', '.join(crop)}" if crop else "")
        return (
            (f"{n_in} {size_in}{channels_in}", ""),
            (f"{n_k} {size_k}" + (f", {', '.join(hyper)}" if hyper else ""), ""),
            (f"{n_out} {size_out}{channels_out}", f"{detail};  {formula}"),
        )
    ph, pw = spec.padding
    pad_words = pair_text(spec.padding) if ph == pw or spec.is_1d else f"{ph} rows, {pw} cols"
    pad = f" (pad {pad_words})" if any(spec.padding) else ""
    return (
        (f"{n_in} {size_in}{channels_in}{pad}", ""),
        (f"{n_k} {size_k}" + (f", {', '.join(hyper)}" if hyper else ""), ""),
        (f"{n_out} {size_out}{channels_out}", formula),
    )


def part_word(name: str) -> str:
    """What one slice of a tensor is called: an output's (or grad_output's) are maps, an input's
    (or grad_input's) are channels."""
    return "map" if name in ("output", "grad_output") else "channel"


def default_panels(spec: ConvSpec, names: tuple[str, str, str] = ("input", "kernel", "output")) -> list[Panel]:
    """Input (padded, forward), kernel (the filter's slices) and output (or the canvas, transposed)."""
    if spec.transposed:
        in_rows, in_cols = spec.input_size
        out_rows, out_cols = spec.canvas_size
        kernel_slices = spec.out_channels // spec.groups
    else:
        in_rows, in_cols = spec.padded_input_size
        out_rows, out_cols = spec.output_size
        kernel_slices = spec.in_channels // spec.groups
    kh, kw = spec.kernel_size
    (in_title, in_detail), (k_title, k_detail), (out_title, out_detail) = titles(spec, names)
    return [
        Panel("input", in_title, in_detail, spec.in_channels, in_rows, in_cols, part_word(names[0])),
        Panel("kernel", k_title, k_detail, kernel_slices, kh, kw, "slice", captioned=True),
        Panel("output", out_title, out_detail, spec.out_channels, out_rows, out_cols, part_word(names[2])),
    ]


def _caption_width(spec: ConvSpec, metrics: TextMetrics, size: int) -> int:
    """Room for the per-frame caption over the kernel panel (which filter, which channels)."""
    c, f = spec.in_channels, spec.out_channels
    if (c if spec.transposed else f) <= 1:
        return 0
    per = c // spec.groups
    longest = (
        f"weights of channel #{c - 1}"
        if spec.transposed
        else f"filter #{f - 1} (of {f}) · sees channels #{c - per}–#{c - 1}"
    )
    return text_width(metrics, longest, size) + 4


def _slot(panel: Panel, spec: ConvSpec, metrics: TextMetrics, cell: int, size: int, caption_h: int) -> tuple[int, int]:
    """Width and height of one grid of a panel with its caption line (and the space under it)."""
    grid_w = panel.cols * cell + 1
    widest = ""
    if panel.count > 1:
        last = panel.count - 1
        if panel.captioned:
            widest = f"→ channel #{spec.out_channels - 1}" if spec.transposed else f"× channel #{spec.in_channels - 1}"
        else:
            widest = f"{panel.word} #{last}"
    width = max(grid_w, text_width(metrics, widest, size) if widest else 0)
    return width, caption_h + panel.rows * cell + 1 + max(8, cell // 3)


def arrange(panels: list[Panel], slots: list[tuple[int, int]], cell: int, gap: int, top: int) -> list[int]:
    """Columns per panel so that the picture is as close to a 16:9 slide as it can be.

    Every choice of columns (up to the panel's grid count) is tried; the one whose picture needs
    the smallest 16:9 box wins, and among equals the fewest columns.
    """
    inner = max(10, cell // 2)
    options = [range(1, len(shown(panel.count)) + 1) for panel in panels]
    best: tuple[float, int, list[int]] | None = None

    def visit(index: int, chosen: list[int]) -> None:
        nonlocal best
        if index == len(panels):
            width = sum(k * w + (k - 1) * inner for k, (w, _) in zip(chosen, slots, strict=True))
            width += gap * (len(panels) - 1)
            rows = [-(-len(shown(p.count)) // k) for p, k in zip(panels, chosen, strict=True)]
            height = top + max(r * h for r, (_, h) in zip(rows, slots, strict=True))
            score = (max(width / 16, height / 9), sum(chosen), list(chosen))
            if best is None or score[:2] < best[:2]:
                best = score
            return
        for k in options[index]:
            visit(index + 1, [*chosen, k])

    visit(0, [])
    assert best is not None
    return best[2]


def make_layout(
    spec: ConvSpec,
    metrics: TextMetrics,
    cell: int,
    values: bool,
    panels: list[Panel] | None = None,
    matrix: tuple[int, int] | None = None,
    matrix_titles: tuple[str, str, str] = ("", "", ""),
    strip_lines: int = 1,
    roving: bool = False,
) -> Layout:
    """Place ``panels`` (by default input, kernel, output) and, for the matrix view, a
    ``matrix`` of (rows, cols) with its input row above and output column beside it.

    ``roving``: in a panel of more than MAX_SHOWN grids, the grid before the last is a roving one
    (its caption is drawn per frame), for a scene that shows a hidden channel at work there.
    """
    margin = max(12, cell // 2)
    gap = max(24, cell)
    title_size = max(13, min(18, round(cell * 0.42)))
    detail_size = max(11, title_size - 3)
    sub_size = max(10, title_size - 4)
    title_h = line_height(metrics, title_size)
    detail_h = line_height(metrics, detail_size)
    sub_h = line_height(metrics, sub_size)
    panels = panels if panels is not None else default_panels(spec)

    has_detail = any(p.detail or (p.captioned and _caption_width(spec, metrics, detail_size)) for p in panels)
    grids_top = margin + title_h + (detail_h if has_detail else 0) + max(6, cell // 4)
    texts: list[Text] = []
    captions: dict[int, Text] = {}
    kernel_caption = None
    placed: dict[str, dict[int, Grid]] = {}
    roving_slots: dict[str, int] = {}
    roving_captions: dict[str, Text] = {}
    x = margin
    bottom = grids_top
    labelled = [panel.count > 1 for panel in panels]
    slots = [
        _slot(panel, spec, metrics, cell, sub_size, sub_h if lab else 0)
        for panel, lab in zip(panels, labelled, strict=True)
    ]
    columns = arrange(panels, slots, cell, gap, grids_top)
    inner = max(10, cell // 2)  # between the columns of one panel
    for panel, (slot_w, slot_h), k, lab in zip(panels, slots, columns, labelled, strict=True):
        channels = shown(panel.count)
        grid_w = panel.cols * cell + 1
        rows = -(-len(channels) // k)
        note = f"… {panel.count - len(channels)} more not shown" if panel.count > len(channels) else ""
        block = k * slot_w + (k - 1) * inner
        width = max(
            block,
            _caption_width(spec, metrics, detail_size) if panel.captioned else 0,
            text_width(metrics, panel.title, title_size, bold=True),
            text_width(metrics, panel.detail, detail_size) if panel.detail else 0,
            text_width(metrics, note, sub_size) if note else 0,
        )
        texts.append(Text(x, margin, panel.title, title_size, bold=True))
        if panel.detail:
            texts.append(Text(x, margin + title_h, panel.detail, detail_size, ink="ink_dim"))
        if panel.captioned and _caption_width(spec, metrics, detail_size) and not panel.detail:
            kernel_caption = Text(x, margin + title_h, "", detail_size, ink="ink_dim", width=width)
        left = x + (width - block) // 2 if panel.role != "input" else x
        grids: dict[int, Grid] = {}
        roves = MAX_SHOWN - 2 if roving and panel.count > MAX_SHOWN else None
        if roves is not None:
            roving_slots[panel.role] = roves
        for i, channel in enumerate(channels):
            sx = left + (i % k) * (slot_w + inner)
            y = grids_top + (i // k) * slot_h
            gx = sx + (slot_w - grid_w) // 2 if panel.role != "input" else sx
            if lab:
                if panel.captioned:
                    captions[channel] = Text(sx, y, "", sub_size, ink="ink_dim", width=slot_w)
                elif channel == roves:
                    roving_captions[panel.role] = Text(
                        gx, y, panel.word, sub_size, ink="ink_dim", width=sx + slot_w - gx
                    )
                else:
                    texts.append(Text(gx, y, f"{panel.word} #{channel}", sub_size, ink="ink_dim"))
                y += sub_h
            grids[channel] = Grid(gx, y, panel.rows, panel.cols, cell)
        y = grids_top + rows * slot_h
        if note:
            texts.append(Text(left, y, note, sub_size, ink="ink_dim"))
            y += sub_h
        placed[panel.role] = grids
        bottom = max(bottom, y)
        x += width + gap
    width = x - gap + margin
    matrix_grid = vector_in = vector_out = None
    if matrix is not None:
        rows, cols = matrix
        title, in_word, out_word = matrix_titles
        y = bottom + max(6, cell // 4)
        texts.append(Text(margin, y, title, title_size, bold=True))
        y += title_h + max(4, cell // 6)
        texts.append(Text(margin, y, in_word, sub_size, ink="ink_dim"))
        y += sub_h
        vector_in = Grid(margin, y, 1, cols, cell)
        y += cell + 1 + max(8, cell // 3)
        matrix_grid = Grid(margin, y, rows, cols, cell)
        out_x = margin + cols * cell + 1 + gap
        texts.append(Text(out_x, y - sub_h, out_word, sub_size, ink="ink_dim"))
        vector_out = Grid(out_x, y, rows, 1, cell)
        width = max(
            width,
            out_x + max(cell + 1, text_width(metrics, out_word, sub_size)) + margin,
            2 * margin + text_width(metrics, title, title_size, bold=True),
        )
        bottom = y + rows * cell + 1 + max(8, cell // 3)
    strip = None
    strip_size = title_size
    height = bottom + margin // 2
    if values:
        width = max(width, MIN_WIDTH)  # room for the sum line
        strip_h = line_height(metrics, strip_size) * strip_lines
        strip = (margin, height, width - 2 * margin, strip_h)
        height += strip_h + margin
    else:
        height += margin // 2
    return Layout(
        width=width + (width % 2),
        height=height + (height % 2),
        cell=cell,
        grids=placed,
        texts=tuple(texts),
        strip=strip,
        strip_size=strip_size,
        strip_lines=strip_lines if values else 1,
        captions=captions,
        kernel_caption=kernel_caption,
        matrix=matrix_grid,
        vector_in=vector_in,
        vector_out=vector_out,
        roving=roving_slots,
        roving_captions=roving_captions,
    )
