"""The pipeline under the Python API: trace -> storyboard -> scene -> painter -> writer -> file.

>>> from convanim import ConvSpec
>>> from convanim.pipeline import Animation, render_file
>>> spec = ConvSpec(input_size=(5, 5), stride=(2, 2), padding=(1, 1))
>>> render_file(Animation.from_spec(spec), "conv.gif")  # doctest: +SKIP
"""

from __future__ import annotations

import io
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, BinaryIO

from .compute.spec import ConvSpec
from .compute.tracer import Trace
from .compute.values import build
from .draw.painter import LayoutMedium
from .draw.scenes import Look
from .draw.theme import THEMES
from .draw.views import make_scene
from .errors import SpecError
from .frame_ranges import draw_in_ranges, worth_ranges
from .outputs import OUTPUTS, check_background, output_for, output_key
from .paint.raster import RASTER, RasterPainter
from .plan.options import RenderOptions, check_timing
from .plan.storyboard import Storyboard
from .write.base import FrameWriter, OutputInfo
from .write.files import FrameFiles, check_output, write_output
from .write.parallel import resolve_jobs

LAYOUT = LayoutMedium(RASTER.metrics)  # scenes asked only where things go: nothing is painted

MAX_FRAMES = 20_000


@dataclass(frozen=True)
class Animation:
    """Everything a render needs: the trace, how it looks, and its timing.

    ``frames`` is ``(start, stop)`` over the steps (``stop`` None: to the end); ``still`` picks
    the frame a ``.png`` shows (None: the last).
    """

    trace: Trace
    look: Look = field(default_factory=Look)
    steps: str = "placement"
    frames: tuple[int, int | None] = (0, None)
    frame_ms: int | None = None
    hold_ms: int = 2400
    loop: int = 0
    still: int | None = None
    view: str = "conv"  # "conv", "matrix", "grad_weight", "direct" or "overlap" (see convanim.draw.views)
    grad_output: Any = None  # the output gradient, for view "grad_weight"
    background: str = "theme"  # or "transparent": the background is see-through where the format allows
    command: str = ""  # the command line that draws it, without ``-o`` (a player shows it)
    options: RenderOptions | None = field(default=None, repr=False, compare=False)  # what it was made from

    @cached_property
    def alt(self) -> str:
        """What the animation shows, in words (players and notebooks show it; "" when it was not made
        from options). Worked out when first asked: a GIF does not carry it, and it costs a layout."""
        if self.options is None:
            return ""
        from .describe import describe

        return describe(self.options, self)

    @classmethod
    def from_spec(cls, spec: ConvSpec, values: str = "random", seed: int = 0, **options: object) -> Animation:
        fields_ = {name: getattr(spec, name) for name in spec.__dataclass_fields__}
        return cls(build(fields_, set(fields_), values=values, seed=seed), **options)  # type: ignore[arg-type]

    def storyboard(self) -> Storyboard:
        frame_ms = self.frame_ms if self.frame_ms is not None else (400 if self.steps == "term" else 800)
        check_timing(frame_ms, self.hold_ms, self.loop)
        start, stop = self.frames
        return Storyboard(self.board_spec(), self.steps, start, stop, frame_ms, self.hold_ms)

    def board_spec(self) -> ConvSpec:
        """The spec whose steps the frames show: the trace's, or for the direct view the direct
        convolution's (one frame per output cell, stride 1, the padding in its input)."""
        spec = self.trace.spec
        if self.view == "separable":  # both stages: the depthwise steps, then the 1×1 steps
            from .compute.separable import board_spec

            return board_spec(spec)
        if self.view != "direct":
            return spec
        return ConvSpec(
            input_size=(
                spec.output_size[0] + spec.kernel_span[0] - 1,
                spec.output_size[1] + spec.kernel_span[1] - 1,
            ),
            kernel_size=spec.kernel_size,
            dilation=spec.dilation,
            in_channels=spec.in_channels,
            out_channels=spec.out_channels,
            groups=spec.groups,
            bias=spec.bias,
        )


def from_options(options: RenderOptions) -> Animation:
    """The animation ``options`` ask for: the trace built from their spec and values, then drawn."""
    from dataclasses import replace

    recorded = build(
        options.spec_fields(), options.spec_explicit(), options.values, options.kernel_values, options.seed
    )
    animation = make_animation(
        recorded,
        look=Look(
            theme=options.theme,
            cell_px=options.cell_px,
            values=not options.no_values,
            color_values=options.color_values,
        ),
        view=options.view,
        grad=options.grad,
        grad_values=options.grad_values,
        seed=options.seed,
        steps=options.steps,
        frames=options.frames,
        frame_ms=options.frame_ms,
        hold_ms=options.hold_ms,
        loop=options.loop,
        still=options.frame,
        background=options.background,
        command=options.command(),
    )
    if options.fit is not None:
        animation = replace(animation, look=replace(animation.look, cell_px=fit_cell(animation, options.fit)))
    return replace(animation, options=options)


SMALLEST_CELL = 14  # px: the smallest cell whose numbers are legible (8 px text)
SMALLEST_BARE_CELL = 8  # px: without numbers


def picture_size(animation: Animation) -> tuple[int, int]:
    """Width and height of the animation's picture in px (as drawn, before any padding)."""
    layout = make_scene(animation.trace, animation.look, LAYOUT, animation.view, animation.grad_output).layout
    return layout.width, layout.height


def fit_cell(animation: Animation, box: tuple[int, int]) -> int:
    """The largest cell size whose picture fits ``box`` (width, height), counted even as video needs.

    Raises
    ------
    SpecError
        Even the smallest legible cell gives a picture larger than ``box``.
    """
    from dataclasses import replace

    def size(cell: int) -> tuple[int, int]:
        width, height = picture_size(replace(animation, look=replace(animation.look, cell_px=cell)))
        return width + width % 2, height + height % 2

    def fits(cell: int) -> bool:
        width, height = size(cell)
        return width <= box[0] and height <= box[1]

    low, high = (SMALLEST_CELL if animation.look.values else SMALLEST_BARE_CELL), 200
    if not fits(low):
        width, height = size(low)
        raise SpecError(
            f"‹fit› {box[0]}x{box[1]} is too small: at the smallest legible cell ({low} px) the picture is "
            f"{width}x{height} px: give a box at least that big, or draw less (a smaller ‹input_size›)"
        )
    while low < high:  # the largest cell that fits: fits(low) holds throughout
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    return low


def make_animation(
    recorded: Trace,
    *,
    look: Look | None = None,
    view: str = "grid",
    grad: str | None = None,
    grad_values: str = "ones",
    seed: int = 0,
    **options: Any,
) -> Animation:
    """An animation of ``recorded`` in a view: the grids, the matrix product, or a gradient.

    ``grad="input"`` draws the input gradient as the convolution it is (a transposed convolution of
    the output gradient, or a convolution for a transposed layer); ``grad="weight"`` draws the weight
    gradient growing by output-gradient cell × input window.
    """
    from dataclasses import replace

    look = look or Look()
    if view not in ("grid", "matrix", "direct", "overlap", "volume", "separable"):
        raise SpecError(f"‹view› {view!r} is unknown: use grid, matrix, direct, overlap, volume or separable")
    if view in ("volume", "separable"):
        if grad is not None:
            raise SpecError(f"‹view› {view} has no ‹grad›: drop one of them")
        return Animation(recorded, look=look, view=view, **options)
    if recorded.spec.is_pool and (view != "grid" or grad is not None):
        raise SpecError(f"‹op› {recorded.spec.op} is drawn as pooling: drop ‹view› and ‹grad›")
    if view in ("direct", "overlap"):
        if not recorded.spec.transposed:
            raise SpecError(f"‹view› {view} shows a transposed convolution: add ‹transposed›")
        if grad is not None:
            raise SpecError(f"‹view› {view} has no ‹grad›: drop one of them")
        if recorded.symbols is not None:
            raise SpecError(f"‹view› {view} draws numbers: drop ‹values› symbolic")
        if view == "overlap" and options.get("steps") == "term":
            raise SpecError("‹view› overlap draws one stamp per frame: drop ‹steps› term")
        return Animation(recorded, look=look, view=view, **options)
    if grad is None:
        return Animation(recorded, look=look, view="matrix" if view == "matrix" else "conv", **options)
    if recorded.symbols is not None:
        raise SpecError("‹grad› draws numbers: drop ‹values› symbolic")
    if options.get("steps") == "term":
        raise SpecError("‹grad› draws one output-gradient cell per frame: drop ‹steps› term")
    from .compute.backward import grad_input_trace
    from .compute.values import grad_values as make_grad

    g = make_grad(grad_values, recorded.output.shape, seed)
    if grad == "input":
        derived = grad_input_trace(recorded, g)
        names = ("grad_output", "kernel", "grad_input")
        view_name = "matrix" if view == "matrix" else "conv"
        return Animation(derived, look=replace(look, names=names), view=view_name, **options)
    if grad == "weight":
        if view == "matrix":
            raise SpecError("‹grad› weight has no matrix view: drop ‹view› matrix")
        return Animation(recorded, look=look, view="grad_weight", grad_output=g, **options)
    raise SpecError(f"‹grad› {grad!r} is unknown: use input or weight")


def count_frames(animation: Animation) -> int:
    return len(animation.storyboard())


def check_frames(board: Storyboard, max_frames: int) -> None:
    """Refuse an animation longer than ``max_frames``, saying what it would take and what to change."""
    if len(board) > max_frames:
        fixes = "render a slice with ‹frames› START:STOP, "
        if board.granularity == "term":
            fixes += "use ‹steps› placement, "
        raise SpecError(
            f"this animation would have {len(board):,} frames, over ‹max_frames› {max_frames:,}: "
            f"{fixes}use a smaller size, or raise ‹max_frames›"
        )


def encode(
    animation: Animation,
    stream: BinaryIO | FrameFiles,
    kind: str = ".gif",
    progress: Callable[[int], None] | None = None,
    max_frames: int = MAX_FRAMES,
    name: str = "",
    writer: Callable[..., Any] | None = None,
    jobs: int | None = 1,
) -> int:
    """Draw ``animation`` into ``stream`` as file type ``kind`` (a registry key); returns frames drawn.

    An animated type gets every frame, unless ``animation.still`` names one: then it gets that
    frame alone, as every type does. A still type without ``still`` gets the last frame. A
    frame sequence (``%d.png``) is given :class:`FrameFiles` instead of a stream. ``name`` is the
    file's name, for the command a player shows. ``writer`` replaces the registry's writer for
    ``kind`` (the notebook player is an HTML writer that makes a fragment). ``jobs``: processes that
    may compress frames (None: every available core); the bytes are the same for any number.
    """
    output = OUTPUTS[kind]
    board = animation.storyboard()
    index = animation.still if animation.still is not None else (None if output.animated else -1)
    if index is None:
        check_frames(board, max_frames)
    else:
        still_frame = board.frame(index)
    if output.painter is not None:
        assert not isinstance(stream, FrameFiles), "a vector file is one stream"
        return _paint(animation, output.painter(), stream, board, index, progress)
    drawing = make_scene(animation.trace, animation.look, RASTER, animation.view, animation.grad_output)
    layout = drawing.layout
    assert output.writer is not None and isinstance(drawing.painter, RasterPainter)
    palette = drawing.painter.palette
    info = OutputInfo(
        background=palette.index(THEMES[animation.look.theme].background),
        transparent=animation.background == "transparent",
        alt=animation.alt if output.alt_text else "",
        command=f"{animation.command} -o {shlex.quote(name)}" if animation.command and name else animation.command,
        jobs=1 if index is not None else resolve_jobs(jobs),
    )
    make = writer or output.writer()

    def made() -> FrameWriter:
        return make(stream, layout.width, layout.height, palette, animation.loop, info=info)  # type: ignore[no-any-return]

    if index is None and worth_ranges(len(board), info.jobs):
        # A writer class that takes frame by frame is made once the workers draw (a factory, such as
        # the GIF's, which picks its class by the background, is made first and says so itself).
        later = isinstance(make, type) and not getattr(make, "takes_ranges", False)
        return draw_in_ranges(drawing, board, made, info.jobs, progress, frame_by_frame=later)
    frame_writer = made()
    count = 0
    try:
        if index is not None:
            pixels, _, _ = drawing.still(board, index)
            frame_writer.add(pixels, still_frame.duration_ms, None)
            count = 1
        else:
            for pixels, changed, duration in drawing.frames(board):
                frame_writer.add(pixels, duration, changed)
                count += 1
                if progress is not None:
                    progress(1)
        frame_writer.finish()
    finally:
        frame_writer.close()
    return count


class VectorMedium:
    """A vector painter class as a medium: the shared text metrics, the animation's loop count."""

    def __init__(self, painter: Any, loop: int, transparent: bool = False) -> None:
        self.painter_class = painter
        self.loop = loop
        self.transparent = transparent
        self.metrics = RASTER.metrics  # one TextMetrics for every medium: words land alike

    def painter(self, theme: Any, cell: int, width: int, height: int) -> Any:
        painter = self.painter_class(theme, cell, width, height, self.metrics)
        painter.loop = self.loop
        painter.transparent = self.transparent
        return painter


def _paint(
    animation: Animation,
    painter_class: Any,
    stream: BinaryIO,
    board: Storyboard,
    index: int | None,
    progress: Callable[[int], None] | None,
) -> int:
    """A vector file: the scene described to a vector painter, which writes it whole."""
    medium = VectorMedium(painter_class, animation.loop, animation.background == "transparent")
    drawing = make_scene(animation.trace, animation.look, medium, animation.view, animation.grad_output)
    if index is not None:
        drawing.still(board, index)
        count = 1
    else:
        count = 0
        for _ in drawing.frames(board):
            count += 1
            if progress is not None:
                progress(1)
    from .paint.vector import DisplayList  # here: a raster render never loads the vector painters

    assert isinstance(drawing.painter, DisplayList)
    drawing.painter.write(stream, title=describe_animation(animation))
    return count


def describe_animation(animation: Animation) -> str:
    """A one-line description of what the animation shows (a vector file's title)."""
    return animation.trace.spec.describe()


def output_kind(target: str, fmt: str | None = None) -> str:
    """The file type's registry key (its suffix, ``%d.png`` for a frame pattern), refusing what cannot be written."""
    output_for(target, fmt)
    return output_key(target, fmt)


def render_file(
    animation: Animation,
    target: str,
    fmt: str | None = None,
    progress: Callable[[int], None] | None = None,
    max_frames: int = MAX_FRAMES,
    jobs: int | None = None,
) -> int:
    """Render to ``target`` ('-' for stdout), atomically; returns the number of frames drawn.

    ``jobs``: processes that compress frames (None: every available core; the bytes do not change).
    """
    kind = output_kind(target, fmt)
    output = OUTPUTS[kind]
    check_background(output, target, animation.background)
    board = animation.storyboard()
    if output.multi_file:
        if animation.still is not None:
            raise SpecError(f"‹frame› picks one frame, and {target} is a frame pattern: drop one of them")
        check_frames(board, max_frames)
        files = FrameFiles(target)
        try:
            frames = encode(animation, files, kind, progress, max_frames, jobs=jobs)
            files.commit()
        finally:
            files.discard()
        return frames
    check_output(target)
    if animation.still is not None:
        board.frame(animation.still)  # refuse an out-of-range ‹frame› before any work
    elif output.animated:
        check_frames(board, max_frames)
    frames = 0
    name = "" if target == "-" else Path(target).name

    def write(stream: BinaryIO) -> None:
        nonlocal frames
        frames = encode(animation, stream, kind, progress, max_frames, name, jobs=jobs)

    write_output(target, write)
    return frames


def render_bytes(animation: Animation, kind: str = ".gif", name: str = "", jobs: int | None = 1) -> bytes:
    """The file's bytes in memory (for ``assets --check`` and tests); ``name``: the file's name, if any.

    ``jobs``: processes that compress frames (None: every core). One by default: the gallery renders
    its assets in parallel already.
    """
    check_background(OUTPUTS[kind], name or kind, animation.background)
    buffer = io.BytesIO()
    encode(animation, buffer, kind, name=name, jobs=jobs)
    return buffer.getvalue()
