"""The references: rdflib's SPARQL engine and pySHACL, as the tool ran before the store.

Nothing in the tool runs on them. They stay so the tests and the bench can hold the
engine (``kg.engine``, ``kg.shacl``) to the answers rdflib and pySHACL give. (owlrl, the
third reference, is ``kg.reason``.)

Safety rules, applied before anything runs:
* read-only: SPARQL Update is refused (the graph changes only through ``kg add``);
* no network: ``SERVICE`` and ``FROM``/``FROM NAMED`` are refused unless the caller passes
  ``allow_network=True`` (rdflib would otherwise fetch URLs and read local files);
* parameters are bound as RDF terms with ``initBindings``, never pasted into the text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import rdflib.plugins.sparql as rdflib_sparql
from rdflib import Dataset, Variable
from rdflib.query import Result as SparqlResult
from rdflib.term import Identifier

from kg.errors import NetworkRefused, QueryError
from kg.namespaces import PREFIXES

# rdflib loads FROM <iri> graphs from the web or the disk by default.
rdflib_sparql.SPARQL_LOAD_GRAPHS = False


def _position(exc: Exception) -> str:
    line = getattr(exc, "lineno", None)
    col = getattr(exc, "col", None)
    return f"{line}:{col}" if line else ""


def _forbidden(algebra: Any) -> list[str]:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):  # CompValue is an OrderedDict
            if getattr(node, "name", None) == "ServiceGraphPattern":
                found.append("SERVICE")
            for value in node.values():
                walk(value)
        elif isinstance(node, (list, tuple)):
            for value in node:
                walk(value)

    walk(algebra)
    if algebra.get("datasetClause"):  # only the outer query may have one
        found.append("FROM/FROM NAMED")
    return sorted(set(found))


def prepare(text: str, *, source: str = "<query>", allow_network: bool = False) -> Any:
    """Parse a read-only SPARQL query; raise ``QueryError``/``NetworkRefused`` with a position."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.plugins.sparql.parser import parseUpdate

    body = re.sub(r"(?im)^\s*(#.*|PREFIX\s+\S*\s*<[^>]*>|BASE\s*<[^>]*>)\s*$", "", text)
    if not body.strip():
        raise QueryError(
            "the query is empty", location=source, hint="write a SELECT, ASK, CONSTRUCT or DESCRIBE query"
        )
    try:
        prepared = prepareQuery(text, initNs=PREFIXES)
    except ParseException as exc:
        try:
            parseUpdate(text)
        except Exception:
            pos = _position(exc)
            raise QueryError(
                f"SPARQL syntax error: {exc.msg}", location=f"{source}:{pos}" if pos else source
            ) from exc
        raise QueryError(
            "SPARQL Update is not allowed: queries are read-only",
            location=source,
            hint="to add facts, write them to a Turtle file and run `kg add FILE`",
        ) from exc
    except Exception as exc:  # rdflib raises plain exceptions for e.g. an unknown prefix
        raise QueryError(f"SPARQL error: {exc}", location=source) from exc
    forbidden = _forbidden(prepared.algebra)
    if forbidden and not allow_network:
        raise NetworkRefused(
            f"the query uses {' and '.join(forbidden)}, which would fetch data from outside the graph",
            location=source,
            hint="remove it, or pass --allow-network if you mean it",
        )
    return prepared


class Engine:
    """rdflib over a ``Dataset`` whose default graph is the union of its named graphs."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset

    def query(
        self,
        text: str,
        *,
        bindings: Mapping[str, Identifier] | None = None,
        source: str = "<query>",
        allow_network: bool = False,
    ) -> SparqlResult:
        """Run a SELECT/ASK/CONSTRUCT/DESCRIBE query and return rdflib's result."""
        prepared = prepare(text, source=source, allow_network=allow_network)
        init = {Variable(k): v for k, v in (bindings or {}).items()}
        previous = rdflib_sparql.SPARQL_LOAD_GRAPHS
        rdflib_sparql.SPARQL_LOAD_GRAPHS = allow_network
        try:
            result = self.dataset.query(prepared, initBindings=init)
            if result.type == "SELECT":
                # materialise now, so evaluation errors surface here and not mid-output
                result.bindings = list(result.bindings)
            return result
        except QueryError:
            raise
        except Exception as exc:
            raise QueryError(f"the query failed while running: {exc}", location=source) from exc
        finally:
            rdflib_sparql.SPARQL_LOAD_GRAPHS = previous


# ---------------------------------------------------------------- pySHACL

import contextlib  # noqa: E402
import dataclasses  # noqa: E402
import threading  # noqa: E402
from collections.abc import Iterable, Iterator  # noqa: E402

from rdflib import Graph, Literal, URIRef  # noqa: E402
from rdflib.namespace import DCTERMS, RDFS, SH  # noqa: E402

from kg.errors import InputError  # noqa: E402
from kg.files import Layout, ontology_graph, parse_file, union_graph  # noqa: E402
from kg.namespaces import bind_prefixes  # noqa: E402
from kg.validate import Report, Result  # noqa: E402

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


