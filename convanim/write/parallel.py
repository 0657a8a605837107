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

import contextlib
import os
import pickle
import signal
import struct
import sys
import time
from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

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

    A process that has not imported multiprocessing is not one of its workers, and convanim
    imports it only where it cannot fork (see _SpawnedWorker): asking costs no import.
    """
    imported = sys.modules.get("multiprocessing")
    return imported is not None and bool(imported.current_process().daemon)


class Channel(Protocol):
    """One end of a worker's pipes: whole pickled messages each way."""

    def send(self, message: Any) -> None: ...

    def recv(self) -> Any: ...

    def close(self) -> None: ...


class Worker(Channel, Protocol):
    """A worker process as the pool sees it: its channel, and its life."""

    def terminate(self) -> None: ...

    def kill(self) -> None: ...

    def join(self, timeout: float | None = None) -> None: ...

    def is_alive(self) -> bool: ...


class _Pipes:
    """A channel over two pipe descriptors: each message is its pickle, after its length (8 bytes)."""

    def __init__(self, read: int, write: int) -> None:
        self.read, self.write = read, write

    def send(self, message: Any) -> None:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        for chunk in (struct.pack("<Q", len(data)), data):
            view = memoryview(chunk)
            while view:
                view = view[os.write(self.write, view) :]

    def _exactly(self, size: int) -> bytes:
        chunks = []
        while size:
            chunk = os.read(self.read, min(size, 1 << 22))
            if not chunk:
                raise EOFError("the other end closed its pipe")
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    def recv(self) -> Any:
        (size,) = struct.unpack("<Q", self._exactly(8))
        return pickle.loads(self._exactly(size))

    def close(self) -> None:
        for fd in (self.read, self.write):
            with contextlib.suppress(OSError):
                os.close(fd)
        self.read = self.write = -1


class _ForkedWorker(_Pipes):
    """A worker forked here: it starts in milliseconds with this process's modules and data loaded
    (no re-import of numpy and Pillow, which costs more than a short render), and without
    multiprocessing, whose import (sockets, subprocesses, temporary files) and process start-up
    took about 15 ms of every render that starts workers."""

    def __init__(self, function: Callable[[Any], Any], others: list[Worker]) -> None:
        down_read, down_write = os.pipe()  # batches to the worker
        up_read, up_write = os.pipe()  # its results back
        for stream in (sys.stdout, sys.stderr):  # nothing buffered here may be written twice
            with contextlib.suppress(Exception):
                stream.flush()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the worker (coverage does not follow a fork)
            code = 1
            try:
                os.close(down_write)
                os.close(up_read)
                for other in others:  # the parent's ends of earlier workers: only EOF may tell
                    other.close()
                _serve(_Pipes(down_read, up_write), function)
                code = 0
            finally:
                os._exit(code)  # no clean-up of the parent's objects, no atexit: they are the parent's
        os.close(down_read)
        os.close(up_write)
        super().__init__(up_read, down_write)
        self.pid = pid
        self.exitcode: int | None = None

    def fileno(self) -> int:
        return self.read

    def _reap(self, wait: bool) -> None:
        if self.exitcode is None:
            with contextlib.suppress(ChildProcessError):
                pid, status = os.waitpid(self.pid, 0 if wait else os.WNOHANG)
                if pid:
                    self.exitcode = os.waitstatus_to_exitcode(status)

    def _signal(self, number: int) -> None:
        self._reap(wait=False)
        if self.exitcode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, number)

    def terminate(self) -> None:
        self._signal(signal.SIGTERM)

    def kill(self) -> None:
        self._signal(signal.SIGKILL)

    def join(self, timeout: float | None = None) -> None:
        if timeout is None:
            self._reap(wait=True)
            return
        deadline = time.monotonic() + timeout
        self._reap(wait=False)
        while self.exitcode is None and time.monotonic() < deadline:
            time.sleep(0.002)
            self._reap(wait=False)

    def is_alive(self) -> bool:
        self._reap(wait=False)
        return self.exitcode is None


class _SpawnedWorker:
    """A multiprocessing worker, where a process cannot be forked: it imports convanim again and
    finds ``function`` by name."""

    def __init__(self, function: Callable[[Any], Any], others: list[Worker]) -> None:
        import multiprocessing

        context = multiprocessing.get_context()
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, function), daemon=True)
        self.process.start()
        child.close()

    def send(self, message: Any) -> None:
        self.conn.send(message)

    def recv(self) -> Any:
        return self.conn.recv()

    def close(self) -> None:
        self.conn.close()

    def terminate(self) -> None:
        self.process.terminate()

    def kill(self) -> None:
        self.process.kill()

    def join(self, timeout: float | None = None) -> None:
        self.process.join(timeout)

    def is_alive(self) -> bool:
        return bool(self.process.is_alive())


def _ready(busy: list[Worker]) -> list[Worker]:
    """The busy workers with results to read (waiting until there is at least one)."""
    forked = [worker for worker in busy if isinstance(worker, _ForkedWorker)]
    if len(forked) == len(busy):
        import select

        return list(select.select(forked, [], [])[0])
    from multiprocessing.connection import wait

    by_conn = {worker.conn: worker for worker in busy if isinstance(worker, _SpawnedWorker)}
    return [by_conn[conn] for conn in wait(list(by_conn))]  # type: ignore[index]


def _serve(conn: Channel, function: Callable[[T], R]) -> None:
    """A worker: batches in, results out, until its pipe ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what an interrupt stops
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):  # held since the fork (see OrderedPool._start): now they may come
        signal.pthread_sigmask(signal.SIG_UNBLOCK, HELD)
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
        self.workers: list[Worker] = []
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
        kind = _ForkedWorker if can_fork() else _SpawnedWorker
        # A forked worker starts with this process's signal handlers (which raise, to clean up
        # here) until it sets its own: it is started with SIGINT and SIGTERM held, so that one
        # sent in between ends it quietly once it has, and this process gets its own after.
        held = signal.pthread_sigmask(signal.SIG_BLOCK, HELD) if hasattr(signal, "pthread_sigmask") else None
        try:
            for _ in range(self.jobs):
                self.idle.append(len(self.workers))
                self.workers.append(kind(self.function, list(self.workers)))
        finally:
            if held is not None:
                signal.pthread_sigmask(signal.SIG_SETMASK, held)

    def _send(self) -> None:
        while not self.idle or self.sent - self.written >= WINDOW * self.jobs:
            self._receive()
        worker = self.idle.pop(0)
        self.workers[worker].send(self.batch)
        self.busy[worker] = self.sent
        self.sent += 1
        self.batch = []

    def _receive(self) -> None:
        """Wait for any busy worker's results; write those now in order."""
        index = {id(self.workers[worker]): worker for worker in self.busy}
        busy = [self.workers[worker] for worker in self.busy]
        for ready in _ready(busy):
            worker = index[id(ready)]
            try:
                results = ready.recv()
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
        for worker in workers:
            worker.close()  # the worker reads the end of its pipe and exits
            if unfinished:
                worker.terminate()  # do not wait for work nobody will read
        for worker in workers:
            worker.join(timeout=5)
            if worker.is_alive():  # pragma: no cover - a worker stuck in a library call
                worker.kill()
                worker.join()
        self.sent = self.written = 0
        self.batch = []
        self.idle, self.busy, self.done = [], {}, {}
