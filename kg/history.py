"""Amendments over time: which statements later sources superseded, the current view, the
graph as it stood on a date, and every statement the graph has held about an entity.

The model (docs/design.md, "Amendments"): a ``kg:Supersession`` record, an
``rdf:Statement`` in the later source's file, names the statement it retires (``rdf:subject``,
``rdf:predicate``, ``rdf:object``), the day it stopped holding (``kg:supersededOn``), the kind
of change and the reason, and cites the later source. The retired statement is never
deleted: it stays in the named graph of the file that made it, as that source's word.

* **The current view** is the store's default graph: the union of the files minus every
  superseded statement. Every query, validation and reasoning reads it, so the graph
  answers with the newest word of its sources without a query having to know.
* **As of a day** (``view_as_of``): each statement is dated by the source its subject cites
  in its file (or, for a node that cites none there, the file's own source document),
  known from the first day of that source's ``dcterms:issued`` (a year counts from 1
  January) or, for a source that shows no date, of its ``kg:issuedNotBefore`` (the latest
  date among the facts it reports, recorded as inferred). A reference data set
  (``kg:documentKind kgc:reference-dataset``) without a date is known at any date: its
  facts carry dates of their own (a membership's start), which stored queries compare with
  the day. Any other source without a date cannot be placed in time: its facts are left
  out of every view, and ``as_of_notes`` says so. A supersession counts from its
  ``kg:supersededOn``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

import pyoxigraph as ox

from kg.errors import UsageError
from kg.namespaces import PREFIXES, curie
from kg.store.backend import Reads

_KG, _RDF, _PROV, _DCT, _XSD = PREFIXES["kg"], PREFIXES["rdf"], PREFIXES["prov"], PREFIXES["dcterms"], PREFIXES["xsd"]
SUPERSESSION = ox.NamedNode(_KG + "Supersession")
ATTRIBUTION = ox.NamedNode(_KG + "Attribution")
SOURCE_DOCUMENT = ox.NamedNode(_KG + "SourceDocument")
SOURCE_SECTION = ox.NamedNode(_KG + "SourceSection")
RDF_TYPE = ox.NamedNode(_RDF + "type")
DERIVED_FROM = ox.NamedNode(_PROV + "wasDerivedFrom")
IS_PART_OF = ox.NamedNode(_DCT + "isPartOf")
ISSUED = ox.NamedNode(_DCT + "issued")
ISSUED_NOT_BEFORE = ox.NamedNode(_KG + "issuedNotBefore")
DOCUMENT_KIND = ox.NamedNode(_KG + "documentKind")
REFERENCE_DATASET = ox.NamedNode(PREFIXES["kgc"] + "reference-dataset")
QUOTE = ox.NamedNode(_KG + "quote")

_RECORDS = f"""
SELECT ?r ?s ?p ?o ?on ?kind ?reason ?new ?g WHERE {{
  GRAPH ?g {{
    ?r a <{SUPERSESSION.value}> ; <{_RDF}subject> ?s ; <{_RDF}predicate> ?p ; <{_RDF}object> ?o .
    OPTIONAL {{ ?r <{_KG}supersededOn> ?on }}
    OPTIONAL {{ ?r <{_KG}changeKind> ?kind }}
    OPTIONAL {{ ?r <{_KG}reason> ?reason }}
    OPTIONAL {{ ?r <{_KG}newValue> ?new }}
  }}
}}"""

_ATTRIBUTIONS = f"""
SELECT ?a ?p ?o ?src ?quote WHERE {{
  VALUES ?entity {{ %s }}
  ?a a <{ATTRIBUTION.value}> ; <{_RDF}subject> ?entity ; <{_RDF}predicate> ?p ; <{_RDF}object> ?o .
  OPTIONAL {{ ?a <{DERIVED_FROM.value}> ?src }}
  OPTIONAL {{ ?a <{QUOTE.value}> ?quote }}
}} ORDER BY ?a ?src ?quote"""  # the records' own order: the same on every engine


@dataclass(frozen=True)
class Supersession:
    """One record that a statement no longer holds."""

    node: ox.NamedNode
    triple: ox.Triple
    on: date | None
    graph: ox.NamedNode
    kind: ox.NamedNode | None = None
    reason: str = ""
    new_value: object | None = None


def supersessions(store: Reads) -> list[Supersession]:
    """Every supersession record of the files (their named graphs), in a stable order."""
    found = {}
    for row in store.query(_RECORDS):
        s, p, o = row["s"], row["p"], row["o"]
        if not isinstance(p, ox.NamedNode) or isinstance(s, ox.Literal):
            continue  # the shapes report a malformed record; it retires nothing
        on = row["on"]
        record = Supersession(
            node=row["r"],
            triple=ox.Triple(s, p, o),
            on=first_day(on) if isinstance(on, ox.Literal) else None,
            graph=row["g"],
            kind=row["kind"],
            reason=row["reason"].value if row["reason"] is not None else "",
            new_value=row["new"],
        )
        found[(record.node.value, str(record.triple), record.graph.value)] = record
    return [found[k] for k in sorted(found)]


def superseded_triples(store: Reads) -> set[ox.Triple]:
    return {r.triple for r in supersessions(store)}


def apply_current_view(store: ox.Store, before: Iterable[ox.Triple] = ()) -> set[ox.Triple]:
    """Make the default graph the current view: take out every superseded statement, and
    give back those ``before`` (superseded in the version this one was copied from) that
    no record retires any more but a file still makes. Returns the superseded set."""
    now = superseded_triples(store)
    for t in set(before) - now:
        if any(not isinstance(q.graph_name, ox.DefaultGraph) for q in store.quads_for_pattern(t.subject, t.predicate, t.object, None)):
            store.add(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()))
    for t in now:
        store.remove(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()))
    return now


def is_current(store: Reads, triple: ox.Triple) -> bool:
    return next(iter(store.quads_for_pattern(triple.subject, triple.predicate, triple.object, ox.DefaultGraph())), None) is not None


# ---------------------------------------------------------------- days


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_day(text: str, *, what: str = "--as-of") -> date:
    """A day written YYYY-MM-DD, or a ``UsageError`` that says what is wrong with it."""
    value = str(text).strip()
    if not _DAY.fullmatch(value):
        raise UsageError(f"{what} {value!r} is not a date", hint="write the day as YYYY-MM-DD, e.g. 2025-06-01")
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise UsageError(f"{what} {value!r} is not a date: {exc}", hint="write a day that exists, as YYYY-MM-DD") from exc


def first_day(value: ox.Literal) -> date | None:
    """The first day a dated literal can mean: a date, a dateTime's day, the 1st of a
    gYearMonth, 1 January of a gYear; ``None`` for anything else."""
    text, kind = value.value, value.datatype.value[len(_XSD) :] if value.datatype.value.startswith(_XSD) else ""
    try:
        if kind == "date":
            return date.fromisoformat(text[:10])
        if kind == "dateTime":
            return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
        if kind == "gYearMonth":
            return date(int(text[:4]), int(text[5:7]), 1)
        if kind == "gYear":
            return date(int(text[:4]), 1, 1)
    except ValueError:
        return None
    return None


def _first_days(store: Reads, node: ox.NamedNode, predicate: ox.NamedNode) -> list[date]:
    found = (first_day(q.object) for q in store.quads_for_pattern(node, predicate, None, ox.DefaultGraph()) if isinstance(q.object, ox.Literal))
    return [d for d in found if d is not None]


def source_dates(store: Reads) -> dict[ox.NamedNode, date | None]:
    """Each source document and the first day it was known: its ``dcterms:issued``, else
    its ``kg:issuedNotBefore`` (an inferred lower bound); ``None``: undated."""
    dates: dict[ox.NamedNode, date | None] = {}
    for q in store.quads_for_pattern(None, RDF_TYPE, SOURCE_DOCUMENT, ox.DefaultGraph()):
        if isinstance(q.subject, ox.NamedNode):
            known = _first_days(store, q.subject, ISSUED) or _first_days(store, q.subject, ISSUED_NOT_BEFORE)
            dates[q.subject] = min(known) if known else None
    return dates


def reference_datasets(store: Reads) -> set[ox.NamedNode]:
    """The source documents that are reference data sets: known at any date when undated."""
    return {q.subject for q in store.quads_for_pattern(None, DOCUMENT_KIND, REFERENCE_DATASET, ox.DefaultGraph()) if isinstance(q.subject, ox.NamedNode)}


def undated_sources(store: Reads) -> list[ox.NamedNode]:
    """Source documents that no view as of a day can place in time: no ``dcterms:issued``,
    no ``kg:issuedNotBefore``, and not a reference data set."""
    reference = reference_datasets(store)
    return sorted((d for d, first in source_dates(store).items() if first is None and d not in reference), key=lambda n: n.value)


def known_on(store: Reads, day: date) -> set[ox.NamedNode]:
    """The source documents known on ``day``: dated on or before it, or undated reference
    data sets."""
    reference = reference_datasets(store)
    return {d for d, first in source_dates(store).items() if (first <= day if first is not None else d in reference)}


def earliest_source(store: Reads) -> tuple[ox.NamedNode, date] | None:
    dated = [(d, s) for s, d in source_dates(store).items() if d is not None]
    if not dated:
        return None
    day, doc = min(dated, key=lambda x: (x[0], x[1].value))
    return doc, day


def check_as_of(store: Reads, day: date) -> None:
    """Refuse a day before every dated source: the graph knew nothing then."""
    first = earliest_source(store)
    if first is not None and day < first[1]:
        raise UsageError(
            f"{day.isoformat()} is before any source of the graph: the earliest, {curie(first[0].value)}, is dated {first[1].isoformat()}",
            hint=f"ask about {first[1].isoformat()} or later",
        )


def _documents(store: Reads) -> dict[ox.NamedNode, ox.NamedNode]:
    """Section or document -> its document."""
    docs = {s: s for s in source_dates(store)}
    for q in store.quads_for_pattern(None, RDF_TYPE, SOURCE_SECTION, ox.DefaultGraph()):
        for parent in store.quads_for_pattern(q.subject, IS_PART_OF, None, ox.DefaultGraph()):
            if parent.object in docs:
                docs[q.subject] = parent.object
    return docs


def view_as_of(store: Reads, graphs: Iterable[ox.NamedNode], day: date) -> ox.Store:
    """A new in-memory store: the graph as it stood on ``day`` (see the module's doc).

    Its named graphs hold what each file's sources had said by then, its default graph
    their union minus what was superseded by then."""
    view = ox.Store()
    fill_view_as_of(store, graphs, day, view)
    return view


def fill_view_as_of(store: Reads, graphs: Iterable[ox.NamedNode], day: date, view: ox.Store) -> dict[str, int]:
    """Write the graph as it stood on ``day`` into the empty store ``view`` (in memory, or
    on disk as a version of its own, ``kg.store.local.open_view``).

    Streams: per graph, one pass finds which subjects cite which sources, a second feeds
    the statements kept straight to the bulk loader, so no copy of the graph is held in
    Python (at 10^6 statements the list of them took 1.9 GB). Returns the statements
    kept per named graph (their IRIs), counted on the way."""
    documents = _documents(store)
    known_docs = known_on(store, day)
    default = ox.DefaultGraph()
    counts: dict[str, int] = {}

    def kept() -> Iterable[ox.Quad]:
        for g in graphs:
            described = {q.subject for q in store.quads_for_pattern(None, RDF_TYPE, SOURCE_DOCUMENT, g)}
            graph_known = not described or bool(described & known_docs)
            cites: dict[object, set] = defaultdict(set)
            for q in store.quads_for_pattern(None, DERIVED_FROM, None, g):
                cites[q.subject].add(documents.get(q.object, q.object))
            keep = {subject: bool(docs & known_docs) for subject, docs in cites.items()}
            del cites
            n = 0
            for q in store.quads_for_pattern(None, None, None, g):
                if keep.get(q.subject, graph_known):
                    n += 1
                    yield q
                    yield ox.Quad(q.subject, q.predicate, q.object, default)
            if n:
                counts[g.value] = n

    # one bulk load for every graph and the union: on disk each call writes and ingests
    # files of its own, which for ~80 small graphs cost seconds
    view.bulk_extend(kept())
    for r in supersessions(view):
        if r.on is not None and r.on <= day:
            view.remove(ox.Quad(r.triple.subject, r.triple.predicate, r.triple.object, default))
    return counts


_UNDATED_EVENTS = f"""
SELECT DISTINCT ?event WHERE {{
  ?event a/<{PREFIXES["rdfs"]}subClassOf>* <{_KG}Event> .
  FILTER NOT EXISTS {{ ?event <{PREFIXES["schema"]}startDate> ?start }}
}} ORDER BY ?event"""


def undated_events(store: Reads) -> list[ox.NamedNode]:
    """Events (of the store's default graph) without a start date: answers that compare
    dates (a timeline, the events scheduled on a day) leave them out."""
    return [row["event"] for row in store.query(_UNDATED_EVENTS) if isinstance(row["event"], ox.NamedNode)]


def as_of_notes(store: Reads, view: ox.Store, day: date) -> list[str]:
    """What a reader of the graph as of ``day`` (``view``, built from ``store``) should know
    is missing from it: sources that cannot be placed in time, and events it holds
    without a start date."""
    notes = []
    undated = undated_sources(store)
    if undated:
        names = ", ".join(curie(d.value) for d in undated)
        notes.append(f"note: {len(undated)} source(s) show no date (no dcterms:issued or kg:issuedNotBefore), so their facts are left out of the graph as of any day: {names}")
    events = undated_events(view)
    if events:
        names = ", ".join(curie(e.value) for e in events)
        notes.append(f"note: {len(events)} event(s) known on {day.isoformat()} have no start date, so answers that compare dates leave them out: {names}")
    return notes


# ---------------------------------------------------------------- history of an entity


@dataclass(frozen=True)
class Evidence:
    source: ox.NamedNode | None
    quote: str


@dataclass
class Entry:
    """One statement the graph holds or held about an entity, with its file and sources."""

    predicate: ox.NamedNode
    object: object
    graph: ox.NamedNode
    sources: tuple[ox.NamedNode, ...]
    known_from: date | None
    current: bool
    superseded_by: list[Supersession] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)


def attributions(store: Reads, entity: ox.NamedNode) -> dict[tuple[str, str], list[Evidence]]:
    """(predicate, object) -> the passages that support that statement of ``entity``."""
    found: dict[tuple[str, str], list[Evidence]] = defaultdict(list)
    seen = set()
    for row in store.query(_ATTRIBUTIONS % entity):  # str(NamedNode) is <iri>, escaped by pyoxigraph
        key = (row["p"].value, str(row["o"]))
        quote = row["quote"].value if row["quote"] is not None else ""
        if (key, row["src"], quote) not in seen:
            seen.add((key, row["src"], quote))
            found[key].append(Evidence(row["src"], quote))
    return found


def history(store: Reads, entity: ox.NamedNode) -> list[Entry]:
    """Every statement with ``entity`` as subject in any file, current or superseded,
    oldest source first within each property."""
    dates = source_dates(store)
    documents = _documents(store)
    records: dict[ox.Triple, list[Supersession]] = defaultdict(list)
    for r in supersessions(store):
        if r.triple.subject == entity:
            records[r.triple].append(r)
    evidence = attributions(store, entity)
    graph_docs: dict[ox.NamedNode, set] = {}
    entries = []
    for q in store.quads_for_pattern(entity, None, None, None):
        if isinstance(q.graph_name, ox.DefaultGraph) or q.graph_name.value.endswith("/graph/inferred"):
            continue
        g = q.graph_name
        if g not in graph_docs:
            graph_docs[g] = {d.subject for d in store.quads_for_pattern(None, RDF_TYPE, SOURCE_DOCUMENT, g)}
        cited = tuple(sorted({c.object for c in store.quads_for_pattern(entity, DERIVED_FROM, None, g)}, key=lambda n: n.value))
        docs = {documents.get(c, c) for c in cited} or graph_docs[g]
        known = [dates.get(d) for d in docs]
        first = min((d for d in known if d is not None), default=None) if known and None not in known else None
        triple = ox.Triple(q.subject, q.predicate, q.object)
        entries.append(
            Entry(
                predicate=q.predicate,
                object=q.object,
                graph=g,
                sources=cited or tuple(sorted(graph_docs[g], key=lambda n: n.value)),
                known_from=first,
                current=is_current(store, triple),
                superseded_by=records.get(triple, []),
                evidence=evidence.get((q.predicate.value, str(q.object)), []),
            )
        )
    entries.sort(key=lambda e: (e.predicate.value, e.known_from or date.min, str(e.object), e.graph.value))
    return entries


__all__ = [
    "Entry",
    "Evidence",
    "Supersession",
    "apply_current_view",
    "as_of_notes",
    "attributions",
    "check_as_of",
    "earliest_source",
    "first_day",
    "history",
    "is_current",
    "known_on",
    "parse_day",
    "reference_datasets",
    "source_dates",
    "supersessions",
    "superseded_triples",
    "undated_events",
    "undated_sources",
    "fill_view_as_of",
    "view_as_of",
]
