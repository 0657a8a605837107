"""The flow is one-way: each boundary is checked by what importing a layer loads.

compute/ (numbers) loads no Pillow, matplotlib or click; draw/ (scenes: what a frame shows)
imports no painter and no Pillow; write/ (files) knows nothing of convolution or drawing; plan/
(options, presets, storyboard) is pure.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "convanim"


def _modules_after(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint(' '.join(sorted(sys.modules)), file=sys.stderr)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(result.stderr.splitlines()[-1].split())


def _layer(name: str) -> list[str]:
    return sorted(f"convanim.{name}.{p.stem}" for p in (PACKAGE / name).glob("*.py") if p.stem != "__init__")


@pytest.mark.parametrize(
    ("layer", "forbidden"),
    [
        ("compute", {"PIL", "matplotlib", "click", "fontTools", "convanim.draw", "convanim.paint", "convanim.write"}),
        ("draw", {"PIL", "matplotlib", "click", "fontTools", "convanim.paint", "convanim.write"}),
        ("plan", {"numpy", "PIL", "matplotlib", "click", "convanim.draw", "convanim.paint", "convanim.write"}),
        ("write", {"convanim.compute", "convanim.draw", "convanim.plan", "convanim.paint", "click"}),
    ],
)
def test_importing_a_layer_loads_nothing_it_must_not_know(layer: str, forbidden: set[str]) -> None:
    modules = _layer(layer)
    assert modules, layer
    loaded = _modules_after("\n".join(f"import {m}" for m in modules))
    bad = sorted(m for m in loaded if any(m == f or m.startswith(f + ".") for f in forbidden))
    assert not bad, f"importing convanim.{layer} loads {bad}"


@pytest.mark.parametrize("path", sorted((PACKAGE / "draw").glob("*.py")), ids=lambda p: p.name)
def test_no_scene_module_names_pillow_or_a_painter(path: Path) -> None:
    """Even a lazy import inside a function would cross the seam: read the source."""
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add(("." * node.level) + (node.module or ""))
    assert not {n for n in names if n.startswith(("PIL", "matplotlib", "..paint", "..write", "convanim.paint"))}
