"""Golden frames: representative pictures compared pixel for pixel with stored PNGs.

A failure means the picture changed. If the change is meant, regenerate with
``python scripts/golden.py``, look at the new PNGs in tests/golden/, and commit them: every visual
change is then seen in review.
"""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("golden_script", ROOT / "scripts" / "golden.py")
assert spec is not None and spec.loader is not None
golden = importlib.util.module_from_spec(spec)
spec.loader.exec_module(golden)


def _pixels(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("RGB"))


@pytest.mark.parametrize("name", sorted(golden.GOLDEN))
def test_golden_frame(name: str) -> None:
    path = golden.GOLDEN_DIR / f"{name}.png"
    assert path.exists(), f"no golden frame {name}: run python scripts/golden.py"
    want = _pixels(path.read_bytes())
    got = _pixels(golden.render(name))
    assert got.shape == want.shape, (
        f"{name}: size {got.shape[1]}x{got.shape[0]}, golden {want.shape[1]}x{want.shape[0]}"
    )
    differ = int((got != want).any(axis=2).sum())
    assert differ == 0, f"{name}: {differ} pixels differ from tests/golden/{name}.png (python scripts/golden.py)"


def test_every_golden_file_has_an_entry() -> None:
    assert {p.stem for p in golden.GOLDEN_DIR.glob("*.png")} == set(golden.GOLDEN)
