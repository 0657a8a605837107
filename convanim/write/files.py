"""Writing outputs safely: a new file appears only complete, by an atomic rename.

A render writes to a hidden temporary file beside the target and renames it into place when done,
so an interrupted or failed run never leaves a half-written file, and an existing file is replaced
only by a complete new one. ``-`` means standard output.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from ..errors import OutputError, SpecError


def _mkstemp(prefix: str, suffix: str, dir: Path) -> tuple[int, str]:
    """``tempfile.mkstemp``: a new file in ``dir`` that only this user can read and write, under a
    name nobody has taken; its descriptor and path. Without importing :mod:`tempfile` (which imports
    shutil, random and the compressors: about 5 ms of every render's start-up)."""
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        name = os.path.abspath(os.path.join(dir, f"{prefix}{os.urandom(6).hex()}{suffix}"))
        try:
            return os.open(name, flags, 0o600), name
        except FileExistsError:
            continue  # taken: another name
    raise FileExistsError(errno.EEXIST, "no unused temporary file name", str(dir))


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
        fd, tmp = _mkstemp(prefix=f".{path.name[:100]}.", suffix=".part", dir=folder)
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


PATTERN = re.compile(r"%(0?[1-9]?)d")


def is_pattern(target: str) -> bool:
    """Whether ``target`` names a frame sequence (a printf-style pattern: it holds a ``%``)."""
    return target != "-" and "%" in Path(target).name


def check_pattern(target: str, option: str = "‹output›") -> None:
    """Refuse a frame pattern that is not one ``%d`` (or ``%03d``) in the file name, before any work."""
    name = Path(target).name
    conversions = PATTERN.findall(name.replace("%%", ""))
    stray = PATTERN.sub("", name.replace("%%", "")).count("%")
    if len(conversions) != 1 or stray or "%" in str(Path(target).parent):
        raise SpecError(
            f"{option} {target}: a frame pattern needs exactly one %d in the file name (%% for a per cent sign), "
            "e.g. frames/conv-%03d.png"
        )


class FrameFiles:
    """The numbered files of a frame sequence, each written whole beside its final name.

    ``open(i)`` gives a stream for frame ``i``; nothing takes its final name until ``commit()``,
    and ``discard()`` removes what was written. The folder is created if missing (and removed
    again on failure if it was created and is empty).
    """

    def __init__(self, pattern: str, option: str = "‹output›") -> None:
        check_pattern(pattern, option)
        self.pattern = pattern
        self.option = option
        self.folder = Path(pattern).parent if str(Path(pattern).parent) else Path(".")
        self.created: list[Path] = []
        self.parts: list[tuple[str, Path]] = []

    def name(self, index: int) -> Path:
        """The file frame ``index`` goes to."""
        return Path(self.pattern % index)

    def open(self, index: int) -> BinaryIO:
        """A new stream for frame ``index`` (close it when written)."""
        if not self.folder.is_dir():
            missing = [p for p in (self.folder, *self.folder.parents) if not p.exists()]
            try:
                os.makedirs(self.folder, exist_ok=True)
            except OSError as err:
                raise OutputError(
                    f"{self.option} {self.pattern}: cannot create {self.folder} ({err.strerror}): choose another folder"
                ) from err
            self.created = sorted(missing, key=lambda p: len(p.parts), reverse=True)
        final = self.name(index)
        try:
            fd, tmp = _mkstemp(prefix=f".{final.name[:100]}.", suffix=".part", dir=self.folder)
        except OSError as err:
            raise OutputError(
                f"{self.option} {self.pattern}: cannot write in {self.folder} ({err.strerror}): choose another folder"
            ) from err
        self.parts.append((tmp, final))
        return os.fdopen(fd, "wb")

    def commit(self) -> list[Path]:
        """Give every written file its name; returns the files of the pattern beyond the last frame."""
        for tmp, final in self.parts:
            try:
                os.chmod(tmp, 0o644)
                os.replace(tmp, final)
            except OSError as err:
                raise OutputError(
                    f"{self.option} {final}: {err.strerror or err}: remove it or choose another name"
                ) from err
        count = len(self.parts)
        self.parts = []
        self.created = []
        return self.leftovers(count)

    def leftovers(self, count: int) -> list[Path]:
        """Files the pattern names with numbers from ``count`` on (an earlier, longer render's)."""
        stale = []
        index = count
        while (path := self.name(index)).exists():
            stale.append(path)
            index += 1
        return stale

    def discard(self) -> None:
        """Remove what was written (and folders this created, if empty)."""
        for tmp, _ in self.parts:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        self.parts = []
        for folder in self.created:
            with contextlib.suppress(OSError):
                folder.rmdir()
        self.created = []
