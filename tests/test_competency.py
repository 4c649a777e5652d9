"""Every stored query's example returns its reviewed answer (tests/expected/<name>.csv).

The expected files were written from the source documents, not copied from output. A
file may list only some of the projected columns; rows are compared as a multiset, IRIs
as prefixed names, unbound values as empty cells.
"""

from __future__ import annotations

import csv
import shlex
from collections import Counter
from pathlib import Path

import pytest
from rdflib import URIRef

from kg.engine import Engine
from kg.namespaces import PREFIXES
from kg.queries import QueryCatalog
from kg.reason import materialise
from kg.store import find_layout, load_dataset

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = ROOT / "tests" / "expected"
CATALOG = QueryCatalog(ROOT / "queries")
# Checked by other tests below: their answer is a count over the whole graph.
COUNTED = {"statements-per-source", "topic-counts", "source-documents"}


@pytest.fixture(scope="module")
def datasets() -> dict:
    layout = find_layout(ROOT)
    plain = load_dataset(layout)
    reasoned = load_dataset(layout)
    materialise(reasoned, "owlrl")
    return {"none": plain, "owlrl": reasoned}


def _cell(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            if str(term).startswith(ns):
                return f"{prefix}:{str(term)[len(ns):]}"
        return str(term)
    return str(term)


def _run_example(name: str, datasets: dict) -> tuple[list[str], list[dict[str, str]]]:
    q = CATALOG.get(name)
    argv = shlex.split(q.example)
    assert argv[:3] == ["kg", "query", name], q.example
    raw = {argv[i + 1]: argv[i + 2] for i, a in enumerate(argv) if a in ("-p", "--param")}
    result = Engine(datasets["owlrl" if q.inference != "none" else "none"]).query(q.text, bindings=q.bind(raw))
    columns = [str(v) for v in result.vars]
    rows = [{c: _cell(row.get(c)) for c in columns} for row in (r.asdict() for r in result)]
    return columns, rows


@pytest.mark.parametrize("name", sorted(set(CATALOG.names()) - COUNTED))
def test_example_returns_the_reviewed_answer(name: str, datasets: dict) -> None:
    path = EXPECTED / f"{name}.csv"
    assert path.exists(), f"no reviewed answer for {name}: write {path.relative_to(ROOT)} from the sources"
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header = list(reader.fieldnames or [])
        expected = Counter(tuple(row[c] for c in header) for row in reader)
    columns, rows = _run_example(name, datasets)
    assert set(header) <= set(columns), f"expected columns {header} not all in {columns}"
    actual = Counter(tuple(row[c] for c in header) for row in rows)
    assert actual == expected


def test_every_query_is_pinned() -> None:
    pinned = {p.stem for p in EXPECTED.glob("*.csv")}
    assert sorted(set(CATALOG.names()) - COUNTED - pinned) == []
    assert len(CATALOG.names()) >= 25


def test_statements_per_source_match_an_independent_count(datasets: dict) -> None:
    """Each file's triple count, from parsing it alone, equals the query's count."""
    from rdflib import Graph

    _, rows = _run_example("statements-per-source", datasets)
    counted = {row["graph"]: int(row["statements"]) for row in rows}
    layout = find_layout(ROOT)
    expected = {}
    for path in layout.graph_files():
        g = Graph().parse(path, format="turtle")
        expected[_cell(layout.graph_name(path))] = len(g)
    assert counted == expected


def test_topic_counts_pin_cybercrime_and_corruption(datasets: dict) -> None:
    _, rows = _run_example("topic-counts", datasets)
    counts = {row["topic"]: int(row["items"]) for row in rows}
    # counted by hand in the two sources: see docs/coverage.md
    assert counts["kgc:cybercrime"] == 7
    assert counts["kgc:corruption"] == 2


def test_source_documents_lists_every_described_source(datasets: dict) -> None:
    _, rows = _run_example("source-documents", datasets)
    found = {row[next(iter(row))] for row in rows}
    assert {"kgi:src-eco-2025", "kgi:src-agora-sco-2021", "kgi:src-pycountry-iso3166", "kgi:src-trend-iran-joins-sco"} <= found
    assert len(found) == 9


def test_inferred_query_needs_reasoning(datasets: dict) -> None:
    """bodies-of-organisation relies on the transitive part-of: without OWL RL it finds
    nothing nested, with it the proposed SCO centres appear."""
    q = CATALOG.get("bodies-of-organisation")
    assert q.inference == "owlrl"
    bindings = q.bind({"organisation": "kgi:sco"})
    without = Engine(datasets["none"]).query(q.text, bindings=bindings)
    with_ = Engine(datasets["owlrl"]).query(q.text, bindings=bindings)
    assert len(with_.bindings) > len(without.bindings)
