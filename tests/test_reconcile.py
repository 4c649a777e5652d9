"""The W3C Reconciliation Service API 0.2 at ``/reconcile`` (``kg.web.reconcile``): the
manifest, query batches in several languages, spellings and types, property boosts,
malformed batches, previews, the suggest services, and the stored-query forms' IRI
fields that use them.

The application runs in this process (werkzeug's test client over ``App``, its worker
operations run here), over the session's store; one test goes through the shared real
``kg serve`` of ``conftest`` to see the same answers cross a worker process. Every JSON
answer is checked against the specification's own JSON Schemas (``reconcile-schemas``).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import ROOT, InProcessPool, graph_copy
from werkzeug.test import Client

from kg.namespaces import PREFIXES
from kg.web import reconcile
from kg.web.app import App, Settings

KG, KGI, SKOS = PREFIXES["kg"], PREFIXES["kgi"], PREFIXES["skos"]
BASE = "https://graph.example.org/kg"
SCHEMAS = Path(__file__).parent / "reconcile-schemas"
SPOOF = "evil.example:6666"
EVENT_TYPES = {KG + c for c in ("Event", "Meeting", "Summit", "ConferenceSession", "SideEvent", "BilateralMeeting", "CourtesyCall")}


# ---------------------------------------------------------------- the specification's schemas


@pytest.fixture(scope="module")
def schemas():
    """name -> a Draft 7 validator of the vendored schema (``type.json`` resolvable by ``$id``)."""
    from jsonschema import Draft7Validator
    from referencing import Registry
    from referencing.jsonschema import DRAFT7

    loaded = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in SCHEMAS.glob("*.json")}
    registry = Registry().with_resources((s["$id"], DRAFT7.create_resource(s)) for s in loaded.values())
    for s in loaded.values():
        Draft7Validator.check_schema(s)
    return {name: Draft7Validator(s, registry=registry) for name, s in loaded.items()}


def valid(schemas, name: str, value) -> None:
    errors = sorted(schemas[name].iter_errors(value), key=str)
    assert not errors, f"{name}: " + "; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


def test_the_vendored_schemas_catch_what_they_should(schemas):
    """The schemas bite: a result without an id, a manifest without versions, a type without a name."""
    assert not schemas["reconciliation-result-batch"].is_valid({"q0": {"result": [{"name": "x", "score": 1}]}})
    assert not schemas["manifest"].is_valid({"name": "x", "identifierSpace": "a", "schemaSpace": "b"})
    assert not schemas["suggest-types-response"].is_valid({"result": [{"id": "t"}]})
    assert schemas["suggest-types-response"].is_valid({"result": [{"id": "t", "name": "T"}]})


# ---------------------------------------------------------------- the application in process


def _canned(op: str):
    return "<p></p>" if op == "reconcile_preview" else {"result": []}


def app_over(root: Path, *, run: bool = True) -> tuple[Client, InProcessPool]:
    import kg

    pool = InProcessPool(root, run=run, canned=_canned)
    return Client(App(kg.open(root), pool, Settings(base_url=BASE + "/"))), pool


@pytest.fixture(scope="module")
def client():
    return app_over(ROOT)[0]


def batch(client, queries: dict, *, method: str = "POST", status: int = 200):
    """The result batch for ``queries`` (sent as the spec says: a form field, or the URL)."""
    text = json.dumps(queries, ensure_ascii=False)
    if method == "POST":
        r = client.post("/reconcile", data={"queries": text}, headers={"Accept": "application/json"})
    else:
        r = client.get("/reconcile", query_string={"queries": text}, headers={"Accept": "application/json"})
    assert r.status_code == status, r.get_data(as_text=True)[:500]
    return r.get_json()


def ids(result: dict) -> list[str]:
    return [c["id"] for c in result["result"]]


# ---------------------------------------------------------------- the manifest


def test_the_manifest(client, schemas):
    r = client.get("/reconcile", headers={"Host": SPOOF})
    assert r.status_code == 200 and r.mimetype == "application/json"
    m = r.get_json()
    valid(schemas, "manifest", m)
    assert m["versions"] == ["0.2"]
    assert m["identifierSpace"] == "https://w3id.org/jckg/id/" and m["schemaSpace"] == "https://w3id.org/jckg/ontology#"
    types = {t["id"]: t["name"] for t in m["defaultTypes"]}
    for wanted in ("State", "IntergovernmentalOrganization", "Body", "NationalAuthority", "Person", "Post", "City",
                   "MeetingFormat", "Event", "Meeting", "Instrument"):
        assert KG + wanted in types, wanted
    assert types[KG + "State"] == "state" and types[SKOS + "Concept"] == "topic"  # names from the ontology
    assert m["batchSize"] == reconcile.MAX_BATCH
    assert "evil.example" not in r.get_data(as_text=True)  # the public address, never the Host header
    assert m["view"]["url"] == BASE + "/resource?iri={{id}}"
    assert m["preview"] == {"url": BASE + "/reconcile/preview?id={{id}}", "width": reconcile.PREVIEW_WIDTH, "height": reconcile.PREVIEW_HEIGHT}
    # every template and service it names answers here
    iri = KGI + "state-tj"
    page = client.get(m["view"]["url"].replace("{{id}}", quote(iri, safe="")).removeprefix(BASE), headers={"Accept": "text/html"})
    assert page.status_code == 200 and "Tajikistan" in page.get_data(as_text=True)
    preview = client.get(m["preview"]["url"].replace("{{id}}", quote(iri, safe="")).removeprefix(BASE))
    assert preview.status_code == 200 and "Tajikistan" in preview.get_data(as_text=True)
    for kind in ("entity", "type", "property"):
        s = m["suggest"][kind]
        assert s["service_url"] == BASE
        answer = client.get(s["service_path"], query_string={"prefix": "ta"})
        assert answer.status_code == 200 and "result" in answer.get_json(), kind


# ---------------------------------------------------------------- query batches


QUERIES = {
    "en": {"query": "Tajikistan"},
    "ru": {"query": "Таджикистан"},
    "misspelt": {"query": "Tajikstan"},
    # the graph has several series, each with a 4th sitting: the series' name decides
    "meeting": {"query": "4th meeting of the Attorneys General", "type": "Meeting"},
    "event": {"query": "4th meeting of the Attorneys General", "type": ["kg:Event"]},
    "untyped": {"query": "4th meeting of the Attorneys General"},
    "city": {"query": "Tashkent", "type": KG + "City"},
    "unknown": {"query": "Zorblax Institute of Quantum Basketry"},
}


def test_a_batch_finds_names_in_any_language_spelling_and_type(client, schemas):
    got = batch(client, QUERIES)
    valid(schemas, "reconciliation-result-batch", got)
    assert set(got) == set(QUERIES)
    for key in ("en", "ru"):
        top = got[key]["result"][0]
        assert top["id"] == KGI + "state-tj" and top["name"] == "Tajikistan" and top["score"] == 100, key
        assert top["match"] is True, key
        assert {"id": KG + "State", "name": "state"} in top["type"]
        assert [c["match"] for c in got[key]["result"]].count(True) == 1, key
    misspelt = got["misspelt"]["result"]
    assert misspelt[0]["id"] == KGI + "state-tj" and 60 < misspelt[0]["score"] < 100
    assert not any(c["match"] for c in misspelt)  # close, but not exact: a person decides
    for key in ("meeting", "event"):
        result = got[key]["result"]
        assert result[0]["id"] == KGI + "eco-apg-meeting-4", key
        assert all({t["id"] for t in c["type"]} & EVENT_TYPES for c in result), key
    # the type is what kept the series (a meeting format) out
    assert KGI + "eco-apg-meeting" in ids(got["untyped"]) and KGI + "eco-apg-meeting" not in ids(got["meeting"])
    assert [(c["id"], c["match"]) for c in got["city"]["result"]] == [(KGI + "tashkent", True)]
    assert all(not c["match"] and c["score"] < 60 for c in got["unknown"]["result"])
    scores = [c["score"] for r in got.values() for c in r["result"]]
    assert all(0 <= s <= 100 for s in scores)
    for r in got.values():
        assert [c["score"] for c in r["result"]] == sorted((c["score"] for c in r["result"]), reverse=True)
    assert batch(client, QUERIES, method="GET") == got  # the URL form answers the same


def test_an_identifier_as_the_query_is_that_entity(client, schemas):
    got = batch(client, {"curie": {"query": "kgi:eco-apg-meeting-4"}, "iri": {"query": KGI + "state-uz"},
                         "outside": {"query": "kgi:eco-apg-meeting-4-delegation-kz"}, "none": {"query": "kgi:no-such-thing"}})
    valid(schemas, "reconciliation-result-batch", got)
    assert got["curie"]["result"][0]["id"] == KGI + "eco-apg-meeting-4" and got["curie"]["result"][0]["match"] is True
    assert got["iri"]["result"][0]["id"] == KGI + "state-uz" and got["iri"]["result"][0]["score"] == 100
    assert got["outside"]["result"][0]["id"] == KGI + "eco-apg-meeting-4-delegation-kz"  # not in the gazetteer, still in the graph
    assert KGI + "no-such-thing" not in ids(got["none"])


def test_a_state_never_matches_a_person_nor_a_person_a_state(client, schemas):
    got = batch(client, {
        "state-as-person": {"query": "Tajikistan", "type": "Person"},
        "person-as-state": {"query": "Emomali Rahmon", "type": "kg:State"},
        "person": {"query": "Emomali Rahmon", "type": "Person"},
        "should": {"query": "Tajikistan", "type": "Person", "type_strict": "should"},
        "all": {"query": "Tajikistan", "type": ["State", "Person"], "type_strict": "all"},
        "no-such-type": {"query": "Tajikistan", "type": "kg:NoSuchClass"},
    })
    valid(schemas, "reconciliation-result-batch", got)
    assert KGI + "state-tj" not in ids(got["state-as-person"])
    assert all(any(t["id"] == KG + "Person" for t in c["type"]) for c in got["state-as-person"]["result"])
    assert KGI + "emomali-rahmon" not in ids(got["person-as-state"])
    assert all(any(t["id"] == KG + "State" for t in c["type"]) for c in got["person-as-state"]["result"])
    assert got["person"]["result"][0]["id"] == KGI + "emomali-rahmon" and got["person"]["result"][0]["match"] is True
    # "should": the state stays, lower, and is no match; "all" of two disjoint types: nothing
    tj = [c for c in got["should"]["result"] if c["id"] == KGI + "state-tj"]
    assert tj and tj[0]["score"] == 100 - reconcile.SHOULD_PENALTY and tj[0]["match"] is False
    assert {"id": "type_match", "value": False} in tj[0]["features"]
    assert got["all"]["result"] == [] and got["no-such-type"]["result"] == []


def test_properties_boost_candidates_whose_values_match(client, schemas):
    got = batch(client, {
        "plain": {"query": "Tajikstan"},
        "iso-pk": {"query": "Tajikstan", "properties": [{"pid": "kg:isoAlpha2", "v": "PK"}]},
        "member-by-name": {"query": "Tajikistan", "properties": [{"pid": KG + "memberOf", "v": "SCO"}]},
        "member-by-id": {"query": "Tajikistan", "properties": [{"pid": "memberOf", "v": [{"id": "kgi:sco", "name": "SCO"}]}]},
        "member-contradicted": {"query": "Tajikistan", "properties": [{"pid": "kg:memberOf", "v": "NATO"}]},
        "unknown-pid": {"query": "Tajikstan", "properties": [{"pid": "kg:noSuchProperty", "v": "PK"}, {"pid": "P17", "v": 3}]},
        "ordinal": {"query": "meeting of the attorneys general", "type": "Meeting", "properties": [{"pid": "kg:ordinal", "v": 4}]},
        "ordinal-plain": {"query": "meeting of the attorneys general", "type": "Meeting"},
        "only-properties": {"properties": [{"pid": "kg:isoAlpha2", "v": "tj"}]},
    })
    valid(schemas, "reconciliation-result-batch", got)
    assert ids(got["plain"])[0] == KGI + "state-tj"
    boosted = got["iso-pk"]["result"]
    assert boosted[0]["id"] == KGI + "state-pk"  # the code outweighs the closer spelling
    plain_pk = next(c for c in got["plain"]["result"] if c["id"] == KGI + "state-pk")
    assert boosted[0]["score"] > plain_pk["score"]
    assert {"id": "properties_matched", "value": 1.0} in boosted[0]["features"]
    for key in ("member-by-name", "member-by-id"):
        top = got[key]["result"][0]
        assert top["id"] == KGI + "state-tj" and top["score"] == 100 and top["match"] is True, key
    contradicted = got["member-contradicted"]["result"][0]
    assert contradicted["id"] == KGI + "state-tj" and contradicted["score"] == 80 and contradicted["match"] is False
    assert got["unknown-pid"] == got["plain"]  # unknown properties are ignored, not an error
    assert ids(got["ordinal"])[0] == KGI + "eco-apg-meeting-4" != ids(got["ordinal-plain"])[0]
    assert [(c["id"], c["match"]) for c in got["only-properties"]["result"]] == [(KGI + "state-tj", True)]


def test_limit_and_batch_size_are_capped(client, schemas):
    got = batch(client, {"default": {"query": "meeting"}, "two": {"query": "meeting", "limit": 2},
                         "huge": {"query": "meeting", "limit": 10_000}})
    valid(schemas, "reconciliation-result-batch", got)
    assert len(got["default"]["result"]) == reconcile.DEFAULT_LIMIT
    assert len(got["two"]["result"]) == 2
    assert reconcile.DEFAULT_LIMIT < len(got["huge"]["result"]) <= reconcile.MAX_LIMIT
    assert batch(client, {}) == {}
    many = {f"q{i}": {"query": "Baku"} for i in range(reconcile.MAX_BATCH)}
    assert len(batch(client, many)) == reconcile.MAX_BATCH
    many["one-more"] = {"query": "Baku"}
    r = client.post("/reconcile", data={"queries": json.dumps(many)}, headers={"Accept": "application/json"})
    assert r.status_code == 413 and str(reconcile.MAX_BATCH) in r.get_json()["error"]


MALFORMED = [
    ("not json", "not JSON"),
    ('{"q0": {"query": "x"', "not JSON"),
    ("[" * 20_000, "not JSON"),  # nesting deeper than the parser goes
    ('[{"query": "Baku"}]', "object"),
    ('{"q0": "Baku"}', "'q0'"),
    ('{"q0": {"query": "Baku", "props": []}}', "props"),
    ('{"q0": {"query": 3}}', "query must be a string"),
    ('{"q0": {"query": "   "}}', "non-empty query"),
    ('{"q0": {"limit": 1}}', "non-empty query"),
    ('{"q0": {"properties": []}}', "non-empty query"),
    ('{"q0": {"query": "Baku", "limit": 0}}', "limit"),
    ('{"q0": {"query": "Baku", "limit": 2.5}}', "limit"),
    ('{"q0": {"query": "Baku", "limit": "5"}}', "limit"),
    ('{"q0": {"query": "Baku", "limit": true}}', "limit"),
    ('{"q0": {"query": "Baku", "type": 3}}', "type"),
    ('{"q0": {"query": "Baku", "type": ["kg:City", 3]}}', "type"),
    ('{"q0": {"query": "Baku", "type_strict": "maybe"}}', "type_strict"),
    ('{"q0": {"query": "Baku", "properties": {"pid": "kg:locatedIn", "v": "x"}}}', "properties"),
    ('{"q0": {"query": "Baku", "properties": [{"pid": "kg:locatedIn"}]}}', "properties[0]"),
    ('{"q0": {"query": "Baku", "properties": [{"pid": "kg:locatedIn", "v": null}]}}', "properties[0].v"),
    ('{"q0": {"query": "Baku", "properties": [{"pid": "kg:locatedIn", "v": {"name": "no id"}}]}}', "properties[0].v"),
    (json.dumps({"q0": {"query": "x" * (reconcile.MAX_QUERY_CHARS + 1)}}), "longer"),
]


@pytest.mark.parametrize(("text", "said"), MALFORMED)
def test_a_malformed_batch_is_400_saying_what_is_wrong(client, text, said):
    for send in (lambda: client.post("/reconcile", data={"queries": text}, headers={"Accept": "application/json"}),
                 lambda: client.get("/reconcile", query_string={"queries": text}, headers={"Accept": "application/json"})):
        r = send()
        assert r.status_code == 400, r.get_data(as_text=True)[:300]
        problem = r.get_json()
        assert problem["status"] == 400 and said in problem["error"], problem
        assert problem["hint"]
        assert r.headers["Access-Control-Allow-Origin"] == "*"


def test_the_server_and_the_query_batch_schema_agree_on_the_specs_examples(client, schemas):
    examples = sorted((SCHEMAS / "examples").glob("*.json"))
    assert len(examples) == 7
    for path in examples:
        data = json.loads(path.read_text(encoding="utf-8"))
        schema_says = schemas["reconciliation-query-batch"].is_valid(data)
        assert schema_says == path.name.startswith("valid-"), path.name
        r = client.post("/reconcile", data={"queries": json.dumps(data)}, headers={"Accept": "application/json"})
        assert (r.status_code == 200) == schema_says, (path.name, r.status_code, r.get_data(as_text=True)[:300])
        if r.status_code == 200:
            valid(schemas, "reconciliation-result-batch", r.get_json())
            assert set(r.get_json()) == set(data)


def test_how_a_batch_must_be_sent(client):
    r = client.post("/reconcile", data=json.dumps({"q0": {"query": "Baku"}}), content_type="application/json")
    assert r.status_code == 415
    r = client.get("/reconcile", query_string=[("queries", '{"a": {"query": "Baku"}}'), ("queries", "{}")])
    assert r.status_code == 400 and "more than one" in r.get_data(as_text=True)
    assert client.post("/reconcile", data={"other": "x"}).status_code == 400
    r = client.get("/reconcile", query_string={"extend": '{"ids": [], "properties": []}'})
    assert r.status_code == 400 and "extension" in r.get_data(as_text=True)
    r = client.options("/reconcile", headers={"Origin": "https://openrefine.example", "Access-Control-Request-Method": "POST"})
    assert r.status_code == 204 and set(r.headers["Allow"].split(", ")) == {"GET", "HEAD", "POST", "OPTIONS"}
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert client.delete("/reconcile").status_code == 405
    assert client.post("/reconcile/preview", data={"id": KGI + "eco"}).status_code == 405


def test_the_front_sends_the_batch_to_a_worker_as_it_came():
    """The front parses no JSON, prefix or IRI: they reach the worker operation unchanged."""
    client, pool = app_over(ROOT, run=False)
    text = '{"q0": {"query": "Baku", "limit": "not even checked here"'
    client.post("/reconcile", data={"queries": text})
    client.get("/reconcile/suggest/entity", query_string={"prefix": "Тадж", "cursor": "x", "type": "City"})
    client.get("/reconcile/preview", query_string={"id": "<not an iri>"})
    assert pool.calls == [("reconcile_batch", (text,)), ("reconcile_suggest", ("entity", "Тадж", "x", "", ["City"])),
                          ("reconcile_preview", ("<not an iri>", BASE))]


def test_the_matcher_is_built_once_per_store_version(client):
    import kg

    graph = kg.open(ROOT)
    first = reconcile.service(graph)
    assert reconcile.service(graph) is first
    assert first.gazetteer.entries[KGI + "state-tj"].label == "Tajikistan"


# ---------------------------------------------------------------- previews


def test_a_preview_is_a_small_page_on_the_entity(client):
    r = client.get("/reconcile/preview", query_string={"id": KGI + "eco-apg-meeting-4"})
    assert r.status_code == 200 and r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    assert "<h1><a href=\"" + BASE + "/id/eco-apg-meeting-4\"" in html
    assert "4th Meeting of the Attorneys/Prosecutors General of the ECO Member States" in html
    for fact in ("meeting", "ordinal", "Baku", "2023-09-14", "kgi:eco-apg-meeting-4"):
        assert fact in html, fact
    assert "<script" not in html and len(html) < 4000
    ru = client.get("/reconcile/preview", query_string={"id": "kgi:state-tj"}).get_data(as_text=True)
    assert "Таджикистан" in ru and "TJ" in ru  # other names and a few facts
    assert "Tajikistani" not in ru  # a matching aid of the gazetteer's lexicon, not a name the graph states
    assert client.get("/reconcile/preview", query_string={"id": KGI + "no-such-thing"}).status_code == 404
    assert client.get("/reconcile/preview").status_code == 400
    assert client.get("/reconcile/preview", query_string={"id": "Tajikistan"}).status_code == 400


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The application over a copy of the graph with HTML in a city's name, description and a
    value, and a venue that bears a city's name."""
    root = graph_copy(tmp_path_factory.mktemp("hostile"))
    (root / "data" / "zz-hostile.ttl").write_text(
        "@prefix kgi: <https://w3id.org/jckg/id/> .\n@prefix kg: <https://w3id.org/jckg/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n@prefix dcterms: <http://purl.org/dc/terms/> .\n"
        'kgi:hostile a kg:City ; rdfs:label "Evil <script>alert(1)</script> & Co"@en , "Злой <b>город</b>"@ru ;\n'
        '    dcterms:description "\\"><img src=x onerror=alert(2)>" ; kg:isoAlpha2 "<i>XX</i>" ; kg:locatedIn kgi:state-tj .\n'
        'kgi:tashkent-hall a kg:Venue ; rdfs:label "Tashkent"@en ; kg:locatedIn kgi:tashkent .\n',
        encoding="utf-8")
    return app_over(root)[0]


def test_html_in_the_graph_is_escaped_in_previews(hostile, schemas):
    html = hostile.get("/reconcile/preview", query_string={"id": KGI + "hostile"}).get_data(as_text=True)
    assert "Evil &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html and "&lt;i&gt;XX&lt;/i&gt;" in html
    assert "Злой &lt;b&gt;город&lt;/b&gt;" in html and "Tajikistan" in html
    for raw in ("<script", "<img", "<i>", "<b>"):
        assert raw not in html, raw
    # the JSON answers carry the name as data, as it is
    got = batch(hostile, {"q0": {"query": "Evil", "type": "City"}})
    valid(schemas, "reconciliation-result-batch", got)
    assert got["q0"]["result"][0]["name"] == "Evil <script>alert(1)</script> & Co"


def test_namesakes_are_candidates_but_no_match_unless_the_type_tells_them_apart(hostile, schemas):
    got = batch(hostile, {"any": {"query": "Tashkent"}, "city": {"query": "Tashkent", "type": "City"},
                          "venue": {"query": "Tashkent", "type": "kg:Venue"}, "place": {"query": "Tashkent", "type": "Place"},
                          "located": {"query": "Tashkent", "properties": [{"pid": "kg:locatedIn", "v": "Tashkent"}]}})
    valid(schemas, "reconciliation-result-batch", got)
    both = {c["id"]: c for c in got["any"]["result"][:2]}
    assert set(both) == {KGI + "tashkent", KGI + "tashkent-hall"}
    assert all(c["score"] == 100 and not c["match"] for c in both.values())  # two exact names: a person decides
    assert [(c["id"], c["match"]) for c in got["city"]["result"]] == [(KGI + "tashkent", True)]
    assert [(c["id"], c["match"]) for c in got["venue"]["result"]] == [(KGI + "tashkent-hall", True)]
    assert {c["id"] for c in got["place"]["result"]} >= {KGI + "tashkent", KGI + "tashkent-hall"}  # both are places
    assert not any(c["match"] for c in got["place"]["result"])
    # a property tells them apart: the hall is in Tashkent, the city is in Uzbekistan
    located = got["located"]["result"]
    assert located[0]["id"] == KGI + "tashkent-hall" and located[0]["match"] is True
    assert [c["match"] for c in located].count(True) == 1


# ---------------------------------------------------------------- suggest


def suggest(client, kind: str, schemas, **params):
    r = client.get(f"/reconcile/suggest/{kind}", query_string=params)
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    answer = r.get_json()
    valid(schemas, {"entity": "suggest-entities-response", "type": "suggest-types-response",
                    "property": "suggest-properties-response"}[kind], answer)
    return answer["result"]


def test_entity_suggestions_as_a_person_types(client, schemas):
    tj = suggest(client, "entity", schemas, prefix="Тадж")
    assert tj[0]["id"] == KGI + "state-tj" and tj[0]["name"] == "Tajikistan"
    assert "Таджикистан" in tj[0]["description"]  # the name that matched, for the person typing
    assert {"id": KG + "State", "name": "state"} in tj[0]["notable"]
    meeting = suggest(client, "entity", schemas, prefix="4th meet")
    assert KGI + "eco-apg-meeting-4" in [m["id"] for m in meeting]  # among the 4th sittings of every series
    assert [s["id"] for s in suggest(client, "entity", schemas, prefix="kgi:state-tj")] == [KGI + "state-tj"]
    states = [s["id"] for s in suggest(client, "entity", schemas, prefix="kgi:state-", limit="50")]
    assert len(states) >= 10 and all(i.startswith(KGI + "state-") for i in states)
    page2 = [s["id"] for s in suggest(client, "entity", schemas, prefix="kgi:state-", cursor="3", limit="4")]
    assert page2 == states[3:7]
    assert len(suggest(client, "entity", schemas, prefix="kgi:state-")) == reconcile.SUGGEST_LIMIT
    cities = suggest(client, "entity", schemas, prefix="ta", type="City")
    assert cities and all(any(t["id"] == KG + "City" for t in s["notable"]) for s in cities)
    assert KGI + "state-tj" in [s["id"] for s in suggest(client, "entity", schemas, prefix="ta", limit="50")]
    assert suggest(client, "entity", schemas, prefix="") == []
    for bad in ({"prefix": "ta", "cursor": "x"}, {"prefix": "ta", "limit": "0"}, {"prefix": "x" * 201}):
        assert client.get("/reconcile/suggest/entity", query_string=bad).status_code == 400, bad
    assert client.get("/reconcile/suggest/nothing", query_string={"prefix": "ta"}).status_code == 404


def test_type_and_property_suggestions(client, schemas):
    types = suggest(client, "type", schemas, prefix="meet")
    by_id = {t["id"]: t for t in types}
    assert {KG + "Meeting", KG + "MeetingFormat"} <= set(by_id) and KG + "State" not in by_id
    assert {"id": KG + "Event", "name": "event"} in by_id[KG + "Meeting"]["broader"]
    assert len(suggest(client, "type", schemas, prefix="", limit="50")) >= 20  # every type on an empty prefix
    props = suggest(client, "property", schemas, prefix="iso")
    assert KG + "isoAlpha2" in [p["id"] for p in props] and all("ISO" in p["name"] for p in props)
    member = suggest(client, "property", schemas, prefix="member")
    assert KG + "memberOf" in [p["id"] for p in member]


# ---------------------------------------------------------------- the forms


def test_iri_fields_of_stored_query_forms_offer_suggestions(client):
    html = client.get("/queries/delegations-at-meeting", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert '<script src="/static/suggest.js" defer></script>' in html
    assert 'list="p-event-options"' in html and '<datalist id="p-event-options"></datalist>' in html
    assert 'data-suggest="/reconcile/suggest/entity"' in html and 'name="event" value="" placeholder="kgi:eco-apg-meeting-4" required' in html
    script = client.get("/static/suggest.js")
    assert script.status_code == 200 and script.mimetype == "text/javascript"
    assert "innerHTML" not in script.get_data(as_text=True)  # suggestions become text, never markup
    plain = client.get("/queries/topic-counts", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "suggest.js" not in plain  # no IRI field, no script


CHROMIUM = os.environ.get("KG_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
# as tests/test_browser.py: a closed network, where Chromium would keep trying Google's services
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


@pytest.mark.skipif(not CHROMIUM, reason="no chromium on this machine (apt-get install chromium, or set KG_CHROMIUM)")
def test_a_browser_offers_entities_in_the_datalist(client):
    """Headless Chromium types into the event field; every request is answered by the
    application in this process (no server)."""
    from urllib.parse import urlsplit

    from playwright.sync_api import sync_playwright

    def answer(route):
        url = urlsplit(route.request.url)
        r = client.get(url.path + (f"?{url.query}" if url.query else ""), headers={"Accept": route.request.headers.get("accept", "*/*")})
        route.fulfill(status=r.status_code, headers={k: v for k, v in r.headers.items() if k.lower() != "content-length"}, body=r.get_data())

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.route("**/*", answer)
            page.goto("http://graph.test/queries/delegations-at-meeting")  # the pages link from the root
            field = page.locator("#p-event")
            options = page.locator("#p-event-options option")
            for typed, wanted in (("4th meeting", "kgi:eco-apg-meeting-4"), ("Таджикистан", "kgi:state-tj")):
                field.fill("")
                field.press_sequentially(typed, delay=10)
                page.wait_for_function("w => [...document.querySelectorAll('#p-event-options option')].some(o => o.value === w)",
                                       arg=wanted, timeout=5000)
                assert wanted in options.evaluate_all("os => os.map(o => o.value)")
            assert "Таджикистан" in options.first.get_attribute("label")
        finally:
            browser.close()


# ---------------------------------------------------------------- through a real server


def test_the_same_answers_through_a_worker_process(server, schemas):
    """Over HTTP, the batch crosses a worker process (and 413 comes back from one)."""
    import requests

    r = requests.post(server.url + "/reconcile", data={"queries": json.dumps({"q0": {"query": "Таджикистан", "type": "State"}})}, timeout=30)
    assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == "*"
    valid(schemas, "reconciliation-result-batch", r.json())
    assert r.json()["q0"]["result"][0]["id"] == KGI + "state-tj" and r.json()["q0"]["result"][0]["match"] is True
    too_many = {f"q{i}": {"query": "Baku"} for i in range(reconcile.MAX_BATCH + 1)}
    r = requests.post(server.url + "/reconcile", data={"queries": json.dumps(too_many)}, timeout=30)
    assert r.status_code == 413
    manifest = requests.get(server.url + "/reconcile", timeout=30).json()
    valid(schemas, "manifest", manifest)
    assert manifest["view"]["url"] == server.url + "/resource?iri={{id}}"
