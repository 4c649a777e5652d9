"""The web pages in a real browser: headless Chromium (the system's, driven by Playwright)
runs a stored query from its page, reads the table, follows an entity link and finds the
source passage; the SPARQL editor runs a query; the pages work without JavaScript.

Chromium comes from the system (Debian's ``chromium``; ``.ci/run`` installs it). Without
it these tests are skipped with the reason, unless ``KG_REQUIRE_BROWSER=1`` (as in CI),
where a missing browser fails them.
"""

from __future__ import annotations

from conftest import require_browser

require_browser()



def test_run_a_stored_query_read_the_table_and_follow_a_link_to_its_source(server, page):
    page.goto(server.url + "/")
    page.get_by_role("link", name="Stored queries").first.click()
    page.get_by_role("link", name="The numbered sittings of a meeting format, held or scheduled, with places and dates").click()
    assert page.url.endswith("/queries/sittings-of-body")
    page.get_by_label("body").fill("kgi:eco-apg-meeting")
    page.get_by_role("button", name="Run").click()
    table = page.locator("table.results")
    headers = table.locator("thead th").all_inner_texts()
    assert headers == ["ordinal", "meeting", "status", "place", "start", "end"]
    rows = table.locator("tbody tr")
    assert rows.count() >= 5
    fourth = rows.filter(has_text="4th Meeting of the Attorneys/Prosecutors General")
    assert fourth.count() == 1
    assert "Baku" in fourth.inner_text() and "2023-09-14" in fourth.inner_text()
    fourth.get_by_role("link", name="4th Meeting of the Attorneys/Prosecutors General of the ECO Member States").click()
    assert page.url.endswith("/id/eco-apg-meeting-4")
    source = page.get_by_role("region", name="Source")
    assert "was held in Baku, Azerbaijan on September 14-16, 2023" in source.locator("blockquote").inner_text()
    assert "Judicial Cooperation among the ECO Member States" in source.inner_text()
    # and the download link under the table gives the same rows as CSV
    page.go_back()
    link = page.get_by_role("link", name="CSV")
    href = link.get_attribute("href")
    assert href and "format=csv" in href


def test_the_editor_runs_a_query(server, page):
    page.goto(server.url + "/editor")
    box = page.get_by_role("textbox", name="SPARQL query")  # CodeMirror's (tests/test_browser_editor.py)
    box.fill("SELECT ?meeting ?place WHERE { ?meeting a kg:Meeting ; kg:location ?place } ORDER BY ?meeting")
    page.get_by_role("button", name="Run").click()
    table = page.locator("table.results")
    table.locator("tbody tr").first.wait_for()
    assert table.locator("thead th").all_inner_texts() == ["meeting", "place"]
    assert "Baku" in table.inner_text()
    box.fill("SELECT ?x WHERE { ?x ?y }")
    page.get_by_role("button", name="Run").click()
    assert "syntax error" in page.get_by_role("alert").inner_text()


def test_search_then_entity_page_in_another_language(server, page):
    page.goto(server.url + "/")
    page.get_by_role("searchbox", name="Search by name").fill("таджикистан")
    page.get_by_role("searchbox", name="Search by name").press("Enter")
    page.get_by_role("link", name="Tajikistan", exact=True).click()
    assert page.url.endswith("/id/state-tj")
    assert "Таджикистан" in page.get_by_role("region", name="Names").inner_text()


def test_pages_work_without_javascript(server, browser):
    context = browser.new_context(java_script_enabled=False)
    pg = context.new_page()
    try:
        pg.goto(server.url + "/queries/delegations-at-meeting")
        pg.get_by_label("event").fill("kgi:eco-apg-meeting-4")
        pg.get_by_role("button", name="Run").click()
        assert "Kamran Aliyev" in pg.locator("table.results").inner_text()
    finally:
        context.close()
