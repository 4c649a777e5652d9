"""`kg serve`: the SPARQL 1.1 Protocol, the stored-query API, entity pages and
dereferencing, the limits, and bad input.

Most tests call the application in this process (``web`` in conftest: werkzeug's test
client over ``kg.web.app.App``, its worker operations run here), so they test routing,
negotiation, limits and pages without a socket. The checks that need a real server and
real sockets run against a ``kg serve`` process (``Server`` in conftest) with real
clients (requests, SPARQLWrapper, curl, raw sockets): time limits that kill a worker,
concurrent readers, a client that leaves, a worker killed from outside, `kg add` and a
rebuild while serving."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pyoxigraph as ox
import pytest
import requests
from conftest import ROOT, InProcessApp, Server, graph_copy

from kg.namespaces import PREFIXES

KGI = PREFIXES["kgi"]
JSON = "application/sparql-results+json"
MEMBERS = "SELECT ?s ?label WHERE { ?s a kg:State ; rdfs:label ?label } ORDER BY ?s ?label"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def rows_of(body: bytes) -> list[dict[str, str]]:
    """SPARQL JSON results as rows of N-Triples-ish strings, to compare with the facade's."""
    data = json.loads(body)
    return [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]


def local_rows(bundled, text: str) -> list[dict[str, str]]:
    return [{k: v.value for k, v in row.items()} for row in bundled.sparql(text)]


def health(server) -> dict:
    if hasattr(server, "client"):  # the application in process
        return server.get("/health").json()
    return requests.get(server.url + "/health", timeout=30).json()


# ---------------------------------------------------------------- the protocol


def test_get_post_form_and_direct_post_give_the_local_rows(web, bundled):
    want = local_rows(bundled, MEMBERS)
    assert len(want) > 20
    got_get = web.get("/sparql", params={"query": MEMBERS}, headers={"Accept": JSON})
    got_form = web.post("/sparql", data={"query": MEMBERS}, headers={"Accept": JSON})
    got_body = web.post("/sparql", data=MEMBERS.encode(),
                             headers={"Accept": JSON, "Content-Type": "application/sparql-query"})
    for r in (got_get, got_form, got_body):
        assert r.status_code == 200, r.text
        assert r.headers["Content-Type"].startswith(JSON)
        assert rows_of(r.content) == want


@pytest.mark.parametrize(("accept", "media", "check"), [
    ("application/sparql-results+xml", "application/sparql-results+xml", lambda b: b"<sparql" in b and b"<result>" in b),
    ("text/csv", "text/csv", lambda b: b.splitlines()[0] == b"s,label"),
    ("text/tab-separated-values", "text/tab-separated-values", lambda b: b.splitlines()[0] == b"?s\t?label"),
    ("*/*", JSON, lambda b: "results" in json.loads(b)),
])
def test_select_results_are_negotiated(web, bundled, accept, media, check):
    r = web.get("/sparql", params={"query": MEMBERS}, headers={"Accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].split(";")[0] == media
    assert check(r.content)
    assert "Accept" in r.headers.get("Vary", "")


@pytest.mark.parametrize(("accept", "fmt"), [
    ("text/turtle", ox.RdfFormat.TURTLE),
    ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/ld+json", ox.RdfFormat.JSON_LD),
    ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    ("application/trig", ox.RdfFormat.TRIG),
    ("application/n-quads", ox.RdfFormat.N_QUADS),
])
def test_construct_results_are_negotiated_and_parse(web, bundled, accept, fmt):
    query = "CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s a kg:Meeting ; rdfs:label ?l }"
    want = {(str(t.subject), str(t.object)) for t in bundled.sparql(query).triples}
    assert want
    r = web.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].split(";")[0] == accept
    got = {(str(q.subject), str(q.object)) for q in ox.parse(r.content, format=fmt)}
    assert got == want


def test_ask_and_format_parameter(web):
    r = web.get("/sparql", params={"query": "ASK { kgi:state-tj kg:isoAlpha2 'TJ' }", "format": "json"})
    assert r.status_code == 200 and json.loads(r.content)["boolean"] is True
    r = web.get("/sparql", params={"query": MEMBERS, "format": "csv"}, headers={"Accept": JSON})
    assert r.headers["Content-Type"].startswith("text/csv")


def test_an_unsatisfiable_accept_is_406(web):
    r = web.get("/sparql", params={"query": MEMBERS}, headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert "application/sparql-results+json" in r.text


def test_service_description_at_the_endpoint(web):
    r = web.get("/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    graph = list(ox.parse(r.content, format=ox.RdfFormat.TURTLE))
    sd = "http://www.w3.org/ns/sparql-service-description#"
    services = [t.subject for t in graph if t.predicate.value == PREFIXES["rdf"] + "type" and t.object.value == sd + "Service"]
    assert services == [ox.NamedNode(web.url + "/sparql")]
    assert any(t.predicate.value == sd + "endpoint" for t in graph)
    assert any(t.object.value == "http://www.w3.org/ns/formats/SPARQL_Results_CSV" for t in graph)


def test_sparqlwrapper_gets_the_local_rows(server, bundled):
    from SPARQLWrapper import JSON as WRAPPER_JSON
    from SPARQLWrapper import SPARQLWrapper

    client = SPARQLWrapper(server.url + "/sparql")
    client.setQuery("PREFIX kg: <https://w3id.org/jckg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> " + MEMBERS)
    client.setReturnFormat(WRAPPER_JSON)
    answer = client.query().convert()
    got = [{k: v["value"] for k, v in b.items()} for b in answer["results"]["bindings"]]
    assert got == local_rows(bundled, MEMBERS)
    client.setMethod("POST")
    assert [{k: v["value"] for k, v in b.items()} for b in client.query().convert()["results"]["bindings"]] == got


def test_cors_preflight_and_headers(web):
    r = web.options("/sparql", headers={
        "Origin": "https://yasgui.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert r.status_code == 204
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in r.headers["Access-Control-Allow-Methods"]
    assert "content-type" in r.headers["Access-Control-Allow-Headers"].lower()
    r = web.get("/sparql", params={"query": MEMBERS}, headers={"Origin": "https://yasgui.example"})
    assert r.headers["Access-Control-Allow-Origin"] == "*"


# ---------------------------------------------------------------- bad input


def test_a_malformed_query_is_400_with_the_position(web):
    r = web.get("/sparql", params={"query": "SELECT ?s WHERE { ?s ?p }"})
    assert r.status_code == 400
    assert "syntax error" in r.text and "query:1:" in r.text


def test_an_unknown_prefix_is_named(web):
    r = web.get("/sparql", params={"query": "SELECT * WHERE { ?s nope:x ?o }"})
    assert r.status_code == 400 and "nope" in r.text


@pytest.mark.parametrize("how", ["update-form", "update-body", "update-get", "update-as-query"])
def test_updates_are_refused_and_change_nothing(web, bundled, how):
    update = "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }"
    url = "/sparql"
    if how == "update-form":
        r = web.post(url, data={"update": update})
    elif how == "update-body":
        r = web.post(url, data=update.encode(), headers={"Content-Type": "application/sparql-update"})
    elif how == "update-get":
        r = web.get(url, params={"update": update})
    else:
        r = web.post(url, data={"query": update})
    assert r.status_code in (400, 403)
    assert "Update" in r.text and "read-only" in r.text
    ask = web.get(url, params={"query": "ASK { <urn:x:a> ?p ?o }", "format": "json"})
    assert json.loads(ask.content)["boolean"] is False


def test_service_to_loopback_is_refused_and_never_called(web):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(1.0)
    port = listener.getsockname()[1]
    try:
        query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"
        r = web.get("/sparql", params={"query": query})
        assert r.status_code == 400 and "SERVICE" in r.text
        with pytest.raises(socket.timeout):
            listener.accept()  # nobody came
    finally:
        listener.close()


def test_from_and_dataset_parameters_are_refused(web):
    r = web.get("/sparql", params={"query": "SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }"})
    assert r.status_code == 400 and "FROM" in r.text
    r = web.get("/sparql", params={"query": MEMBERS, "default-graph-uri": "http://example.org/g"})
    assert r.status_code == 400 and "default-graph-uri" in r.text


def test_a_runaway_query_is_stopped_while_others_are_answered(server, bundled):
    before = health(server)["replaced"]
    answers: dict[str, requests.Response] = {}

    def runaway() -> None:
        answers["runaway"] = requests.get(server.url + "/sparql", params={"query": RUNAWAY}, timeout=60)

    t = threading.Thread(target=runaway)
    t.start()
    time.sleep(0.5)
    # the other worker keeps answering while the first is stuck
    quick = requests.get(server.url + "/sparql", params={"query": MEMBERS, "format": "json"}, timeout=30)
    assert quick.status_code == 200 and rows_of(quick.content) == local_rows(bundled, MEMBERS)
    t.join()
    r = answers["runaway"]
    assert r.status_code == 503
    assert "time limit of 4 s" in r.text
    after = health(server)
    assert after["replaced"] == before + 1
    again = requests.get(server.url + "/sparql", params={"query": MEMBERS, "format": "json"}, timeout=30)
    assert again.status_code == 200


def test_a_result_over_the_size_limit_is_stopped(web):
    r = web.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert r.status_code == 503
    assert "more than its limit of 2,000 rows" in r.text


def test_a_huge_body_is_413(web):
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 100_000
    r = web.post("/sparql", data=big.encode(), headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413
    assert health(web)["status"] == "ok"


def test_a_huge_query_string_is_refused(web):
    r = web.get("/sparql", params={"query": "ASK {} #" + "x" * 70_000})
    assert r.status_code == 414
    assert "POST" in r.text


def test_wrong_content_type_is_415(web):
    r = web.post("/sparql", data=b"{}", headers={"Content-Type": "application/json"})
    assert r.status_code == 415


def test_errors_come_as_json_when_asked(web):
    r = web.get("/sparql", params={"query": "SELECT"}, headers={"Accept": "application/json"})
    assert r.status_code == 400
    body = r.json()
    assert body["status"] == 400 and "syntax" in body["error"]


# ---------------------------------------------------------------- the stored queries as a web API


def test_queries_list_matches_the_catalog(web, bundled):
    r = web.get("/queries")
    assert r.status_code == 200
    listed = r.json()
    assert [q["name"] for q in listed] == [q.name for q in bundled.queries()]
    first = listed[0]
    assert first["url"].endswith("/queries/" + first["name"]) and "params" in first and "returns" in first


def test_every_stored_query_over_http_equals_the_local_result(web, bundled):
    import shlex

    for q in bundled.queries():
        words = shlex.split(q.example)
        params = {words[i + 1]: words[i + 2] for i, w in enumerate(words) if w == "-p"}
        day = next((words[i + 1] for i, w in enumerate(words) if w == "--as-of"), None)
        want = bundled.query(q.name, params=params, as_of=day)
        accept = "application/n-triples" if want.is_graph else JSON
        r = web.get(f"/queries/{q.name}", params={**params, **({"as_of": day} if day else {})}, headers={"Accept": accept})
        assert r.status_code == 200, (q.name, r.text)
        if want.is_graph:
            got = {str(t) for t in ox.parse(r.content, format=ox.RdfFormat.N_TRIPLES)}
            assert got == {str(t) for t in want.triples}, q.name
        elif want.type == "ASK":
            assert json.loads(r.content)["boolean"] == want.boolean
        else:
            expected = [{k: v.value for k, v in row.items()} for row in want]
            assert rows_of(r.content) == expected, q.name


def test_a_parameter_of_the_wrong_type_is_400_naming_it(web):
    r = web.get("/queries/members-on-date", params={"organisation": "kgi:sco", "date": "yesterday"})
    assert r.status_code == 400
    assert "'date'" in r.text and "yesterday" in r.text


def test_unknown_parameter_unknown_query_and_bad_iri(web):
    r = web.get("/queries/members-on-date", params={"colour": "red"})
    assert r.status_code == 400 and "colour" in r.text
    r = web.get("/queries/no-such-query")
    assert r.status_code == 404 and "no-such-query" in r.text
    r = web.get("/queries/delegations-at-meeting", params={"event": "nope:x"})
    assert r.status_code == 400 and "event" in r.text


def test_openapi_is_generated_from_the_headers(web, bundled):
    from openapi_spec_validator import validate

    spec = web.get("/openapi.json").json()
    validate(spec)  # raises on anything OpenAPI 3 does not allow
    assert spec["openapi"].startswith("3.")
    for q in bundled.queries():
        op = spec["paths"][f"/queries/{q.name}"]["get"]
        assert op["summary"] == q.summary
        declared = {p["name"]: p for p in op["parameters"] if p["name"] not in ("format", "as_of")}
        assert set(declared) == set(q.params)
        assert any(p["name"] == "as_of" for p in op["parameters"]) == bool(q.as_of)
        for name, p in q.params.items():
            # the day parameter as_of fills is required only when as_of is not given
            assert declared[name]["required"] == (p.required and name != q.as_of)
            assert declared[name].get("example") == q.example_values.get(name)
            if p.type == "date":
                assert declared[name]["schema"]["format"] == "date"
            if p.default is not None:
                assert declared[name]["schema"]["default"] == p.default
    assert "/sparql" in spec["paths"] and "post" in spec["paths"]["/sparql"]


# ---------------------------------------------------------------- entities


def test_an_entity_iri_dereferences_by_accept(web, bundled):
    iri = KGI + "eco-apg-meeting-4"
    path = "/id/eco-apg-meeting-4"
    html = web.get(path, headers={"Accept": "text/html"})
    assert html.status_code == 200 and html.headers["Content-Type"].startswith("text/html")
    assert "4th Meeting of the Attorneys/Prosecutors General" in html.text
    assert "was held in Baku, Azerbaijan on September 14-16, 2023" in html.text  # the quoted passage
    assert "Judicial Cooperation among the ECO Member States" in html.text  # the source document
    want = {str(q.object) for q in bundled.store().store.quads_for_pattern(ox.NamedNode(iri), None, None, ox.DefaultGraph())}
    for accept, fmt in (("text/turtle", ox.RdfFormat.TURTLE), ("application/ld+json", ox.RdfFormat.JSON_LD),
                        ("application/n-triples", ox.RdfFormat.N_TRIPLES), ("application/rdf+xml", ox.RdfFormat.RDF_XML)):
        r = web.get(path, headers={"Accept": accept})
        assert r.status_code == 200 and r.headers["Content-Type"].startswith(accept)
        triples = list(ox.parse(r.content, format=fmt))
        assert {t.subject.value for t in triples} == {iri}
        assert {str(t.object) for t in triples} == want


def test_an_entity_page_links_both_ways_and_shows_every_name(web):
    r = web.get("/id/state-tj", headers={"Accept": "text/html"})
    assert r.status_code == 200
    assert "Таджикистан" in r.text  # names in every language held
    assert 'href="/id/eco"' in r.text or "Referred to by" in r.text
    assert "Referred to by" in r.text


def test_an_entity_page_marks_a_superseded_statement_and_shows_passages(web):
    r = web.get("/id/eco-apg-meeting-6", headers={"Accept": "text/html"})
    assert r.status_code == 200
    # the bulletin's "scheduled" is struck through and tagged, the ECO report's "held" is not
    superseded = re.findall(r'<li class="superseded">(.*?)</li>', r.text, flags=re.S)
    assert len(superseded) == 1 and "/concept/scheduled" in superseded[0] and ">no longer holds</span>" in superseded[0]
    assert "Superseded on 2025-09-25 (status change)" in superseded[0]  # when and why, on the value itself
    assert "convened in Tashkent, Uzbekistan, on September 25, 2025." in r.text
    assert '<ul class="references" aria-label="References">' in r.text


def test_an_unknown_entity_is_404_with_a_search_link(web):
    r = web.get("/id/no-such-thing", headers={"Accept": "text/html"})
    assert r.status_code == 404
    assert 'href="/search?q=no%20such%20thing"' in r.text
    r = web.get("/id/no-such-thing", headers={"Accept": "text/turtle"})
    assert r.status_code == 404 and "/search?q=" in r.text


def test_any_iri_has_a_page(web):
    r = web.get("/resource", params={"iri": PREFIXES["kg"] + "Meeting"}, headers={"Accept": "text/html"})
    assert r.status_code == 200 and "Referred to by" in r.text
    r = web.get("/resource", params={"iri": "not an iri"}, headers={"Accept": "text/html"})
    assert r.status_code == 400


@pytest.mark.parametrize(("text", "iri"), [("turkiye", "state-tr"), ("ТАДЖИКИСТАН", "state-tj"), ("TÜRKİYE", "state-tr")])
def test_search_ignores_case_and_accents(web, text, iri):
    r = web.get("/search", params={"q": text})
    assert r.status_code == 200
    assert KGI + iri in [h["iri"] for h in r.json()["results"]]


def test_pages_render(web):
    for path in ("/", "/queries", "/queries/delegations-at-meeting", "/editor", "/api", "/search?q=baku",
                 "/editor?query=SELECT+*+WHERE+%7B+%3Fs+a+kg%3AMeeting+%7D"):
        r = web.get(path, headers={"Accept": "text/html"})
        assert r.status_code == 200, path
        assert r.text.lstrip().startswith("<!doctype html>") and "</html>" in r.text
        assert "http://" not in r.text.split("<body>")[0].replace("http://www.w3.org", "")  # nothing fetched from elsewhere
    editor = web.get("/editor", params={"query": "SELECT ?m WHERE { ?m a kg:Meeting }"}, headers={"Accept": "text/html"})
    assert "4th Meeting of the Attorneys/Prosecutors General" in editor.text  # labels for the IRIs in the table


def test_several_readers_at_once(server, bundled):
    want = local_rows(bundled, MEMBERS)

    def one(i: int) -> bool:
        with requests.Session() as s:
            for _ in range(5):
                r = s.get(server.url + "/sparql", params={"query": MEMBERS}, headers={"Accept": JSON}, timeout=60)
                if r.status_code != 200 or rows_of(r.content) != want:
                    return False
                page = s.get(server.url + "/id/state-kz", headers={"Accept": "text/html"}, timeout=60)
                if page.status_code != 200 or "Kazakhstan" not in page.text:
                    return False
        return True

    with ThreadPoolExecutor(8) as pool:
        assert all(pool.map(one, range(8)))


# ---------------------------------------------------------------- a server of its own


def hostile_file(root) -> None:
    (root / "data" / "zz-hostile.ttl").write_text(
        "@prefix kgi: <https://w3id.org/jckg/id/> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix kg: <https://w3id.org/jckg/ontology#> .\n"
        'kgi:hostile a kg:Organisation ; rdfs:label "Evil <script>alert(1)</script> & Co"@en ;\n'
        '    kg:quote "<img src=x onerror=alert(2)>" .\n',
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def own(tmp_path_factory):
    """A real server over a writable copy of the graph."""
    root = graph_copy(tmp_path_factory.mktemp("served"))
    s = Server(root, "--workers", "2", "--timeout", "30")
    yield s, root
    s.stop()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The application in process over a copy of the graph with a hostile literal in it."""
    root = graph_copy(tmp_path_factory.mktemp("hostile"))
    hostile_file(root)
    return InProcessApp(root)


def test_html_in_literals_is_escaped_on_every_page(hostile):
    pages = [
        "/id/hostile",
        "/search?q=evil",
        "/editor?query=" + requests.utils.quote("SELECT ?s ?l WHERE { ?s rdfs:label ?l FILTER(CONTAINS(?l, 'Evil')) }"),
        "/queries/sources-of-entity?entity=kgi:hostile",
        "/id/no-such-<script>",
    ]
    for path in pages:
        r = hostile.get(path, headers={"Accept": "text/html"})
        assert "<script>alert" not in r.text and "<img src=x" not in r.text, path
    assert hostile.get("/id/hostile", headers={"Accept": "text/html"}).status_code == 200
    page = hostile.get("/id/hostile", headers={"Accept": "text/html"}).text
    assert "Evil &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page


def test_a_client_that_leaves_stops_its_query(own):
    server, _ = own  # its time limit is 30 s: only the disconnection can stop the query early
    before = requests.get(server.url + "/health", timeout=30).json()["replaced"]
    host, port = server.url.removeprefix("http://").split(":")
    body = requests.models.RequestEncodingMixin._encode_params({"query": RUNAWAY})
    sock = socket.create_connection((host, int(port)))
    sock.sendall(f"POST /sparql HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                 f"Content-Length: {len(body)}\r\n\r\n{body}".encode())
    time.sleep(0.5)
    sock.close()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if requests.get(server.url + "/health", timeout=30).json()["replaced"] > before:
            break
        time.sleep(0.2)
    assert requests.get(server.url + "/health", timeout=30).json()["replaced"] == before + 1


def test_kg_add_while_serving_is_seen_by_the_next_request(own):
    import subprocess
    import sys

    server, root = own
    ask = "ASK { kgi:ayubxon-rahmatullayev ?p ?o }"  # a person the addition introduces
    before = requests.get(server.url + "/sparql", params={"query": ask, "format": "json"}, timeout=30).json()["boolean"]
    assert before is False
    stop = threading.Event()
    seen: list[int] = []

    def read() -> None:  # readers during the addition: every answer is the old or the new graph
        while not stop.is_set():
            r = requests.get(server.url + "/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "format": "json"}, timeout=60)
            assert r.status_code == 200
            seen.append(int(r.json()["results"]["bindings"][0]["n"]["value"]))

    t = threading.Thread(target=read)
    t.start()
    done = subprocess.run([sys.executable, "-m", "kg", "--data", str(root), "add", str(ROOT / "examples/accepted/eco-apg-meeting-6-sidelines.ttl")],
                          capture_output=True, text=True)
    after = requests.get(server.url + "/sparql", params={"query": ask, "format": "json"}, timeout=30).json()["boolean"]
    stop.set()
    t.join()
    assert done.returncode == 0, done.stderr
    assert after is True
    assert len(set(seen)) <= 2 and seen == sorted(seen)  # never a half-applied count


def test_a_worker_killed_from_outside_is_replaced_unseen(own, bundled):
    import os
    import signal

    server, _ = own
    state = requests.get(server.url + "/health", timeout=30).json()
    assert len(state["pids"]) == 2
    os.kill(state["pids"][0], signal.SIGKILL)
    time.sleep(0.2)
    for _ in range(6):  # both workers get used: none of these may fail
        r = requests.get(server.url + "/sparql", params={"query": MEMBERS, "format": "json"}, timeout=30)
        assert r.status_code == 200
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        now = requests.get(server.url + "/health", timeout=30).json()
        if len(now["pids"]) == 2 and state["pids"][0] not in now["pids"]:
            break
        time.sleep(0.2)
    assert len(now["pids"]) == 2 and state["pids"][0] not in now["pids"]


def test_the_readme_serving_examples_run(server):
    import re
    import subprocess

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Serving the graph.*?```sh\n(.*?)```", readme, re.S).group(1)
    commands = [c.strip() for c in block.replace("\\\n", " ").splitlines() if c.strip().startswith("curl")]
    assert len(commands) >= 4
    for command in commands:
        command = command.replace("http://127.0.0.1:8787", server.url).replace("curl ", "curl -fsS ", 1)
        command = re.sub(r"\s+#.*$", "", command)
        done = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, (command, done.stderr)
        assert done.stdout.strip(), command



def test_a_slow_rebuild_is_503_with_retry_after_then_the_new_graph(tmp_path, monkeypatch):
    """A file edited by hand: the server builds the new version outside the requests'
    time limit, answering 503 until it is ready. The build is held until the test lets
    it go (KG_SERVE_HOLD_BUILDS), so no clock decides what the test sees."""
    root = graph_copy(tmp_path / "graph")
    hold = tmp_path / "hold-builds"
    monkeypatch.setenv("KG_SERVE_HOLD_BUILDS", str(hold))
    s = Server(root, "--workers", "2", "--timeout", "2")
    try:
        ask = "ASK { kgi:bulk-199 rdfs:label ?l }"
        r = requests.get(s.url + "/sparql", params={"query": ask, "format": "json"}, timeout=30)
        assert r.status_code == 200 and r.json()["boolean"] is False
        hold.touch()
        lines = ["@prefix kgi: <https://w3id.org/jckg/id/> .", "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> ."]
        lines += [f'kgi:bulk-{i} rdfs:label "bulk {i}"@en .' for i in range(200)]
        (root / "data" / "zz-bulk.ttl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        for _ in range(2):  # the build cannot finish while held: each request waits its 2 s, then 503
            r = requests.get(s.url + "/sparql", params={"query": ask, "format": "json"}, timeout=30)
            assert r.status_code == 503 and r.headers["Retry-After"] == "30" and "being built" in r.text
        state = requests.get(s.url + "/health", timeout=30).json()  # answers meanwhile, without waiting
        assert state["status"] == "ok" and state["building"] == ["none"]
        hold.unlink()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            r = requests.get(s.url + "/sparql", params={"query": ask, "format": "json"}, timeout=30)
            if r.status_code == 200:
                break
            assert r.status_code == 503 and "being built" in r.text
        assert r.status_code == 200 and r.json()["boolean"] is True
        assert requests.get(s.url + "/health", timeout=30).json()["replaced"] == 0  # no worker was killed
    finally:
        s.stop()


def test_a_stored_query_as_of_a_day_over_http(web):
    """The web API takes as_of like kg query --as-of: the 6th Meeting scheduled in June 2025."""
    r = web.get("/queries/event-status", params={"event": "kgi:eco-apg-meeting-6", "as_of": "2025-06-01", "format": "csv"})
    assert r.status_code == 200 and "concept/scheduled" in r.text
    r = web.get("/queries/event-status", params={"event": "kgi:eco-apg-meeting-6", "format": "csv"})
    assert "concept/held" in r.text and "concept/scheduled" not in r.text
    # as_of fills the required date
    r = web.get("/queries/members-on-date", params={"organisation": "kgi:eco", "as_of": "2024-01-01", "format": "csv"})
    assert r.status_code == 200 and len(r.text.strip().splitlines()) == 11
    for bad, status in (("2025-02-30", 400), ("1900-01-01", 400)):
        r = web.get("/queries/event-status", params={"event": "kgi:eco-apg-meeting-6", "as_of": bad})
        assert r.status_code == status and ("is not a date" in r.text or "before any source" in r.text)
    r = web.get("/queries/delegations-at-meeting", params={"event": "kgi:eco-apg-meeting-4", "as_of": "2025-01-01"})
    assert r.status_code == 400 and "does not take as_of" in r.text
    page = web.get("/queries/event-status", params={"event": "kgi:eco-apg-meeting-6", "as_of": "2025-06-01"}, headers={"Accept": "text/html"})
    assert page.status_code == 200 and 'name="as_of" value="2025-06-01"' in page.text and "scheduled" in page.text
