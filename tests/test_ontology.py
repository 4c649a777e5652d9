"""The ontology: its header, its terms' documentation, and what OWL RL makes of it."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, VANN

ROOT = Path(__file__).resolve().parents[1]
KG = Namespace("https://w3id.org/jckg/ontology#")
KGI = Namespace("https://w3id.org/jckg/id/")
ONTOLOGY_IRI = URIRef("https://w3id.org/jckg/ontology")
ERRNS = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")


@pytest.fixture(scope="module")
def ontology() -> Graph:
    g = Graph()
    g.parse(ROOT / "ontology" / "kg.ttl", format="turtle")
    return g


@pytest.mark.parametrize(
    "prop",
    [
        DCTERMS.title,
        DCTERMS.description,
        OWL.versionIRI,
        OWL.versionInfo,
        DCTERMS.license,
        DCTERMS.creator,
        DCTERMS.created,
        DCTERMS.modified,
        VANN.preferredNamespacePrefix,
        VANN.preferredNamespaceUri,
    ],
    ids=lambda p: str(p).rsplit("/", 1)[-1],
)
def test_header_has(ontology: Graph, prop: URIRef) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(ONTOLOGY_IRI, prop) is not None, f"ontology header lacks {prop}"


def test_namespace_declared_in_header_matches_terms(ontology: Graph) -> None:
    assert str(ontology.value(ONTOLOGY_IRI, VANN.preferredNamespaceUri)) == str(KG)


def _terms(ontology: Graph) -> list[URIRef]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    return sorted(
        {s for k in kinds for s in ontology.subjects(RDF.type, k) if isinstance(s, URIRef)},
        key=str,
    )


def test_there_are_terms(ontology: Graph) -> None:
    assert len(_terms(ontology)) > 60


def test_every_term_has_english_label_and_definition(ontology: Graph) -> None:
    missing = []
    for term in _terms(ontology):
        labels = [o for o in ontology.objects(term, RDFS.label) if isinstance(o, Literal) and o.language == "en"]
        defs = [o for o in ontology.objects(term, SKOS.definition) if isinstance(o, Literal) and o.language == "en"]
        if len(labels) != 1 or len(defs) != 1 or (term, RDFS.isDefinedBy, ONTOLOGY_IRI) not in ontology:
            missing.append(str(term))
    assert missing == []


def test_terms_live_in_the_project_namespace_only(ontology: Graph) -> None:
    """Declaring terms in someone else's namespace is namespace hijacking (OOPS! P40)."""
    foreign = [str(t) for t in _terms(ontology) if not str(t).startswith(str(KG))]
    assert foreign == []


def test_every_kg_term_used_is_declared(ontology: Graph) -> None:
    """A misspelt kg: term in the ontology itself would silently define nothing."""
    declared = set(_terms(ontology))
    used = {
        t
        for triple in ontology
        for t in triple
        if isinstance(t, URIRef) and str(t).startswith(str(KG))
    }
    assert sorted(map(str, used - declared)) == []


def _closure(*graphs: Graph) -> Graph:
    import owlrl

    g = Graph()
    for src in graphs:
        for t in src:
            g.add(t)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, improved_datatypes=False).expand(g)
    return g


@pytest.fixture(scope="module")
def closure(ontology: Graph) -> Graph:
    data = Graph()
    for path in sorted((ROOT / "ontology").glob("*.ttl")) + sorted((ROOT / "data").glob("*.ttl")):
        if path.name != "shapes.ttl":
            data.parse(path, format="turtle")
    return _closure(data)


def test_owl_rl_closure_of_ontology_and_data_is_consistent(closure: Graph) -> None:
    errors = [str(o) for m in closure.subjects(RDF.type, ERRNS.ErrorMessage) for o in closure.objects(m, ERRNS.error)]
    assert errors == []
    assert list(closure.subjects(RDF.type, OWL.Nothing)) == []


@pytest.mark.parametrize(
    "triple",
    [
        # sub-class: a courtesy call is an event
        (KGI["eco-apg-meeting-5-courtesy-call"], RDF.type, KG.Event),
        # transitive part-of through a proposed centre inside RATS
        (KGI["sco-universal-centre"], KG.partOf, KGI["sco"]),
        # inverse of unit of
        (KGI["eco"], KG.hasUnit, KGI["eco-secretariat"]),
        # inverse of held by
        (KGI["asad-m-khan"], KG.holds, KGI["post-eco-secretary-general"]),
        # transitive located in: a venue in Dushanbe lies in Tajikistan
        (KGI["palace-of-the-nation"], KG.locatedIn, KGI["state-tj"]),
        # sub-property: a head of delegation represents the participant
        (KGI["eco-apg-meeting-4-delegation-eco"], KG.representedBy, KGI["jandos-asanov"]),
        # inverse of part of event
        (KGI["eco-apg-meeting-5"], KG.hasPart, KGI["eco-apg-meeting-5-cultural-programme"]),
    ],
    ids=["subclass", "transitive-partOf", "inverse-hasUnit", "inverse-holds", "transitive-locatedIn", "subproperty-head", "inverse-hasPart"],
)
def test_owl_rl_infers(closure: Graph, triple: tuple[URIRef, URIRef, URIRef]) -> None:
    assert triple in closure


@pytest.mark.parametrize(
    "triple",
    [
        # a proposed body must not become anything more than the data says
        (KGI["sco-counter-terrorism-centre"], KG.establishmentStatus, URIRef("https://w3id.org/jckg/concept/established")),
        # the participant range is not declared, so a state is never typed as a participation
        (KGI["state-az"], RDF.type, KG.Participation),
        # kg:postIn does not turn a state into an org:Organization
        (KGI["state-az"], RDF.type, URIRef("http://www.w3.org/ns/org#Organization")),
    ],
    ids=["proposed-stays-proposed", "no-range-mistyping", "state-not-org"],
)
def test_owl_rl_does_not_infer(closure: Graph, triple: tuple[URIRef, URIRef, URIRef]) -> None:
    assert triple not in closure
