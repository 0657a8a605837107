"""The one interpreter of render options: a mapping in, a validated :class:`RenderOptions` out.

The CLI, ``--preset``, the asset manifest, the Sphinx directive and ``convanim.animate(...)`` all
build their options here, so they accept and refuse the same things with the same words. Keys may
be field names (``padding``), the CLI's long option names (``pad``, ``input-size``) in kebab or
snake case; values may be typed (``(2, 3)``, ``True``) or text as typed (``"2x3"``, ``"true"``).
Errors name the field (``‹padding›``); whoever reports them words it (``--pad``, ``pad``).

Pure: no numpy, no Pillow, so a manifest is checked without loading either.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from ..errors import SpecError

Pair = tuple[int, int]

PAIR_FIELDS = ("input_size", "kernel_size", "stride", "padding", "dilation", "output_padding")
INT_FIELDS = ("in_channels", "out_channels", "groups", "seed", "hold_ms", "loop", "max_frames")
OPTIONAL_INT_FIELDS = ("frame", "frame_ms", "cell_px", "jobs")
BOOL_FIELDS = ("transposed", "bias", "no_values", "ceil_mode", "count_include_pad", "color_values")
CHOICES: dict[str, tuple[str, ...]] = {
    "steps": ("placement", "term"),
    "theme": ("light", "dark"),
    "view": ("grid", "matrix", "direct", "overlap", "volume", "separable"),
    "background": ("theme", "transparent"),
    "op": ("conv", "max", "avg"),
}
SPEC_FIELDS = (
    *PAIR_FIELDS[:5],
    "transposed",
    "output_padding",
    "in_channels",
    "out_channels",
    "groups",
    "bias",
    "op",
    "ceil_mode",
    "count_include_pad",
)
VALUE_FIELDS = ("values", "kernel_values", "seed")

MIN_NUMBER_CELL = 14  # px; smaller cells cannot hold a legible number (corner notes need 20)

# Other spellings of fields: the CLI's option names where they differ from the field.
ALIASES = {"pad": "padding", "transpose": "transposed", "still": "frame"}


@dataclass(frozen=True)
class RenderOptions:
    """Everything a render is asked for; the defaults are the CLI's.

    ``explicit`` holds the fields the user set (a preset fills only the others); ``preset`` is the
    preset the rest started from.
    """

    input_size: Pair = (5, 5)
    kernel_size: Pair = (3, 3)
    stride: Pair = (1, 1)
    padding: Pair = (0, 0)
    dilation: Pair = (1, 1)
    transposed: bool = False
    output_padding: Pair = (0, 0)
    in_channels: int = 1
    out_channels: int = 1
    groups: int = 1
    bias: bool = False
    op: str = "conv"
    ceil_mode: bool = False
    count_include_pad: bool = True
    values: str = "random"
    kernel_values: str | None = None
    seed: int = 0
    preset: str | None = None
    steps: str = "placement"
    frames: tuple[int, int | None] = (0, None)
    frame: int | None = None
    frame_ms: int | None = None
    hold_ms: int = 2400
    loop: int = 0
    theme: str = "light"
    cell_px: int | None = None
    no_values: bool = False
    color_values: bool = False
    view: str = "grid"
    grad: str | None = None
    grad_values: str = "ones"
    max_frames: int = 20_000
    background: str = "theme"
    fit: Pair | None = None
    jobs: int | None = None
    explicit: frozenset[str] = field(default=frozenset(), compare=False)
    # Data-file options as the user wrote them, where they are read from elsewhere (a manifest's
    # paths are relative to its folder): the command line a file records shows these, so its
    # bytes do not depend on where the project is checked out.
    shown: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any]) -> RenderOptions:
        """Validate ``mapping`` (keys: fields or CLI option names); a preset fills what is not given."""
        given: dict[str, Any] = {}
        for key, value in mapping.items():
            name = canonical(key)
            if name in given:
                raise SpecError(f"‹{name}› is given twice (as {key!r} too): keep one")
            given[name] = convert(name, value)
        preset_name = given.get("preset")
        base: dict[str, Any] = {}
        if preset_name is not None:
            from .presets import get as get_preset  # here: most renders name no preset

            try:
                preset = get_preset(preset_name)
            except KeyError as err:
                raise SpecError(f"‹preset› {err.args[0]}") from None
            base.update(preset.spec)
            base.update({"values": preset.values, "kernel_values": preset.kernel_values, "seed": preset.seed})
            base.update({canonical(k): convert(canonical(k), v) for k, v in preset.render.items()})
        merged = {**base, **given}
        merged.update(one_dimensional(merged, set(given)))
        options = cls(**merged, explicit=frozenset(given))
        options.validate()
        return options

    def with_changes(self, **changes: Any) -> RenderOptions:
        """A copy with ``changes`` (typed values), marked explicit, validated again."""
        changed = replace(self, **changes, explicit=self.explicit | set(changes))
        changed.validate()
        return changed

    def validate(self) -> None:
        """Refuse what no render accepts, before any work (the spec itself is checked by ConvSpec)."""
        check_timing(self.frame_ms if self.frame_ms is not None else 800, self.hold_ms, self.loop)
        if self.cell_px is not None and not 8 <= self.cell_px <= 200:
            raise SpecError(f"‹cell_px› {self.cell_px} is out of range: use 8 to 200")
        if self.cell_px is not None and self.cell_px < MIN_NUMBER_CELL and not (self.no_values or self.color_values):
            raise SpecError(
                f"‹cell_px› {self.cell_px} is too small for readable numbers: use {MIN_NUMBER_CELL} or more, "
                "or add ‹no_values› or ‹color_values›"
            )
        if self.max_frames < 1:
            raise SpecError(f"‹max_frames› {self.max_frames} is out of range: use 1 or more")
        if self.seed < 0:
            raise SpecError(f"‹seed› {self.seed} is out of range: use 0 or more")
        if self.jobs is not None and self.jobs < 1:
            raise SpecError(f"‹jobs› {self.jobs} is out of range: use 1 or more")
        if self.grad not in (None, "input", "weight"):
            raise SpecError(f"‹grad› {self.grad!r} is unknown: use input or weight")
        if self.op != "conv" and self.view != "grid":
            raise SpecError(f"‹view› {self.view} does not apply to ‹op› {self.op}: drop ‹view›")
        if self.op != "conv" and self.grad is not None:
            raise SpecError(f"‹op› {self.op} has no gradient view: drop ‹grad›")
        if self.view in ("direct", "overlap") and not self.transposed:
            raise SpecError(f"‹view› {self.view} shows a transposed convolution: add ‹transposed›")
        if self.view in ("direct", "overlap") and self.grad is not None:
            raise SpecError(f"‹view› {self.view} has no ‹grad›: drop one of them")
        if self.color_values and self.no_values:
            raise SpecError("‹color_values› colours cells by their numbers: drop ‹no_values› or ‹color_values›")
        if self.color_values and self.values == "symbolic":
            raise SpecError("‹color_values› colours cells by their numbers: drop ‹values› symbolic")
        if self.color_values and self.view in ("matrix", "overlap"):
            raise SpecError(
                f"‹color_values› colours the grids' numbers; ‹view› {self.view} has its own colours: drop one of them"
            )
        if self.view in ("volume", "separable"):
            check_volume(self)
        if self.grad is None and "grad_values" in self.explicit:
            raise SpecError("‹grad_values› goes with ‹grad› input or weight: add ‹grad› or drop ‹grad_values›")
        start, stop = self.frames
        if start < 0 or (stop is not None and stop <= start):
            raise SpecError(f"‹frames› {start}:{'' if stop is None else stop} selects no steps: use 0 <= START < STOP")
        if self.fit is not None:
            width, height = self.fit
            if not (1 <= width <= 16_384 and 1 <= height <= 16_384):
                raise SpecError(
                    f"‹fit› {width}x{height} is out of range: give a width and height in px from 1 to 16384, "
                    "e.g. 1920x1080"
                )
            if self.cell_px is not None:
                raise SpecError("‹fit› chooses the cell size: drop ‹cell_px› or ‹fit›")

    def spec_fields(self) -> dict[str, Any]:
        """The :class:`~convanim.ConvSpec` keyword arguments."""
        return {name: getattr(self, name) for name in SPEC_FIELDS}

    def spec_explicit(self) -> set[str]:
        """Spec fields the user or the preset set (a values file may fill the others)."""
        chosen = set(self.explicit)
        if self.preset is not None:
            from .presets import get as get_preset

            chosen |= set(get_preset(self.preset).spec)
        return chosen & set(SPEC_FIELDS)

    def as_mapping(self) -> dict[str, Any]:
        """The fields that differ from the defaults (what reproduces these options)."""
        default = RenderOptions()
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name not in UNSET and getattr(self, f.name) != getattr(default, f.name)
        }

    def command(self) -> str:
        """The ``convanim render`` command line (without ``-o``) that asks for these options."""
        return command_line(self)

    def default_filename(self, suffix: str | None = None) -> str:
        """A file name that says what differs from the defaults: ``conv_s2_p1.gif``."""
        return default_filename(self, suffix)


FLAGS = {"padding": "--pad", "transposed": "--transpose"}  # where the CLI's flag is not the field's name


def command_line(options: RenderOptions) -> str:
    """``convanim render -s 2 -p 1``: the preset, then each setting that differs from it or the defaults."""
    import shlex

    chosen = {**options.as_mapping(), **dict(options.shown)}
    if options.preset is not None:
        chosen = {k: v for k, v in chosen.items() if k in options.explicit or k == "preset"}
    words = ["convanim", "render"]
    for name in [n for n in field_names() if n in chosen and n != "jobs"]:  # jobs: not a render flag
        value = chosen[name]
        flag = FLAGS.get(name, "--" + name.replace("_", "-"))
        if name == "bias":
            words.append("--bias" if value else "--no-bias")
        elif name == "count_include_pad":
            words.append("--count-include-pad" if value else "--no-count-include-pad")
        elif isinstance(value, bool):
            if value:
                words.append(flag)
        elif name == "fit":
            words += [flag, f"{value[0]}x{value[1]}"]
        elif name in PAIR_FIELDS:
            words += [flag, _pair_word(value)]
        elif name == "frames":
            words += [flag, f"{value[0]}:{'' if value[1] is None else value[1]}"]
        elif value is not None:
            words += [flag, shlex.quote(str(value))]
    return " ".join(words)


# What a single number means along the rows of a 1-D strip: kernel 3 is 1x3, pad 1 is 0x1.
ROW_OF_1D = {"kernel_size": 1, "stride": 1, "dilation": 1, "padding": 0, "output_padding": 0}


def one_dimensional(merged: Mapping[str, Any], given: set[str]) -> dict[str, Pair]:
    """With a height-1 input, ``-k 3 -s 2 -p 1`` mean the width, as a 1-D user expects.

    Only square values the user typed as one number change (``3`` -> ``1x3``); ``1x3`` or ``2x3``
    stay as typed.
    """
    size = merged.get("input_size")
    if size is None or size[0] != 1:
        return {}
    changed = {}
    for name, row in ROW_OF_1D.items():
        value = merged.get(name)
        if name in given and value is not None and value[0] == value[1] and value[0] != row:
            changed[name] = (row, value[1])
    return changed


def check_volume(options: RenderOptions) -> None:
    """What the volume views (``volume``, ``separable``) draw: a forward convolution, one position a frame."""
    view = options.view
    if options.transposed:
        raise SpecError(f"‹view› {view} draws a forward convolution: drop ‹transposed›")
    if options.grad is not None:
        raise SpecError(f"‹view› {view} has no ‹grad›: drop one of them")
    if options.steps == "term":
        raise SpecError(f"‹view› {view} draws one window position per frame: drop ‹steps› term")
    if options.values == "symbolic":
        raise SpecError(f"‹view› {view} draws numbers: drop ‹values› symbolic")
    if view == "separable" and options.groups != 1:
        raise SpecError(
            "‹view› separable splits one full convolution (groups 1) into a depthwise and a 1×1 stage: drop ‹groups›"
        )


def check_timing(frame_ms: int, hold_ms: int, loop: int) -> None:
    """Durations GIF can store (10-ms units; browsers play under 20 ms as 100 ms) and a loop count."""
    for name, value in (("frame_ms", frame_ms), ("hold_ms", hold_ms)):
        if value < 20 or value > 60_000 or value % 10:
            raise SpecError(f"‹{name}› {value} is out of range: use a multiple of 10 from 20 to 60000")
    if not 0 <= loop <= 65_535:
        raise SpecError(f"‹loop› {loop} is out of range: use 0 (forever) to 65535")


UNSET = ("explicit", "shown")  # fields no option or key sets: what the others say about them


def field_names() -> list[str]:
    return [f.name for f in fields(RenderOptions) if f.name not in UNSET]


def canonical(key: str) -> str:
    """The field a key names (``pad``, ``input-size``, ``input_size``), or a did-you-mean refusal."""
    name = str(key).strip().lstrip("-").replace("-", "_")
    name = ALIASES.get(name, name)
    known = field_names()
    if name in known:
        return name
    import difflib  # only for the refusal

    spellings = sorted({*known, *ALIASES, *(k.replace("_", "-") for k in known)})
    close = difflib.get_close_matches(str(key).replace("_", "-"), spellings, n=1)
    hint = f": did you mean {close[0]!r}?" if close else ": run 'convanim render --help' for the options"
    raise SpecError(f"unknown option {key!r}{hint}")


def convert(name: str, value: Any) -> Any:
    """``value`` as field ``name`` holds it; text is read as the CLI reads it."""
    if name in PAIR_FIELDS:
        return to_pair(name, value)
    if name == "fit":
        return None if value is None else to_size(name, value)
    if name in BOOL_FIELDS:
        return to_bool(name, value)
    if name in INT_FIELDS or name in OPTIONAL_INT_FIELDS:
        if value is None and name in OPTIONAL_INT_FIELDS:
            return None
        return to_int(name, value)
    if name == "frames":
        return to_frames(value)
    if name in CHOICES or name == "grad":
        text = None if value is None else str(value).strip().lower()
        allowed = CHOICES.get(name, ("input", "weight"))
        if name == "grad" and text in (None, "", "none"):
            return None
        if text not in allowed:
            raise SpecError(f"‹{name}› {value!r} is unknown: use {' or '.join(allowed)}")
        return text
    if value is None and name in ("kernel_values", "preset"):
        return None
    if not isinstance(value, str):
        raise SpecError(f"‹{name}› {value!r} is not text: write it as a string")
    return value


def to_int(name: str, value: Any) -> int:
    if isinstance(value, bool):
        raise SpecError(f"‹{name}› {_shown(value)} is not a whole number: write one such as 2")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    try:
        return int(str(value).strip())
    except ValueError:
        raise SpecError(f"‹{name}› {value!r} is not a whole number: write one such as 2") from None


def to_pair(name: str, value: Any) -> Pair:
    """``3``, ``"3"``, ``"3x5"``, ``"3,5"``, ``(3, 5)`` or ``[3, 5]`` -> ``(3, 5)``, height first."""
    if isinstance(value, (tuple, list)):
        if len(value) in (1, 2):
            numbers = [to_int(name, v) for v in value]
            return (numbers[0], numbers[-1])
    elif isinstance(value, int) and not isinstance(value, bool):
        return (value, value)
    else:
        text = str(value).strip().lower().replace("×", "x").replace(",", "x")
        parts = text.split("x")
        try:
            if len(parts) in (1, 2) and all(p.strip() for p in parts):
                numbers = [int(p) for p in parts]
                return (numbers[0], numbers[-1])
        except ValueError:
            pass
    raise SpecError(f"‹{name}› {value!r} is not N or NxM: write a whole number such as 3, or two such as 3x5")


def to_size(name: str, value: Any) -> Pair:
    """``"1920x1080"`` or ``(1920, 1080)``: width x height."""
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return (to_int(name, value[0]), to_int(name, value[1]))
    parts = str(value).strip().lower().replace("×", "x").split("x")
    try:
        if len(parts) == 2:
            return (int(parts[0]), int(parts[1]))
    except ValueError:
        pass
    raise SpecError(f"‹{name}› {value!r} is not WxH: write a width and height in px such as 1920x1080")


def to_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("", "true", "yes", "on", "1"):  # "" is a bare flag, as in a directive's `:transpose:`
        return True
    if text in ("false", "no", "off", "0"):
        return False
    raise SpecError(f"‹{name}› {value!r} is not true or false: write true or false")


def to_frames(value: Any) -> tuple[int, int | None]:
    """``START:STOP`` over the steps (either may be empty), ``(start, stop)``, or a single start."""
    if isinstance(value, (tuple, list)) and len(value) == 2:
        start, stop = value
        return (to_int("frames", start), None if stop is None else to_int("frames", stop))
    text = str(value).strip()
    start_text, _, stop_text = text.partition(":")
    try:
        start = int(start_text) if start_text.strip() else 0
        stop = int(stop_text) if stop_text.strip() else None
    except ValueError:
        raise SpecError(f"‹frames› {value!r} is not START:STOP: write for example 0:64 or 10:") from None
    return (start, stop)


def _shown(value: Any) -> str:
    """A value as a user wrote it: true/false, not Python's True/False."""
    return ("true" if value else "false") if isinstance(value, bool) else repr(value)


def _pair_word(pair: Pair) -> str:
    return str(pair[0]) if pair[0] == pair[1] else f"{pair[0]}x{pair[1]}"


def default_filename(options: RenderOptions, suffix: str | None = None) -> str:
    """``conv_s2_p1.gif``: the operation, then each setting that differs from the defaults."""
    chosen = options.as_mapping()
    if suffix is None:
        suffix = ".png" if options.frame is not None else ".gif"
    words: list[str] = []
    if options.preset is not None:
        words.append(options.preset)
        chosen = {k: v for k, v in chosen.items() if k in options.explicit and k != "preset"}
    else:
        words.append("tconv" if options.transposed else ("conv" if options.op == "conv" else f"{options.op}pool"))
    if options.grad:
        words.append(f"grad_{options.grad}")
    short = {
        "input_size": "i",
        "kernel_size": "k",
        "stride": "s",
        "padding": "p",
        "dilation": "d",
        "output_padding": "op",
    }
    for name, prefix in short.items():
        if name in chosen:
            words.append(f"{prefix}{_pair_word(chosen[name])}")
    for name, prefix in (("in_channels", "c"), ("out_channels", "f"), ("groups", "g")):
        if name in chosen:
            words.append(f"{prefix}{chosen[name]}")
    if chosen.get("bias"):
        words.append("bias")
    if chosen.get("ceil_mode"):
        words.append("ceil")
    if chosen.get("count_include_pad") is False:
        words.append("nopadcount")
    if "values" in chosen and options.values in ("ones", "arange", "symbolic"):
        words.append(options.values)
    if "seed" in chosen:
        words.append(f"seed{options.seed}")
    if chosen.get("steps") == "term":
        words.append("terms")
    if chosen.get("view") in ("matrix", "direct", "overlap", "volume", "separable"):
        words.append(str(chosen["view"]))
    if "theme" in chosen:
        words.append(options.theme)
    if options.frame is not None:
        words.append(f"frame{options.frame}")
    return "_".join(w.replace("-", "m") for w in words) + suffix
