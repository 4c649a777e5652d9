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
* ``/``, ``/editor``, ``/api``, ``/static/...``: the pages around them.

The application does no RDF work itself: the parts that read the graph run in the
workers of ``kg.web.pool`` (``kg.web.ops``), under the time limit; the application
checks requests, negotiates formats, maps errors to status codes and renders pages.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Any
from urllib.parse import quote, urlencode

from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from kg.errors import KgError, LimitExceeded, NetworkRefused, QueryError, UsageError
from kg.namespaces import BASE, PREFIXES, curie
from kg.web.pages import LOCAL_SPACES, href, render
from kg.web.pool import Busy, ClientGone

#: media type -> kg.output format, in the order offered when the client does not care
TABLE_TYPES = (
    ("application/sparql-results+json", "json"),
    ("application/sparql-results+xml", "xml"),
    ("text/csv", "csv"),
    ("text/tab-separated-values", "tsv"),
    ("application/json", "json"),
    ("application/xml", "xml"),
    ("text/xml", "xml"),
)
GRAPH_TYPES = (
    ("text/turtle", "turtle"),
    ("application/n-triples", "nt"),
    ("application/ld+json", "json-ld"),
    ("application/rdf+xml", "xml"),
    ("application/trig", "trig"),
    ("application/n-quads", "nq"),
    ("application/x-turtle", "turtle"),
    ("text/plain", "nt"),
)
#: ``format=`` values people type, for clients that cannot set Accept (and download links)
FORMAT_NAMES = {
    "json": "application/sparql-results+json", "srj": "application/sparql-results+json",
    "xml": "application/sparql-results+xml", "srx": "application/sparql-results+xml",
    "csv": "text/csv", "tsv": "text/tab-separated-values",
    "turtle": "text/turtle", "ttl": "text/turtle", "nt": "application/n-triples", "ntriples": "application/n-triples",
    "json-ld": "application/ld+json", "jsonld": "application/ld+json", "rdfxml": "application/rdf+xml",
    "rdf": "application/rdf+xml", "trig": "application/trig", "nq": "application/n-quads", "nquads": "application/n-quads",
}
#: the download links under a result table
DOWNLOADS = {"table": (("CSV", "csv"), ("TSV", "tsv"), ("JSON", "json"), ("XML", "xml")),
             "graph": (("Turtle", "ttl"), ("N-Triples", "nt"), ("JSON-LD", "jsonld"), ("RDF/XML", "rdfxml"), ("TriG", "trig"), ("N-Quads", "nq"))}
HTML = "text/html"
SHOW_ROWS = 500  # rows an HTML table shows; the downloads have them all


@dataclass(frozen=True)
class Settings:
    timeout: float = 30.0  # seconds per request that reads the graph
    max_rows: int = 100_000  # rows or statements per answer
    max_body: int = 1 << 20  # bytes of a POST body
    max_query_string: int = 64 << 10  # bytes of a query string


class Problem(Exception):
    """An answer other than 200, with a message for the person or program that asked."""

    def __init__(self, status: int, message: str, *, hint: str | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.hint, self.headers = status, message, hint, headers or {}


def status_of(exc: KgError) -> int:
    """The HTTP status for an error of the API (documented in docs/server.md)."""
    if isinstance(exc, (Busy, LimitExceeded)):
        return 503
    if isinstance(exc, (QueryError, NetworkRefused, UsageError)):
        return 400
    return 500


class Versions:
    """Builds store versions in the front process, outside any request's time limit.

    A worker that found the files changed would build the new version itself, inside a
    request: at 10^6 statements loading takes about 25 s and reasoning about a minute, so
    the time limit would kill every attempt and the version would never exist. Here the
    build runs on a thread of its own; a request waits for it up to its time limit and
    otherwise gets 503 with Retry-After while the build goes on. The check itself (are the
    files still those of the open version?) is a few stat calls.
    """

    def __init__(self, graph: Any) -> None:
        import threading

        self.graph = graph
        self._lock = threading.Lock()
        self._building: dict[str, Any] = {}  # inference -> Future of the running build

    def ready(self, inference: str, wait: float) -> None:
        if getattr(self.graph, "endpoint", None):
            return  # a remote store: nothing is built here
        from concurrent.futures import TimeoutError as Pending

        with self._lock:
            future = self._building.get(inference)
            if future is None or future.done():
                if future is None and self.graph.is_current(inference):
                    return
                future = self._start(inference)
        try:
            future.result(timeout=wait)
        except Pending:
            raise Problem(503, f"the store{'' if inference == 'none' else f' with {inference} inferences'} is being built "
                          "for the files as they are now; try again shortly",
                          headers={"Retry-After": "30"}) from None
        finally:
            with self._lock:
                if self._building.get(inference) is future and future.done():
                    del self._building[inference]

    def _start(self, inference: str) -> Any:
        import threading
        from concurrent.futures import Future

        future: Future = Future()

        def build() -> None:
            try:
                future.set_result(self.graph.store(inference))
            except BaseException as exc:  # noqa: BLE001 - the waiting requests report it
                future.set_exception(exc)

        self._building[inference] = future
        threading.Thread(target=build, name=f"kg-build-{inference}", daemon=True).start()
        return future


class App:
    """The WSGI application; ``pool`` runs the reads, ``graph`` (a ``kg.Graph``) gives
    the stored queries and the layout without touching the store."""

    def __init__(self, graph: Any, pool: Any, settings: Settings = Settings()) -> None:
        self.graph, self.pool, self.settings = graph, pool, settings
        self.versions = Versions(graph)
        self.started = time.time()
        self.routes = Map([
            Rule("/", endpoint="home"),
            Rule("/sparql", endpoint="sparql", methods=["GET", "POST", "HEAD"]),
            Rule("/editor", endpoint="editor"),
            Rule("/queries", endpoint="queries"),
            Rule("/queries/<name>", endpoint="stored"),
            Rule("/openapi.json", endpoint="openapi"),
            Rule("/api", endpoint="api"),
            Rule("/search", endpoint="search"),
            Rule("/resource", endpoint="resource"),
            Rule("/health", endpoint="health"),
            Rule("/static/<name>", endpoint="static"),
            Rule("/ontology", endpoint="ontology"),
            Rule("/draw/<kind>.<fmt>", endpoint="draw"),
            Rule("/void.ttl", endpoint="void"),
            Rule("/.well-known/void", endpoint="void"),
            Rule("/ontology/<page>", endpoint="docs"),
            *[Rule(f"/{space}/<path:rest>", endpoint="local", defaults={"space": space}) for space in LOCAL_SPACES],
        ], strict_slashes=False)

    # ------------------------------------------------------------ WSGI

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
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
            response = self.problem(request, Problem(status_of(exc), exc.message if not exc.location else f"{exc.location}: {exc.message}", hint=exc.hint))
        except Exception:  # a bug: keep serving, say so, and leave the traceback in the log
            import traceback

            traceback.print_exc()
            response = self.problem(request, Problem(500, "internal error: the server's log has the details; please report it"))
        _cors(response)
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        if request.method == "OPTIONS":
            return Response(b"", status=204, headers={"Allow": "GET, POST, HEAD, OPTIONS"})
        if len(request.environ.get("QUERY_STRING", "")) > self.settings.max_query_string:
            raise Problem(414, f"the query string is longer than the server's limit of {self.settings.max_query_string:,} bytes",
                          hint="send the query in a POST body instead")
        if request.content_length and request.content_length > self.settings.max_body:
            raise Problem(413, f"the request body is larger than the server's limit of {self.settings.max_body:,} bytes")
        adapter = self.routes.bind_to_environ(request.environ)
        try:
            endpoint, args = adapter.match()
        except NotFound:
            raise Problem(404, f"nothing is at {request.path}", hint="start from the home page or search by name") from None
        return getattr(self, "on_" + endpoint)(request, **args)

    def call(self, request: Request, op: str, *args: Any, what: str, inference: str = "none") -> Any:
        """Run ``kg.web.ops.<op>`` in a worker, stopped if the client goes away, once the
        store version it reads (with ``inference``) is built."""
        self.versions.ready(inference, self.settings.timeout)
        gone = request.environ.get("waitress.client_disconnected") or (lambda: False)
        return self.pool.call(op, *args, timeout=self.settings.timeout, cancelled=gone, what=what)

    # ------------------------------------------------------------ answers

    def page(self, template: str, status: int = 200, **context: Any) -> Response:
        body = render(template, **context, settings=self.settings)
        return Response(body, status=status, mimetype=HTML, headers={"Vary": "Accept"})

    def problem(self, request: Request, p: Problem) -> Response:
        if wants_html(request):
            search = None
            if p.status == 404:
                search = request.path.rstrip("/").rsplit("/", 1)[-1].replace("-", " ")
            response = self.page("error.html", status=p.status, problem=p, search=search)
        elif _accepts_json(request):
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
        from kg.engine import prepare

        if _dataset_given(request):
            raise Problem(400, "default-graph-uri and named-graph-uri are not supported here",
                          hint="the default graph is the union of the graph's files; use GRAPH <...> to pick one")
        prepared = prepare(text, source="query")
        if wants_html(request):
            return self.on_editor(request, text=text)
        media, fmt = negotiate(request, prepared.form)
        if request.method == "HEAD":
            return Response(b"", mimetype=media)
        body = self.call(request, "sparql", text, fmt, what="the query")
        return Response(body, mimetype=media, headers={"Vary": "Accept"})

    def _query_text(self, request: Request) -> str | None:
        if request.method == "POST":
            kind = request.mimetype
            if kind == "application/sparql-update" or (kind == "application/x-www-form-urlencoded" and "update" in request.form):
                raise Problem(403, "this endpoint is read-only: SPARQL Update is not accepted",
                              hint="to add facts, write them to a Turtle file and run `kg add FILE`")
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
        from kg.output import render_triples

        media, fmt = negotiate(request, "CONSTRUCT")
        endpoint = request.base_url
        ttl = _service_description(endpoint, self.settings)
        import pyoxigraph as ox

        triples = list(ox.parse(ttl.encode(), format=ox.RdfFormat.TURTLE))
        return Response(render_triples(triples, fmt), mimetype=media, headers={"Vary": "Accept"})

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
        if text is None:
            text = request.values.get("query", "")
        if text.strip():
            try:
                table = self.call(request, "sparql_table", text, SHOW_ROWS, what="the query")
            except KgError as exc:
                if isinstance(exc, ClientGone):
                    raise
                error = Problem(status_of(exc), str(exc))
        if not text.strip():
            text = EXAMPLE_QUERY
        downloads = [(label, "/sparql?" + urlencode({"query": text, "format": f})) for label, f in
                     DOWNLOADS["graph" if table and table["form"] in ("CONSTRUCT", "DESCRIBE") else "table"]]
        status = error.status if error else 200
        return self.page("editor.html", status=status, text=text, table=table, error=error, downloads=downloads,
                         prefixes=PREFIXES)

    def on_queries(self, request: Request) -> Response:
        from kg.queries import query_json

        tag = request.args.get("tag")
        queries = self.graph.queries(tag)
        if wants_html(request):
            return self.page("queries.html", queries=queries, tag=tag)
        items = [dict(query_json(q), url=f"{request.host_url}queries/{q.name}") for q in queries]
        return _json(items)

    def on_stored(self, request: Request, name: str) -> Response:
        from kg.errors import UsageError as _Usage

        try:
            stored = self.graph.catalog.get(name)
        except _Usage as exc:
            raise Problem(404, exc.message, hint="GET /queries lists the stored queries") from None
        as_of = request.args.get(AS_OF) or None
        params = _without_prefilled_day(stored, {k: v for k, v in request.args.items() if k not in ("format", AS_OF)}, as_of)
        html = wants_html(request)
        if html:
            return self._stored_page(request, stored, params, as_of)
        _bind(stored, params, as_of)
        media, fmt = negotiate(request, stored.form)
        body = self.call(request, "stored", name, params, fmt, as_of, what=f"the query {name}", inference=stored.inference)
        return Response(body, mimetype=media, headers={"Vary": "Accept"})

    def _stored_page(self, request: Request, stored: Any, params: dict[str, str], as_of: str | None = None) -> Response:
        table = error = None
        run = bool(params) or not any(p.required for p in stored.params.values()) or "run" in request.args
        params.pop("run", None)
        if run:
            try:
                _bind(stored, params, as_of)
                table = self.call(request, "stored_table", stored.name, params, SHOW_ROWS, as_of, what=f"the query {stored.name}",
                                  inference=stored.inference)
            except Problem as p:
                error = p
            except KgError as exc:
                if isinstance(exc, ClientGone):
                    raise
                error = Problem(status_of(exc), str(exc))
        values = {n: params.get(n, p.default or "") for n, p in stored.params.items()}
        kind = "graph" if stored.form in ("CONSTRUCT", "DESCRIBE") else "table"
        extra = {AS_OF: as_of} if as_of else {}
        downloads = [(label, f"/queries/{stored.name}?" + urlencode({**params, **extra, "format": f})) for label, f in DOWNLOADS[kind]]
        return self.page("stored.html", status=error.status if error else 200, query=stored, values=values,
                         table=table, error=error, downloads=downloads, as_of=as_of or "")

    def on_openapi(self, request: Request) -> Response:
        from kg.web.openapi import openapi

        return _json(openapi(self.graph.queries(), request.host_url.rstrip("/")))

    def on_api(self, request: Request) -> Response:
        from kg.web.openapi import openapi

        return self.page("api.html", spec=openapi(self.graph.queries(), request.host_url.rstrip("/")))

    def on_search(self, request: Request) -> Response:
        text = request.args.get("q", "").strip()
        hits = self.call(request, "search", text, 100, what="the search") if text else []
        more = hits.pop()["more"] if hits and "more" in hits[-1] else 0
        if not wants_html(request):
            return _json({"query": text, "results": [
                {"iri": h["iri"], "label": h["label"], "matched": h["matched"], "types": [t for t, _ in h["types"]], "page": request.host_url.rstrip("/") + href(h["iri"])}
                for h in hits], "more": more})
        return self.page("search.html", q=text, hits=hits, more=more)

    def on_resource(self, request: Request) -> Response:
        iri = request.args.get("iri", "").strip()
        if not iri:
            raise Problem(400, "which resource? pass iri=", hint="or search by name at /search")
        return self._entity(request, iri)

    def on_local(self, request: Request, space: str, rest: str) -> Response:
        return self._entity(request, f"{BASE}{space}/{rest}")

    def _entity(self, request: Request, iri: str) -> Response:
        _check_iri(iri)
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
        body = self.call(request, "entity_page", iri, rdf_links, what=f"the page of {curie(iri)}")
        if body is None:
            raise Problem(404, f"{curie(iri)} is not in the graph", hint="search for it by name")
        return Response(body, mimetype=HTML, headers={"Vary": "Accept"})

    def on_health(self, request: Request) -> Response:
        key = self.call(request, "ping", what="the health check")
        return _json({"status": "ok", "store": key, "workers": self.pool.size, "pids": self.pool.pids(), "replaced": self.pool.replaced})

    def on_ontology(self, request: Request) -> Response:
        # the ontology's IRI (https://w3id.org/jckg/ontology#Term) lands on its documentation
        return Response(status=303, headers={"Location": "/ontology/index.html"})

    def on_docs(self, request: Request, page: str) -> Response:
        from kg.docs import PAGES, STYLESHEET

        if page not in (*PAGES, STYLESHEET):
            raise Problem(404, f"no documentation page {page}", hint=f"the pages: {', '.join(PAGES)}")
        body = self.call(request, "docs_page", page, what=f"the documentation page {page}")
        return Response(body, mimetype="text/css" if page == STYLESHEET else HTML, headers={"Vary": "Accept"})

    def on_draw(self, request: Request, kind: str, fmt: str) -> Response:
        from kg.draw import FORMATS, KINDS

        if kind not in KINDS or fmt not in FORMATS:
            raise Problem(404, f"no picture {kind}.{fmt}", hint=f"pictures: {', '.join(f'/draw/{k}.svg' for k in KINDS)} (or .png)")
        entity = request.args.get("entity") or None
        as_of = request.args.get(AS_OF) or None
        if as_of is not None:
            from kg.history import parse_day

            try:
                parse_day(as_of, what=AS_OF)
            except UsageError as exc:
                raise Problem(400, exc.message, hint=exc.hint) from None
        body = self.call(request, "draw", kind, fmt, entity, as_of, what=f"the {kind}")
        return Response(body, mimetype="image/svg+xml" if fmt == "svg" else "image/png", headers={"Cache-Control": "no-cache"})

    def on_void(self, request: Request) -> Response:
        # the dataset's description, this server's endpoint in it (VoID's well-known place too)
        body = self.call(request, "void", request.host_url.rstrip("/") + "/sparql", what="the dataset description")
        return Response(body, mimetype="text/turtle")

    def on_static(self, request: Request, name: str) -> Response:
        if name not in STATIC:
            raise Problem(404, f"no static file {name}")
        data = resources.files("kg.web").joinpath("static", name).read_bytes()
        return Response(data, mimetype=STATIC[name], headers={"Cache-Control": "max-age=3600"})


STATIC = {"kg.css": "text/css", "editor.js": "text/javascript"}
EXAMPLE_QUERY = """SELECT ?state ?label WHERE {
  ?state a kg:State ; rdfs:label ?label .
  FILTER(LANG(?label) = "en")
}
ORDER BY ?label"""


# ---------------------------------------------------------------- helpers


def wants_html(request: Request) -> bool:
    """A browser (``text/html`` preferred over every RDF and result type) unless ``format=`` says."""
    if request.args.get("format"):
        return request.args["format"] in ("html", HTML)
    accept = request.accept_mimetypes
    if not accept or accept.best == "*/*":
        return False
    best = accept.best_match([HTML, "application/xhtml+xml"] + [m for m, _ in TABLE_TYPES + GRAPH_TYPES])
    return best in (HTML, "application/xhtml+xml")


def _accepts_json(request: Request) -> bool:
    return request.accept_mimetypes.best in ("application/json", "application/sparql-results+json")


def negotiate(request: Request, form: str, *, allow_html: bool = False) -> tuple[str, str]:
    """(media type, kg.output format) for a result of ``form``, from ``format=`` or Accept; 406 if none fits."""
    offered = GRAPH_TYPES if form in ("CONSTRUCT", "DESCRIBE") else TABLE_TYPES
    asked = request.args.get("format") or (request.form.get("format") if request.method == "POST" and request.mimetype == "application/x-www-form-urlencoded" else None)
    if asked:
        media = FORMAT_NAMES.get(asked.lower(), asked.lower())
        for m, fmt in offered:
            if m == media:
                return m, fmt
        raise Problem(406, f"format {asked!r} does not fit a {form} result",
                      hint="use one of " + ", ".join(sorted({n for n, m in FORMAT_NAMES.items() if m in dict(offered)})))
    accept = request.accept_mimetypes
    if not accept:
        return offered[0]
    choices = [m for m, _ in offered] + ([HTML] if allow_html else [])
    best = accept.best_match(choices)
    if best is None:
        raise Problem(406, f"none of the types in Accept fits a {form} result",
                      hint="accept one of " + ", ".join(m for m, _ in offered[:6]))
    if best == HTML:
        return HTML, "html"
    return best, dict(offered)[best]


#: the URL parameter of a stored query that asks for the graph as of a day (--as-of)
AS_OF = "as_of"


def _without_prefilled_day(stored: Any, params: dict[str, str], as_of: str | None) -> dict[str, str]:
    """With as_of, the day parameter it sets is dropped when it holds its default: the
    form fills every field with its default, which is not a second day asked for."""
    receiver = stored.params.get(stored.as_of) if as_of else None
    if receiver is not None and params.get(receiver.name) == receiver.default:
        return {k: v for k, v in params.items() if k != receiver.name}
    return params


def _bind(stored: Any, params: dict[str, str], as_of: str | None = None) -> Any:
    """The parameters checked in this process, so a wrong one is a 400 naming it."""
    try:
        if as_of is not None:
            from kg.history import parse_day

            params = stored.bind_as_of(params, parse_day(as_of, what=AS_OF))
        return stored.bind(params)
    except UsageError as exc:
        message = exc.message.replace("--as-of", AS_OF).replace("-p ", "")
        for name in stored.params:
            message = message.replace(f"pass -p {name} VALUE", f"add {name}=VALUE to the URL")
        raise Problem(400, message, hint=f"GET /queries/{stored.name}?format=html shows a form with its parameters") from None


def _dataset_given(request: Request) -> bool:
    source = request.form if request.method == "POST" and request.mimetype == "application/x-www-form-urlencoded" else request.args
    return bool(source.getlist("default-graph-uri") or source.getlist("named-graph-uri"))


def _check_iri(iri: str) -> None:
    import pyoxigraph as ox

    try:
        ox.NamedNode(iri)
    except ValueError as exc:
        raise Problem(400, f"{iri!r} is not a valid IRI: {exc}") from None


def _guess(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1].replace("-", " ")








def _json(value: Any, status: int = 200) -> Response:
    return Response(json.dumps(value, ensure_ascii=False, indent=1), status=status, mimetype="application/json")


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
    return f"""
@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{endpoint}> a sd:Service ;
    rdfs:label "Knowledge graph of regional legal and judicial cooperation (read-only SPARQL endpoint)"@en ;
    rdfs:comment "Read-only: SPARQL Update, SERVICE and FROM are refused. Each query is stopped after {settings.timeout:g} s or {settings.max_rows:,} rows (HTTP 503). The default graph is the union of the graph's files; each file is also a named graph."@en ;
    sd:endpoint <{endpoint}> ;
    sd:supportedLanguage sd:SPARQL11Query ;
    sd:resultFormat {formats} ;
    sd:feature sd:UnionDefaultGraph ;
    sd:defaultDataset [ a sd:Dataset ; dcterms:description "The union of every file of the graph; each file is also a named graph (kgg:...)."@en ] .
"""
