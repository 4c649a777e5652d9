"""The SHACL shapes: each broken example triggers exactly its constraint, valid examples and
the bundled data conform, and the shapes file keeps its own rules.

Each file in tests/fixtures/invalid/ is validated alone, with the ontology and the
vocabularies as pySHACL's ont_graph (so sh:targetClass follows rdfs:subClassOf), without
inference. Its header lists every expected result, one line each:

    # expect: <source shape CURIE> <constraint component CURIE> <Violation|Warning>

and the report must contain exactly that set of (shape, component, severity) triples.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import RDF, BNode, Graph, Namespace, URIRef
from rdflib.namespace import OWL, RDFS, SH

ROOT = Path(__file__).resolve().parents[1]
SHAPES_FILE = ROOT / "ontology" / "shapes.ttl"
FIXTURES = ROOT / "tests" / "fixtures"
INVALID = sorted((FIXTURES / "invalid").glob("*.ttl"))
VALID = sorted((FIXTURES / "valid").glob("*.ttl"))
KG = Namespace("https://w3id.org/jckg/ontology#")
CURIES = {"kg": str(KG), "sh": str(SH)}
EXPECT = re.compile(r"^# expect: (\S+) (\S+) (Violation|Warning)\s*$")

Triple = tuple[str, str, str]


def _curie(node: URIRef) -> str:
    for prefix, ns in CURIES.items():
        if str(node).startswith(ns):
            return f"{prefix}:{str(node)[len(ns):]}"
    return str(node)


def _expand(curie: str) -> URIRef:
    prefix, _, local = curie.partition(":")
    return URIRef(CURIES[prefix] + local)


def _expected(path: Path) -> set[Triple]:
    found = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        m = EXPECT.match(line)
        if m:
            found.add((m.group(1), m.group(2), m.group(3)))
    return found


@pytest.fixture(scope="session")
def shapes() -> Graph:
    return Graph().parse(SHAPES_FILE, format="turtle")


@pytest.fixture(scope="session")
def ontology() -> Graph:
    """The ontology and the vocabularies: every ontology/*.ttl except the shapes."""
    g = Graph()
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        if path != SHAPES_FILE:
            g.parse(path, format="turtle")
    return g


def _report(data: Graph, shapes: Graph, ontology: Graph) -> tuple[bool, set[Triple], str]:
    """Validate data together with the ontology and vocabularies.

    The ontology is in the data graph as well as in ont_graph: pySHACL copies only the
    RDFS/OWL axioms of ont_graph into the data graph, not the SKOS concepts, and the
    scheme-membership checks need the concepts' skos:inScheme."""
    # rdflib parses each SHACL-SPARQL text once instead of once per focus node; the same
    # results (test_shacl_engine.py::test_prepared_queries_change_nothing), several times faster
    from test_shacl_engine import _prepared_queries

    with _prepared_queries():
        conforms, report, text = validate(
            data + ontology,
            shacl_graph=shapes,
            ont_graph=ontology,
            inference="none",
            allow_warnings=True,
            advanced=False,
        )
    results = set()
    # top-level results only: nested results of sh:node/sh:or appear as sh:detail
    for r in report.objects(None, SH.result):
        severity = report.value(r, SH.resultSeverity)
        results.add(
            (
                _curie(report.value(r, SH.sourceShape)),
                _curie(report.value(r, SH.sourceConstraintComponent)),
                str(severity)[len(str(SH)) :],
            )
        )
    return conforms, results, text


def _brief(answer) -> tuple[bool, set[Triple], str]:
    """A shared pySHACL run (test_shacl_engine.Answer) as ``_report`` gives it."""
    def curie(nt: str) -> str:
        return _curie(URIRef(nt[1:-1])) if nt.startswith("<") else nt

    results = {(curie(shape), curie(component), severity[1:-1][len(str(SH)) :])
               for _, _, _, shape, component, severity in answer.keys}
    return answer.conforms, results, answer.text


# ---------------------------------------------------------------- examples


#: Every key statement must cite its passage (a kg:Attribution). An example written to
#: break one other rule leaves its dates, statuses and topics unattributed for brevity:
#: those results are checked only in the examples that expect one.
ATTRIBUTION_RULE = "kg:AttributedStatementShape-"


def under_test(results: set[Triple], expected: set[Triple]) -> set[Triple]:
    """``results`` without the attribution rule's, unless ``expected`` is about it."""
    if any(s.startswith(ATTRIBUTION_RULE) for s, _, _ in expected):
        return results
    return {r for r in results if not r[0].startswith(ATTRIBUTION_RULE)}


# pySHACL runs once per example for this module and tests/test_shacl_engine.py (its
# example_reference, in the example's xdist group)
from test_shacl_engine import example_params, example_reference  # noqa: E402


@pytest.mark.slow
@pytest.mark.parametrize("path", example_params(INVALID, lambda p: p.stem))
def test_invalid_example_reports_exactly_what_it_expects(path: Path) -> None:
    expected = _expected(path)
    assert expected, f"{path.name} has no '# expect:' line"
    _, results, text = _brief(example_reference(path))
    results = under_test(results, expected)
    assert results == expected, text
    conforms = all(sev == "Warning" for _, _, sev in results)
    assert conforms == all(sev == "Warning" for _, _, sev in expected)


@pytest.mark.slow
@pytest.mark.parametrize("path", example_params(VALID, lambda p: p.stem))
def test_valid_example_has_no_results(path: Path) -> None:
    conforms, results, text = _brief(example_reference(path))
    assert conforms and results == set(), text


def test_there_are_examples() -> None:
    assert len(INVALID) >= 100 and len(VALID) >= 2


@pytest.mark.slow
def test_subclass_instances_are_targeted(shapes: Graph, ontology: Graph) -> None:
    """sh:targetClass kg:Event reaches a kg:CourtesyCall through rdfs:subClassOf in the
    ontology, without RDFS inference."""
    data = Graph().parse(
        data="""
        @prefix kg: <https://w3id.org/jckg/ontology#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <https://w3id.org/jckg/id/call> a kg:CourtesyCall ; rdfs:label "A call"@en .
        """,
        format="turtle",
    )
    _, results, _ = _report(data, shapes, ontology)
    assert ("kg:EventShape-eventStatus", "sh:MinCountConstraintComponent", "Violation") in results
    assert ("kg:ProvenanceShape-wasDerivedFrom", "sh:MinCountConstraintComponent", "Violation") in results


# ---------------------------------------------------------------- the bundled data


@pytest.mark.slow
@pytest.mark.xdist_group("bundled-pyshacl")
def test_bundled_data_conforms() -> None:
    """The union of ontology/*.ttl (except the shapes) and data/*.ttl has no violation;
    warnings (a source without a publication date, ...) are allowed."""
    from test_shacl_engine import _reference_inputs, bundled_reference

    from kg.layout import Layout
    from kg.reference.load import load_dataset, union_graph

    data = union_graph(load_dataset(Layout(ROOT)))  # the current view: what later sources superseded is out
    # pySHACL's run on the same statements (data + ontology), shared with test_shacl_engine.py
    reference_data, answer = bundled_reference()
    assert set(data) == set(reference_data) | set(_reference_inputs()[1])
    conforms, results, text = _brief(answer)
    assert conforms, text
    assert {sev for _, _, sev in results} <= {"Warning"}


# ---------------------------------------------------------------- the shapes file itself


def _constraint_shapes(shapes: Graph) -> set[URIRef]:
    """The shapes that can be the source shape of a result: targeted node shapes with
    constraints of their own, and the property shapes of targeted node shapes."""
    targets = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)
    targeted = {s for t in targets for s in shapes.subjects(t, None)}
    own = (SH.nodeKind, SH.pattern, SH["class"], SH.datatype, SH["in"], SH["or"], SH.sparql)
    found = {s for s in targeted if any((s, p, None) in shapes for p in own)}
    for s in targeted:
        found |= set(shapes.objects(s, SH.property))
    return found


def test_every_constraint_has_a_broken_example(shapes: Graph) -> None:
    covered = {_expand(shape) for path in INVALID for shape, _, _ in _expected(path)}
    missing = sorted(_curie(s) for s in _constraint_shapes(shapes) - covered)
    assert missing == []


def test_every_expected_shape_exists(shapes: Graph) -> None:
    unknown = sorted(
        (path.name, shape)
        for path in INVALID
        for shape, _, _ in _expected(path)
        if (_expand(shape), None, None) not in shapes
    )
    assert unknown == []


def test_every_constraint_has_a_message_and_a_severity(shapes: Graph) -> None:
    lacking = []
    for s in _constraint_shapes(shapes):
        sparql = list(shapes.objects(s, SH.sparql))
        with_message = sparql if sparql else [s]
        if any(shapes.value(n, SH.message) is None for n in with_message):
            lacking.append((_curie(s), "sh:message"))
        if shapes.value(s, SH.severity) not in (SH.Violation, SH.Warning):
            lacking.append((_curie(s), "sh:severity"))
    assert sorted(lacking) == []


def test_shapes_have_iris_and_the_only_blank_nodes_are_lists(shapes: Graph) -> None:
    list_nodes = {n for n in shapes.all_nodes() if isinstance(n, BNode) and (n, RDF.first, None) in shapes}
    stray = [t for t in shapes if any(isinstance(x, BNode) and x not in list_nodes for x in t)]
    assert stray == []


def test_every_class_of_the_ontology_is_targeted(shapes: Graph, ontology: Graph) -> None:
    """Each class is the target of a shape, itself or through a superclass."""
    targeted = set(shapes.objects(None, SH.targetClass))
    untargeted = [
        _curie(c)
        for c in ontology.subjects(RDF.type, OWL.Class)
        if str(c).startswith(str(KG)) and not targeted & set(ontology.transitive_objects(c, RDFS.subClassOf))
    ]
    assert sorted(untargeted) == []


def test_sparql_constraints_avoid_year_function(shapes: Graph) -> None:
    """rdflib's YEAR() raises on an ill-typed date such as "2024-13-45"^^xsd:date and
    aborts the whole validation: the queries compare years from the lexical form."""
    queries = [str(q) for q in shapes.objects(None, SH.select)]
    assert queries
    assert [q for q in queries if re.search(r"\bYEAR\s*\(", q, flags=re.IGNORECASE)] == []
