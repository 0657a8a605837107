"""Is a file on disk the one convanim would write? Exact where the format is exact.

GIF, SVG and PDF are compared byte for byte; PNG by decoded pixels (PNG compression bytes changed
between Pillow releases; pixels did not).
"""

from __future__ import annotations

import io
from pathlib import Path


def _pixels(data: bytes) -> tuple[tuple[int, int], bytes, bytes]:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        image.load()
        rgb = image.convert("RGB")
        return image.size, rgb.tobytes(), bytes(image.info.get("transparency", b"") or b"")


def compare(filename: str, expected: bytes, path: Path) -> str | None:
    """Why ``path`` is not the asset ``expected`` (None when it is current)."""
    if path.is_dir():
        return "is a folder, not a file: remove it"
    if not path.exists():
        return "missing"
    actual = path.read_bytes()
    if actual == expected:
        return None
    if filename.endswith(".png"):
        try:
            if _pixels(actual) == _pixels(expected):
                return None
        except Exception:
            return "not a readable PNG"
        return "pixels differ"
    return f"bytes differ ({len(actual):,} bytes on disk, {len(expected):,} expected)"
