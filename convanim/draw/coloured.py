"""The default scenes, coloured by value when their numbers cannot be read (see :mod:`.ramp`), and
with a named kernel's name in the kernel panel's title."""

from __future__ import annotations

from dataclasses import replace

from .layout import Layout, default_panels, make_layout
from .ramp import ColouredScene
from .scenes import ForwardScene, ScatterScene, Scene


class NamedKernel(Scene):
    """A scene whose kernel panel is titled with the kernel's name (``kernel sobel-x 3×3``)."""

    def plan(self) -> Layout:
        name = self.trace.kernel_name
        if name is None:
            return super().plan()
        spec = self.trace.spec
        panels = default_panels(spec, self.look.names)
        word = self.look.names[1]
        kernel = panels[1]
        detail = kernel.detail
        if not detail and (spec.out_channels if not spec.transposed else spec.in_channels) <= 1:
            detail = (
                "as conv_transpose2d stamps it (not flipped)"
                if spec.transposed
                else "as conv2d applies it (cross-correlation, not flipped)"
            )
        panels[1] = replace(kernel, title=kernel.title.replace(word, f"{word} {name}", 1), detail=detail)
        return make_layout(spec, self.metrics, self.cell_px, self.look.values, panels, roving=self.roving_panels)


class ColouredForwardScene(ColouredScene, NamedKernel, ForwardScene):
    """A forward convolution; a 28×28 picture through Sobel reads as two pictures."""


class ColouredScatterScene(ColouredScene, NamedKernel, ScatterScene):
    """A transposed convolution (the scatter view)."""


__all__ = ["ColouredForwardScene", "ColouredScatterScene", "NamedKernel"]
