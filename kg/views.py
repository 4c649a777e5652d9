"""What a face shows, written once: each view is data built through the facade, with the
forms the faces print or serve (``to_text()`` for a terminal, ``to_json()`` for programs,
and the fields a web page reads). The CLI and the web pages both take their entity,
history, stats, stored-query and submission views from here, so the command line's JSON
and the entity page never disagree about what the graph says.

Nothing here reads a request or writes to a terminal; every label comes from the facade's
one label rule (``Graph.label``), remembered per store version.
"""

from __future__ import annotations

import json
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


@dataclass(frozen=True)
class Value:
    """One value of a property on an entity page: an IRI with its label, or a literal."""

    term: Any
    label: str
    graphs: tuple[str, ...]
    current: bool = True
    passages: tuple[tuple[str, str], ...] = ()  # (source section IRI, quote)


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

    def page(self) -> dict[str, Any]:
        """The entity page's data: statements grouped by property, each value labelled."""
        d = self.description
        literals = [s for s in d.outgoing if isinstance(s.object, ox.Literal)]
        return {
            "iri": d.entity.value,
            "curie": curie(d.entity.value),
            "label": self.label(d.entity),
            "names": self.names,
            "types": [(t.value, self.label(t)) for t in d.types],
            "outgoing": self._grouped([(s.predicate, s.object, s.graphs, s.current, s.evidence) for s in d.outgoing]),
            "incoming": self._grouped([(s.predicate, s.subject, s.graphs, s.current, ()) for s in d.incoming]),
            "sources": self.sources,
            "quotes": sorted({s.object.value for s in literals if s.predicate == _QUOTE}),
            "home": self.home,
            "notes": list(d.notes),
        }

    def _grouped(self, statements: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
        by_property: dict[str, list[Value]] = {}
        for p, term, graphs, current, evidence in statements:
            passages = tuple((src.value if src is not None else "", quote) for src, quote in evidence)
            by_property.setdefault(p.value, []).append(
                Value(term, self.label(term), tuple(sorted(curie(g.value) for g in graphs)), current, passages))
        groups: list[dict[str, Any]] = []
        for p, values in by_property.items():
            values.sort(key=lambda v: ((v.label or _text(v.term)).casefold(), str(v.term)))
            groups.append({"iri": p, "curie": curie(p), "label": self.labels.get(p, ""), "values": values})
        # rdf:type and labels first, then by readable property name
        first = {PREFIXES["rdf"] + "type": 0, PREFIXES["rdfs"] + "label": 1}
        groups.sort(key=lambda g: (first.get(g["iri"], 2), (g["label"] or g["curie"]).casefold()))
        return groups


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
