"""SHACL validation of the graph (or of new facts in its context) with pySHACL.

The data graph is the union of ontology, vocabularies and data; the ontology is also
pySHACL's ``ont_graph`` so ``sh:targetClass`` follows ``rdfs:subClassOf``. No inference:
RDFS inference would type a wrongly used value as whatever a range says and hide the
error. pyshacl is imported here only, when validation is asked for.
"""

from __future__ import annotations

import contextlib
import dataclasses
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
    conforms: bool
    results: tuple[Result, ...] = field(default_factory=tuple)
    graph: Graph | None = field(default=None, compare=False, repr=False)

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
        return Report(conforms=True)
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
    has_violation = any(r.severity == "Violation" for r in results)
    return Report(conforms=not has_violation, results=tuple(results), graph=report_graph)


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
            "violations": len(report.violations),
            "warnings": len(report.warnings),
            "results": [asdict(r) for r in report.results],
        }
        return (json.dumps(body, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    if fmt == "turtle":
        graph = report.graph if report.graph is not None else Graph()
        return graph.serialize(format="turtle").encode("utf-8")
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
    verdict = "conforms" if report.conforms else "does NOT conform"
    lines.append(f"The graph {verdict}: {len(report.violations)} violation(s), {len(report.warnings)} warning(s).")
    return ("\n".join(lines) + "\n").encode("utf-8")


def validate_store(graph: Any, files: list[Path], *, focus: Iterable[Any] | None = None) -> Report:
    """Validate the graph of the facade ``graph`` (with ``files`` added as candidates)."""
    from kg.files import load_dataset, parse_file
    from kg.namespaces import KGG

    extra = [(KGG[f"candidate/{i}"], parse_file(p)) for i, p in enumerate(files)]
    ds = load_dataset(graph.layout, extra=extra)
    return validate_dataset(ds, graph.layout, focus_nodes=focus)
