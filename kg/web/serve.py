"""Run the application: a worker pool over the graph and a threaded WSGI server in front.

waitress is the front: a production WSGI server in pure Python that buffers requests,
enforces the body-size limit itself (413 before the body is read in full) and tells the
application when a client has gone (``waitress.client_disconnected``), so the query it
asked for is stopped. Its threads only wait: the work is done by the pool's processes.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from typing import Any

from kg.web.app import App, Settings
from kg.web.pool import Pool, WorkerConfig


def default_workers() -> int:
    # as many as the concurrent requests a small platform sees, not one per core: with 2
    # or 4 workers, a few slow queries at 10^6 statements held every cheap request behind
    # them (p50 1.3-1.5 s for queries of 2-6 ms under 8 clients); with 8 the kernel shares
    # the cores and the p50 was 28 ms (bench/results/serve*.md). Each worker holds its
    # own store handle: about 150 MB at 10^6 statements.
    return max(8, 2 * (os.cpu_count() or 1))


def make_server(
    graph: Any,
    *,
    host: str = "127.0.0.1",
    port: int = 7878,
    workers: int | None = None,
    settings: Settings = Settings(),
    endpoint: str | None = None,
) -> tuple[Any, Pool]:
    """A ready waitress server (``.run()``, ``.close()``) and its pool."""
    from waitress.server import create_server

    config = WorkerConfig(root=str(graph.layout.root), cache=graph.cache, endpoint=endpoint, max_rows=settings.max_rows)
    pool = Pool(config, workers or default_workers())
    try:
        app = App(graph, pool, settings)
        server = create_server(
            app,
            host=host,
            port=port,
            threads=max(16, 8 * pool.size),  # they mostly wait on the pool; too few and waitress queues (and logs) requests
            max_request_body_size=settings.max_body,
            max_request_header_size=settings.max_query_string + 16 * 1024,
            channel_request_lookahead=1,  # lets waitress see a client leave mid-request
            connection_limit=256,
            ident="kg",
            clear_untrusted_proxy_headers=True,
        )
    except BaseException:
        pool.close()
        raise
    return server, pool


def run(server: Any, pool: Pool, announce: Callable[[str], None]) -> None:
    """Serve until SIGINT or SIGTERM; the workers end with the server."""
    host = server.effective_host
    shown = f"[{host}]" if ":" in str(host) else host
    announce(f"serving the graph at http://{shown}:{server.effective_port}/ (SPARQL endpoint: /sparql); Ctrl-C stops")

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        pool.close()
        server.close()
        sys.stderr.flush()
