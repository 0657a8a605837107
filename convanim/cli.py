"""The ``convanim`` command: option declarations and one call into the library per command.

No arithmetic and no drawing here. Heavy libraries (numpy, Pillow) are imported inside commands
so that ``convanim --help`` and ``convanim presets`` start fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import click
from click.core import ParameterSource

from . import __version__
from .errors import SpecError, WordedError

F = TypeVar("F", bound=Callable[..., Any])
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class PairType(click.ParamType):  # type: ignore[type-arg]
    """``N`` or ``NxM`` (also ``N,M``): one integer per axis, height first."""

    name = "N|NxM"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> tuple[int, int]:
        if isinstance(value, tuple):
            return value
        text = str(value).strip().lower().replace("×", "x").replace(",", "x")
        parts = text.split("x")
        try:
            if len(parts) not in (1, 2) or not all(p.strip() for p in parts):
                raise ValueError
            numbers = [int(p) for p in parts]
        except ValueError:
            self.fail(f"{value!r} is not N or NxM: write a whole number such as 3, or two such as 3x5", param, ctx)
        return (numbers[0], numbers[-1])


PAIR = PairType()


FLAG_NAMES = {"padding": "--pad", "transposed": "--transpose", "frame": "--frame", "hide_values": "--no-values"}


def flag(field: str) -> str:
    """The command-line flag of a render or spec field (``padding`` -> ``--pad``)."""
    return FLAG_NAMES.get(field, "--" + field.replace("_", "-"))


def _fail(message: str) -> NoReturn:
    raise click.UsageError(message)


def spec_options(func: F) -> F:
    """The spec options, the same on every command that computes a convolution."""
    options = [
        click.option(
            "-i",
            "--input-size",
            type=PAIR,
            default="5",
            show_default=True,
            help="Input height x width: 5 or 5x7. A height of 1 is a 1-D strip.",
        ),
        click.option(
            "-k", "--kernel-size", type=PAIR, default="3", show_default=True, help="Kernel height x width: 3 or 1x3."
        ),
        click.option("-s", "--stride", type=PAIR, default="1", show_default=True, help="Stride: N or NxM."),
        click.option(
            "-p",
            "--pad",
            "padding",
            type=PAIR,
            default="0",
            show_default=True,
            help="Zero padding on each side: N or NxM.",
        ),
        click.option(
            "-d", "--dilation", type=PAIR, default="1", show_default=True, help="Dilation (1 = no gaps): N or NxM."
        ),
        click.option(
            "--transpose",
            "transposed",
            is_flag=True,
            help="Transposed convolution (conv_transpose2d), drawn as a scatter.",
        ),
        click.option(
            "--output-padding",
            type=PAIR,
            default="0",
            show_default=True,
            help="Transposed only: extra rows/columns at the bottom/right; < stride or dilation.",
        ),
        click.option("--in-channels", type=int, default=1, show_default=True, help="Input channels C."),
        click.option("--out-channels", type=int, default=1, show_default=True, help="Output channels (filters) F."),
        click.option(
            "--groups",
            type=int,
            default=1,
            show_default=True,
            help="Groups; must divide both channel counts (--groups C is depthwise).",
        ),
        click.option("--bias/--no-bias", default=False, show_default=True, help="Add a bias per output channel."),
        click.option(
            "--op",
            type=click.Choice(["conv", "max", "avg"]),
            default="conv",
            show_default=True,
            help="conv, or pooling as max_pool2d / avg_pool2d: the stride defaults to the kernel size, "
            "padding at most half the kernel.",
        ),
        click.option(
            "--ceil-mode",
            is_flag=True,
            help="Pooling: round the output size up (a last window starting in the right padding is dropped).",
        ),
        click.option(
            "--count-include-pad/--no-count-include-pad",
            default=True,
            show_default=True,
            help="--op avg: divide by the whole window, padding included, or by the real cells only.",
        ),
        click.option(
            "--values",
            default="random",
            show_default=True,
            metavar="KIND|FILE",
            help="Numbers: random (small integers from --seed), ones, arange, symbolic (letters a, b, … and "
            "x, y, z; outputs as expressions), or a .npy/.json/.csv "
            "file holding the input (W, HxW or CxHxW; CSV: one row per line). A JSON object "
            'may hold "input", "weight" and "bias". Sizes not given are read from the file. '
            "Or a picture (.png, .jpg, …: grey, RGB with --in-channels 3; resized to --input-size when given), "
            "or digit (a 28x28 digit 3 drawn from the shipped font; digit0 … digit9 for others).",
        ),
        click.option(
            "--kernel-values",
            default=None,
            metavar="KIND|FILE",
            help="Numbers of the kernel: a kind as for --values, a file (k, khxkw, or 4-D in "
            "PyTorch layout), or a named kernel in conv2d's (cross-correlation) orientation: identity, box, "
            "gaussian3, gaussian5, sharpen, laplacian4, laplacian8, outline, emboss, sobel-x, sobel-y, "
            "scharr-x, scharr-y, prewitt-x, prewitt-y. Default: the kind of --values.",
        ),
        click.option(
            "--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Seed for random values."
        ),
        click.option(
            "--preset",
            default=None,
            metavar="NAME",
            help="Start from a named preset (see 'convanim presets'); other options override it.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _explicit(ctx: click.Context, names: tuple[str, ...] | None = None) -> set[str]:
    given = (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT, ParameterSource.PROMPT)
    names = tuple(ctx.params) if names is None else names
    return {name for name in names if ctx.get_parameter_source(name) in given}


def _options(ctx: click.Context, params: dict[str, Any], skip: tuple[str, ...] = ()) -> Any:
    """The options the user typed (and the preset they name), through the one interpreter."""
    from .plan.options import RenderOptions

    explicit = _explicit(ctx) - set(skip)
    mapping = {name: params[name] for name in explicit if name in params}
    if params.get("preset"):
        mapping["preset"] = params["preset"]
    try:
        return RenderOptions.from_mapping(mapping)
    except SpecError as err:
        _fail(err.worded(flag))


def _build_trace(ctx: click.Context, params: dict[str, Any]) -> Any:
    """Options (and a preset) -> the trace. Errors become one-line usage errors."""
    from .compute.values import build

    options = _options(ctx, params)
    try:
        return build(
            options.spec_fields(), options.spec_explicit(), options.values, options.kernel_values, options.seed
        )
    except SpecError as err:
        _fail(err.worded(flag))


class ConvanimGroup(click.Group):
    """Reports every error as one line on stderr (no usage dump, no traceback)."""

    def main(
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as err:
            click.echo(err.ctx.get_help() if err.ctx else err.format_message())
            sys.exit(0)
        except click.ClickException as err:
            click.echo(f"Error: {err.format_message()}", err=True)
            sys.exit(err.exit_code)
        except WordedError as err:
            click.echo(f"Error: {err.worded(flag)}", err=True)
            sys.exit(2 if isinstance(err, SpecError) else 1)
        except (click.Abort, KeyboardInterrupt):
            click.echo("Aborted.", err=True)
            sys.exit(130)
        except BrokenPipeError:
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


@click.group(cls=ConvanimGroup, context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name="convanim")
def cli() -> None:
    """Correct, legible animated diagrams of convolutions.

    Every number and highlight comes from one recorded trace of the computation
    (PyTorch semantics: conv2d is cross-correlation).

    \b
    Examples:
      convanim render --stride 2 --pad 1 -o conv.gif
      convanim render --transpose -i 2 -s 2 -p 1 --output-padding 1 -o up.gif
      convanim trace -s 2 -p 1 -o trace.json
      convanim assets --check
    """


@cli.command("trace", context_settings=CONTEXT)
@spec_options
@click.option(
    "--grad",
    is_flag=True,
    help="Add the backward pass: grad_output, grad_input, grad_weight, grad_bias and their steps.",
)
@click.option(
    "--grad-values",
    default="ones",
    show_default=True,
    metavar="KIND|FILE",
    help="The output gradient: ones, random (1 to 3, from --seed), arange, or a file (FxHoxWo). Implies --grad.",
)
@click.option(
    "--matrix",
    "with_matrix",
    is_flag=True,
    help="Add the convolution as a matrix: C (rows: outputs, columns: padded input), or when transposed the "
    "input-to-canvas matrix, which is C transposed.",
)
@click.option(
    "--direct",
    is_flag=True,
    help="With --transpose: add the equivalent direct convolution (zeros inserted, padding d*(k-1)-p, "
    "kernel rotated 180°, stride 1), its trace and what each cell of its input is.",
)
@click.option(
    "--overlap",
    is_flag=True,
    help="With --transpose: add how many stamps reach each output cell (the checkerboard).",
)
@click.option(
    "-o", "--output", default="-", show_default=True, metavar="FILE", help="Where to write the JSON ('-' for stdout)."
)
@click.pass_context
def trace_command(
    ctx: click.Context,
    /,
    grad: bool,
    grad_values: str,
    with_matrix: bool,
    direct: bool,
    overlap: bool,
    output: str,
    **params: Any,
) -> None:
    """Write the trace of a convolution (or pooling) as JSON: spec, input, weight, bias, output and every step."""
    from .compute.export import backward_to_dict, matrix_to_dict, to_json, trace_to_dict
    from .write.files import check_output, write_output

    check_output(output)
    recorded = _build_trace(ctx, params)
    with_grad = grad or ctx.get_parameter_source("grad_values") == ParameterSource.COMMANDLINE
    op = recorded.spec.op
    for wanted, word in (
        (with_grad, "--grad"),
        (with_matrix, "--matrix"),
        (direct, "--direct"),
        (overlap, "--overlap"),
    ):
        if wanted and op != "conv":
            _fail(f"--op {op} has no {word[2:]}: drop {word}")
        if wanted and word in ("--direct", "--overlap") and not recorded.spec.transposed:
            _fail(f"{word} shows a transposed convolution: add --transpose")
    data = trace_to_dict(recorded)
    if direct:
        from .compute.direct import direct_view
        from .compute.export import direct_to_dict

        data["direct"] = direct_to_dict(direct_view(recorded))
    if overlap:
        from .compute.direct import overlap_counts
        from .compute.export import overlap_to_dict

        data["overlap"] = overlap_to_dict(overlap_counts(recorded.spec))
    if with_grad:
        from .compute.backward import backward
        from .compute.values import grad_values as make_grad

        if recorded.symbols is not None:
            _fail("--grad computes numbers: drop --values symbolic")
        result = backward(recorded, make_grad(grad_values, recorded.output.shape, params["seed"]))
        data.update(backward_to_dict(result))
    if with_matrix:
        from .compute.matrix import conv_matrix

        data["matrix"] = matrix_to_dict(conv_matrix(recorded))
    text = to_json(data).encode()
    write_output(output, lambda stream: stream.write(text), option="--output")


class FramesType(click.ParamType):  # type: ignore[type-arg]
    """``START:STOP`` over the steps (either may be empty), or a single ``START``."""

    name = "START:STOP"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> tuple[int, int | None]:
        if isinstance(value, tuple):
            return value
        text = str(value).strip()
        start_text, _, stop_text = text.partition(":")
        try:
            start = int(start_text) if start_text.strip() else 0
            stop = int(stop_text) if stop_text.strip() else None
        except ValueError:
            self.fail(f"{value!r} is not START:STOP: write for example 0:64 or 10:", param, ctx)
        if start < 0 or (stop is not None and stop <= start):
            self.fail(f"{value!r} selects no steps: use 0 <= START < STOP", param, ctx)
        return (start, stop)


def _progress(frames: int) -> Any:
    """A progress bar on stderr for long renders on a terminal; a no-op otherwise."""
    import contextlib

    if frames < 200 or not sys.stderr.isatty():
        return contextlib.nullcontext(None)
    return click.progressbar(length=frames, label="rendering", file=sys.stderr)


@cli.command("render", context_settings=CONTEXT)
@spec_options
@click.option(
    "--steps",
    type=click.Choice(["placement", "term"]),
    default="placement",
    show_default=True,
    help="One frame per filter placement, or per multiply-add (the partial sum grows).",
)
@click.option(
    "--frames",
    "frames",
    type=FramesType(),
    default=None,
    help="Render only steps START:STOP (same picture size), e.g. 0:64.",
)
@click.option(
    "--frame",
    "frame",
    type=int,
    default=None,
    help="A still of this frame (negative counts from the end); a .png without it shows the last.",
)
@click.option(
    "--frame-ms",
    type=int,
    default=None,
    help="Milliseconds per frame, a multiple of 10 (default 800; 400 with --steps term).",
)
@click.option("--hold-ms", type=int, default=2400, show_default=True, help="Milliseconds on the last frame.")
@click.option("--loop", type=int, default=0, show_default=True, help="Plays: 0 = forever, N = N times.")
@click.option("--theme", type=click.Choice(["light", "dark"]), default="light", show_default=True)
@click.option("--cell-px", type=int, default=None, help="Pixels per grid cell (default: automatic, 14 to 40).")
@click.option("--no-values", "no_values", is_flag=True, help="Geometry only: no numbers, no sum line.")
@click.option(
    "--color-values",
    "color_values",
    is_flag=True,
    help="Colour cells by value (a colour-blind-safe ramp, with a legend), as cells too small for their "
    "numbers are anyway: a picture through a kernel reads as pictures.",
)
@click.option(
    "--view",
    type=click.Choice(["grid", "matrix", "direct", "overlap", "volume", "separable"]),
    default="grid",
    show_default=True,
    help="grid: the grids; matrix: also the same computation as a matrix product (C, or Cᵀ when transposed); "
    "direct (with --transpose): the equivalent direct convolution over a zero-inserted input; "
    "overlap (with --transpose): how many stamps reach each output cell; "
    "volume: the tensors as 3-D blocks (channels as depth, each filter its own colour, per-channel sums); "
    "separable: the same layer as depthwise k×k then 1×1, in blocks, with both parameter counts.",
)
@click.option(
    "--grad",
    type=click.Choice(["input", "weight"]),
    default=None,
    help="Draw the backward pass: the input gradient (the kernel stamped back, padding cut away) or the "
    "weight gradient (grad_output cells times input windows).",
)
@click.option(
    "--grad-values",
    default="ones",
    show_default=True,
    metavar="KIND|FILE",
    help="With --grad: the output gradient (ones, random, arange or a file).",
)
@click.option(
    "--max-frames",
    type=click.IntRange(min=1),
    default=20_000,
    show_default=True,
    help="Refuse animations longer than this.",
)
@click.option(
    "--background",
    type=click.Choice(["theme", "transparent"]),
    default="theme",
    show_default=True,
    help="transparent: see-through background (GIF, PNG, WebP, HTML; not MP4) for slides of any colour.",
)
@click.option(
    "--fit",
    default=None,
    metavar="WxH",
    help="The largest cell size whose picture fits this box in px, e.g. 1920x1080 (instead of --cell-px).",
)
@click.option(
    "-o",
    "--output",
    default=None,
    metavar="FILE",
    help="Output by suffix: .gif, .webp (lossless) or .mp4 (H.264) animation, .html (a player in one file), "
    ".png (one frame), or a pattern such as 'frames/conv-%03d.png' (one PNG per frame); '-' writes a GIF to "
    "stdout. Default: a name in this folder that says what differs from the defaults, e.g. conv_s2_p1.gif.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Processes that compress frames (default: the cores available); the bytes do not change.",
)
@click.pass_context
def render_command(ctx: click.Context, /, output: str | None, **params: Any) -> None:
    """Draw a convolution as an animated GIF (or one frame as PNG).

    \b
    Examples:
      convanim render --stride 2 --pad 1            (writes conv_s2_p1.gif)
      convanim render --steps term -i 4 -o terms.gif
      convanim render --preset transpose_conv --theme dark -o up.gif
      convanim render -i 32 -k 5 -p 2 --frames 0:64 -o slice.gif
      convanim render --values symbolic -i 1x4 -k 1x3 -p 0x1 --view matrix -o matrix.gif
      convanim render --grad input -p 1 -o backward.gif
    """
    from .outputs import OUTPUTS, check_background
    from .pipeline import count_frames, from_options, output_kind, render_file
    from .write.files import FrameFiles, check_output, is_pattern

    options = _options(ctx, params)
    target = output if output is not None else options.default_filename()
    try:
        kind = output_kind(target)
        check_background(OUTPUTS[kind], target, options.background)
        if not is_pattern(target):  # a frame pattern's folder is made when its first frame is written
            check_output(target)
        animation = from_options(options)
        total = 1 if options.frame is not None or not OUTPUTS[kind].animated else count_frames(animation)
        with _progress(total) as bar:
            progress = bar.update if bar is not None else None
            render_file(animation, target, progress=progress, max_frames=options.max_frames, jobs=options.jobs)
    except SpecError as err:
        _fail(err.worded(flag))
    if is_pattern(target):
        files = FrameFiles(target)
        click.echo(f"wrote {files.name(0)} … {files.name(total - 1)} ({total} frames)", err=True)
        stale = files.leftovers(total)
        if stale:
            click.echo(f"note: {stale[0]} … {stale[-1]} are from an earlier render: delete them", err=True)
    elif target != "-":
        click.echo(f"wrote {target} ({total} frame{'s' if total != 1 else ''})", err=True)


@cli.command("assets", context_settings=CONTEXT)
@click.option(
    "--config",
    default=None,
    metavar="FILE",
    help="The manifest: a pyproject.toml with [tool.convanim], or a convanim.toml. "
    "Default: the nearest one in this folder or above it.",
)
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; print each stale or missing file with the reason and exit 1, or exit 0 when all are "
    "current. Files the lock (convanim.lock.json) vouches for are not rendered.",
)
@click.option(
    "--strict",
    is_flag=True,
    help="With --check: also render every asset and compare it with its file, whatever the lock says.",
)
@click.option(
    "--out-dir",
    default=None,
    metavar="DIR",
    help="Use DIR instead of the manifest's out-dir (a preview: no lock is written or read).",
)
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="Parallel renders (default: cores).")
def assets_command(config: str | None, check: bool, strict: bool, out_dir: str | None, jobs: int | None) -> None:
    """Render the assets your project's manifest declares; only files whose content changed are rewritten.

    Beside the manifest, convanim.lock.json records each file's spec hash and sha256 (commit it with
    the assets): --check trusts a file whose spec and bytes are the lock's, and renders the others.
    Exit status: 0 all current, 1 stale or missing files (or lock), 2 a bad manifest or option.

    \b
    The manifest, in pyproject.toml (a convanim.toml holds the same keys at its top level):
      [tool.convanim]
      out-dir = "docs/_static/conv"             # relative to this file
      theme = "dark"                            # any render option: a default for every asset
      [tool.convanim.assets]
      padding_strides = "--stride 2 --pad 1"    # options as typed after 'convanim render'
      upsample = { transpose = true, input-size = 2, stride = 2, pad = 1, output-padding = 1 }
      still = { preset = "padding_strides", frame = 4, output = "padding_strides.png" }
    """
    import os
    from pathlib import Path

    from . import assets
    from .lock import lock_path
    from .manifest import load

    if strict and not check:
        _fail("--strict goes with --check: add --check, or drop --strict")
    if out_dir is not None:
        for folder in (Path(out_dir), *Path(out_dir).parents):
            if folder.exists() and not folder.is_dir():
                what = "is a file" if folder == Path(out_dir) else f"is under a file ({folder})"
                _fail(f"--out-dir {out_dir} {what}: give a folder")
    try:
        manifest = load(config, out_dir=out_dir)
    except SpecError as err:
        _fail(str(err))
    affinity = getattr(os, "sched_getaffinity", None)
    workers = jobs or (len(affinity(0)) if affinity else os.cpu_count()) or 1
    use_lock = out_dir is None  # a folder of the user's choosing is a preview: the lock describes out-dir

    def shown(path: Path) -> str:
        relative = os.path.relpath(path)
        return str(path) if relative.startswith(os.pardir * 3) else relative

    count = len(manifest.assets)
    assets_word, verb = (f"{count} assets", "are") if count != 1 else ("1 asset", "is")
    where = shown(manifest.out_dir)
    try:
        if check:
            problems = assets.check(manifest, workers, strict=strict, use_lock=use_lock)
            for problem in problems:
                click.echo(f"{shown(problem.path)}: {problem.reason}", err=True)
            if problems:
                rerun = " ".join(
                    ["convanim assets"]
                    + ([f"--config {config}"] if config else [])
                    + ([f"--out-dir {out_dir}"] if out_dir else [])
                )
                stale = len([p for p in problems if not p.lock])
                parts = []
                if stale:
                    parts.append(f"{stale} of {assets_word} {'is' if stale == 1 else 'are'} stale or missing")
                if any(p.lock for p in problems):
                    lock = lock_path(manifest)
                    parts.append(f"the lock {shown(lock)} is {'out of date' if lock.exists() else 'missing'}")
                click.echo(f"{' and '.join(parts)}: run '{rerun}'", err=True)
                sys.exit(1)
            every = "all " if count > 1 else ""
            click.echo(f"{every}{assets_word} in {where} {verb} current ({manifest.label})", err=True)
            return

        def report(asset: Any, size: int | None) -> None:
            if size is not None:
                click.echo(f"wrote {shown(asset.path)} ({size:,} bytes)", err=True)

        written = assets.write(manifest, workers, report, use_lock=use_lock)
    except SpecError as err:
        _fail(str(err))
    if written.lock is not None:
        click.echo(f"wrote {shown(written.lock)}", err=True)
    changed = len(written.assets)
    click.echo(f"{assets_word} in {where}: {changed} written, {count - changed} current", err=True)
    for extra in assets.extra_files(manifest):
        note = f"note: {shown(extra)} is made by no asset in {manifest.label}: delete it if it is left over"
        click.echo(note, err=True)


@cli.command("describe", context_settings=CONTEXT)
@click.pass_context
def describe_command(ctx: click.Context, /, **params: Any) -> None:
    """Print what the animation these options draw shows, for alt text.

    The operation, the sizes, padding and stride, the output size and the formula that gives it, and
    the number of steps, from the same trace a render draws. Takes the options of 'convanim render'
    (without -o).

    \b
    Examples:
      convanim describe --stride 2 --pad 1
      convanim describe --preset transpose_conv
    """
    from .describe import describe

    options = _options(ctx, params)
    try:
        text = describe(options)
    except SpecError as err:
        _fail(err.worded(flag))
    click.echo(text)


# The same options as render (kept in step with it), less the output file.
describe_command.params = [param for param in render_command.params if param.name != "output"]


@cli.command("presets", context_settings=CONTEXT)
def presets_command() -> None:
    """List the named presets with their parameters and the command that draws each."""
    from .plan.presets import PRESETS

    width = max(len(name) for name in PRESETS)
    for preset in PRESETS.values():
        spec = preset.conv_spec()
        click.echo(f"{preset.name:<{width}}  {spec.describe()}")
        click.echo(f"{'':<{width}}  {preset.title}; writes {preset.filename}")


class Terminated(BaseException):
    """SIGTERM, raised where the program is so that cleanup (temporary files) runs."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise Terminated


def main() -> None:
    """Console-script entry point: SIGTERM and Ctrl-C end promptly, removing temporary files.

    Once a command is done (its file complete and renamed into place, its temporary files gone,
    its worker processes joined), the process ends at once: tearing down the interpreter's
    modules (numpy's and Pillow's among them) would cost about 25 ms more, a sixth of a short
    render, and do nothing a user can see.
    """
    import signal

    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        cli(prog_name="convanim")
    except Terminated:
        click.echo("Terminated.", err=True)
        sys.exit(143)
    except SystemExit as done:
        _end_now(done.code)
    _end_now(0)


def _end_now(code: object) -> NoReturn:
    """End the process with ``code`` (as ``sys.exit`` takes it) without the interpreter's teardown.

    Output is flushed first; a message as the code goes to stderr with status 1, as ``sys.exit`` does.
    """
    import os

    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:
        print(code, file=sys.stderr)
        status = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: nothing more can be said on it
            status = status or 1
    os._exit(status)
