"""The numbers a trace is computed on: generated (seeded), read from a file, or a picture.

Generated kinds give small integers so every number in a picture is short and exact. Files may hold
floats. Values come from ``numpy.random.default_rng(seed)`` only, so the same seed gives the same
picture on every machine. The input may also be a picture (:mod:`convanim.compute.images`: a file,
or the built-in ``digit``) and the kernel a named one (:mod:`convanim.compute.kernels`: ``sobel-x``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import SpecError
from .images import IMAGE_SUFFIXES, SAMPLES, digit, is_image_path, load_image
from .kernels import NamedKernel, named_kernel
from .pcg import generator
from .spec import ConvSpec, pair_text

KINDS = ("random", "ones", "arange", "symbolic")
FILE_SUFFIXES = (".npy", ".json", ".csv")

Array = NDArray[Any]


@dataclass(frozen=True)
class Values:
    """Input, weight and bias arrays (bias ``None`` when the spec has none).

    ``kernel_name`` names the kernel when it is a named one (``sobel-x``); pooling's weight is empty.
    """

    input: Array
    weight: Array
    bias: Array | None
    kernel_name: str | None = None


def _count(shape: tuple[int, ...]) -> int:
    count = 1
    for side in shape:
        count *= side
    return count


def generate(
    kind: str,
    shape: tuple[int, ...],
    rng: Any,
    low: int,
    high: int,
) -> Array:
    """One array of ``kind``: random integers in ``[low, high]`` (``rng``: a numpy Generator, or
    :class:`~convanim.compute.pcg.PCG64Integers`), ones, or 0, 1, 2, ..."""
    if kind == "random":
        return np.asarray(rng.integers(low, high, size=shape, endpoint=True, dtype=np.int64), dtype=np.int64)
    if kind in ("ones", "symbolic"):  # symbolic: names are drawn; the numbers are placeholders
        return np.ones(shape, dtype=np.int64)
    if kind == "arange":
        return np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)
    raise SpecError(f"‹values› {kind!r} is unknown: use one of {', '.join(KINDS)} or a file")


def _parse_json_array(data: Any, where: str) -> Array:
    try:
        array = np.asarray(data)
    except (TypeError, ValueError) as err:
        raise SpecError(f"{where} is not a rectangular array of numbers: fix the file") from err
    if array.dtype.kind not in "iuf":
        raise SpecError(
            f"{where} is not a rectangular array of numbers (found {array.dtype.kind!r} data): fix the file"
        )
    return array.astype(np.float64) if array.dtype.kind == "f" else array.astype(np.int64)


def load_array(path: Path, option: str, key: str | None = None) -> Array:
    """Read one array from ``.npy``, ``.json`` or ``.csv``.

    A JSON file is either an array, or an object whose ``key`` entry is one (``"input"``,
    ``"weight"``, ``"bias"``). Integers stay integers; floats become float64.
    """
    import json  # here, not at the top: a render of generated values never reads a file

    suffix = path.suffix.lower()
    if not suffix and not path.exists():
        raise SpecError(f"{option} {path} is neither a kind ({', '.join(KINDS)}) nor a file: check the spelling")
    if suffix not in FILE_SUFFIXES:
        pictures = f", or a picture ({', '.join(IMAGE_SUFFIXES[:4])}, ...)" if option == "‹values›" else ""
        raise SpecError(
            f"{option} {path}: unknown file type {suffix or '(none)'}: use a .npy, .json or .csv file{pictures}"
        )
    try:
        if suffix == ".npy":
            array = np.load(path, allow_pickle=False)
        elif suffix == ".csv":
            text = path.read_text(encoding="utf-8")
            rows = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
            if not rows:
                raise SpecError(f"{option} {path} holds no numbers: fix the file")
            try:
                cells = [[float(v) for v in row.split(",")] for row in rows]
            except ValueError as err:
                raise SpecError(f"{option} {path} holds a non-number ({err}): fix the file") from err
            if len({len(r) for r in cells}) != 1:
                raise SpecError(f"{option} {path}: rows have different lengths: fix the file")
            array = np.asarray(cells, dtype=np.float64)
        else:
            data = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(data, dict):
                if key is None or key not in data:
                    raise SpecError(f"{option} {path}: a JSON object needs an {key!r} entry: fix the file")
                data = data[key]
            array = _parse_json_array(data, f"{option} {path}")
    except SpecError:
        raise
    except EOFError as err:
        raise SpecError(f"{option} {path} is empty or cut short: fix the file") from err
    except RecursionError as err:
        raise SpecError(f"{option} {path} is nested too deeply to be an array: fix the file") from err
    except FileNotFoundError as err:
        raise SpecError(f"{option} {path} does not exist: check the path") from err
    except IsADirectoryError as err:
        raise SpecError(f"{option} {path} is a folder: give a .npy, .json or .csv file") from err
    except PermissionError as err:
        raise SpecError(f"{option} {path} cannot be read (permission denied): fix its permissions") from err
    except UnicodeDecodeError as err:
        raise SpecError(f"{option} {path} is not UTF-8 text: fix the file") from err
    except json.JSONDecodeError as err:
        raise SpecError(f"{option} {path} is not valid JSON (line {err.lineno}): fix the file") from err
    except ValueError as err:  # np.load on a corrupt or pickled file
        raise SpecError(f"{option} {path} is not a readable .npy array ({err}): fix the file") from err
    except OSError as err:
        raise SpecError(f"{option} {path} cannot be read ({err.strerror}): check the file") from err
    if array.dtype == object or not (
        np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating) or array.dtype == np.bool_
    ):
        raise SpecError(f"{option} {path} holds non-numeric values ({array.dtype}): fix the file")
    if array.size == 0:
        raise SpecError(f"{option} {path} holds no numbers: fix the file")
    if np.issubdtype(array.dtype, np.floating):
        if not np.isfinite(array).all():
            raise SpecError(f"{option} {path} holds NaN or infinite values: fix the file")
        if np.array_equal(array, np.round(array)) and np.abs(array).max() < 2**53:
            array = array.astype(np.int64)
    return np.asarray(array.astype(np.int64) if array.dtype == np.bool_ else array)


def input_shape_of(array: Array, option: str) -> tuple[int, int, int]:
    """Read an input array as ``(C, H, W)``: a 1-D array is a strip, 2-D one channel."""
    if array.ndim == 1:
        return (1, 1, array.shape[0])
    if array.ndim == 2:
        return (1, *array.shape)
    if array.ndim == 3:
        return (int(array.shape[0]), int(array.shape[1]), int(array.shape[2]))
    raise SpecError(f"{option}: the input must be W, HxW or CxHxW, got {array.ndim} dimensions")


def weight_shape_of(array: Array, option: str) -> tuple[int, int, int, int]:
    """Read a kernel array as 4-D PyTorch layout: 1-D is ``1x1x1xk``, 2-D ``1x1xkhxkw``."""
    if array.ndim == 1:
        return (1, 1, 1, array.shape[0])
    if array.ndim == 2:
        return (1, 1, *array.shape)
    if array.ndim == 4:
        return (int(array.shape[0]), int(array.shape[1]), int(array.shape[2]), int(array.shape[3]))
    raise SpecError(f"{option}: the kernel must be k, khxkw or 4-D in PyTorch layout, got {array.ndim} dimensions")


def _is_file(source: str) -> bool:
    return source not in KINDS


def _adopt(fields: dict[str, Any], explicit: set[str], name: str, value: Any, option: str, source: str) -> None:
    """Take a size from a values file unless the user set it; then it must agree."""
    if name in explicit and fields[name] != value:

        def show(v: Any) -> str:
            return "x".join(map(str, v)) if isinstance(v, tuple) else str(v)

        raise SpecError(
            f"{source} gives {option} {show(value)} but {option} {show(fields[name])} was asked for: "
            f"drop {option} or fix the file"
        )
    fields[name] = value


def _unknown_word(source: str, option: str, words: tuple[str, ...]) -> None:
    """Refuse a word that is no kind and no file, suggesting the closest word."""
    import difflib  # only for the refusal

    close = difflib.get_close_matches(source.lower(), words, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]}?" if close else "check the spelling"
    raise SpecError(f"{option} {source!r} is neither a kind ({', '.join(words)}) nor a file: {hint}")


def resolve(
    fields: dict[str, Any],
    explicit: set[str] | frozenset[str] = frozenset(),
    values: str = "random",
    kernel_values: str | None = None,
    seed: int = 0,
) -> tuple[ConvSpec, Values]:
    """Build the spec and its values from options, reading sizes from values files.

    Parameters
    ----------
    fields : dict
        ``ConvSpec`` keyword arguments (defaults filled in).
    explicit : set of str
        The fields the user set; a values file may fill in the others (input size and channels
        from the input, kernel size and channels from a 4-D kernel) but must agree with these.
        Pooling (``op`` max or avg) fills in PyTorch's defaults for the others: the stride is the
        kernel size and the output channels are the input channels.
    values : str
        ``random``, ``ones``, ``arange``, ``symbolic``, a file for the input (a JSON object may
        also hold ``weight`` and ``bias``), a picture file, or ``digit`` (``digit0`` ...
        ``digit9``). A picture is resized to ``input_size`` when that is given, and read as grey
        unless ``in_channels`` is 3.
    kernel_values : str, optional
        The same kinds, a file, or a kernel's name (``sobel-x``, see
        :data:`convanim.compute.kernels.KERNELS`; it sets the kernel size) for the kernel; by
        default the kind of ``values`` (random when ``values`` is a file or a picture).
    seed : int
        Seed of ``numpy.random.default_rng`` for random values.
    """
    fields = dict(fields)
    explicit = set(explicit)
    op = fields.get("op", "conv")
    pooling = op != "conv"
    symbolic_input, symbolic_kernel = values == "symbolic", kernel_values == "symbolic"
    if (symbolic_input and kernel_values not in (None, "symbolic")) or (symbolic_kernel and not symbolic_input):
        raise SpecError("symbolic values name both input and kernel: use ‹values› symbolic alone (no ‹kernel_values›)")
    if pooling and symbolic_input:
        raise SpecError(f"‹values› symbolic writes weighted sums, ‹op› {op} compares numbers: use numbers")
    if pooling and kernel_values is not None:
        raise SpecError(f"‹op› {op} has no kernel: drop ‹kernel_values›")
    input_array = weight_array = bias_array = None
    named: NamedKernel | None = None
    if values in SAMPLES or is_image_path(values):
        channels = fields["in_channels"] if "in_channels" in explicit else 1
        size = fields["input_size"] if "input_size" in explicit else None
        is_digit = values in SAMPLES
        input_array = digit(values, channels, size) if is_digit else load_image(Path(values), channels, size)
        c, h, w = input_array.shape
        fields["in_channels"], fields["input_size"] = c, (h, w)
    elif _is_file(values):
        path = Path(values)
        if not path.suffix and not path.exists():
            _unknown_word(values, "‹values›", (*KINDS, "digit"))
        input_array = load_array(path, "‹values›", key="input")
        c, h, w = input_shape_of(input_array, "‹values›")
        input_array = input_array.reshape(c, h, w)
        _adopt(fields, explicit, "in_channels", c, "‹in_channels›", f"‹values› {path}")
        _adopt(fields, explicit, "input_size", (h, w), "‹input_size›", f"‹values› {path}")
        if path.suffix.lower() == ".json" and kernel_values is None and not pooling:
            import json

            data = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(data, dict):
                if "weight" in data:
                    weight_array = load_array(path, "‹values›", key="weight")
                if "bias" in data:
                    bias_array = load_array(path, "‹values›", key="bias").reshape(-1)
                    _adopt(fields, explicit, "bias", True, "‹bias›", f"‹values› {path}")
    kernel_source = kernel_values if kernel_values is not None else ("random" if _is_file(values) else values)
    if kernel_values is not None and _is_file(kernel_values) and not Path(kernel_values).suffix:
        named = named_kernel(kernel_values, others=KINDS)
        if "kernel_size" in explicit and fields["kernel_size"] != named.size:
            asked = pair_text(fields["kernel_size"])
            raise SpecError(
                f"‹kernel_values› {named.name} is {named.size[0]}x{named.size[1]} but ‹kernel_size› {asked} "
                f"was asked for: drop ‹kernel_size›"
            )
        fields["kernel_size"] = named.size
    elif _is_file(kernel_source):
        weight_array = load_array(Path(kernel_source), "‹kernel_values›", key="weight")
    if weight_array is not None:
        option = "‹kernel_values›" if kernel_values is not None else "‹values›"
        shape = weight_shape_of(weight_array, option)
        weight_array = weight_array.reshape(shape)
        source = f"{option} {kernel_source if kernel_values is not None else values}"
        _adopt(fields, explicit, "kernel_size", shape[2:], "‹kernel_size›", source)
        if weight_array.ndim == 4 and shape[:2] != (1, 1):
            groups = fields["groups"]
            first, second = shape[0], shape[1] * groups
            if fields["transposed"]:
                _adopt(fields, explicit, "in_channels", first, "‹in_channels›", source)
                _adopt(fields, explicit, "out_channels", second, "‹out_channels›", source)
            else:
                _adopt(fields, explicit, "out_channels", first, "‹out_channels›", source)
                _adopt(fields, explicit, "in_channels", second, "‹in_channels›", source)
    if pooling:  # PyTorch's defaults: the stride is the window, the channels stay
        if "stride" not in explicit:
            fields["stride"] = fields.get("kernel_size", (3, 3))
        if "out_channels" not in explicit:
            fields["out_channels"] = fields.get("in_channels", 1)

    spec = ConvSpec(**fields)
    from .tracer import check_size

    check_size(spec)
    # numpy.random.default_rng(seed)'s numbers (drawn without importing numpy.random while few).
    rng = generator(seed, _count(spec.input_shape) + _count(spec.weight_shape) + spec.out_channels)
    input_kind = values if not _is_file(values) else "random"
    if input_array is None:
        input_array = generate(input_kind, spec.input_shape, rng, 0, 3)
    if pooling:
        weight_array = np.zeros(spec.weight_shape, dtype=np.int64)
    elif named is not None:
        weight_array = named.weight(spec.weight_shape)
    elif weight_array is None:
        weight_array = generate(
            kernel_source if not _is_file(kernel_source) else "random", spec.weight_shape, rng, 1, 3
        )
    if spec.bias and bias_array is None:
        bias_array = generate(input_kind, (spec.out_channels,), rng, 1, 3)
    if not spec.bias:
        bias_array = None
    kernel_name = None if named is None else named.name
    return spec, Values(input=input_array, weight=weight_array, bias=bias_array, kernel_name=kernel_name)


def build(
    fields: dict[str, Any],
    explicit: set[str] | frozenset[str] = frozenset(),
    values: str = "random",
    kernel_values: str | None = None,
    seed: int = 0,
) -> Any:
    """Options -> the trace: :func:`resolve`, then :func:`convanim.tracer.trace`, named when symbolic.

    Pooling gives a pooling trace; a named kernel's name is kept on the trace (``kernel_name``).
    """
    from dataclasses import replace

    from .tracer import trace

    spec, arrays = resolve(fields, explicit, values, kernel_values, seed)
    recorded = trace(spec, arrays.input, arrays.weight, arrays.bias)
    if values == "symbolic":
        from .symbolic import Symbols

        recorded = replace(recorded, symbols=Symbols.for_spec(spec))
    if arrays.kernel_name is not None:
        recorded = replace(recorded, kernel_name=arrays.kernel_name)
    return recorded


def grad_values(source: str, shape: tuple[int, int, int], seed: int = 0) -> Array:
    """The output gradient: ``ones`` (the default), ``random`` (integers 1 to 3), ``arange`` or a file.

    A file holds ``F x Ho x Wo`` (or ``Ho x Wo`` / ``Wo`` for one channel); a JSON object may keep it
    under ``"grad_output"``.
    """
    if source in ("random", "ones", "arange"):
        rng = np.random.default_rng([seed, 1])  # its own stream: the input and weight stay as they were
        return generate(source, shape, rng, 1, 3)
    if source == "symbolic":
        raise SpecError("‹grad_values› symbolic is not supported: use ones, random, arange or a file")
    array = load_array(Path(source), "‹grad_values›", key="grad_output")
    if array.size != int(np.prod(shape)) or (array.ndim == 3 and array.shape != shape):
        got = "x".join(map(str, array.shape))
        want = "x".join(map(str, shape))
        raise SpecError(f"‹grad_values› {source} holds {got} but the output is {want}: fix the file")
    return array.reshape(shape)
