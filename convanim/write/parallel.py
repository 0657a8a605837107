"""Compress frames on every core, in order, through a bounded queue. Knows nothing about convolution.

A writer decides *what* each frame is (the box that changed, the pixels kept as transparent, the
merged durations) in one process, in order, as it does on one core; only the compression of each
frame, which depends on that frame alone, goes to worker processes. Their results are written in
submission order, so the file's bytes are the one-core path's bytes whatever the number of workers.

Processes, not threads: Pillow's in-memory encoder (``ImagingEncoder.encode``, which
``GifImagePlugin.getdata`` and the PNG writer use) holds the GIL while it compresses (only its
file-descriptor variant releases it), so threads would take turns on one core.

Memory stays flat: at most ``depth`` batches are in flight; submitting one more first writes the
oldest. Workers start only once a render has enough frames to pay for them (``START_AFTER``), so
a short animation costs no process start-up.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

BATCH = 16  # frames per task: one pickle round trip carries many small frame patches
START_AFTER = 64  # frames done in this process before workers are started (short renders stay serial)


def available_cores() -> int:
    """The cores this process may run on (its affinity where the platform says, else the CPU count)."""
    affinity = getattr(os, "sched_getaffinity", None)
    count = len(affinity(0)) if affinity is not None else os.cpu_count()
    return max(1, count or 1)


def resolve_jobs(jobs: int | None) -> int:
    """``jobs`` as a count of workers: None means every available core."""
    return available_cores() if jobs is None else max(1, jobs)


def _context() -> Any:
    # fork: a worker starts in milliseconds with the parent's modules loaded (no re-import of
    # numpy and Pillow, which costs more than a short render); elsewhere the platform's default.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


def _run_batch(function: Callable[[T], R], items: list[T]) -> list[R]:
    return [function(item) for item in items]


class OrderedPool(Generic[T, R]):
    """``function`` applied to each submitted item, results handed to ``sink`` in submission order.

    With ``jobs`` 1 (or before ``START_AFTER`` items) the work is done here, at once; otherwise it
    goes to ``jobs`` worker processes in batches of ``BATCH``, at most ``depth`` batches in flight.
    ``function`` must be a module-level function (it is pickled by name).
    """

    def __init__(self, function: Callable[[T], R], sink: Callable[[R], None], jobs: int = 1) -> None:
        self.function = function
        self.sink = sink
        self.jobs = max(1, jobs)
        self.depth = 4 * self.jobs
        self.batch: list[T] = []
        self.inflight: deque[Future[list[R]]] = deque()
        self.executor: Executor | None = None
        self.seen = 0

    def submit(self, item: T) -> None:
        """Queue ``item``; may write earlier results (in order) to keep the queue bounded."""
        self.seen += 1
        if self.jobs == 1 or (self.executor is None and self.seen <= START_AFTER):
            self.sink(self.function(item))
            return
        if self.executor is None:
            self.executor = ProcessPoolExecutor(max_workers=self.jobs, mp_context=_context())
        self.batch.append(item)
        if len(self.batch) >= BATCH:
            self._send()

    def _send(self) -> None:
        assert self.executor is not None
        while len(self.inflight) >= self.depth:
            self._receive()
        self.inflight.append(self.executor.submit(_run_batch, self.function, self.batch))
        self.batch = []

    def _receive(self) -> None:
        for result in self.inflight.popleft().result():
            self.sink(result)

    def drain(self) -> None:
        """Write every pending result, in order."""
        if self.batch:
            if self.executor is None:  # pragma: no cover - a batch exists only with an executor
                self._write_now(self.batch)
            else:
                self._send()
        while self.inflight:
            self._receive()

    def _write_now(self, items: Iterable[T]) -> None:
        for item in items:
            self.sink(self.function(item))
        self.batch = []

    def close(self) -> None:
        """Stop the workers (after :meth:`drain`, or after a failure: pending work is dropped)."""
        if self.executor is not None:
            for future in self.inflight:
                future.cancel()
            self.inflight.clear()
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None
