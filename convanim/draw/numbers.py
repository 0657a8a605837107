"""How a number is written in a cell or a sum line.

Integers as they are; other numbers to 2 decimals at most, rounded half away from zero as people
round (−1.125 → −1.13, 2.675 → 2.68: the decimal a person reads, not the binary behind it); a true
minus sign; a tiny number that is not zero never shows as 0 (0.004 → 4e−3).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

TINY = 0.005  # below this (and not zero), 2 decimals would round to 0


def format_number(value: Any) -> str:
    """A cell's number: integers as they are, floats to 2 decimals at most, a true minus sign."""
    return _format(float(value))


@lru_cache(maxsize=8192)
def _format(number: float) -> str:
    if number.is_integer() and abs(number) < 1e15:
        text = str(int(number))
    elif number != number or number in (float("inf"), float("-inf")):
        text = "∞" if number > 0 else ("-∞" if number < 0 else "NaN")
    elif 0 < abs(number) < TINY:
        mantissa, _, exponent = f"{number:.0e}".partition("e")
        text = f"{mantissa}e{int(exponent)}"
    else:
        from decimal import ROUND_HALF_UP, Decimal  # only for fractions: a millisecond of start-up

        rounded = Decimal(repr(number)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        text = f"{rounded:f}".rstrip("0").rstrip(".")
        if text in ("-0", ""):
            text = "0"
    return text.replace("-", "−")


def factor(value: Any) -> str:
    """A number as a factor in a product: negatives in parentheses, ``0.33·(−1)``."""
    text = format_number(value)
    return f"({text})" if text.startswith("−") else text


def rounded(value: Any) -> float:
    """The value a reader sees once it is written (for checking that a written sum adds up)."""
    text = format_number(value).replace("−", "-")
    try:
        return float(text)
    except ValueError:
        return float(value)


def distinct(values: Any) -> NDArray[Any]:
    """The distinct values of ``values``, sorted (``np.unique`` without the import of ``numpy.ma``
    it makes: a sixtieth of a second of every render's start-up)."""
    array = np.sort(np.asarray(values).ravel())
    if array.size < 2:
        return array
    keep = np.empty(array.size, dtype=bool)
    keep[0] = True
    np.not_equal(array[1:], array[:-1], out=keep[1:])
    return array[keep]
