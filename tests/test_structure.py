"""The package's structure, read from its own imports (docs/design.md, Layout): no import
circle, no import of another module's private names, faces over the facade, the views and
the formats only, and the reference oracles imported by nothing in kg.

Every import counts, those inside functions and under ``TYPE_CHECKING`` included: a lazy
import is still a dependency a reader must follow.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "kg"

#: what a face may import besides itself: the facade, the views, the formats, the errors,
#: and face utilities (atomic writes, the progress bar, namespaces for CURIEs)
FACE_ALLOWED = {"kg", "kg.graph", "kg.views", "kg.formats", "kg.errors", "kg.namespaces", "kg.fileio", "kg.progress"}
#: the worker process enters the sandbox it runs queries in (process isolation, not the engine)
FACE_EXCEPTIONS = {("kg.web.worker", "kg.sparql.sandbox")}


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _resolve(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rsplit(".", 1)[0] if "." in name else ""
    return name or None


def _imports(module: str) -> list[tuple[str, str]]:
    """(imported module, name) for every import of kg in ``module``; name '' for a plain import."""
    found = []
    for node in ast.walk(ast.parse(MODULES[module].read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module.split(".")[0] == "kg":
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.append((full, "") if full in MODULES else (node.module, alias.name))
        elif isinstance(node, ast.Import):
            found.extend((a.name, "") for a in node.names if a.name.split(".")[0] == "kg")
    return found


def _edges() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {m: set() for m in MODULES}
    for m in MODULES:
        for target, _ in _imports(m):
            resolved = _resolve(target)
            if resolved and resolved != m:
                edges[m].add(resolved)
    return edges


def _circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_the_package_is_read_whole() -> None:
    # a structure test that saw nothing would pass anything
    assert {"kg.graph", "kg.views", "kg.formats", "kg.cli", "kg.web.app", "kg.store.backend", "kg.sparql.engine"} <= set(MODULES)


def test_no_import_circle() -> None:
    assert _circles(_edges()) == []


def test_the_circle_finder_finds_a_circle() -> None:
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_of_another_modules_private_names() -> None:
    private = [(m, target, name) for m in MODULES for target, name in _imports(m)
               if name.startswith("_") and not name.startswith("__") and _resolve(target) != m]
    assert private == []


@pytest.mark.parametrize("face", sorted(m for m in MODULES if m == "kg.cli" or m.startswith("kg.web")))
def test_a_face_imports_the_facade_views_and_formats_only(face: str) -> None:
    reached = {_resolve(t) for t, _ in _imports(face)} - {None}
    outside = {m for m in reached if not (m == "kg.web" or (m or "").startswith("kg.web."))}
    wrong = sorted(m for m in outside if m not in FACE_ALLOWED and (face, m) not in FACE_EXCEPTIONS)
    assert wrong == [], f"{face} reaches past the facade into {wrong}"


def test_nothing_in_kg_imports_the_reference_oracles() -> None:
    users = sorted(m for m in MODULES if not m.startswith("kg.reference")
                   for t, _ in _imports(m) if (_resolve(t) or "").startswith("kg.reference"))
    assert users == []


def test_no_face_asks_which_kind_of_store_it_has() -> None:
    # capabilities (kg.store.backend) decide, not an attribute probed by name
    offenders = [str(p.relative_to(ROOT)) for p in PACKAGE.rglob("*.py") if 'getattr(' in p.read_text(encoding="utf-8")
                 and '"endpoint"' in p.read_text(encoding="utf-8")]
    assert offenders == []
