"""pySHACL, the reference the project's SHACL engine (``kg.shacl``) is held to.

Nothing in the tool runs it: the tests and the bench compare its reports with the
engine's, focus node for focus node.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS, SH
from rdflib.term import Node

from kg.errors import InputError
from kg.layout import Layout
from kg.namespaces import bind_prefixes
from kg.rdf.parse import parse_file
from kg.reference.load import ontology_graph, union_graph
from kg.shacl.report import Report, Result

SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


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


def _pyshacl(data: Graph, *, shapes: Graph, ontology: Graph, focus: list[str | URIRef] | None = None) -> Graph:
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
    focus: list[str | URIRef] = sorted((n for n in focus_nodes if isinstance(n, URIRef)), key=str)
    if not focus:
        return Report(conforms=True)  # nothing to check
    with _focus_filters_targets_only(), _keep_literals_as_written():
        report_graph = _pyshacl(data, shapes=shapes, ontology=ontology, focus=focus)
    return _report(report_graph, data)


def _severity(node: Node | None) -> str:
    return SEVERITIES.get(node, "Violation") if isinstance(node, URIRef) else "Violation"


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

    def label(node: Node | None) -> str:
        names = [o for p in (RDFS.label, DCTERMS.title) for o in data.objects(node, p) if isinstance(o, Literal)]
        any_label = [o for o in names if o.language == "en"] or names
        return str(sorted(any_label)[0]) if any_label else ""

    results = []
    for r in report_graph.objects(None, SH.result):
        focus_node = report_graph.value(r, SH.focusNode)
        messages = sorted(str(m) for m in report_graph.objects(r, SH.resultMessage))
        results.append(
            Result(
                severity=_severity(report_graph.value(r, SH.resultSeverity)),
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


