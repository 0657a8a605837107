"""The Python API over the pipeline: trace -> storyboard -> scene -> encoder -> file.

>>> from convanim import ConvSpec
>>> from convanim.animate import Animation, render_file
>>> spec = ConvSpec(input_size=(5, 5), stride=(2, 2), padding=(1, 1))
>>> render_file(Animation.from_spec(spec), "conv.gif")  # doctest: +SKIP
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from .compute.spec import ConvSpec
from .compute.tracer import Trace
from .compute.values import build
from .draw.scenes import Look
from .draw.views import make_scene
from .errors import SpecError
from .outputs import OUTPUTS, output_for
from .paint.raster import RASTER, RasterPainter
from .plan.options import RenderOptions, check_timing
from .plan.storyboard import Storyboard
from .write.files import check_output, write_output

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
    view: str = "conv"  # "conv", "matrix" or "grad_weight" (see convanim.views)
    grad_output: Any = None  # the output gradient, for view "grad_weight"

    @classmethod
    def from_spec(cls, spec: ConvSpec, values: str = "random", seed: int = 0, **options: object) -> Animation:
        fields_ = {name: getattr(spec, name) for name in spec.__dataclass_fields__}
        return cls(build(fields_, set(fields_), values=values, seed=seed), **options)  # type: ignore[arg-type]

    def storyboard(self) -> Storyboard:
        frame_ms = self.frame_ms if self.frame_ms is not None else (400 if self.steps == "term" else 800)
        check_timing(frame_ms, self.hold_ms, self.loop)
        start, stop = self.frames
        return Storyboard(self.trace.spec, self.steps, start, stop, frame_ms, self.hold_ms)


def from_options(options: RenderOptions) -> Animation:
    """The animation ``options`` ask for: the trace built from their spec and values, then drawn."""
    recorded = build(
        options.spec_fields(), options.spec_explicit(), options.values, options.kernel_values, options.seed
    )
    return make_animation(
        recorded,
        look=Look(theme=options.theme, cell_px=options.cell_px, values=not options.no_values),
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
    )


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
    if view not in ("grid", "matrix"):
        raise SpecError(f"‹view› {view!r} is unknown: use grid or matrix")
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
    stream: BinaryIO,
    kind: str = ".gif",
    progress: Callable[[int], None] | None = None,
    max_frames: int = MAX_FRAMES,
) -> int:
    """Draw ``animation`` into ``stream`` as file type ``kind`` (a suffix); returns frames drawn.

    An animated type gets every frame, unless ``animation.still`` names one: then it gets that
    frame alone, as every type does. A still type without ``still`` gets the last frame.
    """
    output = OUTPUTS[kind]
    board = animation.storyboard()
    index = animation.still if animation.still is not None else (None if output.animated else -1)
    if index is None:
        check_frames(board, max_frames)
    else:
        still_frame = board.frame(index)
    drawing = make_scene(animation.trace, animation.look, RASTER, animation.view, animation.grad_output)
    layout = drawing.layout
    assert output.writer is not None and isinstance(drawing.painter, RasterPainter)
    writer = output.writer()(stream, layout.width, layout.height, drawing.painter.palette, animation.loop)
    count = 0
    try:
        if index is not None:
            pixels, _, _ = drawing.still(board, index)
            writer.add(pixels, still_frame.duration_ms, None)
            count = 1
        else:
            for pixels, changed, duration in drawing.frames(board):
                writer.add(pixels, duration, changed)
                count += 1
                if progress is not None:
                    progress(1)
        writer.finish()
    finally:
        writer.close()
    return count


def output_kind(target: str, fmt: str | None = None) -> str:
    """The file type (its suffix) from ``fmt`` or the target's suffix."""
    return output_for(target, fmt).suffix


def render_file(
    animation: Animation,
    target: str,
    fmt: str | None = None,
    progress: Callable[[int], None] | None = None,
    max_frames: int = MAX_FRAMES,
) -> int:
    """Render to ``target`` ('-' for stdout), atomically; returns the number of frames drawn."""
    kind = output_kind(target, fmt)
    check_output(target)
    board = animation.storyboard()
    if animation.still is not None:
        board.frame(animation.still)  # refuse an out-of-range ‹frame› before any work
    elif OUTPUTS[kind].animated:
        check_frames(board, max_frames)
    frames = 0

    def write(stream: BinaryIO) -> None:
        nonlocal frames
        frames = encode(animation, stream, kind, progress, max_frames)

    write_output(target, write)
    return frames


def render_bytes(animation: Animation, kind: str = ".gif") -> bytes:
    """The file's bytes in memory (for ``assets --check`` and tests)."""
    buffer = io.BytesIO()
    encode(animation, buffer, kind)
    return buffer.getvalue()
