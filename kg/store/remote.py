"""Any SPARQL 1.1 endpoint as the store, and ``kg push`` to fill one.

``RemoteStore`` answers the part of ``pyoxigraph.Store`` that the readers use (``query``,
``quads_for_pattern``, ``named_graphs``, ``len``) with the SPARQL 1.1 Protocol: the query
is POSTed as a form, results come back as SPARQL JSON (SELECT, ASK) or N-Triples
(CONSTRUCT, DESCRIBE) and are parsed by pyoxigraph, so every row holds the same
pyoxigraph terms a local store gives and every reader above (the engine, describe,
stats, export, the SHACL engine) works unchanged. ``RemoteGraphStore`` stands where
``kg.store.local.GraphStore`` stands.

``push`` uploads the local store with the SPARQL 1.1 Graph Store HTTP Protocol: each named
graph (one per file) to ``GSP?graph=IRI``, and their union to ``GSP?default``, so the
endpoint holds the local layout exactly (the default graph is the union as a set, as in
``kg.store.local``) and stored queries give the same rows there as here. It then counts the
statements of every graph on the endpoint against the local counts.

Only the standard library speaks HTTP (urllib): nothing is installed for it, and nothing
is contacted but the URLs the user names. Every failure (no answer, an HTTP error, an
answer that does not parse) is a ``RemoteError`` (exit 6) naming the URL, the status and
the first line of what the server said.
"""

from __future__ import annotations

import contextlib
import http.client
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from kg.errors import QueryError, RemoteError, UsageError
from kg.store.backend import REMOTE, Capabilities

#: Seconds to wait for the server (to connect, then between two reads) on a lookup
#: (describe, resolve, stats, export, validation): a server that hangs fails the command
#: instead of blocking it for ever.
DEFAULT_HTTP_TIMEOUT = 60.0
#: A query's HTTP timeout is its time limit plus this margin, so that the limit itself
#: (``kg.sparql.limits`` kills the worker and says which query and which limit) is what stops it.
TIMEOUT_MARGIN = 5.0
#: A store answers an upload once it has loaded it: a large graph takes a while.
UPLOAD_TIMEOUT = 600.0

_RESULTS = "application/sparql-results+json, application/sparql-results+xml;q=0.8, text/tab-separated-values;q=0.5"
_GRAPHS = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
_AGENT = "kg (jckg; SPARQL 1.1 Protocol)"
_ERRORS = (OSError, SyntaxError, ValueError, http.client.HTTPException)  # what reading an answer can raise
_ENDPOINT_HINT = "check the URL: the SPARQL query endpoint (Oxigraph: http://HOST:PORT/query, Fuseki: http://HOST:PORT/DATASET/sparql)"
_STORE_HINT = "check --graph-store: the Graph Store Protocol URL (Oxigraph: http://HOST:PORT/store, Fuseki: http://HOST:PORT/DATASET/data)"


def check_url(url: str, option: str = "--endpoint") -> str:
    """``url`` if it is an http(s) URL with a host, else a ``UsageError`` saying so."""
    text = (url or "").strip()
    try:
        parts = urllib.parse.urlsplit(text)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{option} {url!r} is not an http(s) URL", hint=f"give {option} as http://HOST:PORT/PATH")
    return text


# ---------------------------------------------------------------- HTTP


def _send(request: urllib.request.Request, *, timeout: float | None, who: str, shown: str, action: str = "", upload: bool = False) -> Any:
    """Open ``request``; any failure becomes a ``RemoteError`` about ``who`` (``shown``: its URL)."""
    lead = f"{action} failed: " if action else ""
    try:
        return urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        line = _first_line(exc)
        status = f"HTTP {exc.code} {exc.reason}".rstrip()
        error = RemoteError(f"{lead}{who} {shown} answered {status}" + (f": {line}" if line else ""), hint=_status_hint(exc, upload))
        error.status = exc.code  # type: ignore[attr-defined]
        raise error from None
    except urllib.error.URLError as exc:
        raise _unreachable(lead, who, shown, exc.reason, timeout) from None
    except (OSError, http.client.HTTPException) as exc:  # a timeout or reset past the connection
        raise _unreachable(lead, who, shown, exc, timeout) from None


def _unreachable(lead: str, who: str, shown: str, reason: object, timeout: float | None) -> RemoteError:
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return RemoteError(
            f"{lead}{who} {shown} did not answer " + (f"within {timeout:g} s" if timeout else "(the connection timed out)"),
            hint="the server may be overloaded, or the work too heavy for it: try again later, or narrow the query",
        )
    if isinstance(reason, ConnectionRefusedError):
        what = "connection refused"
    elif isinstance(reason, socket.gaierror):
        what = f"host {urllib.parse.urlsplit(shown).hostname!r} not found"
    else:
        what = str(reason).strip() or type(reason).__name__
    option = "--graph-store" if who == "the graph store" else "--endpoint or KG_ENDPOINT"
    return RemoteError(f"{lead}{who} {shown} does not answer: {what}", hint=f"is the server running, on that host and port? check {option}")


def _first_line(exc: urllib.error.HTTPError) -> str:
    """The first line of the server's error message (HTML reduced to its text), at most 200 characters."""
    try:
        body = exc.read(65536).decode("utf-8", errors="replace")
    except _ERRORS:
        return ""
    finally:
        exc.close()
    if "html" in (exc.headers.get("Content-Type") or "").lower() or body.lstrip().startswith("<"):
        body = re.sub(r"(?is)<(script|style|head)\b.*?</\1>", " ", body)
        body = re.sub(r"<[^>]+>", "\n", body)
    for line in body.splitlines():
        line = " ".join(line.split())
        if line:
            return line if len(line) <= 200 else line[:197] + "..."
    return ""


def _status_hint(exc: urllib.error.HTTPError, upload: bool) -> str:
    code = exc.code
    if 300 <= code < 400:
        where = exc.headers.get("Location")
        return f"the server redirects{' to ' + where if where else ''}: use that URL"
    if code in (401, 403):
        if upload:
            return "the store refuses writes: is it read-only (oxigraph serve-read-only, Fuseki without --update) or does it need credentials?"
        return "the endpoint refuses this client: does it need credentials?"
    if code == 404:
        return _STORE_HINT if upload else _ENDPOINT_HINT
    if code == 405:
        if upload:
            return "the URL does not take uploads: " + _STORE_HINT[len("check ") :] + "; Fuseki takes them only when started with --update"
        return "the URL does not take SPARQL queries: " + _ENDPOINT_HINT[len("check the URL: ") :]
    if code == 413:
        return "the server refuses a body this large: raise its upload limit"
    if code == 400 and not upload:
        return "the endpoint could not run the query: its SPARQL may differ from Oxigraph's, see its message"
    if code >= 500:
        return "the server failed: see its log, and try again"
    return "see the server's message"


# ---------------------------------------------------------------- reading: the store's read subset


class RemoteStore:
    """The read subset of ``pyoxigraph.Store`` kg uses, answered by a SPARQL 1.1 endpoint."""

    def __init__(self, url: str, *, timeout: float | None = DEFAULT_HTTP_TIMEOUT) -> None:
        self.url = check_url(url)
        self.timeout = timeout  # seconds to wait for the server; None: as long as it takes

    def __repr__(self) -> str:
        return f"<kg.RemoteStore {self.url}>"

    def with_timeout(self, limit: float | None) -> RemoteStore:
        """A copy whose HTTP timeout fits a query limited to ``limit`` seconds (None or 0:
        unlimited, so no HTTP timeout either: the user asked for no limit)."""
        copy = RemoteStore.__new__(RemoteStore)
        copy.url = self.url
        copy.timeout = limit + TIMEOUT_MARGIN if limit and limit > 0 else None
        return copy

    # -------------------------------------------------------- query

    def query(
        self,
        query: str,
        *,
        prefixes: Mapping[str, str] | None = None,
        default_graph: Sequence[Any] | Any | None = None,
        named_graphs: Sequence[Any] | None = None,
        use_default_graph_as_union: bool = False,
    ) -> Any:
        """Run ``query`` on the endpoint: a ``QueryBoolean``, solutions (``.variables``, an
        iterator of ``QuerySolution``) or an iterator of ``Triple``, as ``Store.query``.

        ``use_default_graph_as_union`` needs nothing: a graph ``kg push`` wrote holds the
        union in its default graph, as the local store does.
        """
        del use_default_graph_as_union
        form = _form(query)
        fields: list[tuple[str, str]] = [("query", _prologue(query, prefixes or {}) + query)]
        fields += [("default-graph-uri", g) for g in _graph_iris(default_graph, "default_graph")]
        fields += [("named-graph-uri", g) for g in _graph_iris(named_graphs, "named_graphs")]
        request = urllib.request.Request(
            self.url,
            data=urllib.parse.urlencode(fields).encode("utf-8"),
            headers={
                "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                "Accept": _GRAPHS if form in ("CONSTRUCT", "DESCRIBE") else _RESULTS,
                "User-Agent": _AGENT,
            },
            method="POST",
        )
        response = _send(request, timeout=self.timeout, who="the endpoint", shown=self.url)
        media = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if form in ("CONSTRUCT", "DESCRIBE"):
            fmt = ox.RdfFormat.from_media_type(media) if media else ox.RdfFormat.N_TRIPLES
            if fmt is None:
                response.close()
                raise self._nonsense(media)
            return _Triples(self, response, fmt, media)
        results = ox.QueryResultsFormat.from_media_type(media) if media else ox.QueryResultsFormat.JSON
        if results is None:
            response.close()
            raise self._nonsense(media)
        try:  # the head (SELECT) or the whole answer (ASK)
            parsed = ox.parse_query_results(response if form == "SELECT" else response.read(), results)
        except _ERRORS as exc:
            response.close()
            raise self._failed(media, exc) from None
        if isinstance(parsed, ox.QueryBoolean):
            response.close()
            return parsed
        return _Solutions(self, response, parsed, media)

    def _nonsense(self, media: str, detail: str = "") -> RemoteError:
        return RemoteError(
            f"the endpoint {self.url} answered something that is not SPARQL results or RDF ({media or 'no Content-Type'})" + (f": {detail}" if detail else ""),
            hint=_ENDPOINT_HINT,
        )

    def _failed(self, media: str, exc: BaseException) -> RemoteError:
        """What went wrong while reading an answer: it does not parse, or the connection failed."""
        if isinstance(exc, (SyntaxError, ValueError)):
            return self._nonsense(media, _short(exc))
        return _unreachable("", "the endpoint", self.url, exc, self.timeout)

    # -------------------------------------------------------- statements and graphs

    def quads_for_pattern(self, subject: Any = None, predicate: Any = None, object: Any = None, graph_name: Any = None) -> Iterator[ox.Quad]:
        """The statements matching the pattern: ``graph_name`` None for every graph (the
        default graph's come back with ``DefaultGraph()``), ``DefaultGraph()`` or a graph IRI."""
        if any(isinstance(t, ox.BlankNode) for t in (subject, predicate, object, graph_name)):
            return iter(())  # a blank node from one answer names nothing in the next request
        terms = {"s": subject, "p": predicate, "o": object}
        pattern = " ".join(str(t) if t is not None else f"?{k}" for k, t in terms.items())
        names = [k for k, t in terms.items() if t is None]
        if isinstance(graph_name, ox.DefaultGraph):
            where = f"{{ {pattern} }}"
        elif graph_name is None:
            where = f"{{ {{ {pattern} }} UNION {{ GRAPH ?g {{ {pattern} }} }} }}"
            names.append("g")
        else:
            where = f"{{ GRAPH {graph_name} {{ {pattern} }} }}"
        if not names:  # a fully bound pattern in one graph: is it there?
            return iter([ox.Quad(subject, predicate, object, graph_name)] if self.query(f"ASK {where}") else [])
        solutions = self.query(f"SELECT {' '.join('?' + n for n in names)} WHERE {where}")

        def quads() -> Iterator[ox.Quad]:
            for row in solutions:
                g = graph_name if graph_name is not None else row["g"]
                yield ox.Quad(
                    subject if subject is not None else row["s"],
                    predicate if predicate is not None else row["p"],
                    object if object is not None else row["o"],
                    g if g is not None else ox.DefaultGraph(),  # unbound: the default graph's copy
                )

        return quads()

    def named_graphs(self) -> Iterator[Any]:
        return iter([row[0] for row in self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")])

    def __len__(self) -> int:
        (row,) = list(self.query("SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"))
        return int(row[0].value)

    def count(self, graph: Any) -> int:
        """Statements in ``graph`` (``DefaultGraph()`` or an IRI)."""
        where = "{ ?s ?p ?o }" if isinstance(graph, ox.DefaultGraph) else f"{{ GRAPH {graph} {{ ?s ?p ?o }} }}"
        (row,) = list(self.query(f"SELECT (COUNT(*) AS ?n) WHERE {where}"))
        return int(row[0].value)

    def counts(self) -> dict[str, int]:
        """Statements per named graph (graphs with none are left out)."""
        rows = self.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return {row[0].value: int(row[1].value) for row in rows}


class _Answer:
    """An answer read as it streams, so ``max_rows`` stops it without holding it all; a
    failure while reading (a reset, a timeout, a truncated body) is a ``RemoteError``."""

    def __init__(self, store: RemoteStore, response: Any, media: str) -> None:
        self._store, self._response, self._media = store, response, media

    def _read(self, items: Callable[[], Any]) -> Iterator[Any]:
        try:
            yield from items()
        except _ERRORS as exc:
            raise self._store._failed(self._media, exc) from None
        finally:
            self.close()

    def close(self) -> None:
        self._response.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # an answer dropped unread (max_rows): closing must not raise
            self.close()


class _Solutions(_Answer):
    """SELECT solutions: ``variables`` and ``QuerySolution`` rows, as ``Store.query`` gives."""

    def __init__(self, store: RemoteStore, response: Any, parsed: ox.QuerySolutions, media: str) -> None:
        super().__init__(store, response, media)
        self.variables = parsed.variables
        self._parsed = parsed

    def __iter__(self) -> Iterator[ox.QuerySolution]:
        return self._read(lambda: self._parsed)


class _Triples(_Answer):
    """CONSTRUCT or DESCRIBE: the triples (the parser gives them as default-graph quads)."""

    def __init__(self, store: RemoteStore, response: Any, fmt: ox.RdfFormat, media: str) -> None:
        super().__init__(store, response, media)
        self._fmt = fmt

    def __iter__(self) -> Iterator[ox.Triple]:
        return self._read(lambda: (ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(self._response, self._fmt)))


def _form(query: str) -> str:
    from kg.sparql.tokens import query_tokens

    tokens = query_tokens(query)
    first = tokens[0].text.upper() if tokens and tokens[0].kind == "word" else ""
    if first not in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
        raise QueryError("only SELECT, ASK, CONSTRUCT and DESCRIBE are sent to an endpoint: kg reads, it does not update", hint="to add facts, use `kg add FILE` and `kg push`")
    return first


def _prologue(query: str, prefixes: Mapping[str, str]) -> str:
    """``PREFIX`` lines for the ``prefixes`` the query does not declare itself (the endpoint
    has its own predeclared prefixes, or none)."""
    from kg.sparql.tokens import tokens as scan

    tokens = list(scan(query))
    declared = {tokens[i + 1].text.rstrip(":") for i, t in enumerate(tokens[:-1]) if t.kind == "word" and t.text.upper() == "PREFIX"}
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes.items() if p not in declared)


def _graph_iris(graphs: Sequence[Any] | Any | None, what: str) -> list[str]:
    if graphs is None:
        return []
    items = list(graphs) if isinstance(graphs, (list, tuple, set)) else [graphs]
    if all(isinstance(g, ox.DefaultGraph) for g in items) and what == "default_graph":
        return []  # the endpoint's own default graph: what it queries anyway
    if not all(isinstance(g, ox.NamedNode) for g in items):
        raise UsageError(f"{what} for an endpoint must be graph IRIs, or only the default graph", hint="the SPARQL protocol names graphs by IRI")
    return [g.value for g in items]


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."


# ---------------------------------------------------------------- the store version, remote


@dataclass
class RemoteGraphStore:
    """Stands where ``kg.store.local.GraphStore`` stands when the facade reads from an endpoint.

    The tool does not hold the endpoint's data, so there is no content key: the key is the
    endpoint's URL, and nothing is built, reloaded or inferred here.
    """

    store: RemoteStore
    key: str
    files: tuple[Any, ...] = ()
    inference: str = "none"
    path: None = None
    built: bool = False
    reloaded: tuple[str, ...] = field(default_factory=tuple)
    inferred: int = 0
    seconds: float = 0.0
    capabilities: Capabilities = REMOTE

    @property
    def endpoint(self) -> str:
        return self.store.url

    @property
    def graphs(self) -> list[ox.NamedNode]:
        """The named graphs the endpoint holds (one request)."""
        return sorted((g for g in self.store.named_graphs() if isinstance(g, ox.NamedNode)), key=lambda g: g.value)

    @property
    def persistent(self) -> bool:
        return False

    def begin(self) -> Any:
        raise UsageError(
            f"checking new facts needs the local store, not the endpoint {self.endpoint}",
            hint="run without --endpoint (unset KG_ENDPOINT), then `kg push` to update the endpoint",
        )


def open_remote(url: str, *, timeout: float | None = DEFAULT_HTTP_TIMEOUT) -> RemoteGraphStore:
    started = time.monotonic()
    store = RemoteStore(url, timeout=timeout)
    return RemoteGraphStore(store, key=store.url, seconds=time.monotonic() - started)


# ---------------------------------------------------------------- kg push: the Graph Store Protocol


def graph_store_url(endpoint: str, given: str | None = None) -> tuple[str, str | None]:
    """The Graph Store Protocol URL, and the server whose layout it was derived from (None
    when ``given``). Oxigraph serves queries at ``/query`` and graphs at ``/store``; Fuseki
    serves a dataset's queries at ``/DATASET/sparql`` or ``/DATASET/query``, its graphs at
    ``/DATASET/data``."""
    if given:
        return check_url(given, "--graph-store"), None
    parts = urllib.parse.urlsplit(check_url(endpoint))
    path = parts.path.rstrip("/")
    if path == "/query":
        return urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/store", "", "")), "Oxigraph"
    m = re.fullmatch(r"(/.+)/(?:sparql|query)", path)
    if m:
        return urllib.parse.urlunsplit((parts.scheme, parts.netloc, m.group(1) + "/data", "", "")), "Apache Jena Fuseki"
    raise UsageError(
        f"cannot tell the graph store URL of the endpoint {endpoint}",
        hint="pass --graph-store URL, the server's SPARQL 1.1 Graph Store HTTP Protocol endpoint (Oxigraph: http://HOST:PORT/store, Fuseki: http://HOST:PORT/DATASET/data)",
    )


def _graph_url(gsp: str, iri: str | None) -> str:
    joiner = "&" if "?" in gsp else "?"
    return f"{gsp}{joiner}default" if iri is None else f"{gsp}{joiner}graph={urllib.parse.quote(iri, safe='')}"


@dataclass(frozen=True)
class PushReport:
    """What ``push`` sent and what the endpoint holds afterwards."""

    endpoint: str
    graph_store: str
    derived_from: str | None  # the server whose URL layout gave graph_store, None if given
    merge: bool
    graphs: dict[str, int]  # graph IRI -> statements sent
    union: int  # statements sent to the default graph
    bytes: int
    deleted: tuple[str, ...]  # graphs of files no longer here, removed (replace only)
    others: tuple[str, ...]  # named graphs outside kgg: on the endpoint, left alone
    remote: dict[str, int]  # graph IRI -> statements on the endpoint after the push
    remote_union: int
    seconds: float


Progress = Callable[[str, int, int], None]


def push(
    gs: Any,
    endpoint: str,
    *,
    graph_store: str | None = None,
    merge: bool = False,
    progress: Progress | None = None,
) -> PushReport:
    """Upload the local store version ``gs`` (a ``kg.store.local.GraphStore``) to ``endpoint``'s
    graph store: PUT (replace) or POST (merge) each named graph and the union, then count
    what the endpoint holds. A store that refuses or counts otherwise is a ``RemoteError``."""
    from kg.namespaces import PREFIXES

    started = time.monotonic()
    reader = RemoteStore(endpoint, timeout=UPLOAD_TIMEOUT)  # counting a large store takes a while too
    gsp, derived = graph_store_url(reader.url, graph_store)
    local = {f.graph.value: _local_count(gs.store, f.graph) for f in gs.files}
    union = _local_count(gs.store, ox.DefaultGraph())
    before = [g.value for g in reader.named_graphs() if isinstance(g, ox.NamedNode)]  # the endpoint answers, before anything is sent
    kgg = PREFIXES["kgg"]
    stale = () if merge else tuple(g for g in before if g.startswith(kgg) and g not in local)
    others = tuple(g for g in before if not g.startswith(kgg))
    method = "POST" if merge else "PUT"
    total, done, sent = sum(local.values()) + union, 0, 0
    what = f"pushing to {gsp}"
    if progress:
        progress(what, 0, total)
    for f in gs.files:
        body = gs.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=f.graph)
        _upload(method, gsp, f.graph.value, body, f"graph <{f.graph.value}> ({f.relative})")
        done, sent = done + local[f.graph.value], sent + len(body)
        if progress:
            progress(what, done, total)
    body = gs.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    _upload(method, gsp, None, body, "the default graph (the union of the files)")
    sent += len(body)
    if progress:
        progress(what, total, total)
    for iri in stale:
        _delete(gsp, iri)
    remote = reader.counts()
    remote_union = reader.count(ox.DefaultGraph())
    _verify(reader.url, gsp, merge, local, union, stale, remote, remote_union)
    return PushReport(reader.url, gsp, derived, merge, local, union, sent, stale, others, remote, remote_union, time.monotonic() - started)


def _local_count(store: ox.Store, graph: Any) -> int:
    where = "{ ?s ?p ?o }" if isinstance(graph, ox.DefaultGraph) else f"{{ GRAPH {graph} {{ ?s ?p ?o }} }}"
    return int(next(iter(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {where}")))[0].value)


def _upload(method: str, gsp: str, iri: str | None, body: bytes, what: str) -> None:
    request = urllib.request.Request(
        _graph_url(gsp, iri), data=body, method=method, headers={"Content-Type": "application/n-triples", "User-Agent": _AGENT}
    )
    with _send(request, timeout=UPLOAD_TIMEOUT, who="the graph store", shown=gsp, action=f"uploading {what}", upload=True) as response:
        response.read()


def _delete(gsp: str, iri: str) -> None:
    request = urllib.request.Request(_graph_url(gsp, iri), method="DELETE", headers={"User-Agent": _AGENT})
    try:
        with _send(request, timeout=UPLOAD_TIMEOUT, who="the graph store", shown=gsp, action=f"removing graph <{iri}> (its file is gone)", upload=True) as response:
            response.read()
    except RemoteError as exc:
        if getattr(exc, "status", None) != 404:  # 404: already gone, which is what was wanted
            raise


def _verify(endpoint: str, gsp: str, merge: bool, local: dict[str, int], union: int, stale: tuple[str, ...], remote: dict[str, int], remote_union: int) -> None:
    """Every graph holds what was sent (replace: exactly; merge: at least), removed graphs nothing."""
    wanted = {**local, None: union, **{g: 0 for g in stale}}
    found = {**{g: remote.get(g, 0) for g in local}, None: remote_union, **{g: remote.get(g, 0) for g in stale}}
    wrong = [g for g in wanted if (found[g] < wanted[g] if merge else found[g] != wanted[g])]
    if not wrong:
        return
    g = wrong[0]
    name = "the default graph" if g is None else f"<{g}>"
    more = f" (and {len(wrong) - 1} more graph(s))" if len(wrong) > 1 else ""
    need = "at least " if merge else ""
    raise RemoteError(
        f"after the push the endpoint {endpoint} holds {found[g]} statement(s) in {name}, where it should hold {need}{wanted[g]}{more}",
        hint=f"is the endpoint the query service of the same dataset as the graph store {gsp}? another client may be writing to it: push again with --replace",
    )
