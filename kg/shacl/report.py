"""SHACL validation on the store, and the report a person reads.

The shapes are compiled by ``kg.shacl.shapes`` to whole-graph SPARQL queries and run on the
store's union (never with RDFS inference: it would type a wrongly used value as whatever
a range says and hide the error). pySHACL, the reference the tests hold this to, is in
``kg.reference.sparql``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kg import formats
from kg.errors import InputError
from kg.layout import Layout


@dataclass(frozen=True)
class Result:
    """One SHACL result, with everything a person needs to act on it."""

    severity: str
    focus: str
    focus_label: str
    path: str | None
    value: str | None
    message: str
    shape: str
    component: str


@dataclass(frozen=True)
class Report:
    """``conforms`` as SHACL defines it (no result at all, warnings included); ``passes``
    is what kg acts on: no violation (warnings are gaps a source may explain)."""

    conforms: bool
    results: tuple[Result, ...] = field(default_factory=tuple)
    graph: Any = field(default=None, compare=False, repr=False)  # report triples (pyoxigraph) or an rdflib Graph

    @property
    def passes(self) -> bool:
        return not self.violations

    @property
    def violations(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[Result]:
        return [r for r in self.results if r.severity != "Violation"]

    def keys(self) -> set[tuple[str, str, str, str]]:
        """(focus, shape, component, severity) of every result: what two runs must agree on."""
        return {(r.focus, r.shape, r.component, r.severity) for r in self.results}


# ---------------------------------------------------------------- rendering

REPORT_FORMATS = formats.names("report")


def render_report(report: Report, fmt: str = "text", *, files: list[Path] | None = None) -> bytes:
    """The report as text (grouped by focus node), JSON, or the SHACL report graph in Turtle."""
    if fmt == "json":
        body = {
            "conforms": report.conforms,
            "passes": report.passes,
            "violations": len(report.violations),
            "warnings": len(report.warnings),
            "results": [asdict(r) for r in report.results],
        }
        return (json.dumps(body, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    if fmt == "turtle":
        if hasattr(report.graph, "serialize"):  # pySHACL's report graph (the reference)
            return report.graph.serialize(format="turtle").encode("utf-8")
        from kg.rdf.render import render_triples
        from kg.shacl.shapes import report_triples

        return render_triples(report.graph if report.graph is not None else report_triples([]), "turtle")
    lines: list[str] = []
    by_focus: dict[str, list[Result]] = {}
    for r in report.results:
        by_focus.setdefault(r.focus, []).append(r)
    for focus, results in by_focus.items():
        title = f"{focus} ({results[0].focus_label})" if results[0].focus_label else focus
        lines.append(title)
        for r in results:
            where = f" {r.path}" if r.path else ""
            value = f" = {r.value}" if r.value else ""
            lines.append(f"  [{r.severity.upper()}]{where}{value}: {r.message}")
            lines.append(f"      rule: {r.shape} ({r.component})")
        lines.append("")
    counts = f"{len(report.violations)} violation(s), {len(report.warnings)} warning(s)"
    if report.conforms:
        lines.append(f"The graph conforms: {counts}.")
    elif report.passes:
        lines.append(f"The graph passes: {counts} (in SHACL's terms it does not conform, because of the warnings).")
    else:
        lines.append(f"The graph does NOT conform: {counts}.")
    return ("\n".join(lines) + "\n").encode("utf-8")



# ---------------------------------------------------------------- on the store (the engine)


@functools.lru_cache(maxsize=8)
def _compiled(path: str, mtime_ns: int, size: int) -> Any:
    from kg.shacl.shapes import Shapes, ShapesError

    try:
        return Shapes.from_file(path)
    except ShapesError as exc:
        raise InputError(f"the shapes could not be applied: {exc}", location=path, hint="check ontology/shapes.ttl") from exc


def compiled_shapes(layout: Layout) -> Any:
    """The layout's shapes compiled to whole-graph queries (once per process and version)."""
    st = layout.shapes_file.stat()
    return _compiled(str(layout.shapes_file), st.st_mtime_ns, st.st_size)


def check_store(store: Any, layout: Layout, *, focus: Iterable[Any] | None = None, graphs: list[Any] | None = None) -> Report:
    """Validate a pyoxigraph store (its union, or ``graphs``) with the layout's shapes."""
    import pyoxigraph as ox

    from kg.describe import label_of, show
    from kg.shacl.shapes import report_triples, validate_store

    nodes = None if focus is None else [n if isinstance(n, ox.NamedNode) else ox.NamedNode(str(n)) for n in focus if not isinstance(n, ox.BlankNode)]
    found = validate_store(store, compiled_shapes(layout), focus=nodes, default_graph=graphs if graphs is not None else [ox.DefaultGraph()])
    names = {ox.NamedNode(_SH + "Violation"): "Violation", ox.NamedNode(_SH + "Warning"): "Warning", ox.NamedNode(_SH + "Info"): "Info"}
    results = [
        Result(
            severity=names.get(r.severity, "Violation"),
            focus=show(r.focus),
            focus_label=label_of(store, r.focus),
            path=show(r.path) if r.path is not None else None,
            value=show(r.value) if r.value is not None else None,
            message=sorted(r.messages)[0] if r.messages else "",
            shape=show(r.source_shape),
            component=show(r.component),
        )
        for r in found
    ]
    results.sort(key=lambda x: (x.severity != "Violation", x.focus, x.shape, x.value or ""))
    return Report(conforms=not results, results=tuple(results), graph=report_triples(found))


_SH = "http://www.w3.org/ns/shacl#"


def validate_store(graph: Any, files: list[Path], *, focus: Iterable[Any] | None = None) -> Report:
    """Validate the facade ``graph``'s store, or ``files`` added to it as candidate graphs
    (checked as strictly as ``kg add`` reads them), in a copy that is thrown away."""
    import pyoxigraph as ox

    from kg.namespaces import PREFIXES
    from kg.rdf.convert import to_pyoxigraph
    from kg.rdf.parse import parse_text, rdf_format, read_text

    gs = graph.store()
    if not files:
        return check_store(gs.store, graph.layout, focus=focus)
    candidate = gs.begin()
    try:
        for i, path in enumerate(files):
            text = read_text(path)
            fmt = rdf_format(path)
            parsed = parse_text(text, location=str(path), fmt=fmt)  # every format: the statement checks of kg add
            target = ox.NamedNode(PREFIXES["kgg"] + f"candidate/{i}")

            candidate.add([ox.Triple(to_pyoxigraph(s), to_pyoxigraph(p), to_pyoxigraph(o)) for s, p, o in parsed], target)
        return check_store(candidate.store, graph.layout, focus=focus)
    finally:
        candidate.discard()
