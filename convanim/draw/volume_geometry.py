"""Where the blocks of the volume view lie: oblique boxes of cells, computed once per picture.

A tensor of ``depth`` channels and ``rows x cols`` cells is a block seen in an oblique projection:
the front face stays axis-aligned (its cells are ordinary (cell+1)-px grid cells, numbers crisp),
and each channel behind it is shifted ``ds`` px right and ``ds`` px up. Channel ``depth - 1`` is at
the front, channel 0 at the back, so a block of output maps grows toward the reader as filters work.

Every corner is a whole pixel: flat edges fall on pixel rows and columns, and the raster, SVG and
PDF painters draw the same shapes. A face is a list of points in layout pixels (the pixels a
polygon's points name are inside it, as :meth:`Painter.polygon` draws them).

A block keeps what frames ask of it again and again (each layer's grid, each window's faces), so
where a face or a cell lies is worked out once per picture, not once per frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .layout import Grid

Point = tuple[float, float]
Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class Block:
    """An oblique block: front face's top-left border pixel at (x, y), ``depth`` layers ``ds`` px apart."""

    x: int
    y: int
    rows: int
    cols: int
    depth: int
    cell: int
    ds: int
    # What was worked out already: each layer's grid, each sub-block's faces (not part of the value).
    _grids: dict[int, Grid] = field(default_factory=dict, init=False, repr=False, compare=False)
    _subs: dict[tuple[int, int, int, int, int, int], SubBlock] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def behind(self, layer: int) -> int:
        """How many layers lie in front of ``layer`` (0 for the front layer, ``depth - 1``)."""
        return self.depth - 1 - layer

    def front(self, layer: int) -> Grid:
        """Layer ``layer``'s front face as a grid of cells (made once a layer)."""
        grid = self._grids.get(layer)
        if grid is None:
            d = self.behind(layer) * self.ds
            grid = self._grids[layer] = Grid(self.x + d, self.y - d, self.rows, self.cols, self.cell)
        return grid

    def top(self, layer: int, col: int, span: int = 1, layers: int = 1) -> list[Point]:
        """The top face over row 0 of columns ``col..col+span-1``, layers ``layer-layers+1..layer``."""
        d0 = self.behind(layer) * self.ds
        d1 = d0 + layers * self.ds
        x0, x1 = self.x + col * self.cell, self.x + (col + span) * self.cell
        return [(x0 + d0, self.y - d0), (x1 + d0, self.y - d0), (x1 + d1, self.y - d1), (x0 + d1, self.y - d1)]

    def right(self, layer: int, row: int, span: int = 1, layers: int = 1) -> list[Point]:
        """The right face beside the last column, rows ``row..row+span-1``, ``layers`` deep."""
        d0 = self.behind(layer) * self.ds
        d1 = d0 + layers * self.ds
        x = self.x + self.cols * self.cell
        y0, y1 = self.y + row * self.cell, self.y + (row + span) * self.cell
        return [(x + d0, y0 - d0), (x + d1, y0 - d1), (x + d1, y1 - d1), (x + d0, y1 - d0)]

    def ruler(self, layer: int) -> list[Point]:
        """A tab for ``layer`` along the bottom edge of the right face (which group a channel is in)."""
        d0, d1 = self.behind(layer) * self.ds, (self.behind(layer) + 1) * self.ds
        x, y = self.x + self.cols * self.cell, self.y + self.rows * self.cell
        tab = max(6, self.cell // 3)
        return [
            (x + d0 + 2, y - d0 + 2),
            (x + d1 + 2, y - d1 + 2),
            (x + d1 + 2, y - d1 + 2 + tab),
            (x + d0 + 2, y - d0 + 2 + tab),
        ]

    def sub_block(self, rows: tuple[int, int], cols: tuple[int, int], layers: tuple[int, int]) -> SubBlock:
        """The faces of the box over cells ``rows`` x ``cols`` (inclusive) through ``layers`` (inclusive).

        Made once a box: a window that comes back (each filter passes every position) reuses its faces.
        """
        key = (*rows, *cols, *layers)
        found = self._subs.get(key)
        if found is None:
            found = self._subs[key] = self._sub_block(*key)
        return found

    def _sub_block(self, r0: int, r1: int, q0: int, q1: int, l0: int, l1: int) -> SubBlock:
        d0 = self.behind(l1) * self.ds
        d1 = (self.behind(l0) + 1) * self.ds
        x0, x1 = self.x + q0 * self.cell + d0, self.x + (q1 + 1) * self.cell + d0
        y0, y1 = self.y + r0 * self.cell - d0, self.y + (r1 + 1) * self.cell - d0
        deep = d1 - d0
        return SubBlock(
            front=[(x0, y0), (x1, y0), (x1, y1), (x0, y1)],
            top=[(x0, y0), (x1, y0), (x1 + deep, y0 - deep), (x0 + deep, y0 - deep)],
            right=[(x1, y0), (x1 + deep, y0 - deep), (x1 + deep, y1 - deep), (x1, y1)],
            box=(x0, y0, x1 + 1, y1 + 1),
            on_front=d0 == 0,
            back=(x0 + deep, y0 - deep, x1 + 1 + deep, y1 + 1 - deep),
            edges=tuple(
                [(x, y), (x + 1, y), (x + 1 + deep, y - deep), (x + deep, y - deep)]
                for x, y in ((x0, y0), (x1 - 1, y0), (x1 - 1, y1 - 1), (x0, y1 - 1))
            ),
        )

    def silhouette(self) -> list[Point]:
        """The outline of the whole block (front, top and right faces together)."""
        deep = self.depth * self.ds
        x0, y0 = self.x, self.y
        x1, y1 = self.x + self.cols * self.cell, self.y + self.rows * self.cell
        return [(x0, y0), (x0 + deep, y0 - deep), (x1 + deep, y0 - deep), (x1 + deep, y1 - deep), (x1, y1), (x0, y1)]

    @property
    def width(self) -> int:
        return self.cols * self.cell + 1 + self.depth * self.ds

    @property
    def height(self) -> int:
        return self.rows * self.cell + 1 + self.depth * self.ds


@dataclass(frozen=True)
class SubBlock:
    """The visible faces of a box inside a block; ``box`` bounds the front face (end exclusive)."""

    front: list[Point]
    top: list[Point]
    right: list[Point]
    box: Box
    on_front: bool  # the front face lies on the block's front face (its cells can carry numbers)
    # Seen from inside the block (a wireframe): the back face's box, and a 2-px diagonal from each
    # front corner to its back corner, on whole pixels.
    back: Box
    edges: tuple[list[Point], ...]


def depth_step(cell: int, deepest: int) -> int:
    """Pixels between layers: about half a cell, less for deep blocks (a block is at most ~2.5 cells deep)."""
    return max(3, min(round(cell * 0.45), (5 * cell) // (2 * max(1, deepest))))
