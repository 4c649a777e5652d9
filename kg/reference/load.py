"""The bundled graph as an rdflib ``Dataset``: what the reference oracles (rdflib's SPARQL
engine, pySHACL, owlrl), the tests and the bench read. The tool itself reads the store.

One named graph per file; the default graph is the current view (the union minus what a
supersession record retires), as in the store.
"""

from __future__ import annotations

from rdflib import Dataset, Graph, Namespace, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import RDF

from kg.errors import InputError
from kg.layout import Layout, find_layout
from kg.namespaces import PREFIXES, bind_prefixes
from kg.rdf.parse import blank_nodes, parse_file


def load_dataset(layout: Layout | None = None, *, extra: list[tuple[URIRef, Graph]] | None = None) -> Dataset:
    """Every graph file of ``layout`` as one named graph of a new dataset.

    The default graph is the current view, as in the store: the union of the named graphs
    minus the statements a supersession record retires (``kg.history``), so queries need
    no GRAPH clause. ``extra`` adds already-parsed graphs (new facts under validation)
    under their names.
    """
    layout = layout or find_layout()
    ds = Dataset(default_union=False)
    bind_prefixes(ds)
    for path in layout.graph_files():
        graph = parse_file(path, max_bytes=None, into=ds.graph(layout.graph_name(path)))
        bnodes = blank_nodes(graph)
        if bnodes:
            raise InputError(
                f"{len(bnodes)} statement(s) use a blank node, e.g. {bnodes[0][0].n3()} {bnodes[0][1].n3()}",
                location=layout.relative(path),
                hint="give every node an IRI under https://w3id.org/jckg/id/",
            )
    for name, graph in extra or []:
        target = ds.graph(name)
        target.addN((s, p, o, target) for s, p, o in graph)
    fill_current_view(ds)
    return ds


def superseded(ds: Dataset) -> set[tuple]:
    """The statements the supersession records of ``ds``'s named graphs retire."""
    kg, rdf = Namespace(PREFIXES["kg"]), RDF
    found = set()
    for graph in ds.graphs():
        if graph.identifier == DATASET_DEFAULT_GRAPH_ID:
            continue
        for record in graph.subjects(rdf.type, kg.Supersession):
            s, p, o = graph.value(record, rdf.subject), graph.value(record, rdf.predicate), graph.value(record, rdf.object)
            if s is not None and isinstance(p, URIRef) and o is not None:
                found.add((s, p, o))
    return found


def fill_current_view(ds: Dataset) -> None:
    """(Re)make ``ds``'s default graph the union of its named graphs minus what is superseded."""
    default = ds.default_graph
    default.remove((None, None, None))
    retired = superseded(ds)
    for graph in ds.graphs():
        if graph.identifier != DATASET_DEFAULT_GRAPH_ID:
            default.addN((s, p, o, default) for s, p, o in graph if (s, p, o) not in retired)


def union_graph(ds: Dataset) -> Graph:
    """A plain graph holding the current view of ``ds``: its named graphs' triples minus
    what is superseded (for tools that do not read datasets)."""
    g = Graph()
    bind_prefixes(g)
    retired = superseded(ds)
    for graph in ds.graphs():
        if graph.identifier != DATASET_DEFAULT_GRAPH_ID:
            for t in graph:
                if t not in retired:
                    g.add(t)
    return g


def ontology_graph(layout: Layout, dataset: Dataset | None = None) -> Graph:
    """Ontology and vocabularies only (pyshacl's ont_graph): taken from ``dataset`` when
    it is already loaded, else parsed from the files."""
    g = Graph()
    for path in sorted(layout.ontology_dir.glob("*.ttl")):
        if path == layout.shapes_file:
            continue
        if dataset is not None:
            g += dataset.graph(layout.graph_name(path))
        else:
            g += parse_file(path, max_bytes=None)
    return g
