"""Terms between rdflib and pyoxigraph, lexical forms kept as written.

The store speaks pyoxigraph; rdflib is the reference oracles' and the serialisers' library.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

_XSD = "http://www.w3.org/2001/XMLSchema#"
Node = Any


def to_rdflib(term: Node) -> Any:
    """The rdflib term for a pyoxigraph term (lexical forms kept as they are)."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == _XSD + "string":
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def to_pyoxigraph(term: Any) -> Any:
    """The pyoxigraph term for an rdflib term (lexical forms kept as they are)."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    assert isinstance(term, Literal)
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype is not None:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


def to_rdflib_dataset(quads: Iterable[ox.Quad]) -> Any:
    """An rdflib ``Dataset`` (or ``Graph`` when every statement is in the default graph)."""
    import rdflib

    # keep lexical forms as written ("007" stays "007"), as kg.rdf.parse does for every rdflib graph
    rdflib.NORMALIZE_LITERALS = False

    items = list(quads)
    named = any(isinstance(getattr(q, "graph_name", None), (ox.NamedNode, ox.BlankNode)) for q in items)
    if not named:
        g = rdflib.Graph()
        g.addN((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object), g) for q in items)
        return g
    ds = rdflib.Dataset()
    graphs: dict[str, Any] = {}
    for q in items:
        name = q.graph_name
        key = str(name)
        if key not in graphs:
            graphs[key] = ds.graph(to_rdflib(name)) if isinstance(name, (ox.NamedNode, ox.BlankNode)) else ds.default_context
        graphs[key].add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return ds
