"""Entity pages by type, read as a person reads them: the line of facts under the title,
the statements in the order their kind asks, the passages on the statements they support,
sources one click from their originals, no internal record shown as a record, readable
inverse names, technical badges behind a switch, the page as of a day and in the reader's
language. The HTML is parsed (``html.parser``), not matched as a whole."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pyoxigraph as ox
import pytest

from kg.namespaces import PREFIXES

HTML = {"Accept": "text/html"}


class Page(HTMLParser):
    """The parts of a page the tests read: visible text by element, links, row headings."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[dict[str, str]] = []  # attributes of each <a>, with its text
        self.row_heads: dict[str, list[str]] = {}  # section aria-label -> its <th> texts
        self.lang_of: dict[str, str] = {}  # text of an element with a lang attribute -> lang
        self.html_lang = ""
        self.summary = ""
        self.ids: set[str] = set()
        self._stack: list[tuple[str, dict[str, str]]] = []
        self._section: list[str] = []
        self._text: dict[int, list[str]] = {}
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.html_lang = a.get("lang", "")
        if tag in ("input", "meta", "link", "br"):
            if "id" in a:
                self.ids.add(a["id"])
            return
        if tag == "section":
            self._section.append(a.get("aria-label", ""))
        self._stack.append((tag, a))
        self._text[len(self._stack)] = []

    def handle_endtag(self, tag: str) -> None:
        if not self._stack or tag in ("input", "meta", "link", "br"):
            return
        depth = len(self._stack)
        t, a = self._stack.pop()
        text = " ".join("".join(self._text.pop(depth, [])).split())
        if depth - 1 in self._text:
            self._text[depth - 1].append(text + " ")
        if t == "a":
            self.links.append({**a, "text": text})
        if t == "th" and self._section:
            self.row_heads.setdefault(self._section[-1], []).append(text)
        if "lang" in a and t != "html":
            self.lang_of[text] = a["lang"]
        if t == "p" and "summary" in a.get("class", "").split():
            self.summary = text
        if t == "section" and self._section:
            self._section.pop()

    def handle_data(self, data: str) -> None:
        if self._stack:
            self._text[len(self._stack)].append(data)

    def link(self, text: str) -> dict[str, str]:
        found = [a for a in self.links if a["text"] == text]
        assert found, f"no link {text!r}"
        return found[0]


def page(web, path: str, **headers: str) -> tuple[Page, str]:
    r = web.get(path, headers={**HTML, **headers})
    assert r.status_code == 200, r.text[:500]
    return Page(r.text), r.text


def test_a_meeting_page_says_in_a_line_what_it_was_and_who_took_part(web):
    p, _ = page(web, "/id/eco-apg-meeting-6")
    assert "sitting 6 of Meeting of the Attorneys/Prosecutors General of the ECO Member States" in p.summary
    for fact in ("in Tashkent", "2025-09-25 to 2025-09-26", "held", "2 participants recorded"):
        assert fact in p.summary
    assert "scheduled" not in p.summary  # the superseded status is not today's


def test_a_meeting_page_does_not_count_an_offer_as_taking_part(web):
    _, text = page(web, "/id/eco-apg-meeting-6")
    caveat = re.search(r'<p class="caveat">(.*?)</p>', text, flags=re.S)
    assert caveat is not None
    assert "Proposals were also made by Azerbaijan, Iran, Kazakhstan and Pakistan" in caveat.group(1)
    assert "not their taking part in the meeting" in caveat.group(1)


def test_statements_come_in_the_order_their_kind_asks_not_alphabetically(web):
    p, _ = page(web, "/id/eco-apg-meeting-6")
    heads = p.row_heads["Statements"]
    names = [h.split(" kg:")[0].split(" schema:")[0] for h in heads]
    assert names[:6] == ["sitting of", "ordinal", "event status", "start date", "end date", "location"]
    assert names != sorted(names)
    p, _ = page(web, "/id/state-uz")
    assert p.row_heads["Statements"][0].startswith("member of")


def test_a_passage_is_shown_on_the_statement_it_supports_with_its_section_and_document(web):
    _, text = page(web, "/id/eco-apg-meeting-6")
    row = re.search(r'<a href="[^"]*endDate">end date</a>.*?</tr>', text, flags=re.S)
    assert row is not None
    refs = re.search(r'<ul class="references" aria-label="References">(.*?)</ul>', row.group(0), flags=re.S)
    assert refs is not None
    assert "The upcoming 6th Meeting scheduled in Tashkent on September 25-26, 2025" in refs.group(1)
    # the section is named with its document, not as a CURIE
    assert re.search(r'>Introduction</a>, in <a href="/id/src-eco-2025" class="cite">Judicial Cooperation among the ECO Member States</a>', refs.group(1))
    assert "kgi:src-eco-2025-s1-introduction" not in re.sub(r'<code class="tech">.*?</code>', "", refs.group(1))


def test_a_superseded_value_says_when_why_and_on_whose_word(web):
    _, text = page(web, "/id/eco-apg-meeting-6")
    old = re.findall(r'<li class="superseded">(.*?)</li>', text, flags=re.S)
    assert len(old) == 1 and "/concept/scheduled" in old[0]
    note = re.search(r'<p class="supersession">(.*?)</p>', old[0], flags=re.S)
    assert note is not None
    assert "Superseded on 2025-09-25 (status change), now" in note.group(1)
    assert "the 2025 bulletin had it as upcoming" in note.group(1)
    assert 'href="https://eco.int/eco-prosectors-attorneys-general-meet-in-tashkent"' in note.group(1)


@pytest.mark.parametrize("path", ["/id/eco-apg-meeting-6", "/id/src-eco-2025-s1-introduction", "/id/state-tj", "/id/sco-pg-meeting-14"])
def test_no_internal_record_is_shown_as_a_record(web, path):
    p, text = page(web, path)
    store = web.pool.graph.store().store
    kinds = [ox.NamedNode(PREFIXES["kg"] + k) for k in ("Attribution", "Supersession", "DivergentReport")]
    records = {q.subject.value for k in kinds for q in store.quads_for_pattern(None, ox.NamedNode(PREFIXES["rdf"] + "type"), k, ox.DefaultGraph())}
    records = {r.rsplit("/", 1)[-1] for r in records}
    linked = {a["href"].rsplit("/", 1)[-1] for a in p.links if a.get("href", "").startswith("/id/")}
    assert not linked & records
    assert "rdf:subject" not in text and ">subject<" not in text
    assert "No source section is recorded" not in text


@pytest.mark.parametrize("path", ["/id/eco", "/id/state-uz", "/id/eco-apg-meeting", "/id/post-prosecutor-general-uz", "/concept/held"])
def test_inverse_headings_read_as_words(web, path):
    p, _ = page(web, path)
    heads = [h.split(" kg:")[0].split(" org:")[0].split(" dcterms:")[0] for h in p.row_heads.get("Referred to by", [])]
    assert heads
    for h in heads:
        assert " of of" not in h and not h.startswith("is ")


def test_an_organisation_lists_its_members_under_a_readable_heading(web):
    p, _ = page(web, "/id/eco")
    assert any(h.startswith("members") for h in p.row_heads["Referred to by"])


def test_a_source_section_shows_what_the_graph_took_from_it_passage_by_passage(web):
    p, text = page(web, "/id/src-eco-2025-s1-introduction")
    assert "section 1 of Judicial Cooperation among the ECO Member States" in p.summary
    taken = text[text.index('aria-label="What the graph took from it"'):]
    block = re.search(r'<blockquote class="quote">The upcoming 6th Meeting scheduled in Tashkent on September 25-26, 2025</blockquote>\s*<ul>(.*?)</ul>', taken, flags=re.S)
    assert block is not None
    facts = re.sub(r"<[^>]+>", "", re.sub(r'<(code|span) class="[^"]*tech">.*?</\1>', "", block.group(1)))
    assert "6th Meeting of the Attorneys/Prosecutors General of the ECO Member States: end date 2025-09-26" in " ".join(facts.split())
    # the bulletin's "scheduled" is what it said, and is marked as no longer holding
    assert re.search(r'<li class="superseded">[^\n]*event status[^\n]*scheduled', block.group(1))


def test_a_source_document_links_out_to_the_original(web):
    p, text = page(web, "/id/src-eco-2025-09-25-tashkent-meeting")
    url = "https://eco.int/eco-prosectors-attorneys-general-meet-in-tashkent"
    out = [a for a in p.links if a.get("href") == url]
    assert out and all("noopener" in a["rel"].split() and "external" in a["rel"].split() for a in out)
    assert any("(leaves this site)" in a["text"] for a in out)
    assert 'aria-label="What the graph took from it"' in text
    assert "The document as a whole" in text


def test_a_section_links_to_its_documents_address(web):
    p, _ = page(web, "/id/src-eco-2025-s1-introduction")
    assert p.link("Judicial Cooperation among the ECO Member States")["href"] == "/id/src-eco-2025"
    # this bulletin has no web address: the page says so rather than linking nowhere
    p, text = page(web, "/id/src-eco-2025-s7-meeting-6")
    assert "the graph records no web address for it" in text


def test_an_external_identifier_links_to_its_site(web):
    p, _ = page(web, "/id/state-tj")
    wikidata = [a for a in p.links if a.get("href") == "https://www.wikidata.org/wiki/Q863"]
    assert wikidata and "noopener" in wikidata[0]["rel"]
    assert "on Wikidata" in wikidata[0]["text"]
    iso = [a for a in p.links if a.get("href", "").startswith("https://www.iso.org/obp/ui/#iso:code:3166:TJ")]
    assert iso
    # the stub page of the identifier itself says where it is read
    p, text = page(web, "/resource?iri=http://www.wikidata.org/entity/Q863")
    assert any(a.get("href") == "https://www.wikidata.org/wiki/Q863" for a in p.links)
    assert "An identifier from outside this graph" in text


def test_technical_badges_wait_behind_a_switch_that_needs_no_script(web):
    p, text = page(web, "/id/eco-apg-meeting-6")
    assert "show-technical" in p.ids and '<label for="show-technical">' in text
    assert "<script" not in text
    badges = re.findall(r'<span class="tag[^"]*">xsd:[a-z]+</span>', text)
    assert badges and all('class="tag tech"' in b for b in badges)
    files = re.findall(r'<span class="graph[^"]*"', text)
    assert files and all("tech" in f for f in files)


def test_names_in_another_language_carry_their_lang(web):
    p, _ = page(web, "/id/state-tj")
    assert p.html_lang == "en"
    assert p.lang_of.get("Таджикистан") == "ru"


def test_the_page_in_the_readers_language(web):
    p, text = page(web, "/id/state-tj?lang=ru")
    assert p.html_lang == "ru"
    assert re.search(r"<h1>Таджикистан</h1>", text)  # the page's own language needs no lang on it
    assert '<h2 lang="en">Statements</h2>' in text  # its words are still English, and say so
    p, _ = page(web, "/id/state-tj", **{"Accept-Language": "fr-CH, fr;q=0.9, ru;q=0.5"})
    assert p.html_lang == "ru"
    p, _ = page(web, "/id/state-tj", **{"Accept-Language": "fr"})
    assert p.html_lang == "en"
    # the URL wins over the header; a language the graph has no names in falls back to English and says so
    p, text = page(web, "/id/state-tj?lang=fr", **{"Accept-Language": "ru"})
    assert p.html_lang == "en" and "The graph has no names in &#39;fr&#39;" in text
    r = web.get("/id/state-tj", headers=HTML)
    assert "Accept-Language" in r.headers["Vary"]


def test_a_language_that_is_not_a_tag_is_a_bad_request(web):
    r = web.get("/id/state-tj?lang=%3Cscript%3E", headers=HTML)
    assert r.status_code == 400 and "is not a language tag" in r.text


def test_the_page_as_of_a_day(web):
    p, text = page(web, "/id/eco-apg-meeting-6?as_of=2025-06-01")
    assert "As the graph stood on" in text and "2025-06-01" in text
    assert "scheduled" in p.summary and "held" not in p.summary.split(" · ")
    assert '<li class="superseded">' not in text  # nothing had superseded it yet
    now, _ = page(web, "/id/eco-apg-meeting-6")
    assert "held" in now.summary


@pytest.mark.parametrize("day", ["2025-02-30", "tomorrow", "2025-6-1"])
def test_a_bad_day_is_a_400_in_the_urls_terms(web, day):
    r = web.get(f"/id/eco-apg-meeting-6?as_of={day}", headers=HTML)
    assert r.status_code == 400
    assert "as_of" in r.text and "--as-of" not in r.text


def test_an_entity_not_yet_in_the_graph_on_that_day_is_404(web):
    r = web.get("/id/eco-apg-meeting-6?as_of=2000-01-01", headers=HTML)
    assert r.status_code == 404 and "as it stood on 2000-01-01" in r.text


def test_the_cli_describe_is_unchanged_by_the_page(bundled):
    from kg import views

    shown = views.entity(bundled, "kgi:eco-apg-meeting-6")
    text = shown.to_text()
    assert "rdfs:label [label]" in text and "referenced by:" in text  # the CLI still shows everything
    assert shown.to_json()["entity"].endswith("/id/eco-apg-meeting-6")


def test_inverse_label_rule(bundled):
    from kg.describe import inverse_label

    store = bundled.store().store
    kg = PREFIXES["kg"]
    assert inverse_label(store, ox.NamedNode(kg + "heldBy")) == "holds"  # owl:inverseOf kg:holds
    assert inverse_label(store, ox.NamedNode(kg + "topic")) == "topic of"
    assert inverse_label(store, ox.NamedNode(kg + "memberOf")) == "members"
    assert inverse_label(store, ox.NamedNode(kg + "plannedLocation")) == "planned place of"


def test_links_keep_the_day_and_the_language_asked_for(web):
    p, text = page(web, "/id/state-tj?lang=ru&as_of=2025-01-01")
    eco = [a["href"] for a in p.links if a.get("href", "").startswith("/id/eco?")]
    assert eco and all("as_of=2025-01-01" in h and "lang=ru" in h for h in eco)
    assert p.link("As it stands now")["href"] == "/id/state-tj?lang=ru"
    # a language that came from the header is the reader's anyway: links stay plain
    p, _ = page(web, "/id/state-tj", **{"Accept-Language": "ru"})
    assert any(a.get("href") == "/id/eco" for a in p.links)


def test_each_name_is_listed_once(web):
    _, text = page(web, "/id/eco-2024-plan-of-interaction")
    names = re.search(r'<ul class="names">(.*?)</ul>', text, flags=re.S)
    assert names is not None
    shown = re.findall(r"<li><span[^>]*>(.*?)</span>", names.group(1))
    assert len(shown) == len(set(shown))
    assert "dcterms:title, rdfs:label" in names.group(1)


def test_a_record_landed_on_says_in_words_what_it_records(web):
    p, _ = page(web, "/id/chg-2025-09-25-eco-apg-meeting-6-event-status")
    assert "a record that “6th Meeting of the Attorneys/Prosecutors General of the ECO Member States: event status scheduled” no longer holds since 2025-09-25" in p.summary
    p, _ = page(web, "/id/tenure-prosecutor-general-uz-nigmatilla-yuldoshev")
    assert p.summary.startswith("tenure Nigmatilla Yuldoshev in the post of Prosecutor General of Uzbekistan")
