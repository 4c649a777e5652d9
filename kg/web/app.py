"""The HTTP face: a WSGI application over the same graph as the command line.

Routes (see ``docs/server.md`` for the full contract):

* ``/sparql``: the SPARQL 1.1 Protocol, read-only (GET ``query=``, POST form or
  ``application/sparql-query``); results negotiated by ``Accept`` or ``format=``; a
  service description when there is no query; HTML for a browser.
* ``/queries``, ``/queries/NAME``: the stored queries as a web API (JSON, or any result
  format) and as pages with a form; ``/openapi.json`` describes the API.
* ``/id/...``, ``/concept/...`` and ``/resource?iri=``: a page for every entity; an IRI
  of the graph dereferences to HTML, Turtle, JSON-LD, N-Triples or RDF/XML by ``Accept``.
* ``/search?q=``: search by name in any language, case and accents ignored.
* ``/reconcile``, ``/reconcile/preview``, ``/reconcile/suggest/...``: the W3C Reconciliation
  Service API 0.2 (OpenRefine), ``kg.web.reconcile``.
* ``/``, ``/editor``, ``/api``, ``/static/...``: the pages around them.

The application does no RDF work itself and never evaluates what a client sent: query
text, stored-query parameters, days and IRIs are checked, parsed and run in the workers
of ``kg.web.pool`` (``kg.web.ops``), under the request's time limit; the application
checks sizes and methods, negotiates formats, maps errors to status codes and renders
pages. Every address answers only the methods it has (405 with ``Allow`` otherwise).
"""

from __future__ import annotations

import io
import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Any
from urllib.parse import quote, urlencode

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from kg.errors import KgError, LimitExceeded, NetworkRefused, QueryError, UsageError
from kg.namespaces import BASE, PREFIXES, curie
from kg.web.http import (
    DOWNLOADS,
    FORMAT_NAMES,
    HTML,
    IMMUTABLE,
    PRIVATE_HEADERS,
    REVALIDATE,
    Entry,
    Problem,
    ResponseCache,
    accepts_json,
    cache_key,
    json_response,
    negotiate,
    problem_of,
    wants_html,
)
from kg.web.pages import LOCAL_SPACES, href, render
from kg.web.pool import Busy, ClientGone

SHOW_ROWS = 500  # rows an HTML table shows; the downloads have them all


#: WSGI environ key of a callable that says whether the client has gone (set by kg.web.front)
DISCONNECTED = "kg.client_disconnected"
#: WSGI environ key of the route a request went to (whether its answer may be kept)
ENDPOINT = "kg.endpoint"
#: routes whose answers are never kept: the server's state, and the review forms (a cookie
#: per browser, writes)
UNCACHED = frozenset({"health", "suggest", "suggest_submit"})
#: addresses where a POST reads (a query or a batch in the body) and may be answered from the cache
_POST_READS = ("/sparql", "/editor", "/reconcile")
#: For tests: while the file this names exists, a new store version's build waits (so a
#: test can see requests meet a build in progress without racing a clock).
HOLD_BUILDS = "KG_SERVE_HOLD_BUILDS"


@dataclass(frozen=True)
class Settings:
    timeout: float = 30.0  # seconds per request that reads the graph
    max_rows: int = 100_000  # rows or statements per answer
    max_body: int = 1 << 20  # bytes of a POST body
    max_query_string: int = 64 << 10  # bytes of a query string
    # the server's public address, in every absolute URL it writes (never the Host header,
    # which the client chooses)
    base_url: str = "http://127.0.0.1:8787/"
    # who may merge reviewed drafts at /suggest/submit (kg.web.review.Writes; None: nobody)
    writes: Any = None
    # bytes of answers kept for repeated requests (kg.web.http.ResponseCache); 0: none
    cache_bytes: int = 64 << 20


def status_of(exc: KgError) -> int:
    """The HTTP status for an error of the API (documented in docs/server.md)."""
    if isinstance(exc, (Busy, LimitExceeded)):
        return 503
    if isinstance(exc, (QueryError, NetworkRefused, UsageError)):
        return 400
    return 500


def pin_of(gs: Any) -> tuple[str, str | None, Any]:
    """What a worker needs to open the store version ``gs`` (see ``kg.web.ops.ServedGraph``)."""
    return (gs.key, None if gs.path is None else str(gs.path), gs.files)


def problem_text(exc: BaseException) -> str:
    """``file:line: what`` for a file that does not load, else the error's own words."""
    if isinstance(exc, KgError):
        m = re.fullmatch(r"(.*?) \(line (\d+)\)", exc.message)
        message = m.group(1) if m else exc.message
        if not exc.location:
            return exc.message
        if re.search(r":\d+(:\d+)?$", exc.location) or not m:  # the location has the line already
            return f"{exc.location}: {message}"
        return f"{exc.location}:{m.group(2)}: {message}"
    return f"{type(exc).__name__}: {exc}"


class Versions:
    """Builds store versions in the front process, outside any request's time limit, and
    decides which version the workers read.

    A worker that found the files changed would build the new version itself, inside a
    request: at 10^6 statements loading takes about 25 s and reasoning about a minute, so
    the time limit would kill every attempt and the version would never exist. Here the
    build runs on a thread of its own; a request waits for it up to its time limit and
    otherwise gets 503 with Retry-After while the build goes on. The check itself (are the
    files still those of the version served?) is a few stat calls.

    A build that fails (a data file broken by hand) does not stop the server: the last
    version that loaded goes on being served, ``problem`` says why, and the same broken
    files are not built again on every request; the next change to them is.
    """

    def __init__(self, graph: Any, pool: Any) -> None:
        self.graph, self.pool = graph, pool
        self._lock = threading.Lock()
        self._building: dict[str, Any] = {}  # inference -> Future of the running build
        self._waiting = 0  # requests waiting for a build
        self.served: dict[str, Any] = {}  # inference -> the version the workers read
        self.failed: dict[str, tuple[str, str]] = {}  # inference -> (content key of the files, what is wrong)
        self._modified: dict[str, float] = {}  # token -> when it began (Last-Modified)
        if not self.remote:
            self.served["none"] = graph.store()  # built by `kg serve` before the workers started
            pool.pin({i: pin_of(gs) for i, gs in self.served.items()})

    @property
    def remote(self) -> bool:
        return self.graph.endpoint is not None

    def _files_key(self) -> str:
        return self.graph.files_key()

    def ready(self, inference: str, wait: float) -> None:
        """Return once the version to read with ``inference`` is there (waiting up to
        ``wait`` seconds for a build), or raise ``Problem`` 503."""
        if self.remote:
            return  # a remote store: nothing is built here
        from concurrent.futures import TimeoutError as Pending

        with self._lock:
            future = self._next(inference)
            if future is None:
                return
            if self._waiting >= max(8, 2 * self.pool.max_queue):
                # every one of them holds a thread of the front for up to its time limit
                raise Problem(503, "the store for the files as they are now is being built and many requests wait for it; try again shortly",
                              headers={"Retry-After": "30"})
            self._waiting += 1
        try:
            future.result(timeout=wait)
        except Pending:
            raise Problem(503, f"the store{'' if inference == 'none' else f' with {inference} inferences'} is being built "
                          "for the files as they are now; try again shortly",
                          headers={"Retry-After": "30"}) from None
        except Exception as exc:  # the build failed: serve the last good version if there is one
            if inference not in self.served:
                raise Problem(503, f"the graph's files do not load ({problem_text(exc)}), and no earlier version"
                              f"{'' if inference == 'none' else f' with {inference} inferences'} was built to serve meanwhile",
                              hint="fix the file; the next request sees it") from None
        finally:
            with self._lock:
                self._waiting -= 1

    def poke(self) -> None:
        """Start a build if the files changed, without waiting for it (``/health``)."""
        if not self.remote:
            with self._lock:
                self._next("none")

    def _next(self, inference: str) -> Any:
        """The running build to wait for, started if the files changed; None when the
        version to serve is there (hold ``_lock``)."""
        future = self._building.get(inference)
        if future is not None:
            return future
        key = self._files_key()
        served = self.served.get(inference)
        if served is not None and served.key == key:
            self.failed.pop(inference, None)
            return None
        failed = self.failed.get(inference)
        if failed is not None and failed[0] == key and served is not None:
            return None  # still as broken as last time: keep serving the last good version
        return self._start(inference, key)

    def _start(self, inference: str, key: str) -> Any:
        from concurrent.futures import Future

        future: Future = Future()

        def build() -> None:
            hold = os.environ.get(HOLD_BUILDS)
            while hold and os.path.exists(hold):
                time.sleep(0.02)
            try:
                gs = self.graph.store(inference)
            except BaseException as exc:  # the waiting requests and /health report it
                with self._lock:
                    self.failed[inference] = (key, problem_text(exc))
                    del self._building[inference]
                future.set_exception(exc)
                return
            with self._lock:
                self.served[inference] = gs
                self.failed.pop(inference, None)
                self.pool.pin({i: pin_of(v) for i, v in self.served.items()})
                del self._building[inference]
            future.set_result(gs)

        self._building[inference] = future
        threading.Thread(target=build, name=f"kg-build-{inference}", daemon=True).start()
        return future

    def token(self) -> tuple[str, float] | None:
        """(what the answers depend on, when it began) for the files as they are now: the
        served version's key, and the files' key if they differ from it (a build to come,
        or files that do not load and a banner on every page); None for a remote store,
        whose answers can change at any time."""
        if self.remote:
            return None
        try:
            with self._lock:
                key = self._files_key()
                served = self.served.get("none")
        except OSError:  # a file went away while listed: not kept, answered as the request path decides
            return None
        if served is None:
            return None
        token = served.key if key == served.key else f"{key}>{served.key}"
        modified = self._modified.get(token)
        if modified is None:
            try:  # the version's directory was made when it was built: the same after a restart
                modified = os.stat(served.path).st_mtime if served.path is not None and key == served.key else time.time()
            except OSError:
                modified = time.time()
            if len(self._modified) > 64:
                self._modified.clear()
            self._modified[token] = modified
        return token, modified

    def problem(self) -> str | None:
        """Why the files are not served as they are now, if they are not."""
        with self._lock:
            found = [text for inference, (_, text) in self.failed.items() if inference in self.served]
        return found[0] if found else None

    def state(self) -> dict[str, Any]:
        with self._lock:
            return {"store": self.served["none"].key if "none" in self.served else None,
                    "building": sorted(self._building)}


class App:
    """The WSGI application; ``pool`` runs the reads, ``graph`` (a ``kg.Graph``) gives
    the stored queries and the layout without touching the store."""

    def __init__(self, graph: Any, pool: Any, settings: Settings = Settings()) -> None:
        self.graph, self.pool, self.settings = graph, pool, settings
        self.base = settings.base_url.rstrip("/")  # absolute URLs are this plus a path
        self.versions = Versions(graph, pool)
        self.started = time.time()
        read, query = ["GET"], ["GET", "POST"]  # werkzeug adds HEAD wherever GET is
        self.routes = Map([
            Rule("/", endpoint="home", methods=read),
            Rule("/sparql", endpoint="sparql", methods=query),
            Rule("/editor", endpoint="editor", methods=query),
            Rule("/queries", endpoint="queries", methods=read),
            Rule("/queries/<name>", endpoint="stored", methods=read),
            Rule("/openapi.json", endpoint="openapi", methods=read),
            Rule("/api", endpoint="api", methods=read),
            Rule("/search", endpoint="search", methods=read),
            Rule("/reconcile", endpoint="reconcile", methods=query),
            Rule("/reconcile/preview", endpoint="reconcile_preview", methods=read),
            Rule("/reconcile/suggest/<kind>", endpoint="reconcile_suggest", methods=read),
            Rule("/resource", endpoint="resource", methods=read),
            Rule("/health", endpoint="health", methods=read),
            Rule("/static/<path:name>", endpoint="static", methods=read),
            Rule("/ontology", endpoint="ontology", methods=read),
            Rule("/draw/<kind>.<fmt>", endpoint="draw", methods=read),
            Rule("/void.ttl", endpoint="void", methods=read),
            Rule("/.well-known/void", endpoint="void", methods=read),
            Rule("/ontology/<page>", endpoint="docs", methods=read),
            Rule("/suggest", endpoint="suggest", methods=query),
            Rule("/suggest/submit", endpoint="suggest_submit", methods=["POST"]),
            *[Rule(f"/{space}/<path:rest>", endpoint="local", defaults={"space": space}, methods=read) for space in LOCAL_SPACES],
        ], strict_slashes=False)
        self._descriptions: dict[str, bytes] = {}  # format -> the service description
        self.cache = ResponseCache(settings.cache_bytes) if settings.cache_bytes > 0 else None

    # ------------------------------------------------------------ WSGI

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        method = environ["REQUEST_METHOD"]
        headers = _EnvironHeaders(environ)
        body = b""
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # the route answers it (werkzeug reads no body then)
        if method == "POST" and 0 < length <= self.settings.max_body:
            body = environ["wsgi.input"].read(length)
            environ["wsgi.input"] = io.BytesIO(body)  # read again by the route
        version, key = self._cache_key(method, environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""), headers, body)
        fresh = None
        if key is not None:
            entry = self.cache.get(key) if self.cache is not None else None
            if entry is None:
                entry, fresh = self._fill(key, environ, version)
            if entry is not None:
                return _send(start_response, *entry.answer(method, headers))
        status, answered = fresh or self._respond(environ)
        if status in (204, 304, 499) or status < 200:
            return answered(environ, start_response)
        storable = version is not None and self._storable(environ, answered)
        entry = Entry(status, list(answered.headers.items()), answered.get_data(),
                      version=version[0] if storable else None, modified=version[1] if storable else None)
        return _send(start_response, *entry.answer(method, headers), reason=answered.status)

    def cached(self, method: str, path: str, query: str, headers: Any, body: bytes) -> tuple[int, list[tuple[str, str]], bytes] | None:
        """The answer from the cache, or None: what the front asks before it hands a request
        to a thread (``headers``: lower-case names)."""
        _, key = self._cache_key(method, path, query, headers, body)
        if key is None or self.cache is None:
            return None
        entry = self.cache.get(key)
        return None if entry is None else entry.answer(method, headers)

    def _cache_key(self, method: str, path: str, query: str, headers: Any, body: bytes) -> tuple[Any, tuple | None]:
        """(the store version and its time, the key in the cache) of a request whose answer
        may be kept; the version alone when no cache is kept (the answer still has validators)."""
        if method not in ("GET", "HEAD", "POST") or any(headers.get(h) for h in PRIVATE_HEADERS):
            return None, None
        if method == "POST" and not path.startswith(_POST_READS):
            return None, None
        version = self.versions.token()
        if version is None:
            return None, None
        return version, None if self.cache is None else cache_key(version[0], method, path, query, headers, body)

    def _fill(self, key: tuple, environ: dict[str, Any], version: tuple[str, float]) -> tuple[Entry | None, tuple[int, Response]]:
        """Answer a request missing from the cache, and keep the answer if it may be kept
        (the entry kept, or None) and the store version did not change meanwhile."""
        status, answered = self._respond(environ)
        if status in (200, 404) and self._storable(environ, answered) and self.versions.token() == version and self.cache is not None:
            entry = Entry(status, list(answered.headers.items()), answered.get_data(), version=version[0], modified=version[1])
            self.cache.put(key, entry)
            return entry, (status, answered)
        return None, (status, answered)

    def _storable(self, environ: dict[str, Any], response: Response) -> bool:
        if response.status_code not in (200, 404) or environ.get(ENDPOINT) in UNCACHED:
            return False
        if "Set-Cookie" in response.headers:
            return False
        control = response.headers.get("Cache-Control", "")
        return "no-store" not in control and "private" not in control

    def _respond(self, environ: dict[str, Any]) -> tuple[int, Response]:
        request = Request(environ, populate_request=False)
        request.max_content_length = self.settings.max_body
        request.max_form_memory_size = self.settings.max_body
        try:
            response = self.dispatch(request)
        except Problem as p:
            response = self.problem(request, p)
        except HTTPException as e:
            response = self.problem(request, Problem(e.code or 500, e.description or e.name))
        except ClientGone:
            response = Response(b"", status=499)  # nobody is listening; the status is for the log
        except KgError as exc:
            headers = {"Retry-After": "5"} if isinstance(exc, Busy) else None
            response = self.problem(request, problem_of(exc, status_of(exc), headers))
        except Exception:  # a bug: keep serving, say so, and leave the traceback in the log
            import traceback

            traceback.print_exc()
            response = self.problem(request, Problem(500, "internal error: the server's log has the details; please report it"))
        _cors(response)
        if response.status_code >= 500 and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"  # a time limit or a busy server: ask again later
        return response.status_code, response

    def dispatch(self, request: Request) -> Response:
        if len(request.environ.get("QUERY_STRING", "")) > self.settings.max_query_string:
            raise Problem(414, f"the query string is longer than the server's limit of {self.settings.max_query_string:,} bytes",
                          hint="send the query in a POST body instead")
        if request.content_length and request.content_length > self.settings.max_body:
            raise Problem(413, f"the request body is larger than the server's limit of {self.settings.max_body:,} bytes")
        adapter = self.routes.bind_to_environ(request.environ)
        if request.method == "OPTIONS":
            # a CORS preflight, or a client asking what an address allows
            allowed = adapter.allowed_methods()
            if not allowed:
                raise Problem(404, f"nothing is at {request.path}", hint="start from the home page or search by name")
            return Response(b"", status=204, headers={"Allow": ", ".join(sorted({*allowed, "OPTIONS"}))})
        try:
            endpoint, args = adapter.match()
        except NotFound:
            raise Problem(404, f"nothing is at {request.path}", hint="start from the home page or search by name") from None
        except MethodNotAllowed as e:
            allowed = ", ".join(sorted({*(e.valid_methods or ()), "OPTIONS"}))
            raise Problem(405, f"{request.path} does not answer {request.method}", hint=f"use {allowed}",
                          headers={"Allow": allowed}) from None
        request.environ[ENDPOINT] = endpoint
        return getattr(self, "on_" + endpoint)(request, **args)

    def call(self, request: Request, op: str, *args: Any, what: str, inference: str = "none") -> Any:
        """Run ``kg.web.ops.<op>`` in a worker, stopped if the client goes away, once the
        store version it reads (with ``inference``) is built."""
        self.versions.ready(inference, self.settings.timeout)
        gone = request.environ.get(DISCONNECTED) or (lambda: False)
        return self.pool.call(op, *args, timeout=self.settings.timeout, cancelled=gone, what=what)

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` on this server (from ``--base-url``, never the Host header)."""
        return self.base + path

    # ------------------------------------------------------------ answers

    def notice(self) -> str | None:
        """The banner every page shows while the files do not load."""
        problem = self.versions.problem()
        if problem is None:
            return None
        return (f"The graph's files changed and do not load ({problem}). "
                "These pages show the last version that loaded, until the file is fixed.")

    def page(self, template: str, status: int = 200, **context: Any) -> Response:
        body = render(template, **context, settings=self.settings, notice=self.notice())
        return Response(body, status=status, mimetype=HTML, headers={"Vary": "Accept"})

    def problem(self, request: Request, p: Problem) -> Response:
        if wants_html(request):
            search = None
            if p.status == 404:
                search = request.path.rstrip("/").rsplit("/", 1)[-1].replace("-", " ")
            response = self.page("error.html", status=p.status, problem=p, search=search)
        elif accepts_json(request):
            body = json.dumps({"status": p.status, "error": p.message, "hint": p.hint}, ensure_ascii=False)
            response = Response(body, status=p.status, mimetype="application/json")
        else:
            text = p.message + (f"\nhint: {p.hint}" if p.hint else "") + "\n"
            response = Response(text, status=p.status, mimetype="text/plain")
        response.headers.update(p.headers)
        return response

    # ------------------------------------------------------------ SPARQL protocol

    def on_sparql(self, request: Request) -> Response:
        text = self._query_text(request)
        if text is None:
            if wants_html(request):
                return self.on_editor(request)
            return self.service_description(request)
        if _dataset_given(request):
            raise Problem(400, "default-graph-uri and named-graph-uri are not supported here",
                          hint="the default graph is the current view of the graph's files (superseded statements out); use GRAPH <...> to read one file")
        if wants_html(request):
            return self.on_editor(request, text=text)
        # the query's form (which formats fit) is known only once a worker has parsed it:
        # negotiate for both kinds here, and let the worker pick
        choices: dict[str, tuple[str, str] | None] = {}
        for kind, form in (("table", "SELECT"), ("graph", "CONSTRUCT")):
            try:
                choices[kind] = negotiate(request, form)
            except Problem:
                choices[kind] = None
        # HEAD runs the query as GET does: its Content-Length is that of the answer
        formats = {kind: None if c is None else c[1] for kind, c in choices.items()}
        form, body = self.call(request, "sparql", text, formats, what="the query")
        if body is None:
            negotiate(request, form)  # raises the 406 that names the formats that fit
        chosen = choices["graph" if form in ("CONSTRUCT", "DESCRIBE") else "table"]
        assert chosen is not None
        return Response(body, mimetype=chosen[0], headers={"Vary": "Accept"})

    def _query_text(self, request: Request) -> str | None:
        if request.method == "POST":
            kind = request.mimetype
            if kind == "application/sparql-update" or (kind == "application/x-www-form-urlencoded" and "update" in request.form):
                raise Problem(403, "this endpoint is read-only: SPARQL Update is not accepted",
                              hint="new facts come from a source: suggest them from its text at /suggest")
            if kind == "application/sparql-query":
                try:
                    return request.get_data(as_text=False).decode("utf-8")
                except UnicodeDecodeError:
                    raise Problem(400, "the query is not UTF-8") from None
            if kind == "application/x-www-form-urlencoded":
                queries = request.form.getlist("query")
            else:
                raise Problem(415, f"cannot read a query sent as {kind or 'no content type'}",
                              hint="send application/sparql-query, or a form with query=")
        else:
            if "update" in request.args:
                raise Problem(403, "this endpoint is read-only: SPARQL Update is not accepted")
            queries = request.args.getlist("query")
        if len(queries) > 1:
            raise Problem(400, "more than one query= was given")
        return queries[0] if queries and queries[0].strip() else None

    def service_description(self, request: Request) -> Response:
        media, fmt = negotiate(request, "CONSTRUCT")
        body = self._descriptions.get(fmt)
        if body is None:
            import pyoxigraph as ox

            from kg import views

            # written by this server from its settings alone: the same for every request
            ttl = _service_description(self.url("/sparql"), self.settings)
            body = self._descriptions[fmt] = views.triples_bytes(list(ox.parse(ttl.encode(), format=ox.RdfFormat.TURTLE)), fmt)
        return Response(body, mimetype=media, headers={"Vary": "Accept"})

    # ------------------------------------------------------------ pages

    def on_home(self, request: Request) -> Response:
        overview = self.call(request, "overview", what="the overview")
        queries = self.graph.queries()
        tags: dict[str, list[Any]] = {}
        for q in queries:  # each question once, under its first tag
            tags.setdefault((q.tags or ("other",))[0], []).append(q)
        return self.page("home.html", overview=overview, queries=queries, tags=dict(sorted(tags.items())))

    def on_editor(self, request: Request, text: str | None = None) -> Response:
        table = error = None
        seconds = 0.0
        if text is None:
            text = request.values.get("query", "")
        if not wants_html(request) and accepts_json(request):
            # the page's script: every row (the engine stops past max_rows), labelled
            if not text.strip():
                raise Problem(400, "the query is empty", hint="write a SELECT, ASK, CONSTRUCT or DESCRIBE query")
            body = self.call(request, "editor_json", text, self.settings.max_rows, what="the query")
            return Response(body, mimetype="application/json", headers={"Vary": "Accept"})
        if text.strip():
            try:
                started = time.perf_counter()
                table = self.call(request, "sparql_table", text, SHOW_ROWS, what="the query")
                seconds = time.perf_counter() - started
            except KgError as exc:
                if isinstance(exc, ClientGone):
                    raise
                error = problem_of(exc, status_of(exc))
        if not text.strip():
            text = EXAMPLE_QUERY
        downloads = [(label, "/sparql?" + urlencode({"query": text, "format": f})) for label, f in
                     DOWNLOADS["graph" if table and table["form"] in ("CONSTRUCT", "DESCRIBE") else "table"]]
        status = error.status if error else 200
        return self.page("editor.html", status=status, text=text, table=table, error=error, downloads=downloads,
                         prefixes=PREFIXES, seconds=seconds, all_downloads={kind: [list(d) for d in ds] for kind, ds in DOWNLOADS.items()})

    def on_queries(self, request: Request) -> Response:
        from kg.views import query_json

        tag = request.args.get("tag")
        queries = self.graph.queries(tag)
        if wants_html(request):
            return self.page("queries.html", queries=queries, tag=tag)
        items = [dict(query_json(q), url=self.url(f"/queries/{q.name}")) for q in queries]
        return json_response(items)

    def on_stored(self, request: Request, name: str) -> Response:
        from kg.errors import UsageError as _Usage

        try:
            stored = self.graph.catalog.get(name)
        except _Usage as exc:
            raise Problem(404, exc.message, hint="GET /queries lists the stored queries") from None
        as_of = request.args.get(AS_OF) or None
        params = {k: v for k, v in request.args.items() if k not in ("format", AS_OF)}
        html = wants_html(request)
        if html:
            return self._stored_page(request, stored, params, as_of)
        media, fmt = negotiate(request, stored.form)  # the form is the header's: no query text is read here
        body = self.call(request, "stored", name, params, fmt, as_of, what=f"the query {name}", inference=stored.inference)
        return Response(body, mimetype=media, headers={"Vary": "Accept"})

    def _stored_page(self, request: Request, stored: Any, params: dict[str, str], as_of: str | None = None) -> Response:
        table = error = None
        asked = params.pop("run", None) is not None
        params = {k: v for k, v in params.items() if v.strip()}  # a form sends its empty fields too
        # the first view of a query that needs values shows the form with the example's
        # values as placeholders; a shared URL with values runs
        run = asked or bool(params) or not any(p.required for p in stored.params.values())
        missing = [n for n in stored.missing(params) if not (as_of and n == stored.as_of)]
        if run and missing:
            run = False
            error = Problem(400, f"missing {'a value' if len(missing) == 1 else 'values'} for {', '.join(missing)}: "
                                 f"{'it is' if len(missing) == 1 else 'they are'} required",
                            hint="fill in the fields marked required; the greyed text in each is an example")
        if run:
            try:
                table = self.call(request, "stored_table", stored.name, params, SHOW_ROWS, as_of, what=f"the query {stored.name}",
                                  inference=stored.inference)
            except Problem as p:
                error = p
            except KgError as exc:
                if isinstance(exc, ClientGone):
                    raise
                error = problem_of(exc, status_of(exc))
        values = {n: params.get(n, p.default or "") for n, p in stored.params.items()}
        kind = "graph" if stored.form in ("CONSTRUCT", "DESCRIBE") else "table"
        extra = {AS_OF: as_of} if as_of else {}
        # a name of several entities: each candidate a link that runs the query with it
        choices = [(f"{label} ({name})", f"/queries/{stored.name}?" + urlencode({**params, param: name, **extra, "run": "1"}))
                   for param, name, label in _candidates(error.message if error else "")]
        downloads = [(label, f"/queries/{stored.name}?" + urlencode({**params, **extra, "format": f})) for label, f in DOWNLOADS[kind]]
        return self.page("stored.html", status=error.status if error else 200, query=stored, values=values,
                         examples=stored.example_values, missing=missing, table=table, error=error, downloads=downloads,
                         choices=choices,
                         as_of=as_of or "")

    def on_openapi(self, request: Request) -> Response:
        from kg.web.openapi import openapi

        return json_response(openapi(self.graph.queries(), self.base))

    def on_api(self, request: Request) -> Response:
        from kg.web.openapi import openapi

        return self.page("api.html", spec=openapi(self.graph.queries(), self.base))

    def on_search(self, request: Request) -> Response:
        text = request.args.get("q", "").strip()
        hits = self.call(request, "search", text, 100, what="the search") if text else []
        more = hits.pop()["more"] if hits and "more" in hits[-1] else 0
        if not wants_html(request):
            return json_response({"query": text, "results": [
                {"iri": h["iri"], "label": h["label"], "matched": h["matched"], "types": [t for t, _ in h["types"]], "page": self.url(href(h["iri"]))}
                for h in hits], "more": more})
        return self.page("search.html", q=text, hits=hits, more=more)

    def on_reconcile(self, request: Request) -> Response:
        from kg.web.reconcile import endpoint  # the W3C reconciliation API (OpenRefine)

        return endpoint(self, request)

    def on_reconcile_preview(self, request: Request) -> Response:
        from kg.web.reconcile import preview_endpoint

        return preview_endpoint(self, request)

    def on_reconcile_suggest(self, request: Request, kind: str) -> Response:
        from kg.web.reconcile import suggest_endpoint

        return suggest_endpoint(self, request, kind)

    def on_resource(self, request: Request) -> Response:
        iri = request.args.get("iri", "").strip()
        if not iri:
            raise Problem(400, "which resource? pass iri=", hint="or search by name at /search")
        return self._entity(request, iri)

    def on_local(self, request: Request, space: str, rest: str) -> Response:
        return self._entity(request, f"{BASE}{space}/{rest}")

    def _entity(self, request: Request, iri: str) -> Response:
        fmt_name = request.args.get("format")
        rdf = None
        if fmt_name or not wants_html(request):
            media, fmt = negotiate(request, "CONSTRUCT", allow_html=True)
            if media != HTML:
                rdf = (media, fmt)
        if rdf:
            body = self.call(request, "entity_rdf", iri, rdf[1], what=f"the description of {curie(iri)}")
            if body is None:
                raise Problem(404, f"{curie(iri)} is not in the graph", hint=f"search by name: /search?q={quote(_guess(iri))}")
            return Response(body, mimetype=rdf[0], headers={"Vary": "Accept"})
        rdf_links = [(label, f"{href(iri)}{'&' if '?' in href(iri) else '?'}format={f}") for label, f in DOWNLOADS["graph"][:4]]
        # the page depends on as_of and lang (in the URL) and on Accept-Language
        as_of, lang = request.args.get(AS_OF) or None, request.args.get("lang") or None
        body = self.call(request, "entity_page", iri, rdf_links, self.notice(), as_of, lang,
                         request.headers.get("Accept-Language", "")[:1000], what=f"the page of {curie(iri)}")
        if body is None:
            when = f" as it stood on {as_of}" if as_of else ""
            raise Problem(404, f"{curie(iri)} is not in the graph{when}", hint="search for it by name")
        return Response(body, mimetype=HTML, headers={"Vary": "Accept, Accept-Language"})

    def on_health(self, request: Request) -> Response:
        # from what the front knows: never a worker, an endpoint or a build to wait for
        self.versions.poke()
        problem = self.versions.problem()
        state = {"status": "degraded" if problem else "ok", **({"problem": problem} if problem else {}),
                 **self.versions.state(), **self.pool.state(), "pids": self.pool.pids(),
                 **({"cache": self.cache.state()} if self.cache is not None else {}),
                 "uptime": round(time.time() - self.started, 1)}
        return Response(json.dumps(state, ensure_ascii=False, indent=1), mimetype="application/json",
                        headers={"Cache-Control": "no-store"})

    def on_ontology(self, request: Request) -> Response:
        # the ontology's IRI (https://w3id.org/jckg/ontology#Term): its documentation for a
        # browser, the ontology itself for a client that asks for RDF
        # a client that names no type (no Accept, */*) gets the documentation, as before
        if not request.args.get("format") and (request.headers.get("Accept", "").strip() in ("", "*/*") or wants_html(request)):
            return Response(status=303, headers={"Location": "/ontology/index.html", "Vary": "Accept"})
        media, fmt = negotiate(request, "CONSTRUCT", allow_html=True)
        if media == HTML:
            return Response(status=303, headers={"Location": "/ontology/index.html", "Vary": "Accept"})
        body = self.call(request, "ontology_rdf", fmt, what="the ontology")
        name = next((n for n, m in FORMAT_NAMES.items() if m == media), fmt)
        return Response(body, mimetype=media, headers={"Vary": "Accept", "Content-Location": f"/ontology?format={quote(name)}"})

    def on_docs(self, request: Request, page: str) -> Response:
        from kg.views import doc_pages

        PAGES, STYLESHEET = doc_pages()
        if page not in (*PAGES, STYLESHEET):
            raise Problem(404, f"no documentation page {page}", hint=f"the pages: {', '.join(PAGES)}")
        body = self.call(request, "docs_page", page, what=f"the documentation page {page}")
        notice = self.notice()
        if notice and page != STYLESHEET:
            body = _with_banner(body, notice)
        return Response(body, mimetype="text/css" if page == STYLESHEET else HTML, headers={"Vary": "Accept"})

    def on_draw(self, request: Request, kind: str, fmt: str) -> Response:
        from kg.formats import names
        from kg.views import PICTURES as KINDS

        FORMATS = names("picture")
        if kind not in KINDS or fmt not in FORMATS:
            raise Problem(404, f"no picture {kind}.{fmt}", hint=f"pictures: {', '.join(f'/draw/{k}.svg' for k in KINDS)} (or .png)")
        entity = request.args.get("entity") or None
        as_of = request.args.get(AS_OF) or None  # checked in the worker
        by = request.args.get("by") or "auto"  # checked by the drawing, as the years are
        years = request.args.get("years") or None
        body = self.call(request, "draw", kind, fmt, entity, as_of, by, years, what=f"the {kind}")
        return Response(body, mimetype="image/svg+xml" if fmt == "svg" else "image/png", headers={"Cache-Control": "no-cache"})

    def on_void(self, request: Request) -> Response:
        # the dataset's description, this server's endpoint in it (VoID's well-known place too)
        body = self.call(request, "void", self.url("/sparql"), what="the dataset description")
        return Response(body, mimetype="text/turtle")

    def on_suggest(self, request: Request) -> Response:
        from kg.web.review import suggest_page

        return suggest_page(self, request)

    def on_suggest_submit(self, request: Request) -> Response:
        from kg.web.review import submit_page

        return submit_page(self, request)

    def on_static(self, request: Request, name: str) -> Response:
        if name not in STATIC:
            raise Problem(404, f"no static file {name}")
        from kg.web.pages import static_version

        data = (resources.files("kg.web") / "static" / name).read_bytes()
        # a URL naming the file's content (pages link to static_url) never changes; any other is revalidated
        fixed = request.args.get("v") == static_version(name)
        return Response(data, mimetype=STATIC[name], headers={"Cache-Control": IMMUTABLE if fixed else REVALIDATE})


STATIC = {"kg.css": "text/css", "editor.js": "text/javascript", "review.css": "text/css", "review.js": "text/javascript",
          "suggest.js": "text/javascript", "editor.css": "text/css", "api.js": "text/javascript",
          # shipped, never fetched from elsewhere: rebuilt by scripts/build_editor.sh
          "vendor/codemirror.js": "text/javascript", "vendor/swagger-ui-bundle.js": "text/javascript",
          "vendor/swagger-ui.css": "text/css", "vendor/LICENSES.txt": "text/plain"}
EXAMPLE_QUERY = """SELECT ?state ?label WHERE {
  ?state a kg:State ; rdfs:label ?label .
  FILTER(LANG(?label) = "en")
}
ORDER BY ?label"""


# ---------------------------------------------------------------- helpers


#: the URL parameter of a stored query that asks for the graph as of a day (--as-of)
AS_OF = "as_of"


#: kg.describe.resolve's refusal of a name several entities bear, as a stored query's
#: parameter reports it: "parameter 'event': '4th meeting' matches 56 entities: kgi:a (A), ..."
_AMBIGUOUS = re.compile(r"^parameter '(\w+)': '.*?' matches \d+ entities: (.*)$", re.S)
_CANDIDATE = re.compile(r"(\w[\w\-.]*:[^\s,()]+) \(((?:[^()]|\([^()]*\))*)\)")


def _candidates(message: str) -> list[tuple[str, str, str]]:
    """(parameter, prefixed name, label) of each candidate a refused name lists."""
    m = _AMBIGUOUS.match(message)
    if m is None:
        return []
    return [(m.group(1), name, label) for name, label in _CANDIDATE.findall(m.group(2))]


def _dataset_given(request: Request) -> bool:
    source = request.form if request.method == "POST" and request.mimetype == "application/x-www-form-urlencoded" else request.args
    return bool(source.getlist("default-graph-uri") or source.getlist("named-graph-uri"))


def _guess(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1].replace("-", " ")


def _with_banner(html: str, notice: str) -> str:
    """``html`` (a page rendered elsewhere, e.g. the ontology documentation) with the notice
    just inside its body."""
    from markupsafe import escape

    banner = f'<p class="notice" role="status">{escape(notice)}</p>'
    m = re.search(r"<body[^>]*>", html)
    return html[:m.end()] + banner + html[m.end():] if m else banner + html


class _EnvironHeaders:
    """The request headers in a WSGI environ by lower-case name (as the front's are)."""

    __slots__ = ("environ",)

    def __init__(self, environ: dict[str, Any]) -> None:
        self.environ = environ

    def get(self, name: str) -> str | None:
        if name == "content-type":
            return self.environ.get("CONTENT_TYPE")
        return self.environ.get("HTTP_" + name.upper().replace("-", "_"))


def _send(start_response: Callable[..., Any], status: int, headers: list[tuple[str, str]], body: bytes,
          reason: str | None = None) -> list[bytes]:
    from werkzeug.http import HTTP_STATUS_CODES

    line = reason if reason and reason.startswith(f"{status} ") else f"{status} {HTTP_STATUS_CODES.get(status, 'Unknown')}"
    start_response(line, headers)
    return [body]


def _cors(response: Response) -> None:
    # a read-only public graph: any page may query it from a browser
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, HEAD, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
    response.headers["Access-Control-Max-Age"] = "86400"
    response.headers.setdefault("X-Content-Type-Options", "nosniff")


def _service_description(endpoint: str, settings: Settings) -> str:
    formats = ", ".join(f"<http://www.w3.org/ns/formats/{f}>" for f in (
        "SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
        "Turtle", "N-Triples", "JSON-LD", "RDF_XML", "TriG", "N-Quads"))
    # not sd:UnionDefaultGraph: a superseded statement is in its file's named graph and
    # not in the default graph, so the default graph is not the merge of the named ones
    return f"""
@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{endpoint}> a sd:Service ;
    rdfs:label "Knowledge graph of regional legal and judicial cooperation (read-only SPARQL endpoint)"@en ;
    rdfs:comment "Read-only: SPARQL Update, SERVICE and FROM are refused. Each query is stopped after {settings.timeout:g} s or {settings.max_rows:,} rows (HTTP 503). The default graph is the current view: the union of the graph's files without the statements a later source superseded; each file is also a named graph, holding all it states."@en ;
    sd:endpoint <{endpoint}> ;
    sd:supportedLanguage sd:SPARQL11Query ;
    sd:resultFormat {formats} ;
    sd:defaultDataset [ a sd:Dataset ; dcterms:description "The current view: the union of every file of the graph without the statements a later source superseded. Each file is also a named graph (kgg:...) with everything it states, superseded statements included."@en ] .
"""
