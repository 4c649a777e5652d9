"""Shared by every test module: one store cache for the whole session.

The store is built once from the bundled graph and reused by every test that reads it
(in process or through a `kg` subprocess, which inherits ``KG_CACHE_DIR``); tests that
need their own graph directory get their own cache key automatically, because versions
are keyed by the files' content and their directory.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# One cache for the whole run: with pytest-xdist the workers inherit it from the process
# that started them (KG_TEST_CACHE_DIR), so the store of the bundled graph is built once;
# builds take turns under the cache's lock and a version is published whole
# (docs/design.md, "The store"), so workers can share it.
_CACHE = os.environ.get("KG_TEST_CACHE_DIR") or ""
if not _CACHE:
    _CACHE = tempfile.mkdtemp(prefix="kg-test-cache-")
    os.environ["KG_TEST_CACHE_DIR"] = _CACHE
    # a few hundred MB a run: a machine that runs the suite again and again must not fill
    # up (removed by the process that made it, after its workers have ended)
    atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)
os.environ["KG_CACHE_DIR"] = _CACHE


@pytest.hookimpl(tryfirst=True)  # before xdist's own, which reads the groups into the test ids
def pytest_collection_modifyitems(config, items) -> None:
    """Under ``--dist loadgroup`` a test without an xdist_group goes in its module's group,
    so a module runs in one worker; tests that share a reference run across modules (the
    pySHACL runs of tests/test_shacl_engine.py) carry a group of their own."""
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(item.module.__name__ if item.module else item.nodeid.split("::")[0]))


@pytest.fixture(autouse=True, scope="module")
def _collect_after_each_module():
    """Stores and sockets a module's tests left to the garbage collector are closed before
    the next module runs: a worker runs many modules, and kg's query worker waits on its
    pipe with select(), which cannot watch a descriptor numbered 1024 or above."""
    yield
    import gc

    gc.collect()


@pytest.fixture(scope="session")
def cache_dir() -> Path:
    return Path(_CACHE)


@pytest.fixture(scope="session")
def bundled():
    """The facade over the bundled graph, its store built once for the session."""
    import kg

    return kg.open(ROOT)


# ---------------------------------------------------------------- kg serve


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

    def __init__(self, root: Path, *, run: bool = True, canned=lambda op: None, max_rows: int | None = None) -> None:
        from kg.web import ops
        from kg.web.pool import WorkerConfig

        self.ops, self.run, self.canned = ops, run, canned
        self.graph = ops.open_graph(WorkerConfig(root=str(root), max_rows=max_rows)) if run else None
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


# ---------------------------------------------------------------- kg serve's application in process

#: the public address of the in-process application (``Settings.base_url``, without the slash)
APP_BASE = "http://kg.test"


class Answer:
    """werkzeug's test response with the names of a ``requests`` response, so a test reads
    the same whether it went through a socket or not."""

    def __init__(self, response) -> None:
        self.response = response
        self.status_code = response.status_code
        self.headers = response.headers
        self.content: bytes = response.get_data()

    @property
    def text(self) -> str:
        return self.response.get_data(as_text=True)

    def json(self):
        import json

        return json.loads(self.content)


class InProcessApp:
    """``kg.web.app.App`` over a graph directory, called through ``werkzeug.test.Client``:
    routing, negotiation, limits and pages as ``kg serve`` runs them, with the workers'
    operations run in this process (``InProcessPool``) and no socket. ``url`` is the
    public address the application writes into absolute URLs."""

    def __init__(self, root: Path, *, timeout: float = 30.0, max_rows: int | None = None, max_body: int = 1 << 20) -> None:
        from werkzeug.test import Client

        import kg
        from kg.web.app import App, Settings

        settings = Settings(timeout=timeout, max_body=max_body, base_url=APP_BASE + "/",
                            **({"max_rows": max_rows} if max_rows is not None else {}))
        self.pool = InProcessPool(root, max_rows=max_rows)
        self.app = App(kg.open(root), self.pool, settings)
        self.client = Client(self.app)
        self.url = APP_BASE

    def request(self, method: str, path: str, *, params=None, data=None, headers=None) -> Answer:
        return Answer(self.client.open(path, method=method, query_string=params, data=data, headers=headers or {}))

    def get(self, path: str, **kwargs) -> Answer:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> Answer:
        return self.request("POST", path, **kwargs)

    def options(self, path: str, **kwargs) -> Answer:
        return self.request("OPTIONS", path, **kwargs)


@pytest.fixture(scope="session")
def web():
    """kg serve's application over the bundled graph in this process, with the limits of
    the shared real ``server`` (2,000 rows, 64 KiB bodies; its time limit is not enforced
    in process: the time-limit tests use the real server)."""
    return InProcessApp(ROOT, timeout=4, max_rows=2000, max_body=65536)


# ---------------------------------------------------------------- the browser tests
#: the system's Chromium (Debian's ``chromium``; ``.ci/run`` installs it), driven by Playwright
CHROMIUM = os.environ.get("KG_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
# a closed network: without these flags Chromium keeps trying to reach Google's services
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def require_browser(missing: str | None = None) -> None:
    """Skip the calling module when Chromium (or what ``missing`` names) is not here, with
    the reason; under ``KG_REQUIRE_BROWSER=1`` (as in CI) fail instead. Call it at the
    top of a browser test module."""
    if not CHROMIUM:
        missing = "no chromium on this machine (apt-get install chromium, or set KG_CHROMIUM)"
    if missing is None:
        return
    if os.environ.get("KG_REQUIRE_BROWSER") == "1":
        raise RuntimeError(f"KG_REQUIRE_BROWSER=1 but {missing}")
    pytest.skip(missing, allow_module_level=True)


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium, one per module (its pages get fresh contexts)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    """A page at a desktop's size in a context of its own."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()
