"""Shared by every test module: one store cache for the whole session.

The store is built once from the bundled graph and reused by every test that reads it
(in process or through a `kg` subprocess, which inherits ``KG_CACHE_DIR``); tests that
need their own graph directory get their own cache key automatically, because versions
are keyed by the files' content and their directory.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

_CACHE = tempfile.mkdtemp(prefix="kg-test-cache-")
os.environ["KG_CACHE_DIR"] = _CACHE
# a few hundred MB a run: a machine that runs the suite again and again must not fill up
atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)


@pytest.fixture(scope="session")
def cache_dir() -> Path:
    return Path(_CACHE)


@pytest.fixture(scope="session")
def bundled():
    """The facade over the bundled graph, its store built once for the session."""
    import kg

    return kg.open(ROOT)


# ---------------------------------------------------------------- kg serve

import re
import subprocess
import sys
import threading


class Server:
    """A `kg serve` subprocess on a free loopback port; ``url`` ends without a slash."""

    def __init__(self, data: Path, *args: str) -> None:
        kg = [sys.executable, "-m", "kg"]
        self.proc = subprocess.Popen(
            [*kg, "--data", str(data), "serve", "--port", "0", *args],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        self.log: list[str] = []
        found = threading.Event()
        self.url = ""

        def read() -> None:
            assert self.proc.stderr is not None
            for line in self.proc.stderr:
                self.log.append(line)
                m = re.search(r"serving the graph at (http://\S+?)/ ", line)
                if m:
                    self.url = m.group(1)
                    found.set()

        threading.Thread(target=read, daemon=True).start()
        if not found.wait(180):
            self.stop()
            raise RuntimeError("kg serve did not start:\n" + "".join(self.log))

    def stop(self) -> None:
        stop_process(self.proc)


def stop_process(proc: subprocess.Popen) -> None:
    """End a server subprocess: politely, then for sure; reaped either way."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def graph_copy(target: Path) -> Path:
    """A writable copy of the bundled graph directory (for kg add and odd data)."""
    for part in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / part, target / part)
    return target


@pytest.fixture(scope="session")
def server():
    """`kg serve` over the bundled graph with small limits, shared by the protocol tests."""
    s = Server(ROOT, "--workers", "2", "--timeout", "4", "--max-rows", "2000", "--max-body", "65536")
    yield s
    s.stop()


# ---------------------------------------------------------------- the network


@pytest.fixture
def listener():
    """A local listening socket, not accepting: a connection to it waits in its backlog,
    so a test can tell whether anything reached it (``accept`` on it does not block)."""
    import socket

    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    server.setblocking(False)
    yield server
    server.close()


class InProcessPool:
    """The pool's interface with its operations run in this process: the application's own
    logic without worker processes (``kg.web.pool`` is tested through real servers).
    ``run=False`` only records what the front sends and answers ``canned(op)``."""

    size, max_queue, replaced = 1, 4, 0

    def __init__(self, root: Path, *, run: bool = True, canned=lambda op: None) -> None:
        from kg.web import ops
        from kg.web.pool import WorkerConfig

        self.ops, self.run, self.canned = ops, run, canned
        self.graph = ops.open_graph(WorkerConfig(root=str(root))) if run else None
        self.calls: list[tuple[str, tuple]] = []

    def call(self, op, *args, timeout, cancelled=lambda: False, what="the query"):
        self.calls.append((op, args))
        if not self.run:
            return self.canned(op)
        return getattr(self.ops, op)(self.graph, *args)

    def pin(self, versions) -> None:
        if self.graph is not None:
            self.graph.pin(versions)

    def pids(self) -> list[int]:
        return [os.getpid()]

    def state(self) -> dict:
        return {"workers": 1, "alive": 1, "busy": 0, "waiting": 0, "replaced": 0, "refused": 0, "sandboxed": False}
