"""How a number is written in a cell or a sum line."""

from __future__ import annotations

from functools import lru_cache
from typing import Any


def format_number(value: Any) -> str:
    """A cell's number: integers as they are, floats to 2 decimals at most, a true minus sign."""
    return _format(float(value))


@lru_cache(maxsize=4096)
def _format(number: float) -> str:
    if number.is_integer() and abs(number) < 1e15:
        text = str(int(number))
    else:
        text = f"{number:.2f}".rstrip("0").rstrip(".")
        if text in ("-0", ""):
            text = "0"
    return text.replace("-", "−")
