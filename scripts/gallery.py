"""Print the README's gallery section from convanim's own manifest (one place drives both).

The gallery is ``[tool.convanim]`` in pyproject.toml: ``convanim assets`` renders it into
``assets/``, and this script writes each asset's picture, with what ``convanim describe`` says of
it as the alt text, and the command that makes it.

python scripts/gallery.py            # print the section
python scripts/gallery.py --check    # exit 1 if README.md's section differs
python scripts/gallery.py --write    # rewrite README.md's section
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from convanim.describe import describe
from convanim.manifest import load

ROOT = Path(__file__).resolve().parent.parent
BEGIN, END = "<!-- gallery:begin -->", "<!-- gallery:end -->"


def markdown_text(text: str) -> str:
    """``text`` with the characters Markdown would read as markup escaped (``2*1`` stays ``2*1``)."""
    return re.sub(r"([\\`*_\[\]<>])", r"\\\1", text)


def section() -> str:
    manifest = load(ROOT / "pyproject.toml")
    folder = manifest.out_dir.relative_to(ROOT).as_posix()
    lines = [BEGIN, ""]
    for asset in manifest.assets:
        alt = markdown_text(describe(asset.options))
        lines += [
            f"### `{asset.name}`",
            "",
            f"![{alt}]({folder}/{asset.output})",
            "",
            "```sh",
            asset.command(),
            "```",
            "",
        ]
    lines.append(END)
    return "\n".join(lines)


def main() -> int:
    text = section()
    if "--check" in sys.argv:
        readme = (ROOT / "README.md").read_text(encoding="utf-8")
        start, end = readme.find(BEGIN), readme.find(END)
        current = readme[start : end + len(END)] if start >= 0 and end >= 0 else ""
        if current != text:
            print("README.md gallery is out of date: run python scripts/gallery.py --write", file=sys.stderr)
            return 1
        return 0
    if "--write" in sys.argv:
        path = ROOT / "README.md"
        readme = path.read_text(encoding="utf-8")
        start, end = readme.find(BEGIN), readme.find(END)
        path.write_text(readme[:start] + text + readme[end + len(END) :], encoding="utf-8")
        return 0
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
