"""Entity pages in a real browser (headless Chromium, the system's, driven by Playwright),
read as a person reads them: what the page says, what is hidden until asked for, the
links out to the originals, a phone's width, and no JavaScript needed.

Skipped without Chromium unless ``KG_REQUIRE_BROWSER=1`` (as in CI), like test_browser.py.
"""

from __future__ import annotations

import pytest
from conftest import require_browser

require_browser()



def test_a_meeting_page_reads_as_a_description_with_its_sources(server, page):
    page.goto(server.url + "/id/eco-apg-meeting-6")
    assert page.get_by_role("heading", level=1).inner_text() == "6th Meeting of the Attorneys/Prosecutors General of the ECO Member States"
    summary = page.locator("p.summary").inner_text()
    assert "in Tashkent" in summary and "2 participants recorded" in summary
    statements = page.get_by_role("region", name="Statements")
    end = statements.get_by_role("row").filter(has_text="end date")
    assert "The upcoming 6th Meeting scheduled in Tashkent on September 25-26, 2025" in end.inner_text()
    assert "Introduction, in Judicial Cooperation among the ECO Member States" in end.inner_text()
    # the passage's section opens the section's page
    end.get_by_role("link", name="Introduction").click()
    assert page.url.endswith("/id/src-eco-2025-s1-introduction")
    assert page.get_by_role("heading", name="What the graph took from it").is_visible()


def test_identifiers_and_datatypes_show_only_when_asked(server, page):
    page.goto(server.url + "/id/eco-apg-meeting-6")
    curie = page.get_by_text("kgi:eco-apg-meeting-6", exact=True)
    datatype = page.get_by_text("xsd:date", exact=True).first
    assert not curie.is_visible() and not datatype.is_visible()
    page.get_by_text("Show identifiers, datatypes and files").click()
    assert curie.is_visible() and datatype.is_visible()


def test_a_source_document_opens_its_original_and_folds_its_sections(server, page):
    page.goto(server.url + "/id/src-eco-2025-09-25-tashkent-meeting")
    original = page.get_by_role("region", name="Original").get_by_role("link", name="leaves this site")
    assert original.get_attribute("href") == "https://eco.int/eco-prosectors-attorneys-general-meet-in-tashkent"
    assert set(original.get_attribute("rel").split()) >= {"noopener", "external"}
    page.goto(server.url + "/id/src-eco-2025")
    passage = page.get_by_text("The upcoming 6th Meeting scheduled in Tashkent on September 25-26, 2025", exact=True)
    assert not passage.is_visible()  # folded: the document has seven sections
    page.locator("summary").filter(has_text="Introduction").click()
    assert passage.is_visible()


def test_the_state_page_in_russian_and_as_of_a_day(server, page):
    page.goto(server.url + "/id/state-tj?lang=ru")
    assert page.get_by_role("heading", level=1).inner_text() == "Таджикистан"
    assert page.locator("html").get_attribute("lang") == "ru"
    page.goto(server.url + "/id/eco-apg-meeting-6")
    page.get_by_label("The page as it stood on").fill("2025-06-01")
    page.get_by_role("button", name="Show").click()
    assert "as_of=2025-06-01" in page.url
    assert "As the graph stood on 2025-06-01" in page.get_by_role("status").first.inner_text()
    assert "scheduled" in page.locator("p.summary").inner_text()


@pytest.mark.parametrize("path", ["/id/eco-apg-meeting-6", "/id/src-eco-2025", "/id/state-uz"])
def test_a_phone_reads_the_page_without_scrolling_sideways(server, browser, path):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    pg = context.new_page()
    try:
        pg.goto(server.url + path)
        assert pg.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()


def test_the_switch_and_the_folds_work_without_javascript(server, browser):
    context = browser.new_context(java_script_enabled=False)
    pg = context.new_page()
    try:
        pg.goto(server.url + "/id/src-eco-2025")
        pg.get_by_text("Show identifiers, datatypes and files").click()
        assert pg.get_by_text("kgi:src-eco-2025", exact=True).first.is_visible()
        pg.locator("summary").filter(has_text="Introduction").click()
        assert pg.get_by_text("The upcoming 6th Meeting scheduled in Tashkent on September 25-26, 2025", exact=True).is_visible()
    finally:
        context.close()
