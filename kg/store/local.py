"""Where the triples live: one pyoxigraph ``Store``, on disk, built from the graph files.

Every graph file (``ontology/*.ttl`` except the shapes, ``data/*.ttl``) is one named graph
(``kgg:`` + its path without ``.ttl``). The store's default graph holds their union, once
more: Oxigraph's own union view (``use_default_graph_as_union``) is a bag, so a statement
two files make would be counted twice, where RDF merges graphs as a set (and rdflib, the
reference, answers so). It doubles the load work; it keeps every answer right. The union
leaves out what a later source superseded (``kg.history``): the default graph is the
current view, the named graphs keep every source's word.

The store is a cache of the files, never a second source of truth:

* **Keyed by content.** A version's directory is named by a hash of every file's path and
  bytes (plus this layout's format and the pyoxigraph version). Each command hashes the
  files (a fraction of the time a parse takes) and opens the version with that key; an edit
  to any file gives another key, so a stale answer is never served.
* **Immutable once published.** A version is built in a temporary directory, its manifest
  written last, then renamed into place; readers open it read-only. Nothing ever writes to
  a published version, so concurrent readers never see half a build (Oxigraph calls a
  reader beside a writer undefined behaviour). Builds take turns under a lock.
* **Built incrementally.** A new version starts from a checkpoint of the newest one
  (RocksDB hard-links its files) and reloads only the graphs of the files that changed.
* **Never trusted when damaged.** A version without a valid manifest, or one that fails
  to open, is removed and rebuilt.
* **Derived versions.** Inferences (``kgg:inferred``) live in a version of their own,
  ``<key>+owlrl`` or ``<key>+rdfs``, made from the asserted one on first use.

Location: ``$KG_CACHE_DIR``, else ``$XDG_CACHE_HOME/jckg``, else ``~/.cache/jckg``; one
sub-directory per graph directory. If it cannot be written the store is kept in memory
for this process, with a warning. ``KG_CACHE_DIR=off`` asks for memory on purpose.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import shutil
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import InputError
from kg.layout import Layout
from kg.namespaces import BASE, INFERRED_GRAPH, PREFIXES, curie
from kg.store.backend import LOCAL, Capabilities

INFERENCE_MODES = ("none", "rdfs", "owlrl")
#: Bump when the way a version is built changes, so old caches are not reused.
FORMAT_VERSION = 3  # 3: the default graph is the current view (superseded statements out)
MANIFEST = "kg-manifest.json"
#: A view as of a day is kept on disk from this many statements on (``open_view``).
VIEW_ON_DISK_FROM = 50_000
#: Published versions kept besides the current one (for readers still using them).
KEEP_VERSIONS = 3

_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES, ".nq": ox.RdfFormat.N_QUADS}
_XSD = "http://www.w3.org/2001/XMLSchema#"

Progress = Callable[[str, int, int], None]  # (what, done, total)


class StoreWarning(UserWarning):
    """The cache could not be used; the graph is served from memory instead."""


@dataclass(frozen=True)
class FileEntry:
    path: Path
    relative: str
    graph: ox.NamedNode
    digest: str
    size: int


@dataclass
class GraphStore:
    """An open store version: the pyoxigraph ``Store`` and what it was built from."""

    store: ox.Store
    key: str
    files: tuple[FileEntry, ...]
    inference: str = "none"
    path: Path | None = None  # None: in memory
    built: bool = False  # this process built (part of) it
    reloaded: tuple[str, ...] = field(default_factory=tuple)  # files (re)loaded by this build
    inferred: int = 0  # statements in kgg:inferred
    seconds: float = 0.0
    capabilities: Capabilities = LOCAL

    @property
    def endpoint(self) -> None:
        """Never an endpoint: the store version of local files."""
        return None

    @property
    def graphs(self) -> list[ox.NamedNode]:
        """The asserted graphs, one per file."""
        return [f.graph for f in self.files]

    @property
    def persistent(self) -> bool:
        return self.path is not None

    def begin(self) -> Candidate:
        """A writable copy of this version, for statements under validation (``kg add``).

        On disk it is a checkpoint (hard links, milliseconds at any size); ``publish``
        makes it the version of the files as they are after the addition.
        """
        if self.path is None:
            copy = ox.Store()
            copy.bulk_extend(self.store.quads_for_pattern(None, None, None, None))  # named graphs and their union
            return Candidate(copy, self, None)
        base = self.path.parent
        with _build_lock(base):
            _clear_stale(base)  # copies left by additions that were killed
        tmp = base / f"candidate.tmp-{os.getpid()}-{time.monotonic_ns()}"
        self.store.backup(str(tmp))
        return Candidate(ox.Store(str(tmp)), self, tmp)


@dataclass
class Candidate:
    """A writable copy of a store version; thrown away, or published as the next version."""

    store: ox.Store
    base: GraphStore
    path: Path | None

    def add(self, triples: list[ox.Triple], graph: ox.NamedNode) -> None:
        """Add statements to ``graph`` and to the union (the default graph), as a build does:
        a statement only in its named graph would be invisible to queries and validation."""
        self.store.extend([ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples])
        self.store.extend([ox.Quad(t.subject, t.predicate, t.object) for t in triples])

    def supersede(self, triples: list[ox.Triple]) -> None:
        """Take statements out of the current view (the default graph), as a build does for
        the statements a supersession record retires; their named graphs keep them."""
        for t in triples:
            self.store.remove(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()))

    def discard(self) -> None:
        if self.path is not None:
            del self.store
            _remove(self.path)
            self.path = None

    def publish(self, layout: Layout) -> None:
        """Publish the copy as the version of ``layout``'s files as they are now (the
        caller has just written them). If anything fails the next command rebuilds."""
        if self.path is None:
            return
        files = graph_files(layout, cache=self.path.parent.parent)  # the cache this version lives in
        key = content_key(files)
        base = self.path.parent
        try:
            self.store.flush()
            graphs = {f.graph.value: _graph_count(self.store, f.graph) for f in files}
            del self.store
            _write_manifest(self.path, key, files, graphs)
            with _build_lock(base):
                if (base / key).exists():
                    _remove(self.path)
                else:
                    os.replace(self.path, base / key)
        except OSError:
            _remove(self.path)
        self.path = None


# ---------------------------------------------------------------- keys and locations


def cache_root() -> Path | None:
    """The cache directory, or ``None`` when ``KG_CACHE_DIR=off`` asks for memory."""
    explicit = os.environ.get("KG_CACHE_DIR")
    if explicit:
        return None if explicit.lower() in ("off", "none", "memory") else Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "jckg"


# path -> (size, mtime_ns, inode, ctime_ns, digest, when hashed): the bytes are hashed
# again only when the file's stat changes, the way git's index avoids re-reading files.
# Kept on disk too (``FINGERPRINTS`` beside the versions), so a new process does not hash
# every file again to find the version it opens (150 MB at 10^6 statements: 0.3 s).
_DIGESTS: dict[str, tuple[int, int, int, int, str, float]] = {}
#: A file modified this close to when it was hashed is hashed again (a second write in
#: the same clock tick would keep size and mtime: git's "racy" case). Kept on disk, the
#: entry carries when it was hashed, so the rule holds across processes.
_RACY_SECONDS = 2.0
FINGERPRINTS = "fingerprints.json"
#: Bump when the fingerprint file's meaning changes (old files are then ignored).
_FINGERPRINT_FORMAT = 1


# path -> (relative path, named graph): resolving paths is most of the cost of a
# freshness check, which the server makes before every request
_NAMES: dict[tuple[str, str], tuple[str, ox.NamedNode]] = {}
# root -> the directories whose changes can change the list of graph files
_DIRECTORIES: dict[str, tuple[str, str, str]] = {}
# fingerprint files already read by this process (their entries are in _DIGESTS)
_LOADED: set[str] = set()
# root -> (watch stamp, files): the answer of the last listing, served again while no
# file or directory of the graph has changed since (``_Watcher``)
_LISTED: dict[str, tuple[tuple, tuple[FileEntry, ...]]] = {}


class _Watcher:
    """Tells, in one non-blocking read, whether anything changed in the watched
    directories since a stamp was taken (Linux inotify, through libc).

    Why: a long-lived process (the server's workers, a notebook) asks whether the files
    changed before every query; listing and stat-ing every graph file costs 0.2-1 ms, an
    inotify queue that is empty costs a few microseconds. The kernel queues an event
    before the write or rename that causes it returns, so a change that happened before
    a query was asked for is always seen: there is no time window. Where inotify cannot
    be used (another system, a forked child sharing the queue, a symbolic link among the
    files, watches exhausted) the caller lists and stats every file, as before.
    """

    # IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE |
    # IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF
    _MASK = 0x002 | 0x004 | 0x008 | 0x040 | 0x080 | 0x100 | 0x200 | 0x400 | 0x800
    _OVERFLOW = 0x4000
    _IGNORED = 0x8000

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.fd = -1
        self.pid = -1
        self.libc: Any = None  # libc through ctypes, once inotify is set up
        self.wds: dict[int, str] = {}  # watch descriptor -> directory
        self.dirs: dict[str, int] = {}  # directory -> watch descriptor
        self.gen: dict[str, int] = {}  # directory -> changes seen
        self.epoch = 0  # bumped on a queue overflow: everything may have changed
        self.broken = not os.path.exists("/proc/self") or not hasattr(os, "fork")

    def _open(self) -> bool:
        if self.broken:
            return False
        if self.fd >= 0 and self.pid == os.getpid():
            return True
        if self.fd >= 0:
            # a forked child shares the parent's queue: reading it would steal the
            # parent's events. The child lists files the slow way.
            return False
        try:
            import ctypes

            # the process's own symbols, libc's among them (ctypes.util.find_library
            # would run ldconfig in a subprocess: milliseconds of every command)
            libc = ctypes.CDLL(None, use_errno=True)
            fd = libc.inotify_init1(0o4000 | 0o2000000)  # IN_NONBLOCK | IN_CLOEXEC
        except (OSError, AttributeError):
            fd = -1
        if fd < 0:
            self.broken = True
            return False
        self.libc, self.fd, self.pid = libc, fd, os.getpid()
        return True

    def _watch(self, directory: str) -> bool:
        if directory in self.dirs:
            return True
        wd = self.libc.inotify_add_watch(self.fd, os.fsencode(directory), self._MASK | 0x01000000)  # IN_ONLYDIR
        if wd < 0:
            return False
        self.wds[wd] = directory
        self.dirs[directory] = wd
        self.gen[directory] = self.gen.get(directory, 0) + 1  # a new watch: nothing known yet
        return True

    def _drain(self) -> None:
        import struct

        while True:
            try:
                data = os.read(self.fd, 65536)
            except BlockingIOError:
                return
            except OSError:
                self.broken = True
                return
            at = 0
            while at + 16 <= len(data):
                wd, mask, _, size = struct.unpack_from("iIII", data, at)
                at += 16 + size
                if mask & self._OVERFLOW:
                    self.epoch += 1
                    continue
                directory = self.wds.get(wd)
                if directory is None:
                    continue
                self.gen[directory] = self.gen.get(directory, 0) + 1
                if mask & self._IGNORED:  # the directory is gone: watch it again next time
                    del self.wds[wd]
                    self.dirs.pop(directory, None)

    def stamp(self, directories: tuple[str, ...]) -> tuple | None:
        """A value that changes whenever anything in ``directories`` changes (the
        directories' own identity included); ``None``: cannot tell, list the files."""
        with self.lock:
            if not self._open():
                return None
            try:
                # the first directory's path may now name another directory (it, or one
                # above it, moved away and another put in its place): its identity is part
                # of the stamp. The others are its children, watched through it too.
                st = os.stat(directories[0])
            except OSError:
                return None
            for name in directories:
                if name not in self.dirs and not self._watch(name):
                    return None
            self._drain()
            if self.broken:
                return None
            gen = self.gen
            return (self.epoch, st.st_dev, st.st_ino, *(gen.get(name, -1) for name in directories))


_WATCHER = _Watcher()


def _fingerprint_file(layout: Layout, cache: Path | None | bool) -> Path | None:
    root = cache_root() if cache is True else (Path(cache) if cache else None)
    return None if root is None else _layout_dir(root, layout) / FINGERPRINTS


def _load_fingerprints(where: Path | None) -> None:
    if where is None or str(where) in _LOADED:
        return
    _LOADED.add(str(where))
    try:
        data = json.loads(where.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if not isinstance(data, dict) or data.get("format") != _FINGERPRINT_FORMAT:
        return
    for path, entry in (data.get("files") or {}).items():
        if path not in _DIGESTS and isinstance(entry, list) and len(entry) == 6:
            size, mtime, ino, ctime, digest, hashed = entry
            _DIGESTS[path] = (int(size), int(mtime), int(ino), int(ctime), str(digest), float(hashed))


def _save_fingerprints(where: Path | None, files: tuple[FileEntry, ...]) -> None:
    """Write the entries of ``files`` for the next process (atomically; a failure only
    means the next process hashes again)."""
    if where is None:
        return
    entries = {str(f.path): list(_DIGESTS[str(f.path)]) for f in files if str(f.path) in _DIGESTS}
    tmp = where.with_name(f"{where.name}.tmp-{os.getpid()}-{threading.get_ident()}")
    try:
        where.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps({"format": _FINGERPRINT_FORMAT, "files": entries}), encoding="utf-8")
        os.replace(tmp, where)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _names(layout: Layout, path: Path, resolved_root: Path) -> tuple[str, ox.NamedNode]:
    key = (str(layout.root), str(path))
    names = _NAMES.get(key)
    if names is None:
        if path.is_symlink():
            relative = layout.relative(path)
            iri = layout.graph_iri(path)
        else:
            # the directory resolved once, not every file: resolve() is most of a listing
            try:
                rel = (_resolved(path.parent) / path.name).relative_to(resolved_root)
                relative, iri = rel.as_posix(), PREFIXES["kgg"] + rel.with_suffix("").as_posix()
            except ValueError:
                relative, iri = str(path), layout.graph_iri(path)
        names = _NAMES[key] = (relative, ox.NamedNode(iri))
    return names


@functools.lru_cache(maxsize=256)
def _resolved(directory: Path) -> Path:
    return directory.resolve()


def graph_files(layout: Layout, *, cache: Path | None | bool = True) -> tuple[FileEntry, ...]:
    """Every graph file with its named graph and the hash of its bytes.

    ``cache`` (as ``open_store`` takes it) says where the fingerprints of the files are
    kept between processes; ``False``: in this process only."""
    listed_key = str(layout.root)
    directories = _DIRECTORIES.get(listed_key)
    if directories is None:
        directories = _DIRECTORIES[listed_key] = (listed_key, str(layout.ontology_dir), str(layout.data_dir))
    stamp = _WATCHER.stamp(directories)  # taken before listing: a change during it is seen next time
    if stamp is not None:
        listed = _LISTED.get(listed_key)
        if listed is not None and listed[0] == stamp:
            return listed[1]
    where = _fingerprint_file(layout, cache)
    _load_fingerprints(where)
    resolved_root = _resolved(layout.root)
    entries = []
    hashed = False
    linked = False
    for path in layout.graph_files():
        st = path.stat()
        linked = linked or path.is_symlink()
        key = str(path)
        names = _names(layout, path, resolved_root)
        known = _DIGESTS.get(key)
        if known and known[:4] == (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns) and known[5] - st.st_mtime_ns / 1e9 > _RACY_SECONDS:
            digest = known[4]
        else:
            data = path.read_bytes()
            digest = hashlib.blake2b(data, digest_size=20).hexdigest()
            # the stat taken before reading: a write during the read changes it next time
            _DIGESTS[key] = (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns, digest, time.time())
            hashed = True
        entries.append(
            FileEntry(
                path=path,
                relative=names[0],
                graph=names[1],
                digest=digest,
                size=st.st_size,
            )
        )
    files = tuple(entries)
    if hashed:
        _save_fingerprints(where, files)
    # a file hashed in its racy window must be hashed again on the next call, and the
    # target of a symbolic link can change without an event in the watched directories
    racy = any(_DIGESTS[str(f.path)][5] - _DIGESTS[str(f.path)][1] / 1e9 <= _RACY_SECONDS for f in files)
    if stamp is not None and not linked and not racy:
        _LISTED[listed_key] = (stamp, files)
    else:
        _LISTED.pop(listed_key, None)
    return files


# the last key computed: ``graph_files`` gives the same tuple while nothing changed
_LAST_KEY: list = [None, ""]


def content_key(files: tuple[FileEntry, ...]) -> str:
    if _LAST_KEY[0] is files:
        return _LAST_KEY[1]
    key = _content_key(files)
    _LAST_KEY[:] = [files, key]
    return key


def _content_key(files: tuple[FileEntry, ...]) -> str:
    h = hashlib.blake2b(digest_size=16)
    h.update(f"kg-store {FORMAT_VERSION} pyoxigraph {ox.__version__}\n".encode())
    for f in files:
        h.update(f"{f.relative}\0{f.digest}\n".encode())
    return h.hexdigest()


def _layout_dir(root: Path, layout: Layout) -> Path:
    where = str(layout.root.resolve())
    name = re.sub(r"[^A-Za-z0-9]+", "-", layout.root.resolve().name).strip("-") or "graph"
    return root / f"{name}-{hashlib.blake2b(where.encode(), digest_size=6).hexdigest()}"


# ---------------------------------------------------------------- opening


def open_store(
    layout: Layout,
    *,
    inference: str = "none",
    cache: Path | None | bool = True,
    progress: Progress | None = None,
    files: tuple[FileEntry, ...] | None = None,
) -> GraphStore:
    """The store version of ``layout``'s files as they are now, built if needed.

    ``cache``: ``True`` for the default location, a path, or ``False`` for memory only.
    ``files``: ``graph_files(layout)`` if the caller has just computed it.
    """
    start = time.perf_counter()
    files = files if files is not None else graph_files(layout, cache=cache)
    key = content_key(files)
    root = cache_root() if cache is True else (Path(cache) if cache else None)
    if root is not None:
        try:
            gs = _open_persistent(_layout_dir(root, layout), key, files, progress)
        except OSError as exc:
            warnings.warn(
                f"the store cache {root} cannot be used ({exc.strerror or exc}); keeping the graph in memory. "
                "Set KG_CACHE_DIR to a writable directory to keep it between commands.",
                StoreWarning,
                stacklevel=2,
            )
        else:
            if inference != "none":
                gs = _derived(gs, inference, progress)
            gs.seconds = time.perf_counter() - start
            return gs
    gs = _memory(files, key, progress)
    if inference != "none":
        add_closure(gs, inference)
    gs.seconds = time.perf_counter() - start
    return gs


def _read_manifest(directory: Path) -> dict | None:
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def _try_open(directory: Path, key: str, files: tuple[FileEntry, ...], inference: str) -> GraphStore | None:
    """The published version in ``directory``, or ``None`` if absent; a damaged one is removed."""
    if not directory.exists():
        return None
    manifest = _read_manifest(directory)
    if manifest is None or manifest.get("key") != key or manifest.get("format") != FORMAT_VERSION:
        _remove(directory)
        return None
    try:
        store = ox.Store.read_only(str(directory))
        # a truncated or missing table file shows up on the first read, not on open
        for _ in store.quads_for_pattern(None, None, None, files[0].graph if files else None):
            break
        if manifest.get("statements") and not _spot_check(store, manifest):
            raise OSError("the store does not hold what its manifest says")
    except Exception:
        _remove(directory)
        return None
    return GraphStore(store, key, files, inference=inference, path=directory, inferred=int(manifest.get("inferred", 0)))


def open_version(directory: Path | str, key: str, files: tuple[FileEntry, ...], inference: str = "none") -> GraphStore | None:
    """A version published earlier, by its directory and key, whatever the files say now
    (a server keeps the last good version in service while a file is broken); ``None``
    if it is gone or damaged."""
    return _try_open(Path(directory), key, files, inference)


def _spot_check(store: ox.Store, manifest: dict) -> bool:
    # counting every statement costs a full scan; the per-graph count of one small graph
    # and the presence of every graph catch a store whose files were damaged or swapped
    graphs = manifest.get("graphs", {})
    if not graphs:
        return True
    names = {str(g) for g in store.named_graphs()}
    if not set(graphs) <= {n[1:-1] for n in names}:
        return False
    # the union in the default graph is what every query reads: a version built before
    # it was kept there (or half-built) must not be reused
    if not any(True for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph())):
        return False
    smallest = min(graphs, key=lambda g: graphs[g])
    return _graph_count(store, ox.NamedNode(smallest)) == graphs[smallest]


def _remove(directory: Path) -> None:
    shutil.rmtree(directory, ignore_errors=True)


@contextlib.contextmanager
def _build_lock(base: Path) -> Iterator[None]:
    import fcntl

    base.mkdir(parents=True, exist_ok=True)
    fd = os.open(base / ".build.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _open_persistent(base: Path, key: str, files: tuple[FileEntry, ...], progress: Progress | None) -> GraphStore:
    gs = _try_open(base / key, key, files, "none")
    if gs is not None:
        return gs
    with _build_lock(base):
        gs = _try_open(base / key, key, files, "none")  # another process may have built it meanwhile
        if gs is not None:
            return gs
        return _build(base, key, files, progress)


def _versions(base: Path) -> list[tuple[float, Path, dict]]:
    found = []
    for d in base.iterdir() if base.exists() else []:
        if d.is_dir() and ".tmp" not in d.name and "+" not in d.name and "@" not in d.name:
            manifest = _read_manifest(d)
            if manifest and manifest.get("format") == FORMAT_VERSION:
                found.append((manifest.get("created", 0.0), d, manifest))
    return sorted(found, key=lambda v: v[0], reverse=True)


def _clear_stale(base: Path) -> None:
    """Remove what processes killed while building left (call it holding the build lock)."""
    for stale in base.glob("*.tmp-*"):
        if not _alive(stale.name.rsplit(".tmp-", 1)[1].split("-")[0]):
            _remove(stale)


def _build(base: Path, key: str, files: tuple[FileEntry, ...], progress: Progress | None) -> GraphStore:
    _clear_stale(base)
    tmp = base / f"{key}.tmp-{os.getpid()}"
    previous = _versions(base)
    reuse: dict[str, str] = {}
    if previous:
        _, old_dir, manifest = previous[0]
        try:
            ox.Store.read_only(str(old_dir)).backup(str(tmp))
            reuse = {g: d for g, d in manifest.get("digests", {}).items()}
        except OSError:
            _remove(tmp)
            reuse = {}
    store = ox.Store(str(tmp))
    from kg.history import apply_current_view, superseded_triples

    before = superseded_triples(store) if reuse else set()
    wanted = {str(f.graph.value): f for f in files}
    if reuse:
        for name in list(reuse):
            if name not in wanted:
                store.remove_graph(ox.NamedNode(name))
    todo = [f for f in files if reuse.get(str(f.graph.value)) != f.digest]
    counts = _load_files(store, todo, progress, replace=bool(reuse))
    if reuse and (todo or set(reuse) - set(wanted)):
        # what a changed or removed file said, and no other file says, leaves the union
        store.update("DELETE { ?s ?p ?o } WHERE { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }")
    apply_current_view(store, before)
    store.flush()
    graphs = {}
    for f in files:
        graphs[f.graph.value] = counts.get(f.relative, _graph_count(store, f.graph) if reuse else 0)
    del store  # closes RocksDB before the directory is renamed
    _write_manifest(tmp, key, files, graphs)
    os.replace(tmp, base / key)
    _prune(base, keep=key)
    gs = _try_open(base / key, key, files, "none")
    if gs is None:
        raise OSError(f"the store built in {base / key} could not be opened")
    gs.built = True
    gs.reloaded = tuple(f.relative for f in todo)
    return gs


def open_view(base: GraphStore, day: str, fill: Callable[[ox.Store], dict[str, int] | None]) -> GraphStore:
    """A version derived from ``base`` for the graph as it stood on ``day`` (YYYY-MM-DD):
    ``fill`` writes it into an empty store (``kg.history.fill_view_as_of``).

    On disk it is kept beside ``base`` as ``<key>@<day>``, published like any version
    (built in a temporary directory, manifest last, renamed) and removed with ``base``:
    every later command, and every other process, opens it read-only in milliseconds
    instead of building it again (19 s and 1.9 GB at 10^6 statements). It is keyed by
    the base version's key, which covers every byte of every file, so it cannot be stale.
    Without a cache (``base`` in memory), or below ``VIEW_ON_DISK_FROM`` statements, it is
    built in memory, as before: on disk the bulk loader's fixed cost (files written,
    ingested, synced) is most of the work for a small graph (0.7 s for the bundled
    graph's 20,000 quads, against 0.1 s in memory), and a server's request has a time
    limit of its own."""
    key = f"{base.key}@{day}"
    if base.path is None or int((_read_manifest(base.path) or {}).get("statements", 0)) < VIEW_ON_DISK_FROM:
        store = ox.Store()
        fill(store)
        return GraphStore(store, key, base.files, path=None, built=True)
    parent = base.path.parent
    found = _try_open(parent / key, key, base.files, "none")
    if found is not None:
        return found
    with _build_lock(parent):
        found = _try_open(parent / key, key, base.files, "none")
        if found is not None:
            return found
        _clear_stale(parent)
        tmp = parent / f"{key}.tmp-{os.getpid()}"
        _remove(tmp)
        store = ox.Store(str(tmp))
        counted = fill(store)
        store.flush()
        # graphs a day leaves empty do not exist in the store: the manifest lists those it
        # holds (as ``fill`` counted them, else counted here: a query per graph)
        graphs = counted if counted is not None else {f.graph.value: n for f in base.files if (n := _graph_count(store, f.graph))}
        del store
        _write_manifest(tmp, key, base.files, graphs)
        os.replace(tmp, parent / key)
    found = _try_open(parent / key, key, base.files, "none")
    if found is None:
        raise OSError(f"the view built in {parent / key} could not be opened")
    found.built = True
    return found


def _add_to_union(store: ox.Store, graph: ox.NamedNode) -> None:
    store.bulk_extend([ox.Quad(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, graph)])


def _write_manifest(directory: Path, key: str, files: tuple[FileEntry, ...], graphs: dict[str, int]) -> None:
    manifest = {
        "key": key,
        "format": FORMAT_VERSION,
        "pyoxigraph": ox.__version__,
        "created": time.time(),
        "files": [f.relative for f in files],
        "digests": {f.graph.value: f.digest for f in files},
        "graphs": graphs,
        "statements": sum(graphs.values()),
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    _fsync(directory / MANIFEST)


def _graph_count(store: ox.Store, graph: ox.NamedNode) -> int:
    solutions = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")
    assert isinstance(solutions, ox.QuerySolutions)
    return int(next(iter(solutions))[0].value)


def _alive(pid: str) -> bool:
    """Whether the process that made a temporary directory still runs (it may be using it)."""
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return int(pid) != os.getpid()  # our own leftovers are stale by definition


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _prune(base: Path, *, keep: str) -> None:
    versions = [d for _, d, _ in _versions(base) if d.name != keep]
    for d in versions[KEEP_VERSIONS:]:
        _remove(d)
        for derived in [*base.glob(f"{d.name}+*"), *base.glob(f"{d.name}@*")]:
            _remove(derived)


def _memory(files: tuple[FileEntry, ...], key: str, progress: Progress | None) -> GraphStore:
    from kg.history import apply_current_view

    store = ox.Store()
    _load_files(store, list(files), progress, replace=False)
    apply_current_view(store)
    gs = GraphStore(store, key, files, path=None, built=True, reloaded=tuple(f.relative for f in files))
    return gs


def _derived(gs: GraphStore, inference: str, progress: Progress | None) -> GraphStore:
    """The version of ``gs`` with the inferences of ``inference`` in ``kgg:inferred``."""
    assert gs.path is not None
    base, name = gs.path.parent, f"{gs.key}+{inference}"
    found = _try_open(base / name, gs.key, gs.files, inference)
    if found is not None:
        return found
    with _build_lock(base):
        found = _try_open(base / name, gs.key, gs.files, inference)
        if found is not None:
            return found
        _clear_stale(base)  # a reasoner killed halfway (a server's time limit) left its copy
        tmp = base / f"{name}.tmp-{os.getpid()}"
        _remove(tmp)
        gs.store.backup(str(tmp))
        store = ox.Store(str(tmp))
        if progress:
            progress(f"reasoning ({inference})", 0, 1)
        # the rules run several times faster on an in-memory copy than on RocksDB
        scratch = ox.Store()
        scratch.bulk_load(gs.store.dump(format=ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS)
        count = closure_of_current_view(scratch, gs.graphs, inference)
        inferred = ox.NamedNode(INFERRED_GRAPH)
        store.bulk_extend(list(scratch.quads_for_pattern(None, None, None, inferred)))
        del scratch
        _add_to_union(store, inferred)
        if progress:
            progress(f"reasoning ({inference})", 1, 1)
        store.flush()
        del store
        manifest = _read_manifest(gs.path) or {}
        manifest.update({"inference": inference, "inferred": count, "created": time.time()})
        manifest["graphs"] = dict(manifest.get("graphs", {}), **{INFERRED_GRAPH: count})
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        _fsync(tmp / MANIFEST)
        os.replace(tmp, base / name)
        derived = _try_open(base / name, gs.key, gs.files, inference)
        if derived is None:
            raise OSError(f"the store built in {base / name} could not be opened")
        derived.built = True
        return derived


def derive(gs: GraphStore, inference: str, progress: Progress | None = None) -> GraphStore:
    """The version of an on-disk ``gs`` (a base version or a view as of a day) with the
    inferences of ``inference``, made once and kept beside it."""
    return gs if inference == "none" else _derived(gs, inference, progress)


def add_closure(gs: GraphStore, inference: str) -> None:
    """Add the closure to an in-memory version (``kgg:inferred`` and the union)."""
    scratch = ox.Store()  # the named graphs must keep every source's word
    scratch.bulk_extend(gs.store.quads_for_pattern(None, None, None, None))
    gs.inferred = closure_of_current_view(scratch, gs.graphs, inference)
    inferred = ox.NamedNode(INFERRED_GRAPH)
    gs.store.bulk_extend(list(scratch.quads_for_pattern(None, None, None, inferred)))
    _add_to_union(gs.store, inferred)
    gs.inference = inference


def closure_of_current_view(store: ox.Store, graphs: list[ox.NamedNode] | None, inference: str) -> int:
    """The closure of what the graph says now: the rules read the named graphs, so the
    statements later sources superseded are taken out of them first (``store`` is a
    scratch copy, or a memory store whose named graphs then lack them too)."""
    from kg.history import superseded_triples
    from kg.store.entail import closure

    for t in superseded_triples(store):
        for q in list(store.quads_for_pattern(t.subject, t.predicate, t.object, None)):
            if not isinstance(q.graph_name, ox.DefaultGraph) and (graphs is None or q.graph_name in graphs):
                store.remove(q)
    return closure(store, graphs=graphs, mode=inference)


# ---------------------------------------------------------------- loading files


def _load_files(store: ox.Store, files: list[FileEntry], progress: Progress | None, *, replace: bool) -> dict[str, int]:
    """Bulk-load each file into its named graph; return statements per file.

    pyoxigraph's parser is strict (relative IRIs, spaces in IRIs, literal subjects are
    errors); what it accepts but the graph must not hold is checked on the parsed file.
    """
    from concurrent.futures import ThreadPoolExecutor

    total = sum(f.size for f in files)
    done = 0
    counts: dict[str, int] = {}
    with ThreadPoolExecutor(max_workers=1) as checker:
        for f in files:
            if progress:
                progress("building the store", done, total)
            data = f.path.read_bytes()
            fmt = _FORMATS.get(f.path.suffix.lower())
            if fmt is None:
                raise InputError(f"unknown file type {f.path.suffix!r}", location=f.relative)
            # the check reads the file on the other core while the bulk loader writes it
            checked = checker.submit(check_statements, data, f.relative, fmt)
            if replace:
                store.remove_graph(f.graph)
            try:
                store.bulk_load(data, format=fmt, to_graph=f.graph, base_iri=BASE + "id/")
                store.bulk_load(data, format=fmt, to_graph=ox.DefaultGraph(), base_iri=BASE + "id/")
            except SyntaxError as exc:
                checked.result()  # the check's message (encoding, position) is the clearer one
                raise InputError(_syntax_message(exc), location=_syntax_location(exc, f.relative)) from exc
            except MemoryError as exc:  # the parser caps one token (a literal, an IRI) at 16 MiB
                checked.result()
                raise InputError(f"a token is too large to read: {exc}", location=f.relative, hint="split the literal or cite the document instead") from exc
            checked.result()  # raises the check's InputError, if any
            counts[f.relative] = _graph_count(store, f.graph)
            done += f.size
    if progress:
        progress("building the store", total, total)
    return counts


def _syntax_message(exc: SyntaxError) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else "syntax error"
    return re.sub(r"^Parser error (at|between) [^:]*: ?", "", text)


def _syntax_location(exc: SyntaxError, where: str) -> str:
    m = re.search(r"line (\d+)\D+?column (\d+)", str(exc)) or re.search(r"(\d+):(\d+)", str(exc))
    return f"{where}:{m.group(1)}:{m.group(2)}" if m else where


# ---------------------------------------------------------------- what the store must not hold

# XML 1.0 cannot carry these characters, even escaped: RDF/XML and SPARQL XML results
# would be unreadable. Refusing them on the way in keeps every output format writable.
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
MAX_LITERAL_CHARS = 1_000_000


def check_statements(data: bytes, where: str, fmt: ox.RdfFormat = ox.RdfFormat.TURTLE) -> None:
    """Refuse, with file and line, statements of a graph file the store or an output format
    cannot keep as written (``check_parsed`` says which).

    Every statement is read (in Rust; only literals are looked at in Python). The build
    runs this beside the bulk load, on the other core, and publishes nothing if it fails.
    """
    try:
        text: str = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(
            f"not UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded", location=f"{where}:{line}:{col}", hint="save the file as UTF-8"
        ) from exc
    if text.startswith("\ufeff"):
        raise InputError("the file starts with a byte-order mark", location=f"{where}:1:1", hint="save it as UTF-8 without BOM")
    try:
        check_parsed(ox.parse(data, format=fmt, base_iri=BASE + "id/"), where, text)
    except SyntaxError as exc:
        raise InputError(_syntax_message(exc), location=_syntax_location(exc, where)) from exc
    except MemoryError as exc:  # the parser caps one token (a literal, an IRI) at 16 MiB
        raise InputError(
            f"a token is too large to read ({exc})", location=where, hint="split the literal or cite the document instead"
        ) from exc


def check_parsed(
    statements: Iterable[ox.Quad | ox.Triple], where: str, text: str | None = None, *, limit: int | None = None, syntax: str = "turtle"
) -> int:
    """Refuse, with file and line, parsed statements the store or an output format cannot
    keep as written; return how many there were. The one check of statements, whatever
    the syntax they were read from (graph files, Turtle, N-Triples and JSON-LD submissions):

    * blank nodes (they break merging, diffs and stable IRIs);
    * characters XML cannot carry (control characters, U+FFFE/U+FFFF), which would make
      the RDF/XML export and XML results unreadable;
    * literals longer than ``MAX_LITERAL_CHARS``;
    * typed values the store would rewrite (it keeps numbers, booleans and times in
      canonical form: ``"007"^^xsd:integer`` would come back as ``"7"``, and the derived
      integer types as ``xsd:integer``);
    * more than ``limit`` statements, counted as they stream, before anything is built.

    ``text`` (the source text, used only to find the line) and ``syntax`` (``"json-ld"``
    looks for values the way JSON writes them) are optional. ``statements`` may be a
    parser's iterator: its ``SyntaxError`` and ``MemoryError`` are the caller's to map.
    """
    count = 0
    for q in statements:
        count += 1
        if limit is not None and count > limit:
            raise InputError(
                f"more statements than the {limit:,} allowed",
                location=where,
                hint="split the submission: its files together may hold that many (the environment variable KG_MAX_STATEMENTS sets the limit)",
            )
        problem = _problem(q)
        if problem:
            message, needles, hint = problem
            line = _line(text, _needles_for(needles, q, syntax)) if text is not None else None
            raise InputError(message, location=f"{where}:{line}" if line else where, hint=hint)
    return count


def _needles_for(needles: str, q: ox.Quad | ox.Triple, syntax: str) -> str:
    """``_problem``'s needles (written for Turtle) as the given syntax writes them."""
    if syntax != "json-ld":
        return needles
    found = []
    for needle in needles.split("|"):
        if needle == "[":  # a JSON array, not a blank node: look for the statement's property
            continue
        if needle.startswith('"'):
            found.append(json.dumps(needle[1:])[:-1])  # escaped as JSON writes it
            found.append(json.dumps(needle[1:], ensure_ascii=False)[:-1])
        found.append(needle)
    predicate = q.predicate.value
    found += [predicate, curie(predicate), re.split(r"[#/]", predicate)[-1]]
    return "|".join(n for n in found if n)


def _problem(q: ox.Quad | ox.Triple) -> tuple[str, str, str] | None:
    s, o = q.subject, q.object
    if isinstance(s, ox.BlankNode) or isinstance(o, ox.BlankNode):
        shown = " ".join("[]" if not isinstance(t, ox.NamedNode) else curie(t.value) for t in (s, q.predicate)) + " ..."
        return (f"a statement uses a blank node ({shown})", "_:|[", "give every node an IRI under https://w3id.org/jckg/id/")
    if not isinstance(o, ox.Literal):
        return None
    value = o.value
    dt = o.datatype.value
    if dt == _XSD + "string" and len(value) < 4096 and value.isprintable():
        return None  # the common case, decided without regular expressions
    if len(value) > MAX_LITERAL_CHARS:
        return (f"a literal of {len(value):,} characters is longer than the limit of {MAX_LITERAL_CHARS:,}", '"' + value[:40], "split the text or cite the document instead")
    bad = _XML_UNSAFE.search(value)
    if bad:
        return (
            f"the literal {value[:40]!r} holds the control character U+{ord(bad.group()):04X}, which RDF/XML and XML results cannot carry",
            '"' + value[: bad.start()],
            "remove the character (use a space or a line break)",
        )
    local = dt[len(_XSD):] if dt.startswith(_XSD) else ""
    if local in _LEXICAL and not _valid(value, local):
        example = _EXAMPLES.get(local, "")
        return (
            f'"{value}"^^xsd:{local} is not a valid xsd:{local}',
            f'"{value}"',
            f"write a real value{', e.g. ' + example if example else ''}",
        )
    if local in _CANONICAL_CHECKED:
        canonical = _canonical(value, o.datatype)
        if canonical is not None and (canonical.value != value or canonical.datatype != o.datatype):
            short = "xsd:" + dt[len(_XSD):]
            shown = f'"{canonical.value}"^^xsd:{canonical.datatype.value[len(_XSD):]}'
            return (
                f'"{value}"^^{short} would be stored as {shown}: the store keeps such values in canonical form',
                f'"{value}"|{value}',
                f"write {shown}",
            )
    return None


_INT = r"[+-]?[0-9]+"
_TZ = r"(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
_LEXICAL = {
    "integer": re.compile(_INT),
    "int": re.compile(_INT), "long": re.compile(_INT), "short": re.compile(_INT), "byte": re.compile(_INT),
    "nonNegativeInteger": re.compile(r"\+?[0-9]+|-0+"),
    "positiveInteger": re.compile(r"\+?0*[1-9][0-9]*"),
    "nonPositiveInteger": re.compile(r"-[0-9]+|\+?0+"),
    "negativeInteger": re.compile(r"-0*[1-9][0-9]*"),
    "decimal": re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"),
    "double": re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?INF|NaN"),
    "float": re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?INF|NaN"),
    "boolean": re.compile(r"true|false|1|0"),
    "date": re.compile(r"-?[0-9]{4,}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])" + _TZ),
    "dateTime": re.compile(r"-?[0-9]{4,}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?" + _TZ + "|-?[0-9]{4,}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])T24:00:00(?:\\.0+)?" + _TZ),
    "gYear": re.compile(r"-?[0-9]{4,}" + _TZ),
    "gYearMonth": re.compile(r"-?[0-9]{4,}-(?:0[1-9]|1[0-2])" + _TZ),
}
_EXAMPLES = {"date": "2024-05-17", "gYear": "2024", "integer": "7", "decimal": "1.5", "dateTime": "2024-05-17T09:00:00", "boolean": "true"}


def _valid(value: str, local: str) -> bool:
    if not _LEXICAL[local].fullmatch(value):
        return False
    if local in ("date", "dateTime"):
        import datetime

        day = value.lstrip("-")[: value.lstrip("-").index("-") + 6]
        try:
            datetime.date(2000 if len(day.split("-")[0]) != 4 else int(day[:4]), int(day[5:7]), int(day[8:10]))
        except ValueError:
            return False
    return True


_CANONICAL_CHECKED = {
    "integer", "decimal", "double", "float", "boolean", "int", "long", "short", "byte",
    "nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger",
    "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte",
    "dateTime", "time", "duration", "dayTimeDuration", "yearMonthDuration",
    "date", "gYear", "gYearMonth", "gMonthDay", "gDay", "gMonth",
}
_PROBE = threading.local()  # one small store per thread: the checks may run in several
_S, _P = ox.NamedNode("urn:kg:probe"), ox.NamedNode("urn:kg:value")


@functools.lru_cache(maxsize=65536)
def _canonical(value: str, datatype: ox.NamedNode) -> ox.Literal | None:
    """What the store gives back for a literal (found by storing it: the store is the authority)."""
    probe = getattr(_PROBE, "store", None)
    if probe is None:
        probe = _PROBE.store = ox.Store()
    lit = ox.Literal(value, datatype=datatype)
    probe.clear()
    probe.add(ox.Quad(_S, _P, lit))
    for q in probe.quads_for_pattern(_S, _P, None):
        return q.object  # type: ignore[return-value]
    return None


def _line(text: str, needles: str) -> int:
    """The line of the first of ``needles`` (``|``-separated, tried in turn) in ``text``;
    a bare value must stand alone (``1.50`` does not match inside ``w3id``)."""
    for needle in needles.split("|") if needles else []:
        if not needle:
            continue
        if needle[0] in "\"_[":
            index = text.find(needle)
        else:
            m = re.search(r"(?<![\w.:/-])" + re.escape(needle) + r"(?![\w])", text)
            index = m.start() if m else -1
        if index >= 0:
            return text.count("\n", 0, index) + 1
    return 1
