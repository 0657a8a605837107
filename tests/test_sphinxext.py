"""The Sphinx directive, tried on small Sphinx projects built inside the test suite.

Every image gets alt text; files are named by a hash and rendered once (a second build renders
nothing, serial or parallel); bad options and failed renders are warnings with file and line.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from sphinx.application import Sphinx
from sphinx.util.console import nocolor
from sphinx.util.docutils import docutils_namespace, patch_docutils

import convanim.assets
from convanim.describe import describe
from convanim.plan.options import RenderOptions
from convanim.sphinxext import ConvanimDirective, image_suffixes, option_hash

CONF = 'extensions = ["convanim.sphinxext", "myst_parser"]\nhtml_theme = "basic"\n'

INDEX = """\
Convolutions
============

.. toctree::

   markdown

.. convanim::
   :stride: 2
   :pad: 1

.. convanim::
   :transpose:
   :input-size: 2
   :stride: 2
   :pad: 1
   :output-padding: 1
   :themes: light dark
   :caption: Upsampling *by two*.

.. convanim::
   :input_size: 3
   :kernel-size: 2
   :format: png
   :frame: 1
   :class: wide
"""

MARKDOWN = """\
# In Markdown

```{convanim}
:input-size: 3
:kernel-size: 2
:alt: A 2x2 kernel on a 3x3 input.
```
"""

BAD = """\
Bad
===

.. convanim::
   :strid: 2

.. convanim::
   :stride: 0

.. convanim::
   :frame: 99

.. convanim::
   :format: bmp

.. convanim::
   :themes: light blue

.. convanim::
   :theme: dark
   :themes: light dark

.. convanim::
   :input-size: 3
   :kernel-size: 2
"""


def make_project(root: Path, pages: dict[str, str]) -> Path:
    src = root / "src"
    src.mkdir(parents=True)
    (src / "conf.py").write_text(CONF)
    for name, text in pages.items():
        (src / name).write_text(text)
    return src


def build(src: Path, *, fresh: bool = False, parallel: int = 1, strict: bool = False) -> tuple[Sphinx, str, str]:
    """Build ``src`` as HTML into its sibling ``_build``; returns the app, status text and warnings."""
    status, warning = io.StringIO(), io.StringIO()
    out = src.parent / "_build"
    nocolor()
    with patch_docutils(src), docutils_namespace():  # as sphinx-build does: each build registers afresh
        app = Sphinx(
            srcdir=src,
            confdir=src,
            outdir=out / "html",
            doctreedir=out / "doctrees",
            buildername="html",
            status=status,
            warning=warning,
            freshenv=fresh,
            warningiserror=strict,
            parallel=parallel,
        )
        app.build()
    return app, status.getvalue(), warning.getvalue()


@pytest.fixture
def render_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A file each finished render appends a line to (forked parallel readers inherit the patch)."""
    log = tmp_path / "renders.log"
    log.write_text("")
    original = convanim.assets.render_asset

    def counting(options: RenderOptions, suffix: str) -> bytes:
        data = original(options, suffix)
        with log.open("a") as stream:
            stream.write(f"{suffix}\n")
        return data

    monkeypatch.setattr(convanim.assets, "render_asset", counting)
    return log


def images(html: str) -> list[dict[str, str]]:
    return [dict(re.findall(r'(\w+)="([^"]*)"', tag)) for tag in re.findall(r"<img [^>]*>", html)]


def cache(src: Path) -> dict[str, tuple[int, int]]:
    folder = src.parent / "_build" / "doctrees" / "convanim"
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.iterdir()}


def test_a_project_builds_with_alt_text_and_a_second_build_renders_nothing(tmp_path: Path, render_log: Path) -> None:
    src = make_project(tmp_path, {"index.rst": INDEX, "markdown.md": MARKDOWN})
    app, _, warnings = build(src)
    assert warnings == ""
    assert app.statuscode == 0
    html = (src.parent / "_build" / "html" / "index.html").read_text()
    found = images(html)
    assert len(found) == 4
    assert all(image["alt"] for image in found)
    assert found[0]["alt"] == describe(RenderOptions.from_mapping({"stride": 2, "pad": 1}))
    assert found[0]["alt"].startswith("Convolution of a 5x5 input, zero-padded by 1 on each side")
    light, dark = found[1], found[2]
    assert (light["class"], dark["class"]) == ("only-light", "only-dark")
    assert light["src"] != dark["src"] and light["alt"] == dark["alt"]
    assert light["src"].startswith("_images/convanim-") and light["src"].endswith(".gif")
    assert '<figcaption>\n<p><span class="caption-text">Upsampling <em>by two</em>.</span>' in html
    assert found[3]["src"].endswith(".png") and found[3]["class"] == "wide"
    md = images((src.parent / "_build" / "html" / "markdown.html").read_text())
    assert [image["alt"] for image in md] == ["A 2x2 kernel on a 3x3 input."]
    for image in [*found, *md]:
        assert (src.parent / "_build" / "html" / image["src"]).is_file()
    assert len(render_log.read_text().splitlines()) == 5
    files = cache(src)
    assert len(files) == 5

    # A fresh environment runs every directive again: every hash is known, so nothing is rendered.
    render_log.write_text("")
    app, _, warnings = build(src, fresh=True)
    assert warnings == "" and app.statuscode == 0
    assert render_log.read_text() == ""
    assert cache(src) == files

    # Parallel reading (-j 2) is allowed and finds the same files.
    app, _, warnings = build(src, fresh=True, parallel=2)
    assert app.is_parallel_allowed("read") and app.is_parallel_allowed("write")
    assert warnings == "" and app.statuscode == 0
    assert render_log.read_text() == ""
    assert cache(src) == files

    # A changed option is a new hash: only that image is rendered.
    (src / "markdown.md").write_text(MARKDOWN.replace(":kernel-size: 2", ":kernel-size: 2\n:theme: dark"))
    app, _, warnings = build(src)
    assert warnings == ""
    assert render_log.read_text() == ".gif\n"
    assert len(cache(src)) == 6


def test_bad_options_are_warnings_with_file_and_line(tmp_path: Path, render_log: Path) -> None:
    src = make_project(tmp_path, {"index.rst": BAD})
    app, status, warnings = build(src)
    assert app.statuscode == 0  # the build goes on
    where = f"{src / 'index.rst'}"
    assert warnings.splitlines() == [
        f"{where}:4: WARNING: convanim: unknown option :strid:; did you mean :stride:? [convanim]",
        f"{where}:7: WARNING: convanim: :stride: 0 is out of range: use a stride of 1 or more [convanim]",
        f"{where}:10: WARNING: convanim: :frame: 99 is out of range: this animation has frames 0 to 8 [convanim]",
        f"{where}:13: WARNING: convanim: :format: 'bmp' is not an image type convanim makes: use "
        + " or ".join(s.lstrip(".") for s in image_suffixes())
        + " [convanim]",
        f"{where}:16: WARNING: convanim: :themes: 'light blue' is not a list of themes: use light dark [convanim]",
        f"{where}:19: WARNING: convanim: :themes: makes one image per theme: drop :theme: [convanim]",
    ]
    assert "Traceback" not in status + warnings
    html = (src.parent / "_build" / "html" / "index.html").read_text()
    assert len(images(html)) == 1  # the good directive still makes its image
    assert render_log.read_text() == ".gif\n"

    app, _, _ = build(src, fresh=True, strict=True)
    assert app.statuscode == 1  # -W fails the build


def test_a_failed_render_is_a_warning_not_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(options: RenderOptions, suffix: str) -> bytes:
        raise RuntimeError("the disk caught fire")

    monkeypatch.setattr(convanim.assets, "render_asset", broken)
    src = make_project(tmp_path, {"index.rst": "Page\n====\n\n.. convanim::\n   :stride: 2\n"})
    app, status, warnings = build(src)
    assert app.statuscode == 0
    assert warnings == (
        f"{src / 'index.rst'}:4: WARNING: convanim: render failed: RuntimeError: the disk caught fire [convanim]\n"
    )
    assert "Traceback" not in status
    assert not (src.parent / "_build" / "doctrees" / "convanim").exists()


def test_svg_is_accepted_when_the_registry_has_it(tmp_path: Path) -> None:
    if ".svg" not in image_suffixes():
        pytest.skip("the output registry has no .svg yet")
    src = make_project(tmp_path, {"index.rst": "Page\n====\n\n.. convanim::\n   :input-size: 3\n   :format: svg\n"})
    _, _, warnings = build(src)
    assert warnings == ""
    (image,) = images((src.parent / "_build" / "html" / "index.html").read_text())
    assert image["src"].endswith(".svg") and image["alt"]
    assert (src.parent / "_build" / "html" / image["src"]).read_text().lstrip().startswith(("<?xml", "<svg"))


def test_options_are_renders_long_names_and_the_hash_covers_what_changes_the_picture() -> None:
    spec = ConvanimDirective.option_spec
    for name in ("input-size", "pad", "transpose", "output-padding", "steps", "alt", "caption", "format", "themes"):
        assert name in spec
    assert "output" not in spec
    base = RenderOptions.from_mapping({"stride": 2})
    assert option_hash(base, ".gif") == option_hash(RenderOptions.from_mapping({"stride": "2"}), ".gif")
    assert option_hash(base, ".gif") != option_hash(base, ".png")
    assert option_hash(base, ".gif") != option_hash(RenderOptions.from_mapping({"stride": 2, "theme": "dark"}), ".gif")
