"""Amendments with history, the current view and as-of queries (kg amend, kg history, --as-of).

The bundled graph holds one real amendment: the ECO's report of the 6th Meeting of the
Attorneys/Prosecutors General (eco.int, 25 September 2025) supersedes the 2025 bulletin's
"scheduled" with "held". The tests pin what the graph answers today and on earlier days,
and refuse every kind of bad amendment with the files unchanged.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from test_add import graph_dir, snapshot  # noqa: F401 - the private copy of the graph, and its files' hashes

from kg.add import add_files
from kg.cli import main
from kg.errors import InputError, UsageError
from kg.layout import Layout
from kg.rdf.convert import to_pyoxigraph
from kg.reference.load import load_dataset
from kg.store.local import open_store

ROOT = Path(__file__).resolve().parents[1]
AMENDMENT = ROOT / "examples" / "amendments" / "eco-apg-meeting-6-held.ttl"
AMENDED_FILE = "eco-2025-09-25-tashkent-meeting.ttl"
KG, KGI, KGC = "https://w3id.org/jckg/ontology#", "https://w3id.org/jckg/id/", "https://w3id.org/jckg/concept/"
BULLETIN = ox.NamedNode("https://w3id.org/jckg/graph/data/eco-judicial-cooperation-2025")
MEETING_6 = ox.NamedNode(KGI + "eco-apg-meeting-6")
STATUS = ox.NamedNode(KG + "eventStatus")
HELD, SCHEDULED = ox.NamedNode(KGC + "held"), ox.NamedNode(KGC + "scheduled")

PREFIXES = """\
@prefix kg: <https://w3id.org/jckg/ontology#> .
@prefix kgi: <https://w3id.org/jckg/id/> .
@prefix kgc: <https://w3id.org/jckg/concept/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix schema: <https://schema.org/> .
@prefix prov: <http://www.w3.org/ns/prov#> .

kgi:src-test-correction a kg:SourceDocument ;
    dcterms:title "A test correction"@en ;
    kg:publisherName "Test publisher" ;
    dcterms:issued "2026-03-01"^^xsd:date ;
    kg:documentKind kgc:news-item .
"""


def record(local: str, s: str, p: str, o: str, *, on: str = "2026-03-01", cite: bool = True) -> str:
    return f"""
kgi:{local} a kg:Supersession ;
    rdf:subject {s} ; rdf:predicate {p} ; rdf:object {o} ;
    kg:supersededOn "{on}"^^xsd:date ;
    kg:changeKind kgc:correction ;
    kg:reason "A test correction."@en ;
    kg:quote "the test says so" """ + (";\n    prov:wasDerivedFrom kgi:src-test-correction .\n" if cite else ".\n")


@pytest.fixture()
def before_amendment(graph_dir: Layout) -> Layout:
    """The graph as it was before the 6th Meeting was brought up to date."""
    (graph_dir.data_dir / AMENDED_FILE).unlink()
    return graph_dir


def write(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(PREFIXES + body, encoding="utf-8")
    return path


def rows(result) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    return result.to_dicts(plain=True)


# ---------------------------------------------------------------- the current view


def test_the_current_view_holds_the_new_status_and_the_bulletin_keeps_its_word(bundled) -> None:
    store = bundled.store().store
    current = {q.object for q in store.quads_for_pattern(MEETING_6, STATUS, None, ox.DefaultGraph())}
    assert current == {HELD}
    in_bulletin = {q.object for q in store.quads_for_pattern(MEETING_6, STATUS, None, BULLETIN)}
    assert in_bulletin == {SCHEDULED}  # superseded, not deleted


def test_the_reference_dataset_has_the_same_current_view(bundled) -> None:
    """rdflib over the files (the reference) and the store agree on the default graph."""
    ds = load_dataset(Layout(ROOT))
    reference = {tuple(to_pyoxigraph(x) for x in t) for t in ds.default_graph}
    store = {(q.subject, q.predicate, q.object) for q in bundled.store().store.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    assert (MEETING_6, STATUS, SCHEDULED) not in reference
    assert reference == store


def test_reasoning_reads_the_current_view(bundled) -> None:
    owlrl = bundled.store("owlrl").store
    inferred = ox.NamedNode("https://w3id.org/jckg/graph/inferred")
    assert not list(owlrl.quads_for_pattern(MEETING_6, STATUS, SCHEDULED, inferred))
    assert not list(owlrl.quads_for_pattern(MEETING_6, STATUS, SCHEDULED, ox.DefaultGraph()))


def test_an_incremental_rebuild_gives_a_retired_statement_back_when_its_record_goes(before_amendment: Layout, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    shutil.copy(ROOT / "data" / AMENDED_FILE, before_amendment.data_dir / AMENDED_FILE)
    amended = open_store(before_amendment, cache=cache).store
    assert list(amended.quads_for_pattern(MEETING_6, STATUS, HELD, ox.DefaultGraph()))
    (before_amendment.data_dir / AMENDED_FILE).unlink()
    gs = open_store(before_amendment, cache=cache)
    assert gs.reloaded == ()  # built from the amended version's checkpoint, no file reloaded
    statuses = {q.object for q in gs.store.quads_for_pattern(MEETING_6, STATUS, None, ox.DefaultGraph())}
    assert statuses == {SCHEDULED}


# ---------------------------------------------------------------- kg amend


def test_amending_the_graph_before_reproduces_the_bundled_file_and_store(before_amendment: Layout, tmp_path: Path) -> None:
    result = add_files([AMENDMENT], before_amendment, amend=True)
    assert result.accepted and result.written and result.new_file and result.superseded == 1
    written = before_amendment.data_dir / AMENDED_FILE
    assert written.read_bytes() == (ROOT / "data" / AMENDED_FILE).read_bytes()
    # the version kg amend published equals a fresh build from the files
    published = open_store(before_amendment).store
    fresh = open_store(before_amendment, cache=False).store
    assert set(published.quads_for_pattern(None, None, None, None)) == set(fresh.quads_for_pattern(None, None, None, None))
    again = add_files([AMENDMENT], before_amendment, amend=True)
    assert not again.written and again.added == 0  # idempotent


def _refused(layout: Layout, path: Path, match: str) -> None:
    before = snapshot(layout.data_dir)
    with pytest.raises(InputError, match=match):
        add_files([path], layout, amend=True)
    assert snapshot(layout.data_dir) == before


def test_an_amendment_without_a_source_is_refused(graph_dir: Layout, tmp_path: Path) -> None:
    path = write(tmp_path, "a.ttl", record("chg-test", "kgi:eco-apg-meeting-4", "kg:location", "kgi:baku", cite=False))
    _refused(graph_dir, path, "has no source")


def test_superseding_a_statement_the_graph_does_not_hold_is_refused(graph_dir: Layout, tmp_path: Path) -> None:
    path = write(tmp_path, "a.ttl", record("chg-test", "kgi:eco-apg-meeting-4", "kg:location", "kgi:tashkent"))
    _refused(graph_dir, path, "does not hold: kgi:eco-apg-meeting-4 kg:location kgi:tashkent")


def test_superseding_an_already_superseded_statement_names_the_record(graph_dir: Layout, tmp_path: Path) -> None:
    path = write(tmp_path, "a.ttl", record("chg-test", "kgi:eco-apg-meeting-6", "kg:eventStatus", "kgc:scheduled"))
    _refused(graph_dir, path, "already superseded by kgi:chg-2025-09-25-eco-apg-meeting-6-event-status on 2025-09-25")


def test_two_records_of_the_same_statement_in_one_file_are_refused(graph_dir: Layout, tmp_path: Path) -> None:
    body = record("chg-a", "kgi:eco-apg-meeting-4", "kg:location", "kgi:baku") + record("chg-b", "kgi:eco-apg-meeting-4", "kg:location", "kgi:baku")
    _refused(graph_dir, write(tmp_path, "a.ttl", body), "supersede the same statement")


def test_kg_add_refuses_a_supersession_and_kg_amend_requires_one(graph_dir: Layout, tmp_path: Path) -> None:
    path = write(tmp_path, "a.ttl", record("chg-test", "kgi:eco-apg-meeting-4", "kg:location", "kgi:baku"))
    before = snapshot(graph_dir.data_dir)
    with pytest.raises(InputError, match="kg add only adds"):
        add_files([path], graph_dir)
    plain = write(tmp_path, "b.ttl", "kgi:eco-apg-meeting-4 kg:ordinal 4 ; prov:wasDerivedFrom kgi:src-test-correction .\n")
    with pytest.raises(InputError, match="supersedes nothing"):
        add_files([plain], graph_dir, amend=True)
    assert snapshot(graph_dir.data_dir) == before


def test_an_amendment_whose_new_value_breaks_a_shape_is_rejected(graph_dir: Layout, tmp_path: Path) -> None:
    """Retiring the 4th Meeting's place and giving it a value that is not a place."""
    body = record("chg-test", "kgi:eco-apg-meeting-4", "kg:location", "kgi:baku") + """
kgi:eco-apg-meeting-4 kg:location kgi:eco ;
    prov:wasDerivedFrom kgi:src-test-correction .
"""
    before = snapshot(graph_dir.data_dir)
    result = add_files([write(tmp_path, "a.ttl", body)], graph_dir, amend=True)
    assert not result.accepted and not result.written
    assert any("location" in (v.path or "") for v in result.report.violations)
    assert snapshot(graph_dir.data_dir) == before


def test_retiring_a_required_statement_without_a_replacement_is_rejected(graph_dir: Layout, tmp_path: Path) -> None:
    """The current view is validated: a meeting left without a status breaks its shape."""
    path = write(tmp_path, "a.ttl", record("chg-test", "kgi:eco-apg-meeting-4", "kg:eventStatus", "kgc:held"))
    result = add_files([path], graph_dir, amend=True)
    assert not result.accepted and not result.written
    assert any("eventStatus" in (v.path or "") for v in result.report.violations)


def test_two_concurrent_amendments_of_the_same_statement_one_wins(graph_dir: Layout, tmp_path: Path) -> None:
    """Two processes at once, each superseding the 4th Meeting's ordinal with its own value:
    they take turns under the lock, and the second finds the statement already superseded."""
    files = []
    for n, value in ((1, 40), (2, 41)):
        body = (
            PREFIXES.replace("src-test-correction", f"src-test-correction-{n}")
            + record(f"chg-test-{n}", "kgi:eco-apg-meeting-4", "kg:ordinal", "4").replace("src-test-correction", f"src-test-correction-{n}")
            + f"kgi:eco-apg-meeting-4 kg:ordinal {value} ; prov:wasDerivedFrom kgi:src-test-correction-{n} .\n"
        )
        path = tmp_path / f"amend-{n}.ttl"
        path.write_text(body, encoding="utf-8")
        files.append(path)
    env = dict(os.environ, KG_TEST_SLOW_WRITE="0.3")
    runs = [
        subprocess.Popen([sys.executable, "-m", "kg", "--data", str(graph_dir.root), "amend", str(f)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for f in files
    ]
    outputs = [r.communicate(timeout=300) for r in runs]
    codes = sorted(r.returncode for r in runs)
    assert codes == [0, 3], outputs  # 3: input that can never be merged
    loser = next(o for r, o in zip(runs, outputs, strict=True) if r.returncode == 3)
    assert b"already superseded by kgi:chg-test-" in loser[1]
    assert len(list(graph_dir.data_dir.glob("test-correction-*.ttl"))) == 1


# ---------------------------------------------------------------- kg history


def test_history_shows_the_superseded_status_with_when_why_and_both_passages(bundled) -> None:
    entries = [e for e in bundled.history("kgi:eco-apg-meeting-6") if e.predicate == STATUS]
    by_value = {e.object: e for e in entries}
    old, new = by_value[SCHEDULED], by_value[HELD]
    assert not old.current and new.current
    assert old.graph == BULLETIN and old.known_from.isoformat() == "2025-01-01"
    [r] = old.superseded_by
    assert r.on.isoformat() == "2025-09-25" and r.new_value == HELD and r.kind.value.endswith("status-change")
    assert "25 September 2025" in r.reason
    assert any("scheduled" in ev.quote for ev in old.evidence)
    assert any("convened in Tashkent" in ev.quote for ev in new.evidence)
    assert new.known_from.isoformat() == "2025-09-25"


def test_history_cli_text_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data", str(ROOT), "history", "kgi:eco-apg-meeting-6"]) == 0
    text = capsys.readouterr().out
    assert "x kg:eventStatus  kgc:scheduled" in text and "superseded on 2025-09-25 (status change), now kgc:held" in text
    assert main(["--data", str(ROOT), "history", "kgi:eco-apg-meeting-6", "-f", "json"]) == 0
    body = json.loads(capsys.readouterr().out)
    superseded = [s for s in body["statements"] if not s["current"]]
    assert [s["object"] for s in superseded] == ["kgc:scheduled"]
    assert superseded[0]["superseded_by"][0]["file"] == f"data/{AMENDED_FILE}"


def test_history_of_an_unknown_entity_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data", str(ROOT), "history", "kgi:no-such-thing"]) == 2
    assert "kgi:no-such-thing" in capsys.readouterr().err


# ---------------------------------------------------------------- as-of answers, pinned


@pytest.mark.parametrize(
    ("day", "status", "source"),
    [
        ("2025-06-01", "kgc:scheduled", "kgi:src-eco-2025-s1-introduction"),
        ("2025-09-24", "kgc:scheduled", "kgi:src-eco-2025-s1-introduction"),
        ("2025-09-25", "kgc:held", "kgi:src-eco-2025-09-25-tashkent-meeting"),
        ("2026-12-01", "kgc:held", "kgi:src-eco-2025-09-25-tashkent-meeting"),
    ],
)
def test_the_6th_meetings_status_as_known_on_a_day(bundled, day: str, status: str, source: str) -> None:
    found = rows(bundled.query("event-status", event="kgi:eco-apg-meeting-6", as_of=day))
    assert {(r["status"].replace(KGC, "kgc:"), r["source"].replace(KGI, "kgi:")) for r in found} == {(status, source)}


def test_before_the_bulletin_the_6th_meeting_is_unknown(bundled) -> None:
    assert rows(bundled.query("event-status", event="kgi:eco-apg-meeting-6", as_of="2024-06-01")) == []


def test_scheduled_events_in_june_2025_and_today(bundled) -> None:
    june = rows(bundled.query("scheduled-events", as_of="2025-06-01"))
    assert [r["event"] for r in june] == [MEETING_6.value]
    assert rows(bundled.query("scheduled-events", as_of="2026-12-01")) == []


def test_eco_members_in_2024(bundled) -> None:
    found = rows(bundled.query("members-on-date", organisation="kgi:eco", as_of="2024-01-01"))
    assert sorted(r["state"].rsplit("-", 1)[1] for r in found) == ["af", "az", "ir", "kg", "kz", "pk", "tj", "tm", "tr", "uz"]


def test_sco_members_before_and_after_iran_joined(bundled) -> None:
    def members(day: str) -> set[str]:
        return {r["state"].rsplit("-", 1)[1] for r in rows(bundled.query("members-on-date", organisation="kgi:sco", as_of=day))}

    assert "ir" not in members("2023-07-03") and "ir" in members("2023-07-05")


def test_the_view_leaves_out_a_source_published_later(bundled) -> None:
    """On 2025-09-24 the ECO's report of the 25th was not yet published: its facts are absent
    (the Secretary General's words there; the prosecutor it names is known from 2020 on)."""
    ask = "ASK { kgi:eco-apg-meeting-6-khan-1 ?p ?o }"
    assert bundled.sparql(ask, as_of="2025-09-24").boolean is False
    assert bundled.sparql(ask, as_of="2025-09-25").boolean is True
    assert bundled.sparql(ask).boolean is True


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["query", "scheduled-events", "--as-of", "2025-02-30"], "is not a date: day is out of range"),
        (["query", "scheduled-events", "--as-of", "2025-6-1"], "is not a date"),
        (["query", "scheduled-events", "--as-of", "1900-01-01"], "is before any source of the graph"),
        (["query", "delegations-at-meeting", "--as-of", "2025-01-01"], "does not take --as-of"),
        (["query", "members-on-date", "--as-of", "2025-01-01", "-p", "date", "2024-01-01"], "ask for two days"),
        (["sparql", "ASK {}", "--as-of", "2025-13-01"], "is not a date"),
    ],
)
def test_bad_as_of_is_refused_with_a_clear_message(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data", str(ROOT), *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_the_facade_refuses_a_bad_day_too(bundled) -> None:
    with pytest.raises(UsageError, match="before any source"):
        bundled.as_of("1984-12-31")  # the earliest: a page not issued before 1985 (ECO's founding)


# ---------------------------------------------------------------- post tenure


def _holders(bundled, **kw: str) -> set[tuple[str, str]]:
    return {(r["post"].rsplit("/", 1)[1], r["holder"].rsplit("/", 1)[1]) for r in rows(bundled.query("holders-on-date", **kw))}


def test_who_held_a_post_on_a_day_within_the_known_span(bundled) -> None:
    assert ("post-prosecutor-general-az", "kamran-aliyev") in _holders(bundled, date="2024-01-01")
    # the last sighting is 15 November 2024: the graph does not claim the tenure went on
    assert ("post-prosecutor-general-az", "kamran-aliyev") not in _holders(bundled, date="2025-01-01")
    assert ("post-eco-secretary-general", "asad-m-khan") in _holders(bundled, date="2025-01-01")
    # as known on 1 January 2024, before the bulletin that shows the tenure was published
    assert _holders(bundled, as_of="2024-01-01") == set()


def test_each_sighting_of_a_tenure_cites_its_section(bundled) -> None:
    found = {(r["seen"].isoformat(), r["source"].rsplit("/", 1)[1]) for r in rows(bundled.query("post-tenures", post="kgi:post-prosecutor-general-az"))}
    assert found == {("2023-09-14", "src-eco-2025-s2-meeting-4"), ("2024-11-15", "src-eco-2025-s6-cop29")}


def test_describe_marks_the_superseded_status_and_shows_passages(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data", str(ROOT), "describe", "kgi:eco-apg-meeting-6", "-f", "json"]) == 0
    body = json.loads(capsys.readouterr().out)
    statuses = {s["object"]: s for s in body["outgoing"] if s["predicate"] == STATUS.value}
    assert statuses["kgc:scheduled"]["current"] is False and statuses["kgc:held"]["current"] is True
    assert any("convened in Tashkent" in p["quote"] for p in statuses["kgc:held"]["passages"])
    assert main(["--data", str(ROOT), "describe", "kgi:eco-apg-meeting-6"]) == 0
    text = capsys.readouterr().out
    assert "kgc:scheduled" in text and "(superseded: kg history shows when and why)" in text


def test_views_are_kept_per_day_and_bounded(bundled) -> None:
    import kg.graph

    first = bundled.as_of("2025-06-01")
    assert bundled.as_of("2025-06-01") is first  # built once per day and store version
    for month in range(1, 8):
        bundled.as_of(f"2025-0{month}-15")
    assert len(bundled._views) == kg.graph.MAX_VIEWS
