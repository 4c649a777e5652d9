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

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH

from kg.describe import normalise
from kg.errors import InputError, UsageError
from kg.fileio import atomic_write, exclusive_lock
from kg.namespaces import KG, KGG, KGI, curie
from kg.serialize import canonical_turtle, leading_comment
from kg.files import MAX_FILE_BYTES, Layout, blank_nodes, load_dataset, ontology_graph, parse_text, rdf_format, read_text, union_graph
from kg.validate import Report, load_shapes, validate_graph

SOURCE_CLASSES = (KG.SourceDocument, KG.SourceSection)
CANDIDATE = KGG["candidate"]


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

    @property
    def accepted(self) -> bool:
        return self.report is None or self.report.conforms


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


def _known_terms(ds: Dataset) -> tuple[set[URIRef], set[URIRef]]:
    """Predicates and classes the graph defines or already uses."""
    predicates = set(ds.predicates())
    classes = {o for o in ds.objects(None, RDF.type) if isinstance(o, URIRef)}
    for kind in (RDF.Property, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty):
        predicates |= {s for s in ds.subjects(RDF.type, kind) if isinstance(s, URIRef)}
    classes |= {s for s in ds.subjects(RDF.type, OWL.Class) if isinstance(s, URIRef)}
    classes |= {s for s in ds.subjects(RDFS.subClassOf, None) if isinstance(s, URIRef)}
    return predicates, classes


def check_submission(graph: Graph, text: str, location: str, ds: Dataset, *, allow_foreign: bool = False) -> None:
    """Refuse what can never be merged, with the file and line of the first offender."""
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
    for s, p, o in sorted(graph, key=lambda t: (str(t[0]), str(t[1]), str(t[2]))):
        if p == OWL.imports or str(p).startswith(str(SH)):
            raise InputError(f"{_name(p)} is not allowed in facts", location=f"{location}:{_line(text, p)}")
        if not allow_foreign and not str(s).startswith(str(KGI)):
            raise InputError(
                f"the subject {_name(s)} is outside the graph's namespace kgi: (https://w3id.org/jckg/id/)",
                location=f"{location}:{_line(text, s)}",
                hint="mint the IRI under kgi:, or pass --allow-foreign if it is meant",
            )
    predicates, classes = _known_terms(ds)
    for p in sorted(set(graph.predicates()), key=str):
        if p not in predicates:
            raise InputError(
                f"unknown property {_name(p)}: the ontology does not define it",
                location=f"{location}:{_line(text, p)}",
                hint="check the spelling against ontology/kg.ttl",
            )
    for c in sorted({o for o in graph.objects(None, RDF.type)}, key=str):
        if c not in classes:
            raise InputError(
                f"unknown class {_name(c)}: the ontology does not define it",
                location=f"{location}:{_line(text, c)}",
                hint="check the spelling against ontology/kg.ttl",
            )


def find_source(graph: Graph, ds: Dataset, text: str, location: str) -> URIRef:
    """The one source document the submission's facts are derived from."""

    def document(node: object) -> URIRef | None:
        for g in (graph, ds):
            if (node, RDF.type, KG.SourceDocument) in g:
                return node  # type: ignore[return-value]
            parent = g.value(node, DCTERMS.isPartOf)
            if parent is not None and (node, RDF.type, KG.SourceSection) in g:
                return document(parent)
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


# ---------------------------------------------------------------- incremental validation


def affected_nodes(new: Graph, context: Graph) -> set:
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
        for linked in context.subjects(None, s):
            if isinstance(linked, URIRef):
                nodes.add(linked)
    return nodes


def validate_addition(ds: Dataset, new: Graph, layout: Layout, *, incremental: bool = True) -> Report:
    """Validate the dataset holding ``new`` (already added) - only what ``new`` affects."""
    union = union_graph(ds)
    focus = affected_nodes(new, union) if incremental else None
    return validate_graph(union, shapes=load_shapes(layout), ontology=ontology_graph(layout, ds), focus_nodes=focus)


def possible_duplicates(new: Graph, ds: Dataset) -> list[str]:
    """New entities that share type and label with an existing entity under another IRI."""
    notes = []
    existing_subjects = set(ds.subjects())
    for s in sorted(set(new.subjects(RDF.type, None)) - existing_subjects, key=str):
        types = set(new.objects(s, RDF.type))
        labels = {normalise(str(o)) for o in new.objects(s, RDFS.label) if isinstance(o, Literal)}
        for t in types:
            for other in ds.subjects(RDF.type, t):
                if other == s:
                    continue
                theirs = {normalise(str(o)) for o in ds.objects(other, RDFS.label) if isinstance(o, Literal)}
                if labels & theirs:
                    notes.append(
                        f"{_name(s)} may duplicate {_name(other)}: same type {_name(t)} and label "
                        f"{sorted(labels & theirs)[0]!r}; reuse {_name(other)} if it is the same entity"
                    )
    return notes


# ---------------------------------------------------------------- merging


def _slug(source: URIRef) -> str:
    local = str(source)[len(str(KGI)) :]
    local = re.sub(r"^src-", "", local)
    return re.sub(r"[^a-z0-9-]+", "-", local.lower()).strip("-") or "source"


def target_file(layout: Layout, ds: Dataset, source: URIRef) -> tuple[Path, bool]:
    """The data file of ``source``: the one that describes it, else a new file named after it."""
    for path in sorted(layout.data_dir.glob("*.ttl")):
        if (source, RDF.type, KG.SourceDocument) in ds.graph(layout.graph_name(path)):
            return path, False
    return layout.data_dir / f"{_slug(source)}.ttl", True


def _header(graph: Graph, source: URIRef) -> str:
    title = graph.value(source, DCTERMS.title)
    publisher = graph.value(source, KG.publisherName)
    issued = graph.value(source, DCTERMS.issued)
    parts = ", ".join(str(x) for x in (publisher, issued) if x is not None)
    return f'# Facts stated in "{title}"' + (f" ({parts})" if parts else "") + f",\n# each derived from {_name(source)} or one of its sections."


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
) -> AddResult:
    """Check ``files`` as one submission and, if they conform, merge them into the graph.

    Raises ``InputError`` for input that can never be merged; returns a result whose
    ``report`` holds the violations otherwise (nothing written unless ``accepted``).
    """
    files = list(files)
    if not files:
        raise UsageError("no file given", hint="kg add FILE...")
    limit = None if force else max_input_bytes()
    with exclusive_lock(layout.data_dir):
        _remove_stale_temporaries(layout.data_dir)
        ds = load_dataset(layout)
        new = Graph()
        texts = []
        for path in files:
            text = read_text(path, max_bytes=limit)
            graph = parse_text(text, location=str(path), fmt=rdf_format(path))
            check_submission(graph, text, str(path), ds, allow_foreign=allow_foreign)
            new += graph
            texts.append(text)
        source = find_source(new, ds, "\n".join(texts), ", ".join(str(p) for p in files))
        target, is_new_file = target_file(layout, ds, source)
        result = AddResult(source=source, target=target, new_file=is_new_file)

        existing_in_target = Graph()
        if not is_new_file:
            for t in ds.graph(layout.graph_name(target)):
                existing_in_target.add(t)
        fresh = Graph()
        for t in new:
            if t in existing_in_target:
                result.already_present += 1
            else:
                fresh.add(t)
        result.added = len(fresh)
        known = set(ds.subjects())
        result.new_entities = sorted({s for s in fresh.subjects() if s not in known}, key=str)
        result.changed_entities = sorted({s for s in fresh.subjects() if s in known}, key=str)
        if not fresh:
            result.notes.append("nothing new: every statement is already in the graph")
            return result
        result.notes.extend(possible_duplicates(fresh, ds))

        candidate = ds.graph(layout.graph_name(target))
        for t in fresh:
            candidate.add(t)
        result.report = validate_addition(ds, fresh, layout, incremental=incremental)
        if not result.report.conforms or dry_run:
            return result

        merged = Graph()
        for t in existing_in_target:
            merged.add(t)
        for t in fresh:
            merged.add(t)
        header = _header(merged, source) if is_new_file else leading_comment(read_text(target, max_bytes=None))
        atomic_write(target, canonical_turtle(merged, header=header))
        result.written = True
        return result
