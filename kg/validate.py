"""SHACL validation of the graph (or of new facts in its context) with pySHACL.

The data graph is the union of ontology, vocabularies and data; the ontology is also
pySHACL's ``ont_graph`` so ``sh:targetClass`` follows ``rdfs:subClassOf``. No inference:
RDFS inference would type a wrongly used value as whatever a range says and hide the
error. pyshacl is imported here only, when validation is asked for.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import threading
from collections.abc import Iterable, Iterator
from typing import Any
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS, SH

from kg.errors import InputError
from kg.namespaces import bind_prefixes
from kg.files import Layout, ontology_graph, parse_file, union_graph

SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


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


def load_shapes(layout: Layout) -> Graph:
    return parse_file(layout.shapes_file, max_bytes=None)


def validate_graph(
    data: Graph,
    *,
    shapes: Graph,
    ontology: Graph,
    focus_nodes: Iterable[URIRef] | None = None,
) -> Report:
    """Validate ``data`` (which must already contain the ontology) against ``shapes``.

    With ``focus_nodes``, only those nodes are checked, against the whole of ``data``.
    """
    if focus_nodes is not None:
        return _validate_focus(data, shapes=shapes, ontology=ontology, focus_nodes=set(focus_nodes))
    with _keep_literals_as_written():
        return _validate_all(data, shapes=shapes, ontology=ontology)


@contextlib.contextmanager
def _keep_literals_as_written() -> Iterator[None]:
    """pySHACL switches rdflib's literal normalisation off while it validates and then
    *on* (rdflib's default), whatever it was: every later parse in the process would
    rewrite lexical forms ("007" -> "7"). Put the switch back as it was."""
    import rdflib

    saved = rdflib.NORMALIZE_LITERALS
    try:
        yield
    finally:
        rdflib.NORMALIZE_LITERALS = saved


def _validate_all(data: Graph, *, shapes: Graph, ontology: Graph) -> Report:
    return _report(_pyshacl(data, shapes=shapes, ontology=ontology), data)


def _pyshacl(data: Graph, *, shapes: Graph, ontology: Graph, focus: list[URIRef] | None = None) -> Graph:
    """pySHACL with the project's settings; returns the report graph."""
    from pyshacl import validate

    try:
        _, report_graph, _ = validate(
            data,
            shacl_graph=shapes,
            ont_graph=ontology,
            inference="none",
            allow_warnings=True,
            allow_infos=True,
            advanced=False,
            inplace=True,
            do_owl_imports=False,
            focus_nodes=focus,
        )
    except Exception as exc:  # pyshacl: ShapeLoadError, ReportableRuntimeError, ...
        raise InputError(f"the shapes could not be applied: {exc}", hint="check ontology/shapes.ttl") from exc
    return report_graph


@contextlib.contextmanager
def _focus_filters_targets_only() -> Iterator[None]:
    """Make pySHACL's ``focus_nodes`` option restrict the targets, and nothing else.

    pySHACL also applies the filter when a shape checks a value through a nested shape
    (sh:node, sh:or, sh:qualifiedValueShape): a literal or a concept outside the focus
    list then passes unchecked, so a bad date or an unknown topic would go unseen. Nested
    calls are the ones given their focus explicitly; they get an executor without it.
    """
    from pyshacl.shape import Shape

    original = Shape.validate

    def validate(self: Any, executor: Any, target_graph: Any, focus: Any = None, _evaluation_path: Any = None) -> Any:
        if focus is not None and executor.focus_nodes:
            executor = dataclasses.replace(executor, focus_nodes=None)
        return original(self, executor, target_graph, focus, _evaluation_path)

    with _PATCH_LOCK:
        Shape.validate = validate  # type: ignore[method-assign]
        try:
            yield
        finally:
            Shape.validate = original  # type: ignore[method-assign]


_PATCH_LOCK = threading.Lock()


def _validate_focus(data: Graph, *, shapes: Graph, ontology: Graph, focus_nodes: set) -> Report:
    """Validate only ``focus_nodes`` (each against the shapes that target it), reading
    the whole of ``data``."""
    focus = sorted((n for n in focus_nodes if isinstance(n, URIRef)), key=str)
    if not focus:
        return Report(conforms=True)  # nothing to check
    with _focus_filters_targets_only(), _keep_literals_as_written():
        report_graph = _pyshacl(data, shapes=shapes, ontology=ontology, focus=focus)
    return _report(report_graph, data)


def _report(report_graph: Graph, data: Graph) -> Report:
    bind_prefixes(report_graph)
    nm = bind_prefixes(Graph()).namespace_manager

    def show(node: object) -> str | None:
        if node is None:
            return None
        if isinstance(node, URIRef):
            return node.n3(nm)
        if isinstance(node, Literal):
            return node.n3(nm)
        return str(node)

    def label(node: object) -> str:
        names = [o for p in (RDFS.label, DCTERMS.title) for o in data.objects(node, p) if isinstance(o, Literal)]
        any_label = [o for o in names if o.language == "en"] or names
        return str(sorted(any_label)[0]) if any_label else ""

    results = []
    for r in report_graph.objects(None, SH.result):
        focus_node = report_graph.value(r, SH.focusNode)
        messages = sorted(str(m) for m in report_graph.objects(r, SH.resultMessage))
        results.append(
            Result(
                severity=SEVERITIES.get(report_graph.value(r, SH.resultSeverity), "Violation"),
                focus=show(focus_node) or "",
                focus_label=label(focus_node),
                path=show(report_graph.value(r, SH.resultPath)),
                value=show(report_graph.value(r, SH.value)),
                message=messages[0] if messages else "",
                shape=show(report_graph.value(r, SH.sourceShape)) or "",
                component=show(report_graph.value(r, SH.sourceConstraintComponent)) or "",
            )
        )
    results.sort(key=lambda x: (x.severity != "Violation", x.focus, x.shape, x.value or ""))
    return Report(conforms=not results, results=tuple(results), graph=report_graph)


def validate_dataset(dataset: Dataset, layout: Layout, *, focus_nodes: Iterable[URIRef] | None = None) -> Report:
    """Validate the whole dataset (or only ``focus_nodes`` in it) with the layout's shapes."""
    return validate_graph(
        union_graph(dataset), shapes=load_shapes(layout), ontology=ontology_graph(layout, dataset), focus_nodes=focus_nodes
    )


# ---------------------------------------------------------------- rendering

REPORT_FORMATS = ("text", "json", "turtle")


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
        if isinstance(report.graph, Graph):
            return report.graph.serialize(format="turtle").encode("utf-8")
        from kg.output import render_triples
        from kg.shacl import report_triples

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
    from kg.shacl import Shapes, ShapesError

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
    from kg.shacl import report_triples, validate_store

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

    from kg.files import parse_text, rdf_format, read_text
    from kg.namespaces import PREFIXES
    from kg.store import check_statements

    gs = graph.store()
    if not files:
        return check_store(gs.store, graph.layout, focus=focus)
    with gs.candidate() as candidate:
        for i, path in enumerate(files):
            text = read_text(path)
            fmt = rdf_format(path)
            parsed = parse_text(text, location=str(path), fmt=fmt)
            check_statements(text.encode("utf-8"), str(path), ox.RdfFormat.TURTLE if fmt == "turtle" else ox.RdfFormat.N_TRIPLES) if fmt in ("turtle", "nt") else None
            target = ox.NamedNode(PREFIXES["kgg"] + f"candidate/{i}")
            from kg.output import to_pyoxigraph

            quads = [ox.Quad(to_pyoxigraph(s), to_pyoxigraph(p), to_pyoxigraph(o), target) for s, p, o in parsed]
            candidate.extend(quads)
            candidate.extend(ox.Quad(q.subject, q.predicate, q.object) for q in quads)
        return check_store(candidate, graph.layout, focus=focus)
