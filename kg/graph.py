"""The facade: one object that every face (the ``kg`` command, a notebook, the server) uses.

    >>> import kg
    >>> g = kg.open()                                   # the bundled graph; kg.open("path/")
    >>> rows = g.query("delegations-at-meeting", event="kgi:eco-apg-meeting-4")
    >>> rows.to_dicts(plain=True)[0]["participantLabel"]
    'Azerbaijan'
    >>> g.sparql("ASK { kgi:state-tj kg:isoAlpha2 'TJ' }").boolean
    True
    >>> g.describe("Таджикистан").label, g.stats().asserted
    ('Tajikistan', ...)
    >>> new = g.layout.root / "examples/accepted/eco-apg-meeting-6-sidelines.ttl"
    >>> g.validate([new]).passes, g.add([new], dry_run=True).added
    (True, 80)
    >>> g.export("trig")[:7]                            # bytes
    b'@prefix'

Each method is a short composition of the modules below it: the store (``kg.store.local``),
the stored queries (``kg.sparql.catalog``), the engine and its limits (``kg.sparql.engine``,
``kg.sparql.limits``), validation (``kg.shacl.report``), reasoning (``kg.store.entail``) and rendering
(``kg.rdf.render``). The store is opened on first use and reopened whenever the files
changed since, so a long-lived object (a notebook, the server) never answers from a
stale graph.

With ``endpoint`` (``kg.open(endpoint="http://host:7878/query")``) every read goes to that
SPARQL 1.1 endpoint instead (``kg.store.remote``), with the same results once ``push`` has
uploaded the graph; the stored queries, shapes and files stay local. Reasoning and
additions need the local store and are refused there.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from kg.layout import Layout, find_layout
from kg.sparql.results import Result
from kg.store.local import INFERENCE_MODES, GraphStore, Progress, content_key, graph_files, open_store

if TYPE_CHECKING:
    from datetime import date

    import pyoxigraph as ox

    from kg.add import AddResult
    from kg.describe import Description
    from kg.history import Entry
    from kg.shacl.report import Report
    from kg.sparql.catalog import QueryCatalog, StoredQuery
    from kg.stats import Stats
    from kg.store.backend import Reads
    from kg.store.remote import Credentials, PushReport
    from kg.suggest.gazetteer import Gazetteer

T = TypeVar("T")


#: In-memory views as of a day kept per Graph (a server asked about many days stays bounded).
MAX_VIEWS = 4


class Graph:
    """The knowledge graph of one graph directory (``ontology/``, ``data/``, ``queries/``)."""

    def __init__(
        self,
        layout: Layout,
        *,
        cache: Path | bool = True,
        timeout: float | None = None,
        max_rows: int | None = None,
        progress: Progress | None = None,
        endpoint: str | None = None,
    ) -> None:
        self.layout = layout
        self.endpoint = _endpoint(endpoint)
        self.cache = cache
        self.timeout = timeout
        self.max_rows = max_rows
        self.progress = progress
        self._stores: dict[str, GraphStore] = {}
        self._remote: Any = None
        self._catalog: Any = None
        self._views: dict[tuple[str, str, Any], GraphStore] = {}

    def __repr__(self) -> str:
        return f"<kg.Graph {self.layout.root}" + (f" at {self.endpoint}>" if self.endpoint else ">")

    # ------------------------------------------------------------ the store

    def store(self, inference: str = "none") -> GraphStore:
        """The store version for the files as they are now (built or rebuilt if needed);
        with an endpoint, a ``kg.store.remote.RemoteGraphStore`` reading from it."""
        if self.endpoint is None and inference in INFERENCE_MODES:
            return self.local_store(inference)  # the common case, asked before every query
        from kg.errors import UsageError

        if inference not in INFERENCE_MODES:
            raise UsageError(f"unknown inference {inference!r}", hint=f"use one of {', '.join(INFERENCE_MODES)}")
        if self._remote is None:
            from kg.store.remote import open_remote

            assert self.endpoint is not None
            self._remote = open_remote(self.endpoint)
        if inference != "none" and not self._remote.capabilities.inference:
            raise UsageError(
                f"inference {inference!r} needs the local store: the endpoint {self.endpoint} answers from the asserted statements only",
                hint="run without --endpoint (unset KG_ENDPOINT) to reason locally, or pass --inference none",
            )
        return self._remote

    def is_current(self, inference: str = "none") -> bool:
        """Whether the version open for ``inference`` still matches the files (one read of an
        inotify queue, or a stat of every file where there is none; nothing is built): a
        server asks before every request."""
        open_now = self._stores.get(inference)
        return open_now is not None and content_key(graph_files(self.layout, cache=self.cache)) == open_now.key

    def local_store(self, inference: str = "none") -> GraphStore:
        """The local store version for the files as they are now, endpoint or not (``push`` reads it)."""
        # a few microseconds while nothing changed (an inotify queue read, kg.store.local)
        files = graph_files(self.layout, cache=self.cache)
        current = self._stores.get(inference)
        if current is not None and content_key(files) == current.key:
            return current
        gs = open_store(self.layout, inference=inference, cache=self.cache, progress=self.progress, files=files)
        self._stores[inference] = gs
        return gs

    def as_of(self, day: Any, inference: str = "none") -> GraphStore:
        """The graph as it stood on ``day`` (a ``date`` or YYYY-MM-DD): what the sources known
        then said, minus what was superseded by then (``kg.history.fill_view_as_of``). Kept
        in the cache as a version of its own, keyed by the current version and the day
        (``kg.store.local.open_view``), so it is built once, not by every process."""
        from datetime import date as _date

        from kg.history import check_as_of, fill_view_as_of, parse_day

        when = day if isinstance(day, _date) else parse_day(str(day))
        base = self.store()
        if not base.capabilities.as_of:
            from kg.errors import UsageError

            raise UsageError(
                f"--as-of needs the local store: the endpoint {self.endpoint} holds the current view only",
                hint="run without --endpoint (unset KG_ENDPOINT)",
            )
        key = (base.key, when.isoformat(), inference)
        found = self._views.get(key)
        if found is None:
            from kg.store.local import open_view

            check_as_of(base.store, when)  # a kept view's day passed it already
            # a version of its own in the cache, built once for every process (kg.store.local)
            found = open_view(base, when.isoformat(), lambda target: fill_view_as_of(base.store, base.graphs, when, target))
            if inference != "none":
                if found.path is not None:
                    from kg.store.local import derive

                    found = derive(found, inference, self.progress)
                else:
                    from kg.store.local import add_closure

                    add_closure(found, inference)
            # older versions' views go, and only the last few days asked are kept open
            kept = [(k, v) for k, v in self._views.items() if k[0] == base.key][-(MAX_VIEWS - 1):]
            self._views = dict(kept)
            self._views[key] = found
        return found

    def as_of_notes(self, day: Any) -> list[str]:
        """What the graph as it stood on ``day`` cannot show (``kg.history.as_of_notes``):
        sources without a date, whose facts every view leaves out, and events without a
        start date, which answers that compare dates leave out."""
        from datetime import date as _date

        from kg.history import as_of_notes, parse_day

        when = day if isinstance(day, _date) else parse_day(str(day))
        return as_of_notes(self.local_store().store, self.as_of(when).store, when)

    # ------------------------------------------------------------ queries

    @property
    def catalog(self) -> QueryCatalog:
        if self._catalog is None:
            from kg.sparql.catalog import QueryCatalog

            self._catalog = QueryCatalog(self.layout.queries_dir)
        return self._catalog

    def queries(self, tag: str | None = None) -> list[Any]:
        """The stored queries (``StoredQuery``), optionally only those with ``tag``."""
        return self.catalog.with_tag(tag) if tag else self.catalog.all()

    def query(
        self,
        name: str,
        *,
        inference: str | None = None,
        timeout: float | None = None,
        max_rows: int | None = None,
        params: Mapping[str, str] | None = None,
        as_of: Any = None,
        **kwargs: str,
    ) -> Result:
        """Run the stored query ``name``; parameters as keywords (or ``params=``), as strings
        in the syntax the command line takes (``event="kgi:eco-apg-meeting-4"``).

        ``as_of`` (a day): on the graph as it stood then, for queries whose header opts in
        (``as-of:``); a query that names a date parameter there gets the day bound to it."""
        from kg.sparql.catalog import is_name
        from kg.sparql.engine import execute

        stored = self.catalog.get(name)
        raw = {**(params or {}), **kwargs}
        if any(p.type == "iri" and isinstance(raw.get(n), str) and is_name(raw[n]) for n, p in stored.params.items()):
            raw = self.resolve_params(name, raw)[0]
        if as_of is not None:
            raw = stored.bind_as_of(raw, as_of)
        bindings = stored.bind(raw)
        gs = self.store(inference or stored.inference) if as_of is None else self.as_of(as_of, inference or stored.inference)
        limit = self._timeout(timeout)
        source = _relative(self.layout, stored.path)
        return execute(self._reader(gs, limit), stored.text, source=source, bindings=bindings, timeout=limit, max_rows=self._max_rows(max_rows))

    def sparql(
        self,
        text: str,
        *,
        inference: str = "none",
        timeout: float | None = None,
        max_rows: int | None = None,
        allow_network: bool = False,
        source: str = "<query>",
        as_of: Any = None,
    ) -> Result:
        """Run ad hoc SPARQL (SELECT, ASK, CONSTRUCT, DESCRIBE) with the project's prefixes;
        with ``as_of`` (a day), on the graph as it stood then."""
        from kg.sparql.engine import execute, network_refused

        network_refused(text, source=source, allow_network=allow_network)  # before the store is opened
        gs = self.store(inference) if as_of is None else self.as_of(as_of, inference)
        limit = self._timeout(timeout)
        return execute(self._reader(gs, limit), text, source=source, allow_network=allow_network, timeout=limit, max_rows=self._max_rows(max_rows))

    @staticmethod
    def _reader(gs: Any, limit: float | None) -> Reads:
        # an endpoint's HTTP timeout follows the query's time limit (kg.store.remote)
        return gs.store.with_timeout(limit) if hasattr(gs.store, "with_timeout") else gs.store

    def _timeout(self, timeout: float | None) -> float | None:
        return self.timeout if timeout is None else timeout

    def _max_rows(self, max_rows: int | None) -> int | None:
        return self.max_rows if max_rows is None else max_rows

    # ------------------------------------------------------------ looking around

    def resolve(self, term: str) -> ox.NamedNode:
        """The IRI a CURIE, full IRI or label (any language, case, accents) names."""
        from kg.describe import resolve

        # the name index is kept per store version: a name is found without reading every name again
        return resolve(self.store().store, term, self.name_index() if self.store().capabilities.versioned else None)

    def resolve_params(self, name: str, params: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
        """The stored query's ``params`` with each name given to an IRI parameter ("4th
        meeting", "Таджикистан") replaced by the IRI it names, and notes for a person: which
        entity a name was taken as, and each IRI given that no statement mentions (it runs,
        but answers nothing). A name that matches several entities, or none, is a
        ``UsageError`` listing the candidates (``kg.describe.resolve``)."""
        import pyoxigraph as ox

        from kg.errors import UsageError
        from kg.namespaces import curie
        from kg.sparql.catalog import is_name, to_term

        stored = self.catalog.get(name)
        resolved, notes = dict(params), []
        for pname, value in params.items():
            param = stored.params.get(pname)
            if param is None or param.type != "iri" or not isinstance(value, str):
                continue
            if is_name(value):
                try:
                    node = self.resolve(value)
                except UsageError as exc:
                    raise UsageError(f"parameter {pname!r}: {exc.message}", hint=exc.hint) from None
                resolved[pname] = node.value
                notes.append(f"{pname}: {value!r} taken as {self.label(node)!r} ({curie(node.value)})")
                continue
            iri = ox.NamedNode(to_term(value, "iri", param=pname).value)
            store = self.store().store
            if not any(True for s, p, o in ((iri, None, None), (None, None, iri), (None, iri, None))
                       for _ in store.quads_for_pattern(s, p, o, ox.DefaultGraph())):
                notes.append(f"{curie(iri.value)} is not in the graph: no statement mentions it")
        return resolved, notes

    def describe(self, term: str) -> Description:
        """Everything the graph states about an entity (``kg.describe.Description``)."""
        from kg.describe import describe

        store = self.store().store
        return describe(store, self.resolve(term))

    def history(self, term: str) -> list[Entry]:
        """Every statement the graph holds or held about an entity, current and superseded,
        with its file, sources, passages and the records that superseded it
        (``kg.history.history``)."""
        from kg.errors import UsageError
        from kg.history import history
        from kg.namespaces import curie

        store = self.store().store  # an endpoint holds every file's graph, records included
        entity = self.resolve(term)
        entries = history(store, entity)
        if not entries:
            raise UsageError(f"{curie(entity.value)} is the subject of no statement in the graph", hint="check the IRI, or search by label")
        return entries

    def label(self, node: Any) -> str:
        """A readable name for ``node`` by the one label rule (``kg.describe.readable_label``),
        remembered for the store version."""
        import pyoxigraph as ox

        from kg.describe import readable_label

        if not isinstance(node, ox.NamedNode):
            return ""
        gs = self.store()
        if not gs.capabilities.versioned:  # an endpoint can change under the same URL
            return readable_label(gs.store, node)
        labels: dict[str, str] = self.remember("labels", (), dict)
        if node.value not in labels:
            if len(labels) > 200_000:
                labels.clear()
            labels[node.value] = readable_label(gs.store, node)
        return labels[node.value]

    def stats(self, inference: str = "none") -> Stats:
        from kg.stats import compute

        return compute(self.store(inference).store)

    # ------------------------------------------------------------ export and reasoning

    def quads(self, *, inference: str = "none", inferred_only: bool = False) -> Iterable[Any]:
        """Every statement of the store, with its named graph."""
        import pyoxigraph as ox

        from kg.namespaces import INFERRED_GRAPH

        gs = self.store("owlrl" if inferred_only and inference == "none" else inference)
        if inferred_only:
            return gs.store.quads_for_pattern(None, None, None, ox.NamedNode(INFERRED_GRAPH))
        # the named graphs only: the default graph is their union, kept for queries. Read
        # graph by graph, so the union's copy is never read (it is half the store).
        store = gs.store
        return (q for g in sorted(store.named_graphs(), key=lambda n: n.value) for q in store.quads_for_pattern(None, None, None, g))

    def export(self, fmt: str = "nq", *, inference: str = "none", inferred_only: bool = False) -> bytes:
        """The whole graph in ``fmt``. nq, trig and json-ld keep one named graph per file,
        so a statement a later source superseded is there, in its source's graph, beside
        the record that retires it; a triple format (turtle, nt, xml) holds the current
        view, which a store loading it should answer from."""
        import pyoxigraph as ox

        from kg.namespaces import INFERRED_GRAPH
        from kg.rdf.render import render_store

        gs = self.store("owlrl" if inferred_only and inference == "none" else inference)
        store = gs.store
        if not isinstance(store, ox.Store):
            # an endpoint's statements, copied into memory so they are written exactly as the
            # local store's are: the same graph gives the same bytes wherever it is read from
            store = ox.Store()
            if fmt in ("turtle", "nt", "xml") and not inferred_only:
                store.bulk_extend(gs.store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
            else:
                store.bulk_extend(self.quads(inference=inference, inferred_only=inferred_only))
        # the store's own writer, in a canonical order (kg.rdf.render.render_store)
        if inferred_only:
            graphs: list[Any] = [ox.NamedNode(INFERRED_GRAPH)]
        elif fmt in ("turtle", "nt", "xml"):
            graphs = [ox.DefaultGraph()]
        else:
            graphs = list(store.named_graphs())
        return render_store(store, graphs, fmt)

    def inferred(self, inference: str = "owlrl") -> list[ox.Triple]:
        """The statements ``inference`` adds to the graph (``kgg:inferred``), as triples."""
        import pyoxigraph as ox

        return [ox.Triple(q.subject, q.predicate, q.object) for q in self.quads(inference=inference, inferred_only=True)]

    # ------------------------------------------------------------ validation and additions

    def validate(self, files: Iterable[Path | str] = (), *, focus: Iterable[Any] | None = None) -> Report:
        """Check the graph, or ``files`` in the context of the graph, against the shapes."""
        from kg.shacl.report import validate_store

        if files and not self.store().capabilities.writable:
            self.store().begin()  # refused, with the reason: candidates need the local store
        return validate_store(self, [Path(f) for f in files], focus=focus)

    def add(self, files: Iterable[Path | str], **options: Any) -> AddResult:
        """Check new facts and merge them into their source's file (``kg.add.add_files``)."""
        from kg.add import add_files

        if not self.store().capabilities.writable:
            from kg.errors import UsageError

            raise UsageError(
                f"kg add writes the local files and cannot work on the endpoint {self.endpoint}",
                hint="run it without --endpoint (unset KG_ENDPOINT), then `kg push` to update the endpoint",
            )
        result = add_files([Path(f) for f in files], self.layout, graph=self, **options)
        return result

    def amend(self, files: Iterable[Path | str], **options: Any) -> AddResult:
        """Merge facts that replace earlier ones: the files hold kg:Supersession records for
        the statements they retire, checked and validated as ``add`` does (``kg.add``)."""
        return self.add(files, amend=True, **options)

    # ------------------------------------------------------------ another store

    def push(self, endpoint: str | None = None, *, graph_store: str | None = None, merge: bool = False, credentials: Credentials | None = None) -> PushReport:
        """Upload the local graph to a SPARQL store (``kg.store.remote.push``): each file's named
        graph and their union, replaced (default) or merged; then the counts are checked."""
        from kg.errors import UsageError
        from kg.store.remote import push

        target = endpoint or self.endpoint
        if not target:
            raise UsageError("push needs the endpoint to upload to", hint="pass --endpoint URL (the SPARQL query endpoint, e.g. http://127.0.0.1:7878/query)")
        return push(self.local_store(), target, graph_store=graph_store, merge=merge, progress=self.progress, credentials=credentials)

    # ------------------------------------------------------------ what the faces need besides

    def remember(self, kind: str, key: Any, compute: Callable[[], T]) -> T:
        """A value computed once per store version (labels, the name index, counts, pictures):
        the version's content key says when it is stale. Nothing is remembered for an
        endpoint, whose answers can change under the same URL."""
        gs = self.store()
        if not gs.capabilities.versioned:
            return compute()
        memo = self.__dict__.setdefault("_memo", {})
        if memo.get("version") != gs.key:
            memo.clear()
            memo["version"] = gs.key
        kept = memo.setdefault(kind, {})
        if key not in kept:
            if len(kept) >= self.MEMO_SIZE and kind != "labels":
                kept.clear()  # a bounded cache that starts over
            kept[key] = compute()
        return kept[key]

    #: entries kept per kind by ``remember`` (pictures are the largest: ~100 KB each)
    MEMO_SIZE = 32

    def name_index(self) -> list[tuple[str, str, str]]:
        """(normalised name, IRI, name) for every name in the graph, built once per version."""
        def build() -> list[tuple[str, str, str]]:
            import pyoxigraph as ox

            from kg.describe import NAME_PROPERTIES, normalise

            rows = set()
            for p in NAME_PROPERTIES:
                for q in self.store().store.quads_for_pattern(None, p, None, ox.DefaultGraph()):
                    if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal):
                        rows.add((normalise(q.object.value), q.subject.value, q.object.value))
            return sorted(rows)

        return self.remember("name-index", (), build)

    def check_query(self, text: str, *, source: str = "<query>", allow_network: bool = False, timeout: float | None = None) -> str:
        """Check ad hoc SPARQL before any store is opened (syntax, updates, network):
        its form (SELECT, ASK, CONSTRUCT, DESCRIBE), or a ``QueryError``."""
        from kg.sparql.engine import check

        # check() prepares the query (in a worker when a fork isolates it) and gives it back:
        # preparing it again here would parse it twice on every command's way in
        return check(text, source=source, allow_network=allow_network, timeout=timeout).form

    def read_query(self, path: Path | str) -> str:
        """A query file's text, UTF-8, with the size limits of every file the tool reads."""
        from kg.rdf.parse import read_text

        return read_text(Path(path))

    @staticmethod
    def day(text: str, *, what: str = "--as-of") -> date:
        """A YYYY-MM-DD day as a ``date``, or a ``UsageError`` naming ``what``."""
        from kg.history import parse_day

        return parse_day(text, what=what)

    def check_stored(self, name: str, params: dict[str, str], day: date | None = None) -> StoredQuery:
        """The stored query ``name`` with ``params`` bound (and ``day`` for its as-of
        parameter): a bad name or value is reported before any store is opened."""
        stored = self.catalog.get(name)
        stored.bind(stored.bind_as_of(params, day) if day is not None else params, names=True)
        return stored

    def store_notes(self, inference: str = "none") -> tuple[GraphStore, list[str]]:
        """The store version for ``inference``, with the warnings raised while opening it."""
        import warnings

        from kg.store.local import StoreWarning

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", StoreWarning)
            gs = self.store(inference)
        return gs, [str(w.message) for w in caught]

    def graph_store_url(self, endpoint: str, given: str | None = None, *, authenticated: bool = False) -> tuple[str, str | None]:
        """The Graph Store Protocol URL for ``endpoint`` and the server layout it was derived
        from (``None`` when given): checked before any upload."""
        from kg.store.remote import graph_store_url

        return graph_store_url(endpoint, given, authenticated=authenticated)

    @staticmethod
    def credentials(user: str | None, password_file: Path | None = None) -> Credentials | None:
        """The login for a store's updates (``kg.store.remote.read_credentials``): the password
        from ``password_file`` or ``KG_PASSWORD``, never from the command line; ``None`` without a user."""
        from kg.store.remote import read_credentials

        return read_credentials(user, password_file)

    # ------------------------------------------------------------ publishing

    def docs(self, out: Path | str) -> list[Path]:
        """Write the HTML documentation of the ontology, vocabularies and shapes to ``out``."""
        from kg.publish.docs import build

        return build(self, Path(out))

    def docs_page(self, page: str) -> str:
        from kg.publish.docs import render

        return render(self, page)

    def dataset(self, *, version: str | None = None, endpoint: str | None = None, check: bool = True) -> bytes:
        """The VoID and DCAT description of the graph, checked against its own shapes
        (``check=False``: a server that serves it on every request, checked by the tests)."""
        from kg.errors import InputError
        from kg.publish.dataset import check_description, describe_dataset

        if version is not None:
            from kg.publish.version import parse_version

            version = str(parse_version(version))
        data = describe_dataset(self, version=version, endpoint=endpoint)
        problems = check_description(data) if check else []
        if problems:  # a bug in the description, not in the user's input
            raise InputError(f"the generated description breaks its shapes: {problems[0]}", hint=f"{len(problems)} problem(s); report it")
        return data

    def release(self, version: str, root: Path | str, *, endpoint: str | None = None) -> Path:
        """Write release ``version`` under ``root`` (``kg.publish.release``); the graph must pass validation."""
        from kg.errors import UsageError
        from kg.publish.docs import build
        from kg.publish.release import release
        from kg.publish.version import parse_version

        parse_version(version)  # a malformed version is refused before any work
        report = self.validate()
        if not report.passes:
            raise UsageError(
                f"the graph has {len(report.violations)} violation(s): a release must pass validation",
                hint="run `kg validate` and fix them first",
            )
        return release(self, version, Path(root), docs=build, endpoint=endpoint)

    def draw(self, kind: str, *, fmt: str = "svg", entity: str | None = None, as_of: str | None = None,
             link: Callable[[str], str] | None = None, by: str = "auto", years: str | None = None) -> bytes:
        """A picture (timeline, network, matrix) as SVG or PNG, drawn once per store version and question."""
        from kg.publish.draw import render

        if as_of is not None:
            self.day(as_of)
        return self.remember("pictures", (kind, fmt, entity, as_of, link is not None, by, years),
                             lambda: render(self, kind, entity=entity, fmt=fmt, as_of=as_of, link=link, by=by, years=years))

    def files_key(self) -> str:
        """The content key of the graph files as they are now (what a store version is keyed on)."""
        from kg.store.local import content_key, graph_files

        return content_key(graph_files(self.layout, cache=self.cache))  # the fingerprints local_store keeps

    @staticmethod
    def open_version(path: str, key: str, files: Any, inference: str) -> GraphStore | None:
        """An existing store version by its directory and key (a server's workers open the
        version the front pinned), or ``None`` if it was pruned meanwhile."""
        from kg.store.local import open_version

        return open_version(path, key, files, inference)

    # ------------------------------------------------------------ new texts

    @staticmethod
    def suggest_limit() -> int:
        """Bytes of text ``suggest`` reads at most (``KG_SUGGEST_MAX_BYTES``)."""
        from kg.suggest.reading import max_bytes

        return max_bytes()

    def gazetteer(self) -> Gazetteer:
        """Every name of the graph in every language, for matching text and reconciling
        (``kg.suggest.gazetteer.Gazetteer``), built once per store version."""
        from kg.suggest.gazetteer import Gazetteer

        return self.remember("gazetteer", (), lambda: Gazetteer.from_store(self.store().store))

    def suggest(self, text: str | bytes, *, title: str, publisher: str, issued: str | None = None, url: str | None = None,
                language: str | None = None, **options: Any) -> Any:
        """Candidate facts from a new text (``kg.suggest``): a ``Draft`` to review, from the
        source document the text is (its title and publisher; its day, address, language)."""
        from kg.suggest import SourceInfo, suggest

        source = SourceInfo(title=title, publisher=publisher, issued=issued, url=url, language=language)
        return suggest(self, text, source, **options)


@functools.lru_cache(maxsize=1024)
def _relative(layout: Layout, path: Path) -> str:
    # resolving a path costs more than a small query: a stored query's name in messages
    # is worked out once per file
    return layout.relative(path)


def _endpoint(url: str | None) -> str | None:
    if not url:
        return None
    from kg.store.remote import (
        check_url,  # only then: urllib costs every local command its import
    )

    return check_url(url)


def open(
    path: Path | str | None = None,
    *,
    cache: Path | str | bool = True,
    timeout: float | None = None,
    max_rows: int | None = None,
    progress: Progress | None = None,
    endpoint: str | None = None,
) -> Graph:
    """The graph in ``path`` (default: ``$KG_DATA``, the current directory or this checkout);
    with ``endpoint``, read from that SPARQL 1.1 endpoint (see ``Graph.push``)."""
    layout = find_layout(path)
    cached = Path(cache) if isinstance(cache, str) else cache
    return Graph(layout, cache=cached, timeout=timeout, max_rows=max_rows, progress=progress, endpoint=endpoint)
