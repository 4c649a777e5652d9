"""The caches that make the freshness check cheap must never serve a stale version:
the file list kept while the inotify queue is empty, and the fingerprints of the files
kept on disk for the next process (``kg.store.local``)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import kg
from kg.store import local
from kg.store.local import FINGERPRINTS, content_key, graph_files

ROOT = Path(__file__).resolve().parents[1]
LABEL_QUERY = 'SELECT ?l WHERE { kgi:state-tj rdfs:label ?l FILTER(LANG(?l) = "en") }'
STATES = "data/reference-states.ttl"


@pytest.fixture
def graph_dir(tmp_path: Path) -> Path:
    target = tmp_path / "graph"
    for part in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / part, target / part)
    # files older than the racy window, as in a checkout: their fingerprints are trusted
    old = (os.stat(target / STATES).st_mtime_ns // 10**9 - 3600) * 10**9
    for path in target.rglob("*.ttl"):
        os.utime(path, ns=(old, old))
    return target


def _forget() -> None:
    """What a new process knows: nothing in memory."""
    local._DIGESTS.clear()
    local._LOADED.clear()
    local._LISTED.clear()
    local._LAST_KEY[:] = [None, ""]


def _same_size_edit(path: Path, old: str, new: str) -> None:
    """Rewrite ``path`` in place with the same size and the same modification time: only
    the inode's change time tells."""
    assert len(old.encode()) == len(new.encode())
    st = path.stat()
    text = path.read_text(encoding="utf-8")
    assert old in text
    with path.open("r+b") as fh:  # in place: same inode, as an editor that does not rename
        fh.write(text.replace(old, new).encode("utf-8"))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns


def test_the_list_is_kept_while_nothing_changes_and_dropped_on_any_change(graph_dir: Path, tmp_path: Path) -> None:
    layout = kg.find_layout(graph_dir)
    first = graph_files(layout, cache=tmp_path / "cache")
    again = graph_files(layout, cache=tmp_path / "cache")
    if local._WATCHER.broken:
        pytest.skip("no inotify here: every call lists the files")
    assert again is first  # served from the watch, nothing listed
    _same_size_edit(graph_dir / STATES, '"Tajikistan"@en', '"Tajikistam"@en')
    edited = graph_files(layout, cache=tmp_path / "cache")
    assert content_key(edited) != content_key(first)
    # a new file, written beside and renamed into place as kg add does
    tmp = graph_dir / "data" / ".new.ttl.tmp"
    tmp.write_text("", encoding="utf-8")
    os.replace(tmp, graph_dir / "data" / "zz-new.ttl")
    added = graph_files(layout, cache=tmp_path / "cache")
    assert [f.relative for f in added][-1] == "data/zz-new.ttl"
    (graph_dir / "data" / "zz-new.ttl").unlink()
    assert [f.relative for f in graph_files(layout, cache=tmp_path / "cache")] == [f.relative for f in first]


def test_a_same_size_same_mtime_edit_is_seen_by_the_next_query(graph_dir: Path, tmp_path: Path) -> None:
    g = kg.open(graph_dir, cache=tmp_path / "cache")
    assert g.sparql(LABEL_QUERY).rows[0][0].value == "Tajikistan"
    _same_size_edit(graph_dir / STATES, '"Tajikistan"@en', '"Tajikistam"@en')
    assert g.sparql(LABEL_QUERY).rows[0][0].value == "Tajikistam"
    _forget()  # and by a new process, which reads the fingerprints kept on disk
    assert kg.open(graph_dir, cache=tmp_path / "cache").sparql(LABEL_QUERY).rows[0][0].value == "Tajikistam"


def test_the_same_checks_hold_without_the_watch(graph_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(local._WATCHER, "broken", True)
    layout = kg.find_layout(graph_dir)
    first = graph_files(layout, cache=tmp_path / "cache")
    assert graph_files(layout, cache=tmp_path / "cache") is not first  # listed every time
    _same_size_edit(graph_dir / STATES, '"Tajikistan"@en', '"Tajikistam"@en')
    assert content_key(graph_files(layout, cache=tmp_path / "cache")) != content_key(first)


def test_a_new_process_hashes_only_the_files_that_changed(graph_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    layout = kg.find_layout(graph_dir)
    cache = tmp_path / "cache"
    first = graph_files(layout, cache=cache)
    assert any(p.name == FINGERPRINTS for p in cache.rglob("*"))
    read: list[str] = []
    real = Path.read_bytes

    def counting(self: Path) -> bytes:
        read.append(self.name)
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", counting)
    _forget()
    assert content_key(graph_files(layout, cache=cache)) == content_key(first)
    assert read == []  # every fingerprint matched: no file was read
    _same_size_edit(graph_dir / STATES, '"Tajikistan"@en', '"Tajikistam"@en')
    _forget()
    changed = graph_files(layout, cache=cache)
    assert read == ["reference-states.ttl"]
    assert content_key(changed) != content_key(first)
    # the fingerprints of another cache directory are not this one's
    _forget()
    read.clear()
    graph_files(layout, cache=tmp_path / "other")
    assert len(read) == len(first)


def test_a_fingerprint_taken_in_the_racy_window_is_not_trusted(graph_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file hashed within a clock tick of its last write could be written again with the
    same size and times: the next process hashes it again."""
    layout = kg.find_layout(graph_dir)
    cache = tmp_path / "cache"
    path = graph_dir / STATES
    path.write_bytes(path.read_bytes())  # modified now: inside the window when hashed
    graph_files(layout, cache=cache)
    read: list[str] = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(self.name) or real(self))
    _forget()
    graph_files(layout, cache=cache)
    assert read == ["reference-states.ttl"]
    local._LISTED.clear()
    graph_files(layout, cache=cache)  # in this process too, until the window has passed
    assert read == ["reference-states.ttl", "reference-states.ttl"]


def test_a_view_as_of_a_day_is_built_once_and_follows_the_files(graph_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(local, "VIEW_ON_DISK_FROM", 0)  # the bundled graph is below it: in memory
    cache = tmp_path / "cache"
    g = kg.open(graph_dir, cache=cache)
    assert g.sparql(LABEL_QUERY, as_of="2025-06-01").rows[0][0].value == "Tajikistan"
    assert g.as_of("2025-06-01").built and g.as_of("2025-06-01").persistent
    again = kg.open(graph_dir, cache=cache)  # another process: opens the kept view
    assert not again.as_of("2025-06-01").built
    assert again.sparql(LABEL_QUERY, as_of="2025-06-01").rows[0][0].value == "Tajikistan"
    _same_size_edit(graph_dir / STATES, '"Tajikistan"@en', '"Tajikistam"@en')
    assert g.sparql(LABEL_QUERY, as_of="2025-06-01").rows[0][0].value == "Tajikistam"
    assert kg.open(graph_dir, cache=cache).sparql(LABEL_QUERY, as_of="2025-06-01").rows[0][0].value == "Tajikistam"
    # the view equals the one built in memory from the same version
    from datetime import date

    from kg.history import view_as_of

    base = g.store()
    assert set(g.as_of("2025-06-01").store) == set(view_as_of(base.store, base.graphs, date(2025, 6, 1)))


def test_a_small_graph_s_view_stays_in_memory(graph_dir: Path, tmp_path: Path) -> None:
    g = kg.open(graph_dir, cache=tmp_path / "cache")
    view = g.as_of("2025-06-01")
    assert not view.persistent and view.key.endswith("@2025-06-01")
    assert g.sparql(LABEL_QUERY, as_of="2025-06-01").rows[0][0].value == "Tajikistan"
