"""The project's namespaces: one source of prefixes for loading, queries and output."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.graph import Graph
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SH, SKOS, TIME, VANN, XSD

BASE = "https://w3id.org/jckg/"

KG = Namespace(BASE + "ontology#")
KGI = Namespace(BASE + "id/")
KGC = Namespace(BASE + "concept/")
KGG = Namespace(BASE + "graph/")

ORG = Namespace("http://www.w3.org/ns/org#")
SDO = Namespace("https://schema.org/")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
WD = Namespace("http://www.wikidata.org/entity/")

#: The graph that holds OWL RL inferences, kept apart from asserted statements.
INFERRED_GRAPH = KGG["inferred"]

PREFIXES: dict[str, str] = {
    "kg": str(KG),
    "kgi": str(KGI),
    "kgc": str(KGC),
    "kgg": str(KGG),
    "org": str(ORG),
    "schema": str(SDO),
    "eli": str(ELI),
    "dcterms": str(DCTERMS),
    "skos": str(SKOS),
    "prov": str(PROV),
    "time": str(TIME),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "sh": str(SH),
    "vann": str(VANN),
    "foaf": str(FOAF),
    "wd": str(WD),
}


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the project's prefixes on ``graph`` (replacing rdflib's defaults) and return it."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)
    return graph


def expand_curie(value: str) -> str | None:
    """Expand ``prefix:local`` with the project's prefixes; ``None`` if the prefix is unknown."""
    prefix, sep, local = value.partition(":")
    if not sep or prefix not in PREFIXES:
        return None
    return PREFIXES[prefix] + local


def curie(iri: str, prefixes: dict[str, str] = PREFIXES) -> str:
    """``iri`` as ``prefix:local`` with the longest matching namespace, else ``<iri>``."""
    matches = [(p, ns) for p, ns in prefixes.items() if ns and iri.startswith(ns)]
    if not matches:
        return f"<{iri}>"
    prefix, ns = max(matches, key=lambda m: len(m[1]))
    return f"{prefix}:{iri[len(ns):]}"
