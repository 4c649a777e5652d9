"""What kg add, kg amend and kg validate FILE let in (issue 17, "nothing unchecked gets in").

Class 4: every input format goes through the same statement checks, on the parsed
statements, and each bad input is an input error (exit 3, file and line) in bounded memory.
Class 5: kgi: IRIs follow one grammar and cannot look like another, new subjects have a
type some shape checks, and look-alike labels are noted.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from rdflib import Graph, URIRef

import kg.identifiers
from kg.add import add_files
from kg.cli import main
from kg.errors import InputError
from kg.identifiers import LOCAL_NAME, covered_classes, grammar_problem, skeleton, target_classes
from kg.layout import Layout
from kg.namespaces import PREFIXES as NS
from kg.rdf.parse import parse_file
from kg.rdf.render import render_graph
from kg.store.local import check_statements

ROOT = Path(__file__).resolve().parents[1]
KGI = NS["kgi"]

PREFIXES = """\
@prefix kg: <https://w3id.org/jckg/ontology#> .
@prefix kgi: <https://w3id.org/jckg/id/> .
@prefix kgc: <https://w3id.org/jckg/concept/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix schema: <https://schema.org/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
"""
SOURCE = """
kgi:src-test-report a kg:SourceDocument ;
    dcterms:title "A test report"@en ;
    kg:publisherName "Test publisher" ;
    dcterms:issued "2026-03-01"^^xsd:date ;
    kg:documentKind kgc:news-item .
"""
CONTEXT = {"kg": NS["kg"], "kgi": KGI, "kgc": NS["kgc"], "rdfs": NS["rdfs"], "dcterms": NS["dcterms"], "prov": NS["prov"], "xsd": NS["xsd"]}
TARGET = "test-report.ttl"  # the file a submission citing kgi:src-test-report goes to


def city(local: str, label: str = "Test city", *, extra: str = "") -> str:
    """A new kg:City that the shapes accept (one English label, in one state, sourced)."""
    return f"""
kgi:{local} a kg:City ;
    rdfs:label "{label}"@en ;
    kg:locatedIn kgi:state-uz ;{extra}
    prov:wasDerivedFrom kgi:src-test-report .
"""


def snapshot(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.glob("*.ttl"))}


def copy_graph(root: Path) -> Layout:
    for part in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / part, root / part, ignore=shutil.ignore_patterns(".kg.lock"))
    return Layout(root)


@pytest.fixture()
def graph_dir(tmp_path: Path) -> Layout:
    return copy_graph(tmp_path / "graph")


@pytest.fixture(scope="module")
def shared_graph(tmp_path_factory: pytest.TempPathFactory) -> Layout:
    """One graph copy for tests that leave it as they found it (refused, or undone)."""
    return copy_graph(tmp_path_factory.mktemp("shared") / "graph")


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def refused(layout: Layout, path: Path) -> InputError:
    """Add ``path``: it must be refused as an input error naming the file, nothing written."""
    before = snapshot(layout.data_dir)
    with pytest.raises(InputError) as info:
        add_files([path], layout)
    assert str(info.value).startswith(str(path)), info.value
    assert snapshot(layout.data_dir) == before
    return info.value


def line_of(error: InputError) -> int | None:
    m = re.match(r".*?:(\d+)(?::\d+)?$", error.location or "")
    return int(m.group(1)) if m else None


# ================================================================ class 4: one set of checks


def turtle_string(value: str, *, escape_all: bool = False) -> str:
    """``value`` as a Turtle string: the escapes Turtle requires, and a \\u escape for a
    surrogate (UTF-8 cannot carry it); with ``escape_all`` every character outside
    printable ASCII as \\u or \\U."""
    out = []
    for c in value:
        if c in '"\\':
            out.append("\\" + c)
        elif c == "\n":
            out.append("\\n")
        elif c == "\r":
            out.append("\\r")
        elif 0xD800 <= ord(c) <= 0xDFFF or (escape_all and not " " <= c <= "~"):
            out.append(f"\\u{ord(c):04X}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08X}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def city_turtle(value: str, *, escape_all: bool = False) -> str:
    return PREFIXES + SOURCE + city("test-city", extra=f"\n    dcterms:description {turtle_string(value, escape_all=escape_all)} ;")


def city_jsonld(value: str, *, escape_all: bool = False) -> str:
    """The same statements as ``city_turtle``, as compact JSON-LD with an inline context."""
    doc = {
        "@context": CONTEXT,
        "@graph": [
            {"@id": "kgi:src-test-report", "@type": "kg:SourceDocument", "dcterms:title": {"@value": "A test report", "@language": "en"},
             "kg:publisherName": "Test publisher", "dcterms:issued": {"@value": "2026-03-01", "@type": "xsd:date"},
             "kg:documentKind": {"@id": "kgc:news-item"}},
            {"@id": "kgi:test-city", "@type": "kg:City", "rdfs:label": {"@value": "Test city", "@language": "en"},
             "kg:locatedIn": {"@id": "kgi:state-uz"}, "prov:wasDerivedFrom": {"@id": "kgi:src-test-report"},
             "dcterms:description": value},
        ],
    }
    # a lone surrogate exists in JSON text only as an escape
    has_surrogate = any(0xD800 <= ord(c) <= 0xDFFF for c in value)
    return json.dumps(doc, ensure_ascii=escape_all or has_surrogate, indent=1)


def submit(layout: Layout, directory: Path, name: str, text: str) -> tuple[str, str | None]:
    """("refused", message) or ("accepted", the description read back from the written file).

    An accepted file is then removed again (so ``layout`` is as before), after checking
    that the store would load it and that its RDF/XML is well-formed XML."""
    path = write(directory, name, text)
    before = snapshot(layout.data_dir)
    try:
        result = add_files([path], layout)
    except InputError as exc:
        assert snapshot(layout.data_dir) == before, "refused, yet something was written"
        return "refused", str(exc)
    assert result.written, (result.report.violations if result.report else result.notes)
    assert result.target is not None and result.target.name == TARGET
    try:
        check_statements(result.target.read_bytes(), TARGET)  # what every fresh store build runs
        graph = parse_file(result.target)
        ET.fromstring(render_graph(graph, "xml"))  # the RDF/XML export is well-formed
        value = graph.value(URIRef(KGI + "test-city"), URIRef(NS["dcterms"] + "description"))
        return "accepted", None if value is None else str(value)
    finally:
        result.target.unlink()
        assert snapshot(layout.data_dir) == before


SPECIAL = [
    "\x00", "\x01", "\x08", "\t", "\n", "\x0b", "\x0c", "\r", "\r\n", "\x1c", "\x1d", "\x1e", "\x1f", "\x7f",
    "\x85", "\u2028", "\u2029", "\u200b", "\u200e", "\ufeff", "\ufffd", "\ufffe", "\uffff", "\U0010ffff",
    "\ud800", "\udbff", "\udc00", "\udfff", '"', "\\", "'", "'''", '"""', "\\u0000", "@", "<", ">", "&", "]]>",
]
# all of Unicode (surrogates included), with the characters that matter drawn often
UNICODE_TEXT = st.lists(
    st.one_of(st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=()), st.sampled_from(SPECIAL)),
    max_size=12,
).map("".join)


def _paired_surrogates(value: str) -> bool:
    # a high surrogate followed by a low one is one character in JSON's escapes, two here
    return any(0xD800 <= ord(a) <= 0xDBFF and 0xDC00 <= ord(b) <= 0xDFFF for a, b in itertools.pairwise(value))


@settings(max_examples=30, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=UNICODE_TEXT, escape_all=st.booleans())
@example(value="a\x00b", escape_all=False)  # the reported case
@example(value="\r\n\x85\u2028\u2029\n", escape_all=False)  # every line terminator XML can carry
@example(value="\x0b\x0c\x1c", escape_all=True)  # those it cannot
@example(value="\ud800", escape_all=False)  # a lone surrogate, written as an escape in both
@example(value="\U0001f600 \ufeff\u200b", escape_all=True)
def test_any_literal_is_refused_or_read_back_identical_the_same_in_turtle_and_json_ld(
    shared_graph: Layout, tmp_path_factory: pytest.TempPathFactory, value: str, escape_all: bool
) -> None:
    assume(not _paired_surrogates(value))
    directory = tmp_path_factory.mktemp("literal")
    outcomes = {}
    for name, text in (("new.ttl", city_turtle(value, escape_all=escape_all)), ("new.jsonld", city_jsonld(value, escape_all=escape_all))):
        outcome, detail = submit(shared_graph, directory, name, text)
        if outcome == "accepted":
            assert detail == value, f"{name} read back {detail!r}, not {value!r}"
        outcomes[name] = outcome
    assert outcomes["new.ttl"] == outcomes["new.jsonld"], (value, outcomes)
    # the rule itself: refused exactly when XML cannot carry a character (or it is no character)
    unsafe = re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]", value) is not None
    assert outcomes["new.ttl"] == ("refused" if unsafe else "accepted"), (value, outcomes)


BAD_LITERALS = [
    ("nul", "a\x00b", "control character U+0000"),
    ("vertical-tab", "a\x0bb", "control character U+000B"),
    ("noncharacter", "a\ufffeb", "U+FFFE"),
    ("too-long", "x" * 1_500_000, "1,500,000 characters"),
]


@pytest.mark.parametrize("fmt", ["ttl", "nt", "jsonld"])
@pytest.mark.parametrize(("value", "message"), [b[1:] for b in BAD_LITERALS], ids=[b[0] for b in BAD_LITERALS])
def test_every_format_gets_the_same_literal_checks(shared_graph: Layout, tmp_path: Path, fmt: str, value: str, message: str) -> None:
    turtle = city_turtle(value)
    if fmt == "ttl":
        text = turtle
    elif fmt == "nt":
        text = Graph().parse(data=turtle, format="turtle").serialize(format="nt")
    else:
        text = city_jsonld(value)
    path = write(tmp_path, f"bad.{fmt}", text)
    error = refused(shared_graph, path)
    assert message in error.message
    assert error.hint  # what to do
    # the line that holds the literal (the first line when the literal fills a JSON line)
    lines = text.split("\n")
    expected = next(i for i, line in enumerate(lines, 1) if "description" in line or value[:20] in line)
    assert line_of(error) == expected, (error.location, expected)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("integer.jsonld", {"@id": "kgi:tashkent", "kg:isoNumeric": {"@value": "007", "@type": "xsd:integer"}}, 'would be stored as "7"'),
        ("date.jsonld", {"@id": "kgi:tashkent", "schema:startDate": {"@value": "2024-13-45", "@type": "xsd:date"}}, "is not a valid xsd:date"),
        ("blank.jsonld", {"@id": "kgi:tashkent", "kg:locatedIn": {"rdfs:label": "somewhere"}}, "blank node (kgi:tashkent kg:locatedIn"),
        ("named-graph.jsonld", {"@id": "kgi:some-graph", "@graph": [{"@id": "kgi:tashkent", "rdfs:label": {"@value": "T", "@language": "uz"}}]}, "named graph"),
    ],
)
def test_json_ld_gets_the_checks_turtle_gets(shared_graph: Layout, tmp_path: Path, name: str, text: dict, message: str) -> None:
    doc = {"@context": dict(CONTEXT, schema=NS["schema"]), **text}
    error = refused(shared_graph, write(tmp_path, name, json.dumps(doc, indent=1)))
    assert message in error.message, error


def test_kg_validate_file_checks_json_ld_too(shared_graph: Layout, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "nul.jsonld", city_jsonld("a\x00b"))
    assert main(["--data", str(shared_graph.root), "validate", str(path)]) == 3
    err = capsys.readouterr().err
    assert f"{path}:" in err and "U+0000" in err and "Traceback" not in err


def test_json_ld_never_reaches_the_network(shared_graph: Layout, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A remote context anywhere (top level, scoped in a node, in a list, @import) is
    refused before any parser could fetch it; a socket opened would fail the test."""
    import socket

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("a network connection was attempted")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    inline = json.loads(city_jsonld("fine"))
    for where in ("top", "node", "list", "import"):
        doc = json.loads(json.dumps(inline))
        remote = "https://example.org/context.jsonld"
        if where == "top":
            doc["@context"] = remote
        elif where == "node":
            doc["@graph"][1]["@context"] = remote
        elif where == "list":
            doc["@context"] = [remote, CONTEXT]
        else:
            doc["@context"] = dict(CONTEXT, **{"@import": remote})
        error = refused(shared_graph, write(tmp_path, f"remote-{where}.jsonld", json.dumps(doc)))
        assert "fetched from the network" in error.message and "inline the context" in (error.hint or "")
        # and were that check to miss one, the parser has no way to fetch it: still refused
        monkeypatch.setattr("kg.rdf.parse._remote_context", lambda text, location: False)
        error = refused(shared_graph, write(tmp_path, f"remote-{where}-unchecked.jsonld", json.dumps(doc)))
        assert "remote context" in error.message, error
        monkeypatch.undo()
        monkeypatch.setattr(socket.socket, "connect", no_network)
        monkeypatch.setattr(socket, "create_connection", no_network)


def test_the_statement_budget_is_for_the_whole_submission(graph_dir: Layout, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_MAX_STATEMENTS", "30")
    first = write(tmp_path, "a.ttl", PREFIXES + SOURCE + city("test-city-a") + city("test-city-b") + city("test-city-c"))  # 5 + 12
    second = write(tmp_path, "b.ttl", PREFIXES + city("test-city-d") + city("test-city-e") + city("test-city-f"))  # 12
    third = write(tmp_path, "c.ttl", PREFIXES + city("test-city-g") + city("test-city-h"))  # 8
    assert add_files([first, second], graph_dir, dry_run=True).accepted
    before = snapshot(graph_dir.data_dir)
    with pytest.raises(InputError, match="more statements than the 1 allowed") as info:
        add_files([first, second, third], graph_dir)
    assert str(info.value).startswith(str(third)) and "KG_MAX_STATEMENTS" in str(info.value)
    assert snapshot(graph_dir.data_dir) == before
    # JSON-LD is bounded by its keys and values before it is parsed at all
    big = write(tmp_path, "big.jsonld", json.dumps({"@context": CONTEXT, "@graph": [{"@id": f"kgi:x-{i}", "rdfs:comment": "c"} for i in range(200)]}))
    with pytest.raises(InputError, match="keys and values"):
        add_files([big], graph_dir)


# ---------------------------------------------------------------- bounded memory, exit 3

# The child reports its own peak: VmHWM belongs to the process image, where ru_maxrss
# would carry over the peak of the process that forked it (here pytest) across exec.
CHILD = """\
import re, sys
from kg.cli import main
code = main(sys.argv[1:])
status = open("/proc/self/status").read()
sys.stderr.write("\\npeak-kb=" + re.search(r"VmHWM:\\s*(\\d+)", status).group(1) + "\\n")
sys.exit(code)
"""
MEMORY_BOUND_MB = 200
N = 1_000_000
HEAD = PREFIXES + SOURCE


def _big_inputs(directory: Path) -> dict[str, tuple[Path, int | None, str]]:
    """name -> (file, the line the message must name or None, a phrase of the message)."""
    made = {}

    def make(name: str, text: str, line: int | None, phrase: str) -> None:
        made[name] = (write(directory, name, text), line, phrase)

    head_lines = HEAD.count("\n")
    make("nul.jsonld", city_jsonld("a\x00b"), None, "U+0000")
    make("long-literal.jsonld", city_jsonld("x" * 1_500_000), None, "1,500,000 characters")
    make("huge-literal.ttl", HEAD + city("test-city", extra=f'\n    dcterms:description "{"x" * 20_000_000}" ;'), head_lines + 5, "too long to read")
    make("huge-literal.jsonld", city_jsonld("x" * 20_000_000), None, "too long to read")
    make("deep.jsonld", '{"@id": "kgi:x",\n "kgi:p": ' + "[" * 200_000 + "]" * 200_000 + "}", 2, "nests deeper than")
    make("deep-objects.jsonld", '{"@id": "https://w3id.org/jckg/id/x", "https://w3id.org/jckg/id/p": ' + '{"https://w3id.org/jckg/id/p": ' * N + "1" + "}" * (N + 1), 1, "nests deeper than")
    make("nested-blank-nodes.ttl", HEAD + "kgi:x kg:p " + "[ kg:p " * N + "kgi:y" + " ]" * N + " .\n", head_lines + 1, "nest deeper than")
    make("blank-nodes.ttl", HEAD + "".join(f"_:b{i} rdfs:comment _:b{i + 1} .\n" for i in range(N)), head_lines + 1, "blank node")
    make("blank-nodes.jsonld", '{"@graph": [' + ",\n".join('{"http://a.example/p": "x"}' for _ in range(N)) + "]}", None, "keys and values")
    make("many-statements.nt", "".join(f'<{KGI}tashkent> <{NS["rdfs"]}comment> "c{i}" .\n' for i in range(400_000)), None, "more statements than")
    return made


@pytest.fixture(scope="module")
def big_inputs(tmp_path_factory: pytest.TempPathFactory, shared_graph: Layout) -> dict[str, tuple[Path, int | None, str]]:
    import kg

    kg.open(shared_graph.root).store()  # built here: the children measure reading input, not a first build
    return _big_inputs(tmp_path_factory.mktemp("big"))


@pytest.mark.parametrize(
    "name",
    ["nul.jsonld", "long-literal.jsonld", "huge-literal.ttl", "huge-literal.jsonld", "deep.jsonld", "deep-objects.jsonld",
     "nested-blank-nodes.ttl", "blank-nodes.ttl", "blank-nodes.jsonld", "many-statements.nt"],
)
def test_bad_input_is_an_input_error_in_bounded_memory(shared_graph: Layout, big_inputs: dict, name: str) -> None:
    path, line, phrase = big_inputs[name]
    before = snapshot(shared_graph.data_dir)
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, "--data", str(shared_graph.root), "add", str(path)],
        capture_output=True, text=True, env=dict(os.environ), timeout=600, check=False,
    )
    err = proc.stderr
    assert proc.returncode == 3, err[-2000:]
    message = err.strip().splitlines()[0]
    assert message.startswith(f"kg: error: {path}") and phrase in message and "Traceback" not in err, message[:500]
    assert "(" in message  # the hint: what to do
    if line is not None:
        assert message.startswith(f"kg: error: {path}:{line}:"), message[:300]
    rss_mb = int(re.search(r"peak-kb=(\d+)", err).group(1)) / 1024
    assert rss_mb < MEMORY_BOUND_MB, f"{name}: {rss_mb:.0f} MB"
    assert snapshot(shared_graph.data_dir) == before


# ================================================================ class 5: identifiers

LOOKALIKES = [
    ("cyrillic", "\u0455tate-tj", "state-tj", "U+0455 CYRILLIC SMALL LETTER DZE"),
    ("cyrillic-j", "state-t\u0458", "state-tj", "U+0458 CYRILLIC SMALL LETTER JE"),
    ("greek", "ec\u03bf", "eco", "U+03BF GREEK SMALL LETTER OMICRON"),
    ("fullwidth", "\uff53\uff54\uff41\uff54\uff45-\uff54\uff4a", "state-tj", "FULLWIDTH LATIN SMALL LETTER S"),
    ("mixed", "t\u0430shk\u0435nt", "tashkent", "U+0430 CYRILLIC SMALL LETTER A"),
    ("capital-cyrillic", "\u0405tate-tj", "state-tj", "U+0405 CYRILLIC CAPITAL LETTER DZE"),
    ("digit-for-letter", "eco-apg-meeting-l", "eco-apg-meeting-1", "U+006C LATIN SMALL LETTER L"),
    ("rn-for-m", "eco-apg-rneeting-4", "eco-apg-meeting-4", "look-alike"),
]


@pytest.mark.parametrize(("local", "existing", "named"), [x[1:] for x in LOOKALIKES], ids=[x[0] for x in LOOKALIKES])
def test_a_new_iri_that_looks_like_an_existing_one_is_refused(shared_graph: Layout, tmp_path: Path, local: str, existing: str, named: str) -> None:
    text = PREFIXES + SOURCE + f"\n<{KGI}{local}> a kg:City ;\n    rdfs:label \"Somewhere\"@en ;\n    kg:locatedIn kgi:state-uz ;\n    prov:wasDerivedFrom kgi:src-test-report .\n"
    error = refused(shared_graph, write(tmp_path, "lookalike.ttl", text))
    assert f"looks like the existing kgi:{existing}" in error.message and named in error.message, error
    assert line_of(error) == PREFIXES.count("\n") + SOURCE.count("\n") + 2
    assert f"use kgi:{existing} if it is the same entity" in (error.hint or "")


def test_a_look_alike_used_as_an_object_is_refused_in_json_ld_too(shared_graph: Layout, tmp_path: Path) -> None:
    """The reported case: an untyped look-alike of Tajikistan given a membership."""
    doc = json.loads(city_jsonld("fine"))
    doc["@graph"][1]["kg:locatedIn"] = {"@id": "kgi:\u0455tate-tj"}
    error = refused(shared_graph, write(tmp_path, "member.jsonld", json.dumps(doc, indent=1, ensure_ascii=False)))
    assert "looks like the existing kgi:state-tj" in error.message
    assert line_of(error) == next(i for i, line in enumerate(json.dumps(doc, indent=1, ensure_ascii=False).split("\n"), 1) if "\u0455tate" in line)


def test_two_new_look_alikes_in_one_submission_are_refused(shared_graph: Layout, tmp_path: Path) -> None:
    a = write(tmp_path, "a.ttl", PREFIXES + SOURCE + city("test-city-1"))
    b = write(tmp_path, "b.ttl", PREFIXES + city("test-city-l", "Other city"))
    before = snapshot(shared_graph.data_dir)
    with pytest.raises(InputError, match="kgi:test-city-l looks like the new kgi:test-city-1") as info:
        add_files([a, b], shared_graph)
    assert str(info.value).startswith(f"{b}:")
    assert snapshot(shared_graph.data_dir) == before


@pytest.mark.parametrize(
    ("local", "problem", "suggestion"),
    [
        ("Tashkent-City", "U+0054 LATIN CAPITAL LETTER T", "tashkent-city"),
        ("test_city", "U+005F LOW LINE", "test-city"),
        ("test-city-", "a hyphen at an end", "test-city"),
        ("test---city", "more than two in a row", "test--city"),
        ("\u0442\u0435\u0441\u0442", "U+0442 CYRILLIC SMALL LETTER TE", "name"),  # no look-alike in the graph: the grammar says no
        ("caf\u00e9-city", "U+00E9 LATIN SMALL LETTER E WITH ACUTE", "cafe-city"),
        ("x" * 201, "201 characters", "x" * 200),
    ],
)
def test_iris_outside_the_grammar_are_refused(shared_graph: Layout, tmp_path: Path, local: str, problem: str, suggestion: str) -> None:
    text = PREFIXES + SOURCE + f"\n<{KGI}{local}> a kg:City ;\n    rdfs:label \"Somewhere\"@en ;\n    kg:locatedIn kgi:state-uz ;\n    prov:wasDerivedFrom kgi:src-test-report .\n"
    error = refused(shared_graph, write(tmp_path, "grammar.ttl", text))
    assert problem in error.message and f"e.g. kgi:{suggestion}" in (error.hint or ""), error
    assert line_of(error) == PREFIXES.count("\n") + SOURCE.count("\n") + 2


def _bundled_iris(layout: Layout) -> set[str]:
    found = set()
    for path in layout.graph_files():
        for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=KGI):
            found |= {t.value for t in (q.subject, q.predicate, q.object) if isinstance(t, ox.NamedNode) and t.value.startswith(KGI)}
    return found


def test_every_iri_of_the_bundled_graph_follows_the_grammar_and_none_looks_like_another() -> None:
    layout = Layout(ROOT)
    iris = _bundled_iris(layout)
    assert len(iris) > 400
    bad = sorted(i for i in iris if grammar_problem(i[len(KGI):]) is not None or not LOCAL_NAME.fullmatch(i[len(KGI):]))
    assert bad == []
    by_skeleton: dict[str, list[str]] = {}
    for i in iris:
        by_skeleton.setdefault(skeleton(i[len(KGI):]), []).append(i)
    assert [v for v in by_skeleton.values() if len(v) > 1] == []


def test_every_subject_of_the_bundled_graph_has_a_type_the_shapes_check(bundled) -> None:  # type: ignore[no-untyped-def]
    store = bundled.store().store
    covered = covered_classes(store, target_classes(bundled.layout.shapes_file))
    rdf_type = ox.NamedNode(NS["rdf"] + "type")
    subjects = {q.subject for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph()) if q.subject.value.startswith(KGI)}
    assert len(subjects) > 400
    untyped = sorted(s.value for s in subjects if not {q.object.value for q in store.quads_for_pattern(s, rdf_type, None, ox.DefaultGraph())} & covered)
    assert untyped == []


def test_the_shapes_reach_is_read_from_the_shapes() -> None:
    layout = Layout(ROOT)
    targets = target_classes(layout.shapes_file)
    assert NS["kg"] + "City" in targets and NS["org"] + "Membership" in targets and NS["kg"] + "Supersession" in targets
    assert NS["kg"] + "Meeting" in targets  # kg:MeetingShape
    assert NS["owl"] + "Class" not in targets


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("kgi:test-thing rdfs:label \"A thing\"@en ;\n    prov:wasDerivedFrom kgi:src-test-report .\n", "kgi:test-thing is new to the graph and has no rdf:type"),
        ("kgi:test-thing a owl:Class ;\n    prov:wasDerivedFrom kgi:src-test-report .\n", "has no type the shapes check (owl:Class)"),
        ("kgi:test-thing a skos:ConceptScheme ;\n    prov:wasDerivedFrom kgi:src-test-report .\n", "has no type the shapes check (skos:ConceptScheme)"),
        # the reported case: a membership pointing at an untyped new subject
        ("kgi:state-tj-2 rdfs:label \"Tajikistan\"@en ;\n    prov:wasDerivedFrom kgi:src-test-report .\n", "kgi:state-tj-2 is new to the graph"),
    ],
    ids=["untyped", "owl-class", "concept-scheme", "untyped-state"],
)
def test_a_new_subject_needs_a_type_some_shape_checks(shared_graph: Layout, tmp_path: Path, body: str, message: str) -> None:
    error = refused(shared_graph, write(tmp_path, "untyped.ttl", PREFIXES + SOURCE + "\n" + body))
    assert message in error.message and "no shape would check it" in error.message, error
    assert line_of(error) == PREFIXES.count("\n") + SOURCE.count("\n") + 2
    assert "give it its class" in (error.hint or "")


def test_an_existing_subject_may_come_without_its_type(graph_dir: Layout, tmp_path: Path) -> None:
    """kgi:tashkent is typed in the graph: a new label for it needs no type here."""
    path = write(tmp_path, "more.ttl", PREFIXES + SOURCE + "\nkgi:tashkent skos:altLabel \"Toshkent\"@uz ;\n    prov:wasDerivedFrom kgi:src-test-report .\n")
    result = add_files([path], graph_dir, dry_run=True)
    assert result.accepted and result.changed_entities == [URIRef(KGI + "tashkent")], result.report


def test_a_look_alike_label_of_the_same_type_is_noted(graph_dir: Layout, tmp_path: Path) -> None:
    cases = {
        "cyrillic": ("test-city-a", "T\u0430shkent", "U+0430 CYRILLIC SMALL LETTER A"),
        "capitals": ("test-city-b", "TASHKENT", "looks like 'Tashkent'@en of kgi:tashkent"),
        "fullwidth": ("test-city-c", "\uff34\uff41\uff53\uff48\uff4b\uff45\uff4e\uff54", "FULLWIDTH"),
    }
    for key, (local, label, detail) in cases.items():
        path = write(tmp_path, f"{key}.ttl", PREFIXES + SOURCE + city(local, label))
        result = add_files([path], graph_dir, dry_run=True)
        assert result.accepted, key
        notes = [n for n in result.notes if f"kgi:{local} may duplicate kgi:tashkent" in n]
        assert len(notes) == 1 and detail in notes[0] and "same type kg:City" in notes[0], (key, result.notes)


def test_a_label_is_compared_with_entities_of_its_type_only_and_exact_twins_are_noted_once(graph_dir: Layout, tmp_path: Path) -> None:
    # a person named like a city is no duplicate of the city
    person = write(tmp_path, "person.ttl", PREFIXES + SOURCE + """
kgi:test-person a kg:Person ;
    rdfs:label "T\u0430shkent"@en ;
    prov:wasDerivedFrom kgi:src-test-report .
""")
    result = add_files([person], graph_dir, dry_run=True)
    assert not [n for n in result.notes if "kgi:tashkent" in n], result.notes
    # the exact twin: possible_duplicates' note, not a second one
    twin = write(tmp_path, "twin.ttl", PREFIXES + SOURCE + city("tashkent-city", "Tashkent"))
    notes = [n for n in add_files([twin], graph_dir, dry_run=True).notes if "kgi:tashkent-city may duplicate kgi:tashkent" in n]
    assert len(notes) == 1, notes


def test_indexes_are_built_once_per_submission(graph_dir: Layout, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Forty new cities cost one scan of the existing IRIs and one label index of kg:City,
    not one per city (the graph must scale to 10^5 entities)."""
    calls = {"iris": 0, "labels": 0}
    iris, labels = kg.identifiers.existing_local_names, kg.identifiers._label_index

    def count_iris(store):  # type: ignore[no-untyped-def]
        calls["iris"] += 1
        return iris(store)

    def count_labels(store, rdf_class):  # type: ignore[no-untyped-def]
        calls["labels"] += 1
        return labels(store, rdf_class)

    monkeypatch.setattr(kg.identifiers, "existing_local_names", count_iris)
    monkeypatch.setattr(kg.identifiers, "_label_index", count_labels)
    body = "".join(city(f"test-city-{i}-x", f"Test city {i}") for i in range(40))
    result = add_files([write(tmp_path, "many.ttl", PREFIXES + SOURCE + body)], graph_dir, dry_run=True)
    assert result.accepted and len(result.new_entities) == 41
    assert calls == {"iris": 1, "labels": 1}


HOMOGLYPHS = {"a": "\u0430", "c": "\u0441", "e": "\u0435", "i": "\u0456", "j": "\u0458", "o": "\u043e", "p": "\u0440", "s": "\u0455", "x": "\u0445", "y": "\u0443"}


@settings(max_examples=40, deadline=None, database=None)
@given(data=st.data())
def test_any_homoglyph_of_an_existing_iri_has_its_skeleton(data: st.DataObject) -> None:
    """Cyrillic look-alikes put anywhere into any IRI of the graph: the skeleton (what the
    check compares) is that of the original, and the grammar refuses it as well."""
    layout = Layout(ROOT)
    iris = sorted(_bundled_iris(layout))
    original = data.draw(st.sampled_from([i[len(KGI):] for i in iris if set(i[len(KGI):]) & set(HOMOGLYPHS)]))
    positions = [n for n, c in enumerate(original) if c in HOMOGLYPHS]
    chosen = data.draw(st.sets(st.sampled_from(positions), min_size=1))
    spoof = "".join(HOMOGLYPHS[c] if n in chosen else c for n, c in enumerate(original))
    assert skeleton(spoof) == skeleton(original)
    assert grammar_problem(spoof) is not None


def test_literal_helpers_agree_with_each_other() -> None:
    """The test's own encoders: Turtle and JSON-LD of a value parse to that value."""
    for value in ["plain", 'q"uote\\', "a\nb\r\n", "\u2028\x85", "\U0001f600"]:
        for escape_all in (False, True):
            g = Graph().parse(data=city_turtle(value, escape_all=escape_all), format="turtle")
            assert str(g.value(URIRef(KGI + "test-city"), URIRef(NS["dcterms"] + "description"))) == value
            j = [q for q in ox.parse(city_jsonld(value, escape_all=escape_all), format=ox.RdfFormat.JSON_LD, base_iri=KGI) if q.predicate.value.endswith("description")]
            assert j[0].object.value == value
