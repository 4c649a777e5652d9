"""Reference data is generated, reproducible, and every row keeps its own source."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import PROV, RDF, RDFS

ROOT = Path(__file__).resolve().parents[1]
KG = Namespace("https://w3id.org/jckg/ontology#")
KGI = Namespace("https://w3id.org/jckg/id/")
ORG = Namespace("http://www.w3.org/ns/org#")
SDO = Namespace("https://schema.org/")


@pytest.fixture(scope="module")
def reference() -> Graph:
    g = Graph()
    for name in ("reference-states.ttl", "reference-memberships.ttl"):
        g.parse(ROOT / "data" / name, format="turtle")
    return g


def test_generated_files_are_up_to_date() -> None:
    """Re-running the script changes no byte: the files are its output, not hand edits."""
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_reference.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr


def test_every_state_has_iso_codes_and_english_and_russian_names(reference: Graph) -> None:
    with (ROOT / "reference" / "states.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 15
    for row in rows:
        s = KGI[f"state-{row['alpha2'].lower()}"]
        assert (s, RDF.type, KG.State) in reference
        assert str(reference.value(s, KG.isoAlpha2)) == row["alpha2"]
        languages = {o.language for o in reference.objects(s, RDFS.label) if isinstance(o, Literal)}
        assert {"en", "ru"} <= languages, s


@pytest.mark.parametrize(
    ("state", "language", "name"),
    [("tj", "tg", "Тоҷикистон"), ("tr", "tr", "Türkiye"), ("ir", "fa", "ایران، جمهوری اسلامی"), ("kz", "kk", "Қазақстан")],
)
def test_official_language_labels_come_from_the_library(reference: Graph, state: str, language: str, name: str) -> None:
    assert Literal(name, lang=language) in set(reference.objects(KGI[f"state-{state}"], RDFS.label))


def test_numeric_codes_keep_leading_zeros(reference: Graph) -> None:
    assert str(reference.value(KGI["state-af"], KG.isoNumeric)) == "004"
    assert str(reference.value(KGI["state-az"], KG.isoNumeric)) == "031"


def test_wikidata_links_are_exactly_the_verified_ones(reference: Graph) -> None:
    with (ROOT / "reference" / "states.csv").open(encoding="utf-8") as fh:
        verified = {(KGI[f"state-{r['alpha2'].lower()}"], URIRef("http://www.wikidata.org/entity/" + r["wikidata"])) for r in csv.DictReader(fh)}
    assert set(reference.subject_objects(SDO.sameAs)) == verified


def test_memberships_cite_a_described_web_source(reference: Graph) -> None:
    memberships = set(reference.subjects(RDF.type, ORG.Membership))
    assert len(memberships) == 20  # 10 ECO + 10 SCO
    for m in memberships:
        sources = set(reference.objects(m, PROV.wasDerivedFrom))
        assert len(sources) == 1, m
        (src,) = sources
        assert (src, RDF.type, KG.SourceDocument) in reference
        assert isinstance(reference.value(src, SDO.url), URIRef)


def test_eco_and_sco_share_six_members(reference: Graph) -> None:
    def members(org: str) -> set:
        return {reference.value(m, ORG.member) for m in reference.subjects(ORG.organization, KGI[org])}

    both = {str(s).rsplit("-", 1)[1] for s in members("eco") & members("sco")}
    assert both == {"ir", "kz", "kg", "pk", "tj", "uz"}
