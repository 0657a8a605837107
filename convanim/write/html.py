"""Frames of palette indices -> one self-contained HTML page that plays them.

No network: the frames, the script and the style are in the file. The first frame is a PNG in
an ``<img>`` with the alt text (what a page without scripts shows); each later frame is a small
PNG of the box that changed, drawn over the previous frame on a ``<canvas>``, the GIF's scheme:
unchanged pixels are see-through, or, with a see-through background, the box is cleared and drawn
whole. Each frame keeps its own duration; identical consecutive frames are merged. Controls:
play/pause, previous/next, first/last, a slider, speed; keys space, arrows, Home and End; the
command that made the file is shown beneath. The bytes depend only on the frames (no random ids),
and it works inside an ``<iframe>``. :func:`fragment` is the same player for a notebook cell.
"""

from __future__ import annotations

import base64
import html
import io
import json
from functools import cache
from importlib import resources

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from .base import TRANSPARENT, Box, FrameWriter, bounding_box, rgb_table

SPEEDS = ("0.25", "0.5", "1", "2", "4")


@cache
def _asset(name: str) -> str:
    return resources.files(__package__ or "convanim.write").joinpath(name).read_text(encoding="utf-8")


def _png(pixels: NDArray[np.uint8], table: NDArray[np.uint8], clear: int | None) -> bytes:
    """A PNG of ``pixels`` with a palette of only the colours used; ``clear``: the see-through index."""
    used, inverse = np.unique(pixels, return_inverse=True)
    local = inverse.reshape(pixels.shape).astype(np.uint8)
    image = Image.frombytes("P", (pixels.shape[1], pixels.shape[0]), np.ascontiguousarray(local).tobytes())
    image.putpalette(table[used, :3].tobytes())
    buffer = io.BytesIO()
    where = np.flatnonzero(used == clear) if clear is not None else np.empty(0)
    if where.size:
        image.save(buffer, format="PNG", optimize=True, transparency=int(where[0]))
    else:
        image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class HtmlWriter(FrameWriter):
    """Setup / add frame / finish, streaming each frame's patch into the page as it comes."""

    page = True  # a whole page (keys work anywhere on it), not a fragment inside another page

    def setup(self) -> None:
        self.table = rgb_table(self.palette)
        self.previous: NDArray[np.uint8] | None = None
        self.durations: list[int] = []

    def _write(self, text: str) -> None:
        self.stream.write(text.encode("utf-8"))

    def add(self, pixels: NDArray[np.uint8], duration_ms: int, changed: Box | None = None) -> None:
        """Add a frame. ``changed`` bounds where it may differ from the last one (None: anywhere)."""
        background = self.info.background if self.info.transparent else None
        if self.previous is None:
            self.previous = pixels.copy()
            self.durations.append(duration_ms)
            self._write(self._head(_b64(_png(pixels, self.table, background))))
            return
        x0, y0, x1, y1 = changed if changed is not None else (0, 0, self.width, self.height)
        x0, y0, x1, y1 = max(0, x0), max(0, y0), min(self.width, x1), min(self.height, y1)
        new, old = pixels[y0:y1, x0:x1], self.previous[y0:y1, x0:x1]
        found = bounding_box(new != old)
        if found is None:
            self.durations[-1] += duration_ms
            return
        c0, r0, c1, r1 = found
        region = new[r0:r1, c0:c1]
        if background is None:  # draw what changed over the last frame; the rest is see-through
            patch = np.where(region != old[r0:r1, c0:c1], region, np.uint8(TRANSPARENT))
            data = _png(patch, self.table, TRANSPARENT)
        else:  # the box is cleared first, then drawn whole (a pixel may turn back into background)
            data = _png(region, self.table, background)
        old[...] = new
        self.durations.append(duration_ms)
        self._write(f',[{x0 + c0},{y0 + r0},{0 if background is None else 1},"{_b64(data)}"]')

    def _head(self, poster: str) -> str:
        alt = html.escape(self.info.alt or "Animation", quote=True)
        top = (
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{alt}</title>\n<style>\nbody{{margin:8px}}\n{_asset('player.css')}</style>\n</head>\n<body>\n"
        )
        return (top if self.page else f"<style>\n{_asset('player.css')}</style>\n") + (
            f'<figure class="convanim" data-convanim-player tabindex="0" aria-label="Animation player: {alt}">\n'
            f'<div class="ca-stage"><img class="ca-poster" width="{self.width}" height="{self.height}" alt="{alt}" '
            f'src="data:image/png;base64,{poster}">'
            f'<canvas class="ca-canvas" width="{self.width}" height="{self.height}" role="img" aria-label="{alt}" '
            "hidden></canvas></div>\n"
            '<script type="application/json" class="ca-data">{"frames":[null'
        )

    def finish(self) -> None:
        """Write the durations, the controls, the command and the player's script."""
        if self.previous is None:
            raise ValueError("an animation needs a frame")
        tail = {"durations": self.durations, "loop": self.loop, "page": self.page}
        settings = json.dumps(tail, separators=(",", ":"), sort_keys=True)[1:]
        options = "".join(f'<option value="{s}"{" selected" if s == "1" else ""}>{s}×</option>' for s in SPEEDS)
        controls = (
            '<div class="ca-controls" role="toolbar" aria-label="Playback controls" hidden>'
            '<button type="button" data-act="first" aria-label="First frame" title="First (Home)">|◀︎</button>'
            '<button type="button" data-act="prev" aria-label="Previous frame" title="Previous (←)">◁</button>'
            '<button type="button" data-act="play" aria-label="Play" title="Play/pause (space)">▶︎</button>'
            '<button type="button" data-act="next" aria-label="Next frame" title="Next (→)">▷</button>'
            '<button type="button" data-act="last" aria-label="Last frame" title="Last (End)">▶︎|</button>'
            '<input class="ca-slider" type="range" min="0" max="0" value="0" step="1" aria-label="Frame">'
            f'<select class="ca-speed" aria-label="Speed" title="Speed">{options}</select>'
            '<output class="ca-count" aria-live="polite"></output></div>\n'
        )
        command = self.info.command
        caption = f"<figcaption>Made with <code>{html.escape(command)}</code></figcaption>\n" if command else ""
        script = _asset("player.js").replace("</", "<\\/")
        self._write(f"],{settings}</script>\n{controls}{caption}</figure>\n<script>\n{script}</script>\n")
        if self.page:
            self._write("</body>\n</html>\n")


class HtmlFragmentWriter(HtmlWriter):
    """The player as a fragment for a notebook cell: keys work when the player has focus."""

    page = False
