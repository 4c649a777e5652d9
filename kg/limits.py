"""Time limits for work that cannot be cancelled: run it in a child process, end it on time.

pyoxigraph has no cancel call, and a query stuck inside the engine never returns to
Python, so a timer in the same process cannot stop it. ``call`` forks a child that
inherits the open store (copy-on-write, nothing to reload), runs the function there and
sends the pickled result back through a pipe. When the deadline passes the child is
killed and ``QueryTimeout`` is raised; the calling process is untouched and keeps
serving. Without a time limit the function runs in this process, at no extra cost.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import struct
import time
from collections.abc import Callable
from typing import Any, TypeVar

from kg.errors import KgError, QueryError, QueryTimeout

T = TypeVar("T")

#: Default time limit of the command line, in seconds (``--timeout``, ``KG_TIMEOUT``; 0: none).
DEFAULT_TIMEOUT = 300.0
#: Default result-size limit of the command line, in rows or statements (``--max-rows``).
DEFAULT_MAX_ROWS = 1_000_000


def call(fn: Callable[..., T], *args: Any, timeout: float | None = None, what: str = "the query") -> T:
    """``fn(*args)``, stopped after ``timeout`` seconds (``None`` or 0: no limit)."""
    if not timeout or timeout <= 0 or not hasattr(os, "fork"):
        return fn(*args)
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never return into the caller's code, never run its atexit
        os.close(read_fd)
        status = 0
        try:
            try:
                payload = pickle.dumps(("ok", fn(*args)), protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
                payload = pickle.dumps(("error", _portable(exc)), protocol=pickle.HIGHEST_PROTOCOL)
            _write_all(write_fd, struct.pack("!Q", len(payload)) + payload)
        except BaseException:  # noqa: BLE001
            status = 1
        finally:
            os._exit(status)
    os.close(write_fd)
    try:
        data = _read_until(read_fd, pid, time.monotonic() + timeout)
    except QueryTimeout:
        _kill(pid)
        raise QueryTimeout(
            f"{what} ran longer than its time limit of {timeout:g} s and was stopped",
            hint="narrow it (more specific patterns, a LIMIT), or give it more time with --timeout SECONDS",
        ) from None
    finally:
        os.close(read_fd)
    _, status = os.waitpid(pid, 0)
    if len(data) < 8:
        cause = f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else f"exit status {os.WEXITSTATUS(status)}"
        raise QueryError(f"{what} failed: its worker process ended without an answer ({cause})", hint="it may have run out of memory; narrow it")
    kind, value = pickle.loads(data[8:])
    if kind == "error":
        raise value
    return value  # type: ignore[no-any-return]


def _portable(exc: BaseException) -> BaseException:
    """The exception itself if it survives pickling, else a QueryError saying what it was."""
    if isinstance(exc, KgError):
        try:
            pickle.loads(pickle.dumps(exc))
            return exc
        except Exception:  # noqa: BLE001
            pass
    if isinstance(exc, (SyntaxError, ValueError, TypeError, OSError, MemoryError, RuntimeError)):
        try:
            pickle.loads(pickle.dumps(exc))
            return exc
        except Exception:  # noqa: BLE001
            pass
    return QueryError(f"{type(exc).__name__}: {exc}")


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _read_until(fd: int, pid: int, deadline: float) -> bytes:
    chunks: list[bytes] = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise QueryTimeout("timeout")
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
