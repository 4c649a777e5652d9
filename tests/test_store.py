"""The store: built from the files, keyed by their content, never stale, never trusted
when damaged, safe with several processes, refusing what it could not keep as written."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import pyoxigraph as ox
import pytest

import kg
from kg.errors import InputError
from kg.store.local import MANIFEST, StoreWarning, check_statements, content_key, graph_files, open_store

ROOT = Path(__file__).resolve().parents[1]
LABEL_QUERY = 'SELECT ?l WHERE { kgi:state-tj rdfs:label ?l FILTER(LANG(?l) = "en") }'


def _copy_graph(target: Path) -> Path:
    for part in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / part, target / part)
    return target


@pytest.fixture
def graph_dir(tmp_path: Path) -> Path:
    return _copy_graph(tmp_path / "graph")


def _label(g: kg.Graph) -> str:
    return g.sparql(LABEL_QUERY).rows[0][0].value


def _rename_tajikistan(graph_dir: Path, new: str) -> None:
    path = graph_dir / "data" / "reference-states.ttl"
    text = path.read_text(encoding="utf-8")
    assert '"Tajikistan"@en' in text
    path.write_text(text.replace('"Tajikistan"@en', f'"{new}"@en'), encoding="utf-8")


def test_an_edited_file_is_seen_by_the_next_query(graph_dir: Path, tmp_path: Path) -> None:
    """The same facade object, and a new one, both answer from the edited file."""
    g = kg.open(graph_dir, cache=tmp_path / "cache")
    assert _label(g) == "Tajikistan"
    _rename_tajikistan(graph_dir, "Tajikistan (edited)")
    assert _label(g) == "Tajikistan (edited)"
    assert _label(kg.open(graph_dir, cache=tmp_path / "cache")) == "Tajikistan (edited)"


def test_a_rebuild_reloads_only_the_changed_file(graph_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = open_store(kg.find_layout(graph_dir), cache=cache)
    assert first.built and len(first.reloaded) == len(first.files)
    again = open_store(kg.find_layout(graph_dir), cache=cache)
    assert not again.built and again.key == first.key
    _rename_tajikistan(graph_dir, "Tadschikistan")
    third = open_store(kg.find_layout(graph_dir), cache=cache)
    assert third.built and third.reloaded == ("data/reference-states.ttl",)
    fresh = open_store(kg.find_layout(graph_dir), cache=False)
    assert set(third.store) == set(fresh.store)  # the incremental build equals a full one


def test_the_key_covers_every_file(graph_dir: Path) -> None:
    layout = kg.find_layout(graph_dir)
    before = content_key(graph_files(layout))
    (graph_dir / "ontology" / "vocab.ttl").write_bytes((graph_dir / "ontology" / "vocab.ttl").read_bytes() + b"\n# a comment\n")
    assert content_key(graph_files(layout)) != before


def _version_dir(cache: Path) -> Path:
    [base] = [d for d in cache.iterdir() if d.is_dir()]
    [version] = [d for d in base.iterdir() if d.is_dir() and "+" not in d.name]
    return version


@pytest.mark.parametrize("damage", ["manifest-missing", "manifest-garbage", "table-truncated", "table-deleted", "all-emptied", "union-missing"])
def test_a_damaged_store_is_rebuilt_not_trusted(graph_dir: Path, tmp_path: Path, damage: str) -> None:
    cache = tmp_path / "cache"
    g = kg.open(graph_dir, cache=cache)
    expected = _label(g)
    version = _version_dir(cache)
    tables = sorted(version.glob("*.sst"))
    if damage == "manifest-missing":
        (version / MANIFEST).unlink()
    elif damage == "manifest-garbage":
        (version / MANIFEST).write_text("{not json", encoding="utf-8")
    elif damage == "table-truncated":
        assert tables
        for t in tables:
            t.write_bytes(t.read_bytes()[:100])
    elif damage == "table-deleted":
        assert tables
        for t in tables:
            t.unlink()
    elif damage == "union-missing":
        # what a version written before the union was kept in the default graph looks like
        del g
        import gc

        gc.collect()
        writable = ox.Store(str(version))
        writable.remove_graph(ox.DefaultGraph())
        writable.flush()
        del writable
        gc.collect()
    else:
        for f in version.iterdir():
            if f.name != MANIFEST:
                f.unlink() if f.is_file() else shutil.rmtree(f)
    again = open_store(kg.find_layout(graph_dir), cache=cache)
    assert again.built, "the damaged version was used as it was"
    assert _label(kg.open(graph_dir, cache=cache)) == expected


def test_a_build_killed_halfway_leaves_nothing_trusted(graph_dir: Path, tmp_path: Path) -> None:
    """SIGKILL while the store is being built: the next command builds it again."""
    big = graph_dir / "data" / "zz-bulk.ttl"
    with big.open("w", encoding="utf-8") as fh:
        for i in range(150_000):
            fh.write(f"<https://w3id.org/jckg/id/bulk-{i}> <http://www.w3.org/2000/01/rdf-schema#label> \"bulk {i}\"@en .\n")
    cache = tmp_path / "cache"
    env = {**os.environ, "KG_CACHE_DIR": str(cache), "KG_DATA": str(graph_dir)}
    proc = subprocess.Popen([sys.executable, "-m", "kg", "stats"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not any(cache.glob("*/*.tmp-*")):
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not [d for d in cache.glob("*/*") if d.is_dir() and ".tmp-" not in d.name], "a half-built version was published"
    gs = open_store(kg.find_layout(graph_dir), cache=cache)
    assert gs.built
    count = gs.store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/jckg/graph/data/zz-bulk> { ?s ?p ?o } }")
    assert int(next(iter(count))[0].value) == 150_000
    assert not list(cache.glob("*/*.tmp-*")), "the killed build's directory was left behind"


def test_two_processes_building_at_once_agree(graph_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    env = {**os.environ, "KG_CACHE_DIR": str(cache), "KG_DATA": str(graph_dir)}
    cmd = [sys.executable, "-m", "kg", "-q", "stats", "-f", "json"]
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(3)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [o[1] for o in outs]
    assert len({o[0] for o in outs}) == 1
    versions = [d for d in cache.glob("*/*") if d.is_dir()]
    assert len(versions) == 1 and ".tmp" not in versions[0].name


def test_an_unwritable_cache_falls_back_to_memory(graph_dir: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the cache should go", encoding="utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        g = kg.open(graph_dir, cache=blocker / "cache")
        assert _label(g) == "Tajikistan"
    messages = [str(w.message) for w in caught if issubclass(w.category, StoreWarning)]
    assert messages and "in memory" in messages[0] and "KG_CACHE_DIR" in messages[0]
    assert not g.store().persistent


def test_the_cli_warns_once_and_answers_from_memory(graph_dir: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    env = {**os.environ, "KG_CACHE_DIR": str(blocker / "cache"), "KG_DATA": str(graph_dir)}
    run = subprocess.run([sys.executable, "-m", "kg", "sparql", LABEL_QUERY, "-f", "csv"], env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "Tajikistan" in run.stdout
    assert run.stderr.count("warning:") == 1 and "in memory" in run.stderr


def test_a_file_changed_while_a_query_runs_gives_old_or_new(graph_dir: Path, tmp_path: Path) -> None:
    """A query runs on one store version: an edit in the middle cannot mix the two."""
    g = kg.open(graph_dir, cache=tmp_path / "cache")
    slow = (
        'SELECT ?l (COUNT(*) AS ?n) WHERE { kgi:state-tj rdfs:label ?l FILTER(LANG(?l) = "en") '
        "?a ?b ?c . ?d ?e ?f FILTER(?b = rdf:type && ?e = rdf:type) } GROUP BY ?l"
    )
    results: list[str] = []
    worker = threading.Thread(target=lambda: results.extend(r[0].value for r in g.sparql(slow).rows))
    worker.start()
    time.sleep(0.05)
    _rename_tajikistan(graph_dir, "Tajikistan (new)")
    worker.join(timeout=120)
    assert results in (["Tajikistan"], ["Tajikistan (new)"])
    assert _label(g) == "Tajikistan (new)"


# ---------------------------------------------------------------- refused on the way in


def _write(graph_dir: Path, name: str, body: str) -> Path:
    path = graph_dir / "data" / name
    path.write_text(
        "@prefix kgi: <https://w3id.org/jckg/id/> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n@prefix kg: <https://w3id.org/jckg/ontology#> .\n\n" + body,
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        ('kgi:x rdfs:label "fine"@en .\nkgi:x kg:ordinal "007"^^xsd:integer .\n', 7, ["would be stored as", '"7"^^xsd:integer']),
        ("kgi:x rdfs:label \"fine\"@en .\nkgi:x kg:ordinal 1.50 .\n", 7, ["1.5"]),
        ('kgi:x kg:ordinal "3"^^xsd:positiveInteger .\n', 6, ["xsd:integer"]),
        ('kgi:x rdfs:label "bell \\u0007 in a label"@en .\n', 6, ["U+0007", "RDF/XML"]),
        ('kgi:x rdfs:label "form\\ffeed"@en .\n', 6, ["U+000C"]),
        ('\n\nkgi:x rdfs:seeAlso [ rdfs:label "anonymous"@en ] .\n', 8, ["blank node"]),
        ('kgi:x kg:startDate "2024-13-45"^^xsd:date .\n', 6, ["not a valid xsd:date"]),
        ("kgi:x rdfs:label \"unterminated .\n", 6, []),
    ],
)
def test_the_store_refuses_what_it_could_not_keep(graph_dir: Path, tmp_path: Path, body: str, line: int, words: list[str]) -> None:
    """With the file and line, before any command answers from it."""
    _write(graph_dir, "zz-bad.ttl", body)
    with pytest.raises(InputError) as info:
        kg.open(graph_dir, cache=tmp_path / "cache").sparql("ASK {}")
    message = str(info.value)
    assert f"data/zz-bad.ttl:{line}" in message, message
    for w in words:
        assert w in message
    assert not [d for d in (tmp_path / "cache").glob("*/*") if d.is_dir() and ".tmp" not in d.name]


def test_an_oversized_literal_is_refused_with_the_file(graph_dir: Path, tmp_path: Path) -> None:
    from kg.store.local import MAX_LITERAL_CHARS

    _write(graph_dir, "zz-long.ttl", f'kgi:x rdfs:label "{"x" * (MAX_LITERAL_CHARS + 1)}"@en .\n')
    with pytest.raises(InputError) as info:
        kg.open(graph_dir, cache=tmp_path / "cache").sparql("ASK {}")
    assert "zz-long.ttl:6" in str(info.value) and "longer than the limit" in str(info.value)


def test_canonical_values_and_text_pass(tmp_path: Path) -> None:
    data = (
        '<https://w3id.org/jckg/id/x> <https://w3id.org/jckg/ontology#ordinal> "7"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
        '<https://w3id.org/jckg/id/x> <http://www.w3.org/2000/01/rdf-schema#label> "Ташкент, line one\\nline two\\ttab"@ru .\n'
        '<https://w3id.org/jckg/id/x> <https://w3id.org/jckg/ontology#date> "2024-02-29"^^<http://www.w3.org/2001/XMLSchema#date> .\n'
    ).encode()
    check_statements(data, "ok.nt", ox.RdfFormat.N_TRIPLES)


def test_the_bundled_files_are_stored_exactly_as_written(bundled) -> None:
    """Every statement of every file comes back from the store unchanged (no literal rewritten)."""
    gs = bundled.store()
    for f in gs.files:
        parsed = {ox.Quad(q.subject, q.predicate, q.object, f.graph) for q in ox.parse(path=str(f.path), format=ox.RdfFormat.TURTLE, base_iri="https://w3id.org/jckg/id/")}
        stored = set(gs.store.quads_for_pattern(None, None, None, f.graph))
        assert stored == parsed, f.relative


def _bulk_graph(graph_dir: Path, n: int) -> None:
    with (graph_dir / "data" / "zz-bulk.ttl").open("w", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(f"<https://w3id.org/jckg/id/bulk-{i}> <http://www.w3.org/2000/01/rdf-schema#label> \"bulk {i}\"@en .\n")


def test_a_long_build_shows_a_progress_bar_on_a_terminal_only(graph_dir: Path, tmp_path: Path) -> None:
    import pty

    _bulk_graph(graph_dir, 20_000)
    cmd = [sys.executable, "-m", "kg", "stats"]
    # no half-second grace before the bar, so a fast machine shows it too
    env = {**os.environ, "KG_DATA": str(graph_dir), "KG_CACHE_DIR": str(tmp_path / "tty"), "KG_PROGRESS_DELAY": "0"}
    leader, follower = pty.openpty()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=follower)
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    proc.wait(timeout=120)
    os.close(leader)
    assert proc.returncode == 0
    assert b"building the store: [" in seen and b"100%" in seen
    piped = subprocess.run(cmd, env={**env, "KG_CACHE_DIR": str(tmp_path / "pipe")}, capture_output=True, timeout=120)
    assert piped.returncode == 0 and b"building the store" not in piped.stderr


def test_a_literal_beyond_the_parsers_limit_is_an_input_error(graph_dir: Path, tmp_path: Path) -> None:
    """20 MiB in one literal: the parser gives up (16 MiB a token); the user gets the file, not a traceback."""
    _write(graph_dir, "zz-huge.ttl", f'kgi:x rdfs:label "{"y" * (20 * 1024 * 1024)}"@en .\n')
    with pytest.raises(InputError) as info:
        kg.open(graph_dir, cache=tmp_path / "cache").sparql("ASK {}")
    assert "zz-huge.ttl" in str(info.value)


def test_an_edit_that_keeps_size_and_mtime_is_still_seen(graph_dir: Path, tmp_path: Path) -> None:
    """The digests are remembered by stat, but a file rewritten with the same size and
    modification time (a second write in the same clock tick) is hashed again."""
    g = kg.open(graph_dir, cache=tmp_path / "cache")
    assert _label(g) == "Tajikistan"
    path = graph_dir / "data" / "reference-states.ttl"
    st = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace('"Tajikistan"@en', '"Tajikistam"@en'), encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns
    assert _label(g) == "Tajikistam"


def test_a_reasoner_killed_halfway_leaves_nothing_behind(graph_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    g = kg.open(graph_dir, cache=cache)
    base = g.store().path.parent
    # what a server worker killed at its time limit while reasoning leaves (its pid is gone)
    stale = base / f"{g.store().key}+owlrl.tmp-{2**22 + 12345}"
    stale.mkdir()
    (stale / "000001.sst").write_bytes(b"x" * 1000)
    assert g.store("owlrl").inferred > 0
    assert not stale.exists()
