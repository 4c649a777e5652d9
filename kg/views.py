"""What a face shows, written once: each view is data built through the facade, with the
forms the faces print or serve (``to_text()`` for a terminal, ``to_json()`` for programs,
and the fields a web page reads). The CLI and the web pages both take their entity,
history, stats, stored-query and submission views from here, so the command line's JSON
and the entity page never disagree about what the graph says.

Nothing here reads a request or writes to a terminal; every label comes from the facade's
one label rule (``Graph.label``), remembered per store version.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kg.describe import NAME_PROPERTIES, show
from kg.namespaces import PREFIXES, curie

if TYPE_CHECKING:
    from kg.graph import Graph

_DCT, _KG = PREFIXES["dcterms"], PREFIXES["kg"]
_QUOTE = ox.NamedNode(_KG + "quote")
_PART_OF = ox.NamedNode(_DCT + "isPartOf")


def _json_bytes(body: Any) -> bytes:
    return (json.dumps(body, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _graph_name(g: Any) -> str:
    return g.value.rsplit("/graph/", 1)[-1]


# ---------------------------------------------------------------- an entity


@dataclass
class EntityView:
    """What the graph says about one entity (``kg describe``, the entity page)."""

    description: Any  # kg.describe.Description
    labels: dict[str, str]  # IRI -> label, for every IRI the view shows
    names: list[tuple[str, str, str]]  # (name, language, property CURIE), rdfs:label and English first
    sources: list[dict[str, Any]]  # each cited section with the documents it is part of
    home: list[str]  # the files that state most about it

    @property
    def entity(self) -> Any:
        return self.description.entity

    def label(self, term: Any) -> str:
        return self.labels.get(term.value, "") if isinstance(term, ox.NamedNode) else ""

    def to_turtle(self) -> bytes:
        from kg.rdf.render import render_triples

        d = self.description
        return render_triples({ox.Triple(s.subject, s.predicate, s.object) for s in d.outgoing}, "turtle")

    def to_json(self) -> dict[str, Any]:
        d = self.description
        return {
            "entity": d.entity.value,
            "label": d.label,
            "types": [t.value for t in d.types],
            "sources": [s.value for s in d.sources],
            "outgoing": [
                {
                    "predicate": s.predicate.value, "predicateLabel": self.label(s.predicate), "object": show(s.object),
                    "label": self.label(s.object), "graphs": [g.value for g in s.graphs], "current": s.current,
                    "passages": [{"source": src.value if src is not None else None, "quote": quote} for src, quote in s.evidence],
                }
                for s in d.outgoing
            ],
            "incoming": [{"subject": s.subject.value, "predicate": s.predicate.value, "label": self.label(s.subject),
                          "graphs": [g.value for g in s.graphs]} for s in d.incoming],
            "notes": list(d.notes),
        }

    def to_text(self) -> str:
        d = self.description

        def graphs(s: Any) -> str:
            return ", ".join(_graph_name(g) for g in s.graphs)

        lines = [f"{show(d.entity)}  {d.label}", f"  a {', '.join(show(t) for t in d.types) or '(no type)'}", ""]
        for s in d.outgoing:
            extra = self.label(s.object) if not isinstance(s.object, ox.Literal) else ""
            name = self.label(s.predicate)  # the property's label from the ontology, if it has one
            prop = f"{show(s.predicate)} [{name}]" if name else show(s.predicate)
            mark = "" if s.current else "  (superseded: kg history shows when and why)"
            lines.append(f"  {prop}  {show(s.object)}" + (f"  ({extra})" if extra else "") + f"    [{graphs(s)}]{mark}")
            for src, quote in s.evidence:
                lines.append(f"      passage, {show(src) if src is not None else 'no section'}: \"{quote}\"")
        if d.incoming:
            lines.append("\n  referenced by:")
            for s in d.incoming:
                extra = self.label(s.subject)
                lines.append(f"  {show(s.subject)}" + (f" ({extra})" if extra else "") + f"  {show(s.predicate)}    [{graphs(s)}]")
        if d.sources:
            lines.append("\n  sources:")
            for src in d.sources:
                lines.append(f"  {show(src)}  {self.label(src)}")
        if d.notes:
            lines.append("\n  notes:")
            lines.extend(f"  {note}" for note in d.notes)
        return "\n".join(lines) + "\n"


def _text(term: Any) -> str:
    return term.value if isinstance(term, (ox.NamedNode, ox.Literal)) else str(term)


def entity(graph: Graph, term: str | Any) -> EntityView:
    """The entity view of ``term`` (an IRI, CURIE or label; a ``NamedNode``); a
    ``UsageError`` if the graph has nothing on it."""
    from kg.describe import describe

    node = term if isinstance(term, ox.NamedNode) else graph.resolve(term)
    store = graph.store().store
    d = describe(store, node)
    iris = {d.entity, *d.types, *d.sources}
    for s in d.outgoing:
        iris.update(x for x in (s.predicate, s.object) if isinstance(x, ox.NamedNode))
    for s in d.incoming:
        iris.update((s.predicate, s.subject))
    labels = {n.value: graph.label(n) for n in iris if isinstance(n, ox.NamedNode)}
    literals = [(s, s.object) for s in d.outgoing if isinstance(s.object, ox.Literal)]
    names = sorted({(lit.value, lit.language or "", curie(s.predicate.value)) for s, lit in literals if s.predicate in NAME_PROPERTIES},
                   key=lambda n: (n[2] != "rdfs:label", n[1] != "en", n[1], n[0]))
    sources = []
    for section in d.sources:
        documents = sorted({q.object.value for q in store.quads_for_pattern(section, _PART_OF, None, ox.DefaultGraph())
                            if isinstance(q.object, ox.NamedNode)})
        sources.append({"iri": section.value, "label": graph.label(section),
                        "documents": [(doc, graph.label(ox.NamedNode(doc))) for doc in documents]})
    counts: dict[str, int] = {}
    for s in d.outgoing:
        for g in s.graphs:
            counts[g.value] = counts.get(g.value, 0) + 1
    home = sorted(g for g, n in counts.items() if n == max(counts.values())) if counts else []
    return EntityView(d, labels, names, sources, [curie(g) for g in home])


# ---------------------------------------------------------------- its history


@dataclass
class HistoryView:
    """Every statement the graph holds or held about an entity (``kg history``)."""

    entity: Any
    label: str
    entries: list[Any]  # kg.history.Entry
    labels: dict[str, str]

    def _label(self, term: Any) -> str:
        return self.labels.get(term.value, "") if isinstance(term, ox.NamedNode) else ""

    def to_json(self) -> dict[str, Any]:
        return {
            "entity": self.entity.value,
            "label": self.label,
            "statements": [
                {
                    "predicate": e.predicate.value,
                    "object": show(e.object),
                    "current": e.current,
                    "file": _graph_name(e.graph) + ".ttl",
                    "sources": [s.value for s in e.sources],
                    "known_from": e.known_from.isoformat() if e.known_from else None,
                    "passages": [{"source": ev.source.value if ev.source else None, "quote": ev.quote} for ev in e.evidence],
                    "superseded_by": [
                        {
                            "record": r.node.value,
                            "on": r.on.isoformat() if r.on else None,
                            "kind": r.kind.value if r.kind else None,
                            "reason": r.reason,
                            "new_value": show(r.new_value) if r.new_value is not None else None,
                            "file": _graph_name(r.graph) + ".ttl",
                        }
                        for r in e.superseded_by
                    ],
                }
                for e in self.entries
            ],
        }

    def to_text(self) -> str:
        entries = self.entries
        current = sum(e.current for e in entries)
        files: dict[str, set[str]] = {}
        for e in entries:
            files.setdefault(_graph_name(e.graph) + ".ttl", set()).update(show(s) for s in e.sources)
        lines = [
            f"{show(self.entity)}  {self.label}",
            f"  {len(entries)} statement(s): {current} current, {len(entries) - current} superseded (marked x)",
            "",
        ]
        for e in entries:
            name = self._label(e.object)  # '' for a literal
            since = e.known_from.isoformat() if e.known_from else "undated"
            lines.append(f"{'  ' if e.current else 'x '}{show(e.predicate)}  {show(e.object)}" + (f"  ({name})" if name else "")
                         + f"    [{_graph_name(e.graph)}.ttl, {since}]")
            for ev in e.evidence:
                lines.append(f"      passage, {show(ev.source) if ev.source else 'no section'}: \"{ev.quote}\"")
            for r in e.superseded_by:
                new = f", now {show(r.new_value)}" if r.new_value is not None else ""
                kind = f" ({self._label(r.kind)})" if r.kind else ""
                lines.append(f"      superseded on {r.on.isoformat() if r.on else '?'}{kind}{new}: {r.reason} "
                             f"[{show(r.node)}, {_graph_name(r.graph)}.ttl]")
        lines.append("\n  files and the sources their statements cite (dated by the source's issue):")
        for f, sources in sorted(files.items()):
            lines.append(f"  {f}: {', '.join(sorted(sources))}")
        return "\n".join(lines) + "\n"


def history(graph: Graph, term: str | Any) -> HistoryView:
    node = term if isinstance(term, ox.NamedNode) else graph.resolve(term)  # once: a label search reads every name
    entries = graph.history(node.value)
    iris = {node}
    for e in entries:
        iris.update(x for x in (e.object, *(r.kind for r in e.superseded_by if r.kind)) if isinstance(x, ox.NamedNode))
    labels = {n.value: graph.label(n) for n in iris}
    return HistoryView(node, labels[node.value], entries, labels)


# ---------------------------------------------------------------- counts


@dataclass
class StatsView:
    stats: Any  # kg.stats.Stats
    inference: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self.stats)

    def to_text(self) -> str:
        s = self.stats
        lines = [f"statements asserted: {s.asserted}",
                 f"statements in the current view: {s.current} (each once, superseded ones out; what queries read)",
                 f"statements inferred: {s.inferred}" + ("" if self.inference != "none" else " (run with --inference owlrl)"),
                 "", "per source file (named graph):"]
        for g, n in s.per_graph.items():
            docs = s.sources_per_graph.get(g, 0)
            lines.append(f"  {n:>6}  {g}" + (f"  ({docs} source document(s))" if docs else ""))
        lines += ["", "instances per class (in the current view):"]
        lines += [f"  {n:>6}  {c}" for c, n in s.per_class.items()]
        return "\n".join(lines) + "\n"


def stats(graph: Graph, inference: str = "none") -> StatsView:
    return StatsView(graph.stats(inference), inference)


def overview(graph: Graph) -> dict[str, Any]:
    """What the home page says about the graph, counted once per store version."""
    def count() -> dict[str, Any]:
        s = graph.stats()
        # the current view's counts: what the endpoint, the stored queries and VoID count
        return {"statements": s.current, "per_graph": s.per_graph, "per_class": s.per_class}

    found = graph.remember("overview", (), count)
    return {"key": graph.store().key, **found}


# ---------------------------------------------------------------- stored queries


@dataclass
class QueryView:
    """One stored query in full (``kg queries NAME``)."""

    query: Any  # kg.sparql.catalog.StoredQuery
    file: str

    def to_json(self) -> dict[str, Any]:
        from kg.sparql.catalog import query_json

        return query_json(self.query)

    def to_text(self) -> str:
        q = self.query
        out = [f"{q.name}  [{q.form}]  {q.summary}"]
        if q.description:
            out.append("\n" + q.description.rstrip())
        if q.tags:
            out.append(f"\ntags: {', '.join(q.tags)}")
        if q.inference != "none":
            out.append(f"inference: {q.inference}")
        if q.params:
            out.append("\nparameters:")
            for p in q.params.values():
                default = f" (default {p.default})" if p.default is not None else " (required)"
                enum = f" one of: {', '.join(p.enum)}" if p.enum else ""
                out.append(f"  -p {p.name} {p.type.upper()}{default}  {p.description}{enum}")
        if q.returns:
            out.append("\ncolumns:")
            out.extend(f"  {col}: {meaning}" for col, meaning in q.returns.items())
        out.append(f"\nexample:\n  {q.example}\n\nfile: {self.file}")
        return "\n".join(out) + "\n"


@dataclass
class QueryListView:
    """The stored queries, a line or two each (``kg queries``)."""

    queries: list[Any]

    def to_json(self) -> list[dict[str, Any]]:
        from kg.sparql.catalog import query_json

        return [query_json(q) for q in self.queries]

    def to_text(self) -> str:
        width = max((len(q.name) for q in self.queries), default=4)
        out = []
        for q in self.queries:
            params = "  ".join(f"-p {p.name} {p.type.upper()}" + (" (required)" if p.default is None else f"={p.default}")
                               for p in q.params.values())
            tags = f"[{', '.join(q.tags)}]" if q.tags else ""
            out.append(f"{q.name:<{width}}  {q.summary}")
            details = "  ".join(x for x in (params, tags) if x)
            if details:
                out.append(f"{'':<{width}}    {details}")
        return "\n".join(out) + ("\n" if out else "")


def query_json(q: Any) -> dict[str, Any]:
    """A stored query's header as plain data (``kg queries -f json``, the web API)."""
    return QueryView(q, "").to_json()


def stored_query(graph: Graph, name: str) -> QueryView:
    q = graph.catalog.get(name)
    return QueryView(q, graph.layout.relative(q.path))


def stored_queries(graph: Graph, tag: str | None = None) -> QueryListView:
    return QueryListView(graph.catalog.with_tag(tag) if tag else graph.catalog.all())


# ---------------------------------------------------------------- results, reports, submissions


def result_bytes(result: Any, fmt: str) -> bytes:
    """A query result in ``fmt`` (a ``kg.formats`` name of the result's kind)."""
    from kg.rdf.render import render_result

    return render_result(result, fmt)


def triples_bytes(triples: Any, fmt: str) -> bytes:
    from kg.rdf.render import render_triples

    return render_triples(triples, fmt)


def report_bytes(report: Any, fmt: str = "text") -> bytes:
    """A validation report in ``fmt`` (text, json, turtle)."""
    from kg.shacl.report import render_report

    return render_report(report, fmt)


@dataclass
class SubmissionView:
    """What ``kg add`` / ``kg amend`` did or would do with a submission."""

    result: Any  # kg.add.AddResult
    target: str | None
    dry_run: bool

    def to_json(self) -> dict[str, Any]:
        r = self.result
        return {
            "accepted": r.accepted,
            "written": r.written,
            "dry_run": self.dry_run,
            "source": str(r.source),
            "target": self.target,
            "new_file": r.new_file,
            "added": r.added,
            "already_present": r.already_present,
            "superseded": r.superseded,
            "new_entities": [str(e) for e in r.new_entities],
            "changed_entities": [str(e) for e in r.changed_entities],
            "report": json.loads(report_bytes(r.report, "json")) if r.report else None,
            "notes": r.notes,
        }

    def to_text(self) -> str:
        r = self.result
        if not r.accepted:
            assert r.report is not None
            return report_bytes(r.report, "text").decode("utf-8").replace("The graph does NOT conform", "Rejected, nothing was written")
        verb = "added" if r.written else ("would add" if r.added else "nothing to add:")
        where = f"{self.target}" + (" (new file)" if r.new_file else "")
        lines = [f"{verb} {r.added} statement(s) to {where}" if r.added else f"{verb} all {r.already_present} statement(s) are already in {where}"]
        if r.superseded:
            lines.append(f"  {'superseded' if r.written else 'would supersede'} {r.superseded} statement(s); they stay in their sources' files (kg history shows them)")
        if r.added:
            lines.append(f"  new entities ({len(r.new_entities)}): " + " ".join(curie(str(e)) for e in r.new_entities))
            lines.append(f"  changed entities ({len(r.changed_entities)}): " + " ".join(curie(str(e)) for e in r.changed_entities))
        if r.report is not None and r.report.warnings:
            lines.append(f"  {len(r.report.warnings)} warning(s):")
            lines.extend(f"    {w.focus} {w.path or ''}: {w.message}" for w in r.report.warnings)
        return "\n".join(lines) + "\n"


def submission(graph: Graph, result: Any, *, dry_run: bool) -> SubmissionView:
    return SubmissionView(result, graph.layout.relative(result.target) if result.target else None, dry_run)


@dataclass
class PushView:
    """What ``kg push`` sent and what the endpoint holds afterwards."""

    report: Any  # kg.store.remote.PushReport
    notes: list[str] = field(default_factory=list)

    def to_text(self) -> str:
        r = self.report
        sent = sum(r.graphs.values())
        size = f"{r.bytes / 1e6:.1f} MB" if r.bytes >= 100_000 else f"{r.bytes / 1e3:.1f} kB"
        removed = f", removed {len(r.deleted)} graph(s) of files that are gone" if r.deleted else ""
        held = f"{sum(r.remote.get(g, 0) for g in r.graphs)} + {r.remote_union}"
        return (
            f"{'merged' if r.merge else 'pushed'} {len(r.graphs)} graph(s) and their union "
            f"({sent} + {r.union} statements, {size}) into {r.graph_store}{removed} in {r.seconds:.1f} s; "
            + (f"the endpoint holds {held}, at least what was sent" if r.merge else f"the endpoint holds {held}, as sent")
            + "\n"
        )

    def to_json(self) -> dict[str, Any]:
        return asdict(self.report)


def push(report: Any) -> PushView:
    notes = [f"the endpoint also holds <{iri}>, outside the graph's namespace: left alone" for iri in report.others]
    if report.union_graph:
        notes.append(f"the store's default graph cannot be written: the union went to <{report.union_graph}>, "
                     "which `kg --endpoint` reads as the default graph")
    return PushView(report, notes)


# ---------------------------------------------------------------- pictures and documentation

#: the pictures a face can show (``Graph.draw``)
PICTURES = ("timeline", "network", "matrix")


def doc_pages() -> tuple[tuple[str, ...], str]:
    """The documentation's page names and its stylesheet's (``Graph.docs_page``)."""
    from kg.publish.docs import PAGES, STYLESHEET

    return tuple(PAGES), STYLESHEET


# ---------------------------------------------------------------- search


def search(graph: Graph, text: str, limit: int) -> list[dict[str, Any]]:
    """Entities with a name containing ``text`` in any language, case and accents ignored;
    exact names first, then names that start with it, then the rest."""
    from kg.describe import NAME_PROPERTIES, RDF_TYPE, normalise

    wanted = normalise(text)
    if not wanted:
        return []
    best: dict[str, tuple[int, str]] = {}
    for norm, iri, name in graph.name_index():
        if wanted in norm:
            rank = 0 if norm == wanted else 1 if norm.startswith(wanted) else 2
            if iri not in best or (rank, name) < best[iri]:
                best[iri] = (rank, name)
    store = graph.store().store
    ordered = sorted(best.items(), key=lambda kv: (kv[1][0], graph.label(ox.NamedNode(kv[0])).casefold(), kv[0]))
    hits: list[dict[str, Any]] = []
    for iri, (_, name) in ordered[:limit]:
        node = ox.NamedNode(iri)
        types = sorted({q.object.value for q in store.quads_for_pattern(node, RDF_TYPE, None, ox.DefaultGraph()) if isinstance(q.object, ox.NamedNode)})
        label = graph.label(node)
        # the language of each name shown, for the page's lang (a screen reader reads
        # "Таджикистан" with Russian rules); "" when the name has none or is not a name
        names = [q.object for p in NAME_PROPERTIES for q in store.quads_for_pattern(node, p, None, ox.DefaultGraph()) if isinstance(q.object, ox.Literal)]
        langs = {o.value: o.language or "" for o in sorted(names, key=lambda o: (o.language != "en", o.language or ""))[::-1]}
        hits.append({"iri": iri, "label": label, "label_lang": langs.get(label, ""), "matched": name, "matched_lang": langs.get(name, ""),
                     "types": [(t, graph.label(ox.NamedNode(t))) for t in types]})
    return hits + ([{"more": len(ordered) - limit}] if len(ordered) > limit else [])


def table(graph: Graph, result: Any, show_rows: int) -> dict[str, Any]:
    """The first ``show_rows`` rows of a result, with a label for every IRI in them (an HTML table)."""
    from kg.sparql.results import Result

    total = len(result)
    if result.is_graph:
        rows: list[tuple[Any, ...]] = [(t.subject, t.predicate, t.object) for t in result.triples[:show_rows]]
        shown = Result("SELECT", vars=["subject", "predicate", "object"], rows=rows)
    else:
        shown = Result(result.type, vars=result.vars, rows=result.rows[:show_rows], boolean=result.boolean)
    labels = {}
    for row in shown.rows:
        for term in row:
            if isinstance(term, ox.NamedNode) and term.value not in labels:
                labels[term.value] = graph.label(term)
    return {"result": shown, "form": result.type, "total": total, "labels": labels}


# ---------------------------------------------------------------- entity pages by type
#
# The page a person reads: what kind of thing it is and a line about it made from its
# facts, the statements in the order that suits its kind, each with the passages that
# support it, links out to the originals, and none of the records the graph keeps about
# its own statements (attributions, supersessions, divergent reports) shown as records.

_RDF, _RDFS, _SKOS, _OWL, _PROV = PREFIXES["rdf"], PREFIXES["rdfs"], PREFIXES["skos"], PREFIXES["owl"], PREFIXES["prov"]
_SCHEMA, _ORG = PREFIXES["schema"], PREFIXES["org"]
_RECORD_CLASSES = {_KG + "Attribution", _KG + "Supersession", _KG + "DivergentReport"}
#: records shown in a page's notes (a tenure's dates), never as links of their own
_NOTED_CLASSES = {_KG + "Tenure"}
#: properties a page shows elsewhere than in its statements: the type as chips, the names
#: in the title and the names line, the sources and quotes in the source box
_SHOWN_APART = {_RDF + "type", _RDFS + "label", _SKOS + "prefLabel", _SKOS + "altLabel", _DCT + "title", _KG + "quote", _PROV + "wasDerivedFrom"}
#: properties whose value is a page elsewhere: shown as a link out, not as a page here
_LINKS_OUT = {_SCHEMA + "url", _SCHEMA + "sameAs", _OWL + "sameAs", _RDFS + "seeAlso"}
#: the namespaces this graph describes: an IRI outside them is someone else's to show
_OWN = (PREFIXES["kgi"], PREFIXES["kgc"], PREFIXES["kg"])
#: sites whose identifiers the graph uses, for the words of a link out
_SITES = {"http://www.wikidata.org/entity/": "Wikidata", "https://www.wikidata.org/wiki/": "Wikidata"}
ISO_3166 = "https://www.iso.org/obp/ui/#iso:code:3166:"


@dataclass(frozen=True)
class PageKind:
    """A kind of entity page: the classes it is for (their subclasses too), the order of
    its statements, and the facts its one-line description is made from."""

    name: str
    classes: tuple[str, ...]
    order: tuple[str, ...]


def _k(*names: str) -> tuple[str, ...]:
    out = []
    for n in names:
        prefix, _, local = n.partition(":")
        out.append(PREFIXES[prefix] + local)
    return tuple(out)


#: the first kind whose class the entity has wins: a section before a source, a meeting
#: before any event, a body before the organisations it is one of
PAGE_KINDS = (
    PageKind("section", _k("kg:SourceSection"), _k("dcterms:isPartOf", "kg:order", "dcterms:title")),
    PageKind("source", _k("kg:SourceDocument"), _k("dcterms:title", "kg:documentKind", "dcterms:publisher", "kg:publisherName",
                                                   "dcterms:issued", "kg:issuedNotBefore", "dcterms:language", "schema:url",
                                                   "dcterms:subject")),
    PageKind("meeting", _k("kg:Event"), _k("kg:sittingOf", "kg:ordinal", "kg:eventStatus", "schema:startDate", "schema:endDate",
                                           "kg:location", "kg:organizer", "kg:underAuspicesOf", "kg:partOfEvent", "kg:hasPart",
                                           "kg:participation", "kg:delegationCount", "kg:agendaItem", "kg:statement", "kg:proposal",
                                           "kg:outcome", "kg:topic", "kg:relatedInstrument", "kg:relatedInitiative", "kg:followsUp",
                                           "kg:purpose", "kg:conclusion")),
    PageKind("state", _k("kg:State"), _k("kg:memberOf", "kg:isoAlpha2", "kg:isoAlpha3", "kg:isoNumeric", "schema:sameAs")),
    PageKind("body", _k("kg:Body"), _k("kg:partOf", "kg:unitOf", "kg:establishmentStatus", "kg:activeSince", "kg:seat",
                                       "kg:sittingsAsOfSource", "kg:cooperationTrack", "kg:topic", "kg:purpose")),
    PageKind("organisation", _k("kg:Organization"), _k("kg:authorityOf", "kg:authorityType", "kg:establishmentStatus", "kg:activeSince",
                                                       "kg:seat", "kg:memberCount", "kg:hasUnit", "kg:cooperationTrack", "kg:topic",
                                                       "schema:sameAs", "kg:purpose")),
    PageKind("instrument", _k("kg:Instrument", "kg:Initiative"), _k("kg:instrumentOf", "kg:instrumentStatus", "kg:adoptionDate",
                                                                    "kg:adoptionVerb", "kg:adoptedAt", "kg:adoptedBy", "kg:draftedBy",
                                                                    "kg:establishes", "kg:topic", "kg:purpose")),
    PageKind("person", _k("kg:Person"), _k("kg:holds", "kg:memberOf")),
    PageKind("post", _k("kg:Post"), _k("kg:postIn", "kg:postRole", "kg:heldBy")),
    # the graph's records about its own statements, for whoever lands on one
    PageKind("record", tuple(sorted(_RECORD_CLASSES)), _k("rdf:subject", "rdf:predicate", "rdf:object", "kg:supersededOn",
                                                         "kg:changeKind", "kg:newValue", "kg:reason")),
    PageKind("tenure", _k("kg:Tenure"), _k("kg:tenureHolder", "kg:tenureOf", "schema:startDate", "schema:endDate", "kg:attestedOn")),
)
OTHER = PageKind("other", (), ())


def page_kind(store: Any, entity: Any, classes: frozenset[str] | None = None) -> PageKind:
    """The kind of page for ``entity``, from its types and their superclasses (``classes``,
    if the caller has them: ``_Page.classes``)."""
    found = classes if classes is not None else {
        r["c"].value for r in store.query(f"SELECT DISTINCT ?c WHERE {{ <{entity.value}> a/<{_RDFS}subClassOf>* ?c }}")
        if isinstance(r["c"], ox.NamedNode)}
    return next((k for k in PAGE_KINDS if found.intersection(k.classes)), OTHER)


def _superclasses(store: Any) -> dict[str, frozenset[str]]:
    """Each class (an IRI that is the subject of rdfs:subClassOf) and every class above it,
    itself included: ``a/rdfs:subClassOf*`` of the store's default graph, read once."""
    parents: dict[str, set[str]] = {}
    for q in store.quads_for_pattern(None, ox.NamedNode(_RDFS + "subClassOf"), None, ox.DefaultGraph()):
        if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
            parents.setdefault(q.subject.value, set()).add(q.object.value)
    out: dict[str, frozenset[str]] = {}
    for start in parents:
        seen, todo = {start}, [start]
        while todo:
            for up in parents.get(todo.pop(), ()):
                if up not in seen:
                    seen.add(up)
                    todo.append(up)
        out[start] = frozenset(seen)
    return out


def is_own(iri: str) -> bool:
    return iri.startswith(_OWN)


def link_out(iri: str, predicate: str = "") -> dict[str, str] | None:
    """Where an IRI is read on its own site, and what to call the site; ``None`` for the
    graph's own IRIs and for what is not a web address."""
    found = _link_out(iri, predicate)
    return dict(found) if found is not None else None  # the caller's to change


@functools.lru_cache(maxsize=1 << 14)
def _link_out(iri: str, predicate: str) -> dict[str, str] | None:
    if is_own(iri) or not iri.startswith(("http://", "https://")):
        return None
    for prefix, site in _SITES.items():
        if iri.startswith(prefix):
            return {"url": "https://www.wikidata.org/wiki/" + iri[len(prefix):], "site": site, "text": iri[len(prefix):]}
    from urllib.parse import urlsplit

    host = urlsplit(iri).hostname or iri
    return {"url": iri, "site": host.removeprefix("www."), "text": iri if predicate == _SCHEMA + "url" else curie(iri)}


_DEFAULT = ox.DefaultGraph()


@functools.lru_cache(maxsize=1024)  # the properties a page reads, checked as IRIs once
def _node(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


class _Page:
    """What one page reads from one store version (the current view, or the graph as of a
    day), with every label in the page's language where the graph has it."""

    def __init__(self, graph: Graph, gs: Any, lang: str) -> None:
        from kg.describe import inverse_label, label_in

        self.graph, self.store, self.lang, self.key = graph, gs.store, lang, gs.key
        self._label_in, self._inverse = label_in, inverse_label
        # remembered per store version (the current one, or a day's view) and language
        self._names: dict[str, tuple[str, str]] = graph.remember("page names", (gs.key, lang), dict)
        self._records: frozenset[str] = graph.remember("records", gs.key, lambda: self._typed(_RECORD_CLASSES))
        self._noted: frozenset[str] = graph.remember("noted records", gs.key, lambda: self._typed(_NOTED_CLASSES))
        self._above: dict[str, frozenset[str]] = graph.remember("superclasses", gs.key, lambda: _superclasses(self.store))
        self.retired: dict[str, list[Any]] = graph.remember("retired by subject", gs.key, self._retired)
        self.inverse_of: dict[str, set[str]] = graph.remember("inverse properties", gs.key, self._inverses)

    def _retired(self) -> dict[str, list[Any]]:
        """The records of the version that retire a statement, by the subject of that statement."""
        from kg.history import supersessions

        found: dict[str, list[Any]] = {}
        for r in supersessions(self.store):
            found.setdefault(str(r.triple.subject), []).append(r)
        return found

    def _inverses(self) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for q in self.store.quads_for_pattern(None, ox.NamedNode(_OWL + "inverseOf"), None, ox.DefaultGraph()):
            if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
                found.setdefault(q.subject.value, set()).add(q.object.value)
                found.setdefault(q.object.value, set()).add(q.subject.value)
        return found

    def inverse_name(self, prop: str) -> str:
        names: dict[str, str] = self.graph.remember("inverse labels", self.key, dict)
        if prop not in names:
            names[prop] = self._inverse(self.store, ox.NamedNode(prop))
        return names[prop]

    def classes(self, node: Any) -> frozenset[str]:
        """The classes of ``node`` and their superclasses (``a/rdfs:subClassOf*``)."""
        found: set[str] = set()
        for t in self.objects(node, _RDF + "type"):
            if isinstance(t, ox.NamedNode):
                found |= self._above.get(t.value, {t.value})
        return frozenset(found)

    def _typed(self, classes: set[str]) -> frozenset[str]:
        return frozenset(q.subject.value for c in classes
                         for q in self.store.quads_for_pattern(None, ox.NamedNode(_RDF + "type"), ox.NamedNode(c), ox.DefaultGraph())
                         if isinstance(q.subject, ox.NamedNode))

    def name(self, term: Any) -> tuple[str, str]:
        """(label, its language) of an IRI; ('', '') for anything else."""
        if not isinstance(term, ox.NamedNode):
            return "", ""
        if term.value not in self._names:
            self._names[term.value] = self._label_in(self.store, term, self.lang)
        return self._names[term.value]

    def objects(self, s: Any, p: str | ox.NamedNode) -> list[Any]:
        prop = p if isinstance(p, ox.NamedNode) else _node(p)
        return [q.object for q in self.store.quads_for_pattern(s, prop, None, _DEFAULT)]

    def subjects(self, p: str | ox.NamedNode, o: Any) -> list[Any]:
        prop = p if isinstance(p, ox.NamedNode) else _node(p)
        return [q.subject for q in self.store.quads_for_pattern(None, prop, o, _DEFAULT)]

    def is_record(self, node: Any) -> bool:
        return isinstance(node, ox.NamedNode) and node.value in self._records

    def is_noted(self, node: Any) -> bool:
        return isinstance(node, ox.NamedNode) and node.value in self._noted

    def ref(self, term: Any) -> dict[str, Any]:
        """A term as the templates show it: a link (here, or out), or a literal."""
        if isinstance(term, ox.NamedNode):
            label, lang = self.name(term)
            return {"kind": "iri", "iri": term.value, "curie": curie(term.value), "label": label, "lang": lang,
                    "out": link_out(term.value)}
        if isinstance(term, ox.Literal):
            dt = term.datatype.value
            shown_dt = "" if term.language or dt == PREFIXES["xsd"] + "string" else curie(dt)
            return {"kind": "literal", "text": term.value, "lang": term.language or "", "datatype": shown_dt}
        return {"kind": "literal", "text": str(term), "lang": "", "datatype": ""}

    def cite(self, source: Any) -> dict[str, Any]:
        """A source section or document as a reference: its title, the document it is in,
        and the original's web address."""
        if source is None:
            return {}
        documents = [d for d in self.objects(source, _DCT + "isPartOf") if isinstance(d, ox.NamedNode)]
        document = documents[0] if documents else source
        urls = [u.value for u in self.objects(document, _SCHEMA + "url") if isinstance(u, ox.NamedNode)]
        return {"section": self.ref(source) if documents else None, "document": self.ref(document),
                "url": urls[0] if urls else None}


@functools.lru_cache(maxsize=1 << 14)  # the same labels are sorted on page after page
def _natural(text: str) -> tuple[Any, ...]:
    """A sort key that puts "the 2nd Meeting" before "the 10th Meeting"."""
    return tuple(int(x) if x.isdigit() else x for x in _DIGITS.split(text.casefold()))


_DIGITS = re.compile(r"(\d+)")


def _day_text(term: Any) -> str:
    return term.value if isinstance(term, ox.Literal) else ""


def _names_list(items: list[str]) -> str:
    items = [i for i in items if i]
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _summary(p: _Page, kind: PageKind, e: Any) -> tuple[str, list[str]]:
    """The line under the title, made from the facts of the current view (or the view as
    of the day); with the caveats a reader of that line needs (who took part is not who
    made an offer)."""
    def one(prop: str) -> Any:
        found = p.objects(e, prop)
        return found[0] if found else None

    def named(prop: str) -> list[str]:
        return sorted(p.name(o)[0] or _text(o) for o in p.objects(e, _k(prop)[0]))

    caveats: list[str] = []
    kg = _KG
    if kind.name == "meeting":
        parts = []
        series, ordinal = one(kg + "sittingOf"), one(kg + "ordinal")
        if series is not None:
            parts.append((f"sitting {ordinal.value} of " if ordinal is not None else "a sitting of ") + p.name(series)[0])
        place = named("kg:location")
        if place:
            parts.append("in " + _names_list(place))
        start, end = _day_text(one(_SCHEMA + "startDate")), _day_text(one(_SCHEMA + "endDate"))
        if start:
            parts.append(start if not end or end == start else f"{start} to {end}")
        status = named("kg:eventStatus")
        if status:
            parts.append(_names_list(status))
        taking_part = p.objects(e, kg + "participation")
        who = {o for part in taking_part for o in p.objects(part, kg + "participant")}
        parts.append(f"{len(who)} participant{'s' if len(who) != 1 else ''} recorded" if who else "no participants recorded")
        proposers = {o for prop in p.objects(e, kg + "proposal") for o in p.objects(prop, kg + "proposedBy")}
        others = sorted(p.name(x)[0] for x in proposers - who)
        if others:
            caveats.append(f"Proposals were also made by {_names_list(others)}: the sources record "
                           f"{'their offers' if len(others) > 1 else 'the offer'}, not "
                           f"{'their' if len(others) > 1 else 'its'} taking part in the meeting.")
        return " · ".join(parts), caveats
    if kind.name == "state":
        parts = []
        members = named("kg:memberOf")
        if members:
            parts.append("member of " + _names_list(members))
        codes = [_text(x) for x in (one(kg + "isoAlpha2"), one(kg + "isoAlpha3")) if x is not None]
        if codes:
            parts.append("ISO 3166 " + " / ".join(codes))
        n = len({m for part in p.subjects(kg + "participant", e) for m in p.subjects(kg + "participation", part)})
        parts.append(f"recorded at {n} meeting{'s' if n != 1 else ''}" if n else "at no recorded meeting")
        return " · ".join(parts), caveats
    if kind.name in ("organisation", "body"):
        parts = []
        for prop, words in (("kg:partOf", "part of "), ("kg:unitOf", "unit of "), ("kg:authorityOf", "authority of "),
                            ("kg:establishmentStatus", ""), ("kg:seat", "seat: ")):
            found = named(prop)
            if found:
                parts.append(words + _names_list(found))
        count = len(p.subjects(kg + "memberOf", e))
        if count:
            parts.append(f"{count} member{'s' if count != 1 else ''} recorded")
        sittings = len(p.subjects(kg + "sittingOf", e))
        if sittings:
            parts.append(f"{sittings} sitting{'s' if sittings != 1 else ''} recorded")
        return " · ".join(parts), caveats
    if kind.name == "instrument":
        parts = []
        of = named("kg:instrumentOf")
        if of:
            parts.append("of " + _names_list(of))
        adopted = _day_text(one(kg + "adoptionDate"))
        at = named("kg:adoptedAt")
        if adopted or at:
            parts.append("adopted" + (f" {adopted}" if adopted else "") + (f" at {_names_list(at)}" if at else ""))
        status = named("kg:instrumentStatus")
        if status:
            parts.append(_names_list(status))
        return " · ".join(parts), caveats
    if kind.name == "person":
        posts = named("kg:holds")
        spoke = len(p.subjects(kg + "speaker", e))
        parts = (["shown in the post of " + _names_list(posts)] if posts else []) + ([f"speaker of {spoke} recorded statement{'s' if spoke != 1 else ''}"] if spoke else [])
        return " · ".join(parts), caveats
    if kind.name == "post":
        parts = []
        within = named("kg:postIn")
        if within:
            parts.append("a post in " + _names_list(within))
        holders = named("kg:heldBy")
        if holders:
            parts.append("held by " + _names_list(holders) + " in the sources")
        return " · ".join(parts), caveats
    if kind.name == "source":
        parts = []
        kinds = named("kg:documentKind")
        publisher = named("dcterms:publisher") or [_text(x) for x in p.objects(e, kg + "publisherName")]
        if kinds or publisher:
            parts.append((_names_list(kinds) or "a document") + (f" by {_names_list(publisher)}" if publisher else ""))
        issued, inferred = one(_DCT + "issued"), one(kg + "issuedNotBefore")
        parts.append(f"issued {issued.value}" if issued is not None else f"not dated; issued not before {inferred.value}" if inferred is not None else "not dated")
        language = [_text(x) for x in p.objects(e, _DCT + "language")]
        if language:
            parts.append("language " + _names_list(language))
        return " · ".join(parts), caveats
    if kind.name == "record":
        subject, prop, value = one(_RDF + "subject"), one(_RDF + "predicate"), one(_RDF + "object")
        if subject is None or prop is None or value is None:
            return "", caveats
        said = f"“{p.name(subject)[0] or _text(subject)}: {p.name(prop)[0] or curie(prop.value)} {p.name(value)[0] or _text(value)}”"
        types = {t.value for t in p.objects(e, _RDF + "type")}
        if _KG + "Supersession" in types:
            on = one(kg + "supersededOn")
            return f"a record that {said} no longer holds" + (f" since {on.value}" if on is not None else ""), caveats
        if _KG + "DivergentReport" in types:
            return f"a record that a source reports {said}, where the graph holds another value", caveats
        return f"a record that a passage of a source states {said}", caveats
    if kind.name == "tenure":
        holder, post = named("kg:tenureHolder"), named("kg:tenureOf")
        seen = sorted(_text(x) for x in p.objects(e, kg + "attestedOn"))
        parts = [_names_list(holder) + (" in the post of " + _names_list(post) if post else "")]
        start, end = _day_text(one(_SCHEMA + "startDate")), _day_text(one(_SCHEMA + "endDate"))
        if start or end:
            parts.append(f"from {start or '?'} to {end or '?'}")
        if seen:
            parts.append("shown in the post on " + _names_list(seen))
        return " · ".join(x for x in parts if x), caveats
    if kind.name == "section":
        order, documents = one(kg + "order"), p.objects(e, _DCT + "isPartOf")
        doc = p.name(documents[0])[0] if documents else ""
        return (f"section {order.value} of " if order is not None else "a section of ") + (doc or "a source document"), caveats
    return "", caveats


def _taken(p: _Page, sources: list[Any]) -> list[dict[str, Any]]:
    """What the graph took from each of ``sources`` (a section, or a document and its
    sections): the statements its passages support, grouped by passage, and the entities
    described from it without a passage for a single statement."""
    out = []
    for source in sources:
        facts: dict[str, list[dict[str, Any]]] = {}
        attributed: set[str] = set()
        for a in p.subjects(_PROV + "wasDerivedFrom", source):
            if not p.is_record(a):
                continue
            s, pr, o = (next(iter(p.objects(a, _RDF + x)), None) for x in ("subject", "predicate", "object"))
            if s is None or pr is None or o is None or not any(t.value == _KG + "Attribution" for t in p.objects(a, _RDF + "type")):
                continue
            attributed.add(s.value)
            fact = {"subject": p.ref(s), "predicate": p.ref(pr), "object": p.ref(o),
                    "current": next(iter(p.store.quads_for_pattern(s, pr, o, ox.DefaultGraph())), None) is not None}
            for quote in p.objects(a, _QUOTE) or [ox.Literal("")]:
                facts.setdefault(quote.value, []).append(fact)
        described = []
        for s in p.subjects(_PROV + "wasDerivedFrom", source):
            if s.value in attributed or p.is_record(s) or not isinstance(s, ox.NamedNode):
                continue
            described.append(p.ref(s))
        for group in facts.values():
            group.sort(key=lambda f: (f["subject"]["label"].casefold(), f["predicate"]["label"], f["object"].get("label") or f["object"].get("text", "")))
        passages = sorted(facts.items(), key=lambda kv: (kv[1][0]["subject"]["label"].casefold(), kv[0]))
        described.sort(key=lambda r: _natural(r["label"] or r["curie"]))
        if passages or described:
            out.append({"source": p.ref(source), "cite": p.cite(source), "passages": passages, "described": described,
                        "facts": sum(len(v) for v in facts.values())})
    return out


def entity_page(graph: Graph, iri: str, *, as_of: Any = None, lang: str = "en") -> dict[str, Any]:
    """Everything an entity page shows, read from the current view or, with ``as_of`` (a
    day), from the graph as it stood then, labelled in ``lang`` where the graph has names
    in it; a ``UsageError`` if the graph (then) has nothing on ``iri``."""
    from kg.describe import describe

    node = ox.NamedNode(iri)
    gs = graph.store() if as_of is None else graph.as_of(as_of)
    store = gs.store
    p = _Page(graph, gs, lang)
    classes = p.classes(node)
    d = describe(store, node, classes)
    kind = page_kind(store, node, classes)
    title, title_lang = p.name(node)
    summary, caveats = _summary(p, kind, node)

    retired: dict[tuple[str, str], list[Any]] = {}
    for r in p.retired.get(str(node), ()):
        retired.setdefault((r.triple.predicate.value, str(r.triple.object)), []).append(r)
    records = {s.subject.value for s in d.incoming if s.predicate.value == _RDF + "subject" and p.is_record(s.subject)}
    divergent: dict[str, list[dict[str, Any]]] = {}
    for rec in records:
        rnode = ox.NamedNode(rec)
        if any(t.value == _KG + "DivergentReport" for t in p.objects(rnode, _RDF + "type")):
            for pred in p.objects(rnode, _RDF + "predicate"):
                for value in p.objects(rnode, _RDF + "object"):
                    divergent.setdefault(pred.value, []).append({
                        "value": p.ref(value), "quotes": [q.value for q in p.objects(rnode, _QUOTE)],
                        "cites": [p.cite(src) for src in p.objects(rnode, _PROV + "wasDerivedFrom")]})

    groups: dict[str, list[dict[str, Any]]] = {}
    for s in d.outgoing:
        if s.predicate.value in _SHOWN_APART:
            continue
        value = p.ref(s.object)
        if s.predicate.value in _LINKS_OUT and value["kind"] == "iri":
            value["out"] = value["out"] or link_out(value["iri"], s.predicate.value)
        if s.predicate.value == _KG + "isoAlpha2" and value["kind"] == "literal":
            value["out"] = {"url": ISO_3166 + value["text"], "site": "iso.org", "text": value["text"]}
        value.update(
            current=s.current,
            graphs=[curie(g.value) for g in s.graphs],
            references=[{"quote": quote, **p.cite(src)} for src, quote in s.evidence],
            superseded=[{"on": r.on.isoformat() if r.on else "", "kind": p.name(r.kind)[0] if r.kind else "", "reason": r.reason,
                         "now": p.ref(r.new_value) if r.new_value is not None else None,
                         "cites": [p.cite(src) for src in p.objects(r.node, _PROV + "wasDerivedFrom")]}
                        for r in retired.get((s.predicate.value, str(s.object)), [])],
        )
        groups.setdefault(s.predicate.value, []).append(value)

    def sort_key(v: dict[str, Any]) -> tuple[Any, ...]:
        return (not v["current"], _natural(v.get("label") or v.get("text") or ""))

    rank = {prop: i for i, prop in enumerate(kind.order)}
    statements: list[dict[str, Any]] = [{"property": p.ref(ox.NamedNode(prop)), "values": sorted(values, key=sort_key), "divergent": divergent.get(prop, [])}
                  for prop, values in groups.items()]
    statements.sort(key=lambda g: (rank.get(g["property"]["iri"], len(rank)), (g["property"]["label"] or g["property"]["curie"]).casefold()))

    # a statement stated both ways (kg:holds and kg:heldBy) is shown once, from this side
    inverse_of = p.inverse_of
    stated = {(s.predicate.value, s.object.value) for s in d.outgoing if isinstance(s.object, ox.NamedNode)}
    inverse: dict[str, list[dict[str, Any]]] = {}
    for s in d.incoming:
        if not s.current or s.subject.value in records or p.is_record(s.subject):
            continue
        if any((q, s.subject.value) in stated for q in inverse_of.get(s.predicate.value, ())):
            continue
        if p.is_noted(s.subject):
            continue
        if kind.name in ("source", "section") and s.predicate.value in (_PROV + "wasDerivedFrom", _DCT + "isPartOf"):
            continue  # shown section by section, with the passages
        inverse.setdefault(s.predicate.value, []).append({**p.ref(s.subject), "graphs": [curie(g.value) for g in s.graphs]})
    incoming: list[dict[str, Any]] = [{"property": p.ref(ox.NamedNode(prop)), "name": p.inverse_name(prop),
                 "values": sorted(values, key=lambda v: _natural(v["label"] or v["curie"]))} for prop, values in inverse.items()]
    incoming.sort(key=lambda g: g["name"].casefold())

    sources = []
    for src in d.sources:
        if isinstance(src, ox.NamedNode):
            sources.append(p.cite(src))
    taken: list[dict[str, Any]] = []
    original = None
    if kind.name == "section":
        taken = _taken(p, [node])
        original = p.cite(node)
    elif kind.name == "source":
        sections = p.subjects(_DCT + "isPartOf", node)
        sections.sort(key=lambda sec: (int(o.value) if (o := next(iter(p.objects(sec, _KG + "order")), None)) is not None and o.value.isdigit() else 0, sec.value))
        taken = _taken(p, [node, *sections])
        original = p.cite(node)

    counts: dict[str, int] = {}
    for s in d.outgoing:
        for g in s.graphs:
            counts[g.value] = counts.get(g.value, 0) + 1
    home = sorted(curie(g) for g, n in counts.items() if n == max(counts.values())) if counts else []
    # each name once, with the properties that give it (a title that is also the label)
    given: dict[tuple[str, str], set[str]] = {}
    for s in d.outgoing:
        if isinstance(s.object, ox.Literal) and s.predicate in NAME_PROPERTIES:
            given.setdefault((s.object.value, s.object.language or ""), set()).add(curie(s.predicate.value))
    names = sorted(((text, tag, ", ".join(sorted(props))) for (text, tag), props in given.items()),
                   key=lambda n: (n[1] != lang, n[1] != "en", n[1], n[0]))
    return {
        "iri": iri, "curie": curie(iri), "label": title, "label_lang": title_lang, "kind": kind.name,
        "summary": summary, "caveats": caveats,
        "types": [p.ref(t) for t in d.types],
        "names": names, "statements": statements, "incoming": incoming,
        "sources": sources, "quotes": sorted({s.object.value for s in d.outgoing if s.predicate == _QUOTE and isinstance(s.object, ox.Literal)}),
        "taken": taken, "original": original, "external": link_out(iri),
        "home": home, "notes": list(d.notes), "as_of": str(as_of) if as_of is not None else "", "lang": lang,
    }


def label_languages(graph: Graph) -> frozenset[str]:
    """The languages the graph has names in (their primary subtags), once per store version."""
    def find() -> frozenset[str]:
        store = graph.store().store
        return frozenset(q.object.language.split("-")[0].lower() for prop in NAME_PROPERTIES
                         for q in store.quads_for_pattern(None, prop, None, ox.DefaultGraph())
                         if isinstance(q.object, ox.Literal) and q.object.language)

    found: frozenset[str] = graph.remember("label languages", (), find)
    return found
