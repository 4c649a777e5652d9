"""Counts that tell what the graph holds: statements, instances per class, per source."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from rdflib import Dataset, URIRef
from rdflib.namespace import RDF

from kg.namespaces import INFERRED_GRAPH, KG, KGG


@dataclass(frozen=True)
class Stats:
    asserted: int
    inferred: int
    per_graph: dict[str, int]
    per_class: dict[str, int]
    sources_per_graph: dict[str, int]


def compute(ds: Dataset) -> Stats:
    per_graph: Counter[str] = Counter()
    per_class: Counter[str] = Counter()
    sources: Counter[str] = Counter()
    inferred = 0
    for s, p, o, g in ds.quads((None, None, None, None)):
        name = g.identifier if hasattr(g, "identifier") else g
        if name == INFERRED_GRAPH:
            inferred += 1
            continue
        key = str(name)[len(str(KGG)) :] if str(name).startswith(str(KGG)) else str(name)
        per_graph[key] += 1
        if p == RDF.type and isinstance(o, URIRef) and (str(o).startswith(str(KG)) or str(o).startswith("http://www.w3.org/ns/org#")):
            per_class[o.n3(ds.namespace_manager)] += 1
            if o == KG.SourceDocument:
                sources[key] += 1
    return Stats(
        asserted=sum(per_graph.values()),
        inferred=inferred,
        per_graph=dict(sorted(per_graph.items())),
        per_class=dict(sorted(per_class.items(), key=lambda kv: (-kv[1], kv[0]))),
        sources_per_graph={k: sources.get(k, 0) for k in sorted(per_graph)},
    )
