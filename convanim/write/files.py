"""Writing outputs safely: a new file appears only complete, by an atomic rename.

A render writes to a hidden temporary file beside the target and renames it into place when done,
so an interrupted or failed run never leaves a half-written file, and an existing file is replaced
only by a complete new one. ``-`` means standard output.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from ..errors import OutputError, SpecError


def check_output(target: str, option: str = "‹output›", suffixes: tuple[str, ...] = ()) -> None:
    """Refuse an unusable output path before any work is done.

    Raises
    ------
    SpecError
        The folder does not exist, the target is a folder, or the suffix is not one of
        ``suffixes`` (when given).
    """
    if target == "-":
        return
    try:
        _check_path(Path(target), target, option, suffixes)
    except OSError as err:
        raise SpecError(f"{option} {target}: {err.strerror or err}: choose another name") from err


def _check_path(path: Path, target: str, option: str, suffixes: tuple[str, ...]) -> None:
    if suffixes and path.suffix.lower() not in suffixes:
        raise SpecError(
            f"{option} {target}: unknown file type {path.suffix or '(none)'}: end the name in {', '.join(suffixes)}"
        )
    if path.is_dir():
        raise SpecError(f"{option} {target} is a folder: give a file name")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise SpecError(f"{option} {target}: the folder {parent} does not exist: create it first")


@contextlib.contextmanager
def atomic_file(target: str | Path, option: str = "‹output›") -> Iterator[BinaryIO]:
    """A binary stream that becomes ``target`` only when the block finishes without error."""
    path = Path(target)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:100]}.", suffix=".part", dir=folder)
    except OSError as err:
        raise OutputError(
            f"{option} {target}: cannot write in {folder} ({err.strerror}): choose another folder"
        ) from err
    try:
        with os.fdopen(fd, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_output(target: str, write: Callable[[BinaryIO], object], option: str = "‹output›") -> None:
    """Run ``write(stream)`` into ``target`` atomically, or into stdout when ``target`` is ``-``."""
    if target == "-":
        stream = sys.stdout.buffer
        write(stream)
        stream.flush()
        return
    check_output(target, option)
    try:
        with atomic_file(target, option) as stream:
            write(stream)
    except OSError as err:
        raise OutputError(f"{option} {target}: {err.strerror or err}: check the disk and folder") from err
