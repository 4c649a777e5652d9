"""Releases: a versioned, reproducible bundle of the graph, its description and its changes.

    >>> import kg
    >>> from kg.publish.release import release
    >>> print(release(kg.open(), "1.0.0", Path("releases")))
    releases/1.0.0

``root/<version>/`` holds:

* ``jckg-<version>.nq``, ``.trig``, ``.jsonld`` (every named graph, one per file,
  superseded statements included) and ``.ttl`` (the current view), from ``Graph.export``;
* ``void.ttl``: ``kg.publish.dataset.describe_dataset`` with the version and one distribution
  per export, with its size and SHA-256 (``spdx:checksum``);
* ``docs/``: whatever ``docs(graph, <bundle>/docs)`` writes, when ``docs`` is given;
* ``CHANGELOG.md``: what changed since the previous release in ``root`` (the highest
  version below this one), comparing its ``.nq`` with the new export: statements added
  and removed (per named graph) and statements newly superseded (in the previous
  release's current view, retired now), each with its record's date, kind and reason;
  the first release says so. With a previous release, ``changes/added.nq`` and
  ``changes/removed.nq`` hold the added and removed statements in full (sorted N-Quads);
* ``SHA256SUMS``: ``sha256sum`` lines (sorted by path) for every other file of the bundle;
  ``cd root/<version> && sha256sum -c SHA256SUMS`` checks it.

Versions are ``MAJOR.MINOR.PATCH`` with an optional ``-rc.N`` and compare as semantic
versions (``1.0.0-rc.2 < 1.0.0 < 1.0.1 < 1.10.0``). A version that exists, or one below the
latest release in ``root``, is refused (``UsageError``) with nothing written.

The bundle is built in a temporary directory in ``root`` (same filesystem), every file
fsynced, and renamed into place at the end, under an exclusive lock on ``root``
(``root/.kg-release.lock``): a failure leaves no half-written release, and two releases
at once take turns. Nothing depends on the clock or on set order, so the same graph and
version give the same bytes in every file.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import UsageError, WriteError
from kg.publish import Graph  # the facade, given to us: never imported here
from kg.publish.version import VERSION_PATTERN as _VERSION
from kg.publish.version import Version, parse_version

__all__ = ["Changes", "Version", "changes", "parse_version", "release", "releases"]

LOCK = ".kg-release.lock"
_TEMP_PREFIX = ".release-"
_TEMP_SUFFIX = ".tmp"
#: Statements listed per section of CHANGELOG.md; the rest are in changes/*.nq.
MAX_LISTED = 500


def releases(root: Path | str) -> list[Version]:
    """The releases in ``root`` (entries named as versions), lowest first."""
    root = Path(root)
    if not root.is_dir():
        return []
    found = []
    for entry in root.iterdir():
        m = _VERSION.fullmatch(entry.name)
        if m is not None:
            found.append(parse_version(entry.name))
    return sorted(found, key=lambda v: v.key)


# ---------------------------------------------------------------- changes between releases


@dataclass(frozen=True)
class Superseded:
    triple: ox.Triple
    graphs: tuple[str, ...]  # the named graphs of the previous release that make it
    record: str
    on: str
    kind: str
    reason: str
    new_value: Any


@dataclass(frozen=True)
class Changes:
    previous: str | None
    added: tuple[ox.Quad, ...]
    removed: tuple[ox.Quad, ...]
    superseded: tuple[Superseded, ...]


def _quads(data: bytes, where: str) -> set[ox.Quad]:
    try:
        return {q for q in ox.parse(data, format=ox.RdfFormat.N_QUADS) if not isinstance(q.graph_name, ox.DefaultGraph)}
    except (SyntaxError, ValueError) as exc:
        raise UsageError(f"{where} does not parse as N-Quads: {exc}", hint="restore the release's files (SHA256SUMS says which are intact)") from exc


def _graph_of(q: ox.Quad) -> str:
    """The name of a quad's graph: a release holds named graphs only (see _quads)."""
    if isinstance(q.graph_name, ox.DefaultGraph):
        raise ValueError(f"a statement of a release outside the named graphs: {q}")
    return q.graph_name.value


def _store(quads: Iterable[ox.Quad]) -> ox.Store:
    store = ox.Store()
    store.extend(quads)
    return store


def changes(previous: bytes | None, new: bytes, *, previous_version: str | None = None, where: str = "the previous release") -> Changes:
    """What changed from the ``previous`` release's N-Quads to ``new`` (both as exported:
    the named graphs only). A statement is superseded newly when the previous release's
    current view (its graphs' union minus what its records retire) held it and a record
    of the new one retires it."""
    from kg.history import supersessions

    after = _quads(new, "the new export")
    if previous is None:
        return Changes(None, (), (), ())
    before = _quads(previous, where)

    def key(q: ox.Quad) -> tuple[str, str, str, str]:
        return (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object))

    added = tuple(sorted(after - before, key=key))
    removed = tuple(sorted(before - after, key=key))
    old_records = supersessions(_store(before))
    retired_before = {r.triple for r in old_records}
    current_before: dict[ox.Triple, set[str]] = {}
    for q in before:
        t = ox.Triple(q.subject, q.predicate, q.object)
        current_before.setdefault(t, set()).add(_graph_of(q))
    superseded = []
    seen = set()
    for r in supersessions(_store(after)):
        t = r.triple
        if t in retired_before or t not in current_before or t in seen:
            continue
        seen.add(t)
        superseded.append(Superseded(
            triple=t,
            graphs=tuple(sorted(current_before[t])),
            record=r.node.value,
            on=r.on.isoformat() if r.on is not None else "",
            kind=r.kind.value if isinstance(r.kind, ox.NamedNode) else "",
            reason=r.reason,
            new_value=r.new_value,
        ))
    superseded.sort(key=lambda s: (str(s.triple.subject), str(s.triple.predicate), str(s.triple.object)))
    return Changes(previous_version, added, removed, tuple(superseded))


def _show(term: Any) -> str:
    from kg.namespaces import curie
    from kg.publish.dataset import DESCRIPTION_PREFIXES
    from kg.rdf.render import nt_object

    if isinstance(term, ox.NamedNode):
        return curie(term.value, DESCRIPTION_PREFIXES)
    if isinstance(term, ox.Literal) and not term.language and term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        return nt_object(ox.Literal(term.value)) + "^^" + curie(term.datatype.value, DESCRIPTION_PREFIXES)
    return nt_object(term)


def _code(text: str) -> str:
    fence = "`"
    while fence in text:
        fence += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _statement(s: Any, p: Any, o: Any) -> str:
    return _code(f"{_show(s)} {_show(p)} {_show(o)}")


def _graph(iri: str) -> str:
    from kg.namespaces import PREFIXES

    kgg = PREFIXES["kgg"]
    return iri[len(kgg):] if iri.startswith(kgg) else f"<{iri}>"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _by_graph(section: str, quads: tuple[ox.Quad, ...], file: str) -> list[str]:
    lines = [f"## {section} ({_plural(len(quads), 'statement')})", ""]
    if not quads:
        return lines + ["None.", ""]
    groups: dict[str, list[ox.Quad]] = {}
    for q in quads:
        groups.setdefault(_graph_of(q), []).append(q)
    listed = 0
    for g in sorted(groups):
        lines += [f"### {_graph(g)} ({_plural(len(groups[g]), 'statement')})", ""]
        for q in groups[g]:
            if listed == MAX_LISTED:
                break
            lines.append(f"* {_statement(q.subject, q.predicate, q.object)}")
            listed += 1
        lines.append("")
        if listed == MAX_LISTED:
            break
    if listed < len(quads):
        lines += [f"... and {len(quads) - listed:,} more: every one is in `{file}`.", ""]
    return lines


def changelog(version: str, c: Changes, *, statements: int, graphs: int, current: int) -> bytes:
    """CHANGELOG.md of a release."""
    lines = [f"# jckg {version}", ""]
    summary = (f"{_plural(statements, 'statement')} in {_plural(graphs, 'named graph')} (one per file); "
               f"{_plural(current, 'statement')} in the current view.")
    if c.previous is None:
        lines += ["First release: there is no earlier release to compare with.", "", summary, ""]
        return ("\n".join(lines).rstrip("\n") + "\n").encode("utf-8")
    lines += [
        (f"Changes since {c.previous}: {_plural(len(c.added), 'statement')} added, {_plural(len(c.removed), 'statement')} removed, "
         f"{_plural(len(c.superseded), 'statement')} newly superseded."),
        "",
        summary,
        "",
        f"## Newly superseded ({_plural(len(c.superseded), 'statement')})",
        "",
        f"In the current view of {c.previous}, retired now by a kg:Supersession record; each stays in its source's named graph.",
        "",
    ]
    if not c.superseded:
        lines += ["None.", ""]
    for s in c.superseded[:MAX_LISTED]:
        lines.append(f"* {_statement(s.triple.subject, s.triple.predicate, s.triple.object)} (in {', '.join(_graph(g) for g in s.graphs)})")
        detail = [f"superseded on {s.on}" if s.on else "superseded"]
        if s.kind:
            detail.append(f"({_show(ox.NamedNode(s.kind))})")
        detail.append(f"by {_code(_show(ox.NamedNode(s.record)))}")
        lines.append("  " + " ".join(detail) + (f": {s.reason}" if s.reason else ""))
        if s.new_value is not None:
            lines.append(f"  New value: {_code(_show(s.new_value))}.")
    if len(c.superseded) > MAX_LISTED:
        lines.append(f"... and {len(c.superseded) - MAX_LISTED:,} more: their records are in `changes/added.nq`.")
    lines.append("")
    lines += _by_graph("Added", c.added, "changes/added.nq")
    lines += _by_graph("Removed", c.removed, "changes/removed.nq")
    return ("\n".join(lines).rstrip("\n") + "\n").encode("utf-8")


def _nquads(quads: Iterable[ox.Quad]) -> bytes:
    from kg.rdf.render import render_quads

    return render_quads(quads, "nq")


# ---------------------------------------------------------------- writing


def _write(path: Path, data: bytes) -> None:
    with open(path, "xb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _files(directory: Path) -> list[Path]:
    return sorted((p for p in directory.rglob("*") if p.is_file()), key=lambda p: p.relative_to(directory).as_posix())


def sha256sums(directory: Path, *, exclude: str = "SHA256SUMS") -> bytes:
    """``sha256sum`` lines for every file under ``directory`` but ``exclude``, sorted by path."""
    lines = []
    for p in _files(directory):
        rel = p.relative_to(directory).as_posix()
        if rel == exclude:
            continue
        if "\n" in rel or "\\" in rel:
            raise UsageError(f"cannot list {rel!r} in SHA256SUMS", hint="file names in a release must not hold newlines or backslashes")
        digest = hashlib.sha256(p.read_bytes()).hexdigest()
        lines.append(f"{digest}  {rel}\n")
    return "".join(lines).encode("utf-8")


def advice(exc: OSError) -> str:
    from kg.fileio import advice

    return advice(exc)


def _prepare_root(root: Path) -> None:
    if root.exists() and not root.is_dir():
        raise UsageError(f"cannot release into {root}: it is not a directory", hint="choose a directory for the releases")
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(f"cannot create the release directory {root}: {exc.strerror}", hint=advice(exc)) from exc


def _remove_stale(root: Path) -> None:
    # under the lock no one else is building: a temporary left here is from a run that died
    for entry in root.iterdir():
        if entry.name.startswith(_TEMP_PREFIX) and entry.name.endswith(_TEMP_SUFFIX) and entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)


def release(
    graph: Graph,
    version: str,
    root: Path | str,
    *,
    docs: Callable[[Graph, Path], list[Path]] | None = None,
    endpoint: str | None = None,
) -> Path:
    """Write the release ``version`` of ``graph`` to ``root/<version>/`` and return that path.

    ``docs(graph, directory)`` writes the documentation into the bundle's ``docs/``;
    ``endpoint`` is stated in void.ttl as the SPARQL endpoint. Raises ``UsageError`` for
    a malformed version, one that exists or one below the latest release in ``root``, and
    ``WriteError`` (or ``UsageError``) when ``root`` cannot be written: in every case
    nothing is left half-written.
    """
    from kg.fileio import exclusive_lock
    from kg.publish.dataset import describe_dataset, release_files

    v = parse_version(version)
    root = Path(root)
    _prepare_root(root)
    with exclusive_lock(root, name=LOCK):
        existing = releases(root)
        if any(e.key == v.key for e in existing):
            raise UsageError(f"release {v} exists already in {root}", hint="a release is never overwritten: choose a higher version")
        if existing and v < existing[-1]:
            raise UsageError(
                f"version {v} is lower than the latest release {existing[-1]} in {root}",
                hint=f"releases only go forward: choose a version above {existing[-1]}",
            )
        previous = existing[-1] if existing else None
        previous_nq = None
        if previous is not None:
            path = root / previous.text / f"jckg-{previous.text}.nq"
            try:
                previous_nq = path.read_bytes()
            except OSError as exc:
                raise UsageError(
                    f"cannot read the previous release's statements {path}: {exc.strerror}",
                    hint="restore that release's files, or release into another directory",
                ) from exc
        _remove_stale(root)
        try:
            tmp = Path(tempfile.mkdtemp(prefix=f"{_TEMP_PREFIX}{v}-", suffix=_TEMP_SUFFIX, dir=root))
        except OSError as exc:
            raise WriteError(f"cannot write the release {v} in {root}: {exc.strerror}", hint=advice(exc)) from exc
        target = root / v.text
        try:
            os.chmod(tmp, 0o755)
            _build(graph, v.text, tmp, previous=previous.text if previous else None, previous_nq=previous_nq,
                   docs=docs, endpoint=endpoint, release_files=release_files, describe=describe_dataset)
            if target.exists():  # cannot happen under the lock, unless someone ignores it
                raise UsageError(f"release {v} appeared in {root} while it was being built", hint="nothing was changed; run again")
            os.rename(tmp, target)
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise WriteError(f"cannot write the release {v} in {root}: {exc.strerror}", hint=advice(exc)) from exc
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        fsync_dir(root)
    return target


def _build(
    graph: Graph, version: str, tmp: Path, *, previous: str | None, previous_nq: bytes | None,
    docs: Callable[[Graph, Path], list[Path]] | None, endpoint: str | None, release_files: Any, describe: Any,
) -> None:
    exports: dict[str, bytes] = {}
    for name, f in release_files(version).items():
        exports[name] = graph.export(f.key)
    for name, data in exports.items():
        _write(tmp / name, data)
    _write(tmp / "void.ttl", describe(graph, version=version, endpoint=endpoint, files=exports))

    nq = exports[f"jckg-{version}.nq"]
    found = changes(previous_nq, nq, previous_version=previous, where=f"the release {previous}'s jckg-{previous}.nq")
    named = _quads(nq, "the new export")
    current = sum(1 for _ in ox.parse(exports[f"jckg-{version}.ttl"], format=ox.RdfFormat.TURTLE))
    _write(tmp / "CHANGELOG.md", changelog(version, found, statements=len(named),
                                          graphs=len({q.graph_name for q in named}), current=current))
    if previous is not None:
        (tmp / "changes").mkdir()
        _write(tmp / "changes" / "added.nq", _nquads(found.added))
        _write(tmp / "changes" / "removed.nq", _nquads(found.removed))
        fsync_dir(tmp / "changes")
    if docs is not None:
        directory = tmp / "docs"
        directory.mkdir()
        docs(graph, directory)
        for p in directory.rglob("*"):
            if p.is_file():
                with open(p, "rb") as fh:
                    os.fsync(fh.fileno())
        for d in [directory, *(p for p in directory.rglob("*") if p.is_dir())]:
            fsync_dir(d)
    _write(tmp / "SHA256SUMS", sha256sums(tmp))
    fsync_dir(tmp)

