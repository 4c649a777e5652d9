"""Parameters of stored queries as a person gives them: names for IRIs, required values,
IRIs the graph does not know; on the command line and on the query pages."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from kg.cli import main
from kg.errors import EXIT_OK, EXIT_USAGE
from kg.sparql.catalog import QueryCatalog, is_name

ROOT = Path(__file__).resolve().parent.parent
HTML = {"Accept": "text/html"}
APG4 = "https://w3id.org/jckg/id/eco-apg-meeting-4"
APG4_NAME = "4th Meeting of the Attorneys/Prosecutors General of the ECO Member States"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["--data", str(ROOT), *args])
    out, err = capsys.readouterr()
    return code, out, err


def column(out: str, name: str) -> list[str]:
    return [row[name] for row in csv.DictReader(io.StringIO(out))]


@pytest.mark.parametrize(("value", "name"), [
    ("Tajikistan", True), ("Таджикистан", True), ("4th meeting", True), ("Meeting: 4th", True),
    ("kgi:state-tj", False), ("kgi:nosuch", False), ("foo:bar", False), ("<https://x.org/a>", False),
    ("kgi:sco . ?s ?p ?o", False),
    ("https://w3id.org/jckg/id/eco", False), ("", False),
])
def test_what_counts_as_a_name(value: str, name: bool) -> None:
    assert is_name(value) is name


# ---------------------------------------------------------------- the command line


def test_a_name_in_any_language_is_taken_as_its_one_entity(capsys) -> None:
    by_curie = run(capsys, "query", "timeline-of-state", "-p", "state", "kgi:state-tj", "-f", "csv")
    for name in ("Tajikistan", "Таджикистан", "tajikistan"):
        code, out, err = run(capsys, "query", "timeline-of-state", "-p", "state", name, "-f", "csv")
        assert code == EXIT_OK, err
        assert out == by_curie[1] and len(out.splitlines()) > 5
        assert f"state: {name!r} taken as 'Tajikistan' (kgi:state-tj)" in err


def test_a_whole_name_picks_the_meeting(capsys) -> None:
    code, out, err = run(capsys, "query", "delegations-at-meeting", "-p", "event", APG4_NAME, "-f", "csv")
    assert code == EXIT_OK, err
    assert "(kgi:eco-apg-meeting-4)" in err
    assert out == run(capsys, "query", "delegations-at-meeting", "-p", "event", "kgi:eco-apg-meeting-4", "-f", "csv")[1]


def test_a_name_of_several_entities_is_refused_with_the_candidates(capsys) -> None:
    code, out, err = run(capsys, "query", "delegations-at-meeting", "-p", "event", "4th meeting")
    assert code == EXIT_USAGE and out == ""
    assert err.startswith("kg: error: parameter 'event': '4th meeting' matches")
    # the three 4th Meetings come first, with their names; the delegations to them after
    for candidate in ("kgi:eco-apg-meeting-4 ", "kgi:eco-anti-corruption-meeting-4 ", "kgi:eco-interior-ministers-meeting-4 "):
        assert -1 < err.index(candidate) < err.index("delegation")
    assert "4th Meeting of the Interior Ministers" in err


def test_a_name_of_nothing_is_an_error_with_close_names(capsys) -> None:
    code, out, err = run(capsys, "query", "timeline-of-state", "-p", "state", "Tajikstan")
    assert code == EXIT_USAGE and out == ""
    assert "nothing in the graph is named 'Tajikstan'" in err and "did you mean: kgi:state-tj" in err


def test_an_iri_the_graph_does_not_mention_runs_with_a_warning(capsys) -> None:
    code, out, err = run(capsys, "query", "timeline-of-state", "-p", "state", "kgi:state-nowhere", "-f", "csv")
    assert code == EXIT_OK
    assert out.splitlines() == ["start,event,eventLabel,status,capacity"]
    assert "kg: warning: kgi:state-nowhere is not in the graph: no statement mentions it" in err
    # a known IRI gets no such warning
    assert "warning" not in run(capsys, "query", "timeline-of-state", "-p", "state", "kgi:state-tj", "-f", "csv")[2]


def test_a_required_parameter_left_out_is_an_error_naming_it(capsys) -> None:
    code, out, err = run(capsys, "query", "delegations-at-meeting")
    assert code == EXIT_USAGE and out == ""
    assert "missing parameter 'event'" in err and "kg query delegations-at-meeting -p event kgi:eco-apg-meeting-4" in err
    # --as-of fills the day parameter, so the day alone is enough there
    code, out, err = run(capsys, "query", "scheduled-events", "-f", "csv")
    assert code == EXIT_USAGE and "missing parameter 'asOf'" in err
    assert run(capsys, "query", "scheduled-events", "--as-of", "2025-06-01", "-f", "csv")[0] == EXIT_OK


def test_defaults_are_no_longer_examples() -> None:
    """Every default left in queries/ would answer a question nobody asked: the values
    that were examples live in the header's example, which binds every required one."""
    catalog = QueryCatalog(ROOT / "queries")
    for q in catalog.all():
        for p in q.params.values():
            assert p.default is None, (q.name, p.name)
            assert p.name in q.example_values or p.name == q.as_of, (q.name, p.name)


# ---------------------------------------------------------------- the pages


def test_the_first_view_shows_examples_as_placeholders_and_runs_nothing(web) -> None:
    page = web.get("/queries/delegations-at-meeting", headers=HTML)
    assert page.status_code == 200
    assert re.search(r'<input id="p-event" name="event" value="" placeholder="kgi:eco-apg-meeting-4" required', page.text)
    assert 'class="results"' not in page.text and "Kamran Aliyev" not in page.text
    # a query that needs nothing runs at once
    assert 'class="results"' in web.get("/queries/topic-counts", headers=HTML).text


def test_a_run_without_a_required_value_is_400_saying_what_is_missing(web) -> None:
    page = web.get("/queries/delegations-at-meeting", params={"event": "", "run": "1"}, headers=HTML)
    assert page.status_code == 400
    assert "missing a value for event: it is required" in page.text
    assert 'aria-invalid="true"' in page.text and 'class="results"' not in page.text
    api = web.get("/queries/delegations-at-meeting", headers={"Accept": "application/json"})
    assert api.status_code == 400 and "missing parameter 'event'" in api.text


def test_a_name_on_the_page_says_which_entity_it_was_taken_as(web) -> None:
    page = web.get("/queries/delegations-at-meeting", params={"event": APG4_NAME, "run": "1"}, headers=HTML)
    assert page.status_code == 200
    assert f"event: &#39;{APG4_NAME}&#39; taken as &#39;{APG4_NAME}&#39; (kgi:eco-apg-meeting-4)" in page.text
    assert "Kamran Aliyev" in page.text
    # the field keeps what the person typed
    assert f'value="{APG4_NAME}"' in page.text
    # the API takes names too
    api = web.get("/queries/timeline-of-state", params={"state": "Таджикистан", "format": "csv"})
    assert api.status_code == 200 and len(api.text.splitlines()) > 5


def test_an_ambiguous_name_on_the_page_is_400_listing_the_candidates(web) -> None:
    page = web.get("/queries/delegations-at-meeting", params={"event": "4th meeting", "run": "1"}, headers=HTML)
    assert page.status_code == 400
    assert "matches" in page.text and "kgi:eco-apg-meeting-4" in page.text and "kgi:eco-interior-ministers-meeting-4" in page.text
    # each candidate shown is a link that runs the query with it
    links = re.findall(r'<li><a href="(/queries/delegations-at-meeting\?[^"]+)">([^<]+)</a></li>', page.text)
    assert len(links) == 8 and links[0][1].endswith("(kgi:eco-anti-corruption-meeting-4)")
    chosen = next(url for url, label in links if label.endswith("(kgi:eco-apg-meeting-4)"))
    ran = web.get(chosen.replace("&amp;", "&"), headers=HTML)
    assert ran.status_code == 200 and "Kamran Aliyev" in ran.text
    nothing = web.get("/queries/delegations-at-meeting", params={"event": "zzz no such thing", "run": "1"}, headers=HTML)
    assert nothing.status_code == 400 and "nothing in the graph is named" in nothing.text


def test_an_unknown_iri_on_the_page_runs_with_a_warning(web) -> None:
    page = web.get("/queries/delegations-at-meeting", params={"event": "kgi:no-such-meeting", "run": "1"}, headers=HTML)
    assert page.status_code == 200
    assert "kgi:no-such-meeting is not in the graph: no statement mentions it" in page.text
    known = web.get("/queries/delegations-at-meeting", params={"event": "kgi:eco-apg-meeting-4"}, headers=HTML)
    assert "not in the graph" not in known.text and "Kamran Aliyev" in known.text
