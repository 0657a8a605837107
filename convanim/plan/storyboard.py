"""Which trace step each frame shows, and for how long. Pure: no drawing, no numpy.

A frame is a function of (trace, frame): the renderer draws ``Frame.step`` (and ``Frame.term`` in
term granularity); timing is data in integer milliseconds. A transposed convolution ends with one
extra frame, the crop of the canvas to the output (its ``step`` is the number of steps).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ..compute.spec import ConvSpec
from ..errors import SpecError

GRANULARITIES = ("placement", "term")


@dataclass(frozen=True)
class Frame:
    """One frame: the step shown, the term within it (``None``: the whole step), its duration."""

    step: int
    term: int | None
    duration_ms: int
    crop: bool = False  # transposed: the final crop of the canvas to the output


@dataclass(frozen=True)
class Storyboard:
    """The frame plan: the steps ``start:stop`` at a granularity, with timing.

    ``len()`` and iteration are cheap: frames are made on demand, so a long animation is never
    held as a list.
    """

    spec: ConvSpec
    granularity: str = "placement"
    start: int = 0
    stop: int | None = None
    frame_ms: int = 800
    hold_ms: int = 2400

    def __post_init__(self) -> None:
        if self.granularity not in GRANULARITIES:
            raise SpecError(f"‹steps› {self.granularity!r} is unknown: use placement or term")
        if self.granularity == "term" and self.spec.transposed:
            raise SpecError(
                "‹steps› term shows the multiply-adds of a forward convolution; a transposed "
                "convolution is drawn one stamp per frame: drop ‹steps› term"
            )
        total = self.total_steps
        if not 0 <= self.start < total or (self.stop is not None and not self.start < self.stop):
            raise SpecError(
                f"‹frames› {self.start}:{'' if self.stop is None else self.stop} selects no steps: "
                f"this animation has steps 0 to {total - 1}"
            )

    @property
    def total_steps(self) -> int:
        """Steps on the board: the trace's steps, plus the crop for a transposed convolution."""
        return self.spec.n_steps + (1 if self.spec.transposed else 0)

    @property
    def steps(self) -> range:
        stop = self.total_steps if self.stop is None else min(self.stop, self.total_steps)
        return range(self.start, stop)

    @property
    def terms(self) -> int:
        return self.spec.terms_per_step if self.granularity == "term" else 1

    def __len__(self) -> int:
        return len(self.steps) * self.terms

    def __iter__(self) -> Iterator[Frame]:
        last = len(self) - 1
        index = 0
        crop_step = self.spec.n_steps if self.spec.transposed else -1
        for step in self.steps:
            for term in range(self.terms):
                duration = self.hold_ms if index == last else self.frame_ms
                yield Frame(
                    step=step,
                    term=term if self.granularity == "term" else None,
                    duration_ms=duration,
                    crop=step == crop_step,
                )
                index += 1

    def frame(self, index: int) -> Frame:
        """Frame ``index`` (negative counts from the end)."""
        count = len(self)
        if not -count <= index < count:
            raise SpecError(f"‹frame› {index} is out of range: this animation has frames 0 to {count - 1}")
        index %= count
        step = self.steps[index // self.terms]
        return Frame(
            step=step,
            term=index % self.terms if self.granularity == "term" else None,
            duration_ms=self.hold_ms if index == count - 1 else self.frame_ms,
            crop=self.spec.transposed and step == self.spec.n_steps,
        )
