"""A project's manifest of animations: ``[tool.convanim]`` in ``pyproject.toml``, or ``convanim.toml``.

.. code-block:: toml

    [tool.convanim]
    out-dir = "docs/_static/conv"       # relative to the file that declares it
    theme = "dark"                      # any render option: a default for every asset

    [tool.convanim.assets]
    padding_strides = "--stride 2 --pad 1"                       # options as typed after `render`
    upsample = { transpose = true, input-size = 2, stride = 2, pad = 1, output-padding = 1 }
    still = { preset = "padding_strides", frame = 4, output = "padding_strides.png" }

A ``convanim.toml`` holds the same keys at its top level. The manifest is found by walking up from
the current folder (a ``convanim.toml`` first, then a ``pyproject.toml`` that has ``[tool.convanim]``)
and the walk stops at the project root (a folder holding ``.git``).

Loading checks everything before anything is rendered: every value goes through the one
render-options interpreter (:meth:`RenderOptions.from_mapping`), and every output must stay inside
``out-dir`` (no absolute path, no ``..``, no symlink that leads out, no two assets on one file).
Errors are one line that names the file, the asset and the key as written:
``pyproject.toml: assets.upsample: stride 0 is out of range…``. Pure: no numpy, no Pillow.
"""

from __future__ import annotations

import difflib
import os
import re
import shlex
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from .errors import SpecError
from .plan.options import RenderOptions, canonical, convert

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

MANIFEST_NAMES = ("convanim.toml", "pyproject.toml")
OUT_DIR_KEYS = ("out-dir", "out_dir")
ASSET_KEYS = ("output",)
DATA_FIELDS = ("values", "kernel_values", "grad_values")
EXAMPLE = (
    "[tool.convanim]",
    'out-dir = "docs/_static/conv"',
    'assets.padding_strides = "--stride 2 --pad 1"',
)


class ManifestError(SpecError):
    """A manifest that cannot be used; the message names the file, the asset and the key."""


@dataclass(frozen=True)
class Asset:
    """One file the manifest declares.

    Attributes
    ----------
    name : str
        The asset's key in ``assets``.
    output : str
        The file name inside the out-dir, as written (``NAME.gif`` when not given).
    path : Path
        Where the file goes: ``out_dir / output``.
    options : RenderOptions
        What to render, defaults of the manifest included.
    source : str or dict
        The asset as written: a string of ``render`` options or a table.
    """

    name: str
    output: str
    path: Path
    options: RenderOptions
    source: str | dict[str, Any]
    output_in_source: bool = False

    @property
    def suffix(self) -> str:
        """The file type (``.gif``), from the output registry."""
        from .outputs import output_for

        return output_for(self.output).suffix

    def command(self) -> str:
        """The ``convanim render`` command line that makes this asset's file (defaults included)."""
        if isinstance(self.source, str):
            words = [self.source.strip()] if self.source.strip() else []
            if self.output_in_source:
                return " ".join(["convanim render", *words])
        else:
            words = []
            for key, value in self.source.items():
                if key in ASSET_KEYS:
                    continue
                option = "--" + key.replace("_", "-")
                if value is True:
                    words.append(option)
                elif value is not False:
                    text = "x".join(map(str, value)) if isinstance(value, list) else str(value)
                    words += [option, shlex.quote(text)]
        return " ".join(["convanim render", *words, "-o", shlex.quote(self.output)])


@dataclass(frozen=True)
class Manifest:
    """A loaded, checked manifest.

    Attributes
    ----------
    file : Path
        The file that declares it (absolute).
    label : str
        The file as messages name it (relative to the current folder when below it).
    out_dir : Path
        The folder the assets go into (absolute).
    assets : tuple of Asset
        In the order the file lists them.
    defaults : dict
        The render options given for every asset, as written.
    """

    file: Path
    label: str
    out_dir: Path
    assets: tuple[Asset, ...]
    defaults: Mapping[str, Any]

    def __getitem__(self, name: str) -> Asset:
        for asset in self.assets:
            if asset.name == name:
                return asset
        raise KeyError(name)


# -- finding -------------------------------------------------------------------------------------


def find(start: Path | None = None) -> Path | None:
    """The nearest manifest file at or above ``start`` (the current folder), or None.

    In each folder a ``convanim.toml`` is taken first, then a ``pyproject.toml`` with a
    ``[tool.convanim]`` table. The walk stops after the project root (a folder holding ``.git``).

    Raises
    ------
    ManifestError
        A ``pyproject.toml`` on the way cannot be read as TOML.
    """
    for folder in searched_folders(start):
        candidate = folder / "convanim.toml"
        if candidate.is_file():
            return candidate
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and _tool_table(read_toml(candidate, _label(candidate))) is not None:
            return candidate
    return None


def searched_folders(start: Path | None = None) -> list[Path]:
    """The folders :func:`find` looks in, nearest first."""
    folder = (start or Path.cwd()).resolve()
    folders = []
    for candidate in (folder, *folder.parents):
        folders.append(candidate)
        if (candidate / ".git").exists():
            break
    return folders


def not_found_message(start: Path | None = None) -> str:
    """One line naming where :func:`find` looked, then a three-line example manifest."""
    folders = searched_folders(start)
    where = f"in {folders[0]}" if len(folders) == 1 else f"in {folders[0]} and the folders above it up to {folders[-1]}"
    example = "\n".join(f"    {line}" for line in EXAMPLE)
    return (
        f"no manifest: looked for convanim.toml, or pyproject.toml with [tool.convanim], {where}; "
        f"add one (or name it with --config FILE), for example in pyproject.toml:\n{example}"
    )


# -- reading -------------------------------------------------------------------------------------


def _label(path: Path) -> str:
    """``path`` as messages show it: relative to the current folder when that is shorter."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive
        return str(path)
    return relative if not relative.startswith(os.pardir * 3) else str(path)


_WHERE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


def read_toml(path: Path, label: str) -> dict[str, Any]:
    """A TOML file's tables; a syntax error names the file, line and column.

    Raises
    ------
    ManifestError
        The file cannot be read, is not UTF-8 text, or is not valid TOML.
    """
    try:
        data = path.read_bytes()
    except OSError as err:
        raise ManifestError(f"{label}: cannot read it ({err.strerror or err}): check the file") from err
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ManifestError(f"{label}: not UTF-8 text (byte {err.start}): save it as UTF-8") from err
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        message = str(err.args[0]) if err.args else str(err)
        match = _WHERE.search(message)
        if match:
            line, column = match.groups()
        else:  # "at end of document"
            line, column = str(text.count("\n") + 1), str(len(text.rsplit("\n", 1)[-1]) + 1)
        reason = _WHERE.sub("", message).replace(" (at end of document)", "")
        raise ManifestError(f"{label}:{line}:{column}: invalid TOML: {reason}: fix the syntax there") from err


def _tool_table(data: dict[str, Any]) -> Any:
    """``data["tool"]["convanim"]``, or None."""
    tool = data.get("tool")
    return tool.get("convanim") if isinstance(tool, dict) else None


def load(file: Path | str | None = None, start: Path | None = None, out_dir: Path | str | None = None) -> Manifest:
    """Read and check a manifest: every asset's options and output path, before any work.

    Parameters
    ----------
    file : Path or str, optional
        The manifest (a ``pyproject.toml`` with ``[tool.convanim]``, or any other TOML file with
        the keys at its top level). Found with :func:`find` from ``start`` when not given.
    start : Path, optional
        Where the search starts (the current folder).
    out_dir : Path or str, optional
        Overrides the manifest's ``out-dir`` (relative to the current folder, as a command-line
        option is).

    Raises
    ------
    ManifestError
        No manifest was found, or it is not valid: one line naming the file, asset and key.
    """
    if file is None:
        found = find(start)
        if found is None:
            raise ManifestError(not_found_message(start))
        path = found
    else:
        path = Path(file)
        if not path.is_file():
            reason = "is a folder" if path.is_dir() else "does not exist"
            raise ManifestError(f"--config {file} {reason}: name a pyproject.toml or convanim.toml")
    path = path.resolve()
    label = _label(path)
    data = read_toml(path, label)
    if path.name == "pyproject.toml":
        table = _tool_table(data)
        if table is None:
            raise ManifestError(f"{label} has no [tool.convanim] table: add one, e.g.\n" + "\n".join(EXAMPLE))
        where = "tool.convanim"
    else:
        if _tool_table(data) is not None:
            raise ManifestError(f"{label}: [tool.convanim] is for pyproject.toml: here the keys go at the top level")
        table, where = data, ""
    if not isinstance(table, dict):
        raise ManifestError(f"{label}: {where or 'the file'} is not a table: write it as [{where or 'assets'}]")
    return _check(path, label, table, out_dir)


def _check(path: Path, label: str, table: dict[str, Any], out_dir_override: Path | str | None) -> Manifest:
    root = path.parent
    defaults: dict[str, Any] = {}
    written: dict[str, str] = {}  # field -> the key as written in the defaults
    out_dir_text: Any = "."
    assets_table: Any = None
    for key, value in table.items():
        if key in OUT_DIR_KEYS:
            out_dir_text = value
        elif key == "assets":
            assets_table = value
        else:
            name = _field(f"{label}:", key, extra=(OUT_DIR_KEYS[0], "assets"))
            if name in written:
                raise ManifestError(f"{label}: {name} is given twice (as {written[name]!r} and {key!r}): keep one")
            try:
                converted = convert(name, value)
            except SpecError as err:
                raise ManifestError(f"{label}: {err.worded({name: key})}") from None
            defaults[name] = converted
            written[name] = key
    # a folder named on the command line is the user's to choose; the manifest's stays in the project
    out_dir = Path(out_dir_override).resolve() if out_dir_override is not None else _out_dir(label, root, out_dir_text)
    if not isinstance(assets_table, dict) or not assets_table:
        what = "declares no assets" if assets_table is None or assets_table == {} else "has assets that are not a table"
        raise ManifestError(f'{label}: {what}: add a table of them, e.g. assets.padding_strides = "--stride 2 --pad 1"')
    real_out = out_dir.resolve()
    assets = []
    taken: dict[str, str] = {}
    for name, entry in assets_table.items():
        where = f"{label}: assets.{name}:"
        output, options, in_source = _asset(where, name, entry, defaults, written, root)
        target = _output_path(where, output, out_dir, real_out)
        key = os.path.normcase(str(PurePosixPath(*target.relative_to(out_dir).parts))).casefold()
        if key in taken:
            raise ManifestError(
                f"{where} output {output!r} is also the output of assets.{taken[key]}: give each asset its own file"
            )
        taken[key] = name
        assets.append(Asset(name, output, target, options, entry, in_source))
    return Manifest(path, label, out_dir, tuple(assets), defaults)


def _field(prefix: str, key: str, extra: tuple[str, ...]) -> str:
    """The render field ``key`` names, or a did-you-mean refusal that knows the manifest's own keys."""
    try:
        return canonical(key)
    except SpecError as err:
        close = difflib.get_close_matches(key.replace("_", "-"), extra, n=1, cutoff=0.7)
        message = f"unknown key {key!r}: did you mean {close[0]!r}?" if close else str(err).replace("option", "key", 1)
        raise ManifestError(f"{prefix} {message}") from None


def _out_dir(label: str, root: Path, value: Any) -> Path:
    if not isinstance(value, str) or not value.strip():
        raise ManifestError(f'{label}: out-dir {value!r} is not a folder name: write e.g. out-dir = "docs/_static"')
    if _is_absolute(value):
        raise ManifestError(
            f"{label}: out-dir {value!r} is an absolute path: give a folder relative to {label}'s folder"
        )
    folder = Path(os.path.normpath(root / value))
    project = project_root(root)
    if not folder.resolve().is_relative_to(project):
        raise ManifestError(
            f"{label}: out-dir {value!r} leads outside the project {project} (through '..' or a symlink): "
            f"give a folder inside it"
        )
    if folder.exists() and not folder.is_dir():
        raise ManifestError(f"{label}: out-dir {value!r} is a file: give a folder")
    return folder


def project_root(folder: Path) -> Path:
    """The project a manifest in ``folder`` belongs to: the nearest folder holding ``.git``, or ``folder``."""
    real = folder.resolve()
    for candidate in (real, *real.parents):
        if (candidate / ".git").exists():
            return candidate
    return real


def _is_absolute(text: str) -> bool:
    return PurePosixPath(text).is_absolute() or PureWindowsPath(text).is_absolute() or bool(PureWindowsPath(text).drive)


def _asset(
    where: str, name: str, entry: Any, defaults: dict[str, Any], written: dict[str, str], root: Path
) -> tuple[str, RenderOptions, bool]:
    """(output as written, options, whether a string of options named the output) of one asset."""
    given: dict[str, Any] = {}
    keys: dict[str, str] = {}
    output: Any = None
    spell: Callable[[str], str]
    if isinstance(entry, str):
        given, output = _parse_command(where, entry)
        from .cli import flag

        spell = flag
    elif isinstance(entry, dict):
        for key, value in entry.items():
            if key == "output":
                output = value
                continue
            field = _field(where, key, extra=ASSET_KEYS)
            if field in given:
                raise ManifestError(f"{where} {field} is given twice (as {keys[field]!r} and {key!r}): keep one")
            given[field] = value
            keys[field] = key

        def spell(field: str) -> str:
            return keys.get(field) or written.get(field) or _option_name(field)

    else:
        raise ManifestError(
            f"{where} {entry!r} is neither a string of render options nor a table: "
            f'write e.g. {name} = "--stride 2 --pad 1"'
        )
    mapping: dict[str, Any] = {**defaults, **given}
    shown: dict[str, str] = {}  # data files as written, for the command an HTML player shows
    for field in DATA_FIELDS:
        value = mapping.get(field)
        if isinstance(value, str) and is_data_file(value):
            shown[field] = value.strip()
            mapping[field] = str(root / value.strip())  # relative to the manifest, not the current folder
    data_files = bool(shown)
    try:
        options = replace(RenderOptions.from_mapping(mapping), shown=tuple(sorted(shown.items())))
        if not data_files:
            from .compute.spec import ConvSpec

            ConvSpec(**options.spec_fields())  # sizes are all given (no data file): check them now
    except SpecError as err:
        raise ManifestError(f"{where} {err.worded(spell)}") from None
    in_source = isinstance(entry, str) and output is not None
    if output is None:
        output = f"{name}.gif"
    if not isinstance(output, str):
        raise ManifestError(f'{where} output {output!r} is not a file name: write e.g. output = "{name}.gif"')
    return output, options, in_source


def is_data_file(value: str) -> bool:
    """Whether a ``values``-like option names a file (``x.npy``, ``data/x``), not a kind (``ones``)."""
    text = value.strip()
    return bool(text) and (bool(PurePosixPath(text).suffix) or "/" in text or "\\" in text)


def _option_name(field: str) -> str:
    """A field as a manifest key: the CLI's long option name without dashes (``padding`` -> ``pad``)."""
    from .cli import flag

    return flag(field).lstrip("-")


def _parse_command(where: str, text: str) -> tuple[dict[str, Any], str | None]:
    """Options typed after ``convanim render``, parsed by the real command: (given, output)."""
    import click
    from click.core import ParameterSource

    from .cli import cli

    command = cli.commands["render"]
    try:
        words = shlex.split(text)
    except ValueError as err:
        raise ManifestError(f"{where} {text!r}: {err}: close the quote") from None
    if any(word in ("-h", "--help") for word in words):
        raise ManifestError(f"{where} --help is not a render option: drop it")
    try:
        with command.make_context("render", list(words)) as ctx:
            given = {
                name: value
                for name, value in ctx.params.items()
                if ctx.get_parameter_source(name) == ParameterSource.COMMANDLINE
            }
    except click.ClickException as err:
        raise ManifestError(f"{where} {err.format_message()}") from None
    output = given.pop("output", None)
    return given, output


def _output_path(where: str, output: str, out_dir: Path, real_out: Path) -> Path:
    """``out_dir / output``, refused unless it stays inside ``out_dir``."""
    if not output.strip() or output.endswith(("/", "\\")):
        raise ManifestError(f'{where} output {output!r} is not a file name: write e.g. output = "name.gif"')
    if _is_absolute(output):
        raise ManifestError(f"{where} output {output!r} is an absolute path: give a file name inside out-dir")
    parts = PurePosixPath(output.replace("\\", "/")).parts
    if ".." in parts:
        raise ManifestError(f"{where} output {output!r} leads out of out-dir through '..': give a file name inside it")
    target = out_dir.joinpath(*parts)
    if not target.resolve().is_relative_to(real_out):
        raise ManifestError(
            f"{where} output {output!r} leads out of out-dir through a symlink: give a file name inside it"
        )
    from .outputs import output_for

    try:
        kind = output_for(output)
    except SpecError as err:
        raise ManifestError(f"{where} {err.worded({'output': 'output'})}") from None
    if kind.multi_file:
        raise ManifestError(f"{where} output {output!r} is a frame pattern: an asset is one file, e.g. {kind.suffix}")
    return target
