"""Adding facts: accepted, rejected, idempotent, atomic under kill, and incremental
validation that finds exactly what a full validation finds."""

from __future__ import annotations

import errno
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.namespace import RDF

from kg.add import add_files, affected_nodes
from kg.cli import main
from kg.errors import InputError, WriteError
from kg.layout import Layout
from kg.rdf.convert import to_pyoxigraph
from kg.reference.load import load_dataset, ontology_graph
from kg.reference.shacl import load_shapes, validate_graph
from kg.shacl.report import check_store

ROOT = Path(__file__).resolve().parents[1]
ACCEPTED = ROOT / "examples" / "accepted" / "eco-apg-meeting-6-sidelines.ttl"
REJECTED = ROOT / "examples" / "rejected"

PREFIXES = """\
@prefix kg: <https://w3id.org/jckg/ontology#> .
@prefix kgi: <https://w3id.org/jckg/id/> .
@prefix kgc: <https://w3id.org/jckg/concept/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix schema: <https://schema.org/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
"""
SOURCE = """
kgi:src-test-report a kg:SourceDocument ;
    dcterms:title "A test report"@en ;
    kg:publisherName "Test publisher" ;
    dcterms:issued "2026-03-01"^^xsd:date ;
    kg:documentKind kgc:news-item .
"""
MEETING_7 = """
kgi:eco-apg-meeting-7 a kg:Meeting ;
    rdfs:label "7th Meeting of the Attorneys/Prosecutors General of the ECO Member States"@en ;
    kg:sittingOf kgi:eco-apg-meeting ;
    kg:ordinal 7 ;
    kg:eventStatus kgc:held ;
    kg:location kgi:tashkent ;
    schema:startDate "2026-02-10"^^xsd:date ;
    schema:endDate "2026-02-11"^^xsd:date ;
    prov:wasDerivedFrom kgi:src-test-report .
"""


R = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def passage(s: str, p: str, o: str, local: str, source: str = "kgi:src-test-report") -> str:
    """A kg:Attribution: the passage that makes a key statement (a shape requires one)."""
    return f"""
kgi:{local} a kg:Attribution ;
    {R}subject> {s} ; {R}predicate> {p} ; {R}object> {o} ;
    kg:quote "the passage of the test source" ;
    prov:wasDerivedFrom {source} .
"""


# the passages of MEETING_7's key statements, for tests where it must be accepted
MEETING_7_PASSAGES = (
    passage("kgi:eco-apg-meeting-7", "kg:eventStatus", "kgc:held", "eco-apg-meeting-7--event-status--held")
    + passage("kgi:eco-apg-meeting-7", "schema:startDate", '"2026-02-10"^^xsd:date', "eco-apg-meeting-7--start-date")
    + passage("kgi:eco-apg-meeting-7", "schema:endDate", '"2026-02-11"^^xsd:date', "eco-apg-meeting-7--end-date")
)


def snapshot(directory: Path) -> dict[str, str]:
    """The *.ttl files of a directory and a hash of their bytes."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.glob("*.ttl"))}


@pytest.fixture()
def graph_dir(tmp_path: Path) -> Layout:
    """A private copy of the graph directory: tests may write to it."""
    for part in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns(".kg.lock"))
    return Layout(tmp_path)


def write(tmp_path: Path, name: str, body: str, *, prefixes: bool = True) -> Path:
    path = tmp_path / name
    path.write_text((PREFIXES if prefixes else "") + body, encoding="utf-8")
    return path


def violations(result) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return {(r.shape, r.component) for r in result.report.violations}


# ---------------------------------------------------------------- accepted, idempotent, dry run


def test_accepted_example_is_merged_into_a_new_file_for_its_new_source(graph_dir: Layout) -> None:
    before = snapshot(graph_dir.data_dir)
    result = add_files([ACCEPTED], graph_dir)
    assert result.accepted and result.written
    assert result.target == graph_dir.data_dir / "trend-2025-09-24-eco-sg-mia-uz.ttl" and result.new_file
    assert result.added == len(Graph().parse(ACCEPTED))
    new = [str(e).rsplit("/", 1)[1] for e in result.new_entities]
    assert {"ayubxon-rahmatullayev", "mia-uz", "post-first-deputy-minister-interior-uz", "src-trend-2025-09-24-eco-sg-mia-uz",
            "eco-apg-meeting-6-bilateral-eco-sg-mia-uz"} <= set(new)
    assert len(new) == 12
    assert result.changed_entities == []  # it only links to existing entities (the meeting, ECO, its SG)
    after = snapshot(graph_dir.data_dir)
    assert {k: v for k, v in after.items() if k in before} == before  # other files untouched
    merged = Graph().parse(graph_dir.data_dir / "trend-2025-09-24-eco-sg-mia-uz.ttl")
    assert len(merged) == result.added


def test_adding_the_same_file_twice_changes_nothing_the_second_time(graph_dir: Layout) -> None:
    add_files([ACCEPTED], graph_dir)
    first = snapshot(graph_dir.data_dir)
    again = add_files([ACCEPTED], graph_dir)
    assert again.added == 0 and not again.written and again.already_present > 0
    assert snapshot(graph_dir.data_dir) == first


def test_facts_of_an_existing_source_go_into_its_file(graph_dir: Layout, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "more.ttl",
        """
kgi:eco-apg-meeting-6 kg:topic kgc:cybercrime ;
    prov:wasDerivedFrom kgi:src-eco-2025-s7-meeting-6 .
"""
        + passage("kgi:eco-apg-meeting-6", "kg:topic", "kgc:cybercrime", "eco-apg-meeting-6--topic--cybercrime", "kgi:src-eco-2025-s7-meeting-6"),
    )
    result = add_files([path], graph_dir)
    target = graph_dir.data_dir / "eco-judicial-cooperation-2025.ttl"
    assert result.written and result.target == target and not result.new_file and result.added == 1 + 6
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Facts stated in")  # the file's header comment is kept
    # the diff is exactly the new statements: one object more on one line, and the passage
    import difflib

    original = (ROOT / "data" / target.name).read_text(encoding="utf-8").splitlines()
    diff = list(difflib.ndiff(original, text.splitlines()))
    removed = [line[2:] for line in diff if line.startswith("- ")]
    added = [line[2:] for line in diff if line.startswith("+ ") and line[2:].strip()]
    assert len(removed) == 1 and removed[0].lstrip().startswith("kg:topic")
    assert added[0] == removed[0].replace("kg:topic ", "kg:topic kgc:cybercrime, ")
    assert added[1:] == [
        "kgi:eco-apg-meeting-6--topic--cybercrime a kg:Attribution ;",
        '    kg:quote "the passage of the test source" ;',
        "    rdf:object kgc:cybercrime ;",
        "    rdf:predicate kg:topic ;",
        "    rdf:subject kgi:eco-apg-meeting-6 ;",
        "    prov:wasDerivedFrom kgi:src-eco-2025-s7-meeting-6 .",
    ]


def test_dry_run_writes_nothing(graph_dir: Layout) -> None:
    before = snapshot(graph_dir.data_dir)
    result = add_files([ACCEPTED], graph_dir, dry_run=True)
    assert result.accepted and not result.written and result.added > 0
    assert snapshot(graph_dir.data_dir) == before


# ---------------------------------------------------------------- rejected by the shapes


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (  # a meeting whose end is before its start
            MEETING_7.replace('"2026-02-11"', '"2026-02-09"'),
            ("kg:EventShape-endAfterStart", "sh:LessThanOrEqualsConstraintComponent"),
        ),
        (  # a participant that is not a state, authority or organisation
            MEETING_7.replace(" .\n", " ;\n    kg:participation kgi:eco-apg-meeting-7-tashkent .\n", 1)
            + """
kgi:eco-apg-meeting-7-tashkent a kg:Participation ;
    rdfs:label "Tashkent at the 7th Meeting"@en ;
    kg:participant kgi:tashkent ;
    kg:participationRole kgc:delegation ;
    prov:wasDerivedFrom kgi:src-test-report .
""",
            ("kg:ParticipationShape-participant", "sh:OrConstraintComponent"),
        ),
        (  # an unknown topic
            MEETING_7.replace(" .\n", " ;\n    kg:topic kgc:no-such-topic .\n", 1),
            ("kg:TopicShape-topic", "sh:NodeConstraintComponent"),
        ),
        (  # a second value where one is allowed, against the existing graph
            "kgi:eco-apg-meeting-6 kg:eventStatus kgc:postponed ; prov:wasDerivedFrom kgi:src-test-report .\n",
            ("kg:EventShape-eventStatus", "sh:MaxCountConstraintComponent"),
        ),
        (  # a membership that overlaps an existing one
            """
kgi:membership-sco-ir-2 a org:Membership ;
    rdfs:label "Iran, member state of SCO"@en ;
    org:member kgi:state-ir ;
    org:organization kgi:sco ;
    org:role kgc:member-state ;
    schema:startDate "2024-01-01"^^xsd:date ;
    prov:wasDerivedFrom kgi:src-test-report .
""",
            ("kg:MembershipShape-noOverlap", "sh:SPARQLConstraintComponent"),
        ),
    ],
    ids=["end-before-start", "participant-is-a-city", "unknown-topic", "second-status", "overlapping-membership"],
)
def test_rule_breaking_facts_are_rejected_and_nothing_is_written(
    graph_dir: Layout, tmp_path: Path, body: str, expected: tuple[str, str]
) -> None:
    path = write(tmp_path, "new.ttl", SOURCE + body)
    before = snapshot(graph_dir.data_dir)
    result = add_files([path], graph_dir)
    assert not result.accepted and not result.written
    assert expected in violations(result)
    assert snapshot(graph_dir.data_dir) == before


def test_rejected_examples_are_rejected(graph_dir: Layout) -> None:
    for path in sorted(REJECTED.glob("*.ttl")):
        result = add_files([path], graph_dir)
        assert not result.accepted, path.name


def test_a_duplicate_under_a_new_iri_is_reported(graph_dir: Layout, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "dup.ttl",
        SOURCE
        + """
kgi:tashkent-city a kg:City ;
    rdfs:label "Tashkent"@en ;
    kg:locatedIn kgi:state-uz ;
    prov:wasDerivedFrom kgi:src-test-report .
""",
    )
    result = add_files([path], graph_dir, dry_run=True)
    assert any("kgi:tashkent-city may duplicate kgi:tashkent" in n for n in result.notes), result.notes


# ---------------------------------------------------------------- refused before validation


@pytest.mark.parametrize(
    ("body", "message", "line"),
    [
        (SOURCE + MEETING_7.replace('"2026-02-10"', '"2024-13-45"'), "is not a valid xsd:date", 23),
        (MEETING_7.replace("    prov:wasDerivedFrom kgi:src-test-report .", "    kg:ordinal 7 ."), "has no source", 11),
        (SOURCE + "kgi:x a kg:City ; rdfs:label [ a kg:Place ] ; prov:wasDerivedFrom kgi:src-test-report .\n", "blank node", None),
        (SOURCE + "<https://example.org/x> a kg:City ; prov:wasDerivedFrom kgi:src-test-report .\n", "outside the graph's namespace", 16),
        (SOURCE + "kgi:x a kg:City ; kg:locatedInn kgi:state-uz ; prov:wasDerivedFrom kgi:src-test-report .\n", "unknown property kg:locatedInn", 16),
        (SOURCE + "kgi:x a kg:Cty ; prov:wasDerivedFrom kgi:src-test-report .\n", "unknown class kg:Cty", 16),
        (
            SOURCE + "kgi:x a kg:City ; prov:wasDerivedFrom kgi:src-eco-2025-s1-introduction, kgi:src-test-report .\n",
            "2 source documents",
            None,
        ),
        (SOURCE + "kgi:x a kg:City ;\n    rdfs:label \"x\"@en\n", "", 18),  # does not parse
    ],
    ids=["impossible-date", "no-source", "blank-node", "foreign-iri", "unknown-property", "unknown-class", "two-sources", "syntax"],
)
def test_bad_input_is_refused_with_file_and_line(
    graph_dir: Layout, tmp_path: Path, body: str, message: str, line: int | None
) -> None:
    path = write(tmp_path, "bad.ttl", body)
    before = snapshot(graph_dir.data_dir)
    with pytest.raises(InputError) as info:
        add_files([path], graph_dir)
    assert message in str(info.value)
    assert str(info.value).startswith(str(path))
    if line is not None:
        assert info.value.location is not None and info.value.location.split(":")[1] == str(line), info.value.location
    assert snapshot(graph_dir.data_dir) == before


def test_an_empty_file_is_refused(graph_dir: Layout, tmp_path: Path) -> None:
    path = write(tmp_path, "empty.ttl", "# nothing here\n")
    with pytest.raises(InputError, match="no statements"):
        add_files([path], graph_dir)


def test_a_huge_file_is_refused_unless_forced(graph_dir: Layout, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "big.ttl", SOURCE + MEETING_7 + MEETING_7_PASSAGES)
    monkeypatch.setenv("KG_MAX_INPUT_BYTES", "500")
    with pytest.raises(InputError, match="more than the limit of 500"):
        add_files([path], graph_dir, dry_run=True)
    assert add_files([path], graph_dir, dry_run=True, force=True).accepted


def test_n_triples_input_is_accepted(graph_dir: Layout, tmp_path: Path) -> None:
    g = Graph().parse(data=PREFIXES + SOURCE + MEETING_7 + MEETING_7_PASSAGES, format="turtle")
    path = tmp_path / "new.nt"
    path.write_text(g.serialize(format="nt"), encoding="utf-8")
    result = add_files([path], graph_dir, dry_run=True)
    assert result.accepted and result.added == len(g)


# ---------------------------------------------------------------- the command line


def test_cli_exit_codes_and_report(graph_dir: Layout, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = ["--data", str(graph_dir.root), "add"]
    assert main([*data, "--dry-run", str(ACCEPTED)]) == 0
    assert "would add" in capsys.readouterr().out
    assert main([*data, str(REJECTED / "meeting-ends-before-start.ttl")]) == 1
    out = capsys.readouterr().out
    assert "kg:EventShape-endAfterStart" in out and "nothing was written" in out
    bad = write(tmp_path, "bad.ttl", SOURCE + MEETING_7.replace('"2026-02-10"', '"2024-13-45"'))
    assert main([*data, str(bad)]) == 3
    err = capsys.readouterr().err
    assert f"{bad}:23" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


# ---------------------------------------------------------------- never lose data


def test_disk_full_leaves_the_graph_as_it_was(graph_dir: Layout, monkeypatch: pytest.MonkeyPatch) -> None:
    before = snapshot(graph_dir.data_dir)

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("kg.fileio.os.fsync", full)
    with pytest.raises(WriteError, match="disk is full"):
        add_files([ACCEPTED], graph_dir)
    assert snapshot(graph_dir.data_dir) == before
    assert [p.name for p in graph_dir.data_dir.iterdir() if p.name.endswith(".tmp")] == []


def test_read_only_directory_leaves_the_graph_as_it_was(
    graph_dir: Layout, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(graph_dir.data_dir)

    def read_only(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr("kg.fileio.tempfile.mkstemp", read_only)
    assert main(["--data", str(graph_dir.root), "add", str(ACCEPTED)]) == 4
    err = capsys.readouterr().err
    assert "not writable" in err and "nothing was changed" in err and "Traceback" not in err
    assert snapshot(graph_dir.data_dir) == before


def _run_add(layout: Layout, path: Path, *, slow: float = 0.0) -> subprocess.Popen[bytes]:
    env = dict(os.environ, KG_TEST_SLOW_WRITE=str(slow))
    return subprocess.Popen(
        [sys.executable, "-m", "kg", "--data", str(layout.root), "add", str(path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _wait_for_temporary(directory: Path, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> bool:
    """Wait until the run has a temporary file open in ``directory`` (it is writing)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if any(p.name.endswith(".tmp") for p in directory.iterdir()):
            return True
        time.sleep(0.01)
    return False


def test_a_run_killed_at_any_instant_leaves_before_or_after(graph_dir: Layout, tmp_path: Path) -> None:
    """SIGKILL at many points of a run whose write is slowed down (before it writes,
    inside the write at three points, after it renamed), twice over: the graph files are
    always exactly the state before or the state after, and the next run completes."""
    before = snapshot(graph_dir.data_dir)
    reference = Layout(tmp_path / "reference")
    shutil.copytree(graph_dir.root, reference.root)
    add_files([ACCEPTED], reference)
    after = snapshot(reference.data_dir)
    assert after != before
    target = graph_dir.data_dir / "trend-2025-09-24-eco-sg-mia-uz.ttl"
    outcomes = []
    # (wait for the temporary file?, then sleep this long before the kill)
    points = [(False, 0.05), (False, 0.5), (True, 0.0), (True, 0.4), (True, 0.9), (True, 5.0)] * 2
    for in_write, delay in points:
        proc = _run_add(graph_dir, ACCEPTED, slow=0.6)
        writing = _wait_for_temporary(graph_dir.data_dir, proc) if in_write else False
        assert writing or not in_write, "the run never reached its write phase"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        state = snapshot(graph_dir.data_dir)
        assert state in (before, after), f"half-written graph after a kill (write phase: {in_write}, +{delay}s)"
        load_dataset(graph_dir)  # and it parses
        outcomes.append("after" if state == after else "before")
        if state == after:  # start again from the old state
            target.unlink()
    assert "before" in outcomes and "after" in outcomes, outcomes
    finished = _run_add(graph_dir, ACCEPTED)
    assert finished.wait() == 0
    assert snapshot(graph_dir.data_dir) == after
    assert [p.name for p in graph_dir.data_dir.iterdir() if p.name.endswith(".tmp")] == []


def test_two_concurrent_runs_of_the_same_file_take_turns(graph_dir: Layout, tmp_path: Path) -> None:
    reference = Layout(tmp_path / "reference")
    shutil.copytree(graph_dir.root, reference.root)
    add_files([ACCEPTED], reference)
    runs = [_run_add(graph_dir, ACCEPTED, slow=0.3) for _ in range(2)]
    outputs = [r.communicate() for r in runs]
    assert [r.returncode for r in runs] == [0, 0], outputs
    texts = sorted(o[0].decode() for o in outputs)
    assert texts[0].startswith("added ") and texts[1].startswith("nothing to add")
    assert snapshot(graph_dir.data_dir) == snapshot(reference.data_dir)


# ---------------------------------------------------------------- incremental = full


@pytest.fixture(scope="module")
def small_context(tmp_path_factory: pytest.TempPathFactory) -> tuple[Layout, Graph, None, None, set]:
    """Ontology + the valid example graph: small enough to validate in full per case.

    Validation here is what kg add runs (the engine's checks on a store); that it gives
    pySHACL's results is tests/test_shacl_engine.py's job."""
    root = tmp_path_factory.mktemp("small")
    shutil.copytree(ROOT / "ontology", root / "ontology")
    (root / "data").mkdir()
    shutil.copy(ROOT / "tests" / "fixtures" / "valid" / "eco-meetings.ttl", root / "data")
    layout = Layout(root)
    base = Graph()
    for path in layout.graph_files():
        base += Graph().parse(path)
    base_keys = check_store(_store(base), layout).keys()
    return layout, base, None, None, base_keys


def _store(graph: Graph) -> ox.Store:
    store = ox.Store()
    store.extend(ox.Quad(to_pyoxigraph(s), to_pyoxigraph(p), to_pyoxigraph(o)) for s, p, o in graph)
    return store


def _compare(base: Graph, new: Graph, layout: Layout, base_keys: set) -> tuple[set, set, set]:
    """(results the new facts cause in a full run, incremental results, full results)."""
    union = Graph()
    union += base
    union += new
    store = _store(union)
    full = check_store(store, layout).keys()
    focus = [to_pyoxigraph(n) for n in affected_nodes(new, store)]
    incremental = check_store(store, layout, focus=focus).keys()
    return full - base_keys, incremental, full


# kg add refuses blank nodes before validating, so that example never reaches this point
INVALID = sorted(p for p in (ROOT / "tests" / "fixtures" / "invalid").glob("*.ttl") if p.stem != "blank-node-fact")


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_incremental_validation_finds_what_full_validation_finds(path: Path, small_context: tuple) -> None:
    layout, base, _, _, base_keys = small_context
    import logging

    logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)
    new = Graph().parse(path)
    caused, incremental, full = _compare(base, new, layout, base_keys)
    assert caused, f"{path.name} causes no new result in context"
    assert caused <= incremental <= full


def test_incremental_equals_full_on_generated_changes(small_context: tuple) -> None:
    """Seeded random edits of the valid graph: swap an object for one of another kind,
    drop a required statement (as a new subject's copy), or duplicate a value."""
    layout, base, _, _, base_keys = small_context
    rng = random.Random(20261201)
    triples = sorted((t for t in base if str(t[0]).startswith("https://w3id.org/jckg/id/")), key=str)
    objects = sorted({o for _, _, o in triples}, key=str)
    checked = 0
    for _ in range(60):
        s, p, o = rng.choice(triples)
        if p == RDF.type:
            continue
        new = Graph()
        new.add((s, p, rng.choice(objects)))
        caused, incremental, full = _compare(base, new, layout, base_keys)
        assert caused <= incremental <= full, (s, p)
        checked += 1
    assert checked >= 40


def test_validation_does_not_turn_literal_rewriting_back_on(tmp_path: Path) -> None:
    """pySHACL turns rdflib's literal normalisation on after it runs; a later parse in
    the same process must still keep "007" as written."""
    import rdflib

    from kg.rdf.parse import parse_file

    layout = Layout(ROOT)
    validate_graph(Graph(), shapes=load_shapes(layout), ontology=ontology_graph(layout))
    assert rdflib.NORMALIZE_LITERALS is False
    path = write(tmp_path, "n.ttl", 'kgi:x kg:isoNumeric "007"^^xsd:integer .\n')
    (value,) = list(parse_file(path).objects())
    assert str(value) == "007"


def test_json_ld_input_with_inline_context_is_accepted_and_remote_context_refused(graph_dir: Layout, tmp_path: Path) -> None:
    import json

    g = Graph().parse(data=PREFIXES + SOURCE + MEETING_7 + MEETING_7_PASSAGES, format="turtle")
    context = {"kg": "https://w3id.org/jckg/ontology#", "kgi": "https://w3id.org/jckg/id/"}
    inline = tmp_path / "new.jsonld"
    inline.write_text(g.serialize(format="json-ld", context=context), encoding="utf-8")
    result = add_files([inline], graph_dir, dry_run=True)
    assert result.accepted and result.added == len(g)

    remote = tmp_path / "remote.jsonld"
    doc = json.loads(inline.read_text(encoding="utf-8"))
    for ref in ("https://example.org/context.jsonld", ["https://example.org/c.jsonld", {"kg": context["kg"]}], {"@import": "https://example.org/c"}):
        doc["@context"] = ref
        remote.write_text(json.dumps(doc), encoding="utf-8")
        with pytest.raises(InputError, match="would be fetched from the network"):
            add_files([remote], graph_dir, dry_run=True)
