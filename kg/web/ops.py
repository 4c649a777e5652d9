"""What the server's workers do: each function takes the worker's ``kg.Graph`` and plain
arguments and returns plain data (bytes, dicts, ``Result``) that pickles back to the
server. Serialising results happens here, in the worker, so it uses the worker's core.

Everything that reads what a client sent happens here too, never in the front: checking
and parsing query text (``kg.sparql.engine.prepare`` runs the parser on an empty store, and a
crafted query costs time even there), binding stored-query parameters, parsing days and
IRIs. The front's time limit then covers it, and a worker that runs over is killed.

Everything goes through the facade; the store is read, never written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.describe import NAME_PROPERTIES, RDF_TYPE, describe, label_of, normalise
from kg.errors import UsageError
from kg.graph import Graph
from kg.namespaces import PREFIXES, curie
from kg.sparql.results import Result

_RDFS, _SKOS, _DCT, _KG, _PROV = (PREFIXES[p] for p in ("rdfs", "skos", "dcterms", "kg", "prov"))
_QUOTE = ox.NamedNode(_KG + "quote")
_PART_OF = ox.NamedNode(_DCT + "isPartOf")
#: where the error messages of ad hoc queries say the problem is (``query:LINE:COL``)
SOURCE = "query"
#: the URL parameter of a stored query that asks for the graph as of a day (``--as-of``)
AS_OF = "as_of"


class ServedGraph(Graph):
    """A worker's graph: it reads the store versions the front pins, and never builds one.

    The front builds every version (outside any request's time limit) and knows when the
    files stop loading (a data file broken by hand): it then keeps serving the last good
    version, which this graph opens from its directory, whatever the files say now."""

    _pinned: dict[str, tuple[str, str | None, Any]] = {}

    def pin(self, versions: dict[str, tuple[str, str | None, Any]]) -> None:
        self._pinned = dict(versions)

    def local_store(self, inference: str = "none") -> Any:
        from kg.store.local import open_version

        want = self._pinned.get(inference)
        if want is None or want[1] is None:  # nothing pinned, or a version in memory: each worker holds its own
            return super().local_store(inference)
        key, path, files = want
        current = self._stores.get(inference)
        if current is not None and current.key == key and str(current.path) == path:
            return current
        gs = open_version(path, key, files, inference)
        if gs is None:  # pruned meanwhile (kg add published newer versions): the files decide
            return super().local_store(inference)
        self._stores[inference] = gs
        return gs


def open_graph(config: Any) -> Any:
    from kg.layout import find_layout

    cache = Path(config.cache) if isinstance(config.cache, str) else config.cache
    graph = ServedGraph(find_layout(config.root), cache=cache, max_rows=config.max_rows, endpoint=config.endpoint)
    if config.pin:
        graph.pin(config.pin)
    if not config.endpoint:
        graph.store()  # open now, not on the first request
    return graph


# ---------------------------------------------------------------- queries


def sparql(graph: Any, text: str, choices: dict[str, str | None]) -> tuple[str, bytes | None]:
    """Ad hoc SPARQL, checked, run and rendered here: (its form, the result in the format
    the front negotiated for that form), or (form, None) when the client accepts none.
    ``choices``: ``{"table": fmt, "graph": fmt}``, ``kg.rdf.render`` format names or None."""
    from kg.rdf.render import render_result
    from kg.sparql.engine import prepare

    form = prepare(text, source=SOURCE).form
    fmt = choices["graph" if form in ("CONSTRUCT", "DESCRIBE") else "table"]
    if fmt is None:
        return form, None
    return form, render_result(graph.sparql(text, timeout=0, source=SOURCE), fmt)


def sparql_form(graph: Any, text: str) -> str:
    """The form of a query (SELECT, ASK, CONSTRUCT, DESCRIBE), checked but not run (HEAD)."""
    from kg.sparql.engine import prepare

    return prepare(text, source=SOURCE).form


def stored(graph: Any, name: str, params: dict[str, str], fmt: str, as_of: str | None = None) -> bytes:
    from kg.rdf.render import render_result

    return render_result(_run_stored(graph, name, params, as_of), fmt)


def sparql_table(graph: Any, text: str, show: int) -> dict[str, Any]:
    return _table(graph, graph.sparql(text, timeout=0, source=SOURCE), show)


def _run_stored(graph: Any, name: str, params: dict[str, str], as_of: str | None) -> Result:
    """The stored query run with the URL's parameters; a wrong one is a UsageError that
    names it in the URL's terms (``as_of``, ``name=VALUE``), not the command line's."""
    from kg.history import parse_day

    try:
        day = parse_day(as_of, what=AS_OF) if as_of is not None else None
        return graph.query(name, params=params, timeout=0, as_of=day)
    except UsageError as exc:
        message = exc.message.replace("--as-of", AS_OF).replace("-p ", "")
        stored_query = graph.catalog.get(name)
        for param in stored_query.params:
            message = message.replace(f"pass -p {param} VALUE", f"add {param}=VALUE to the URL")
        # a hint in the command line's terms would mislead here; the form shows the parameters
        web_hint = exc.hint and not any(flag in exc.hint for flag in ("-p ", "--"))
        raise UsageError(message, hint=exc.hint if web_hint else f"GET /queries/{name}?format=html shows a form with its parameters") from None


def _check_iri(iri: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(iri)
    except ValueError as exc:
        raise UsageError(f"{iri!r} is not a valid IRI: {exc}", hint="write an absolute IRI, e.g. https://w3id.org/jckg/id/eco") from None


_PICTURES: dict[tuple[Any, ...], bytes] = {}  # (store version, kind, format, entity, day) -> picture
MAX_PICTURES = 32


def draw(graph: Any, kind: str, fmt: str, entity: str | None, as_of: str | None) -> bytes:
    """A picture (``kg.publish.draw``), its marks linked to the entity pages; drawn once per store
    version and question (the home page asks for three on every visit, 0.1-0.3 s each)."""
    from kg.publish.draw import render
    from kg.web.pages import href

    if as_of is not None:
        from kg.history import parse_day

        parse_day(as_of, what=AS_OF)
    gs = graph.store()
    if not gs.capabilities.versioned:  # an endpoint can change under us: no version to key on
        return render(graph, kind, entity=entity, fmt=fmt, as_of=as_of, link=href)
    key = (gs.key, kind, fmt, entity, as_of)
    if key not in _PICTURES:
        picture = render(graph, kind, entity=entity, fmt=fmt, as_of=as_of, link=href)
        if len(_PICTURES) >= MAX_PICTURES or any(k[0] != gs.key for k in _PICTURES):
            _PICTURES.clear()  # another version's pictures are stale; a full cache starts over
        _PICTURES[key] = picture
    return _PICTURES[key]


def void(graph: Any, endpoint: str) -> bytes:
    from kg.publish.dataset import describe_dataset

    return describe_dataset(graph, endpoint=endpoint)


def docs_page(graph: Any, page: str) -> str:
    """A page of the ontology documentation (``kg.publish.docs``), rendered from this worker's store."""
    from kg.publish.docs import render

    return render(graph, page)


def stored_table(graph: Any, name: str, params: dict[str, str], show: int, as_of: str | None = None) -> dict[str, Any]:
    return _table(graph, _run_stored(graph, name, params, as_of), show)


def _table(graph: Any, result: Result, show: int) -> dict[str, Any]:
    """The first ``show`` rows, with a label for every IRI in them (for the HTML table)."""
    store = _store(graph)
    total = len(result)
    if result.is_graph:
        rows = [(t.subject, t.predicate, t.object) for t in result.triples[:show]]
        shown = Result("SELECT", vars=["subject", "predicate", "object"], rows=rows)
    else:
        shown = Result(result.type, vars=result.vars, rows=result.rows[:show], boolean=result.boolean)
    labels = {}
    for row in shown.rows:
        for term in row:
            if isinstance(term, ox.NamedNode) and term.value not in labels:
                labels[term.value] = _label(store, term)
    return {"result": shown, "form": result.type, "total": total, "labels": labels}


# ---------------------------------------------------------------- entities


@dataclass(frozen=True)
class Value:
    """One value of a property on an entity page: an IRI with its label, or a literal."""

    term: Any
    label: str
    graphs: tuple[str, ...]
    current: bool = True
    passages: tuple[tuple[str, str], ...] = ()  # (source section IRI, quote)


def entity(graph: Any, iri: str) -> dict[str, Any] | None:
    """Everything an entity page shows (``kg.describe.describe``, arranged for the page,
    with labels), or ``None`` if the graph has nothing on ``iri``."""
    node = _check_iri(iri)
    store = _store(graph)
    try:
        d = describe(store, node)
    except UsageError:
        return None
    literals = [s for s in d.outgoing if isinstance(s.object, ox.Literal)]
    names = sorted({(s.object.value, s.object.language or "", curie(s.predicate.value)) for s in literals if s.predicate in NAME_PROPERTIES},
                   key=lambda n: (n[2] != "rdfs:label", n[1] != "en", n[1], n[0]))
    sources = []
    for section in d.sources:
        documents = sorted({q.object.value for q in store.quads_for_pattern(section, _PART_OF, None, ox.DefaultGraph()) if isinstance(q.object, ox.NamedNode)})
        sources.append({
            "iri": section.value,
            "label": _label(store, section),
            "documents": [(doc, _label(store, ox.NamedNode(doc))) for doc in documents],
        })
    # the files that state most about it; a statement from another file is marked as such
    counts: dict[str, int] = {}
    for s in d.outgoing:
        for g in s.graphs:
            counts[g.value] = counts.get(g.value, 0) + 1
    home = sorted(g for g, n in counts.items() if n == max(counts.values())) if counts else []
    return {
        "iri": iri,
        "curie": curie(iri),
        "label": _label(store, d.entity),
        "names": names,
        "types": [(t.value, _label(store, t)) for t in d.types],
        "outgoing": _grouped(store, [(s.predicate, s.object, s.graphs, s.current, s.evidence) for s in d.outgoing]),
        "incoming": _grouped(store, [(s.predicate, s.subject, s.graphs, s.current, ()) for s in d.incoming]),
        "sources": sources,
        "quotes": sorted({s.object.value for s in literals if s.predicate == _QUOTE}),
        "home": [curie(g) for g in home],
        "notes": list(d.notes),
    }


def entity_page(graph: Any, iri: str, rdf_links: list[tuple[str, str]], notice: str | None = None) -> str | None:
    """The entity's page as HTML, rendered here in the worker, or ``None`` if unknown;
    ``notice``: the front's banner (the graph is served from an older version)."""
    from kg.web.pages import render

    data = entity(graph, iri)
    return None if data is None else render("entity.html", e=data, rdf_links=rdf_links, notice=notice)


def _grouped(store: Any, statements: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """(property, other end, graphs, current, evidence) grouped by property, each value with its label."""
    by_property: dict[str, list[Value]] = {}
    for p, term, graphs, current, evidence in statements:
        label = _label(store, term) if isinstance(term, ox.NamedNode) else ""
        passages = tuple((src.value if src is not None else "", quote) for src, quote in evidence)
        by_property.setdefault(p.value, []).append(Value(term, label, tuple(sorted(curie(g.value) for g in graphs)), current, passages))
    groups = []
    for p, values in by_property.items():
        values.sort(key=lambda v: ((v.label or _text(v.term)).casefold(), str(v.term)))
        groups.append({"iri": p, "curie": curie(p), "label": _label(store, ox.NamedNode(p)), "values": values})
    # rdf:type and labels first, then by readable property name
    first = {PREFIXES["rdf"] + "type": 0, _RDFS + "label": 1}
    groups.sort(key=lambda g: (first.get(g["iri"], 2), (g["label"] or g["curie"]).casefold()))
    return groups


def _text(term: Any) -> str:
    return term.value if isinstance(term, (ox.NamedNode, ox.Literal)) else str(term)


#: readable names for the borrowed vocabulary, whose labels are not in the graph
COMMON_LABELS = {
    PREFIXES["rdf"] + "type": "type",
    _RDFS + "label": "label",
    _RDFS + "comment": "comment",
    _RDFS + "seeAlso": "see also",
    _SKOS + "prefLabel": "preferred name",
    _SKOS + "altLabel": "other name",
    _SKOS + "definition": "definition",
    _SKOS + "inScheme": "in scheme",
    _SKOS + "broader": "broader",
    _SKOS + "narrower": "narrower",
    _DCT + "title": "title",
    _DCT + "description": "description",
    _DCT + "isPartOf": "part of",
    _DCT + "hasPart": "has part",
    _DCT + "source": "source",
    _DCT + "publisher": "publisher",
    _DCT + "issued": "issued",
    _PROV + "wasDerivedFrom": "derived from (source)",
    PREFIXES["schema"] + "startDate": "start date",
    PREFIXES["schema"] + "endDate": "end date",
    PREFIXES["schema"] + "url": "web address",
    PREFIXES["owl"] + "sameAs": "same as",
    PREFIXES["schema"] + "sameAs": "same as",
    PREFIXES["org"] + "member": "member",
    PREFIXES["org"] + "organization": "organisation",
    PREFIXES["org"] + "role": "role",
    PREFIXES["org"] + "memberDuring": "member during",
    PREFIXES["org"] + "memberOf": "member of",
    PREFIXES["org"] + "subOrganizationOf": "part of organisation",
}
_TEXT = ox.NamedNode(_KG + "text")


_LABELS: dict[str, str] = {}  # IRI -> label in the current store version: pages share their neighbours
_LABELS_OF: list[str] = [""]  # the version _LABELS belongs to


def _store(graph: Any) -> Any:
    """The current store, forgetting remembered labels when the version changed."""
    gs = graph.store()
    # a remote endpoint can change under the same key (its URL): remember nothing there
    if _LABELS_OF[0] != gs.key or not gs.capabilities.versioned:
        _LABELS.clear()
        _LABELS_OF[0] = gs.key
    return gs.store


def _label(store: Any, node: Any) -> str:
    """A readable name: ``label_of`` (English first), a known vocabulary name, or the start
    of its text; remembered for the open store version, which never changes (``_store``)."""
    if not isinstance(node, ox.NamedNode):
        return ""
    if node.value not in _LABELS:
        if len(_LABELS) > 200_000:
            _LABELS.clear()
        _LABELS[node.value] = label_of(store, node) or _fallback(store, node)
    return _LABELS[node.value]


def _fallback(store: Any, node: Any) -> str:
    if node.value in COMMON_LABELS:
        return COMMON_LABELS[node.value]
    # agenda items, key points, outcomes: no label of their own, but a text from the source
    for q in store.quads_for_pattern(node, _TEXT, None, ox.DefaultGraph()):
        if isinstance(q.object, ox.Literal):
            text = q.object.value
            return text if len(text) <= 90 else text[:87].rsplit(" ", 1)[0] + "…"
    return ""


def entity_rdf(graph: Any, iri: str, fmt: str) -> bytes | None:
    """The statements with ``iri`` as subject, in ``fmt`` (what a linked-data client asks)."""
    from kg.rdf.render import render_triples

    node = _check_iri(iri)
    store = graph.store().store
    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(node, None, None, ox.DefaultGraph())}
    if not triples and not any(True for _ in store.quads_for_pattern(None, None, node, ox.DefaultGraph())):
        return None
    return render_triples(sorted(triples, key=str), fmt)


# ---------------------------------------------------------------- search and overview

_INDEX: dict[str, list[tuple[str, str, str]]] = {}


def _label_index(graph: Any) -> list[tuple[str, str, str]]:
    """(normalised name, IRI, name) for every name in the graph, built once per version."""
    gs = graph.store()
    index = None if not gs.capabilities.versioned else _INDEX.get(gs.key)
    if index is None:
        rows = set()
        for p in NAME_PROPERTIES:
            for q in gs.store.quads_for_pattern(None, p, None, ox.DefaultGraph()):
                if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal):
                    rows.add((normalise(q.object.value), q.subject.value, q.object.value))
        index = sorted(rows)
        _INDEX.clear()  # one version at a time: the previous one is out of date
        _INDEX[gs.key] = index
    return index


def search(graph: Any, text: str, limit: int) -> list[dict[str, Any]]:
    """Entities with a name containing ``text`` in any language, case and accents ignored;
    exact names first, then names that start with it, then the rest."""
    wanted = normalise(text)
    if not wanted:
        return []
    best: dict[str, tuple[int, str]] = {}
    for norm, iri, name in _label_index(graph):
        if wanted in norm:
            rank = 0 if norm == wanted else 1 if norm.startswith(wanted) else 2
            if iri not in best or (rank, name) < best[iri]:
                best[iri] = (rank, name)
    store = _store(graph)
    ordered = sorted(best.items(), key=lambda kv: (kv[1][0], _label(store, ox.NamedNode(kv[0])).casefold(), kv[0]))
    hits = []
    for iri, (_, name) in ordered[:limit]:
        node = ox.NamedNode(iri)
        types = sorted({q.object.value for q in store.quads_for_pattern(node, RDF_TYPE, None, ox.DefaultGraph()) if isinstance(q.object, ox.NamedNode)})
        hits.append({"iri": iri, "label": _label(store, node), "matched": name, "types": [(t, _label(store, ox.NamedNode(t))) for t in types]})
    return hits + ([{"more": len(ordered) - limit}] if len(ordered) > limit else [])


_OVERVIEW: dict[str, dict[str, Any]] = {}


def overview(graph: Any) -> dict[str, Any]:
    """What the home page says about the graph: counted once per store version (a full
    scan at 10^6 statements would make the home page the slowest page)."""
    gs = graph.store()
    key = gs.key
    if key not in _OVERVIEW or not gs.capabilities.versioned:
        stats = graph.stats()
        _OVERVIEW.clear()
        _OVERVIEW[key] = {"key": key, "asserted": stats.asserted, "per_graph": stats.per_graph, "per_class": stats.per_class}
    return _OVERVIEW[key]


# ---------------------------------------------------------------- reconciliation (kg.web.reconcile)


def reconcile_manifest(graph: Any, base: str) -> dict[str, Any]:
    from kg.web import reconcile

    return reconcile.manifest(graph, base)


def reconcile_batch(graph: Any, queries: str) -> dict[str, Any]:
    """A reconciliation query batch, as the client sent it (JSON text), read and answered here."""
    from kg.web import reconcile

    return reconcile.reconcile_batch(graph, queries)


def reconcile_preview(graph: Any, iri: str, base: str) -> str | None:
    from kg.web import reconcile

    return reconcile.preview(graph, iri, base)


def reconcile_suggest(graph: Any, kind: str, prefix: str, cursor: str, limit: str, types: list[str]) -> dict[str, Any]:
    from kg.web import reconcile

    return reconcile.suggest(graph, kind, prefix, cursor, limit, types)
