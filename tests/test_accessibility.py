"""Every kind of page, checked by axe-core in a real browser at a desktop's and a phone's
width: no serious or critical violation of WCAG 2.1 AA or of axe's best practices.

axe-core comes from npm, pinned in ``tests/browser/package.json`` and its lock file
(``npm ci --prefix tests/browser``, as ``.ci/run`` does); Playwright injects it into each
page. Without it, or without Chromium, the tests are skipped with the reason, unless
``KG_REQUIRE_BROWSER=1`` (as in CI), where they fail.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import require_browser

ROOT = Path(__file__).resolve().parents[1]
AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
require_browser(None if AXE.is_file() else "axe-core is not installed: npm ci --prefix tests/browser")

#: one page of every kind a person meets
PAGES = {
    "home": "/",
    "stored queries": "/queries",
    "stored query with results": "/queries/delegations-at-meeting?event=kgi:eco-apg-meeting-4",
    "stored query as of a day": "/queries/event-status?event=kgi:eco-apg-meeting-6&as_of=2025-06-01",
    "SPARQL editor with results": "/editor?query=SELECT+%3Fs+%3Fl+WHERE+%7B+%3Fs+a+kg%3AState+%3B+rdfs%3Alabel+%3Fl+%7D",
    "SPARQL editor with an ASK": "/editor?query=ASK+%7B+kgi%3Astate-tj+kg%3AisoAlpha2+%22TJ%22+%7D",
    "API": "/api",
    "search": "/search?q=tajik",
    "meeting": "/id/eco-apg-meeting-4",
    "state": "/id/state-tj",
    "organisation": "/id/eco",
    "body": "/id/ecopol",
    "instrument": "/id/ru-in-prosecutors-2015-draft-agreement",
    "person": "/id/kamran-aliyev",
    "post": "/id/post-ambassador-pk-uz",
    "source document": "/id/src-agora-sco-2021",
    "source section": "/id/src-agora-sco-2021-s1-introduction",
    "class": "/resource?iri=https%3A%2F%2Fw3id.org%2Fjckg%2Fontology%23City",
    "ontology documentation": "/ontology/index.html",
    "vocabularies documentation": "/ontology/vocab.html",
    "shapes documentation": "/ontology/shapes.html",
    "suggest facts": "/suggest",
    "error": "/id/no-such-thing",
}
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
#: what axe is asked to check: WCAG 2.0/2.1 A and AA, and its best practices
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]



def axe(page) -> list[dict]:
    """The serious and critical violations axe finds on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})"
                          ".then(r => r.violations)", TAGS)
    return [v for v in found if v["impact"] in ("serious", "critical")]


def readable(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['impact']}: {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:6]:
            lines.append(f"    {' '.join(node['target'])}: {node.get('failureSummary', '').splitlines()[-1].strip()}")
            lines.append(f"      {node['html'][:160]}")
        if len(v["nodes"]) > 6:
            lines.append(f"    ... and {len(v['nodes']) - 6} more")
    return "\n".join(lines)


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("kind", list(PAGES))
def test_axe_finds_no_serious_violation(server, browser, kind: str, width: str) -> None:
    context = browser.new_context(viewport=WIDTHS[width], bypass_csp=True)
    try:
        page = context.new_page()
        answer = page.goto(server.url + PAGES[kind])
        assert answer is not None and answer.status == (404 if kind == "error" else 200), kind
        if kind == "API":  # Swagger UI draws after the load: check what a reader meets once it has
            page.locator("#api-fallback").wait_for(state="hidden")
        violations = axe(page)
        assert not violations, f"{kind} at {width} width:\n{readable(violations)}\n{json.dumps([v['id'] for v in violations])}"
        # nothing runs off the side: a phone's reader scrolls down only
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]["width"], f"{kind} is wider than the screen"
    finally:
        context.close()


def test_a_keyboard_user_can_skip_to_the_content(server, browser) -> None:
    context = browser.new_context(viewport=WIDTHS["desktop"])
    try:
        page = context.new_page()
        page.goto(server.url + "/queries")
        page.keyboard.press("Tab")
        skip = page.get_by_role("link", name="Skip to content")
        assert skip.is_visible()
        assert page.evaluate("document.activeElement.textContent") == "Skip to content"
        page.keyboard.press("Enter")
        assert page.url.endswith("#main")
        assert page.locator("#main").get_by_role("heading", level=1).inner_text() == "Stored queries"
    finally:
        context.close()


def test_a_result_table_is_read_on_a_phone_without_a_scroll_box(server, browser) -> None:
    """At a phone's width every row of a result shows on the page itself, each cell with
    its column's name, instead of a few rows in a small scrolling box."""
    context = browser.new_context(viewport=WIDTHS["phone"])
    try:
        page = context.new_page()
        page.goto(server.url + PAGES["stored query with results"])
        table = page.get_by_role("table")
        rows = table.locator("tbody tr")
        assert rows.count() >= 5
        box = page.evaluate("""() => { const t = document.querySelector('table.results');
            let e = t; const boxes = [];
            while (e && e !== document.body) { const s = getComputedStyle(e);
              if (e.scrollHeight > e.clientHeight + 2 && /(auto|scroll)/.test(s.overflowY)) boxes.push(e.className || e.tagName);
              e = e.parentElement; }
            return {boxes, wide: t.getBoundingClientRect().width > window.innerWidth + 1}; }""")
        assert box == {"boxes": [], "wide": False}
        first = rows.first.inner_text()
        assert "participant" in first and "Azerbaijan" in first, first
    finally:
        context.close()


def test_names_in_other_languages_say_their_language(server, browser) -> None:
    """A screen reader reads a Russian name with Russian rules: the name carries lang."""
    context = browser.new_context(viewport=WIDTHS["desktop"])
    try:
        page = context.new_page()
        page.goto(server.url + "/search?q=" + "Таджикистан")
        matched = page.locator("ul.hits [lang=ru]")
        assert matched.count() >= 1
        assert "Таджикистан" in matched.first.inner_text()
        page.goto(server.url + "/editor?query=SELECT+%3Fl+WHERE+%7B+kgi%3Astate-tj+rdfs%3Alabel+%3Fl+%7D")
        cells = page.locator("table.results td [lang]")
        langs = set(cells.evaluate_all("els => els.map(e => e.lang)"))
        assert {"en", "ru"} <= langs, langs
    finally:
        context.close()
