"""The kernels people teach, by name, in cross-correlation orientation (what ``conv2d`` applies).

numpy only. Each kernel is stored as integers and a divisor (``box`` is ``ones / 9``), so a caption
can write ``1/16 x [[1, 2, 1], ...]`` while the trace computes with the divided values.

Orientation: ``conv2d`` is cross-correlation, so a kernel here is applied as written. ``sobel-x``
is ``[[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]``: positive where the image brightens to the right (a
ramp rising to the right gives +8). The ``-y`` kernels are the transposes: positive where it
brightens downwards. Textbooks that print ``[[1, 0, -1], ...]`` mean true convolution, which flips
the kernel first. The blurs are normalised to sum 1 (``box`` /9, ``gaussian3`` /16, ``gaussian5``
/256); the derivative kernels are left as integers, OpenCV's convention (scikit-image divides Sobel
by 4, Scharr by 16 and Prewitt by 3).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import SpecError

Array = NDArray[Any]


@dataclass(frozen=True)
class NamedKernel:
    """A named kernel: ``integers / divisor`` in cross-correlation orientation.

    Attributes
    ----------
    name : str
        As typed on the command line (``sobel-x``).
    title : str
        For a caption (``Sobel x``).
    integers : tuple of tuples of int
        The kernel before division, rows top to bottom.
    divisor : int
        1, or what the integers are divided by (9, 16, 256).
    """

    name: str
    title: str
    integers: tuple[tuple[int, ...], ...]
    divisor: int = 1

    @property
    def size(self) -> tuple[int, int]:
        """``(kh, kw)``."""
        return (len(self.integers), len(self.integers[0]))

    @property
    def values(self) -> Array:
        """The kernel, ``(kh, kw)``: int64 when the divisor is 1, float64 otherwise."""
        array = np.array(self.integers, dtype=np.int64)
        return array if self.divisor == 1 else array / self.divisor

    def weight(self, shape: tuple[int, int, int, int]) -> Array:
        """The kernel in every (filter, channel) slot of a weight of ``shape`` (PyTorch layout)."""
        if tuple(shape[2:]) != self.size:
            raise SpecError(f"‹kernel_values› {self.name} is {_size_text(self.size)}, not {_size_text(shape[2:])}")
        return np.broadcast_to(self.values, shape).copy()


def _size_text(size: tuple[int, ...]) -> str:
    return "x".join(map(str, size))


def _outer(a: list[int], b: list[int]) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(p * q for q in b) for p in a)


def _transpose(rows: tuple[tuple[int, ...], ...]) -> tuple[tuple[int, ...], ...]:
    return tuple(zip(*rows, strict=True))


_SOBEL_X = _outer([1, 2, 1], [-1, 0, 1])
_SCHARR_X = _outer([3, 10, 3], [-1, 0, 1])
_PREWITT_X = _outer([1, 1, 1], [-1, 0, 1])
_LAPLACIAN4 = ((0, 1, 0), (1, -4, 1), (0, 1, 0))
_LAPLACIAN8 = ((1, 1, 1), (1, -8, 1), (1, 1, 1))

KERNELS: dict[str, NamedKernel] = {
    k.name: k
    for k in (
        NamedKernel("identity", "identity", ((0, 0, 0), (0, 1, 0), (0, 0, 0))),
        NamedKernel("box", "box blur", ((1, 1, 1), (1, 1, 1), (1, 1, 1)), 9),
        NamedKernel("gaussian3", "Gaussian 3x3", _outer([1, 2, 1], [1, 2, 1]), 16),
        NamedKernel("gaussian5", "Gaussian 5x5", _outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1]), 256),
        NamedKernel("sharpen", "sharpen", ((0, -1, 0), (-1, 5, -1), (0, -1, 0))),
        NamedKernel("laplacian4", "Laplacian (4 neighbours)", _LAPLACIAN4),
        NamedKernel("laplacian8", "Laplacian (8 neighbours)", _LAPLACIAN8),
        NamedKernel("outline", "outline", tuple(tuple(-v for v in row) for row in _LAPLACIAN8)),
        NamedKernel("emboss", "emboss", ((-2, -1, 0), (-1, 1, 1), (0, 1, 2))),
        NamedKernel("sobel-x", "Sobel x", _SOBEL_X),
        NamedKernel("sobel-y", "Sobel y", _transpose(_SOBEL_X)),
        NamedKernel("scharr-x", "Scharr x", _SCHARR_X),
        NamedKernel("scharr-y", "Scharr y", _transpose(_SCHARR_X)),
        NamedKernel("prewitt-x", "Prewitt x", _PREWITT_X),
        NamedKernel("prewitt-y", "Prewitt y", _transpose(_PREWITT_X)),
    )
}


def _key(text: str) -> str:
    return text.strip().lower().replace("_", "-")


def is_named(text: str) -> bool:
    """Whether ``text`` names a kernel (any case, ``_`` or ``-``: ``Sobel_X`` is ``sobel-x``)."""
    return _key(text) in KERNELS


def named_kernel(text: str, option: str = "‹kernel_values›", others: tuple[str, ...] = ()) -> NamedKernel:
    """The kernel ``text`` names, or a refusal with a did-you-mean.

    Parameters
    ----------
    text : str
        A kernel name.
    option : str
        The field named in the refusal.
    others : tuple of str
        Other words the option accepts (kinds such as ``random``), offered in the refusal too.

    Raises
    ------
    SpecError
        When ``text`` names no kernel.
    """
    key = _key(text)
    if key in KERNELS:
        return KERNELS[key]
    words = [*others, *KERNELS]
    close = difflib.get_close_matches(key, words, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]}?" if close else f"use one of {', '.join(words)} or a .npy/.json/.csv file"
    raise SpecError(f"{option} {text!r} is not a kind, a named kernel or a file: {hint}")
