"""A pool of worker processes that run the server's reads, each one killable on time.

Why processes and not threads: pyoxigraph has no cancel call, so a runaway query can
only be stopped by ending the process it runs in; and separate processes use every core
whatever the GIL does. Why started with ``subprocess`` and not forked per query (as the
command line's ``kg.sparql.limits`` does): the server is multi-threaded, and a fork taken while
another thread holds a lock inside RocksDB or the allocator can deadlock the child.

Each worker opens its own ``kg.Graph`` (read-only RocksDB versions can be opened by many
processes) and answers calls of the functions in ``kg.web.ops``. The calling thread
waits on the worker's pipe, the deadline and a ``cancelled`` callback (the client went
away); on either of the last two the worker is killed and a fresh one takes its place,
and the caller gets ``QueryTimeout`` or ``ClientGone``. The store is never written by a
worker, so killing one loses nothing.

Which store version a worker reads is the front's decision (``pin``): the front builds
versions and knows when the files no longer load, so every call carries the versions to
read, and a worker never builds one itself (a worker started while a data file is broken
opens the last good version instead of failing to start).

Callers wait for a free worker in a bounded queue (``max_queue``): past it a request is
refused at once with ``Busy``, so a flood of slow queries cannot take every thread of the
front (``/health`` and the pages that need no worker go on answering).
"""

from __future__ import annotations

import os
import pickle
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from kg.errors import KgError, QueryTimeout

_TICK = 0.05  # how often a waiting caller looks at its client and its deadline, seconds


class ClientGone(KgError):
    """The client closed the connection before its answer was ready; the work was stopped."""


class Busy(KgError):
    """Every worker stayed busy until the request's deadline."""


class WorkerDied(KgError):
    """A worker ended without answering (killed from outside, or out of memory)."""


#: inference -> (key, directory or None for an in-memory version, files) of the version to read
Pin = dict[str, tuple[str, str | None, Any]]


@dataclass(frozen=True)
class WorkerConfig:
    """What a worker needs to open the same graph as the server (it must pickle)."""

    root: str
    cache: Any = True
    endpoint: str | None = None
    max_rows: int | None = None
    pin: Any = None  # the versions to open at start (see ``Pool.pin``)


class _Worker:
    def __init__(self, config: WorkerConfig) -> None:
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kg.web.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            close_fds=True,
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self._send = Connection(os.dup(self.proc.stdin.fileno()), readable=False)
        self._recv = Connection(os.dup(self.proc.stdout.fileno()), writable=False)
        self.proc.stdin.close()
        self.proc.stdout.close()
        self._send.send_bytes(pickle.dumps(config))
        self.ready = False
        self.pin_version = 0  # the pool's pin this worker was last sent
        self.sandboxed = False  # the worker cannot open a network socket (kg.sparql.sandbox)

    def wait_ready(self, timeout: float) -> None:
        if not self._recv.poll(timeout):
            self.kill()
            raise WorkerDied(f"a server worker did not start within {timeout:g} s")
        try:
            kind, value = pickle.loads(self._recv.recv_bytes())
        except (EOFError, OSError):
            self.kill()
            raise WorkerDied("a server worker ended while starting; run `kg -v stats` to see why") from None
        if kind == "error":
            self.kill()
            raise value
        self.sandboxed = bool(value.get("sandboxed"))
        self.ready = True

    def kill(self) -> None:
        try:
            self.proc.kill()
        except ProcessLookupError:
            pass
        for conn in (self._send, self._recv):
            try:
                conn.close()
            except OSError:
                pass
        # reap without holding up the caller: a killed process ends at once
        threading.Thread(target=self.proc.wait, daemon=True).start()


class Pool:
    """``size`` workers over the graph ``config`` names; ``call`` runs one operation.

    Create it in a thread that outlives it (the main thread): the first workers are
    started by the creating thread and end with it (see ``_spawner``)."""

    def __init__(self, config: WorkerConfig, size: int, *, start_timeout: float = 600.0, max_queue: int | None = None) -> None:
        self.config = config
        self.size = size
        self.max_queue = 4 * size if max_queue is None else max_queue
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._lock = threading.Lock()
        self._closed = False
        self._all: set[_Worker] = set()
        self.replaced = 0  # workers killed and started anew (timeouts, departed clients, deaths)
        self.refused = 0  # calls refused because the queue for a worker was full
        self._waiting = 0  # callers waiting for a free worker
        self._busy = 0  # calls running in a worker
        self._pin: tuple[int, Pin | None] = (0, config.pin)
        # replacements are started by one long-lived thread: a worker asks the kernel to
        # kill it when the thread that started it ends (PR_SET_PDEATHSIG), so that thread
        # must live as long as the pool
        self._wanted: queue.Queue[bool] = queue.Queue()
        threading.Thread(target=self._spawner, name="kg-pool-spawner", daemon=True).start()
        workers = [_Worker(config) for _ in range(size)]
        self._all.update(workers)
        try:
            for w in workers:
                w.wait_ready(start_timeout)
                self._idle.put(w)
        except BaseException:
            self.close()
            raise

    def call(
        self,
        op: str,
        *args: Any,
        timeout: float | None,
        cancelled: Callable[[], bool] = lambda: False,
        what: str = "the query",
    ) -> Any:
        """``kg.web.ops.<op>(graph, *args)`` in a worker, within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout if timeout else None
        with self._lock:
            if self._waiting >= self.max_queue:
                self.refused += 1
                raise Busy(f"the server is busy: {self._busy} queries are running and {self._waiting} are waiting; {what} was not started",
                           hint="try again in a moment")
            self._waiting += 1
        try:
            worker = self._checkout(deadline, what, cancelled)
        finally:
            with self._lock:
                self._waiting -= 1
        with self._lock:
            self._busy += 1
        try:
            data = self._exchange(worker, op, args, deadline, timeout, cancelled, what)
        except BaseException:
            # whatever went wrong mid-call, the worker's state is unknown: start a new one
            self._replace(worker)
            raise
        finally:
            with self._lock:
                self._busy -= 1
        self._idle.put(worker)
        kind, value = pickle.loads(data)
        if kind == "error":
            raise value
        return value

    def _exchange(
        self,
        worker: _Worker,
        op: str,
        args: tuple[Any, ...],
        deadline: float | None,
        timeout: float | None,
        cancelled: Callable[[], bool],
        what: str,
    ) -> bytes:
        version, pin = self._pin
        # the versions go along only when they changed since this worker last heard
        sent = pin if worker.pin_version != version else None
        try:
            worker._send.send_bytes(pickle.dumps((op, args, sent), protocol=pickle.HIGHEST_PROTOCOL))
            worker.pin_version = version
            while True:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    raise QueryTimeout(
                        f"{what} ran longer than the server's time limit of {timeout:g} s and was stopped",
                        hint="narrow it (more specific patterns, a LIMIT)",
                    )
                if worker._recv.poll(_TICK if left is None else min(_TICK, left)):
                    return worker._recv.recv_bytes()
                if cancelled():
                    raise ClientGone(f"the client went away; {what} was stopped")
        except (EOFError, OSError):
            raise WorkerDied(
                f"{what} failed: its worker ended without an answer (exit status {worker.proc.poll()})",
                hint="it may have run out of memory; narrow it",
            ) from None

    def _checkout(self, deadline: float | None, what: str, cancelled: Callable[[], bool]) -> _Worker:
        while True:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise Busy(f"every worker stayed busy until the time limit; {what} did not start", hint="try again in a moment")
            try:
                # in short waits, so a client that left while queued gives up its place
                worker = self._idle.get(timeout=_TICK if left is None else min(_TICK, left))
            except queue.Empty:
                if cancelled():
                    raise ClientGone(f"the client went away; {what} was not started") from None
                continue
            if worker.proc.poll() is None:
                return worker
            self._replace(worker)  # it died while idle (killed from outside): take another

    def _replace(self, worker: _Worker) -> None:
        worker.ready = False
        worker.kill()
        with self._lock:
            if worker not in self._all:
                return  # replaced already (found dead by the spawner, then checked out)
            self._all.discard(worker)
            self.replaced += 1
            if self._closed:
                return
        self._wanted.put(True)  # a fresh worker starts in the background; the caller answers at once

    def _spawner(self) -> None:
        while True:
            try:
                wanted = self._wanted.get(timeout=1.0)
            except queue.Empty:
                # a worker that died while idle (killed from outside, out of memory) is
                # replaced now, not when a request happens to check it out
                with self._lock:
                    dead = [w for w in self._all if w.proc.poll() is not None]
                for w in dead:
                    self._replace(w)
                continue
            if not wanted:
                return
            self._start_one()

    def _start_one(self) -> None:
        from dataclasses import replace

        for attempt in range(3):
            try:
                w = _Worker(replace(self.config, pin=self._pin[1]))
                w.pin_version = self._pin[0]
                w.wait_ready(600.0)
            except Exception:  # try again, then give up on this slot
                time.sleep(0.5 * (attempt + 1))
                continue
            with self._lock:
                if self._closed:
                    w.kill()
                    return
                self._all.add(w)
            self._idle.put(w)
            return

    def pin(self, versions: Pin) -> None:
        """From the next call on, every worker reads these store versions."""
        with self._lock:
            if versions != self._pin[1]:
                self._pin = (self._pin[0] + 1, dict(versions))

    def pids(self) -> list[int]:
        with self._lock:
            return sorted(w.proc.pid for w in self._all)

    def state(self) -> dict[str, int]:
        """What ``/health`` shows: nothing here waits on a worker."""
        with self._lock:
            return {"workers": self.size, "alive": len(self._all), "busy": self._busy, "waiting": self._waiting,
                    "replaced": self.replaced, "refused": self.refused,
                    "sandboxed": bool(self._all) and all(w.sandboxed for w in self._all)}

    def close(self) -> None:
        """End every worker, busy or idle (a busy caller then gets WorkerDied)."""
        with self._lock:
            self._closed = True
            workers, self._all = list(self._all), set()
        self._wanted.put(False)
        for w in workers:
            w.ready = False
            w.kill()

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
