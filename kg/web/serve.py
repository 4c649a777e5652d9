"""Run the application: a worker pool over the graph and an HTTP front (``kg.web.front``).

The front only routes: it parses HTTP, checks sizes and methods, negotiates formats and
renders pages. Everything that evaluates what a client sent runs in the pool's worker
processes, under the request's time limit (``kg.web.ops``). The front's threads only
wait on the workers, in a bounded queue, so ``/health`` always has one.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from typing import Any

from kg.web.app import App, Settings, pin_of
from kg.web.front import Front, Limits
from kg.web.pool import Pool, WorkerConfig


def default_workers() -> int:
    # as many as the concurrent requests a small platform sees, not one per core: with 2
    # or 4 workers, a few slow queries at 10^6 statements held every cheap request behind
    # them (p50 1.3-1.5 s for queries of 2-6 ms under 8 clients); with 8 the kernel shares
    # the cores and the p50 was 28 ms (bench/results/serve*.md). Each worker holds its
    # own store handle: about 150 MB at 10^6 statements.
    return max(8, 2 * (os.cpu_count() or 1))


def base_url_for(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def make_server(
    graph: Any,
    *,
    host: str = "127.0.0.1",
    port: int = 7878,
    workers: int | None = None,
    settings: Settings = Settings(),
    endpoint: str | None = None,
    limits: Limits | None = None,
    base_url: str | None = None,
) -> tuple[Front, Pool]:
    """A ready front (``.run()``, ``.close()``) and its pool. ``base_url``: the server's
    public address (default: ``http://HOST:PORT/`` of the bound socket)."""
    from dataclasses import replace

    limits = limits or Limits(max_body=settings.max_body)
    pin = None if endpoint else {"none": pin_of(graph.store())}
    config = WorkerConfig(root=str(graph.layout.root), cache=graph.cache, endpoint=endpoint, max_rows=settings.max_rows, pin=pin)
    size = workers or default_workers()
    # the front's threads: every worker busy, a full queue waiting for one, as many
    # waiting for a store build (Versions), and some for the pages that need no worker
    max_queue = 4 * size
    threads = size + 2 * max_queue + 16
    front = None
    pool = Pool(config, size, max_queue=max_queue)
    try:
        # bound first: with --port 0 the default public address needs the port given
        front = Front(host=host, port=port, threads=threads, limits=limits)
        settings = replace(settings, base_url=base_url or base_url_for(str(front.effective_host), front.effective_port))
        front.mount(App(graph, pool, settings))
    except BaseException:
        if front is not None:
            front.close()
        pool.close()
        raise
    return front, pool


def run(server: Front, pool: Pool, announce: Callable[[str], None]) -> None:
    """Serve until SIGINT or SIGTERM; the workers end with the server."""
    bound = base_url_for(str(server.effective_host), server.effective_port)
    public = getattr(server.bridge.app, "settings", None)
    shown = f"; public address {public.base_url}" if public is not None and public.base_url != bound else ""
    writes = getattr(public, "writes", None)
    if writes is not None:
        shown += f"; /suggest merges reviewed facts for {len(writes.reviewers)} reviewer(s) of {writes.source}"
    announce(f"serving the graph at {bound} (SPARQL endpoint: /sparql{shown}); Ctrl-C stops")

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    # uvicorn stops on SIGTERM and SIGINT, then raises the signal again with this handler
    signal.signal(signal.SIGTERM, stop)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        pool.close()
        server.close()
        sys.stderr.flush()
