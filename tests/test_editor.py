"""The editor's and the API page's server side, in process (the browser side is
tests/test_browser_editor.py): the JSON the editor's script reads, the pages' no-JS
forms, and the libraries shipped in kg/web/static/vendor/ as scripts/editor/ pins them."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "kg" / "web" / "static" / "vendor"
JSON_ = {"Accept": "application/json"}
HTML = {"Accept": "text/html"}


def test_the_editor_answers_its_script_with_rows_and_labels(web):
    r = web.post("/editor", data={"query": "SELECT ?m WHERE { ?m a kg:Meeting } ORDER BY ?m"}, headers=JSON_)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json")
    body = r.json()
    assert body["form"] == "SELECT" and body["head"]["vars"] == ["m"]
    rows = body["results"]["bindings"]
    assert body["total"] == len(rows) > 10
    apg4 = "https://w3id.org/jckg/id/eco-apg-meeting-4"
    assert {"type": "uri", "value": apg4} in [row["m"] for row in rows]
    assert body["labels"][apg4] == "4th Meeting of the Attorneys/Prosecutors General of the ECO Member States"


def test_the_editor_json_has_every_row_not_the_pages_500(web):
    query = ("SELECT ?n WHERE { VALUES ?a { 0 1 2 3 4 5 6 7 8 9 } VALUES ?b { 0 1 2 3 4 5 6 7 8 9 } "
             "VALUES ?c { 0 1 2 3 4 5 6 } BIND(?c * 100 + ?a * 10 + ?b AS ?n) }")
    assert len(web.get("/editor", params={"query": query}, headers=JSON_).json()["results"]["bindings"]) == 700
    page = web.get("/editor", params={"query": query}, headers=HTML).text
    assert "700 rows, the first 500 shown" in page and re.search(r"Ran in \d+\.\d{3} s", page)


def test_the_editor_json_for_a_graph_and_a_boolean(web):
    graph = web.get("/editor", params={"query": "CONSTRUCT { kgi:eco ?p ?o } WHERE { kgi:eco ?p ?o }"}, headers=JSON_).json()
    assert graph["form"] == "CONSTRUCT" and graph["head"]["vars"] == ["subject", "predicate", "object"]
    assert graph["total"] == len(graph["results"]["bindings"]) > 0
    ask = web.get("/editor", params={"query": "ASK { kgi:eco ?p ?o }"}, headers=JSON_).json()
    assert ask["form"] == "ASK" and ask["boolean"] is True


def test_the_editor_json_errors_say_where(web):
    r = web.get("/editor", params={"query": "SELECT ?s WHERE {\n?s ?p ?o .\n?s ?p }"}, headers=JSON_)
    assert r.status_code == 400 and re.match(r"query:3:\d+: SPARQL syntax error", r.json()["error"])
    assert web.get("/editor", params={"query": "  "}, headers=JSON_).status_code == 400
    assert web.get("/editor", params={"query": "DELETE WHERE { ?s ?p ?o }"}, headers=JSON_).status_code in (400, 403)


def test_the_editor_page_is_a_get_form_with_the_library(web):
    page = web.get("/editor", headers=HTML).text
    assert re.search(r'<form class="editor" action="/editor" method="get"', page)
    assert '<textarea name="query"' in page
    for src in ("/static/vendor/codemirror.js", "/static/editor.js", "/static/editor.css"):
        assert src in page
        assert web.get(src).status_code == 200
    assert not re.search(r'<(?:script|link)[^>]+(?:src|href)="(?:https?:)?//', page)  # nothing from elsewhere


def test_the_api_page_is_swagger_ui_with_the_table_behind(web):
    page = web.get("/api", headers=HTML).text
    assert '/static/vendor/swagger-ui-bundle.js' in page and '/static/vendor/swagger-ui.css' in page and '/static/api.js' in page
    assert '<div id="api-fallback">' in page and "<code>GET /queries/delegations-at-meeting</code>" in page
    script = web.get("/static/api.js").text
    assert "validatorUrl: null" in script  # Swagger UI would otherwise call validator.swagger.io
    spec = web.get("/openapi.json").json()
    event = next(p for p in spec["paths"]["/queries/delegations-at-meeting"]["get"]["parameters"] if p["name"] == "event")
    assert event["required"] is True and event["example"] == "kgi:eco-apg-meeting-4"


def test_the_vendor_files_are_served_with_their_types(web):
    for name, mimetype in (("codemirror.js", "text/javascript"), ("swagger-ui-bundle.js", "text/javascript"),
                           ("swagger-ui.css", "text/css"), ("LICENSES.txt", "text/plain")):
        r = web.get(f"/static/vendor/{name}")
        assert r.status_code == 200 and r.headers["Content-Type"].split(";")[0] == mimetype, name
        assert r.content == (VENDOR / name).read_bytes()
    assert web.get("/static/vendor/../app.py").status_code == 404
    assert web.get("/static/vendor/nothing.js").status_code == 404


def test_the_shipped_libraries_are_the_pinned_versions_with_their_licences():
    """LICENSES.txt names each package it was built from with its version: those are
    the versions package.json pins and package-lock.json locks."""
    package = json.loads((ROOT / "scripts" / "editor" / "package.json").read_text())
    lock = json.loads((ROOT / "scripts" / "editor" / "package-lock.json").read_text())["packages"]
    licences = (VENDOR / "LICENSES.txt").read_text()
    built = dict(re.findall(r"^==== (\S+) (\d\S*)$", licences, re.M))
    for name, version in package["dependencies"].items():
        assert lock[f"node_modules/{name}"]["version"] == version, name
        assert built.get(name) == version, name
    for name, version in built.items():
        assert lock[f"node_modules/{name}"]["version"] == version, name
    assert "MIT" in licences and "Apache License" in licences  # CodeMirror's and Swagger UI's
    bundle = (VENDOR / "codemirror.js").read_text()
    assert "KGEditor" in bundle and "sparql" in bundle
