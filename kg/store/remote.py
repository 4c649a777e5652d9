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

A store whose default graph cannot be written (Virtuoso: its GSP has no ``?default``, and
its own default graph is every graph it holds, its system graphs included, with a
statement repeated once per graph) gets the union as the named graph ``UNION_GRAPH``
instead. A reader that finds that graph (one ASK, the first time it asks anything) names
the dataset in every request: ``default-graph-uri`` the union graph, ``named-graph-uri``
each file's graph, so the endpoint answers over exactly the local layout, whatever else
it holds. Virtuoso's other differences are met where they show (see ``_virtuoso_results``,
``_Answer.capped``, ``_DESCRIBE_CBD``); credentials (``Credentials``) go by HTTP digest or
basic authentication, as the server asks.

Only the standard library speaks HTTP (urllib): nothing is installed for it, and nothing
is contacted but the URLs the user names. Every failure (no answer, an HTTP error, an
answer that does not parse) is a ``RemoteError`` (exit 6) naming the URL, the status and
the first line of what the server said.
"""

from __future__ import annotations

import contextlib
import http.client
import json
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
from kg.namespaces import PREFIXES
from kg.store.backend import REMOTE, Capabilities, solutions

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
_ENDPOINT_HINT = "check the URL: the SPARQL query endpoint (Oxigraph: http://HOST:PORT/query, Fuseki: http://HOST:PORT/DATASET/sparql, Virtuoso: http://HOST:PORT/sparql)"
_STORE_HINT = "check --graph-store: the Graph Store Protocol URL (Oxigraph: http://HOST:PORT/store, Fuseki: http://HOST:PORT/DATASET/data, Virtuoso: http://HOST:PORT/sparql-graph-crud-auth)"
_CREDENTIALS_HINT = "pass --user NAME, with the password in KG_PASSWORD or --password-file FILE"

#: Where ``push`` puts the union of the files on a store whose default graph it cannot
#: write (Virtuoso); a reader finding this graph answers with it as the default graph.
UNION_GRAPH = PREFIXES["kgg"] + "union"
#: How long a reader trusts what it learnt of the endpoint's layout (the union graph, the
#: file graphs): a long-running ``kg serve`` sees a later push within this many seconds.
LAYOUT_TTL = 60.0
#: Virtuoso describes a resource by the statements about it *and* those pointing at it;
#: Oxigraph (the local store) by the statements about it, following blank nodes: the
#: Concise Bounded Description, which Virtuoso gives when asked by this pragma.
_DESCRIBE_CBD = 'define sql:describe-mode "CBD"\n'
_XSD_BOOLEAN = PREFIXES["xsd"] + "boolean"
#: Virtuoso's ResultSetMaxRows unless its operator changed it; kg learns the real one from
#: the first answer that reaches it (X-SPARQL-MaxRows).
VIRTUOSO_CAP = 10_000


@dataclass(frozen=True)
class Credentials:
    """A user name and password for a store that wants them (HTTP digest or basic
    authentication, whichever the server asks for). The password is never shown."""

    user: str
    password: str = field(repr=False)

    def opener(self, url: str) -> urllib.request.OpenerDirector:
        """An opener answering the server's challenge for ``url``'s host: digest (Virtuoso's
        /sparql-auth, /sparql-graph-crud-auth) or basic (most proxies)."""
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        parts = urllib.parse.urlsplit(url)
        passwords.add_password(None, f"{parts.scheme}://{parts.netloc}/", self.user, self.password)
        return urllib.request.build_opener(_EagerDigest(passwords), urllib.request.HTTPBasicAuthHandler(passwords))


class _EagerDigest(urllib.request.HTTPDigestAuthHandler):
    """Digest authentication that, once challenged, signs every later request up front.

    urllib's handler sends each request bare and answers the 401 after: for an upload
    that is the whole body sent twice, and Virtuoso answers the bare one with 401 and
    "Connection: close" before reading it, so a large body ends in a broken pipe. Here
    the server's challenge is kept and the next requests carry their Authorization
    already (a stale nonce is answered by the server with a new challenge, as before);
    ``login`` gets the first challenge with a request that has no body."""

    def __init__(self, passwords: urllib.request.HTTPPasswordMgr) -> None:
        super().__init__(passwords)
        self._challenge: dict[str, str] | None = None

    def retry_http_digest_auth(self, req: urllib.request.Request, auth: str) -> Any:
        token, challenge = auth.split(" ", 1)
        if token.lower() == "digest":
            self._challenge = urllib.request.parse_keqv_list([p for p in urllib.request.parse_http_list(challenge) if p])
        return super().retry_http_digest_auth(req, auth)

    def http_request(self, req: urllib.request.Request) -> urllib.request.Request:
        if self._challenge is not None and not req.has_header("Authorization"):
            signed = self.get_authorization(req, self._challenge)
            if signed:
                req.add_unredirected_header("Authorization", f"Digest {signed}")
        return req

    https_request = http_request


def login(opener: urllib.request.OpenerDirector | None, url: str, timeout: float | None) -> None:
    """Meet ``url``'s authentication challenge with a request without a body, so that the
    uploads after it go signed the first time (``_EagerDigest``). What it answers once
    logged in (404, 405: a GET it does not serve) does not matter; a refusal of the
    credentials shows on the first upload, with its message."""
    if opener is None:
        return
    request = urllib.request.Request(_graph_url(url, UNION_GRAPH), method="GET", headers={"User-Agent": _AGENT, "Accept": "application/n-triples"})
    with contextlib.suppress(*_ERRORS, urllib.error.URLError):
        with opener.open(request, timeout=timeout) as response:
            response.read(0)  # the graph itself is not wanted: close without reading it


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


def read_credentials(user: str | None, password_file: Any = None) -> Credentials | None:
    """``user``'s credentials, the password from ``password_file`` (its first line) or the
    KG_PASSWORD variable: never from the command line, where other users of the machine
    and the shell's history would see it. No user: None (no password may be given then)."""
    import os
    from pathlib import Path

    if not user:
        if password_file is not None:
            raise UsageError("--password-file needs --user NAME", hint="pass --user NAME too (or set KG_USER)")
        return None
    if password_file is not None:
        try:
            text = Path(password_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read the password file {password_file}: {_short(exc)}", hint="give --password-file a readable file holding the password") from None
        password = text.splitlines()[0] if text.splitlines() else ""
    else:
        password = os.environ.get("KG_PASSWORD", "")
    if not password:
        raise UsageError(
            f"--user {user} needs a password, and none was given",
            hint="set KG_PASSWORD, or pass --password-file FILE (the password is never read from the command line)",
        )
    return Credentials(user, password)


# ---------------------------------------------------------------- HTTP


def _send(
    request: urllib.request.Request,
    *,
    timeout: float | None,
    who: str,
    shown: str,
    action: str = "",
    upload: bool = False,
    opener: urllib.request.OpenerDirector | None = None,
) -> Any:
    """Open ``request`` (with ``opener``'s credentials, if any); any failure becomes a
    ``RemoteError`` about ``who`` (``shown``: its URL)."""
    lead = f"{action} failed: " if action else ""
    try:
        return (opener.open if opener else urllib.request.urlopen)(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        line = _first_line(exc)
        status = f"HTTP {exc.code} {exc.reason}".rstrip()
        hint = _status_hint(exc, upload, authenticated=opener is not None)
        error = RemoteError(f"{lead}{who} {shown} answered {status}" + (f": {line}" if line else ""), hint=hint)
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
        # Virtuoso's error page repeats the status line and an SQL state ("Error 42000")
        # above the message: what the server says is the line after them
        if line and not re.fullmatch(r"HTTP/\d(\.\d)? \d{3}\b.*|Error [0-9A-Z]{5}", line):
            return line if len(line) <= 200 else line[:197] + "..."
    return ""


def _status_hint(exc: urllib.error.HTTPError, upload: bool, authenticated: bool = False) -> str:
    code = exc.code
    if 300 <= code < 400:
        where = exc.headers.get("Location")
        return f"the server redirects{' to ' + where if where else ''}: use that URL"
    if code == 401 and authenticated:  # urllib answered the challenge, and the server said no again
        return "the server refused the credentials: check --user and the password (KG_PASSWORD or --password-file)"
    if code in (401, 403):
        if upload:
            return (
                "the store refuses writes: is it read-only (oxigraph serve-read-only, Fuseki without --update) or does it need credentials? "
                + ("the user may lack the right to write (Virtuoso: SPARQL_UPDATE)" if authenticated else _CREDENTIALS_HINT)
            )
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


@dataclass(frozen=True)
class _Layout:
    """What a reader learnt of the endpoint before its first query."""

    server: str  # the Server header ("" if none): Virtuoso's answers need reading differently
    graphs: tuple[str, ...] | None  # the file graphs next to UNION_GRAPH, or None: no union graph
    at: float  # time.monotonic() when learnt

    @property
    def virtuoso(self) -> bool:
        return self.server.lower().startswith("virtuoso")


class RemoteStore:
    """The read subset of ``pyoxigraph.Store`` kg uses, answered by a SPARQL 1.1 endpoint."""

    def __init__(self, url: str, *, timeout: float | None = DEFAULT_HTTP_TIMEOUT, credentials: Credentials | None = None) -> None:
        self.url = check_url(url)
        self.timeout = timeout  # seconds to wait for the server; None: as long as it takes
        self.credentials = credentials
        self._opener = credentials.opener(self.url) if credentials else None
        self._layout: _Layout | None = None
        self._cap = 0  # the most results the endpoint sends at once, once it said so (0: not known)

    def __repr__(self) -> str:
        return f"<kg.RemoteStore {self.url}>"

    def with_timeout(self, limit: float | None) -> RemoteStore:
        """A copy whose HTTP timeout fits a query limited to ``limit`` seconds (None or 0:
        unlimited, so no HTTP timeout either: the user asked for no limit)."""
        copy = RemoteStore.__new__(RemoteStore)
        copy.__dict__.update(self.__dict__)
        copy.timeout = limit + TIMEOUT_MARGIN if limit and limit > 0 else None
        return copy

    # -------------------------------------------------------- the endpoint's layout

    def layout(self) -> _Layout:
        """The server's name and, if ``push`` put the union in ``UNION_GRAPH``, the file
        graphs: one ASK (and a list of graphs if it says yes), remembered ``LAYOUT_TTL`` s."""
        if self._layout is None or time.monotonic() - self._layout.at > LAYOUT_TTL:
            answer, server = self._ask_raw(f"ASK {{ GRAPH <{UNION_GRAPH}> {{ ?s ?p ?o }} }}")
            graphs = None
            if answer:
                listed = self._select_raw(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), \"{PREFIXES['kgg']}\")) }}")
                graphs = tuple(sorted(g.value for (g,) in listed if isinstance(g, ox.NamedNode) and g.value != UNION_GRAPH))
            self._layout = _Layout(server, graphs, time.monotonic())
        return self._layout

    def forget(self) -> None:
        """Learn the layout again at the next query (``push`` has just changed it)."""
        self._layout = None

    def _ask_raw(self, query: str) -> tuple[bool, str]:
        response = self._post([("query", query)], _RESULTS)
        server = response.headers.get("Server") or ""
        answer = self._results(response, "ASK", _Layout(server, None, 0.0))
        return bool(answer), server

    def _select_raw(self, query: str) -> list[ox.QuerySolution]:
        return list(self._results(self._post([("query", query)], _RESULTS), "SELECT", self._layout or _Layout("", None, 0.0)))

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
        union in its default graph (or in ``UNION_GRAPH``, named as the default graph in
        every request), as the local store does.
        """
        del use_default_graph_as_union
        form = _form(query)
        layout = self.layout()
        if layout.virtuoso:
            defect = _virtuoso_defect(query)
            if defect:
                raise UsageError(
                    f"the endpoint {self.url} is Virtuoso, which answers this query wrongly: {defect}",
                    hint="run it without --endpoint (unset KG_ENDPOINT): the local store answers it",
                )
        text = _prologue(query, prefixes or {}) + query
        if form == "DESCRIBE" and layout.virtuoso:
            text = _DESCRIBE_CBD + text
        fields: list[tuple[str, str]] = [("query", text)]
        if default_graph is None and named_graphs is None:
            if layout.graphs is not None and not _names_a_dataset(query):
                # the query's own FROM would be overridden by these: it keeps its dataset
                fields += [("default-graph-uri", UNION_GRAPH)] + [("named-graph-uri", g) for g in layout.graphs]
        else:
            union = UNION_GRAPH if layout.graphs is not None else None
            fields += [("default-graph-uri", g) for g in _graph_iris(default_graph, "default_graph", union)]
            fields += [("named-graph-uri", g) for g in _graph_iris(named_graphs, "named_graphs", union)]
        try:
            response = self._post(fields, _GRAPHS if form in ("CONSTRUCT", "DESCRIBE") else _RESULTS)
        except RemoteError as exc:
            if layout.virtuoso and "transitive start not given" in str(exc):
                raise RemoteError(
                    f"the endpoint {self.url} is Virtuoso, which cannot run this query: it follows a property path "
                    "(p+, p*) only from a given start or end, and here both ends are variables ('transitive start not given')",
                    hint="run it without --endpoint (unset KG_ENDPOINT): the local store answers it",
                ) from None
            raise
        answer = self._results(response, form, layout)
        if layout.virtuoso and form == "SELECT" and _distinct(query):
            answer.distinct = True  # Virtuoso's DISTINCT keeps rows that repeat with an unbound value
        return answer

    def _post(self, fields: list[tuple[str, str]], accept: str) -> Any:
        request = urllib.request.Request(
            self.url,
            data=urllib.parse.urlencode(fields).encode("utf-8"),
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "Accept": accept, "User-Agent": _AGENT},
            method="POST",
        )
        return _send(request, timeout=self.timeout, who="the endpoint", shown=self.url, opener=self._opener)

    def _results(self, response: Any, form: str, layout: _Layout) -> Any:
        """The answer in ``response``, as ``Store.query`` gives it."""
        media = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        capped = _cap(response)
        if form in ("CONSTRUCT", "DESCRIBE"):
            fmt = ox.RdfFormat.from_media_type(media) if media else ox.RdfFormat.N_TRIPLES
            if fmt is None:
                response.close()
                raise self._nonsense(media)
            triples = _Triples(self, response, fmt, media, capped)
            if form == "CONSTRUCT" and layout.virtuoso and capped is None:
                # Virtuoso cuts a CONSTRUCT at its cap + 1 triples, without a header: that
                # count exactly is taken for a cut answer (DESCRIBE it cuts elsewhere, unseen)
                triples.capped, triples.exact = (self._cap or VIRTUOSO_CAP) + 1, True
            return triples
        results = ox.QueryResultsFormat.from_media_type(media) if media else ox.QueryResultsFormat.JSON
        if results is None:
            response.close()
            raise self._nonsense(media)
        try:  # the head (SELECT) or the whole answer (ASK)
            if results == ox.QueryResultsFormat.JSON and (layout.virtuoso or (response.headers.get("Server") or "").lower().startswith("virtuoso")):
                # read whole (Virtuoso caps an answer at ResultSetMaxRows), then made standard
                parsed = ox.parse_query_results(_virtuoso_results(response.read(), form), results)
            else:
                parsed = ox.parse_query_results(response if form == "SELECT" else response.read(), results)
        except _ERRORS as exc:
            response.close()
            raise self._failed(media, exc) from None
        if isinstance(parsed, ox.QueryBoolean):
            response.close()
            return parsed
        return _Solutions(self, response, parsed, media, capped)

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

    def _capped(self, rows: int) -> RemoteError:
        return RemoteError(
            f"the endpoint {self.url} sent only its first {rows} results (its limit, X-SPARQL-MaxRows): the answer is incomplete",
            hint="narrow the query, or page it with ORDER BY, LIMIT and OFFSET; Virtuoso's limit is ResultSetMaxRows in the [SPARQL] section of virtuoso.ini",
        )

    # -------------------------------------------------------- statements and graphs

    def quads_for_pattern(self, subject: Any = None, predicate: Any = None, object: Any = None, graph_name: Any = None) -> Iterator[ox.Quad]:
        """The statements matching the pattern: ``graph_name`` None for every graph (the
        default graph's come back with ``DefaultGraph()``), ``DefaultGraph()`` or a graph IRI."""
        if any(isinstance(t, ox.BlankNode) for t in (subject, predicate, object, graph_name)):
            return iter(())  # a blank node from one answer names nothing in the next request
        layout = self.layout()
        if graph_name is None and layout.graphs is not None and (subject, predicate, object) == (None, None, None):
            # every statement of a store that caps its answers (Virtuoso): graph by graph,
            # so that only a graph larger than the cap is paged (sorting it, slowly)
            graphs = [ox.DefaultGraph(), *(ox.NamedNode(g) for g in layout.graphs)]
            return (q for g in graphs for q in self.quads_for_pattern(None, None, None, g))
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
        if layout.virtuoso and graph_name is not None:
            return self._constructed(pattern, where, names, graph_name)
        variables = " ".join("?" + n for n in names)
        if self._cap and len(names) >= 3:  # as large as a graph: straight to the pages if it is over the cap
            (row,) = list(self.query(f"SELECT (COUNT(*) AS ?n) WHERE {where}"))
            solutions = self._pages(variables, where, self._cap) if int(row[0].value) >= self._cap else self.query(f"SELECT {variables} WHERE {where}")
        else:
            solutions = self.query(f"SELECT {variables} WHERE {where}")
            if solutions.capped:  # more than the endpoint sends at once: ask for it page by page (and remember the cap)
                solutions.close()
                self._cap = solutions.capped
                solutions = self._pages(variables, where, solutions.capped)

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

    def _constructed(self, pattern: str, where: str, names: list[str], graph: Any) -> Iterator[ox.Quad]:
        """The statements of one graph from Virtuoso, as N-Triples: it writes them some
        three times faster than SPARQL JSON, and without its JSON's quirks. It cuts a
        CONSTRUCT at its cap + 1 triples without saying so: an answer of that size is
        asked for again, page by page in a fixed order."""
        cap = self._cap or VIRTUOSO_CAP
        answer = self.query(f"CONSTRUCT {{ {pattern} }} WHERE {where}")
        answer.capped = None  # judged here: a cut answer is paged, not refused
        first = list(answer)
        if len(first) != cap + 1:
            yield from (ox.Quad(t.subject, t.predicate, t.object, graph) for t in first)
            return
        variables = " ".join("?" + n for n in names)
        ordered = f"{{ {{ SELECT {variables} WHERE {where} ORDER BY {variables} }} }}"
        offset = 0
        while True:
            page = list(self.query(f"CONSTRUCT {{ {pattern} }} WHERE {ordered} LIMIT {cap} OFFSET {offset}"))
            yield from (ox.Quad(t.subject, t.predicate, t.object, graph) for t in page)
            if len(page) < cap:
                return
            offset += cap

    def _pages(self, variables: str, where: str, size: int) -> Iterator[ox.QuerySolution]:
        """Every solution of ``SELECT variables WHERE where``, ``size`` at a time. The order
        is fixed in a subquery: Virtuoso refuses ORDER BY with OFFSET + LIMIT past its cap
        (SR353, "Sorted TOP clause"), not an ordered subquery paged outside."""
        offset = 0
        while True:
            page = self.query(f"SELECT {variables} WHERE {{ {{ SELECT {variables} WHERE {where} ORDER BY {variables} }} }} LIMIT {size} OFFSET {offset}")
            page.capped = None  # a full page reaches the cap by design: it is not cut short
            count = 0
            for row in page:
                count += 1
                yield row
            if count < size:
                return
            offset += size

    def named_graphs(self) -> Iterator[Any]:
        layout = self.layout()
        if layout.graphs is not None:
            return iter([ox.NamedNode(g) for g in layout.graphs])
        return iter(self._all_graphs())

    def _all_graphs(self) -> list[Any]:
        """Every named graph the endpoint holds, the union graph and any other included."""
        found = [row[0] for row in self._select_raw("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")]
        if any(g is None for g in found):
            # Virtuoso answers an empty pattern with one unbound row; asked for the graphs of
            # its statements it takes some 45 s over a small store, and a few ms once the
            # graph is filtered (isIRI, true of every graph name)
            found = [row[0] for row in self._select_raw("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isIRI(?g)) }")]
        return [g for g in found if g is not None]

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


def _cap(response: Any) -> int | None:
    """The row limit Virtuoso says it cut the answer at (X-SPARQL-MaxRows; it sends the
    header when the answer reaches the limit), or None."""
    value = (response.headers.get("X-SPARQL-MaxRows") or "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else None


def _virtuoso_results(body: bytes, form: str) -> bytes:
    """Virtuoso's SPARQL JSON made standard, so that its rows are the local store's:

    * ASK comes back as a one-row SELECT of ``__ASK_RETVAL`` (1 or 0): made a boolean;
    * an xsd:boolean value comes back as "1" or "0" (its N-Triples say "true"): made
      "true" or "false", as the statement was written;
    * blank nodes are named ``nodeID://b10000``, not a blank node label: the label kept
      is the part after it;
    * "typed-literal" (SPARQL 1.0's JSON) is a literal with a datatype.
    """
    answer = json.loads(body)
    rows = answer.get("results", {}).get("bindings", [])
    names = answer.get("head", {}).get("vars", [])
    if form == "ASK" and "boolean" not in answer:
        if names != ["__ASK_RETVAL"] or len(rows) > 1:
            raise ValueError("an ASK answered with rows")
        value = rows[0].get("__ASK_RETVAL", {}).get("value", "0") if rows else "0"
        return json.dumps({"head": {}, "boolean": value in ("1", "true")}).encode("utf-8")
    for row in rows:
        for term in row.values():
            kind = term.get("type")
            if kind == "typed-literal":
                term["type"] = "literal"
            if kind == "bnode":
                term["value"] = re.sub(r"[^A-Za-z0-9_]", "_", term["value"].removeprefix("nodeID://")) or "b"
            if term.get("datatype") == _XSD_BOOLEAN and term.get("value") in ("1", "0"):
                term["value"] = "true" if term["value"] == "1" else "false"
    answer["head"] = {"vars": names}  # "link": [] is allowed, but nothing reads it
    return json.dumps(answer).encode("utf-8")


class _Answer:
    """An answer read as it streams, so ``max_rows`` stops it without holding it all; a
    failure while reading (a reset, a timeout, a truncated body) is a ``RemoteError``.

    ``capped``: the endpoint said it cut the answer at this many results (Virtuoso's
    ResultSetMaxRows): reading past the last of them is a ``RemoteError``, not a silent
    short answer. ``quads_for_pattern`` pages instead."""

    def __init__(self, store: RemoteStore, response: Any, media: str, capped: int | None = None) -> None:
        self._store, self._response, self._media = store, response, media
        self.capped = capped
        self.exact = False  # capped is the exact count of a cut answer, not a bound

    def _read(self, items: Callable[[], Any]) -> Iterator[Any]:
        try:
            count = 0
            for item in items():
                count += 1
                yield item
            if self.capped is not None and (count == self.capped if self.exact else count >= self.capped):
                raise self._store._capped(count)
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
    """SELECT solutions: ``variables`` and ``QuerySolution`` rows, as ``Store.query`` gives.
    ``distinct``: leave out a row equal to an earlier one (what SELECT DISTINCT promises)."""

    def __init__(self, store: RemoteStore, response: Any, parsed: ox.QuerySolutions, media: str, capped: int | None = None) -> None:
        super().__init__(store, response, media, capped)
        self.variables = parsed.variables
        self._parsed = parsed
        self.distinct = False

    def __iter__(self) -> Iterator[ox.QuerySolution]:
        return self._read(lambda: _unique(self._parsed) if self.distinct else self._parsed)


def _unique(rows: Any) -> Iterator[ox.QuerySolution]:
    seen: set[tuple[Any, ...]] = set()
    for row in rows:
        key = tuple(row)
        if key not in seen:
            seen.add(key)
            yield row


class _Triples(_Answer):
    """CONSTRUCT or DESCRIBE: the triples (the parser gives them as default-graph quads)."""

    def __init__(self, store: RemoteStore, response: Any, fmt: ox.RdfFormat, media: str, capped: int | None = None) -> None:
        super().__init__(store, response, media, capped)
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


def _graph_iris(graphs: Sequence[Any] | Any | None, what: str, union: str | None = None) -> list[str]:
    if graphs is None:
        return []
    items = list(graphs) if isinstance(graphs, (list, tuple, set)) else [graphs]
    if all(isinstance(g, ox.DefaultGraph) for g in items) and what == "default_graph":
        return [union] if union else []  # the union: the endpoint's own default graph, or push's graph of it
    names = [g for g in items if isinstance(g, ox.NamedNode)]
    if len(names) != len(items):
        raise UsageError(f"{what} for an endpoint must be graph IRIs, or only the default graph", hint="the SPARQL protocol names graphs by IRI")
    return [g.value for g in names]


def _distinct(query: str) -> bool:
    """Whether the query is a SELECT DISTINCT (its own, not a subquery's)."""
    from kg.sparql.tokens import query_tokens

    words = [t.keyword for t in query_tokens(query)[:2]]
    return words == ["SELECT", "DISTINCT"]


def _virtuoso_defect(query: str) -> str:
    """What Virtuoso 7.2 gets wrong in ``query`` ('' if nothing known): each was found by
    comparing its rows with the local store's (tests/test_remote.py), and is refused
    rather than answered wrong. (Its DISTINCT is mended instead, see ``_unique``.)"""
    from kg.sparql.tokens import tokens as scan

    found = list(scan(query))
    for i in range(len(found) - 3):
        if found[i].keyword == "GRAPH" and found[i + 2].text == "{" and found[i + 3].keyword == "OPTIONAL":
            return "it leaves out the graphs in which GRAPH ?g { OPTIONAL { ... } } matches nothing"
    depth = 0
    optional: list[int] = []  # the depths of the open OPTIONAL groups
    outside: set[str] = set()
    inside: set[str] = set()
    keys: list[str] = []
    grouping = False
    for i, t in enumerate(found):
        if t.text == "{":
            depth += 1
            if i and found[i - 1].keyword == "OPTIONAL":
                optional.append(depth)
        elif t.text == "}":
            if optional and optional[-1] == depth:
                optional.pop()
            depth -= 1
        elif t.kind == "var" and depth > 0:
            (inside if optional else outside).add(t.text[1:])
        elif depth == 0 and t.keyword == "BY" and i and found[i - 1].keyword == "GROUP":
            grouping = True
        elif depth == 0 and grouping and t.kind == "var":
            keys.append(t.text[1:])
        elif depth == 0 and t.keyword in ("HAVING", "ORDER", "LIMIT", "OFFSET", "VALUES"):
            grouping = False
    if len(keys) >= 5 and any(k in inside and k not in outside for k in keys):
        return "grouped by five or more keys, one of them bound only in an OPTIONAL, it loses groups (or fails to compile the query)"
    return ""


def _names_a_dataset(query: str) -> bool:
    """Whether the query says which graphs it reads (FROM, FROM NAMED)."""
    from kg.sparql.tokens import tokens as scan

    return any(t.kind == "word" and t.text.upper() == "FROM" for t in scan(query))


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


def graph_store_url(endpoint: str, given: str | None = None, *, authenticated: bool = False) -> tuple[str, str | None]:
    """The Graph Store Protocol URL, and the server whose layout it was derived from (None
    when ``given``). Oxigraph serves queries at ``/query`` and graphs at ``/store``; Fuseki
    serves a dataset's queries at ``/DATASET/sparql`` or ``/DATASET/query``, its graphs at
    ``/DATASET/data``; Virtuoso serves queries at ``/sparql`` (``/sparql-auth`` with digest
    authentication) and graphs at ``/sparql-graph-crud-auth`` for a user who logs in
    (``authenticated``), ``/sparql-graph-crud`` for anybody (if its operator let them write)."""
    if given:
        return check_url(given, "--graph-store"), None
    parts = urllib.parse.urlsplit(check_url(endpoint))
    path = parts.path.rstrip("/")
    if path == "/query":
        return urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/store", "", "")), "Oxigraph"
    if path in ("/sparql", "/sparql-auth"):
        crud = "/sparql-graph-crud-auth" if authenticated or path == "/sparql-auth" else "/sparql-graph-crud"
        return urllib.parse.urlunsplit((parts.scheme, parts.netloc, crud, "", "")), "Virtuoso"
    m = re.fullmatch(r"(/.+)/(?:sparql|query)", path)
    if m:
        return urllib.parse.urlunsplit((parts.scheme, parts.netloc, m.group(1) + "/data", "", "")), "Apache Jena Fuseki"
    raise UsageError(
        f"cannot tell the graph store URL of the endpoint {endpoint}",
        hint="pass --graph-store URL, the server's SPARQL 1.1 Graph Store HTTP Protocol endpoint (Oxigraph: http://HOST:PORT/store, Fuseki: http://HOST:PORT/DATASET/data, Virtuoso: http://HOST:PORT/sparql-graph-crud-auth)",
    )


def _graph_url(gsp: str, iri: str | None) -> str:
    joiner = "&" if "?" in gsp else "?"
    return f"{gsp}{joiner}default" if iri is None else f"{gsp}{joiner}graph={urllib.parse.quote(iri, safe='')}"


def _writable_default_graph(server: str) -> bool:
    """Whether the store takes the union as its default graph. Virtuoso's does not: its
    Graph Store answers ``?default`` with "the endpoint is not configured to have default
    graph", and its default graph is every graph it holds (system graphs too), with a
    statement repeated once per graph that holds it; so the union goes to ``UNION_GRAPH``."""
    return not server.lower().startswith("virtuoso")


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
    union_graph: str | None = None  # where the union went: None for the default graph, else UNION_GRAPH


Progress = Callable[[str, int, int], None]


def push(
    gs: Any,
    endpoint: str,
    *,
    graph_store: str | None = None,
    merge: bool = False,
    progress: Progress | None = None,
    credentials: Credentials | None = None,
) -> PushReport:
    """Upload the local store version ``gs`` (a ``kg.store.local.GraphStore``) to ``endpoint``'s
    graph store: PUT (replace) or POST (merge) each named graph and the union, then count
    what the endpoint holds. A store that refuses or counts otherwise is a ``RemoteError``.
    ``credentials`` log in to the graph store (and the endpoint, if it asks)."""
    started = time.monotonic()
    reader = RemoteStore(endpoint, timeout=UPLOAD_TIMEOUT, credentials=credentials)  # counting a large store takes a while too
    gsp, derived = graph_store_url(reader.url, graph_store, authenticated=credentials is not None)
    opener = credentials.opener(gsp) if credentials else None
    local = {f.graph.value: _local_count(gs.store, f.graph) for f in gs.files}
    union = _local_count(gs.store, ox.DefaultGraph())
    server = reader.layout().server  # the endpoint answers, before anything is sent
    login(opener, gsp, UPLOAD_TIMEOUT)
    before = [g.value for g in reader._all_graphs() if isinstance(g, ox.NamedNode)]
    union_graph = None if _writable_default_graph(server) else UNION_GRAPH
    kgg = PREFIXES["kgg"]
    stale = () if merge else tuple(g for g in before if g.startswith(kgg) and g not in local and g != UNION_GRAPH)
    others = tuple(g for g in before if not g.startswith(kgg))
    method = "POST" if merge else "PUT"
    total, done, sent = sum(local.values()) + union, 0, 0
    what = f"pushing to {gsp}"
    if progress:
        progress(what, 0, total)
    for f in gs.files:
        body = gs.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=f.graph)
        _upload(method, gsp, f.graph.value, body, f"graph <{f.graph.value}> ({f.relative})", opener)
        done, sent = done + local[f.graph.value], sent + len(body)
        if progress:
            progress(what, done, total)
    body = gs.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    _upload(method, gsp, union_graph, body, "the default graph (the union of the files)" if union_graph is None else f"the union of the files to <{union_graph}>", opener)
    sent += len(body)
    if progress:
        progress(what, total, total)
    for iri in stale:
        _delete(gsp, iri, opener)
    reader.forget()  # the union graph may be new: count over the layout as it is now
    remote = reader.counts()
    remote_union = reader.count(ox.DefaultGraph())
    _verify(reader.url, gsp, merge, local, union, stale, remote, remote_union)
    return PushReport(reader.url, gsp, derived, merge, local, union, sent, stale, others, remote, remote_union, time.monotonic() - started, union_graph)


def _local_count(store: ox.Store, graph: Any) -> int:
    where = "{ ?s ?p ?o }" if isinstance(graph, ox.DefaultGraph) else f"{{ GRAPH {graph} {{ ?s ?p ?o }} }}"
    return int(next(solutions(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {where}")))[0].value)


def _upload(method: str, gsp: str, iri: str | None, body: bytes, what: str, opener: urllib.request.OpenerDirector | None = None) -> None:
    request = urllib.request.Request(
        _graph_url(gsp, iri), data=body, method=method, headers={"Content-Type": "application/n-triples", "User-Agent": _AGENT}
    )
    with _send(request, timeout=UPLOAD_TIMEOUT, who="the graph store", shown=gsp, action=f"uploading {what}", upload=True, opener=opener) as response:
        response.read()


def _delete(gsp: str, iri: str, opener: urllib.request.OpenerDirector | None = None) -> None:
    request = urllib.request.Request(_graph_url(gsp, iri), method="DELETE", headers={"User-Agent": _AGENT})
    try:
        with _send(request, timeout=UPLOAD_TIMEOUT, who="the graph store", shown=gsp, action=f"removing graph <{iri}> (its file is gone)", upload=True, opener=opener) as response:
            response.read()
    except RemoteError as exc:
        if getattr(exc, "status", None) != 404:  # 404: already gone, which is what was wanted
            raise


def _verify(endpoint: str, gsp: str, merge: bool, local: dict[str, int], union: int, stale: tuple[str, ...], remote: dict[str, int], remote_union: int) -> None:
    """Every graph holds what was sent (replace: exactly; merge: at least), removed graphs nothing."""
    wanted: dict[str | None, int] = {g: n for g, n in local.items()}  # None: the default graph
    wanted[None] = union
    wanted.update((g, 0) for g in stale)
    found: dict[str | None, int] = {**{g: remote.get(g, 0) for g in local}, None: remote_union, **{g: remote.get(g, 0) for g in stale}}
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
