"""Render a broad spread of configurations and write a contact sheet to look at.

    python scripts/sweep.py [--out sweep] [--frame middle|last] [--only WORD]

Each configuration is rendered as one still (the middle frame by default, where a window is at
work) at the automatic cell size, through the same options interpreter as the CLI. The script
prints every picture's size, flags any larger than a 1920x1080 slide, and writes
``OUT/sheet-N.png`` contact sheets (each picture scaled to fit its tile, its command under it) and
``OUT/NAME.png`` at 100 %. Look at them before you stop: the tests check numbers, not taste.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from convanim.paint.fonts import font
from convanim.pipeline import encode, from_options
from convanim.plan.options import RenderOptions

SLIDE = (1920, 1080)

SWEEP: dict[str, str] = {
    "stride_pad": "-s 2 -p 1",
    "rect_pad": "-i 5x7 -k 3x2 -p 0x2",
    "dilation": "-i 7 -d 2",
    "big_32": "-i 32 -k 5 -p 2",
    "floats": "--values random -i 4 --kernel-values gaussian3",
    "terms": "-i 4 --steps term",
    "terms_channels": "-i 4 --steps term --in-channels 3",
    "ch3_f2_bias": "--in-channels 3 --out-channels 2 -p 1 -s 2 --bias",
    "ch8_f8": "-i 8 -p 1 --in-channels 8 --out-channels 8",
    "ch8_f8_g4": "-i 8 -p 1 --in-channels 8 --out-channels 8 --groups 4",
    "ch6_f2": "-i 6 -p 1 --in-channels 6 --out-channels 2",
    "ch2_f8": "-i 6 -p 1 --in-channels 2 --out-channels 8",
    "depthwise4": "-i 5 -p 1 --in-channels 4 --out-channels 4 --groups 4",
    "transposed": "--transpose -i 2 -s 2 -p 1 --output-padding 1",
    "transposed_big": "--transpose -i 6 -k 4 -s 2 -p 1",
    "transposed_ch": "--transpose -i 3 -s 2 --in-channels 3 --out-channels 2",
    "symbolic_1d": "--values symbolic -i 1x4 -k 1x3 -p 0x1",
    "symbolic_2d": "--values symbolic -i 3 -k 2",
    "symbolic_t": "--values symbolic --transpose -i 1x3 -k 1x3 -s 1x2",
    "matrix_1d": "--values symbolic -i 1x4 -k 1x3 -p 0x1 --view matrix",
    "matrix_2d": "-i 3 -k 2 --view matrix",
    "matrix_t": "--transpose -i 2 -k 2 --view matrix",
    "grad_input": "--grad input -p 1 -s 2",
    "grad_weight": "--grad weight -p 1 -i 4",
    "grad_weight_ch": "--grad weight -p 1 -i 4 --in-channels 2 --out-channels 3 --bias",
    "grad_input_ch": "--grad input -p 1 -i 4 --in-channels 2 --out-channels 3",
    "one_d": "-i 1x7 -k 3 -s 2 -p 1",
    "one_d_long": "-i 1x24 -k 5 -p 2",
    "dark": "-s 2 -p 1 --theme dark",
    "dark_transposed": "--transpose -i 3 -s 2 -p 1 --theme dark",
    "dark_grad": "--grad weight -p 1 -i 4 --theme dark",
    "no_values": "-i 9 -p 1 --no-values",
    "arange_big": "--values arange -i 12 -k 3",
    "ones": "--values ones -i 5 -k 3 -s 2",
}


def _mapping(args: str) -> dict[str, str | bool]:
    from convanim.cli import cli

    words = args.split()
    ctx = cli.commands["render"].make_context("render", [w for w in words])
    from click.core import ParameterSource

    given = {
        name: value
        for name, value in ctx.params.items()
        if ctx.get_parameter_source(name) == ParameterSource.COMMANDLINE and name != "output"
    }
    return given


def render(args: str, frame: str) -> Image.Image:
    mapping = _mapping(args)
    options = RenderOptions.from_mapping(mapping)
    animation = from_options(options)
    count = len(animation.storyboard())
    index = count // 2 if frame == "middle" else count - 1
    buffer = io.BytesIO()
    encode(from_options(options.with_changes(frame=index)), buffer, ".png")
    buffer.seek(0)
    with Image.open(buffer) as image:
        return image.convert("RGB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="sweep", help="folder for the sheets and pictures")
    parser.add_argument("--frame", choices=["middle", "last"], default="middle")
    parser.add_argument("--only", default="", help="only configurations whose name contains this")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    pictures: list[tuple[str, Image.Image]] = []
    largest = (0, 0, "")
    for name, command in SWEEP.items():
        if args.only not in name:
            continue
        try:
            image = render(command, args.frame)
        except Exception as err:  # a sweep reports every failure and goes on
            print(f"FAIL  {name:18s} {command}: {err}")
            continue
        w, h = image.size
        flag = "  OVER 1920x1080" if w > SLIDE[0] or h > SLIDE[1] else ""
        print(f"{w:5d}x{h:<5d} {name:18s} {command}{flag}")
        if w * h > largest[0] * largest[1]:
            largest = (w, h, name)
        image.save(out / f"{name}.png")
        pictures.append((f"{name}: {command}", image))
    print(f"largest picture: {largest[0]}x{largest[1]} ({largest[2]})")
    tile_w, tile_h, per_sheet = 640, 400, 12
    label = font(13)
    for sheet_index in range(0, len(pictures), per_sheet):
        chunk = pictures[sheet_index : sheet_index + per_sheet]
        cols = 3
        rows = (len(chunk) + cols - 1) // cols
        sheet = Image.new("RGB", (cols * tile_w, rows * (tile_h + 20)), "white")
        draw = ImageDraw.Draw(sheet)
        for i, (caption, image) in enumerate(chunk):
            x, y = (i % cols) * tile_w, (i // cols) * (tile_h + 20)
            thumb = image.copy()
            thumb.thumbnail((tile_w - 8, tile_h - 8))
            sheet.paste(thumb, (x + 4, y + 4))
            draw.text((x + 4, y + tile_h), caption[:90], fill="black", font=label)
        path = out / f"sheet-{sheet_index // per_sheet + 1}.png"
        sheet.save(path)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
