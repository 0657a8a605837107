"""Which file types convanim writes, chosen by suffix from one registry.

A raster output is a :class:`~convanim.write.base.FrameWriter` fed the raster painter's frames; a
vector output is a painter that writes the scene's description itself. ``animated`` outputs get
every frame; the others (a ``.png``) get one still, the last frame unless ``--frame`` names one.
A ``multi_file`` output writes one file per frame, named by a printf-style pattern
(``frames/conv-%03d.png``); its registry key is ``%d`` and the suffix (``%d.png``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import SpecError


@dataclass(frozen=True)
class Output:
    """One file type: how it is made and what it is for.

    ``missing`` returns why it cannot be written on this install (a library not installed, and the
    command that installs it), or None. ``alpha``: it can show a see-through background.
    ``alt_text``: the file carries the alt text (the HTML player's poster and labels); only then is
    it worked out, as it costs a layout of the picture.
    """

    suffix: str
    what: str  # for messages: ".gif (animation)"
    animated: bool
    writer: Callable[[], Any] | None = None  # returns the FrameWriter class (imported on use)
    painter: Callable[[], Any] | None = None  # returns the vector painter class (imported on use)
    multi_file: bool = False
    alpha: bool = True
    no_alpha: str = ""  # why not, when ``alpha`` is False
    missing: Callable[[], str | None] | None = None
    alt_text: bool = False


def _gif() -> Any:
    from .write.gif import gif_writer

    return gif_writer


def _png() -> Any:
    from .write.gif import PngWriter

    return PngWriter


def _png_frames() -> Any:
    from .write.sequence import PngSequenceWriter

    return PngSequenceWriter


def _svg() -> Any:
    from .paint.svg import SvgPainter

    return SvgPainter


def _pdf() -> Any:
    from .paint.pdf import PdfPainter

    return PdfPainter


def _webp() -> Any:
    from .write.webp import WebpWriter

    return WebpWriter


def _webp_missing() -> str | None:
    from .write.webp import missing

    return missing()


def _mp4() -> Any:
    from .write.mp4 import Mp4Writer

    return Mp4Writer


def _mp4_missing() -> str | None:
    from .write.mp4 import missing

    return missing()


def _html() -> Any:
    from .write.html import HtmlWriter

    return HtmlWriter


FRAMES = "%d.png"  # the key of a PNG frame sequence

OUTPUTS: dict[str, Output] = {
    ".gif": Output(".gif", ".gif (animation)", True, writer=_gif),
    ".png": Output(".png", ".png (one frame)", False, writer=_png),
    ".webp": Output(".webp", ".webp (lossless animation)", True, writer=_webp, missing=_webp_missing),
    ".mp4": Output(
        ".mp4",
        ".mp4 (H.264 video)",
        True,
        writer=_mp4,
        alpha=False,
        no_alpha="H.264 video has no alpha channel",
        missing=_mp4_missing,
    ),
    ".html": Output(".html", ".html (a player in one file)", True, writer=_html, alt_text=True),
    FRAMES: Output(".png", "-%03d.png pattern (one PNG per frame)", True, writer=_png_frames, multi_file=True),
    ".svg": Output(".svg", ".svg (vector animation)", True, painter=_svg),
    ".pdf": Output(".pdf", ".pdf (a vector page per frame)", True, painter=_pdf),
}


def register(output: Output, key: str | None = None) -> None:
    """Add a file type (a writer or a painter) to the registry, under its suffix or ``key``."""
    OUTPUTS[key or output.suffix] = output


def output_key(target: str, fmt: str | None = None) -> str:
    """The registry key of ``target``: its suffix, ``%d`` + suffix for a frame pattern, or ``fmt``."""
    from .write.files import check_pattern, is_pattern

    if fmt:
        return "." + fmt.lower().lstrip(".")
    if target == "-":
        return ".gif"
    suffix = Path(target).suffix.lower()
    if is_pattern(target):
        check_pattern(target)
        return "%d" + suffix
    return suffix


def output_for(target: str, fmt: str | None = None) -> Output:
    """The output from ``fmt`` or the target's suffix; stdout needs ``fmt`` or defaults to GIF.

    Raises
    ------
    SpecError
        The type is unknown, or cannot be written on this install (the message says what to install).
    """
    kind = output_key(target, fmt)
    found = OUTPUTS.get(kind)
    if found is None:
        if kind.startswith("%d"):
            suffixes = ", ".join(o.suffix for o in OUTPUTS.values() if o.multi_file)
            raise SpecError(
                f"‹output› {target}: a frame pattern writes one {suffixes} file per frame: end the name in "
                f"{suffixes}, e.g. frames/conv-%03d{suffixes}"
            )
        known = ", ".join(o.what for o in OUTPUTS.values() if not o.multi_file)
        raise SpecError(
            f"‹output› {target}: unknown file type {kind or '(none)'}: end the name in {known}, "
            "or give a frame pattern such as frames/conv-%03d.png"
        )
    if found.missing is not None:
        reason = found.missing()
        if reason:
            raise SpecError(f"‹output› {target}: {reason}")
    return found


def check_background(output: Output, target: str, background: str) -> None:
    """Refuse a see-through background for a file type that cannot show one."""
    if background == "transparent" and not output.alpha:
        alphas = ", ".join(o.suffix for o in OUTPUTS.values() if o.alpha and not o.multi_file and o.writer)
        raise SpecError(
            f"‹background› transparent cannot be written to {target}: {output.no_alpha}: "
            f"use {alphas}, or drop ‹background›"
        )
