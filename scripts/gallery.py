"""Print the README's gallery section from the preset table (one place drives both).

python scripts/gallery.py            # print the section
python scripts/gallery.py --check    # exit 1 if README.md's section differs
"""

from __future__ import annotations

import sys
from pathlib import Path

from convanim.plan.presets import PRESETS

ROOT = Path(__file__).resolve().parent.parent
BEGIN, END = "<!-- gallery:begin -->", "<!-- gallery:end -->"


def section() -> str:
    lines = [BEGIN, ""]
    for preset in PRESETS.values():
        lines += [
            f"### `{preset.name}`: {preset.title}",
            "",
            f"![{preset.name}](assets/{preset.filename})",
            "",
            "```sh",
            preset.command(),
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
