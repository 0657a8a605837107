"""Regenerate the golden frames that tests/test_golden.py compares pixel for pixel.

    python scripts/golden.py

Each golden frame is one still of a representative picture (the table below), written as a PNG in
tests/golden/. A visual change then shows up in review as changed PNGs: look at them before you
commit them.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from convanim.pipeline import encode, from_options  # noqa: E402
from convanim.plan.options import RenderOptions  # noqa: E402

GOLDEN_DIR = ROOT / "tests" / "golden"

# name -> render options (as the manifest and the Python API take them); each a still.
GOLDEN: dict[str, dict[str, object]] = {
    "forward": {"input-size": 4, "frame": 1},
    "stride_padding": {"stride": 2, "pad": 1, "frame": 4},
    "scatter_crop": {"transpose": True, "input-size": 2, "stride": 2, "pad": 1, "output-padding": 1, "frame": -1},
    "scatter_overlap": {"transpose": True, "input-size": 3, "stride": 2, "pad": 1, "frame": 4},
    "channels": {"in-channels": 3, "out-channels": 2, "stride": 2, "pad": 1, "bias": True, "frame": 12},
    "groups": {"input-size": 6, "pad": 1, "in-channels": 4, "out-channels": 4, "groups": 2, "frame": 80},
    "symbolic": {"values": "symbolic", "input-size": "1x4", "kernel-size": "1x3", "pad": "0x1", "frame": 1},
    "floats": {"input-size": 4, "kernel-values": "gaussian3", "frame": 2},
    "term_steps": {"input-size": 4, "steps": "term", "frame": 13},
    "grad_input": {"grad": "input", "stride": 2, "pad": 1, "frame": 3},
    "grad_weight": {"grad": "weight", "pad": 1, "input-size": 4, "in-channels": 2, "out-channels": 2, "frame": 20},
    "matrix": {"input-size": 3, "kernel-size": 2, "view": "matrix", "frame": 2},
    "dark": {"stride": 2, "pad": 1, "theme": "dark", "frame": 4},
    "one_d": {"input-size": "1x7", "kernel-size": 3, "stride": 2, "pad": 1, "frame": 2},
}


def render(name: str) -> bytes:
    """The PNG of golden frame ``name`` as the code draws it now."""
    buffer = io.BytesIO()
    encode(from_options(RenderOptions.from_mapping(GOLDEN[name])), buffer, ".png")
    return buffer.getvalue()


def main() -> None:
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    for name in GOLDEN:
        (GOLDEN_DIR / f"{name}.png").write_bytes(render(name))
        print(f"wrote tests/golden/{name}.png")
    for stale in sorted(set(GOLDEN_DIR.glob("*.png")) - {GOLDEN_DIR / f"{n}.png" for n in GOLDEN}):
        stale.unlink()
        print(f"removed {stale.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
