"""The shortcuts a first-seen request takes (kg serve's workers) give what the long way gives:
the per-version class hierarchy and the page kinds, notes and statements read from it,
the query form read from the first token, the memoised CURIEs."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

import kg
from kg.describe import describe, notes_on
from kg.history import attributions
from kg.namespaces import PREFIXES, _shorten, curie
from kg.sparql.tokens import first_query_token, query_tokens
from kg.views import _Page, _superclasses, entity_page, page_kind

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def graph():
    return kg.open(ROOT)


@pytest.fixture(scope="module")
def subjects(graph):
    store = graph.store().store
    found = sorted({q.subject.value for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())
                    if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(PREFIXES["kgi"])})
    assert len(found) > 500
    # every kind of entity, and every 7th of the rest: the whole graph would take minutes
    return [ox.NamedNode(s) for s in found[::7]]


def test_superclasses_are_the_property_path(graph):
    store = graph.store().store
    above = _superclasses(store)
    assert above, "the ontology has subclasses"
    for cls, found in above.items():
        path = {r["c"].value for r in store.query(f"SELECT ?c WHERE {{ <{cls}> <{PREFIXES['rdfs']}subClassOf>* ?c }}")
                if isinstance(r["c"], ox.NamedNode)}
        assert found == path, cls


def test_page_kind_and_notes_from_the_remembered_classes(graph, subjects):
    gs = graph.store()
    store = gs.store
    page = _Page(graph, gs, "en")
    kinds = set()
    for e in subjects:
        classes = page.classes(e)
        kind = page_kind(store, e, classes)
        assert kind == page_kind(store, e), e
        assert notes_on(store, e, classes) == notes_on(store, e), e
        kinds.add(kind.name)
    # the sample covers the kinds whose shortcuts differ: events (the notes), posts and people (tenures)
    assert {"meeting", "state", "post", "person", "section"} <= kinds


def test_current_and_passages_as_the_store_says(graph, subjects):
    store = graph.store().store
    checked = 0
    for e in subjects:
        d = describe(store, e)
        passages = attributions(store, e)
        for s in d.outgoing:
            union = next(iter(store.quads_for_pattern(s.subject, s.predicate, s.object, ox.DefaultGraph())), None)
            assert s.current == (union is not None), (e, s)
            assert list(s.evidence) == [(x.source, x.quote) for x in passages.get((s.predicate.value, str(s.object)), ())]
            checked += bool(s.evidence)
    assert checked, "some statement of the sample has a passage"


def test_a_retired_statement_is_shown_with_its_record(graph):
    # a statement a later source superseded: its page names the record that retired it
    store = graph.store().store
    from kg.history import supersessions

    records = supersessions(store)
    assert records
    r = records[0]
    data = entity_page(graph, r.triple.subject.value)
    shown = [v for g in data["statements"] if g["property"]["iri"] == r.triple.predicate.value for v in g["values"] if v["superseded"]]
    assert shown and not shown[0]["current"]


def test_first_token_is_the_first_of_the_query_tokens(graph):
    texts = [q.text for q in graph.queries()] + [
        "", "   ", "# only a comment", "PREFIX a: <x>", "BASE <x>", "PREFIX a: <x> BASE <y> ASK {}",
        "PREFIX a: b SELECT * {}", "BASE SELECT", "prefix ex: <http://e/> construct where { ?s ?p ?o }",
    ]
    for text in texts:
        found = query_tokens(text)
        assert first_query_token(text) == (found[0] if found else None), text


def test_curie_memo_is_the_scan():
    for iri in (PREFIXES["kgi"] + "eco", PREFIXES["kg"] + "Event", "http://example.org/x", PREFIXES["rdfs"] + "label"):
        assert curie(iri) == _shorten(iri, PREFIXES)
    assert curie("http://example.org/x", {"ex": "http://example.org/"}) == "ex:x"
