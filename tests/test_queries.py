"""The stored-query catalog: every bundled query's header is well formed, malformed headers
are reported at the right line, names never become paths, and parameters are typed.

Each file in tests/fixtures/queries/ breaks one rule; MALFORMED below gives the line the
error must point at and a fragment of its message, reviewed by hand against the file.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal, URIRef, Variable
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.algebra import traverse

import kg.rdf.parse  # noqa: F401 - turns rdflib's literal normalisation off before the Literals below are built, whatever ran first
from kg.errors import EXIT_INPUT, EXIT_USAGE, QueryError, UsageError
from kg.rdf.convert import to_rdflib
from kg.sparql.catalog import (
    NAME_RE,
    PARAM_TYPES,
    Param,
    QueryCatalog,
    StoredQuery,
    parse_stored_query,
    to_term,
)

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "queries"
BUNDLED = sorted(QUERIES.glob("*.rq"))
MALFORMED_DIR = ROOT / "tests" / "fixtures" / "queries"
KGI = "https://w3id.org/jckg/id/"
KGC = "https://w3id.org/jckg/concept/"
# a plain string: pytest probes module attributes, and rdflib's XSD namespace warns on that
XSD_NS = "http://www.w3.org/2001/XMLSchema#"

#: fixture file -> (line the error points at, fragment of the message)
MALFORMED: dict[str, tuple[int, str]] = {
    "bad-yaml.rq": (8, "started on line 7"),
    "colon-in-value.rq": (6, "mapping values are not allowed"),
    "duplicate-param.rq": (6, "duplicate key 'place'"),
    "missing-summary.rq": (1, "no 'summary'"),
    "unknown-key.rq": (3, "unknown header key 'author'"),
    "returns-mismatch.rq": (5, "the SELECT projects event, status"),
    "unknown-param-type.rq": (5, "type 'uri'"),
    "param-not-used.rq": (7, "parameter 'city' is not used"),
    "default-not-in-enum.rq": (6, "not in its enum"),
    "insert-update.rq": (8, "stored queries must be read-only"),
    "bad-default-date.rq": (8, "expects a date (YYYY-MM-DD), got '2024-13-45'"),
    "example-wrong-name.rq": (5, "must start with 'kg query example-wrong-name'"),
    "example-bad-param.rq": (8, "unknown parameter 'asof'"),
    "header-gap.rq": (4, "after the header has ended"),
}

INJECTION = 'x" } ; DROP ALL ; #'


def write_query(directory: Path, name: str, header: str, body: str) -> Path:
    """Write a stored query whose header lines are given without the '#+ ' prefix."""
    lines = [f"#+ {line}".rstrip() for line in header.strip("\n").splitlines()]
    path = directory / f"{name}.rq"
    path.write_text("\n".join(lines) + "\n\n" + body.strip() + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def catalog() -> QueryCatalog:
    return QueryCatalog(QUERIES)


@pytest.fixture
def events_query(tmp_path: Path) -> StoredQuery:
    """A query with one required, one defaulted and one enum parameter."""
    path = write_query(
        tmp_path,
        "events",
        """
summary: Events
params:
  event:
    type: iri
    description: The event
  asOf:
    type: date
    default: "2025-01-01"
    description: A date
  status:
    type: iri
    enum: [kgc:held, kgc:scheduled]
    default: kgc:held
    description: A status
  limit:
    type: integer
    enum: ["1", "2"]
    default: "1"
    description: A count
returns:
  start: The start
example: kg query events -p event kgi:eco-apg-meeting-4
""",
        """
PREFIX kg: <https://w3id.org/jckg/ontology#>
PREFIX schema: <https://schema.org/>
SELECT ?start WHERE {
  ?event kg:eventStatus ?status ; schema:startDate ?start ; kg:ordinal ?limit .
  FILTER(?start >= ?asOf)
}
""",
    )
    return parse_stored_query(path)


# ------------------------------------------------------------------- bundled queries


def test_there_are_bundled_queries() -> None:
    assert len(BUNDLED) >= 20


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_bundled_query_parses(path: Path) -> None:
    query = parse_stored_query(path)
    assert query.name == path.stem
    assert NAME_RE.fullmatch(query.name)
    assert query.path == path
    assert query.summary and "\n" not in query.summary
    assert query.example.startswith(f"kg query {query.name}")
    assert query.inference in ("none", "rdfs", "owlrl")
    assert query.text == path.read_text(encoding="utf-8")
    assert all(p.type in PARAM_TYPES for p in query.params.values())
    # every parameter has a default that binds, so the query runs without -p
    if all(not p.required for p in query.params.values()):
        assert set(query.bind({})) == set(query.params)


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_bundled_query_agrees_with_rdflib(path: Path) -> None:
    """The catalog's light scanner finds the same form and projection as rdflib's parser."""
    query = parse_stored_query(path)
    algebra = prepareQuery(query.text).algebra
    assert algebra.name == f"{query.form.capitalize()}Query"
    if query.form == "SELECT":
        assert list(query.returns) == [str(v) for v in algebra["PV"]]
    used: set[str] = set()

    def collect(node: object) -> None:
        if isinstance(node, Variable):
            used.add(str(node))

    traverse(algebra, visitPre=collect)
    assert set(query.params) <= used


def test_names_match_files_and_are_sorted(catalog: QueryCatalog) -> None:
    names = catalog.names()
    assert names == sorted(names)
    assert names == sorted(p.stem for p in BUNDLED)
    assert [q.name for q in catalog.all()] == names


def test_get_is_cached(catalog: QueryCatalog) -> None:
    assert catalog.get("delegations-at-meeting") is catalog.get("delegations-at-meeting")


def test_with_tag(catalog: QueryCatalog) -> None:
    tagged = catalog.with_tag("modality")
    assert tagged and all("modality" in q.tags for q in tagged)
    assert "instruments-by-status" in {q.name for q in tagged}
    assert catalog.with_tag("no-such-tag") == []


def test_names_skip_files_that_break_the_naming_rule(tmp_path: Path) -> None:
    for stem in ("good-one", "Bad", "under_score"):
        write_query(tmp_path, stem, "summary: S\nexample: kg query x", "ASK { ?s ?p ?o }")
    (tmp_path / "notes.txt").write_text("not a query", encoding="utf-8")
    assert QueryCatalog(tmp_path).names() == ["good-one"]


def test_missing_directory_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        QueryCatalog(tmp_path / "nowhere").names()


# ----------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    "name",
    ["../x", "/etc/passwd", "a/b", "X", "", "X.rq", "delegations-at-meeting.rq", "..",
     "a--b", "-a", "a-", "agenda-of-event\n", "a b", "a\\b"],
)
def test_path_like_names_are_rejected_before_any_file_access(
    catalog: QueryCatalog, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    touched: list[tuple[str, object]] = []

    def spy(method: str):
        def record(self: Path, *args: object, **kwargs: object) -> None:
            touched.append((method, self))
            raise AssertionError(f"Path.{method} called on {self} for name {name!r}")

        return record

    with monkeypatch.context() as patch:
        for method in ("read_text", "read_bytes", "open", "exists", "is_file", "stat",
                       "glob", "iterdir", "__truediv__", "joinpath"):
            patch.setattr(Path, method, spy(method))
        with pytest.raises(UsageError) as err:
            catalog.get(name)
    assert touched == []
    assert "is not a stored query name (lower-case words joined by '-')" in str(err.value)
    assert err.value.exit_code == EXIT_USAGE


def test_unknown_name_suggests_close_matches(catalog: QueryCatalog) -> None:
    with pytest.raises(UsageError) as err:
        catalog.get("delegation-at-meeting")
    text = str(err.value)
    assert "did you mean: delegations-at-meeting" in text
    assert "run `kg queries` to list them" in text


def test_unknown_name_without_close_match(catalog: QueryCatalog) -> None:
    with pytest.raises(UsageError) as err:
        catalog.get("zzzz-qqqq")
    assert "did you mean" not in str(err.value)
    assert "kg queries" in str(err.value)


# ------------------------------------------------------------------- malformed headers


def test_every_malformed_fixture_is_listed() -> None:
    assert sorted(p.name for p in MALFORMED_DIR.glob("*.rq")) == sorted(MALFORMED)


@pytest.mark.parametrize("fixture", sorted(MALFORMED))
def test_malformed_header_is_located(fixture: str) -> None:
    line, fragment = MALFORMED[fixture]
    path = MALFORMED_DIR / fixture
    with pytest.raises(QueryError) as err:
        parse_stored_query(path)
    assert err.value.location == f"{path}:{line}"
    assert fragment in err.value.message
    assert err.value.exit_code == EXIT_INPUT


def test_catalog_get_reports_malformed_query(tmp_path: Path) -> None:
    write_query(tmp_path, "broken", "summary: S\nexample: kg query broken", "DELETE WHERE { ?s ?p ?o }")
    with pytest.raises(QueryError, match="read-only"):
        QueryCatalog(tmp_path).get("broken")


@pytest.mark.parametrize(
    ("header", "body", "line", "fragment"),
    [
        # no header at all
        (None, "SELECT ?s WHERE { ?s ?p ?o }", 1, "no '#+' header"),
        # summary spread over lines
        ("summary: |\n  one\n  two\nexample: kg query q", "ASK { ?s ?p ?o }", 1, "one line"),
        ("summary: S\nexample: kg query q\ninference: full", "ASK { ?s ?p ?o }", 3, "'inference'"),
        ("summary: S\nexample: kg query q\ntags: meetings", "ASK { ?s ?p ?o }", 3, "'tags'"),
        ("summary: S\nexample: kg query q\nreturns:\n  s: S", "ASK { ?s ?p ?o }", 3, "ASK query"),
        ("summary: S\nexample: kg query q", "SELECT ?s WHERE { ?s ?p ?o }", 1, "needs 'returns'"),
        ("summary: S\nexample: kg query q", "PREFIX kg: <https://w3id.org/jckg/ontology#>", 1,
         "no SPARQL query"),
        ("summary: S\nexample: kg query q", "LOAD <https://example.org/data.ttl>", 4, "read-only"),
        ("summary: S\nexample: kg query q", "WITH <https://example.org/g> DELETE { ?s ?p ?o } "
         "WHERE { ?s ?p ?o }", 4, "read-only"),
        ("summary: S\nexample: kg query q\nparams:\n  x:\n    type: iri\n"
         "    description: X\n    colour: red", "ASK { ?x ?p ?o }", 7, "unknown key 'colour'"),
        ("summary: S\nexample: kg query q\nparams:\n  x:\n    type: iri", "ASK { ?x ?p ?o }", 4,
         "needs a description"),
        ("summary: S\nexample: kg query q\nparams:\n  x:\n    type: integer\n    description: X\n"
         "    default: twelve", "ASK { ?x ?p ?o }", 7, "expects an integer"),
        ("summary: S\nexample: kg query q\nparams:\n  x:\n    type: iri\n    description: X\n"
         "    enum: [kgi:a, 'nope nope']", "ASK { ?x ?p ?o }", 7, "enum value"),
        ("summary: S\nexample: kg query q\nparams:\n  x-y:\n    type: iri\n    description: X",
         "ASK { ?x ?p ?o }", 4, "not a SPARQL variable name"),
        # a required parameter the example does not pass: the example would not run
        ("summary: S\nexample: kg query q\nparams:\n  x:\n    type: iri\n    description: X",
         "ASK { ?x ?p ?o }", 2, "missing parameter 'x'"),
        ("summary: S\nexample: kg query q\nexample: kg query q", "ASK { ?s ?p ?o }", 3, "duplicate key"),
        ("summary: S\nexample: kg query q\n  bad: indent", "ASK { ?s ?p ?o }", 3, "not valid YAML"),
        ("summary: S\nexample: kg query q 'unclosed", "ASK { ?s ?p ?o }", 2, "not a valid command line"),
    ],
)
def test_header_rules(tmp_path: Path, header: str | None, body: str, line: int, fragment: str) -> None:
    path = tmp_path / "q.rq"
    if header is None:
        path.write_text(body + "\n", encoding="utf-8")
    else:
        path = write_query(tmp_path, "q", header, body)
    with pytest.raises(QueryError) as err:
        parse_stored_query(path)
    assert err.value.location == f"{path}:{line}"
    assert fragment in err.value.message


def test_header_prefix_needs_a_space(tmp_path: Path) -> None:
    path = tmp_path / "q.rq"
    path.write_text("#+ summary: S\n#+example: kg query q\n\nASK { ?s ?p ?o }\n", encoding="utf-8")
    with pytest.raises(QueryError) as err:
        parse_stored_query(path)
    assert err.value.location == f"{path}:2"


def test_not_utf8_is_located(tmp_path: Path) -> None:
    path = tmp_path / "q.rq"
    path.write_bytes(b"#+ summary: S\n#+ example: kg query q\n#+ description: caf\xe9\n\nASK {}\n")
    with pytest.raises(QueryError) as err:
        parse_stored_query(path)
    assert err.value.location == f"{path}:3"


def test_file_name_must_be_a_query_name(tmp_path: Path) -> None:
    path = write_query(tmp_path, "Bad_Name", "summary: S\nexample: kg query Bad_Name", "ASK { ?s ?p ?o }")
    with pytest.raises(QueryError, match="not a stored query file name"):
        parse_stored_query(path)


# ------------------------------------------------------------------ forms and projection


@pytest.mark.parametrize(
    ("select", "returns"),
    [
        ("SELECT DISTINCT ?a ?b (COUNT(?x) AS ?n)", ["a", "b", "n"]),
        ("select reduced $a (CONCAT(\"(#\", STR(?b), \")\") as ?label)", ["a", "label"]),
        ("SELECT ?a (IF(?b < 3, \"AS ?z\", ?c) AS ?d) ?b", ["a", "d", "b"]),
        ("SELECT ?a ?b\nFROM <https://example.org/g>", ["a", "b"]),
        ("SELECT ?a ?b # ?c is not projected", ["a", "b"]),
    ],
)
def test_projection(tmp_path: Path, select: str, returns: list[str]) -> None:
    header = "summary: S\nexample: kg query q\nreturns:\n" + "".join(f"  {v}: V\n" for v in returns)
    body = (
        "PREFIX kg: <https://w3id.org/jckg/ontology#>\n"
        f"{select}\nWHERE {{ ?a kg:p ?b . ?b kg:q ?c . ?c kg:r ?x }} GROUP BY ?a ?b"
    )
    query = parse_stored_query(write_query(tmp_path, "q", header, body))
    assert list(query.returns) == returns
    assert query.form == "SELECT"


def test_projection_of_outer_select_with_subquery(tmp_path: Path) -> None:
    header = "summary: S\nexample: kg query q\nreturns:\n  g: G\n  n: N"
    body = (
        "SELECT ?g (MAX(?m) AS ?n) {\n"
        "  { SELECT ?g (COUNT(*) AS ?m) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g }\n"
        "} GROUP BY ?g"
    )
    query = parse_stored_query(write_query(tmp_path, "q", header, body))
    assert list(query.returns) == ["g", "n"]


def test_select_star_needs_returns_but_is_not_checked(tmp_path: Path) -> None:
    header = "summary: S\nexample: kg query q\nreturns:\n  anything: Whatever"
    query = parse_stored_query(write_query(tmp_path, "q", header, "SELECT * WHERE { ?s ?p ?o }"))
    assert query.returns == {"anything": "Whatever"}


@pytest.mark.parametrize(
    ("body", "form"),
    [
        ("ASK { ?s ?p ?o }", "ASK"),
        ("BASE <https://w3id.org/jckg/>\nPREFIX : <https://w3id.org/jckg/id/>\n"
         "construct { ?s ?p ?o } WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("# leading comment\nDESCRIBE <https://w3id.org/jckg/id/sco>", "DESCRIBE"),
    ],
)
def test_forms(tmp_path: Path, body: str, form: str) -> None:
    query = parse_stored_query(write_query(tmp_path, "q", "summary: S\nexample: kg query q", body))
    assert query.form == form
    assert query.returns == {}
    assert query.params == {}
    assert query.inference == "none"
    assert query.tags == ()
    assert query.description == ""


# ----------------------------------------------------------------------------- to_term


@pytest.mark.parametrize(
    ("value", "type_", "expected"),
    [
        ("kgi:state-tj", "iri", URIRef(KGI + "state-tj")),
        ("<https://w3id.org/jckg/id/state-tj>", "iri", URIRef(KGI + "state-tj")),
        ("https://w3id.org/jckg/id/state-tj", "iri", URIRef(KGI + "state-tj")),
        ("http://www.wikidata.org/entity/Q863", "iri", URIRef("http://www.wikidata.org/entity/Q863")),
        ("kgi:eco-apg-meeting-4", "iri", URIRef(KGI + "eco-apg-meeting-4")),
        ("Dushanbe", "string", Literal("Dushanbe")),
        ("", "string", Literal("")),
        ("42", "integer", Literal(42)),
        ("-7", "integer", Literal(-7)),
        ("+3", "integer", Literal(3)),
        ("007", "integer", Literal(7)),
        ("-0", "integer", Literal(0)),
        ("3.14", "decimal", Literal("3.14", datatype=XSD_NS + "decimal")),
        ("-.5", "decimal", Literal("-.5", datatype=XSD_NS + "decimal")),
        ("10", "decimal", Literal("10", datatype=XSD_NS + "decimal")),
        ("true", "boolean", Literal(True)),
        ("1", "boolean", Literal(True)),
        ("false", "boolean", Literal(False)),
        ("0", "boolean", Literal(False)),
        ("2024-02-29", "date", Literal("2024-02-29", datatype=XSD_NS + "date")),
        ("2024-05-17T09:30:00", "dateTime", Literal("2024-05-17T09:30:00", datatype=XSD_NS + "dateTime")),
        ("2024-05-17T09:30:00Z", "dateTime", Literal("2024-05-17T09:30:00Z", datatype=XSD_NS + "dateTime")),
        ("2024-05-17T09:30:00.1234567+05:00", "dateTime",
         Literal("2024-05-17T09:30:00.1234567+05:00", datatype=XSD_NS + "dateTime")),
    ],
)
def test_to_term(value: str, type_: str, expected: object) -> None:
    term = to_rdflib(to_term(value, type_, param="x"))  # pyoxigraph term, compared as rdflib's
    assert type(term) is type(expected)
    if isinstance(expected, Literal):
        # compared as written: Literal equality depends on rdflib's global normalisation
        # switch, which kg.rdf.parse turns off when any test imports it
        assert (str(term), term.datatype, term.language) == (str(expected), expected.datatype, expected.language)
    else:
        assert term == expected


def test_string_keeps_sparql_syntax_as_a_literal() -> None:
    term = to_rdflib(to_term(INJECTION, "string", param="x"))
    assert isinstance(term, Literal)
    assert str(term) == INJECTION
    assert term.datatype is None and term.language is None


@pytest.mark.parametrize(
    "value",
    [INJECTION, "kgi:a b", "<https://w3id.org/jckg/id/a> . ?s ?p ?o", "<kgi:x>", "state-tj",
     "https://w3id.org/jckg/id/a{b}", "https://w3id.org/jckg/id/a\"b", "https://exa mple.org/",
     "ftp://example.org/x", "kgi:", "kgi:a>", "<https://w3id.org/jckg/id/a>>", "", " kgi:a",
     "kgi:a\n", "https://", "kgi:a|b", "kgi:a^b", "kgi:a`b", "kgi:a\\b"],
)
def test_bad_iri_is_a_usage_error(value: str) -> None:
    with pytest.raises(UsageError) as err:
        to_term(value, "iri", param="event")
    assert "expects an IRI or a prefixed name such as kgi:state-tj" in err.value.message
    assert "parameter 'event'" in err.value.message


def test_unknown_prefix_lists_known_ones() -> None:
    with pytest.raises(UsageError) as err:
        to_term("foo:bar", "iri", param="event")
    assert "unknown prefix 'foo'" in str(err.value)
    assert "kgi" in str(err.value)


@pytest.mark.parametrize(
    ("value", "type_", "fragment"),
    [
        ("2024-13-45", "date", "parameter 'x' expects a date (YYYY-MM-DD), got '2024-13-45'"),
        ("2023-02-29", "date", "expects a date"),
        ("20240101", "date", "expects a date"),
        ("2024-1-01", "date", "expects a date"),
        ("2024-01-01T00:00:00", "date", "expects a date"),
        ("٢٠٢٤-٠١-٠١", "date", "expects a date"),
        ("12a", "integer", "expects an integer"),
        ("1.0", "integer", "expects an integer"),
        ("", "integer", "expects an integer"),
        (" 1", "integer", "expects an integer"),
        ("١٢", "integer", "expects an integer"),
        ("1e3", "decimal", "expects a decimal"),
        (".", "decimal", "expects a decimal"),
        ("yes", "boolean", "expects a boolean"),
        ("True", "boolean", "expects a boolean"),
        ("2024-05-17", "dateTime", "expects a date and time"),
        ("2024-05-17T25:00:00", "dateTime", "expects a date and time"),
        ("2024-05-17 09:30:00", "dateTime", "expects a date and time"),
    ],
)
def test_ill_typed_value_is_a_usage_error(value: str, type_: str, fragment: str) -> None:
    with pytest.raises(UsageError) as err:
        to_term(value, type_, param="x")
    assert fragment in err.value.message


def test_unknown_type_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown type"):
        to_term("x", "uri", param="x")


# -------------------------------------------------------------------------------- bind


def _bind(query: StoredQuery, raw: dict) -> dict:
    return {k: to_rdflib(v) for k, v in query.bind(raw).items()}


def test_bind_applies_defaults(events_query: StoredQuery) -> None:
    bound = _bind(events_query, {"event": "kgi:eco-apg-meeting-4"})
    assert list(bound) == ["event", "asOf", "status", "limit"]
    assert bound["event"] == URIRef(KGI + "eco-apg-meeting-4")
    assert bound["asOf"] == Literal("2025-01-01", datatype=XSD_NS + "date")
    assert bound["status"] == URIRef(KGC + "held")
    assert bound["limit"] == Literal(1)


def test_bind_overrides_defaults(events_query: StoredQuery) -> None:
    bound = _bind(events_query, {"event": "kgi:e", "asOf": "2024-06-01", "status": "kgc:scheduled"})
    assert bound["asOf"] == Literal("2024-06-01", datatype=XSD_NS + "date")
    assert bound["status"] == URIRef(KGC + "scheduled")


def test_bind_missing_required(events_query: StoredQuery) -> None:
    with pytest.raises(UsageError) as err:
        events_query.bind({})
    assert err.value.message == "missing parameter 'event' (type iri): pass -p event VALUE"


def test_bind_unknown_parameter_lists_known_ones(events_query: StoredQuery) -> None:
    with pytest.raises(UsageError) as err:
        events_query.bind({"event": "kgi:e", "evnt": "kgi:e"})
    assert "'evnt'" in err.value.message
    assert "event, asOf, status, limit" in err.value.message


def test_bind_unknown_parameter_for_query_without_parameters(catalog: QueryCatalog) -> None:
    with pytest.raises(UsageError, match="its parameters: none"):
        catalog.get("initiatives").bind({"x": "1"})


def test_bind_ill_typed(events_query: StoredQuery) -> None:
    with pytest.raises(UsageError, match="expects a date"):
        events_query.bind({"event": "kgi:e", "asOf": "2024-13-45"})
    with pytest.raises(UsageError, match="prefixed name"):
        events_query.bind({"event": INJECTION})


def test_bind_enum_compares_iris_not_spellings(events_query: StoredQuery) -> None:
    bound = _bind(events_query, {"event": "kgi:e", "status": f"<{KGC}scheduled>"})
    assert bound["status"] == URIRef(KGC + "scheduled")
    with pytest.raises(UsageError) as err:
        events_query.bind({"event": "kgi:e", "status": "kgc:draft"})
    assert "must be one of kgc:held, kgc:scheduled" in err.value.message


def test_bind_enum_compares_raw_values_for_literals(events_query: StoredQuery) -> None:
    assert _bind(events_query, {"event": "kgi:e", "limit": "2"})["limit"] == Literal(2)
    with pytest.raises(UsageError, match="must be one of 1, 2"):
        events_query.bind({"event": "kgi:e", "limit": "02"})


def test_bind_rejects_non_string_values(events_query: StoredQuery) -> None:
    with pytest.raises(UsageError, match="as a string"):
        events_query.bind({"event": "kgi:e", "limit": 2})  # type: ignore[dict-item]


def test_param_required() -> None:
    assert Param("x", "iri", "X").required
    assert not Param("x", "iri", "X", default="kgi:a").required


def test_stored_query_is_hashable(events_query: StoredQuery) -> None:
    assert hash(events_query) == hash(events_query)


def test_yaml_typed_defaults_are_kept_as_strings(tmp_path: Path) -> None:
    header = (
        "summary: S\nexample: kg query q\nparams:\n"
        "  d:\n    type: date\n    default: 2025-01-01\n    description: D\n"
        "  b:\n    type: boolean\n    default: true\n    description: B\n"
        "  n:\n    type: integer\n    default: 7\n    description: N"
    )
    query = parse_stored_query(write_query(tmp_path, "q", header, "ASK { ?d ?b ?n }"))
    assert [p.default for p in query.params.values()] == ["2025-01-01", "true", "7"]
