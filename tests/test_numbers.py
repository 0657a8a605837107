"""Numbers as people read them: rounding, tiny values, negative factors, and an honest '≈'."""

from __future__ import annotations

import pytest

from convanim.draw.labels import Labels
from convanim.draw.numbers import factor, format_number
from convanim.pipeline import from_options
from convanim.plan.options import RenderOptions


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (3, "3"),
        (-4.0, "−4"),
        (-1.125, "−1.13"),  # half away from zero
        (1.125, "1.13"),
        (2.675, "2.68"),  # the decimal people read, not the binary 2.67499…
        (0.1 + 0.2, "0.3"),
        (1234.5678, "1234.57"),
        (0.004, "4e−3"),  # tiny but not zero: never "0"
        (-0.0012, "−1e−3"),
        (-0.0, "0"),
        (0.0, "0"),
    ],
)
def test_format_number(value: float, text: str) -> None:
    assert format_number(value) == text


def test_negative_factors_are_parenthesised() -> None:
    assert factor(-1) == "(−1)" and factor(0.33) == "0.33"


def _sum_line(mapping: dict[str, object], step: int) -> str:
    animation = from_options(RenderOptions.from_mapping(mapping))
    line = Labels(animation.trace).forward_sum(step, None, 0, 0, 0, "output")
    return " ".join(line.parts) + line.tail


def test_a_sum_whose_rounded_terms_do_not_add_up_says_approximately() -> None:
    # box is 1/9: each term is written 1·0.11, which add to 0.99, but the total is 1.
    boxed = _sum_line({"input-size": 4, "kernel-values": "box", "values": "ones"}, 0)
    assert boxed.endswith("≈ 1"), boxed
    integers = _sum_line({"stride": 2, "pad": 1}, 4)
    assert " = " in integers and "≈" not in integers


def test_negative_weights_read_as_products() -> None:
    line = _sum_line({"input-size": 4, "kernel-values": "sobel-x", "values": "ones"}, 0)
    assert "1·(−1)" in line and "1·(−2)" in line
