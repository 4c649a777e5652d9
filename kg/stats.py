"""Counts that tell what the graph holds: statements, instances per class, per source.

Counted by the engine (GROUP BY over the store), so they cost the same at any size.
``current`` and ``per_class`` count the current view (the default graph, what every query
reads and what VoID's ``void:triples`` and class partitions count): each statement and
each instance once, however many files state it, and nothing a later source superseded.
``asserted`` and ``per_graph`` count what each file states, superseded statements included.
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.namespaces import INFERRED_GRAPH, PREFIXES, curie
from kg.store.backend import Reads


@dataclass(frozen=True)
class Stats:
    asserted: int
    inferred: int
    current: int
    per_graph: dict[str, int]
    per_class: dict[str, int]
    sources_per_graph: dict[str, int]


def compute(store: Reads) -> Stats:
    kgg, kg, org = PREFIXES["kgg"], PREFIXES["kg"], PREFIXES["org"]
    per_graph: dict[str, int] = {}
    inferred = 0
    for g, n in store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):
        if g.value == INFERRED_GRAPH:
            inferred = int(n.value)
            continue
        key = g.value[len(kgg):] if g.value.startswith(kgg) else g.value
        per_graph[key] = int(n.value)
    # the union holds the inferences too, none of which a file also states
    (total,) = next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))
    per_class: dict[str, int] = {}
    # an instance typed by several files (a city every meeting report names) is one instance.
    # The inferred types are left out only where there are any: Virtuoso answers no row at
    # all to a NOT EXISTS over a graph it does not hold
    asserted_only = f"FILTER NOT EXISTS {{ GRAPH <{INFERRED_GRAPH}> {{ ?s a ?c }} }} " if inferred else ""
    classes = store.query(
        f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a ?c "
        f"FILTER(isIRI(?c) && (STRSTARTS(STR(?c), \"{kg}\") || STRSTARTS(STR(?c), \"{org}\"))) "
        f"{asserted_only}}} GROUP BY ?c"
    )
    for c, n in classes:
        per_class[curie(c.value)] = int(n.value)
    sources: dict[str, int] = {}
    for g, n in store.query(
        f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s a <{kg}SourceDocument> }} }} GROUP BY ?g"
    ):
        key = g.value[len(kgg):] if g.value.startswith(kgg) else g.value
        sources[key] = int(n.value)
    return Stats(
        asserted=sum(per_graph.values()),
        inferred=inferred,
        current=int(total.value) - inferred,
        per_graph=dict(sorted(per_graph.items())),
        per_class=dict(sorted(per_class.items(), key=lambda kv: (-kv[1], kv[0]))),
        sources_per_graph={k: sources.get(k, 0) for k in sorted(per_graph)},
    )
