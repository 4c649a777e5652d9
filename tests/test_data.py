"""The bundled graph files: strict parsing, identifiers, name variants, provenance."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS

ROOT = Path(__file__).resolve().parents[1]
KG = Namespace("https://w3id.org/jckg/ontology#")
KGI = Namespace("https://w3id.org/jckg/id/")
FILES = sorted((ROOT / "ontology").glob("*.ttl")) + sorted((ROOT / "data").glob("*.ttl"))
DATA_FILES = sorted((ROOT / "data").glob("*.ttl"))


def _rel(p: Path) -> str:
    return str(p.relative_to(ROOT))


@pytest.fixture(scope="module")
def union() -> Graph:
    g = Graph()
    for path in FILES:
        if path.name != "shapes.ttl":
            g.parse(path, format="turtle")
    return g


@pytest.mark.parametrize("path", FILES, ids=_rel)
def test_oxigraph_accepts(path: Path) -> None:
    """A second, strict parser accepts every file (rdflib alone lets invalid Turtle through)."""
    quads = list(pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE))
    assert quads


@pytest.mark.parametrize("path", [p for p in FILES if p.name != "shapes.ttl"], ids=_rel)
def test_no_blank_nodes(path: Path) -> None:
    g = Graph().parse(path, format="turtle")
    assert [t for t in g if any(isinstance(x, BNode) for x in t)] == []


@pytest.mark.parametrize("path", DATA_FILES, ids=_rel)
def test_data_uses_only_project_ids(path: Path) -> None:
    """Instances are minted under kgi:, never elsewhere (external IRIs only as objects)."""
    g = Graph().parse(path, format="turtle")
    subjects = {s for s in g.subjects() if isinstance(s, URIRef)}
    assert sorted(str(s) for s in subjects if not str(s).startswith(str(KGI))) == []


def test_every_referenced_instance_is_described(union: Graph) -> None:
    """A kgi: IRI used as an object must be typed somewhere: no dangling links."""
    dangling = sorted(
        {
            str(o)
            for o in union.objects()
            if isinstance(o, URIRef) and str(o).startswith(str(KGI)) and (o, RDF.type, None) not in union
        }
    )
    assert dangling == []


def test_every_literal_is_well_typed(union: Graph) -> None:
    bad = [(str(s), str(p), str(o)) for s, p, o in union if isinstance(o, Literal) and o.ill_typed]
    assert bad == []


@pytest.mark.parametrize(
    ("variant", "entity"),
    [
        ("Kyrgyz Republic", "state-kg"),
        ("Kyrgyzstan", "state-kg"),
        ("Türkiye", "state-tr"),
        ("Russia", "state-ru"),  # CLDR short name; "Turkey" is in neither source nor library
        ("Iran", "state-ir"),
        ("Russian Federation", "state-ru"),
        ("RCCACO", "eco-rccaco"),
        ("RATS", "sco-rats"),
        ("UNODC", "unodc"),
        ("COP29", "unfccc-cop29"),
    ],
)
def test_name_variants_are_one_entity(union: Graph, variant: str, entity: str) -> None:
    holders = {
        s
        for p in (RDFS.label, SKOS.altLabel)
        for s, o in union.subject_objects(p)
        if isinstance(o, Literal) and str(o) == variant
    }
    assert holders == {KGI[entity]}


def test_two_dushanbe_declarations_are_two_entities(union: Graph) -> None:
    eco, sco = KGI["eco-2024-dushanbe-declaration"], KGI["sco-2021-dushanbe-declaration"]
    assert (eco, RDF.type, KG.Declaration) in union and (sco, RDF.type, KG.Declaration) in union
    assert union.value(eco, KG.instrumentOf) == KGI.eco
    assert union.value(sco, KG.instrumentOf) == KGI.sco


@pytest.mark.parametrize("path", DATA_FILES, ids=_rel)
def test_facts_cite_their_own_file_sources(path: Path) -> None:
    """Provenance points to a source described in the same file, so each file is one source."""
    g = Graph().parse(path, format="turtle")
    cited = set(g.objects(None, PROV.wasDerivedFrom))
    described = set(g.subjects(RDF.type, KG.SourceSection)) | set(g.subjects(RDF.type, KG.SourceDocument))
    assert cited, f"{_rel(path)} cites no source"
    assert sorted(map(str, cited - described)) == []


@pytest.mark.parametrize("path", DATA_FILES, ids=_rel)
def test_data_files_are_in_canonical_form(path: Path) -> None:
    """Re-writing an unchanged graph changes no byte, so diffs show only real changes."""
    import rdflib

    from kg.rdf.turtle import canonical_turtle, leading_comment

    text = path.read_text(encoding="utf-8")
    saved, rdflib.NORMALIZE_LITERALS = rdflib.NORMALIZE_LITERALS, False
    try:
        graph = Graph().parse(data=text, format="turtle")
    finally:
        rdflib.NORMALIZE_LITERALS = saved
    assert canonical_turtle(graph, header=leading_comment(text)).decode("utf-8") == text
