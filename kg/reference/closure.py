"""OWL RL (or RDFS) materialisation, with inferred triples kept apart from asserted ones.

The closure is computed over the union of the asserted graphs; what it adds goes into the
named graph ``kgg:inferred``, so exports can be asserted-only or with inferences and a
query can tell the two apart. owlrl is imported here only, when reasoning is asked for.
"""

from __future__ import annotations

from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg.errors import InputError, UsageError
from kg.namespaces import BASE, INFERRED_GRAPH
from kg.reference.load import fill_current_view, union_graph
from kg.store.local import INFERENCE_MODES

# owlrl reports inconsistencies as triples in this namespace
_ERRNS = "http://www.daml.org/2002/03/agents/agent-ont#"
_TRIVIAL_TYPES = {OWL.Thing, RDFS.Resource, OWL.NamedIndividual, RDFS.Class, OWL.Class}


def _keep(s: object, p: object, o: object) -> bool:
    """Inferences about the project's own resources; not the restated RDF/OWL axioms."""
    if not isinstance(s, URIRef) or not str(s).startswith(BASE):
        return False
    if p == OWL.sameAs and s == o:
        return False
    if p == RDF.type and o in _TRIVIAL_TYPES:
        return False
    return not str(p).startswith(_ERRNS)


def infer(dataset: Dataset, mode: str = "owlrl") -> Graph:
    """Return the triples ``mode`` adds to the dataset (not yet stored anywhere)."""
    if mode not in INFERENCE_MODES:
        raise UsageError(f"unknown inference {mode!r}", hint=f"use one of {', '.join(INFERENCE_MODES)}")
    inferred = Graph()
    if mode == "none":
        return inferred
    import owlrl

    asserted = union_graph(dataset)
    closure = Graph()
    closure += asserted
    semantics = owlrl.OWLRL_Semantics if mode == "owlrl" else owlrl.RDFS_Semantics
    # owlrl's "improved datatypes" rewrite rdflib's global literal conversions and do not
    # restore them (afterwards "2024"^^xsd:gYear compares differently in the shapes):
    # keep rdflib's own, and put the table back whatever happens.
    import rdflib.term

    saved = dict(rdflib.term._toPythonMapping)
    try:
        owlrl.DeductiveClosure(
            semantics, axiomatic_triples=False, datatype_axioms=False, improved_datatypes=False
        ).expand(closure)
    finally:
        rdflib.term._toPythonMapping.clear()
        rdflib.term._toPythonMapping.update(saved)
    errors = sorted(str(o) for m in closure.subjects(RDF.type, URIRef(_ERRNS + "ErrorMessage")) for o in closure.objects(m, URIRef(_ERRNS + "error")))
    if errors:
        raise InputError(f"the graph is inconsistent under OWL RL: {errors[0]}", hint=f"{len(errors)} problem(s); fix the data")
    for triple in closure:
        if triple not in asserted and _keep(*triple):
            inferred.add(triple)
    return inferred


def materialise(dataset: Dataset, mode: str = "owlrl") -> int:
    """Add the inferences of ``mode`` to ``dataset`` in ``kgg:inferred``; return how many."""
    target = dataset.graph(URIRef(INFERRED_GRAPH))
    target.remove((None, None, None))
    added = 0
    for triple in infer(dataset, mode):
        target.add(triple)
        added += 1
    fill_current_view(dataset)  # queries read the default graph: the inferences join it
    return added
