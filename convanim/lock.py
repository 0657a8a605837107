"""The lock file: what ``convanim assets`` last wrote, so ``--check`` can answer without rendering.

``convanim assets`` writes ``convanim.lock.json`` beside the manifest that declares the assets.
For each asset it records the output file (relative to the lock's folder, with forward slashes),
the **spec hash** of what the file was made from, and the **sha256 of the file's bytes**. ``convanim
assets --check`` then calls an asset current when the lock's spec hash is the one the manifest gives
now and the file's bytes still have the recorded sha256: hashing a few files takes milliseconds,
where rendering every asset took seconds.

The spec hash covers everything the bytes depend on:

- the normalised render options (every field of :class:`~convanim.plan.options.RenderOptions`,
  the one options interpreter, as canonical JSON; not ``jobs``, which never changes a byte), and
  which of them were set explicitly (a preset's command line in the HTML player depends on it);
- the output format (the suffix);
- the bytes of every data file the options read (``values``, ``kernel_values``, ``grad_values``:
  ``.npy``/``.json``/``.csv`` arrays and pictures), by sha256, the file named relative to the lock;
- a fingerprint of convanim itself: its version and a digest of the package's source and shipped
  data files (every ``*.py``, the fonts, the player's script and style sheet).

Why not the library versions, and why not compare rendered bytes: the bytes of a PNG, a video or
a font's rasterisation change with the versions of the libraries that write them (Pillow's zlib,
x264's build, FreeType), though nothing the author asked for changed. That is the complaint behind
matplotlib#12837 (image comparisons failing across FreeType versions), manim#796 (hashes of
rendered output differing across machines) and pandoc-plot#10 (figures regenerated needlessly). A
committed asset made by one pinned convanim release stays current on any machine, whatever Pillow
is installed; in convanim's own repository, where the code changes, any change to the package's
files marks every asset for checking. ``--check --strict`` renders everything as well and compares
(by pixels where the format allows), for CI that wants both.

The file's content is deterministic: sorted keys, two-space indents, a trailing newline, no
timestamps, no absolute paths, so it is rewritten only when something in it changed and it can be
committed beside the assets. Pure: no numpy, no Pillow.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .manifest import DATA_FIELDS
from .plan.options import RenderOptions

if TYPE_CHECKING:
    from .manifest import Asset, Manifest

LOCK_NAME = "convanim.lock.json"
FORMAT = "convanim-lock"
VERSION = 1
UNHASHED = ("jobs", "explicit")  # jobs: the bytes are the same for any number (explicit is hashed apart)
# The package files a render can depend on: the code and the data it ships (fonts, the player).
SOURCE_SUFFIXES = frozenset({".py", ".ttf", ".otf", ".woff", ".woff2", ".js", ".css", ".html", ".json", ".npy"})

_fingerprint: dict[str, str] = {}


def fingerprint() -> dict[str, str]:
    """convanim's version and the digest of its installed package folder (computed once a process)."""
    if not _fingerprint:
        _fingerprint.update(version=__version__, source=source_digest(Path(__file__).resolve().parent))
    return dict(_fingerprint)


def source_digest(package: Path) -> str:
    """A sha256 over the package's code and shipped data files, read in sorted order.

    ``__pycache__`` and hidden files are left out; text files are read with ``\\r\\n`` as ``\\n``,
    so a checkout with Windows line endings gives the same digest.
    """
    digest = hashlib.sha256()
    files = []
    for folder, dirs, names in os.walk(package):
        dirs[:] = [d for d in dirs if d != "__pycache__" and not d.startswith(".")]
        files += [Path(folder, n) for n in names if Path(n).suffix in SOURCE_SUFFIXES and not n.startswith(".")]
    for path in sorted(files, key=lambda p: p.relative_to(package).as_posix()):
        data = path.read_bytes()
        if b"\0" not in data:
            data = data.replace(b"\r\n", b"\n")
        name = path.relative_to(package).as_posix().encode()
        digest.update(b"%d:%s%d:" % (len(name), name, len(data)))
        digest.update(data)
    return digest.hexdigest()


def relative(path: Path | str, folder: Path) -> str:
    """``path`` relative to ``folder`` with forward slashes (absolute on another drive)."""
    try:
        return Path(os.path.relpath(Path(path).absolute(), folder)).as_posix()
    except ValueError:
        return Path(path).absolute().as_posix()


def file_sha256(path: Path) -> str | None:
    """The sha256 of a file's bytes, or None when it cannot be read."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def spec_hash(options: RenderOptions, suffix: str, folder: Path) -> str:
    """The sha256 of everything an asset's bytes depend on (see the module's notes).

    ``folder`` is the lock's: data files are named relative to it, so the hash is the same
    wherever the project is checked out.
    """
    chosen: dict[str, Any] = {}
    for field in fields(options):
        if field.name in UNHASHED:
            continue
        value = getattr(options, field.name)
        if field.name in DATA_FIELDS and isinstance(value, str) and os.path.isfile(value):
            value = {"file": relative(value, folder), "sha256": file_sha256(Path(value))}
        chosen[field.name] = _plain(value)
    key = {
        "convanim": fingerprint(),
        "explicit": sorted(set(options.explicit) - set(UNHASHED)),
        "format": suffix,
        "options": chosen,
    }
    return hashlib.sha256(json.dumps(key, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def lock_path(manifest: Manifest) -> Path:
    """Where a manifest's lock goes: ``convanim.lock.json`` beside the file that declares it."""
    return manifest.file.parent / LOCK_NAME


@dataclass(frozen=True)
class Entry:
    """One asset in the lock: its file (relative to the lock), spec hash and the file's sha256."""

    output: str
    spec: str
    sha256: str


def entry_for(manifest: Manifest, asset: Asset, sha256: str) -> Entry:
    """The lock's entry for ``asset`` whose file has bytes of ``sha256``."""
    folder = lock_path(manifest).parent
    return Entry(relative(asset.path, folder), spec_hash(asset.options, asset.suffix, folder), sha256)


def dumps(entries: Mapping[str, Entry]) -> bytes:
    """The lock file's bytes: sorted keys, two-space indents, a trailing newline."""
    data = {
        "format": FORMAT,
        "version": VERSION,
        "convanim": fingerprint(),
        "assets": {name: vars(entry) for name, entry in entries.items()},
    }
    return (json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


@dataclass(frozen=True)
class Lock:
    """A lock as read: its entries, and the fingerprint of the convanim that wrote it."""

    entries: dict[str, Entry]
    convanim: dict[str, str]


class LockError(Exception):
    """A lock file that is not one convanim wrote; the message says why."""


def read(path: Path) -> Lock | None:
    """The lock at ``path``, or None when there is none.

    Raises
    ------
    LockError
        The file cannot be read or is not a convanim lock.
    """
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as err:
        raise LockError(f"cannot be read ({getattr(err, 'strerror', None) or err})") from err
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise LockError(f"is not JSON ({err.msg} at line {err.lineno})") from err
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise LockError(f"is not a {FORMAT} file")
    if data.get("version") != VERSION:
        raise LockError(f"is version {data.get('version')!r} of the format; this convanim reads {VERSION}")
    assets, convanim = data.get("assets"), data.get("convanim")
    if not isinstance(assets, dict) or not isinstance(convanim, dict):
        raise LockError("has no assets table")
    entries = {}
    for name, entry in assets.items():
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) for k in ("output", "spec", "sha256")):
            raise LockError(f"has an entry for {name} without output, spec and sha256")
        entries[name] = Entry(entry["output"], entry["spec"], entry["sha256"])
    return Lock(entries, {str(k): str(v) for k, v in convanim.items()})
