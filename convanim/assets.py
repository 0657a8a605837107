"""A manifest's assets: rendered in parallel, written only when changed, or checked without writing.

Every asset is rendered in memory first; only then is anything written, so a bad asset (a frame
out of range, a values file that does not load) leaves every file as it was. A file whose content
is already current is not touched, so its timestamp stays. ``check`` compares what would be
written with what is there (:func:`convanim.compare.compare`: exact, PNG by decoded pixels) and
writes nothing.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .compare import compare
from .errors import OutputError, SpecError
from .manifest import Asset, Manifest, ManifestError
from .plan.options import RenderOptions
from .write.files import atomic_file

if TYPE_CHECKING:
    from .pipeline import Animation
    from .plan.presets import Preset


@dataclass(frozen=True)
class Problem:
    """An asset file that is not what the manifest makes: its path and why."""

    path: Path
    reason: str


def render_asset(options: RenderOptions, suffix: str) -> bytes:
    """The bytes of one asset file of type ``suffix``: what ``convanim render`` writes.

    Raises
    ------
    SpecError
        The options cannot be rendered (a frame out of range, too many frames, a bad values file).
    """
    from .outputs import OUTPUTS
    from .pipeline import check_frames, from_options, render_bytes

    animation = from_options(options)
    board = animation.storyboard()
    if animation.still is not None:
        board.frame(animation.still)  # refuse an out-of-range frame with the option's name
    elif OUTPUTS[suffix].animated:
        check_frames(board, options.max_frames)
    return render_bytes(animation, suffix)


def animation_for(preset: Preset, theme: str = "light") -> Animation:
    """The animation a built-in preset names, read through the one options interpreter."""
    from .pipeline import from_options

    return from_options(RenderOptions.from_mapping({"preset": preset.name, "theme": theme}))


def _cost(asset: Asset) -> int:
    """A rough rendering cost, so the longest renders start first (fewer idle workers at the end)."""
    from .compute.spec import ConvSpec

    options = asset.options
    if options.frame is not None:
        return 1
    try:
        spec = ConvSpec(**options.spec_fields())
    except SpecError:  # sizes read from a values file: unknown until loaded
        return 0
    steps = spec.n_terms if options.steps == "term" else spec.n_steps
    cells = spec.in_channels * spec.input_size[0] * spec.input_size[1] + spec.out_channels * spec.n_steps
    return steps * (cells + 50)


def render_all(manifest: Manifest, jobs: int = 1) -> Iterator[tuple[Asset, bytes]]:
    """Every asset with its bytes, in the manifest's order; ``jobs`` processes render in parallel.

    Raises
    ------
    ManifestError
        An asset cannot be rendered; the message names the manifest file and the asset.
    """
    assets = list(manifest.assets)
    if jobs <= 1 or len(assets) <= 1:
        for asset in assets:
            yield asset, _render_one(manifest, asset)
        return
    # The cheapest asset is rendered here first: the workers are forked after it, so they start with
    # its imports, fonts and tiles loaded instead of each loading them again. The others go longest
    # first, so no worker is left with a long render at the end.
    order = sorted(assets, key=_cost, reverse=True)
    first = order.pop()
    done: dict[str, bytes | SpecError] = {first.name: _render_task((first.options, first.suffix))}
    with ProcessPoolExecutor(max_workers=min(jobs, len(order), 61)) as pool:
        results = pool.map(_render_task, [(asset.options, asset.suffix) for asset in order])
        done.update(zip((asset.name for asset in order), results, strict=True))
    for asset in assets:
        data = done[asset.name]
        if isinstance(data, SpecError):
            raise _asset_error(manifest, asset, data)
        yield asset, data


def _render_task(task: tuple[RenderOptions, str]) -> bytes | SpecError:
    """A worker's job: the bytes, or the refusal (returned, so the parent knows which asset it was)."""
    try:
        return render_asset(*task)
    except SpecError as err:
        return err


def _render_one(manifest: Manifest, asset: Asset) -> bytes:
    try:
        return render_asset(asset.options, asset.suffix)
    except SpecError as err:
        raise _asset_error(manifest, asset, err) from None


def _asset_error(manifest: Manifest, asset: Asset, err: SpecError) -> ManifestError:
    from .cli import flag
    from .plan.options import canonical

    keys = {} if isinstance(asset.source, str) else {canonical(k): k for k in asset.source if k != "output"}

    def spell(field: str) -> str:
        if isinstance(asset.source, str):
            return flag(field)
        return keys.get(field) or flag(field).lstrip("-")

    return ManifestError(f"{manifest.label}: assets.{asset.name}: {err.worded(spell)}")


def check(manifest: Manifest, jobs: int = 1) -> list[Problem]:
    """Every stale or missing asset file; writes nothing."""
    problems = []
    for asset, data in render_all(manifest, jobs):
        reason = compare(asset.output, data, asset.path)
        if reason:
            problems.append(Problem(asset.path, reason))
    return problems


def write(manifest: Manifest, jobs: int = 1, report: Callable[[Asset, int | None], None] | None = None) -> list[Asset]:
    """Render every asset, then replace the files whose content changed; returns the assets written.

    ``report(asset, size)`` is called for each asset: ``size`` is the bytes written, or None when
    the file was current and left untouched.

    Raises
    ------
    ManifestError
        An asset cannot be rendered (nothing is written then).
    OutputError
        A file could not be written.
    """
    for asset in manifest.assets:
        if asset.path.is_dir():
            raise OutputError(f"{asset.path} is a folder where assets.{asset.name} goes: remove it or rename the asset")
    rendered = list(render_all(manifest, jobs))  # every render succeeds before anything is written
    written = []
    for asset, data in rendered:
        if compare(asset.output, data, asset.path) is None:
            if report:
                report(asset, None)
            continue
        _write_file(asset.path, data)
        written.append(asset)
        if report:
            report(asset, len(data))
    return written


def _write_file(path: Path, data: bytes) -> None:
    try:
        os.makedirs(path.parent, exist_ok=True)
    except OSError as err:
        raise OutputError(f"{path.parent}: cannot create the folder ({err.strerror or err}): check the path") from err
    if path.is_dir():
        raise OutputError(f"{path} is a folder where the asset goes: remove it")
    try:
        with atomic_file(path) as stream:
            stream.write(data)
    except OSError as err:
        raise OutputError(f"{path}: {err.strerror or err}: check the folder") from err


def extra_files(manifest: Manifest) -> list[Path]:
    """Files in the out-dir of a type convanim writes that no asset makes (perhaps left over)."""
    from .outputs import OUTPUTS

    folder = manifest.out_dir
    if not folder.is_dir() or folder.resolve() == manifest.file.parent:
        return []  # a project's own folder holds other pictures: only a folder of assets is listed
    known = {asset.path for asset in manifest.assets}
    return sorted(
        entry
        for entry in folder.iterdir()
        if entry.suffix.lower() in OUTPUTS and entry not in known and not entry.name.startswith(".")
    )
