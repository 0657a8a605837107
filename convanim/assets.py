"""A manifest's assets: rendered in parallel, written only when changed, or checked without writing.

Every asset is rendered in memory first; only then is anything written, so a bad asset (a frame
out of range, a values file that does not load) leaves every file as it was. A file whose content
is already current is not touched, so its timestamp stays. Then the lock (:mod:`convanim.lock`)
records each file's spec hash and sha256, beside the manifest.

``check`` writes nothing. An asset whose lock entry has the spec hash the manifest gives now and
whose file still has the recorded sha256 is current without rendering. Any other asset is
rendered and compared with its file (:func:`convanim.compare.compare`: exact, PNG by decoded
pixels); if the file is what the render gives, the lock is what is out of date. ``strict``
renders and compares every asset as well. The rule either way: ``check`` passes exactly when
``convanim assets`` would change no file, the lock included.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import lock as lockfile
from .errors import OutputError, SpecError
from .manifest import Asset, Manifest, ManifestError
from .plan.options import RenderOptions
from .write.files import atomic_file

if TYPE_CHECKING:
    from .pipeline import Animation
    from .plan.presets import Preset


@dataclass(frozen=True)
class Problem:
    """A file that is not what ``convanim assets`` would make: its path and why.

    ``lock`` is True when what is out of date is the lock (the lock file itself, or its entry for
    an asset whose file is current).
    """

    path: Path
    reason: str
    lock: bool = False


OUT_OF_DATE = "the lock is out of date: run convanim assets"


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


def render_all(manifest: Manifest, jobs: int = 1, only: Sequence[Asset] | None = None) -> Iterator[tuple[Asset, bytes]]:
    """Every asset (or those in ``only``) with its bytes, in the manifest's order; ``jobs`` processes
    render in parallel.

    Raises
    ------
    ManifestError
        An asset cannot be rendered; the message names the manifest file and the asset.
    """
    assets = list(manifest.assets if only is None else only)
    if not assets:
        return
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


def check(manifest: Manifest, jobs: int = 1, strict: bool = False, use_lock: bool = True) -> list[Problem]:
    """Every stale or missing file, the lock's problems first; writes nothing.

    An asset whose lock entry agrees (the spec hash the manifest gives now, the file's sha256) is
    current without rendering; the others are rendered and compared with their files. ``strict``
    renders and compares every asset too. ``use_lock`` False (an out-dir chosen on the command
    line, which has no lock): every asset is rendered and compared, and no lock is asked for.

    Raises
    ------
    ManifestError
        An asset that had to be rendered cannot be.
    """
    lock_problems: list[Problem] = []
    agreed: set[str] = set()
    per_asset = False  # whether an asset's stale lock entry gets a line of its own
    if use_lock:
        path = lockfile.lock_path(manifest)
        lock, lock_problems = _read_lock(path, manifest)
        if lock is not None:
            agreed = {asset.name for asset in manifest.assets if _agrees(manifest, asset, lock)}
            per_asset = lock.convanim == lockfile.fingerprint()  # else one line says so, not one per asset
    problems: dict[str, Problem] = {}
    render = []
    for asset in manifest.assets:
        if strict or (asset.name not in agreed and asset.path.is_file()):
            render.append(asset)
        elif asset.name not in agreed:
            absent = "is a folder, not a file: remove it" if asset.path.is_dir() else "missing"
            problems[asset.name] = Problem(asset.path, absent)
    for asset, data in render_all(manifest, jobs, render):
        from .compare import compare  # numpy: loaded only when something is rendered

        reason = compare(asset.output, data, asset.path)
        if reason:
            problems[asset.name] = Problem(asset.path, reason)
        elif per_asset and asset.name not in agreed:
            problems[asset.name] = Problem(asset.path, OUT_OF_DATE, lock=True)
    return lock_problems + [problems[asset.name] for asset in manifest.assets if asset.name in problems]


def _read_lock(path: Path, manifest: Manifest) -> tuple[lockfile.Lock | None, list[Problem]]:
    """The lock (None when missing or unreadable) and what is wrong with it as a whole."""
    try:
        lock = lockfile.read(path)
    except lockfile.LockError as err:
        return None, [Problem(path, f"{err}: run convanim assets to write it again", lock=True)]
    if lock is None:
        reason = "missing: run convanim assets to write it (and commit it with the assets)"
        return None, [Problem(path, reason, lock=True)]
    problems = []
    if lock.convanim != lockfile.fingerprint():
        reason = "the lock is out of date (convanim's code changed since it was written): run convanim assets"
        problems.append(Problem(path, reason, lock=True))
    gone = sorted(set(lock.entries) - {asset.name for asset in manifest.assets})
    if gone:
        names = ", ".join(f"assets.{name}" for name in gone)
        reason = f"the lock is out of date (it lists {names}, which the manifest does not declare): run convanim assets"
        problems.append(Problem(path, reason, lock=True))
    return lock, problems


def _agrees(manifest: Manifest, asset: Asset, lock: lockfile.Lock) -> bool:
    """Whether the lock's entry is this asset's as the manifest gives it now, and its file is unchanged."""
    entry = lock.entries.get(asset.name)
    if entry is None:
        return False
    sha256 = lockfile.file_sha256(asset.path) if asset.path.is_file() else None
    return sha256 is not None and entry == lockfile.entry_for(manifest, asset, sha256)


@dataclass(frozen=True)
class Written:
    """What :func:`write` wrote: the assets whose files changed, and the lock when it changed."""

    assets: list[Asset]
    lock: Path | None


def write(
    manifest: Manifest,
    jobs: int = 1,
    report: Callable[[Asset, int | None], None] | None = None,
    use_lock: bool = True,
) -> Written:
    """Render every asset, then replace the files whose content changed, then the lock if it changed.

    ``report(asset, size)`` is called for each asset: ``size`` is the bytes written, or None when
    the file was current and left untouched. ``use_lock`` False (an out-dir chosen on the command
    line): no lock is written.

    Raises
    ------
    ManifestError
        An asset cannot be rendered (nothing is written then, the lock included).
    OutputError
        A file could not be written.
    """
    from .compare import compare

    for asset in manifest.assets:
        if asset.path.is_dir():
            raise OutputError(f"{asset.path} is a folder where assets.{asset.name} goes: remove it or rename the asset")
    lock_path = lockfile.lock_path(manifest)
    if use_lock and lock_path.is_dir():
        raise OutputError(f"{lock_path} is a folder where the lock goes: remove it")
    rendered = list(render_all(manifest, jobs))  # every render succeeds before anything is written
    written = []
    shas: dict[str, str] = {}
    for asset, data in rendered:
        if compare(asset.output, data, asset.path) is None:
            # current: kept as it is (a PNG may hold the same pixels in other bytes), so its bytes are locked
            shas[asset.name] = lockfile.file_sha256(asset.path) or hashlib.sha256(data).hexdigest()
            if report:
                report(asset, None)
            continue
        _write_file(asset.path, data)
        shas[asset.name] = hashlib.sha256(data).hexdigest()
        written.append(asset)
        if report:
            report(asset, len(data))
    if not use_lock:
        return Written(written, None)
    entries = {asset.name: lockfile.entry_for(manifest, asset, shas[asset.name]) for asset in manifest.assets}
    content = lockfile.dumps(entries)
    try:
        if lock_path.read_bytes() == content:
            return Written(written, None)  # unchanged: left as it is, its timestamp too
    except OSError:
        pass
    _write_file(lock_path, content)
    return Written(written, lock_path)


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
    known = {asset.path for asset in manifest.assets} | {lockfile.lock_path(manifest)}
    return sorted(
        entry
        for entry in folder.iterdir()
        if entry.suffix.lower() in OUTPUTS and entry not in known and not entry.name.startswith(".")
    )
