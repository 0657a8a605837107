"""A Sphinx directive that renders a convolution at build time: ``.. convanim::``.

In ``conf.py``::

    extensions = ["convanim.sphinxext"]

In a page (reStructuredText; in MyST Markdown the same options go in a ```` ```{convanim} ```` fence)::

    .. convanim::
       :stride: 2
       :pad: 1
       :themes: light dark
       :caption: Stride 2 and padding 1 give a 3x3 output.

The options are ``convanim render``'s long option names (``:input-size:``, ``:pad:``,
``:transpose:``, ...), read by the one render-options interpreter, plus:

``:alt:``
    The image's alt text (default: what ``convanim describe`` says of these options).
``:caption:``
    Makes a figure with this caption.
``:format:``
    ``gif`` (the default), ``png`` (a still), or another image type the output registry has.
``:themes:``
    ``light dark``: one image per theme, classed ``only-light`` and ``only-dark`` (the classes
    pydata-sphinx-theme and furo show by colour scheme).
``:class:``
    More classes for the image(s).

Files are named by a hash of the options, the data files they read and the convanim version, kept in
``convanim_cache_dir`` (default: ``convanim/`` inside the doctree folder) and rendered only when that
name is new, so a second build of an unchanged project renders nothing. A bad option or a failed
render is a warning with the file and line (``-W`` makes it an error); the build goes on.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from . import __version__
from .errors import SpecError
from .manifest import DATA_FIELDS, is_data_file
from .plan.options import RenderOptions, canonical

logger = logging.getLogger(__name__)

OWN_OPTIONS = ("alt", "caption", "format", "themes", "class")
IMAGE_SUFFIXES = (".gif", ".png", ".svg", ".webp", ".apng")
THEMES = ("light", "dark")


def _text(value: str | None) -> str:
    """An option's text; a bare flag (``:transpose:``) is the empty string, which reads as true."""
    return "" if value is None else value.strip()


def render_option_names() -> list[str]:
    """``convanim render``'s long option names, less ``output`` (e.g. ``input-size``, ``pad``)."""
    from .cli import cli

    names = []
    for param in cli.commands["render"].params:
        if param.name == "output":
            continue
        names += [opt[2:] for opt in param.opts if opt.startswith("--")]
    return names


class OptionSpec(dict[str, Callable[[str | None], str]]):
    """The directive's options: every name is taken as text, and checked in :meth:`run`.

    docutils and MyST look each option up here; accepting any name lets the directive refuse an
    unknown one itself, as a warning with a did-you-mean, instead of docutils' error.
    """

    def __missing__(self, key: str) -> Callable[[str | None], str]:
        return _text


def image_suffixes() -> list[str]:
    """The image types the directive can make: those of :data:`IMAGE_SUFFIXES` the registry has."""
    from .outputs import OUTPUTS

    return [suffix for suffix in IMAGE_SUFFIXES if suffix in OUTPUTS]


class ConvanimDirective(SphinxDirective):
    """``.. convanim::`` with render options: the image(s), rendered once per distinct hash."""

    has_content = False
    required_arguments = 0
    optional_arguments = 0
    option_spec: ClassVar[dict[str, Any]] = OptionSpec({name: _text for name in (*render_option_names(), *OWN_OPTIONS)})

    def run(self) -> list[nodes.Node]:
        try:
            return self._run()
        except SpecError as err:
            message = err.worded(self._spell)
        except Exception as err:  # a failed render is a warning, never a traceback
            message = f"render failed: {type(err).__name__}: {err}"
        logger.warning("convanim: %s", message, location=self.get_location(), type="convanim")
        return []

    def _spell(self, field: str) -> str:
        """A field as this directive's option (``padding`` -> ``:pad:``)."""
        from .cli import flag

        for key in self.options:
            if key not in OWN_OPTIONS and _canonical_or_none(key) == field:
                return f":{key}:"
        return f":{flag(field).lstrip('-')}:"

    def _run(self) -> list[nodes.Node]:
        mapping = self._mapping()
        suffix = self._suffix()
        themes = self._themes(mapping)
        classes = self.options.get("class", "").split()
        images: list[nodes.Node] = []
        alt = self.options.get("alt") or None
        for theme in themes:
            options = RenderOptions.from_mapping({**mapping, **({"theme": theme} if theme else {})})
            path = self._file(options, suffix)
            if alt is None:
                from .describe import describe

                alt = describe(options)
            uri = Path(os.path.relpath(path, Path(self.env.doc2path(self.env.docname)).parent)).as_posix()
            image = nodes.image(uri=uri, alt=alt, classes=[*classes, *([f"only-{theme}"] if len(themes) > 1 else [])])
            self.set_source_info(image)
            images.append(image)
        caption = self.options.get("caption")
        if not caption:
            return images
        figure = nodes.figure("", *images)
        self.set_source_info(figure)
        inline, messages = self.state.inline_text(caption, self.lineno)
        node = nodes.caption(caption, "", *inline)
        self.set_source_info(node)
        figure += node
        return [figure, *messages]

    def _mapping(self) -> dict[str, Any]:
        """The render options given, with did-you-mean refusals, and data files read from the page's folder."""
        known = [*render_option_names(), *OWN_OPTIONS]
        mapping: dict[str, Any] = {}
        for key, value in self.options.items():
            if key in OWN_OPTIONS:
                continue
            if _canonical_or_none(key) is None:
                close = difflib.get_close_matches(key.replace("_", "-"), known, n=1)
                hint = f"; did you mean :{close[0]}:?" if close else f"; use one of :{':, :'.join(known)}:"
                raise SpecError(f"unknown option :{key}:{hint}")
            mapping[key] = value
        for key, value in list(mapping.items()):
            if canonical(key) in DATA_FIELDS and is_data_file(value):
                _, full = self.env.relfn2path(value.strip(), self.env.docname)
                self.env.note_dependency(full)
                mapping[key] = full
        return mapping

    def _suffix(self) -> str:
        text = self.options.get("format", "gif").strip().lower().lstrip(".") or "gif"
        allowed = image_suffixes()
        if "." + text not in allowed:
            choices = " or ".join(s.lstrip(".") for s in allowed)
            raise SpecError(f":format: {text!r} is not an image type convanim makes: use {choices}")
        return "." + text

    def _themes(self, mapping: dict[str, Any]) -> list[str | None]:
        if "themes" not in self.options:
            return [None]
        if any(_canonical_or_none(key) == "theme" for key in mapping):
            raise SpecError(":themes: makes one image per theme: drop :theme:")
        words = self.options["themes"].replace(",", " ").split()
        unknown = [word for word in words if word not in THEMES]
        if unknown or not words or len(set(words)) != len(words):
            raise SpecError(f":themes: {self.options['themes']!r} is not a list of themes: use light dark")
        return list(words)

    def _file(self, options: RenderOptions, suffix: str) -> Path:
        """The image file for ``options``: named by their hash, rendered only when it is new."""
        folder = Path(self.config.convanim_cache_dir or Path(self.env.doctreedir) / "convanim")
        path = folder / f"convanim-{option_hash(options, suffix)}{suffix}"
        if not path.is_file():
            from .assets import render_asset
            from .write.files import atomic_file

            data = render_asset(options, suffix)
            folder.mkdir(parents=True, exist_ok=True)
            with atomic_file(path) as stream:
                stream.write(data)
        return path


def _canonical_or_none(key: str) -> str | None:
    try:
        return canonical(key)
    except SpecError:
        return None


def option_hash(options: RenderOptions, suffix: str) -> str:
    """A name for what ``options`` render: their values, the data files' bytes, the version."""
    chosen = options.as_mapping()
    data = {}
    for field in DATA_FIELDS:
        value = chosen.get(field)
        if isinstance(value, str) and os.path.isfile(value):
            data[field] = hashlib.sha256(Path(value).read_bytes()).hexdigest()
    key = json.dumps(
        {"options": chosen, "data": data, "suffix": suffix, "version": __version__}, sort_keys=True, default=repr
    )
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def _resolve_cache_dir(app: Sphinx, config: Any) -> None:
    """``convanim_cache_dir`` is relative to the folder of ``conf.py``, as Sphinx's own paths are."""
    if config.convanim_cache_dir:
        config.convanim_cache_dir = str((Path(app.confdir) / config.convanim_cache_dir).resolve())


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the ``convanim`` directive and the ``convanim_cache_dir`` setting.

    ``convanim_cache_dir`` is where rendered files are kept (default: ``convanim/`` in the doctree
    folder), relative to the folder of ``conf.py``.
    """
    app.add_config_value("convanim_cache_dir", None, "env", types=frozenset({str, type(None)}))
    app.connect("config-inited", _resolve_cache_dir)
    app.add_directive("convanim", ConvanimDirective)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
