"""Renderers of query results and graphs: every format reads back to what went in."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS
from rdflib.query import Result

from kg.cli import emit
from kg.errors import UsageError
from kg.formats import from_suffix as format_from_suffix
from kg.namespaces import KG, KGG, KGI, PREFIXES
from kg.rdf.convert import to_rdflib
from kg.rdf.render import GRAPH_FORMATS, RESULT_FORMATS, render_graph, render_result
from kg.sparql.engine import prepare, run

ROOT = Path(__file__).resolve().parents[1]
SRX = "{http://www.w3.org/2005/sparql-results#}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# plain IRIs: pytest's collection probes module attributes, which rdflib's XSD warns about
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")
XSD_DECIMAL = URIRef("http://www.w3.org/2001/XMLSchema#decimal")
XSD_STRING = URIRef("http://www.w3.org/2001/XMLSchema#string")
TASHKENT = "Ташкент"
DATE = Literal("2001-06-15", datatype=XSD_DATE)


def _graph() -> Graph:
    g = Graph()
    g.add((KGI.tashkent, RDF.type, KG.City))
    g.add((KGI.tashkent, RDFS.label, Literal(TASHKENT, lang="ru")))
    g.add((KGI.tashkent, RDFS.label, Literal("Taşkent", lang="tr")))
    g.add((KGI.tashkent, KG.founded, DATE))
    g.add((KGI.tashkent, KG.population, Literal("2.50", datatype=XSD_DECIMAL)))
    g.add((KGI.tashkent, KG.code, Literal("TAS", datatype=XSD_STRING)))
    g.add((KGI.tashkent, RDFS.comment, Literal('two\nlines, a "quote" | pipe\ttab')))
    g.add((KGI.sco, KG.hasMember, KGI.uzbekistan))
    g.add((KGI.uzbekistan, RDFS.label, Literal("Uzbekistan", lang="en")))
    return g


def _dataset() -> Dataset:
    ds = Dataset()
    ds.add((KGI.tashkent, RDFS.label, Literal(TASHKENT, lang="ru")))
    named = ds.graph(KGG.events)
    named.add((KGI.summit, KG.heldIn, KGI.tashkent))
    named.add((KGI.summit, KG.date, DATE))
    other = ds.graph(KGG.people)
    other.add((KGI.someone, RDFS.label, Literal("Ali", lang="uz")))
    return ds


SELECT = """
SELECT ?city ?label ?founded ?missing WHERE {
  ?city a kg:City ; rdfs:label ?label .
  OPTIONAL { ?city kg:founded ?founded }
  OPTIONAL { ?city kg:noSuchProperty ?missing }
  FILTER(lang(?label) = "ru")
}"""


def _query(g: Graph, text: str, initNs: dict | None = None):
    """``text`` run by the tool's engine (pyoxigraph) over ``g``: what the renderers get."""
    store = ox.Store()
    store.load(g.serialize(format="nt").encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in (initNs or {}).items())
    return run(store, prepare(prologue + text))


@pytest.fixture
def select() -> Result:
    return _query(_graph(), SELECT, initNs={"kg": KG, "rdfs": RDFS})


def _ask(answer: bool) -> Result:
    target = "kg:City" if answer else "kg:Nothing"
    return _query(_graph(), f"ASK {{ ?x a {target} }}", initNs={"kg": KG})


def _construct() -> Result:
    return _query(_graph(),
        "CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s rdfs:label ?l }", initNs={"rdfs": RDFS}
    )


# SELECT ------------------------------------------------------------------------------


def test_csv_per_spec(select: Result) -> None:
    data = render_result(select, "csv")
    assert b"\r\n" in data  # the spec's CRLF line ends
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert rows == [
        ["city", "label", "founded", "missing"],
        [str(KGI.tashkent), TASHKENT, "2001-06-15", ""],
    ]


def test_tsv_terms_in_ntriples_syntax(select: Result) -> None:
    lines = render_result(select, "tsv").decode("utf-8").split("\n")
    assert lines[0] == "?city\t?label\t?founded\t?missing"
    assert lines[1].split("\t") == [
        f"<{KGI.tashkent}>",
        f'"{TASHKENT}"@ru',
        f'"2001-06-15"^^<{XSD_DATE}>',
        "",
    ]
    assert lines[2:] == [""]


def test_tsv_escapes_and_reads_back() -> None:
    result = _query(_graph(), "SELECT ?c WHERE { ?s rdfs:comment ?c }", initNs={"rdfs": RDFS})
    data = render_result(result, "tsv")
    assert data.decode("utf-8").split("\n")[1] == r'"two\nlines, a \"quote\" | pipe\ttab"'
    back = Result.parse(io.BytesIO(render_result(result, "tsv")), format="tsv")
    assert [row[0] for row in back] == [Literal('two\nlines, a "quote" | pipe\ttab')]


def test_json_per_spec(select: Result) -> None:
    doc = json.loads(render_result(select, "json"))
    assert doc["head"]["vars"] == ["city", "label", "founded", "missing"]
    assert doc["results"]["bindings"] == [{
        "city": {"type": "uri", "value": str(KGI.tashkent)},
        "label": {"type": "literal", "value": TASHKENT, "xml:lang": "ru"},
        "founded": {"type": "literal", "value": "2001-06-15", "datatype": str(XSD_DATE)},
    }]
    assert TASHKENT.encode("utf-8") in render_result(select, "json")  # not \u-escaped


def test_xml_per_spec(select: Result) -> None:
    root = ET.fromstring(render_result(select, "xml"))
    assert root.tag == f"{SRX}sparql"
    names = [v.get("name") for v in root.iter(f"{SRX}variable")]
    assert names == ["city", "label", "founded", "missing"]
    results = list(root.iter(f"{SRX}result"))
    assert len(results) == 1
    bindings = {b.get("name"): b[0] for b in results[0].iter(f"{SRX}binding")}
    assert set(bindings) == {"city", "label", "founded"}
    assert (bindings["city"].tag, bindings["city"].text) == (f"{SRX}uri", str(KGI.tashkent))
    assert bindings["label"].get(XML_LANG) == "ru" and bindings["label"].text == TASHKENT
    assert bindings["founded"].get("datatype") == str(XSD_DATE)
    back = Result.parse(io.BytesIO(render_result(select, "xml")), format="xml")
    assert [tuple(row) for row in back] == [tuple(to_rdflib(t) if t is not None else None for t in row) for row in select.rows]


def test_table_curies_unicode_and_count(select: Result) -> None:
    text = render_result(select, "table").decode("utf-8")
    lines = text.rstrip("\n").split("\n")
    assert lines[0].split(" | ") == ["city        ", "label  ", "founded   ", "missing"]
    assert set(lines[1]) <= {"-", "+"}
    assert "kgi:tashkent" in lines[2] and TASHKENT in lines[2] and "2001-06-15" in lines[2]
    assert "<https://" not in text and "@ru" not in text
    assert lines[-1] == "(1 rows)"
    # columns line up by character count, Cyrillic included
    assert lines[0].index("|") == lines[1].index("+") == lines[2].index("|")


def test_table_full_iri_without_prefix_and_newlines_kept_on_one_line() -> None:
    g = Graph()
    g.add((URIRef("http://example.org/x"), RDFS.comment, Literal("a\nb")))
    result = _query(g, "SELECT ?s ?c WHERE { ?s ?p ?c }")
    text = render_result(result, "table").decode("utf-8")
    assert "<http://example.org/x>" in text
    assert "a⏎b" in text
    assert text.count("\n") == 4  # header, separator, one row, count


def test_table_longest_prefix_wins() -> None:
    g = Graph()
    g.add((KGI.x, RDFS.seeAlso, URIRef("https://w3id.org/jckg/id/sub/y")))
    result = _query(g, "SELECT ?o WHERE { ?s ?p ?o }")
    prefixes = {"kgi": str(KGI), "sub": str(KGI) + "sub/"}
    assert "sub:y" in render_result(result, "table", prefixes=prefixes).decode("utf-8")
    assert "kgi:sub/y" in render_result(result, "table").decode("utf-8")


def test_markdown_rows_and_escaping() -> None:
    result = _query(_graph(),
        "SELECT ?s ?c WHERE { ?s rdfs:comment ?c }", initNs={"rdfs": RDFS}
    )
    lines = render_result(result, "markdown").decode("utf-8").rstrip("\n").split("\n")
    assert lines[0] == "| s | c |"
    assert lines[1] == "| --- | --- |"
    assert len(lines) == 3
    assert lines[2].startswith("| kgi:tashkent | two⏎lines")
    assert "a \"quote\" \\| pipe" in lines[2]


def test_markdown_row_count() -> None:
    all_labels = _query(_graph(), "SELECT ?l WHERE { ?s rdfs:label ?l }", initNs={"rdfs": RDFS})
    lines = render_result(all_labels, "markdown").decode("utf-8").rstrip("\n").split("\n")
    assert len(lines) == 2 + 3
    assert "(3 rows)" in render_result(all_labels, "table").decode("utf-8")


@pytest.mark.parametrize("fmt", RESULT_FORMATS)
def test_result_rendering_is_deterministic(select: Result, fmt: str) -> None:
    assert render_result(select, fmt) == render_result(select, fmt)


# ASK ---------------------------------------------------------------------------------


@pytest.mark.parametrize("answer", [True, False])
def test_ask(answer: bool) -> None:
    word = "true" if answer else "false"
    result = _ask(answer)
    assert json.loads(render_result(result, "json")) == {"head": {}, "boolean": answer}
    root = ET.fromstring(render_result(result, "xml"))
    assert root.find(f"{SRX}boolean").text == word  # type: ignore[union-attr]
    assert root.find(f"{SRX}results") is None
    assert render_result(result, "csv") == f"ask\r\n{word}\r\n".encode()
    assert render_result(result, "tsv") == f"?ask\n{word}\n".encode()
    table = render_result(result, "table").decode("utf-8").split("\n")
    assert table[0] == "ask" and table[2] == word
    markdown = render_result(result, "markdown").decode("utf-8").split("\n")
    assert markdown[0] == "| ask |" and markdown[2] == f"| {word} |"


# wrong formats -----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["turtle", "nt", "nq", "trig", "json-ld"])
def test_graph_format_for_select_is_refused(select: Result, fmt: str) -> None:
    with pytest.raises(UsageError, match="table, csv, tsv, json, xml, markdown"):
        render_result(select, fmt)
    with pytest.raises(UsageError, match="choose one of table"):
        render_result(_ask(True), fmt)


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json", "markdown"])
def test_result_format_for_graph_is_refused(fmt: str) -> None:
    expected = "CONSTRUCT results are graphs; choose one of turtle, nt, nq, trig, json-ld, xml"
    with pytest.raises(UsageError, match=expected):
        render_result(_construct(), fmt)
    with pytest.raises(UsageError, match="choose one of turtle"):
        render_graph(_graph(), fmt)


def test_unknown_format_is_refused(select: Result) -> None:
    for call in (lambda: render_result(select, "yaml"), lambda: render_graph(_graph(), "n3")):
        with pytest.raises(UsageError, match="unknown output format"):
            call()


# graphs ------------------------------------------------------------------------------

PARSE_AS = {"turtle": "turtle", "nt": "nt", "nq": "nquads", "trig": "trig",
            "json-ld": "json-ld", "xml": "xml"}


def _read_back(data: bytes, fmt: str) -> Graph:
    """Parse rendered bytes; quad formats are flattened to their triples."""
    if fmt not in ("nq", "trig"):
        return Graph().parse(data=data, format=PARSE_AS[fmt])
    dataset = Dataset().parse(data=data, format=PARSE_AS[fmt])
    flat = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        flat.add((s, p, o))
    return flat


@pytest.mark.parametrize("fmt", GRAPH_FORMATS)
def test_graph_reads_back_isomorphic(fmt: str) -> None:
    g = _graph()
    back = _read_back(render_graph(g, fmt), fmt)
    assert len(back) == len(g) == 9
    assert isomorphic(back, g)


def test_construct_result_renders_as_graph() -> None:
    result = _construct()
    data = render_result(result, "turtle")
    back = Graph().parse(data=data, format="turtle")
    expected = Graph()
    for t in result.triples:
        expected.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    assert isomorphic(back, expected)
    assert len(back) == 3
    # N-Triples straight from the engine's terms equals rdflib's writer on the same graph
    assert render_result(result, "nt") == render_graph(expected, "nt")


def test_blank_nodes_read_back() -> None:
    g = Graph()
    b = BNode()
    g.add((KGI.tashkent, KG.address, b))
    g.add((b, RDFS.label, Literal("Amir Temur ko‘chasi", lang="uz")))
    for fmt in GRAPH_FORMATS:
        assert isomorphic(_read_back(render_graph(g, fmt), fmt), g), fmt


def _quads(ds: Dataset) -> set[tuple[object, ...]]:
    return {(s, p, o, c) for s, p, o, c in ds.quads((None, None, None, None))}


@pytest.mark.parametrize("fmt", ["nq", "trig", "json-ld"])
def test_dataset_keeps_named_graphs(fmt: str) -> None:
    ds = _dataset()
    back = Dataset().parse(data=render_graph(ds, fmt), format=PARSE_AS[fmt])
    assert _quads(back) == _quads(ds)
    named = {g.identifier for g in back.graphs() if len(g)}
    assert {KGG.events, KGG.people} <= named


@pytest.mark.parametrize("fmt", ["turtle", "nt", "xml"])
def test_dataset_flattens_to_union(fmt: str) -> None:
    ds = _dataset()
    back = Graph().parse(data=render_graph(ds, fmt), format=PARSE_AS[fmt])
    assert {(s, p, o) for s, p, o, _ in _quads(ds)} == set(back)
    assert len(back) == 4


def test_jsonld_is_compact_with_project_context() -> None:
    doc = json.loads(render_graph(_graph(), "json-ld"))
    assert doc["@context"] == PREFIXES
    nodes = {node["@id"]: node for node in doc["@graph"]}
    city = nodes["kgi:tashkent"]
    assert city["@type"] == "kg:City"
    assert {"@language": "ru", "@value": TASHKENT} in city["rdfs:label"]
    assert city["kg:founded"] == {"@type": "xsd:date", "@value": "2001-06-15"}
    # typed values stay typed: no native JSON values, which lose the datatype or lexical form
    assert city["kg:population"] == {"@type": "xsd:decimal", "@value": "2.50"}
    assert city["kg:code"] == {"@type": "xsd:string", "@value": "TAS"}


def test_jsonld_prefixes_argument_sets_the_context() -> None:
    doc = json.loads(render_graph(_graph(), "json-ld", prefixes={"city": str(KGI)}))
    assert doc["@context"] == {"city": str(KGI)}
    assert "city:tashkent" in {node["@id"] for node in doc["@graph"]}


def test_turtle_binds_project_prefixes_and_leaves_graph_alone() -> None:
    g = _graph()
    before = sorted(g.namespaces())
    text = render_graph(g, "turtle").decode("utf-8")
    assert f"PREFIX kgi: <{KGI}>" in text
    assert "kgi:tashkent" in text and TASHKENT in text
    assert sorted(g.namespaces()) == before


@pytest.mark.parametrize("fmt", GRAPH_FORMATS)
def test_graph_rendering_is_deterministic(fmt: str) -> None:
    ds = _dataset()
    assert render_graph(ds, fmt) == render_graph(ds, fmt)
    g = _graph()
    assert render_graph(g, fmt) == render_graph(g, fmt)
    # the same triples added in another order give the same bytes
    shuffled = Graph()
    for triple in sorted(g, reverse=True):
        shuffled.add(triple)
    assert render_graph(shuffled, fmt) == render_graph(g, fmt)


def test_graph_rendering_does_not_depend_on_hash_seed() -> None:
    # rdflib keeps graphs and triples in sets, whose order changes with PYTHONHASHSEED
    script = (
        "import sys; from tests.test_output import _dataset, _graph; "
        "from kg.rdf.render import GRAPH_FORMATS, render_graph; "
        "sys.stdout.buffer.write(b''.join(render_graph(x, f) for f in GRAPH_FORMATS "
        "for x in (_dataset(), _graph())))"
    )
    outputs = []
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONWARNINGS": "ignore"}
        done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env,
                              capture_output=True, check=True)
        outputs.append(done.stdout)
    assert outputs[0] and outputs[0] == outputs[1] == outputs[2]


def test_nt_and_nq_lines_sorted() -> None:
    for fmt in ("nt", "nq"):
        lines = render_graph(_dataset(), fmt).decode("utf-8").split("\n")
        assert lines[-1] == ""
        assert lines[:-1] == sorted(lines[:-1]) and len(lines) == 5


# files -------------------------------------------------------------------------------


def test_emit_writes_file(tmp_path: Path) -> None:
    target = tmp_path / "out.ttl"
    emit("Ташкент\n".encode(), target)
    assert target.read_bytes() == "Ташкент\n".encode()


def test_emit_to_missing_directory_creates_nothing(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "out.csv"
    with pytest.raises(UsageError, match="does not exist"):
        emit(b"x", target)
    assert not (tmp_path / "missing").exists()
    assert list(tmp_path.iterdir()) == []


def test_emit_to_stdout(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    emit("Taşkent\n".encode(), None)
    assert capsysbinary.readouterr().out == "Taşkent\n".encode()


@pytest.mark.parametrize(("name", "fmt"), [
    ("a.ttl", "turtle"), ("a.nt", "nt"), ("a.nq", "nq"), ("a.trig", "trig"),
    ("a.jsonld", "json-ld"), ("a.json-ld", "json-ld"), ("a.rdf", "xml"), ("a.owl", "xml"),
    ("a.csv", "csv"), ("a.tsv", "tsv"), ("a.json", "json"), ("a.srj", "json"),
    ("a.srx", "xml"), ("a.md", "markdown"), ("A.TTL", "turtle"),
    ("a.txt", None), ("noext", None),
])
def test_format_from_suffix(name: str, fmt: str | None) -> None:
    assert format_from_suffix(Path(name)) == fmt
