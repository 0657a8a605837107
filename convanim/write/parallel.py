"""Compress frames on every core, in order, through a bounded queue. Knows nothing about convolution.

A writer decides *what* each frame is (the box that changed, the pixels kept as transparent, the
merged durations) in one process, in order, as it does on one core; only the compression of each
frame, which depends on that frame alone, goes to worker processes. Their results are written in
submission order, so the file's bytes are the one-core path's bytes whatever the number of workers.

Processes, not threads: Pillow's in-memory encoder (``ImagingEncoder.encode``, which
``GifImagePlugin.getdata`` and the PNG writer use) holds the GIL while it compresses (only its
file-descriptor variant releases it), so threads would take turns on one core.

Each batch goes to whichever worker is free (one pipe per worker, no scheduler thread): a worker
that finishes early takes the next batch instead of waiting for a slower one's turn. Results
that come back early wait here until those before them are written, so the output is in
submission order; at most ``WINDOW`` batches per worker are sent ahead of the oldest unwritten
one, so memory stays flat. A worker is sent a batch only when it has handed back its last results
and waits to read, so neither side can block writing into a full pipe while the other does the
same: no deadlock. Workers start only once a render has enough frames to pay for them
(``START_AFTER``), so a short animation costs no process start-up. A worker whose parent is gone
(even killed) reads the end of its pipe and exits. Workers ignore Ctrl-C: the parent handles it
and stops them.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

T = TypeVar("T")
R = TypeVar("R")

HELD = {signal.SIGINT, signal.SIGTERM}  # held while a worker starts: see OrderedPool._start
BATCH = 16  # frames per task: one pickle round trip carries many small frame patches
START_AFTER = 64  # frames done in this process before workers are started (short renders stay serial)
WINDOW = 2  # batches per worker that may be sent ahead of the oldest one not yet written


class WorkerError(RuntimeError):
    """A worker failed: what it raised, as a message (the work is lost; the parent stops the rest)."""


def available_cores() -> int:
    """The cores this process may run on (its affinity where the platform says, else the CPU count)."""
    affinity = getattr(os, "sched_getaffinity", None)
    count = len(affinity(0)) if affinity is not None else os.cpu_count()
    return max(1, count or 1)


def resolve_jobs(jobs: int | None) -> int:
    """``jobs`` as a count of workers: None means every available core."""
    return available_cores() if jobs is None else max(1, jobs)


def can_fork() -> bool:
    """Whether worker processes can be forked here (they start with this process's modules and data)."""
    return hasattr(os, "fork")


def in_daemon() -> bool:
    """Whether this is a daemonic process (a multiprocessing.Pool worker), which may not start processes.

    A process that has not imported multiprocessing is not one of its workers: the import (about
    10 ms: it brings in sockets, subprocesses and temporary files) waits for the first pool that
    starts workers, so a short render never pays it.
    """
    imported = sys.modules.get("multiprocessing")
    return imported is not None and bool(imported.current_process().daemon)


def _context() -> Any:
    # fork: a worker starts in milliseconds with the parent's modules loaded (no re-import of
    # numpy and Pillow, which costs more than a short render); elsewhere the platform's default.
    import multiprocessing

    return multiprocessing.get_context("fork" if can_fork() else None)


def _serve(conn: Connection, function: Callable[[T], R], inherited: list[Connection]) -> None:
    """A worker: batches in, results out, until its pipe ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what an interrupt stops
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):  # held since the fork (see OrderedPool._start): now they may come
        signal.pthread_sigmask(signal.SIG_UNBLOCK, HELD)
    for other in inherited:  # the parent's ends (this worker's and earlier ones'): only EOF may tell
        other.close()
    while True:
        try:
            items = conn.recv()
        except (EOFError, OSError):
            return
        try:
            results = [function(item) for item in items]
        except Exception as err:  # handed to the parent, which raises it
            conn.send(WorkerError(f"{type(err).__name__}: {err}"))
            return
        conn.send(results)


class OrderedPool(Generic[T, R]):
    """``function`` applied to each submitted item, results handed to ``sink`` in submission order.

    With ``jobs`` 1 (or before ``START_AFTER`` items) the work is done here, at once; otherwise it
    goes to ``jobs`` worker processes in batches of ``BATCH``, each to the first worker free.
    ``function`` must be a module-level function (a spawned worker finds it by name).
    """

    def __init__(
        self,
        function: Callable[[T], R],
        sink: Callable[[R], None],
        jobs: int = 1,
        *,
        batch: int | None = None,
        start_after: int | None = None,
    ) -> None:
        self.function = function
        self.sink = sink
        # A daemonic process (a multiprocessing.Pool worker) may not start processes: work here.
        self.jobs = 1 if in_daemon() else max(1, jobs)
        self.batch_size = BATCH if batch is None else batch
        self.start_after = START_AFTER if start_after is None else start_after
        self.batch: list[T] = []
        self.workers: list[tuple[Any, Connection]] = []
        self.idle: list[int] = []  # workers waiting for a batch
        self.busy: dict[int, int] = {}  # worker -> the number of the batch it works on
        self.done: dict[int, list[R]] = {}  # results back before those of earlier batches
        self.sent = 0  # batches sent
        self.written = 0  # batches whose results the sink has had
        self.seen = 0

    @property
    def started(self) -> bool:
        """Whether worker processes are running."""
        return bool(self.workers)

    def submit(self, item: T) -> None:
        """Queue ``item``; may write earlier results (in order) to keep the queue bounded."""
        self.seen += 1
        if self.jobs == 1 or (not self.workers and self.seen <= self.start_after):
            self.sink(self.function(item))
            return
        if not self.workers:
            self._start()
        self.batch.append(item)
        if len(self.batch) >= self.batch_size:
            self._send()

    def _start(self) -> None:
        context = _context()
        parents: list[Connection] = []
        # A forked worker starts with this process's signal handlers (which raise, to clean up
        # here) until it sets its own: it is started with SIGINT and SIGTERM held, so that one
        # sent in between ends it quietly once it has, and this process gets its own after.
        held = signal.pthread_sigmask(signal.SIG_BLOCK, HELD) if hasattr(signal, "pthread_sigmask") else None
        try:
            for _ in range(self.jobs):
                parent, child = context.Pipe()
                parents.append(parent)
                process = context.Process(target=_serve, args=(child, self.function, list(parents)), daemon=True)
                process.start()
                child.close()
                self.idle.append(len(self.workers))
                self.workers.append((process, parent))
        finally:
            if held is not None:
                signal.pthread_sigmask(signal.SIG_SETMASK, held)

    def _send(self) -> None:
        while not self.idle or self.sent - self.written >= WINDOW * self.jobs:
            self._receive()
        worker = self.idle.pop(0)
        self.workers[worker][1].send(self.batch)
        self.busy[worker] = self.sent
        self.sent += 1
        self.batch = []

    def _receive(self) -> None:
        """Wait for any busy worker's results; write those now in order."""
        from multiprocessing.connection import Connection, wait

        by_conn = {self.workers[worker][1]: worker for worker in self.busy}
        for conn in wait(list(by_conn)):
            assert isinstance(conn, Connection)
            worker = by_conn[conn]
            try:
                results = conn.recv()
            except (EOFError, OSError) as err:
                raise WorkerError(f"a worker process ended without its results ({err or 'killed'})") from err
            if isinstance(results, WorkerError):
                raise results
            self.done[self.busy.pop(worker)] = results
            self.idle.append(worker)
        self.idle.sort()  # the lowest free worker first: the same workers do the work run to run
        while self.written in self.done:
            for result in self.done.pop(self.written):
                self.sink(result)
            self.written += 1

    def drain(self) -> None:
        """Write every pending result, in order."""
        if self.batch:
            self._send()
        while self.written < self.sent:
            self._receive()

    def close(self) -> None:
        """Stop the workers (after :meth:`drain`, or after a failure: pending work is dropped)."""
        workers, self.workers = self.workers, []
        unfinished = self.written < self.sent
        for process, conn in workers:
            conn.close()  # the worker reads the end of its pipe and exits
            if unfinished:
                process.terminate()  # do not wait for work nobody will read
        for process, _ in workers:
            process.join(timeout=5)
            if process.is_alive():  # pragma: no cover - a worker stuck in a library call
                process.kill()
                process.join()
        self.sent = self.written = 0
        self.batch = []
        self.idle, self.busy, self.done = [], {}, {}
