"""Limits for work that cannot be cancelled: run it in a child process, end it on time.

pyoxigraph has no cancel call, and a query stuck inside the engine never returns to
Python, so neither a timer nor Ctrl-C in the same process can stop it. ``call`` forks a
child that inherits the open store (copy-on-write, nothing to reload), runs the function
there and sends the pickled result back through a pipe. The child is killed when the
deadline passes (``QueryTimeout``), when the caller is interrupted (the
``KeyboardInterrupt`` goes on up), and by the kernel when the caller dies, even by
SIGKILL (``kg.sparql.sandbox.die_with_parent``); the calling process is untouched. Every query
of user text goes through here, with or without a time limit, and an ``offline`` child
cannot open a network socket, whatever the query says (``kg.sparql.sandbox``).
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

from kg.errors import DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT, QueryError, QueryTimeout, portable  # noqa: F401 - the limits' defaults, here too
from kg.sparql import sandbox

T = TypeVar("T")



def call(fn: Callable[..., T], *args: Any, timeout: float | None = None, what: str = "the query", offline: bool = False) -> T:
    """``fn(*args)`` in a worker process, stopped after ``timeout`` seconds (``None`` or 0:
    no limit), or when this process is interrupted (Ctrl-C) or killed.

    ``offline``: the worker cannot open a network socket (``kg.sparql.sandbox.deny_network``).
    In a process that is itself a worker (a server's, see ``kg.sparql.sandbox.in_worker``) and
    with no time limit, ``fn`` runs right there: it is already isolated."""
    limit = timeout if timeout and timeout > 0 else None
    if not hasattr(os, "fork") or (limit is None and sandbox.in_worker()):
        return fn(*args)
    parent = os.getpid()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never return into the caller's code, never run its atexit
        os.close(read_fd)
        status = 0
        try:
            # Ctrl-C reaches the whole process group: the child ends at once, whatever
            # the engine is doing (Python would only see it between two bytecodes)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            sandbox.die_with_parent(parent)
            try:
                if offline and not sandbox.deny_network() and sandbox.supported():
                    raise QueryError("the query could not be cut off from the network", hint="report this; run it with --allow-network only if you trust it",
                                     web_hint="report this to the server's operator")
                payload = pickle.dumps(("ok", fn(*args)), protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException as exc:
                payload = pickle.dumps(("error", portable(exc)), protocol=pickle.HIGHEST_PROTOCOL)
            _write_all(write_fd, struct.pack("!Q", len(payload)) + payload)
        except BaseException:
            status = 1
        finally:
            os._exit(status)
    os.close(write_fd)
    try:
        data = _read_until(read_fd, pid, None if limit is None else time.monotonic() + limit)
    except QueryTimeout:
        _kill(pid)
        raise QueryTimeout(
            f"{what} ran longer than its time limit of {limit:g} s and was stopped",
            hint="narrow it (more specific patterns, a LIMIT), or give it more time with --timeout SECONDS",
        ) from None
    except BaseException:
        # Ctrl-C (KeyboardInterrupt) or any other way out: the work must not outlive us
        _kill(pid)
        raise
    finally:
        os.close(read_fd)
    _, status = os.waitpid(pid, 0)
    if len(data) < 8:
        cause = f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else f"exit status {os.WEXITSTATUS(status)}"
        raise QueryError(f"{what} failed: its worker process ended without an answer ({cause})", hint="it may have run out of memory; narrow it")
    kind, value = pickle.loads(data[8:])
    if kind == "error":
        raise value
    return value


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _read_until(fd: int, pid: int, deadline: float | None) -> bytes:
    chunks: list[bytes] = []
    # poll, not select: select() refuses a descriptor numbered 1024 or more, which a
    # process that holds many files open (a server, a notebook, a test run) hands out
    waiting = select.poll()
    waiting.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
    while True:
        left = None if deadline is None else deadline - time.monotonic()
        if left is not None and left <= 0:
            raise QueryTimeout("timeout")
        ready = waiting.poll(None if left is None else max(1, int(left * 1000)))
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
