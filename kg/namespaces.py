"""The project's namespaces: one source of prefixes for loading, queries and output."""

from __future__ import annotations

import functools
from typing import Any

BASE = "https://w3id.org/jckg/"

# Plain strings, so the query path never imports rdflib (100 ms of every command);
# the rdflib Namespace objects (KG, KGI, ...) are made on first use, see __getattr__.
PREFIXES: dict[str, str] = {
    "kg": BASE + "ontology#",
    "kgi": BASE + "id/",
    "kgc": BASE + "concept/",
    "kgg": BASE + "graph/",
    "org": "http://www.w3.org/ns/org#",
    "schema": "https://schema.org/",
    "eli": "http://data.europa.eu/eli/ontology#",
    "dcterms": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "time": "http://www.w3.org/2006/time#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "sh": "http://www.w3.org/ns/shacl#",
    "vann": "http://purl.org/vocab/vann/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "wd": "http://www.wikidata.org/entity/",
}

#: The graph that holds OWL RL inferences, kept apart from asserted statements.
INFERRED_GRAPH = PREFIXES["kgg"] + "inferred"

_NAMESPACES = {"KG": "kg", "KGI": "kgi", "KGC": "kgc", "KGG": "kgg", "ORG": "org", "SDO": "schema", "ELI": "eli", "WD": "wd"}


def __getattr__(name: str) -> Any:
    if name in _NAMESPACES:
        from rdflib import Namespace

        value = Namespace(PREFIXES[_NAMESPACES[name]])
        globals()[name] = value
        return value
    raise AttributeError(f"module 'kg.namespaces' has no attribute {name!r}")


def bind_prefixes(graph: Any) -> Any:
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
    return _curie(iri) if prefixes is PREFIXES else _shorten(iri, prefixes)


# a page names each IRI several times (link, title, tooltip), and every page the classes
# and properties: the scan of the prefixes is done once per IRI
@functools.lru_cache(maxsize=1 << 16)
def _curie(iri: str) -> str:
    return _shorten(iri, PREFIXES)


def _shorten(iri: str, prefixes: dict[str, str]) -> str:
    matches = [(p, ns) for p, ns in prefixes.items() if ns and iri.startswith(ns)]
    if not matches:
        return f"<{iri}>"
    prefix, ns = max(matches, key=lambda m: len(m[1]))
    return f"{prefix}:{iri[len(ns):]}"
