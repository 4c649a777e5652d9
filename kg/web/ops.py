"""What the server's workers do: each function takes the worker's ``kg.Graph`` and plain
arguments and returns plain data (bytes, dicts, ``Result``) that pickles back to the
server. Serialising results happens here, in the worker, so it uses the worker's core.

Everything that reads what a client sent happens here too, never in the front: checking
and parsing query text (``kg.sparql.engine.prepare`` runs the parser on an empty store, and a
crafted query costs time even there), binding stored-query parameters, parsing days and
IRIs. The front's time limit then covers it, and a worker that runs over is killed.

Everything goes through the facade (``kg.graph.Graph``) and the views (``kg.views``);
the store is read, never written, and what is remembered per store version (labels, the
name index, counts, pictures) is remembered by the facade, not here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox

from kg import views
from kg.errors import UsageError
from kg.graph import Graph, find_layout

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
        want = self._pinned.get(inference)
        if want is None:  # nothing pinned
            return super().local_store(inference)
        key, path, files = want
        if path is None:  # a version in memory: each worker holds its own
            return super().local_store(inference)
        current = self._stores.get(inference)
        if current is not None and current.key == key and str(current.path) == path:
            return current
        gs = self.open_version(path, key, files, inference)
        if gs is None:  # pruned meanwhile (kg add published newer versions): the files decide
            return super().local_store(inference)
        self._stores[inference] = gs
        return gs


def open_graph(config: Any) -> Any:
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
    form = graph.check_query(text, source=SOURCE)
    fmt = choices["graph" if form in ("CONSTRUCT", "DESCRIBE") else "table"]
    if fmt is None:
        return form, None
    return form, views.result_bytes(graph.sparql(text, timeout=0, source=SOURCE), fmt)


def sparql_form(graph: Any, text: str) -> str:
    """The form of a query (SELECT, ASK, CONSTRUCT, DESCRIBE), checked but not run (HEAD)."""
    return graph.check_query(text, source=SOURCE)


def stored(graph: Any, name: str, params: dict[str, str], fmt: str, as_of: str | None = None) -> bytes:
    return views.result_bytes(_run_stored(graph, name, params, as_of)[0], fmt)


def sparql_table(graph: Any, text: str, show: int) -> dict[str, Any]:
    return views.table(graph, graph.sparql(text, timeout=0, source=SOURCE), show)


def editor_json(graph: Any, text: str, show: int) -> bytes:
    """What the editor's page script shows: the result as SPARQL JSON results (a graph
    result as subject, predicate, object rows), its form, and a label for every IRI in
    it, so its table reads as the server's does."""
    import json

    table = views.table(graph, graph.sparql(text, timeout=0, source=SOURCE), show)
    results = json.loads(views.result_bytes(table["result"], "json"))
    return json.dumps({"form": table["form"], "total": table["total"], "labels": table["labels"], **results},
                      ensure_ascii=False).encode("utf-8")


def _run_stored(graph: Any, name: str, params: dict[str, str], as_of: str | None) -> tuple[Any, list[str]]:
    """The stored query run with the URL's parameters, and the notes on them (a name taken
    as an entity, an IRI the graph does not mention); a wrong one is a UsageError that
    names it in the URL's terms (``as_of``, ``name=VALUE``), not the command line's."""
    try:
        day = graph.day(as_of, what=AS_OF) if as_of is not None else None
        params, notes = graph.resolve_params(name, params)
        return graph.query(name, params=params, timeout=0, as_of=day), notes
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


def draw(graph: Any, kind: str, fmt: str, entity: str | None, as_of: str | None, by: str = "auto", years: str | None = None) -> bytes:
    """A picture, its marks linked to the entity pages; the facade draws it once per store
    version and question (the home page asks for three on every visit, 0.1-0.3 s each)."""
    from kg.web.pages import href

    if as_of is not None:
        graph.day(as_of, what=AS_OF)
    return graph.draw(kind, fmt=fmt, entity=entity, as_of=as_of, link=href, by=by, years=years)


def void(graph: Any, endpoint: str) -> bytes:
    return graph.dataset(endpoint=endpoint, check=False)


def docs_page(graph: Any, page: str) -> str:
    """A page of the ontology documentation, rendered from this worker's store."""
    return graph.docs_page(page)


def stored_table(graph: Any, name: str, params: dict[str, str], show: int, as_of: str | None = None) -> dict[str, Any]:
    result, notes = _run_stored(graph, name, params, as_of)
    return {**views.table(graph, result, show), "notes": notes}


# ---------------------------------------------------------------- entities


def entity_page(graph: Any, iri: str, rdf_links: list[tuple[str, str]], notice: str | None = None,
                as_of: str | None = None, lang: str | None = None, accept_language: str = "") -> str | None:
    """The entity's page as HTML, rendered here in the worker, or ``None`` if unknown (on
    ``as_of``, if given: the graph as it stood that day); ``lang`` (the URL's) or else
    ``accept_language`` (the header) choose the language of its names; ``notice``: the
    front's banner (the graph is served from an older version)."""
    from kg.web.pages import render

    node = _check_iri(iri)
    day = _web_day(graph, as_of) if as_of is not None else None
    page_lang, lang_notice = choose_language(graph, lang, accept_language)
    try:
        data = views.entity_page(graph, node.value, as_of=day, lang=page_lang)
    except UsageError:
        return None
    notices = [n for n in (notice, lang_notice) if n]
    # the links of the page keep the day and a language asked for in the URL
    chosen_lang = {"lang": page_lang} if lang is not None and lang_notice is None else {}
    keep = urlencode({**({AS_OF: day.isoformat()} if day is not None else {}), **chosen_lang})
    return render("entity.html", e=data, rdf_links=rdf_links, notice=" ".join(notices) or None, page_lang=page_lang,
                  keep=keep, keep_lang=urlencode(chosen_lang))


def _web_day(graph: Any, text: str) -> Any:
    """A day of the URL, with what is wrong with it in the URL's terms."""
    try:
        day = graph.day(text, what=AS_OF)
        graph.as_of(day)  # a day the graph cannot be shown on is refused here, as a bad request
        return day
    except UsageError as exc:
        hint = exc.hint if exc.hint and "--" not in exc.hint else "write the day as YYYY-MM-DD, e.g. ?as_of=2025-06-01"
        raise UsageError(exc.message.replace("--as-of", AS_OF), hint=hint) from None


_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,4}")


def choose_language(graph: Any, lang: str | None, accept_language: str) -> tuple[str, str | None]:
    """The page's language: ``lang`` from the URL if the graph has names in it, else the
    first of the header's languages (by weight) that it has, else English; with a notice
    when the URL asked for a language the graph has no names in. A ``lang`` that is not a
    language tag is a bad request."""
    known = views.label_languages(graph) | {"en"}
    if lang is not None:
        if not _LANGUAGE_TAG.fullmatch(lang):
            raise UsageError(f"lang {lang!r} is not a language tag", hint="write a language as ru, en, zh or fa, e.g. ?lang=ru")
        primary = lang.split("-")[0].lower()
        if primary in known:
            return primary, None
        return "en", f"The graph has no names in {lang!r}: they are shown in English."
    weighted = []
    for i, part in enumerate(accept_language.split(",")[:32]):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if _LANGUAGE_TAG.fullmatch(tag.strip()) and q > 0:
            weighted.append((-q, i, tag.strip().split("-")[0].lower()))
    for _, _, primary in sorted(weighted):
        if primary in known:
            return primary, None
    return "en", None


def entity_rdf(graph: Any, iri: str, fmt: str) -> bytes | None:
    """The statements with ``iri`` as subject, in ``fmt`` (what a linked-data client asks)."""
    node = _check_iri(iri)
    store = graph.store().store
    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(node, None, None, ox.DefaultGraph())}
    if not triples and not any(True for _ in store.quads_for_pattern(None, None, node, ox.DefaultGraph())):
        return None
    return views.triples_bytes(sorted(triples, key=str), fmt)


def search(graph: Any, text: str, limit: int) -> list[dict[str, Any]]:
    return views.search(graph, text, limit)


def overview(graph: Any) -> dict[str, Any]:
    """What the home page says about the graph (counted once per store version by the facade)."""
    return views.overview(graph)


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


def ontology_rdf(graph: Any, fmt: str) -> bytes:
    """The ontology (every named graph that declares ``<BASE ontology> a owl:Ontology``), in
    ``fmt``: what the ontology's IRI answers a client asking for RDF."""
    from kg.namespaces import BASE, PREFIXES

    store = graph.store().store
    declared = ox.NamedNode(BASE + "ontology")
    rdf_type, ontology = ox.NamedNode(PREFIXES["rdf"] + "type"), ox.NamedNode(PREFIXES["owl"] + "Ontology")
    graphs = {q.graph_name for q in store.quads_for_pattern(declared, rdf_type, ontology, None) if not isinstance(q.graph_name, ox.DefaultGraph)}
    triples = {ox.Triple(q.subject, q.predicate, q.object) for g in graphs for q in store.quads_for_pattern(None, None, None, g)}
    return views.triples_bytes(sorted(triples, key=str), fmt)
