"""Releases (kg.publish.release): reproducible bundles, their checksums and description, the
changelog between releases, and refusals that leave nothing written."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest

import kg
from kg.add import add_files
from kg.errors import UsageError, WriteError
from kg.publish.dataset import DATASET, check_description
from kg.publish.release import changes, parse_version, release, releases

ROOT = Path(__file__).resolve().parents[1]
AMENDMENT = ROOT / "examples" / "amendments" / "eco-apg-meeting-6-held.ttl"
AMENDED_FILE = "eco-2025-09-25-tashkent-meeting.ttl"
BUNDLE = ["CHANGELOG.md", "SHA256SUMS", "jckg-1.0.0.jsonld", "jckg-1.0.0.nq", "jckg-1.0.0.trig", "jckg-1.0.0.ttl", "void.ttl"]


def tree(directory: Path) -> dict[str, bytes]:
    """Every file under ``directory`` (hidden ones included) and its bytes."""
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def first(bundled, tmp_path_factory) -> Path:
    """Release 1.0.0 of the bundled graph."""
    return release(bundled, "1.0.0", tmp_path_factory.mktemp("releases"))


# ---------------------------------------------------------------- the bundle


def test_the_same_graph_and_version_give_the_same_bytes(bundled, first: Path, tmp_path: Path) -> None:
    again = release(bundled, "1.0.0", tmp_path / "other-root")
    assert again == tmp_path / "other-root" / "1.0.0"
    assert sorted(tree(first)) == BUNDLE
    assert tree(again) == tree(first)


def test_sha256sums_lists_every_other_file_and_verifies(first: Path) -> None:
    lines = (first / "SHA256SUMS").read_text().splitlines()
    listed = {}
    for line in lines:
        digest, name = line.split("  ", 1)
        listed[name] = digest
    assert list(listed) == sorted(listed) == [n for n in BUNDLE if n != "SHA256SUMS"]
    for name, digest in listed.items():
        assert hashlib.sha256((first / name).read_bytes()).hexdigest() == digest
    if shutil.which("sha256sum"):
        subprocess.run(["sha256sum", "--check", "--quiet", "SHA256SUMS"], cwd=first, check=True)


def test_every_export_parses_back_to_the_graph(bundled, first: Path) -> None:
    store = bundled.store().store
    named = {q for q in store.quads_for_pattern(None, None, None, None) if not isinstance(q.graph_name, ox.DefaultGraph)}
    current = {ox.Triple(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    assert len(named) == bundled.stats().asserted
    for suffix, fmt in (("nq", ox.RdfFormat.N_QUADS), ("trig", ox.RdfFormat.TRIG), ("jsonld", ox.RdfFormat.JSON_LD)):
        parsed = set(ox.parse(path=str(first / f"jckg-1.0.0.{suffix}"), format=fmt))
        assert parsed == named, suffix
    turtle = {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(path=str(first / "jckg-1.0.0.ttl"), format=ox.RdfFormat.TURTLE)}
    assert turtle == current
    assert len(turtle) == int(next(iter(store.query("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")))[0].value)


def test_void_describes_the_release_with_the_files_checksums(first: Path) -> None:
    data = (first / "void.ttl").read_bytes()
    assert check_description(data) == []
    store = ox.Store()
    store.load(data, format=ox.RdfFormat.TURTLE)
    rows = store.query(f"""
        PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX spdx: <http://spdx.org/rdf/terms#>
        SELECT ?url ?sum ?size WHERE {{ <{DATASET}> dcat:distribution ?d . ?d dcat:downloadURL ?url ; dcat:byteSize ?size ;
            spdx:checksum [ spdx:checksumValue ?sum ] }}""")
    found = {r["url"].value.rsplit("/", 1)[1]: (r["sum"].value, int(r["size"].value)) for r in rows}
    assert sorted(found) == ["jckg-1.0.0.jsonld", "jckg-1.0.0.nq", "jckg-1.0.0.trig", "jckg-1.0.0.ttl"]
    for name, (digest, size) in found.items():
        content = (first / name).read_bytes()
        assert hashlib.sha256(content).hexdigest() == digest and len(content) == size
    assert b'dcat:version "1.0.0"' in data


def test_the_first_release_says_so(first: Path) -> None:
    text = (first / "CHANGELOG.md").read_text()
    assert text.startswith("# jckg 1.0.0\n") and "First release" in text
    assert not (first / "changes").exists()


def test_docs_are_built_into_the_bundle_and_summed(bundled, tmp_path: Path) -> None:
    calls = []

    def docs(graph, directory: Path) -> list[Path]:
        calls.append((graph, directory))
        (directory / "entity").mkdir()
        (directory / "index.html").write_text("<h1>jckg</h1>\n")
        (directory / "entity" / "eco.html").write_text("<h1>ECO</h1>\n")
        return [directory / "index.html", directory / "entity" / "eco.html"]

    out = release(bundled, "0.1.0", tmp_path, docs=docs)
    assert calls and calls[0][0] is bundled and calls[0][1].name == "docs"
    assert (out / "docs" / "entity" / "eco.html").read_text() == "<h1>ECO</h1>\n"
    sums = (out / "SHA256SUMS").read_text()
    assert "  docs/entity/eco.html\n" in sums and "  docs/index.html\n" in sums


# ---------------------------------------------------------------- versions


def test_versions_compare_as_semantic_versions() -> None:
    order = ["0.9.9", "1.0.0-rc.1", "1.0.0-rc.2", "1.0.0-rc.10", "1.0.0", "1.0.1", "1.2.0", "1.10.0", "10.0.0"]
    parsed = [parse_version(v) for v in order]
    assert sorted(parsed, key=lambda v: v.key) == parsed
    assert [str(v) for v in parsed] == order


@pytest.mark.parametrize("bad", ["1.0", "v1.0.0", "01.0.0", "1.0.0-beta", "1.0.0-rc", "1.0.0-rc.01", "", "1.0.0 ", "../1.0.0"])
def test_an_invalid_version_is_refused_with_the_expected_form(bundled, tmp_path: Path, bad: str) -> None:
    with pytest.raises(UsageError, match="MAJOR.MINOR.PATCH") as err:
        release(bundled, bad, tmp_path / "root")
    assert "not a release version" in str(err.value)
    assert not (tmp_path / "root").exists()


def test_an_existing_version_is_refused_and_nothing_changes(bundled, first: Path) -> None:
    root = first.parent
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in root.rglob("*") if p.is_file()}
    with pytest.raises(UsageError, match="exists already"):
        release(bundled, "1.0.0", root)
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in root.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in root.iterdir()) == [".kg-release.lock", "1.0.0"]


def test_a_version_below_the_latest_is_refused(bundled, first: Path) -> None:
    root = first.parent
    for lower in ("0.9.0", "1.0.0-rc.1"):
        with pytest.raises(UsageError, match="lower than the latest release 1.0.0") as err:
            release(bundled, lower, root)
        assert "only go forward" in str(err.value)
    assert [str(v) for v in releases(root)] == ["1.0.0"]


# ---------------------------------------------------------------- failures leave nothing


def test_a_root_that_is_a_file_or_under_a_file_is_refused(bundled, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(UsageError, match="not a directory"):
        release(bundled, "1.0.0", blocker)
    with pytest.raises(WriteError, match="cannot create the release directory"):
        release(bundled, "1.0.0", blocker / "releases")
    assert blocker.read_text() == "not a directory"


def test_an_unwritable_root_gives_a_write_error_and_leaves_nothing(bundled, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "root"
    root.mkdir()
    real_mkdir = os.mkdir

    def read_only(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if Path(path).parent == root:
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", read_only)
    with pytest.raises(WriteError, match="cannot write the release 1.0.0") as err:
        release(bundled, "1.0.0", root)
    assert "not writable" in str(err.value)
    assert [p.name for p in root.iterdir()] == [".kg-release.lock"]


@pytest.mark.skipif(os.geteuid() == 0, reason="permissions do not stop root")
def test_a_read_only_root(bundled, tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    root.chmod(0o555)
    try:
        with pytest.raises(WriteError):
            release(bundled, "1.0.0", root)
    finally:
        root.chmod(0o755)
    assert list(root.iterdir()) == []


def test_a_failure_during_the_build_leaves_no_half_release(bundled, tmp_path: Path) -> None:
    def broken_docs(graph, directory: Path) -> list[Path]:
        (directory / "half.html").write_text("half")
        raise RuntimeError("the docs builder failed")

    with pytest.raises(RuntimeError, match="docs builder failed"):
        release(bundled, "1.0.0", tmp_path, docs=broken_docs)
    assert [p.name for p in tmp_path.iterdir()] == [".kg-release.lock"]
    assert release(bundled, "1.0.0", tmp_path).is_dir()  # and the version is still free

    # a temporary left by a run that was killed is cleared by the next one
    stale = tmp_path / ".release-1.0.1-dead.tmp"
    stale.mkdir()
    (stale / "jckg-1.0.1.nq").write_text("half")
    release(bundled, "1.0.1", tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".kg-release.lock", "1.0.0", "1.0.1"]


# ---------------------------------------------------------------- changes between releases


def graph_copy(target: Path) -> Path:
    for part in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / part, target / part, ignore=shutil.ignore_patterns(".kg.lock"))
    return target


def test_the_changelog_lists_added_and_newly_superseded_statements(tmp_path: Path) -> None:
    directory = graph_copy(tmp_path / "graph")
    (directory / "data" / AMENDED_FILE).unlink()  # the graph before the 6th Meeting was brought up to date
    graph = kg.open(directory)
    root = tmp_path / "releases"
    old = release(graph, "1.0.0", root)
    result = add_files([AMENDMENT], graph.layout, graph=graph, amend=True)
    assert result.written and result.superseded == 1
    new = release(graph, "1.1.0-rc.1", root)
    assert [str(v) for v in releases(root)] == ["1.0.0", "1.1.0-rc.1"]

    text = (new / "CHANGELOG.md").read_text()
    assert text.startswith("# jckg 1.1.0-rc.1\n\nChanges since 1.0.0: 317 statements added, 0 statements removed, 1 statement newly superseded.")
    superseded = text.split("## Newly superseded", 1)[1].split("## Added", 1)[0]
    assert "* `kgi:eco-apg-meeting-6 kg:eventStatus kgc:scheduled` (in data/eco-judicial-cooperation-2025)" in superseded
    assert "superseded on 2025-09-25 (kgc:status-change) by `kgi:chg-2025-09-25-eco-apg-meeting-6-event-status`" in superseded
    assert "the 2025 bulletin had it as upcoming" in superseded and "New value: `kgc:held`." in superseded
    added = text.split("## Added", 1)[1].split("## Removed", 1)[0]
    assert "### data/eco-2025-09-25-tashkent-meeting (317 statements)" in added
    assert "* `kgi:eco-apg-meeting-6 kg:eventStatus kgc:held`" in added
    assert "## Removed (0 statements)\n\nNone." in text

    # changes/added.nq is exactly the new release's statements that the old one did not make
    before = set(ox.parse(path=str(old / "jckg-1.0.0.nq"), format=ox.RdfFormat.N_QUADS))
    after = set(ox.parse(path=str(new / "jckg-1.1.0-rc.1.nq"), format=ox.RdfFormat.N_QUADS))
    assert set(ox.parse(path=str(new / "changes" / "added.nq"), format=ox.RdfFormat.N_QUADS)) == after - before
    assert (new / "changes" / "removed.nq").read_bytes() == b""
    assert "  changes/added.nq\n" in (new / "SHA256SUMS").read_text()
    # the retired statement stays in its file's graph, in both releases
    scheduled = ox.Quad(ox.NamedNode("https://w3id.org/jckg/id/eco-apg-meeting-6"), ox.NamedNode("https://w3id.org/jckg/ontology#eventStatus"),
                        ox.NamedNode("https://w3id.org/jckg/concept/scheduled"), ox.NamedNode("https://w3id.org/jckg/graph/data/eco-judicial-cooperation-2025"))
    assert scheduled in before and scheduled in after
    current = {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(path=str(new / "jckg-1.1.0-rc.1.ttl"), format=ox.RdfFormat.TURTLE)}
    held = ox.Triple(scheduled.subject, scheduled.predicate, ox.NamedNode("https://w3id.org/jckg/concept/held"))
    assert held in current and ox.Triple(scheduled.subject, scheduled.predicate, scheduled.object) not in current


def test_changes_count_removals_and_only_new_retirements() -> None:
    def nq(*lines: str) -> bytes:
        return "".join(line + " .\n" for line in lines).encode()

    R = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    K = "<https://w3id.org/jckg/ontology#"
    g1, g2 = "<https://w3id.org/jckg/graph/data/a>", "<https://w3id.org/jckg/graph/data/b>"
    def record(r: str, o: str) -> list[str]:
        return [
            f"<urn:{r}> {R}type> {K}Supersession> {g2}", f"<urn:{r}> {R}subject> <urn:s> {g2}",
            f"<urn:{r}> {R}predicate> <urn:p> {g2}", f"<urn:{r}> {R}object> <urn:{o}> {g2}",
            f'<urn:{r}> {K}supersededOn> "2026-01-02"^^<http://www.w3.org/2001/XMLSchema#date> {g2}',
            f'<urn:{r}> {K}reason> "because" {g2}',
        ]
    previous = nq(f"<urn:s> <urn:p> <urn:old> {g1}", f"<urn:s> <urn:p> <urn:older> {g1}", f"<urn:x> <urn:p> <urn:gone> {g1}",
                  *record("r0", "older"))
    new = nq(f"<urn:s> <urn:p> <urn:old> {g1}", f"<urn:s> <urn:p> <urn:older> {g1}", f"<urn:s> <urn:p> <urn:new> {g2}",
             *record("r0", "older"), *record("r1", "old"))
    c = changes(previous, new, previous_version="1.0.0")
    assert [q.object.value for q in c.removed] == ["urn:gone"]
    assert "urn:new" in {q.object.value for q in c.added} and len(c.added) == 1 + 6
    assert [(s.triple.object.value, s.record, s.on, s.reason, s.graphs) for s in c.superseded] == [
        ("urn:old", "urn:r1", "2026-01-02", "because", ("https://w3id.org/jckg/graph/data/a",))
    ]  # urn:older was retired already in 1.0.0
    assert changes(None, new).previous is None
    with pytest.raises(UsageError, match="does not parse"):
        changes(b"not n-quads", new)
