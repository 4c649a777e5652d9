"""What `kg add` writes is what it validated, and the store it publishes is the files'
(issue 17, class 1), and the smaller doors of class 7: a source dated in the future, a dry
run on a read-only graph, copies left in the cache by a killed addition.

The metadata a submitter gives (title, publisher, date) goes into a new file's header
comment; no character in it may end the comment and turn the rest into statements.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF

import kg
from kg.add import _header, add_files, future_dates
from kg.errors import InputError, WriteError
from kg.layout import Layout
from kg.namespaces import KG, KGI
from kg.rdf.convert import to_pyoxigraph
from kg.rdf.turtle import canonical_turtle, comment_line

ROOT = Path(__file__).resolve().parents[1]
ACCEPTED = ROOT / "examples" / "accepted" / "eco-apg-meeting-6-sidelines.ttl"
TITLE = '"[ECO Secretary General meets the First Deputy Minister of Internal Affairs of Uzbekistan]"@en'
PUBLISHER = '"Trend News Agency"'

# Every character Python, Unicode or a Turtle reader may take for the end of a line
LINE_BREAKS = ["\n", "\r", "\r\n", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
_ALL_TEXT = st.lists(st.characters(codec="utf-8") | st.sampled_from(LINE_BREAKS), max_size=40).map("".join)


@pytest.fixture()
def graph_dir(tmp_path: Path) -> Layout:
    for part in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / part, tmp_path / part)
    return Layout(tmp_path)


def _turtle_string(value: str) -> str:
    """``value`` as a Turtle long string, each character that needs it escaped."""
    return '"""' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "\\r") + '"""'


def _submission(tmp_path: Path, title: str, publisher: str = "Trend News Agency", name: str = "sub.ttl") -> Path:
    text = ACCEPTED.read_text(encoding="utf-8")
    text = text.replace(TITLE, _turtle_string(title) + "@en").replace(PUBLISHER, _turtle_string(publisher))
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _triples(data: bytes) -> set[ox.Triple]:
    return {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(data, ox.RdfFormat.TURTLE)}


def _all_statements(path: Path) -> set[ox.Triple]:
    return _triples(path.read_bytes())


# ---------------------------------------------------------------- the header cannot hold statements


@settings(max_examples=300, deadline=None)
@given(title=_ALL_TEXT, publisher=_ALL_TEXT)
def test_any_title_and_publisher_stay_inside_the_header_comment(title: str, publisher: str) -> None:
    """The whole file, header included, reads back as exactly the graph given: whatever the
    title holds, nothing of it becomes a statement."""
    source = URIRef(KGI + "src-x")
    g = Graph()
    g.add((source, RDF.type, KG.SourceDocument))
    g.add((source, DCTERMS.title, Literal(title, lang="en")))
    g.add((source, KG.publisherName, Literal(publisher)))
    g.add((source, DCTERMS.issued, Literal("2025-01-01")))
    data = canonical_turtle(g, header=_header(g, source))
    expected = {ox.Triple(to_pyoxigraph(s), to_pyoxigraph(p), to_pyoxigraph(o)) for s, p, o in g}
    assert _triples(data) == expected
    header = data.decode("utf-8").split("\n@prefix", 1)[0]
    for line in header.split("\n"):
        assert line == "" or line.startswith("#"), repr(line)
        assert len(line.splitlines()) <= 1 and "\r" not in line


@pytest.mark.parametrize("line", ["plain", "a\nkgi:x kgi:y kgi:z .", "# already a comment\u2028kgi:x kgi:y kgi:z .", "\x00\x1b[31m", "x\x85y", "abc\u202edcba\u202c", "\u2067x\u2069"])
def test_a_comment_line_is_one_comment(line: str) -> None:
    out = comment_line(line)
    assert out.startswith("#") and len(out.splitlines()) == 1
    assert _triples((out + "\n").encode("utf-8")) == set()
    # nothing left that reorders or hides what a reader of the file sees
    assert not any(0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069 or ord(c) < 0x20 for c in out)


def test_persian_joiners_stay_readable_in_a_header() -> None:
    title = "\u062f\u0627\u062f\u0633\u062a\u0627\u0646\u200c\u0647\u0627"  # with a zero-width non-joiner
    assert comment_line(title) == "# " + title


@pytest.mark.parametrize("brk", LINE_BREAKS)
def test_kg_add_with_a_title_on_two_lines_writes_a_file_that_reads_back(graph_dir: Layout, tmp_path: Path, brk: str) -> None:
    evil = f"A title{brk}kgi:state-tj kg:isoAlpha2 \"XX\" .{brk}# end"
    sub = _submission(tmp_path, evil, publisher=f"Agency{brk}kgi:state-kz kg:isoAlpha2 \"YY\" .")
    before = {p.name: p.read_bytes() for p in graph_dir.data_dir.glob("*.ttl")}
    try:
        result = add_files([sub], graph_dir)
    except InputError as exc:
        # control characters XML cannot carry are refused in literals, before anything is written
        assert "control character" in str(exc) and ":" in (exc.location or "")
        assert {p.name: p.read_bytes() for p in graph_dir.data_dir.glob("*.ttl")} == before
        return
    assert result.written
    written = result.target.read_bytes()
    submitted = _triples(sub.read_bytes())
    assert _all_statements(result.target) == submitted  # nothing more, nothing less
    g = kg.open(graph_dir.root, cache=False)
    assert g.sparql('ASK { ?s kg:isoAlpha2 "XX" }').boolean is False
    title = g.sparql("SELECT ?t WHERE { kgi:src-trend-2025-09-24-eco-sg-mia-uz dcterms:title ?t }").rows[0][0]
    assert title.value == evil  # the title itself is kept as given, line breaks and all
    assert b"\nkgi:state-tj kg:isoAlpha2" not in written


# ---------------------------------------------------------------- written = validated = published


def test_what_would_not_read_back_is_not_written(graph_dir: Layout, monkeypatch: pytest.MonkeyPatch) -> None:
    """A writer that loses or invents a statement is caught before the file is touched."""
    import kg.add as add_module

    real = add_module.canonical_turtle

    def lossy(graph: Graph, **kwargs: object) -> bytes:
        return real(list(graph)[1:], **kwargs)  # type: ignore[arg-type]

    def inventive(graph: Graph, **kwargs: object) -> bytes:
        return real(graph, **kwargs) + b'\n<https://w3id.org/jckg/id/state-tj> <https://w3id.org/jckg/ontology#isoAlpha2> "XX" .\n'

    before = {p.name: p.read_bytes() for p in graph_dir.data_dir.glob("*.ttl")}
    for writer in (lossy, inventive):
        monkeypatch.setattr(add_module, "canonical_turtle", writer)
        with pytest.raises(WriteError, match="read back"):
            add_files([ACCEPTED], graph_dir)
        assert {p.name: p.read_bytes() for p in graph_dir.data_dir.glob("*.ttl")} == before


def test_the_published_store_is_the_one_the_files_build(graph_dir: Layout, tmp_path: Path, cache_dir: Path) -> None:
    cache = tmp_path / "cache"
    g = kg.open(graph_dir.root, cache=cache)
    g.store()
    g.add([_submission(tmp_path, "Title with\u2028a break", publisher="P\x85Q")])
    published = set(g.store().store.quads_for_pattern(None, None, None, None))
    fresh = set(kg.open(graph_dir.root, cache=False).store().store.quads_for_pattern(None, None, None, None))
    assert published == fresh


# ---------------------------------------------------------------- class 7: the smaller doors


def test_a_source_dated_in_the_future_is_noted(graph_dir: Layout, tmp_path: Path) -> None:
    text = ACCEPTED.read_text(encoding="utf-8").replace('"2025-09-24"^^xsd:date', '"2925-09-24"^^xsd:date')
    sub = tmp_path / "future.ttl"
    sub.write_text(text, encoding="utf-8")
    result = add_files([sub], graph_dir, dry_run=True)
    assert any("2925-09-24" in n and "after today" in n for n in result.notes), result.notes
    today = add_files([ACCEPTED], graph_dir, dry_run=True)
    assert not any("after today" in n for n in today.notes)


def test_future_dates_reads_partial_dates() -> None:
    import datetime

    g = Graph()
    for i, value in enumerate(["2027", "2026-12", "2026-12-08", "2026-12-07", "2025", "not a date"]):
        s = URIRef(f"{KGI}src-{i}")
        g.add((s, RDF.type, KG.SourceDocument))
        g.add((s, DCTERMS.issued, Literal(value)))
    notes = future_dates(g, today=datetime.date(2026, 12, 7))
    assert sorted(n.split(" is dated ")[1].split(",")[0] for n in notes) == ["2026-12-08", "2027"]


@pytest.mark.skipif(os.geteuid() == 0, reason="permissions do not stop root")
def test_a_dry_run_works_on_a_read_only_graph(graph_dir: Layout) -> None:
    data = graph_dir.data_dir
    (data / ".kg.lock").unlink(missing_ok=True)
    mode = data.stat().st_mode
    data.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        result = add_files([ACCEPTED], graph_dir, dry_run=True)
        assert result.accepted and not result.written
    finally:
        data.chmod(mode)


def test_a_dry_run_takes_no_write_lock_and_removes_nothing(graph_dir: Layout, monkeypatch: pytest.MonkeyPatch) -> None:
    """As root a read-only directory can still be written, so the dry run's promise is
    checked where it is made: it opens nothing for writing in data/ and deletes nothing."""
    import kg.add as add_module
    import kg.fileio as fileio

    leftover = graph_dir.data_dir / ".x.ttl.abc.tmp"
    leftover.write_text("half", encoding="utf-8")
    (graph_dir.data_dir / ".kg.lock").unlink(missing_ok=True)
    real_open = fileio.os.open

    def no_create(path: object, flags: int, *args: object) -> int:
        if str(path).startswith(str(graph_dir.data_dir)) and flags & (os.O_CREAT | os.O_WRONLY | os.O_RDWR):
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args)

    monkeypatch.setattr(fileio.os, "open", no_create)
    result = add_module.add_files([ACCEPTED], graph_dir, dry_run=True)
    assert result.accepted and not result.written
    assert leftover.exists()


def test_copies_left_by_a_killed_addition_are_cleaned_at_the_next_start(graph_dir: Layout, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    g = kg.open(graph_dir.root, cache=cache)
    base = g.store().path.parent
    dead = 2**22 + 12345  # above the default pid_max: no process has it
    stale = base / f"candidate.tmp-{dead}-1"
    stale.mkdir()
    (stale / "CURRENT").write_text("x", encoding="utf-8")
    add_files([ACCEPTED], graph_dir, dry_run=True, graph=g)
    assert not stale.exists()
    assert not list(base.glob("candidate.tmp-*"))  # the dry run's own copy is gone too
