"""The docs assets: every preset rendered into a folder, and an exact check that they are current.

``check`` compares what would be written with what is there: GIFs byte for byte, PNGs by decoded
pixels (PNG compression bytes changed between Pillow releases; pixels did not). It writes nothing.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .animate import Animation, from_options, output_kind, render_bytes
from .compare import compare
from .errors import OutputError
from .plan.options import RenderOptions
from .plan.presets import PRESETS, Preset
from .write.files import atomic_file

ASSET_SUFFIXES = (".gif", ".png")


def animation_for(preset: Preset, theme: str = "light") -> Animation:
    """The animation a preset names, read through the one options interpreter."""
    options = RenderOptions.from_mapping({"preset": preset.name, "theme": theme})
    return from_options(options)


def render_preset(name: str) -> bytes:
    """The bytes of a preset's asset file."""
    preset = PRESETS[name]
    return render_bytes(animation_for(preset), output_kind(preset.filename))


def _render_all(names: list[str], jobs: int) -> Iterable[tuple[str, bytes]]:
    if jobs <= 1 or len(names) <= 1:
        for name in names:
            yield name, render_preset(name)
        return
    with ProcessPoolExecutor(max_workers=min(jobs, len(names), 64)) as pool:
        yield from zip(names, pool.map(render_preset, names), strict=True)


@dataclass(frozen=True)
class Problem:
    filename: str
    reason: str


def extra_files(out_dir: Path) -> list[str]:
    """Asset-like files in ``out_dir`` that no preset makes."""
    if not out_dir.is_dir():
        return []
    known = {preset.filename for preset in PRESETS.values()}
    return sorted(
        entry.name
        for entry in out_dir.iterdir()
        if entry.suffix.lower() in ASSET_SUFFIXES and entry.name not in known and not entry.name.startswith(".")
    )


def check(out_dir: Path, jobs: int = 1) -> list[Problem]:
    """Every stale, missing or extra asset in ``out_dir``; writes nothing."""
    names = list(PRESETS)
    problems = []
    for name, data in _render_all(names, jobs):
        filename = PRESETS[name].filename
        reason = compare(filename, data, out_dir / filename)
        if reason:
            problems.append(Problem(filename, reason))
    problems += [Problem(name, "made by no preset: delete it") for name in extra_files(out_dir)]
    return problems


def write(out_dir: Path, jobs: int = 1, report: Callable[[str, str], None] | None = None) -> list[str]:
    """Render every preset into ``out_dir``; only changed files are replaced. Returns those written."""
    if not out_dir.is_dir():
        try:
            os.makedirs(out_dir, exist_ok=True)
        except OSError as err:
            raise OutputError(f"‹out_dir› {out_dir}: cannot create it ({err.strerror})") from err
    written = []
    for name, data in _render_all(list(PRESETS), jobs):
        filename = PRESETS[name].filename
        path = out_dir / filename
        if compare(filename, data, path) is None:
            if report:
                report(filename, "current")
            continue
        if path.is_dir():
            raise OutputError(f"‹out_dir›: {path} is a folder where the asset goes: remove it")
        try:
            with atomic_file(path, "‹out_dir›") as stream:
                stream.write(data)
        except OSError as err:
            raise OutputError(f"{path}: {err.strerror or err}: check the folder") from err
        written.append(filename)
        if report:
            report(filename, f"wrote {len(data):,} bytes")
    return written
