"""New facts into the graph: check them in the context of the whole graph, then merge.

The steps, and why each is here:

1. parse strictly (pyoxigraph and rdflib; file:line messages), refuse empty files, blank
   nodes (they would duplicate entities on every merge), subjects outside ``kgi:``,
   predicates and classes the ontology does not define (a typo would otherwise pass the
   shapes silently), ``owl:imports`` and shapes;
2. find the one source document the facts come from (``prov:wasDerivedFrom`` a section
   or document); every subject except the source's own description must name it;
3. validate against the shapes in the context of the whole graph, but only the nodes the
   new facts can affect (see ``affected_nodes``), which finds every violation a full
   validation finds on the same input (tests/test_add.py proves it on every broken example);
4. merge under an exclusive lock: the statements go into the source's file (or a new
   file for a new source), written in canonical Turtle to a temporary file that is fsynced
   and renamed, so a run killed at any instant leaves the graph before or after, never
   half-written. Adding the same facts twice changes nothing the second time.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH
from rdflib.term import Node

from kg.describe import normalise
from kg.errors import InputError, UsageError, WriteError
from kg.fileio import atomic_write, exclusive_lock
from kg.identifiers import check_identifiers, confusable_labels
from kg.layout import Layout
from kg.namespaces import KG, KGI, curie
from kg.rdf.convert import to_pyoxigraph, to_rdflib
from kg.rdf.parse import (
    MAX_FILE_BYTES,
    blank_nodes,
    max_statements,
    parse_text,
    rdf_format,
    read_text,
)
from kg.rdf.turtle import canonical_turtle, leading_comment, one_line
from kg.shacl.report import Report, check_store
from kg.store.local import open_store

SOURCE_CLASSES = (KG.SourceDocument, KG.SourceSection)


def max_input_bytes() -> int:
    """The size above which ``kg add`` refuses a file unless forced (``KG_MAX_INPUT_BYTES``)."""
    value = os.environ.get("KG_MAX_INPUT_BYTES")
    return int(value) if value and value.isdigit() else MAX_FILE_BYTES


@dataclass
class AddResult:
    """What an addition did (or, with ``dry_run``, would do)."""

    source: URIRef | None = None
    target: Path | None = None
    new_file: bool = False
    added: int = 0
    already_present: int = 0
    new_entities: list[URIRef] = field(default_factory=list)
    changed_entities: list[URIRef] = field(default_factory=list)
    report: Report | None = None
    notes: list[str] = field(default_factory=list)
    written: bool = False
    superseded: int = 0

    @property
    def accepted(self) -> bool:
        return self.report is None or self.report.passes


# ---------------------------------------------------------------- checks before validation


def _name(node: object) -> str:
    return curie(str(node))


def _line(text: str, node: object) -> int:
    """The first line of ``text`` that mentions ``node`` (full IRI or prefixed name)."""
    needles = [str(node), _name(node)]
    for number, line in enumerate(text.splitlines(), start=1):
        if any(n in line for n in needles):
            return number
    return 1


def _has(store: ox.Store, s: object = None, p: object = None, o: object = None) -> bool:
    """Whether the store holds a statement matching the pattern (None: any), in any graph."""
    conv = [to_pyoxigraph(x) if x is not None else None for x in (s, p, o)]
    for _ in store.quads_for_pattern(conv[0], conv[1], conv[2], None):
        return True
    return False


def _is_known_predicate(store: ox.Store, p: Node) -> bool:
    if _has(store, None, p, None):
        return True
    return any(_has(store, p, RDF.type, kind) for kind in (RDF.Property, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty))


def _is_known_class(store: ox.Store, c: object) -> bool:
    return isinstance(c, URIRef) and (_has(store, None, RDF.type, c) or _has(store, c, RDF.type, OWL.Class) or _has(store, c, RDFS.subClassOf, None))


def check_submission(graph: Graph, text: str, location: str, store: ox.Store, *, allow_foreign: bool = False) -> None:
    """Refuse what can never be merged, with the file and line of the first offender.

    The identifier rules (``kg.identifiers.check_identifiers``) follow on the whole
    submission: a subject one file types may be described further in another."""
    if len(graph) == 0:
        raise InputError("the file holds no statements", location=location, hint="add facts, or leave it out")
    bnodes = blank_nodes(graph)
    if bnodes:
        s, p, _ = bnodes[0]
        raise InputError(
            f"a blank node is used ({_name(s) if not isinstance(s, BNode) else '[]'} {_name(p)} ...)",
            location=f"{location}:{_line(text, p)}",
            hint="give every node an IRI under kgi: (https://w3id.org/jckg/id/), reusing the IRI of an existing entity",
        )
    for s, p, _o in sorted(graph, key=lambda t: (str(t[0]), str(t[1]), str(t[2]))):
        if p == OWL.imports or str(p).startswith(str(SH)):
            raise InputError(f"{_name(p)} is not allowed in facts", location=f"{location}:{_line(text, p)}")
        if not allow_foreign and not str(s).startswith(str(KGI)):
            raise InputError(
                f"the subject {_name(s)} is outside the graph's namespace kgi: (https://w3id.org/jckg/id/)",
                location=f"{location}:{_line(text, s)}",
                hint="mint the IRI under kgi:, or pass --allow-foreign if it is meant",
            )
    for p in sorted(set(graph.predicates()), key=str):
        if not _is_known_predicate(store, p):
            raise InputError(
                f"unknown property {_name(p)}: the ontology does not define it",
                location=f"{location}:{_line(text, p)}",
                hint="check the spelling against ontology/kg.ttl",
            )
    for c in sorted({o for o in graph.objects(None, RDF.type)}, key=str):
        if not _is_known_class(store, c):
            raise InputError(
                f"unknown class {_name(c)}: the ontology does not define it",
                location=f"{location}:{_line(text, c)}",
                hint="check the spelling against ontology/kg.ttl",
            )


def find_source(graph: Graph, store: ox.Store, text: str, location: str) -> URIRef:
    """The one source document the submission's facts are derived from."""

    def document(node: object, seen: frozenset = frozenset()) -> URIRef | None:
        if node in seen or not isinstance(node, URIRef):
            return None
        if (node, RDF.type, KG.SourceDocument) in graph or _has(store, node, RDF.type, KG.SourceDocument):
            return node
        if (node, RDF.type, KG.SourceSection) in graph or _has(store, node, RDF.type, KG.SourceSection):
            parents = list(graph.objects(node, DCTERMS.isPartOf)) + [
                to_rdflib(q.object) for q in store.quads_for_pattern(to_pyoxigraph(node), to_pyoxigraph(DCTERMS.isPartOf), None, None)
            ]
            for parent in parents:
                found = document(parent, seen | {node})
                if found is not None:
                    return found
        return None

    source_nodes = {s for c in SOURCE_CLASSES for s in graph.subjects(RDF.type, c)}
    documents: set[URIRef] = set()
    for s in sorted(set(graph.subjects()), key=str):
        if s in source_nodes:
            continue
        cited = list(graph.objects(s, PROV.wasDerivedFrom))
        if not cited:
            raise InputError(
                f"{_name(s)} has no source",
                location=f"{location}:{_line(text, s)}",
                hint="add prov:wasDerivedFrom pointing to the source section or document that states the fact",
            )
        for c in cited:
            doc = document(c)
            if doc is None:
                raise InputError(
                    f"{_name(s)} cites {_name(c)}, which is not a described source document or section",
                    location=f"{location}:{_line(text, c)}",
                    hint="describe the source (kg:SourceDocument with title, publisher, kind) in the same file",
                )
            documents.add(doc)
    for s in source_nodes:
        doc = document(s)
        if doc is not None:
            documents.add(doc)
    if not documents:
        raise InputError("the file names no source document", location=location, hint="describe the source and cite it")
    if len(documents) > 1:
        names = ", ".join(sorted(_name(d) for d in documents))
        raise InputError(
            f"the facts come from {len(documents)} source documents ({names})",
            location=location,
            hint="one file per source: split the file and add each part",
        )
    return documents.pop()


# ---------------------------------------------------------------- amendments


def check_supersessions(graph: Graph, text: str, location: str, *, amend: bool) -> list[tuple[Node, tuple]]:
    """The submission's supersession records and the statement each retires; refuses a
    record that does not name one statement, the same statement retired twice, records in
    ``kg add`` and an amendment without any."""
    records = sorted(graph.subjects(RDF.type, KG.Supersession), key=str)
    if records and not amend:
        raise InputError(
            f"{_name(records[0])} supersedes a statement: kg add only adds",
            location=f"{location}:{_line(text, records[0])}",
            hint="use `kg amend FILE` for facts that replace earlier ones",
        )
    if amend and not records:
        raise InputError(
            "the file supersedes nothing: an amendment retires statements with kg:Supersession records",
            location=location,
            hint="describe each replaced statement (rdf:subject, rdf:predicate, rdf:object) as a kg:Supersession, or use `kg add` for new facts only",
        )
    found: list[tuple[Node, tuple]] = []
    seen: dict[tuple, Node] = {}
    for r in records:
        parts = []
        for p in (RDF.subject, RDF.predicate, RDF.object):
            values = list(graph.objects(r, p))
            if len(values) != 1:
                raise InputError(
                    f"{_name(r)} must name exactly one {_name(p)} (it has {len(values)})",
                    location=f"{location}:{_line(text, r)}",
                    hint="a supersession record names one statement: its rdf:subject, rdf:predicate and rdf:object",
                )
            parts.append(values[0])
        triple = tuple(parts)
        if triple in seen:
            raise InputError(
                f"{_name(seen[triple])} and {_name(r)} supersede the same statement ({_statement(triple)})",
                location=f"{location}:{_line(text, r)}",
                hint="one record per statement: merge them",
            )
        seen[triple] = r
        found.append((r, triple))
    return found


def _statement(triple: tuple) -> str:
    s, p, o = triple
    return f"{_name(s)} {_name(p)} {_name(o) if isinstance(o, URIRef) else o.n3() if isinstance(o, Literal) else o}"


def check_retired(retired: list[tuple], new: Graph, store: ox.Store, text: str, location: str) -> None:
    """Each retired statement must be in the current view, and not made again by the submission."""
    from kg.history import is_current, supersessions

    earlier = None
    for triple in retired:
        s, p, o = (to_pyoxigraph(x) for x in triple)
        where = f"{location}:{_line(text, triple[0])}"
        if triple in new:
            raise InputError(f"the file both makes and supersedes {_statement(triple)}", location=where, hint="drop the statement or its supersession record")
        if is_current(store, ox.Triple(s, p, o)):
            continue
        if any(True for _ in store.quads_for_pattern(s, p, o, None)):
            earlier = earlier if earlier is not None else {r.triple: r for r in supersessions(store)}
            record = earlier.get(ox.Triple(s, p, o))
            by = f" by {_name(record.node.value)}" + (f" on {record.on.isoformat()}" if record and record.on else "") if record else ""
            raise InputError(
                f"{_statement(triple)} is already superseded{by}",
                location=where,
                hint="supersede the statement that replaced it instead (`kg history` shows the chain)",
            )
        raise InputError(
            f"the file supersedes a statement the graph does not hold: {_statement(triple)}",
            location=where,
            hint=f"check subject, property and value against `kg history {_name(triple[0])}`",
        )


# ---------------------------------------------------------------- incremental validation


def affected_nodes(new: Graph, context: Graph | ox.Store) -> set:
    """The focus nodes whose validation result the new statements can change.

    A shape reads a node's own statements (its property paths are plain predicates) and,
    in SPARQL constraints, statements of the nodes it links to and of nodes that link to
    it. So: every subject and IRI object of a new statement, and every node of the
    graph that links to one of the new subjects.
    """
    nodes: set = set()
    for s, _, o in new:
        nodes.add(s)
        if isinstance(o, URIRef) and str(o).startswith(str(KGI)):
            nodes.add(o)
    subjects = set(new.subjects())
    for s in subjects:
        if isinstance(context, ox.Store):
            linked_nodes = [to_rdflib(q.subject) for q in context.quads_for_pattern(None, None, to_pyoxigraph(s), None)]
        else:
            linked_nodes = list(context.subjects(None, s))
        for linked in linked_nodes:
            if isinstance(linked, URIRef):
                nodes.add(linked)
    return nodes


def validate_addition(candidate: ox.Store, new: Graph, layout: Layout, *, incremental: bool = True) -> Report:
    """Validate the candidate store (the graph with ``new`` added): only what ``new`` affects."""
    focus = affected_nodes(new, candidate) if incremental else None
    return check_store(candidate, layout, focus=[to_pyoxigraph(n) for n in focus] if focus is not None else None)


def possible_duplicates(new: Graph, store: ox.Store) -> list[str]:
    """New entities that share type and label with an existing entity under another IRI.

    Candidates are found through the label index (the same label, as written), so the
    cost does not grow with the number of entities of the type."""
    notes = []
    label, rdf_type = to_pyoxigraph(RDFS.label), to_pyoxigraph(RDF.type)
    for s in sorted(set(new.subjects(RDF.type, None)), key=str):
        if _has(store, s):
            continue
        types = {to_pyoxigraph(t) for t in new.objects(s, RDF.type)}
        seen: set = set()
        for lit in sorted((o for o in new.objects(s, RDFS.label) if isinstance(o, Literal)), key=str):
            for q in store.quads_for_pattern(None, label, to_pyoxigraph(lit), None):
                other = q.subject
                if isinstance(other, ox.Triple) or other == to_pyoxigraph(s) or other in seen:
                    continue
                shared = sorted(t for t in types if next(iter(store.quads_for_pattern(other, rdf_type, t, None)), None) is not None)
                if shared:
                    seen.add(other)
                    notes.append(
                        f"{_name(s)} may duplicate {_name(other.value)}: same type {_name(shared[0].value)} and label "
                        f"{normalise(str(lit))!r}; reuse {_name(other.value)} if it is the same entity"
                    )
    return notes


def future_dates(new: Graph, today: _dt.date | None = None) -> list[str]:
    """Sources dated after today: a typo in a year, most likely. A meeting may be scheduled
    for any day, but a document cannot have been issued later than it was read."""
    today = today or _dt.date.today()
    notes = []
    for s in sorted(set(new.subjects(RDF.type, KG.SourceDocument)), key=str):
        for issued in new.objects(s, DCTERMS.issued):
            day = _day(issued)
            if day is not None and day > today:
                notes.append(f"{_name(s)} is dated {issued}, after today ({today.isoformat()}): check dcterms:issued")
    return notes


def _day(value: object) -> _dt.date | None:
    text = str(value)
    for fmt, size in (("%Y-%m-%d", 10), ("%Y-%m", 7), ("%Y", 4)):
        try:
            return _dt.datetime.strptime(text[:size], fmt).date()
        except ValueError:
            continue
    return None


# ---------------------------------------------------------------- merging


def _slug(source: URIRef) -> str:
    local = str(source)[len(str(KGI)) :]
    local = re.sub(r"^src-", "", local)
    return re.sub(r"[^a-z0-9-]+", "-", local.lower()).strip("-") or "source"


def target_file(layout: Layout, store: ox.Store, source: URIRef) -> tuple[Path, bool]:
    """The data file of ``source``: the one that describes it, else a new file named after it."""
    for path in sorted(layout.data_dir.glob("*.ttl")):
        graph = ox.NamedNode(layout.graph_iri(path))
        for _ in store.quads_for_pattern(to_pyoxigraph(source), to_pyoxigraph(RDF.type), to_pyoxigraph(KG.SourceDocument), graph):
            return path, False
    return layout.data_dir / f"{_slug(source)}.ttl", True


def _header(graph: Graph, source: URIRef) -> str:
    """The new file's opening comment. The metadata is the submitter's text: folded to one
    line here for reading, and ``canonical_turtle`` writes every header line as a comment
    whatever it holds, so no title can end the comment and become statements."""
    title = graph.value(source, DCTERMS.title)
    publisher = graph.value(source, KG.publisherName)
    issued = graph.value(source, DCTERMS.issued)
    parts = ", ".join(one_line(str(x)) for x in (publisher, issued) if x is not None)
    return f'# Facts stated in "{one_line(str(title))}"' + (f" ({parts})" if parts else "") + f",\n# each derived from {_name(source)} or one of its sections."


def _graph_triples(store: ox.Store, graph: ox.NamedNode) -> set[ox.Triple]:
    return {ox.Triple(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, graph)}


def _check_reads_back(data: bytes, validated: set[ox.Triple], target: Path) -> None:
    """The bytes about to be written must parse to exactly the statements that were
    validated: anything else would put unchecked statements in the graph, or lose some."""
    try:
        written = {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(data, ox.RdfFormat.TURTLE)}
    except SyntaxError as exc:
        raise WriteError(
            f"cannot write {target}: the Turtle written for it does not parse ({exc}); nothing was changed",
            hint="this is a bug in kg's Turtle writer: please report it with the submission",
        ) from exc
    if written != validated:
        extra, missing = written - validated, validated - written
        example = next(iter(extra or missing))
        raise WriteError(
            f"cannot write {target}: the Turtle written for it would read back as {len(extra)} statement(s) that were not validated "
            f"and without {len(missing)} that were (e.g. {example}); nothing was changed",
            hint="this is a bug in kg's Turtle writer: please report it with the submission",
        )


def _remove_stale_temporaries(directory: Path) -> None:
    # a run killed between writing and renaming leaves its temporary file behind
    for tmp in directory.glob(".*.ttl.*.tmp"):
        try:
            tmp.unlink()
        except OSError:
            pass


def add_files(
    files: Iterable[Path],
    layout: Layout,
    *,
    dry_run: bool = False,
    force: bool = False,
    allow_foreign: bool = False,
    incremental: bool = True,
    graph: Any = None,
    amend: bool = False,
) -> AddResult:
    """Check ``files`` as one submission and, if they conform, merge them into the graph.

    With ``amend`` the submission must retire statements with kg:Supersession records
    (and without it must not): each names a statement the current view holds, and the
    candidate validated is the graph with the new facts in and those statements out.

    Raises ``InputError`` for input that can never be merged; returns a result whose
    ``report`` holds the violations otherwise (nothing written unless ``accepted``).
    """
    files = list(files)
    if not files:
        raise UsageError("no file given", hint="kg add FILE...")
    limit = None if force else max_input_bytes()
    # a dry run writes nothing, so it needs no write access: it only waits for a writer
    with exclusive_lock(layout.data_dir, shared=dry_run):
        if not dry_run:
            _remove_stale_temporaries(layout.data_dir)
        # the files as they are now that no one else may write them: the facade's store
        # version when a facade calls (it keeps it for its next reads), else one of our own
        gs = graph.store() if graph is not None else open_store(layout)
        store = gs.store
        new = Graph()
        texts = []
        for path in files:
            text = read_text(path, max_bytes=limit)
            fmt = rdf_format(path)
            # every format gets the same statement checks, and the submission one budget
            graph_ = parse_text(text, location=str(path), fmt=fmt, limit=max_statements() - len(new))
            check_submission(graph_, text, str(path), store, allow_foreign=allow_foreign)
            new += graph_
            texts.append(text)
        check_identifiers(new, store, sources=[(str(p), t) for p, t in zip(files, texts, strict=True)], shapes_file=layout.shapes_file)
        location = ", ".join(str(p) for p in files)
        records = check_supersessions(new, "\n".join(texts), location, amend=amend)
        source = find_source(new, store, "\n".join(texts), location)
        target, is_new_file = target_file(layout, store, source)
        result = AddResult(source=source, target=target, new_file=is_new_file)

        target_graph = ox.NamedNode(layout.graph_iri(target))
        existing_in_target = Graph()
        if not is_new_file:
            # only the target file's statements come into rdflib: its canonical writer needs them
            existing_in_target.addN(
                (to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object), existing_in_target)
                for q in store.quads_for_pattern(None, None, None, target_graph)
            )
        fresh = Graph()
        for t in new:
            if t in existing_in_target:
                result.already_present += 1
            else:
                fresh.add(t)
        result.added = len(fresh)
        subjects = {s for s in fresh.subjects() if isinstance(s, URIRef)}  # every one (blank nodes were refused)
        known = {s for s in subjects if _has(store, s)}
        result.new_entities = sorted(subjects - known, key=str)
        result.changed_entities = sorted(known, key=str)
        if not fresh:
            result.notes.append("nothing new: every statement is already in the graph")
            return result
        result.notes.extend(possible_duplicates(fresh, store))
        result.notes.extend(future_dates(fresh))
        result.notes.extend(confusable_labels(fresh, store))
        retired = [t for r, t in records if (r, RDF.type, KG.Supersession) in fresh]
        check_retired(retired, new, store, "\n".join(texts), location)
        result.superseded = len(retired)

        candidate = gs.begin()
        try:
            candidate.add([ox.Triple(to_pyoxigraph(s), to_pyoxigraph(p), to_pyoxigraph(o)) for s, p, o in fresh], target_graph)
            candidate.supersede([ox.Triple(to_pyoxigraph(s), to_pyoxigraph(p), to_pyoxigraph(o)) for s, p, o in retired])
            result.report = validate_addition(candidate.store, fresh, layout, incremental=incremental)
            if not result.report.passes or dry_run:
                return result
            merged = Graph()
            for t in existing_in_target:
                merged.add(t)
            for t in fresh:
                merged.add(t)
            header = _header(merged, source) if is_new_file else leading_comment(read_text(target, max_bytes=None))
            data = canonical_turtle(merged, header=header)
            validated = _graph_triples(candidate.store, target_graph)
            _check_reads_back(data, validated, target)  # before anything is written
            atomic_write(target, data)
            result.written = True
            # the store follows the files: the copy that was validated becomes their version,
            # but only if the bytes now on disk read back as exactly what it holds
            try:
                on_disk = target.read_bytes()
            except OSError:
                on_disk = b""
            if on_disk == data:
                candidate.publish(layout)
        finally:
            candidate.discard()
        return result
