"""The benchmarks' generated graphs (bench/generate.py) conform to the shapes.

Each generated graph is written into a graph directory beside copies of the real
ontology/ and data/ files and validated as ``kg validate`` does (``kg.open(dir).validate()``,
the project's own engine): no violation, and no warning about a generated node. A graph
that did not conform would have the benchmarks time the reporting of violations instead of
validation (bench/bench.py refuses such a graph; this catches it first). And the one
violation ``new_facts(..., violation=True)`` plants is found, alone.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from generate import describe, generate, graph_dir, new_facts, validate_dir  # noqa: E402

GENERATED = ("kgi:gen-", "kgi:src-gen-")  # every node the generator mints starts so
SLACK = 400  # generate() stops after the meeting that reaches n: at most one meeting's worth more


def _generated_node(focus: str) -> bool:
    return focus.startswith(GENERATED)


@pytest.mark.parametrize(("n", "seed"), [(2_000, 0), (20_000, 1)])
def test_generated_graph_conforms(tmp_path: Path, n: int, seed: int) -> None:
    import kg

    gen = generate(n, seed)
    graph = kg.open(graph_dir(tmp_path / "graph", gen), cache=False)
    report = graph.validate()
    assert report.violations == [], describe(report)
    assert [w.focus for w in report.warnings if _generated_node(w.focus)] == []
    # the store holds every generated statement, and about as many as asked for
    loaded = graph.stats().per_graph["data/zz-generated"]
    assert loaded == len(gen)
    assert n <= loaded <= n + SLACK


def test_generator_is_seeded() -> None:
    first, again, other = generate(2_000, 4), generate(2_000, 4), generate(2_000, 5)
    assert set(first) == set(again)
    assert set(first) != set(other)


def test_planted_violation_is_found_alone(tmp_path: Path) -> None:
    """Valid new facts and broken ones (another seed, other nodes) on a generated graph:
    the only violation is the broken meeting's end before its start."""
    root = graph_dir(tmp_path / "graph", generate(2_000, 2))
    new_facts(100, 11).serialize(root / "data" / "zz-new.ttl", format="nt", encoding="utf-8")
    broken = new_facts(100, 12, violation=True)
    broken.serialize(root / "data" / "zz-broken.ttl", format="nt", encoding="utf-8")
    report = validate_dir(root)
    found = [(r.focus, r.shape) for r in report.violations]
    assert found == [("kgi:gen-format-0-meeting-new-12", "kg:EventShape-endAfterStart")], describe(report)


def test_new_facts_size() -> None:
    for k in (100, 300):
        assert k <= len(new_facts(k, 1)) <= k + 20
