"""The ``kg`` command line: every command on real examples, output that parses back,
atomic ``-o`` writes, and bad input that fails with the documented exit code, one line
on stderr, no traceback and no change to the graph files.

Most tests call ``kg.cli.main`` in-process (it returns the exit code); a few run
``python -m kg`` in a subprocess for end-to-end checks. Tests that need a modified graph
use a copy of ontology/, data/ and queries/ in a temporary directory.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF

import kg
from kg.cli import cli, main
from kg.errors import EXIT_INPUT, EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, QueryError
from kg.namespaces import PREFIXES

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "cli"
EXPECTED = ROOT / "tests" / "expected"
BUNDLED_QUERIES = sorted(p.stem for p in (ROOT / "queries").glob("*.rq"))
DOCUMENTED_FAILURES = {1, 2, 3, 4}

KG = PREFIXES["kg"]
KGI = PREFIXES["kgi"]
KGG = PREFIXES["kgg"]
SH = "http://www.w3.org/ns/shacl#"
SRX = "{http://www.w3.org/2005/sparql-results#}"
INFERRED = URIRef(KGG + "inferred")
ECO_GRAPH = URIRef(KGG + "data/eco-judicial-cooperation-2025")
SCO_GRAPH = URIRef(KGG + "data/sco-dushanbe-declaration-2021")
MEMBERS_COLUMNS = ["state", "stateLabel", "role", "since", "source"]
MEMBERS_ARGS = ["query", "members-on-date", "-p", "organisation", "kgi:sco", "-p", "date", "2023-01-01"]
STATES = "SELECT ?state ?code WHERE { ?state a kg:State ; kg:isoAlpha2 ?code } ORDER BY ?code"


# ---------------------------------------------------------------- running the command


@dataclass(frozen=True)
class Run:
    """What one CLI call did."""

    code: int
    out: str
    err: str


def kg_run(capsys: pytest.CaptureFixture[str], *args: str, data: Path = ROOT) -> Run:
    """Run ``kg --data DATA ARGS`` in-process and capture its output."""
    capsys.readouterr()  # drop anything printed before
    code = main(["--data", str(data), *args])
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


def kg_subprocess(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run ``python -m kg ARGS`` as a separate process."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("KG_DATA", None)
    return subprocess.run(
        [sys.executable, "-m", "kg", *args], input=stdin, capture_output=True, timeout=120, env=env, cwd=ROOT
    )


def assert_one_line_error(run: Run, code: int, *fragments: str) -> str:
    """The run failed with ``code``, printed one ``kg: error:`` line naming ``fragments``, no traceback."""
    assert run.code == code, run
    assert "Traceback" not in run.err
    lines = [line for line in run.err.splitlines() if line.strip()]
    assert len(lines) == 1, run.err
    assert lines[0].startswith("kg: error: "), run.err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Bytes and modification time of every file under ``root`` (new files show up too)."""
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def copy_graph(target: Path) -> Path:
    """Copy the graph directory (ontology, data, queries) into ``target``."""
    for part in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / part, target / part)
    return target


def quads_of(ds: Dataset) -> set[tuple[Any, Any, Any, Any]]:
    return {(s, p, o, g.identifier if isinstance(g, Graph) else g) for s, p, o, g in ds.quads((None, None, None, None))}


def curie(term: str) -> str:
    """Shorten an IRI with the project prefixes (as the expected CSV files write them)."""
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if term.startswith(ns):
            return f"{prefix}:{term[len(ns):]}"
    return term


@pytest.fixture(scope="module")
def asserted() -> dict[URIRef, set[tuple[Any, Any, Any]]]:
    """The graph files parsed with plain rdflib: graph name -> triples (the oracle for exports)."""
    graphs: dict[URIRef, set[tuple[Any, Any, Any]]] = {}
    files = [p for p in sorted((ROOT / "ontology").glob("*.ttl")) if p.name != "shapes.ttl"]
    for path in files + sorted((ROOT / "data").glob("*.ttl")):
        name = URIRef(KGG + path.relative_to(ROOT).with_suffix("").as_posix())
        graphs[name] = set(Graph().parse(path, format="turtle"))
    return graphs


@pytest.fixture(scope="module")
def union(asserted: dict[URIRef, set[tuple[Any, Any, Any]]]) -> set[tuple[Any, Any, Any]]:
    """The current view: every file's triples, minus the statements a supersession retires."""
    from rdflib.namespace import RDF

    everything = set().union(*asserted.values())
    records = {s for s, p, o in everything if p == RDF.type and o == URIRef("https://w3id.org/jckg/ontology#Supersession")}
    parts: dict[Any, dict[Any, Any]] = {r: {} for r in records}
    for s, p, o in everything:
        if s in parts and p in (RDF.subject, RDF.predicate, RDF.object):
            parts[s][p] = o
    retired = {(d[RDF.subject], d[RDF.predicate], d[RDF.object]) for d in parts.values()}
    assert retired, "the bundled graph has a superseded statement"
    return everything - retired


@pytest.fixture(scope="module")
def graph_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the graph plus a test query with a required string parameter."""
    root = copy_graph(tmp_path_factory.mktemp("graph"))
    shutil.copy(FIXTURES / "state-by-code.rq", root / "queries" / "state-by-code.rq")
    return root


@pytest.fixture
def unchanged(graph_copy: Path) -> Iterator[Path]:
    """The copied graph; the test fails if any file in it changed, appeared or vanished."""
    before = snapshot(graph_copy)
    yield graph_copy
    assert snapshot(graph_copy) == before, "a graph file changed"


@pytest.fixture
def broken_graph(tmp_path: Path) -> Path:
    """A copy of the graph whose data/ holds a file with a Turtle syntax error on line 4."""
    root = copy_graph(tmp_path / "broken")
    (root / "data" / "zz-broken.ttl").write_text(
        "@prefix kgi: <https://w3id.org/jckg/id/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "\n"
        'kgi:cli-test-x rdfs:label "unterminated .\n',
        encoding="utf-8",
    )
    return root


# ---------------------------------------------------------------- version and help


def test_version_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    """``--version`` prints the installed package version and exits 0."""
    assert main(["--version"]) == EXIT_OK
    out = capsys.readouterr().out
    assert out.strip() == f"kg, version {kg.__version__}"
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", kg.__version__)


def test_group_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    """``kg -h`` exits 0 and lists each command with the global options."""
    assert main(["-h"]) == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith("Usage: kg ")
    for name in cli.commands:
        assert re.search(rf"^\s+{re.escape(name)}\s", out, re.M), name
    for option in ("--data", "--quiet", "--debug", "--version"):
        assert option in out


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_command_help(capsys: pytest.CaptureFixture[str], command: str) -> None:
    """``kg COMMAND -h`` exits 0 and shows that command's usage and its example."""
    assert main([command, "-h"]) == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith(f"Usage: kg {command} ")
    assert "Example" in out
    assert "-h, --help" in out


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown command exits 2 with click's usage message and no traceback."""
    assert main(["nosuchcommand"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "No such command 'nosuchcommand'" in err
    assert "Traceback" not in err


# ---------------------------------------------------------------- queries


def test_queries_table_lists_every_stored_query(capsys: pytest.CaptureFixture[str]) -> None:
    """``kg queries`` lists each .rq file by name with its summary and its parameters."""
    run = kg_run(capsys, "queries")
    assert run.code == EXIT_OK
    names = re.findall(r"^([a-z0-9-]+)\s{2,}\S", run.out, re.M)
    assert names == BUNDLED_QUERIES
    # parameters with their types (required: no default), then the tags
    assert re.search(r"^\s+-p organisation IRI \(required\)  -p date DATE \(required\)  \[memberships, temporal\]$", run.out, re.M)
    assert f"{len(BUNDLED_QUERIES)} stored queries" in run.err


def test_queries_json(capsys: pytest.CaptureFixture[str]) -> None:
    """``kg queries -f json`` is a JSON list of every query with typed parameters."""
    run = kg_run(capsys, "queries", "-f", "json")
    assert run.code == EXIT_OK
    items = json.loads(run.out)
    assert [q["name"] for q in items] == BUNDLED_QUERIES
    by_name = {q["name"]: q for q in items}
    members = by_name["members-on-date"]
    assert members["form"] == "SELECT"
    assert members["params"]["date"]["type"] == "date"
    assert members["params"]["date"]["default"] is None and members["params"]["date"]["required"] is True
    assert members["params"]["date"]["example"] == "2023-01-01"
    assert list(members["returns"]) == MEMBERS_COLUMNS


def test_queries_tag_filters(capsys: pytest.CaptureFixture[str]) -> None:
    """``--tag`` keeps exactly the queries carrying the tag."""
    everything = json.loads(kg_run(capsys, "queries", "-f", "json").out)
    run = kg_run(capsys, "queries", "--tag", "memberships", "-f", "json")
    assert run.code == EXIT_OK
    tagged = [q["name"] for q in json.loads(run.out)]
    assert tagged == [q["name"] for q in everything if "memberships" in q["tags"]]
    assert "members-on-date" in tagged
    assert 0 < len(tagged) < len(everything)
    table = kg_run(capsys, "queries", "--tag", "memberships")
    assert re.findall(r"^([a-z0-9-]+)\s{2,}", table.out, re.M) == tagged


def test_queries_one_in_full(capsys: pytest.CaptureFixture[str]) -> None:
    """``kg queries NAME`` shows parameters with types and defaults, columns, example and file."""
    run = kg_run(capsys, "queries", "members-on-date")
    assert run.code == EXIT_OK
    assert run.out.startswith("members-on-date  [SELECT]  Member states of an organisation")
    assert "-p organisation IRI (required)" in run.out
    assert "-p date DATE (required)" in run.out
    assert "columns:\n  state: The state" in run.out
    assert "example:\n  kg query members-on-date -p organisation kgi:sco -p date 2023-01-01" in run.out
    assert "file: queries/members-on-date.rq" in run.out
    assert "tags: memberships, temporal" in run.out


def test_queries_one_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    """``kg queries NAME -f json`` is one object with the example command line."""
    run = kg_run(capsys, "queries", "delegations-at-meeting", "-f", "json")
    assert run.code == EXIT_OK
    body = json.loads(run.out)
    assert body["name"] == "delegations-at-meeting"
    assert body["example"].startswith("kg query delegations-at-meeting")
    assert body["params"]["event"]["type"] == "iri"


# ---------------------------------------------------------------- query


def _expected_members() -> tuple[list[str], Counter[tuple[str, ...]]]:
    """Header and rows (as a multiset) of tests/expected/members-on-date.csv."""
    with (EXPECTED / "members-on-date.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], Counter(tuple(row) for row in rows[1:])


def test_query_members_on_date_matches_expected_csv(capsys: pytest.CaptureFixture[str]) -> None:
    """The stored query with typed ``-p`` values gives the 8 rows of tests/expected/members-on-date.csv."""
    run = kg_run(capsys, *MEMBERS_ARGS, "-f", "csv")
    assert run.code == EXIT_OK
    rows = list(csv.DictReader(io.StringIO(run.out, newline="")))
    header, expected = _expected_members()
    got = Counter(tuple(curie(row[col]) for col in header) for row in rows)
    assert len(rows) == 8
    assert got == expected
    assert "8 row(s)" in run.err


def test_query_params_change_the_answer(capsys: pytest.CaptureFixture[str]) -> None:
    """A date before India and Pakistan joined gives the six founders only."""
    run = kg_run(capsys, "query", "members-on-date", "-p", "organisation", "kgi:sco", "-p", "date", "2010-01-01", "-f", "csv")
    assert run.code == EXIT_OK
    rows = list(csv.DictReader(io.StringIO(run.out, newline="")))
    assert len(rows) == 6
    assert {curie(r["role"]) for r in rows} == {"kgc:founding-member"}


def test_query_format_table(capsys: pytest.CaptureFixture[str]) -> None:
    """``-f table`` has the projected columns, CURIEs and a row count."""
    run = kg_run(capsys, *MEMBERS_ARGS, "-f", "table")
    assert run.code == EXIT_OK
    lines = run.out.splitlines()
    assert [c.strip() for c in lines[0].split("|")] == MEMBERS_COLUMNS
    assert set(lines[1]) <= {"-", "+"}
    assert lines[-1] == "(8 rows)"
    assert any(line.startswith("kgi:state-tj ") and "Tajikistan" in line for line in lines)


def test_query_format_csv(capsys: pytest.CaptureFixture[str]) -> None:
    """``-f csv`` is SPARQL CSV: the header row, CRLF line ends, full IRIs."""
    run = kg_run(capsys, *MEMBERS_ARGS, "-f", "csv")
    rows = list(csv.reader(io.StringIO(run.out, newline="")))
    assert rows[0] == MEMBERS_COLUMNS
    assert len(rows) == 9
    assert run.out.count("\r\n") == 9
    assert KGI + "state-tj" in {r[0] for r in rows[1:]}


def test_query_format_tsv(capsys: pytest.CaptureFixture[str]) -> None:
    """``-f tsv`` is SPARQL TSV: ``?var`` header, terms in N-Triples syntax."""
    run = kg_run(capsys, *MEMBERS_ARGS, "-f", "tsv")
    lines = run.out.rstrip("\n").split("\n")
    assert lines[0].split("\t") == [f"?{c}" for c in MEMBERS_COLUMNS]
    assert len(lines) == 9
    tj = next(line.split("\t") for line in lines if f"<{KGI}state-tj>" in line)
    assert tj[1] == '"Tajikistan"@en'
    assert tj[3] == '"2001-06-15"^^<http://www.w3.org/2001/XMLSchema#date>'


def test_query_format_json(capsys: pytest.CaptureFixture[str]) -> None:
    """``-f json`` is SPARQL 1.1 Query Results JSON."""
    run = kg_run(capsys, *MEMBERS_ARGS, "-f", "json")
    body = json.loads(run.out)
    assert body["head"]["vars"] == MEMBERS_COLUMNS
    bindings = body["results"]["bindings"]
    assert len(bindings) == 8
    assert all(b["state"]["type"] == "uri" for b in bindings)
    tj = next(b for b in bindings if b["state"]["value"] == KGI + "state-tj")
    assert tj["stateLabel"] == {"type": "literal", "value": "Tajikistan", "xml:lang": "en"}


def test_query_format_xml(capsys: pytest.CaptureFixture[str]) -> None:
    """``-f xml`` is SPARQL Query Results XML in its namespace."""
    run = kg_run(capsys, *MEMBERS_ARGS, "-f", "xml")
    root = ET.fromstring(run.out.encode("utf-8"))
    assert root.tag == f"{SRX}sparql"
    assert [v.get("name") for v in root.iter(f"{SRX}variable")] == MEMBERS_COLUMNS
    results = root.findall(f"{SRX}results/{SRX}result")
    assert len(results) == 8
    states = {b.find(f"{SRX}uri").text for r in results for b in r if b.get("name") == "state"}  # type: ignore[union-attr]
    assert KGI + "state-pk" in states


def test_query_format_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    """``-f markdown`` is a pipe table with a separator row and one row per result."""
    run = kg_run(capsys, *MEMBERS_ARGS, "-f", "markdown")
    lines = run.out.rstrip("\n").split("\n")
    assert lines[0] == "| " + " | ".join(MEMBERS_COLUMNS) + " |"
    assert re.fullmatch(r"\|( --- \|){5}", lines[1])
    assert len(lines) == 10
    assert any(line.startswith("| kgi:state-in | India |") for line in lines)


def test_query_output_file_format_from_suffix(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """``-o result.json`` writes SPARQL JSON (format from the suffix) and nothing to stdout."""
    target = tmp_path / "result.json"
    run = kg_run(capsys, *MEMBERS_ARGS, "-o", str(target))
    assert run.code == EXIT_OK
    assert run.out == ""
    assert len(json.loads(target.read_text(encoding="utf-8"))["results"]["bindings"]) == 8


def test_query_default_format_is_csv_when_not_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    """Without ``-f`` and with stdout not a terminal, results are CSV."""
    run = kg_run(capsys, *MEMBERS_ARGS)
    assert run.out.split("\r\n")[0] == ",".join(MEMBERS_COLUMNS)


# ---------------------------------------------------------------- sparql


def _codes(csv_text: str) -> list[str]:
    return [row["code"] for row in csv.DictReader(io.StringIO(csv_text, newline=""))]


def test_sparql_from_argument(capsys: pytest.CaptureFixture[str], union: set[tuple[Any, Any, Any]]) -> None:
    """A SELECT given as the argument, with predeclared prefixes, returns every state."""
    run = kg_run(capsys, "sparql", STATES, "-f", "csv")
    assert run.code == EXIT_OK
    expected = sorted(str(o) for s, p, o in union if p == URIRef(KG + "isoAlpha2") and (s, RDF.type, URIRef(KG + "State")) in union)
    assert _codes(run.out) == expected
    assert "TJ" in expected


def test_sparql_from_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """``--file`` reads the query from a file."""
    query = tmp_path / "states.rq"
    query.write_text(STATES + "\n", encoding="utf-8")
    from_file = kg_run(capsys, "sparql", "--file", str(query), "-f", "csv")
    from_arg = kg_run(capsys, "sparql", STATES, "-f", "csv")
    assert from_file.code == EXIT_OK
    assert from_file.out == from_arg.out


def test_sparql_from_stdin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """``sparql -`` reads the query from standard input."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(STATES.encode("utf-8")), encoding="utf-8"))
    run = kg_run(capsys, "sparql", "-", "-f", "csv")
    assert run.code == EXIT_OK
    assert "TJ" in _codes(run.out)


def test_sparql_argument_and_file_together_is_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Giving both a query argument and ``--file`` exits 2."""
    query = tmp_path / "q.rq"
    query.write_text(STATES, encoding="utf-8")
    assert_one_line_error(kg_run(capsys, "sparql", STATES, "--file", str(query)), EXIT_USAGE, "not both")


@pytest.mark.parametrize(("code", "answer"), [("TJ", True), ("XX", False)])
def test_sparql_ask(capsys: pytest.CaptureFixture[str], code: str, answer: bool) -> None:
    """ASK answers true or false, in SPARQL JSON and in CSV."""
    query = f'ASK {{ kgi:state-tj kg:isoAlpha2 "{code}" }}'
    as_json = kg_run(capsys, "sparql", query, "-f", "json")
    assert as_json.code == EXIT_OK
    assert json.loads(as_json.out) == {"head": {}, "boolean": answer}
    as_csv = kg_run(capsys, "sparql", query, "-f", "csv")
    assert as_csv.out.split() == ["ask", "true" if answer else "false"]


CONSTRUCT = "CONSTRUCT { ?s a kg:State ; kg:isoAlpha2 ?c } WHERE { ?s a kg:State ; kg:isoAlpha2 ?c }"


@pytest.mark.parametrize(("fmt", "rdflib_format"), [("turtle", "turtle"), ("nt", "nt"), ("json-ld", "json-ld")])
def test_sparql_construct_parses_back(
    capsys: pytest.CaptureFixture[str], union: set[tuple[Any, Any, Any]], fmt: str, rdflib_format: str
) -> None:
    """CONSTRUCT output in turtle, nt and json-ld parses back to exactly the constructed triples."""
    run = kg_run(capsys, "sparql", CONSTRUCT, "-f", fmt)
    assert run.code == EXIT_OK
    got = set(Graph().parse(data=run.out, format=rdflib_format))
    states = {s for s, p, o in union if p == RDF.type and o == URIRef(KG + "State")}
    expected = {(s, p, o) for s, p, o in union if s in states and p == URIRef(KG + "isoAlpha2")}
    expected |= {(s, RDF.type, URIRef(KG + "State")) for s, _, _ in expected}
    assert got == expected
    assert len(got) > 20


def test_sparql_construct_default_is_turtle(capsys: pytest.CaptureFixture[str]) -> None:
    """Without ``-f`` a CONSTRUCT result is Turtle with the project prefixes."""
    run = kg_run(capsys, "sparql", CONSTRUCT)
    assert "PREFIX kgi: <https://w3id.org/jckg/id/>" in run.out
    assert len(Graph().parse(data=run.out, format="turtle")) > 20


def test_sparql_describe(capsys: pytest.CaptureFixture[str]) -> None:
    """DESCRIBE returns a graph about the resource."""
    run = kg_run(capsys, "sparql", "DESCRIBE kgi:state-tj", "-f", "nt")
    assert run.code == EXIT_OK
    g = Graph().parse(data=run.out, format="nt")
    tj = URIRef(KGI + "state-tj")
    assert (tj, URIRef(KG + "isoAlpha2"), Literal("TJ")) in g
    assert (tj, RDF.type, URIRef(KG + "State")) in g


def test_sparql_graph_format_for_table_result_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """A CONSTRUCT asked for as CSV exits 2 naming the formats that fit."""
    assert_one_line_error(kg_run(capsys, "sparql", CONSTRUCT, "-f", "csv"), EXIT_USAGE, "'csv'", "turtle")


# ---------------------------------------------------------------- validate


def test_validate_bundled_graph_passes(capsys: pytest.CaptureFixture[str]) -> None:
    """``kg validate`` on the bundled graph exits 0: no violation; its warnings mean it does
    not conform in SHACL's terms, and it says so."""
    run = kg_run(capsys, "validate")
    assert run.code == EXIT_OK, run.out
    assert re.search(r"^The graph passes: 0 violation\(s\), [1-9]\d* warning\(s\) \(in SHACL's terms it does not conform, because of the warnings\)\.$", run.out, re.M)
    assert "[VIOLATION]" not in run.out


def test_validate_json(capsys: pytest.CaptureFixture[str]) -> None:
    """``kg validate -f json``: passes, no violation among its results, and conforms false
    as SHACL defines it, because there are warnings."""
    run = kg_run(capsys, "validate", "-f", "json")
    assert run.code == EXIT_OK
    body = json.loads(run.out)
    assert body["passes"] is True
    assert body["conforms"] is False and body["warnings"] > 0
    assert body["violations"] == 0
    assert body["warnings"] == len(body["results"])
    assert all(r["severity"] != "Violation" for r in body["results"])


def test_validate_file_with_violation_names_the_rule(capsys: pytest.CaptureFixture[str]) -> None:
    """A meeting ending before it starts exits 1 and the report names the focus node and the rule."""
    run = kg_run(capsys, "validate", str(FIXTURES / "meeting-ends-before-start.ttl"))
    assert run.code == EXIT_PROBLEMS
    assert "kgi:cli-test-meeting-ends-before-start" in run.out
    assert "rule: kg:EventShape-endAfterStart" in run.out
    assert "does NOT conform: 1 violation(s)" in run.out
    assert "Traceback" not in run.err


def test_validate_turtle_report_graph(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """``-f turtle -o FILE`` writes a SHACL validation report graph that names the violation."""
    target = tmp_path / "report.ttl"
    run = kg_run(capsys, "validate", str(FIXTURES / "meeting-ends-before-start.ttl"), "-f", "turtle", "-o", str(target))
    assert run.code == EXIT_PROBLEMS
    g = Graph().parse(target, format="turtle")
    reports = list(g.subjects(RDF.type, URIRef(SH + "ValidationReport")))
    assert len(reports) == 1
    assert g.value(reports[0], URIRef(SH + "conforms")) == Literal(False)
    violations = [r for r in g.objects(reports[0], URIRef(SH + "result")) if g.value(r, URIRef(SH + "resultSeverity")) == URIRef(SH + "Violation")]
    assert len(violations) == 1
    assert g.value(violations[0], URIRef(SH + "focusNode")) == URIRef(KGI + "cli-test-meeting-ends-before-start")
    assert g.value(violations[0], URIRef(SH + "sourceShape")) == URIRef(KG + "EventShape-endAfterStart")


# ---------------------------------------------------------------- export and reason

EXPORT_FORMATS = [("turtle", "ttl", "turtle"), ("nt", "nt", "nt"), ("nq", "nq", "nquads"), ("trig", "trig", "trig"), ("json-ld", "jsonld", "json-ld"), ("xml", "rdf", "xml")]


@pytest.mark.parametrize(("fmt", "suffix", "rdflib_format"), EXPORT_FORMATS)
def test_export_each_format_parses_back(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    asserted: dict[URIRef, set[tuple[Any, Any, Any]]],
    union: set[tuple[Any, Any, Any]],
    fmt: str,
    suffix: str,
    rdflib_format: str,
) -> None:
    """``export -f FMT -o FILE`` reads back to the asserted graph; nq, trig, json-ld keep one graph per file."""
    target = tmp_path / f"graph.{suffix}"
    run = kg_run(capsys, "export", "-f", fmt, "-o", str(target))
    assert run.code == EXIT_OK
    assert run.out == ""
    ds = Dataset()
    ds.parse(target, format=rdflib_format)
    got = quads_of(ds)
    if fmt in ("nq", "trig", "json-ld"):
        expected = {(s, p, o, g) for g, triples in asserted.items() for s, p, o in triples}
        assert got == expected  # every file's word, the superseded statement included
        assert {ECO_GRAPH, SCO_GRAPH} <= {q[3] for q in got}
    else:
        assert {(s, p, o) for s, p, o, _ in got} == union  # the current view
    if fmt == "json-ld":
        context = json.loads(target.read_text(encoding="utf-8"))["@context"]
        for prefix in ("kg", "kgi", "kgc", "kgg", "skos", "prov", "schema"):
            assert context[prefix] == PREFIXES[prefix]


def test_export_format_from_suffix(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Without ``-f`` the suffix of ``-o`` picks the format (.trig -> TriG)."""
    target = tmp_path / "graph.trig"
    assert kg_run(capsys, "export", "-o", str(target)).code == EXIT_OK
    text = target.read_text(encoding="utf-8")
    assert f"<{ECO_GRAPH}>" in text or "kgg:data/eco-judicial-cooperation-2025" in text
    ds = Dataset()
    ds.parse(data=text, format="trig")
    assert ECO_GRAPH in {q[3] for q in quads_of(ds)}


def test_export_with_owlrl_inference(capsys: pytest.CaptureFixture[str], tmp_path: Path, union: set[tuple[Any, Any, Any]]) -> None:
    """``export --inference owlrl`` adds triples in the graph kgg:inferred, and none are asserted ones."""
    target = tmp_path / "all.nq"
    run = kg_run(capsys, "export", "--inference", "owlrl", "-o", str(target))
    assert run.code == EXIT_OK
    ds = Dataset()
    ds.parse(target, format="nquads")
    quads = quads_of(ds)
    inferred = {(s, p, o) for s, p, o, g in quads if g == INFERRED}
    assert inferred
    assert len(quads) > sum(1 for _ in union)
    assert not inferred & union
    assert re.search(rf"^{len(inferred)} triples inferred \(owlrl\)$", run.err, re.M)


def test_export_inferred_only(capsys: pytest.CaptureFixture[str], tmp_path: Path, union: set[tuple[Any, Any, Any]]) -> None:
    """``export --inferred-only`` writes the inferred graph alone."""
    target = tmp_path / "inferred.nq"
    assert kg_run(capsys, "export", "--inferred-only", "-o", str(target)).code == EXIT_OK
    ds = Dataset()
    ds.parse(target, format="nquads")
    quads = quads_of(ds)
    assert quads
    assert {q[3] for q in quads} == {INFERRED}
    assert not {(s, p, o) for s, p, o, _ in quads} & union


def test_reason_writes_inferred_triples_to_file(capsys: pytest.CaptureFixture[str], tmp_path: Path, union: set[tuple[Any, Any, Any]]) -> None:
    """``reason -o inferred.ttl`` writes Turtle holding only new triples about the project's resources."""
    target = tmp_path / "inferred.ttl"
    run = kg_run(capsys, "reason", "-o", str(target))
    assert run.code == EXIT_OK
    g = Graph().parse(target, format="turtle")
    assert len(g) > 0
    assert not set(g) & union
    assert all(str(s).startswith("https://w3id.org/jckg/") for s in g.subjects())
    assert f"{len(g)} triples inferred (owlrl)" in run.err


# ---------------------------------------------------------------- describe


@pytest.mark.parametrize(
    ("term", "entity", "label"),
    [
        ("kgi:state-tj", "state-tj", "Tajikistan"),
        (KGI + "state-tj", "state-tj", "Tajikistan"),
        (f"<{KGI}state-tj>", "state-tj", "Tajikistan"),
        ("turkiye", "state-tr", "Türkiye"),
        ("TÜRKİYE", "state-tr", "Türkiye"),
        ("Таджикистан", "state-tj", "Tajikistan"),
        ("таджикистан", "state-tj", "Tajikistan"),
    ],
)
def test_describe_finds_entity(capsys: pytest.CaptureFixture[str], term: str, entity: str, label: str) -> None:
    """``describe`` resolves a CURIE, a full IRI, and a label in any case, accents or language."""
    run = kg_run(capsys, "describe", term)
    assert run.code == EXIT_OK, run.err
    first = run.out.splitlines()[0]
    assert first == f"kgi:{entity}  {label}"
    assert "  a kg:State" in run.out
    assert "kg:isoAlpha2" in run.out


def test_describe_json(capsys: pytest.CaptureFixture[str]) -> None:
    """``describe -f json`` gives the entity, its types and statements with their graphs."""
    run = kg_run(capsys, "describe", "kgi:state-tj", "-f", "json")
    body = json.loads(run.out)
    assert body["entity"] == KGI + "state-tj"
    assert KG + "State" in body["types"]
    iso = [s for s in body["outgoing"] if s["predicate"] == KG + "isoAlpha2"]
    assert iso and iso[0]["object"] == '"TJ"'
    assert body["incoming"]


def test_describe_turtle(capsys: pytest.CaptureFixture[str]) -> None:
    """``describe -f turtle`` parses back and holds the entity's outgoing statements."""
    run = kg_run(capsys, "describe", "kgi:state-tj", "-f", "turtle")
    g = Graph().parse(data=run.out, format="turtle")
    assert (URIRef(KGI + "state-tj"), URIRef(KG + "isoAlpha2"), Literal("TJ")) in g
    assert set(g.subjects()) == {URIRef(KGI + "state-tj")}


def test_describe_ambiguous_label_lists_candidates(capsys: pytest.CaptureFixture[str]) -> None:
    """A label matching several entities exits 2 and lists candidate IRIs."""
    line = assert_one_line_error(kg_run(capsys, "describe", "Attorneys"), EXIT_USAGE, "matches", "entities")
    candidates = re.findall(r"(kgi:[\w-]+) \(([^()]*)\)", line)
    assert len(candidates) >= 2 and any(iri.startswith("kgi:eco-apg-meeting-") for iri, _ in candidates), line
    # a name that starts with what was typed comes before names that only contain it
    starts = [name.startswith("Attorneys") for _, name in candidates]
    assert starts[0] and starts == sorted(starts, reverse=True), line
    assert "use one of these IRIs" in line


def test_describe_unknown_label_suggests(capsys: pytest.CaptureFixture[str]) -> None:
    """A misspelt name exits 2 with a suggestion."""
    assert_one_line_error(kg_run(capsys, "describe", "Tajikstan"), EXIT_USAGE, "nothing in the graph is named 'Tajikstan'", "did you mean: kgi:state-tj")


def test_describe_unknown_iri(capsys: pytest.CaptureFixture[str]) -> None:
    """A CURIE that is not in the graph exits 2."""
    assert_one_line_error(kg_run(capsys, "describe", "kgi:no-such-entity"), EXIT_USAGE, "kgi:no-such-entity is not in the graph")


# ---------------------------------------------------------------- stats


def test_stats_table(capsys: pytest.CaptureFixture[str], asserted: dict[URIRef, set[tuple[Any, Any, Any]]]) -> None:
    """``stats`` prints the asserted count, which equals the sum of the per-file counts."""
    run = kg_run(capsys, "stats")
    assert run.code == EXIT_OK
    total = int(re.search(r"^statements asserted: (\d+)$", run.out, re.M).group(1))  # type: ignore[union-attr]
    per_file = {m.group(2): int(m.group(1)) for m in re.finditer(r"^\s+(\d+)\s{2}((?:data|ontology)/\S+)", run.out, re.M)}
    assert total == sum(per_file.values())
    assert per_file == {name[len(KGG):]: len(triples) for name, triples in asserted.items()}
    assert "statements inferred: 0" in run.out


def test_stats_json(capsys: pytest.CaptureFixture[str], asserted: dict[URIRef, set[tuple[Any, Any, Any]]]) -> None:
    """``stats -f json``: asserted equals the sum over graphs and the files' triple counts."""
    run = kg_run(capsys, "stats", "-f", "json")
    body = json.loads(run.out)
    assert body["asserted"] == sum(body["per_graph"].values())
    assert body["asserted"] == sum(len(t) for t in asserted.values())
    assert body["inferred"] == 0
    assert body["per_class"]["kg:State"] > 10


# ---------------------------------------------------------------- -o writes


def test_output_into_missing_directory(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """``-o`` into a missing directory exits 2 with one line and creates nothing."""
    target = tmp_path / "missing" / "graph.nq"
    run = kg_run(capsys, "export", "-o", str(target))
    assert_one_line_error(run, EXIT_USAGE, str(target.parent), "does not exist")
    assert list(tmp_path.iterdir()) == []
    quiet = kg_run(capsys, "-q", "sparql", STATES, "-o", str(target.with_suffix(".csv")))
    assert_one_line_error(quiet, EXIT_USAGE, "does not exist")
    assert list(tmp_path.iterdir()) == []


def test_output_to_existing_directory_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """``-o`` naming a directory exits 2 and leaves it alone."""
    assert main(["--data", str(ROOT), "export", "-o", str(tmp_path)]) == EXIT_USAGE
    assert "is a directory" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_output_replaces_existing_file_wholly(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Writing over a longer existing file replaces it byte for byte, keeps its mode, leaves no temp file."""
    target = tmp_path / "states.csv"
    target.write_bytes(b"old content\n" * 10_000)
    target.chmod(0o640)
    run = kg_run(capsys, "sparql", STATES, "-f", "csv", "-o", str(target))
    assert run.code == EXIT_OK
    stdout = kg_run(capsys, "sparql", STATES, "-f", "csv").out
    assert target.read_bytes() == stdout.encode("utf-8")
    assert b"old content" not in target.read_bytes()
    assert target.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["states.csv"]


# ---------------------------------------------------------------- bad input


def test_malformed_turtle_in_validate_file(capsys: pytest.CaptureFixture[str], unchanged: Path) -> None:
    """A Turtle syntax error in ``validate FILE`` exits 3 with file:line:col."""
    path = FIXTURES / "malformed.ttl"
    assert_one_line_error(kg_run(capsys, "validate", str(path), data=unchanged), EXIT_INPUT, f"{path}:8:1:", "dot is expected")


def test_malformed_turtle_in_graph_directory(capsys: pytest.CaptureFixture[str], broken_graph: Path) -> None:
    """A broken file in data/ makes every loading command exit 3 naming file:line, and nothing is written."""
    before = snapshot(broken_graph)
    assert_one_line_error(kg_run(capsys, "stats", data=broken_graph), EXIT_INPUT, "zz-broken.ttl:4")
    assert_one_line_error(kg_run(capsys, "sparql", STATES, data=broken_graph), EXIT_INPUT, "zz-broken.ttl:4")
    assert snapshot(broken_graph) == before


def test_non_utf8_file_in_graph_directory(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A Latin-1 file in data/ exits 3 with file:line:col and says UTF-8."""
    root = copy_graph(tmp_path / "g")
    (root / "data" / "zz-latin1.ttl").write_bytes(b'@prefix kgi: <https://w3id.org/jckg/id/> .\nkgi:a kgi:b "T\xfcrkiye" .\n')
    before = snapshot(root)
    assert_one_line_error(kg_run(capsys, "stats", data=root), EXIT_INPUT, "zz-latin1.ttl:2:15", "UTF-8")
    assert snapshot(root) == before


@pytest.mark.parametrize(
    ("query", "position"),
    [
        ("SELECT ?s WHERE { ?s a kg:State ", "<query>:1:"),
        ("SELECT ?s WHERE {\n  ?s a kg:State .\n  FILTER( }", "<query>:3:"),
    ],
)
def test_malformed_sparql(capsys: pytest.CaptureFixture[str], unchanged: Path, query: str, position: str) -> None:
    """SPARQL that does not parse exits 3 with line:col."""
    assert_one_line_error(kg_run(capsys, "sparql", query, data=unchanged), EXIT_INPUT, position, "SPARQL syntax error")


def test_unknown_prefix_in_sparql(capsys: pytest.CaptureFixture[str], unchanged: Path) -> None:
    """An undeclared prefix exits 3 naming it."""
    assert_one_line_error(kg_run(capsys, "sparql", "SELECT * WHERE { ?s nope:x ?o }", data=unchanged), EXIT_INPUT, "nope")


def test_unknown_query_name_suggests(capsys: pytest.CaptureFixture[str], unchanged: Path) -> None:
    """A typo in a query name exits 2 and suggests the right one."""
    assert_one_line_error(
        kg_run(capsys, "query", "delegation-at-meeting", data=unchanged),
        EXIT_USAGE,
        "no stored query named 'delegation-at-meeting'",
        "did you mean: delegations-at-meeting",
    )


@pytest.mark.parametrize("name", ["../x", "/etc/passwd", "../queries/members-on-date", "Members-On-Date"])
def test_query_name_that_is_a_path(capsys: pytest.CaptureFixture[str], unchanged: Path, name: str) -> None:
    """A query name that is a path (or not lower-case words) exits 2 before touching the file system."""
    assert_one_line_error(kg_run(capsys, "query", name, data=unchanged), EXIT_USAGE, repr(name), "not a stored query name")


def test_missing_required_param(capsys: pytest.CaptureFixture[str], unchanged: Path) -> None:
    """A required parameter left out exits 2 and says how to pass it."""
    assert_one_line_error(kg_run(capsys, "query", "state-by-code", data=unchanged), EXIT_USAGE, "missing parameter 'code'", "-p code VALUE")


def test_unknown_param(capsys: pytest.CaptureFixture[str], unchanged: Path) -> None:
    """An unknown parameter name exits 2 and lists the known ones."""
    assert_one_line_error(
        kg_run(capsys, "query", "members-on-date", "-p", "nosuch", "x", data=unchanged),
        EXIT_USAGE,
        "unknown parameter 'nosuch'",
        "organisation, date",
    )


def test_param_given_twice(capsys: pytest.CaptureFixture[str], unchanged: Path) -> None:
    """The same ``-p`` twice exits 2."""
    run = kg_run(capsys, "query", "members-on-date", "-p", "date", "2023-01-01", "-p", "date", "2024-01-01", data=unchanged)
    assert_one_line_error(run, EXIT_USAGE, "'date' is given twice")


@pytest.mark.parametrize("value", ["2024-13-45", "2024-02-30", "yesterday", "2023-01-01'"])
def test_ill_typed_date_param(capsys: pytest.CaptureFixture[str], unchanged: Path, value: str) -> None:
    """A date parameter that is not a real date exits 2 naming the parameter and the value."""
    run = kg_run(capsys, "query", "members-on-date", "-p", "organisation", "kgi:sco", "-p", "date", value, data=unchanged)
    assert_one_line_error(run, EXIT_USAGE, "parameter 'date' expects a date", repr(value))


def test_param_outside_enum(capsys: pytest.CaptureFixture[str], unchanged: Path) -> None:
    """A value outside a parameter's enum exits 2 listing the allowed values."""
    run = kg_run(capsys, "query", "instruments-by-status", "-p", "status", "kgc:nosuch", data=unchanged)
    assert_one_line_error(run, EXIT_USAGE, "must be one of", "kgc:adopted")


@pytest.mark.parametrize(
    "value",
    [
        "kgi:sco> } ?s ?p ?o {",
        "<http://x> } UNION { ?s ?p ?o }",
        "kgi:sco . ?s ?p ?o",
        "https://w3id.org/jckg/id/sco> ?p ?o . <x",
    ],
)
def test_iri_param_with_sparql_syntax(capsys: pytest.CaptureFixture[str], unchanged: Path, value: str) -> None:
    """An IRI parameter carrying SPARQL syntax exits 2: it is not an IRI."""
    run = kg_run(capsys, "query", "members-on-date", "-p", "organisation", value, "-p", "date", "2023-01-01", data=unchanged)
    assert_one_line_error(run, EXIT_USAGE, "parameter 'organisation' expects an IRI")


def test_string_param_is_bound_as_literal(capsys: pytest.CaptureFixture[str], unchanged: Path) -> None:
    """A string parameter with SPARQL syntax in it is one literal: no rows, not every state."""
    plain = kg_run(capsys, "query", "state-by-code", "-p", "code", "TJ", "-f", "csv", data=unchanged)
    assert plain.code == EXIT_OK
    assert [r["state"] for r in csv.DictReader(io.StringIO(plain.out, newline=""))] == [KGI + "state-tj"]
    for value in ['TJ" } UNION { ?state ?p ?o } #', 'TJ" || true || "', "TJ' ; DROP ALL ; #"]:
        run = kg_run(capsys, "query", "state-by-code", "-p", "code", value, "-f", "csv", data=unchanged)
        assert run.code == EXIT_OK, run.err
        assert list(csv.DictReader(io.StringIO(run.out, newline=""))) == []
        assert "0 row(s)" in run.err


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { kgi:cli-test-x a kg:State }",
        "DELETE WHERE { ?s ?p ?o }",
        "DROP ALL",
        "CLEAR DEFAULT",
        "LOAD <file:///etc/passwd>",
        "DELETE { ?s kg:isoAlpha2 ?c } INSERT { ?s kg:isoAlpha2 \"XX\" } WHERE { ?s kg:isoAlpha2 ?c }",
    ],
)
def test_update_is_refused(capsys: pytest.CaptureFixture[str], unchanged: Path, update: str) -> None:
    """SPARQL Update exits 3 and the graph files stay byte for byte the same."""
    assert_one_line_error(kg_run(capsys, "sparql", update, data=unchanged), EXIT_INPUT, "Update is not allowed")
    after = kg_run(capsys, "sparql", 'ASK { kgi:state-tj kg:isoAlpha2 "TJ" }', "-f", "json", data=unchanged)
    assert json.loads(after.out)["boolean"] is True


class _NoNetwork:
    """Records every outgoing connection attempt made through the socket module."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[object] = []
        real_connect = socket.socket.connect
        real_connect_ex = socket.socket.connect_ex
        real_create = socket.create_connection

        def connect(sock: socket.socket, address: object) -> Any:
            self.calls.append(address)
            return real_connect(sock, address)

        def connect_ex(sock: socket.socket, address: object) -> Any:
            self.calls.append(address)
            return real_connect_ex(sock, address)

        def create_connection(address: object, *args: Any, **kwargs: Any) -> Any:
            self.calls.append(address)
            return real_create(address, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(socket.socket, "connect", connect)
        monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
        monkeypatch.setattr(socket, "create_connection", create_connection)


def _nobody_connected(server: socket.socket) -> bool:
    try:
        conn, _ = server.accept()
    except BlockingIOError:
        return True
    conn.close()
    return False


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ ?x a kg:State . OPTIONAL {{ SERVICE SILENT <http://127.0.0.1:{port}/sparql> {{ ?x ?p ?o }} }} }}",
        "SELECT * FROM <http://127.0.0.1:{port}/data.ttl> WHERE {{ ?s ?p ?o }}",
        "SELECT * FROM NAMED <http://127.0.0.1:{port}/g> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    ],
)
def test_network_is_refused(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, listener: socket.socket, unchanged: Path, template: str
) -> None:
    """SERVICE and FROM exit 2 without any connection: none recorded, none arrived at a local server."""
    port = listener.getsockname()[1]
    net = _NoNetwork(monkeypatch)
    run = kg_run(capsys, "sparql", template.format(port=port), data=unchanged)
    assert_one_line_error(run, EXIT_USAGE, "--allow-network")
    assert net.calls == []
    assert _nobody_connected(listener)


def test_service_on_discard_port_is_refused(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, unchanged: Path) -> None:
    """``SERVICE <http://127.0.0.1:9/>`` exits 2 naming SERVICE, with no connection attempt."""
    net = _NoNetwork(monkeypatch)
    run = kg_run(capsys, "sparql", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", data=unchanged)
    assert_one_line_error(run, EXIT_USAGE, "SERVICE")
    assert net.calls == []


def test_from_local_file_is_refused(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, unchanged: Path) -> None:
    """``FROM <file:///etc/passwd>`` exits 2 and no graph is parsed from that file."""
    parsed: list[str] = []
    real_parse = Graph.parse

    def parse(self: Graph, source: object = None, *args: Any, **kwargs: Any) -> Any:
        parsed.append(repr((source, kwargs.get("location"), kwargs.get("file"))))
        return real_parse(self, source, *args, **kwargs)

    monkeypatch.setattr(Graph, "parse", parse)
    run = kg_run(capsys, "sparql", "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", data=unchanged)
    assert_one_line_error(run, EXIT_USAGE, "FROM")
    assert run.out == ""
    assert not [p for p in parsed if "passwd" in p]


def test_non_utf8_stdin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, unchanged: Path) -> None:
    """A query on stdin that is not UTF-8 fails with a documented code and says UTF-8 and where."""
    raw = "SELECT ?s WHERE { ?s rdfs:label 'Türkiye' }".encode("latin-1")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8"))
    run = kg_run(capsys, "sparql", "-", data=unchanged)
    assert run.code in (EXIT_USAGE, EXIT_INPUT)
    assert_one_line_error(run, run.code, "<stdin>", "not UTF-8", f"offset {raw.index(0xFC)}")


def test_non_utf8_file_to_validate(capsys: pytest.CaptureFixture[str], unchanged: Path, tmp_path: Path) -> None:
    """A Latin-1 file given to ``validate`` exits 3 with file:line:col and says UTF-8."""
    path = tmp_path / "latin1.ttl"
    path.write_bytes(b'@prefix kgi: <https://w3id.org/jckg/id/> .\n\nkgi:a kgi:b "T\xfcrkiye" .\n')
    assert_one_line_error(kg_run(capsys, "validate", str(path), data=unchanged), EXIT_INPUT, f"{path}:3:15", "not UTF-8")


def test_non_utf8_query_file(capsys: pytest.CaptureFixture[str], unchanged: Path, tmp_path: Path) -> None:
    """A query file that is not UTF-8 exits 3 with file:line:col."""
    path = tmp_path / "q.rq"
    path.write_bytes(b"SELECT ?s WHERE {\n ?s rdfs:label 'T\xfcrkiye' }\n")
    assert_one_line_error(kg_run(capsys, "sparql", "--file", str(path), data=unchanged), EXIT_INPUT, f"{path}:2:18", "not UTF-8")


def test_byte_order_mark_file_to_validate(capsys: pytest.CaptureFixture[str], unchanged: Path, tmp_path: Path) -> None:
    """A file starting with a BOM exits 3 at 1:1."""
    path = tmp_path / "bom.ttl"
    path.write_bytes(b"\xef\xbb\xbf@prefix kgi: <https://w3id.org/jckg/id/> .\n")
    assert_one_line_error(kg_run(capsys, "validate", str(path), data=unchanged), EXIT_INPUT, f"{path}:1:1", "byte-order mark")


def test_unknown_file_type_to_validate(capsys: pytest.CaptureFixture[str], unchanged: Path, tmp_path: Path) -> None:
    """A file with an unknown suffix exits 3 naming the suffix."""
    path = tmp_path / "facts.txt"
    path.write_text("kgi:a kgi:b kgi:c .\n", encoding="utf-8")
    assert_one_line_error(kg_run(capsys, "validate", str(path), data=unchanged), EXIT_INPUT, "'.txt'")


def test_not_a_graph_directory(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """``--data`` pointing at a directory without ontology/ and data/ exits 2."""
    assert_one_line_error(kg_run(capsys, "stats", data=tmp_path), EXIT_USAGE, "is not a graph directory", "--data")


def test_debug_reraises_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    """With ``--debug`` the API error propagates (so a traceback is shown) instead of a code."""
    with pytest.raises(QueryError):
        main(["--debug", "--data", str(ROOT), "sparql", "SELECT ?s WHERE {"])


# ---------------------------------------------------------------- end to end, in a subprocess


def test_python_m_kg_version() -> None:
    """``python -m kg --version`` works and prints the version."""
    proc = kg_subprocess("--version")
    assert proc.returncode == EXIT_OK
    assert proc.stdout.decode().strip() == f"kg, version {kg.__version__}"


def test_python_m_kg_query_from_stdin() -> None:
    """``python -m kg sparql -`` reads a UTF-8 query with non-ASCII text from a pipe."""
    query = 'SELECT ?s WHERE { ?s rdfs:label "Таджикистан"@ru }'
    proc = kg_subprocess("--data", str(ROOT), "sparql", "-", "-f", "csv", stdin=query.encode("utf-8"))
    assert proc.returncode == EXIT_OK, proc.stderr
    assert proc.stdout.decode("utf-8").split("\r\n")[:2] == ["s", KGI + "state-tj"]


def test_python_m_kg_error_has_no_traceback() -> None:
    """An error in a real process is one stderr line and the documented exit code."""
    proc = kg_subprocess("--data", str(ROOT), "sparql", "SELECT ?s WHERE {")
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == EXIT_INPUT
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("kg: error: <query>:1:")


def test_python_m_kg_debug_shows_traceback() -> None:
    """``--debug`` shows the traceback that the plain run hides."""
    plain = kg_subprocess("--data", str(ROOT), "query", "no-such-query")
    debug = kg_subprocess("--debug", "--data", str(ROOT), "query", "no-such-query")
    assert plain.returncode == EXIT_USAGE
    assert b"Traceback" not in plain.stderr
    assert debug.returncode != EXIT_OK
    assert b"Traceback (most recent call last)" in debug.stderr
    assert b"UsageError: no stored query named 'no-such-query'" in debug.stderr


def test_python_m_kg_non_utf8_stdin() -> None:
    """Non-UTF-8 bytes on stdin give a documented failure code and a message about UTF-8."""
    proc = kg_subprocess("--data", str(ROOT), "sparql", "-", stdin=b"SELECT * WHERE { ?s ?p '\xff' }")
    err = proc.stderr.decode("utf-8")
    assert proc.returncode in DOCUMENTED_FAILURES - {EXIT_PROBLEMS}
    assert "UTF-8" in err
    assert "Traceback" not in err


def test_console_script_entry_point() -> None:
    """The installed ``kg`` script points at kg.cli:main."""
    from importlib.metadata import entry_points

    scripts = {ep.name: ep.value for ep in entry_points(group="console_scripts")}
    assert scripts.get("kg") == "kg.cli:main"


# ---------------------------------------------------------------- regressions of bugs found by these tests


@pytest.mark.parametrize("text", ["   ", "# only a comment", "PREFIX ex: <http://example.org/>"])
def test_empty_query_is_not_called_an_update(capsys: pytest.CaptureFixture[str], text: str) -> None:
    """A query with no query form in it exits 3 without being called a SPARQL Update."""
    line = assert_one_line_error(kg_run(capsys, "sparql", text), EXIT_INPUT)
    assert "Update" not in line


def test_closed_stdout_pipe_is_not_reported_as_violations() -> None:
    """Writing into a pipe whose reader has gone (``kg queries | head -0``) exits 0, not 1."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "kg", "--data", str(ROOT), "queries"],
            stdout=write_end, stderr=subprocess.PIPE, timeout=120, cwd=ROOT,
        )
    finally:
        os.close(write_end)
    assert b"Traceback" not in proc.stderr
    assert proc.returncode == EXIT_OK


def test_failed_output_prints_only_the_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """``sparql -o missing/x.csv`` (without -q) prints the error line only."""
    run = kg_run(capsys, "sparql", STATES, "-o", str(tmp_path / "missing" / "x.csv"))
    assert_one_line_error(run, EXIT_USAGE, "does not exist")
