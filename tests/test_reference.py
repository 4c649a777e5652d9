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
    for name in ("reference-states.ttl", "reference-memberships.ttl", "reference-organisations.ttl", "reference-places.ttl"):
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
    [("tj", "tg", "Тоҷикистон"), ("tr", "tr", "Türkiye"), ("ir", "fa", "ایران"), ("kz", "kk", "Қазақстан")],
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


# ---------------------------------------------------------------- kg:memberOf, kg:unitOf, names


def test_memberof_and_memberships_agree_in_the_built_graph(bundled) -> None:
    """Every org:Membership has its kg:memberOf shortcut, and every shortcut its membership."""
    shortcut_without_membership = bundled.sparql(
        "SELECT ?s ?o WHERE { ?s kg:memberOf ?o FILTER NOT EXISTS { ?m org:member ?s ; org:organization ?o } }"
    ).rows
    membership_without_shortcut = bundled.sparql(
        "SELECT ?m WHERE { ?m a org:Membership ; org:member ?s ; org:organization ?o FILTER NOT EXISTS { ?s kg:memberOf ?o } }"
    ).rows
    assert shortcut_without_membership == [] and membership_without_shortcut == []
    assert len(bundled.sparql("SELECT DISTINCT ?s ?o WHERE { ?s kg:memberOf ?o }").rows) == 20


def test_memberof_comes_from_the_same_rows_as_the_memberships(reference: Graph) -> None:
    pairs = {(m_state, m_org) for m in reference.subjects(RDF.type, ORG.Membership)
             for m_state in [reference.value(m, ORG.member)] for m_org in [reference.value(m, ORG.organization)]}
    assert set(reference.subject_objects(KG.memberOf)) == pairs


def test_unodc_is_a_unit_of_the_un_with_a_source(reference: Graph) -> None:
    assert (KGI.unodc, KG.unitOf, KGI.un) in reference
    sources = set(reference.objects(KGI.unodc, PROV.wasDerivedFrom))
    assert KGI["src-wikipedia-unodc"] in sources
    assert (KGI["src-wikipedia-unodc"], RDF.type, KG.SourceDocument) in reference
    assert any("is a United Nations office" in str(q) for q in reference.objects(KGI.unodc, KG.quote))


def test_tashkent_has_the_cldr_russian_name(reference: Graph) -> None:
    import babel

    expected = babel.Locale.parse("ru").time_zones["Asia/Tashkent"]["city"]
    russian = [o for o in reference.objects(KGI.tashkent, RDFS.label) if o.language == "ru"]
    assert russian == [Literal(expected, lang="ru")]
    assert KGI["src-cldr-time-zones"] in set(reference.objects(KGI.tashkent, PROV.wasDerivedFrom))


def test_city_names_are_for_cities_of_the_graph(bundled) -> None:
    """The reference names attach to kg:City nodes whose English label is the zone's city."""
    with (ROOT / "reference" / "cities.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            ask = f'ASK {{ kgi:{row["city"]} a kg:City ; rdfs:label "{row["english"]}"@en }}'
            assert bundled.sparql(ask).boolean is True, row["city"]


def test_organisation_names_are_in_their_quoted_passages() -> None:
    with (ROOT / "reference" / "organisations.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    names = [r for r in rows if r["property"] in ("label", "altLabel")]
    assert names and all(r["value"] in r["quote"] and r["language"] for r in names)


@pytest.mark.parametrize(
    ("name", "entity"),
    [("Ташкент", "tashkent"), ("Шанхайская организация сотрудничества", "sco"), ("Организация экономического сотрудничества", "eco")],
)
def test_describe_finds_entities_by_their_russian_names(bundled, name: str, entity: str) -> None:
    assert bundled.resolve(name).value == str(KGI[entity])
    assert bundled.describe(name).entity.value == str(KGI[entity])
