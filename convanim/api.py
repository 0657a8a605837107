"""``convanim.animate(...)``: the Python and notebook face of ``convanim render``.

>>> import convanim
>>> clip = convanim.animate(stride=2, padding=1)  # doctest: +SKIP
>>> clip.save("conv.mp4")                          # doctest: +SKIP
>>> clip                                           # doctest: +SKIP  (in a notebook: the player)

The keyword arguments are the CLI's spec and render options, read by the one options interpreter
(:meth:`convanim.plan.options.RenderOptions.from_mapping`), so they accept and refuse the same
values with the same words (errors name the keyword: ``stride``, ``padding``).
"""

from __future__ import annotations

import base64
import io
import os
from functools import cached_property
from pathlib import Path
from typing import Any

from .pipeline import Animation, count_frames, encode, from_options, picture_size, render_bytes, render_file
from .plan.options import RenderOptions


class Clip:
    """An animation :func:`animate` made: save it in any format, or show it in a notebook.

    In Jupyter it shows as the HTML player (``_repr_html_`` / ``_repr_mimebundle_``); ``clip.gif``
    shows as the GIF with its alt text instead.
    """

    def __init__(self, options: RenderOptions, animation: Animation) -> None:
        self.options = options
        self.animation = animation

    @property
    def alt(self) -> str:
        """What the animation shows, in words (the players' alt text)."""
        return self.animation.alt

    @property
    def command(self) -> str:
        """The ``convanim render`` command that draws the same animation."""
        return self.animation.command

    @cached_property
    def frames(self) -> int:
        """How many frames an animated file gets (before identical neighbours are merged)."""
        return 1 if self.animation.still is not None else count_frames(self.animation)

    @cached_property
    def size(self) -> tuple[int, int]:
        """Width and height of the picture in px."""
        return picture_size(self.animation)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the animation to ``path``, its format chosen by the suffix, atomically.

        ``.gif``, ``.webp``, ``.mp4``, ``.html``, ``.png`` (one frame), or a frame pattern such as
        ``frames/conv-%03d.png``; the same files ``convanim render -o`` writes.

        Raises
        ------
        SpecError
            The suffix is unknown, its encoder is not installed, or the options do not suit it.
        """
        target = os.fspath(path)
        render_file(self.animation, target, max_frames=self.options.max_frames, jobs=self.options.jobs)
        return Path(target)

    def to_bytes(self, suffix: str = ".gif") -> bytes:
        """The file's bytes in memory, in the format of ``suffix`` (not a frame pattern)."""
        from .outputs import output_for

        kind = output_for("clip", suffix).suffix
        return render_bytes(self.animation, kind, jobs=self.options.jobs)

    @cached_property
    def html(self) -> str:
        """The player as an HTML fragment (keys work while it has focus), for a notebook or a page."""
        from .write.html import HtmlFragmentWriter

        buffer = io.BytesIO()
        encode(self.animation, buffer, ".html", max_frames=self.options.max_frames, writer=HtmlFragmentWriter)
        return buffer.getvalue().decode("utf-8")

    @property
    def gif(self) -> GifView:
        """The animation as a GIF, shown in a notebook as an image with its alt text."""
        return GifView(self.to_bytes(".gif"), self.alt)

    def _repr_html_(self) -> str:
        return self.html

    def _repr_mimebundle_(
        self, include: object = None, exclude: object = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        return {"text/html": self.html, "text/plain": repr(self)}, {}

    def __repr__(self) -> str:
        width, height = self.size
        count = self.frames
        return f"<convanim.Clip {self.command}: {count} frame{'s' if count != 1 else ''}, {width}x{height} px>"


class GifView:
    """A GIF that a notebook shows as an image, with alt text."""

    def __init__(self, data: bytes, alt: str) -> None:
        self.data = data
        self.alt = alt

    def _repr_mimebundle_(
        self, include: object = None, exclude: object = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        data = {"image/gif": base64.b64encode(self.data).decode("ascii"), "text/plain": self.alt}
        return data, {"image/gif": {"alt": self.alt}}

    def _repr_html_(self) -> str:
        import html

        src = base64.b64encode(self.data).decode("ascii")
        return f'<img src="data:image/gif;base64,{src}" alt="{html.escape(self.alt, quote=True)}">'


def animate(**options: Any) -> Clip:
    """An animation of a convolution, from the CLI's options as keyword arguments.

    Parameters
    ----------
    **options
        Any ``convanim render`` option by its field name or flag name, typed or as text:
        ``input_size=5`` or ``"5x7"``, ``kernel_size``, ``stride``, ``padding`` (or ``pad``),
        ``dilation``, ``transposed``, ``output_padding``, channels, ``values``, ``steps``,
        ``frame_ms``, ``hold_ms``, ``loop``, ``theme``, ``cell_px`` or ``fit="1920x1080"``,
        ``background="transparent"``, ``view``, ``grad``, ``preset``, ``jobs`` (processes that
        compress frames when saving; default: the cores available), ...

    Returns
    -------
    Clip
        ``.save(path)`` writes any format by suffix; a notebook shows it as a player.

    Raises
    ------
    SpecError
        An unknown keyword, a bad value, or a convolution that does not exist; the message names
        the keyword and the fix.
    """
    settings = RenderOptions.from_mapping(options)
    return Clip(settings, from_options(settings))
