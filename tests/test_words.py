"""What the web pages say: the home page's counts are the served graph's, and no page gives
a web user command-line advice (an option of ``kg`` they cannot pass from a browser).

The counts are compared three ways: the page, a SPARQL ``COUNT`` sent to the served
endpoint (its default graph, which every query reads) and the VoID description the server
publishes. They once disagreed: types and statements were summed per file, so a city
named by five reports counted five times and superseded statements counted as held.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pyoxigraph as ox
import pytest

from kg.namespaces import PREFIXES, expand_curie

HTML = {"Accept": "text/html"}
VOID = "http://rdfs.org/ns/void#"
KGG = PREFIXES["kgg"]


def _count(web, query: str) -> int:
    answer = web.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 200, answer.text
    (row,) = answer.json()["results"]["bindings"]
    return int(row["n"]["value"])


def _home(web) -> str:
    answer = web.get("/", headers=HTML)
    assert answer.status_code == 200
    return answer.text


def _void(web) -> ox.Store:
    answer = web.get("/void.ttl")
    assert answer.status_code == 200
    store = ox.Store()
    store.load(answer.content, format=ox.RdfFormat.TURTLE)
    return store


def _number(store: ox.Store, query: str) -> dict[str, int]:
    return {row[0].value: int(row[1].value) for row in store.query(query)}


def test_the_home_page_counts_the_statements_the_endpoint_and_void_count(web) -> None:
    said = re.search(r"The graph holds ([\d,]+) statements", _home(web))
    assert said, "the home page no longer says how many statements the graph holds"
    shown = int(said.group(1).replace(",", ""))
    served = _count(web, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    void = _number(_void(web), f"SELECT ?d ?n WHERE {{ ?d a <{VOID}Dataset> ; <{VOID}triples> ?n ; <{VOID}uriSpace> ?u }}")
    assert list(void.values()) == [served]
    assert shown == served


def test_the_home_page_counts_each_instance_once_as_the_endpoint_and_void_do(web) -> None:
    rows = re.findall(r'<tr><td class="num">(\d+)</td><td><a href="[^"]*">([\w:]+)</a></td></tr>', _home(web))
    assert len(rows) >= 10, "the home page no longer lists instances per class"
    shown = {expand_curie(c): int(n) for n, c in rows}
    served = {c: _count(web, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a <{c}> }}") for c in shown}
    void = _number(_void(web), f"SELECT ?c ?n WHERE {{ ?p <{VOID}class> ?c ; <{VOID}entities> ?n }}")
    assert shown == served
    assert shown == {c: void[c] for c in shown}
    # the ones the issue found counted more than once (a city, a tenure stated by several files)
    city, tenure = PREFIXES["kg"] + "City", PREFIXES["kg"] + "Tenure"
    assert shown[city] == _count(web, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH ?g {{ ?s a <{city}> }} }}")
    assert shown[tenure] == served[tenure]


def test_the_home_page_counts_each_file_as_void_counts_its_subset(web) -> None:
    home = _home(web)
    files = home[home.index("<h2>Files</h2>"):]
    shown = {g: int(n.replace(",", "")) for n, g in re.findall(r'<td class="num">([\d,]+)</td><td>([\w/.-]+)</td>', files)}
    void = _number(_void(web), f"SELECT ?g ?n WHERE {{ ?d <{VOID}subset> ?g . ?g <{VOID}triples> ?n }}")
    assert shown and shown == {g[len(KGG):]: n for g, n in void.items()}


def test_the_endpoint_does_not_call_its_default_graph_the_union_of_the_files(web) -> None:
    """A superseded statement is in its file's graph and not in the default graph: the
    service description must not claim the union (sd:UnionDefaultGraph)."""
    described = web.get("/sparql", headers={"Accept": "text/turtle"})
    assert described.status_code == 200
    store = ox.Store()
    store.load(described.content, format=ox.RdfFormat.TURTLE)
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert not list(store.quads_for_pattern(None, ox.NamedNode(sd + "feature"), ox.NamedNode(sd + "UnionDefaultGraph")))
    in_files = _count(web, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }")
    assert in_files > _count(web, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"), "no statement is superseded any more"
    assert "superseded" in described.text


# ---------------------------------------------------------------- no command-line advice


class _Text(HTMLParser):
    """The text a person reads (outside script and style) and the page's links."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.links: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)
        for name, value in attrs:  # what a screen reader or a tooltip says counts as read too
            if name in ("title", "aria-label", "placeholder", "alt") and value:
                self.text.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)


def _kg_options() -> set[str]:
    """Every long option of the ``kg`` command and its subcommands (``--as-of``, ...)."""
    import click

    from kg.cli import cli

    found: set[str] = set()

    def walk(command: click.Command) -> None:
        for p in command.params:
            found.update(o for o in (*p.opts, *p.secondary_opts) if o.startswith("--") and o != "--help")
        if isinstance(command, click.Group):
            for sub in command.commands.values():
                walk(sub)

    walk(cli)
    return found


#: one page of every kind, and the answers that explain a mistake (the error pages)
PAGES = [
    "/", "/queries", "/queries?tag=meetings", "/editor", "/api", "/search?q=tajik", "/search?q=zzzz",
    "/suggest", "/ontology/index.html", "/id/eco", "/id/state-tj", "/id/kamran-aliyev",
    "/queries/delegations-at-meeting", "/queries/delegations-at-meeting?event=kgi:eco-apg-meeting-4",
    "/queries/event-status?event=kgi:eco-apg-meeting-6&as_of=2025-06-01",
    # mistakes a person makes in a form or an address
    "/queries/event-status?event=kgi:eco-apg-meeting-6&as_of=2025-02-30",
    "/queries/event-status?event=kgi:eco-apg-meeting-6&as_of=1900-01-01",
    "/queries/delegations-at-meeting?run=1",
    "/queries/delegations-at-meeting?event=not+an+iri",
    "/queries/no-such-query", "/id/no-such-thing", "/nowhere", "/resource", "/resource?iri=%3Cbad%3E",
    "/draw/nothing.svg", "/draw/timeline.svg?as_of=someday",
    "/editor?query=SELECT+*+WHERE+%7B+SERVICE+%3Chttp%3A%2F%2Fexample.org%2Fsparql%3E+%7B+%3Fs+%3Fp+%3Fo+%7D+%7D",
    "/editor?query=SELECT+*+FROM+%3Chttp%3A%2F%2Fexample.org%2Fdata%3E+WHERE+%7B+%3Fs+%3Fp+%3Fo+%7D",
    "/editor?query=SELEKT", "/editor?query=INSERT+DATA+%7B+%3Ca%3E+%3Cb%3E+%3Cc%3E+%7D",
    "/editor?query=ASK+%7B+%3Fs+%3Fp+%3Fo+%7D&format=zzz",
    "/sparql?query=ASK+%7B+%3Fs+%3Fp+%3Fo+%7D&format=turtle",
]


def _advice(text: str, options: set[str]) -> list[str]:
    found = [o for o in options if re.search(rf"(?<![\w-]){re.escape(o)}(?![\w-])", text)]
    found += re.findall(r"\bpass -\w\b|\brun with -", text)
    return found


@pytest.mark.parametrize("path", PAGES)
def test_no_page_gives_a_web_user_command_line_advice(web, path: str) -> None:
    answer = web.get(path, headers=HTML)
    assert answer.status_code < 500, answer.text[:500]
    page = _Text()
    page.feed(answer.text)
    text = html.unescape(" ".join(page.text)) if answer.headers["Content-Type"].startswith("text/html") else answer.text
    assert not _advice(text, _kg_options()), f"{path} advises the command line: {_advice(text, _kg_options())}"
    assert not re.search(r"\ba [AEIOU][A-Z]+ result", text), f"{path}: {text}"


def test_the_review_of_a_text_gives_no_command_line_advice() -> None:
    from conftest import ROOT
    from test_review_page import app_over, reviewed
    from werkzeug.test import Client

    app, _ = app_over(ROOT)
    body, _, ticks = reviewed(Client(app))
    assert ticks, "the example text gives no candidate any more"
    page = _Text()
    page.feed(body)
    text = html.unescape(" ".join(page.text))
    assert not _advice(text, _kg_options()), _advice(text, _kg_options())


def test_the_crawl_meets_every_page_linked_from_the_home_page_without_advice(web) -> None:
    """Every page two links from the home page, as a visitor clicks through them."""
    options = _kg_options()
    seen: set[str] = set()
    todo = [("/", 0)]
    while todo:
        path, depth = todo.pop(0)
        if path in seen or len(seen) >= 250:
            continue
        seen.add(path)
        answer = web.get(path, headers=HTML)
        if not answer.headers.get("Content-Type", "").startswith("text/html"):
            continue
        page = _Text()
        page.feed(answer.text)
        text = html.unescape(" ".join(page.text))
        assert not _advice(text, options), f"{path} advises the command line: {_advice(text, options)}"
        if depth < 2:
            for link in page.links:
                url = urlsplit(urljoin("http://kg.test" + path, link))
                if url.netloc == "kg.test" and not url.path.startswith(("/draw/", "/static/")) and "format=" not in url.query:
                    todo.append((url.path + (f"?{url.query}" if url.query else ""), depth + 1))
    assert len(seen) > 50


def test_the_command_line_keeps_its_own_advice() -> None:
    """The same mistake on the command line is still told in the command line's terms."""
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-m", "kg", "sparql", "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"],
                         capture_output=True, text=True)
    assert run.returncode != 0
    assert "pass --allow-network" in run.stderr


def test_the_web_words_a_problem_for_the_web_and_keeps_it_across_the_worker() -> None:
    """One place chooses a problem's advice per face: ``str(exc)`` (the CLI) keeps the
    command line's, ``kg.web.http.problem_of`` takes the web's, or none rather than the
    command line's; the web's wording survives the pipe from a query worker."""
    import pickle

    from kg.errors import NetworkRefused, UsageError
    from kg.web.http import problem_of

    exc = NetworkRefused("the query uses SERVICE", location="<query>", hint="remove it, or pass --allow-network if you mean it",
                         web_hint="remove it: this server answers from its own graph only")
    back = pickle.loads(pickle.dumps(exc))
    assert "--allow-network" in str(back)
    p = problem_of(back, 400)
    assert (p.status, p.message, p.hint) == (400, "<query>: the query uses SERVICE", "remove it: this server answers from its own graph only")
    assert problem_of(UsageError("x", hint="pass --data DIR pointing at a checkout"), 400).hint is None
    assert problem_of(UsageError("x", hint="use `kg amend FILE` for facts that replace earlier ones"), 400).hint is None
    assert problem_of(UsageError("x", hint="write the day as YYYY-MM-DD"), 400).hint == "write the day as YYYY-MM-DD"


def test_a_real_server_tells_the_web_s_advice(server) -> None:
    """Through a real worker process (the error is pickled back to the front)."""
    import urllib.error
    import urllib.request
    from urllib.parse import quote

    query = quote("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    request = urllib.request.Request(f"{server.url}/editor?query={query}", headers={"Accept": "text/html"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    text = refused.value.read().decode("utf-8")
    assert refused.value.code == 400
    assert "this server answers from its own graph only" in text and "--allow-network" not in text
