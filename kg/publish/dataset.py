"""The dataset description (VoID + DCAT + DCTERMS), generated from the graph itself.

    >>> import kg
    >>> from kg.publish.dataset import describe_dataset, check_description
    >>> g = kg.open()
    >>> ttl = describe_dataset(g, version="1.0.0", endpoint="https://example.org/sparql")
    >>> check_description(ttl)                         # [] : valid against kg/publish/dataset-shapes.ttl
    []

The description of ``https://w3id.org/jckg/dataset`` (a ``dcat:Dataset`` and a
``void:Dataset``) holds:

* title, description, licence (CC0-1.0, as the README says), publisher, and with a
  version ``dcat:version``/``owl:versionInfo``; ``dcterms:issued`` only when passed in;
* the counts of the **current view** (the store's default graph: every file's
  statements minus those a later source superseded): ``void:triples``,
  ``void:entities`` (distinct subjects under ``void:uriSpace`` ``https://w3id.org/jckg/id/``),
  ``void:classes``, ``void:properties``, ``void:distinctSubjects``,
  ``void:distinctObjects``; one ``void:classPartition`` per class (``void:entities``:
  its distinct instances) and one ``void:propertyPartition`` per property
  (``void:triples``, ``void:distinctSubjects``, ``void:distinctObjects``);
* one ``void:subset`` per named graph (per file), named by the graph's own IRI, with
  its ``void:triples`` and ``void:entities`` as the file states them (superseded
  statements included: they stay in their file's graph) and its ``dcterms:source``:
  the ``kg:SourceDocument`` nodes the file describes, each with its title, publisher,
  issue date and URL as the current view has them;
* ``void:sparqlEndpoint`` (when given), ``void:exampleResource`` (the 4th Meeting, ECO
  and SCO, those of them the graph has), ``void:vocabulary`` (the namespaces of the
  properties and classes used) and, with a version, one ``dcat:distribution`` per
  release file (N-Quads, TriG, JSON-LD, Turtle) with its download URL, media type and,
  when the file's bytes are given, its size and SHA-256 (``spdx:checksum``).

Every count is a SPARQL ``COUNT`` (``GROUP BY``) on the store, so a remote endpoint
(``kg.open(endpoint=...)``) is described the same way. The output is canonical Turtle:
the same graph and arguments give the same bytes (nothing depends on the clock, every
list is sorted), and it holds no blank node (partitions, distributions and checksums
have IRIs in ``https://w3id.org/jckg/dataset#``).
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox

from kg.errors import UsageError
from kg.namespaces import INFERRED_GRAPH, PREFIXES
from kg.publish import Graph  # the facade, given to us: never imported here

__all__ = ["DATASET", "LICENSE", "RELEASE_FILES", "URI_SPACE", "ReleaseFile", "check_description", "describe_dataset", "release_files"]

#: The dataset's IRI, and the namespace of the nodes of its description.
DATASET = PREFIXES["kgg"].rsplit("graph/", 1)[0] + "dataset"
_D = DATASET + "#"
#: CC0-1.0, as the README's "Licence" and pyproject.toml say.
LICENSE = "https://creativecommons.org/publicdomain/zero/1.0/"
URI_SPACE = PREFIXES["kgi"]
#: Where releases are published: ``<RELEASES><version>/<file>``.
RELEASES = PREFIXES["kgg"].rsplit("graph/", 1)[0] + "release/"
TITLE = "Regional legal and judicial cooperation knowledge graph"
DESCRIPTION = (
    "Who cooperates with whom in regional legal and judicial cooperation (the ECO, the SCO and their "
    "member states): organisations and their bodies, national authorities, posts and persons, memberships, "
    "instruments, meetings with their participants, delegations, proposals and outcomes, each fact derived "
    "from a cited source document. One named graph per source file; the default graph is the current view, "
    "without the statements later sources superseded (kg:Supersession records say when and why)."
)
PUBLISHER_NAME = "The jckg maintainers"
#: void:exampleResource: those of these the graph describes.
EXAMPLES = ("eco-apg-meeting-4", "eco", "sco")

_VOID = "http://rdfs.org/ns/void#"
_DCAT = "http://www.w3.org/ns/dcat#"
_SPDX = "http://spdx.org/rdf/terms#"
_IANA = "https://www.iana.org/assignments/media-types/"
#: The description's prefixes: the project's and those of VoID, DCAT and SPDX.
DESCRIPTION_PREFIXES: dict[str, str] = {**PREFIXES, "void": _VOID, "dcat": _DCAT, "spdx": _SPDX, "kgd": _D}
_SHAPES = Path(__file__).with_name("dataset-shapes.ttl")


@dataclass(frozen=True)
class ReleaseFile:
    """One file of a release that a distribution describes."""

    key: str  # kg.Graph.export's format
    suffix: str
    media_type: str
    title: str
    description: str

    def filename(self, version: str) -> str:
        return f"jckg-{version}.{self.suffix}"


RELEASE_FILES: tuple[ReleaseFile, ...] = (
    ReleaseFile("nq", "nq", "application/n-quads", "N-Quads",
                "Every named graph (one per source file), superseded statements included beside the records that retire them."),
    ReleaseFile("trig", "trig", "application/trig", "TriG",
                "Every named graph (one per source file), superseded statements included beside the records that retire them."),
    ReleaseFile("json-ld", "jsonld", "application/ld+json", "JSON-LD",
                "Every named graph (one per source file), superseded statements included beside the records that retire them; an inline context."),
    ReleaseFile("turtle", "ttl", "text/turtle", "Turtle",
                "The current view: the union of the files without the statements later sources superseded."),
)


def release_files(version: str) -> dict[str, ReleaseFile]:
    """File name -> what it holds, for ``version``."""
    return {f.filename(version): f for f in RELEASE_FILES}


# ---------------------------------------------------------------- counting


def _n(term: Any) -> int:
    return int(term.value) if term is not None else 0


def _iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


def _namespace(iri: str) -> str:
    """The vocabulary an IRI belongs to: the longest known namespace, else up to its last # or /."""
    known = [ns for ns in DESCRIPTION_PREFIXES.values() if iri.startswith(ns)]
    if known:
        return max(known, key=len)
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1] if cut > 0 else iri


def _key(iri: str) -> str:
    """A local-name-safe key for a class or property: ``kg-Meeting``, ``rdf-type``."""
    matches = [(p, ns) for p, ns in PREFIXES.items() if iri.startswith(ns) and len(iri) > len(ns)]
    if matches:
        prefix, ns = max(matches, key=lambda m: len(m[1]))
        local = iri[len(ns):]
        if re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*[A-Za-z0-9_-]|[A-Za-z0-9_]", local):
            return f"{prefix}-{local}"
    return "iri-" + hashlib.sha256(iri.encode("utf-8")).hexdigest()[:16]


def _graph_path(graph_iri: str) -> str:
    kgg = PREFIXES["kgg"]
    return graph_iri.removeprefix(kgg)


_SOURCE_PROPERTIES = (
    PREFIXES["dcterms"] + "title",
    PREFIXES["dcterms"] + "publisher",
    PREFIXES["kg"] + "publisherName",
    PREFIXES["dcterms"] + "issued",
    PREFIXES["dcterms"] + "hasVersion",
    PREFIXES["schema"] + "url",
)


@dataclass(frozen=True)
class Counts:
    """What the description counts, read from a store."""

    triples: int
    entities: int
    subjects: int
    objects: int
    properties: dict[str, tuple[int, int, int]]  # property -> (triples, distinct subjects, distinct objects)
    classes: dict[str, int]  # class -> distinct instances
    graphs: dict[str, tuple[int, int]]  # graph IRI -> (triples, entities)
    sources: dict[str, list[str]]  # graph IRI -> the source documents it describes
    source_facts: list[tuple[str, str, Any]]  # (source, property, value) from the current view
    examples: list[str]


def count(store: Any) -> Counts:
    """The counts of the description, by SPARQL on ``store`` (its default graph: the
    current view; and each named graph but the inferred one)."""
    space = URI_SPACE
    row = next(iter(store.query(
        "SELECT (COUNT(*) AS ?t) (COUNT(DISTINCT ?s) AS ?s_) (COUNT(DISTINCT ?o) AS ?o_) WHERE { ?s ?p ?o }"
    )))
    triples, subjects, objects = _n(row["t"]), _n(row["s_"]), _n(row["o_"])
    row = next(iter(store.query(
        f'SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{space}")) }}'
    )))
    entities = _n(row["n"])
    properties = {
        r["p"].value: (_n(r["t"]), _n(r["s_"]), _n(r["o_"]))
        for r in store.query(
            "SELECT ?p (COUNT(*) AS ?t) (COUNT(DISTINCT ?s) AS ?s_) (COUNT(DISTINCT ?o) AS ?o_) WHERE { ?s ?p ?o } GROUP BY ?p"
        )
    }
    classes = {
        r["c"].value: _n(r["n"])
        for r in store.query("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?c)) } GROUP BY ?c")
    }
    graphs: dict[str, tuple[int, int]] = {}
    for r in store.query("SELECT ?g (COUNT(*) AS ?t) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):
        if isinstance(r["g"], ox.NamedNode) and r["g"].value != INFERRED_GRAPH:
            graphs[r["g"].value] = (_n(r["t"]), 0)
    for r in store.query(
        f'SELECT ?g (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{space}")) }} }} GROUP BY ?g'
    ):
        if r["g"].value in graphs:
            graphs[r["g"].value] = (graphs[r["g"].value][0], _n(r["n"]))
    sources: dict[str, list[str]] = {g: [] for g in graphs}
    for r in store.query(f"SELECT DISTINCT ?g ?doc WHERE {{ GRAPH ?g {{ ?doc a <{PREFIXES['kg']}SourceDocument> }} FILTER(isIRI(?doc)) }}"):
        if r["g"].value in sources:
            sources[r["g"].value].append(r["doc"].value)
    for docs in sources.values():
        docs.sort()
    values = " ".join(f"<{p}>" for p in _SOURCE_PROPERTIES)
    source_facts = sorted(
        ((r["doc"].value, r["p"].value, r["o"]) for r in store.query(
            f"SELECT ?doc ?p ?o WHERE {{ VALUES ?p {{ {values} }} ?doc a <{PREFIXES['kg']}SourceDocument> ; ?p ?o FILTER(isIRI(?doc)) }}"
        )),
        key=lambda t: (t[0], t[1], str(t[2])),
    )
    wanted = " ".join(f"<{URI_SPACE}{e}>" for e in EXAMPLES)
    found = {r["e"].value for r in store.query(f"SELECT DISTINCT ?e WHERE {{ VALUES ?e {{ {wanted} }} ?e ?p ?o }}")}
    examples = [URI_SPACE + e for e in EXAMPLES if URI_SPACE + e in found]
    return Counts(triples, entities, subjects, objects, properties, classes, graphs, sources, source_facts, examples)


# ---------------------------------------------------------------- the description


def _check_version(version: str) -> str:
    from kg.publish.version import parse_version  # one definition of a valid version

    return parse_version(version).text


def _check_endpoint(endpoint: str) -> str:
    if not re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", endpoint):
        raise UsageError(f"the SPARQL endpoint {endpoint!r} is not an http(s) URL", hint="give the endpoint's full URL, e.g. https://example.org/sparql")
    return endpoint


def describe_dataset(
    graph: Graph,
    *,
    version: str | None = None,
    endpoint: str | None = None,
    issued: str | None = None,
    files: Mapping[str, bytes] | None = None,
    download_base: str = RELEASES,
) -> bytes:
    """The VoID + DCAT description of ``graph`` as canonical Turtle (UTF-8 bytes).

    ``version`` (``MAJOR.MINOR.PATCH[-rc.N]``) adds the version and one distribution per
    release file, downloadable at ``<download_base><version>/jckg-<version>.<ext>``;
    ``files`` (file name -> bytes, as a release writes them) adds each file's size and
    SHA-256. ``endpoint`` adds ``void:sparqlEndpoint``; ``issued`` (YYYY-MM-DD)
    ``dcterms:issued``: nothing else depends on when it runs.
    """
    store = graph.store().store
    return describe_store(store, version=version, endpoint=endpoint, issued=issued, files=files, download_base=download_base)


def describe_store(
    store: Any,
    *,
    version: str | None = None,
    endpoint: str | None = None,
    issued: str | None = None,
    files: Mapping[str, bytes] | None = None,
    download_base: str = RELEASES,
) -> bytes:
    """:func:`describe_dataset` for a store (pyoxigraph, or ``kg.store.remote``'s) whose default
    graph is the current view."""
    if version is not None:
        version = _check_version(version)
    if endpoint is not None:
        endpoint = _check_endpoint(endpoint)
    if issued is not None:
        from kg.history import parse_day

        issued = parse_day(issued, what="the issue date").isoformat()
    if files and version is None:
        raise UsageError("release files need the version they belong to", hint="pass version= with files=")
    c = count(store)
    P = DESCRIPTION_PREFIXES
    ds = _iri(DATASET)
    t: list[tuple[Any, Any, Any]] = []

    def add(s: Any, p: str, o: Any) -> None:
        t.append((s if isinstance(s, ox.NamedNode) else _iri(s), _iri(p), o))

    def integer(n: int) -> ox.Literal:
        return ox.Literal(str(n), datatype=_iri(P["xsd"] + "integer"))

    add(ds, P["rdf"] + "type", _iri(_DCAT + "Dataset"))
    add(ds, P["rdf"] + "type", _iri(_VOID + "Dataset"))
    add(ds, P["dcterms"] + "title", ox.Literal(TITLE, language="en"))
    add(ds, P["dcterms"] + "description", ox.Literal(DESCRIPTION, language="en"))
    add(ds, P["dcterms"] + "license", _iri(LICENSE))
    publisher = _iri(_D + "publisher")
    add(ds, P["dcterms"] + "publisher", publisher)
    add(publisher, P["rdf"] + "type", _iri(P["foaf"] + "Organization"))
    add(publisher, P["foaf"] + "name", ox.Literal(PUBLISHER_NAME))
    if version is not None:
        add(ds, _DCAT + "version", ox.Literal(version))
        add(ds, P["owl"] + "versionInfo", ox.Literal(version))
    if issued is not None:
        add(ds, P["dcterms"] + "issued", ox.Literal(issued, datatype=_iri(P["xsd"] + "date")))
    add(ds, _VOID + "uriSpace", ox.Literal(URI_SPACE))
    add(ds, _VOID + "triples", integer(c.triples))
    add(ds, _VOID + "entities", integer(c.entities))
    add(ds, _VOID + "classes", integer(len(c.classes)))
    add(ds, _VOID + "properties", integer(len(c.properties)))
    add(ds, _VOID + "distinctSubjects", integer(c.subjects))
    add(ds, _VOID + "distinctObjects", integer(c.objects))
    if endpoint is not None:
        add(ds, _VOID + "sparqlEndpoint", _iri(endpoint))
    for e in c.examples:
        add(ds, _VOID + "exampleResource", _iri(e))
    instance_spaces = {PREFIXES["kgi"], PREFIXES["kgc"], PREFIXES["kgg"]}
    for ns in sorted({_namespace(i) for i in (*c.properties, *c.classes)} - instance_spaces):
        add(ds, _VOID + "vocabulary", _iri(ns))

    for cls, n in sorted(c.classes.items()):
        part = _iri(_D + "class-" + _key(cls))
        add(ds, _VOID + "classPartition", part)
        add(part, P["rdf"] + "type", _iri(_VOID + "Dataset"))
        add(part, _VOID + "class", _iri(cls))
        add(part, _VOID + "entities", integer(n))
    for prop, (n, ns_, no) in sorted(c.properties.items()):
        part = _iri(_D + "property-" + _key(prop))
        add(ds, _VOID + "propertyPartition", part)
        add(part, P["rdf"] + "type", _iri(_VOID + "Dataset"))
        add(part, _VOID + "property", _iri(prop))
        add(part, _VOID + "triples", integer(n))
        add(part, _VOID + "distinctSubjects", integer(ns_))
        add(part, _VOID + "distinctObjects", integer(no))

    cited: set[str] = set()
    for g, (n, entities) in sorted(c.graphs.items()):
        sub = _iri(g)
        add(ds, _VOID + "subset", sub)
        add(sub, P["rdf"] + "type", _iri(_VOID + "Dataset"))
        add(sub, P["dcterms"] + "title", ox.Literal(_graph_path(g)))
        add(sub, P["dcterms"] + "identifier", ox.Literal(_graph_path(g) + ".ttl"))
        add(sub, _VOID + "triples", integer(n))
        add(sub, _VOID + "entities", integer(entities))
        for doc in c.sources[g]:
            add(sub, P["dcterms"] + "source", _iri(doc))
            cited.add(doc)
    for doc in sorted(cited):
        add(doc, P["rdf"] + "type", _iri(P["kg"] + "SourceDocument"))
    for doc, p, o in c.source_facts:
        if doc in cited:
            add(doc, p, o)

    if version is not None:
        by_name = release_files(version)
        unknown = sorted(set(files or ()) - set(by_name))
        if unknown:
            raise UsageError(f"not a release file: {', '.join(unknown)}", hint=f"the release files are {', '.join(by_name)}")
        base = download_base if download_base.endswith("/") else download_base + "/"
        for name, f in by_name.items():
            dist = _iri(f"{_D}distribution-{version}-{f.suffix}")
            url = _iri(f"{base}{quote(version)}/{quote(name)}")
            add(ds, _DCAT + "distribution", dist)
            add(ds, _VOID + "dataDump", url)
            add(dist, P["rdf"] + "type", _iri(_DCAT + "Distribution"))
            add(dist, P["dcterms"] + "title", ox.Literal(f"{f.title}, release {version}", language="en"))
            add(dist, P["dcterms"] + "description", ox.Literal(f.description, language="en"))
            add(dist, _DCAT + "downloadURL", url)
            add(dist, _DCAT + "mediaType", _iri(_IANA + f.media_type))
            add(dist, P["dcterms"] + "license", _iri(LICENSE))
            data = (files or {}).get(name)
            if data is not None:
                add(dist, _DCAT + "byteSize", integer(len(data)))
                checksum = _iri(f"{_D}checksum-{version}-{f.suffix}")
                add(dist, _SPDX + "checksum", checksum)
                add(checksum, P["rdf"] + "type", _iri(_SPDX + "Checksum"))
                add(checksum, _SPDX + "algorithm", _iri(_SPDX + "checksumAlgorithm_sha256"))
                add(checksum, _SPDX + "checksumValue", ox.Literal(hashlib.sha256(data).hexdigest(), datatype=_iri(P["xsd"] + "hexBinary")))
    return turtle(t, first=ds, header=_header(version))


def _header(version: str | None) -> str:
    what = f"release {version}" if version else "the graph as it is"
    return (
        f"# The dataset description (VoID, DCAT) of the jckg knowledge graph, {what}.\n"
        "# Written by kg.publish.dataset.describe_dataset from the graph itself; checked against kg/publish/dataset-shapes.ttl."
    )


# ---------------------------------------------------------------- canonical Turtle


def turtle(
    triples: Iterable[tuple[Any, Any, Any]], *, first: Any = None, header: str = "", prefixes: Mapping[str, str] = DESCRIPTION_PREFIXES
) -> bytes:
    """Canonical Turtle (``kg.rdf.turtle``, the writer of the data files) of pyoxigraph
    triples: ``first`` before the other subjects, titles and names right after the types."""
    from rdflib import URIRef

    from kg.rdf.convert import to_rdflib
    from kg.rdf.turtle import canonical_turtle

    leading = [URIRef(PREFIXES["dcterms"] + "title"), URIRef(PREFIXES["foaf"] + "name")]
    converted = [(to_rdflib(s), to_rdflib(p), to_rdflib(o)) for s, p, o in triples]
    return canonical_turtle(converted, header=header, prefixes=prefixes, first=to_rdflib(first) if first is not None else None, leading=leading)


# ---------------------------------------------------------------- checking


@functools.lru_cache(maxsize=1)
def _shapes() -> Any:
    from kg.shacl.shapes import Shapes

    return Shapes.from_file(_SHAPES)


def _show(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        from kg.rdf.turtle import turtle_iri

        return turtle_iri(term.value, DESCRIPTION_PREFIXES)
    return str(term)


def check_description(data: bytes) -> list[str]:
    """The violations of ``data`` (Turtle) against kg/publish/dataset-shapes.ttl, one line each
    (``focus path: message``), sorted; empty when the description is valid. Turtle that
    does not parse is one violation that says where."""
    from kg.shacl.shapes import validate_store

    store = ox.Store()
    try:
        store.load(data, format=ox.RdfFormat.TURTLE)
    except (SyntaxError, ValueError) as exc:
        return [f"the description does not parse as Turtle: {exc}"]
    found = validate_store(store, _shapes(), workers=1)
    lines = set()
    for r in found:
        where = _show(r.focus) + (f" {_show(r.path)}" if r.path is not None else "")
        value = f" (value {_show(r.value)})" if r.value is not None else ""
        message = min(r.messages) if r.messages else _show(r.component)
        lines.add(f"{where}: {message}{value}")
    return sorted(lines)
