"""The coverage table and the graph agree: every source section is mapped and used."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, Namespace
from rdflib.namespace import DCTERMS, PROV, RDF

ROOT = Path(__file__).resolve().parents[1]
KG = Namespace("https://w3id.org/jckg/ontology#")
KGI = Namespace("https://w3id.org/jckg/id/")
COVERAGE = (ROOT / "docs" / "coverage.md").read_text(encoding="utf-8")
SEED_SOURCES = ["src-eco-2025", "src-agora-sco-2021"]
# section headings of each source document, as the documents are laid out
EXPECTED_SECTIONS = {
    "src-eco-2025": 7,  # introduction, 4th, 5th, courtesy call, cultural programme, COP29, 6th
    "src-agora-sco-2021": 6,  # introduction, A-E
}


@pytest.fixture(scope="module")
def graph() -> Graph:
    g = Graph()
    for path in sorted((ROOT / "data").glob("*.ttl")):
        g.parse(path, format="turtle")
    return g


@pytest.mark.parametrize("doc", SEED_SOURCES)
def test_every_section_is_described_used_and_in_the_table(graph: Graph, doc: str) -> None:
    sections = sorted(graph.subjects(DCTERMS.isPartOf, KGI[doc]), key=str)
    assert len(sections) == EXPECTED_SECTIONS[doc]
    for section in sections:
        assert (section, RDF.type, KG.SourceSection) in graph
        facts = list(graph.subjects(PROV.wasDerivedFrom, section))
        assert len(facts) >= 2, f"{section} has no facts pointing to it"
        curie = "kgi:" + str(section)[len(str(KGI)) :]
        assert f"`{curie}`" in COVERAGE, f"{curie} has no heading in docs/coverage.md"


def test_every_identifier_named_in_the_table_exists(graph: Graph) -> None:
    named = set(re.findall(r"`(kgi:[a-z0-9-]+)`", COVERAGE))
    named |= set(re.findall(r"`(kgi:[a-z0-9-]+)[ `]", COVERAGE))
    # placeholders such as kgi:eco-apg-meeting-4-delegation-xx stand for a family
    named = {n for n in named if not n.endswith("-xx")}
    missing = sorted(n for n in named if (KGI[n[4:]], None, None) not in graph)
    assert named and missing == []


def test_the_sources_of_the_record_are_in_the_table() -> None:
    """docs/coverage.md's generated section lists every source of the region's record, as
    the files and the work record have them (scripts/source_coverage.py)."""
    import subprocess
    import sys

    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "source_coverage.py"), "--check"], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    rows = [line for line in COVERAGE.splitlines() if line.startswith("| `data/")]
    record = sorted(p.name for p in (ROOT / "data").glob("*.ttl")
                    if not p.name.startswith("reference-") and p.name not in
                    {"eco-judicial-cooperation-2025.ttl", "eco-2025-09-25-tashkent-meeting.ttl", "sco-dushanbe-declaration-2021.ttl"})
    assert len(rows) == len(record) >= 40
    assert all(f"`data/{name}`" in COVERAGE for name in record)
