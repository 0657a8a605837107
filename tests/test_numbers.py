"""Numbers as people read them: rounding, tiny values, negative factors, and an honest '≈'."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from convanim.draw.labels import Labels
from convanim.draw.numbers import distinct, factor, format_number
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


@given(
    hnp.arrays(
        st.sampled_from([np.int64, np.float64]),
        hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=6),
        elements=st.integers(-50, 50),
    )
)
def test_distinct_is_numpy_unique(values: np.ndarray) -> None:
    found = distinct(values)
    assert found.dtype == values.dtype
    np.testing.assert_array_equal(found, np.unique(values))
