"""The SPARQL editor and the API page in a real browser (headless Chromium, as in
tests/test_browser.py): CodeMirror highlights and completes, a run has an address that
runs it again, rows are paged and sorted, the time is shown, a syntax error is marked on
its line; /api is Swagger UI, whose "Try it out" runs a stored query on this server.
Every page is checked to ask nothing of any other site."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import require_browser

require_browser()


@pytest.fixture()
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    elsewhere: list[str] = []
    pg.on("request", lambda r: elsewhere.append(r.url) if not r.url.startswith(server.url) else None)
    yield pg
    context.close()
    assert elsewhere == [], "the page asked another site"


def editor(page):
    return page.get_by_role("textbox", name="SPARQL query")


def write(page, text: str) -> None:
    box = editor(page)
    box.click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    box.fill(text)


def run(page) -> None:
    page.get_by_role("button", name="Run").click()
    page.locator(".timing").filter(has_text=re.compile(r" in \d+\.\d{3} s")).wait_for()


def test_typing_highlights_the_query(server, page):
    page.goto(server.url + "/editor")
    assert page.locator("textarea[name=query]").is_hidden()  # the editor stands in for it
    write(page, 'SELECT ?meeting WHERE { ?meeting a kg:Meeting ; rdfs:label "x"@en } # note')
    content = page.locator(".cm-content")
    assert content.locator(".tok-keyword").all_inner_texts()[:2] == ["SELECT", "WHERE"]
    assert "?meeting" in content.locator(".tok-variableName").all_inner_texts()
    assert "kg:Meeting" in content.locator(".tok-atom").all_inner_texts()
    assert content.locator(".tok-string").first.inner_text().startswith('"x"')
    assert content.locator(".tok-comment").inner_text() == "# note"


def test_completion_offers_the_graphs_entities_after_a_prefix(server, page):
    page.goto(server.url + "/editor")
    write(page, "SELECT ?e WHERE { ?e kg:participant ")
    page.keyboard.type("kgi:state-t", delay=20)
    options = page.locator(".cm-tooltip-autocomplete li")
    options.filter(has_text="Tajikistan").first.wait_for()
    assert options.filter(has_text="kgi:state-tj").filter(has_text="Tajikistan").count() == 1
    page.keyboard.press("Escape")
    # a name after the prefix finds the entity too
    page.keyboard.type(" kgi:Таджи", delay=20)
    options.filter(has_text="kgi:state-tj").first.wait_for()
    options.filter(has_text="kgi:state-tj").first.click()
    assert editor(page).inner_text().endswith("kgi:state-tj")
    # and a bare word, the server's prefixes
    page.keyboard.type(" kg", delay=20)
    options.filter(has_text="kgi:").first.wait_for()
    assert {"kg:", "kgi:", "kgc:"} <= {t.split("http")[0].strip() for t in options.all_inner_texts()}


def test_a_run_has_an_address_that_runs_it_again(server, page, browser):
    query = "SELECT ?meeting ?place WHERE { ?meeting a kg:Meeting ; kg:location ?place } ORDER BY ?meeting"
    page.goto(server.url + "/editor")
    write(page, query)
    run(page)
    url = urlsplit(page.url)
    assert url.path == "/editor" and parse_qs(url.query)["query"] == [query]
    table = page.locator("table.results")
    assert table.locator("thead th").all_inner_texts() == ["meeting", "place"]
    assert "Baku" in table.inner_text()  # IRIs read by their labels
    seen = table.locator("tbody").inner_text()
    other = browser.new_context().new_page()
    try:
        other.goto(page.url)
        other.locator(".timing").filter(has_text=re.compile(r" in \d+\.\d{3} s")).wait_for()
        assert other.locator("table.results tbody").inner_text() == seen
        assert other.get_by_role("textbox", name="SPARQL query").inner_text() == query
    finally:
        other.context.close()


def test_every_row_is_reachable_page_by_page(server, page):
    page.goto(server.url + "/editor")
    write(page, "SELECT ?n WHERE { VALUES ?a { 0 1 2 3 4 5 6 7 8 9 } VALUES ?b { 0 1 2 3 4 5 6 7 8 9 } VALUES ?c { 0 1 2 } "
                "BIND(?c * 100 + ?a * 10 + ?b + 1 AS ?n) } ORDER BY ?n")
    run(page)
    rows = page.locator("table.results tbody tr")
    assert page.locator(".timing").inner_text().startswith("300 rows in ")
    assert rows.count() == 100 and rows.first.locator(".lit").inner_text() == "1"
    status = page.locator("nav.pager [role=status]")
    assert status.inner_text().startswith("Rows 1–100 of 300 (page 1 of 3)")
    assert page.get_by_role("button", name="Previous page").is_disabled()
    page.get_by_role("button", name="Next page").click()
    page.get_by_role("button", name="Next page").click()
    assert status.inner_text().startswith("Rows 201–300 of 300 (page 3 of 3)")
    assert rows.count() == 100 and rows.last.locator(".lit").inner_text() == "300"
    assert page.get_by_role("button", name="Next page").is_disabled()


def test_more_rows_than_the_server_page_shows_are_all_there(server, page):
    """The server-rendered table stops at 500 rows; the editor pages through every one."""
    page.goto(server.url + "/editor")
    write(page, "SELECT ?n WHERE { VALUES ?a { 0 1 2 3 4 5 6 7 8 9 } VALUES ?b { 0 1 2 3 4 5 6 7 8 9 } "
                "VALUES ?c { 0 1 2 3 4 5 6 7 } BIND(?c * 100 + ?a * 10 + ?b + 1 AS ?n) } ORDER BY ?n")
    run(page)
    assert page.locator(".timing").inner_text().startswith("800 rows in ")
    for _ in range(7):
        page.get_by_role("button", name="Next page").click()
    assert page.locator("nav.pager [role=status]").inner_text().startswith("Rows 701–800 of 800 (page 8 of 8)")
    assert page.locator("table.results tbody tr").last.locator(".lit").inner_text() == "800"


def test_a_column_header_sorts_the_rows(server, page):
    page.goto(server.url + "/editor")
    write(page, 'SELECT ?n ?name WHERE { VALUES (?n ?name) { (3 "c") (10 "a") (2 "b") } }')
    run(page)
    first_column = page.locator("table.results tbody tr td:first-child .lit")
    assert first_column.all_inner_texts() == ["3", "10", "2"]  # as the server sent them
    header = page.locator("table.results thead th").first
    page.get_by_role("button", name="n", exact=True).click()
    assert first_column.all_inner_texts() == ["2", "3", "10"]  # numbers, not text
    assert header.get_attribute("aria-sort") == "ascending"
    page.get_by_role("button", name="n", exact=True).click()
    assert first_column.all_inner_texts() == ["10", "3", "2"]
    assert header.get_attribute("aria-sort") == "descending"
    page.get_by_role("button", name="name", exact=True).click()
    assert page.locator("table.results tbody tr td:nth-child(2) .lit").all_inner_texts() == ["a", "b", "c"]


def test_a_syntax_error_is_marked_on_its_line(server, page):
    page.goto(server.url + "/editor")
    write(page, "SELECT ?s WHERE {\n?s ?p ?o .\n?s ?p }")
    page.get_by_role("button", name="Run").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "syntax error" in alert.inner_text() and "query:3:" in alert.inner_text()
    lines = page.locator(".cm-content .cm-line")
    lines.nth(2).locator(".cm-lintRange-error").wait_for()
    assert lines.nth(0).locator(".cm-lintRange-error").count() == 0
    assert page.locator(".cm-gutter-lint .cm-lint-marker-error").count() == 1
    # fixed and run again, the mark goes
    write(page, "SELECT ?s WHERE {\n?s ?p ?o .\n} LIMIT 1")
    run(page)
    assert page.locator(".cm-lintRange-error").count() == 0


def test_the_editor_works_without_javascript(server, browser):
    context = browser.new_context(java_script_enabled=False)
    pg = context.new_page()
    try:
        pg.goto(server.url + "/editor")
        pg.locator("textarea[name=query]").fill("SELECT ?state WHERE { ?state a kg:State } ORDER BY ?state LIMIT 3")
        pg.get_by_role("button", name="Run").click()
        assert urlsplit(pg.url).path == "/editor" and "query=" in pg.url  # GET: an address to share
        assert pg.locator("table.results tbody tr").count() == 3
        assert re.search(r"Ran in \d+\.\d{3} s", pg.locator(".timing").inner_text())
    finally:
        context.close()


# ---------------------------------------------------------------- /api


def test_the_api_page_tries_a_stored_query_on_this_server(server, page):
    page.goto(server.url + "/api")
    operation = page.locator(".opblock").filter(has_text="/queries/delegations-at-meeting")
    operation.wait_for(timeout=30_000)  # once, though it has two tags
    assert page.locator("#api-fallback").is_hidden()  # the table is there for pages without JavaScript
    assert page.locator(".opblock").filter(has_text="/queries/timeline-of-state").count() == 1
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    field = operation.locator("tr[data-param-name='event'] input")
    assert field.input_value() == "kgi:eco-apg-meeting-4"  # the header's example
    operation.get_by_role("button", name="Execute").click()
    live = operation.locator(".live-responses-table")
    status = live.locator("tbody .response-col_status")
    status.wait_for(timeout=30_000)
    assert status.inner_text().strip() == "200"
    body = json.loads(live.locator(".microlight").first.inner_text())
    assert any(row["participant"]["value"].endswith("/state-az") for row in body["results"]["bindings"])
    # axe's scrollable-region-focusable: every region that scrolls takes the keyboard focus
    unreachable = page.evaluate("""() => [...document.querySelectorAll('main *')].filter(e => {
        const s = getComputedStyle(e);
        return /(auto|scroll)/.test(s.overflow + s.overflowX + s.overflowY)
            && (e.scrollHeight > e.clientHeight || e.scrollWidth > e.clientWidth)
            && !['TEXTAREA', 'INPUT', 'SELECT'].includes(e.tagName) && e.tabIndex < 0;
    }).map(e => e.tagName + '.' + e.className)""")
    assert unreachable == []


def test_the_api_page_without_javascript_lists_the_calls(server, browser):
    context = browser.new_context(java_script_enabled=False)
    pg = context.new_page()
    try:
        pg.goto(server.url + "/api")
        table = pg.locator("#api-fallback table")
        assert table.is_visible()
        assert table.get_by_role("cell", name="GET /queries/delegations-at-meeting").count() == 1
    finally:
        context.close()
