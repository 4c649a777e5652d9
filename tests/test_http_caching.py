"""HTTP done right (issue 21): answers kept per store version and request, gzip, strong
ETags and Last-Modified, 304s, HEAD with GET's length, Vary, and the ontology's IRI
negotiated to RDF. In process through the ``web`` fixture where the application decides;
through a real ``kg serve`` (``server``) for what its front answers from memory."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from conftest import ROOT, InProcessApp

from kg.web.http import Entry, ResponseCache, accepts_gzip, cache_key

JSON = "application/sparql-results+json"
PAGE = {"Accept": "text/html"}
QUERY = "SELECT ?label WHERE { kgi:eco rdfs:label ?label } ORDER BY ?label"
KG = "https://w3id.org/jckg/ontology#"
OWL_CLASS = ox.NamedNode("http://www.w3.org/2002/07/owl#Class")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


# ---------------------------------------------------------------- in process


def test_a_page_is_gzipped_for_a_client_that_accepts_it_and_decompresses_to_the_same_bytes(web):
    plain = web.get("/id/eco", headers=PAGE)
    zipped = web.get("/id/eco", headers={**PAGE, "Accept-Encoding": "gzip, deflate"})
    assert plain.status_code == zipped.status_code == 200
    assert "Content-Encoding" not in plain.headers
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert int(zipped.headers["Content-Length"]) == len(zipped.content) < len(plain.content) / 2
    assert gzip.decompress(zipped.content) == plain.content
    for r in (plain, zipped):  # both say the answer depends on the encoding asked for
        assert "accept-encoding" in r.headers["Vary"].lower() and "accept" in r.headers["Vary"].lower().split(", ")
    # the two representations are different bytes: different strong validators
    assert plain.headers["ETag"] != zipped.headers["ETag"]


def test_a_static_file_linked_by_its_content_is_kept_for_a_year(web):
    page = web.get("/", headers=PAGE).text
    link = re.search(r'href="(/static/kg\.css\?v=[0-9a-f]+)"', page)
    assert link, "the stylesheet is linked by a URL that names its content"
    assert "immutable" in web.get(link.group(1)).headers["Cache-Control"]
    assert "must-revalidate" in web.get("/static/kg.css?v=old").headers["Cache-Control"]


def test_gzip_refused_by_q_zero_is_not_sent(web):
    r = web.get("/id/eco", headers={**PAGE, "Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in r.headers and r.content.rstrip().endswith(b"</html>")
    assert accepts_gzip("*") and accepts_gzip("br, gzip;q=0.5") and not accepts_gzip("identity") and not accepts_gzip("gzip;q=0")


@pytest.mark.parametrize("path, params, headers", [
    ("/id/eco", None, PAGE),
    ("/sparql", {"query": QUERY}, {"Accept": JSON}),
    ("/queries", None, {"Accept": "application/json"}),
    ("/static/kg.css", None, {}),
])
def test_read_answers_carry_validators_and_answer_304_when_current(web, path, params, headers):
    first = web.get(path, params=params, headers=headers)
    assert first.status_code == 200
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag.startswith('"') and not etag.startswith("W/")  # strong
    assert "must-revalidate" in first.headers["Cache-Control"] or "immutable" in first.headers["Cache-Control"]
    assert "Vary" in first.headers

    again = web.get(path, params=params, headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["ETag"] == etag and "Content-Length" not in again.headers
    # a list with the tag in it, a weak form of it, and * match too
    for tags in (f'"nope", {etag}', f"W/{etag}", "*"):
        assert web.get(path, params=params, headers={**headers, "If-None-Match": tags}).status_code == 304
    other = web.get(path, params=params, headers={**headers, "If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.content == first.content

    assert web.get(path, params=params, headers={**headers, "If-Modified-Since": modified}).status_code == 304
    long_ago = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert web.get(path, params=params, headers={**headers, "If-Modified-Since": long_ago}).status_code == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2)
    assert web.get(path, params=params, headers={**headers, "If-None-Match": '"x"', "If-Modified-Since": modified}).status_code == 200


def test_head_of_sparql_and_of_a_page_has_gets_length_and_no_body(web):
    for path, params, headers in (("/sparql", {"query": QUERY}, {"Accept": JSON}), ("/id/sco", None, PAGE),
                                  ("/sparql", {"query": QUERY + " LIMIT 1"}, {"Accept": "text/csv"})):
        head = web.request("HEAD", path, params=params, headers=headers)
        get = web.get(path, params=params, headers=headers)
        assert head.status_code == get.status_code == 200
        assert head.content == b""
        assert int(head.headers["Content-Length"]) == len(get.content) > 0
        assert head.headers["Content-Type"] == get.headers["Content-Type"]
        assert head.headers["ETag"] == get.headers["ETag"]
    # and gzipped: the length of the gzipped body
    head = web.request("HEAD", "/id/sco", headers={**PAGE, "Accept-Encoding": "gzip"})
    get = web.get("/id/sco", headers={**PAGE, "Accept-Encoding": "gzip"})
    assert int(head.headers["Content-Length"]) == len(get.content) and head.headers["Content-Encoding"] == "gzip"


def test_a_query_sent_in_a_post_body_is_kept_by_its_body(web):
    def post(text: str):
        return web.post("/sparql", data=text.encode(), headers={"Accept": JSON, "Content-Type": "application/sparql-query"})

    before = web.app.cache.state()["hits"]
    a, b = post(QUERY), post(QUERY.replace("?label", "?name"))
    assert a.status_code == b.status_code == 200
    assert a.json()["head"]["vars"] == ["label"] and b.json()["head"]["vars"] == ["name"]  # not each other's answer
    again = post(QUERY)
    assert again.content == a.content and again.headers["ETag"] == a.headers["ETag"]
    assert web.app.cache.state()["hits"] == before + 1


def test_answers_that_must_not_be_kept_are_not(web):
    cache = web.app.cache
    for _ in range(2):
        health = web.get("/health")
        assert health.headers["Cache-Control"] == "no-store" and "ETag" not in health.headers
    # the review form sets a cookie per browser: never kept, never validated
    entries = cache.state()["entries"]
    web.get("/suggest", headers=PAGE)
    web.get("/suggest", headers=PAGE)
    assert cache.state()["entries"] == entries
    # the form that writes: refused here (writes are off), and nothing kept, whatever it answered
    for _ in range(2):
        submit = web.post("/suggest/submit", data={"draft": "x"}, headers=PAGE)
        assert submit.status_code >= 400 and "ETag" not in submit.headers
    assert cache.state()["entries"] == entries
    # an update is refused, and the refusal is not kept either
    refused = web.post("/sparql", data={"update": "INSERT DATA { <a:b> <a:c> <a:d> }"})
    assert refused.status_code == 403 and "ETag" not in refused.headers
    # a request with credentials is answered for that client alone
    r = web.get("/id/eco", headers={**PAGE, "Authorization": "Bearer x"})
    assert r.status_code == 200 and "ETag" not in r.headers
    assert cache.state()["entries"] == entries
    # a bad query: 400, not kept
    bad = web.get("/sparql", params={"query": "SELECT WHERE {"}, headers={"Accept": JSON})
    assert bad.status_code == 400 and "ETag" not in bad.headers and cache.state()["entries"] == entries


def test_a_repeated_request_does_not_reach_the_workers(web):
    path = "/id/state-tj"
    web.get(path, headers={**PAGE, "Accept-Language": "ru"})
    calls = len(web.pool.calls)
    again = web.get(path, headers={**PAGE, "Accept-Language": "ru"})
    assert again.status_code == 200 and len(web.pool.calls) == calls
    # another Accept is another answer (Turtle), asked of a worker
    rdf = web.get(path, headers={"Accept": "text/turtle"})
    assert rdf.headers["Content-Type"].startswith("text/turtle") and len(web.pool.calls) == calls + 1


def test_the_cache_stays_within_its_byte_bound():
    cache = ResponseCache(max_bytes=200_000, max_entry=50_000)
    for i in range(200):
        body = (f"<p>{i}</p>" * 1000).encode()[:20_000 + i]
        key = cache_key("v1", "GET", f"/id/x{i}", "", {"accept": "text/html"}, b"")
        cache.put(key, Entry(200, [("Content-Type", "text/html")], body, version="v1", modified=time.time()))
        assert cache.bytes <= cache.max_bytes
    assert 0 < len(cache) < 200 and cache.state()["evicted"] > 0
    # the most recent ones are kept, the oldest went first
    assert cache.get(cache_key("v1", "GET", "/id/x199", "", {"accept": "text/html"}, b"")) is not None
    assert cache.get(cache_key("v1", "GET", "/id/x0", "", {"accept": "text/html"}, b"")) is None
    # an entry over the cap per entry is not kept at all
    big = Entry(200, [("Content-Type", "image/png")], bytes(60_000), version="v1", modified=None)
    assert not cache.put(cache_key("v1", "GET", "/big", "", {}, b""), big)
    # a new store version drops the old answers at once
    cache.put(cache_key("v2", "GET", "/id/x0", "", {}, b""), Entry(200, [], b"x", version="v2", modified=None))
    assert len(cache) == 1 and cache.bytes < 1000


def test_a_small_cache_setting_holds_through_the_application(tmp_path):
    app = InProcessApp(ROOT, timeout=4)
    app.app.cache = ResponseCache(max_bytes=120_000, max_entry=60_000)
    for name in ("eco", "sco", "state-tj", "state-kz", "dushanbe", "eco-apg-meeting-4", "ilham-aliyev", "pgo-az"):
        assert app.get(f"/id/{name}", headers={**PAGE, "Accept-Encoding": "gzip"}).status_code == 200
        assert app.app.cache.bytes <= 120_000
    state = app.app.cache.state()
    assert state["entries"] > 0 and state["evicted"] > 0


# ---------------------------------------------------------------- a new store version


def _copy_graph(root: Path) -> Path:
    for part in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / part, root / part, ignore=shutil.ignore_patterns(".kg.lock"))
    return root


def test_a_rebuild_changes_the_etag_and_the_answer(tmp_path):
    app = InProcessApp(_copy_graph(tmp_path), timeout=60)
    query = {"query": "SELECT ?c WHERE { kgi:eco rdfs:comment ?c }"}
    first = app.get("/sparql", params=query, headers={"Accept": JSON})
    assert first.status_code == 200 and first.json()["results"]["bindings"] == []
    assert app.get("/sparql", params=query, headers={"Accept": JSON, "If-None-Match": first.headers["ETag"]}).status_code == 304
    data = sorted((tmp_path / "data").glob("*.ttl"))[0]
    with data.open("a", encoding="utf-8") as fh:  # what kg add or a hand edit does while serving
        fh.write('\n<https://w3id.org/jckg/id/eco> <http://www.w3.org/2000/01/rdf-schema#comment> "a comment added while serving"@en .\n')
    after = app.get("/sparql", params=query, headers={"Accept": JSON, "If-None-Match": first.headers["ETag"]})
    assert after.status_code == 200, after.text
    assert [b["c"]["value"] for b in after.json()["results"]["bindings"]] == ["a comment added while serving"]
    assert after.headers["ETag"] != first.headers["ETag"]
    # and the new answer is the one kept now
    assert app.get("/sparql", params=query, headers={"Accept": JSON}).content == after.content


# ---------------------------------------------------------------- the ontology's IRI


@pytest.mark.parametrize("media, fmt", [
    ("text/turtle", ox.RdfFormat.TURTLE),
    ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    ("application/ld+json", ox.RdfFormat.JSON_LD),
    ("application/n-triples", ox.RdfFormat.N_TRIPLES),
])
def test_the_ontology_iri_gives_the_ontology_in_the_format_asked(web, media, fmt):
    r = web.get("/ontology", headers={"Accept": media})
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].split(";")[0] == media
    assert r.headers["Content-Location"].startswith("/ontology?format=")
    assert "accept" in r.headers["Vary"].lower()
    triples = list(ox.parse(r.content, format=fmt, base_iri="https://w3id.org/jckg/ontology"))
    classes = {t.subject.value for t in triples if t.predicate == RDF_TYPE and t.object == OWL_CLASS}
    assert {KG + "Event", KG + "Organization", KG + "State"} <= classes
    assert any(t.subject == ox.NamedNode("https://w3id.org/jckg/ontology") for t in triples)
    # the Content-Location answers the same representation
    again = web.get(r.headers["Content-Location"])
    assert again.status_code == 200 and again.content == r.content


def test_the_ontology_iri_still_sends_a_browser_to_its_documentation(web):
    r = web.get("/ontology", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status_code == 303 and r.headers["Location"] == "/ontology/index.html"
    assert web.get("/ontology", headers={"Accept": "image/png"}).status_code == 406
    for accept in ("", "*/*"):  # a client that names no type, as before
        assert web.get("/ontology", headers={"Accept": accept} if accept else {}).status_code == 303


# ---------------------------------------------------------------- through kg serve's front


def test_the_front_answers_a_repeated_request_from_memory(server):
    def cache() -> dict:
        return requests.get(server.url + "/health", timeout=30).json()["cache"]

    url = server.url + "/id/dushanbe"
    first = requests.get(url, headers=PAGE, timeout=30)
    before = cache()
    again = requests.get(url, headers=PAGE, timeout=30)
    assert again.status_code == 200 and again.content == first.content and again.headers["ETag"] == first.headers["ETag"]
    assert cache()["hits"] == before["hits"] + 1
    assert cache()["bytes"] <= cache()["max_bytes"]


def test_the_front_sends_gzip_304_and_head_over_the_wire(server):
    url = server.url + "/sparql"
    params = {"query": QUERY}
    plain = requests.get(url, params=params, headers={"Accept": JSON, "Accept-Encoding": "identity"}, timeout=30)
    zipped = requests.get(url, params=params, headers={"Accept": JSON, "Accept-Encoding": "gzip"}, stream=True, timeout=30)
    raw = zipped.raw.read(decode_content=False)
    assert zipped.headers["Content-Encoding"] == "gzip" and gzip.decompress(raw) == plain.content
    assert json.loads(plain.content)["head"]["vars"] == ["label"]
    head = requests.head(url, params=params, headers={"Accept": JSON, "Accept-Encoding": "identity"}, timeout=30)
    assert head.status_code == 200 and head.content == b"" and int(head.headers["Content-Length"]) == len(plain.content)
    cond = requests.get(url, params=params, headers={"Accept": JSON, "If-None-Match": zipped.headers["ETag"]}, timeout=30)
    assert cond.status_code == 304 and cond.content == b""
    page = requests.head(server.url + "/id/eco", headers={**PAGE, "Accept-Encoding": "identity"}, timeout=30)
    body = requests.get(server.url + "/id/eco", headers={**PAGE, "Accept-Encoding": "identity"}, timeout=30)
    assert int(page.headers["Content-Length"]) == len(body.content) and page.content == b""


def test_without_a_cache_answers_still_carry_validators():
    from conftest import InProcessPool
    from werkzeug.test import Client

    import kg
    from kg.web.app import App, Settings

    client = Client(App(kg.open(ROOT), InProcessPool(ROOT), Settings(cache_bytes=0)))
    r = client.get("/id/eco", headers=PAGE)
    assert r.status_code == 200 and r.headers["ETag"].startswith('"')
    assert client.get("/id/eco", headers={**PAGE, "If-None-Match": r.headers["ETag"]}).status_code == 304


def test_kg_serve_refuses_a_negative_cache_size():
    from kg.cli import main

    assert main(["serve", "--cache-mb", "-1"]) == 2
