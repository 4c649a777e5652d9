"""Limits on every query: a runaway query is stopped with a clear error and a distinct exit
code, and the process that asked goes on answering."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import kg
from kg.errors import EXIT_LIMIT, LimitExceeded, QueryTimeout, ResultTooLarge

ROOT = Path(__file__).resolve().parents[1]
CHAIN = 2000  # (p|^p)* over it with both ends unbound: 4 million pairs


@pytest.fixture(scope="module")
def chained(tmp_path_factory: pytest.TempPathFactory) -> kg.Graph:
    """The bundled graph plus a long chain of kg:partOf links."""
    root = tmp_path_factory.mktemp("chain")
    for part in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / part, root / part)
    with (root / "data" / "zz-chain.ttl").open("w", encoding="utf-8") as fh:
        for i in range(CHAIN):
            fh.write(f"<https://w3id.org/jckg/id/link-{i}> <https://w3id.org/jckg/ontology#partOf> <https://w3id.org/jckg/id/link-{i + 1}> .\n")
            fh.write(f'<https://w3id.org/jckg/id/link-{i}> <http://www.w3.org/2000/01/rdf-schema#label> "{"a" * 60}!"@en .\n')
    return kg.open(root, cache=tmp_path_factory.mktemp("chain-cache"))


def _still_healthy(g: kg.Graph) -> None:
    assert g.sparql("ASK { kgi:state-tj kg:isoAlpha2 'TJ' }", timeout=30).boolean is True


@pytest.mark.parametrize(
    "query",
    [
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",  # cartesian product
        "SELECT (COUNT(*) AS ?n) WHERE { ?x (kg:partOf|^kg:partOf)* ?y . ?y (kg:partOf|^kg:partOf)* ?z }",
    ],
    ids=["cartesian-product", "path-both-ends-unbound"],
)
def test_a_runaway_query_is_stopped_on_time(chained: kg.Graph, query: str) -> None:
    start = time.monotonic()
    with pytest.raises(QueryTimeout) as info:
        chained.sparql(query, timeout=1.0)
    took = time.monotonic() - start
    assert took < 10, f"stopped only after {took:.1f} s"
    assert "time limit of 1 s" in str(info.value) and "--timeout" in str(info.value)
    _still_healthy(chained)


def test_a_long_path_with_both_ends_unbound_is_stopped_by_a_limit(chained: kg.Graph) -> None:
    """The engine computes such a path in full before it yields a first row, so the size
    limit cannot cut it short: the time limit does."""
    start = time.monotonic()
    with pytest.raises(LimitExceeded):
        chained.sparql("SELECT ?x ?y WHERE { ?x (kg:partOf|^kg:partOf)* ?y }", timeout=2, max_rows=10_000)
    assert time.monotonic() - start < 10
    _still_healthy(chained)


def test_the_size_limit_stops_a_streaming_result(chained: kg.Graph) -> None:
    with pytest.raises(ResultTooLarge) as info:
        chained.sparql("SELECT ?s ?o WHERE { ?s kg:partOf ?o }", timeout=30, max_rows=1_000)
    assert "more than its limit of 1,000 rows" in str(info.value) and "--max-rows" in str(info.value)
    assert len(chained.sparql("SELECT ?s ?o WHERE { ?s kg:partOf ?o }", max_rows=CHAIN).rows) == CHAIN


def test_a_catastrophic_regular_expression_runs_in_linear_time(chained: kg.Graph) -> None:
    """(a+)+$ against 'aaaa...!' backtracks exponentially in Python's re; the engine's
    regex is linear, so the query finishes well within its limit with the right answer."""
    result = chained.sparql(
        'SELECT (COUNT(*) AS ?n) WHERE { ?s rdfs:label ?l FILTER(REGEX(STR(?l), "^(a+)+$")) }', timeout=20
    )
    assert int(result.rows[0][0].value) == 0
    matched = chained.sparql('SELECT (COUNT(*) AS ?n) WHERE { ?s rdfs:label ?l FILTER(REGEX(STR(?l), "^(a+)+!$")) }', timeout=20)
    assert int(matched.rows[0][0].value) == CHAIN


def _children() -> set[int]:
    """This process's children, zombies included (servers other tests keep running too)."""
    found: set[int] = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        found.update(int(p) for p in (task / "children").read_text().split())
    return found


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux's /proc")
def test_many_timeouts_leave_no_process_behind(chained: kg.Graph) -> None:
    before = _children()
    for _ in range(5):
        with pytest.raises(QueryTimeout):
            chained.sparql("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", timeout=0.2)
    assert _children() <= before  # no worker left, not even a zombie
    _still_healthy(chained)


def test_a_construct_is_limited_too(chained: kg.Graph) -> None:
    with pytest.raises(ResultTooLarge) as info:
        chained.sparql("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", max_rows=100)
    assert "100 statements" in str(info.value)


def test_errors_inside_the_worker_come_back_intact(chained: kg.Graph) -> None:
    from kg.errors import QueryError

    with pytest.raises(QueryError):
        chained.sparql("SELECT * WHERE { ?s ?p ?o FILTER(", timeout=5)


def test_the_cli_exits_5_with_one_line(tmp_path: Path, chained: kg.Graph) -> None:
    env = {**os.environ, "KG_DATA": str(chained.layout.root), "KG_CACHE_DIR": str(chained.store().path.parent.parent)}
    run = subprocess.run(
        [sys.executable, "-m", "kg", "sparql", "--timeout", "1", "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"],
        env=env, capture_output=True, text=True, timeout=60,
    )
    assert run.returncode == EXIT_LIMIT
    assert run.stderr.strip().count("\n") == 0 and "time limit of 1 s" in run.stderr
    too_many = subprocess.run(
        [sys.executable, "-m", "kg", "sparql", "--max-rows", "5", "SELECT ?s WHERE { ?s ?p ?o }"],
        env=env, capture_output=True, text=True, timeout=60,
    )
    assert too_many.returncode == EXIT_LIMIT and "more than its limit of 5 rows" in too_many.stderr
    assert too_many.stdout == ""


def test_a_query_runs_when_the_process_holds_more_than_1024_files() -> None:
    """The worker's answer is waited for with poll(): select() refuses a descriptor
    numbered 1024 or more, which a long-lived process holding many files gets."""
    import resource

    from kg.sparql.limits import call

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1200:
        pytest.skip(f"this machine allows {hard} open files: a descriptor above 1024 cannot be had")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1200), hard))
    held = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    try:
        assert max(held) >= 1024
        assert call(_answer, timeout=5.0) == 42
    finally:
        for fd in held:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def _answer() -> int:
    return 42
